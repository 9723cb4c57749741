#pragma once
// OCSP checking of client certificates (RFC 6960), an option of `ibgate serve`:
// --ocsp-url http://host:port/path, --ocsp-timeout SECONDS, --ocsp-fail-open.
//
// Fail closed by default: a responder that does not answer in time, or whose answer cannot be
// trusted (not signed by the client CA or a responder it delegated to, out of date, nonce
// mismatch, not about this certificate), refuses the certificate with revocation_unavailable.
// --ocsp-fail-open accepts the certificate in those cases instead (the CRL still applies).
// "revoked" is refused as cert_revoked and "unknown" as revocation_unavailable either way: an
// answer that the responder does not know the certificate is an answer, not an outage.
//
// Answers are kept per certificate until their nextUpdate (at most an hour, a bounded number
// of entries), so session checks of a logged-in customer do not ask the responder every time.
// The exchange blocks the calling API worker thread for at most the timeout; after a failed
// exchange, new ones wait a few seconds, so an outage does not tie every worker up in turn.

#include "core/protocol.h"

#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

struct OcspOptions {
    std::string url;            // "" = no OCSP checking
    int timeout_seconds = 5;    // the whole exchange: connect, send, answer
    bool fail_open = false;
};

// "" when usable; otherwise the reason (plain http:// URL without user info, timeout 1-60 s).
std::string ocsp_options_problem(const OcspOptions& options);

enum class OcspStatus {
    Good,        // a verified, current answer: not revoked
    Revoked,     // a verified, current answer: revoked
    Unknown,     // a verified, current answer: the responder does not know the certificate
    NoAnswer,    // unreachable, refused, timed out, HTTP failure
    BadAnswer,   // an answer that cannot be trusted or is not about this certificate
};
const char* ocsp_status_name(OcspStatus status);

struct OcspAnswer {
    OcspStatus status = OcspStatus::NoAnswer;
    int64_t this_update = 0;
    int64_t next_update = 0;    // 0: the responder gave none
    std::string detail;         // for the audit log and the operator's log
};

// ---------------------------------------------------------------- decisions (pure)
struct OcspDecision {
    bool accept = false;
    api::ErrorCode code = api::ErrorCode::RevocationUnavailable;   // when refused
};
OcspDecision ocsp_decision(OcspStatus status, bool fail_open);

constexpr int64_t kOcspClockSkew = 300;          // seconds either side
constexpr int64_t kOcspMaxCacheSeconds = 3600;
constexpr int64_t kOcspQuietAfterFailure = 10;   // seconds without a new exchange after one failed
constexpr size_t kOcspCacheEntries = 4096;

// Whether an answer's thisUpdate/nextUpdate (0: none) are current at `now`.
bool ocsp_times_current(int64_t now, int64_t this_update, int64_t next_update);
// Until when an answer may be reused (0: not at all): verified answers only, until their
// nextUpdate, at most kOcspMaxCacheSeconds ahead. Without a nextUpdate, not kept.
int64_t ocsp_cache_until(const OcspAnswer& answer, int64_t now);

// ---------------------------------------------------------------- cache (pure)
struct OcspCacheEntry {
    OcspStatus status = OcspStatus::Good;
    int64_t until = 0;
    std::string detail;
};
struct OcspCache {
    std::map<std::string, OcspCacheEntry> entries;   // key: issuer name hash + serial
    size_t capacity = kOcspCacheEntries;
};
bool ocsp_cache_find(const OcspCache& cache, const std::string& key, int64_t now, OcspCacheEntry& out);
// Full: expired entries go first, then the ones that would expire soonest.
void ocsp_cache_put(OcspCache& cache, const std::string& key, const OcspCacheEntry& entry, int64_t now);

// ---------------------------------------------------------------- the checker
struct OcspChecker {
    OcspOptions options;
    std::mutex mutex;                 // guards what follows
    OcspCache cache;
    int64_t quiet_until = 0;
    bool responder_failing = false;   // the operator's log hears of each change once
};

// One exchange with the responder (blocking, bounded by options.timeout_seconds), the answer
// verified against `issuer` (the client CA that signed `leaf`) at `now`.
OcspAnswer ocsp_query(const OcspOptions& options, X509* leaf, X509* issuer, int64_t now);

struct OcspResult {
    bool accept = false;
    api::ErrorCode code = api::ErrorCode::RevocationUnavailable;
    std::string detail;
    std::string log_line;   // "" unless the responder's state changed
};
// Cache, exchange when needed, decision.
OcspResult ocsp_check(OcspChecker& checker, X509* leaf, X509* issuer, int64_t now);
