#pragma once
// Client certificate checks, done by the application after a handshake that accepted any
// certificate (so the page can be told *why* a certificate is refused):
// chain to the configured CA(s), validity period, keyUsage digitalSignature and
// extendedKeyUsage clientAuth, a subject CN of "user ID + 4-digit institution code", then
// revocation: the CRL, and the OCSP responder when one is configured.
// The database checks (revoked-serial table, registered fingerprint) follow in api.cpp.

#include "core/protocol.h"
#include "server/ocsp.h"
#include "server/pki.h"

#include <openssl/x509.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

// What the CRL file was found to be when it was last read.
enum class CrlLoad {
    NotConfigured,   // no CRL path: revocation is not checked by CRL (tests of other parts)
    Loaded,          // parsed, signed by one of the CA certificates
    Missing,         // the file does not exist
    Unreadable,      // not a PEM CRL
    BadSignature,    // not signed by any configured CA
};

struct CrlFacts {
    CrlLoad load = CrlLoad::NotConfigured;
    int64_t this_update = 0;   // Unix seconds
    int64_t next_update = 0;   // 0: the CRL has none
};

// Whether certificate logins may rely on the CRL at `now`. Anything but Usable or
// NotConfigured refuses every certificate with revocation_unavailable (fail closed, like
// Keycloak's "CRL abort if non updated"): a CRL past its nextUpdate may be missing revocations.
enum class RevocationState {
    NotConfigured,
    Usable,
    Missing,
    Unreadable,
    BadSignature,
    NoNextUpdate,    // a CRL that never goes stale cannot be told apart from an abandoned one
    NotYetValid,     // thisUpdate ahead of the clock (beyond the allowed skew)
    Stale,           // past its nextUpdate
};
constexpr int64_t kCrlClockSkew = 300;   // seconds a CRL's thisUpdate may be ahead of our clock

RevocationState revocation_verdict(int64_t now, const CrlFacts& crl);
bool revocation_allows_logins(RevocationState state);
const char* revocation_state_name(RevocationState state);   // for logs: "stale", ...
// The operator-facing log line for entering `state` ("" for none). No secrets: path and times.
std::string revocation_log_line(RevocationState state, const std::string& crl_path, const CrlFacts& crl);

// The CA certificates and the CRL file. The CRL is re-read whenever its file changes, so an
// operator's `ibgate cert revoke` or `ibgate cert crl` takes effect without a restart.
struct TrustAnchors {
    std::string ca_path;
    std::string crl_path;          // "" = no CRL file
    std::mutex mutex;
    std::vector<CertPtr> ca_certs;
    std::shared_ptr<X509_STORE> store;   // the CA certificates, and the CRL when it loaded
    int64_t crl_stamp = -1;        // modification time (ns) of the CRL file the store was built with
    CrlFacts crl;
    RevocationState logged_state = RevocationState::Usable;   // the last state the log was told of
    OcspChecker ocsp;              // options.url "" = no OCSP checking
    // Where the operator-facing lines go; empty: standard error.
    std::function<void(const std::string&)> log;
};

// Loads the CA file (and CRL). Throws PkiError when the CA certificates cannot be read; a CRL
// that is missing or unusable does not stop the server, it refuses certificate logins (and
// says so in the log) until the file is fixed.
// `now` is only for the log line about the CRL's state at startup.
void trust_load(TrustAnchors& trust, const std::string& ca_path, const std::string& crl_path, int64_t now);

// What a certificate says, whether or not it passed.
struct CertFacts {
    std::string fingerprint;       // SHA-256, lowercase hex
    std::string serial;            // uppercase hex
    std::string subject;
    std::string user_id;           // from the CN, when it has the right shape
    std::string institution_code;
    int64_t not_before = 0;
    int64_t not_after = 0;
};

struct CertVerdict {
    bool ok = false;
    api::ErrorCode code = api::ErrorCode::NoCertificate;
    std::string detail;            // for the audit log
};

// A certificate chain verified once and reused. Within one TLS connection the browser cannot
// change its certificate (renegotiation is off), and verifying the chain - an ECDSA signature
// check - is about three quarters of a session check's CPU. So a connection keeps the verdict
// and reuses it while the trust store it was verified against is still the current one (a new
// CRL or CA file makes a new store), the revocation state is the same, and the clock is inside
// the certificate's validity, for at most kVerifiedChainReuse seconds. Usage, subject,
// revocation state, OCSP and the database are checked on every request regardless.
constexpr int64_t kVerifiedChainReuse = 300;
struct VerifiedChain {
    std::shared_ptr<X509_STORE> store;   // held, so a later store at the same address is never mistaken for it
    std::string fingerprint;             // of the leaf verified
    bool crl_checked = false;
    int64_t verified_at = 0;
    int64_t reuse_until = 0;
    // The leaf's fingerprint, serial, subject and validity, read once per certificate object
    // (a DER encoding, a SHA-256 and a text rendering each): `leaf` is held, so the same pointer
    // is always the same certificate. Kept when the chain is verified again.
    std::shared_ptr<X509> leaf;
    CertFacts leaf_facts;
};

// Whether `memo` still stands for `fingerprint` at `now` against `store` (pure; table-tested).
bool verified_chain_reusable(const VerifiedChain& memo, const std::shared_ptr<X509_STORE>& store,
                             const std::string& fingerprint, bool crl_checked, int64_t now);

// `leaf` null: no certificate. `chain`: what the client sent beyond the leaf (may be null).
// `memo`: the connection's VerifiedChain (null: verify every time); not used with OCSP, whose
// request needs the verified issuer.
CertVerdict check_client_certificate(TrustAnchors& trust, X509* leaf, STACK_OF(X509)* chain, int64_t now,
                                     const std::string& institution_code, CertFacts& facts,
                                     VerifiedChain* memo = nullptr);

// User IDs: 1-32 of A-Z a-z 0-9 . _ -  (they become part of a certificate's CN).
bool is_valid_user_id(const std::string& id);
