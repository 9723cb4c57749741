#include "server/rules.h"

using api::ErrorCode;

// ---------------------------------------------------------------- names
// Indexed by the enums; the static_asserts keep each table as long as its enum.
static const char* const kAuditEventNames[] = {
    "identify", "login", "force_logout", "session", "keepalive", "logout", "session_expired", "operator",
    "forwarded_header_ignored", "enroll", "renew", "cert_superseded",
};
static_assert(sizeof(kAuditEventNames) / sizeof(kAuditEventNames[0]) == static_cast<size_t>(AuditEvent::Count),
              "kAuditEventNames must name every AuditEvent in order");

static const char* const kSessionEndReasonNames[] = {
    "logout", "timeout", "forced_logout", "ended_by_operator", "cert_revoked", "cert_refused",
};
static_assert(sizeof(kSessionEndReasonNames) / sizeof(kSessionEndReasonNames[0])
                  == static_cast<size_t>(SessionEndReason::Count),
              "kSessionEndReasonNames must name every SessionEndReason in order");

const char* audit_event_name(AuditEvent event)
{
    int i = static_cast<int>(event);
    return i >= 0 && i < static_cast<int>(AuditEvent::Count) ? kAuditEventNames[i] : "unknown";
}

bool audit_event_from_name(std::string_view name, AuditEvent& out)
{
    for (int i = 0; i < static_cast<int>(AuditEvent::Count); i++) {
        if (name == kAuditEventNames[i]) {
            out = static_cast<AuditEvent>(i);
            return true;
        }
    }
    return false;
}

const char* session_end_reason_name(SessionEndReason reason)
{
    int i = static_cast<int>(reason);
    return i >= 0 && i < static_cast<int>(SessionEndReason::Count) ? kSessionEndReasonNames[i] : "cert_refused";
}

SessionEndReason session_end_reason_from_name(std::string_view name)
{
    for (int i = 0; i < static_cast<int>(SessionEndReason::Count); i++)
        if (name == kSessionEndReasonNames[i])
            return static_cast<SessionEndReason>(i);
    return SessionEndReason::CertRefused;
}

bool operator==(const Refusal& a, const Refusal& b)
{
    return a.code == b.code && a.message == b.message && a.detail == b.detail
        && a.remaining_attempts == b.remaining_attempts && a.renewal_opens_at == b.renewal_opens_at;
}

bool operator==(const AuditEntry& a, const AuditEntry& b)
{
    return a.event == b.event && a.result == b.result && a.fingerprint == b.fingerprint && a.detail == b.detail;
}

static Refusal refuse(ErrorCode code, std::string message, std::string detail = std::string())
{
    Refusal r;
    r.code = code;
    r.message = std::move(message);
    r.detail = std::move(detail);
    return r;
}

// ---------------------------------------------------------------- identify
static CertVerdict refused(ErrorCode code, std::string detail)
{
    CertVerdict v;
    v.ok = false;
    v.code = code;
    v.detail = std::move(detail);
    return v;
}

CertVerdict decide_identify(const CertVerdict& checked, const CertFacts& facts, const Registration& found)
{
    if (!checked.ok)
        return checked;
    if (found.serial_revoked)
        return refused(ErrorCode::CertRevoked, "serial revoked by an operator");
    if (!found.cert || found.cert->user_id != facts.user_id)
        return refused(ErrorCode::CertNotRegistered, "fingerprint not registered to " + facts.user_id);
    if (found.cert->revoked_at != 0)
        return refused(ErrorCode::CertRevoked, "certificate revoked by an operator");
    if (!found.user)
        return refused(ErrorCode::CertNotRegistered, "no such user");
    CertVerdict ok;
    ok.ok = true;
    ok.code = ErrorCode::Internal;   // unused when ok
    return ok;
}

Refusal refusal_of(const CertVerdict& v)
{
    return refuse(v.code, v.detail, v.detail);
}

// ---------------------------------------------------------------- tickets
std::optional<Refusal> decide_ticket(const std::optional<TicketRecord>& found, TicketKind kind,
                                     const std::string& user_id, const std::string& fingerprint, int64_t now)
{
    const char* message = kind == TicketKind::Login ? "the login ticket cannot be used; identify again"
                                                    : "the force-logout ticket cannot be used; log in again";
    if (!found || found->used_at != 0 || found->kind != kind || found->fingerprint != fingerprint
        || found->user_id != user_id)
        return refuse(ErrorCode::TicketInvalid, message);
    if (now >= found->expires_at)
        return refuse(ErrorCode::TicketExpired, message);
    return std::nullopt;
}

Refusal account_locked()
{
    return refuse(ErrorCode::Locked, "account locked");
}

std::optional<Refusal> decide_locked(const UserRecord& user)
{
    if (user.locked_at != 0)
        return account_locked();
    return std::nullopt;
}

// ---------------------------------------------------------------- login
PasswordDecision decide_password(const UserRecord& user, bool password_ok)
{
    PasswordDecision d;
    if (user.locked_at != 0) {   // locked by a concurrent attempt or an operator meanwhile
        d.step = PasswordStep::Refuse;
        d.refusal = account_locked();
        return d;
    }
    d.step = password_ok ? PasswordStep::Accept : PasswordStep::CountFailure;
    return d;
}

Refusal decide_wrong_password(bool counted, const UserRecord& after, int max_failures)
{
    if (!counted)
        return account_locked();
    std::string detail = "consecutive failures: " + std::to_string(after.failed_count);
    if (after.locked_at != 0)
        return refuse(ErrorCode::Locked, "account locked after too many wrong passwords", detail);
    Refusal r = refuse(ErrorCode::WrongPassword, "wrong password", detail);
    r.remaining_attempts = std::max(0, max_failures - after.failed_count);
    return r;
}

ExistingSession decide_existing_session(const std::optional<SessionRecord>& active, int64_t now)
{
    if (!active)
        return ExistingSession::None;
    return session_expired_at(*active, now) ? ExistingSession::Expired : ExistingSession::Active;
}

// ---------------------------------------------------------------- force-logout
ForceLogoutDecision decide_force_logout(const std::optional<SessionRecord>& active, const std::string& fingerprint)
{
    ForceLogoutDecision d;
    if (!active) {
        d.audit.push_back(AuditEntry{AuditEvent::ForceLogout, kAuditSuccess, fingerprint, "no session was active"});
        return d;
    }
    d.end_active = true;
    d.audit.push_back(AuditEntry{AuditEvent::ForceLogout, kAuditSuccess, fingerprint,
                                 "ended the session from " + active->source_address});
    // In the login history, so the customer sees that a session was ended.
    d.audit.push_back(AuditEntry{AuditEvent::Login, api::login_result_name(api::LoginResult::ForcedLogout),
                                 fingerprint, std::string()});
    return d;
}

// ---------------------------------------------------------------- session, keepalive, logout
AuditEvent session_action_event(SessionAction action)
{
    switch (action) {
    case SessionAction::Show: return AuditEvent::Session;
    case SessionAction::Keepalive: return AuditEvent::Keepalive;
    case SessionAction::Logout: return AuditEvent::Logout;
    case SessionAction::Renew: return AuditEvent::Renew;
    }
    return AuditEvent::Session;
}

static SessionDecision refuse_session(Refusal refusal)
{
    SessionDecision d;
    d.step = SessionStep::Refuse;
    d.refusal = std::move(refusal);
    return d;
}

// The refusal with its audit record (event of the action, result the error code).
static SessionDecision refuse_audited(SessionAction action, Refusal refusal, const std::string& fingerprint)
{
    SessionDecision d = refuse_session(refusal);
    d.audit = AuditEntry{session_action_event(action), api::error_code_name(refusal.code), fingerprint, refusal.detail};
    return d;
}

SessionDecision decide_session_request(SessionAction action, const SessionFacts& f, int64_t now)
{
    if (!f.cookie_sent)
        return refuse_session(refuse(ErrorCode::NotLoggedIn, "no session cookie"));
    if (!f.session) {
        SessionDecision d = refuse_session(refuse(ErrorCode::NotLoggedIn, "unknown session"));
        d.clear_cookie = true;
        return d;
    }
    const SessionRecord& s = *f.session;
    if (s.ended_at != 0) {
        SessionEndReason why = session_end_reason_from_name(s.end_reason);
        SessionDecision d = why == SessionEndReason::Logout
            ? refuse_session(refuse(ErrorCode::NotLoggedIn, "logged out"))
            : refuse_session(refuse(ErrorCode::SessionExpired, std::string("session ended: ") + session_end_reason_name(why)));
        d.clear_cookie = true;
        return d;
    }
    if (session_expired_at(s, now)) {
        SessionDecision d = refuse_session(refuse(ErrorCode::SessionExpired, "session timed out"));
        d.clear_cookie = true;
        d.end = SessionEndReason::Timeout;
        d.audit = AuditEntry{AuditEvent::SessionExpired, kAuditSuccess, s.fingerprint, std::string()};
        return d;
    }

    // The same certificate as at login, and that certificate still good (revocation takes
    // effect on the running session).
    if (!f.has_certificate)
        return refuse_session(refuse(ErrorCode::NoCertificate, "no client certificate"));
    if (f.fingerprint != s.fingerprint)
        return refuse_audited(action, refuse(ErrorCode::CertMismatch, "the session belongs to another certificate"),
                              f.fingerprint);
    if (!f.certificate.ok) {
        // Revocation that cannot be checked now proves nothing against the session: the request
        // is refused but the session kept (the timeouts still end it), and logging out - which
        // only takes access away - still goes ahead.
        const bool revocation_unknown = f.certificate.code == ErrorCode::RevocationUnavailable;
        if (!revocation_unknown) {
            SessionDecision d = refuse_audited(action, refusal_of(f.certificate), f.fingerprint);
            d.clear_cookie = true;
            d.end = f.certificate.code == ErrorCode::CertRevoked ? SessionEndReason::CertRevoked
                                                                 : SessionEndReason::CertRefused;
            return d;
        }
        if (action != SessionAction::Logout)
            return refuse_audited(action, refusal_of(f.certificate), f.fingerprint);
    }

    if (action != SessionAction::Show && !f.csrf_ok)
        return refuse_audited(action, refuse(ErrorCode::Csrf, std::string("missing or wrong ") + api::kCsrfHeader),
                              f.fingerprint);

    SessionDecision d;
    d.step = SessionStep::Perform;
    if (action == SessionAction::Logout) {
        d.clear_cookie = true;
        d.end = SessionEndReason::Logout;
        d.audit = AuditEntry{AuditEvent::Logout, kAuditSuccess, f.fingerprint, std::string()};
    }
    return d;
}

// ---------------------------------------------------------------- certificate requests
std::optional<Refusal> decide_certification_request(const CsrFacts& csr, const std::string& expected_cn)
{
    if (!csr.parsed)
        return refuse(ErrorCode::CsrInvalid, "not a DER PKCS#10 certification request", "csr unreadable");
    if (!csr.signature_ok)
        return refuse(ErrorCode::CsrInvalid, "the request is not signed by the key it carries", "csr signature wrong");
    const bool rsa_ok = csr.key == CsrKey::Rsa && csr.key_bits >= kMinRsaBits && csr.key_bits <= kMaxRsaBits;
    if (!rsa_ok && csr.key != CsrKey::EcP256)
        return refuse(ErrorCode::CsrWeakKey, "the key must be RSA of 2048 to 4096 bits or EC P-256",
                      "csr key " + std::string(csr.key == CsrKey::Rsa ? "rsa " : "other ") + std::to_string(csr.key_bits));
    if (!csr.digest_ok)
        return refuse(ErrorCode::CsrWeakKey, "the request must be signed with SHA-256 or stronger", "csr digest weak");
    if (!csr.subject_empty && !csr.common_name.empty() && csr.common_name != expected_cn)
        return refuse(ErrorCode::CsrWrongSubject, "the request names another subject",
                      "csr names " + csr.common_name.substr(0, 64));
    if (!csr.subject_empty && csr.common_name.empty())
        return refuse(ErrorCode::CsrWrongSubject, "the request's subject must be empty or name this user only",
                      "csr subject without one CN");
    return std::nullopt;
}

// ---------------------------------------------------------------- enrollment
static Refusal wrong_enrollment_code(int remaining, std::string detail)
{
    Refusal r = refuse(ErrorCode::EnrollmentCodeWrong, "wrong user ID or enrollment code", std::move(detail));
    r.remaining_attempts = std::max(0, remaining);
    return r;
}

Refusal enrollment_code_used()
{
    return refuse(ErrorCode::EnrollmentCodeUsed, "enrollment code already used");
}

EnrollmentCodeState enrollment_code_state(const EnrollmentCodeRecord& code, int64_t now)
{
    if (code.cancelled_at != 0)
        return EnrollmentCodeState::Cancelled;
    if (code.locked_at != 0)
        return EnrollmentCodeState::Locked;
    if (code.used_at != 0)
        return EnrollmentCodeState::Used;
    if (now >= code.expires_at)
        return EnrollmentCodeState::Expired;
    return EnrollmentCodeState::Open;
}

static const char* const kEnrollmentCodeStateNames[] = {"open", "used", "expired", "locked", "cancelled"};
static_assert(sizeof(kEnrollmentCodeStateNames) / sizeof(kEnrollmentCodeStateNames[0])
                  == static_cast<size_t>(EnrollmentCodeState::Count),
              "kEnrollmentCodeStateNames must name every EnrollmentCodeState in order");

const char* enrollment_code_state_name(EnrollmentCodeState state)
{
    int i = static_cast<int>(state);
    return i >= 0 && i < static_cast<int>(EnrollmentCodeState::Count) ? kEnrollmentCodeStateNames[i] : "unknown";
}

EnrollDecision decide_enrollment(const std::optional<EnrollmentCodeRecord>& code, bool code_ok, int64_t now,
                                 int max_failures)
{
    EnrollDecision d;
    d.step = EnrollStep::Refuse;
    const EnrollmentCodeState state = code ? enrollment_code_state(*code, now) : EnrollmentCodeState::Cancelled;
    if (state == EnrollmentCodeState::Cancelled) {
        d.refusal = wrong_enrollment_code(max_failures, code ? "code cancelled" : "no code issued");
        return d;
    }
    if (state == EnrollmentCodeState::Locked) {
        d.refusal = refuse(ErrorCode::EnrollmentLocked, "enrollment code locked after too many wrong tries");
        return d;
    }
    // Only the code's holder learns that it is used or expired.
    if (!code_ok) {
        d.step = EnrollStep::CountFailure;
        return d;
    }
    switch (state) {
    case EnrollmentCodeState::Used:
        d.refusal = enrollment_code_used();
        return d;
    case EnrollmentCodeState::Expired:
        d.refusal = refuse(ErrorCode::EnrollmentCodeExpired, "enrollment code expired");
        return d;
    default:
        d.step = EnrollStep::Issue;
        return d;
    }
}

Refusal decide_wrong_enrollment_code(bool counted, const EnrollmentCodeRecord& after, int max_failures)
{
    if (!counted)   // locked, used or cancelled by a racing request or an operator meanwhile
        return wrong_enrollment_code(0, "code no longer open");
    std::string detail = "wrong tries: " + std::to_string(after.failed_count);
    if (after.locked_at != 0)
        return refuse(ErrorCode::EnrollmentLocked, "enrollment code locked after too many wrong tries", detail);
    return wrong_enrollment_code(max_failures - after.failed_count, detail);
}

// ---------------------------------------------------------------- renewal
int64_t renewal_opens_at(int64_t not_after, int renewal_days)
{
    return not_after - int64_t{renewal_days} * 86400;
}

std::optional<Refusal> decide_renewal(int64_t not_after, int64_t now, int renewal_days)
{
    const int64_t opens = renewal_opens_at(not_after, renewal_days);
    if (now >= opens)
        return std::nullopt;
    Refusal r = refuse(ErrorCode::RenewalNotOpen, "renewal opens " + std::to_string(renewal_days) + " days before expiry");
    r.renewal_opens_at = opens;
    return r;
}

std::vector<CertRecord> superseded_at_login(const CertRecord& used, const std::vector<CertRecord>& certs)
{
    std::vector<CertRecord> out;
    if (used.replaces.empty())
        return out;
    for (const CertRecord& c : certs) {
        if (c.fingerprint == used.fingerprint || c.revoked_at != 0 || c.user_id != used.user_id)
            continue;
        if (c.fingerprint == used.replaces || c.replaces == used.replaces)
            out.push_back(c);
    }
    return out;
}

std::vector<CertRecord> superseded_at_renewal(const CertRecord& renewed, const std::string& issued_fingerprint,
                                              const std::vector<CertRecord>& certs)
{
    std::vector<CertRecord> out;
    for (const CertRecord& c : certs)
        if (c.replaces == renewed.fingerprint && c.fingerprint != issued_fingerprint && c.revoked_at == 0
            && c.user_id == renewed.user_id)
            out.push_back(c);
    return out;
}
