#include "server/pki.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <sys/stat.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

std::string pki_error_text(const std::string& what)
{
    unsigned long code = ERR_get_error();
    char reason[256] = "";
    if (code != 0)
        ERR_error_string_n(code, reason, sizeof(reason));
    ERR_clear_error();
    return what + (code != 0 ? std::string(": ") + reason : std::string());
}

[[noreturn]] static void fail(const std::string& what)
{
    throw PkiError(pki_error_text(what));
}

struct BioFree { void operator()(BIO* p) const { BIO_free(p); } };
using BioPtr = std::unique_ptr<BIO, BioFree>;

static std::string bio_text(BIO* bio)
{
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<size_t>(size));
}

KeyPtr pki_new_key()
{
    KeyPtr key(EVP_EC_gen("P-256"));
    if (!key)
        fail("cannot generate a key");
    return key;
}

static void set_time(ASN1_TIME* field, int64_t t)
{
    if (!ASN1_TIME_set(field, static_cast<time_t>(t)))
        fail("cannot set a certificate time");
}

static void add_ext(X509* cert, X509* issuer, int nid, const std::string& value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer : cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (!ext)
        fail("cannot make extension " + value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

static void add_name(X509_NAME* name, const char* field, const std::string& value)
{
    if (value.empty())
        return;
    if (!X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.c_str()),
                                    static_cast<int>(value.size()), -1, 0))
        fail(std::string("cannot set subject ") + field);
}

CertSpec pki_customer_spec(const std::string& user_id, const std::string& institution_code,
                           const std::string& company, int64_t now, int days)
{
    CertSpec spec;
    spec.kind = CertKind::Client;
    spec.common_name = user_id + institution_code;
    spec.organization = company;
    spec.not_before = now - 300;
    spec.not_after = now + int64_t{days} * 86400;
    return spec;
}

CertPtr pki_make_cert(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key)
{
    CertPtr cert(X509_new());
    if (!cert)
        fail("out of memory");
    X509_set_version(cert.get(), 2);

    unsigned char serial_bytes[16];
    if (RAND_bytes(serial_bytes, sizeof(serial_bytes)) != 1)
        fail("no random serial");
    serial_bytes[0] &= 0x7f;   // positive
    serial_bytes[0] |= 0x01;   // and never shorter than 16 bytes
    BIGNUM* bn = BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);

    set_time(X509_getm_notBefore(cert.get()), spec.not_before);
    set_time(X509_getm_notAfter(cert.get()), spec.not_after);

    X509_NAME* subject = X509_get_subject_name(cert.get());
    add_name(subject, "O", spec.organization);
    add_name(subject, "CN", spec.common_name);
    X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : subject);
    X509_set_pubkey(cert.get(), key);

    add_ext(cert.get(), issuer, NID_subject_key_identifier, "hash");
    if (issuer)
        add_ext(cert.get(), issuer, NID_authority_key_identifier, "keyid:always");
    switch (spec.kind) {
    case CertKind::Ca:
        add_ext(cert.get(), issuer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
        add_ext(cert.get(), issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
        break;
    case CertKind::Server: {
        add_ext(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(cert.get(), issuer, NID_key_usage, "critical,digitalSignature");
        add_ext(cert.get(), issuer, NID_ext_key_usage, "serverAuth");
        std::string san;
        for (const std::string& dns : spec.dns_names)
            san += (san.empty() ? "" : ",") + std::string("DNS:") + dns;
        for (const std::string& ip : spec.ip_addresses)
            san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
        if (!san.empty())
            add_ext(cert.get(), issuer, NID_subject_alt_name, san);
        if (!spec.crl_url.empty())
            add_ext(cert.get(), issuer, NID_crl_distribution_points, "URI:" + spec.crl_url);
        break;
    }
    case CertKind::Client:
        add_ext(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(cert.get(), issuer, NID_key_usage,
                spec.digital_signature ? "critical,digitalSignature" : "critical,keyEncipherment");
        add_ext(cert.get(), issuer, NID_ext_key_usage, spec.client_auth_usage ? "clientAuth" : "serverAuth");
        break;
    }

    if (!X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()))
        fail("cannot sign the certificate");
    return cert;
}

CrlPtr pki_make_crl(X509* ca, EVP_PKEY* ca_key, const std::vector<RevokedSerial>& revoked, int64_t now,
                    int64_t next_update)
{
    CrlPtr crl(X509_CRL_new());
    if (!crl)
        fail("out of memory");
    X509_CRL_set_version(crl.get(), 1);
    X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca));
    ASN1_TIME* last = ASN1_TIME_set(nullptr, static_cast<time_t>(now));
    ASN1_TIME* next = ASN1_TIME_set(nullptr, static_cast<time_t>(next_update));
    X509_CRL_set1_lastUpdate(crl.get(), last);
    X509_CRL_set1_nextUpdate(crl.get(), next);
    ASN1_TIME_free(last);
    ASN1_TIME_free(next);

    for (const RevokedSerial& r : revoked) {
        BIGNUM* bn = nullptr;
        if (!BN_hex2bn(&bn, r.serial.c_str()))
            continue;   // not a serial this CA could have issued
        ASN1_INTEGER* serial = BN_to_ASN1_INTEGER(bn, nullptr);
        BN_free(bn);
        ASN1_TIME* when = ASN1_TIME_set(nullptr, static_cast<time_t>(r.revoked_at));
        X509_REVOKED* entry = X509_REVOKED_new();
        X509_REVOKED_set_serialNumber(entry, serial);
        X509_REVOKED_set_revocationDate(entry, when);
        if (r.reason == kRevokedSuperseded) {
            // RFC 5280 5.3.1: relying parties may treat a superseded certificate differently
            // from a compromised one.
            ASN1_ENUMERATED* code = ASN1_ENUMERATED_new();
            ASN1_ENUMERATED_set(code, CRL_REASON_SUPERSEDED);
            X509_REVOKED_add1_ext_i2d(entry, NID_crl_reason, code, 0, 0);
            ASN1_ENUMERATED_free(code);
        }
        X509_CRL_add0_revoked(crl.get(), entry);
        ASN1_INTEGER_free(serial);
        ASN1_TIME_free(when);
    }
    X509_CRL_sort(crl.get());

    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca, nullptr, nullptr, crl.get(), 0);
    X509_EXTENSION* aki = X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always");
    if (aki) {
        X509_CRL_add_ext(crl.get(), aki, -1);
        X509_EXTENSION_free(aki);
    }
    if (!X509_CRL_sign(crl.get(), ca_key, EVP_sha256()))
        fail("cannot sign the CRL");
    return crl;
}

CertRecord pki_cert_record(X509* cert, const std::string& user_id, int64_t issued_at)
{
    CertRecord c;
    c.fingerprint = pki_fingerprint(cert);
    c.user_id = user_id;
    c.serial = pki_serial_hex(cert);
    c.subject = pki_subject_text(cert);
    c.not_before = pki_not_before(cert);
    c.not_after = pki_not_after(cert);
    c.issued_at = issued_at;
    return c;
}

std::string pki_fingerprint(X509* cert)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (!X509_digest(cert, EVP_sha256(), digest, &size))
        fail("cannot hash the certificate");
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; i++) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 15];
    }
    return out;
}

std::string pki_serial_hex(X509* cert)
{
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
    if (!bn)
        return std::string();
    char* hex = BN_bn2hex(bn);
    std::string out = hex ? hex : "";
    OPENSSL_free(hex);
    BN_free(bn);
    return out;
}

std::string pki_subject_text(X509* cert)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    return bio_text(bio.get());
}

static std::string name_common_name(X509_NAME* name)
{
    int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (index < 0 || X509_NAME_get_index_by_NID(name, NID_commonName, index) >= 0)
        return std::string();
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
    unsigned char* utf8 = nullptr;
    int size = ASN1_STRING_to_UTF8(&utf8, data);
    if (size < 0)
        return std::string();
    std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(size));
    OPENSSL_free(utf8);
    return out;
}

std::string pki_common_name(X509* cert)
{
    return name_common_name(X509_get_subject_name(cert));
}

static int64_t asn1_to_unix(const ASN1_TIME* t)
{
    struct tm parts = {};
    if (!t || !ASN1_TIME_to_tm(t, &parts))
        return 0;
    return static_cast<int64_t>(timegm(&parts));
}

int64_t pki_time_unix(const ASN1_TIME* t)
{
    return asn1_to_unix(t);
}

std::string pki_time_text(int64_t unix_seconds)
{
    time_t t = static_cast<time_t>(unix_seconds);
    struct tm parts = {};
    if (!gmtime_r(&t, &parts))
        return "?";
    char text[40];
    std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S UTC", &parts);
    return text;
}

int64_t pki_not_before(X509* cert)
{
    return asn1_to_unix(X509_get0_notBefore(cert));
}

int64_t pki_not_after(X509* cert)
{
    return asn1_to_unix(X509_get0_notAfter(cert));
}

std::string pki_cert_pem(X509* cert)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), cert);
    return bio_text(bio.get());
}

std::string pki_crl_der(X509_CRL* crl)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (i2d_X509_CRL_bio(bio.get(), crl) != 1)
        fail("cannot encode the CRL");
    return bio_text(bio.get());
}

std::string pki_key_pem(EVP_PKEY* key)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    return bio_text(bio.get());
}

// Written to a temporary file of its own (two operator commands may write the same CRL at once),
// flushed to disk, then renamed over `path`: a reader sees the old file or the new one, never a
// mix, and a crash leaves no half-written CRL that would refuse every certificate.
void pki_write_text(const std::string& path, const std::string& text, bool secret)
{
    std::string temp = path + ".XXXXXX";
    int fd = mkstemp(temp.data());
    if (fd < 0)
        throw PkiError("cannot write " + path + ": " + std::strerror(errno));
    bool ok = fchmod(fd, secret ? 0600 : 0644) == 0;
    for (size_t done = 0; ok && done < text.size();) {
        ssize_t n = write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        done += ok ? static_cast<size_t>(n) : 0;
    }
    ok = ok && fsync(fd) == 0;
    const int saved_errno = errno;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(temp.c_str(), path.c_str()) != 0) {
        std::string reason = std::strerror(ok ? errno : saved_errno);
        unlink(temp.c_str());
        throw PkiError("cannot write " + path + ": " + reason);
    }
}

void pki_write_cert(const std::string& path, X509* cert)
{
    pki_write_text(path, pki_cert_pem(cert), false);
}

void pki_write_key(const std::string& path, EVP_PKEY* key)
{
    pki_write_text(path, pki_key_pem(key), true);
}

void pki_write_crl(const std::string& path, X509_CRL* crl)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509_CRL(bio.get(), crl);
    pki_write_text(path, bio_text(bio.get()), false);
}

void pki_write_p12(const std::string& path, X509* cert, EVP_PKEY* key, X509* ca, const std::string& name,
                   const std::string& password)
{
    STACK_OF(X509)* chain = sk_X509_new_null();
    if (ca)
        sk_X509_push(chain, ca);
    // OpenSSL 3 defaults: AES-256-CBC with PBKDF2 and an HMAC-SHA256 MAC, which current browsers
    // and NSS's pk12util import.
    PKCS12* p12 = PKCS12_create(password.c_str(), name.c_str(), key, cert, chain, 0, 0, 0, 0, 0);
    sk_X509_free(chain);
    if (!p12)
        fail("cannot make the PKCS#12 file");
    BioPtr bio(BIO_new(BIO_s_mem()));
    i2d_PKCS12_bio(bio.get(), p12);
    PKCS12_free(p12);
    pki_write_text(path, bio_text(bio.get()), true);
}

static BioPtr open_file(const std::string& path)
{
    BioPtr bio(BIO_new_file(path.c_str(), "r"));
    if (!bio)
        fail("cannot read " + path);
    return bio;
}

CertPtr pki_read_cert(const std::string& path)
{
    BioPtr bio = open_file(path);
    CertPtr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert)
        fail("no certificate in " + path);
    return cert;
}

std::vector<CertPtr> pki_read_certs(const std::string& path)
{
    BioPtr bio = open_file(path);
    std::vector<CertPtr> out;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
        out.emplace_back(cert);
    ERR_clear_error();   // the end of the file reads as an error
    if (out.empty())
        throw PkiError("no certificate in " + path);
    return out;
}

KeyPtr pki_read_key(const std::string& path)
{
    BioPtr bio = open_file(path);
    KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key)
        fail("no private key in " + path);
    return key;
}

CrlPtr pki_read_crl(const std::string& path)
{
    BioPtr bio = open_file(path);
    CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
    if (!crl)
        fail("no CRL in " + path);
    return crl;
}

// ---------------------------------------------------------------- base64
static bool is_base64_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

bool pki_base64_decode(std::string_view text, std::vector<unsigned char>& out, std::string& error)
{
    out.clear();
    if (text.empty() || text.size() % 4 != 0) {
        error = "base64 length is not a positive multiple of 4";
        return false;
    }
    size_t padding = 0;
    while (padding < 2 && text[text.size() - 1 - padding] == '=')
        padding++;
    for (size_t i = 0; i < text.size() - padding; i++) {
        if (!is_base64_char(text[i])) {
            error = "not base64";
            return false;
        }
    }
    out.resize(text.size() / 4 * 3);
    // EVP_DecodeBlock counts padding as zero bytes; the characters were checked above.
    int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    if (n < 0 || static_cast<size_t>(n) < padding) {
        out.clear();
        error = "not base64";
        return false;
    }
    out.resize(static_cast<size_t>(n) - padding);
    return true;
}

std::string pki_base64_encode(const unsigned char* data, size_t size)
{
    std::string out(4 * ((size + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
    out.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return out;
}

std::string pki_cert_der_base64(X509* cert)
{
    unsigned char* der = nullptr;
    int size = i2d_X509(cert, &der);
    if (size <= 0)
        fail("cannot encode the certificate");
    std::string out = pki_base64_encode(der, static_cast<size_t>(size));
    OPENSSL_free(der);
    return out;
}

// ---------------------------------------------------------------- certificate requests
struct ReqFree { void operator()(X509_REQ* p) const { X509_REQ_free(p); } };

static bool digest_is_strong(int nid)
{
    return nid == NID_sha256 || nid == NID_sha384 || nid == NID_sha512;
}

CsrFacts pki_read_csr(const std::vector<unsigned char>& der, KeyPtr& key)
{
    CsrFacts f;
    key.reset();
    const unsigned char* p = der.data();
    std::unique_ptr<X509_REQ, ReqFree> req(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
    if (!req || p != der.data() + der.size()) {
        ERR_clear_error();
        return f;
    }
    KeyPtr pub(X509_REQ_get_pubkey(req.get()));
    if (!pub) {
        ERR_clear_error();
        return f;
    }
    f.parsed = true;
    // Proof of possession: the request is signed by the private half of the key it carries.
    f.signature_ok = X509_REQ_verify(req.get(), pub.get()) == 1;
    const int type = EVP_PKEY_get_base_id(pub.get());
    f.key_bits = EVP_PKEY_get_bits(pub.get());
    if (type == EVP_PKEY_RSA) {
        f.key = CsrKey::Rsa;
    } else if (type == EVP_PKEY_EC) {
        char curve[64] = {};
        size_t length = 0;
        const bool named = EVP_PKEY_get_utf8_string_param(pub.get(), "group", curve, sizeof(curve), &length) == 1;
        f.key = named && std::strcmp(curve, "prime256v1") == 0 ? CsrKey::EcP256 : CsrKey::EcOther;
    }
    int digest = NID_undef;
    int pkey_nid = NID_undef;
    const X509_ALGOR* algorithm = nullptr;
    X509_REQ_get0_signature(req.get(), nullptr, &algorithm);
    if (algorithm)
        OBJ_find_sigid_algs(OBJ_obj2nid(algorithm->algorithm), &digest, &pkey_nid);
    f.digest_ok = digest_is_strong(digest);
    X509_NAME* subject = X509_REQ_get_subject_name(req.get());
    f.subject_empty = subject == nullptr || X509_NAME_entry_count(subject) == 0;
    if (!f.subject_empty)
        f.common_name = name_common_name(subject);
    ERR_clear_error();
    key = std::move(pub);
    return f;
}
