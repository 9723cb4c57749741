// ibgate: the credit union's reference authentication server and its operator commands.
// See `ibgate --help` and docs/api.md.

#include "server/api.h"
#include "server/database_url.h"
#include "server/http_server.h"
#include "server/operator.h"
#include "server/page_config.h"
#include "server/request_rules.h"
#include "server/rules.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <thread>

#ifdef IBGATE_TEST_CLOCK
// The test build only (the ibgate-test-clock binary, which nothing but the browser tests runs):
// the file named by $IBGATE_TEST_CLOCK_FILE holds a number of seconds added to the real clock,
// read again at every call, so a test moves the server's time forward - session timeouts, ticket
// lifetimes, certificate validity - instead of waiting for it. No file, or no number in it: 0.
static int64_t test_clock_offset()
{
    const char* path = std::getenv("IBGATE_TEST_CLOCK_FILE");
    if (!path)
        return 0;
    FILE* f = std::fopen(path, "r");
    if (!f)
        return 0;
    long long offset = 0;
    if (std::fscanf(f, "%lld", &offset) != 1)
        offset = 0;
    std::fclose(f);
    return static_cast<int64_t>(offset);
}
#endif

static int64_t now_seconds()
{
#ifdef IBGATE_TEST_CLOCK
    return static_cast<int64_t>(std::time(nullptr)) + test_clock_offset();
#else
    return static_cast<int64_t>(std::time(nullptr));
#endif
}

static std::string format_time(int64_t t)
{
    if (t == 0)
        return "-";
    time_t tt = static_cast<time_t>(t);
    struct tm parts = {};
    localtime_r(&tt, &parts);
    char text[64];
    std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S %z", &parts);
    return text;
}

static void split_listen(const std::string& text, std::string& address, uint16_t& port)
{
    size_t colon = text.rfind(':');
    if (colon == std::string::npos)
        throw std::runtime_error("listen address must be ADDRESS:PORT, got '" + text + "'");
    address = text.substr(0, colon);
    if (address.size() >= 2 && address.front() == '[' && address.back() == ']')
        address = address.substr(1, address.size() - 2);
    std::string port_text = text.substr(colon + 1);
    char* end = nullptr;
    long value = std::strtol(port_text.c_str(), &end, 10);
    if (port_text.empty() || *end != '\0' || value < 0 || value > 65535)
        throw std::runtime_error("bad port in '" + text + "'");
    port = static_cast<uint16_t>(value);
}

struct OpenStore {
    Store store;
    explicit OpenStore(const DataPaths& paths, int connections = 4)
    {
        StoreOptions options;
        options.connections = connections;
        store_open(store, paths.database, options);
    }
    ~OpenStore() { store_close(store); }
};

// ---------------------------------------------------------------- serve
struct ServeOptions {
    std::string web_root = "build/dist";
    std::string app_listen = "127.0.0.1:8443";
    std::string cert_listen = "127.0.0.1:8444";
    std::string app_origin = "https://localhost:8443";
    std::string cert_origin = "https://localhost:8444";
    int idle_timeout = 600;
    int absolute_timeout = 3600;
    int max_failures = 6;
    int ticket_lifetime = 300;
    int certificate_days = 365;
    int renewal_days = 30;
    int enrollment_max_failures = 5;
    ServerConfig limits;   // connection and login limits (http_server.h documents each)
    OcspOptions ocsp;   // client certificates' OCSP checking; url "" = off
    bool hsts_include_subdomains = false;   // see ServerConfig: pins every subdomain to HTTPS
    int database_connections = 0;   // 0: one per thread that runs API work (workers + hash workers + 1)
    std::vector<std::string> trusted_proxies;   // --trusted-proxy, each maybe a comma-separated list
    int drain_timeout = 20;   // seconds in-flight requests may take after SIGTERM / SIGINT
    std::string instance;     // "" : <hostname>:<cert port>
    std::string access_log = "on";
};

// The name of this process in its log lines: <hostname>:<cert port> unless --instance names it.
static std::string instance_name(const ServeOptions& o)
{
    if (!o.instance.empty())
        return o.instance;
    char host[256] = {};
    if (gethostname(host, sizeof(host) - 1) != 0)
        std::snprintf(host, sizeof(host), "ibgate");
    const size_t colon = o.cert_listen.rfind(':');
    return std::string(host) + ":" + (colon == std::string::npos ? o.cert_listen : o.cert_listen.substr(colon + 1));
}

// The operator lines of the certificate checks (cert_check.cpp, ocsp.cpp) as log events.
static void log_trust_line(Logger& log, const std::string& line)
{
    const std::string text = line.rfind("ibgate: ", 0) == 0 ? line.substr(8) : line;
    const bool ocsp = text.find("OCSP responder") != std::string::npos;
    const bool good = text.find("is usable") != std::string::npos || text.find("answers again") != std::string::npos;
    log_message(log, good ? "info" : "warning", ocsp ? "ocsp_state" : "crl_state", text);
}

// A header name is an HTTP token (RFC 9110 5.6.2).
static bool is_header_name(const std::string& name)
{
    if (name.empty() || name.size() > 64)
        return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos))
            return false;
    return true;
}

// Every connection is a descriptor: take the whole hard limit, so the connection limits in
// ServerConfig are what bounds the server, not a low default soft limit.
static void raise_descriptor_limit(const ServerConfig& config, Logger& log)
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return;
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
    rlim_t needed = static_cast<rlim_t>(config.max_connections) * 2 + 64;
    if (limit.rlim_cur < needed)
        log_event(log, "warning", "descriptor_limit",
                  {{"message", "fewer file descriptors allowed than --max-connections needs"},
                   {"allowed", static_cast<unsigned long>(limit.rlim_cur)}, {"needed", static_cast<unsigned long>(needed)}});
}

static int run_serve(const DataPaths& paths, const ServeOptions& o, const std::shared_ptr<Logger>& logger)
{
    if (o.access_log != "on" && o.access_log != "off")
        throw std::runtime_error("--access-log must be on or off");
    logger->access_log = o.access_log == "on";
    if (o.idle_timeout < 30 || o.absolute_timeout < o.idle_timeout)
        throw std::runtime_error("timeouts: idle >= 30 s and absolute >= idle");
    if (o.max_failures < 1 || o.max_failures > 100)
        throw std::runtime_error("--max-failures must be 1 to 100");
    if (o.ticket_lifetime < 10 || o.ticket_lifetime > 3600)
        throw std::runtime_error("--ticket-lifetime must be 10 to 3600 seconds");
    if (o.certificate_days < 1 || o.certificate_days > 825)
        throw std::runtime_error("--certificate-days must be 1 to 825");
    if (o.renewal_days < 1 || o.renewal_days >= o.certificate_days)
        throw std::runtime_error("--renewal-days must be at least 1 and less than --certificate-days");
    if (o.enrollment_max_failures < 1 || o.enrollment_max_failures > 100)
        throw std::runtime_error("--enrollment-max-failures must be 1 to 100");
    if (o.limits.max_connections < 1 || o.limits.max_connections_per_address < 0 || o.limits.workers < 1
        || o.limits.hash_workers < 1 || o.limits.hash_queue < 0 || o.limits.login_step_queue < 1)
        throw std::runtime_error("limits: --max-connections, --workers and --hash-workers >= 1; "
                                 "--max-connections-per-address and --hash-queue >= 0, --login-step-queue >= 1");
    if (!std::filesystem::exists(std::filesystem::path(o.web_root) / "index.html"))
        log_message(*logger, "warning", "web_root_missing",
                    o.web_root + "/index.html does not exist (build the web app first)");

    ServerConfig config = o.limits;
    config.log = logger;
    for (const std::string& item : o.trusted_proxies)
        if (std::string problem = parse_trusted_networks(item, config.trusted_proxies); !problem.empty())
            throw std::runtime_error(problem);
    if (config.behind_proxy && config.trusted_proxies.empty())
        throw std::runtime_error("--behind-proxy needs at least one --trusted-proxy CIDR");
    if (!config.behind_proxy && !config.trusted_proxies.empty())
        throw std::runtime_error("--trusted-proxy needs --behind-proxy");
    if (!is_header_name(config.client_cert_header) || !is_header_name(config.forwarded_for_header))
        throw std::runtime_error("--client-cert-header and --forwarded-for-header must be header names");
    if (o.drain_timeout < 0 || o.drain_timeout > 3600)
        throw std::runtime_error("--drain-timeout must be 0 to 3600 seconds");
    if (o.database_connections < 0 || o.database_connections > 256)
        throw std::runtime_error("--database-connections must be 0 (automatic) to 256");
    operator_check_server_pki(paths);
    // Every thread that runs API work may hold a transaction at once: one connection each, so
    // none waits for another's connection (the database decides who waits for whom).
    int connections = o.database_connections > 0 ? o.database_connections
                                                 : std::min(256, o.limits.workers + o.limits.hash_workers + 1);
    OpenStore db(paths, connections);
    Settings settings = load_settings(db.store);
    TrustAnchors trust;
    trust.log = [logger](const std::string& line) { log_trust_line(*logger, line); };
    trust_load(trust, paths.ca_cert, paths.crl, now_seconds());
    if (std::string problem = ocsp_options_problem(o.ocsp); !problem.empty())
        throw std::runtime_error(problem);
    trust.ocsp.options = o.ocsp;

    ApiService api;
    api.config.app_origin = o.app_origin;
    api.config.institution_code = settings.institution_code;
    api.config.idle_timeout = o.idle_timeout;
    api.config.absolute_timeout = o.absolute_timeout;
    api.config.max_failures = o.max_failures;
    api.config.ticket_lifetime = o.ticket_lifetime;
    api.config.certificate_days = o.certificate_days;
    api.config.renewal_days = o.renewal_days;
    api.config.enrollment_max_failures = o.enrollment_max_failures;
    // The client CA signs what 電子証明書取得 and 更新 issue; its key is read once, here.
    CertificateAuthority issuer;
    issuer.cert = pki_read_cert(paths.ca_cert);
    issuer.key = pki_read_key(paths.ca_key);
    api.store = &db.store;
    api.trust = &trust;
    api.issuer = &issuer;
    api.clock = now_seconds;
    if (!password_checker_init(api.checker, settings.hash_cost))
        throw std::runtime_error("cannot prepare password hashing (out of memory?)");

    split_listen(o.app_listen, config.app_address, config.app_port);
    split_listen(o.cert_listen, config.cert_address, config.cert_port);
    config.web_root = o.web_root;
    config.tls_cert_path = paths.server_cert;
    config.tls_key_path = paths.server_key;
    config.client_ca_path = paths.ca_cert;
    config.cert_origin = o.cert_origin;
    config.hsts_include_subdomains = o.hsts_include_subdomains;

    // Signals go to this thread only (sigwait below), never to the server's threads.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    raise_descriptor_limit(config, *logger);
    // The page gets this server's origins and institution code in its config.json; where the
    // file says otherwise the operator is told once, here (the file is read anew per request).
    PageConfig page;
    if (page_config_read(config.web_root, page_config_facts(api, config), page)) {
        if (!page.filled)
            log_message(*logger, "warning", "page_config_invalid",
                        config.web_root + "/config.json is not a JSON object of at most " +
                            std::to_string(kPageConfigMaxBytes) + " bytes: served as it is, the page will show what is wrong");
        for (const std::string& change : page.replaced)
            log_message(*logger, "info", "page_config_filled", "config.json served with " + change);
    }
    auto server = server_start(config, api);
    std::printf("ibgate: %s (%s) serving\n", settings.institution_name.c_str(), settings.institution_code.c_str());
    std::printf("  app origin          %s  (listening on %s, files from %s)\n", o.app_origin.c_str(),
                o.app_listen.c_str(), o.web_root.c_str());
    std::printf("  certificate origin  %s  (listening on %s)\n", o.cert_origin.c_str(), o.cert_listen.c_str());
    std::printf("  client CA           %s\n", paths.ca_cert.c_str());
    std::printf("  server CA           %s\n", paths.server_ca_cert.c_str());
    std::printf("  database            %s  (%d connections)\n", store_description(db.store).c_str(), connections);
    std::fflush(stdout);
    int received = 0;
    sigwait(&signals, &received);
    std::printf("ibgate: stopping\n");
    std::fflush(stdout);
    // Drain: the proxy sees /readyz 503 and closed listeners and sends new requests to the other
    // instances; requests in flight here are answered first.
    log_event(*config.log, "info", "draining",
              {{"message", std::string(received == SIGINT ? "SIGINT" : "SIGTERM") + ": finishing requests in flight"},
               {"timeout_seconds", o.drain_timeout}});
    const int cut = server_drain(*server, o.drain_timeout);
    if (cut > 0)
        log_event(*config.log, "warning", "drained",
                  {{"message", "drain timeout passed; closing the connections left"}, {"connections_cut", cut}});
    else
        log_event(*config.log, "info", "drained", {{"message", "no connection left"}, {"connections_cut", 0}});
    server.reset();
    std::printf("ibgate: stopped\n");
    return 0;
}

// ---------------------------------------------------------------- listings
// A new password from standard input or a prompt without echo (asked twice); throws the reason.
static void read_new_password(SecretString& password, bool from_stdin)
{
    std::string error;
    if (!read_password(password, from_stdin, true, error))
        throw std::runtime_error(error);
}

static void print_users(const DataPaths& paths)
{
    OpenStore db(paths);
    Transaction tx(db.store);
    std::printf("%-20s %-14s %-8s %-26s %s\n", "USER", "ROLE", "FAILED", "LOCKED", "NAME / COMPANY");
    for (const UserRecord& u : user_list(tx))
        std::printf("%-20s %-14s %-8d %-26s %s / %s\n", u.user_id.c_str(), api::role_name(u.role), u.failed_count,
                    format_time(u.locked_at).c_str(), u.name.c_str(), u.company.c_str());
    tx.commit();
}

static void print_certs(const DataPaths& paths, const std::string& user)
{
    OpenStore db(paths);
    Transaction tx(db.store);
    std::printf("%-20s %-34s %-26s %-26s %s\n", "USER", "SERIAL", "NOT AFTER", "REVOKED", "SHA-256");
    for (const CertRecord& c : cert_list(tx, user))
        std::printf("%-20s %-34s %-26s %-26s %s\n", c.user_id.c_str(), c.serial.c_str(), format_time(c.not_after).c_str(),
                    format_time(c.revoked_at).c_str(), c.fingerprint.c_str());
    tx.commit();
}

static void print_enrollment_codes(const DataPaths& paths, int64_t now)
{
    OpenStore db(paths);
    std::printf("%-20s %-10s %-26s %-26s %s\n", "USER", "STATE", "ISSUED", "EXPIRES", "WRONG TRIES");
    for (const EnrollmentCodeRecord& e : operator_enroll_list(db.store))
        std::printf("%-20s %-10s %-26s %-26s %d\n", e.user_id.c_str(),
                    enrollment_code_state_name(enrollment_code_state(e, now)), format_time(e.issued_at).c_str(),
                    format_time(e.expires_at).c_str(), e.failed_count);
}

static void print_sessions(const DataPaths& paths, int64_t now)
{
    OpenStore db(paths);
    Transaction tx(db.store);
    std::printf("%-20s %-26s %-26s %-26s %s\n", "USER", "LOGIN", "IDLE EXPIRY", "ABSOLUTE EXPIRY", "SOURCE");
    for (const SessionRecord& s : sessions_active(tx)) {
        if (session_expired_at(s, now))
            continue;   // ended at the next sweep
        std::printf("%-20s %-26s %-26s %-26s %s\n", s.user_id.c_str(), format_time(s.login_time).c_str(),
                    format_time(session_idle_expires_at(s)).c_str(), format_time(session_absolute_expires_at(s)).c_str(),
                    s.source_address.c_str());
    }
    tx.commit();
}

static void print_audit(const DataPaths& paths, const std::string& user, int limit, bool as_json)
{
    OpenStore db(paths);
    Transaction tx(db.store);
    std::vector<AuditRecord> records = audit_list(tx, user, limit);
    tx.commit();
    for (auto it = records.rbegin(); it != records.rend(); ++it) {
        const AuditRecord& r = *it;
        if (as_json) {
            nlohmann::json j = {{"id", r.id}, {"time", r.time}, {"user_id", r.user_id},
                                {"fingerprint", r.fingerprint}, {"source_address", r.source_address},
                                {"event", r.event}, {"result", r.result}, {"detail", r.detail}};
            std::printf("%s\n", api::dump_json(j).c_str());
        } else {
            std::printf("%s  %-16s %-16s %-22s %-16s %.16s  %s\n", format_time(r.time).c_str(),
                        r.user_id.empty() ? "-" : r.user_id.c_str(), r.event.c_str(), r.result.c_str(),
                        r.source_address.empty() ? "-" : r.source_address.c_str(),
                        r.fingerprint.empty() ? "-" : r.fingerprint.c_str(), r.detail.c_str());
        }
    }
}

// ---------------------------------------------------------------- main
int main(int argc, char** argv)
{
    if (!secrets_init()) {
        std::fprintf(stderr, "ibgate: error: libsodium cannot start\n");
        return 1;
    }
    CLI::App app{"ibgate - reference authentication server for the corporate internet banking login"};
    app.require_subcommand(1);
    const char* env_dir = std::getenv("IBGATE_DIR");
    std::string dir = env_dir && *env_dir ? env_dir : "var/ibgate";
    app.add_option("--dir", dir, "data directory (database, PKI, issued certificates); default $IBGATE_DIR or var/ibgate");
    const char* env_database = std::getenv("IBGATE_DATABASE");
    std::string database_flag;
    app.add_option("--database", database_flag,
                   "database URL: sqlite:PATH or postgresql://[user[:password]@]host[:port]/dbname[?...]; default "
                   "$IBGATE_DATABASE, else what 'init --database' recorded in the data directory, else <dir>/ibgate.db");
    // --dir and --database may also follow the command (ibgate serve --database ...).
    app.fallthrough();

    // init
    InitOptions init;
    std::string cost_name = "moderate";
    CLI::App* init_cmd = app.add_subcommand("init", "create the data directory: development PKI, CRL and empty database");
    init_cmd->add_option("--institution-code", init.institution_code, "4-digit 金融機関コード")->capture_default_str();
    init_cmd->add_option("--institution-name", init.institution_name, "name of the credit union")->capture_default_str();
    init_cmd->add_option("--hash-cost", cost_name, "Argon2id cost: moderate, interactive or test")->capture_default_str();

    // serve
    ServeOptions serve;
    CLI::App* serve_cmd = app.add_subcommand("serve", "serve the app origin and the certificate origin");
    serve_cmd->add_option("--web-root", serve.web_root, "directory of the web build")->capture_default_str();
    serve_cmd->add_option("--app-listen", serve.app_listen, "address:port of the app origin")->capture_default_str();
    serve_cmd->add_option("--cert-listen", serve.cert_listen, "address:port of the certificate origin")->capture_default_str();
    serve_cmd->add_option("--app-origin", serve.app_origin, "URL of the app origin (CORS)")->capture_default_str();
    serve_cmd->add_option("--cert-origin", serve.cert_origin, "URL of the certificate origin (CSP)")->capture_default_str();
    serve_cmd->add_option("--idle-timeout", serve.idle_timeout, "seconds")->capture_default_str();
    serve_cmd->add_option("--absolute-timeout", serve.absolute_timeout, "seconds")->capture_default_str();
    serve_cmd->add_option("--max-failures", serve.max_failures, "wrong passwords before lock")->capture_default_str();
    serve_cmd->add_option("--ticket-lifetime", serve.ticket_lifetime, "seconds")->capture_default_str();
    serve_cmd->add_option("--certificate-days", serve.certificate_days,
                          "validity of certificates customers obtain or renew in the browser")->capture_default_str();
    serve_cmd->add_option("--renewal-days", serve.renewal_days,
                          "renewal (電子証明書更新) opens this many days before a certificate expires")->capture_default_str();
    serve_cmd->add_option("--enrollment-max-failures", serve.enrollment_max_failures,
                          "wrong 取得用パスワード before the code locks")->capture_default_str();
    serve.limits.hash_workers = default_hash_workers(std::thread::hardware_concurrency());
    serve_cmd->add_option("--max-connections", serve.limits.max_connections,
                          "connections per origin; past it the oldest idle one is closed")->capture_default_str();
    serve_cmd->add_option("--max-connections-per-address", serve.limits.max_connections_per_address,
                          "connections per origin from one client address (0: no limit, behind a proxy)")
        ->capture_default_str();
    serve_cmd->add_option("--workers", serve.limits.workers, "threads for API requests other than logins (session calls before login steps)")
        ->capture_default_str();
    serve_cmd->add_option("--hash-workers", serve.limits.hash_workers,
                          "threads checking passwords, on CPU no other thread wants (each holds the hash cost's memory); "
                          "default: cores - 1, at least 1")
        ->capture_default_str();
    serve_cmd->add_option("--hash-queue", serve.limits.hash_queue,
                          "logins waiting for a hash worker before more are answered 503")->capture_default_str();
    serve_cmd->add_option("--login-step-queue", serve.limits.login_step_queue,
                          "identify and force-logout requests that may wait for an API worker; more are answered 503 at once")
        ->capture_default_str();
    // Revocation by OCSP (fail closed unless --ocsp-fail-open; the CRL applies either way).
    serve_cmd->add_option("--ocsp-url", serve.ocsp.url, "check client certificates with this OCSP responder (http://...)");
    serve_cmd->add_option("--ocsp-timeout", serve.ocsp.timeout_seconds, "seconds for the whole OCSP exchange")
        ->capture_default_str();
    serve_cmd->add_flag("--ocsp-fail-open", serve.ocsp.fail_open,
                        "accept a certificate when the responder gives no usable answer (default: refuse)");
    // Off by default: it makes every subdomain of the credit union's domain HTTPS-only in every
    // visiting browser for a year, also hosts this server knows nothing about.
    serve_cmd->add_option("--database-connections", serve.database_connections,
                          "most database connections open at once; 0: one per API thread (workers + hash workers + 1)")
        ->capture_default_str();
    serve_cmd->add_flag("--hsts-include-subdomains", serve.hsts_include_subdomains,
                        "add includeSubDomains to Strict-Transport-Security: pins EVERY subdomain of the domain to HTTPS "
                        "for a year (only when all of them serve HTTPS)");

    // Behind a reverse proxy (README "Behind a proxy").
    serve_cmd->add_flag("--behind-proxy", serve.limits.behind_proxy,
                        "read the customer's certificate and address from the headers of trusted proxies");
    serve_cmd->add_option("--trusted-proxy", serve.trusted_proxies,
                          "CIDR or address of a proxy whose forwarded headers are read (repeatable, or comma-separated)");
    serve_cmd->add_option("--client-cert-header", serve.limits.client_cert_header,
                          "header with the customer's certificate (URL-escaped PEM or base64 DER)")
        ->capture_default_str();
    serve_cmd->add_option("--instance", serve.instance, "name of this instance in its log lines (default <hostname>:<cert port>)");
    serve_cmd->add_option("--access-log", serve.access_log, "on: one JSON line per answered request on standard error; off: none")
        ->capture_default_str();
    serve_cmd->add_option("--drain-timeout", serve.drain_timeout,
                          "on SIGTERM/SIGINT: seconds requests in flight may take before the process exits")
        ->capture_default_str();
    serve_cmd->add_option("--forwarded-for-header", serve.limits.forwarded_for_header,
                          "header with the customer's address (its last element is taken)")
        ->capture_default_str();

    // server-cert
    CLI::App* server_cert_cmd = app.add_subcommand(
        "server-cert", "issue a new server certificate (397 days) from the server CA, making the server CA first when "
                       "the data directory has none (made by an older ibgate); restart serve afterwards");

    // user
    CLI::App* user_cmd = app.add_subcommand("user", "manage users");
    user_cmd->require_subcommand(1);
    UserRecord new_user;
    std::string role_text = "user";
    bool password_stdin = false;
    CLI::App* user_add = user_cmd->add_subcommand("add", "add a user (the password is asked for, never an argument)");
    user_add->add_option("id", new_user.user_id, "user ID")->required();
    user_add->add_option("--name", new_user.name, "user's name")->required();
    user_add->add_option("--company", new_user.company, "company name")->required();
    user_add->add_option("--role", role_text, "administrator or user")->capture_default_str();
    user_add->add_flag("--password-stdin", password_stdin, "read the password from standard input (one line)");
    std::string user_id;
    CLI::App* user_passwd = user_cmd->add_subcommand("passwd", "set a user's password");
    user_passwd->add_option("id", user_id, "user ID")->required();
    user_passwd->add_flag("--password-stdin", password_stdin, "read the password from standard input (one line)");
    CLI::App* user_unlock = user_cmd->add_subcommand("unlock", "lift a lock after too many wrong passwords");
    user_unlock->add_option("id", user_id, "user ID")->required();
    CLI::App* user_list_cmd = user_cmd->add_subcommand("list", "list users");

    // cert
    CLI::App* cert_cmd = app.add_subcommand("cert", "manage client certificates");
    cert_cmd->require_subcommand(1);
    int days = 365;
    std::string out_dir;
    CLI::App* cert_issue = cert_cmd->add_subcommand("issue", "issue and register a client certificate (PKCS#12 + PEM)");
    cert_issue->add_option("id", user_id, "user ID")->required();
    cert_issue->add_option("--days", days, "validity in days")->capture_default_str();
    cert_issue->add_option("--out", out_dir, "output directory (default: <dir>/certs)");
    bool issue_json = false;
    cert_issue->add_flag("--json", issue_json,
                         "print one JSON object (serial, user_id, p12, p12_password, certificate, key, fingerprint, "
                         "not_before, not_after) for scripts instead of the text");
    std::string revoke_key;
    std::string reason = "revoked by operator";
    CLI::App* cert_revoke = cert_cmd->add_subcommand("revoke", "revoke a certificate and rewrite the CRL");
    cert_revoke->add_option("serial-or-fingerprint", revoke_key, "serial (hex) or SHA-256 fingerprint")->required();
    cert_revoke->add_option("--reason", reason, "recorded in the audit log")->capture_default_str();
    int crl_days = kCrlLifetimeDays;
    CLI::App* cert_crl = cert_cmd->add_subcommand(
        "crl", "write a fresh CRL (also when missing); the running server uses it at its next request");
    cert_crl->add_option("--days", crl_days, "days until its nextUpdate")->capture_default_str();
    int enroll_days = kEnrollmentCodeDays;
    CLI::App* cert_enroll = cert_cmd->add_subcommand(
        "enroll", "issue a 取得用パスワード: the customer obtains a certificate in the browser with it (printed once)");
    cert_enroll->add_option("id", user_id, "user ID");
    // A user whose ID is "list" or "cancel" is named with --user: the bare word is the subcommand.
    cert_enroll->add_option("--user", user_id, "user ID (for an ID that is also a subcommand's name)");
    cert_enroll->add_option("--valid-days", enroll_days, "days the code may be used")->capture_default_str();
    bool enroll_json = false;
    cert_enroll->add_flag("--json", enroll_json, "print one JSON object (user_id, code, expires_at) for scripts");
    CLI::App* enroll_list_cmd = cert_enroll->add_subcommand("list", "list enrollment codes and their state");
    CLI::App* enroll_cancel = cert_enroll->add_subcommand("cancel", "cancel a user's open enrollment code");
    enroll_cancel->add_option("id", user_id, "user ID")->required();
    std::string filter_user;
    CLI::App* cert_list_cmd = cert_cmd->add_subcommand("list", "list certificates");
    cert_list_cmd->add_option("--user", filter_user, "only this user's");

    // session
    CLI::App* session_cmd = app.add_subcommand("session", "see and end customers' sessions");
    session_cmd->require_subcommand(1);
    CLI::App* session_list_cmd = session_cmd->add_subcommand("list", "list active sessions");
    CLI::App* session_end_cmd = session_cmd->add_subcommand("end", "end a user's session now");
    session_end_cmd->add_option("id", user_id, "user ID")->required();

    // audit
    int limit = 100;
    bool as_json = false;
    CLI::App* audit_cmd = app.add_subcommand("audit", "show the audit log (oldest of the selection first)");
    audit_cmd->add_option("--user", filter_user, "only this user's events");
    audit_cmd->add_option("--limit", limit, "newest N events")->capture_default_str();
    audit_cmd->add_flag("--json", as_json, "one JSON object per line");

    // db
    CLI::App* db_cmd = app.add_subcommand("db", "the database itself: schema migrations, moving to another database");
    db_cmd->require_subcommand(1);
    CLI::App* db_migrate = db_cmd->add_subcommand(
        "migrate", "bring the database's schema to this ibgate's version (init does it for a new database)");
    std::string copy_from;
    std::string copy_to;
    CLI::App* db_copy = db_cmd->add_subcommand(
        "copy", "copy every row (users, certificates, revocations, tickets, sessions, audit log, settings) into a new, "
                "empty database in one transaction; stop the servers first");
    db_copy->add_option("--from", copy_from, "source database URL (default: the data directory's database)");
    db_copy->add_option("--to", copy_to, "target database URL; migrated first, must hold no rows")->required();

    CLI11_PARSE(app, argc, argv);
    // Everything `serve` writes on standard error is a JSON line (log.h), its start-up errors too.
    auto serve_log = std::make_shared<Logger>();
    serve_log->instance = instance_name(serve);

    try {
        DataPaths paths = data_paths(dir);
        const std::string env_db = env_database ? env_database : "";
        paths.database = choose_database(database_flag, env_db, paths.database, dir);
        int64_t now = now_seconds();
        if (init_cmd->parsed()) {
            if (!hash_cost_from_name(cost_name, init.hash_cost))
                throw std::runtime_error("--hash-cost must be moderate, interactive or test");
            init.database = !database_flag.empty() ? database_flag : env_db;   // recorded in the directory
            operator_init(dir, init, now);
            paths = data_paths(dir);
            std::printf("initialised %s: institution %s (%s)\n  client CA %s\n  server CA %s\n  database  %s\n",
                        dir.c_str(), init.institution_code.c_str(), init.institution_name.c_str(), paths.ca_cert.c_str(),
                        paths.server_ca_cert.c_str(), redact_database_url(paths.database).c_str());
            if (!init.database.empty())
                std::printf("  recorded in %s\n", database_record_path(dir).c_str());
        } else if (db_migrate->parsed()) {
            MigrationResult m = operator_db_migrate(paths.database);
            if (m.from == m.to)
                std::printf("%s: schema version %d, nothing to do\n", redact_database_url(paths.database).c_str(), m.to);
            else
                std::printf("%s: schema version %d -> %d\n", redact_database_url(paths.database).c_str(), m.from, m.to);
        } else if (db_copy->parsed()) {
            const std::string from = copy_from.empty() ? paths.database : copy_from;
            std::vector<TableCount> copied = operator_db_copy(from, copy_to);
            std::printf("copied %s -> %s (counts verified in the target)\n", redact_database_url(from).c_str(),
                        redact_database_url(copy_to).c_str());
            for (const TableCount& c : copied)
                std::printf("  %-16s %lld rows\n", c.table.c_str(), static_cast<long long>(c.rows));
        } else if (server_cert_cmd->parsed()) {
            InitOptions names;
            {
                OpenStore db(paths);
                names.institution_name = load_settings(db.store).institution_name;
            }
            operator_server_cert(paths, names, now);
            std::printf("new server certificate %s (key %s), signed by the server CA %s\n", paths.server_cert.c_str(),
                        paths.server_key.c_str(), paths.server_ca_cert.c_str());
        } else if (serve_cmd->parsed()) {
            return run_serve(paths, serve, serve_log);
        } else if (user_add->parsed()) {
            if (!api::role_from_name(role_text, new_user.role))
                throw std::runtime_error("--role must be administrator or user");
            OpenStore db(paths);
            load_settings(db.store);
            SecretString password;
            read_new_password(password, password_stdin);
            operator_user_add(db.store, new_user, password.text, now);
            std::printf("added user %s\n", new_user.user_id.c_str());
        } else if (user_passwd->parsed()) {
            OpenStore db(paths);
            load_settings(db.store);
            SecretString password;
            read_new_password(password, password_stdin);
            operator_user_passwd(db.store, user_id, password.text, now);
            std::printf("password of %s changed\n", user_id.c_str());
        } else if (user_unlock->parsed()) {
            OpenStore db(paths);
            operator_user_unlock(db.store, user_id, now);
            std::printf("unlocked %s\n", user_id.c_str());
        } else if (user_list_cmd->parsed()) {
            print_users(paths);
        } else if (cert_issue->parsed()) {
            OpenStore db(paths);
            IssuedCert issued = operator_cert_issue(db.store, paths, user_id, days, out_dir.empty() ? paths.issued_dir : out_dir, now);
            if (issue_json) {
                // The import password is printed as in the text form: it protects the file it
                // travels with, and the operator hands both to the customer.
                const nlohmann::json j = {{"serial", issued.record.serial}, {"user_id", user_id},
                                          {"p12", issued.p12_path}, {"p12_password", issued.p12_password},
                                          {"certificate", issued.cert_path}, {"key", issued.key_path},
                                          {"fingerprint", issued.record.fingerprint},
                                          {"not_before", issued.record.not_before}, {"not_after", issued.record.not_after}};
                std::printf("%s\n", j.dump().c_str());
            } else {
                std::printf("issued certificate %s for %s\n  PKCS#12 (browser) %s\n  import password   %s\n"
                            "  PEM certificate   %s\n  PEM key           %s\n  SHA-256           %s\n",
                            issued.record.serial.c_str(), user_id.c_str(), issued.p12_path.c_str(),
                            issued.p12_password.c_str(), issued.cert_path.c_str(), issued.key_path.c_str(),
                            issued.record.fingerprint.c_str());
            }
        } else if (cert_revoke->parsed()) {
            OpenStore db(paths);
            CertRecord c = operator_cert_revoke(db.store, paths, revoke_key, reason, now);
            std::printf("revoked certificate %s of %s; CRL rewritten\n", c.serial.c_str(), c.user_id.c_str());
        } else if (cert_crl->parsed()) {
            OpenStore db(paths);
            int64_t next_update = operator_write_crl(db.store, paths, now, crl_days);
            std::printf("wrote %s; next update %s\n", paths.crl.c_str(), format_time(next_update).c_str());
        } else if (enroll_list_cmd->parsed()) {
            print_enrollment_codes(paths, now);
        } else if (enroll_cancel->parsed()) {
            OpenStore db(paths);
            operator_enroll_cancel(db.store, user_id, now);
            std::printf("cancelled the enrollment code of %s\n", user_id.c_str());
        } else if (cert_enroll->parsed()) {
            if (user_id.empty())
                throw std::runtime_error(
                    "cert enroll needs a user ID (or: cert enroll list, cert enroll cancel ID; an ID named list or "
                    "cancel: cert enroll --user ID)");
            OpenStore db(paths);
            IssuedEnrollmentCode issued = operator_enroll(db.store, user_id, enroll_days, now);
            if (enroll_json) {
                const nlohmann::json j = {{"user_id", user_id}, {"code", issued.code},
                                          {"expires_at", issued.record.expires_at}};
                std::printf("%s\n", j.dump().c_str());
            } else {
                std::printf("取得用パスワード for %s: %s\n  valid until %s; single use; only its hash is kept, so it "
                            "cannot be shown again\n",
                            user_id.c_str(), issued.code.c_str(), format_time(issued.record.expires_at).c_str());
            }
        } else if (cert_list_cmd->parsed()) {
            print_certs(paths, filter_user);
        } else if (session_list_cmd->parsed()) {
            print_sessions(paths, now);
        } else if (session_end_cmd->parsed()) {
            OpenStore db(paths);
            if (!operator_session_end(db.store, user_id, now))
                throw std::runtime_error(user_id + " holds no active session");
            std::printf("ended the session of %s\n", user_id.c_str());
        } else if (audit_cmd->parsed()) {
            print_audit(paths, filter_user, limit, as_json);
        }
    } catch (const std::exception& e) {
        if (serve_cmd->parsed())
            log_message(*serve_log, "error", "startup_failed", std::string("ibgate: error: ") + e.what());
        else
            std::fprintf(stderr, "ibgate: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
