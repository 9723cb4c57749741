#pragma once
// The decisions of the authentication API (docs/api.md) as pure functions: from the records a
// handler loaded, the time and the configuration to a decision value. api.cpp loads, asks,
// applies and answers; it decides nothing itself. No TLS, no database: tests/server/rules_test.cpp
// covers every decision table-style, as tests/unit/screen_flow_test.cpp does on the client.

#include "core/protocol.h"
#include "server/cert_check.h"
#include "server/store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// ---------------------------------------------------------------- names kept in the database
// The `event` of an audit record. The names are stored; the login history reads Login's only, so
// ForwardedHeaderIgnored (a certificate header from an address that is not a trusted proxy, with
// no user) never shows in a customer's login history.
enum class AuditEvent {
    Identify, Login, ForceLogout, Session, Keepalive, Logout, SessionExpired, Operator, ForwardedHeaderIgnored, Count
};
const char* audit_event_name(AuditEvent event);
bool audit_event_from_name(std::string_view name, AuditEvent& out);

// Why a session ended, stored with it.
enum class SessionEndReason { Logout, Timeout, ForcedLogout, EndedByOperator, CertRevoked, CertRefused, Count };
const char* session_end_reason_name(SessionEndReason reason);
// Rows written before the reasons were named this way may hold an error code name
// ("cert_expired"); every name this build does not know reads as CertRefused.
SessionEndReason session_end_reason_from_name(std::string_view name);

// The audit result of a success; a refusal's result is the error code's wire name, and the
// login history reads these names back as api::LoginResult (login_result_from_name).
constexpr const char* kAuditSuccess = "success";
// The result of ForwardedHeaderIgnored: the request went on as a direct one.
constexpr const char* kAuditIgnored = "ignored";

// ---------------------------------------------------------------- decision values
// A request refused: what the client is told. Its audit record has the result
// error_code_name(code) and `detail`.
struct Refusal {
    api::ErrorCode code = api::ErrorCode::Internal;
    std::string message;           // the answer's message (for an operator reading a capture)
    std::string detail;            // the audit record's detail
    int remaining_attempts = -1;   // WrongPassword: tries left before the account locks
};

bool operator==(const Refusal& a, const Refusal& b);

// One audit record to write; the handler adds time, user and source address.
struct AuditEntry {
    AuditEvent event = AuditEvent::Login;
    std::string result = kAuditSuccess;
    std::string fingerprint;
    std::string detail;
};

bool operator==(const AuditEntry& a, const AuditEntry& b);

// ---------------------------------------------------------------- identify (every certificate endpoint)
// What the database holds for the certificate's serial and fingerprint.
struct Registration {
    bool serial_revoked = false;       // in the operator's revoked-serial table
    std::optional<CertRecord> cert;    // registered under the certificate's fingerprint
    std::optional<UserRecord> user;    // the user that registration names
};

// The certificate's own verdict (check_client_certificate) first, then the revoked table, then
// the registration: the order in which a customer can act on the answer.
CertVerdict decide_identify(const CertVerdict& checked, const CertFacts& facts, const Registration& found);

Refusal refusal_of(const CertVerdict& refused);

// ---------------------------------------------------------------- tickets (login, force-logout)
// `found`: the ticket as ticket_take returned it (used_at != 0: an earlier take used it);
// nullopt: no such ticket. Any misuse - wrong kind, another certificate, used - is invalid.
std::optional<Refusal> decide_ticket(const std::optional<TicketRecord>& found, TicketKind kind,
                                     const std::string& user_id, const std::string& fingerprint, int64_t now);

// Login and force-logout refuse a locked account (after the certificate and the ticket).
std::optional<Refusal> decide_locked(const UserRecord& user);
// The refusal of a locked account, also when a change finds it locked (user_clear_failures).
Refusal account_locked();

// ---------------------------------------------------------------- login
// After the password was checked (outside any transaction), against the user as stored now.
enum class PasswordStep { Refuse, CountFailure, Accept };

struct PasswordDecision {
    PasswordStep step = PasswordStep::Refuse;
    Refusal refusal;   // Refuse: the answer
};

PasswordDecision decide_password(const UserRecord& user, bool password_ok);

// A wrong password as the database counted it (user_count_failure): `counted` false when the
// account was already locked; `after` the user as the count left it.
Refusal decide_wrong_password(bool counted, const UserRecord& after, int max_failures);

// The right password: what stands in the way of a new session.
enum class ExistingSession { None, Expired, Active };
ExistingSession decide_existing_session(const std::optional<SessionRecord>& active, int64_t now);

// ---------------------------------------------------------------- force-logout
// The user's active session (if any) is ended; the records tell the user and the operator.
struct ForceLogoutDecision {
    bool end_active = false;   // end `active` with SessionEndReason::ForcedLogout
    std::vector<AuditEntry> audit;
};

ForceLogoutDecision decide_force_logout(const std::optional<SessionRecord>& active, const std::string& fingerprint);

// ---------------------------------------------------------------- session, keepalive, logout
enum class SessionAction { Show, Keepalive, Logout };
AuditEvent session_action_event(SessionAction action);

struct SessionFacts {
    bool cookie_sent = false;               // a session cookie of a plausible size came with the request
    std::optional<SessionRecord> session;   // the session the cookie names; nullopt: none
    bool has_certificate = false;           // the request came with a client certificate
    std::string fingerprint;                // of that certificate
    CertVerdict certificate;                // decide_identify of it
    bool csrf_ok = false;                   // the CSRF header matches the session's
};

enum class SessionStep { Refuse, Perform };

struct SessionDecision {
    SessionStep step = SessionStep::Refuse;
    Refusal refusal;                 // Refuse: the answer
    bool clear_cookie = false;       // the answer deletes the session cookie
    std::optional<SessionEndReason> end;   // the session ends, for this reason
    std::optional<AuditEntry> audit;
};

// Every check in order: the session exists, has not ended or expired, the same certificate as at
// login is presented and still good, the CSRF header for changes; then the action itself
// (Logout's end and audit are part of the decision).
SessionDecision decide_session_request(SessionAction action, const SessionFacts& facts, int64_t now);
