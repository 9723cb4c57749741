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
// Enroll and Renew record every certificate request (result success or the error code);
// CertSuperseded a renewed certificate revoked at the first login with its successor.
enum class AuditEvent {
    Identify, Login, ForceLogout, Session, Keepalive, Logout, SessionExpired, Operator, ForwardedHeaderIgnored,
    Enroll, Renew, CertSuperseded, Count
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
    int remaining_attempts = -1;   // WrongPassword, EnrollmentCodeWrong: tries left before the lock
    int64_t renewal_opens_at = 0;  // RenewalNotOpen
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
enum class SessionAction { Show, Keepalive, Logout, Renew };
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

// ---------------------------------------------------------------- certificate requests (PKCS#10)
// CsrFacts (what OpenSSL read off the request) are in pki.h.
// Keys the credit union accepts: RSA from 2048 to 4096 bits (larger only cost the server time),
// EC P-256.
constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 4096;

// The request's subject and extensions are not used - the certificate gets CN = ID + 金融機関
// コード and the product's own extensions - but a request that names someone else (a CN that is
// not `expected_cn`) is refused rather than quietly given this user's name: it is a mistake or
// an attempt, and either way the customer should hear of it.
std::optional<Refusal> decide_certification_request(const CsrFacts& csr, const std::string& expected_cn);

// ---------------------------------------------------------------- 電子証明書取得 (enrollment)
// What a stored code is now, the first that applies: cancelled (by an operator or a newer code -
// a newer code replaces the row), locked (too many wrong tries), used, expired, else open.
enum class EnrollmentCodeState { Open, Used, Expired, Locked, Cancelled, Count };
EnrollmentCodeState enrollment_code_state(const EnrollmentCodeRecord& code, int64_t now);
const char* enrollment_code_state_name(EnrollmentCodeState state);   // "open", "used", ...

// After the code was checked against its hash (outside any transaction), against the code as
// stored now. nullopt code: the user has none, or no such user - answered like a wrong code, so
// the answer does not tell which user IDs exist (remaining_attempts is then the full count).
enum class EnrollStep { Refuse, CountFailure, Issue };

struct EnrollDecision {
    EnrollStep step = EnrollStep::Refuse;
    Refusal refusal;   // Refuse: the answer
};

// In order: no code or cancelled (wrong code), locked, wrong code (counted), used, expired.
// The code is checked before used/expired are told, so only its holder learns them.
EnrollDecision decide_enrollment(const std::optional<EnrollmentCodeRecord>& code, bool code_ok, int64_t now,
                                 int max_failures);

// The refusal of a used code, also when a racing request used it a moment ago (enrollment_take).
Refusal enrollment_code_used();

// A wrong code as the database counted it (enrollment_count_failure): `counted` false when the
// code was locked or used meanwhile; `after` the code as the count left it.
Refusal decide_wrong_enrollment_code(bool counted, const EnrollmentCodeRecord& after, int max_failures);

// ---------------------------------------------------------------- 電子証明書更新 (renewal)
// Renewal opens `renewal_days` before the certificate's notAfter.
int64_t renewal_opens_at(int64_t not_after, int renewal_days);
// nullopt: the certificate may be renewed now; else RenewalNotOpen with renewal_opens_at.
std::optional<Refusal> decide_renewal(int64_t not_after, int64_t now, int renewal_days);

// At a successful login with `used`: the certificates revoked now as superseded. Renewing
// certificate A makes B with B.replaces = A; the first login with B revokes A and any other
// unused renewal of A (a renewal done twice because the first import failed). Certificates
// already revoked are not listed again, so a second login revokes nothing.
std::vector<CertRecord> superseded_at_login(const CertRecord& used, const std::vector<CertRecord>& users_certificates);

// At a renewal of `renewed` that made `issued`: earlier renewals of the same certificate that
// were never used are revoked at once, so at most one successor is outstanding.
std::vector<CertRecord> superseded_at_renewal(const CertRecord& renewed, const std::string& issued_fingerprint,
                                              const std::vector<CertRecord>& users_certificates);
