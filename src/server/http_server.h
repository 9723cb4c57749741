#pragma once
// The two HTTPS origins of `ibgate serve` (Boost.Beast over OpenSSL):
//   app origin         - the web build from a directory, strict security headers, never asks for
//                        a client certificate;
//   certificate origin - the API (api.h); asks for a client certificate, advertising the CA
//                        names, accepts the handshake whatever the browser sends, and leaves the
//                        verdict to the application so the page can be told why.
// One I/O thread reads and writes every connection. API requests run on a small worker pool
// (SQLite blocks), which takes session checks, keepalives and logouts before queued login steps;
// logins, whose Argon2id check takes tens to hundreds of milliseconds of CPU, run on a pool of
// their own with a bounded queue, and the check itself in a helper process on CPU time no other
// thread wants (hash_helpers.h), so no amount of logging in can delay a session check, a
// keepalive, a logout or a file. Every connection is bounded in count (per
// origin and per client address), in time (handshake, each request's header and body, idle
// keep-alive) and in memory (one fixed-size read buffer for header, chunk lines, body and
// trailers together).
#include "server/api.h"
#include "server/forwarding.h"
#include "server/log.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

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
    int request_timeout = 10;          // seconds for the header of every request (from its first byte), and again for its body
    int keepalive_timeout = 30;        // seconds an idle connection waits for the first byte of its next request
    // Connection limits, each origin on its own, so a flood against one origin never reaches the
    // other. Past `max_connections`, an idle keep-alive connection of that origin is closed to make
    // room (oldest first); with none idle, the new connection is closed at once. A client address
    // holding `max_connections_per_address` connections to an origin gets no more there (0: no
    // limit - behind a proxy every connection comes from the proxy's address).
    int max_connections = 1024;
    int max_connections_per_address = 64;
    int workers = 2;                   // threads for API requests other than logins; session calls first
    // Logins: `hash_workers` threads, each with a helper process (SCHED_IDLE: only CPU time no
    // other thread wants) that checks the password; up to `hash_queue` more logins wait for one. A login past that is answered at
    // once with 503 `unavailable` and Retry-After: `busy_retry_after` seconds, and the page
    // tells the customer the service is busy. Each running check holds the hash cost's memory
    // (64 MiB interactive, 256 MiB moderate) in its helper.
    int hash_workers = 1;
    int hash_queue = 16;
    // Login steps (identify, force-logout) waiting for an API worker at most; past it they are
    // answered like a full login queue (503, Retry-After). Each waits for one short transaction.
    int login_step_queue = 256;
    int busy_retry_after = 2;
    int sweep_interval = 30;           // seconds between expired-session sweeps
    // Behind a reverse proxy (forwarding.h). Off: no forwarded header is ever read. On: requests
    // from a peer inside `trusted_proxies` carry the customer's certificate and address in
    // `client_cert_header` and `forwarded_for_header`, and those peers are exempt from
    // max_connections_per_address (the proxy enforces that limit per customer now).
    bool behind_proxy = false;
    std::vector<TrustedNetwork> trusted_proxies;
    std::string client_cert_header = "X-Client-Cert";
    std::string forwarded_for_header = "X-Forwarded-For";
    std::shared_ptr<Logger> log;       // null: JSON lines on standard error, no instance name
    // Test hook: while it returns true, the readiness probe fails as an unreachable database's
    // would (an open SQLite file cannot be taken away from the process). Empty in `serve`.
    std::function<bool()> readiness_fault;
};

struct Server;

// Binds both origins and starts serving on background threads. Throws std::exception with a
// one-line reason (port in use, unreadable certificate ...).
std::unique_ptr<Server, void (*)(Server*)> server_start(const ServerConfig& config, ApiService& api);
uint16_t server_app_port(const Server& server);
uint16_t server_cert_port(const Server& server);

// Drain (SIGTERM, SIGINT): /readyz answers 503 at once, both listeners close (new connections are
// refused by the kernel), idle connections are closed, and a connection with a request in flight
// gets its answer with Connection: close and is closed then. Returns when no connection is left
// or `timeout_seconds` have passed, with the number of connections still open (server_stop cuts
// them).
int server_drain(Server& server, int timeout_seconds);

// Live counts, for tests and the operator's log.
struct ServerStats {
    int app_connections = 0;
    int cert_connections = 0;
    int logins_pending = 0;            // running and queued password checks
    long refused_connections = 0;      // closed at accept (origin or address limit)
    long evicted_connections = 0;      // idle keep-alive connections closed to make room
    long busy_logins = 0;              // logins answered 503 because the hash queue was full
    int api_calls_running = 0;         // API calls an API worker is running now
    int login_steps_queued = 0;        // identify / force-logout calls waiting for an API worker
    long busy_login_steps = 0;         // of them answered 503 because that queue was full
};
ServerStats server_stats(Server& server);

// The Content-Security-Policy of the app origin.
std::string app_content_security_policy(const std::string& cert_origin);

// What this server fills into the page's config.json (page_config.h).
struct PageConfigFacts;
PageConfigFacts page_config_facts(const ApiService& api, const ServerConfig& config);
