// Writes the fixed PKI the certificate harnesses trust and the certificate seeds:
//   <dir>/pki/ca.pem, pki/crl.pem     a client CA (2026-01-01 .. 2046-01-01) and its CRL
//   <dir>/pki/client.der              the certificate api_dispatch registers to its user
//   <dir>/corpus/cert_check/*.der     one certificate per verdict, some followed by a chain
// Keys and serials are random, so running it again changes every file; the harnesses only
// need the files to agree with each other. Usage: fuzz_seed_pki tests/fuzz
#include "fuzz_support.h"

#include "server/pki.h"

#include <openssl/x509.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;

constexpr int64_t k2024 = 1704067200;
constexpr int64_t k2025 = 1735689600;
constexpr int64_t k2026 = 1767225600;
constexpr int64_t k2027 = 1798761600;
constexpr int64_t k2028 = 1830297600;
constexpr int64_t k2046 = 2398377600;

static std::string der(X509* cert)
{
    unsigned char* out = nullptr;
    int size = i2d_X509(cert, &out);
    if (size <= 0)
        throw PkiError("cannot encode a certificate");
    std::string bytes(reinterpret_cast<char*>(out), static_cast<size_t>(size));
    OPENSSL_free(out);
    return bytes;
}

static CertSpec client(const std::string& cn, int64_t not_before = k2026, int64_t not_after = k2027)
{
    CertSpec spec;
    spec.kind = CertKind::Client;
    spec.common_name = cn;
    spec.organization = "株式会社テスト";
    spec.not_before = not_before;
    spec.not_after = not_after;
    return spec;
}

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s tests/fuzz\n", argv[0]);
        return 2;
    }
    const fs::path dir = argv[1];
    const fs::path seeds = dir / "corpus" / "cert_check";
    fs::create_directories(dir / "pki");
    fs::create_directories(seeds);

    CertSpec ca_spec;
    ca_spec.kind = CertKind::Ca;
    ca_spec.common_name = "サンプル信用金庫 Client CA (fuzzing)";
    ca_spec.organization = "サンプル信用金庫";
    ca_spec.not_before = k2026;
    ca_spec.not_after = k2046;
    KeyPtr ca_key = pki_new_key();
    CertPtr ca = pki_make_cert(ca_spec, ca_key.get(), nullptr, nullptr);

    auto issue = [&](const CertSpec& spec) {
        KeyPtr key = pki_new_key();
        return pki_make_cert(spec, key.get(), ca.get(), ca_key.get());
    };
    CertPtr good = issue(client("fuzzuser1234"));
    CertPtr revoked = issue(client("revoked1234"));
    CertSpec server_usage = client("serverusage1234");
    server_usage.client_auth_usage = false;
    CertSpec no_signature = client("nosignature1234");
    no_signature.digital_signature = false;

    ca_spec.common_name = "Another CA";
    KeyPtr other_key = pki_new_key();
    CertPtr other_ca = pki_make_cert(ca_spec, other_key.get(), nullptr, nullptr);
    KeyPtr stranger_key = pki_new_key();
    CertPtr stranger = pki_make_cert(client("stranger1234"), stranger_key.get(), other_ca.get(), other_key.get());

    RevokedSerial entry;
    entry.serial = pki_serial_hex(revoked.get());
    entry.revoked_at = k2026 + 86400;
    CrlPtr crl = pki_make_crl(ca.get(), ca_key.get(), {entry}, k2026, k2046);

    pki_write_cert((dir / "pki" / "ca.pem").string(), ca.get());
    pki_write_crl((dir / "pki" / "crl.pem").string(), crl.get());
    fuzz_write_file(dir / "pki" / "client.der", der(good.get()));

    fuzz_write_file(seeds / "good.der", der(good.get()));
    fuzz_write_file(seeds / "good_with_chain.der", der(good.get()) + der(ca.get()));
    fuzz_write_file(seeds / "revoked.der", der(revoked.get()));
    fuzz_write_file(seeds / "expired.der", der(issue(client("expired1234", k2024, k2025)).get()));
    fuzz_write_file(seeds / "not_yet_valid.der", der(issue(client("future1234", k2027, k2028)).get()));
    fuzz_write_file(seeds / "server_usage.der", der(issue(server_usage).get()));
    fuzz_write_file(seeds / "no_digital_signature.der", der(issue(no_signature).get()));
    fuzz_write_file(seeds / "other_institution.der", der(issue(client("fuzzuser9999")).get()));
    fuzz_write_file(seeds / "bad_subject.der", der(issue(client("no code")).get()));
    fuzz_write_file(seeds / "unknown_issuer_with_chain.der", der(stranger.get()) + der(other_ca.get()));
    return 0;
}
