// Hostile and broken input: a clear machine-readable answer, never a crash or a hang.
#include "harness.h"

#include <csignal>
#include <sys/resource.h>

#include <catch_amalgamated.hpp>
#include <nlohmann/json.hpp>


static const std::string kPassword = "correct horse";

TEST_CASE("bad requests get their status and code")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    std::string ticket = identify_ticket(ts, cert);

    struct Case {
        const char* name;
        std::string method;
        std::string target;
        std::string content_type;
        std::string body;
        int status;
        const char* code;
    };
    const Case cases[] = {
        {"body over the limit", "POST", "/api/v1/identify", "application/json", std::string(5000, ' '), 413, "too_large"},
        {"malformed JSON", "POST", "/api/v1/identify", "application/json", "{\"a\":", 400, "bad_request"},
        {"JSON that is not an object", "POST", "/api/v1/identify", "application/json", "[1,2]", 400, "bad_request"},
        {"empty body", "POST", "/api/v1/identify", "application/json", "", 400, "bad_request"},
        {"login without password", "POST", "/api/v1/login", "application/json", "{\"ticket\":\"" + ticket + "\"}", 400,
         "bad_request"},
        {"login with a number for a password", "POST", "/api/v1/login", "application/json",
         "{\"ticket\":\"" + ticket + "\",\"password\":12345678}", 400, "bad_request"},
        {"form body", "POST", "/api/v1/identify", "application/x-www-form-urlencoded", "a=b", 415,
         "unsupported_media_type"},
        {"text body", "POST", "/api/v1/login", "text/plain", "{}", 415, "unsupported_media_type"},
        {"no content type", "POST", "/api/v1/identify", "", "{}", 415, "unsupported_media_type"},
        {"unknown path", "GET", "/api/v1/nothing", "", "", 404, "not_found"},
        {"path outside the API", "GET", "/", "", "", 404, "not_found"},
        {"wrong method", "GET", "/api/v1/login", "", "", 405, "method_not_allowed"},
        {"wrong method for session", "POST", "/api/v1/session", "application/json", "{}", 405, "method_not_allowed"},
        {"DELETE", "DELETE", "/api/v1/logout", "", "", 405, "method_not_allowed"},
    };
    for (const Case& c : cases) {
        Request r;
        r.method = c.method;
        r.target = c.target;
        r.body = c.body;
        r.cert = &cert;
        if (!c.content_type.empty())
            r.headers.emplace_back("Content-Type", c.content_type);
        Reply reply = send(ts, r);
        CAPTURE(c.name, reply.body);
        CHECK(reply.status == c.status);
        CHECK(reply.error() == c.code);
        CHECK(reply.header("content-type").rfind("application/json", 0) == 0);
    }
    // None of that used up the ticket: the request never reached the password check.
    CHECK(login(ts, cert, ticket, kPassword).status == 200);
}

TEST_CASE("a login body that could be read two ways is refused before the password check")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    std::string ticket = identify_ticket(ts, cert);
    const std::string fields = "\"ticket\":\"" + ticket + "\",\"password\":\"" + kPassword + "\"";

    struct Case {
        const char* name;
        std::string body;
    };
    const Case cases[] = {
        {"trailing NUL", "{" + fields + "}" + std::string(1, '\0')},
        {"NUL then a second object", "{" + fields + "}" + std::string(1, '\0') + "{\"password\":\"x\"}"},
        {"two objects", "{" + fields + "} {}"},
        {"password twice, the right one last", "{\"ticket\":\"" + ticket + "\",\"password\":\"wrong\",\"password\":\""
                                                   + kPassword + "\"}"},
        {"password twice, the right one first", "{" + fields + ",\"password\":\"wrong\"}"},
        {"duplicate key in a nested object", "{" + fields + ",\"x\":{\"a\":1,\"a\":2}}"},
        {"deep nesting", "{" + fields + ",\"x\":" + std::string(1000, '[') + std::string(1000, ']') + "}"},
    };
    for (const Case& c : cases) {
        Reply reply = post(ts, &cert, "/api/v1/login", c.body);
        CAPTURE(c.name, reply.body);
        CHECK(reply.status == 400);
        CHECK(reply.error() == "bad_request");
    }
    // None of them counted as a wrong password or spent the ticket.
    CHECK(login(ts, cert, identify_ticket(ts, cert), "wrong").json["remaining_attempts"] == 2);
    CHECK(login(ts, cert, ticket, kPassword).status == 200);
}

TEST_CASE("a chunked body over the limit is refused as it arrives")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    Request r;
    r.method = "POST";
    r.target = "/api/v1/identify";
    r.cert = &cert;
    r.chunked = true;
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = "{\"pad\":\"" + std::string(8000, 'x') + "\"}";
    Reply big = send(ts, r);
    CHECK(big.status == 413);
    CHECK(big.error() == "too_large");
    r.body = "{}";
    CHECK(send(ts, r).status == 200);   // chunked itself is fine
}

TEST_CASE("a charset parameter on the JSON content type is fine")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    Reply r = post(ts, &cert, "/api/v1/identify", "{}", {{"Content-Type", "Application/JSON; charset=utf-8"}});
    CHECK(r.status == 200);
}

TEST_CASE("CORS admits only the app origin, with credentials")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);

    Reply ok = post(ts, &cert, "/api/v1/identify", "{}", {{"Origin", "https://localhost:8443"}});
    CHECK(ok.status == 200);
    CHECK(ok.header("access-control-allow-origin") == "https://localhost:8443");
    CHECK(ok.header("access-control-allow-credentials") == "true");
    CHECK(ok.header("vary") == "Origin");

    Reply evil = post(ts, &cert, "/api/v1/identify", "{}", {{"Origin", "https://evil.example"}});
    CHECK(evil.status == 403);
    CHECK(evil.error() == "origin_not_allowed");
    CHECK(evil.header("access-control-allow-origin").empty());

    Request preflight;
    preflight.method = "OPTIONS";
    preflight.target = "/api/v1/keepalive";
    preflight.headers = {{"Origin", "https://localhost:8443"},
                         {"Access-Control-Request-Method", "POST"},
                         {"Access-Control-Request-Headers", "content-type,x-csrf-token"}};
    Reply pre = send(ts, preflight);
    CHECK(pre.status == 204);
    CHECK(pre.header("access-control-allow-origin") == "https://localhost:8443");
    CHECK(pre.header("access-control-allow-headers").find("X-CSRF-Token") != std::string::npos);
    CHECK(pre.header("access-control-allow-methods").find("POST") != std::string::npos);

    preflight.headers[2].second = "x-custom";
    CHECK(send(ts, preflight).status == 405);
    preflight.headers[0].second = "https://evil.example";
    CHECK(send(ts, preflight).error() == "origin_not_allowed");
}

TEST_CASE("a locked database answers 503 and loses nothing committed")
{
    TestOptions options;
    options.busy_timeout_ms = 200;
    TestServer ts(options);
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    Session s = login_ok(ts, cert, kPassword);

    // Another process holds the write lock.
    DatabaseLock other(ts);
    Reply busy = post(ts, &cert, "/api/v1/identify", "{}");
    CHECK(busy.status == 503);
    CHECK(busy.error() == "unavailable");
    Reply busy_keepalive = session_post(ts, &cert, s, "/api/v1/keepalive");
    CHECK(busy_keepalive.status == 503);
    other.release();

    CHECK(session_get(ts, &cert, s).status == 200);
    CHECK(post(ts, &cert, "/api/v1/identify", "{}").status == 200);
}

TEST_CASE("slow and broken clients are cut off")
{
    TestOptions options;
    options.request_timeout = 1;
    options.handshake_timeout = 1;
    TestServer ts(options);

    SECTION("headers that never end")
    {
        CHECK(server_closes_after(ts, "POST /api/v1/identify HTTP/1.1\r\nHost: localhost\r\n", 10));
    }
    SECTION("a body that never arrives")
    {
        CHECK(server_closes_after(ts,
                                  "POST /api/v1/identify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                  "Content-Length: 100\r\n\r\n{",
                                  10));
    }
    SECTION("a TLS handshake that never starts")
    {
        CHECK(server_closes_on_garbage(ts, "", 10));
    }
    SECTION("bytes that are not TLS")
    {
        CHECK(server_closes_on_garbage(ts, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 10));
    }
    SECTION("a malformed request line")
    {
        CHECK(server_closes_after(ts, "NOT HTTP AT ALL\r\n\r\n", 10));
    }
    // The server still answers afterwards.
    CHECK(post(ts, nullptr, "/api/v1/identify", "{}").error() == "no_certificate");
}

TEST_CASE("oversized headers are refused")
{
    TestServer ts;
    Reply r = get(ts, nullptr, "/api/v1/session", {{"Cookie", std::string(10000, 'a')}});
    CHECK(r.status == 400);
    CHECK(r.error() == "bad_request");
}

TEST_CASE("app origin: files with their types, encodings and cache lifetimes")
{
    TestServer ts;
    auto fetch = [&](const std::string& target, const std::string& accept_encoding, const std::string& method = "GET") {
        Request r;
        r.method = method;
        r.target = target;
        r.app_origin = true;
        if (!accept_encoding.empty())
            r.headers.emplace_back("Accept-Encoding", accept_encoding);
        return send(ts, r);
    };

    Reply index = fetch("/", "");
    CHECK(index.status == 200);
    CHECK(index.body == "<!doctype html><title>ibank</title>");
    CHECK(index.header("content-type") == "text/html; charset=utf-8");
    CHECK(index.header("cache-control") == "no-cache");
    std::string csp = index.header("content-security-policy");
    CHECK(csp.find("script-src 'self' 'wasm-unsafe-eval'") != std::string::npos);
    CHECK(csp.find("connect-src 'self' https://localhost:8444") != std::string::npos);
    CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
    CHECK(index.header("strict-transport-security").find("max-age=") == 0);
    CHECK(index.header("x-content-type-options") == "nosniff");
    CHECK(index.header("referrer-policy") == "no-referrer");

    // The page's configuration carries this server's origins and institution code, whatever
    // the file says, and is never served from a stale precompressed sibling.
    Reply config = fetch("/config.json?v=2", "gzip, br");
    CHECK(config.status == 200);
    CHECK(config.header("cache-control") == "no-cache");
    CHECK(config.header("content-type") == "application/json; charset=utf-8");
    CHECK(config.header("content-encoding").empty());
    const nlohmann::json page = nlohmann::json::parse(config.body);
    CHECK(page.at("api_origin") == "https://localhost:8444");   // the file's own fields stay
    CHECK(page.at("certificate_origin") == ServerConfig{}.cert_origin);   // the harness keeps the default
    CHECK(page.at("app_origin") == "https://localhost:8443");
    CHECK(page.at("credit_union").at("institution_code") == "1234");
    CHECK(fetch("/config.json", "", "HEAD").status == 200);

    Reply br = fetch("/assets/app.0123abcd.wasm", "gzip, deflate, br");
    CHECK(br.body == "brotli-wasm");
    CHECK(br.header("content-encoding") == "br");
    CHECK(br.header("content-type") == "application/wasm");
    CHECK(br.header("cache-control") == "public, max-age=31536000, immutable");
    CHECK(br.header("vary") == "Accept-Encoding");

    Reply gz = fetch("/assets/app.0123abcd.wasm", "gzip");
    CHECK(gz.body == "gzip-wasm");
    CHECK(gz.header("content-encoding") == "gzip");
    Reply refused_br = fetch("/assets/app.0123abcd.wasm", "br;q=0, gzip");
    CHECK(refused_br.body == "gzip-wasm");
    Reply plain = fetch("/assets/app.0123abcd.wasm", "");
    CHECK(plain.body == "plain-wasm");
    CHECK(plain.header("content-encoding").empty());
    Reply js = fetch("/assets/app.89abcdef.js", "br");   // no .br sibling
    CHECK(js.body == "plain-js");
    CHECK(js.header("content-type") == "text/javascript; charset=utf-8");

    Reply head = fetch("/assets/app.0123abcd.wasm", "br", "HEAD");
    CHECK(head.status == 200);
    CHECK(head.header("content-length") == "11");

    const char* missing[] = {"/nothing.html", "/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
                             "/.hidden", "//etc/passwd", "/assets/"};
    for (const char* target : missing) {
        CAPTURE(target);
        Reply r = fetch(target, "");
        CHECK(r.status == 404);
        CHECK(r.error() == "not_found");
    }
    CHECK(fetch("/", "", "POST").status == 405);
    // The app origin never asks for a client certificate: the API is not served there.
    CHECK(fetch("/api/v1/session", "").status == 404);
}

TEST_CASE("a full disk answers 503 and loses nothing committed")
{
    TestServer ts;
    // The file-size limit below binds this process only, and PostgreSQL writes in its own;
    // the cluster tests stop PostgreSQL under running servers instead.
    if (ts.pg)
        SKIP("a full disk is simulated for SQLite only");
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    Session s = login_ok(ts, cert, kPassword);

    // The process may not grow any file beyond what exists now: every new database page fails
    // to be written, as on a full disk. (Writes beyond the limit fail with EFBIG instead of
    // raising SIGXFSZ once the signal is ignored.)
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit previous{};
    REQUIRE(getrlimit(RLIMIT_FSIZE, &previous) == 0);
    rlimit tight = previous;
    tight.rlim_cur = 0;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &tight) == 0);
    Reply full = post(ts, &cert, "/api/v1/identify", "{}");   // a new ticket and audit line: new pages
    REQUIRE(setrlimit(RLIMIT_FSIZE, &previous) == 0);
    CHECK(full.status == 503);
    CHECK(full.error() == "unavailable");

    // Space again: the session created before is still there and new work succeeds.
    CHECK(session_get(ts, &cert, s).status == 200);
    CHECK(post(ts, &cert, "/api/v1/identify", "{}").status == 200);
}
