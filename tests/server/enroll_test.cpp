// 電子証明書取得 and 更新 over real TLS: 取得用パスワード, the certificate request's checks, the
// issued certificate logging in, renewal and the superseded certificate.
#include "harness.h"

#include "server/rules.h"

#include <catch_amalgamated.hpp>

#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <thread>
#include <vector>

static const std::string kPassword = "correct horse";
constexpr int64_t kDay = 86400;

struct ReqFree { void operator()(X509_REQ* p) const { X509_REQ_free(p); } };

// A PKCS#10 request over `key` naming `cn` ("" : an empty subject, as the page sends), signed
// by `signer` (default: the key itself) with `md`; base64 DER as the API carries it.
static std::string csr_base64(EVP_PKEY* key, const std::string& cn = std::string(), const EVP_MD* md = EVP_sha256(),
                              EVP_PKEY* signer = nullptr)
{
    std::unique_ptr<X509_REQ, ReqFree> req(X509_REQ_new());
    REQUIRE(req);
    X509_REQ_set_version(req.get(), 0);
    if (!cn.empty())
        X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req.get()), "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    REQUIRE(X509_REQ_set_pubkey(req.get(), key) == 1);
    REQUIRE(X509_REQ_sign(req.get(), signer ? signer : key, md) > 0);
    unsigned char* der = nullptr;
    int size = i2d_X509_REQ(req.get(), &der);
    REQUIRE(size > 0);
    std::string out = pki_base64_encode(der, static_cast<size_t>(size));
    OPENSSL_free(der);
    return out;
}

static KeyPtr rsa_key(unsigned bits)
{
    KeyPtr key(EVP_RSA_gen(bits));
    REQUIRE(key);
    return key;
}

static KeyPtr ec_key(const char* curve)
{
    KeyPtr key(EVP_EC_gen(curve));
    REQUIRE(key);
    return key;
}

// A user without any certificate (a new customer, or one whose certificate expired long ago).
static void add_user_only(TestServer& ts, const std::string& user_id)
{
    UserRecord u;
    u.user_id = user_id;
    u.name = "利用者 " + user_id;
    u.company = "株式会社テスト";
    operator_user_add(ts.store, u, kPassword, ts.now);
}

static Reply enroll(TestServer& ts, const std::string& user_id, const std::string& code, const std::string& csr)
{
    nlohmann::json body = {{"user_id", user_id}, {"code", code}, {"csr", csr}};
    return post(ts, nullptr, "/api/v1/certificate/enroll", body.dump());
}

static Reply renew(TestServer& ts, const ClientCert& cert, const Session& s, const std::string& csr, bool with_csrf = true)
{
    std::vector<std::pair<std::string, std::string>> headers = {{"Cookie", s.cookie}};
    if (with_csrf)
        headers.emplace_back("X-CSRF-Token", s.csrf);
    return post(ts, &cert, "/api/v1/certificate/renew", nlohmann::json{{"csr", csr}}.dump(), headers);
}

// The answer's certificate with the key that made the request: what the page's PKCS#12 holds.
static ClientCert issued_cert(const Reply& r, KeyPtr key)
{
    INFO(r.body);
    REQUIRE(r.status == 200);
    api::CertificateIssued issued;
    std::string error;
    REQUIRE(api::parse_certificate_issued(r.json, issued, error));
    std::vector<unsigned char> der;
    REQUIRE(pki_base64_decode(issued.certificate, der, error));
    const unsigned char* p = der.data();
    ClientCert c;
    c.cert.reset(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    REQUIRE(c.cert);
    c.key = std::move(key);
    c.fingerprint = pki_fingerprint(c.cert.get());
    c.serial = pki_serial_hex(c.cert.get());
    return c;
}

static std::vector<AuditRecord> audit_of(TestServer& ts, const std::string& user_id)
{
    Transaction tx(ts.store, TxMode::Read);
    std::vector<AuditRecord> out = audit_list(tx, user_id, 100);
    tx.commit();
    return out;
}

static bool audited(TestServer& ts, const std::string& user_id, const std::string& event, const std::string& result)
{
    for (const AuditRecord& r : audit_of(ts, user_id))
        if (r.event == event && r.result == result)
            return true;
    return false;
}

TEST_CASE("取得: user ID, 取得用パスワード and a request give a certificate that logs in, named ID + 金融機関コード")
{
    TestServer ts;
    add_user_only(ts, "yamada01");
    IssuedEnrollmentCode code = operator_enroll(ts.store, "yamada01", kEnrollmentCodeDays, ts.now);
    CHECK(code.code.size() == kEnrollmentCodeLength);
    CHECK(code.record.expires_at == ts.now + 80 * kDay);

    KeyPtr key = rsa_key(2048);
    const std::string csr = csr_base64(key.get());
    Reply r = enroll(ts, "yamada01", code.code, csr);
    api::CertificateIssued answer;
    std::string error;
    REQUIRE(api::parse_certificate_issued(r.json, answer, error));
    CHECK(answer.file_name == "yamada011234.p12");
    CHECK(answer.not_after == ts.now + 365 * kDay);
    REQUIRE(answer.ca_certificates.size() == 1);
    CHECK(answer.ca_certificates[0] == pki_cert_der_base64(ts.ca.get()));
    ClientCert cert = issued_cert(r, std::move(key));

    // The certificate the credit union sets, whatever the request said.
    CHECK(pki_common_name(cert.cert.get()) == "yamada011234");
    CHECK(pki_subject_text(cert.cert.get()).find("O=株式会社テスト") != std::string::npos);
    CHECK(X509_check_purpose(cert.cert.get(), X509_PURPOSE_SSL_CLIENT, 0) == 1);
    CHECK((X509_get_key_usage(cert.cert.get()) & KU_DIGITAL_SIGNATURE) != 0);
    CHECK(X509_check_issued(ts.ca.get(), cert.cert.get()) == X509_V_OK);

    // It is registered: identify and login work with it, over TLS.
    Session s = login_ok(ts, cert, kPassword);
    Reply info = session_get(ts, &cert, s);
    REQUIRE(info.status == 200);
    CHECK(info.json.at("certificate_not_after").get<int64_t>() == answer.not_after);
    CHECK(info.json.at("renewal_opens_at").get<int64_t>() == answer.not_after - 30 * kDay);
    CHECK(audited(ts, "yamada01", "enroll", "success"));
    CHECK(audited(ts, "yamada01", "operator", "enroll_code_issued"));

    // Single use: the same code again is refused, with its own code.
    KeyPtr other = ec_key("P-256");
    CHECK(enroll(ts, "yamada01", code.code, csr_base64(other.get())).error() == "enrollment_code_used");
}

TEST_CASE("取得: wrong codes count down to a lock; an unknown user reads like a wrong code")
{
    TestServer ts;
    add_user_only(ts, "yamada01");
    IssuedEnrollmentCode code = operator_enroll(ts.store, "yamada01", kEnrollmentCodeDays, ts.now);
    KeyPtr key = ec_key("P-256");
    const std::string csr = csr_base64(key.get());
    for (int remaining = 4; remaining >= 1; remaining--) {
        Reply r = enroll(ts, "yamada01", "wrong-code", csr);
        CHECK(r.status == 401);
        CHECK(r.error() == "enrollment_code_wrong");
        CHECK(r.json.at("remaining_attempts").get<int>() == remaining);
    }
    Reply locked = enroll(ts, "yamada01", "wrong-code", csr);
    CHECK(locked.status == 423);
    CHECK(locked.error() == "enrollment_locked");
    // Locked: the right code no longer helps; a new code from the credit union does.
    CHECK(enroll(ts, "yamada01", code.code, csr).error() == "enrollment_locked");
    IssuedEnrollmentCode again = operator_enroll(ts.store, "yamada01", kEnrollmentCodeDays, ts.now);
    CHECK(enroll(ts, "yamada01", code.code, csr).error() == "enrollment_code_wrong");   // the old one is gone
    CHECK(enroll(ts, "yamada01", again.code, csr).status == 200);

    Reply unknown = enroll(ts, "nobody99", "whatever", csr);
    CHECK(unknown.error() == "enrollment_code_wrong");
    CHECK(unknown.json.at("remaining_attempts").get<int>() == 5);
    CHECK(enroll(ts, "not a user id!", "whatever", csr).error() == "enrollment_code_wrong");
}

TEST_CASE("取得: an expired or cancelled code is refused, each with its own answer")
{
    TestServer ts;
    add_user_only(ts, "yamada01");
    IssuedEnrollmentCode code = operator_enroll(ts.store, "yamada01", 2, ts.now);
    KeyPtr key = ec_key("P-256");
    const std::string csr = csr_base64(key.get());
    ts.now += 2 * kDay;
    CHECK(enroll(ts, "yamada01", code.code, csr).error() == "enrollment_code_expired");
    // A wrong code is told as wrong, also on an expired one: only the holder learns it expired.
    CHECK(enroll(ts, "yamada01", "wrong-code", csr).error() == "enrollment_code_wrong");

    IssuedEnrollmentCode fresh = operator_enroll(ts.store, "yamada01", kEnrollmentCodeDays, ts.now);
    operator_enroll_cancel(ts.store, "yamada01", ts.now);
    CHECK_THROWS(operator_enroll_cancel(ts.store, "yamada01", ts.now));
    CHECK(enroll(ts, "yamada01", fresh.code, csr).error() == "enrollment_code_wrong");
    std::vector<EnrollmentCodeRecord> list = operator_enroll_list(ts.store);
    REQUIRE(list.size() == 1);
    CHECK(enrollment_code_state(list[0], ts.now) == EnrollmentCodeState::Cancelled);
    CHECK_THROWS(operator_enroll(ts.store, "nobody99", kEnrollmentCodeDays, ts.now));
    CHECK_THROWS(operator_enroll(ts.store, "yamada01", 91, ts.now));
}

TEST_CASE("取得: a request that proves nothing, a weak key or another user's name is refused and costs no try")
{
    TestServer ts;
    add_user_only(ts, "yamada01");
    IssuedEnrollmentCode code = operator_enroll(ts.store, "yamada01", kEnrollmentCodeDays, ts.now);
    KeyPtr key = ec_key("P-256");
    KeyPtr other = ec_key("P-256");
    KeyPtr small = rsa_key(1024);
    KeyPtr p384 = ec_key("P-384");
    struct Row {
        const char* what;
        std::string csr;
        const char* error;
    };
    const Row rows[] = {
        {"signed by another key", csr_base64(key.get(), "", EVP_sha256(), other.get()), "csr_invalid"},
        {"not a request", pki_cert_der_base64(ts.ca.get()), "csr_invalid"},
        {"RSA 1024", csr_base64(small.get()), "csr_weak_key"},
        {"EC P-384", csr_base64(p384.get()), "csr_weak_key"},
        {"SHA-1", csr_base64(key.get(), "", EVP_sha1()), "csr_weak_key"},
        {"another user's CN", csr_base64(key.get(), "suzuki021234"), "csr_wrong_subject"},
    };
    for (const Row& row : rows) {
        INFO(row.what);
        Reply r = enroll(ts, "yamada01", code.code, row.csr);
        CHECK(r.status == 400);
        CHECK(r.error() == row.error);
    }
    CHECK(enroll(ts, "yamada01", code.code, "bm90IGEgcmVxdWVzdA==").error() == "csr_invalid");
    CHECK(enroll(ts, "yamada01", code.code, "not base64").error() == "bad_request");
    CHECK(audited(ts, "yamada01", "enroll", "csr_weak_key"));
    // None of them used a try or the code: it still works, with the user's own CN too.
    Reply ok = enroll(ts, "yamada01", code.code, csr_base64(key.get(), "yamada011234"));
    CHECK(ok.status == 200);
    std::vector<EnrollmentCodeRecord> list = operator_enroll_list(ts.store);
    REQUIRE(list.size() == 1);
    CHECK(list[0].failed_count == 0);
}

TEST_CASE("取得: racing requests with one code get exactly one certificate")
{
    TestServer ts;
    add_user_only(ts, "yamada01");
    IssuedEnrollmentCode code = operator_enroll(ts.store, "yamada01", kEnrollmentCodeDays, ts.now);
    KeyPtr key = ec_key("P-256");
    const std::string csr = csr_base64(key.get());
    std::atomic<int> issued{0};
    std::atomic<int> used{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; i++)
        threads.emplace_back([&] {
            Reply r = enroll(ts, "yamada01", code.code, csr);
            if (r.status == 200)
                issued++;
            else if (r.error() == "enrollment_code_used")
                used++;
        });
    for (std::thread& t : threads)
        t.join();
    CHECK(issued == 1);
    CHECK(used == 7);
    Transaction tx(ts.store, TxMode::Read);
    CHECK(cert_list(tx, "yamada01").size() == 1);
    tx.commit();
}

TEST_CASE("更新: opens renewal_days before expiry; the old certificate works until the new one's first login")
{
    TestServer ts;
    ClientCert old_cert = add_user(ts, "yamada01", kPassword);   // valid 30 days: inside the 30-day window
    Session s = login_ok(ts, old_cert, kPassword);

    KeyPtr key = rsa_key(2048);
    const std::string csr = csr_base64(key.get());
    CHECK(renew(ts, old_cert, s, csr, false).error() == "csrf");
    CHECK(renew(ts, old_cert, Session{"__Host-ibg_session=nothing", s.csrf}, csr).error() == "not_logged_in");
    Reply r = renew(ts, old_cert, s, csr);
    ClientCert new_cert = issued_cert(r, std::move(key));
    CHECK(pki_common_name(new_cert.cert.get()) == "yamada011234");
    CHECK(audited(ts, "yamada01", "renew", "success"));

    // The old certificate keeps working - the session it holds, and a new login after it.
    CHECK(session_get(ts, &old_cert, s).status == 200);
    REQUIRE(session_post(ts, &old_cert, s, "/api/v1/logout").status == 200);
    Session again = login_ok(ts, old_cert, kPassword);
    REQUIRE(session_post(ts, &old_cert, again, "/api/v1/logout").status == 200);

    // The first login with the new one supersedes it, at once and for good.
    Session with_new = login_ok(ts, new_cert, kPassword);
    CHECK(audited(ts, "yamada01", "cert_superseded", "success"));
    Reply refused = post(ts, &old_cert, "/api/v1/identify", "{}");
    CHECK(refused.error() == "cert_revoked");
    {
        Transaction tx(ts.store, TxMode::Read);
        std::vector<RevokedSerial> revoked = revoked_serials(tx);
        REQUIRE(revoked.size() == 1);
        CHECK(revoked[0].serial == old_cert.serial);
        CHECK(revoked[0].reason == kRevokedSuperseded);
        tx.commit();
    }
    // The CRL says superseded (RFC 5280 reason 4).
    operator_write_crl(ts.store, ts.paths, ts.now);
    CrlPtr crl = pki_read_crl(ts.paths.crl);
    STACK_OF(X509_REVOKED)* entries = X509_CRL_get_REVOKED(crl.get());
    REQUIRE(sk_X509_REVOKED_num(entries) == 1);
    int critical = 0;
    ASN1_ENUMERATED* reason = static_cast<ASN1_ENUMERATED*>(
        X509_REVOKED_get_ext_d2i(sk_X509_REVOKED_value(entries, 0), NID_crl_reason, &critical, nullptr));
    REQUIRE(reason);
    CHECK(ASN1_ENUMERATED_get(reason) == CRL_REASON_SUPERSEDED);
    ASN1_ENUMERATED_free(reason);
    // A second login with the new certificate revokes nothing more.
    REQUIRE(session_post(ts, &new_cert, with_new, "/api/v1/logout").status == 200);
    login_ok(ts, new_cert, kPassword);
    Transaction tx(ts.store, TxMode::Read);
    CHECK(revoked_serials(tx).size() == 1);
    tx.commit();
}

TEST_CASE("更新: refused before the window with when it opens; renewing twice leaves one successor")
{
    TestServer ts;
    add_user_only(ts, "yamada01");
    IssuedEnrollmentCode code = operator_enroll(ts.store, "yamada01", kEnrollmentCodeDays, ts.now);
    KeyPtr first_key = ec_key("P-256");
    Reply enrolled = enroll(ts, "yamada01", code.code, csr_base64(first_key.get()));
    ClientCert cert = issued_cert(enrolled, std::move(first_key));
    const int64_t not_after = pki_not_after(cert.cert.get());

    Session s = login_ok(ts, cert, kPassword);
    KeyPtr key = ec_key("P-256");
    Reply early = renew(ts, cert, s, csr_base64(key.get()));
    CHECK(early.status == 409);
    CHECK(early.error() == "renewal_not_open");
    CHECK(early.json.at("renewal_opens_at").get<int64_t>() == not_after - 30 * kDay);

    // 30 days before expiry (sessions end long before: log in again; the CRL is renewed monthly).
    ts.now = not_after - 30 * kDay;
    operator_write_crl(ts.store, ts.paths, ts.now);
    s = login_ok(ts, cert, kPassword);
    CHECK(renew(ts, cert, s, csr_base64(key.get(), "suzuki021234")).error() == "csr_wrong_subject");
    Reply renewed = renew(ts, cert, s, csr_base64(key.get()));
    ClientCert first = issued_cert(renewed, std::move(key));
    // The import failed; the customer renews again. The unused first renewal goes at once.
    KeyPtr key2 = ec_key("P-256");
    Reply renewed_again = renew(ts, cert, s, csr_base64(key2.get()));
    ClientCert second = issued_cert(renewed_again, std::move(key2));
    CHECK(post(ts, &first, "/api/v1/identify", "{}").error() == "cert_revoked");
    CHECK(post(ts, &second, "/api/v1/identify", "{}").status == 200);
    CHECK(post(ts, &cert, "/api/v1/identify", "{}").status == 200);
}
