#pragma once
// Behind a reverse proxy (nginx, HAProxy; /work/wt/PROXY_SPEC.md, README "Behind a proxy"): the
// proxy terminates the customer's TLS and forwards the customer's certificate and address in
// request headers. Whether those headers are read, and what they say, is decided here by pure
// functions of the request's facts, so every case is a table row in tests/server/forwarding_test.cpp;
// http_server.cpp only gathers the facts and applies the decision.
//
// The forwarded certificate is only decoded here (text to DER bytes). It is verified afterwards by
// exactly the path a TLS peer certificate takes (check_client_certificate and the database
// checks in api.cpp): a proxy's verdict is never trusted, only its transport of the bytes.

#include <boost/asio/ip/address.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

// ---------------------------------------------------------------- trusted proxy addresses
// One IPv4 or IPv6 network; a bare address is a network of one (/32, /128).
struct TrustedNetwork {
    boost::asio::ip::address network;   // host bits zero
    unsigned prefix = 0;
};

// "10.0.0.0/8", "192.0.2.7", "2001:db8::/32", "::1". Host bits set below the prefix
// ("10.0.0.1/8") are refused: such a typo would trust a different network than meant.
// Returns "" or the reason.
std::string parse_trusted_network(std::string_view text, TrustedNetwork& out);
// A comma-separated list (blanks around items allowed), appended to `out`. "" or the reason.
std::string parse_trusted_networks(std::string_view text, std::vector<TrustedNetwork>& out);

// An IPv4 address seen through an IPv6 socket (::ffff:a.b.c.d) is compared as the IPv4 address.
boost::asio::ip::address unmapped(const boost::asio::ip::address& address);
bool network_contains(const TrustedNetwork& network, const boost::asio::ip::address& address);
bool address_trusted(const std::vector<TrustedNetwork>& networks, const boost::asio::ip::address& address);

// ---------------------------------------------------------------- header values
// The forwarded-for value (every field line of the header joined by ","): its last element,
// trimmed, when it is an IP address (normalised text, "::ffff:" mapping removed); "" when it is not.
// The last element is the one the nearest proxy - ours - appended; earlier ones come from the
// client and prove nothing.
std::string forwarded_for_last_hop(std::string_view joined);

// The longest certificate header value read (bytes). The header limit (8 KiB) bounds it anyway;
// a customer certificate is 1-2 KiB as DER, a third more as base64, up to three times as
// URL-escaped PEM.
constexpr size_t kMaxCertHeaderBytes = 7 * 1024;

// The certificate header's value as DER bytes. Two forms are taken:
//   URL-escaped PEM (nginx $ssl_client_escaped_cert): "-----BEGIN%20CERTIFICATE-----%0AMII..."
//   base64 DER (HAProxy %[ssl_c_der,base64]):         "MIIB..."
// Exactly one certificate, nothing after it; the DER must parse as one X.509 certificate and
// nothing more. False: malformed (the reason in `error`, for the log, never the value).
bool decode_client_cert_header(std::string_view value, std::vector<unsigned char>& der, std::string& error);

// A proxy's X-Request-Id is used when it is 1-64 of [A-Za-z0-9._-] (so it is safe in log lines
// and headers as it is).
constexpr size_t kMaxRequestIdBytes = 64;
bool request_id_acceptable(std::string_view id);
// 16 random hex digits (libsodium).
std::string new_request_id();

// ---------------------------------------------------------------- the decision
struct ForwardingFacts {
    bool behind_proxy = false;     // --behind-proxy
    bool peer_trusted = false;     // the connection's peer address is inside a --trusted-proxy network
    bool cert_origin = false;      // the request came to the certificate origin
    std::string peer_address;      // the connection's peer, as text
    size_t cert_headers = 0;       // field lines of --client-cert-header
    std::string_view cert_header;  // the first one's value
    size_t forwarded_for_headers = 0;
    std::string forwarded_for;     // every field line of --forwarded-for-header joined by ","
    size_t request_id_headers = 0;
    std::string_view request_id;   // the first X-Request-Id value
};

enum class CertSource {
    Tls,         // the TLS peer certificate of this connection (a direct client)
    Forwarded,   // the certificate header's (cert_der)
    None,        // a trusted proxy said the customer sent none
};

enum class ForwardingRefusal {
    None,
    TwoCertHeaders,          // 400 "more than one client certificate header"
    MalformedCertHeader,     // 400 "malformed client certificate header"
    MalformedForwardedFor,   // 400 "malformed X-Forwarded-For"
    CertHeaderOnAppOrigin,   // 400 "client certificate header on the app origin"
};

struct ForwardingDecision {
    ForwardingRefusal refusal = ForwardingRefusal::None;
    CertSource cert = CertSource::Tls;
    std::vector<unsigned char> cert_der;   // Forwarded
    std::string source_address;            // for the audit log, the login history and the access log
    std::string request_id;                // the proxy's, or "" (the caller makes one)
    bool ignored_untrusted = false;        // a certificate header from an untrusted peer was ignored: audit, log
    std::string error;                     // MalformedCertHeader: why, for the log
};

// Without --behind-proxy nothing forwarded is read. Behind a proxy:
//   app origin: a certificate header with a value is refused (the proxy must clear it there);
//   trusted peer: one certificate header (empty or absent: no certificate), the forwarded-for
//     header's last hop, the proxy's request id;
//   untrusted peer: a direct client; a certificate header it sent is ignored and reported.
ForwardingDecision decide_forwarding(const ForwardingFacts& facts);

// The answer's message for a refusal ("" for None).
const char* forwarding_refusal_message(ForwardingRefusal refusal);
