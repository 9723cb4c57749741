#include "server/ocsp.h"

#include "server/pki.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/http.h>
#include <openssl/ocsp.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <memory>
#include <vector>

// ---------------------------------------------------------------- options
std::string ocsp_options_problem(const OcspOptions& o)
{
    if (o.url.empty())
        return std::string();
    if (o.timeout_seconds < 1 || o.timeout_seconds > 60)
        return "--ocsp-timeout must be 1 to 60 seconds";
    if (o.url.rfind("http://", 0) != 0)
        return "--ocsp-url must be an http:// URL (OCSP answers are signed; TLS adds nothing here)";
    char* user = nullptr;
    char* host = nullptr;
    int use_ssl = 0;
    int ok = OSSL_HTTP_parse_url(o.url.c_str(), &use_ssl, &user, &host, nullptr, nullptr, nullptr, nullptr, nullptr);
    ERR_clear_error();
    std::string problem;
    if (!ok || !host || !*host)
        problem = "--ocsp-url is not a URL";
    else if (user && *user)
        problem = "--ocsp-url must not hold user information";
    OPENSSL_free(user);
    OPENSSL_free(host);
    return problem;
}

const char* ocsp_status_name(OcspStatus status)
{
    switch (status) {
    case OcspStatus::Good: return "good";
    case OcspStatus::Revoked: return "revoked";
    case OcspStatus::Unknown: return "unknown";
    case OcspStatus::NoAnswer: return "no_answer";
    case OcspStatus::BadAnswer: return "bad_answer";
    }
    return "?";
}

// ---------------------------------------------------------------- decisions
OcspDecision ocsp_decision(OcspStatus status, bool fail_open)
{
    OcspDecision d;
    switch (status) {
    case OcspStatus::Good:
        d.accept = true;
        break;
    case OcspStatus::Revoked:
        d.code = api::ErrorCode::CertRevoked;
        break;
    case OcspStatus::Unknown:
        break;
    case OcspStatus::NoAnswer:
    case OcspStatus::BadAnswer:
        d.accept = fail_open;
        break;
    }
    return d;
}

bool ocsp_times_current(int64_t now, int64_t this_update, int64_t next_update)
{
    if (this_update == 0 || this_update > now + kOcspClockSkew)
        return false;
    if (next_update != 0 && next_update + kOcspClockSkew < now)
        return false;
    return true;
}

int64_t ocsp_cache_until(const OcspAnswer& answer, int64_t now)
{
    bool verified = answer.status == OcspStatus::Good || answer.status == OcspStatus::Revoked
                    || answer.status == OcspStatus::Unknown;
    if (!verified || answer.next_update <= now)
        return 0;
    return std::min(answer.next_update, now + kOcspMaxCacheSeconds);
}

// ---------------------------------------------------------------- cache
bool ocsp_cache_find(const OcspCache& cache, const std::string& key, int64_t now, OcspCacheEntry& out)
{
    auto it = cache.entries.find(key);
    if (it == cache.entries.end() || it->second.until < now)
        return false;
    out = it->second;
    return true;
}

void ocsp_cache_put(OcspCache& cache, const std::string& key, const OcspCacheEntry& entry, int64_t now)
{
    if (cache.capacity == 0)
        return;
    if (cache.entries.size() >= cache.capacity && cache.entries.find(key) == cache.entries.end()) {
        for (auto it = cache.entries.begin(); it != cache.entries.end();)
            it = it->second.until < now ? cache.entries.erase(it) : std::next(it);
        while (cache.entries.size() >= cache.capacity) {
            auto soonest = cache.entries.begin();
            for (auto it = cache.entries.begin(); it != cache.entries.end(); ++it)
                if (it->second.until < soonest->second.until)
                    soonest = it;
            cache.entries.erase(soonest);
        }
    }
    cache.entries[key] = entry;
}

// ---------------------------------------------------------------- the exchange
struct OcspRequestFree { void operator()(OCSP_REQUEST* p) const { OCSP_REQUEST_free(p); } };
struct OcspResponseFree { void operator()(OCSP_RESPONSE* p) const { OCSP_RESPONSE_free(p); } };
struct OcspBasicFree { void operator()(OCSP_BASICRESP* p) const { OCSP_BASICRESP_free(p); } };
struct OcspIdFree { void operator()(OCSP_CERTID* p) const { OCSP_CERTID_free(p); } };
struct BioFreeAll { void operator()(BIO* p) const { BIO_free_all(p); } };
struct StoreFree { void operator()(X509_STORE* p) const { X509_STORE_free(p); } };
struct CertStackFree { void operator()(STACK_OF(X509)* p) const { sk_X509_free(p); } };
struct OpenSslText { void operator()(char* p) const { OPENSSL_free(p); } };

static OcspAnswer answer(OcspStatus status, std::string detail)
{
    OcspAnswer a;
    a.status = status;
    a.detail = std::move(detail);
    ERR_clear_error();
    return a;
}

// Responses are small (one certificate's status and the responder's certificate).
constexpr size_t kMaxResponseBytes = 64 * 1024;

OcspAnswer ocsp_query(const OcspOptions& options, X509* leaf, X509* issuer, int64_t now)
{
    char* host_raw = nullptr;
    char* port_raw = nullptr;
    char* path_raw = nullptr;
    int use_ssl = 0;
    if (!OSSL_HTTP_parse_url(options.url.c_str(), &use_ssl, nullptr, &host_raw, &port_raw, nullptr, &path_raw, nullptr,
                             nullptr))
        return answer(OcspStatus::NoAnswer, "bad responder URL");
    std::unique_ptr<char, OpenSslText> host(host_raw), port(port_raw), path(path_raw);

    std::unique_ptr<OCSP_CERTID, OcspIdFree> id(OCSP_cert_to_id(nullptr, leaf, issuer));
    std::unique_ptr<OCSP_REQUEST, OcspRequestFree> request(OCSP_REQUEST_new());
    if (!id || !request)
        return answer(OcspStatus::NoAnswer, "cannot make the request");
    OCSP_CERTID* request_id = OCSP_CERTID_dup(id.get());
    if (!request_id || !OCSP_request_add0_id(request.get(), request_id)) {
        OCSP_CERTID_free(request_id);
        return answer(OcspStatus::NoAnswer, "cannot make the request");
    }
    OCSP_request_add1_nonce(request.get(), nullptr, -1);
    std::unique_ptr<BIO, BioFreeAll> body(BIO_new(BIO_s_mem()));
    if (!body || i2d_OCSP_REQUEST_bio(body.get(), request.get()) <= 0)
        return answer(OcspStatus::NoAnswer, "cannot encode the request");

    // The timeout bounds the whole exchange (connect, send, receive); proxy "" keeps any
    // http_proxy in the environment out of it.
    std::unique_ptr<BIO, BioFreeAll> reply(OSSL_HTTP_transfer(
        nullptr, host.get(), port.get(), path.get(), use_ssl, "", nullptr, nullptr, nullptr, nullptr, nullptr, 0, nullptr,
        "application/ocsp-request", body.get(), "application/ocsp-response", 1, kMaxResponseBytes,
        options.timeout_seconds, 0));
    if (!reply) {
        unsigned long e = ERR_peek_last_error();
        char reason[160] = "no answer";
        if (e != 0)
            ERR_error_string_n(e, reason, sizeof(reason));
        return answer(OcspStatus::NoAnswer, std::string("no answer: ") + reason);
    }
    std::unique_ptr<OCSP_RESPONSE, OcspResponseFree> response(d2i_OCSP_RESPONSE_bio(reply.get(), nullptr));
    if (!response)
        return answer(OcspStatus::BadAnswer, "not an OCSP response");
    int response_status = OCSP_response_status(response.get());
    if (response_status != OCSP_RESPONSE_STATUS_SUCCESSFUL)
        return answer(OcspStatus::BadAnswer,
                      std::string("responder says ") + OCSP_response_status_str(response_status));
    std::unique_ptr<OCSP_BASICRESP, OcspBasicFree> basic(OCSP_response_get1_basic(response.get()));
    if (!basic)
        return answer(OcspStatus::BadAnswer, "no basic response");
    // 1: our nonce came back; -1: the responder does not echo nonces (pre-signed answers), which
    // the freshness check below bounds. 0 (a different nonce) is a replay.
    int nonce = OCSP_check_nonce(request.get(), basic.get());
    if (nonce != 1 && nonce != -1)
        return answer(OcspStatus::BadAnswer, "nonce mismatch");

    // Signed by the client CA itself or by a responder certificate it issued for OCSP signing,
    // checked at the server's clock.
    std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
    std::unique_ptr<STACK_OF(X509), CertStackFree> known(sk_X509_new_null());
    if (!store || !known || !X509_STORE_add_cert(store.get(), issuer) || !sk_X509_push(known.get(), issuer))
        return answer(OcspStatus::NoAnswer, "cannot prepare verification");
    X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()), static_cast<time_t>(now));
    if (OCSP_basic_verify(basic.get(), known.get(), store.get(), 0) != 1)
        return answer(OcspStatus::BadAnswer, "signature not trusted");

    int status = -1;
    int reason = 0;
    ASN1_GENERALIZEDTIME* revoked_at = nullptr;
    ASN1_GENERALIZEDTIME* this_update = nullptr;
    ASN1_GENERALIZEDTIME* next_update = nullptr;
    if (OCSP_resp_find_status(basic.get(), id.get(), &status, &reason, &revoked_at, &this_update, &next_update) != 1)
        return answer(OcspStatus::BadAnswer, "no status for this certificate");
    OcspAnswer a;
    a.this_update = pki_time_unix(this_update);
    a.next_update = pki_time_unix(next_update);
    if (!ocsp_times_current(now, a.this_update, a.next_update))
        return answer(OcspStatus::BadAnswer, "answer out of date");
    switch (status) {
    case V_OCSP_CERTSTATUS_GOOD:
        a.status = OcspStatus::Good;
        a.detail = "OCSP good";
        break;
    case V_OCSP_CERTSTATUS_REVOKED:
        a.status = OcspStatus::Revoked;
        a.detail = "revoked (OCSP)";
        break;
    default:
        a.status = OcspStatus::Unknown;
        a.detail = "certificate unknown to the OCSP responder";
        break;
    }
    ERR_clear_error();
    return a;
}

// ---------------------------------------------------------------- the check
static std::string cache_key(X509* leaf)
{
    char hash[16];
    std::snprintf(hash, sizeof(hash), "%08lx:", X509_issuer_name_hash(leaf));
    return hash + pki_serial_hex(leaf);
}

static std::string failing_line(const OcspOptions& o, const std::string& detail)
{
    return "ibgate: revocation: OCSP responder " + o.url + " gives no usable answer (" + detail + "); "
           + (o.fail_open ? "certificate logins are accepted without the OCSP check (--ocsp-fail-open)"
                          : "certificate logins are refused (revocation_unavailable) until it does");
}

OcspResult ocsp_check(OcspChecker& checker, X509* leaf, X509* issuer, int64_t now)
{
    const std::string key = cache_key(leaf);
    OcspAnswer got;
    bool ask = false;
    {
        std::lock_guard<std::mutex> lock(checker.mutex);
        OcspCacheEntry cached;
        if (ocsp_cache_find(checker.cache, key, now, cached)) {
            got.status = cached.status;
            got.detail = cached.detail;
        } else if (now < checker.quiet_until) {
            got.status = OcspStatus::NoAnswer;
            got.detail = "responder failed moments ago";
        } else {
            ask = true;
        }
    }
    if (ask)
        got = ocsp_query(checker.options, leaf, issuer, now);   // without the lock: it may take seconds

    OcspResult result;
    OcspDecision decision = ocsp_decision(got.status, checker.options.fail_open);
    result.accept = decision.accept;
    result.code = decision.code;
    result.detail = got.detail;
    if (!ask)
        return result;

    std::lock_guard<std::mutex> lock(checker.mutex);
    const bool failing = got.status == OcspStatus::NoAnswer || got.status == OcspStatus::BadAnswer;
    if (got.status == OcspStatus::NoAnswer)
        checker.quiet_until = now + kOcspQuietAfterFailure;
    if (int64_t until = ocsp_cache_until(got, now))
        ocsp_cache_put(checker.cache, key, OcspCacheEntry{got.status, until, got.detail}, now);
    if (failing != checker.responder_failing) {
        checker.responder_failing = failing;
        result.log_line = failing ? failing_line(checker.options, got.detail)
                                  : "ibgate: revocation: OCSP responder " + checker.options.url + " answers again";
    }
    return result;
}
