// Client certificates as the TLS layer hands them over: DER bytes, the leaf first, then any
// chain the client sent. Checked against the fixed CA and CRL in pki/ at a fixed time.
// Property: a certificate passes only with every fact the API relies on filled in.
#include "fuzz_support.h"

#include "server/cert_check.h"

#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>

static TrustAnchors* trust = nullptr;

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    trust = new TrustAnchors;
    trust_load(*trust, IBANK_FUZZ_PKI "/ca.pem", IBANK_FUZZ_PKI "/crl.pem", kFuzzNow);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const unsigned char* at = data;
    const unsigned char* end = data + size;
    X509* leaf = d2i_X509(nullptr, &at, static_cast<long>(end - at));
    STACK_OF(X509)* chain = sk_X509_new_null();
    for (int i = 0; i < 4 && at < end; i++) {
        X509* next = d2i_X509(nullptr, &at, static_cast<long>(end - at));
        if (!next)
            break;
        sk_X509_push(chain, next);
    }

    CertFacts facts;
    CertVerdict verdict = check_client_certificate(*trust, leaf, chain, kFuzzNow, "1234", facts);
    if (verdict.ok) {
        FUZZ_CHECK(facts.fingerprint.size() == 64);
        FUZZ_CHECK(!facts.serial.empty());
        FUZZ_CHECK(is_valid_user_id(facts.user_id));
        FUZZ_CHECK(facts.institution_code == "1234");
        FUZZ_CHECK(facts.not_before <= kFuzzNow && kFuzzNow <= facts.not_after);
    } else {
        FUZZ_CHECK(verdict.code != api::ErrorCode::Unknown);
    }

    sk_X509_pop_free(chain, X509_free);
    X509_free(leaf);
    return 0;
}
