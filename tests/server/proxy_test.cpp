// ibgate behind a reverse proxy (--behind-proxy): the tests play the proxy, sending the
// customer's certificate and address in headers from 127.0.0.1, trusted or not.
#include "forward_encoding.h"
#include "harness.h"

#include <boost/asio/ip/tcp.hpp>

#include <catch_amalgamated.hpp>

namespace net = boost::asio;
using tcp = net::ip::tcp;

static const std::string kPassword = "correct horse";
using Headers = std::vector<std::pair<std::string, std::string>>;

static Headers forwarded(const ClientCert& cert, const std::string& address = "198.51.100.1, 203.0.113.7")
{
    return {{"X-Client-Cert", url_escape(pki_cert_pem(cert.cert.get()))}, {"X-Forwarded-For", address}};
}

static Reply identify_with(TestServer& ts, const Headers& headers, const ClientCert* tls_cert = nullptr,
                           const std::string& from = "")
{
    Request r;
    r.method = "POST";
    r.target = "/api/v1/identify";
    r.body = "{}";
    r.cert = tls_cert;
    r.local_address = from;
    r.headers = headers;
    r.headers.emplace_back("Content-Type", "application/json");
    return send(ts, r);
}

static Reply login_with(TestServer& ts, const Headers& headers, const std::string& ticket)
{
    nlohmann::json body = {{"ticket", ticket}, {"password", kPassword}};
    return post(ts, nullptr, "/api/v1/login", body.dump(), headers);
}

static std::vector<AuditRecord> audit_of(TestServer& ts, const std::string& user)
{
    Transaction tx(ts.store);
    std::vector<AuditRecord> out = audit_list(tx, user, 100);
    tx.commit();
    return out;
}

static std::vector<AuditRecord> ignored_records(TestServer& ts)
{
    std::vector<AuditRecord> out;
    for (const AuditRecord& a : audit_of(ts, ""))
        if (a.event == "forwarded_header_ignored")
            out.push_back(a);
    return out;
}

TEST_CASE("proxy: a forwarded certificate logs in from a trusted proxy, in either form")
{
    TestOptions options;
    behind_proxy(options, true);
    TestServer ts(options);
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    const std::string forms[] = {url_escape(pki_cert_pem(cert.cert.get())), base64_of(der_of(cert.cert.get()))};

    for (const std::string& value : forms) {
        Headers headers = {{"X-Client-Cert", value}, {"X-Forwarded-For", "198.51.100.1"},
                           {"X-Forwarded-For", "203.0.113.7"}};   // two field lines: the last element counts
        Reply id = identify_with(ts, headers);
        INFO(id.body);
        REQUIRE(id.status == 200);
        CHECK(id.json["identity"]["user_id"] == "yamada01");
        Reply in = login_with(ts, headers, id.json["ticket"].get<std::string>());
        INFO(in.body);
        REQUIRE(in.status == 200);
        std::string cookie = in.header("set-cookie").substr(0, in.header("set-cookie").find(';'));
        Headers session_headers = headers;
        session_headers.emplace_back("Cookie", cookie);
        Reply s = get(ts, nullptr, "/api/v1/session", session_headers);
        CHECK(s.status == 200);
        // The login history and the audit log name the customer's address, not the proxy's.
        CHECK(s.json["recent_logins"][0]["source_address"] == "203.0.113.7");
        Reply out = post(ts, nullptr, "/api/v1/logout", "{}",
                         {{"X-Client-Cert", value}, {"X-Forwarded-For", "203.0.113.7"}, {"Cookie", cookie}, {"X-CSRF-Token", in.json["csrf_token"].get<std::string>()}});
        CHECK(out.status == 200);
    }
    for (const AuditRecord& a : audit_of(ts, "yamada01"))
        if (a.event != "operator")
            CHECK(a.source_address == "203.0.113.7");

    // The proxy's own TLS certificate is never the customer's: no header, or an empty one (what
    // nginx sends when the browser sent none), is no certificate.
    CHECK(identify_with(ts, {}, &cert).error() == "no_certificate");
    CHECK(identify_with(ts, {{"X-Client-Cert", ""}}, &cert).error() == "no_certificate");
}

TEST_CASE("proxy: a forwarded certificate is refused for the same reason as a direct one")
{
    // 127.0.0.1 is the trusted proxy; 127.0.0.2 is a direct client of the same server.
    TestOptions options;
    behind_proxy(options, true);
    TestServer ts(options);
    add_user(ts, "yamada01", kPassword);
    auto same_answer = [&](const ClientCert& c, const std::string& expected) {
        Reply direct = identify_with(ts, {}, &c, "127.0.0.2");
        Reply via_proxy = identify_with(ts, forwarded(c));
        CHECK(direct.error() == expected);
        CHECK(via_proxy.error() == expected);
        CHECK(via_proxy.status == direct.status);
    };

    SECTION("good")
    {
        ClientCert c = add_cert(ts, "yamada01");
        CHECK(identify_with(ts, {}, &c, "127.0.0.2").status == 200);
        CHECK(identify_with(ts, forwarded(c)).status == 200);
    }
    SECTION("expired")
    {
        CertSpec spec = client_spec(ts, "yamada01");
        spec.not_before = ts.now - 40 * 24 * 3600;
        spec.not_after = ts.now - 24 * 3600;
        ClientCert c = make_cert(ts, spec);
        operator_register_cert(ts.store, c.cert.get(), "yamada01", ts.now);
        same_answer(c, "cert_expired");
    }
    SECTION("revoked")
    {
        ClientCert c = add_cert(ts, "yamada01");
        operator_cert_revoke(ts.store, ts.paths, c.fingerprint, "lost", ts.now);
        same_answer(c, "cert_revoked");
    }
    SECTION("issued by another CA")
    {
        KeyPtr rogue_key = pki_new_key();
        CertSpec ca_spec;
        ca_spec.kind = CertKind::Ca;
        ca_spec.common_name = "Rogue CA";
        ca_spec.not_before = ts.now - 3600;
        ca_spec.not_after = ts.now + 365 * 24 * 3600;
        CertPtr rogue = pki_make_cert(ca_spec, rogue_key.get(), nullptr, nullptr);
        ClientCert c = make_cert(ts, client_spec(ts, "yamada01"), rogue.get(), rogue_key.get());
        operator_register_cert(ts.store, c.cert.get(), "yamada01", ts.now);
        same_answer(c, "cert_unknown_issuer");
    }
    SECTION("not registered")
    {
        same_answer(make_cert(ts, client_spec(ts, "yamada01")), "cert_not_registered");
    }
}

TEST_CASE("proxy: from an untrusted address the certificate header is ignored, audited and logged once")
{
    ServerLog log;
    TestOptions options;
    behind_proxy(options, false);
    options.limits.log = log.logger;
    TestServer ts(options);
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    ClientCert stranger = make_cert(ts, client_spec(ts, "yamada01"));   // not registered

    // Only the TLS certificate counts, as for any direct client.
    CHECK(identify_with(ts, forwarded(cert)).error() == "no_certificate");
    CHECK(identify_with(ts, forwarded(stranger), &cert).status == 200);

    std::vector<AuditRecord> ignored = ignored_records(ts);
    REQUIRE(ignored.size() == 2);
    for (const AuditRecord& a : ignored) {
        CHECK(a.result == "ignored");
        CHECK(a.detail == "X-Client-Cert from untrusted 127.0.0.1");
        CHECK(a.source_address == "127.0.0.1");   // the forwarded-for header was not read either
        CHECK(a.user_id.empty());
    }
    std::vector<nlohmann::json> lines = log.events("forwarded_header_ignored");
    REQUIRE(lines.size() == 1);   // at most one line per address a minute
    CHECK(lines[0]["source"] == "127.0.0.1");

    // It is nobody's login: the customer's login history shows only logins.
    Session s = login_ok(ts, cert, kPassword);
    Reply info = session_get(ts, &cert, s);
    REQUIRE(info.status == 200);
    CHECK(info.json["recent_logins"].size() == 1);
    CHECK(info.json["recent_logins"][0]["source_address"] == "127.0.0.1");
}

TEST_CASE("proxy: without --behind-proxy no forwarded header is read or audited")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    CHECK(identify_with(ts, forwarded(cert)).error() == "no_certificate");
    Reply two = identify_with(ts, {{"X-Client-Cert", "a"}, {"X-Client-Cert", "b"}, {"X-Forwarded-For", "junk"}}, &cert);
    CHECK(two.status == 200);   // not even malformed headers are looked at
    CHECK(ignored_records(ts).empty());
    for (const AuditRecord& a : audit_of(ts, "yamada01"))
        CHECK((a.source_address == "127.0.0.1" || a.event == "operator"));
}

TEST_CASE("proxy: malformed forwarded headers are refused and are no login attempt")
{
    TestOptions options;
    behind_proxy(options, true);
    TestServer ts(options);
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    Reply id = identify_with(ts, forwarded(cert));
    REQUIRE(id.status == 200);
    const std::string ticket = id.json["ticket"].get<std::string>();
    const std::string pem = url_escape(pki_cert_pem(cert.cert.get()));

    struct Row {
        const char* name;
        Headers headers;
        const char* message;
    };
    const Row rows[] = {
        {"two certificate headers", {{"X-Client-Cert", pem}, {"X-Client-Cert", pem}},
         "more than one client certificate header"},
        {"a malformed certificate header", {{"X-Client-Cert", pem.substr(0, 200)}}, "malformed client certificate header"},
        {"a chain instead of one certificate", {{"X-Client-Cert", pem + pem}}, "malformed client certificate header"},
        {"a malformed forwarded-for", {{"X-Client-Cert", pem}, {"X-Forwarded-For", "203.0.113.7, unknown"}},
         "malformed X-Forwarded-For"},
    };
    for (const Row& row : rows) {
        INFO(row.name);
        Reply r = login_with(ts, row.headers, ticket);
        CHECK(r.status == 400);
        CHECK(r.error() == "bad_request");
        CHECK(r.json["message"] == row.message);
    }
    // Nothing was counted, nothing used up: the same ticket logs in.
    {
        Transaction tx(ts.store);
        UserRecord user;
        REQUIRE(user_find(tx, "yamada01", user));
        CHECK(user.failed_count == 0);
        tx.commit();
    }
    CHECK(login_with(ts, forwarded(cert), ticket).status == 200);

    // The app origin never takes a certificate header: the proxy must clear it there.
    Request file;
    file.target = "/index.html";
    file.app_origin = true;
    CHECK(send(ts, file).status == 200);
    file.headers = {{"X-Client-Cert", pem}};
    Reply refused = send(ts, file);
    CHECK(refused.status == 400);
    CHECK(refused.json["message"] == "client certificate header on the app origin");
    file.headers = {{"X-Client-Cert", ""}, {"X-Forwarded-For", "203.0.113.7"}};
    CHECK(send(ts, file).status == 200);
}

TEST_CASE("proxy: every answer carries a request id, the trusted proxy's when it sends one")
{
    TestOptions options;
    behind_proxy(options, true);
    TestServer ts(options);
    auto is_generated = [](const std::string& id) {
        return id.size() == 16 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
    };
    CHECK(get(ts, nullptr, "/api/v1/session", {{"X-Request-Id", "nginx-4f2a.1_b"}}).header("x-request-id")
          == "nginx-4f2a.1_b");
    CHECK(is_generated(get(ts, nullptr, "/api/v1/session", {{"X-Request-Id", "two words"}}).header("x-request-id")));
    CHECK(is_generated(get(ts, nullptr, "/api/v1/session").header("x-request-id")));
    Request file;
    file.target = "/index.html";
    file.app_origin = true;
    file.headers = {{"X-Request-Id", "haproxy-77"}};
    CHECK(send(ts, file).header("x-request-id") == "haproxy-77");
    // A direct client's id is never taken.
    file.local_address = "127.0.0.2";
    CHECK(is_generated(send(ts, file).header("x-request-id")));
    // Refusals carry one too.
    file.local_address.clear();
    file.headers = {{"X-Client-Cert", "x"}, {"X-Request-Id", "haproxy-78"}};
    CHECK(send(ts, file).header("x-request-id") == "haproxy-78");
}

TEST_CASE("proxy: a trusted proxy is exempt from the per-address connection limit")
{
    auto hold = [](net::io_context& io, uint16_t port, int count) {
        std::vector<std::unique_ptr<tcp::socket>> held;
        for (int i = 0; i < count; i++) {
            auto socket = std::make_unique<tcp::socket>(io);
            socket->connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
            held.push_back(std::move(socket));
        }
        return held;
    };
    for (bool trusted : {true, false}) {
        INFO("127.0.0.1 trusted: " << trusted);
        TestOptions options;
        behind_proxy(options, trusted);
        options.limits.max_connections_per_address = 2;
        TestServer ts(options);
        net::io_context io;
        auto held = hold(io, ts.cert_port, 6);
        if (trusted) {
            CHECK(eventually([&] { return server_stats(*ts.server).cert_connections == 6; }));
            CHECK(server_stats(*ts.server).refused_connections == 0);
        } else {
            CHECK(eventually([&] { return server_stats(*ts.server).refused_connections == 4; }));
            CHECK(server_stats(*ts.server).cert_connections == 2);
        }
    }
}
