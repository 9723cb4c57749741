#include "server/http_server.h"

#include "server/static_files.h"
#include "server/tls_context.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

constexpr size_t kHeaderLimit = 8192;

struct Listener;

struct Server {
    ServerConfig config;
    ApiService* api = nullptr;
    std::string app_csp;
    std::atomic<int> connections{0};
    net::io_context io{1};
    ssl::context app_tls{ssl::context::tls_server};
    ssl::context cert_tls{ssl::context::tls_server};
    std::optional<net::thread_pool> workers;
    std::shared_ptr<Listener> app_listener;
    std::shared_ptr<Listener> cert_listener;
    std::optional<net::steady_timer> sweep_timer;
    std::thread io_thread;
};

std::string app_content_security_policy(const std::string& cert_origin)
{
    return "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' " + cert_origin
         + "; img-src 'self' data:; style-src 'self'; font-src 'self'; manifest-src 'self'; frame-ancestors 'none';"
           " base-uri 'none'; form-action 'none'";
}

// ---------------------------------------------------------------- one connection
class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(tcp::socket&& socket, Server& server, bool cert_origin)
        : server_(server), cert_origin_(cert_origin),
          stream_(std::move(socket), cert_origin ? server.cert_tls : server.app_tls)
    {
        server_.connections++;
        beast::error_code ec;
        tcp::endpoint remote = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
        if (!ec)
            source_ = remote.address().to_string();
    }
    ~Connection() { server_.connections--; }

    void start()
    {
        net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->handshake(); });
    }

private:
    Server& server_;
    bool cert_origin_;
    beast::ssl_stream<beast::tcp_stream> stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::string source_;
    bool first_request_ = true;

    void handshake()
    {
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(server_.config.handshake_timeout));
        stream_.async_handshake(ssl::stream_base::server,
                                [self = shared_from_this()](beast::error_code ec) {
                                    if (!ec)
                                        self->read_header();
                                });
    }

    void read_header()
    {
        parser_.emplace();
        parser_->header_limit(kHeaderLimit);
        parser_->body_limit(api::kMaxBodyBytes);
        // An idle keep-alive connection may wait longer for its next request than a new one.
        int wait = first_request_ ? server_.config.request_timeout : server_.config.keepalive_timeout;
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(wait));
        http::async_read_header(stream_, buffer_, *parser_,
                                [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
    }

    void on_header(beast::error_code ec)
    {
        if (ec == http::error::header_limit) {
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
        first_request_ = false;
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
        if (ec == beast::error::timeout || ec == net::error::eof || ec == ssl::error::stream_truncated
            || ec == http::error::partial_message) {
            close();
            return;
        }
        if (ec) {
            refuse(api::ErrorCode::BadRequest, "malformed request");
            return;
        }
        if (cert_origin_)
            serve_api();
        else
            serve_file();
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
        http::request<http::string_body> req = parser_->release();
        auto request = std::make_shared<ApiRequest>(api_request(req));
        request->body.swap(req.body());
        wipe_read_buffer();
        unsigned version = req.version();
        bool keep_alive = req.keep_alive();
        // The certificate travels with the request to the worker (counted references, freed below).
        SSL* ssl_handle = stream_.native_handle();
        request->peer = SSL_get1_peer_certificate(ssl_handle);
        STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl_handle);
        request->peer_chain = chain ? X509_chain_up_ref(chain) : nullptr;

        net::post(*server_.workers, [self = shared_from_this(), request, version, keep_alive] {
            ApiResponse answer = api_handle(*self->server_.api, *request);
            X509_free(request->peer);
            if (request->peer_chain)
                sk_X509_pop_free(request->peer_chain, X509_free);
            request->peer = nullptr;
            request->peer_chain = nullptr;
            net::post(self->stream_.get_executor(), [self, answer = std::move(answer), version, keep_alive]() mutable {
                self->send_api(std::move(answer), version, !keep_alive);
            });
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
        for (auto& [name, value] : answer.headers)
            res.insert(name, value);
        res.body() = std::move(answer.body);
        res.keep_alive(!close_after);
        res.prepare_payload();
        send(std::move(res));
    }

    void serve_file()
    {
        const http::request<http::string_body>& req = parser_->get();
        if (req.method() != http::verb::get && req.method() != http::verb::head) {
            ApiRequest request = api_request(req);
            request.has_origin = false;
            ApiResponse answer = api_refuse(*server_.api, request, api::ErrorCode::MethodNotAllowed, "use GET");
            answer.headers.emplace_back("Allow", "GET, HEAD");
            send_api(std::move(answer), req.version(), !req.keep_alive());
            return;
        }
        StaticFile file;
        beast::error_code ec;
        http::file_body::value_type body;
        bool found = static_resolve(server_.config.web_root, std::string(req.target()),
                                    std::string(req[http::field::accept_encoding]), file);
        if (found)
            body.open(file.path.c_str(), beast::file_mode::scan, ec);
        if (!found || ec) {
            ApiRequest request = api_request(req);
            request.has_origin = false;
            ApiResponse answer = api_refuse(*server_.api, request, api::ErrorCode::NotFound, "no such file");
            send_api(std::move(answer), req.version(), !req.keep_alive());
            return;
        }

        auto fill = [&](http::fields& fields) {
            fields.set(http::field::server, "ibgate");
            add_security_headers(fields);
            fields.set(http::field::content_type, file.content_type);
            fields.set(http::field::cache_control, file.cache_control);
            fields.set(http::field::vary, "Accept-Encoding");
            if (!file.content_encoding.empty())
                fields.set(http::field::content_encoding, file.content_encoding);
        };
        if (req.method() == http::verb::head) {
            http::response<http::empty_body> res{http::status::ok, req.version()};
            fill(res);
            res.content_length(body.size());
            res.keep_alive(req.keep_alive());
            send(std::move(res));
            return;
        }
        http::response<http::file_body> res{std::piecewise_construct, std::make_tuple(std::move(body)),
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
        bool close_after = res->need_eof();
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(server_.config.request_timeout * 3));
        http::async_write(stream_, *res, [self = shared_from_this(), res, close_after](beast::error_code ec, size_t) {
            if (ec)
                return;
            if (close_after)
                self->close();
            else
                self->read_header();
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
    tcp::acceptor acceptor;
    bool cert_origin;

    Listener(Server& s, const tcp::endpoint& endpoint, bool cert)
        : server(s), acceptor(s.io), cert_origin(cert)
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
            if (!ec) {
                if (self->server.connections.load() >= self->server.config.max_connections) {
                    beast::error_code ignored;
                    socket.close(ignored);
                } else {
                    std::make_shared<Connection>(std::move(socket), self->server, self->cert_origin)->start();
                }
            }
            self->accept();
        });
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
        net::post(*server.workers, [&server] {
            try {
                api_sweep(*server.api);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "ibgate: session sweep failed: %s\n", e.what());
            }
        });
        schedule_sweep(server);
    });
}

static void server_stop(Server* server)
{
    server->io.stop();
    if (server->io_thread.joinable())
        server->io_thread.join();
    if (server->workers)
        server->workers->join();
    delete server;
}

std::unique_ptr<Server, void (*)(Server*)> server_start(const ServerConfig& config, ApiService& api)
{
    std::unique_ptr<Server, void (*)(Server*)> server(new Server, server_stop);
    server->config = config;
    server->api = &api;
    server->workers.emplace(static_cast<size_t>(std::max(1, config.workers)));
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
    return server;
}

uint16_t server_app_port(const Server& server)
{
    return server.app_listener->acceptor.local_endpoint().port();
}

uint16_t server_cert_port(const Server& server)
{
    return server.cert_listener->acceptor.local_endpoint().port();
}
