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

// ---------------------------------------------------------------- certificates (取得 / 更新)
namespace {

CsrFacts good_csr()
{
    CsrFacts f;
    f.parsed = true;
    f.signature_ok = true;
    f.key = CsrKey::Rsa;
    f.key_bits = 2048;
    f.digest_ok = true;
    return f;
}

EnrollmentCodeRecord code_of(int failed = 0, int64_t locked_at = 0, int64_t used_at = 0, int64_t cancelled_at = 0,
                             int64_t expires_at = kNow + 86400)
{
    EnrollmentCodeRecord c;
    c.user_id = "yamada01";
    c.code_hash = "h";
    c.issued_at = kNow - 86400;
    c.expires_at = expires_at;
    c.failed_count = failed;
    c.locked_at = locked_at;
    c.used_at = used_at;
    c.cancelled_at = cancelled_at;
    return c;
}

CertRecord cert_with(const std::string& fingerprint, const std::string& replaces, int64_t revoked_at = 0,
                     const std::string& user_id = "yamada01")
{
    CertRecord c;
    c.fingerprint = fingerprint;
    c.user_id = user_id;
    c.serial = "S" + fingerprint;
    c.replaces = replaces;
    c.revoked_at = revoked_at;
    return c;
}

std::vector<std::string> fingerprints(const std::vector<CertRecord>& certs)
{
    std::vector<std::string> out;
    for (const CertRecord& c : certs)
        out.push_back(c.fingerprint);
    return out;
}

}   // namespace

TEST_CASE("certificate requests: proof of possession, a strong key and hash, no other subject")
{
    struct Row {
        const char* what;
        CsrFacts csr;
        std::optional<ErrorCode> code;
    };
    const auto with = [](auto change) {
        CsrFacts f = good_csr();
        change(f);
        return f;
    };
    const Row rows[] = {
        {"RSA 2048, SHA-256, empty subject", good_csr(), std::nullopt},
        {"RSA 4096", with([](CsrFacts& f) { f.key_bits = 4096; }), std::nullopt},
        {"EC P-256", with([](CsrFacts& f) { f.key = CsrKey::EcP256; f.key_bits = 256; }), std::nullopt},
        {"the user's own CN", with([](CsrFacts& f) { f.subject_empty = false; f.common_name = "yamada011234"; }),
         std::nullopt},
        {"unreadable", CsrFacts{}, ErrorCode::CsrInvalid},
        {"signed by another key", with([](CsrFacts& f) { f.signature_ok = false; }), ErrorCode::CsrInvalid},
        {"RSA 1024", with([](CsrFacts& f) { f.key_bits = 1024; }), ErrorCode::CsrWeakKey},
        {"RSA 2047", with([](CsrFacts& f) { f.key_bits = 2047; }), ErrorCode::CsrWeakKey},
        {"RSA 8192 (costs the server)", with([](CsrFacts& f) { f.key_bits = 8192; }), ErrorCode::CsrWeakKey},
        {"EC P-384", with([](CsrFacts& f) { f.key = CsrKey::EcOther; f.key_bits = 384; }), ErrorCode::CsrWeakKey},
        {"another key type", with([](CsrFacts& f) { f.key = CsrKey::Unknown; }), ErrorCode::CsrWeakKey},
        {"SHA-1 signature", with([](CsrFacts& f) { f.digest_ok = false; }), ErrorCode::CsrWeakKey},
        {"another user's CN", with([](CsrFacts& f) { f.subject_empty = false; f.common_name = "suzuki021234"; }),
         ErrorCode::CsrWrongSubject},
        {"this user at another institution",
         with([](CsrFacts& f) { f.subject_empty = false; f.common_name = "yamada019999"; }), ErrorCode::CsrWrongSubject},
        {"a subject without one CN", with([](CsrFacts& f) { f.subject_empty = false; }), ErrorCode::CsrWrongSubject},
    };
    for (const Row& row : rows) {
        INFO(row.what);
        std::optional<Refusal> r = decide_certification_request(row.csr, "yamada011234");
        CHECK(r.has_value() == row.code.has_value());
        if (r && row.code)
            CHECK(r->code == *row.code);
    }
}

TEST_CASE("enrollment codes: state, then the code, then used and expired, counted in the database")
{
    struct StateRow {
        const char* what;
        EnrollmentCodeRecord code;
        EnrollmentCodeState state;
    };
    const StateRow state_rows[] = {
        {"open", code_of(), EnrollmentCodeState::Open},
        {"open with wrong tries", code_of(4), EnrollmentCodeState::Open},
        {"expired", code_of(0, 0, 0, 0, kNow), EnrollmentCodeState::Expired},
        {"used", code_of(0, 0, kNow - 5), EnrollmentCodeState::Used},
        {"used and expired", code_of(0, 0, kNow - 5, 0, kNow - 1), EnrollmentCodeState::Used},
        {"locked", code_of(5, kNow - 5), EnrollmentCodeState::Locked},
        {"locked and expired", code_of(5, kNow - 5, 0, 0, kNow - 1), EnrollmentCodeState::Locked},
        {"cancelled", code_of(0, 0, 0, kNow - 5), EnrollmentCodeState::Cancelled},
        {"cancelled after locking", code_of(5, kNow - 9, 0, kNow - 5), EnrollmentCodeState::Cancelled},
    };
    for (const StateRow& row : state_rows) {
        INFO(row.what);
        CHECK(enrollment_code_state(row.code, kNow) == row.state);
    }
    for (int i = 0; i < static_cast<int>(EnrollmentCodeState::Count); i++)
        CHECK(std::string(enrollment_code_state_name(static_cast<EnrollmentCodeState>(i))) != "unknown");
    CHECK(std::string(enrollment_code_state_name(EnrollmentCodeState::Open)) == "open");

    struct Row {
        const char* what;
        std::optional<EnrollmentCodeRecord> code;
        bool code_ok;
        EnrollStep step;
        ErrorCode refusal;   // Refuse only
        int remaining;
    };
    const Row rows[] = {
        {"right code", code_of(), true, EnrollStep::Issue, ErrorCode::Internal, -1},
        {"right code after wrong tries", code_of(4), true, EnrollStep::Issue, ErrorCode::Internal, -1},
        {"wrong code", code_of(), false, EnrollStep::CountFailure, ErrorCode::Internal, -1},
        {"no code: like a wrong one, nothing to count", std::nullopt, false, EnrollStep::Refuse,
         ErrorCode::EnrollmentCodeWrong, 5},
        {"cancelled: like no code", code_of(0, 0, 0, kNow - 5), true, EnrollStep::Refuse, ErrorCode::EnrollmentCodeWrong, 5},
        {"locked, right code", code_of(5, kNow - 5), true, EnrollStep::Refuse, ErrorCode::EnrollmentLocked, -1},
        {"locked, wrong code", code_of(5, kNow - 5), false, EnrollStep::Refuse, ErrorCode::EnrollmentLocked, -1},
        {"used, right code", code_of(0, 0, kNow - 5), true, EnrollStep::Refuse, ErrorCode::EnrollmentCodeUsed, -1},
        {"used, wrong code: only the holder learns it is used", code_of(0, 0, kNow - 5), false, EnrollStep::CountFailure,
         ErrorCode::Internal, -1},
        {"expired, right code", code_of(0, 0, 0, 0, kNow), true, EnrollStep::Refuse, ErrorCode::EnrollmentCodeExpired, -1},
        {"expired, wrong code", code_of(0, 0, 0, 0, kNow), false, EnrollStep::CountFailure, ErrorCode::Internal, -1},
    };
    for (const Row& row : rows) {
        INFO(row.what);
        EnrollDecision d = decide_enrollment(row.code, row.code_ok, kNow, 5);
        CHECK(d.step == row.step);
        if (d.step == EnrollStep::Refuse) {
            CHECK(d.refusal.code == row.refusal);
            CHECK(d.refusal.remaining_attempts == row.remaining);
        }
    }

    struct CountRow {
        const char* what;
        bool counted;
        EnrollmentCodeRecord after;
        ErrorCode code;
        int remaining;
    };
    const CountRow count_rows[] = {
        {"first wrong try", true, code_of(1), ErrorCode::EnrollmentCodeWrong, 4},
        {"one before the limit", true, code_of(4), ErrorCode::EnrollmentCodeWrong, 1},
        {"the limit locks", true, code_of(5, kNow), ErrorCode::EnrollmentLocked, -1},
        {"no longer open: nothing counted", false, code_of(), ErrorCode::EnrollmentCodeWrong, 0},
    };
    for (const CountRow& row : count_rows) {
        INFO(row.what);
        Refusal r = decide_wrong_enrollment_code(row.counted, row.after, 5);
        CHECK(r.code == row.code);
        CHECK(r.remaining_attempts == row.remaining);
    }
}

TEST_CASE("renewal opens renewal_days before expiry; the first login with the successor supersedes the rest")
{
    const int64_t not_after = kNow + 40 * 86400;
    CHECK(renewal_opens_at(not_after, 30) == kNow + 10 * 86400);
    struct Row {
        const char* what;
        int64_t now;
        bool open;
    };
    const Row rows[] = {
        {"40 days before expiry", kNow, false},
        {"a second before the window", kNow + 10 * 86400 - 1, false},
        {"the window's first second", kNow + 10 * 86400, true},
        {"the last day", not_after - 1, true},
    };
    for (const Row& row : rows) {
        INFO(row.what);
        std::optional<Refusal> r = decide_renewal(not_after, row.now, 30);
        CHECK(r.has_value() == !row.open);
        if (r) {
            CHECK(r->code == ErrorCode::RenewalNotOpen);
            CHECK(r->renewal_opens_at == kNow + 10 * 86400);
        }
    }

    // A renewed by B1 (never used: its import failed) and again by B2; C is another PC's.
    const std::vector<CertRecord> certs = {
        cert_with("A", ""), cert_with("B1", "A"), cert_with("B2", "A"), cert_with("C", ""),
        cert_with("Z", "A", 0, "suzuki02"),   // another user's, however it got there
    };
    struct LoginRow {
        const char* what;
        CertRecord used;
        std::vector<std::string> superseded;
    };
    const LoginRow login_rows[] = {
        {"login with B2: A and the unused B1 go", certs[2], {"A", "B1"}},
        {"login with B1 (renewed first): A and B2 go", certs[1], {"A", "B2"}},
        {"login with A: nothing", certs[0], {}},
        {"login with an unrelated certificate: nothing", certs[3], {}},
    };
    for (const LoginRow& row : login_rows) {
        INFO(row.what);
        CHECK(fingerprints(superseded_at_login(row.used, certs)) == row.superseded);
    }
    // Already revoked ones are not listed again: the second login revokes nothing.
    const std::vector<CertRecord> after = {cert_with("A", "", kNow), cert_with("B1", "A", kNow), cert_with("B2", "A")};
    CHECK(superseded_at_login(after[2], after).empty());

    // Renewing A again (B2 now) revokes the unused B1 at once, never the new one or A itself.
    CHECK(fingerprints(superseded_at_renewal(certs[0], "B2", certs)) == std::vector<std::string>{"B1"});
    CHECK(superseded_at_renewal(certs[3], "D", certs).empty());
}
