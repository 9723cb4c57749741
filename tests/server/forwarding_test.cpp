// The proxy-mode decisions (forwarding.h), table by table, without sockets.
#include "forward_encoding.h"
#include "server/forwarding.h"
#include "server/log.h"
#include "server/pki.h"
#include "server/secrets.h"

#include <catch_amalgamated.hpp>
#include <openssl/x509.h>

#include <ctime>

namespace ip = boost::asio::ip;

static CertPtr some_certificate(const std::string& cn = "yamada011234")
{
    KeyPtr key = pki_new_key();
    CertSpec spec;
    spec.kind = CertKind::Ca;
    spec.common_name = cn;
    spec.not_before = std::time(nullptr) - 60;
    spec.not_after = std::time(nullptr) + 3600;
    return pki_make_cert(spec, key.get(), nullptr, nullptr);
}

TEST_CASE("forwarding: trusted networks are parsed strictly")
{
    struct Row {
        const char* text;
        bool ok;
        const char* network;
        unsigned prefix;
    };
    const Row rows[] = {
        {"10.0.0.0/8", true, "10.0.0.0", 8},
        {" 192.0.2.7 ", true, "192.0.2.7", 32},
        {"127.0.0.1/32", true, "127.0.0.1", 32},
        {"0.0.0.0/0", true, "0.0.0.0", 0},
        {"2001:db8::/32", true, "2001:db8::", 32},
        {"::1", true, "::1", 128},
        {"::ffff:10.1.2.3", true, "10.1.2.3", 32},   // mapped: compared as IPv4
        {"10.0.0.1/8", false, "", 0},                 // host bits: a typo trusts the wrong network
        {"2001:db8::1/32", false, "", 0},
        {"10.0.0.0/33", false, "", 0},
        {"10.0.0.0/", false, "", 0},
        {"10.0.0.0/-1", false, "", 0},
        {"10.0.0.0/8x", false, "", 0},
        {"proxy.example", false, "", 0},
        {"", false, "", 0},
        {"10.0.0.0/0008", false, "", 0},
    };
    for (const Row& row : rows) {
        INFO(row.text);
        TrustedNetwork n;
        std::string problem = parse_trusted_network(row.text, n);
        CHECK(problem.empty() == row.ok);
        if (row.ok && problem.empty()) {
            CHECK(n.network.to_string() == row.network);
            CHECK(n.prefix == row.prefix);
        }
    }
    std::vector<TrustedNetwork> list;
    CHECK(parse_trusted_networks("10.0.0.0/8, 192.0.2.1,::1", list).empty());
    CHECK(list.size() == 3);
    CHECK_FALSE(parse_trusted_networks("10.0.0.0/8,", list).empty());
}

TEST_CASE("forwarding: an address is inside a trusted network or not")
{
    struct Row {
        const char* network;
        const char* address;
        bool inside;
    };
    const Row rows[] = {
        {"10.0.0.0/8", "10.255.1.2", true},
        {"10.0.0.0/8", "11.0.0.1", false},
        {"192.0.2.7", "192.0.2.7", true},
        {"192.0.2.7", "192.0.2.8", false},
        {"127.0.0.1", "::ffff:127.0.0.1", true},   // an IPv4 client on an IPv6 socket
        {"2001:db8::/32", "2001:db8:1::5", true},
        {"2001:db8::/32", "2001:db9::5", false},
        {"10.0.0.0/8", "::a00:1", false},          // IPv4-compatible is not mapped
        {"::/0", "10.0.0.1", false},               // families never mix
        {"0.0.0.0/0", "203.0.113.9", true},
    };
    for (const Row& row : rows) {
        INFO(row.network << " " << row.address);
        TrustedNetwork n;
        REQUIRE(parse_trusted_network(row.network, n).empty());
        CHECK(network_contains(n, ip::make_address(row.address)) == row.inside);
    }
    std::vector<TrustedNetwork> none;
    CHECK_FALSE(address_trusted(none, ip::make_address("127.0.0.1")));
}

TEST_CASE("forwarding: the forwarded-for header's last hop")
{
    struct Row {
        const char* joined;
        const char* last;
    };
    const Row rows[] = {
        {"203.0.113.7", "203.0.113.7"},
        {"198.51.100.1, 203.0.113.7", "203.0.113.7"},
        {"spoofed, 198.51.100.1,203.0.113.7 ", "203.0.113.7"},   // only the last one counts
        {"2001:db8::7", "2001:db8::7"},
        {"::ffff:203.0.113.7", "203.0.113.7"},
        {"203.0.113.7, unknown", ""},
        {"203.0.113.7,", ""},
        {"", ""},
        {"203.0.113.7:443", ""},
        {"[2001:db8::7]", ""},
        {"203.0.113.300", ""},
    };
    for (const Row& row : rows) {
        INFO(row.joined);
        CHECK(forwarded_for_last_hop(row.joined) == row.last);
    }
}

TEST_CASE("forwarding: the certificate header is decoded to DER, or refused")
{
    REQUIRE(secrets_init());
    CertPtr cert = some_certificate();
    CertPtr other = some_certificate("suzuki021234");
    const std::string der = der_of(cert.get());
    const std::string pem = pki_cert_pem(cert.get());
    struct Row {
        const char* name;
        std::string value;
        bool ok;
    };
    const Row rows[] = {
        {"nginx $ssl_client_escaped_cert", url_escape(pem), true},
        {"HAProxy base64 DER", base64_of(der), true},
        {"escaped PEM without the final newline", url_escape(pem.substr(0, pem.size() - 1)), true},
        {"lowercase escapes", lowercase_escapes(url_escape(pem)), true},
        {"two certificates (a chain)", url_escape(pem + pki_cert_pem(other.get())), false},
        {"text after the certificate", url_escape(pem + "junk"), false},
        {"text before the certificate", url_escape("junk" + pem), false},
        {"truncated PEM", url_escape(pem.substr(0, pem.size() / 2)), false},
        {"a bad escape", url_escape(pem) + "%G0", false},
        {"an escape cut short", url_escape(pem).substr(0, 30) + "%4", false},
        {"a private key", url_escape("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"), false},
        {"base64 of DER with a byte more", base64_of(der + "x"), false},
        {"base64 of half the DER", base64_of(der.substr(0, der.size() / 2)), false},
        {"base64 with a bad character", "*" + base64_of(der).substr(1), false},
        {"base64 with a missing character", base64_of(der).substr(1), false},
        {"base64 with padding inside", "AB==" + base64_of(der), false},
        {"base64 of a word", base64_of("certificate"), false},
        {"plain words", "none", false},
        {"far too long", std::string(kMaxCertHeaderBytes + 1, 'A'), false},
    };
    for (const Row& row : rows) {
        INFO(row.name);
        std::vector<unsigned char> out;
        std::string error;
        CHECK(decode_client_cert_header(row.value, out, error) == row.ok);
        if (row.ok)
            CHECK(std::string(out.begin(), out.end()) == der);
        else
            CHECK(!error.empty());
    }
}

TEST_CASE("forwarding: a proxy's request id is taken when it is short and plain")
{
    CHECK(request_id_acceptable("abc"));
    CHECK(request_id_acceptable("A-1_b.2"));
    CHECK(request_id_acceptable(std::string(64, 'x')));
    CHECK_FALSE(request_id_acceptable(std::string(65, 'x')));
    CHECK_FALSE(request_id_acceptable(""));
    CHECK_FALSE(request_id_acceptable("a b"));
    CHECK_FALSE(request_id_acceptable("a\"b"));
    CHECK_FALSE(request_id_acceptable("\xe3\x81\x82"));
    REQUIRE(secrets_init());
    std::string id = new_request_id();
    CHECK(id.size() == 16);
    CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(new_request_id() != id);
}

TEST_CASE("forwarding: the decision for every kind of request")
{
    REQUIRE(secrets_init());
    CertPtr cert = some_certificate();
    const std::string good = base64_of(der_of(cert.get()));
    using R = ForwardingRefusal;
    using C = CertSource;
    struct Row {
        const char* name;
        bool proxy, trusted, cert_origin;
        size_t cert_headers;
        std::string cert_value;
        size_t xff_headers;
        std::string xff;
        std::string request_id;
        R refusal;
        C source;
        const char* address;
        bool ignored;
        bool proxy_request_id;
    };
    const Row rows[] = {
        {"direct server: nothing forwarded is read", false, true, true, 1, good, 1, "203.0.113.7", "rid", R::None,
         C::Tls, "127.0.0.1", false, false},
        {"direct server: not even two certificate headers", false, false, true, 2, "x", 2, "junk", "", R::None, C::Tls,
         "127.0.0.1", false, false},
        {"trusted proxy, certificate forwarded", true, true, true, 1, good, 1, "198.51.100.1, 203.0.113.7", "rid",
         R::None, C::Forwarded, "203.0.113.7", false, true},
        {"trusted proxy, no certificate header", true, true, true, 0, "", 0, "", "", R::None, C::None, "127.0.0.1",
         false, false},
        {"trusted proxy, empty certificate header (nginx without one)", true, true, true, 1, "", 1, "203.0.113.7", "",
         R::None, C::None, "203.0.113.7", false, false},
        {"trusted proxy, two certificate headers", true, true, true, 2, good, 0, "", "", R::TwoCertHeaders, C::Tls,
         "127.0.0.1", false, false},
        {"trusted proxy, malformed certificate header", true, true, true, 1, "MIIBnotacert", 0, "", "",
         R::MalformedCertHeader, C::None, "127.0.0.1", false, false},
        {"trusted proxy, malformed forwarded-for", true, true, true, 1, good, 1, "203.0.113.7, unknown", "",
         R::MalformedForwardedFor, C::Tls, "127.0.0.1", false, false},
        {"trusted proxy, a bad request id is replaced", true, true, true, 0, "", 0, "", "bad id", R::None, C::None,
         "127.0.0.1", false, false},
        {"untrusted peer: the certificate header is ignored and reported", true, false, true, 1, good, 1,
         "203.0.113.7", "rid", R::None, C::Tls, "127.0.0.1", true, false},
        {"untrusted peer: two certificate headers ignored too", true, false, true, 2, good, 0, "", "", R::None, C::Tls,
         "127.0.0.1", true, false},
        {"untrusted peer without forwarded headers", true, false, true, 0, "", 1, "junk", "", R::None, C::Tls,
         "127.0.0.1", false, false},
        {"app origin, trusted: the proxy must clear the certificate header", true, true, false, 1, good, 0, "", "",
         R::CertHeaderOnAppOrigin, C::Tls, "127.0.0.1", false, false},
        {"app origin, untrusted: refused as well", true, false, false, 1, good, 0, "", "", R::CertHeaderOnAppOrigin,
         C::Tls, "127.0.0.1", false, false},
        {"app origin, an empty certificate header is no certificate", true, true, false, 1, "", 1, "203.0.113.7", "rid",
         R::None, C::Tls, "203.0.113.7", false, true},
        {"app origin, trusted: the customer's address", true, true, false, 0, "", 1, "2001:db8::9", "", R::None, C::Tls,
         "2001:db8::9", false, false},
        {"app origin, trusted: malformed forwarded-for", true, true, false, 0, "", 1, "x", "", R::MalformedForwardedFor,
         C::Tls, "127.0.0.1", false, false},
    };
    for (const Row& row : rows) {
        INFO(row.name);
        ForwardingFacts f;
        f.behind_proxy = row.proxy;
        f.peer_trusted = row.trusted;
        f.cert_origin = row.cert_origin;
        f.peer_address = "127.0.0.1";
        f.cert_headers = row.cert_headers;
        f.cert_header = row.cert_value;
        f.forwarded_for_headers = row.xff_headers;
        f.forwarded_for = row.xff;
        f.request_id_headers = row.request_id.empty() ? 0 : 1;
        f.request_id = row.request_id;
        ForwardingDecision d = decide_forwarding(f);
        CHECK(d.refusal == row.refusal);
        if (row.refusal == R::None) {
            CHECK(d.cert == row.source);
            CHECK(d.source_address == row.address);
        }
        CHECK(d.ignored_untrusted == row.ignored);
        CHECK(d.request_id == (row.proxy_request_id ? row.request_id : std::string()));
        if (d.cert == C::Forwarded)
            CHECK(std::string(d.cert_der.begin(), d.cert_der.end()) == der_of(cert.get()));
    }
    CHECK(std::string(forwarding_refusal_message(R::MalformedForwardedFor)) == "malformed X-Forwarded-For");
}

TEST_CASE("log: one JSON object per line, fixed fields first")
{
    nlohmann::ordered_json fields = {{"message", "line one\nline two"}, {"event", "overridden?"}, {"bad", "\xff"}};
    std::string line = log_format(1796319600123, "info", "host:9101", "draining", fields);
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.rfind(R"({"time":"2026-12-03T17:40:00.123Z","level":"info","instance":"host:9101","event":"draining",)", 0)
          == 0);
    nlohmann::json j = nlohmann::json::parse(line);
    CHECK(j["event"] == "draining");   // the fixed fields cannot be overwritten
    CHECK(j["message"] == "line one\nline two");
}
