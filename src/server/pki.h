#pragma once
// Certificates, keys, CRLs and PKCS#12 files with OpenSSL's C API: the development PKI that
// `ibgate init` makes, customer certificates (`ibgate cert issue`), and the certificates the
// tests make to exercise every failure reason. Functions throw PkiError with OpenSSL's reason.

#include "server/store.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct PkiError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// `what`, followed by the reason of OpenSSL's oldest queued error if there is one; clears the
// queue, so the next failure is not blamed on this one.
std::string pki_error_text(const std::string& what);

struct KeyFree { void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); } };
struct CertFree { void operator()(X509* p) const { X509_free(p); } };
struct CrlFree { void operator()(X509_CRL* p) const { X509_CRL_free(p); } };
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;
using CrlPtr = std::unique_ptr<X509_CRL, CrlFree>;

enum class CertKind { Ca, Server, Client };

struct CertSpec {
    CertKind kind = CertKind::Client;
    std::string common_name;
    std::string organization;              // UTF-8
    int64_t not_before = 0;                // Unix seconds
    int64_t not_after = 0;
    std::vector<std::string> dns_names;    // server: subjectAltName
    std::vector<std::string> ip_addresses;
    std::string crl_url;                   // server: crlDistributionPoints (where the issuer's CRL is)
    // Client certificates only - the tests switch these off to make wrong-usage certificates.
    bool client_auth_usage = true;         // extendedKeyUsage clientAuth (false: serverAuth)
    bool digital_signature = true;         // keyUsage digitalSignature (false: keyEncipherment only)
};

// A customer's certificate as the credit union issues it (`cert issue`, 取得, 更新): CN = ID +
// 金融機関コード, O = the company, digitalSignature + clientAuth, valid `days` from `now` (and
// five minutes before it, for a PC clock a little behind).
CertSpec pki_customer_spec(const std::string& user_id, const std::string& institution_code,
                           const std::string& company, int64_t now, int days);

// A new EC P-256 key.
KeyPtr pki_new_key();
// Signed by `issuer`/`issuer_key`; a CA spec with null issuer is self-signed. Random 128-bit serial.
CertPtr pki_make_cert(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key);
// A v2 CRL listing `revoked`, valid from `now` to `next_update`.
CrlPtr pki_make_crl(X509* ca, EVP_PKEY* ca_key, const std::vector<RevokedSerial>& revoked, int64_t now,
                    int64_t next_update);

// The record a certificate is registered under (not revoked, replacing nothing).
CertRecord pki_cert_record(X509* cert, const std::string& user_id, int64_t issued_at);
std::string pki_fingerprint(X509* cert);    // SHA-256 of the DER, lowercase hex
std::string pki_serial_hex(X509* cert);     // uppercase hex
std::string pki_subject_text(X509* cert);   // RFC 2253, UTF-8
std::string pki_common_name(X509* cert);    // "" when absent or not one CN
int64_t pki_not_before(X509* cert);
int64_t pki_not_after(X509* cert);
int64_t pki_time_unix(const ASN1_TIME* t);   // 0 when null or malformed
std::string pki_time_text(int64_t unix_seconds);   // "2026-12-03 08:41:07 UTC" (logs)

std::string pki_cert_pem(X509* cert);
std::string pki_crl_der(X509_CRL* crl);     // the form a CRL distribution point serves
std::string pki_key_pem(EVP_PKEY* key);
// Files: keys are written mode 0600, replaced atomically (write + rename).
void pki_write_text(const std::string& path, const std::string& text, bool secret);
void pki_write_cert(const std::string& path, X509* cert);
void pki_write_key(const std::string& path, EVP_PKEY* key);
void pki_write_crl(const std::string& path, X509_CRL* crl);
void pki_write_p12(const std::string& path, X509* cert, EVP_PKEY* key, X509* ca, const std::string& name,
                   const std::string& password);
CertPtr pki_read_cert(const std::string& path);
std::vector<CertPtr> pki_read_certs(const std::string& path);   // every certificate in a PEM file
KeyPtr pki_read_key(const std::string& path);
CrlPtr pki_read_crl(const std::string& path);

// ---------------------------------------------------------------- bytes as the API carries them
// Base64, the standard alphabet with padding (RFC 4648 section 4), strictly: no line breaks,
// no blanks, nothing after the padding. False with a reason for anything else.
bool pki_base64_decode(std::string_view text, std::vector<unsigned char>& out, std::string& error);
std::string pki_base64_encode(const unsigned char* data, size_t size);
std::string pki_cert_der_base64(X509* cert);

// ---------------------------------------------------------------- certificate requests (PKCS#10)
// What OpenSSL read off a request (pki_read_csr); decide_certification_request (rules.h) decides.
enum class CsrKey { Unknown, Rsa, EcP256, EcOther };

struct CsrFacts {
    bool parsed = false;          // one DER PKCS#10 request, nothing after it
    bool signature_ok = false;    // signed by the key it carries: proof of possession
    CsrKey key = CsrKey::Unknown;
    int key_bits = 0;
    bool digest_ok = false;       // signature hash SHA-256, SHA-384 or SHA-512
    bool subject_empty = true;    // no subject names at all
    std::string common_name;      // the subject's one CN, "" when none or several
};

// Reads one DER request (the bytes of a CSR field). `key` is its public key when it parsed.
// Never throws: anything unreadable is `parsed == false`.
CsrFacts pki_read_csr(const std::vector<unsigned char>& der, KeyPtr& key);
