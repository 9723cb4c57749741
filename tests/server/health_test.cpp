// /healthz and /readyz: what a proxy's health check and an orchestrator's probes see.
#include "harness.h"

#include <catch_amalgamated.hpp>

#include <atomic>
#include <thread>

static Reply probe(TestServer& ts, const std::string& method, const std::string& target, bool app_origin)
{
    Request r;
    r.method = method;
    r.target = target;
    r.app_origin = app_origin;
    return send(ts, r);
}

TEST_CASE("health: /healthz and /readyz on both origins, before anything else")
{
    TestOptions options;
    behind_proxy(options, true);   // no certificate header or cookie is needed, even behind a proxy
    TestServer ts(options);
    for (bool app_origin : {false, true}) {
        INFO("app origin: " << app_origin);
        Reply live = probe(ts, "GET", "/healthz", app_origin);
        CHECK(live.status == 200);
        CHECK(live.body == "ok\n");
        CHECK(live.header("content-type") == "text/plain; charset=utf-8");
        CHECK(live.header("cache-control") == "no-store");
        CHECK(live.header("access-control-allow-origin").empty());
        CHECK(live.header("x-request-id").size() == 16);
        Reply head = probe(ts, "HEAD", "/healthz", app_origin);
        CHECK(head.status == 200);
        CHECK(head.body.empty());

        Reply ready = probe(ts, "GET", "/readyz", app_origin);
        CHECK(ready.status == 200);
        CHECK(ready.body == "ready\n");
        CHECK(ready.header("cache-control") == "no-store");
        CHECK(probe(ts, "HEAD", "/readyz?from=lb", app_origin).status == 200);

        for (const char* path : {"/healthz", "/readyz"}) {
            Reply post = probe(ts, "POST", path, app_origin);
            CHECK(post.status == 405);
            CHECK(post.header("allow") == "GET, HEAD");
        }
    }
    // Only these two paths: the rest is served as before.
    CHECK(probe(ts, "GET", "/healthz/x", true).status == 404);
    CHECK(probe(ts, "GET", "/api/v1/healthz", false).status == 404);
}

TEST_CASE("health: /readyz is 503 while the database is unreachable, /healthz stays 200")
{
    ServerLog log;
    std::atomic<bool> database_dead{false};
    TestOptions options;
    options.limits.log = log.logger;
    // SQLite cannot be taken away from an open connection, so its probe is failed by the test
    // hook; PostgreSQL's database is really closed to connections.
    options.limits.readiness_fault = [&database_dead] { return database_dead.load(); };
    TestServer ts(options);
    REQUIRE(probe(ts, "GET", "/readyz", false).status == 200);

    if (ts.pg)
        pg_allow_connections(ts, false);
    else
        database_dead = true;
    // The answer is cached for up to a second: wait for the next probe of the database.
    CHECK(eventually([&] { return probe(ts, "GET", "/readyz", false).status == 503; }));
    Reply not_ready = probe(ts, "GET", "/readyz", true);
    CHECK(not_ready.status == 503);
    CHECK(not_ready.body == "not ready\n");   // the reason goes to the log only
    CHECK(probe(ts, "GET", "/healthz", false).status == 200);
    CHECK(probe(ts, "GET", "/healthz", true).status == 200);
    CHECK(eventually([&] { return !log.events("database_unavailable").empty(); }));

    if (ts.pg)
        pg_allow_connections(ts, true);
    else
        database_dead = false;
    CHECK(eventually([&] { return probe(ts, "GET", "/readyz", false).status == 200; }));
    CHECK(eventually([&] { return !log.events("database_available").empty(); }));
}

TEST_CASE("drain: the request in flight is answered with Connection: close, the rest is closed")
{
    TestOptions options;
    options.limits.hash_workers = 1;
    options.keepalive_timeout = 60;
    options.busy_timeout_ms = 60000;   // the held login waits for the lock, however slow the machine
    TestServer ts(options);
    ClientCert cert = add_user(ts, "yamada01", "correct horse");
    const std::string ticket = identify_ticket(ts, cert);
    KeepAliveClient idle(ts, true);
    REQUIRE(idle.request("GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n").status == 200);

    // The login is held in flight: its transaction waits for the database another process locked.
    DatabaseLock other(ts);
    Reply held;
    std::thread login_thread([&] {
        try {
            held = login(ts, cert, ticket, "correct horse");
        } catch (...) {
        }
    });
    REQUIRE(eventually([&] { return server_stats(*ts.server).logins_pending == 1; }));

    int left = -1;
    std::thread drain_thread([&] { left = server_drain(*ts.server, 60); });
    auto refused = [&](bool app_origin) {
        try {
            probe(ts, "GET", "/healthz", app_origin);
            return false;
        } catch (...) {
            return true;
        }
    };
    CHECK(eventually([&] { return refused(true) && refused(false); }));
    CHECK(idle.closed_within(10));
    other.release();
    login_thread.join();
    drain_thread.join();
    CHECK(held.status == 200);
    CHECK(held.header("connection") == "close");
    CHECK(left == 0);
}

TEST_CASE("drain: past the timeout the connections left are counted and cut")
{
    TestOptions options;
    options.limits.hash_workers = 1;
    TestServer ts(options);
    ClientCert cert = add_user(ts, "yamada01", "correct horse");
    const std::string ticket = identify_ticket(ts, cert);
    DatabaseLock other(ts);
    std::thread login_thread([&] {
        try {
            login(ts, cert, ticket, "correct horse");
        } catch (...) {
        }
    });
    REQUIRE(eventually([&] { return server_stats(*ts.server).logins_pending == 1; }));
    CHECK(server_drain(*ts.server, 0) == 1);
    other.release();
    login_thread.join();
}
