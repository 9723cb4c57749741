// Revocation that fails closed: a CRL that cannot be relied on refuses certificate logins with
// revocation_unavailable, says so once in the operator's log, and a fresh CRL is picked up
// without a restart.
#include "harness.h"

#include <catch_amalgamated.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <future>
#include <mutex>

extern char** environ;

constexpr int64_t kHour = 3600;

TEST_CASE("revocation verdict of the CRL, table")
{
    const int64_t now = 1'800'000'000;
    struct Row {
        const char* what;
        CrlFacts crl;
        RevocationState expected;
    };
    const Row rows[] = {
        {"no CRL configured", {CrlLoad::NotConfigured, 0, 0}, RevocationState::NotConfigured},
        {"current", {CrlLoad::Loaded, now - kHour, now + kHour}, RevocationState::Usable},
        {"nextUpdate is now", {CrlLoad::Loaded, now - kHour, now}, RevocationState::Usable},
        {"one second past nextUpdate", {CrlLoad::Loaded, now - kHour, now - 1}, RevocationState::Stale},
        {"long past nextUpdate", {CrlLoad::Loaded, now - 400 * 24 * kHour, now - 300 * 24 * kHour},
         RevocationState::Stale},
        {"no nextUpdate", {CrlLoad::Loaded, now - kHour, 0}, RevocationState::NoNextUpdate},
        {"thisUpdate within the clock skew", {CrlLoad::Loaded, now + kCrlClockSkew, now + kHour},
         RevocationState::Usable},
        {"thisUpdate beyond the clock skew", {CrlLoad::Loaded, now + kCrlClockSkew + 1, now + kHour},
         RevocationState::NotYetValid},
        {"file missing", {CrlLoad::Missing, 0, 0}, RevocationState::Missing},
        {"file unreadable", {CrlLoad::Unreadable, 0, 0}, RevocationState::Unreadable},
        {"signed by another key", {CrlLoad::BadSignature, 0, 0}, RevocationState::BadSignature},
    };
    for (const Row& row : rows) {
        CAPTURE(row.what);
        const RevocationState state = revocation_verdict(now, row.crl);
        CHECK(state == row.expected);
        const bool allows = state == RevocationState::Usable || state == RevocationState::NotConfigured;
        CHECK(revocation_allows_logins(state) == allows);
        // Every refusing state tells the operator what to do, and never an empty line.
        if (!allows)
            CHECK(revocation_log_line(state, "pki/crl.pem", row.crl).find("ibgate cert crl") != std::string::npos);
    }
}

// Collects the server's operator-facing lines.
struct LogCapture {
    std::mutex mutex;
    std::vector<std::string> lines;
    void attach(TestServer& ts)
    {
        std::lock_guard<std::mutex> lock(ts.trust.mutex);
        ts.trust.log = [this](const std::string& line) {
            std::lock_guard<std::mutex> guard(mutex);
            lines.push_back(line);
        };
    }
    std::vector<std::string> take()
    {
        std::lock_guard<std::mutex> guard(mutex);
        std::vector<std::string> out;
        out.swap(lines);
        return out;
    }
};

static Reply identify(TestServer& ts, const ClientCert& cert)
{
    return post(ts, &cert, "/api/v1/identify", "{}");
}

static void write_crl_until(TestServer& ts, int64_t next_update)
{
    CrlPtr crl = pki_make_crl(ts.ca.get(), ts.ca_key.get(), {}, ts.now, next_update);
    pki_write_crl(ts.paths.crl, crl.get());
}

TEST_CASE("a CRL past its nextUpdate refuses certificate logins until it is refreshed")
{
    TestServer ts;
    LogCapture log;
    log.attach(ts);
    ClientCert cert = add_user(ts, "yamada01", "correct horse");
    write_crl_until(ts, ts.now + kHour);
    REQUIRE(identify(ts, cert).status == 200);
    CHECK(log.take().empty());

    ts.now += 2 * kHour;
    for (int i = 0; i < 3; i++) {
        Reply r = identify(ts, cert);
        CHECK(r.status == 503);
        CHECK(r.error() == "revocation_unavailable");
    }
    // One line for the change of state, not one per refused request; it names the file, the
    // time and the remedy.
    std::vector<std::string> lines = log.take();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find(ts.paths.crl) != std::string::npos);
    CHECK(lines[0].find("passed its nextUpdate") != std::string::npos);
    CHECK(lines[0].find("ibgate cert crl") != std::string::npos);

    {
        Transaction tx(ts.store);
        std::vector<AuditRecord> audit = audit_list(tx, "yamada01", 1);
        tx.commit();
        REQUIRE(audit.size() == 1);
        CHECK(audit[0].result == "revocation_unavailable");
    }

    // The operator's refresh is read at the next request, without a restart.
    operator_write_crl(ts.store, ts.paths, ts.now);
    CHECK(identify(ts, cert).status == 200);
    lines = log.take();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("is usable") != std::string::npos);
}

TEST_CASE("a certificate's own fault is named before the CRL's")
{
    TestServer ts;
    add_user(ts, "yamada01", "correct horse");
    CertSpec spec = client_spec(ts, "yamada01");
    spec.not_after = ts.now + 2 * kHour;
    ClientCert short_lived = make_cert(ts, spec);
    operator_register_cert(ts.store, short_lived.cert.get(), "yamada01", ts.now);
    write_crl_until(ts, ts.now + kHour);
    ts.now += 3 * kHour;
    CHECK(identify(ts, short_lived).error() == "cert_expired");
}

TEST_CASE("a missing, unreadable or foreign CRL refuses certificate logins")
{
    TestServer ts;
    LogCapture log;
    log.attach(ts);
    ClientCert cert = add_user(ts, "yamada01", "correct horse");
    REQUIRE(identify(ts, cert).status == 200);

    SECTION("missing")
    {
        std::filesystem::remove(ts.paths.crl);
        CHECK(identify(ts, cert).error() == "revocation_unavailable");
        CHECK(log.take().size() == 1);
        // `ibgate cert crl` makes it again.
        operator_write_crl(ts.store, ts.paths, ts.now);
        CHECK(identify(ts, cert).status == 200);
    }
    SECTION("not a CRL")
    {
        pki_write_text(ts.paths.crl, "-----BEGIN X509 CRL-----\nnot base64\n-----END X509 CRL-----\n", false);
        CHECK(identify(ts, cert).error() == "revocation_unavailable");
    }
    SECTION("signed by another key")
    {
        KeyPtr other = pki_new_key();
        CrlPtr crl = pki_make_crl(ts.ca.get(), other.get(), {}, ts.now, ts.now + kHour);
        pki_write_crl(ts.paths.crl, crl.get());
        CHECK(identify(ts, cert).error() == "revocation_unavailable");
    }
    SECTION("the server starts with a missing CRL and refuses until it appears")
    {
        std::filesystem::remove(ts.paths.crl);
        ts.restart();
        log.attach(ts);
        CHECK(identify(ts, cert).error() == "revocation_unavailable");
        operator_write_crl(ts.store, ts.paths, ts.now);
        CHECK(identify(ts, cert).status == 200);
    }
}

TEST_CASE("a stale CRL refuses session checks but keeps the session, and logout still works")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", "correct horse");
    write_crl_until(ts, ts.now + 60);
    Session s = login_ok(ts, cert, "correct horse");

    ts.now += 120;   // past the CRL's nextUpdate, well within the session's idle timeout
    Reply refused = session_get(ts, &cert, s);
    CHECK(refused.status == 503);
    CHECK(refused.error() == "revocation_unavailable");
    CHECK(session_post(ts, &cert, s, "/api/v1/keepalive").error() == "revocation_unavailable");

    operator_write_crl(ts.store, ts.paths, ts.now);
    CHECK(session_get(ts, &cert, s).status == 200);

    write_crl_until(ts, ts.now - 1);
    CHECK(session_post(ts, &cert, s, "/api/v1/logout", false).error() == "csrf");
    CHECK(session_post(ts, &cert, s, "/api/v1/logout").status == 200);
    CHECK(session_get(ts, &cert, s).error() == "not_logged_in");
}

// ---------------------------------------------------------------- OCSP
TEST_CASE("OCSP decisions, table")
{
    struct Row {
        OcspStatus status;
        bool fail_open;
        bool accept;
        api::ErrorCode code;
    };
    using api::ErrorCode;
    const Row rows[] = {
        {OcspStatus::Good, false, true, ErrorCode::RevocationUnavailable},
        {OcspStatus::Good, true, true, ErrorCode::RevocationUnavailable},
        {OcspStatus::Revoked, false, false, ErrorCode::CertRevoked},
        {OcspStatus::Revoked, true, false, ErrorCode::CertRevoked},
        {OcspStatus::Unknown, false, false, ErrorCode::RevocationUnavailable},
        {OcspStatus::Unknown, true, false, ErrorCode::RevocationUnavailable},   // an answer, not an outage
        {OcspStatus::NoAnswer, false, false, ErrorCode::RevocationUnavailable},
        {OcspStatus::NoAnswer, true, true, ErrorCode::RevocationUnavailable},
        {OcspStatus::BadAnswer, false, false, ErrorCode::RevocationUnavailable},
        {OcspStatus::BadAnswer, true, true, ErrorCode::RevocationUnavailable},
    };
    for (const Row& row : rows) {
        CAPTURE(ocsp_status_name(row.status), row.fail_open);
        OcspDecision d = ocsp_decision(row.status, row.fail_open);
        CHECK(d.accept == row.accept);
        if (!row.accept)
            CHECK(d.code == row.code);
    }
}

TEST_CASE("OCSP answer times and how long an answer is kept, table")
{
    const int64_t now = 1'800'000'000;
    struct TimeRow {
        const char* what;
        int64_t this_update, next_update;
        bool current;
    };
    const TimeRow times[] = {
        {"just made, next in 5 min", now, now + 300, true},
        {"no nextUpdate", now - 60, 0, true},
        {"no thisUpdate", 0, now + 300, false},
        {"made within the skew ahead", now + kOcspClockSkew, now + 600, true},
        {"made beyond the skew ahead", now + kOcspClockSkew + 1, now + 900, false},
        {"nextUpdate passed within the skew", now - 900, now - kOcspClockSkew, true},
        {"nextUpdate passed beyond the skew", now - 900, now - kOcspClockSkew - 1, false},
    };
    for (const TimeRow& row : times) {
        CAPTURE(row.what);
        CHECK(ocsp_times_current(now, row.this_update, row.next_update) == row.current);
    }

    struct CacheRow {
        const char* what;
        OcspStatus status;
        int64_t next_update;
        int64_t until;
    };
    const CacheRow kept[] = {
        {"good until nextUpdate", OcspStatus::Good, now + 300, now + 300},
        {"revoked until nextUpdate", OcspStatus::Revoked, now + 300, now + 300},
        {"at most an hour", OcspStatus::Good, now + 7 * 24 * 3600, now + kOcspMaxCacheSeconds},
        {"no nextUpdate: not kept", OcspStatus::Good, 0, 0},
        {"nextUpdate already passed: not kept", OcspStatus::Good, now - 1, 0},
        {"no answer: never kept", OcspStatus::NoAnswer, now + 300, 0},
        {"bad answer: never kept", OcspStatus::BadAnswer, now + 300, 0},
    };
    for (const CacheRow& row : kept) {
        CAPTURE(row.what);
        OcspAnswer a;
        a.status = row.status;
        a.this_update = now;
        a.next_update = row.next_update;
        CHECK(ocsp_cache_until(a, now) == row.until);
    }
}

TEST_CASE("the OCSP cache stays within its bound, dropping expired answers first")
{
    const int64_t now = 1'800'000'000;
    OcspCache cache;
    cache.capacity = 4;
    ocsp_cache_put(cache, "expired", OcspCacheEntry{OcspStatus::Good, now - 1, ""}, now);
    ocsp_cache_put(cache, "soon", OcspCacheEntry{OcspStatus::Good, now + 10, ""}, now);
    ocsp_cache_put(cache, "late", OcspCacheEntry{OcspStatus::Revoked, now + 3000, ""}, now);
    ocsp_cache_put(cache, "later", OcspCacheEntry{OcspStatus::Good, now + 3500, ""}, now);
    OcspCacheEntry found;
    CHECK_FALSE(ocsp_cache_find(cache, "expired", now, found));

    ocsp_cache_put(cache, "new", OcspCacheEntry{OcspStatus::Good, now + 100, ""}, now);
    CHECK(cache.entries.size() == 4);
    CHECK(cache.entries.count("expired") == 0);
    CHECK(ocsp_cache_find(cache, "soon", now, found));

    ocsp_cache_put(cache, "newer", OcspCacheEntry{OcspStatus::Good, now + 200, ""}, now);
    CHECK(cache.entries.size() == 4);
    CHECK(cache.entries.count("soon") == 0);   // the soonest to expire made room
    REQUIRE(ocsp_cache_find(cache, "late", now, found));
    CHECK(found.status == OcspStatus::Revoked);

    for (int i = 0; i < 100; i++)
        ocsp_cache_put(cache, "k" + std::to_string(i), OcspCacheEntry{OcspStatus::Good, now + 50 + i, ""}, now);
    CHECK(cache.entries.size() == 4);
}

TEST_CASE("OCSP options are checked before the server starts")
{
    OcspOptions o;
    CHECK(ocsp_options_problem(o).empty());   // off
    o.url = "http://127.0.0.1:8888/";
    CHECK(ocsp_options_problem(o).empty());
    o.url = "https://127.0.0.1:8888/";
    CHECK_FALSE(ocsp_options_problem(o).empty());
    o.url = "http://user:secret@127.0.0.1:8888/";
    CHECK_FALSE(ocsp_options_problem(o).empty());
    o.url = "http://127.0.0.1:8888/";
    o.timeout_seconds = 0;
    CHECK_FALSE(ocsp_options_problem(o).empty());
}

// `openssl ocsp` answering for the test server's CA on a port of its choosing, from an index
// file the test writes; killed when the test ends, however it ends.
struct OcspResponder {
    std::filesystem::path dir;
    pid_t pid = -1;
    uint16_t port = 0;

    struct Entry {
        const ClientCert* cert;
        bool revoked;
    };

    // `signer`/`signer_key`: who signs the answers (default: the CA itself).
    OcspResponder(TestServer& ts, const std::vector<Entry>& entries, X509* signer = nullptr,
                  EVP_PKEY* signer_key = nullptr)
    {
        static int made = 0;
        dir = ts.dir / ("ocsp-" + std::to_string(++made));
        std::filesystem::create_directories(dir);
        std::ofstream index(dir / "index.txt");
        for (const Entry& e : entries) {
            const std::string expires = index_time(pki_not_after(e.cert->cert.get()));
            const std::string revoked_at = e.revoked ? index_time(ts.now - 60) : "";
            index << (e.revoked ? "R" : "V") << '\t' << expires << '\t' << revoked_at << '\t' << e.cert->serial
                  << "\tunknown\t/CN=" << e.cert->serial << '\n';
        }
        index.close();
        pki_write_cert((dir / "ca.pem").string(), ts.ca.get());
        pki_write_cert((dir / "signer.pem").string(), signer ? signer : ts.ca.get());
        pki_write_key((dir / "signer.key").string(), signer_key ? signer_key : ts.ca_key.get());
        start();
    }
    ~OcspResponder() { stop(); }
    OcspResponder(const OcspResponder&) = delete;
    OcspResponder& operator=(const OcspResponder&) = delete;

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/"; }

    void stop()
    {
        if (pid <= 0)
            return;
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        pid = -1;
    }

private:
    static std::string index_time(int64_t t)
    {
        time_t tt = static_cast<time_t>(t);
        struct tm parts = {};
        gmtime_r(&tt, &parts);
        char text[32];
        std::strftime(text, sizeof(text), "%Y%m%d%H%M%SZ", &parts);
        return std::string(text).substr(2);   // the index's two-digit year
    }

    // Starts the responder and waits (up to 10 s) for the line that names its port.
    void start()
    {
        int out[2];
        REQUIRE(pipe(out) == 0);
        const std::string index = (dir / "index.txt").string(), ca = (dir / "ca.pem").string(),
                          signer = (dir / "signer.pem").string(), key = (dir / "signer.key").string(),
                          err = (dir / "stderr.txt").string();
        std::vector<std::string> args = {"openssl", "ocsp", "-index", index, "-port", "0", "-CA", ca,
                                         "-rsigner", signer, "-rkey", key, "-nmin", "5"};
        std::vector<char*> argv;
        for (std::string& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_addclose(&actions, out[0]);
        int spawned = posix_spawnp(&pid, "openssl", &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        close(out[1]);
        if (spawned != 0) {
            close(out[0]);
            pid = -1;
            FAIL("cannot start openssl ocsp");
        }
        // "ACCEPT [::]:PORT PID=N"
        std::string text;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (text.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
            pollfd p{out[0], POLLIN, 0};
            if (poll(&p, 1, 200) <= 0)
                continue;
            char buf[256];
            ssize_t n = read(out[0], buf, sizeof(buf));
            if (n <= 0)
                break;
            text.append(buf, static_cast<size_t>(n));
        }
        close(out[0]);
        // "ACCEPT [::]:PORT PID=N" (or 0.0.0.0:PORT without IPv6)
        INFO("openssl ocsp said: " << text);
        REQUIRE(text.rfind("ACCEPT ", 0) == 0);
        const size_t colon = text.rfind(':', text.find(" PID="));
        REQUIRE(colon != std::string::npos);
        port = static_cast<uint16_t>(std::stoi(text.substr(colon + 1)));
        REQUIRE(port != 0);
    }
};

static void use_ocsp(TestServer& ts, const std::string& url, bool fail_open, int timeout_seconds = 5)
{
    ts.options.ocsp.url = url;
    ts.options.ocsp.fail_open = fail_open;
    ts.options.ocsp.timeout_seconds = timeout_seconds;
    ts.restart();
}

TEST_CASE("OCSP against a real responder: good logs in, revoked and unknown are refused, an outage fails closed")
{
    TestServer ts;
    LogCapture log;
    log.attach(ts);
    const std::string password = "correct horse";
    ClientCert good = add_user(ts, "yamada01", password);
    ClientCert revoked = add_user(ts, "suzuki02", password);
    ClientCert unlisted = add_user(ts, "tanaka03", password);
    ClientCert later = add_user(ts, "sato04", password);
    OcspResponder responder(ts, {{&good, false}, {&revoked, true}, {&later, false}});
    // A refused connection is retried until the timeout; keep it short so the outage is quick.
    use_ocsp(ts, responder.url(), false, 2);

    Session s = login_ok(ts, good, password);
    Reply r = identify(ts, revoked);
    CHECK(r.status == 401);
    CHECK(r.error() == "cert_revoked");
    r = identify(ts, unlisted);
    CHECK(r.status == 503);
    CHECK(r.error() == "revocation_unavailable");
    CHECK(log.take().empty());   // the responder answered every time

    responder.stop();
    r = identify(ts, later);
    CHECK(r.status == 503);
    CHECK(r.error() == "revocation_unavailable");
    CHECK(identify(ts, later).error() == "revocation_unavailable");
    std::vector<std::string> lines = log.take();
    REQUIRE(lines.size() == 1);   // once for the outage, not per request
    CHECK(lines[0].find(responder.url()) != std::string::npos);
    CHECK(lines[0].find("refused") != std::string::npos);
    // Answers already given stay good until their nextUpdate: the logged-in customer goes on.
    CHECK(session_get(ts, &good, s).status == 200);
    CHECK(identify(ts, revoked).error() == "cert_revoked");

    SECTION("with --ocsp-fail-open an outage lets a valid certificate in")
    {
        use_ocsp(ts, responder.url(), true, 2);
        CHECK(identify(ts, later).status == 200);
        CHECK(identify(ts, revoked).error() == "cert_revoked");   // still known to be revoked
        CHECK(identify(ts, unlisted).error() == "revocation_unavailable");   // still unknown
    }
}

TEST_CASE("OCSP answers signed by someone else are not trusted")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", "correct horse");
    KeyPtr rogue_key = pki_new_key();
    CertSpec spec;
    spec.kind = CertKind::Ca;
    spec.common_name = "Rogue responder";
    spec.not_before = ts.now - 3600;
    spec.not_after = ts.now + 24 * 3600;
    CertPtr rogue = pki_make_cert(spec, rogue_key.get(), nullptr, nullptr);
    OcspResponder responder(ts, {{&cert, false}}, rogue.get(), rogue_key.get());

    use_ocsp(ts, responder.url(), false);
    CHECK(identify(ts, cert).error() == "revocation_unavailable");
    use_ocsp(ts, responder.url(), true);
    CHECK(identify(ts, cert).status == 200);
}

// A listening socket on 127.0.0.1 that never accepts: connections are made, no answer ever comes.
struct SilentResponder {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    std::string url;
    SilentResponder()
    {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t size = sizeof(address);
        REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), size) == 0);
        REQUIRE(listen(fd, 16) == 0);
        REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0);
        url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/";
    }
    ~SilentResponder() { close(fd); }
    SilentResponder(const SilentResponder&) = delete;
    SilentResponder& operator=(const SilentResponder&) = delete;
};

TEST_CASE("a responder that never answers is given up on at the timeout")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", "correct horse");
    SilentResponder silent;
    use_ocsp(ts, silent.url, false, 1);

    const auto started = std::chrono::steady_clock::now();
    Reply r = identify(ts, cert);
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK(r.error() == "revocation_unavailable");
    CHECK(took >= std::chrono::milliseconds(900));
    CHECK(took < std::chrono::seconds(4));
}

TEST_CASE("a slow OCSP exchange holds up neither the database nor other customers")
{
    TestServer ts;
    const std::string password = "correct horse";
    ClientCert early = add_user(ts, "yamada01", password);
    ClientCert waiting = add_user(ts, "suzuki02", password);
    Session s;
    {
        OcspResponder responder(ts, {{&early, false}, {&waiting, false}});
        use_ocsp(ts, responder.url(), false, 2);
        s = login_ok(ts, early, password);   // its answer is now kept until its nextUpdate
    }
    SilentResponder silent;
    use_ocsp(ts, silent.url, false, 3);

    // One worker waits for the silent responder; the other (the server has two) answers the
    // logged-in customer at once, which it could not if the exchange held the database.
    auto stalled = std::async(std::launch::async, [&] { return identify(ts, waiting); });
    REQUIRE(stalled.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout);
    const auto started = std::chrono::steady_clock::now();
    CHECK(session_get(ts, &early, s).status == 200);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(1));
    CHECK(stalled.get().error() == "revocation_unavailable");
}
