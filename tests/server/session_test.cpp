// Sessions: one per user, force-logout, the login race, timeouts, CSRF, same certificate,
// logout, restart.
#include "harness.h"

#include <catch_amalgamated.hpp>

#include <thread>
#include <vector>

static const std::string kPassword = "correct horse";

TEST_CASE("a user holds one session; a second login is told session_active")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    Session first = login_ok(ts, cert, kPassword);
    ts.now += 10;

    Reply r = login(ts, cert, identify_ticket(ts, cert), kPassword);
    CHECK(r.status == 409);
    api::ErrorResponse e;
    std::string error;
    REQUIRE(api::parse_error_response(r.json, e, error));
    CHECK(e.code == api::ErrorCode::SessionActive);
    CHECK(e.active_session_login_time == ts.now - 10);
    CHECK(e.active_session_source_address == "127.0.0.1");
    CHECK_FALSE(e.force_logout_ticket.empty());
    CHECK(session_get(ts, &cert, first).status == 200);   // the old session is untouched

    SECTION("a wrong password gets no force-logout ticket")
    {
        Reply wrong = login(ts, cert, identify_ticket(ts, cert), "wrong");
        CHECK(wrong.error() == "wrong_password");
        CHECK_FALSE(wrong.json.contains("force_logout_ticket"));
    }
    SECTION("force-logout ends the old session and the customer logs in again")
    {
        Reply force = post(ts, &cert, "/api/v1/force-logout", nlohmann::json{{"ticket", e.force_logout_ticket}}.dump());
        REQUIRE(force.status == 200);
        api::ForceLogoutResponse out;
        REQUIRE(api::parse_force_logout_response(force.json, out, error));
        CHECK(out.ended_session_login_time == ts.now - 10);

        Reply old = session_get(ts, &cert, first);
        CHECK(old.status == 401);
        CHECK(old.error() == "session_expired");

        // The ticket from force-logout needs the password again.
        Reply again = login(ts, cert, out.ticket, kPassword);
        CHECK(again.status == 200);

        // The force-logout ticket was single use.
        Reply replay = post(ts, &cert, "/api/v1/force-logout", nlohmann::json{{"ticket", e.force_logout_ticket}}.dump());
        CHECK(replay.error() == "ticket_invalid");

        Transaction tx(ts.store);
        bool audited = false;
        for (const AuditRecord& a : audit_list(tx, "yamada01", 20))
            audited = audited || (a.event == "force_logout" && a.result == "success");
        CHECK(audited);
    }
    SECTION("tickets cannot stand in for each other")
    {
        CHECK(login(ts, cert, e.force_logout_ticket, kPassword).error() == "ticket_invalid");
        std::string login_ticket = identify_ticket(ts, cert);
        CHECK(post(ts, &cert, "/api/v1/force-logout", nlohmann::json{{"ticket", login_ticket}}.dump()).error()
              == "ticket_invalid");
    }
    SECTION("another certificate cannot use the force-logout ticket")
    {
        ClientCert second = add_cert(ts, "yamada01");
        CHECK(post(ts, &second, "/api/v1/force-logout", nlohmann::json{{"ticket", e.force_logout_ticket}}.dump()).error()
              == "ticket_invalid");
        CHECK(session_get(ts, &cert, first).status == 200);
    }
}

TEST_CASE("two logins at once end with exactly one session")
{
    TestServer ts;
    ClientCert a = add_user(ts, "yamada01", kPassword);
    ClientCert b = add_cert(ts, "yamada01");   // the same user on a second PC
    for (int round = 0; round < 4; round++) {
        std::string ticket_a = identify_ticket(ts, a);
        std::string ticket_b = identify_ticket(ts, b);
        Reply ra, rb;
        std::thread ta([&] { ra = login(ts, a, ticket_a, kPassword); });
        std::thread tb([&] { rb = login(ts, b, ticket_b, kPassword); });
        ta.join();
        tb.join();
        CAPTURE(round, ra.body, rb.body);
        CHECK(((ra.status == 200 && rb.error() == "session_active") || (rb.status == 200 && ra.error() == "session_active")));

        Transaction tx(ts.store);
        int active = 0;
        for (const SessionRecord& s : sessions_active(tx))
            active += s.user_id == "yamada01";
        CHECK(active == 1);
        for (const SessionRecord& s : sessions_active(tx))
            session_end(tx, s.digest, ts.now, "test");
        tx.commit();
    }
}

TEST_CASE("a session ends after the idle timeout unless kept alive")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    Session s = login_ok(ts, cert, kPassword);

    ts.now += 599;
    Reply keep = session_post(ts, &cert, s, "/api/v1/keepalive");
    REQUIRE(keep.status == 200);
    CHECK(keep.json["idle_expires_at"] == ts.now + 600);

    ts.now += 599;
    CHECK(session_get(ts, &cert, s).status == 200);
    // Reading the session is not activity: it does not move the idle expiry.
    ts.now += 1;
    Reply expired = session_get(ts, &cert, s);
    CHECK(expired.status == 401);
    CHECK(expired.error() == "session_expired");

    // An expired session does not block the next login.
    CHECK(login(ts, cert, identify_ticket(ts, cert), kPassword).status == 200);
}

TEST_CASE("a session ends at the absolute timeout whatever the activity")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    int64_t login_time = ts.now;
    Session s = login_ok(ts, cert, kPassword);
    for (int i = 0; i < 7; i++) {
        ts.now += 500;
        Reply keep = session_post(ts, &cert, s, "/api/v1/keepalive");
        REQUIRE(keep.status == 200);
        CHECK(keep.json["absolute_expires_at"] == login_time + 3600);
        CHECK(keep.json["idle_expires_at"] <= login_time + 3600);
    }
    ts.now = login_time + 3600;
    CHECK(session_post(ts, &cert, s, "/api/v1/keepalive").error() == "session_expired");
}

TEST_CASE("timeouts are configurable")
{
    TestOptions options;
    options.api.idle_timeout = 60;
    options.api.absolute_timeout = 120;
    TestServer ts(options);
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    Session s = login_ok(ts, cert, kPassword);
    Reply info = session_get(ts, &cert, s);
    CHECK(info.json["idle_timeout_seconds"] == 60);
    CHECK(info.json["absolute_timeout_seconds"] == 120);
    ts.now += 60;
    CHECK(session_get(ts, &cert, s).error() == "session_expired");
}

TEST_CASE("the sweep ends expired sessions and records it")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    login_ok(ts, cert, kPassword);
    ts.now += 601;
    api_sweep(ts.api);
    Transaction tx(ts.store);
    CHECK(sessions_active(tx).empty());
    std::vector<AuditRecord> log = audit_list(tx, "yamada01", 1);
    REQUIRE(log.size() == 1);
    CHECK(log[0].event == "session_expired");
}

TEST_CASE("sweeps running at once end each expired session once")
{
    TestServer ts;
    constexpr int kUsers = 8;
    for (int i = 0; i < kUsers; i++) {
        std::string id = "user0" + std::to_string(i);
        ClientCert cert = add_user(ts, id, kPassword);
        login_ok(ts, cert, kPassword);
    }
    ts.now += 601;
    // Every instance of a cluster sweeps; here four sweeps race on one store.
    std::vector<std::thread> sweeps;
    for (int i = 0; i < 4; i++)
        sweeps.emplace_back([&] { api_sweep(ts.api); });
    for (std::thread& t : sweeps)
        t.join();
    Transaction tx(ts.store);
    CHECK(sessions_active(tx).empty());
    int expired = 0;
    for (const AuditRecord& a : audit_list(tx, "", 1000))
        expired += a.event == "session_expired";
    CHECK(expired == kUsers);
}

TEST_CASE("every POST on a session needs the CSRF header")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    Session s = login_ok(ts, cert, kPassword);

    Reply missing = session_post(ts, &cert, s, "/api/v1/keepalive", false);
    CHECK(missing.status == 403);
    CHECK(missing.error() == "csrf");
    Session wrong = s;
    wrong.csrf = "not-the-token";
    CHECK(session_post(ts, &cert, wrong, "/api/v1/keepalive").error() == "csrf");
    CHECK(session_post(ts, &cert, wrong, "/api/v1/logout").error() == "csrf");
    CHECK(session_get(ts, &cert, s).status == 200);   // not logged out by the forged request
    CHECK(session_post(ts, &cert, s, "/api/v1/keepalive").status == 200);
}

TEST_CASE("a session answers only the certificate that created it")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    ClientCert second = add_cert(ts, "yamada01");
    ClientCert other = add_user(ts, "suzuki02", kPassword);
    Session s = login_ok(ts, cert, kPassword);

    CHECK(session_get(ts, &second, s).error() == "cert_mismatch");
    CHECK(session_get(ts, &other, s).error() == "cert_mismatch");
    CHECK(session_post(ts, &other, s, "/api/v1/logout").error() == "cert_mismatch");
    Reply none = session_get(ts, nullptr, s);
    CHECK(none.status == 401);
    CHECK(none.error() == "no_certificate");
    CHECK(session_get(ts, &cert, s).status == 200);
}

TEST_CASE("revoking the certificate ends the session on its next request")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    Session s = login_ok(ts, cert, kPassword);
    {
        Transaction tx(ts.store);
        serial_revoke(tx, cert.serial, ts.now, "lost");
        tx.commit();
    }
    CHECK(session_get(ts, &cert, s).error() == "cert_revoked");
    Transaction tx(ts.store);
    CHECK(sessions_active(tx).empty());
}

TEST_CASE("logout ends the session and clears the cookie")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    Session s = login_ok(ts, cert, kPassword);
    Reply out = session_post(ts, &cert, s, "/api/v1/logout");
    REQUIRE(out.status == 200);
    CHECK(out.json["logged_out"] == true);
    CHECK(out.header("set-cookie").find("Max-Age=0") != std::string::npos);
    CHECK(session_get(ts, &cert, s).error() == "not_logged_in");
    CHECK(login(ts, cert, identify_ticket(ts, cert), kPassword).status == 200);
}

TEST_CASE("requests without a session cookie are not logged in")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    CHECK(get(ts, &cert, "/api/v1/session").error() == "not_logged_in");
    Session forged{"__Host-ibg_session=forged", "x"};
    CHECK(session_get(ts, &cert, forged).error() == "not_logged_in");
    CHECK(session_post(ts, &cert, forged, "/api/v1/keepalive").error() == "not_logged_in");
}

TEST_CASE("a restart keeps users, sessions and the audit log")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    Session s = login_ok(ts, cert, kPassword);
    login(ts, cert, identify_ticket(ts, cert), "wrong");   // counts even while a session is active
    size_t audit_before = 0;
    {
        Transaction tx(ts.store);
        audit_before = audit_list(tx, "", 1000).size();
        tx.commit();
    }
    ts.restart();
    CHECK(session_get(ts, &cert, s).status == 200);
    Transaction tx(ts.store);
    CHECK(audit_list(tx, "", 1000).size() == audit_before);
    UserRecord u;
    REQUIRE(user_find(tx, "yamada01", u));
    CHECK(u.failed_count == 1);
}

TEST_CASE("an operator can end a customer's session")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    Session s = login_ok(ts, cert, kPassword);
    CHECK(operator_session_end(ts.store, "yamada01", ts.now));
    CHECK(session_get(ts, &cert, s).error() == "session_expired");
    CHECK_FALSE(operator_session_end(ts.store, "yamada01", ts.now));
    CHECK(login(ts, cert, identify_ticket(ts, cert), kPassword).status == 200);
}
