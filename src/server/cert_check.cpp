#include "server/cert_check.h"
#include "server/header_text.h"

#include <sys/stat.h>

#include "server/pki.h"

#include <algorithm>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cstdio>

#include <filesystem>

struct StoreFree { void operator()(X509_STORE* p) const { X509_STORE_free(p); } };
struct StoreCtxFree { void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); } };

// Changes whenever the file is replaced: the modification time and the inode, since a CRL is
// always written to a new file renamed into place (pki_write_text), and two writes may share a
// timestamp tick. 0 when the file does not exist.
static int64_t file_stamp(const std::string& path)
{
    struct stat st;
    if (stat(path.c_str(), &st) != 0)
        return 0;
    uint64_t mtime_ns = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000u + static_cast<uint64_t>(st.st_mtim.tv_nsec);
    return static_cast<int64_t>(mtime_ns * 1000003u ^ static_cast<uint64_t>(st.st_ino));
}

// ---------------------------------------------------------------- CRL state (pure)
RevocationState revocation_verdict(int64_t now, const CrlFacts& crl)
{
    switch (crl.load) {
    case CrlLoad::NotConfigured: return RevocationState::NotConfigured;
    case CrlLoad::Missing: return RevocationState::Missing;
    case CrlLoad::Unreadable: return RevocationState::Unreadable;
    case CrlLoad::BadSignature: return RevocationState::BadSignature;
    case CrlLoad::Loaded: break;
    }
    if (crl.next_update == 0)
        return RevocationState::NoNextUpdate;
    if (crl.this_update > now + kCrlClockSkew)
        return RevocationState::NotYetValid;
    if (now > crl.next_update)
        return RevocationState::Stale;
    return RevocationState::Usable;
}

bool revocation_allows_logins(RevocationState state)
{
    return state == RevocationState::Usable || state == RevocationState::NotConfigured;
}

const char* revocation_state_name(RevocationState state)
{
    switch (state) {
    case RevocationState::NotConfigured: return "not_configured";
    case RevocationState::Usable: return "usable";
    case RevocationState::Missing: return "missing";
    case RevocationState::Unreadable: return "unreadable";
    case RevocationState::BadSignature: return "bad_signature";
    case RevocationState::NoNextUpdate: return "no_next_update";
    case RevocationState::NotYetValid: return "not_yet_valid";
    case RevocationState::Stale: return "stale";
    }
    return "unknown";
}

std::string revocation_log_line(RevocationState state, const std::string& crl_path, const CrlFacts& crl)
{
    const std::string head = "ibgate: revocation: CRL " + crl_path + " ";
    const std::string refused = "; certificate logins are refused (revocation_unavailable) until it is fixed"
                                " - 'ibgate cert crl' writes a fresh one";
    switch (state) {
    case RevocationState::NotConfigured: return std::string();
    case RevocationState::Usable:
        return head + "is usable (next update " + pki_time_text(crl.next_update) + "); certificate logins are accepted";
    case RevocationState::Missing: return head + "does not exist" + refused;
    case RevocationState::Unreadable: return head + "is not a readable PEM CRL" + refused;
    case RevocationState::BadSignature: return head + "is not signed by the client CA" + refused;
    case RevocationState::NoNextUpdate: return head + "has no nextUpdate" + refused;
    case RevocationState::NotYetValid:
        return head + "is not valid before " + pki_time_text(crl.this_update) + " (is the clock right?)" + refused;
    case RevocationState::Stale: return head + "passed its nextUpdate at " + pki_time_text(crl.next_update) + refused;
    }
    return std::string();
}

// ---------------------------------------------------------------- loading
static bool signed_by_a_ca(X509_CRL* crl, const std::vector<CertPtr>& cas)
{
    for (const CertPtr& ca : cas) {
        if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca.get())) != 0)
            continue;
        EVP_PKEY* key = X509_get0_pubkey(ca.get());
        if (key && X509_CRL_verify(crl, key) == 1)
            return true;
    }
    ERR_clear_error();
    return false;
}

// Rebuilds the store from the CA certificates and the CRL file as it is now. A CRL that cannot
// be used is left out of the store, and its state refuses certificate logins until it is fixed.
static void reload_crl(TrustAnchors& trust)
{
    std::shared_ptr<X509_STORE> store(X509_STORE_new(), StoreFree{});
    for (const CertPtr& ca : trust.ca_certs)
        X509_STORE_add_cert(store.get(), ca.get());
    CrlFacts facts;
    if (trust.crl_path.empty()) {
        facts.load = CrlLoad::NotConfigured;
    } else if (!std::filesystem::exists(trust.crl_path)) {
        facts.load = CrlLoad::Missing;
    } else {
        CrlPtr crl;
        try {
            crl = pki_read_crl(trust.crl_path);
        } catch (const PkiError&) {
        }
        if (!crl) {
            facts.load = CrlLoad::Unreadable;
        } else if (!signed_by_a_ca(crl.get(), trust.ca_certs)) {
            facts.load = CrlLoad::BadSignature;
        } else {
            facts.load = CrlLoad::Loaded;
            facts.this_update = pki_time_unix(X509_CRL_get0_lastUpdate(crl.get()));
            facts.next_update = pki_time_unix(X509_CRL_get0_nextUpdate(crl.get()));
            X509_STORE_add_crl(store.get(), crl.get());
        }
    }
    trust.store = store;
    trust.crl = facts;
}

static void log_line(TrustAnchors& trust, const std::string& line)
{
    if (line.empty())
        return;
    if (trust.log) {
        trust.log(line);
        return;
    }
    std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
}

// The current store and revocation state at `now`, the CRL re-read first when its file
// changed. Called with the mutex held. The log hears of each change of state once, not of
// every refused request.
static RevocationState refresh_locked(TrustAnchors& trust, int64_t now)
{
    if (!trust.crl_path.empty()) {
        int64_t stamp = file_stamp(trust.crl_path);
        if (stamp != trust.crl_stamp) {
            reload_crl(trust);
            trust.crl_stamp = stamp;
        }
    }
    RevocationState state = revocation_verdict(now, trust.crl);
    if (state != trust.logged_state) {
        log_line(trust, revocation_log_line(state, trust.crl_path, trust.crl));
        trust.logged_state = state;
    }
    return state;
}

void trust_load(TrustAnchors& trust, const std::string& ca_path, const std::string& crl_path, int64_t now)
{
    std::vector<CertPtr> cas = pki_read_certs(ca_path);
    std::lock_guard<std::mutex> lock(trust.mutex);
    trust.ca_path = ca_path;
    trust.crl_path = crl_path;
    trust.ca_certs = std::move(cas);
    trust.crl_stamp = crl_path.empty() ? 0 : file_stamp(crl_path);   // before reading: a change meanwhile is seen
    reload_crl(trust);
    trust.logged_state = RevocationState::Usable;
    refresh_locked(trust, now);   // logs a CRL that cannot be used from the start
}

struct TrustSnapshot {
    std::shared_ptr<X509_STORE> store;
    RevocationState state = RevocationState::NotConfigured;
};

static TrustSnapshot current_trust(TrustAnchors& trust, int64_t now)
{
    std::lock_guard<std::mutex> lock(trust.mutex);
    TrustSnapshot out;
    out.state = refresh_locked(trust, now);
    out.store = trust.store;
    return out;
}

bool is_valid_user_id(const std::string& id)
{
    if (id.empty() || id.size() > api::kMaxUserIdBytes)
        return false;
    return std::all_of(id.begin(), id.end(), is_plain_name_char);
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
    // The server's own revocation data is unusable (e.g. no CRL for a second CA): refuse
    // everyone until an operator fixes it.
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
        return api::ErrorCode::RevocationUnavailable;
    default:
        return api::ErrorCode::CertUnknownIssuer;
    }
}

bool verified_chain_reusable(const VerifiedChain& memo, const std::shared_ptr<X509_STORE>& store,
                             const std::string& fingerprint, bool crl_checked, int64_t now)
{
    return memo.store && memo.store == store && memo.fingerprint == fingerprint && memo.crl_checked == crl_checked
        && now >= memo.verified_at && now <= memo.reuse_until;
}

// The chain's verdict is dropped; the leaf's facts stay (they depend on the certificate alone).
static void forget_chain(VerifiedChain& memo)
{
    memo.store.reset();
    memo.fingerprint.clear();
    memo.crl_checked = false;
    memo.verified_at = 0;
    memo.reuse_until = 0;
}

CertVerdict check_client_certificate(TrustAnchors& trust, X509* leaf, STACK_OF(X509)* chain, int64_t now,
                                     const std::string& institution_code, CertFacts& facts, VerifiedChain* memo)
{
    facts = CertFacts{};
    if (!leaf)
        return refuse(api::ErrorCode::NoCertificate, "no client certificate");
    if (memo && memo->leaf.get() == leaf) {
        facts = memo->leaf_facts;
    } else {
        facts.fingerprint = pki_fingerprint(leaf);
        facts.serial = pki_serial_hex(leaf);
        facts.subject = pki_subject_text(leaf);
        facts.not_before = pki_not_before(leaf);
        facts.not_after = pki_not_after(leaf);
        if (memo) {
            X509_up_ref(leaf);
            memo->leaf.reset(leaf, X509_free);
            memo->leaf_facts = facts;
        }
    }

    // The CRL is consulted only when it is usable; when it is not, the certificate's own faults
    // are still named first (an expired certificate needs renewing either way), and the
    // revocation refusal comes after every other check.
    TrustSnapshot trusted = current_trust(trust, now);
    const bool crl_checked = trusted.state == RevocationState::Usable;
    const bool asks_ocsp = !trust.ocsp.options.url.empty();
    std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx;
    if (asks_ocsp || !memo || !verified_chain_reusable(*memo, trusted.store, facts.fingerprint, crl_checked, now)) {
        if (memo)
            forget_chain(*memo);
        ctx.reset(X509_STORE_CTX_new());
        if (!ctx || !X509_STORE_CTX_init(ctx.get(), trusted.store.get(), leaf, chain))
            return refuse(api::ErrorCode::Internal, "cannot start certificate verification");
        X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
        X509_STORE_CTX_set_time(ctx.get(), 0, static_cast<time_t>(now));
        if (crl_checked)
            X509_STORE_CTX_set_flags(ctx.get(), X509_V_FLAG_CRL_CHECK);
        if (X509_verify_cert(ctx.get()) != 1) {
            int error = X509_STORE_CTX_get_error(ctx.get());
            return refuse(code_for_verify_error(error), X509_verify_cert_error_string(error));
        }
        if (memo && !asks_ocsp) {
            memo->store = trusted.store;
            memo->fingerprint = facts.fingerprint;
            memo->crl_checked = crl_checked;
            memo->verified_at = now;
            memo->reuse_until = std::min(facts.not_after, now + kVerifiedChainReuse);
        }
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
    if (!api::is_institution_code(code) || !is_valid_user_id(id))
        return refuse(api::ErrorCode::CertBadSubject, "subject CN is not ID + institution code");
    facts.user_id = id;
    facts.institution_code = code;
    if (code != institution_code)
        return refuse(api::ErrorCode::CertWrongInstitution, "institution code " + code);
    if (!revocation_allows_logins(trusted.state))
        return refuse(api::ErrorCode::RevocationUnavailable,
                      std::string("CRL ") + revocation_state_name(trusted.state));

    if (asks_ocsp) {
        STACK_OF(X509)* verified = X509_STORE_CTX_get0_chain(ctx.get());
        X509* issuer = verified && sk_X509_num(verified) > 1 ? sk_X509_value(verified, 1) : nullptr;
        if (!issuer)
            return refuse(api::ErrorCode::RevocationUnavailable, "no issuer to ask the OCSP responder about");
        OcspResult ocsp = ocsp_check(trust.ocsp, leaf, issuer, now);
        if (!ocsp.log_line.empty()) {
            std::lock_guard<std::mutex> lock(trust.mutex);
            log_line(trust, ocsp.log_line);
        }
        if (!ocsp.accept)
            return refuse(ocsp.code, ocsp.detail);
    }

    CertVerdict ok;
    ok.ok = true;
    return ok;
}
