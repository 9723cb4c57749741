#include "server/cert_check.h"

#include "server/pki.h"

#include <openssl/x509v3.h>

#include <filesystem>

struct StoreFree { void operator()(X509_STORE* p) const { X509_STORE_free(p); } };
struct StoreCtxFree { void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); } };

static int64_t file_stamp(const std::string& path)
{
    std::error_code ec;
    auto t = std::filesystem::last_write_time(path, ec);
    if (ec)
        return 0;
    return static_cast<int64_t>(t.time_since_epoch().count());
}

static std::shared_ptr<X509_STORE> build_store(const std::string& ca_path, const std::string& crl_path)
{
    std::shared_ptr<X509_STORE> store(X509_STORE_new(), StoreFree{});
    for (CertPtr& ca : pki_read_certs(ca_path))
        X509_STORE_add_cert(store.get(), ca.get());
    if (!crl_path.empty()) {
        CrlPtr crl = pki_read_crl(crl_path);
        X509_STORE_add_crl(store.get(), crl.get());
    }
    return store;
}

void trust_load(TrustAnchors& trust, const std::string& ca_path, const std::string& crl_path)
{
    std::shared_ptr<X509_STORE> store = build_store(ca_path, crl_path);
    std::lock_guard<std::mutex> lock(trust.mutex);
    trust.ca_path = ca_path;
    trust.crl_path = crl_path;
    trust.store = store;
    trust.crl_stamp = crl_path.empty() ? 0 : file_stamp(crl_path);
}

// The current store, rebuilt first when the CRL file changed. A CRL that cannot be read keeps
// the previous one (an operator half-way through replacing the file must not open the door).
static std::shared_ptr<X509_STORE> current_store(TrustAnchors& trust)
{
    std::lock_guard<std::mutex> lock(trust.mutex);
    if (!trust.crl_path.empty()) {
        int64_t stamp = file_stamp(trust.crl_path);
        if (stamp != trust.crl_stamp) {
            try {
                trust.store = build_store(trust.ca_path, trust.crl_path);
                trust.crl_stamp = stamp;
            } catch (const PkiError&) {
            }
        }
    }
    return trust.store;
}

bool is_valid_user_id(const std::string& id)
{
    if (id.empty() || id.size() > 32)
        return false;
    for (char c : id) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                  || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

bool is_valid_institution_code(const std::string& code)
{
    if (code.size() != 4)
        return false;
    for (char c : code)
        if (c < '0' || c > '9')
            return false;
    return true;
}

static CertVerdict refuse(api::ErrorCode code, std::string detail)
{
    CertVerdict v;
    v.ok = false;
    v.code = code;
    v.detail = std::move(detail);
    return v;
}

static api::ErrorCode code_for_verify_error(int error)
{
    switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return api::ErrorCode::CertExpired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return api::ErrorCode::CertNotYetValid;
    case X509_V_ERR_CERT_REVOKED:
        return api::ErrorCode::CertRevoked;
    case X509_V_ERR_INVALID_PURPOSE:
    case X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE:
        return api::ErrorCode::CertWrongUsage;
    // The server's own revocation data is unusable: refuse everyone until an operator fixes it.
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
        return api::ErrorCode::Unavailable;
    default:
        return api::ErrorCode::CertUnknownIssuer;
    }
}

CertVerdict check_client_certificate(TrustAnchors& trust, X509* leaf, STACK_OF(X509)* chain, int64_t now,
                                     const std::string& institution_code, CertFacts& facts)
{
    facts = CertFacts{};
    if (!leaf)
        return refuse(api::ErrorCode::NoCertificate, "no client certificate");
    facts.fingerprint = pki_fingerprint(leaf);
    facts.serial = pki_serial_hex(leaf);
    facts.subject = pki_subject_text(leaf);
    facts.not_before = pki_not_before(leaf);
    facts.not_after = pki_not_after(leaf);

    std::shared_ptr<X509_STORE> store = current_store(trust);
    std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
    if (!ctx || !X509_STORE_CTX_init(ctx.get(), store.get(), leaf, chain))
        return refuse(api::ErrorCode::Internal, "cannot start certificate verification");
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
    X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<time_t>(now));
    if (!trust.crl_path.empty())
        X509_STORE_CTX_set_flags(ctx.get(), X509_V_FLAG_CRL_CHECK);
    if (X509_verify_cert(ctx.get()) != 1) {
        int error = X509_STORE_CTX_get_error(ctx.get());
        return refuse(code_for_verify_error(error), X509_verify_cert_error_string(error));
    }

    // OpenSSL's client purpose accepts a certificate without the extensions; we require them.
    uint32_t flags = X509_get_extension_flags(leaf);
    if (!(flags & EXFLAG_XKUSAGE) || !(X509_get_extended_key_usage(leaf) & XKU_SSL_CLIENT))
        return refuse(api::ErrorCode::CertWrongUsage, "no extendedKeyUsage clientAuth");
    if (!(flags & EXFLAG_KUSAGE) || !(X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE))
        return refuse(api::ErrorCode::CertWrongUsage, "no keyUsage digitalSignature");

    std::string cn = pki_common_name(leaf);
    if (cn.size() < 5)
        return refuse(api::ErrorCode::CertBadSubject, "subject CN is not ID + institution code");
    std::string id = cn.substr(0, cn.size() - 4);
    std::string code = cn.substr(cn.size() - 4);
    if (!is_valid_institution_code(code) || !is_valid_user_id(id))
        return refuse(api::ErrorCode::CertBadSubject, "subject CN is not ID + institution code");
    facts.user_id = id;
    facts.institution_code = code;
    if (code != institution_code)
        return refuse(api::ErrorCode::CertWrongInstitution, "institution code " + code);

    CertVerdict ok;
    ok.ok = true;
    return ok;
}
