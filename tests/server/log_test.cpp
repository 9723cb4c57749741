// The JSON log lines of `serve` (log.h): one access line per answered request, with its fields,
// and no secret of the customer's in any line.
#include "forward_encoding.h"
#include "harness.h"

#include <catch_amalgamated.hpp>

#include <sstream>

static const std::string kPassword = "correct horse battery";

TEST_CASE("log: one access line per request with its fields, never a secret")
{
    ServerLog log;
    log.logger->instance = "test-instance";
    TestOptions options;
    options.limits.log = log.logger;
    TestServer ts(options);
    ClientCert cert = add_user(ts, "yamada01", kPassword);

    Reply identified = post(ts, &cert, "/api/v1/identify", "{}");
    REQUIRE(identified.status == 200);
    const std::string ticket = identified.json["ticket"].get<std::string>();
    Reply in = login(ts, cert, ticket, kPassword);
    REQUIRE(in.status == 200);
    const std::string set_cookie = in.header("set-cookie");
    Session s;
    s.cookie = set_cookie.substr(0, set_cookie.find(';'));
    s.csrf = in.json["csrf_token"].get<std::string>();
    REQUIRE(get(ts, &cert, "/api/v1/session?detail=" + ticket, {{"Cookie", s.cookie}}).status == 200);
    REQUIRE(session_post(ts, &cert, s, "/api/v1/logout").status == 200);
    Request file;
    file.target = "/index.html";
    file.app_origin = true;
    REQUIRE(send(ts, file).status == 200);
    CHECK(post(ts, nullptr, "/api/v1/identify", "{}").status == 401);

    // Written once the answer is: wait for the sixth.
    REQUIRE(eventually([&] { return log.events("request").size() == 6; }));
    std::vector<nlohmann::json> lines = log.events("request");
    struct Row {
        const char* origin;
        const char* method;
        const char* route;
        int status;
        const char* user;
    };
    const Row rows[] = {
        {"cert", "POST", "/api/v1/identify", 200, "yamada01"}, {"cert", "POST", "/api/v1/login", 200, "yamada01"},
        {"cert", "GET", "/api/v1/session", 200, "yamada01"},   {"cert", "POST", "/api/v1/logout", 200, "yamada01"},
        {"app", "GET", "/index.html", 200, ""},                {"cert", "POST", "/api/v1/identify", 401, ""},
    };
    for (size_t i = 0; i < 6; i++) {
        INFO(lines[i].dump());
        CHECK(lines[i]["level"] == "info");
        CHECK(lines[i]["instance"] == "test-instance");
        CHECK(lines[i]["time"].get<std::string>().size() == 24);
        CHECK(lines[i]["request_id"].get<std::string>().size() == 16);
        CHECK(lines[i]["origin"] == rows[i].origin);
        CHECK(lines[i]["method"] == rows[i].method);
        CHECK(lines[i]["route"] == rows[i].route);
        CHECK(lines[i]["status"] == rows[i].status);
        CHECK(lines[i]["latency_ms"].is_number());
        CHECK(lines[i]["source"] == "127.0.0.1");
        CHECK(lines[i].value("user", "") == rows[i].user);
    }

    const std::string text = log.text();
    const std::string cookie_value = s.cookie.substr(s.cookie.find('=') + 1);
    const std::string secrets[] = {kPassword, ticket, cookie_value, s.csrf, base64_of(der_of(cert.cert.get())).substr(0, 40)};
    for (const std::string& secret : secrets) {
        INFO(secret);
        CHECK(text.find(secret) == std::string::npos);
    }
    // Every line is one JSON object.
    std::istringstream in_lines(text);
    for (std::string line; std::getline(in_lines, line);)
        CHECK(nlohmann::json::parse(line, nullptr, false).is_object());
}

TEST_CASE("log: --access-log off leaves the other events")
{
    ServerLog log;
    log.logger->access_log = false;
    TestOptions options;
    options.limits.log = log.logger;
    behind_proxy(options, false);
    TestServer ts(options);
    CHECK(post(ts, nullptr, "/api/v1/identify", "{}", {{"X-Client-Cert", "x"}}).status == 401);
    CHECK(eventually([&] { return log.events("forwarded_header_ignored").size() == 1; }));
    CHECK(log.events("request").empty());
}

TEST_CASE("log: behind a trusted proxy the access line names the customer's address and the proxy's id")
{
    ServerLog log;
    TestOptions options;
    options.limits.log = log.logger;
    behind_proxy(options, true);
    TestServer ts(options);
    Request file;
    file.target = "/index.html?v=1";
    file.app_origin = true;
    file.headers = {{"X-Forwarded-For", "198.51.100.1, 203.0.113.7"}, {"X-Request-Id", "nginx-abc"}};
    REQUIRE(send(ts, file).status == 200);
    REQUIRE(eventually([&] { return log.events("request").size() == 1; }));
    nlohmann::json line = log.events("request")[0];
    CHECK(line["source"] == "203.0.113.7");
    CHECK(line["request_id"] == "nginx-abc");
    CHECK(line["route"] == "/index.html");
    CHECK(line["origin"] == "app");
}
