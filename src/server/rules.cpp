#include "server/rules.h"

using api::ErrorCode;

// ---------------------------------------------------------------- names
// Indexed by the enums; the static_asserts keep each table as long as its enum.
static const char* const kAuditEventNames[] = {
    "identify", "login", "force_logout", "session", "keepalive", "logout", "session_expired", "operator",
    "forwarded_header_ignored",
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
        && a.remaining_attempts == b.remaining_attempts;
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
