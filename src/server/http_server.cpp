#include "server/http_server.h"

#include "server/forwarding.h"
#include "server/hash_helpers.h"
#include "server/page_config.h"
#include "server/request_rules.h"
#include "server/static_files.h"
#include "server/tls_context.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <future>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

constexpr size_t kHeaderLimit = 8192;
// One read buffer per connection holds whatever of a request has arrived and is not parsed yet:
// the header, a chunk-size line with its extensions, body bytes, the trailer section. Bounding it
// bounds every one of them; a part that does not fit is refused (400) rather than buffered.
constexpr size_t kReadBufferLimit = kHeaderLimit + api::kMaxBodyBytes + 4096;
// Chunk extensions carry nothing this server uses; a request may have this many bytes of them.
constexpr size_t kChunkExtensionLimit = 1024;
// The next request's first bytes on a kept-alive connection are read in pieces of this size.
constexpr size_t kKeepAliveRead = 2048;
// A certificate header from an untrusted address is logged at most once a minute per address,
// for at most this many addresses at a time (the audit log records every one regardless).
constexpr size_t kIgnoredHeaderAddresses = 1024;
constexpr int64_t kIgnoredHeaderLogSeconds = 60;
// /readyz asks the database at most this often; probes in between get the last answer.
constexpr int64_t kReadinessCacheMs = 1000;
// The access line's route is cut at this length (a path is short; a hostile one is not logged whole).
constexpr size_t kLoggedRouteBytes = 256;

class Connection;
struct Listener;

// The connections of one origin. Handlers run on the I/O thread, but a connection's last
// reference may go on a worker thread, so the destructor's bookkeeping takes the lock too.
struct OriginState {
    std::mutex mutex;
    int connections = 0;
    std::map<net::ip::address, int> per_address;
    std::list<std::weak_ptr<Connection>> idle;   // waiting for their next request, oldest first
    std::list<std::weak_ptr<Connection>> all;    // every connection, for the drain
    long refused = 0;
    long evicted = 0;
};

// The API workers' queue: calls of a customer holding a session (ApiWork::Session) are taken
// before any queued login step, so a flood of identify requests delays a session check by at
// most the one call each worker is running. Jobs are never dropped: work_queue_stop lets the workers
// finish what is queued, like the thread pool it replaces.
struct WorkQueue {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<std::function<void()>> session;      // under mutex
    std::deque<std::function<void()>> login_steps;  // under mutex
    bool stopping = false;                           // under mutex
    std::atomic<int> running{0};                     // jobs being run now (stats)
    std::vector<std::thread> threads;
    Logger* log = nullptr;
};

// False (and `job` dropped) when the queue is full for `work` (work_queue_admits).
static bool work_queue_post(WorkQueue& queue, ApiWork work, std::function<void()> job, int login_step_queue)
{
    {
        std::lock_guard lock(queue.mutex);
        if (!work_queue_admits(work, queue.login_steps.size(), login_step_queue))
            return false;
        (work == ApiWork::Session ? queue.session : queue.login_steps).push_back(std::move(job));
    }
    queue.ready.notify_one();
    return true;
}

static void work_queue_run(WorkQueue& queue)
{
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(queue.mutex);
            queue.ready.wait(lock, [&] { return queue.stopping || !queue.session.empty() || !queue.login_steps.empty(); });
            std::deque<std::function<void()>>& from = !queue.session.empty() ? queue.session : queue.login_steps;
            if (from.empty())
                return;   // stopping, and nothing left
            job = std::move(from.front());
            from.pop_front();
        }
        queue.running++;
        try {
            job();
        } catch (const std::exception& e) {   // api_handle answers its own failures; this is a last resort
            log_message(*queue.log, "error", "worker_error", std::string("API worker: ") + e.what());
        }
        queue.running--;
    }
}

static void work_queue_start(WorkQueue& queue, int threads)
{
    for (int i = 0; i < threads; i++)
        queue.threads.emplace_back([&queue] { work_queue_run(queue); });
}

static void work_queue_stop(WorkQueue& queue)
{
    {
        std::lock_guard lock(queue.mutex);
        queue.stopping = true;
    }
    queue.ready.notify_all();
    for (std::thread& t : queue.threads)
        t.join();
    queue.threads.clear();
}

struct Server {
    ServerConfig config;
    ApiService* api = nullptr;
    std::shared_ptr<Logger> log;
    std::mutex ignored_mutex;
    std::map<std::string, int64_t> ignored_logged;   // address -> steady seconds of its last log line
    std::atomic<bool> draining{false};
    std::mutex ready_mutex;
    int64_t ready_probed_ms = 0;      // steady milliseconds of the last database probe; 0: none yet
    bool ready_ok = false;            // its answer
    bool ready_logged_ok = true;      // the state the log was last told of
    // The drain waits for the last connection: each one's destructor notifies.
    std::mutex drain_mutex;
    std::condition_variable connection_gone;
    std::string app_csp;
    // Declared before the I/O contexts: handlers still queued when those are destroyed hold
    // connections, whose destructors update these.
    OriginState app_state;
    OriginState cert_state;
    std::atomic<int> logins_pending{0};
    std::atomic<long> busy_logins{0};
    std::atomic<long> busy_login_steps{0};
    std::atomic<bool> hash_saturated{false};
    std::atomic<int64_t> hash_saturated_logged{0};   // steady-clock seconds of the last "full" line
    net::io_context io{1};
    net::io_context hash_io;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> hash_work;
    std::vector<std::thread> hash_threads;
    HashHelpersPtr hash_helpers;   // where the hash threads' password checks run
    ssl::context app_tls{ssl::context::tls_server};
    ssl::context cert_tls{ssl::context::tls_server};
    WorkQueue workers;
    std::shared_ptr<Listener> app_listener;
    std::shared_ptr<Listener> cert_listener;
    std::optional<net::steady_timer> sweep_timer;
    std::thread io_thread;
};

PageConfigFacts page_config_facts(const ApiService& api, const ServerConfig& config)
{
    return PageConfigFacts{api.config.app_origin, config.cert_origin, api.config.institution_code};
}

std::string app_content_security_policy(const std::string& cert_origin)
{
    return "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' " + cert_origin
         + "; img-src 'self' data:; style-src 'self'; font-src 'self'; manifest-src 'self'; frame-ancestors 'none';"
           " base-uri 'none'; form-action 'none'";
}

// The operator learns when logins start being turned away and when that ends: one line per
// change of state (at most one "full" line a minute), not one per refused login.
static void note_hash_saturated(Server& server, int pending)
{
    server.busy_logins++;
    if (server.hash_saturated.exchange(true))
        return;
    int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::steady_clock::now().time_since_epoch()).count();
    int64_t last = server.hash_saturated_logged.load();
    if (now - last < 60 && last != 0)
        return;
    server.hash_saturated_logged = now;
    log_event(*server.log, "warning", "login_queue_full",
              {{"message", "login queue full; answering 503 until it drains"}, {"pending", pending}});
}

static void note_hash_drained(Server& server)
{
    if (server.hash_saturated.exchange(false))
        log_event(*server.log, "info", "login_queue_drained",
                  {{"message", "login queue drained"}, {"busy_logins_since_start", server.busy_logins.load()}});
}

static int64_t steady_seconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// A certificate header from an address outside every trusted network: someone probing, or a
// proxy missing from --trusted-proxy. One line per address a minute; the audit log has each one.
static void note_ignored_header(Server& server, const std::string& address)
{
    const int64_t now = steady_seconds();
    {
        std::lock_guard lock(server.ignored_mutex);
        auto it = server.ignored_logged.find(address);
        if (it != server.ignored_logged.end() && now - it->second < kIgnoredHeaderLogSeconds)
            return;
        if (it == server.ignored_logged.end() && server.ignored_logged.size() >= kIgnoredHeaderAddresses) {
            for (auto old = server.ignored_logged.begin(); old != server.ignored_logged.end();)
                old = now - old->second >= kIgnoredHeaderLogSeconds ? server.ignored_logged.erase(old) : std::next(old);
            if (server.ignored_logged.size() >= kIgnoredHeaderAddresses)
                return;   // a flood from many addresses: the audit log still has each request
        }
        server.ignored_logged[address] = now;
    }
    log_event(*server.log, "warning", "forwarded_header_ignored",
              {{"message", server.config.client_cert_header + " from untrusted " + address}, {"source", address}});
}

static int64_t steady_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// The last probe's answer while it is fresh; nullopt: ask the database.
static std::optional<bool> cached_readiness(Server& server)
{
    std::lock_guard lock(server.ready_mutex);
    if (server.ready_probed_ms != 0 && steady_ms() - server.ready_probed_ms < kReadinessCacheMs)
        return server.ready_ok;
    return std::nullopt;
}

// On an API worker: the database probe (unless another worker's answer is fresh by now). The log
// hears of each change, with the reason; the answer never carries it.
static bool probe_readiness(Server& server)
{
    if (std::optional<bool> cached = cached_readiness(server))
        return *cached;
    std::string why;
    bool ok = false;
    if (server.config.readiness_fault && server.config.readiness_fault())
        why = "test hook: database unreachable";
    else
        ok = api_database_ready(*server.api, why);
    bool changed = false;
    {
        std::lock_guard lock(server.ready_mutex);
        server.ready_ok = ok;
        server.ready_probed_ms = steady_ms();
        changed = server.ready_logged_ok != ok;
        server.ready_logged_ok = ok;
    }
    if (changed && !ok)
        log_event(*server.log, "error", "database_unavailable", {{"message", "readiness probe failed: " + why}});
    else if (changed)
        log_message(*server.log, "info", "database_available", "readiness probe succeeded again");
    return ok;
}

// ---------------------------------------------------------------- one connection
class Connection : public std::enable_shared_from_this<Connection> {
public:
    // Counted in `origin` by the listener before construction (admit_connection).
    Connection(tcp::socket&& socket, Server& server, OriginState& origin, bool cert_origin, net::ip::address address)
        : server_(server), origin_(origin), cert_origin_(cert_origin), address_(address),
          source_(unmapped(address).to_string()),
          peer_trusted_(server.config.behind_proxy && address_trusted(server.config.trusted_proxies, address)),
          stream_(std::move(socket), cert_origin ? server.cert_tls : server.app_tls)
    {
    }
    ~Connection()
    {
        {
            std::lock_guard lock(origin_.mutex);
            if (idle_pos_)
                origin_.idle.erase(*idle_pos_);
            if (all_pos_)
                origin_.all.erase(*all_pos_);
            origin_.connections--;
            auto it = origin_.per_address.find(address_);
            if (it != origin_.per_address.end() && --it->second <= 0)
                origin_.per_address.erase(it);
        }
        { std::lock_guard lock(server_.drain_mutex); }
        server_.connection_gone.notify_all();
    }

    void start()
    {
        {
            std::lock_guard lock(origin_.mutex);
            origin_.all.push_back(weak_from_this());
            all_pos_ = std::prev(origin_.all.end());
        }
        net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->handshake(); });
    }

    // Closes the connection to make room for a new one (it was idle; the listener took it off
    // the idle list). Runs on the connection's own executor.
    void evict()
    {
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            beast::error_code ignored;
            beast::get_lowest_layer(self->stream_).socket().close(ignored);
        });
    }

    // Set by the listener when it takes this connection off the idle list; under origin.mutex.
    void forget_idle_position() { idle_pos_.reset(); }

    // The server drains: a connection without a request in flight is closed now; one with a
    // request is closed after its answer (send, await_request).
    void drain()
    {
        net::post(stream_.get_executor(), [self = shared_from_this()] {
            if (self->in_request_)
                return;
            beast::error_code ignored;
            beast::get_lowest_layer(self->stream_).socket().close(ignored);
        });
    }

private:
    Server& server_;
    OriginState& origin_;
    bool cert_origin_;
    net::ip::address address_;
    std::string source_;     // the TCP peer's address
    bool peer_trusted_;      // behind a proxy, and the peer is one of the trusted proxies
    std::string request_id_;   // of the request being served (X-Request-Id)
    beast::ssl_stream<beast::tcp_stream> stream_;
    beast::flat_buffer buffer_{kReadBufferLimit};
    std::optional<http::request_parser<http::string_body>> parser_;
    size_t chunk_extension_bytes_ = 0;
    VerifiedChain verified_chain_;   // this connection's certificate, verified once (cert_check.h)
    // The parser keeps a reference to its chunk callback, so the callback lives here.
    std::function<void(std::uint64_t, beast::string_view, beast::error_code&)> count_chunk_extensions_ =
        [this](std::uint64_t, beast::string_view extensions, beast::error_code& ec) {
            chunk_extension_bytes_ += extensions.size();
            if (chunk_extension_bytes_ > kChunkExtensionLimit)
                ec = http::error::bad_chunk_extension;
        };
    std::optional<std::list<std::weak_ptr<Connection>>::iterator> idle_pos_;   // under origin.mutex
    std::optional<std::list<std::weak_ptr<Connection>>::iterator> all_pos_;    // under origin.mutex
    bool in_request_ = false;   // from a request's complete header until its answer is written
    // The access line's facts of the request being served (log.h): never a header value or body.
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::string log_method_;
    std::string log_route_;
    std::string log_source_;
    std::string log_user_;

    void handshake()
    {
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(server_.config.handshake_timeout));
        stream_.async_handshake(ssl::stream_base::server,
                                [self = shared_from_this()](beast::error_code ec) {
                                    if (!ec)
                                        self->read_header();
                                });
    }

    void set_idle(bool idle)
    {
        std::lock_guard lock(origin_.mutex);
        if (idle && !idle_pos_) {
            origin_.idle.push_back(weak_from_this());
            idle_pos_ = std::prev(origin_.idle.end());
        } else if (!idle && idle_pos_) {
            origin_.idle.erase(*idle_pos_);
            idle_pos_.reset();
        }
    }

    // Between requests: wait up to the keep-alive time for the next request's first byte. The
    // connection is idle meanwhile, so a full origin may close it for a new client.
    void await_request()
    {
        if (server_.draining) {
            close();
            return;
        }
        if (buffer_.size() > 0) {   // pipelined: the next request has started already
            read_header();
            return;
        }
        set_idle(true);
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(server_.config.keepalive_timeout));
        stream_.async_read_some(buffer_.prepare(kKeepAliveRead),
                                [self = shared_from_this()](beast::error_code ec, size_t n) {
                                    self->set_idle(false);
                                    if (ec == net::error::operation_aborted || ec == net::error::bad_descriptor)
                                        return;   // evicted
                                    if (ec) {
                                        self->close();
                                        return;
                                    }
                                    self->buffer_.commit(n);
                                    self->read_header();
                                });
    }

    // Every request's header gets request_timeout from its first byte (or from the handshake).
    void read_header()
    {
        request_id_.clear();
        started_ = std::chrono::steady_clock::now();   // a request refused before its header is whole
        log_method_.clear();
        log_route_.clear();
        log_source_.clear();
        log_user_.clear();
        parser_.emplace();
        parser_->header_limit(kHeaderLimit);
        parser_->body_limit(api::kMaxBodyBytes);
        chunk_extension_bytes_ = 0;
        parser_->on_chunk_header(count_chunk_extensions_);
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(server_.config.request_timeout));
        http::async_read_header(stream_, buffer_, *parser_,
                                [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
    }

    void on_header(beast::error_code ec)
    {
        if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
            refuse(api::ErrorCode::BadRequest, "headers too large");
            return;
        }
        if (ec == http::error::body_limit) {   // Content-Length over the limit, seen with the headers
            refuse(api::ErrorCode::TooLarge, "body too large");
            return;
        }
        if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::eof
            || ec == ssl::error::stream_truncated || ec == net::error::operation_aborted) {
            close();
            return;
        }
        if (ec) {
            refuse(api::ErrorCode::BadRequest, "malformed request");
            return;
        }
        in_request_ = true;
        const auto& req = parser_->get();
        note_request(req);
        switch (request_fault(req.version(), req.count(http::field::host), req.count(http::field::origin))) {
        case RequestFault::None: break;
        case RequestFault::MissingHost: refuse(api::ErrorCode::BadRequest, "missing Host header"); return;
        case RequestFault::DuplicateHost: refuse(api::ErrorCode::BadRequest, "more than one Host header"); return;
        case RequestFault::DuplicateOrigin:
            refuse(api::ErrorCode::OriginNotAllowed, "more than one Origin header");
            return;
        }
        auto length = parser_->content_length();
        if (length && *length > api::kMaxBodyBytes) {
            refuse(api::ErrorCode::TooLarge, "body too large");
            return;
        }
        // The body gets its own short deadline: a client trickling bytes is cut off.
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(server_.config.request_timeout));
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code e, size_t) { self->on_body(e); });
    }

    void on_body(beast::error_code ec)
    {
        if (ec == http::error::body_limit) {
            refuse(api::ErrorCode::TooLarge, "body too large");
            return;
        }
        if (ec == http::error::buffer_overflow || ec == http::error::header_limit
            || ec == http::error::bad_chunk_extension) {
            refuse(api::ErrorCode::BadRequest, "chunk extensions or trailers too large");
            return;
        }
        if (ec == beast::error::timeout || ec == net::error::eof || ec == ssl::error::stream_truncated
            || ec == http::error::partial_message || ec == net::error::operation_aborted) {
            close();
            return;
        }
        if (ec) {
            refuse(api::ErrorCode::BadRequest, "malformed request");
            return;
        }
        if (serve_health())
            return;
        if (cert_origin_)
            serve_api();
        else
            serve_file();
    }

    // /healthz and /readyz, before anything else: no certificate, cookie, CORS or forwarded
    // header is needed or read. False: not a health path.
    bool serve_health()
    {
        const http::request<http::string_body>& req = parser_->get();
        const HealthRoute route = health_route(req.method_string(), req.target());
        const unsigned version = req.version();
        const bool keep_alive = req.keep_alive();
        const bool head = req.method() == http::verb::head;
        switch (route) {
        case HealthRoute::None: return false;
        case HealthRoute::MethodNotAllowed: send_health(405, "method not allowed\n", version, keep_alive, false); return true;
        case HealthRoute::Live: send_health(200, "ok\n", version, keep_alive, head); return true;
        case HealthRoute::Ready: break;
        }
        if (server_.draining) {
            send_health(503, "not ready\n", version, keep_alive, head);
            return true;
        }
        if (std::optional<bool> cached = cached_readiness(server_)) {
            send_health(*cached ? 200 : 503, *cached ? "ready\n" : "not ready\n", version, keep_alive, head);
            return true;
        }
        // The database is asked on the workers' session lane, never on this I/O thread, so a slow
        // database delays only the probe.
        work_queue_post(server_.workers, ApiWork::Session, [self = shared_from_this(), version, keep_alive, head] {
            const bool ok = probe_readiness(self->server_) && !self->server_.draining;
            net::post(self->stream_.get_executor(), [self, ok, version, keep_alive, head] {
                self->send_health(ok ? 200 : 503, ok ? "ready\n" : "not ready\n", version, keep_alive, head);
            });
        }, server_.config.login_step_queue);   // a session-lane call: always queued
        return true;
    }

    void send_health(int status, const std::string& text, unsigned version, bool keep_alive, bool head)
    {
        http::response<http::string_body> res{static_cast<http::status>(status), version};
        res.set(http::field::server, "ibgate");
        add_security_headers(res);
        res.set("X-Request-Id", request_id());
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.set(http::field::cache_control, "no-store");
        if (status == 405)
            res.set(http::field::allow, "GET, HEAD");
        res.body() = text;
        res.keep_alive(keep_alive);
        res.prepare_payload();
        if (head) {
            http::response<http::empty_body> empty{res.base()};
            empty.content_length(text.size());
            send(std::move(empty));
            return;
        }
        send(std::move(res));
    }

    ApiRequest api_request(const http::request<http::string_body>& req)
    {
        ApiRequest out;
        out.method = std::string(req.method_string());
        out.target = std::string(req.target());
        out.content_type = std::string(req[http::field::content_type]);
        out.cookie = std::string(req[http::field::cookie]);
        out.csrf = std::string(req[api::kCsrfHeader]);
        auto origin = req.find(http::field::origin);
        out.has_origin = origin != req.end();
        if (out.has_origin)
            out.origin = std::string(origin->value());
        out.preflight_method = std::string(req[http::field::access_control_request_method]);
        out.preflight_headers = std::string(req[http::field::access_control_request_headers]);
        out.source_address = source_;
        return out;
    }

    // The request's forwarded headers, decided (forwarding.h). A refusal is answered here and
    // gives nullopt; it never reaches the API, so it is not a login attempt.
    std::optional<ForwardingDecision> decide_forwarding_of(http::request<http::string_body>& req)
    {
        const ServerConfig& config = server_.config;
        ForwardingFacts facts;
        facts.behind_proxy = config.behind_proxy;
        facts.peer_trusted = peer_trusted_;
        facts.cert_origin = cert_origin_;
        facts.peer_address = source_;
        if (config.behind_proxy) {   // without it, not even looked at
            facts.cert_headers = req.count(config.client_cert_header);
            if (auto it = req.find(config.client_cert_header); it != req.end())
                facts.cert_header = it->value();
            for (auto [it, end] = req.equal_range(config.forwarded_for_header); it != end; ++it) {
                facts.forwarded_for += (facts.forwarded_for_headers++ > 0 ? "," : "") + std::string(it->value());
                if (facts.forwarded_for.size() > kHeaderLimit)
                    break;
            }
            facts.request_id_headers = req.count("X-Request-Id");
            if (auto it = req.find("X-Request-Id"); it != req.end())
                facts.request_id = it->value();
        }
        ForwardingDecision d = decide_forwarding(facts);
        request_id_ = d.request_id.empty() ? new_request_id() : d.request_id;
        log_source_ = d.source_address;
        if (d.refusal != ForwardingRefusal::None) {
            ApiRequest request = api_request(req);
            request.has_origin = request.has_origin && cert_origin_;   // the app origin answers without CORS
            request.source_address = d.source_address;
            sodium_memzero(req.body().data(), req.body().size());
            wipe_read_buffer();
            ApiResponse answer = api_refuse(*server_.api, request, api::ErrorCode::BadRequest,
                                            forwarding_refusal_message(d.refusal));
            send_api(std::move(answer), req.version(), !req.keep_alive());
            return std::nullopt;
        }
        if (d.ignored_untrusted)
            note_ignored_header(server_, source_);
        return d;
    }

    void note_request(const http::request<http::string_body>& req)
    {
        started_ = std::chrono::steady_clock::now();
        log_method_ = std::string(req.method_string().substr(0, 16));
        std::string_view target = req.target();
        log_route_ = std::string(target.substr(0, std::min(target.find('?'), kLoggedRouteBytes)));
        log_source_ = source_;
        log_user_.clear();
    }

    // One access line per answered request (unless --access-log off).
    void log_access(int status)
    {
        if (!server_.log->access_log)
            return;
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
        nlohmann::ordered_json fields = {
            {"request_id", request_id()}, {"origin", cert_origin_ ? "cert" : "app"}, {"method", log_method_},
            {"route", log_route_}, {"status", status}, {"latency_ms", std::round(ms * 10) / 10}};
        if (!log_user_.empty())
            fields["user"] = log_user_;
        fields["source"] = log_source_.empty() ? source_ : log_source_;
        log_event(*server_.log, "info", "request", fields);
    }

    const std::string& request_id()
    {
        if (request_id_.empty())
            request_id_ = new_request_id();   // refused before the forwarding decision
        return request_id_;
    }

    // Refuses the request being read, then closes the connection (its remaining bytes are
    // not worth reading).
    void refuse(api::ErrorCode code, const std::string& message)
    {
        ApiRequest request;
        if (parser_ && parser_->is_header_done())
            request = api_request(parser_->get());
        ApiResponse answer = api_refuse(*server_.api, request, code, message);
        send_api(std::move(answer), 11, true);
    }

    // The request body (a password, for login) has been moved out of the read buffer, but its
    // bytes remain in the buffer's memory: zero the whole unused part.
    void wipe_read_buffer()
    {
        auto unused = buffer_.prepare(buffer_.capacity() - buffer_.size());
        sodium_memzero(unused.data(), unused.size());
    }

    void serve_api()
    {
        std::optional<ForwardingDecision> forwarding = decide_forwarding_of(parser_->get());
        if (!forwarding)
            return;
        http::request<http::string_body> req = parser_->release();
        auto request = std::make_shared<ApiRequest>(api_request(req));
        request->body.swap(req.body());
        wipe_read_buffer();
        unsigned version = req.version();
        bool keep_alive = req.keep_alive();
        request->source_address = forwarding->source_address;
        if (forwarding->ignored_untrusted)
            request->ignored_forwarded_header = server_.config.client_cert_header + " from untrusted " + source_;
        // The certificate travels with the request to the worker (counted references, freed below).
        switch (forwarding->cert) {
        case CertSource::Tls: {
            SSL* ssl_handle = stream_.native_handle();
            request->peer = SSL_get1_peer_certificate(ssl_handle);
            STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl_handle);
            request->peer_chain = chain ? X509_chain_up_ref(chain) : nullptr;
            break;
        }
        case CertSource::Forwarded: {
            // Decoded and checked to be one certificate already; verified by the API like a TLS one.
            const unsigned char* der = forwarding->cert_der.data();
            request->peer = d2i_X509(nullptr, &der, static_cast<long>(forwarding->cert_der.size()));
            break;
        }
        case CertSource::None: break;
        }
        // One request of a connection is in flight at a time, so the worker may use this.
        request->verified_chain = &verified_chain_;

        ApiWork work = api_work_of(request->method, request->target);
        if (work != ApiWork::PasswordCheck) {
            const bool queued = work_queue_post(server_.workers, work, [self = shared_from_this(), request, version, keep_alive] {
                self->reply_later(self->answer(*request), version, keep_alive);
            }, server_.config.login_step_queue);
            if (!queued) {
                server_.busy_login_steps++;
                release_peer(*request);
                ApiResponse answer = api_refuse(*server_.api, *request, api::ErrorCode::Unavailable,
                                                "too many requests at once; try again in a moment");
                answer.headers.emplace_back("Retry-After", std::to_string(server_.config.busy_retry_after));
                send_api(std::move(answer), version, !keep_alive);
            }
            return;
        }
        // A login: its password check waits for a hash worker, unless too many already do.
        int pending = server_.logins_pending.fetch_add(1);
        if (!hash_queue_admits(pending, server_.config.hash_workers, server_.config.hash_queue)) {
            server_.logins_pending--;
            note_hash_saturated(server_, pending);
            release_peer(*request);
            sodium_memzero(request->body.data(), request->body.size());
            ApiResponse answer = api_refuse(*server_.api, *request, api::ErrorCode::Unavailable,
                                            "too many logins at once; try again in a moment");
            answer.headers.emplace_back("Retry-After", std::to_string(server_.config.busy_retry_after));
            send_api(std::move(answer), version, !keep_alive);
            return;
        }
        net::post(server_.hash_io, [self = shared_from_this(), request, version, keep_alive] {
            ApiResponse answer = self->answer(*request);
            if (--self->server_.logins_pending == 0)
                note_hash_drained(self->server_);
            self->reply_later(std::move(answer), version, keep_alive);
        });
    }

    static void release_peer(ApiRequest& request)
    {
        X509_free(request.peer);
        if (request.peer_chain)
            sk_X509_pop_free(request.peer_chain, X509_free);
        request.peer = nullptr;
        request.peer_chain = nullptr;
    }

    // On a worker: the API call.
    ApiResponse answer(ApiRequest& request)
    {
        ApiResponse out = api_handle(*server_.api, request);
        release_peer(request);
        return out;
    }

    // From a worker: the answer goes back to the connection's executor to be written.
    void reply_later(ApiResponse answer, unsigned version, bool keep_alive)
    {
        net::post(stream_.get_executor(), [self = shared_from_this(), answer = std::move(answer), version, keep_alive]() mutable {
            self->send_api(std::move(answer), version, !keep_alive);
        });
    }

    void add_security_headers(http::fields& fields)
    {
        fields.set(http::field::strict_transport_security, tls_strict_transport_security(server_.config.hsts_include_subdomains));
        fields.set("X-Content-Type-Options", "nosniff");
        fields.set("Referrer-Policy", "no-referrer");
        fields.set("Cross-Origin-Opener-Policy", "same-origin");
        if (cert_origin_)
            fields.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
        else
            fields.set("Content-Security-Policy", server_.app_csp);
    }

    void send_api(ApiResponse answer, unsigned version, bool close_after)
    {
        http::response<http::string_body> res{static_cast<http::status>(answer.status), version};
        res.set(http::field::server, "ibgate");
        add_security_headers(res);
        res.set("X-Request-Id", request_id());
        log_user_ = answer.user;
        for (auto& [name, value] : answer.headers)
            res.insert(name, value);
        res.body() = std::move(answer.body);
        res.keep_alive(!close_after);
        res.prepare_payload();
        send(std::move(res));
    }

    void serve_file()
    {
        http::request<http::string_body>& req = parser_->get();
        if (!decide_forwarding_of(req))
            return;
        if (req.method() != http::verb::get && req.method() != http::verb::head) {
            ApiRequest request = api_request(req);
            request.has_origin = false;
            ApiResponse answer = api_refuse(*server_.api, request, api::ErrorCode::MethodNotAllowed, "use GET");
            answer.headers.emplace_back("Allow", "GET, HEAD");
            send_api(std::move(answer), req.version(), !req.keep_alive());
            return;
        }
        const std::string target(req.target());
        StaticFile file;
        if (!static_resolve(server_.config.web_root, target, std::string(req[http::field::accept_encoding]), file)) {
            refuse_missing_file(req);
            return;
        }
        // config.json with this server's origins and institution code written in (page_config.h):
        // small, read anew each time (the credit union edits it without a restart).
        if (is_page_config_target(target)) {
            PageConfig page;
            if (!page_config_read(server_.config.web_root, page_config_facts(*server_.api, server_.config), page)) {
                refuse_missing_file(req);
                return;
            }
            const uint64_t size = page.text.size();
            send_file<http::string_body>(req, file, std::move(page.text), size);
            return;
        }
        beast::error_code ec;
        http::file_body::value_type body;
        body.open(file.path.c_str(), beast::file_mode::scan, ec);
        if (ec) {
            refuse_missing_file(req);
            return;
        }
        const uint64_t size = body.size();
        send_file<http::file_body>(req, file, std::move(body), size);
    }

    void refuse_missing_file(const http::request<http::string_body>& req)
    {
        ApiRequest request = api_request(req);
        request.has_origin = false;
        send_api(api_refuse(*server_.api, request, api::ErrorCode::NotFound, "no such file"), req.version(),
                 !req.keep_alive());
    }

    // A file of the app origin with the headers static_resolve chose; HEAD gets them alone.
    template <class Body>
    void send_file(const http::request<http::string_body>& req, const StaticFile& file, typename Body::value_type body,
                   uint64_t size)
    {
        auto fill = [&](http::fields& fields) {
            fields.set(http::field::server, "ibgate");
            add_security_headers(fields);
            fields.set("X-Request-Id", request_id());
            fields.set(http::field::content_type, file.content_type);
            fields.set(http::field::cache_control, file.cache_control);
            fields.set(http::field::vary, "Accept-Encoding");
            if (!file.content_encoding.empty())
                fields.set(http::field::content_encoding, file.content_encoding);
        };
        if (req.method() == http::verb::head) {
            http::response<http::empty_body> res{http::status::ok, req.version()};
            fill(res);
            res.content_length(size);
            res.keep_alive(req.keep_alive());
            send(std::move(res));
            return;
        }
        http::response<Body> res{std::piecewise_construct, std::make_tuple(std::move(body)),
                                 std::make_tuple(http::status::ok, req.version())};
        fill(res);
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        send(std::move(res));
    }

    template <class Body>
    void send(http::response<Body>&& message)
    {
        auto res = std::make_shared<http::response<Body>>(std::move(message));
        if (server_.draining)
            res->keep_alive(false);   // Connection: close, then closed
        bool close_after = res->need_eof();
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(server_.config.request_timeout * 3));
        http::async_write(stream_, *res, [self = shared_from_this(), res, close_after](beast::error_code ec, size_t) {
            self->log_access(static_cast<int>(res->result_int()));
            self->in_request_ = false;
            if (ec)
                return;
            if (close_after)
                self->close();
            else
                self->await_request();
        });
    }

    void close()
    {
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
        stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
            beast::error_code ignored;
            beast::get_lowest_layer(self->stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
        });
    }
};

// ---------------------------------------------------------------- listener
struct Listener : std::enable_shared_from_this<Listener> {
    Server& server;
    OriginState& state;
    tcp::acceptor acceptor;
    bool cert_origin;

    Listener(Server& s, const tcp::endpoint& endpoint, bool cert)
        : server(s), state(cert ? s.cert_state : s.app_state), acceptor(s.io), cert_origin(cert)
    {
        acceptor.open(endpoint.protocol());
        acceptor.set_option(net::socket_base::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen(net::socket_base::max_listen_connections);
    }

    void accept()
    {
        acceptor.async_accept(net::make_strand(server.io), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
            if (ec == net::error::operation_aborted)
                return;
            if (!ec)
                self->admit(std::move(socket));
            self->accept();
        });
    }

    // Keeps the new connection if the limits allow (admit_connection), closing the origin's
    // oldest idle keep-alive connection when that makes room.
    void admit(tcp::socket socket)
    {
        beast::error_code ec;
        tcp::endpoint remote = socket.remote_endpoint(ec);
        if (ec)
            return;   // already gone
        std::shared_ptr<Connection> evicted;
        bool evict = false;
        {
            std::lock_guard lock(state.mutex);
            ConnectionCounts counts;
            counts.origin = state.connections;
            auto it = state.per_address.find(remote.address());
            counts.address = it == state.per_address.end() ? 0 : it->second;
            // Only a full origin looks for an idle connection to close. An entry that no longer
            // locks belongs to a connection being destroyed right now; its destructor takes it off
            // the list.
            auto candidate = state.idle.begin();
            if (counts.origin >= server.config.max_connections)
                while (candidate != state.idle.end() && !(evicted = candidate->lock()))
                    ++candidate;
            counts.idle_available = evicted != nullptr;
            counts.address_exempt = server.config.behind_proxy
                                    && address_trusted(server.config.trusted_proxies, remote.address());
            ConnectionLimits limits{server.config.max_connections, server.config.max_connections_per_address};
            Admission admission = admit_connection(counts, limits);
            if (admission == Admission::RefuseAddress || admission == Admission::RefuseOrigin) {
                state.refused++;
                socket.close(ec);
                // `evicted` is released after the lock (declared before it): a last reference's
                // destructor takes the lock.
                return;
            }
            evict = admission == Admission::AdmitAfterEvicting;
            if (evict) {
                evicted->forget_idle_position();
                state.idle.erase(candidate);
                state.evicted++;
            }
            state.connections++;
            state.per_address[remote.address()]++;
        }
        if (evict)
            evicted->evict();
        socket.set_option(tcp::no_delay(true), ec);   // answers are small and must not wait for an ACK
        std::make_shared<Connection>(std::move(socket), server, state, cert_origin, remote.address())->start();
    }
};

// ---------------------------------------------------------------- start / stop
static int accept_any_certificate(int, X509_STORE_CTX*)
{
    return 1;   // the application decides (cert_check.cpp), so the page learns why
}

static void setup_tls(ssl::context& ctx, const ServerConfig& config)
{
    tls_configure_server(ctx.native_handle(), config.tls_cert_path, config.tls_key_path);
}

static void schedule_sweep(Server& server)
{
    server.sweep_timer->expires_after(std::chrono::seconds(server.config.sweep_interval));
    server.sweep_timer->async_wait([&server](beast::error_code ec) {
        if (ec)
            return;
        work_queue_post(server.workers, ApiWork::LoginStep, [&server] {
            try {
                api_sweep(*server.api);
            } catch (const std::exception& e) {
                log_message(*server.log, "error", "sweep_failed", std::string("session sweep failed: ") + e.what());
            }
        }, server.config.login_step_queue);   // a full queue skips this sweep; the next one comes soon
        schedule_sweep(server);
    });
}

static void server_stop(Server* server)
{
    server->io.stop();
    if (server->io_thread.joinable())
        server->io_thread.join();
    server->hash_work.reset();
    server->hash_io.stop();
    for (std::thread& t : server->hash_threads)
        t.join();
    server->api->checker.check_elsewhere = nullptr;
    server->hash_helpers.reset();
    work_queue_stop(server->workers);
    delete server;
}

std::unique_ptr<Server, void (*)(Server*)> server_start(const ServerConfig& config, ApiService& api)
{
    std::unique_ptr<Server, void (*)(Server*)> server(new Server, server_stop);
    server->config = config;
    server->api = &api;
    server->log = config.log ? config.log : std::make_shared<Logger>();
    if (config.behind_proxy && config.trusted_proxies.empty())
        throw std::runtime_error("--behind-proxy needs at least one --trusted-proxy");
    // Forked first, while the process is small and no thread of the server runs yet.
    server->hash_helpers = hash_helpers_start(config.hash_workers, server->log);
    api.checker.check_elsewhere = [helpers = server->hash_helpers.get()](const std::string& hash,
                                                                          std::string_view password, bool& match) {
        return hash_helpers_check(*helpers, hash, password, match);
    };
    server->workers.log = server->log.get();
    work_queue_start(server->workers, std::max(1, config.workers));
    server->app_csp = app_content_security_policy(config.cert_origin);

    setup_tls(server->app_tls, config);
    setup_tls(server->cert_tls, config);
    SSL_CTX* cert_ctx = server->cert_tls.native_handle();
    SSL_CTX_set_verify(cert_ctx, SSL_VERIFY_PEER, accept_any_certificate);
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(config.client_ca_path.c_str());
    if (!names)
        throw std::runtime_error("cannot read CA names from " + config.client_ca_path);
    SSL_CTX_set_client_CA_list(cert_ctx, names);
    static const unsigned char kSessionContext[] = "ibgate-certificate-origin";
    SSL_CTX_set_session_id_context(cert_ctx, kSessionContext, sizeof(kSessionContext) - 1);

    auto endpoint = [](const std::string& address, uint16_t port) {
        beast::error_code ec;
        net::ip::address ip = net::ip::make_address(address, ec);
        if (ec)
            throw std::runtime_error("not an IP address: " + address);
        return tcp::endpoint(ip, port);
    };
    try {
        server->app_listener = std::make_shared<Listener>(*server, endpoint(config.app_address, config.app_port), false);
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("cannot listen on " + config.app_address + ":" + std::to_string(config.app_port) + ": "
                                 + e.code().message());
    }
    try {
        server->cert_listener = std::make_shared<Listener>(*server, endpoint(config.cert_address, config.cert_port), true);
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("cannot listen on " + config.cert_address + ":" + std::to_string(config.cert_port)
                                 + ": " + e.code().message());
    }
    server->app_listener->accept();
    server->cert_listener->accept();
    server->sweep_timer.emplace(server->io);
    schedule_sweep(*server);
    server->io_thread = std::thread([s = server.get()] { s->io.run(); });
    server->hash_work.emplace(server->hash_io.get_executor());
    for (int i = 0; i < std::max(1, config.hash_workers); i++) {
        server->hash_threads.emplace_back([s = server.get()] {
            // At normal priority: the password check itself runs in a helper (SCHED_IDLE), and
            // this thread only waits for it and does the login's database work.
            s->hash_io.run();
        });
    }
    return server;
}

static int open_connections(Server& server)
{
    int open = 0;
    for (OriginState* origin : {&server.app_state, &server.cert_state}) {
        std::lock_guard lock(origin->mutex);
        open += origin->connections;
    }
    return open;
}

int server_drain(Server& server, int timeout_seconds)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(std::max(0, timeout_seconds));
    server.draining = true;
    // The acceptors belong to the I/O thread: closed there, and waited for.
    std::promise<void> closed;
    net::post(server.io, [&server, &closed] {
        beast::error_code ignored;
        server.app_listener->acceptor.close(ignored);
        server.cert_listener->acceptor.close(ignored);
        closed.set_value();
    });
    closed.get_future().wait();
    // Every connection admitted before the close is on a list now (admit runs on the I/O thread).
    for (OriginState* origin : {&server.app_state, &server.cert_state}) {
        std::vector<std::shared_ptr<Connection>> open;
        {
            std::lock_guard lock(origin->mutex);
            for (const std::weak_ptr<Connection>& weak : origin->all)
                if (std::shared_ptr<Connection> connection = weak.lock())
                    open.push_back(std::move(connection));
        }
        for (const std::shared_ptr<Connection>& connection : open)
            connection->drain();
    }   // `open` is released outside origin->mutex: a last reference's destructor takes it
    std::unique_lock lock(server.drain_mutex);
    server.connection_gone.wait_until(lock, deadline, [&server] { return open_connections(server) == 0; });
    return open_connections(server);
}

ServerStats server_stats(Server& server)
{
    ServerStats stats;
    {
        std::lock_guard lock(server.app_state.mutex);
        stats.app_connections = server.app_state.connections;
        stats.refused_connections += server.app_state.refused;
        stats.evicted_connections += server.app_state.evicted;
    }
    {
        std::lock_guard lock(server.cert_state.mutex);
        stats.cert_connections = server.cert_state.connections;
        stats.refused_connections += server.cert_state.refused;
        stats.evicted_connections += server.cert_state.evicted;
    }
    stats.logins_pending = server.logins_pending.load();
    stats.busy_logins = server.busy_logins.load();
    stats.busy_login_steps = server.busy_login_steps.load();
    {
        std::lock_guard lock(server.workers.mutex);
        stats.login_steps_queued = static_cast<int>(server.workers.login_steps.size());
        stats.api_calls_running = server.workers.running.load();
    }
    return stats;
}

uint16_t server_app_port(const Server& server)
{
    return server.app_listener->acceptor.local_endpoint().port();
}

uint16_t server_cert_port(const Server& server)
{
    return server.cert_listener->acceptor.local_endpoint().port();
}
