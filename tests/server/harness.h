#pragma once
// Runs the real ibgate server in-process on 127.0.0.1 (ephemeral ports) over a fresh data
// directory made by the same code as `ibgate init`, and talks to it over real TLS with real
// client certificates. The server's clock is the test's: expiry is tested by moving it, never
// by sleeping.
//
// The store's backend is the environment's: with IBGATE_TEST_PG set to a PostgreSQL server's URL
// (scripts/pg run sets it) every TestServer gets a database of its own on that server, made
// fresh and dropped afterwards; without it, the SQLite file in the data directory. So the same
// tests run against both backends.

#include "server/api.h"
#include "server/http_server.h"
#include "server/operator.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

struct ClientCert {
    CertPtr cert;
    KeyPtr key;
    std::string fingerprint;
    std::string serial;
};

struct TestOptions {
    ApiConfig api;                 // institution_code is always "1234"
    int busy_timeout_ms = 5000;
    int request_timeout = 10;
    int handshake_timeout = 10;
    int keepalive_timeout = 0;     // 0: the same as request_timeout
    ServerConfig limits;           // connection and login limits; ports, paths and timeouts are the harness's
    OcspOptions ocsp;              // url "" = no OCSP checking
    bool hsts_include_subdomains = false;
    TestOptions() { api.max_failures = 3; }
};

// Proxy mode (--behind-proxy). `trust_loopback`: 127.0.0.1, where the tests connect from, is the
// trusted proxy; otherwise only 192.0.2.0/24 (a documentation network nothing connects from) is,
// and the tests are an untrusted client. 127.0.0.2 (Request::local_address) is never trusted.
void behind_proxy(TestOptions& options, bool trust_loopback);

// Captures a server's JSON log lines: `options.limits.log = log.logger` before the server starts,
// and declare the ServerLog before the TestServer (the server writes to it until it stops).
struct ServerLog {
    std::shared_ptr<Logger> logger = std::make_shared<Logger>();
    std::mutex mutex;
    std::vector<std::string> lines;
    ServerLog();
    std::string text();
    std::vector<nlohmann::json> events(const std::string& event);   // the parsed lines of that event
};

// The PostgreSQL server the tests run against: $IBGATE_TEST_PG, or "" (SQLite).
std::string test_pg_server();

// libpq URI `url` with its database name (the path) replaced by `name`. Pure.
std::string pg_url_with_database(const std::string& url, const std::string& name);

// A fresh database on the server at `server_url` (CREATE DATABASE through libpq), dropped
// (with any connection still open to it) when this ends.
struct PgTestDatabase {
    std::string server_url;
    std::string name;   // ibgate_test_<random hex>
    std::string url;    // server_url naming this database
    explicit PgTestDatabase(const std::string& server_url);
    ~PgTestDatabase();
    PgTestDatabase(const PgTestDatabase&) = delete;
    PgTestDatabase& operator=(const PgTestDatabase&) = delete;
};

struct TestServer {
    std::filesystem::path dir;
    DataPaths paths;
    std::unique_ptr<PgTestDatabase> pg;   // null: SQLite
    std::string database;                 // what store_open is given: the PostgreSQL URL or paths.database
    TestOptions options;
    Store store;
    TrustAnchors trust;
    CertificateAuthority issuer;   // the data directory's client CA, as serve reads it
    ApiService api;
    std::atomic<int64_t> now{0};
    std::unique_ptr<Server, void (*)(Server*)> server{nullptr, nullptr};
    uint16_t app_port = 0;
    uint16_t cert_port = 0;
    CertPtr ca;
    KeyPtr ca_key;

    explicit TestServer(const TestOptions& options = TestOptions());
    ~TestServer();
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    void start();
    void stop();
    // Stops the server and closes the database, then opens and starts both again.
    void restart();
};

// Spec of a good client certificate for `user_id` at the server's institution, valid now.
CertSpec client_spec(TestServer& ts, const std::string& user_id);
// Signed by the server's CA (or by `issuer`), not registered.
ClientCert make_cert(TestServer& ts, const CertSpec& spec, X509* issuer = nullptr, EVP_PKEY* issuer_key = nullptr);
// A user with `password` and a registered certificate.
ClientCert add_user(TestServer& ts, const std::string& user_id, const std::string& password,
                    api::Role role = api::Role::User);
ClientCert add_cert(TestServer& ts, const std::string& user_id);

struct Reply {
    int status = 0;
    std::string body;
    std::multimap<std::string, std::string> headers;   // lowercase names
    nlohmann::json json;                                // discarded when the body is not JSON
    std::string header(const std::string& lowercase_name) const;
    std::string error() const;                          // json["error"] or ""
};

struct Request {
    std::string method = "GET";
    std::string target;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    const ClientCert* cert = nullptr;
    bool app_origin = false;      // send to the app origin instead of the certificate origin
    bool chunked = false;         // Transfer-Encoding: chunked instead of Content-Length
    std::string local_address;    // the client's address, e.g. "127.0.0.2"; "": the system's choice (127.0.0.1)
};

Reply send(TestServer& ts, const Request& request);
// The same to any ibgate on 127.0.0.1 (a process a test started): `server_ca` verifies it.
Reply send_to(const std::string& server_ca, uint16_t port, const Request& request);
Reply post(TestServer& ts, const ClientCert* cert, const std::string& target, const std::string& body,
           std::vector<std::pair<std::string, std::string>> headers = {});
Reply get(TestServer& ts, const ClientCert* cert, const std::string& target,
          std::vector<std::pair<std::string, std::string>> headers = {});

// The API flow in steps.
std::string identify_ticket(TestServer& ts, const ClientCert& cert);    // REQUIREs 200
Reply login(TestServer& ts, const ClientCert& cert, const std::string& ticket, const std::string& password);

// A logged-in session as the page holds it.
struct Session {
    std::string cookie;   // "__Host-ibg_session=..."
    std::string csrf;
};
Session login_ok(TestServer& ts, const ClientCert& cert, const std::string& password);   // REQUIREs 200
Reply session_get(TestServer& ts, const ClientCert* cert, const Session& s);
Reply session_post(TestServer& ts, const ClientCert* cert, const Session& s, const std::string& target,
                   bool with_csrf = true);

// Opens a TLS connection to the certificate origin, writes `bytes` and waits (up to
// `give_up_seconds`) for the server to close it. True when the server closed it.
bool server_closes_after(TestServer& ts, const std::string& bytes, int give_up_seconds);
// Opens a TLS connection to an origin, writes `bytes`, and returns everything the server sent
// until it closed the connection or `give_up_seconds` passed.
std::string exchange_raw(TestServer& ts, bool app_origin, const std::string& bytes, int give_up_seconds,
                         const ClientCert* cert = nullptr);

// One TLS connection kept alive across requests, for tests of what happens between them.
struct KeepAliveClient {
    struct Impl;
    std::unique_ptr<Impl> impl;
    KeepAliveClient(TestServer& ts, bool app_origin, const ClientCert* cert = nullptr);
    ~KeepAliveClient();
    // Writes `bytes` (a whole request) and reads one response (status 0: none came).
    Reply request(const std::string& bytes);
    void write(const std::string& bytes);
    // True when the server closes the connection within `give_up_seconds`.
    bool closed_within(int give_up_seconds);
};

// Another process's hold on the whole database, as an operator's long transaction or a backup
// tool would take it: SQLite BEGIN EXCLUSIVE on the file; PostgreSQL LOCK TABLE ... ACCESS
// EXCLUSIVE on every table of the schema. Released by release() or the destructor.
struct DatabaseLock {
    struct Impl;
    std::unique_ptr<Impl> impl;
    explicit DatabaseLock(TestServer& ts);   // REQUIREs that the lock was taken
    explicit DatabaseLock(const std::string& database);   // a PostgreSQL URL or an SQLite file
    ~DatabaseLock();
    DatabaseLock(const DatabaseLock&) = delete;
    DatabaseLock& operator=(const DatabaseLock&) = delete;
    void release();
};

// PostgreSQL only: closes the server's database to new connections and ends the open ones (the
// database is unreachable for the server), or opens it again.
void pg_allow_connections(TestServer& ts, bool allow);

// Waits (polling, up to `give_up_seconds`) until `condition` holds; returns whether it did.
bool eventually(const std::function<bool()>& condition, int give_up_seconds = 10);

// Sends bytes that are not TLS at all; true when the server closed the connection.
bool server_closes_on_garbage(TestServer& ts, const std::string& bytes, int give_up_seconds);
