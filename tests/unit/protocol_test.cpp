#include <algorithm>
#include "core/protocol.h"

#include <nlohmann/json.hpp>

#include <catch_amalgamated.hpp>

#include <functional>
#include <limits>
#include <vector>

using namespace api;

static CertificateIdentity sample_identity()
{
    CertificateIdentity id;
    id.display_name = "山田 太郎";
    id.company_name = "株式会社サンプル商事";
    id.user_id = "yamada01";
    id.institution_code = "1234";
    id.role = Role::Administrator;
    id.not_before = 1760000000;
    id.not_after = 1790000000;
    id.serial = "0a1b2c";
    id.fingerprint_sha256 = std::string(64, 'f');
    return id;
}

static SessionInfo sample_session()
{
    SessionInfo s;
    s.user_id = "yamada01";
    s.user_name = "山田 太郎";
    s.company_name = "株式会社サンプル商事";
    s.institution_code = "1234";
    s.role = Role::User;
    s.login_time = 1764290000;
    s.previous_login = LoginRecord{1764200000, "192.0.2.7", LoginResult::Success};
    s.recent_logins = {
        {1764290000, "192.0.2.8", LoginResult::Success},
        {1764289990, "192.0.2.8", LoginResult::WrongPassword},
        {1764200000, "192.0.2.7", LoginResult::Success},
    };
    s.server_time = 1764290001;
    s.idle_expires_at = 1764290600;
    s.absolute_expires_at = 1764293600;
    s.idle_timeout_seconds = 600;
    s.absolute_timeout_seconds = 3600;
    return s;
}

// Serialises to text and back, the way the message travels.
static json through_text(const json& j)
{
    json back;
    std::string error;
    REQUIRE(parse_json_object(dump_json(j), back, error));
    return back;
}

TEST_CASE("every error code has a distinct wire name that maps back to it")
{
    for (int i = 0; i < static_cast<int>(ErrorCode::Count); i++) {
        ErrorCode code = static_cast<ErrorCode>(i);
        CHECK(error_code_from_name(error_code_name(code)) == code);
        CHECK(error_http_status(code) >= 400);
    }
    CHECK(error_code_from_name("some_future_code") == ErrorCode::Unknown);
}

TEST_CASE("error codes answer with the HTTP status of the contract")
{
    CHECK(error_http_status(ErrorCode::TooLarge) == 413);
    CHECK(error_http_status(ErrorCode::BadRequest) == 400);
    CHECK(error_http_status(ErrorCode::UnsupportedMediaType) == 415);
    CHECK(error_http_status(ErrorCode::NotFound) == 404);
    CHECK(error_http_status(ErrorCode::Csrf) == 403);
    CHECK(error_http_status(ErrorCode::TicketExpired) == 401);
    CHECK(error_http_status(ErrorCode::TicketInvalid) == 401);
    CHECK(error_http_status(ErrorCode::SessionActive) == 409);
    CHECK(error_http_status(ErrorCode::Locked) == 423);
    CHECK(error_http_status(ErrorCode::Unavailable) == 503);
    CHECK(error_http_status(ErrorCode::RevocationUnavailable) == 503);
    CHECK(std::string(error_code_name(ErrorCode::RevocationUnavailable)) == "revocation_unavailable");
    CHECK(error_code_from_name("revocation_unavailable") == ErrorCode::RevocationUnavailable);
    CHECK(std::string(error_code_name(ErrorCode::NoCertificate)) == "no_certificate");
    CHECK(std::string(error_code_name(ErrorCode::CertNotRegistered)) == "cert_not_registered");
}

TEST_CASE("identify response round trip keeps every field")
{
    IdentifyResponse in;
    in.identity = sample_identity();
    in.ticket = "tkt-abc";
    in.ticket_expires_at = 1764290060;
    in.server_time = 1764290000;
    in.renewal_opens_at = 1787408000;

    IdentifyResponse out;
    std::string error;
    REQUIRE(parse_identify_response(through_text(to_json(in)), out, error));
    CHECK(out.identity.display_name == "山田 太郎");
    CHECK(out.identity.company_name == in.identity.company_name);
    CHECK(out.identity.user_id == "yamada01");
    CHECK(out.identity.institution_code == "1234");
    CHECK(out.identity.role == Role::Administrator);
    CHECK(out.identity.not_before == 1760000000);
    CHECK(out.identity.not_after == 1790000000);
    CHECK(out.identity.serial == "0a1b2c");
    CHECK(out.identity.fingerprint_sha256 == in.identity.fingerprint_sha256);
    CHECK(out.ticket == "tkt-abc");
    CHECK(out.renewal_opens_at == 1787408000);
    CHECK(out.ticket_expires_at == 1764290060);
    CHECK(out.server_time == 1764290000);
}

TEST_CASE("login response round trip keeps the session and its history")
{
    LoginResponse in;
    in.session = sample_session();
    in.csrf_token = "csrf-xyz";

    LoginResponse out;
    std::string error;
    REQUIRE(parse_login_response(through_text(to_json(in)), out, error));
    CHECK(out.csrf_token == "csrf-xyz");
    CHECK(out.session.user_name == "山田 太郎");
    CHECK(out.session.role == Role::User);
    REQUIRE(out.session.previous_login.has_value());
    CHECK(out.session.previous_login->source_address == "192.0.2.7");
    REQUIRE(out.session.recent_logins.size() == 3);
    CHECK(out.session.recent_logins[1].result == LoginResult::WrongPassword);
    CHECK(out.session.recent_logins[1].time == 1764289990);
    CHECK(out.session.idle_expires_at == 1764290600);
    CHECK(out.session.absolute_expires_at == 1764293600);
    CHECK(out.session.idle_timeout_seconds == 600);
    CHECK(out.session.absolute_timeout_seconds == 3600);
}

TEST_CASE("a first login has no previous login")
{
    SessionInfo in = sample_session();
    in.previous_login.reset();
    in.recent_logins.clear();
    SessionInfo out = sample_session();
    std::string error;
    REQUIRE(parse_session_info(through_text(to_json(in)), out, error));
    CHECK_FALSE(out.previous_login.has_value());
    CHECK(out.recent_logins.empty());
}

TEST_CASE("requests and small responses round trip")
{
    std::string error;

    LoginRequest login{"tkt", "pa ss\"word\\"};
    LoginRequest login_out;
    REQUIRE(parse_login_request(through_text(to_json(login)), login_out, error));
    CHECK(login_out.ticket == "tkt");
    CHECK(login_out.password == "pa ss\"word\\");

    ForceLogoutRequest force{"ftk"};
    ForceLogoutRequest force_out;
    REQUIRE(parse_force_logout_request(through_text(to_json(force)), force_out, error));
    CHECK(force_out.ticket == "ftk");

    ForceLogoutResponse ended{1764280000, "198.51.100.4", "tkt2", 1764290060, 1764290000};
    ForceLogoutResponse ended_out;
    REQUIRE(parse_force_logout_response(through_text(to_json(ended)), ended_out, error));
    CHECK(ended_out.ended_session_login_time == 1764280000);
    CHECK(ended_out.ended_session_source_address == "198.51.100.4");
    CHECK(ended_out.ticket == "tkt2");

    KeepaliveResponse keep{1764290000, 1764290600, 1764293600};
    KeepaliveResponse keep_out;
    REQUIRE(parse_keepalive_response(through_text(to_json(keep)), keep_out, error));
    CHECK(keep_out.idle_expires_at == 1764290600);

    LogoutResponse bye{1764290000};
    LogoutResponse bye_out;
    REQUIRE(parse_logout_response(through_text(to_json(bye)), bye_out, error));
    CHECK(bye_out.server_time == 1764290000);
}

TEST_CASE("error responses carry the extra fields of their code")
{
    std::string error;

    ErrorResponse wrong;
    wrong.code = ErrorCode::WrongPassword;
    wrong.message = "wrong password";
    wrong.remaining_attempts = 2;
    ErrorResponse wrong_out;
    REQUIRE(parse_error_response(through_text(to_json(wrong)), wrong_out, error));
    CHECK(wrong_out.code == ErrorCode::WrongPassword);
    CHECK(wrong_out.remaining_attempts == 2);

    ErrorResponse active;
    active.code = ErrorCode::SessionActive;
    active.message = "session active";
    active.force_logout_ticket = "ftk";
    active.force_logout_ticket_expires_at = 1764290060;
    active.active_session_login_time = 1764280000;
    active.active_session_source_address = "192.0.2.9";
    ErrorResponse active_out;
    REQUIRE(parse_error_response(through_text(to_json(active)), active_out, error));
    CHECK(active_out.code == ErrorCode::SessionActive);
    CHECK(active_out.force_logout_ticket == "ftk");
    CHECK(active_out.active_session_source_address == "192.0.2.9");
    CHECK(active_out.remaining_attempts == -1);

    // A code from a newer server is still an error the page can show.
    ErrorResponse future_out;
    json future = {{"error", "quantum_failure"}, {"message", "?"}};
    REQUIRE(parse_error_response(future, future_out, error));
    CHECK(future_out.code == ErrorCode::Unknown);
}

TEST_CASE("text that is not one JSON object is rejected without throwing")
{
    const char* bad_texts[] = {
        "", " ", "{", "}", "[]", "null", "42", "\"text\"", "{\"a\":}", "{\"a\":1,}", "{'a':1}",
        "{\"a\":1} trailing", "\xff\xfe{}", "{\"a\":\"\xc3\x28\"}", "[[[[[[[[[[[[[[[[[[[[",
    };
    for (const char* text : bad_texts) {
        json j;
        std::string error;
        CAPTURE(text);
        CHECK_FALSE(parse_json_object(text, j, error));
        CHECK_FALSE(error.empty());
    }
}

TEST_CASE("a body that could be read two ways is refused")
{
    struct Row {
        std::string text;
        const char* reason_part;
    };
    const Row rows[] = {
        {std::string("{\"ticket\":\"t\",\"password\":\"p\"}") + '\0', "not valid JSON"},
        {"{\"ticket\":\"t\",\"password\":\"p\"} {}", "not valid JSON"},
        {"{\"ticket\":\"t\",\"password\":\"wrong\",\"password\":\"right\"}", "same key twice"},
        {"{\"ticket\":\"t\",\"x\":{\"a\":1,\"a\":1}}", "same key twice"},
        {"{\"x\":" + std::string(40, '[') + std::string(40, ']') + "}", "deeper than 32"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.text);
        json j;
        std::string error;
        CHECK_FALSE(parse_json_object(row.text, j, error));
        CHECK_THAT(error, Catch::Matchers::ContainsSubstring(row.reason_part));
    }
}

TEST_CASE("dump_json never throws on invalid UTF-8")
{
    json j = {{"name", std::string("bad \xc3\x28 byte")}};
    std::string text = dump_json(j);
    CHECK(text.find("bad") != std::string::npos);
}

// Takes a valid message, breaks one field at a time and checks each break is caught.
// `optional`: fields a message may lack (an older server's answer); mistyped, they still fail.
template <typename T>
static void check_every_break_rejected(const json& good, bool (*parse)(const json&, T&, std::string&),
                                       const std::vector<std::string>& optional = {})
{
    {
        T out;
        std::string error;
        REQUIRE(parse(good, out, error));
    }
    const json wrong_values[] = {nullptr, true, 1.5, -1, "text", json::array(), json::object()};
    for (auto it = good.begin(); it != good.end(); ++it) {
        const std::string key = it.key();
        json missing = good;
        missing.erase(key);
        T out;
        std::string error;
        CAPTURE(key);
        if (std::find(optional.begin(), optional.end(), key) != optional.end()) {
            CHECK(parse(missing, out, error));
        } else {
            CHECK_FALSE(parse(missing, out, error));
            CHECK(error.find(key) != std::string::npos);
        }

        for (const json& value : wrong_values) {
            if (value.type() == it->type())
                continue;
            if (it->is_number_integer() && value.is_number_integer())
                continue;
            // previous_login may be null; an integer -1 is a valid (odd) time.
            if (key == "previous_login" && value.is_null())
                continue;
            json changed = good;
            changed[key] = value;
            CAPTURE(value.dump());
            CHECK_FALSE(parse(changed, out, error));
        }
    }
    const json not_objects[] = {nullptr, json::array(), 7, "text"};
    for (const json& value : not_objects) {
        T out;
        std::string error;
        CHECK_FALSE(parse(value, out, error));
    }
}

TEST_CASE("every missing or mistyped field is rejected")
{
    IdentifyResponse identify{sample_identity(), "tkt", 10, 5, 8};
    check_every_break_rejected<IdentifyResponse>(to_json(identify), parse_identify_response, {"renewal_opens_at"});
    check_every_break_rejected<CertificateIdentity>(to_json(sample_identity()), parse_certificate_identity);
    check_every_break_rejected<SessionInfo>(to_json(sample_session()), parse_session_info,
                                            {"certificate_not_after", "renewal_opens_at"});
    check_every_break_rejected<LoginResponse>(to_json(LoginResponse{sample_session(), "csrf"}), parse_login_response);
    check_every_break_rejected<LoginRequest>(to_json(LoginRequest{"tkt", "pw"}), parse_login_request);
    check_every_break_rejected<ForceLogoutRequest>(to_json(ForceLogoutRequest{"tkt"}), parse_force_logout_request);
    check_every_break_rejected<ForceLogoutResponse>(to_json(ForceLogoutResponse{1, "a", "t", 2, 3}),
                                                    parse_force_logout_response);
    check_every_break_rejected<KeepaliveResponse>(to_json(KeepaliveResponse{1, 2, 3}), parse_keepalive_response);
    check_every_break_rejected<LogoutResponse>(to_json(LogoutResponse{1}), parse_logout_response);
    check_every_break_rejected<LoginRecord>(to_json(LoginRecord{1, "a", LoginResult::Success}), parse_login_record);

    ErrorResponse wrong;
    wrong.code = ErrorCode::WrongPassword;
    wrong.remaining_attempts = 3;
    check_every_break_rejected<ErrorResponse>(to_json(wrong), parse_error_response);

    check_every_break_rejected<EnrollRequest>(to_json(EnrollRequest{"yamada01", "code", "TUlJQg=="}), parse_enroll_request);
    check_every_break_rejected<RenewRequest>(to_json(RenewRequest{"TUlJQg=="}), parse_renew_request);
    CertificateIssued issued{"TUlJQg==", {"TUlJQw=="}, "0A1B", 10, 20, "yamada011234.p12", 15};
    check_every_break_rejected<CertificateIssued>(to_json(issued), parse_certificate_issued);
    ErrorResponse wrong_code;
    wrong_code.code = ErrorCode::EnrollmentCodeWrong;
    wrong_code.remaining_attempts = 4;
    check_every_break_rejected<ErrorResponse>(to_json(wrong_code), parse_error_response);
    ErrorResponse not_open;
    not_open.code = ErrorCode::RenewalNotOpen;
    not_open.renewal_opens_at = 100;
    check_every_break_rejected<ErrorResponse>(to_json(not_open), parse_error_response);
}

TEST_CASE("certificate requests and answers carry DER as strict base64, within their limits")
{
    std::string error;
    EnrollRequest enroll;
    const auto enroll_with = [](const std::string& csr) { return json{{"user_id", "yamada01"}, {"code", "c"}, {"csr", csr}}; };
    CHECK(parse_enroll_request(enroll_with("TUlJQg=="), enroll, error));
    CHECK(parse_enroll_request(enroll_with("TUlJQkE="), enroll, error));
    const char* not_base64[] = {"", "TUlJQg", "TUlJ Qg==", "TUlJQg==\n", "TU=JQg==", "TUlJQg===", "TUlJ-g==", "TUlJQ_=="};
    for (const char* text : not_base64) {
        CAPTURE(text);
        CHECK_FALSE(parse_enroll_request(enroll_with(text), enroll, error));
    }
    CHECK_FALSE(parse_enroll_request(enroll_with(std::string(kMaxCsrBase64Bytes + 4, 'A')), enroll, error));
    CHECK(parse_enroll_request(enroll_with(std::string(kMaxCsrBase64Bytes, 'A')), enroll, error));
    CHECK_FALSE(parse_enroll_request(json{{"user_id", ""}, {"code", "c"}, {"csr", "TUlJQg=="}}, enroll, error));
    CHECK_FALSE(parse_enroll_request(json{{"user_id", "u"}, {"code", ""}, {"csr", "TUlJQg=="}}, enroll, error));
    CHECK_FALSE(parse_enroll_request(json{{"user_id", std::string(kMaxUserIdBytes + 1, 'u')}, {"code", "c"}, {"csr", "TUlJQg=="}},
                                     enroll, error));
    CHECK_FALSE(parse_enroll_request(
        json{{"user_id", "u"}, {"code", std::string(kMaxEnrollmentCodeBytes + 1, 'c')}, {"csr", "TUlJQg=="}}, enroll, error));

    CertificateIssued issued{"TUlJQg==", {"TUlJQw==", "TUlJRA=="}, "0A1B", 10, 20, "yamada011234.p12", 15};
    json j = to_json(issued);
    CertificateIssued back;
    REQUIRE(parse_certificate_issued(j, back, error));
    CHECK(back.ca_certificates == issued.ca_certificates);
    CHECK(back.file_name == "yamada011234.p12");
    j["ca_certificates"] = json::array({"TUlJQw==", "TUlJQw==", "TUlJQw==", "TUlJQw==", "TUlJQw=="});
    CHECK_FALSE(parse_certificate_issued(j, back, error));
    j["ca_certificates"] = json::array({"not base64!"});
    CHECK_FALSE(parse_certificate_issued(j, back, error));
}

TEST_CASE("values out of their domain are rejected")
{
    std::string error;
    CertificateIdentity id;

    json bad_code = to_json(sample_identity());
    bad_code["institution_code"] = "12a4";
    CHECK_FALSE(parse_certificate_identity(bad_code, id, error));
    bad_code["institution_code"] = "12345";
    CHECK_FALSE(parse_certificate_identity(bad_code, id, error));

    json bad_role = to_json(sample_identity());
    bad_role["role"] = "root";
    CHECK_FALSE(parse_certificate_identity(bad_role, id, error));

    json huge_time = to_json(sample_identity());
    huge_time["not_after"] = 18446744073709551615ull;
    CHECK_FALSE(parse_certificate_identity(huge_time, id, error));

    LoginRequest req;
    CHECK_FALSE(parse_login_request(json{{"ticket", "t"}, {"password", ""}}, req, error));
    CHECK_FALSE(parse_login_request(json{{"ticket", ""}, {"password", "pw"}}, req, error));
    CHECK_FALSE(parse_login_request(json{{"ticket", "t"}, {"password", std::string(kMaxPasswordBytes + 1, 'x')}},
                                    req, error));
    CHECK_FALSE(parse_login_request(json{{"ticket", std::string(kMaxTokenBytes + 1, 't')}, {"password", "pw"}},
                                    req, error));

    SessionInfo session;
    json bad_timeout = to_json(sample_session());
    bad_timeout["idle_timeout_seconds"] = 0;
    CHECK_FALSE(parse_session_info(bad_timeout, session, error));

    json long_history = to_json(sample_session());
    long_history["recent_logins"] = json::array();
    for (int i = 0; i < 51; i++)
        long_history["recent_logins"].push_back(to_json(LoginRecord{i, "a", LoginResult::Success}));
    CHECK_FALSE(parse_session_info(long_history, session, error));

    json bad_item = to_json(sample_session());
    bad_item["recent_logins"][1] = "yesterday";
    CHECK_FALSE(parse_session_info(bad_item, session, error));

    ErrorResponse e;
    CHECK_FALSE(parse_error_response(json{{"error", "wrong_password"}, {"message", "m"}, {"remaining_attempts", -1}},
                                     e, error));
    CHECK_FALSE(parse_error_response(json{{"error", "session_active"}, {"message", "m"}}, e, error));
}

TEST_CASE("replies: success, error and garbage each become something the page can show")
{
    LoginResponse login{sample_session(), "csrf"};
    auto ok = read_login_reply(200, dump_json(to_json(login)));
    CHECK(ok.ok);
    CHECK(ok.value.csrf_token == "csrf");

    ErrorResponse locked;
    locked.code = ErrorCode::Locked;
    locked.message = "locked";
    auto refused = read_login_reply(423, dump_json(to_json(locked)));
    CHECK_FALSE(refused.ok);
    CHECK(refused.error.code == ErrorCode::Locked);

    auto proxy_page = read_session_reply(502, "<html>Bad Gateway</html>");
    CHECK_FALSE(proxy_page.ok);
    CHECK(proxy_page.error.code == ErrorCode::Unavailable);

    auto truncated = read_identify_reply(200, "{\"identity\":{\"display_name\":\"a");
    CHECK_FALSE(truncated.ok);
    CHECK(truncated.error.code == ErrorCode::Internal);

    auto wrong_shape = read_keepalive_reply(200, "{\"server_time\":\"soon\"}");
    CHECK_FALSE(wrong_shape.ok);
    CHECK(wrong_shape.error.code == ErrorCode::Internal);

    auto odd_error = read_logout_reply(401, "{\"message\":\"no code\"}");
    CHECK_FALSE(odd_error.ok);
    CHECK(odd_error.error.code == ErrorCode::Internal);
}

TEST_CASE("every time field outside 1970 to 9999 makes the message malformed")
{
    ErrorResponse active;
    active.code = ErrorCode::SessionActive;
    active.force_logout_ticket = "ft";
    active.force_logout_ticket_expires_at = 1764290300;
    active.active_session_login_time = 1764290000;
    active.active_session_source_address = "192.0.2.9";

    using Parse = std::function<bool(const json&, std::string&)>;
    struct Message {
        const char* name;
        json value;
        std::vector<const char*> time_fields;   // JSON pointers
        Parse parse;
    };
    const Message messages[] = {
        {"identify", to_json(IdentifyResponse{sample_identity(), "tkt", 1764290300, 1764290000}),
         {"/identity/not_before", "/identity/not_after", "/ticket_expires_at", "/server_time"},
         [](const json& j, std::string& e) { IdentifyResponse o; return parse_identify_response(j, o, e); }},
        {"login", to_json(LoginResponse{sample_session(), "csrf"}),
         {"/session/login_time", "/session/server_time", "/session/idle_expires_at", "/session/absolute_expires_at",
          "/session/previous_login/time", "/session/recent_logins/0/time", "/session/recent_logins/2/time"},
         [](const json& j, std::string& e) { LoginResponse o; return parse_login_response(j, o, e); }},
        {"force-logout", to_json(ForceLogoutResponse{1764290000, "192.0.2.9", "tkt", 1764290300, 1764290001}),
         {"/ended_session_login_time", "/ticket_expires_at", "/server_time"},
         [](const json& j, std::string& e) { ForceLogoutResponse o; return parse_force_logout_response(j, o, e); }},
        {"keepalive", to_json(KeepaliveResponse{1764290001, 1764290600, 1764293600}),
         {"/server_time", "/idle_expires_at", "/absolute_expires_at"},
         [](const json& j, std::string& e) { KeepaliveResponse o; return parse_keepalive_response(j, o, e); }},
        {"logout", to_json(LogoutResponse{1764290001}), {"/server_time"},
         [](const json& j, std::string& e) { LogoutResponse o; return parse_logout_response(j, o, e); }},
        {"session_active error", to_json(active),
         {"/force_logout_ticket_expires_at", "/active_session_login_time"},
         [](const json& j, std::string& e) { ErrorResponse o; return parse_error_response(j, o, e); }},
    };
    struct Value { json time; bool accepted; };
    const Value values[] = {
        {std::numeric_limits<int64_t>::min(), false},
        {-1, false},
        {kMinTime, true},
        {kMaxTime, true},
        {kMaxTime + 1, false},
        {std::numeric_limits<int64_t>::max(), false},
        {std::numeric_limits<uint64_t>::max(), false},
    };
    for (const Message& m : messages) {
        std::string error;
        REQUIRE(m.parse(m.value, error));
        for (const char* field : m.time_fields) {
            for (const Value& v : values) {
                CAPTURE(m.name, field, v.time.dump());
                json changed = m.value;
                changed[json::json_pointer(field)] = v.time;
                error.clear();
                CHECK(m.parse(changed, error) == v.accepted);
                const std::string key = std::string(field).substr(std::string(field).rfind('/') + 1);
                if (!v.accepted)
                    CHECK_THAT(error, Catch::Matchers::ContainsSubstring("'" + key + "'"));
            }
        }
    }
}

TEST_CASE("a reply with an impossible time is a malformed answer, whatever its status")
{
    json identify = to_json(IdentifyResponse{sample_identity(), "tkt", 1764290300, 1764290000});
    identify["identity"]["not_after"] = std::numeric_limits<int64_t>::max();
    auto bad_identify = read_identify_reply(200, dump_json(identify));
    CHECK_FALSE(bad_identify.ok);
    CHECK(bad_identify.error.code == ErrorCode::Internal);
    CHECK_THAT(bad_identify.error.message, Catch::Matchers::ContainsSubstring("not_after"));

    ErrorResponse active;
    active.code = ErrorCode::SessionActive;
    active.force_logout_ticket = "ft";
    active.active_session_login_time = std::numeric_limits<int64_t>::max();
    auto bad_active = read_login_reply(409, dump_json(to_json(active)));
    CHECK_FALSE(bad_active.ok);
    CHECK(bad_active.error.code == ErrorCode::Internal);   // not SessionActive: nothing of it is used
}
