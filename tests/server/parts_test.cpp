// Parts of the server that need no network: file selection for the app origin, and the HTTP
// layer's rules for connections, request shape and the login queue.
#include "server/cert_check.h"
#include "server/request_rules.h"
#include "server/page_config.h"
#include "server/static_files.h"

#include <catch_amalgamated.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>

TEST_CASE("content-hashed names are recognised")
{
    CHECK(is_content_hashed_name("app.0123abcd.wasm"));
    CHECK(is_content_hashed_name("font.deadbeef.woff2"));
    CHECK(is_content_hashed_name("app.544c036ca4fd.css"));
    CHECK(is_content_hashed_name("g-00100.2abac4b68808.otf"));
    CHECK_FALSE(is_content_hashed_name("index.html"));
    CHECK_FALSE(is_content_hashed_name("config.json"));
    CHECK_FALSE(is_content_hashed_name("app.0123ABCD.wasm"));
    CHECK_FALSE(is_content_hashed_name("app.0123abc.wasm"));
    CHECK_FALSE(is_content_hashed_name(".0123abcd.wasm"));
    CHECK_FALSE(is_content_hashed_name("0123abcd.wasm"));
    CHECK_FALSE(is_content_hashed_name("app.0123abcd"));
}

TEST_CASE("Accept-Encoding is read with its q-values")
{
    CHECK(accepts_encoding("gzip, deflate, br", "br"));
    CHECK(accepts_encoding("gzip, deflate, br", "gzip"));
    CHECK(accepts_encoding("BR;q=0.5", "br"));
    CHECK_FALSE(accepts_encoding("br;q=0, gzip", "br"));
    CHECK_FALSE(accepts_encoding("", "gzip"));
    CHECK_FALSE(accepts_encoding("gzipped", "gzip"));
}

TEST_CASE("types of the web build's files")
{
    CHECK(std::string(content_type_for("a.wasm")) == "application/wasm");
    CHECK(std::string(content_type_for("index.html")) == "text/html; charset=utf-8");
    CHECK(std::string(content_type_for("x.woff2")) == "font/woff2");
    CHECK(std::string(content_type_for("unknown.bin")) == "application/octet-stream");
}

TEST_CASE("health paths: both, with or without a query, GET and HEAD only")
{
    struct Row {
        const char* method;
        const char* target;
        HealthRoute expected;
    };
    const Row rows[] = {
        {"GET", "/healthz", HealthRoute::Live},
        {"HEAD", "/healthz", HealthRoute::Live},
        {"GET", "/readyz", HealthRoute::Ready},
        {"HEAD", "/readyz?probe=lb", HealthRoute::Ready},
        {"POST", "/healthz", HealthRoute::MethodNotAllowed},
        {"OPTIONS", "/readyz", HealthRoute::MethodNotAllowed},
        {"GET", "/healthz/", HealthRoute::None},
        {"GET", "/Healthz", HealthRoute::None},
        {"GET", "/api/v1/session", HealthRoute::None},
        {"GET", "/", HealthRoute::None},
    };
    for (const Row& row : rows) {
        INFO(row.method << " " << row.target);
        CHECK(health_route(row.method, row.target) == row.expected);
    }
}

TEST_CASE("connection admission: per address first, then per origin with eviction")
{
    struct Row {
        ConnectionCounts counts;
        ConnectionLimits limits;
        Admission expected;
    };
    const Row rows[] = {
        {{0, 0, false}, {1024, 64}, Admission::Admit},
        {{1023, 63, false}, {1024, 64}, Admission::Admit},
        {{10, 64, true}, {1024, 64}, Admission::RefuseAddress},     // at its share, even with room
        {{1024, 64, true}, {1024, 64}, Admission::RefuseAddress},   // never evicts for a greedy client
        {{1024, 3, true}, {1024, 64}, Admission::AdmitAfterEvicting},
        {{1024, 3, false}, {1024, 64}, Admission::RefuseOrigin},
        {{1500, 0, true}, {1024, 64}, Admission::AdmitAfterEvicting},
        {{5000, 4999, false}, {8000, 0}, Admission::Admit},         // 0: no per-address limit
        {{8000, 7999, true}, {8000, 0}, Admission::AdmitAfterEvicting},
        {{8000, 7999, false}, {8000, 0}, Admission::RefuseOrigin},
        {{10, 64, false, true}, {1024, 64}, Admission::Admit},                 // a trusted proxy
        {{1024, 500, true, true}, {1024, 64}, Admission::AdmitAfterEvicting},
        {{1024, 500, false, true}, {1024, 64}, Admission::RefuseOrigin},      // the origin's limit still holds
    };
    for (const Row& row : rows) {
        CAPTURE(row.counts.origin, row.counts.address, row.counts.idle_available, row.limits.per_origin,
                row.limits.per_address);
        CHECK(admit_connection(row.counts, row.limits) == row.expected);
    }
}

TEST_CASE("request faults: Host once for HTTP/1.1, Origin at most once")
{
    struct Row {
        unsigned version;
        size_t host, origin;
        RequestFault expected;
    };
    const Row rows[] = {
        {11, 1, 0, RequestFault::None},
        {11, 1, 1, RequestFault::None},
        {11, 0, 0, RequestFault::MissingHost},
        {10, 0, 0, RequestFault::None},
        {10, 2, 0, RequestFault::DuplicateHost},
        {11, 2, 2, RequestFault::DuplicateHost},
        {11, 1, 2, RequestFault::DuplicateOrigin},
        {11, 0, 2, RequestFault::MissingHost},
    };
    for (const Row& row : rows) {
        CAPTURE(row.version, row.host, row.origin);
        CHECK(request_fault(row.version, row.host, row.origin) == row.expected);
    }
}

TEST_CASE("password checks go to the hash pool, session calls ahead of the login steps")
{
    struct Row {
        const char* method;
        const char* target;
        ApiWork work;
    };
    const Row rows[] = {
        {"POST", "/api/v1/login", ApiWork::PasswordCheck},
        {"POST", "/api/v1/login?x=1", ApiWork::PasswordCheck},
        {"OPTIONS", "/api/v1/login", ApiWork::LoginStep},
        {"POST", "/api/v1/login/x", ApiWork::LoginStep},
        {"POST", "/api/v1/identify", ApiWork::LoginStep},
        {"POST", "/api/v1/force-logout", ApiWork::LoginStep},
        {"GET", "/api/v1/nothing", ApiWork::LoginStep},
        {"GET", "/api/v1/session", ApiWork::Session},
        {"GET", "/api/v1/session?t=1", ApiWork::Session},
        {"POST", "/api/v1/session", ApiWork::Session},     // answered 405, still cheap
        {"POST", "/api/v1/keepalive", ApiWork::Session},
        {"OPTIONS", "/api/v1/keepalive", ApiWork::Session},
        {"POST", "/api/v1/logout", ApiWork::Session},
        {"GET", "/api/v1/session/x", ApiWork::LoginStep},
    };
    for (const Row& row : rows) {
        INFO(row.method << " " << row.target);
        CHECK(api_work_of(row.method, row.target) == row.work);
    }
}

TEST_CASE("hash workers default to one core fewer than the machine has, at least one")
{
    struct Row {
        unsigned cores;
        int hash_workers;
    };
    const Row rows[] = {{0, 1}, {1, 1}, {2, 1}, {3, 2}, {4, 3}, {16, 15}};
    for (const Row& row : rows) {
        INFO(row.cores << " cores");
        CHECK(default_hash_workers(row.cores) == row.hash_workers);
    }
}

TEST_CASE("the hash queue admits workers plus queue")
{
    CHECK(hash_queue_admits(0, 1, 0));
    CHECK_FALSE(hash_queue_admits(1, 1, 0));
    CHECK(hash_queue_admits(16, 1, 16));
    CHECK_FALSE(hash_queue_admits(17, 1, 16));
    CHECK(hash_queue_admits(3, 2, 2));
    CHECK_FALSE(hash_queue_admits(4, 2, 2));
}

TEST_CASE("a verified chain is reused only against the same store, certificate, CRL state and time window")
{
    std::shared_ptr<X509_STORE> store(X509_STORE_new(), X509_STORE_free);
    std::shared_ptr<X509_STORE> newer(X509_STORE_new(), X509_STORE_free);
    VerifiedChain memo{store, "ab12", true, 1000, 1300, nullptr, CertFacts{}};
    struct Row {
        const char* what;
        const std::shared_ptr<X509_STORE>* store;
        const char* fingerprint;
        bool crl_checked;
        int64_t now;
        bool reusable;
    };
    const Row rows[] = {
        {"same everything", &store, "ab12", true, 1000, true},
        {"until the end of the window", &store, "ab12", true, 1300, true},
        {"past the window", &store, "ab12", true, 1301, false},
        {"clock went back", &store, "ab12", true, 999, false},
        {"a new store (CRL or CA changed)", &newer, "ab12", true, 1100, false},
        {"another certificate", &store, "cd34", true, 1100, false},
        {"the CRL state changed", &store, "ab12", false, 1100, false},
    };
    for (const Row& row : rows) {
        CAPTURE(row.what);
        CHECK(verified_chain_reusable(memo, *row.store, row.fingerprint, row.crl_checked, row.now) == row.reusable);
    }
    CHECK_FALSE(verified_chain_reusable(VerifiedChain{}, nullptr, "", false, 0));
}

TEST_CASE("the API workers' queue always takes session calls and login steps up to its limit")
{
    struct Row { ApiWork work; size_t queued; int limit; bool admitted; };
    const Row rows[] = {
        {ApiWork::Session, 0, 1, true},
        {ApiWork::Session, 100000, 1, true},   // bounded by the connections that wait for them
        {ApiWork::LoginStep, 0, 1, true},
        {ApiWork::LoginStep, 1, 1, false},
        {ApiWork::LoginStep, 255, 256, true},
        {ApiWork::LoginStep, 256, 256, false},
        {ApiWork::LoginStep, 0, 0, false},
    };
    for (const Row& r : rows) {
        CAPTURE(static_cast<int>(r.work), r.queued, r.limit);
        CHECK(work_queue_admits(r.work, r.queued, r.limit) == r.admitted);
    }
}

TEST_CASE("the page's configuration gets the server's origins and institution code written in")
{
    const PageConfigFacts facts{"https://ib.example.jp", "https://cert.example.jp:8444", "1399"};
    struct Row { const char* file; bool filled; size_t replaced; };
    const Row rows[] = {
        // The values already right: nothing to report.
        {R"({"credit_union":{"name":"A","institution_code":"1399"},"certificate_origin":"https://cert.example.jp:8444",)"
         R"("app_origin":"https://ib.example.jp"})", true, 0},
        // The shipped file's development origin and another code: each named once.
        {R"({"credit_union":{"name":"A","institution_code":"1234"},"certificate_origin":"https://localhost:8444"})", true, 3},
        {R"({"credit_union":"not an object"})", true, 3},
        {R"({})", true, 3},
        // Not a JSON object: served as it is, for the page to report what is wrong.
        {R"([1,2])", false, 0},
        {R"({"credit_union": )", false, 0},
        {"", false, 0},
    };
    for (const Row& row : rows) {
        CAPTURE(row.file);
        const PageConfig page = page_config_fill(row.file, facts);
        CHECK(page.filled == row.filled);
        CHECK(page.replaced.size() == row.replaced);
        if (!row.filled) {
            CHECK(page.text == row.file);
            continue;
        }
        const nlohmann::json j = nlohmann::json::parse(page.text);
        CHECK(j.at("certificate_origin") == facts.certificate_origin);
        CHECK(j.at("app_origin") == facts.app_origin);
        CHECK(j.at("credit_union").at("institution_code") == facts.institution_code);
    }
    // The other fields and their order stay as the credit union wrote them.
    const PageConfig kept = page_config_fill(R"({"z":1,"credit_union":{"name":"A"},"a":[1]})", facts);
    CHECK(kept.text.find("\"z\"") < kept.text.find("\"credit_union\""));
    CHECK(kept.text.find("\"credit_union\"") < kept.text.find("\"a\""));
    CHECK(nlohmann::json::parse(kept.text).at("credit_union").at("name") == "A");
    // The change log names the value before and after.
    const PageConfig changed = page_config_fill(R"({"certificate_origin":"https://localhost:8444"})", facts);
    CHECK(std::find(changed.replaced.begin(), changed.replaced.end(),
                    "certificate_origin: https://localhost:8444 -> https://cert.example.jp:8444") != changed.replaced.end());
    // Too large a file is not parsed at all.
    const std::string huge = "{\"x\":\"" + std::string(kPageConfigMaxBytes, 'a') + "\"}";
    CHECK_FALSE(page_config_fill(huge, facts).filled);
}
