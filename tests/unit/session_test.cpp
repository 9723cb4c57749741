#include "core/session.h"

#include <catch_amalgamated.hpp>

#include <limits>

// The page clock starts at 1000 s; the server clock says 1_800_000_000 at that moment.
constexpr double kNow = 1000.0;
constexpr int64_t kServer = 1800000000;

static api::SessionInfo session_info(int64_t idle_left, int64_t absolute_left)
{
    api::SessionInfo info;
    info.user_id = "unga";
    info.user_name = "運河 太郎";
    info.company_name = "運河商事株式会社";
    info.server_time = kServer;
    info.idle_expires_at = kServer + idle_left;
    info.absolute_expires_at = kServer + absolute_left;
    return info;
}

static ClientSession logged_in(int64_t idle_left, int64_t absolute_left)
{
    ClientSession s;
    s.warning_seconds = 120;
    session_authenticated(s, session_info(idle_left, absolute_left), "csrf-token", kNow);
    return s;
}

TEST_CASE("the session moves anonymous, identified, authenticated, logged out")
{
    ClientSession s;
    CHECK(s.phase == SessionPhase::Anonymous);

    api::IdentifyResponse id;
    id.identity.user_id = "unga";
    id.identity.institution_code = "1399";
    id.ticket = "ticket-1";
    id.server_time = kServer;
    session_identified(s, id, kNow);
    CHECK(s.phase == SessionPhase::Identified);
    CHECK(s.ticket == "ticket-1");
    CHECK(certificate_name(s.identity) == "unga1399");

    session_authenticated(s, session_info(600, 3600), "csrf-token", kNow);
    CHECK(s.phase == SessionPhase::Authenticated);
    CHECK(s.ticket.empty());   // spent by the login
    CHECK(s.csrf_token == "csrf-token");
    CHECK(s.info.company_name == "運河商事株式会社");

    session_logged_out(s);
    CHECK(s.phase == SessionPhase::LoggedOut);
    CHECK(s.csrf_token.empty());
    CHECK(s.info.user_name.empty());
    CHECK(session_remaining_seconds(s, kNow) == 0);
}

TEST_CASE("expiring forgets the token and the customer's details")
{
    ClientSession s = logged_in(600, 3600);
    session_expired(s);
    CHECK(s.phase == SessionPhase::Expired);
    CHECK(s.csrf_token.empty());
    CHECK(s.info.company_name.empty());
}

TEST_CASE("reset keeps only the configured warning lead")
{
    ClientSession s = logged_in(600, 3600);
    s.warning_seconds = 300;
    session_reset(s);
    CHECK(s.phase == SessionPhase::Anonymous);
    CHECK(s.csrf_token.empty());
    CHECK(s.warning_seconds == 300);
}

TEST_CASE("remaining time counts down on the server's clock, whatever the PC's clock says")
{
    struct Row { double page_now; int remaining; };
    // Page clock 1000 = server 1_800_000_000; idle expiry 600 s later, absolute 3600 s later.
    const Row rows[] = {
        {1000.0, 600}, {1000.2, 600}, {1001.0, 599}, {1599.5, 1}, {1600.0, 0}, {2000.0, 0},
    };
    const ClientSession s = logged_in(600, 3600);
    for (const Row& row : rows) {
        CAPTURE(row.page_now);
        CHECK(session_remaining_seconds(s, row.page_now) == row.remaining);
        CHECK(session_over(s, row.page_now) == (row.remaining == 0));
    }
}

TEST_CASE("the earlier of idle and absolute expiry ends the session")
{
    const ClientSession s = logged_in(600, 300);
    CHECK(session_remaining_seconds(s, kNow) == 300);
    CHECK(session_over(s, kNow + 300));
}

TEST_CASE("the main screen warns before the timeout, and says whether extending helps")
{
    struct Row { int64_t idle_left; int64_t absolute_left; double after; SessionWarning warning; bool can_extend; };
    const Row rows[] = {
        {600, 3600, 0, SessionWarning::None, true},
        {600, 3600, 479, SessionWarning::None, true},      // 121 s left
        {600, 3600, 480, SessionWarning::Idle, true},      // 120 s left: warn
        {600, 3600, 599, SessionWarning::Idle, true},
        {600, 3600, 600, SessionWarning::None, false},     // over: the expired screen takes over
        {600, 650, 540, SessionWarning::Idle, true},       // idle ends first; extending gains 50 s
        {600, 500, 400, SessionWarning::Absolute, false},  // absolute ends first: nothing extends it
        {600, 600, 500, SessionWarning::Absolute, false},
    };
    for (const Row& row : rows) {
        CAPTURE(row.idle_left, row.absolute_left, row.after);
        const ClientSession s = logged_in(row.idle_left, row.absolute_left);
        CHECK(session_warning(s, kNow + row.after) == row.warning);
        CHECK(session_can_extend(s, kNow + row.after) == row.can_extend);
    }
}

TEST_CASE("nothing counts down without an authenticated session")
{
    ClientSession s;
    CHECK(session_warning(s, kNow) == SessionWarning::None);
    CHECK_FALSE(session_can_extend(s, kNow));
    CHECK_FALSE(session_over(s, kNow));
    CHECK(session_next_change(s, kNow) < 0);
}

TEST_CASE("a keepalive moves the idle expiry and re-syncs the clock")
{
    ClientSession s = logged_in(600, 3600);
    api::KeepaliveResponse k;
    k.server_time = kServer + 500;          // the server says 500 s passed...
    k.idle_expires_at = kServer + 1100;
    k.absolute_expires_at = kServer + 3600;
    session_extended(s, k, kNow + 490);     // ...while the page's clock counted 490
    CHECK(session_remaining_seconds(s, kNow + 490) == 600);
    CHECK(session_warning(s, kNow + 490) == SessionWarning::None);
}

TEST_CASE("another tab's extension only ever lengthens the session")
{
    ClientSession s = logged_in(600, 3600);
    session_extended_elsewhere(s, kServer + 900, kServer + 3600);
    CHECK(session_remaining_seconds(s, kNow) == 900);
    session_extended_elsewhere(s, kServer + 700, kServer + 3600);   // older message, arrived late
    CHECK(session_remaining_seconds(s, kNow) == 900);
    session_extended_elsewhere(s, std::numeric_limits<int64_t>::max(), api::kMaxTime + 1);   // no real time
    CHECK(s.idle_expires_at == kServer + 900);
    CHECK(s.absolute_expires_at == kServer + 3600);
    CHECK(session_remaining_seconds(s, kNow) == 900);

    ClientSession anonymous;
    session_extended_elsewhere(anonymous, kServer + 900, kServer + 3600);
    CHECK(anonymous.idle_expires_at == 0);
}

TEST_CASE("the countdown asks for a redraw exactly when its displayed second changes")
{
    const ClientSession s = logged_in(600, 3600);
    struct Row { double now; double next; };
    const Row rows[] = {{kNow, kNow + 1.0}, {kNow + 0.25, kNow + 1.0}, {kNow + 0.75, kNow + 1.0}, {kNow + 1.0, kNow + 2.0}};
    for (const Row& row : rows) {
        CAPTURE(row.now);
        const double next = session_next_change(s, row.now);
        CHECK(next == Catch::Approx(row.next));
        CHECK(session_remaining_seconds(s, next) == session_remaining_seconds(s, row.now) - 1);
    }
}

TEST_CASE("remaining time is shown as mm:ss, or h:mm:ss from an hour up")
{
    struct Row { int seconds; const char* text; };
    const Row rows[] = {{0, "00:00"}, {1, "00:01"}, {59, "00:59"}, {60, "01:00"}, {599, "09:59"},
                        {3599, "59:59"}, {3600, "1:00:00"}, {3723, "1:02:03"}, {-5, "00:00"}};
    for (const Row& row : rows) {
        CAPTURE(row.seconds);
        CHECK(format_remaining(row.seconds) == row.text);
    }
}

TEST_CASE("times are shown in Japan Standard Time whatever the PC's time zone")
{
    struct Row { int64_t unix_seconds; const char* text; };
    const Row rows[] = {
        {0, "1970/01/01 09:00:00"},
        {1700000000, "2023/11/15 07:13:20"},
        {1709218800, "2024/03/01 00:00:00"},   // after 29 February of a leap year
        {1709132400, "2024/02/29 00:00:00"},
        {1735657200, "2025/01/01 00:00:00"},   // 2024-12-31 15:00 UTC
        {-32400, "1970/01/01 00:00:00"},
        {-32401, "1969/12/31 23:59:59"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.unix_seconds);
        CHECK(format_jst(row.unix_seconds) == row.text);
        CHECK(format_jst_date(row.unix_seconds) == std::string(row.text).substr(0, 10));
    }
}

TEST_CASE("the password screen warns when the certificate expires within the warning period")
{
    struct Row { double days_left; int shown_days; bool warn; };
    const Row rows[] = {{90, 90, false}, {30.5, 30, false}, {29.9, 29, true}, {1, 1, true}, {0.5, 0, true}};
    for (const Row& row : rows) {
        CAPTURE(row.days_left);
        ClientSession s;
        api::IdentifyResponse id;
        id.server_time = kServer;
        id.identity.not_after = kServer + static_cast<int64_t>(row.days_left * 86400);
        session_identified(s, id, kNow);
        CHECK(certificate_days_left(s.identity, session_server_now(s, kNow)) == row.shown_days);
        CHECK(certificate_expires_soon(s, kNow, 30) == row.warn);
    }
}

TEST_CASE("the warning follows the server's renewal window when the server names it")
{
    // The server opens renewal 20 days before expiry while the page's own setting says 30: the
    // warning (which points to 電子証明書を更新) appears exactly when that button does.
    struct Row { double days_left; bool warn; };
    const Row rows[] = {{25, false}, {20.01, false}, {20, true}, {19.5, true}, {1, true}};
    for (const Row& row : rows) {
        CAPTURE(row.days_left);
        ClientSession s;
        api::IdentifyResponse id;
        id.server_time = kServer;
        id.identity.not_after = kServer + static_cast<int64_t>(row.days_left * 86400);
        id.renewal_opens_at = id.identity.not_after - 20 * 86400;
        session_identified(s, id, kNow);
        CHECK(certificate_expires_soon(s, kNow, 30) == row.warn);
    }
}

// Hostile or broken times: the protocol refuses them on arrival (api::kMinTime..kMaxTime), but
// each function must still give a defined, saturated answer for any int64.
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int kIntMax = std::numeric_limits<int>::max();
constexpr int kIntMin = std::numeric_limits<int>::min();

TEST_CASE("remaining time saturates for expiry and server times at the ends of int64")
{
    struct Row { int64_t server_time; int64_t idle_expires_at; int64_t absolute_expires_at; int remaining; };
    const Row rows[] = {
        {kServer, kInt64Max, kInt64Max, kIntMax},
        {kServer, kInt64Max, kServer + 600, 600},
        {kServer, kInt64Min, kInt64Max, 0},
        {kServer, kInt64Min, kInt64Min, 0},
        {kInt64Min, kInt64Max, kInt64Max, kIntMax},
        {kInt64Max, kInt64Min, kInt64Min, 0},
        {kInt64Max, 0, 0, 0},
        {0, 0, 0, 0},
        {api::kMinTime, api::kMaxTime, api::kMaxTime, kIntMax},
        {kServer, kServer + kIntMax, kServer + kIntMax, kIntMax},
        {kServer, kServer + kIntMax - 1, kInt64Max, kIntMax - 1},
    };
    for (const Row& row : rows) {
        CAPTURE(row.server_time, row.idle_expires_at, row.absolute_expires_at);
        api::SessionInfo info;
        info.server_time = row.server_time;
        info.idle_expires_at = row.idle_expires_at;
        info.absolute_expires_at = row.absolute_expires_at;
        ClientSession s;
        session_authenticated(s, info, "csrf-token", kNow);
        CHECK(session_remaining_seconds(s, kNow) == row.remaining);
        CHECK(session_over(s, kNow) == (row.remaining == 0));
        CHECK(session_next_change(s, kNow) >= kNow);
    }
    CHECK(format_remaining(kIntMax) == "596523:14:07");
}

TEST_CASE("dates far outside the calendar are still printed, never wrapped")
{
    struct Row { int64_t unix_seconds; const char* text; };
    const Row rows[] = {
        {kInt64Max, "292277026596/12/04 15:30:07"},             // +9 h saturates at the last second
        {kInt64Max - 9 * 3600, "292277026596/12/04 15:30:07"},
        {kInt64Max - 9 * 3600 - 1, "292277026596/12/04 15:30:06"},
        {kInt64Min, "-292277022657/01/27 17:29:52"},
        {api::kMaxTime, "10000/01/01 08:59:59"},                // 9999-12-31 23:59:59 UTC
        {api::kMinTime, "1970/01/01 09:00:00"},
        {-1, "1970/01/01 08:59:59"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.unix_seconds);
        CHECK(format_jst(row.unix_seconds) == row.text);
        const std::string text = row.text;
        CHECK(format_jst_date(row.unix_seconds) == text.substr(0, text.find(' ')));
    }
}

TEST_CASE("certificate days left saturate for validity and server times at the ends of int64")
{
    struct Row { int64_t not_after; double server_now; int days; };
    const Row rows[] = {
        {kInt64Max, static_cast<double>(kInt64Min), kIntMax},
        {kInt64Max, 0.0, kIntMax},
        {kInt64Min, static_cast<double>(kInt64Max), kIntMin},
        {kInt64Min, 0.0, kIntMin},
        {0, 0.0, 0},
        {api::kMaxTime, static_cast<double>(api::kMinTime), 2932896},
        {api::kMinTime, static_cast<double>(api::kMaxTime), -2932897},
        {0, std::numeric_limits<double>::quiet_NaN(), 0},
    };
    for (const Row& row : rows) {
        CAPTURE(row.not_after, row.server_now);
        api::CertificateIdentity identity;
        identity.not_after = row.not_after;
        CHECK(certificate_days_left(identity, row.server_now) == row.days);
    }

    // Reached from the password screen through an identify reply with server_time = INT64_MIN.
    ClientSession s;
    api::IdentifyResponse id;
    id.identity.not_after = 1790000000;
    id.server_time = kInt64Min;
    session_identified(s, id, kNow);
    CHECK(certificate_days_left(s.identity, session_server_now(s, kNow)) == kIntMax);
    CHECK_FALSE(certificate_expires_soon(s, kNow, 30));
}
