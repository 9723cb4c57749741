// login: password check, lockout and unlock, tickets.
#include "harness.h"

#include <catch_amalgamated.hpp>

#include <algorithm>
#include <functional>
#include <thread>
#include <vector>

static const std::string kPassword = "correct horse";

TEST_CASE("login with the right password creates a session")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    Reply r = login(ts, cert, identify_ticket(ts, cert), kPassword);
    REQUIRE(r.status == 200);

    api::LoginResponse out;
    std::string error;
    REQUIRE(api::parse_login_response(r.json, out, error));
    CHECK(out.session.user_id == "yamada01");
    CHECK(out.session.company_name == "株式会社テスト");
    CHECK(out.session.login_time == ts.now);
    CHECK(out.session.idle_expires_at == ts.now + 600);
    CHECK(out.session.absolute_expires_at == ts.now + 3600);
    CHECK_FALSE(out.session.previous_login.has_value());
    REQUIRE(out.session.recent_logins.size() == 1);
    CHECK(out.session.recent_logins[0].result == api::LoginResult::Success);
    CHECK(out.session.recent_logins[0].source_address == "127.0.0.1");
    CHECK(out.csrf_token.size() >= 40);

    std::string cookie = r.header("set-cookie");
    CHECK(cookie.rfind("__Host-ibg_session=", 0) == 0);
    CHECK(cookie.find("; Path=/") != std::string::npos);
    CHECK(cookie.find("; Secure") != std::string::npos);
    CHECK(cookie.find("; HttpOnly") != std::string::npos);
    CHECK(cookie.find("; SameSite=Strict") != std::string::npos);
}

TEST_CASE("the second login shows the first as the previous login, and failures in the history")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    int64_t first = ts.now;
    Session s = login_ok(ts, cert, kPassword);
    REQUIRE(session_post(ts, &cert, s, "/api/v1/logout").status == 200);
    ts.now += 100;
    CHECK(login(ts, cert, identify_ticket(ts, cert), "wrong password").error() == "wrong_password");
    ts.now += 5;
    Reply r = login(ts, cert, identify_ticket(ts, cert), kPassword);
    REQUIRE(r.status == 200);
    api::LoginResponse out;
    std::string error;
    REQUIRE(api::parse_login_response(r.json, out, error));
    REQUIRE(out.session.previous_login.has_value());
    CHECK(out.session.previous_login->time == first);
    REQUIRE(out.session.recent_logins.size() == 3);
    CHECK(out.session.recent_logins[0].result == api::LoginResult::Success);
    CHECK(out.session.recent_logins[1].result == api::LoginResult::WrongPassword);
    CHECK(out.session.recent_logins[2].time == first);
}

TEST_CASE("wrong passwords count down, then lock; only an operator unlocks")
{
    TestServer ts;   // max_failures = 3
    ClientCert cert = add_user(ts, "yamada01", kPassword);

    Reply r1 = login(ts, cert, identify_ticket(ts, cert), "wrong one");
    CHECK(r1.status == 401);
    CHECK(r1.error() == "wrong_password");
    CHECK(r1.json["remaining_attempts"] == 2);
    Reply r2 = login(ts, cert, identify_ticket(ts, cert), "wrong two");
    CHECK(r2.json["remaining_attempts"] == 1);
    Reply r3 = login(ts, cert, identify_ticket(ts, cert), "wrong three");
    CHECK(r3.status == 423);
    CHECK(r3.error() == "locked");

    // Locked: even the right password is refused, and stays refused over time.
    CHECK(login(ts, cert, identify_ticket(ts, cert), kPassword).error() == "locked");
    ts.now += 24 * 3600;
    CHECK(login(ts, cert, identify_ticket(ts, cert), kPassword).error() == "locked");

    operator_user_unlock(ts.store, "yamada01", ts.now);
    CHECK(login(ts, cert, identify_ticket(ts, cert), kPassword).status == 200);

    Transaction tx(ts.store);
    UserRecord u;
    REQUIRE(user_find(tx, "yamada01", u));
    CHECK(u.failed_count == 0);
    CHECK(u.locked_at == 0);
}

TEST_CASE("a right password resets the count of wrong ones")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    CHECK(login(ts, cert, identify_ticket(ts, cert), "wrong").json["remaining_attempts"] == 2);
    CHECK(login(ts, cert, identify_ticket(ts, cert), "wrong").json["remaining_attempts"] == 1);
    Session s = login_ok(ts, cert, kPassword);
    REQUIRE(session_post(ts, &cert, s, "/api/v1/logout").status == 200);
    CHECK(login(ts, cert, identify_ticket(ts, cert), "wrong").json["remaining_attempts"] == 2);
}

// Each call on its own thread, all started before any is joined.
static std::vector<Reply> at_once(int n, const std::function<Reply(int)>& call)
{
    std::vector<Reply> replies(static_cast<size_t>(n));
    std::vector<std::thread> threads;
    for (int i = 0; i < n; i++)
        threads.emplace_back([&, i] { replies[static_cast<size_t>(i)] = call(i); });
    for (std::thread& t : threads)
        t.join();
    return replies;
}

TEST_CASE("racing wrong passwords are each counted and lock at exactly the limit")
{
    TestServer ts;   // max_failures = 3
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    constexpr int kRacers = 12;
    std::vector<std::string> tickets;
    for (int i = 0; i < kRacers; i++)
        tickets.push_back(identify_ticket(ts, cert));
    std::vector<Reply> replies = at_once(kRacers, [&](int i) { return login(ts, cert, tickets[static_cast<size_t>(i)], "wrong"); });

    int wrong = 0, locked = 0;
    std::vector<int> remaining;
    for (const Reply& r : replies) {
        CAPTURE(r.status, r.body);
        CHECK((r.error() == "wrong_password" || r.error() == "locked"));
        if (r.error() == "wrong_password") {
            wrong++;
            remaining.push_back(r.json["remaining_attempts"].get<int>());
        }
        locked += r.error() == "locked";
    }
    std::sort(remaining.begin(), remaining.end());
    CHECK(wrong == 2);
    CHECK(remaining == std::vector<int>{1, 2});
    CHECK(locked == kRacers - 2);

    Transaction tx(ts.store);
    UserRecord u;
    REQUIRE(user_find(tx, "yamada01", u));
    CHECK(u.failed_count == 3);
    CHECK(u.locked_at != 0);
    int counted = 0;
    for (const AuditRecord& a : audit_list(tx, "yamada01", 100))
        counted += a.event == "login" && a.detail.rfind("consecutive failures: ", 0) == 0;
    CHECK(counted == 3);
}

TEST_CASE("a ticket raced by many logins is taken once")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    std::string ticket = identify_ticket(ts, cert);
    std::vector<Reply> replies = at_once(10, [&](int) { return login(ts, cert, ticket, kPassword); });
    int ok = 0, invalid = 0;
    for (const Reply& r : replies) {
        CAPTURE(r.status, r.body);
        ok += r.status == 200;
        invalid += r.error() == "ticket_invalid";
    }
    CHECK(ok == 1);
    CHECK(invalid == 9);
}

TEST_CASE("a ticket is used once")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    std::string ticket = identify_ticket(ts, cert);
    CHECK(login(ts, cert, ticket, "wrong").error() == "wrong_password");
    Reply replay = login(ts, cert, ticket, kPassword);
    CHECK(replay.status == 401);
    CHECK(replay.error() == "ticket_invalid");
}

TEST_CASE("a ticket expires")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    std::string ticket = identify_ticket(ts, cert);
    ts.now += ts.api.config.ticket_lifetime;
    Reply r = login(ts, cert, ticket, kPassword);
    CHECK(r.status == 401);
    CHECK(r.error() == "ticket_expired");
    // And an expired ticket cannot be retried either.
    ts.now -= ts.api.config.ticket_lifetime;
    CHECK(login(ts, cert, ticket, kPassword).error() == "ticket_invalid");
}

TEST_CASE("a ticket is bound to the certificate it was made for")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    ClientCert second = add_cert(ts, "yamada01");
    ClientCert other_user = add_user(ts, "suzuki02", kPassword);
    std::string ticket = identify_ticket(ts, cert);
    CHECK(login(ts, second, ticket, kPassword).error() == "ticket_invalid");
    CHECK(login(ts, other_user, identify_ticket(ts, cert), kPassword).error() == "ticket_invalid");
    CHECK(login(ts, cert, "made-up-ticket", kPassword).error() == "ticket_invalid");
}

TEST_CASE("login needs the certificate too")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);
    std::string ticket = identify_ticket(ts, cert);
    nlohmann::json body = {{"ticket", ticket}, {"password", kPassword}};
    CHECK(post(ts, nullptr, "/api/v1/login", body.dump()).error() == "no_certificate");
}

TEST_CASE("passwords are stored as Argon2id hashes and checked at the same cost for unknown users")
{
    REQUIRE(secrets_init());
    std::string hash = password_hash("correct horse", HashCost::Test);
    CHECK(hash.rfind("$argon2id$", 0) == 0);
    CHECK(hash.find("correct horse") == std::string::npos);
    CHECK(password_hash("correct horse", HashCost::Test) != hash);   // salted

    PasswordChecker checker;
    REQUIRE(password_checker_init(checker, HashCost::Test));
    CHECK(password_check(checker, hash, "correct horse"));
    CHECK_FALSE(password_check(checker, hash, "correct horsE"));
    CHECK_FALSE(password_check(checker, hash, ""));
    // No stored hash (unknown user) or a damaged one: checked against the dummy hash, never true.
    CHECK_FALSE(password_check(checker, "", "correct horse"));
    CHECK_FALSE(password_check(checker, "$2y$10$notargon", "correct horse"));
    CHECK(checker.dummy_hash.rfind("$argon2id$", 0) == 0);

    // The cost is the one asked for (recorded in the hash).
    std::string moderate = password_hash("x", HashCost::Interactive);
    CHECK(moderate.find("m=65536") != std::string::npos);
}

TEST_CASE("the stored user record holds no password")
{
    TestServer ts;
    add_user(ts, "yamada01", kPassword);
    Transaction tx(ts.store);
    UserRecord u;
    REQUIRE(user_find(tx, "yamada01", u));
    CHECK(u.password_hash.find(kPassword) == std::string::npos);
    for (const AuditRecord& a : audit_list(tx, "", 100))
        CHECK(a.detail.find(kPassword) == std::string::npos);
}
