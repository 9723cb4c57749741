#include "harness.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <catch_amalgamated.hpp>
#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>

#include <cstdlib>
#include <ctime>
#include <functional>
#include <optional>
#include <fstream>
#include <thread>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

static void write_file(const std::filesystem::path& p, const std::string& text)
{
    std::ofstream out(p, std::ios::binary);
    out << text;
}

void behind_proxy(TestOptions& options, bool trust_loopback)
{
    options.limits.behind_proxy = true;
    options.limits.trusted_proxies.clear();
    std::string problem = parse_trusted_networks(trust_loopback ? "127.0.0.1, 192.0.2.0/24" : "192.0.2.0/24",
                                                 options.limits.trusted_proxies);
    REQUIRE(problem.empty());
}

ServerLog::ServerLog()
{
    logger->sink = [this](const std::string& line) {
        std::lock_guard lock(mutex);
        lines.push_back(line);
    };
}

std::string ServerLog::text()
{
    std::lock_guard lock(mutex);
    std::string out;
    for (const std::string& line : lines)
        out += line + "\n";
    return out;
}

std::vector<nlohmann::json> ServerLog::events(const std::string& event)
{
    std::lock_guard lock(mutex);
    std::vector<nlohmann::json> out;
    for (const std::string& line : lines) {
        nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_object() && j.value("event", "") == event)
            out.push_back(j);
    }
    return out;
}

std::string test_pg_server()
{
    const char* url = std::getenv("IBGATE_TEST_PG");
    return url ? std::string(url) : std::string();
}

std::string pg_url_with_database(const std::string& url, const std::string& name)
{
    size_t scheme_end = url.find("://");
    if (scheme_end == std::string::npos)
        return url;
    size_t authority_end = url.find_first_of("/?#", scheme_end + 3);
    if (authority_end == std::string::npos)
        return url + "/" + name;
    if (url[authority_end] != '/')
        return url.substr(0, authority_end) + "/" + name + url.substr(authority_end);
    size_t path_end = url.find_first_of("?#", authority_end);
    return url.substr(0, authority_end) + "/" + name + (path_end == std::string::npos ? "" : url.substr(path_end));
}

// Runs one statement on the server's maintenance connection; the error text or "".
static std::string pg_run_on_server(const std::string& server_url, const std::string& sql)
{
    PGconn* conn = PQconnectdb(server_url.c_str());
    std::string error;
    if (PQstatus(conn) != CONNECTION_OK) {
        error = std::string("cannot connect to $IBGATE_TEST_PG: ") + PQerrorMessage(conn);
    } else {
        PGresult* result = PQexec(conn, sql.c_str());
        if (PQresultStatus(result) != PGRES_COMMAND_OK && PQresultStatus(result) != PGRES_TUPLES_OK)
            error = sql + ": " + PQresultErrorMessage(result);
        PQclear(result);
    }
    PQfinish(conn);
    return error;
}

PgTestDatabase::PgTestDatabase(const std::string& server_url_) : server_url(server_url_)
{
    char random[32];
    std::snprintf(random, sizeof(random), "%08x%08x", randombytes_random(), randombytes_random());
    name = std::string("ibgate_test_") + random;   // lowercase letters, digits, _: no quoting needed
    std::string error = pg_run_on_server(server_url, "CREATE DATABASE " + name + " ENCODING 'UTF8' TEMPLATE template0");
    INFO(error);
    REQUIRE(error.empty());
    url = pg_url_with_database(server_url, name);
}

PgTestDatabase::~PgTestDatabase()
{
    // FORCE: ends connections the server under test may have left (a test that failed midway).
    std::string error = pg_run_on_server(server_url, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    if (!error.empty())
        std::fprintf(stderr, "harness: %s\n", error.c_str());
}

TestServer::TestServer(const TestOptions& opts) : options(opts)
{
    REQUIRE(secrets_init());
    char name[64];
    std::snprintf(name, sizeof(name), "ibgate-test-%08x%08x", randombytes_random(), randombytes_random());
    dir = std::filesystem::temp_directory_path() / name;
    now = static_cast<int64_t>(std::time(nullptr));

    InitOptions init;
    init.hash_cost = HashCost::Test;
    if (std::string pg_server = test_pg_server(); !pg_server.empty()) {
        pg = std::make_unique<PgTestDatabase>(pg_server);
        init.database = pg->url;   // recorded in the data directory, as `ibgate init --database` does
    }
    operator_init(dir.string(), init, now);
    paths = data_paths(dir.string());
    database = paths.database;
    ca = pki_read_cert(paths.ca_cert);
    ca_key = pki_read_key(paths.ca_key);

    // A small web root shaped like the web build's output.
    std::filesystem::path web = dir / "web";
    std::filesystem::create_directories(web / "assets");
    write_file(web / "index.html", "<!doctype html><title>ibank</title>");
    write_file(web / "config.json", "{\"api_origin\":\"https://localhost:8444\"}");
    write_file(web / "assets" / "app.0123abcd.wasm", "plain-wasm");
    write_file(web / "assets" / "app.0123abcd.wasm.gz", "gzip-wasm");
    write_file(web / "assets" / "app.0123abcd.wasm.br", "brotli-wasm");
    write_file(web / "assets" / "app.89abcdef.js", "plain-js");
    write_file(web / "assets" / "app.89abcdef.js.gz", "gzip-js");
    write_file(dir / "secret.txt", "outside the web root");

    start();
}

TestServer::~TestServer()
{
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

void TestServer::start()
{
    store_open(store, database, false, options.busy_timeout_ms);
    trust_load(trust, paths.ca_cert, paths.crl, now);
    trust.ocsp.options = options.ocsp;
    api.config = options.api;
    api.config.institution_code = "1234";
    api.config.app_origin = "https://localhost:8443";
    api.store = &store;
    api.trust = &trust;
    issuer.cert = pki_read_cert(paths.ca_cert);
    issuer.key = pki_read_key(paths.ca_key);
    api.issuer = &issuer;
    api.clock = [this] { return now.load(); };
    REQUIRE(password_checker_init(api.checker, HashCost::Test));

    ServerConfig config = options.limits;
    if (!config.log) {   // the server's events on standard error, without an access line for every request
        config.log = std::make_shared<Logger>();
        config.log->access_log = false;
    }
    config.app_port = 0;
    config.cert_port = 0;
    config.web_root = (dir / "web").string();
    config.tls_cert_path = paths.server_cert;
    config.tls_key_path = paths.server_key;
    config.client_ca_path = paths.ca_cert;
    config.request_timeout = options.request_timeout;
    config.handshake_timeout = options.handshake_timeout;
    config.keepalive_timeout = options.keepalive_timeout > 0 ? options.keepalive_timeout : options.request_timeout;
    config.hsts_include_subdomains = options.hsts_include_subdomains;
    server = server_start(config, api);
    app_port = server_app_port(*server);
    cert_port = server_cert_port(*server);
}

void TestServer::stop()
{
    server.reset();
    store_close(store);
}

void TestServer::restart()
{
    stop();
    start();
}

CertSpec client_spec(TestServer& ts, const std::string& user_id)
{
    CertSpec spec;
    spec.kind = CertKind::Client;
    spec.common_name = user_id + "1234";
    spec.organization = "株式会社テスト";
    spec.not_before = ts.now - 3600;
    spec.not_after = ts.now + 30 * 24 * 3600;
    return spec;
}

ClientCert make_cert(TestServer& ts, const CertSpec& spec, X509* issuer, EVP_PKEY* issuer_key)
{
    ClientCert c;
    c.key = pki_new_key();
    c.cert = pki_make_cert(spec, c.key.get(), issuer ? issuer : ts.ca.get(), issuer_key ? issuer_key : ts.ca_key.get());
    c.fingerprint = pki_fingerprint(c.cert.get());
    c.serial = pki_serial_hex(c.cert.get());
    return c;
}

ClientCert add_cert(TestServer& ts, const std::string& user_id)
{
    ClientCert c = make_cert(ts, client_spec(ts, user_id));
    operator_register_cert(ts.store, c.cert.get(), user_id, ts.now);
    return c;
}

ClientCert add_user(TestServer& ts, const std::string& user_id, const std::string& password, api::Role role)
{
    UserRecord u;
    u.user_id = user_id;
    u.name = "利用者 " + user_id;
    u.company = "株式会社テスト";
    u.role = role;
    operator_user_add(ts.store, u, password, ts.now);
    return add_cert(ts, user_id);
}

std::string Reply::header(const std::string& lowercase_name) const
{
    auto it = headers.find(lowercase_name);
    return it == headers.end() ? std::string() : it->second;
}

std::string Reply::error() const
{
    if (!json.is_object())
        return std::string();
    auto it = json.find("error");
    return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// SNI "localhost" (SSL_set_tlsext_host_name is a macro with a C cast).
static void set_server_name(SSL* ssl)
{
    static char name[] = "localhost";
    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, name);
}

static void setup_client_tls(const std::string& server_ca, ssl::context& ctx, const ClientCert* cert)
{
    ctx.set_verify_mode(ssl::verify_peer);
    ctx.load_verify_file(server_ca);   // the client CA vouches for customers only
    if (cert) {
        SSL_CTX_use_certificate(ctx.native_handle(), cert->cert.get());
        SSL_CTX_use_PrivateKey(ctx.native_handle(), cert->key.get());
    }
}

static Reply to_reply(http::response<http::string_body> res);

Reply send(TestServer& ts, const Request& request)
{
    return send_to(ts.paths.server_ca_cert, request.app_origin ? ts.app_port : ts.cert_port, request);
}

Reply send_to(const std::string& server_ca, uint16_t port, const Request& request)
{
    net::io_context io;
    ssl::context ctx(ssl::context::tls_client);
    setup_client_tls(server_ca, ctx, request.cert);
    beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
    set_server_name(stream.native_handle());
    stream.set_verify_callback(ssl::host_name_verification("localhost"));
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(20));
    if (!request.local_address.empty()) {
        tcp::socket& socket = beast::get_lowest_layer(stream).socket();
        socket.open(tcp::v4());
        socket.bind(tcp::endpoint(net::ip::make_address(request.local_address), 0));
    }
    beast::get_lowest_layer(stream).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    stream.handshake(ssl::stream_base::client);

    http::request<http::string_body> req{http::string_to_verb(request.method), request.target, 11};
    req.set(http::field::host, "localhost");
    for (const auto& [name, value] : request.headers)
        req.insert(name, value);   // a name given twice is sent twice
    req.body() = request.body;
    if (request.chunked)
        req.chunked(true);
    else if (request.method != "GET" && request.method != "HEAD" && request.method != "OPTIONS")
        req.prepare_payload();
    req.keep_alive(false);
    http::write(stream, req);

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (request.method == "HEAD")
        parser.skip(true);
    http::read(stream, buffer, parser);
    Reply reply = to_reply(parser.release());
    beast::error_code ignored;
    stream.shutdown(ignored);
    return reply;
}

static Reply to_reply(http::response<http::string_body> res)
{
    Reply reply;
    reply.status = static_cast<int>(res.result_int());
    reply.body = res.body();
    for (const auto& field : res) {
        std::string name(field.name_string());
        for (char& ch : name)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        reply.headers.emplace(name, std::string(field.value()));
    }
    reply.json = nlohmann::json::parse(reply.body, nullptr, false);
    return reply;
}

Reply post(TestServer& ts, const ClientCert* cert, const std::string& target, const std::string& body,
           std::vector<std::pair<std::string, std::string>> headers)
{
    Request r;
    r.method = "POST";
    r.target = target;
    r.body = body;
    r.cert = cert;
    r.headers = std::move(headers);
    bool has_type = false;
    for (const auto& h : r.headers)
        has_type = has_type || h.first == "Content-Type";
    if (!has_type)
        r.headers.emplace_back("Content-Type", "application/json");
    return send(ts, r);
}

Reply get(TestServer& ts, const ClientCert* cert, const std::string& target,
          std::vector<std::pair<std::string, std::string>> headers)
{
    Request r;
    r.target = target;
    r.cert = cert;
    r.headers = std::move(headers);
    return send(ts, r);
}

std::string identify_ticket(TestServer& ts, const ClientCert& cert)
{
    Reply r = post(ts, &cert, "/api/v1/identify", "{}");
    REQUIRE(r.status == 200);
    return r.json.at("ticket").get<std::string>();
}

Reply login(TestServer& ts, const ClientCert& cert, const std::string& ticket, const std::string& password)
{
    nlohmann::json body = {{"ticket", ticket}, {"password", password}};
    return post(ts, &cert, "/api/v1/login", body.dump());
}

Session login_ok(TestServer& ts, const ClientCert& cert, const std::string& password)
{
    Reply r = login(ts, cert, identify_ticket(ts, cert), password);
    INFO(r.body);
    REQUIRE(r.status == 200);
    std::string set_cookie = r.header("set-cookie");
    Session s;
    s.cookie = set_cookie.substr(0, set_cookie.find(';'));
    s.csrf = r.json.at("csrf_token").get<std::string>();
    return s;
}

Reply session_get(TestServer& ts, const ClientCert* cert, const Session& s)
{
    return get(ts, cert, "/api/v1/session", {{"Cookie", s.cookie}});
}

Reply session_post(TestServer& ts, const ClientCert* cert, const Session& s, const std::string& target, bool with_csrf)
{
    std::vector<std::pair<std::string, std::string>> headers = {{"Cookie", s.cookie}};
    if (with_csrf)
        headers.emplace_back("X-CSRF-Token", s.csrf);
    return post(ts, cert, target, "{}", headers);
}

// Reads until the peer closes the connection or `give_up_seconds` pass (async: Beast's
// timeouts apply to asynchronous operations only).
template <class Stream>
static bool wait_for_close(net::io_context& io, Stream& stream, int give_up_seconds)
{
    bool closed = false;
    char scratch[256];
    std::function<void()> read_more = [&] {
        stream.async_read_some(net::buffer(scratch), [&](beast::error_code ec, size_t) {
            if (ec) {
                closed = ec != beast::error::timeout;
                return;
            }
            read_more();
        });
    };
    read_more();
    io.run_for(std::chrono::seconds(give_up_seconds));
    return closed;
}

bool server_closes_after(TestServer& ts, const std::string& bytes, int give_up_seconds)
{
    net::io_context io;
    ssl::context ctx(ssl::context::tls_client);
    setup_client_tls(ts.paths.server_ca_cert, ctx, nullptr);
    beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
    set_server_name(stream.native_handle());
    beast::get_lowest_layer(stream).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), ts.cert_port));
    stream.handshake(ssl::stream_base::client);
    net::write(stream, net::buffer(bytes));
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(give_up_seconds));
    return wait_for_close(io, stream, give_up_seconds + 1);
}

bool server_closes_on_garbage(TestServer& ts, const std::string& bytes, int give_up_seconds)
{
    net::io_context io;
    beast::tcp_stream stream(io);
    stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), ts.cert_port));
    net::write(stream, net::buffer(bytes));
    stream.expires_after(std::chrono::seconds(give_up_seconds));
    return wait_for_close(io, stream, give_up_seconds + 1);
}

std::string exchange_raw(TestServer& ts, bool app_origin, const std::string& bytes, int give_up_seconds,
                         const ClientCert* cert)
{
    net::io_context io;
    ssl::context ctx(ssl::context::tls_client);
    setup_client_tls(ts.paths.server_ca_cert, ctx, cert);
    beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
    set_server_name(stream.native_handle());
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(give_up_seconds));
    beast::get_lowest_layer(stream).connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), app_origin ? ts.app_port : ts.cert_port));
    stream.handshake(ssl::stream_base::client);
    net::write(stream, net::buffer(bytes));
    std::string received;
    char scratch[4096];
    std::function<void()> read_more = [&] {
        stream.async_read_some(net::buffer(scratch), [&](beast::error_code ec, size_t n) {
            received.append(scratch, n);
            if (!ec)
                read_more();
        });
    };
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(give_up_seconds));
    read_more();
    io.run_for(std::chrono::seconds(give_up_seconds + 1));
    return received;
}

struct DatabaseLock::Impl {
    sqlite3* sqlite = nullptr;
    PGconn* pg = nullptr;
};

DatabaseLock::DatabaseLock(TestServer& ts) : DatabaseLock(ts.pg ? ts.pg->url : ts.paths.database)
{
}

DatabaseLock::DatabaseLock(const std::string& database) : impl(new Impl)
{
    if (database.rfind("postgres", 0) != 0) {
        REQUIRE(sqlite3_open(database.c_str(), &impl->sqlite) == SQLITE_OK);
        REQUIRE(sqlite3_exec(impl->sqlite, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);
        return;
    }
    impl->pg = PQconnectdb(database.c_str());
    INFO(PQerrorMessage(impl->pg));
    REQUIRE(PQstatus(impl->pg) == CONNECTION_OK);
    PGresult* tables = PQexec(impl->pg,
                              "SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables WHERE schemaname = 'public'");
    REQUIRE(PQresultStatus(tables) == PGRES_TUPLES_OK);
    std::string list = PQntuples(tables) == 1 ? PQgetvalue(tables, 0, 0) : "";
    PQclear(tables);
    REQUIRE(!list.empty());
    PGresult* lock = PQexec(impl->pg, ("BEGIN; LOCK TABLE " + list + " IN ACCESS EXCLUSIVE MODE").c_str());
    INFO(PQresultErrorMessage(lock));
    bool locked = PQresultStatus(lock) == PGRES_COMMAND_OK;
    PQclear(lock);
    REQUIRE(locked);
}

DatabaseLock::~DatabaseLock()
{
    release();
}

void DatabaseLock::release()
{
    if (impl->sqlite) {
        sqlite3_exec(impl->sqlite, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(impl->sqlite);
        impl->sqlite = nullptr;
    }
    if (impl->pg) {
        PQclear(PQexec(impl->pg, "ROLLBACK"));
        PQfinish(impl->pg);
        impl->pg = nullptr;
    }
}

void pg_allow_connections(TestServer& ts, bool allow)
{
    REQUIRE(ts.pg);
    const std::string name = ts.pg->name;
    std::string error = pg_run_on_server(ts.pg->server_url, "ALTER DATABASE " + name + " ALLOW_CONNECTIONS "
                                                                 + (allow ? "true" : "false"));
    if (error.empty() && !allow)
        error = pg_run_on_server(ts.pg->server_url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                                                        + name + "'");
    INFO(error);
    REQUIRE(error.empty());
}

bool eventually(const std::function<bool()>& condition, int give_up_seconds)
{
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(give_up_seconds);
    while (!condition()) {
        if (std::chrono::steady_clock::now() > until)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

struct KeepAliveClient::Impl {
    net::io_context io;
    ssl::context ctx{ssl::context::tls_client};
    std::optional<beast::ssl_stream<beast::tcp_stream>> stream;
    beast::flat_buffer buffer;
};

KeepAliveClient::KeepAliveClient(TestServer& ts, bool app_origin, const ClientCert* cert) : impl(new Impl)
{
    setup_client_tls(ts.paths.server_ca_cert, impl->ctx, cert);
    impl->stream.emplace(impl->io, impl->ctx);
    set_server_name(impl->stream->native_handle());
    beast::get_lowest_layer(*impl->stream).expires_after(std::chrono::seconds(20));
    beast::get_lowest_layer(*impl->stream)
        .connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), app_origin ? ts.app_port : ts.cert_port));
    impl->stream->handshake(ssl::stream_base::client);
}

KeepAliveClient::~KeepAliveClient() = default;

Reply KeepAliveClient::request(const std::string& bytes)
{
    write(bytes);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    beast::error_code ec;
    http::read(*impl->stream, impl->buffer, parser, ec);
    if (ec)
        return Reply{};
    return to_reply(parser.release());
}

void KeepAliveClient::write(const std::string& bytes)
{
    net::write(*impl->stream, net::buffer(bytes));
}

bool KeepAliveClient::closed_within(int give_up_seconds)
{
    impl->io.restart();
    beast::get_lowest_layer(*impl->stream).expires_after(std::chrono::seconds(give_up_seconds));
    return wait_for_close(impl->io, *impl->stream, give_up_seconds + 1);
}
