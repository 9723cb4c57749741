#include "server/forwarding.h"
#include "server/header_text.h"
#include "server/pki.h"

#include <algorithm>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>

#include <memory>

namespace ip = boost::asio::ip;

static std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// ---------------------------------------------------------------- trusted networks
std::string parse_trusted_network(std::string_view text, TrustedNetwork& out)
{
    const std::string item(trim(text));
    if (item.empty())
        return "empty --trusted-proxy entry";
    const size_t slash = item.find('/');
    boost::system::error_code ec;
    ip::address address = ip::make_address(item.substr(0, slash), ec);
    if (ec)
        return "--trusted-proxy " + item + ": not an IP address or CIDR";
    address = unmapped(address);
    const unsigned bits = address.is_v4() ? 32 : 128;
    unsigned prefix = bits;
    if (slash != std::string::npos) {
        const std::string digits = item.substr(slash + 1);
        if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string::npos)
            return "--trusted-proxy " + item + ": bad prefix length";
        prefix = static_cast<unsigned>(std::stoul(digits));
        if (prefix > bits)
            return "--trusted-proxy " + item + ": prefix longer than the address";
    }
    TrustedNetwork network;
    network.prefix = prefix;
    if (address.is_v4()) {
        ip::network_v4 n(address.to_v4(), prefix);
        if (n.canonical().address() != address.to_v4())
            return "--trusted-proxy " + item + ": host bits set (did you mean " + n.canonical().to_string() + "?)";
        network.network = address;
    } else {
        ip::network_v6 n(address.to_v6(), prefix);
        if (n.canonical().address() != address.to_v6())
            return "--trusted-proxy " + item + ": host bits set (did you mean " + n.canonical().to_string() + "?)";
        network.network = address;
    }
    out = network;
    return std::string();
}

std::string parse_trusted_networks(std::string_view text, std::vector<TrustedNetwork>& out)
{
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t end = text.find(',', pos);
        if (end == std::string_view::npos)
            end = text.size();
        TrustedNetwork network;
        if (std::string problem = parse_trusted_network(text.substr(pos, end - pos), network); !problem.empty())
            return problem;
        out.push_back(network);
        pos = end + 1;
    }
    return std::string();
}

ip::address unmapped(const ip::address& address)
{
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        return ip::make_address_v4(ip::v4_mapped, address.to_v6());
    return address;
}

bool network_contains(const TrustedNetwork& network, const ip::address& candidate)
{
    const ip::address address = unmapped(candidate);
    if (address.is_v4() != network.network.is_v4())
        return false;
    if (address.is_v4())
        return ip::network_v4(address.to_v4(), network.prefix).canonical().address() == network.network.to_v4();
    return ip::network_v6(address.to_v6(), network.prefix).canonical().address() == network.network.to_v6();
}

bool address_trusted(const std::vector<TrustedNetwork>& networks, const ip::address& address)
{
    for (const TrustedNetwork& network : networks)
        if (network_contains(network, address))
            return true;
    return false;
}

// ---------------------------------------------------------------- header values
std::string forwarded_for_last_hop(std::string_view joined)
{
    const size_t comma = joined.rfind(',');
    const std::string last(trim(comma == std::string_view::npos ? joined : joined.substr(comma + 1)));
    boost::system::error_code ec;
    ip::address address = ip::make_address(last, ec);
    if (ec || last.empty())
        return std::string();
    return unmapped(address).to_string();
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Strict percent-decoding: every '%' is followed by two hex digits. '+' stays '+' (it is a
// base64 character of the PEM body, and nginx escapes it as %2B anyway).
static bool percent_decode(std::string_view in, std::string& out)
{
    out.clear();
    out.reserve(in.size());
    for (size_t i = 0; i < in.size(); i++) {
        if (in[i] != '%') {
            out.push_back(in[i]);
            continue;
        }
        if (i + 2 >= in.size())
            return false;
        int high = hex_value(in[i + 1]);
        int low = hex_value(in[i + 2]);
        if (high < 0 || low < 0)
            return false;
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
    }
    return true;
}


// One DER certificate and nothing after it.
static bool der_is_one_certificate(const std::vector<unsigned char>& der)
{
    const unsigned char* p = der.data();
    X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
    const bool ok = cert && p == der.data() + der.size();
    X509_free(cert);
    return ok;
}

static bool decode_pem(std::string_view escaped, std::vector<unsigned char>& der, std::string& error)
{
    std::string pem;
    if (!percent_decode(escaped, pem)) {
        error = "bad percent-escape";
        return false;
    }
    const std::string_view begin = "-----BEGIN CERTIFICATE-----";
    const size_t start = pem.find_first_not_of(" \t\r\n");
    if (start == std::string::npos || std::string_view(pem).substr(start, begin.size()) != begin) {
        error = "not a PEM certificate";
        return false;
    }
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data() + start, static_cast<int>(pem.size() - start)),
                                                  BIO_free);
    if (!bio) {
        error = "out of memory";
        return false;
    }
    X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (!cert) {
        error = "unreadable PEM certificate";
        return false;
    }
    // Only blanks may follow: a second certificate (a chain) or anything else is refused.
    char rest[256];
    int n = 0;
    bool only_blanks = true;
    while (only_blanks && (n = BIO_read(bio.get(), rest, sizeof(rest))) > 0)
        for (int i = 0; i < n; i++)
            only_blanks = only_blanks && (rest[i] == ' ' || rest[i] == '\t' || rest[i] == '\r' || rest[i] == '\n');
    int length = only_blanks ? i2d_X509(cert, nullptr) : -1;
    if (length > 0) {
        der.resize(static_cast<size_t>(length));
        unsigned char* out = der.data();
        i2d_X509(cert, &out);
    }
    X509_free(cert);
    if (!only_blanks) {
        error = "more than one certificate, or text after it";
        return false;
    }
    if (length <= 0) {
        error = "cannot encode the certificate";
        return false;
    }
    return true;
}

bool decode_client_cert_header(std::string_view value, std::vector<unsigned char>& der, std::string& error)
{
    der.clear();
    value = trim(value);
    if (value.empty()) {
        error = "empty";
        return false;
    }
    if (value.size() > kMaxCertHeaderBytes) {
        error = "longer than " + std::to_string(kMaxCertHeaderBytes) + " bytes";
        return false;
    }
    // Base64 has neither '%' nor '-'; a PEM header line has both.
    const bool pem = value.find_first_of("%-") != std::string_view::npos;
    if (!(pem ? decode_pem(value, der, error) : pki_base64_decode(value, der, error)))
        return false;
    if (!der_is_one_certificate(der)) {
        error = "not one X.509 certificate";
        der.clear();
        return false;
    }
    return true;
}

bool request_id_acceptable(std::string_view id)
{
    if (id.empty() || id.size() > kMaxRequestIdBytes)
        return false;
    return std::all_of(id.begin(), id.end(), is_plain_name_char);
}

std::string new_request_id()
{
    unsigned char bytes[8];
    randombytes_buf(bytes, sizeof(bytes));
    char hex[sizeof(bytes) * 2 + 1];
    sodium_bin2hex(hex, sizeof(hex), bytes, sizeof(bytes));
    return std::string(hex, sizeof(bytes) * 2);
}

// ---------------------------------------------------------------- the decision
ForwardingDecision decide_forwarding(const ForwardingFacts& f)
{
    ForwardingDecision d;
    d.source_address = f.peer_address;
    if (!f.behind_proxy)
        return d;   // a direct server: nothing forwarded is read
    if (f.peer_trusted && f.request_id_headers == 1 && request_id_acceptable(f.request_id))
        d.request_id = std::string(f.request_id);   // also for a refusal: the proxy's log names it
    const bool cert_header_has_value = f.cert_headers > 1 || (f.cert_headers == 1 && !trim(f.cert_header).empty());
    if (!f.cert_origin && cert_header_has_value) {
        d.refusal = ForwardingRefusal::CertHeaderOnAppOrigin;
        return d;
    }
    if (!f.peer_trusted) {
        d.ignored_untrusted = f.cert_origin && f.cert_headers > 0;
        return d;
    }
    if (f.cert_headers > 1) {
        d.refusal = ForwardingRefusal::TwoCertHeaders;
        return d;
    }
    if (f.forwarded_for_headers > 0) {
        d.source_address = forwarded_for_last_hop(f.forwarded_for);
        if (d.source_address.empty()) {
            d.refusal = ForwardingRefusal::MalformedForwardedFor;
            d.source_address = f.peer_address;
            return d;
        }
    }
    if (!f.cert_origin)
        return d;
    if (!cert_header_has_value) {
        d.cert = CertSource::None;   // the proxy's own TLS certificate is never the customer's
        return d;
    }
    if (!decode_client_cert_header(f.cert_header, d.cert_der, d.error)) {
        d.refusal = ForwardingRefusal::MalformedCertHeader;
        d.cert = CertSource::None;
        return d;
    }
    d.cert = CertSource::Forwarded;
    return d;
}

const char* forwarding_refusal_message(ForwardingRefusal refusal)
{
    switch (refusal) {
    case ForwardingRefusal::None: return "";
    case ForwardingRefusal::TwoCertHeaders: return "more than one client certificate header";
    case ForwardingRefusal::MalformedCertHeader: return "malformed client certificate header";
    case ForwardingRefusal::MalformedForwardedFor: return "malformed X-Forwarded-For";
    case ForwardingRefusal::CertHeaderOnAppOrigin: return "client certificate header on the app origin";
    }
    return "";
}
