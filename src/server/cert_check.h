#pragma once
// Client certificate checks, done by the application after a handshake that accepted any
// certificate (so the page can be told *why* a certificate is refused):
// chain to the configured CA(s), validity period, CRL, keyUsage digitalSignature and
// extendedKeyUsage clientAuth, and a subject CN of "user ID + 4-digit institution code".
// The database checks (revoked-serial table, registered fingerprint) follow in api.cpp.

#include "core/protocol.h"

#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

// The CA certificates and the CRL file. The CRL is re-read whenever its file changes, so an
// operator's `ibgate cert revoke` takes effect without a restart.
struct TrustAnchors {
    std::string ca_path;
    std::string crl_path;          // "" = no CRL file
    std::mutex mutex;
    std::shared_ptr<X509_STORE> store;
    int64_t crl_stamp = 0;         // modification time (ns) of the CRL file the store was built with
};

// Loads the CA file (and CRL). Throws PkiError when they cannot be read.
void trust_load(TrustAnchors& trust, const std::string& ca_path, const std::string& crl_path);

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

// `leaf` null: no certificate. `chain`: what the client sent beyond the leaf (may be null).
CertVerdict check_client_certificate(TrustAnchors& trust, X509* leaf, STACK_OF(X509)* chain, int64_t now,
                                     const std::string& institution_code, CertFacts& facts);

// User IDs: 1-32 of A-Z a-z 0-9 . _ -  (they become part of a certificate's CN).
bool is_valid_user_id(const std::string& id);
bool is_valid_institution_code(const std::string& code);
