// identify: each reason a client certificate is refused, with certificates made in the test.
#include "harness.h"

#include <catch_amalgamated.hpp>

static Reply identify(TestServer& ts, const ClientCert* cert)
{
    return post(ts, cert, "/api/v1/identify", "{}");
}

TEST_CASE("a registered certificate identifies its holder and gets a ticket")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", "correct horse", api::Role::Administrator);
    Reply r = identify(ts, &cert);
    REQUIRE(r.status == 200);
    api::IdentifyResponse out;
    std::string error;
    REQUIRE(api::parse_identify_response(r.json, out, error));
    CHECK(out.identity.user_id == "yamada01");
    CHECK(out.identity.display_name == "利用者 yamada01");
    CHECK(out.identity.company_name == "株式会社テスト");
    CHECK(out.identity.institution_code == "1234");
    CHECK(out.identity.role == api::Role::Administrator);
    CHECK(out.identity.fingerprint_sha256 == cert.fingerprint);
    CHECK(out.identity.serial == cert.serial);
    CHECK(out.identity.not_after == pki_not_after(cert.cert.get()));
    CHECK(out.ticket_expires_at == ts.now + ts.api.config.ticket_lifetime);
    // When 電子証明書更新 opens for it: the page's expiry warning follows the server's window.
    CHECK(out.renewal_opens_at == out.identity.not_after - int64_t{ts.api.config.renewal_days} * 86400);
    CHECK(r.header("cache-control") == "no-store");
}

TEST_CASE("identify without a certificate says so")
{
    TestServer ts;
    Reply r = identify(ts, nullptr);
    CHECK(r.status == 401);
    CHECK(r.error() == "no_certificate");
}

TEST_CASE("each certificate failure has its own code")
{
    TestServer ts;
    add_user(ts, "yamada01", "correct horse");

    SECTION("expired")
    {
        CertSpec spec = client_spec(ts, "yamada01");
        spec.not_before = ts.now - 40 * 24 * 3600;
        spec.not_after = ts.now - 24 * 3600;
        ClientCert c = make_cert(ts, spec);
        operator_register_cert(ts.store, c.cert.get(), "yamada01", ts.now);
        CHECK(identify(ts, &c).error() == "cert_expired");
    }
    SECTION("not yet valid")
    {
        CertSpec spec = client_spec(ts, "yamada01");
        spec.not_before = ts.now + 24 * 3600;
        spec.not_after = ts.now + 40 * 24 * 3600;
        ClientCert c = make_cert(ts, spec);
        operator_register_cert(ts.store, c.cert.get(), "yamada01", ts.now);
        CHECK(identify(ts, &c).error() == "cert_not_yet_valid");
    }
    SECTION("a valid certificate expires when the clock passes notAfter")
    {
        ClientCert c = add_cert(ts, "yamada01");
        CHECK(identify(ts, &c).status == 200);
        ts.now += 31 * 24 * 3600;
        // The CRL made at init is still valid 30 days from init; renew it for the new time.
        operator_write_crl(ts.store, ts.paths, ts.now);
        CHECK(identify(ts, &c).error() == "cert_expired");
    }
    SECTION("revoked on the CRL file only")
    {
        ClientCert c = add_cert(ts, "yamada01");
        CHECK(identify(ts, &c).status == 200);
        CrlPtr crl = pki_make_crl(ts.ca.get(), ts.ca_key.get(), {RevokedSerial{c.serial, ts.now, "test"}}, ts.now,
                                  ts.now + 24 * 3600);
        pki_write_crl(ts.paths.crl, crl.get());
        Reply r = identify(ts, &c);
        CHECK(r.status == 401);
        CHECK(r.error() == "cert_revoked");
    }
    SECTION("revoked in the server's table only")
    {
        ClientCert c = add_cert(ts, "yamada01");
        {
            Transaction tx(ts.store);
            serial_revoke(tx, c.serial, ts.now, "test");
            tx.commit();
        }
        CHECK(identify(ts, &c).error() == "cert_revoked");
    }
    SECTION("revoked by the operator command (table and CRL)")
    {
        ClientCert c = add_cert(ts, "yamada01");
        ClientCert other = add_cert(ts, "yamada01");
        operator_cert_revoke(ts.store, ts.paths, c.fingerprint, "lost", ts.now);
        CHECK(identify(ts, &c).error() == "cert_revoked");
        CHECK(identify(ts, &other).status == 200);
    }
    SECTION("issued by another CA")
    {
        KeyPtr rogue_key = pki_new_key();
        CertSpec ca_spec;
        ca_spec.kind = CertKind::Ca;
        ca_spec.common_name = "Rogue CA";
        ca_spec.not_before = ts.now - 3600;
        ca_spec.not_after = ts.now + 365 * 24 * 3600;
        CertPtr rogue = pki_make_cert(ca_spec, rogue_key.get(), nullptr, nullptr);
        ClientCert c = make_cert(ts, client_spec(ts, "yamada01"), rogue.get(), rogue_key.get());
        operator_register_cert(ts.store, c.cert.get(), "yamada01", ts.now);
        CHECK(identify(ts, &c).error() == "cert_unknown_issuer");
    }
    SECTION("self-signed copy of the subject")
    {
        CertSpec spec = client_spec(ts, "yamada01");
        ClientCert c;
        c.key = pki_new_key();
        c.cert = pki_make_cert(spec, c.key.get(), nullptr, nullptr);
        CHECK(identify(ts, &c).error() == "cert_unknown_issuer");
    }
    SECTION("server-authentication certificate")
    {
        CertSpec spec = client_spec(ts, "yamada01");
        spec.client_auth_usage = false;
        ClientCert c = make_cert(ts, spec);
        operator_register_cert(ts.store, c.cert.get(), "yamada01", ts.now);
        CHECK(identify(ts, &c).error() == "cert_wrong_usage");
    }
    SECTION("no digitalSignature key usage")
    {
        CertSpec spec = client_spec(ts, "yamada01");
        spec.digital_signature = false;
        ClientCert c = make_cert(ts, spec);
        operator_register_cert(ts.store, c.cert.get(), "yamada01", ts.now);
        CHECK(identify(ts, &c).error() == "cert_wrong_usage");
    }
    SECTION("another institution's code")
    {
        CertSpec spec = client_spec(ts, "yamada01");
        spec.common_name = "yamada019999";
        ClientCert c = make_cert(ts, spec);
        CHECK(identify(ts, &c).error() == "cert_wrong_institution");
    }
    SECTION("a CN that is not ID + code")
    {
        const char* names[] = {"1234", "yamada01", "yamada 011234", "../x1234"};
        for (const char* name : names) {
            CertSpec spec = client_spec(ts, "yamada01");
            spec.common_name = name;
            ClientCert c = make_cert(ts, spec);
            CAPTURE(name);
            CHECK(identify(ts, &c).error() == "cert_bad_subject");
        }
    }
    SECTION("valid but never registered")
    {
        ClientCert c = make_cert(ts, client_spec(ts, "yamada01"));
        CHECK(identify(ts, &c).error() == "cert_not_registered");
    }
    SECTION("registered to another user than its CN names")
    {
        add_user(ts, "suzuki02", "correct horse");
        ClientCert c = make_cert(ts, client_spec(ts, "yamada01"));
        operator_register_cert(ts.store, c.cert.get(), "suzuki02", ts.now);
        CHECK(identify(ts, &c).error() == "cert_not_registered");
    }
    SECTION("a re-issued certificate works once registered")
    {
        ClientCert c = make_cert(ts, client_spec(ts, "yamada01"));
        CHECK(identify(ts, &c).error() == "cert_not_registered");
        operator_register_cert(ts.store, c.cert.get(), "yamada01", ts.now);
        CHECK(identify(ts, &c).status == 200);
    }
}

TEST_CASE("refused certificates are audited with their reason and fingerprint")
{
    TestServer ts;
    add_user(ts, "yamada01", "correct horse");
    ClientCert c = make_cert(ts, client_spec(ts, "yamada01"));
    identify(ts, &c);
    Transaction tx(ts.store);
    std::vector<AuditRecord> log = audit_list(tx, "yamada01", 1);
    REQUIRE(log.size() == 1);
    CHECK(log[0].event == "identify");
    CHECK(log[0].result == "cert_not_registered");
    CHECK(log[0].fingerprint == c.fingerprint);
    CHECK(log[0].source_address == "127.0.0.1");
}

TEST_CASE("cert issue writes a PKCS#12 file and PEM files that identify the user")
{
    TestServer ts;
    add_user(ts, "yamada01", "correct horse");
    IssuedCert issued = operator_cert_issue(ts.store, ts.paths, "yamada01", 365, ts.paths.issued_dir, ts.now);
    CHECK(std::filesystem::file_size(issued.p12_path) > 0);
    CHECK(issued.p12_password.size() == 16);
    ClientCert c;
    c.cert = pki_read_cert(issued.cert_path);
    c.key = pki_read_key(issued.key_path);
    Reply r = identify(ts, &c);
    CHECK(r.status == 200);
    CHECK(r.json["identity"]["fingerprint_sha256"] == issued.record.fingerprint);
}

TEST_CASE("cert issue works for any user name, kanji beyond the BMP included")
{
    TestServer ts;
    UserRecord u;
    u.user_id = "yoshida01";
    u.name = "𠮷田 花子";
    u.company = "株式会社髙島製作所";
    operator_user_add(ts.store, u, "correct horse", ts.now);
    IssuedCert issued = operator_cert_issue(ts.store, ts.paths, "yoshida01", 365, ts.paths.issued_dir, ts.now);
    CHECK(std::filesystem::file_size(issued.p12_path) > 0);
}

TEST_CASE("a connection reads its certificate's facts once and never lends them to another certificate")
{
    TestServer ts;
    ClientCert first = make_cert(ts, client_spec(ts, "yamada01"));
    ClientCert second = make_cert(ts, client_spec(ts, "suzuki02"));
    VerifiedChain memo;
    CertFacts facts;
    const std::string code = ts.api.config.institution_code;

    REQUIRE(check_client_certificate(ts.trust, first.cert.get(), nullptr, ts.now, code, facts, &memo).ok);
    CHECK(facts.fingerprint == first.fingerprint);
    CHECK(memo.leaf.get() == first.cert.get());

    CertFacts again;
    REQUIRE(check_client_certificate(ts.trust, first.cert.get(), nullptr, ts.now, code, again, &memo).ok);
    CHECK(again.fingerprint == first.fingerprint);
    CHECK(again.serial == first.serial);
    CHECK(again.subject == facts.subject);
    CHECK(again.not_after == facts.not_after);
    CHECK(again.user_id == "yamada01");

    CertFacts other;
    REQUIRE(check_client_certificate(ts.trust, second.cert.get(), nullptr, ts.now, code, other, &memo).ok);
    CHECK(other.fingerprint == second.fingerprint);
    CHECK(other.serial == second.serial);
    CHECK(other.user_id == "suzuki02");
    CHECK(memo.leaf.get() == second.cert.get());
    CHECK(memo.fingerprint == second.fingerprint);
}
