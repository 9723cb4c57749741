#pragma once
// Messages of the authentication API (docs/api.md is the contract), shared by the web app and the
// reference server `ibgate`.
//
// The web app is compiled without exceptions (an exception aborts the WebAssembly module), so
// nothing here throws: text is parsed with nlohmann's non-throwing parser, every field's type is
// checked before it is read, and each parse_* function returns false with a one-line reason
// instead of a half-filled message. Unknown extra fields are ignored, so the server may add
// fields without breaking older pages.
//
// Times are Unix seconds (UTC), within kMinTime..kMaxTime. Every response that carries an expiry also carries the server's
// `server_time`, so the page counts down against the server's clock, not the PC's.

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace api {

using json = nlohmann::json;

// Paths on the certificate origin.
constexpr const char* kPathIdentify = "/api/v1/identify";        // POST
constexpr const char* kPathLogin = "/api/v1/login";              // POST
constexpr const char* kPathForceLogout = "/api/v1/force-logout"; // POST
constexpr const char* kPathSession = "/api/v1/session";          // GET
constexpr const char* kPathKeepalive = "/api/v1/keepalive";      // POST
constexpr const char* kPathLogout = "/api/v1/logout";            // POST
// 電子証明書取得 (no session: user ID + 取得用パスワード) and 電子証明書更新 (the session and its
// certificate): each takes a PKCS#10 request and answers the issued certificate.
constexpr const char* kPathEnroll = "/api/v1/certificate/enroll"; // POST
constexpr const char* kPathRenew = "/api/v1/certificate/renew";   // POST

// Every POST made with a session cookie must echo the CSRF token from the login response here.
constexpr const char* kCsrfHeader = "X-CSRF-Token";
constexpr const char* kSessionCookie = "__Host-ibg_session";

// Every time field of every message lies in this range, 1970-01-01T00:00:00Z to
// 9999-12-31T23:59:59Z (the last second a certificate's notAfter can name); anything else is a
// broken or hostile message and is refused like any other malformed field. It also keeps the
// page's date and countdown arithmetic far from int64 overflow.
constexpr int64_t kMinTime = 0;
constexpr int64_t kMaxTime = 253402300799;

// Limits the server enforces; the page can check them before sending.
constexpr size_t kMaxBodyBytes = 4096;
// The login password's limit for the whole product: the web app's buffer (secret_buffer.h), the
// request parser and the operator's password policy (server/secrets.h) all use this one.
constexpr size_t kMaxPasswordBytes = 64;
constexpr size_t kMaxTokenBytes = 128;
// A PKCS#10 request as base64 of its DER: RSA up to 4096 bits and EC P-256 fit with room.
constexpr size_t kMaxCsrBase64Bytes = 3072;
// The 取得用パスワード the credit union hands out (server/secrets.h makes them; the page's entry
// field holds at most this many bytes).
constexpr size_t kMaxEnrollmentCodeBytes = 32;
// A user ID: what the subject CN holds before the 4-digit institution code (1 to this many of
// A-Z a-z 0-9 . _ -; server/cert_check.h is_valid_user_id).
constexpr size_t kMaxUserIdBytes = 32;

// 金融機関コード: exactly 4 ASCII digits (as in certificate names "ID + code"). The one check of the
// whole product: the page's config, the protocol, certificates and the operator commands use it.
bool is_institution_code(std::string_view code);

// ---------------------------------------------------------------- error codes
// Machine-readable reason of every failure. The page explains each one in its own words;
// `message` in an error response is English for logs only.
enum class ErrorCode {
    // certificate (identify, and any request whose certificate does not fit)
    NoCertificate,         // the browser sent no client certificate
    CertExpired,           // past notAfter
    CertNotYetValid,       // before notBefore
    CertRevoked,           // on the CRL or revoked by an operator
    CertUnknownIssuer,     // does not chain to the credit union's CA
    CertWrongUsage,        // keyUsage / extendedKeyUsage does not allow client authentication
    CertWrongInstitution,  // subject CN names another institution's 4-digit code
    CertBadSubject,        // subject CN is not "ID + 4-digit code"
    CertNotRegistered,     // valid, but no user is registered with this certificate
    CertMismatch,          // the session was created with another certificate
    // password and login
    WrongPassword,         // remaining_attempts tells how many tries are left
    Locked,                // too many wrong passwords; an operator must unlock
    SessionActive,         // the user still holds a session; force_logout_ticket allows ending it
    TicketInvalid,         // unknown or already used ticket
    TicketExpired,         // the ticket's short lifetime has passed
    // session
    NotLoggedIn,           // no session cookie, or it names no session
    SessionExpired,        // idle or absolute timeout passed, or the session was ended elsewhere
    Csrf,                  // missing or wrong CSRF header
    // certificate enrollment (取得) and renewal (更新)
    EnrollmentCodeWrong,   // user ID or 取得用パスワード wrong; remaining_attempts tells how many tries are left
    EnrollmentLocked,      // too many wrong 取得用パスワード; the credit union must issue a new one
    EnrollmentCodeExpired, // the 取得用パスワード's validity has passed; a new one must be issued
    EnrollmentCodeUsed,    // the 取得用パスワード was already used for a certificate (single use)
    CsrInvalid,            // the request is not a PKCS#10 request signed by its own key
    CsrWeakKey,            // the key is not RSA of at least 2048 bits or EC P-256, or the signature not SHA-256+
    CsrWrongSubject,       // the request names another user's subject
    RenewalNotOpen,        // renewal opens renewal_opens_at (certificate.renewal_days before expiry)
    // request shape
    BadRequest,            // malformed JSON or missing/mistyped fields
    UnsupportedMediaType,  // POST body is not application/json
    TooLarge,              // body over kMaxBodyBytes
    NotFound,              // unknown path
    MethodNotAllowed,      // known path, wrong method
    OriginNotAllowed,      // cross-origin request from a page other than the app origin
    // server
    RevocationUnavailable, // the credit union's revocation data (CRL past nextUpdate, OCSP responder
                           // down) cannot be checked now; certificate logins are refused until it can
    Unavailable,           // database locked or disk full; nothing committed was lost, try again
    Internal,              // unexpected server failure
    // a code this build does not know (a newer server); the page shows a generic failure
    Unknown,
    Count
};

// Wire name ("no_certificate", ...). Never null.
const char* error_code_name(ErrorCode code);
// Wire name -> code; an unknown name gives ErrorCode::Unknown.
ErrorCode error_code_from_name(std::string_view name);
// HTTP status the server answers with for `code`.
int error_http_status(ErrorCode code);

// ---------------------------------------------------------------- shared parts
enum class Role { Administrator, User };   // 管理者 / 利用者; wire: "administrator" / "user"

const char* role_name(Role role);
bool role_from_name(std::string_view name, Role& out);

// What the client certificate says about its holder, as registered at the credit union.
struct CertificateIdentity {
    std::string display_name;       // user's name (利用者名)
    std::string company_name;       // corporate customer (法人名)
    std::string user_id;            // the ID part of the subject CN
    std::string institution_code;   // 金融機関コード: exactly 4 digits
    Role role = Role::User;
    int64_t not_before = 0;         // certificate validity
    int64_t not_after = 0;
    std::string serial;             // hex
    std::string fingerprint_sha256; // lowercase hex, 64 characters
};

enum class LoginResult { Success, WrongPassword, Locked, SessionActive, ForcedLogout, Other };

const char* login_result_name(LoginResult result);
LoginResult login_result_from_name(std::string_view name);   // unknown -> Other

// One line of the login history shown after login.
struct LoginRecord {
    int64_t time = 0;
    std::string source_address;
    LoginResult result = LoginResult::Success;
};

// ---------------------------------------------------------------- requests
// POST identify: body "{}". The certificate is the TLS client certificate.

// POST login. The password lives here only until the request text is built; callers wipe it.
struct LoginRequest {
    std::string ticket;
    std::string password;
};

// POST force-logout: ends the retained session with the ticket from a session_active answer.
struct ForceLogoutRequest {
    std::string ticket;
};

// GET session, POST keepalive, POST logout: no body ("{}" for the POSTs), cookie + CSRF header.

// POST certificate/enroll. The 取得用パスワード lives here only until the request text is built;
// callers wipe it. `csr`: base64 (RFC 4648, padded) of the PKCS#10 request's DER.
struct EnrollRequest {
    std::string user_id;
    std::string code;
    std::string csr;
};

// POST certificate/renew: the session cookie, the CSRF header and the session's certificate.
struct RenewRequest {
    std::string csr;
};

// ---------------------------------------------------------------- responses
struct IdentifyResponse {
    CertificateIdentity identity;
    std::string ticket;             // single use, bound to the certificate's fingerprint
    int64_t ticket_expires_at = 0;
    int64_t server_time = 0;
    // From when 電子証明書更新 is offered for this certificate (the server's renewal window;
    // 0: not told, an older server). The password screen's expiry warning follows it.
    int64_t renewal_opens_at = 0;
};

struct SessionInfo {
    std::string user_id;
    std::string user_name;
    std::string company_name;
    std::string institution_code;
    Role role = Role::User;
    int64_t login_time = 0;
    std::optional<LoginRecord> previous_login;   // the last successful login before this one
    std::vector<LoginRecord> recent_logins;      // newest first, successes and failures
    int64_t server_time = 0;
    int64_t idle_expires_at = 0;
    int64_t absolute_expires_at = 0;
    int idle_timeout_seconds = 0;
    int absolute_timeout_seconds = 0;
    // The session's certificate: when it expires and from when 電子証明書更新 is offered (0: not
    // told, an older server). Renewal is open while renewal_opens_at <= server_time < not_after.
    int64_t certificate_not_after = 0;
    int64_t renewal_opens_at = 0;
};

// login success: the session cookie is set; the CSRF token must be echoed on later POSTs.
struct LoginResponse {
    SessionInfo session;
    std::string csrf_token;
};

// force-logout success: the old session is gone. A new ticket saves the page an identify round
// trip; the customer still types the password again to log in.
struct ForceLogoutResponse {
    int64_t ended_session_login_time = 0;
    std::string ended_session_source_address;
    std::string ticket;
    int64_t ticket_expires_at = 0;
    int64_t server_time = 0;
};

struct KeepaliveResponse {
    int64_t server_time = 0;
    int64_t idle_expires_at = 0;
    int64_t absolute_expires_at = 0;
};

struct LogoutResponse {
    int64_t server_time = 0;
};

// enroll and renew success: the new certificate (already registered to the user) and the CA
// certificates the PKCS#12 file carries with it. The private key never left the browser.
struct CertificateIssued {
    std::string certificate;                 // base64 DER
    std::vector<std::string> ca_certificates;  // base64 DER, issuer first
    std::string serial;
    int64_t not_before = 0;
    int64_t not_after = 0;
    std::string file_name;                   // "<ID><金融機関コード>.p12"
    int64_t server_time = 0;
};

// Every failure. Fields beyond code/message are present only for the codes named.
struct ErrorResponse {
    ErrorCode code = ErrorCode::Internal;
    std::string message;
    int remaining_attempts = -1;              // wrong_password: tries left before lock (>= 0)
    std::string force_logout_ticket;          // session_active: for POST force-logout
    int64_t force_logout_ticket_expires_at = 0;
    int64_t active_session_login_time = 0;    // session_active: when the retained session began
    std::string active_session_source_address;
    int64_t renewal_opens_at = 0;             // renewal_not_open
};

// ---------------------------------------------------------------- JSON
// Text -> JSON without exceptions. False (and a reason) for anything that is not one JSON object.
bool parse_json_object(std::string_view text, json& out, std::string& error);
// JSON -> text without exceptions; invalid UTF-8 in strings is replaced, never thrown on.
std::string dump_json(const json& j);

json to_json(const CertificateIdentity& v);
json to_json(const LoginRecord& v);
json to_json(const LoginRequest& v);
json to_json(const ForceLogoutRequest& v);
json to_json(const IdentifyResponse& v);
json to_json(const SessionInfo& v);
json to_json(const LoginResponse& v);
json to_json(const ForceLogoutResponse& v);
json to_json(const KeepaliveResponse& v);
json to_json(const LogoutResponse& v);
json to_json(const EnrollRequest& v);
json to_json(const RenewRequest& v);
json to_json(const CertificateIssued& v);
json to_json(const ErrorResponse& v);

// Each returns false and sets `error` (naming the field) when `j` does not have the shape;
// `out` is then unspecified.
bool parse_certificate_identity(const json& j, CertificateIdentity& out, std::string& error);
bool parse_login_record(const json& j, LoginRecord& out, std::string& error);
bool parse_login_request(const json& j, LoginRequest& out, std::string& error);
bool parse_force_logout_request(const json& j, ForceLogoutRequest& out, std::string& error);
bool parse_identify_response(const json& j, IdentifyResponse& out, std::string& error);
bool parse_session_info(const json& j, SessionInfo& out, std::string& error);
bool parse_login_response(const json& j, LoginResponse& out, std::string& error);
bool parse_force_logout_response(const json& j, ForceLogoutResponse& out, std::string& error);
bool parse_keepalive_response(const json& j, KeepaliveResponse& out, std::string& error);
bool parse_logout_response(const json& j, LogoutResponse& out, std::string& error);
bool parse_enroll_request(const json& j, EnrollRequest& out, std::string& error);
bool parse_renew_request(const json& j, RenewRequest& out, std::string& error);
bool parse_certificate_issued(const json& j, CertificateIssued& out, std::string& error);
bool parse_error_response(const json& j, ErrorResponse& out, std::string& error);

// Response text as the page receives it: `status` 2xx -> the success message, otherwise an
// ErrorResponse. Text that is not a valid answer becomes an ErrorResponse with code Internal
// (status >= 500: Unavailable when the body is not JSON, e.g. a proxy's error page).
template <typename T>
struct Reply {
    bool ok = false;
    T value;
    ErrorResponse error;
};

Reply<IdentifyResponse> read_identify_reply(int status, std::string_view body);
Reply<LoginResponse> read_login_reply(int status, std::string_view body);
Reply<ForceLogoutResponse> read_force_logout_reply(int status, std::string_view body);
Reply<SessionInfo> read_session_reply(int status, std::string_view body);
Reply<KeepaliveResponse> read_keepalive_reply(int status, std::string_view body);
Reply<LogoutResponse> read_logout_reply(int status, std::string_view body);
Reply<CertificateIssued> read_certificate_issued_reply(int status, std::string_view body);

} // namespace api
