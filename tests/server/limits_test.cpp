// One client must not be able to deny the service to others: connection limits per origin and
// per client address, idle eviction, a deadline on every request's header, bounded chunk
// extensions and trailers, strict Host and Origin, and logins on their own bounded queue.
// The attacking client connects from 127.0.0.2, the ordinary one from 127.0.0.1.
#include "harness.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <catch_amalgamated.hpp>

#include <thread>

namespace net = boost::asio;
using tcp = net::ip::tcp;

static const std::string kPassword = "correct horse";

// Opens `count` TCP connections from 127.0.0.2 and sends nothing.
static std::vector<std::unique_ptr<tcp::socket>> hold_connections(net::io_context& io, uint16_t port, int count)
{
    std::vector<std::unique_ptr<tcp::socket>> held;
    for (int i = 0; i < count; i++) {
        auto socket = std::make_unique<tcp::socket>(io);
        socket->open(tcp::v4());
        socket->bind(tcp::endpoint(net::ip::make_address("127.0.0.2"), 0));
        socket->connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
        held.push_back(std::move(socket));
    }
    return held;
}

static Reply get_file(TestServer& ts, const std::string& target)
{
    Request r;
    r.target = target;
    r.app_origin = true;
    return send(ts, r);
}

static bool starts_with(const std::string& text, const std::string& prefix)
{
    return text.compare(0, prefix.size(), prefix) == 0;
}

TEST_CASE("one client address cannot take the connections of either origin")
{
    TestOptions options;
    options.limits.max_connections_per_address = 8;
    TestServer ts(options);
    ClientCert cert = add_user(ts, "yamada01", kPassword);

    net::io_context io;
    auto on_cert = hold_connections(io, ts.cert_port, 20);
    auto on_app = hold_connections(io, ts.app_port, 20);
    REQUIRE(eventually([&] { return server_stats(*ts.server).refused_connections >= 24; }));
    ServerStats stats = server_stats(*ts.server);
    CHECK(stats.cert_connections == 8);
    CHECK(stats.app_connections == 8);

    // Everyone else is still served on both origins.
    CHECK(get_file(ts, "/index.html").status == 200);
    CHECK(post(ts, &cert, "/api/v1/identify", "{}").status == 200);

    // The attack ends: its connections go, nothing is left over.
    on_cert.clear();
    on_app.clear();
    CHECK(eventually([&] {
        ServerStats s = server_stats(*ts.server);
        return s.cert_connections == 0 && s.app_connections == 0;
    }));
}

TEST_CASE("a full origin makes room by closing its oldest idle connection")
{
    TestOptions options;
    options.limits.max_connections = 3;
    options.limits.max_connections_per_address = 0;
    options.keepalive_timeout = 30;
    TestServer ts(options);
    const std::string request = "GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n";

    SECTION("idle keep-alive connections are closed, oldest first")
    {
        KeepAliveClient oldest(ts, true), middle(ts, true), newest(ts, true);
        REQUIRE(oldest.request(request).status == 200);
        REQUIRE(middle.request(request).status == 200);
        REQUIRE(newest.request(request).status == 200);

        CHECK(get_file(ts, "/index.html").status == 200);
        CHECK(oldest.closed_within(5));
        CHECK(server_stats(*ts.server).evicted_connections == 1);
        CHECK(middle.request(request).status == 200);
        CHECK(newest.request(request).status == 200);
    }
    SECTION("with nothing idle a new connection is refused until one goes")
    {
        net::io_context io;
        auto held = hold_connections(io, ts.app_port, 3);
        REQUIRE(eventually([&] { return server_stats(*ts.server).app_connections == 3; }));
        CHECK_THROWS(get_file(ts, "/index.html"));
        CHECK(server_stats(*ts.server).refused_connections >= 1);
        // The other origin has limits of its own.
        CHECK(post(ts, nullptr, "/api/v1/identify", "{}").error() == "no_certificate");

        held.clear();
        REQUIRE(eventually([&] { return server_stats(*ts.server).app_connections == 0; }));
        CHECK(get_file(ts, "/index.html").status == 200);
    }
}

TEST_CASE("every request of a connection has the header deadline")
{
    TestOptions options;
    options.request_timeout = 1;
    options.keepalive_timeout = 30;
    TestServer ts(options);
    KeepAliveClient client(ts, false);
    REQUIRE(client.request("GET /api/v1/session HTTP/1.1\r\nHost: localhost\r\n\r\n").status == 401);

    // A second request whose header trickles: cut off after request_timeout, not keepalive_timeout.
    client.write("GET /api/v1/session HTTP/1.1\r\nHost: loc");
    CHECK(client.closed_within(5));
}

TEST_CASE("an idle keep-alive connection is closed after the keep-alive time")
{
    TestOptions options;
    options.keepalive_timeout = 1;
    TestServer ts(options);
    KeepAliveClient client(ts, true);
    REQUIRE(client.request("GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n").status == 200);
    CHECK(client.closed_within(5));
}

TEST_CASE("chunk extensions and trailers are bounded like the header")
{
    TestServer ts;
    const std::string head = "POST /api/v1/identify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n";

    SECTION("one huge chunk extension")
    {
        std::string reply = exchange_raw(ts, false, head + "2;x=" + std::string(20000, 'a') + "\r\n{}\r\n0\r\n\r\n", 5);
        CHECK(starts_with(reply, "HTTP/1.1 400"));
    }
    SECTION("many small chunk extensions")
    {
        std::string body;
        for (int i = 0; i < 3; i++)
            body += "1;x=" + std::string(500, 'a') + "\r\n" + (i == 0 ? "{" : i == 1 ? " " : "}") + "\r\n";
        std::string reply = exchange_raw(ts, false, head + body + "0\r\n\r\n", 5);
        CHECK(starts_with(reply, "HTTP/1.1 400"));
    }
    SECTION("a huge trailer section")
    {
        std::string reply =
            exchange_raw(ts, false, head + "2\r\n{}\r\n0\r\nX-Pad: " + std::string(20000, 'a') + "\r\n\r\n", 5);
        CHECK(starts_with(reply, "HTTP/1.1 400"));
    }
    SECTION("a short extension and a short trailer are fine")
    {
        std::string reply = exchange_raw(ts, false, head + "2;name=value\r\n{}\r\n0\r\nX-Note: 1\r\n\r\n", 5);
        CHECK(starts_with(reply, "HTTP/1.1 401"));
        CHECK(reply.find("no_certificate") != std::string::npos);
    }
}

TEST_CASE("Host and Origin must each be there once")
{
    TestServer ts;
    CHECK(starts_with(exchange_raw(ts, false, "GET /api/v1/session HTTP/1.1\r\n\r\n", 5), "HTTP/1.1 400"));
    CHECK(starts_with(exchange_raw(ts, true, "GET /index.html HTTP/1.1\r\n\r\n", 5), "HTTP/1.1 400"));
    CHECK(starts_with(exchange_raw(ts, false, "GET /api/v1/session HTTP/1.1\r\nHost: localhost\r\nHost: other\r\n\r\n", 5),
                      "HTTP/1.1 400"));
    // HTTP/1.0 has no Host requirement.
    CHECK(starts_with(exchange_raw(ts, false, "GET /api/v1/session HTTP/1.0\r\n\r\n", 5), "HTTP/1.0 401"));

    std::string two_origins = exchange_raw(ts, false,
                                           "GET /api/v1/session HTTP/1.1\r\nHost: localhost\r\n"
                                           "Origin: https://localhost:8443\r\nOrigin: https://evil.example\r\n\r\n",
                                           5);
    CHECK(starts_with(two_origins, "HTTP/1.1 403"));
    CHECK(two_origins.find("origin_not_allowed") != std::string::npos);
}

TEST_CASE("logins past the hash queue are answered 503 with Retry-After at once")
{
    TestOptions options;
    options.limits.hash_workers = 1;
    options.limits.hash_queue = 0;
    options.limits.busy_retry_after = 2;
    TestServer ts(options);
    ClientCert first_cert = add_user(ts, "yamada01", kPassword);
    ClientCert second_cert = add_user(ts, "suzuki02", kPassword);
    std::string first_ticket = identify_ticket(ts, first_cert);
    std::string second_ticket = identify_ticket(ts, second_cert);

    // The one hash worker is held: its login waits for the database another process locked.
    DatabaseLock other(ts);
    Reply first;
    std::thread first_login([&] {
        try {
            first = login(ts, first_cert, first_ticket, kPassword);
        } catch (...) {
        }
    });
    bool held = eventually([&] { return server_stats(*ts.server).logins_pending == 1; });

    Reply busy = login(ts, second_cert, second_ticket, kPassword);
    // Files are not behind the logins.
    Reply file = get_file(ts, "/index.html");
    other.release();
    first_login.join();

    REQUIRE(held);
    CHECK(busy.status == 503);
    CHECK(busy.error() == "unavailable");
    CHECK(busy.header("retry-after") == "2");
    CHECK(file.status == 200);
    CHECK(first.status == 200);
    CHECK(server_stats(*ts.server).busy_logins == 1);
    // Nothing was used up by the refusal: the same ticket logs in once the queue has room.
    CHECK(login(ts, second_cert, second_ticket, kPassword).status == 200);
    CHECK(server_stats(*ts.server).logins_pending == 0);
}

TEST_CASE("a connection's verified certificate is checked again when the CRL changes")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    Session s = login_ok(ts, cert, kPassword);
    const std::string check = "GET /api/v1/session HTTP/1.1\r\nHost: localhost\r\nCookie: " + s.cookie + "\r\n\r\n";
    KeepAliveClient client(ts, false, &cert);
    REQUIRE(client.request(check).status == 200);
    REQUIRE(client.request(check).status == 200);   // the verified chain is reused

    // Only the CRL file says so (not the revoked-serial table): the reused verdict must go.
    RevokedSerial revoked;
    revoked.serial = cert.serial;
    revoked.revoked_at = ts.now;
    CrlPtr crl = pki_make_crl(ts.ca.get(), ts.ca_key.get(), {revoked}, ts.now, ts.now + 3600);
    pki_write_crl(ts.paths.crl, crl.get());
    Reply refused = client.request(check);
    CHECK(refused.status == 401);
    CHECK(refused.error() == "cert_revoked");
}

TEST_CASE("identify requests past the API workers' queue are answered 503 with Retry-After at once")
{
    TestOptions options;
    options.limits.workers = 1;
    options.limits.login_step_queue = 1;
    options.limits.busy_retry_after = 3;
    TestServer ts(options);
    ClientCert a = add_user(ts, "yamada01", kPassword);
    ClientCert b = add_user(ts, "suzuki02", kPassword);
    ClientCert c = add_user(ts, "sato03", kPassword);

    // The one worker is held by an identify waiting for the database another process locked;
    // a second waits in the queue, which is then full.
    DatabaseLock other(ts);
    Reply first, second;
    std::thread first_call([&] {
        try { first = post(ts, &a, "/api/v1/identify", "{}"); } catch (...) {}
    });
    bool running = eventually([&] { return server_stats(*ts.server).api_calls_running == 1; });
    std::thread second_call([&] {
        try { second = post(ts, &b, "/api/v1/identify", "{}"); } catch (...) {}
    });
    bool queued = eventually([&] { return server_stats(*ts.server).login_steps_queued == 1; });

    Reply busy = post(ts, &c, "/api/v1/identify", "{}");
    Reply file = get_file(ts, "/index.html");   // the app origin does not wait for API workers
    other.release();
    first_call.join();
    second_call.join();

    REQUIRE(running);
    REQUIRE(queued);
    CHECK(busy.status == 503);
    CHECK(busy.error() == "unavailable");
    CHECK(busy.header("retry-after") == "3");
    CHECK(file.status == 200);
    CHECK(first.status == 200);
    CHECK(second.status == 200);
    CHECK(server_stats(*ts.server).busy_login_steps == 1);
    // Once the queue has room the same customer is served.
    CHECK(post(ts, &c, "/api/v1/identify", "{}").status == 200);
}
