// The authentication API's decisions (server/rules.h), table by table: no TLS, no database.
#include "server/rules.h"

#include <catch_amalgamated.hpp>

using api::ErrorCode;

namespace {

constexpr int64_t kNow = 1'800'000'000;
const std::string kFingerprint = "ab12";
const std::string kOtherFingerprint = "cd34";

CertVerdict good_verdict()
{
    CertVerdict v;
    v.ok = true;
    return v;
}

CertVerdict bad_verdict(ErrorCode code, const char* detail)
{
    CertVerdict v;
    v.ok = false;
    v.code = code;
    v.detail = detail;
    return v;
}

CertFacts facts_of(const std::string& user_id)
{
    CertFacts f;
    f.user_id = user_id;
    f.fingerprint = kFingerprint;
    f.serial = "0A";
    return f;
}

CertRecord cert_of(const std::string& user_id, int64_t revoked_at = 0)
{
    CertRecord c;
    c.fingerprint = kFingerprint;
    c.user_id = user_id;
    c.revoked_at = revoked_at;
    return c;
}

UserRecord user_of(const std::string& user_id, int failed = 0, int64_t locked_at = 0)
{
    UserRecord u;
    u.user_id = user_id;
    u.failed_count = failed;
    u.locked_at = locked_at;
    return u;
}

SessionRecord session_of(int64_t login_time, int64_t last_seen, int64_t ended_at = 0, const char* reason = "")
{
    SessionRecord s;
    s.digest = "d";
    s.user_id = "yamada01";
    s.fingerprint = kFingerprint;
    s.source_address = "192.0.2.7";
    s.login_time = login_time;
    s.last_seen = last_seen;
    s.idle_timeout = 600;
    s.absolute_timeout = 3600;
    s.ended_at = ended_at;
    s.end_reason = reason;
    return s;
}

}   // namespace

TEST_CASE("every audit event and session end reason has one name that reads back")
{
    for (int i = 0; i < static_cast<int>(AuditEvent::Count); i++) {
        AuditEvent e = static_cast<AuditEvent>(i), back = AuditEvent::Count;
        CHECK(audit_event_from_name(audit_event_name(e), back));
        CHECK(back == e);
    }
    AuditEvent none;
    CHECK_FALSE(audit_event_from_name("logins", none));
    for (int i = 0; i < static_cast<int>(SessionEndReason::Count); i++) {
        SessionEndReason r = static_cast<SessionEndReason>(i);
        CHECK(session_end_reason_from_name(session_end_reason_name(r)) == r);
    }
    // The names the login history and older rows depend on.
    CHECK(std::string(audit_event_name(AuditEvent::Login)) == "login");
    CHECK(std::string(session_end_reason_name(SessionEndReason::Logout)) == "logout");
    CHECK(session_end_reason_from_name("cert_expired") == SessionEndReason::CertRefused);
}

TEST_CASE("identify: the certificate's own verdict, then the revoked table, then the registration")
{
    struct Row {
        const char* what;
        CertVerdict checked;
        bool serial_revoked;
        std::optional<CertRecord> cert;
        std::optional<UserRecord> user;
        bool ok;
        ErrorCode code;
    };
    const Row rows[] = {
        {"registered and good", good_verdict(), false, cert_of("yamada01"), user_of("yamada01"), true, ErrorCode::Internal},
        {"expired wins over everything", bad_verdict(ErrorCode::CertExpired, "past notAfter"), true, std::nullopt,
         std::nullopt, false, ErrorCode::CertExpired},
        {"serial in the revoked table", good_verdict(), true, cert_of("yamada01"), user_of("yamada01"), false,
         ErrorCode::CertRevoked},
        {"not registered", good_verdict(), false, std::nullopt, std::nullopt, false, ErrorCode::CertNotRegistered},
        {"registered to another user", good_verdict(), false, cert_of("suzuki02"), user_of("suzuki02"), false,
         ErrorCode::CertNotRegistered},
        {"registration revoked", good_verdict(), false, cert_of("yamada01", kNow - 10), user_of("yamada01"), false,
         ErrorCode::CertRevoked},
        {"user gone", good_verdict(), false, cert_of("yamada01"), std::nullopt, false, ErrorCode::CertNotRegistered},
        {"revocation cannot be checked", bad_verdict(ErrorCode::RevocationUnavailable, "CRL stale"), false,
         cert_of("yamada01"), user_of("yamada01"), false, ErrorCode::RevocationUnavailable},
    };
    for (const Row& row : rows) {
        INFO(row.what);
        Registration found{row.serial_revoked, row.cert, row.user};
        CertVerdict v = decide_identify(row.checked, facts_of("yamada01"), found);
        CHECK(v.ok == row.ok);
        if (!row.ok)
            CHECK(v.code == row.code);
    }
    CHECK(refusal_of(bad_verdict(ErrorCode::CertExpired, "past notAfter")).detail == "past notAfter");
}

TEST_CASE("tickets: any misuse is invalid, a good one past its time expired")
{
    TicketRecord login;
    login.kind = TicketKind::Login;
    login.user_id = "yamada01";
    login.fingerprint = kFingerprint;
    login.expires_at = kNow + 300;
    TicketRecord used = login;
    used.used_at = kNow - 1;
    TicketRecord force = login;
    force.kind = TicketKind::ForceLogout;
    TicketRecord other_cert = login;
    other_cert.fingerprint = kOtherFingerprint;
    TicketRecord other_user = login;
    other_user.user_id = "suzuki02";

    struct Row {
        const char* what;
        std::optional<TicketRecord> found;
        int64_t now;
        std::optional<ErrorCode> refused;
    };
    const Row rows[] = {
        {"fresh", login, kNow, std::nullopt},
        {"last second", login, kNow + 299, std::nullopt},
        {"expired", login, kNow + 300, ErrorCode::TicketExpired},
        {"unknown", std::nullopt, kNow, ErrorCode::TicketInvalid},
        {"used before (a racing take won)", used, kNow, ErrorCode::TicketInvalid},
        {"used and expired: invalid first", used, kNow + 400, ErrorCode::TicketInvalid},
        {"other kind", force, kNow, ErrorCode::TicketInvalid},
        {"other certificate", other_cert, kNow, ErrorCode::TicketInvalid},
        {"other user", other_user, kNow, ErrorCode::TicketInvalid},
    };
    for (const Row& row : rows) {
        INFO(row.what);
        std::optional<Refusal> no = decide_ticket(row.found, TicketKind::Login, "yamada01", kFingerprint, row.now);
        REQUIRE(no.has_value() == row.refused.has_value());
        if (no)
            CHECK(no->code == *row.refused);
    }
    CHECK(decide_ticket(std::nullopt, TicketKind::ForceLogout, "yamada01", kFingerprint, kNow)->message
          == "the force-logout ticket cannot be used; log in again");
}

TEST_CASE("login: the lock, the password and the failure count")
{
    CHECK_FALSE(decide_locked(user_of("yamada01", 3)).has_value());
    CHECK(decide_locked(user_of("yamada01", 6, kNow))->code == ErrorCode::Locked);

    struct PasswordRow {
        const char* what;
        UserRecord user;
        bool password_ok;
        PasswordStep step;
    };
    const PasswordRow password_rows[] = {
        {"right password", user_of("yamada01"), true, PasswordStep::Accept},
        {"right password after failures", user_of("yamada01", 5), true, PasswordStep::Accept},
        {"wrong password", user_of("yamada01", 2), false, PasswordStep::CountFailure},
        {"locked meanwhile, right password", user_of("yamada01", 6, kNow), true, PasswordStep::Refuse},
        {"locked meanwhile, wrong password", user_of("yamada01", 6, kNow), false, PasswordStep::Refuse},
    };
    for (const PasswordRow& row : password_rows) {
        INFO(row.what);
        PasswordDecision d = decide_password(row.user, row.password_ok);
        CHECK(d.step == row.step);
        if (d.step == PasswordStep::Refuse)
            CHECK(d.refusal.code == ErrorCode::Locked);
    }

    struct CountRow {
        const char* what;
        bool counted;
        UserRecord after;
        ErrorCode code;
        int remaining;
        const char* detail;
    };
    const CountRow count_rows[] = {
        {"first failure", true, user_of("yamada01", 1), ErrorCode::WrongPassword, 5, "consecutive failures: 1"},
        {"one before the limit", true, user_of("yamada01", 5), ErrorCode::WrongPassword, 1, "consecutive failures: 5"},
        {"the limit locks", true, user_of("yamada01", 6, kNow), ErrorCode::Locked, -1, "consecutive failures: 6"},
        {"already locked: nothing counted", false, user_of("yamada01"), ErrorCode::Locked, -1, ""},
    };
    for (const CountRow& row : count_rows) {
        INFO(row.what);
        Refusal r = decide_wrong_password(row.counted, row.after, 6);
        CHECK(r.code == row.code);
        CHECK(r.remaining_attempts == row.remaining);
        CHECK(r.detail == row.detail);
    }

    CHECK(decide_existing_session(std::nullopt, kNow) == ExistingSession::None);
    CHECK(decide_existing_session(session_of(kNow - 100, kNow - 100), kNow) == ExistingSession::Active);
    CHECK(decide_existing_session(session_of(kNow - 700, kNow - 600), kNow) == ExistingSession::Expired);
    CHECK(decide_existing_session(session_of(kNow - 3600, kNow - 1), kNow) == ExistingSession::Expired);
}

TEST_CASE("force-logout ends the active session and tells the login history")
{
    ForceLogoutDecision none = decide_force_logout(std::nullopt, kFingerprint);
    CHECK_FALSE(none.end_active);
    REQUIRE(none.audit.size() == 1);
    CHECK(none.audit[0] == AuditEntry{AuditEvent::ForceLogout, kAuditSuccess, kFingerprint, "no session was active"});

    ForceLogoutDecision one = decide_force_logout(session_of(kNow - 100, kNow - 50), kFingerprint);
    CHECK(one.end_active);
    REQUIRE(one.audit.size() == 2);
    CHECK(one.audit[0]
          == AuditEntry{AuditEvent::ForceLogout, kAuditSuccess, kFingerprint, "ended the session from 192.0.2.7"});
    CHECK(one.audit[1] == AuditEntry{AuditEvent::Login, "forced_logout", kFingerprint, ""});
    CHECK(api::login_result_from_name(one.audit[1].result) == api::LoginResult::ForcedLogout);
}

TEST_CASE("session requests: every check in order, then the action")
{
    const SessionRecord live = session_of(kNow - 100, kNow - 10);
    auto facts = [&](std::optional<SessionRecord> s) {
        SessionFacts f;
        f.cookie_sent = true;
        f.session = std::move(s);
        f.has_certificate = true;
        f.fingerprint = kFingerprint;
        f.certificate = good_verdict();
        f.csrf_ok = true;
        return f;
    };
    SessionFacts no_cookie = facts(live);
    no_cookie.cookie_sent = false;
    SessionFacts no_cert = facts(live);
    no_cert.has_certificate = false;
    SessionFacts other_cert = facts(live);
    other_cert.fingerprint = kOtherFingerprint;
    SessionFacts revoked = facts(live);
    revoked.certificate = bad_verdict(ErrorCode::CertRevoked, "on the CRL");
    SessionFacts expired_cert = facts(live);
    expired_cert.certificate = bad_verdict(ErrorCode::CertExpired, "past notAfter");
    SessionFacts unknown_revocation = facts(live);
    unknown_revocation.certificate = bad_verdict(ErrorCode::RevocationUnavailable, "CRL stale");
    SessionFacts bad_csrf = facts(live);
    bad_csrf.csrf_ok = false;

    using A = SessionAction;
    using R = SessionEndReason;
    struct Row {
        const char* what;
        SessionAction action;
        SessionFacts facts;
        SessionStep step;
        ErrorCode code;            // Refuse
        bool clear_cookie;
        std::optional<R> end;
        std::optional<AuditEvent> audited;
    };
    const std::optional<R> keep;
    const std::optional<AuditEvent> silent;
    const Row rows[] = {
        {"show", A::Show, facts(live), SessionStep::Perform, ErrorCode::Internal, false, keep, silent},
        {"keepalive", A::Keepalive, facts(live), SessionStep::Perform, ErrorCode::Internal, false, keep, silent},
        {"logout", A::Logout, facts(live), SessionStep::Perform, ErrorCode::Internal, true, R::Logout, AuditEvent::Logout},
        {"no cookie", A::Show, no_cookie, SessionStep::Refuse, ErrorCode::NotLoggedIn, false, keep, silent},
        {"unknown session", A::Show, facts(std::nullopt), SessionStep::Refuse, ErrorCode::NotLoggedIn, true, keep, silent},
        {"logged out before", A::Show, facts(session_of(kNow - 100, kNow - 10, kNow - 5, "logout")),
         SessionStep::Refuse, ErrorCode::NotLoggedIn, true, keep, silent},
        {"ended by a force-logout", A::Keepalive, facts(session_of(kNow - 100, kNow - 10, kNow - 5, "forced_logout")),
         SessionStep::Refuse, ErrorCode::SessionExpired, true, keep, silent},
        {"idle too long", A::Show, facts(session_of(kNow - 700, kNow - 600)), SessionStep::Refuse,
         ErrorCode::SessionExpired, true, R::Timeout, AuditEvent::SessionExpired},
        {"past the absolute timeout", A::Logout, facts(session_of(kNow - 3600, kNow - 1)), SessionStep::Refuse,
         ErrorCode::SessionExpired, true, R::Timeout, AuditEvent::SessionExpired},
        {"no certificate", A::Show, no_cert, SessionStep::Refuse, ErrorCode::NoCertificate, false, keep, silent},
        {"another certificate", A::Keepalive, other_cert, SessionStep::Refuse, ErrorCode::CertMismatch, false, keep,
         AuditEvent::Keepalive},
        {"certificate revoked meanwhile", A::Show, revoked, SessionStep::Refuse, ErrorCode::CertRevoked, true,
         R::CertRevoked, AuditEvent::Session},
        {"certificate expired meanwhile", A::Keepalive, expired_cert, SessionStep::Refuse, ErrorCode::CertExpired, true,
         R::CertRefused, AuditEvent::Keepalive},
        {"revocation unknown: refused, session kept", A::Show, unknown_revocation, SessionStep::Refuse,
         ErrorCode::RevocationUnavailable, false, keep, AuditEvent::Session},
        {"revocation unknown: logout still goes ahead", A::Logout, unknown_revocation, SessionStep::Perform,
         ErrorCode::Internal, true, R::Logout, AuditEvent::Logout},
        {"keepalive without CSRF", A::Keepalive, bad_csrf, SessionStep::Refuse, ErrorCode::Csrf, false, keep,
         AuditEvent::Keepalive},
        {"logout without CSRF", A::Logout, bad_csrf, SessionStep::Refuse, ErrorCode::Csrf, false, keep,
         AuditEvent::Logout},
        {"show needs no CSRF", A::Show, bad_csrf, SessionStep::Perform, ErrorCode::Internal, false, keep, silent},
    };
    for (const Row& row : rows) {
        INFO(row.what);
        SessionDecision d = decide_session_request(row.action, row.facts, kNow);
        CHECK(d.step == row.step);
        if (row.step == SessionStep::Refuse)
            CHECK(d.refusal.code == row.code);
        CHECK(d.clear_cookie == row.clear_cookie);
        CHECK(d.end == row.end);
        CHECK(d.audit.has_value() == row.audited.has_value());
        if (d.audit && row.audited)
            CHECK(d.audit->event == *row.audited);
    }
}
