// The authentication API as http_server.cpp hands requests to it, against a scratch data
// directory (same code as `ibgate init`) with one user whose certificate is pki/client.der.
//
// Input: one byte choosing the client certificate (none / the user's / the user's with the CA as
// chain), then an HTTP-like text:
//     METHOD TARGET
//     Name: value            (Content-Type, Cookie, X-CSRF-Token, Origin, Access-Control-Request-*)
//     X-Fuzz-Later: seconds  (the request arrives this much after the fixed clock)
//
//     body
// Random tokens cannot be guessed, so these placeholders are replaced with live ones before the
// request is handled: @TICKET@ (login ticket), @FORCE@ (force-logout ticket), @SESSION@ and @CSRF@
// (of a logged-in session). That lets the fuzzer reach every step of the login flow.
//
// Property: every answer is JSON the page can read (an error parses as one, with the status its
// code has), the request body is wiped, the password never comes back, a session cookie is only
// set by a 200, and CORS never admits another origin.
#include "fuzz_support.h"

#include "core/protocol.h"
#include "server/api.h"
#include "server/header_text.h"
#include "server/operator.h"

#include <nlohmann/json.hpp>
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <string>

static const char* const kUser = "fuzzuser";
static const char* const kPassword = "correct horse 7";
static const char* const kAppOrigin = "https://localhost:8443";

struct Fixture {
    Store store;
    TrustAnchors trust;
    ApiService service;
    int64_t now = kFuzzNow;
    X509* cert = nullptr;
    STACK_OF(X509)* chain = nullptr;
    std::string cookie;   // "__Host-ibg_session=..." of the live session, "" when none is known
    std::string csrf;
};
static Fixture* fx = nullptr;

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    fx = new Fixture;
    FUZZ_CHECK(secrets_init());
    const std::string dir = (fuzz_scratch_dir("api") / "data").string();
    InitOptions init;
    init.hash_cost = HashCost::Test;
    operator_init(dir, init, kFuzzNow);
    // Nothing here must survive a power cut; without fsync an iteration takes microseconds.
    StoreOptions store_options;
    store_options.busy_timeout_ms = 1000;
    store_options.durable = false;
    store_open(fx->store, data_paths(dir).database, store_options);
    trust_load(fx->trust, IBANK_FUZZ_PKI "/ca.pem", IBANK_FUZZ_PKI "/crl.pem", kFuzzNow);

    const std::string der = fuzz_read_file(IBANK_FUZZ_PKI "/client.der");
    const unsigned char* at = reinterpret_cast<const unsigned char*>(der.data());
    fx->cert = d2i_X509(nullptr, &at, static_cast<long>(der.size()));
    FUZZ_CHECK(fx->cert != nullptr);
    fx->chain = sk_X509_new_null();
    sk_X509_push(fx->chain, pki_read_cert(IBANK_FUZZ_PKI "/ca.pem").release());

    UserRecord user;
    user.user_id = kUser;
    user.name = "利用者 fuzz";
    user.company = "株式会社テスト";
    operator_user_add(fx->store, user, kPassword, kFuzzNow);
    operator_register_cert(fx->store, fx->cert, kUser, kFuzzNow);

    fx->service.config.app_origin = kAppOrigin;
    fx->service.config.institution_code = "1234";
    fx->service.store = &fx->store;
    fx->service.trust = &fx->trust;
    fx->service.clock = [] { return fx->now; };
    FUZZ_CHECK(password_checker_init(fx->service.checker, HashCost::Test));
    return 0;
}

// ---------------------------------------------------------------- live tokens
static ApiResponse call(const std::string& method, const std::string& target, const std::string& body,
                        const std::string& cookie = std::string(), const std::string& csrf = std::string())
{
    ApiRequest req;
    req.method = method;
    req.target = target;
    req.content_type = "application/json";
    req.body = body;
    req.cookie = cookie;
    req.csrf = csrf;
    req.peer = fx->cert;
    req.source_address = "127.0.0.1";
    return api_handle(fx->service, req);
}

static std::string json_string(const std::string& body, const char* key)
{
    const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object() || !j.contains(key) || !j[key].is_string())
        return std::string();
    return j[key].get<std::string>();
}

static std::string login_ticket()
{
    return json_string(call("POST", api::kPathIdentify, "{}").body, "ticket");
}

// A login that succeeds or reports the retained session; the account is unlocked first.
static ApiResponse login_attempt()
{
    operator_user_unlock(fx->store, kUser, kFuzzNow);
    return call("POST", api::kPathLogin, nlohmann::json{{"ticket", login_ticket()}, {"password", kPassword}}.dump());
}

static std::string force_logout_ticket()
{
    return json_string(login_attempt().body, "force_logout_ticket");
}

static void ensure_session()
{
    if (!fx->cookie.empty() && call("GET", api::kPathSession, "", fx->cookie).status == 200)
        return;
    fx->cookie.clear();
    ApiResponse r = login_attempt();
    if (r.status == 409) {
        call("POST", api::kPathForceLogout, nlohmann::json{{"ticket", json_string(r.body, "force_logout_ticket")}}.dump());
        r = login_attempt();
    }
    FUZZ_CHECK(r.status == 200);
    for (const auto& [name, value] : r.headers)
        if (name == "Set-Cookie")
            fx->cookie = value.substr(0, value.find(';'));
    fx->csrf = json_string(r.body, "csrf_token");
}

static void replace_all(std::string& s, const std::string& from, const std::string& to)
{
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
}

// Replaces the placeholders in every field that may carry a token.
static void fill_tokens(ApiRequest& req)
{
    std::string* fields[] = {&req.body, &req.cookie, &req.csrf};
    bool session = false, ticket = false, force = false;
    for (std::string* f : fields) {
        session = session || f->find("@SESSION@") != std::string::npos || f->find("@CSRF@") != std::string::npos;
        ticket = ticket || f->find("@TICKET@") != std::string::npos;
        force = force || f->find("@FORCE@") != std::string::npos;
    }
    std::string session_value, force_value, ticket_value;
    if (session || force)
        ensure_session();
    if (session)
        session_value = fx->cookie.substr(fx->cookie.find('=') + 1);
    if (force)
        force_value = force_logout_ticket();
    if (ticket)
        ticket_value = login_ticket();   // the newest: a force-logout ticket's login used the one before
    for (std::string* f : fields) {
        replace_all(*f, "@SESSION@", session_value);
        replace_all(*f, "@CSRF@", fx->csrf);
        replace_all(*f, "@TICKET@", ticket_value);
        replace_all(*f, "@FORCE@", force_value);
    }
}

// ---------------------------------------------------------------- the request
static ApiRequest parse_request(const std::string& text, int64_t& later)
{
    ApiRequest req;
    req.source_address = "127.0.0.1";
    size_t line_end = text.find('\n');
    const std::string request_line = text.substr(0, line_end);
    const size_t space = request_line.find(' ');
    req.method = request_line.substr(0, space);
    req.target = space == std::string::npos ? std::string() : request_line.substr(space + 1);
    while (line_end != std::string::npos) {
        const size_t start = line_end + 1;
        line_end = text.find('\n', start);
        std::string line = text.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty()) {
            req.body = line_end == std::string::npos ? std::string() : text.substr(line_end + 1);
            break;
        }
        const size_t colon = line.find(':');
        const std::string name = ascii_lower(line.substr(0, colon));
        const std::string value = colon == std::string::npos ? std::string() : trim_blanks(line.substr(colon + 1));
        if (name == "content-type")
            req.content_type = value;
        else if (name == "cookie")
            req.cookie = value;
        else if (name == "x-csrf-token")
            req.csrf = value;
        else if (name == "origin") {
            req.has_origin = true;
            req.origin = value;
        } else if (name == "access-control-request-method")
            req.preflight_method = value;
        else if (name == "access-control-request-headers")
            req.preflight_headers = value;
        else if (name == "x-fuzz-later")
            later = std::min<int64_t>(std::max<int64_t>(std::atoll(value.c_str()), 0), 10 * 24 * 3600);
    }
    return req;
}

static void check_response(const ApiRequest& req, const ApiResponse& r, bool sent_password)
{
    FUZZ_CHECK(req.body.empty());
    FUZZ_CHECK(r.status >= 200 && r.status <= 599);
    FUZZ_CHECK(!sent_password || r.body.find(kPassword) == std::string::npos);
    for (const auto& [name, value] : r.headers) {
        if (name == "Access-Control-Allow-Origin")
            FUZZ_CHECK(value == kAppOrigin);
        if (name == "Set-Cookie" && value.find("Max-Age=0") == std::string::npos)
            FUZZ_CHECK(r.status == 200);
    }
    if (r.status == 204) {
        FUZZ_CHECK(r.body.empty());
        return;
    }
    api::json j;
    std::string error;
    FUZZ_CHECK(api::parse_json_object(r.body, j, error));
    if (r.status >= 400) {
        api::ErrorResponse e;
        FUZZ_CHECK(api::parse_error_response(j, e, error));
        FUZZ_CHECK(api::error_http_status(e.code) == r.status);
    }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    int64_t later = 0;
    ApiRequest req = parse_request(std::string(reinterpret_cast<const char*>(data) + 1, size - 1), later);
    const int certificate = data[0] % 3;
    req.peer = certificate > 0 ? fx->cert : nullptr;
    req.peer_chain = certificate == 2 ? fx->chain : nullptr;
    fill_tokens(req);
    const bool sent_password = req.body.find(kPassword) != std::string::npos;

    fx->now = kFuzzNow + later;
    const ApiResponse r = api_handle(fx->service, req);
    fx->now = kFuzzNow;
    if (std::getenv("IBANK_FUZZ_TRACE"))   // to see what a seed or crash input reaches
        std::fprintf(stderr, "%s %s -> %d %s\n", req.method.c_str(), req.target.c_str(), r.status, r.body.c_str());
    check_response(req, r, sent_password);
    return 0;
}
