#pragma once
// The authentication API on the certificate origin (docs/api.md): one request in, one response
// out. No networking here - http_server.cpp reads the request and the client certificate off
// the TLS connection and writes the response back - so every rule lives in one place.

#include "server/cert_check.h"
#include "server/secrets.h"
#include "server/store.h"

#include <openssl/x509.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

struct ApiConfig {
    std::string app_origin = "https://localhost:8443";   // the only origin CORS admits
    std::string institution_code;                         // 4 digits; certificates of other codes are refused
    int idle_timeout = 600;          // seconds without keepalive before a session ends
    int absolute_timeout = 3600;     // seconds after login when a session ends regardless
    int max_failures = 6;            // consecutive wrong passwords before the account locks
    int ticket_lifetime = 300;       // seconds a login / force-logout ticket stays usable
    int history_size = 10;           // login attempts listed in the session answer
    // 電子証明書取得 / 更新 (docs/api.md "Certificates").
    int certificate_days = 365;      // validity of a certificate the API issues
    int renewal_days = 30;           // renewal opens this many days before a certificate expires
    int enrollment_max_failures = 5; // wrong 取得用パスワード before the code locks
};

// What signs the certificates the API issues: the credit union's client CA (pki/ca.pem and its
// key). Null cert: enrollment and renewal answer 503 unavailable.
struct CertificateAuthority {
    CertPtr cert;
    KeyPtr key;
};

struct ApiService {
    ApiConfig config;
    Store* store = nullptr;
    TrustAnchors* trust = nullptr;
    const CertificateAuthority* issuer = nullptr;
    PasswordChecker checker;
    std::function<int64_t()> clock;   // Unix seconds; the tests move it
};

struct ApiRequest {
    std::string method;              // "GET", "POST", "OPTIONS", ...
    std::string target;              // path and query
    std::string content_type;
    std::string body;                // wiped by api_handle (it may hold a password)
    std::string cookie;              // the Cookie header
    std::string csrf;                // the X-CSRF-Token header
    bool has_origin = false;
    std::string origin;
    std::string preflight_method;    // Access-Control-Request-Method
    std::string preflight_headers;   // Access-Control-Request-Headers
    X509* peer = nullptr;            // client certificate (not owned); null: none sent
    STACK_OF(X509)* peer_chain = nullptr;
    std::string source_address;      // the TCP peer, or the forwarded-for last hop from a trusted proxy
    // Not empty: a certificate header came from an address that is not a trusted proxy and was
    // ignored; the audit record's detail ("X-Client-Cert from untrusted 192.0.2.9").
    std::string ignored_forwarded_header;
    VerifiedChain* verified_chain = nullptr;   // the connection's (cert_check.h); null: verify every time
};

struct ApiResponse {
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    // For the access log: the user the request acted for, where the API knows it (a certificate
    // that passed its own checks, a session's owner); "" otherwise. An ID, never a secret.
    std::string user;
};

// Never throws: database trouble becomes 503 unavailable, anything else 500 internal.
ApiResponse api_handle(ApiService& service, ApiRequest& request);

// The error answer for a request the HTTP layer refused before it was complete (too large,
// timed out): same CORS and cache headers as api_handle, so the page can read the code.
ApiResponse api_refuse(ApiService& service, ApiRequest& request, api::ErrorCode code, const std::string& message);

// Whether the database answers a trivial query (a read transaction) with the schema this binary
// knows; `why` says what failed. Blocks on the database: run it on an API worker.
bool api_database_ready(ApiService& service, std::string& why);

// Ends sessions past their timeouts (audited) and deletes stale tickets. Run periodically.
void api_sweep(ApiService& service);
