// What a TLS client sees of both origins: versions, TLS 1.2 ciphers, the server's preference
// order, key-exchange groups, renegotiation, resumption, HSTS. Each handshake is a real one
// against the server on loopback, with the client offering exactly what the case names.
#include "harness.h"

#include "server/tls_context.h"

#include <boost/asio/ip/tcp.hpp>

#include <catch_amalgamated.hpp>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <sys/socket.h>
#include <sys/time.h>

#include <functional>

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

struct Handshake {
    bool ok = false;
    std::string version;   // "TLSv1.2"
    std::string cipher;    // OpenSSL name
    std::string group;     // "X25519"
    int chain_length = 0;  // certificates the server sent
    bool verified = false; // the chain verifies against the trust file with the name localhost
    bool reused = false;
    bool has_ticket = false;
};

struct SslCtxFree { void operator()(SSL_CTX* p) const { SSL_CTX_free(p); } };
struct SslFree { void operator()(SSL* p) const { SSL_free(p); } };

// One connection to 127.0.0.1:`port`; `configure` narrows what the client offers. Reads and
// writes give up after 10 s, so a server that never answers fails the case instead of hanging.
Handshake handshake_with(uint16_t port, const std::function<void(SSL_CTX*)>& configure,
                         const std::string& trust_file = std::string(), SSL_SESSION* resume = nullptr,
                         SSL_SESSION** session_out = nullptr)
{
    std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
    REQUIRE(ctx);
    if (!trust_file.empty())
        REQUIRE(SSL_CTX_load_verify_locations(ctx.get(), trust_file.c_str(), nullptr) == 1);
    configure(ctx.get());

    net::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    timeval limit{10, 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));

    std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
    SSL_set_fd(ssl.get(), socket.native_handle());
    static char name[] = "localhost";
    SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, name);
    SSL_set1_host(ssl.get(), "localhost");
    if (resume)
        SSL_set_session(ssl.get(), resume);

    Handshake h;
    h.ok = SSL_connect(ssl.get()) == 1;
    ERR_clear_error();
    if (!h.ok)
        return h;
    h.version = SSL_get_version(ssl.get());
    h.cipher = SSL_CIPHER_get_name(SSL_get_current_cipher(ssl.get()));
    int group = SSL_get_negotiated_group(ssl.get());
    const char* group_name = group ? SSL_group_to_name(ssl.get(), group) : nullptr;
    h.group = group_name ? group_name : "";
    STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl.get());
    h.chain_length = chain ? sk_X509_num(chain) : 0;
    h.verified = !trust_file.empty() && SSL_get_verify_result(ssl.get()) == X509_V_OK;
    h.reused = SSL_session_reused(ssl.get()) == 1;
    if (session_out) {   // TLS 1.2 only: TLS 1.3 delivers its session after the handshake
        *session_out = SSL_get1_session(ssl.get());
        h.has_ticket = *session_out && SSL_SESSION_has_ticket(*session_out) == 1;
    }
    SSL_shutdown(ssl.get());
    ERR_clear_error();
    return h;
}

std::function<void(SSL_CTX*)> tls12(const std::string& ciphers)
{
    return [ciphers](SSL_CTX* ctx) {
        SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
        SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
        REQUIRE(SSL_CTX_set_cipher_list(ctx, ciphers.c_str()) == 1);
    };
}

std::function<void(SSL_CTX*)> tls13(const std::string& suites)
{
    return [suites](SSL_CTX* ctx) {
        SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
        REQUIRE(SSL_CTX_set_ciphersuites(ctx, suites.c_str()) == 1);
    };
}

std::vector<uint16_t> both_origins(TestServer& ts)
{
    return {ts.app_port, ts.cert_port};
}

}   // namespace

TEST_CASE("tls: only TLS 1.2 and 1.3 are spoken, on both origins")
{
    TestServer ts;
    for (uint16_t port : both_origins(ts)) {
        INFO("port " << port);
        for (int version : {TLS1_VERSION, TLS1_1_VERSION}) {
            INFO("version " << std::hex << version);
            Handshake h = handshake_with(port, [version](SSL_CTX* ctx) {
                SSL_CTX_set_security_level(ctx, 0);   // the client would offer it; the server must refuse
                REQUIRE(SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0") == 1);
                SSL_CTX_set_min_proto_version(ctx, version);
                SSL_CTX_set_max_proto_version(ctx, version);
            });
            CHECK_FALSE(h.ok);
        }
        CHECK(handshake_with(port, tls12("ALL")).version == "TLSv1.2");
        CHECK(handshake_with(port, [](SSL_CTX*) {}).version == "TLSv1.3");
    }
}

TEST_CASE("tls: TLS 1.2 offers only ECDHE with AES-GCM or ChaCha20-Poly1305")
{
    TestServer ts;
    // Suites a default OpenSSL server with this EC key would accept: CBC with SHA-1 or SHA-2
    // MACs, CCM, and the static-key and DHE families.
    const char* refused[] = {"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-ECDSA-AES128-SHA256",
                             "ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-CCM", "ECDHE-ECDSA-AES256-CCM",
                             "ECDHE-ECDSA-ARIA128-GCM-SHA256", "ECDHE-ECDSA-CAMELLIA128-SHA256",
                             "AES128-GCM-SHA256", "DHE-RSA-AES128-GCM-SHA256"};
    const char* accepted[] = {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                              "ECDHE-ECDSA-CHACHA20-POLY1305"};
    for (uint16_t port : both_origins(ts)) {
        INFO("port " << port);
        for (const char* cipher : refused) {
            INFO(cipher);
            CHECK_FALSE(handshake_with(port, tls12(cipher)).ok);
        }
        for (const char* cipher : accepted) {
            INFO(cipher);
            Handshake h = handshake_with(port, tls12(cipher));
            CHECK(h.ok);
            CHECK(h.cipher == cipher);
        }
    }
}

TEST_CASE("tls: the server's order decides, ChaCha20 first only for clients that put it first")
{
    TestServer ts;
    struct Case {
        std::function<void(SSL_CTX*)> client;
        const char* chosen;
    };
    std::vector<Case> cases = {
        {tls12("ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256"), "ECDHE-ECDSA-AES128-GCM-SHA256"},
        {tls12("ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305"), "ECDHE-ECDSA-AES256-GCM-SHA384"},
        {tls12("ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256"), "ECDHE-ECDSA-CHACHA20-POLY1305"},
        {tls13("TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"), "TLS_AES_128_GCM_SHA256"},
        {tls13("TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"), "TLS_CHACHA20_POLY1305_SHA256"},
    };
    for (uint16_t port : both_origins(ts))
        for (const Case& c : cases) {
            INFO("port " << port << " expects " << c.chosen);
            CHECK(handshake_with(port, c.client).cipher == c.chosen);
        }
}

TEST_CASE("tls: key exchange on X25519, P-256 or P-384 only")
{
    TestServer ts;
    struct Case {
        const char* offered;
        const char* chosen_tls12;   // nullptr: refused
        const char* chosen_tls13;
    };
    const Case cases[] = {
        {"X25519:P-256", "x25519", "x25519"},
        // TLS 1.2 follows the server's order; TLS 1.3 takes the key share the client sent
        // (asking for another would cost a round trip for no gain in strength).
        {"P-384:P-256", "secp256r1", "secp384r1"},
        // In TLS 1.2 the groups also name the curves the client accepts in certificates, and
        // the server's key is on P-256.
        {"P-384", nullptr, "secp384r1"},
        {"P-521", nullptr, nullptr},
        {"X448", nullptr, nullptr},
        {"ffdhe2048", nullptr, nullptr},
    };
    for (uint16_t port : both_origins(ts))
        for (const Case& c : cases)
            for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
                INFO("port " << port << " groups " << c.offered << " version " << std::hex << version);
                Handshake h = handshake_with(port, [&](SSL_CTX* ctx) {
                    SSL_CTX_set_min_proto_version(ctx, version);
                    SSL_CTX_set_max_proto_version(ctx, version);
                    REQUIRE(SSL_CTX_set1_groups_list(ctx, c.offered) == 1);
                });
                const char* chosen = version == TLS1_2_VERSION ? c.chosen_tls12 : c.chosen_tls13;
                CHECK(h.ok == (chosen != nullptr));
                if (chosen)
                    CHECK(h.group == chosen);
            }
}

TEST_CASE("tls: TLS 1.2 sessions resume by session ID from the server's cache, never by ticket")
{
    TestServer ts;
    for (uint16_t port : both_origins(ts)) {
        INFO("port " << port);
        SSL_SESSION* session = nullptr;
        Handshake first = handshake_with(port, tls12("ECDHE-ECDSA-AES128-GCM-SHA256"), std::string(), nullptr, &session);
        REQUIRE(first.ok);
        REQUIRE(session);
        CHECK_FALSE(first.has_ticket);
        Handshake again = handshake_with(port, tls12("ECDHE-ECDSA-AES128-GCM-SHA256"), std::string(), session);
        SSL_SESSION_free(session);
        CHECK(again.ok);
        CHECK(again.reused);
    }
}

TEST_CASE("tls: the server never renegotiates")
{
    TestServer ts;
    for (uint16_t port : both_origins(ts)) {
        INFO("port " << port);
        std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
        SSL_CTX_set_max_proto_version(ctx.get(), TLS1_2_VERSION);
        net::io_context io;
        tcp::socket socket(io);
        socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
        timeval limit{10, 0};
        setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
        std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
        SSL_set_fd(ssl.get(), socket.native_handle());
        REQUIRE(SSL_connect(ssl.get()) == 1);
        REQUIRE(SSL_renegotiate(ssl.get()) == 1);
        CHECK(SSL_do_handshake(ssl.get()) != 1);
        ERR_clear_error();
    }
}

TEST_CASE("tls: HSTS for a year, includeSubDomains only when configured")
{
    CHECK(tls_strict_transport_security(false) == "max-age=31536000");
    CHECK(tls_strict_transport_security(true) == "max-age=31536000; includeSubDomains");

    for (bool include_subdomains : {false, true}) {
        INFO("include_subdomains " << include_subdomains);
        TestOptions options;
        options.hsts_include_subdomains = include_subdomains;
        TestServer ts(options);
        std::string expected = include_subdomains ? "max-age=31536000; includeSubDomains" : "max-age=31536000";
        Request page;
        page.target = "/";
        page.app_origin = true;
        CHECK(send(ts, page).header("strict-transport-security") == expected);
        CHECK(post(ts, nullptr, "/api/v1/identify", "{}").header("strict-transport-security") == expected);
        Request missing = page;
        missing.target = "/no-such-file";
        CHECK(send(ts, missing).header("strict-transport-security") == expected);
    }
}

TEST_CASE("tls: both origins send the server certificate alone, vouched for by the server CA only")
{
    TestServer ts;
    for (uint16_t port : both_origins(ts)) {
        INFO("port " << port);
        Handshake trusted = handshake_with(port, [](SSL_CTX*) {}, ts.paths.server_ca_cert);
        CHECK(trusted.ok);
        CHECK(trusted.verified);
        CHECK(trusted.chain_length == 1);   // no root: a client has its roots already
        Handshake client_ca = handshake_with(port, [](SSL_CTX*) {}, ts.paths.ca_cert);
        CHECK(client_ca.ok);
        CHECK_FALSE(client_ca.verified);   // customer certificates' CA vouches for no server
    }
}

TEST_CASE("tls: the certificate request names the client CA, never the server CA")
{
    TestServer ts;
    std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
    SSL_CTX_set_max_proto_version(ctx.get(), TLS1_2_VERSION);   // the request is then part of the handshake
    net::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), ts.cert_port));
    timeval limit{10, 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
    std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
    SSL_set_fd(ssl.get(), socket.native_handle());
    REQUIRE(SSL_connect(ssl.get()) == 1);
    STACK_OF(X509_NAME)* names = SSL_get_client_CA_list(ssl.get());
    REQUIRE(names);
    REQUIRE(sk_X509_NAME_num(names) == 1);
    CHECK(X509_NAME_cmp(sk_X509_NAME_value(names, 0), X509_get_subject_name(ts.ca.get())) == 0);
    CertPtr server_ca = pki_read_cert(ts.paths.server_ca_cert);
    CHECK(X509_NAME_cmp(X509_get_subject_name(server_ca.get()), X509_get_subject_name(ts.ca.get())) != 0);
    SSL_shutdown(ssl.get());
    ERR_clear_error();
}

TEST_CASE("tls: a chain file is served only when it ends below the root, in order")
{
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    auto ca_spec = [now](const std::string& name) {
        CertSpec spec;
        spec.kind = CertKind::Ca;
        spec.common_name = name;
        spec.not_before = now - 60;
        spec.not_after = now + 3600;
        return spec;
    };
    KeyPtr root_key = pki_new_key();
    CertPtr root = pki_make_cert(ca_spec("Root"), root_key.get(), nullptr, nullptr);
    KeyPtr intermediate_key = pki_new_key();
    CertPtr intermediate = pki_make_cert(ca_spec("Intermediate"), intermediate_key.get(), root.get(), root_key.get());
    CertSpec leaf_spec;
    leaf_spec.kind = CertKind::Server;
    leaf_spec.common_name = "localhost";
    leaf_spec.not_before = now - 60;
    leaf_spec.not_after = now + 3600;
    KeyPtr leaf_key = pki_new_key();
    CertPtr leaf = pki_make_cert(leaf_spec, leaf_key.get(), intermediate.get(), intermediate_key.get());
    CertPtr direct = pki_make_cert(leaf_spec, leaf_key.get(), root.get(), root_key.get());
    CertPtr self_signed = pki_make_cert(leaf_spec, leaf_key.get(), nullptr, nullptr);

    struct Case {
        std::vector<X509*> chain;
        const char* problem;   // a piece of the reason, or "" for a chain that is served
    };
    const Case cases[] = {
        {{direct.get()}, ""},
        {{leaf.get(), intermediate.get()}, ""},
        {{self_signed.get()}, ""},
        {{direct.get(), root.get()}, "certificate 2 is a root"},
        {{leaf.get(), intermediate.get(), root.get()}, "certificate 3 is a root"},
        {{leaf.get()}, ""},   // an incomplete chain is the client's to judge
        {{intermediate.get(), leaf.get()}, "certificate 2 did not issue certificate 1"},
        {{leaf.get(), root.get()}, "certificate 2 did not issue certificate 1"},
        {{}, "no certificate"},
    };
    for (const Case& c : cases) {
        std::string problem = tls_chain_problem(c.chain);
        INFO(c.chain.size() << " certificates: " << problem);
        if (*c.problem == '\0')
            CHECK(problem.empty());
        else
            CHECK(problem.find(c.problem) != std::string::npos);
    }
}

TEST_CASE("tls: a data directory whose chain holds the root is refused until server-cert")
{
    TestServer ts;
    ts.stop();
    // What `ibgate init` wrote before the server CA existed.
    CertSpec spec;
    spec.kind = CertKind::Server;
    spec.common_name = "localhost";
    spec.not_before = ts.now - 60;
    spec.not_after = ts.now + 3600;
    spec.dns_names = {"localhost"};
    KeyPtr old_key = pki_new_key();
    CertPtr old_cert = pki_make_cert(spec, old_key.get(), ts.ca.get(), ts.ca_key.get());
    pki_write_key(ts.paths.server_key, old_key.get());
    pki_write_text(ts.paths.server_cert, pki_cert_pem(old_cert.get()) + pki_cert_pem(ts.ca.get()), false);
    std::filesystem::remove(ts.paths.server_ca_cert);
    std::filesystem::remove(ts.paths.server_ca_key);

    CHECK_THROWS_WITH(operator_check_server_pki(ts.paths), Catch::Matchers::ContainsSubstring("ibgate server-cert"));
    CHECK_THROWS_WITH(ts.start(), Catch::Matchers::ContainsSubstring("is a root"));
    ts.stop();

    InitOptions init;
    operator_server_cert(ts.paths, init, ts.now);
    CHECK_NOTHROW(operator_check_server_pki(ts.paths));
    ts.start();
    Handshake h = handshake_with(ts.cert_port, [](SSL_CTX*) {}, ts.paths.server_ca_cert);
    CHECK(h.verified);
    CHECK(h.chain_length == 1);
}

TEST_CASE("tls: the server certificate names the server CA's CRL, which lists nothing")
{
    TestServer ts;
    CertPtr server = pki_read_cert(ts.paths.server_cert);
    CertPtr server_ca = pki_read_cert(ts.paths.server_ca_cert);
    auto* points = static_cast<CRL_DIST_POINTS*>(X509_get_ext_d2i(server.get(), NID_crl_distribution_points, nullptr, nullptr));
    REQUIRE(points);
    REQUIRE(sk_DIST_POINT_num(points) == 1);
    GENERAL_NAMES* names = sk_DIST_POINT_value(points, 0)->distpoint->name.fullname;
    REQUIRE(sk_GENERAL_NAME_num(names) == 1);
    ASN1_IA5STRING* uri = sk_GENERAL_NAME_value(names, 0)->d.uniformResourceIdentifier;
    std::string url(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)), static_cast<size_t>(ASN1_STRING_length(uri)));
    CRL_DIST_POINTS_free(points);
    CHECK(url == "file://" + std::filesystem::absolute(ts.paths.server_ca_crl).lexically_normal().string());

    FILE* f = std::fopen(ts.paths.server_ca_crl.c_str(), "rb");
    REQUIRE(f);
    X509_CRL* crl = d2i_X509_CRL_fp(f, nullptr);
    std::fclose(f);
    REQUIRE(crl);
    CHECK(X509_CRL_verify(crl, X509_get0_pubkey(server_ca.get())) == 1);
    CHECK(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)) <= 0);   // -1: no list at all
    X509_CRL_free(crl);
}
