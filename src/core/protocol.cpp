#include "core/protocol.h"

#include "core/json_strict.h"

#include <nlohmann/json.hpp>

#include <limits>

namespace api {

// ---------------------------------------------------------------- names
struct ErrorCodeInfo {
    const char* name;
    int status;
};

// Indexed by ErrorCode. Status codes: 401 for "who are you" failures (certificate, ticket,
// session), 403 for "you may not", 423 for a locked account, 409 for a retained session.
static const ErrorCodeInfo kErrorCodes[] = {
    {"no_certificate", 401},
    {"cert_expired", 401},
    {"cert_not_yet_valid", 401},
    {"cert_revoked", 401},
    {"cert_unknown_issuer", 401},
    {"cert_wrong_usage", 401},
    {"cert_wrong_institution", 401},
    {"cert_bad_subject", 401},
    {"cert_not_registered", 401},
    {"cert_mismatch", 403},
    {"wrong_password", 401},
    {"locked", 423},
    {"session_active", 409},
    {"ticket_invalid", 401},
    {"ticket_expired", 401},
    {"not_logged_in", 401},
    {"session_expired", 401},
    {"csrf", 403},
    {"enrollment_code_wrong", 401},
    {"enrollment_locked", 423},
    {"enrollment_code_expired", 401},
    {"enrollment_code_used", 401},
    {"csr_invalid", 400},
    {"csr_weak_key", 400},
    {"csr_wrong_subject", 400},
    {"renewal_not_open", 409},
    {"bad_request", 400},
    {"unsupported_media_type", 415},
    {"too_large", 413},
    {"not_found", 404},
    {"method_not_allowed", 405},
    {"origin_not_allowed", 403},
    {"revocation_unavailable", 503},
    {"unavailable", 503},
    {"internal", 500},
    {"unknown", 500},
};
static_assert(sizeof(kErrorCodes) / sizeof(kErrorCodes[0]) == static_cast<size_t>(ErrorCode::Count),
              "kErrorCodes must list every ErrorCode in order");

const char* error_code_name(ErrorCode code)
{
    int i = static_cast<int>(code);
    if (i < 0 || i >= static_cast<int>(ErrorCode::Count))
        return "unknown";
    return kErrorCodes[i].name;
}

ErrorCode error_code_from_name(std::string_view name)
{
    for (int i = 0; i < static_cast<int>(ErrorCode::Count); i++)
        if (name == kErrorCodes[i].name)
            return static_cast<ErrorCode>(i);
    return ErrorCode::Unknown;
}

int error_http_status(ErrorCode code)
{
    int i = static_cast<int>(code);
    if (i < 0 || i >= static_cast<int>(ErrorCode::Count))
        return 500;
    return kErrorCodes[i].status;
}

const char* role_name(Role role)
{
    return role == Role::Administrator ? "administrator" : "user";
}

bool role_from_name(std::string_view name, Role& out)
{
    if (name == "administrator") { out = Role::Administrator; return true; }
    if (name == "user") { out = Role::User; return true; }
    return false;
}

static const char* const kLoginResultNames[] = {
    "success", "wrong_password", "locked", "session_active", "forced_logout", "other",
};

const char* login_result_name(LoginResult result)
{
    int i = static_cast<int>(result);
    if (i < 0 || i > static_cast<int>(LoginResult::Other))
        return "other";
    return kLoginResultNames[i];
}

LoginResult login_result_from_name(std::string_view name)
{
    for (int i = 0; i <= static_cast<int>(LoginResult::Other); i++)
        if (name == kLoginResultNames[i])
            return static_cast<LoginResult>(i);
    return LoginResult::Other;
}

// ---------------------------------------------------------------- text
bool parse_json_object(std::string_view text, json& out, std::string& error)
{
    switch (json_parse_strict(text, out)) {
    case JsonTextProblem::None:
        break;
    case JsonTextProblem::NotJson:
        error = "body is not valid JSON";
        return false;
    case JsonTextProblem::TooDeep:
        error = "body nests arrays or objects deeper than " + std::to_string(kJsonMaxNesting) + " levels";
        return false;
    case JsonTextProblem::DuplicateKey:
        // The key is not named: it comes from the sender and the message may reach a log.
        error = "body has the same key twice in one object";
        return false;
    }
    if (!out.is_object()) {
        error = "body is not a JSON object";
        return false;
    }
    return true;
}

std::string dump_json(const json& j)
{
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// ---------------------------------------------------------------- field readers
// Each checks the type before reading and names the field in the error.
static constexpr size_t kMaxTextBytes = 1024;

static bool read_string(const json& j, const char* key, std::string& out, std::string& error,
                        size_t max_bytes = kMaxTextBytes)
{
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) {
        error = std::string("field '") + key + "' must be a string";
        return false;
    }
    const std::string& s = it->get_ref<const std::string&>();
    if (s.size() > max_bytes) {
        error = std::string("field '") + key + "' is too long";
        return false;
    }
    out = s;
    return true;
}

static bool read_int64(const json& j, const char* key, int64_t& out, std::string& error)
{
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) {
        error = std::string("field '") + key + "' must be an integer";
        return false;
    }
    if (it->is_number_unsigned()) {
        uint64_t u = it->get<uint64_t>();
        if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
            error = std::string("field '") + key + "' is out of range";
            return false;
        }
        out = static_cast<int64_t>(u);
        return true;
    }
    out = it->get<int64_t>();
    return true;
}

static bool read_time(const json& j, const char* key, int64_t& out, std::string& error)
{
    if (!read_int64(j, key, out, error))
        return false;
    if (out < kMinTime || out > kMaxTime) {
        error = std::string("field '") + key + "' is not a time between 1970 and 9999";
        return false;
    }
    return true;
}

// Optional time fields: absent reads as 0 (a server that does not send them), present must be a time.
static bool read_optional_time(const json& j, const char* key, int64_t& out, std::string& error)
{
    out = 0;
    if (j.find(key) == j.end())
        return true;
    return read_time(j, key, out, error);
}

static bool read_int(const json& j, const char* key, int& out, std::string& error, int min_value, int max_value)
{
    int64_t v = 0;
    if (!read_int64(j, key, v, error))
        return false;
    if (v < min_value || v > max_value) {
        error = std::string("field '") + key + "' is out of range";
        return false;
    }
    out = static_cast<int>(v);
    return true;
}

static bool require_object(const json& j, const char* what, std::string& error)
{
    if (j.is_object())
        return true;
    error = std::string(what) + " must be a JSON object";
    return false;
}

bool is_institution_code(std::string_view s)
{
    if (s.size() != 4)
        return false;
    for (char c : s)
        if (c < '0' || c > '9')
            return false;
    return true;
}

static bool read_role(const json& j, const char* key, Role& out, std::string& error)
{
    std::string name;
    if (!read_string(j, key, name, error))
        return false;
    if (!role_from_name(name, out)) {
        error = std::string("field '") + key + "' must be \"administrator\" or \"user\"";
        return false;
    }
    return true;
}

static bool read_institution_code(const json& j, const char* key, std::string& out, std::string& error)
{
    if (!read_string(j, key, out, error))
        return false;
    if (!is_institution_code(out)) {
        error = std::string("field '") + key + "' must be 4 digits";
        return false;
    }
    return true;
}

static bool read_token(const json& j, const char* key, std::string& out, std::string& error)
{
    if (!read_string(j, key, out, error, kMaxTokenBytes))
        return false;
    if (out.empty()) {
        error = std::string("field '") + key + "' must not be empty";
        return false;
    }
    return true;
}

// ---------------------------------------------------------------- shared parts
json to_json(const CertificateIdentity& v)
{
    return json{
        {"display_name", v.display_name},
        {"company_name", v.company_name},
        {"user_id", v.user_id},
        {"institution_code", v.institution_code},
        {"role", role_name(v.role)},
        {"not_before", v.not_before},
        {"not_after", v.not_after},
        {"serial", v.serial},
        {"fingerprint_sha256", v.fingerprint_sha256},
    };
}

bool parse_certificate_identity(const json& j, CertificateIdentity& out, std::string& error)
{
    return require_object(j, "identity", error)
        && read_string(j, "display_name", out.display_name, error)
        && read_string(j, "company_name", out.company_name, error)
        && read_string(j, "user_id", out.user_id, error)
        && read_institution_code(j, "institution_code", out.institution_code, error)
        && read_role(j, "role", out.role, error)
        && read_time(j, "not_before", out.not_before, error)
        && read_time(j, "not_after", out.not_after, error)
        && read_string(j, "serial", out.serial, error)
        && read_string(j, "fingerprint_sha256", out.fingerprint_sha256, error);
}

json to_json(const LoginRecord& v)
{
    return json{
        {"time", v.time},
        {"source_address", v.source_address},
        {"result", login_result_name(v.result)},
    };
}

bool parse_login_record(const json& j, LoginRecord& out, std::string& error)
{
    std::string result;
    if (!(require_object(j, "login record", error)
          && read_time(j, "time", out.time, error)
          && read_string(j, "source_address", out.source_address, error)
          && read_string(j, "result", result, error)))
        return false;
    out.result = login_result_from_name(result);
    return true;
}

// ---------------------------------------------------------------- requests
json to_json(const LoginRequest& v)
{
    return json{{"ticket", v.ticket}, {"password", v.password}};
}

bool parse_login_request(const json& j, LoginRequest& out, std::string& error)
{
    if (!(require_object(j, "request", error)
          && read_token(j, "ticket", out.ticket, error)
          && read_string(j, "password", out.password, error, kMaxPasswordBytes)))
        return false;
    if (out.password.empty()) {
        error = "field 'password' must not be empty";
        return false;
    }
    return true;
}

json to_json(const ForceLogoutRequest& v)
{
    return json{{"ticket", v.ticket}};
}

bool parse_force_logout_request(const json& j, ForceLogoutRequest& out, std::string& error)
{
    return require_object(j, "request", error) && read_token(j, "ticket", out.ticket, error);
}

// ---------------------------------------------------------------- responses
json to_json(const IdentifyResponse& v)
{
    return json{
        {"identity", to_json(v.identity)},
        {"ticket", v.ticket},
        {"ticket_expires_at", v.ticket_expires_at},
        {"server_time", v.server_time},
        {"renewal_opens_at", v.renewal_opens_at},
    };
}

bool parse_identify_response(const json& j, IdentifyResponse& out, std::string& error)
{
    if (!require_object(j, "response", error))
        return false;
    auto identity = j.find("identity");
    if (identity == j.end()) {
        error = "field 'identity' is missing";
        return false;
    }
    return parse_certificate_identity(*identity, out.identity, error)
        && read_token(j, "ticket", out.ticket, error)
        && read_time(j, "ticket_expires_at", out.ticket_expires_at, error)
        && read_time(j, "server_time", out.server_time, error)
        && read_optional_time(j, "renewal_opens_at", out.renewal_opens_at, error);
}

json to_json(const SessionInfo& v)
{
    json recent = json::array();
    for (const LoginRecord& r : v.recent_logins)
        recent.push_back(to_json(r));
    return json{
        {"user_id", v.user_id},
        {"user_name", v.user_name},
        {"company_name", v.company_name},
        {"institution_code", v.institution_code},
        {"role", role_name(v.role)},
        {"login_time", v.login_time},
        {"previous_login", v.previous_login ? to_json(*v.previous_login) : json(nullptr)},
        {"recent_logins", recent},
        {"server_time", v.server_time},
        {"idle_expires_at", v.idle_expires_at},
        {"absolute_expires_at", v.absolute_expires_at},
        {"idle_timeout_seconds", v.idle_timeout_seconds},
        {"absolute_timeout_seconds", v.absolute_timeout_seconds},
        {"certificate_not_after", v.certificate_not_after},
        {"renewal_opens_at", v.renewal_opens_at},
    };
}

// The history is short by design; a longer list is a broken or hostile answer.
static constexpr size_t kMaxRecentLogins = 50;
static constexpr int kMaxTimeoutSeconds = 7 * 24 * 3600;

bool parse_session_info(const json& j, SessionInfo& out, std::string& error)
{
    if (!(require_object(j, "session", error)
          && read_string(j, "user_id", out.user_id, error)
          && read_string(j, "user_name", out.user_name, error)
          && read_string(j, "company_name", out.company_name, error)
          && read_institution_code(j, "institution_code", out.institution_code, error)
          && read_role(j, "role", out.role, error)
          && read_time(j, "login_time", out.login_time, error)
          && read_time(j, "server_time", out.server_time, error)
          && read_time(j, "idle_expires_at", out.idle_expires_at, error)
          && read_time(j, "absolute_expires_at", out.absolute_expires_at, error)
          && read_int(j, "idle_timeout_seconds", out.idle_timeout_seconds, error, 1, kMaxTimeoutSeconds)
          && read_int(j, "absolute_timeout_seconds", out.absolute_timeout_seconds, error, 1, kMaxTimeoutSeconds)
          && read_optional_time(j, "certificate_not_after", out.certificate_not_after, error)
          && read_optional_time(j, "renewal_opens_at", out.renewal_opens_at, error)))
        return false;

    out.previous_login.reset();
    auto previous = j.find("previous_login");
    if (previous == j.end()) {
        error = "field 'previous_login' is missing";
        return false;
    }
    if (!previous->is_null()) {
        LoginRecord record;
        if (!parse_login_record(*previous, record, error))
            return false;
        out.previous_login = record;
    }

    out.recent_logins.clear();
    auto recent = j.find("recent_logins");
    if (recent == j.end() || !recent->is_array()) {
        error = "field 'recent_logins' must be an array";
        return false;
    }
    if (recent->size() > kMaxRecentLogins) {
        error = "field 'recent_logins' is too long";
        return false;
    }
    for (const json& item : *recent) {
        LoginRecord record;
        if (!parse_login_record(item, record, error))
            return false;
        out.recent_logins.push_back(record);
    }
    return true;
}

json to_json(const LoginResponse& v)
{
    return json{{"session", to_json(v.session)}, {"csrf_token", v.csrf_token}};
}

bool parse_login_response(const json& j, LoginResponse& out, std::string& error)
{
    if (!require_object(j, "response", error))
        return false;
    auto session = j.find("session");
    if (session == j.end()) {
        error = "field 'session' is missing";
        return false;
    }
    return parse_session_info(*session, out.session, error)
        && read_token(j, "csrf_token", out.csrf_token, error);
}

json to_json(const ForceLogoutResponse& v)
{
    return json{
        {"ended_session_login_time", v.ended_session_login_time},
        {"ended_session_source_address", v.ended_session_source_address},
        {"ticket", v.ticket},
        {"ticket_expires_at", v.ticket_expires_at},
        {"server_time", v.server_time},
    };
}

bool parse_force_logout_response(const json& j, ForceLogoutResponse& out, std::string& error)
{
    return require_object(j, "response", error)
        && read_time(j, "ended_session_login_time", out.ended_session_login_time, error)
        && read_string(j, "ended_session_source_address", out.ended_session_source_address, error)
        && read_token(j, "ticket", out.ticket, error)
        && read_time(j, "ticket_expires_at", out.ticket_expires_at, error)
        && read_time(j, "server_time", out.server_time, error);
}

json to_json(const KeepaliveResponse& v)
{
    return json{
        {"server_time", v.server_time},
        {"idle_expires_at", v.idle_expires_at},
        {"absolute_expires_at", v.absolute_expires_at},
    };
}

bool parse_keepalive_response(const json& j, KeepaliveResponse& out, std::string& error)
{
    return require_object(j, "response", error)
        && read_time(j, "server_time", out.server_time, error)
        && read_time(j, "idle_expires_at", out.idle_expires_at, error)
        && read_time(j, "absolute_expires_at", out.absolute_expires_at, error);
}

json to_json(const LogoutResponse& v)
{
    return json{{"logged_out", true}, {"server_time", v.server_time}};
}

bool parse_logout_response(const json& j, LogoutResponse& out, std::string& error)
{
    if (!(require_object(j, "response", error) && read_time(j, "server_time", out.server_time, error)))
        return false;
    auto flag = j.find("logged_out");
    if (flag == j.end() || !flag->is_boolean() || !flag->get<bool>()) {
        error = "field 'logged_out' must be true";
        return false;
    }
    return true;
}

json to_json(const ErrorResponse& v)
{
    json j{{"error", error_code_name(v.code)}, {"message", v.message}};
    if (v.code == ErrorCode::WrongPassword || v.code == ErrorCode::EnrollmentCodeWrong)
        j["remaining_attempts"] = v.remaining_attempts;
    if (v.code == ErrorCode::RenewalNotOpen)
        j["renewal_opens_at"] = v.renewal_opens_at;
    if (v.code == ErrorCode::SessionActive) {
        j["force_logout_ticket"] = v.force_logout_ticket;
        j["force_logout_ticket_expires_at"] = v.force_logout_ticket_expires_at;
        j["active_session_login_time"] = v.active_session_login_time;
        j["active_session_source_address"] = v.active_session_source_address;
    }
    return j;
}

bool parse_error_response(const json& j, ErrorResponse& out, std::string& error)
{
    std::string name;
    if (!(require_object(j, "error response", error)
          && read_string(j, "error", name, error)
          && read_string(j, "message", out.message, error)))
        return false;
    out.code = error_code_from_name(name);
    out.remaining_attempts = -1;
    out.force_logout_ticket.clear();
    out.force_logout_ticket_expires_at = 0;
    out.active_session_login_time = 0;
    out.active_session_source_address.clear();
    out.renewal_opens_at = 0;
    if (out.code == ErrorCode::WrongPassword || out.code == ErrorCode::EnrollmentCodeWrong)
        return read_int(j, "remaining_attempts", out.remaining_attempts, error, 0, 1000);
    if (out.code == ErrorCode::RenewalNotOpen)
        return read_time(j, "renewal_opens_at", out.renewal_opens_at, error);
    if (out.code == ErrorCode::SessionActive)
        return read_token(j, "force_logout_ticket", out.force_logout_ticket, error)
            && read_time(j, "force_logout_ticket_expires_at", out.force_logout_ticket_expires_at, error)
            && read_time(j, "active_session_login_time", out.active_session_login_time, error)
            && read_string(j, "active_session_source_address", out.active_session_source_address, error);
    return true;
}

// ---------------------------------------------------------------- certificates
// Base64 text as the API carries DER: the standard alphabet with padding, nothing else.
static bool is_base64_text(const std::string& s)
{
    if (s.empty() || s.size() % 4 != 0)
        return false;
    size_t padding = 0;
    for (size_t i = 0; i < s.size(); i++) {
        const char c = s[i];
        const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
        if (c == '=') {
            padding++;
            continue;
        }
        if (!plain || padding > 0)   // '=' only at the end
            return false;
    }
    return padding <= 2;
}

static bool read_base64(const json& j, const char* key, std::string& out, std::string& error, size_t max_bytes)
{
    if (!read_string(j, key, out, error, max_bytes))
        return false;
    if (!is_base64_text(out)) {
        error = std::string("field '") + key + "' must be base64";
        return false;
    }
    return true;
}

json to_json(const EnrollRequest& v)
{
    return json{{"user_id", v.user_id}, {"code", v.code}, {"csr", v.csr}};
}

bool parse_enroll_request(const json& j, EnrollRequest& out, std::string& error)
{
    if (!(require_object(j, "request", error)
          && read_string(j, "user_id", out.user_id, error, kMaxUserIdBytes)
          && read_string(j, "code", out.code, error, kMaxEnrollmentCodeBytes)
          && read_base64(j, "csr", out.csr, error, kMaxCsrBase64Bytes)))
        return false;
    if (out.user_id.empty() || out.code.empty()) {
        error = out.user_id.empty() ? "field 'user_id' must not be empty" : "field 'code' must not be empty";
        return false;
    }
    return true;
}

json to_json(const RenewRequest& v)
{
    return json{{"csr", v.csr}};
}

bool parse_renew_request(const json& j, RenewRequest& out, std::string& error)
{
    return require_object(j, "request", error) && read_base64(j, "csr", out.csr, error, kMaxCsrBase64Bytes);
}

// A certificate or a CA certificate in an answer: DER of a few KiB at most.
static constexpr size_t kMaxCertificateBase64Bytes = 16384;
static constexpr size_t kMaxCaCertificates = 4;

json to_json(const CertificateIssued& v)
{
    return json{
        {"certificate", v.certificate},
        {"ca_certificates", v.ca_certificates},
        {"serial", v.serial},
        {"not_before", v.not_before},
        {"not_after", v.not_after},
        {"file_name", v.file_name},
        {"server_time", v.server_time},
    };
}

bool parse_certificate_issued(const json& j, CertificateIssued& out, std::string& error)
{
    if (!(require_object(j, "response", error)
          && read_base64(j, "certificate", out.certificate, error, kMaxCertificateBase64Bytes)
          && read_string(j, "serial", out.serial, error)
          && read_time(j, "not_before", out.not_before, error)
          && read_time(j, "not_after", out.not_after, error)
          && read_string(j, "file_name", out.file_name, error)
          && read_time(j, "server_time", out.server_time, error)))
        return false;
    auto cas = j.find("ca_certificates");
    if (cas == j.end() || !cas->is_array() || cas->size() > kMaxCaCertificates) {
        error = "field 'ca_certificates' must be an array of at most " + std::to_string(kMaxCaCertificates);
        return false;
    }
    out.ca_certificates.clear();
    for (const json& item : *cas) {
        if (!item.is_string() || item.get_ref<const std::string&>().size() > kMaxCertificateBase64Bytes
            || !is_base64_text(item.get_ref<const std::string&>())) {
            error = "field 'ca_certificates' must hold base64 strings";
            return false;
        }
        out.ca_certificates.push_back(item.get<std::string>());
    }
    return true;
}

// ---------------------------------------------------------------- replies
template <typename T>
static Reply<T> read_reply(int status, std::string_view body,
                           bool (*parse)(const json&, T&, std::string&))
{
    Reply<T> reply;
    json j;
    std::string error;
    if (!parse_json_object(body, j, error)) {
        reply.error.code = status >= 500 ? ErrorCode::Unavailable : ErrorCode::Internal;
        reply.error.message = "HTTP " + std::to_string(status) + ": " + error;
        return reply;
    }
    if (status >= 200 && status < 300) {
        if (parse(j, reply.value, error)) {
            reply.ok = true;
            return reply;
        }
        reply.error.code = ErrorCode::Internal;
        reply.error.message = "malformed answer: " + error;
        return reply;
    }
    if (!parse_error_response(j, reply.error, error)) {
        reply.error = ErrorResponse{};
        reply.error.code = status >= 500 ? ErrorCode::Unavailable : ErrorCode::Internal;
        reply.error.message = "HTTP " + std::to_string(status) + ": malformed error: " + error;
    }
    return reply;
}

Reply<IdentifyResponse> read_identify_reply(int status, std::string_view body)
{
    return read_reply<IdentifyResponse>(status, body, parse_identify_response);
}

Reply<LoginResponse> read_login_reply(int status, std::string_view body)
{
    return read_reply<LoginResponse>(status, body, parse_login_response);
}

Reply<ForceLogoutResponse> read_force_logout_reply(int status, std::string_view body)
{
    return read_reply<ForceLogoutResponse>(status, body, parse_force_logout_response);
}

Reply<SessionInfo> read_session_reply(int status, std::string_view body)
{
    return read_reply<SessionInfo>(status, body, parse_session_info);
}

Reply<KeepaliveResponse> read_keepalive_reply(int status, std::string_view body)
{
    return read_reply<KeepaliveResponse>(status, body, parse_keepalive_response);
}

Reply<LogoutResponse> read_logout_reply(int status, std::string_view body)
{
    return read_reply<LogoutResponse>(status, body, parse_logout_response);
}

Reply<CertificateIssued> read_certificate_issued_reply(int status, std::string_view body)
{
    return read_reply<CertificateIssued>(status, body, parse_certificate_issued);
}

} // namespace api
