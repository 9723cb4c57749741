// ibload: the load and attack client of the attack bench (scripts/bench-server).
//
// It talks only to 127.0.0.1 (the destination is not configurable) and every mode is bounded in
// count and time and stops by itself. The attacks bind their sockets to a separate client
// address on loopback (127.0.0.2 by default) so the server sees them as another client than
// the ordinary one (127.0.0.1), the way per-address limits would see them.
//
//   ordinary client   login, probe, rate, login-cycles N
//   attacks           idle-tcp N, idle-tls N, slowloris N, chunk-ext MB, trailers MB,
//                     second-request-trickle N, logins N
//
// Every mode ends with one summary line of key=value fields (scripts/bench-server reads them);
// the attacks print "ready ..." first, once their connections are in place.

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <openssl/ssl.h>

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using net::awaitable;
using Clock = std::chrono::steady_clock;

static auto with_ec(beast::error_code& ec)
{
    return net::redirect_error(net::use_awaitable, ec);
}

// ---------------------------------------------------------------- options
struct Options {
    std::string mode;
    uint16_t app_port = 8443;
    uint16_t cert_port = 8444;
    std::string origin = "cert";      // the origin an attack or rate run targets
    uint16_t port = 0;                // overrides the origin's port (rate against another server)
    std::vector<uint16_t> ports;      // rate, login-cycles: connections spread over these (several servers)
    std::string user_prefix;          // login-cycles: user i's files are <prefix><i>.pem/.key/.password
    std::string ca_file;              // verify the server against this CA (ordinary client)
    std::string cert_file;            // client certificate and key (PEM)
    std::string key_file;
    std::string source;               // source address; empty: 127.0.0.2 for attacks, 127.0.0.1 otherwise
    std::string path;                 // request target; empty: the mode's default
    std::string cookie_file;          // the session cookie ("name=value") for session checks
    std::string password_file;        // first line: the password for logins
    std::string cookie_out;           // login: where the session cookie is written
    int count = 1;                    // N connections / MB
    int seconds = 10;
    int parallel = 1;
    int interval_ms = 1000;           // trickle: one header line per interval
    int reconnect_ms = 1000;          // attacks: pause before replacing a connection the server closed
    int timeout_ms = 5000;            // one request (probe, rate, logins)
    int ready_ms = 3000;              // attacks report ready at the latest after this
    double rate = 10;                 // probe: requests per second on each origin
    int connections = 32;             // rate
    int threads = 1;                  // rate
};

static bool is_attack(const std::string& mode)
{
    return mode != "login" && mode != "probe" && mode != "rate" && mode != "login-cycles";
}

static uint16_t target_port(const Options& o)
{
    if (o.port != 0)
        return o.port;
    return o.origin == "app" ? o.app_port : o.cert_port;
}

// The port of connection or slot `index`: round robin over --ports when given (one database
// behind several servers), else the one target port.
static uint16_t spread_port(const Options& o, size_t index)
{
    if (o.ports.empty())
        return target_port(o);
    return o.ports[index % o.ports.size()];
}

static Clock::time_point deadline_after(int ms)
{
    return Clock::now() + std::chrono::milliseconds(ms);
}

static double ms_between(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration<double, std::milli>(to - from).count();
}

static std::string read_first_line(const std::string& path)
{
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return line;
}

// ---------------------------------------------------------------- statistics
// Nearest-rank percentile of the samples (sorted in place); 0 with no samples.
static double percentile(std::vector<double>& samples, double p)
{
    if (samples.empty())
        return 0;
    std::sort(samples.begin(), samples.end());
    size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(samples.size()) + 0.999999);
    rank = std::clamp<size_t>(rank, 1, samples.size());
    return samples[rank - 1];
}

static std::string latency_fields(std::vector<double>& samples)
{
    char text[160];
    double max = samples.empty() ? 0 : *std::max_element(samples.begin(), samples.end());
    std::snprintf(text, sizeof(text), "p50_ms=%.1f p99_ms=%.1f max_ms=%.1f", percentile(samples, 50),
                  percentile(samples, 99), max);
    return text;
}

// CPU this client used (user + system, all threads): on a shared machine the bench must tell
// how much of it went to the client rather than the server.
static std::string client_cpu_field()
{
    struct rusage usage = {};
    getrusage(RUSAGE_SELF, &usage);
    double seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
                     + static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    char text[48];
    std::snprintf(text, sizeof(text), "client_cpu_s=%.2f", seconds);
    return text;
}

static std::string counts_field(const std::map<std::string, long>& counts)
{
    std::string out;
    for (const auto& [name, n] : counts)
        out += (out.empty() ? "" : ",") + name + ":" + std::to_string(n);
    return out.empty() ? "-" : out;
}

// ---------------------------------------------------------------- connections
// SNI "localhost" (SSL_set_tlsext_host_name is a macro with a C cast).
static void set_server_name(SSL* ssl)
{
    static char name[] = "localhost";
    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, name);
}

// The ordinary client verifies the server; an attacker does not care who answers.
static std::unique_ptr<ssl::context> make_tls(const Options& o, bool with_cert)
{
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    if (!o.ca_file.empty()) {
        ctx->set_verify_mode(ssl::verify_peer);
        ctx->load_verify_file(o.ca_file);
    } else {
        ctx->set_verify_mode(ssl::verify_none);
    }
    if (with_cert && !o.cert_file.empty()) {
        ctx->use_certificate_chain_file(o.cert_file);
        ctx->use_private_key_file(o.key_file, ssl::context::pem);
    }
    return ctx;
}

struct TlsConn {
    beast::ssl_stream<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    bool closed = false;                 // the server ended the connection (seen by a reader)
    Clock::time_point closed_at{};

    TlsConn(const net::any_io_executor& ex, ssl::context& ctx) : stream(ex, ctx)
    {
        set_server_name(stream.native_handle());
    }
    beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream); }
};

// Opens a TCP connection from `source` (any port) to 127.0.0.1:port.
static awaitable<beast::error_code> connect_from(beast::tcp_stream& stream, const std::string& source, uint16_t port)
{
    beast::error_code ec;
    tcp::socket& socket = stream.socket();
    socket.open(tcp::v4(), ec);
    if (ec)
        co_return ec;
    // The port is picked at connect time, by the whole address pair: thousands of connections
    // from one source address would otherwise run out of ports bound at bind time.
    int one = 1;
    ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
    socket.bind(tcp::endpoint(net::ip::make_address_v4(source), 0), ec);
    if (ec)
        co_return ec;
    socket.set_option(tcp::no_delay(true), ec);
    co_await stream.async_connect(tcp::endpoint(net::ip::address_v4::loopback(), port), with_ec(ec));
    co_return ec;
}

static awaitable<beast::error_code> open_tls(TlsConn& conn, const std::string& source, uint16_t port)
{
    beast::error_code ec = co_await connect_from(conn.tcp(), source, port);
    if (ec)
        co_return ec;
    co_await conn.stream.async_handshake(ssl::stream_base::client, with_ec(ec));
    co_return ec;
}

static awaitable<void> sleep_until(Clock::time_point when)
{
    net::steady_timer timer(co_await net::this_coro::executor);
    timer.expires_at(when);
    beast::error_code ec;
    co_await timer.async_wait(with_ec(ec));
}

// Why a request failed, in words a reader of the bench output can act on.
static std::string failure_kind(const beast::error_code& ec)
{
    if (ec == beast::error::timeout)
        return "timeout";
    if (ec == net::error::connection_refused)
        return "refused";
    if (ec == net::error::eof || ec == ssl::error::stream_truncated || ec == net::error::connection_reset
        || ec == net::error::broken_pipe || ec == http::error::end_of_stream)
        return "closed";
    std::string words = ec.message();
    std::replace(words.begin(), words.end(), ' ', '_');
    std::replace(words.begin(), words.end(), ',', '_');
    return words;
}

// ---------------------------------------------------------------- HTTP
struct Answer {
    beast::error_code ec;
    int status = 0;
    bool keep_alive = false;
    std::string body;
    std::string set_cookie;
    std::string retry_after;
};

static http::request<http::string_body> make_request(http::verb method, const std::string& target,
                                                      const std::string& cookie, const std::string& body)
{
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "localhost");
    if (!cookie.empty())
        req.set(http::field::cookie, cookie);
    if (method == http::verb::post) {
        req.set(http::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
    }
    return req;
}

// Writes the request and reads the answer on an open connection (deadline: the stream's).
static awaitable<Answer> exchange(TlsConn& conn, http::request<http::string_body>& req)
{
    Answer a;
    co_await http::async_write(conn.stream, req, with_ec(a.ec));
    if (a.ec)
        co_return a;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1024 * 1024);
    co_await http::async_read(conn.stream, conn.buffer, parser, with_ec(a.ec));
    if (a.ec)
        co_return a;
    const auto& res = parser.get();
    a.status = static_cast<int>(res.result_int());
    a.keep_alive = res.keep_alive();
    a.body = res.body();
    a.set_cookie = std::string(res[http::field::set_cookie]);
    a.retry_after = std::string(res[http::field::retry_after]);
    co_return a;
}

static std::string json_string(const std::string& body, const char* key)
{
    nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object() || !j.contains(key) || !j[key].is_string())
        return std::string();
    return j[key].get<std::string>();
}

// core/protocol.h's api::kCsrfHeader (ibload builds without the core library).
static const char* const kCsrfHeader = "X-CSRF-Token";

static std::string login_body(const std::string& ticket, const std::string& password)
{
    return nlohmann::json{{"ticket", ticket}, {"password", password}}.dump();
}

// Reads until the server ends the connection or the stream's deadline passes; marks `closed`.
static awaitable<void> watch_for_close(std::shared_ptr<TlsConn> conn)
{
    char scratch[4096];
    for (;;) {
        beast::error_code ec;
        co_await conn->stream.async_read_some(net::buffer(scratch), with_ec(ec));
        if (ec) {
            if (ec != beast::error::timeout && ec != net::error::operation_aborted) {
                conn->closed = true;
                conn->closed_at = Clock::now();
            }
            co_return;
        }
    }
}

// ---------------------------------------------------------------- login (ordinary client, setup)
// identify, login (ending a retained session of this certificate's user if there is one), and
// the session cookie written to o.cookie_out.
static awaitable<void> login_once(const Options& o, ssl::context& ctx, int& result)
{
    auto ex = co_await net::this_coro::executor;
    TlsConn conn(ex, ctx);
    conn.tcp().expires_after(std::chrono::milliseconds(o.timeout_ms * 4));
    beast::error_code ec = co_await open_tls(conn, o.source, o.cert_port);
    if (ec) {
        std::fprintf(stderr, "ibload: login: cannot connect: %s\n", ec.message().c_str());
        co_return;
    }
    std::string password = read_first_line(o.password_file);
    auto identify = make_request(http::verb::post, "/api/v1/identify", "", "{}");
    Answer a = co_await exchange(conn, identify);
    std::string ticket = json_string(a.body, "ticket");
    if (a.status != 200 || ticket.empty()) {
        std::fprintf(stderr, "ibload: login: identify answered %d %s\n", a.status, a.body.c_str());
        co_return;
    }
    auto login = make_request(http::verb::post, "/api/v1/login", "", login_body(ticket, password));
    a = co_await exchange(conn, login);
    if (a.status == 409) {
        auto force = make_request(http::verb::post, "/api/v1/force-logout", "",
                                  nlohmann::json{{"ticket", json_string(a.body, "force_logout_ticket")}}.dump());
        a = co_await exchange(conn, force);
        ticket = json_string(a.body, "ticket");
        auto again = make_request(http::verb::post, "/api/v1/login", "", login_body(ticket, password));
        a = co_await exchange(conn, again);
    }
    if (a.status != 200 || a.set_cookie.empty()) {
        std::fprintf(stderr, "ibload: login: answered %d %s\n", a.status, a.body.c_str());
        co_return;
    }
    std::ofstream out(o.cookie_out, std::ios::trunc);
    out << a.set_cookie.substr(0, a.set_cookie.find(';')) << "\n";
    result = out ? 0 : 1;
    std::printf("login ok cookie_file=%s\n", o.cookie_out.c_str());
}

// ---------------------------------------------------------------- probe (ordinary client)
// One request per new connection, at a fixed rate whatever the answers take: what a customer
// opening the page meets.
struct ProbeStats {
    long sent = 0;
    long ok = 0;
    long within_1s = 0;
    std::vector<double> ok_ms;
    std::map<std::string, long> failures;
};

static awaitable<void> probe_once(const Options& o, ssl::context& ctx, bool cert_origin, std::string cookie,
                                  ProbeStats& stats)
{
    auto ex = co_await net::this_coro::executor;
    Clock::time_point start = Clock::now();
    stats.sent++;
    TlsConn conn(ex, ctx);
    if (!o.ca_file.empty())
        conn.stream.set_verify_callback(ssl::host_name_verification("localhost"));
    conn.tcp().expires_after(std::chrono::milliseconds(o.timeout_ms));
    beast::error_code ec = co_await open_tls(conn, o.source, cert_origin ? o.cert_port : o.app_port);
    if (ec) {
        stats.failures[failure_kind(ec)]++;
        co_return;
    }
    std::string target = cert_origin ? "/api/v1/session" : (o.path.empty() ? "/" : o.path);
    auto req = make_request(http::verb::get, target, cert_origin ? cookie : "", "");
    req.keep_alive(false);
    Answer a = co_await exchange(conn, req);
    double ms = ms_between(start, Clock::now());
    if (a.ec) {
        stats.failures[failure_kind(a.ec)]++;
        co_return;
    }
    if (a.status != 200) {
        stats.failures["status_" + std::to_string(a.status)]++;
        co_return;
    }
    stats.ok++;
    stats.ok_ms.push_back(ms);
    if (ms <= 1000)
        stats.within_1s++;
    beast::error_code ignored;
    conn.tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
}

static awaitable<void> probe_ticker(const Options& o, ssl::context& app_ctx, ssl::context& cert_ctx,
                                    std::string cookie, ProbeStats& app, ProbeStats& cert)
{
    auto ex = co_await net::this_coro::executor;
    Clock::time_point start = Clock::now();
    auto period = std::chrono::duration<double>(1.0 / o.rate);
    long total = static_cast<long>(o.rate * o.seconds);
    for (long i = 0; i < total; i++) {
        co_await sleep_until(start + std::chrono::duration_cast<Clock::duration>(period * static_cast<double>(i)));
        net::co_spawn(ex, probe_once(o, app_ctx, false, cookie, app), net::detached);
        net::co_spawn(ex, probe_once(o, cert_ctx, true, cookie, cert), net::detached);
    }
}

static void print_probe(const char* origin, ProbeStats& s)
{
    long failed = s.sent - s.ok;
    std::printf("probe origin=%s sent=%ld ok=%ld within_1s=%ld failures=%ld failure_kinds=%s %s\n", origin, s.sent,
                s.ok, s.within_1s, failed, counts_field(s.failures).c_str(), latency_fields(s.ok_ms).c_str());
}

// ---------------------------------------------------------------- rate (ordinary client)
// Closed loop over kept-alive connections, like wrk, but presenting the client certificate.
struct RateStats {
    long ok = 0;
    long errors = 0;
    long connects = 0;
    std::vector<double> ms;
};

static awaitable<void> rate_connection(const Options& o, ssl::context& ctx, std::string target, std::string cookie,
                                       uint16_t port, Clock::time_point count_from, Clock::time_point end,
                                       RateStats& stats)
{
    auto ex = co_await net::this_coro::executor;
    std::unique_ptr<TlsConn> conn;
    while (Clock::now() < end) {
        if (!conn) {
            conn = std::make_unique<TlsConn>(ex, ctx);
            if (!o.ca_file.empty())
                conn->stream.set_verify_callback(ssl::host_name_verification("localhost"));
            conn->tcp().expires_after(std::chrono::milliseconds(o.timeout_ms));
            beast::error_code ec = co_await open_tls(*conn, o.source, port);
            stats.connects++;
            if (ec) {
                stats.errors++;
                conn.reset();
                co_await sleep_until(deadline_after(100));
                continue;
            }
        }
        auto req = make_request(http::verb::get, target, cookie, "");
        conn->tcp().expires_after(std::chrono::milliseconds(o.timeout_ms));
        Clock::time_point start = Clock::now();
        Answer a = co_await exchange(*conn, req);
        bool counted = start >= count_from && Clock::now() <= end;
        if (a.ec || a.status != 200) {
            if (counted)
                stats.errors++;
            conn.reset();
            continue;
        }
        if (counted) {
            stats.ok++;
            stats.ms.push_back(ms_between(start, Clock::now()));
        }
        if (!a.keep_alive)
            conn.reset();
    }
}

static int run_rate(const Options& o)
{
    std::string cookie = o.cookie_file.empty() ? "" : read_first_line(o.cookie_file);
    std::string target = !o.path.empty() ? o.path : "/api/v1/session";
    // One second to open the connections (handshakes are not what is measured), then the count.
    Clock::time_point count_from = deadline_after(1000);
    Clock::time_point end = count_from + std::chrono::seconds(o.seconds);
    std::vector<RateStats> stats(static_cast<size_t>(o.threads));
    std::vector<std::thread> threads;
    for (int t = 0; t < o.threads; t++) {
        threads.emplace_back([&o, &stats, t, target, cookie, count_from, end] {
            auto ctx = make_tls(o, true);
            net::io_context io(1);   // after ctx: destroyed first
            for (int c = t; c < o.connections; c += o.threads)
                net::co_spawn(io,
                              rate_connection(o, *ctx, target, cookie, spread_port(o, static_cast<size_t>(c)), count_from,
                                              end, stats[static_cast<size_t>(t)]),
                              net::detached);
            io.run_until(end + std::chrono::milliseconds(o.timeout_ms + 1000));
        });
    }
    for (auto& th : threads)
        th.join();
    RateStats all;
    for (auto& s : stats) {
        all.ok += s.ok;
        all.errors += s.errors;
        all.connects += s.connects;
        all.ms.insert(all.ms.end(), s.ms.begin(), s.ms.end());
    }
    std::printf("rate connections=%d threads=%d ports=%zu seconds=%d requests=%ld per_second=%.0f errors=%ld "
                "connects=%ld %s %s\n",
                o.connections, o.threads, std::max<size_t>(1, o.ports.size()), o.seconds, all.ok,
                static_cast<double>(all.ok) / o.seconds, all.errors, all.connects, latency_fields(all.ms).c_str(),
                client_cpu_field().c_str());
    return all.ok > 0 ? 0 : 1;
}

// ---------------------------------------------------------------- login-cycles (ordinary client)
// Logins as customers make them, for the store comparison: N users, one slot each (one session
// per user), each looping identify -> login -> logout on a kept-alive connection. Each login
// creates a session and the logout ends it, so every login is a full one (ticket taken, password
// checked, session inserted), never a session_active refusal. Only the login request is timed.
struct CycleStats {
    long logins = 0;                      // answered 200 inside the counted window
    std::map<std::string, long> statuses; // everything else, by step and status or failure kind
    std::vector<double> login_ms;
};

struct CycleUser {
    std::string cert_file;
    std::string key_file;
    std::string password;
};

static awaitable<void> cycle_slot(const Options& o, ssl::context& ctx, const CycleUser& user, uint16_t port,
                                  Clock::time_point count_from, Clock::time_point end, CycleStats& s)
{
    auto ex = co_await net::this_coro::executor;
    std::unique_ptr<TlsConn> conn;
    auto failed = [&](const std::string& step, const Answer& a) {
        if (Clock::now() >= count_from && Clock::now() <= end)
            s.statuses[step + "_" + (a.ec ? failure_kind(a.ec) : std::to_string(a.status))]++;
        if (a.ec || !a.keep_alive)
            conn.reset();
    };
    while (Clock::now() < end) {
        if (!conn) {
            conn = std::make_unique<TlsConn>(ex, ctx);
            if (!o.ca_file.empty())
                conn->stream.set_verify_callback(ssl::host_name_verification("localhost"));
            conn->tcp().expires_after(std::chrono::milliseconds(o.timeout_ms));
            beast::error_code ec = co_await open_tls(*conn, o.source, port);
            if (ec) {
                s.statuses["connect_" + failure_kind(ec)]++;
                conn.reset();
                co_await sleep_until(std::min(end, deadline_after(100)));
                continue;
            }
        }
        conn->tcp().expires_after(std::chrono::milliseconds(o.timeout_ms));
        auto identify = make_request(http::verb::post, "/api/v1/identify", "", "{}");
        Answer a = co_await exchange(*conn, identify);
        std::string ticket = json_string(a.body, "ticket");
        if (a.ec || a.status != 200 || ticket.empty()) {
            failed("identify", a);
            co_await sleep_until(std::min(end, deadline_after(a.status == 503 ? 100 : 0)));
            continue;
        }
        auto login = make_request(http::verb::post, "/api/v1/login", "", login_body(ticket, user.password));
        conn->tcp().expires_after(std::chrono::milliseconds(o.timeout_ms));
        Clock::time_point start = Clock::now();
        a = co_await exchange(*conn, login);
        Clock::time_point answered = Clock::now();
        if (a.status == 409) {
            // A session left by an earlier run (or a logout that did not get through): end it
            // the way a customer would, and count the login as not done.
            failed("login", a);
            if (!conn)
                continue;
            auto force = make_request(http::verb::post, "/api/v1/force-logout", "",
                                      nlohmann::json{{"ticket", json_string(a.body, "force_logout_ticket")}}.dump());
            conn->tcp().expires_after(std::chrono::milliseconds(o.timeout_ms));
            Answer f = co_await exchange(*conn, force);
            if (f.ec || f.status != 200)
                failed("force-logout", f);
            continue;
        }
        if (a.ec || a.status != 200 || a.set_cookie.empty()) {
            failed("login", a);
            co_await sleep_until(std::min(end, deadline_after(a.status == 503 ? 100 : 0)));
            continue;
        }
        if (start >= count_from && answered <= end) {
            s.logins++;
            s.login_ms.push_back(ms_between(start, answered));
        }
        auto logout = make_request(http::verb::post, "/api/v1/logout", a.set_cookie.substr(0, a.set_cookie.find(';')),
                                   "{}");
        logout.set(kCsrfHeader, json_string(a.body, "csrf_token"));
        conn->tcp().expires_after(std::chrono::milliseconds(o.timeout_ms));
        Answer l = co_await exchange(*conn, logout);
        if (l.ec || l.status != 200)
            failed("logout", l);
        else if (!l.keep_alive)
            conn.reset();
    }
}

static bool load_cycle_users(const Options& o, std::vector<CycleUser>& users)
{
    for (int i = 1; i <= o.count; i++) {
        CycleUser u;
        std::string base = o.user_prefix + std::to_string(i);
        u.cert_file = base + ".pem";
        u.key_file = base + ".key";
        u.password = read_first_line(base + ".password");
        if (u.password.empty()) {
            std::fprintf(stderr, "ibload: login-cycles: %s.password is missing or empty\n", base.c_str());
            return false;
        }
        users.push_back(std::move(u));
    }
    return true;
}

static int run_login_cycles(const Options& o)
{
    std::vector<CycleUser> users;
    if (!load_cycle_users(o, users))
        return 2;
    // As in rate: the first second opens the connections and is not counted.
    Clock::time_point count_from = deadline_after(1000);
    Clock::time_point end = count_from + std::chrono::seconds(o.seconds);
    int threads = std::min(o.threads, o.count);
    std::vector<CycleStats> stats(static_cast<size_t>(threads));
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; t++) {
        workers.emplace_back([&o, &users, &stats, t, threads, count_from, end] {
            std::vector<std::unique_ptr<ssl::context>> contexts;   // one per user: its certificate
            net::io_context io(1);                                 // after the contexts: destroyed first
            for (size_t i = static_cast<size_t>(t); i < users.size(); i += static_cast<size_t>(threads)) {
                Options per_user = o;
                per_user.cert_file = users[i].cert_file;
                per_user.key_file = users[i].key_file;
                contexts.push_back(make_tls(per_user, true));
                net::co_spawn(io,
                              cycle_slot(o, *contexts.back(), users[i], spread_port(o, i), count_from, end,
                                         stats[static_cast<size_t>(t)]),
                              net::detached);
            }
            io.run_until(end + std::chrono::milliseconds(o.timeout_ms + 1000));
        });
    }
    for (auto& th : workers)
        th.join();
    CycleStats all;
    for (auto& s : stats) {
        all.logins += s.logins;
        for (const auto& [name, n] : s.statuses)
            all.statuses[name] += n;
        all.login_ms.insert(all.login_ms.end(), s.login_ms.begin(), s.login_ms.end());
    }
    std::printf("login-cycles users=%d threads=%d ports=%zu seconds=%d logins=%ld per_second=%.1f not_ok=%s %s %s\n",
                o.count, threads, std::max<size_t>(1, o.ports.size()), o.seconds, all.logins,
                static_cast<double>(all.logins) / o.seconds, counts_field(all.statuses).c_str(),
                latency_fields(all.login_ms).c_str(), client_cpu_field().c_str());
    return all.logins > 0 ? 0 : 1;
}

// ---------------------------------------------------------------- attacks: holding connections
struct HoldStats {
    int target = 0;
    int open = 0;
    int peak_open = 0;
    long connects = 0;
    long closed_by_server = 0;
    long connect_failures = 0;
    std::vector<double> held_ms;     // second-request-trickle: how long the server let it trickle
    long still_open_at_end = 0;
    bool ready_printed = false;
};

static void note_open(HoldStats& s)
{
    s.connects++;
    s.open++;
    s.peak_open = std::max(s.peak_open, s.open);
    if (!s.ready_printed && s.open >= s.target) {
        s.ready_printed = true;
        std::printf("ready open=%d\n", s.open);
        std::fflush(stdout);
    }
}

// A TLS ClientHello, made once: every half-finished handshake sends the same bytes and never
// answers the server's reply.
static std::string make_client_hello()
{
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    SSL* ssl_handle = SSL_new(ctx);
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl_handle, in, out);
    set_server_name(ssl_handle);
    SSL_set_connect_state(ssl_handle);
    SSL_do_handshake(ssl_handle);   // wants the server's reply; the ClientHello is in `out`
    std::string hello(static_cast<size_t>(BIO_ctrl_pending(out)), '\0');
    int n = BIO_read(out, hello.data(), static_cast<int>(hello.size()));
    hello.resize(n > 0 ? static_cast<size_t>(n) : 0);
    SSL_free(ssl_handle);
    SSL_CTX_free(ctx);
    return hello;
}

// idle-tcp / idle-tls: hold a connection doing nothing (after the ClientHello, for idle-tls)
// until the end; one the server closes is replaced after o.reconnect_ms.
static awaitable<void> idle_slot(const Options& o, const std::string& hello, Clock::time_point end, HoldStats& s)
{
    auto ex = co_await net::this_coro::executor;
    while (Clock::now() < end) {
        beast::tcp_stream stream(ex);
        stream.expires_at(end);
        beast::error_code ec = co_await connect_from(stream, o.source, target_port(o));
        if (ec) {
            if (ec != beast::error::timeout)
                s.connect_failures++;
            co_await sleep_until(std::min(end, deadline_after(o.reconnect_ms)));
            continue;
        }
        note_open(s);
        if (!hello.empty())
            co_await net::async_write(stream, net::buffer(hello), with_ec(ec));
        char scratch[4096];
        while (!ec)
            co_await stream.async_read_some(net::buffer(scratch), with_ec(ec));
        s.open--;
        if (ec == beast::error::timeout)
            break;   // the end: the attack is over
        s.closed_by_server++;
        co_await sleep_until(std::min(end, deadline_after(o.reconnect_ms)));
    }
}

// Writes `prefix`, then one more header line every interval, until the server ends the
// connection or the attack ends. True when the server ended it.
static awaitable<bool> trickle_header(std::shared_ptr<TlsConn> conn, std::string prefix, const Options& o,
                                      Clock::time_point end)
{
    auto ex = co_await net::this_coro::executor;
    net::co_spawn(ex, watch_for_close(conn), net::detached);
    beast::error_code ec;
    co_await net::async_write(conn->stream, net::buffer(prefix), with_ec(ec));
    static const std::string kLine = "X-a: b\r\n";
    while (!ec && !conn->closed && Clock::now() < end) {
        // The watcher notes the moment the server closes; the writer only needs to stop by the
        // next line (waking more often would spend the attacker's CPU, which the server shares).
        co_await sleep_until(std::min(end, deadline_after(o.interval_ms)));
        if (conn->closed || Clock::now() >= end)
            break;
        co_await net::async_write(conn->stream, net::buffer(kLine), with_ec(ec));
    }
    if (ec && !conn->closed) {
        conn->closed = true;
        conn->closed_at = Clock::now();
    }
    bool closed = conn->closed;
    beast::error_code ignored;
    conn->tcp().socket().close(ignored);   // ends the watcher too
    co_return closed;
}

// slowloris: a finished handshake, then a first request whose header never ends.
static awaitable<void> slowloris_slot(const Options& o, ssl::context& ctx, Clock::time_point end, HoldStats& s)
{
    auto ex = co_await net::this_coro::executor;
    while (Clock::now() < end) {
        auto conn = std::make_shared<TlsConn>(ex, ctx);
        conn->tcp().expires_at(end);
        beast::error_code ec = co_await open_tls(*conn, o.source, target_port(o));
        if (ec) {
            if (ec != beast::error::timeout)
                s.connect_failures++;
            co_await sleep_until(std::min(end, deadline_after(o.reconnect_ms)));
            continue;
        }
        note_open(s);
        bool closed = co_await trickle_header(conn, "GET / HTTP/1.1\r\nHost: localhost\r\n", o, end);
        s.open--;
        if (!closed)
            break;
        s.closed_by_server++;
        co_await sleep_until(std::min(end, deadline_after(o.reconnect_ms)));
    }
}

// second-request-trickle: one complete request on a kept-alive connection, then the second
// request's header trickled; records how long the server lets it trickle.
static awaitable<void> second_request_slot(const Options& o, ssl::context& ctx, Clock::time_point end, HoldStats& s)
{
    auto ex = co_await net::this_coro::executor;
    while (Clock::now() < end) {
        auto conn = std::make_shared<TlsConn>(ex, ctx);
        conn->tcp().expires_at(end);
        beast::error_code ec = co_await open_tls(*conn, o.source, target_port(o));
        Answer first;
        if (!ec) {
            auto req = make_request(http::verb::get, "/", "", "");
            first = co_await exchange(*conn, req);
            ec = first.ec;
        }
        if (ec || !first.keep_alive) {
            if (ec != beast::error::timeout)
                s.connect_failures++;
            co_await sleep_until(std::min(end, deadline_after(o.reconnect_ms)));
            continue;
        }
        note_open(s);
        Clock::time_point second_start = Clock::now();
        bool closed = co_await trickle_header(conn, "GET / HTTP/1.1\r\nHost: localhost\r\n", o, end);
        s.open--;
        if (!closed) {
            s.still_open_at_end++;
            break;
        }
        s.closed_by_server++;
        s.held_ms.push_back(ms_between(second_start, conn->closed_at));
        co_await sleep_until(std::min(end, deadline_after(o.reconnect_ms)));
    }
}

static awaitable<void> ready_after(const Options& o, HoldStats& s)
{
    co_await sleep_until(deadline_after(o.ready_ms));
    if (!s.ready_printed) {
        s.ready_printed = true;
        std::printf("ready open=%d (of %d)\n", s.open, s.target);
        std::fflush(stdout);
    }
}

static int run_hold(const Options& o)
{
    Clock::time_point end = deadline_after(o.seconds * 1000);
    HoldStats s;
    s.target = o.count;
    auto ctx = make_tls(o, false);
    std::string hello = o.mode == "idle-tls" ? make_client_hello() : std::string();
    net::io_context io(1);   // last: coroutines still pending at the end die before what they use
    for (int i = 0; i < o.count; i++) {
        if (o.mode == "idle-tcp" || o.mode == "idle-tls")
            net::co_spawn(io, idle_slot(o, hello, end, s), net::detached);
        else if (o.mode == "slowloris")
            net::co_spawn(io, slowloris_slot(o, *ctx, end, s), net::detached);
        else
            net::co_spawn(io, second_request_slot(o, *ctx, end, s), net::detached);
    }
    net::co_spawn(io, ready_after(o, s), net::detached);
    io.run_until(end + std::chrono::seconds(5));
    std::printf("%s target=%d peak_open=%d connects=%ld closed_by_server=%ld connect_failures=%ld", o.mode.c_str(),
                s.target, s.peak_open, s.connects, s.closed_by_server, s.connect_failures);
    if (o.mode == "second-request-trickle") {
        std::printf(" held_count=%zu still_open_at_end=%ld held_p50_ms=%.0f held_max_ms=%.0f", s.held_ms.size(),
                    s.still_open_at_end, percentile(s.held_ms, 50),
                    s.held_ms.empty() ? 0.0 : *std::max_element(s.held_ms.begin(), s.held_ms.end()));
    }
    std::printf("\n");
    return 0;
}

// ---------------------------------------------------------------- attacks: huge chunked requests
struct BigStats {
    long started = 0;
    long answered = 0;
    long bytes_sent = 0;
    std::map<std::string, long> statuses;
    std::vector<double> ms;
};

static awaitable<void> read_answer(std::shared_ptr<TlsConn> conn, std::shared_ptr<Answer> answer, std::shared_ptr<bool> done)
{
    http::response_parser<http::string_body> parser;
    parser.body_limit(1024 * 1024);
    co_await http::async_read(conn->stream, conn->buffer, parser, with_ec(answer->ec));
    if (!answer->ec)
        answer->status = static_cast<int>(parser.get().result_int());
    *done = true;
}

// One chunked POST whose chunk extension (chunk-ext) or trailer section (trailers) is
// o.count MB; the answer is read while sending, so an early refusal is seen.
static awaitable<void> big_request(const Options& o, ssl::context& ctx, Clock::time_point end, BigStats& s)
{
    auto ex = co_await net::this_coro::executor;
    auto conn = std::make_shared<TlsConn>(ex, ctx);
    conn->tcp().expires_at(end);
    Clock::time_point start = Clock::now();
    beast::error_code ec = co_await open_tls(*conn, o.source, target_port(o));
    if (ec) {
        if (ec != beast::error::timeout)   // a timeout here is the end of the attack
            s.statuses["connect_" + failure_kind(ec)]++;
        co_await sleep_until(std::min(end, deadline_after(o.reconnect_ms)));
        co_return;
    }
    s.started++;
    auto answer = std::make_shared<Answer>();
    auto done = std::make_shared<bool>(false);
    net::co_spawn(ex, read_answer(conn, answer, done), net::detached);

    std::string target = o.origin == "app" ? "/" : "/api/v1/identify";
    std::string head = "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n";
    bool extension = o.mode == "chunk-ext";
    head += extension ? "2;pad=" : "2\r\n{}\r\n0\r\n";
    co_await net::async_write(conn->stream, net::buffer(head), with_ec(ec));
    // The padding: one long extension value, or trailer lines of about 1 KiB each.
    std::string piece = extension ? std::string(64 * 1024, 'a') : "X-Pad: " + std::string(1017, 'a') + "\r\n";
    long total = static_cast<long>(o.count) * 1024 * 1024;
    long sent = 0;
    while (!ec && !*done && sent < total) {
        co_await net::async_write(conn->stream, net::buffer(piece), with_ec(ec));
        sent += static_cast<long>(piece.size());
    }
    if (!ec && !*done) {
        std::string tail = extension ? "\r\n{}\r\n0\r\n\r\n" : "\r\n";
        co_await net::async_write(conn->stream, net::buffer(tail), with_ec(ec));
    }
    s.bytes_sent += sent;
    while (!*done && Clock::now() < end)
        co_await sleep_until(std::min(end, deadline_after(20)));
    if (answer->status != 0) {
        s.answered++;
        s.statuses[std::to_string(answer->status)]++;
        s.ms.push_back(ms_between(start, Clock::now()));
    } else if (!*done || answer->ec == beast::error::timeout) {
        s.statuses["unanswered"]++;   // neither answered nor closed by the end of the attack
    } else {
        s.statuses[failure_kind(answer->ec ? answer->ec : ec)]++;
    }
    beast::error_code ignored;
    conn->tcp().socket().close(ignored);
}

// Each of o.parallel slots sends one huge request after another until the end.
static awaitable<void> big_slot(const Options& o, ssl::context& ctx, Clock::time_point end, BigStats& s)
{
    while (Clock::now() < end)
        co_await big_request(o, ctx, end, s);
}

static awaitable<void> ready_when_started(const Options& o, BigStats& s, Clock::time_point give_up)
{
    while (s.started < o.parallel && Clock::now() < give_up)
        co_await sleep_until(deadline_after(20));
    std::printf("ready started=%ld\n", s.started);
    std::fflush(stdout);
}

static int run_big(const Options& o)
{
    Clock::time_point end = deadline_after(o.seconds * 1000);
    BigStats s;
    auto ctx = make_tls(o, true);
    net::io_context io(1);
    for (int i = 0; i < o.parallel; i++)
        net::co_spawn(io, big_slot(o, *ctx, end, s), net::detached);
    net::co_spawn(io, ready_when_started(o, s, deadline_after(o.ready_ms)), net::detached);
    io.run_until(end + std::chrono::seconds(5));
    std::printf("%s mb=%d parallel=%d requests=%ld answered=%ld statuses=%s sent_mb=%ld %s\n", o.mode.c_str(), o.count,
                o.parallel, s.started, s.answered, counts_field(s.statuses).c_str(), s.bytes_sent / (1024 * 1024),
                latency_fields(s.ms).c_str());
    return 0;
}

// ---------------------------------------------------------------- attacks: logins
struct LoginStats {
    long completed = 0;
    std::map<std::string, long> statuses;
    std::vector<double> ms;
    int connected = 0;
    int target = 0;
    bool ready_printed = false;
};

// identify, then login with the right password, over and over on one kept-alive connection.
// Each login costs the server one Argon2id hash (the second and later end in session_active).
static awaitable<void> login_slot(const Options& o, ssl::context& ctx, std::string password, Clock::time_point end,
                                  LoginStats& s)
{
    auto ex = co_await net::this_coro::executor;
    std::unique_ptr<TlsConn> conn;
    bool counted_connection = false;
    while (Clock::now() < end) {
        if (!conn) {
            conn = std::make_unique<TlsConn>(ex, ctx);
            conn->tcp().expires_after(std::chrono::milliseconds(o.timeout_ms));
            beast::error_code ec = co_await open_tls(*conn, o.source, o.cert_port);
            if (ec) {
                s.statuses["connect_" + failure_kind(ec)]++;
                conn.reset();
                co_await sleep_until(std::min(end, deadline_after(o.reconnect_ms)));
                continue;
            }
            if (!counted_connection) {
                counted_connection = true;
                if (++s.connected >= s.target && !s.ready_printed) {
                    s.ready_printed = true;
                    std::printf("ready connected=%d\n", s.connected);
                    std::fflush(stdout);
                }
            }
        }
        conn->tcp().expires_after(std::chrono::milliseconds(o.timeout_ms));
        auto identify = make_request(http::verb::post, "/api/v1/identify", "", "{}");
        Answer a = co_await exchange(*conn, identify);
        std::string ticket = json_string(a.body, "ticket");
        if (a.ec || a.status != 200 || ticket.empty()) {
            s.statuses[a.ec ? "identify_" + failure_kind(a.ec) : "identify_" + std::to_string(a.status)]++;
            if (a.ec || !a.keep_alive)
                conn.reset();
            co_await sleep_until(std::min(end, deadline_after(a.status == 503 ? 100 : o.reconnect_ms)));
            continue;
        }
        auto login = make_request(http::verb::post, "/api/v1/login", "", login_body(ticket, password));
        conn->tcp().expires_after(std::chrono::milliseconds(o.timeout_ms));
        Clock::time_point start = Clock::now();
        a = co_await exchange(*conn, login);
        s.ms.push_back(ms_between(start, Clock::now()));
        s.completed++;
        s.statuses[a.ec ? failure_kind(a.ec) : std::to_string(a.status)]++;
        if (a.ec || !a.keep_alive)
            conn.reset();
        if (a.status == 503)   // the server asked to come back later: a polite client pauses
            co_await sleep_until(std::min(end, deadline_after(100)));
    }
}

static int run_logins(const Options& o)
{
    Clock::time_point start = Clock::now();
    Clock::time_point end = deadline_after(o.seconds * 1000);
    LoginStats s;
    s.target = o.count;
    auto ctx = make_tls(o, true);
    std::string password = read_first_line(o.password_file);
    net::io_context io(1);
    for (int i = 0; i < o.count; i++)
        net::co_spawn(io, login_slot(o, *ctx, password, end, s), net::detached);
    // Logins in flight when the time is up may take up to the request timeout to answer.
    io.run_until(end + std::chrono::milliseconds(o.timeout_ms + 1000));
    // Until the last answer: checks answered after the end were still done in this run.
    double elapsed = ms_between(start, Clock::now()) / 1000.0;
    long successes = 0;
    for (const char* code : {"200", "409"})
        successes += s.statuses.count(code) ? s.statuses[code] : 0;
    std::printf("logins concurrency=%d seconds=%d completed=%ld password_checks_per_second=%.1f statuses=%s %s\n",
                o.count, o.seconds, s.completed, static_cast<double>(successes) / elapsed,
                counts_field(s.statuses).c_str(), latency_fields(s.ms).c_str());
    return 0;
}

// ---------------------------------------------------------------- main
static void raise_open_file_limit()
{
    struct rlimit limit = {};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

static bool is_loopback_v4(const std::string& address)
{
    beast::error_code ec;
    net::ip::address_v4 a = net::ip::make_address_v4(address, ec);
    return !ec && a.is_loopback();
}

int main(int argc, char** argv)
{
    Options o;
    CLI::App app{"ibload - load and attack client of the attack bench; talks only to 127.0.0.1"};
    app.require_subcommand(1);
    app.fallthrough();
    app.add_option("--app-port", o.app_port, "port of the app origin on 127.0.0.1")->capture_default_str();
    app.add_option("--cert-port", o.cert_port, "port of the certificate origin on 127.0.0.1")->capture_default_str();
    app.add_option("--origin", o.origin, "origin an attack or rate run targets: app or cert")
        ->check(CLI::IsMember({"app", "cert"}))->capture_default_str();
    app.add_option("--port", o.port, "rate: another server's port instead of the origin's");
    app.add_option("--ports", o.ports, "rate, login-cycles: spread connections round robin over these ports "
                                       "(comma-separated; several servers on one database)")
        ->delimiter(',');
    app.add_option("--ca", o.ca_file, "CA certificate the server must chain to (the ordinary client verifies)");
    app.add_option("--cert", o.cert_file, "client certificate (PEM)");
    app.add_option("--key", o.key_file, "client certificate's key (PEM)");
    app.add_option("--source", o.source, "source address (127.0.0.0/8); attacks 127.0.0.2, others 127.0.0.1");
    app.add_option("--path", o.path, "probe: app origin file (/); rate: target (/api/v1/session)");
    app.add_option("--cookie-file", o.cookie_file, "file holding the session cookie (from `login`)");
    app.add_option("--password-file", o.password_file, "file whose first line is the password");
    app.add_option("--seconds", o.seconds, "how long the mode runs")->check(CLI::Range(1, 600))->capture_default_str();
    app.add_option("--parallel", o.parallel, "chunk-ext/trailers: requests in parallel")
        ->check(CLI::Range(1, 64))->capture_default_str();
    app.add_option("--interval-ms", o.interval_ms, "trickle: one header line per interval")
        ->check(CLI::Range(10, 60000))->capture_default_str();
    app.add_option("--reconnect-ms", o.reconnect_ms, "attacks: pause before replacing a closed connection")
        ->check(CLI::Range(1, 60000))->capture_default_str();
    app.add_option("--timeout-ms", o.timeout_ms, "deadline of one request")->check(CLI::Range(100, 120000))
        ->capture_default_str();
    app.add_option("--ready-ms", o.ready_ms, "attacks: report ready after this at the latest")
        ->check(CLI::Range(0, 60000))->capture_default_str();

    CLI::App* login = app.add_subcommand("login", "log in once (identify + login) and write the session cookie");
    login->add_option("--cookie-out", o.cookie_out, "where to write the cookie")->required();
    CLI::App* probe = app.add_subcommand("probe", "ordinary client: a request on each origin at a fixed rate, "
                                                  "one new connection each; p50/p99/max and failures");
    probe->add_option("--rate", o.rate, "requests per second on each origin")->check(CLI::Range(0.1, 200.0))
        ->capture_default_str();
    CLI::App* rate = app.add_subcommand("rate", "ordinary client: most requests per second over kept-alive "
                                                "connections (session checks by default)");
    rate->add_option("--connections", o.connections, "connections")->check(CLI::Range(1, 1000))->capture_default_str();
    rate->add_option("--threads", o.threads, "client threads")->check(CLI::Range(1, 8))->capture_default_str();

    CLI::App* cycles = app.add_subcommand("login-cycles", "ordinary client: N users, each looping identify, login, "
                                                          "logout on its own connection; logins/s and login p50/p99");
    cycles->add_option("count", o.count, "N users (files <prefix>1..N .pem/.key/.password)")
        ->check(CLI::Range(1, 1000))->required();
    cycles->add_option("--user-prefix", o.user_prefix, "path prefix of the users' files")->required();
    cycles->add_option("--threads", o.threads, "client threads")->check(CLI::Range(1, 8))->capture_default_str();

    struct Attack {
        const char* name;
        const char* help;
        int max;
    };
    const Attack attacks[] = {
        {"idle-tcp", "hold N idle TCP connections", 10000},
        {"idle-tls", "hold N half-finished TLS handshakes (ClientHello sent, never finished)", 10000},
        {"slowloris", "hold N TLS connections trickling the first request's header", 10000},
        {"second-request-trickle", "N kept-alive connections trickling the second request's header", 10000},
        {"chunk-ext", "chunked POSTs with a chunk extension of MB megabytes", 1024},
        {"trailers", "chunked POSTs with a trailer section of MB megabytes", 1024},
        {"logins", "N concurrent logins (identify + login with the right password), in a loop", 2000},
    };
    for (const Attack& a : attacks) {
        CLI::App* sub = app.add_subcommand(a.name, a.help);
        sub->add_option("count", o.count, "N connections or MB")->check(CLI::Range(1, a.max))->required();
    }

    CLI11_PARSE(app, argc, argv);
    o.mode = app.get_subcommands().front()->get_name();
    if (o.source.empty())
        o.source = is_attack(o.mode) ? "127.0.0.2" : "127.0.0.1";
    if (!is_loopback_v4(o.source)) {
        std::fprintf(stderr, "ibload: --source must be an address in 127.0.0.0/8\n");
        return 2;
    }
    if ((o.mode == "login" || o.mode == "logins") && (o.cert_file.empty() || o.password_file.empty())) {
        std::fprintf(stderr, "ibload: %s needs --cert, --key and --password-file\n", o.mode.c_str());
        return 2;
    }
    raise_open_file_limit();
    std::signal(SIGPIPE, SIG_IGN);

    try {
        if (o.mode == "login") {
            auto ctx = make_tls(o, true);
            int result = 1;
            net::io_context io(1);
            net::co_spawn(io, login_once(o, *ctx, result), net::detached);
            io.run();
            return result;
        }
        if (o.mode == "probe") {
            if (o.cert_file.empty() || o.cookie_file.empty()) {
                std::fprintf(stderr, "ibload: probe needs --cert, --key and --cookie-file\n");
                return 2;
            }
            auto app_ctx = make_tls(o, false);
            auto cert_ctx = make_tls(o, true);
            ProbeStats app_stats;
            ProbeStats cert_stats;
            net::io_context io(1);
            net::co_spawn(io, probe_ticker(o, *app_ctx, *cert_ctx, read_first_line(o.cookie_file), app_stats, cert_stats),
                          net::detached);
            io.run_until(Clock::now() + std::chrono::seconds(o.seconds) + std::chrono::milliseconds(o.timeout_ms + 1000));
            print_probe("app", app_stats);
            print_probe("cert", cert_stats);
            return 0;
        }
        if (o.mode == "rate")
            return run_rate(o);
        if (o.mode == "login-cycles")
            return run_login_cycles(o);
        if (o.mode == "chunk-ext" || o.mode == "trailers")
            return run_big(o);
        if (o.mode == "logins")
            return run_logins(o);
        return run_hold(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ibload: error: %s\n", e.what());
        return 1;
    }
}
