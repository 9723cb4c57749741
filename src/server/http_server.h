#pragma once
// The two HTTPS origins of `ibgate serve` (Boost.Beast over OpenSSL):
//   app origin         - the web build from a directory, strict security headers, never asks for
//                        a client certificate;
//   certificate origin - the API (api.h); asks for a client certificate, advertising the CA
//                        names, accepts the handshake whatever the browser sends, and leaves the
//                        verdict to the application so the page can be told why.
// One I/O thread; API requests run on a small worker pool (Argon2id and SQLite block), and the
// answer is written back on the I/O thread. Slow or oversized requests are cut off.

#include "server/api.h"

#include <cstdint>
#include <memory>
#include <string>

struct ServerConfig {
    std::string app_address = "127.0.0.1";
    uint16_t app_port = 8443;          // 0: any free port (tests)
    std::string cert_address = "127.0.0.1";
    uint16_t cert_port = 8444;
    std::string web_root;              // the app origin's files
    std::string tls_cert_path;         // server certificate chain (PEM)
    std::string tls_key_path;
    std::string client_ca_path;        // CA names advertised in the certificate request
    std::string cert_origin = "https://localhost:8444";   // for the app origin's connect-src
    // HSTS includeSubDomains: every subdomain of the site's domain (not only these two origins)
    // becomes HTTPS-only in every browser that visits, for a year. Off by default: a credit
    // union's domain often has other hosts (a brochure site, mail, branch printers) that would
    // become unreachable over plain HTTP; turn it on once all of them serve HTTPS.
    bool hsts_include_subdomains = false;
    int handshake_timeout = 10;        // seconds for the TLS handshake
    int request_timeout = 10;          // seconds for headers and body of one request
    int keepalive_timeout = 30;        // seconds an idle connection is kept open
    int max_connections = 512;
    int workers = 2;
    int sweep_interval = 30;           // seconds between expired-session sweeps
};

struct Server;

// Binds both origins and starts serving on background threads. Throws std::exception with a
// one-line reason (port in use, unreadable certificate ...).
std::unique_ptr<Server, void (*)(Server*)> server_start(const ServerConfig& config, ApiService& api);
uint16_t server_app_port(const Server& server);
uint16_t server_cert_port(const Server& server);

// The Content-Security-Policy of the app origin.
std::string app_content_security_policy(const std::string& cert_origin);
