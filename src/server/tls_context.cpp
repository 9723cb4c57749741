#include "server/tls_context.h"

#include "server/pki.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <stdexcept>

// ECDSA first (the development PKI's keys are P-256), RSA for an operator's RSA certificate.
// Within each: AES-128-GCM (fast with AES-NI, strong enough), AES-256-GCM, ChaCha20-Poly1305
// (fast without AES-NI; SSL_OP_PRIORITIZE_CHACHA moves it up for clients that ask for it first).
// No DHE: every client that speaks TLS 1.2 with AEAD also speaks ECDHE, and DHE brings the
// question of the parameters' size and its CPU cost per handshake.
const char* const kTls12Ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                  "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                  "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
// Every TLS 1.3 suite is AEAD with forward secrecy; only the order is ours.
const char* const kTls13Suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
const char* const kTlsGroups = "X25519:P-256:P-384";

// Resumed sessions are kept in the server's memory (below), bounded in count and age.
constexpr long kSessionCacheSize = 4096;    // per origin; a few KB each with a client certificate
constexpr long kSessionLifetime = 3600;     // seconds: the longest a login session lives

[[noreturn]] static void fail(const std::string& what)
{
    throw std::runtime_error(pki_error_text(what));
}

static bool self_signed(X509* cert)
{
    return X509_check_issued(cert, cert) == X509_V_OK;
}

std::string tls_chain_problem(const std::vector<X509*>& chain)
{
    if (chain.empty())
        return "no certificate";
    // A self-signed server certificate alone is the operator's choice (a test deployment); a
    // root after it is never needed.
    for (size_t i = 0; i < chain.size(); i++) {
        if (i > 0 && self_signed(chain[i]))
            return "certificate " + std::to_string(i + 1) + " is a root (self-signed); the chain must end below the root";
        if (i + 1 < chain.size() && X509_check_issued(chain[i + 1], chain[i]) != X509_V_OK)
            return "certificate " + std::to_string(i + 2) + " did not issue certificate " + std::to_string(i + 1);
    }
    return std::string();
}

static void load_chain(SSL_CTX* ctx, const std::string& chain_path)
{
    std::vector<CertPtr> owned = pki_read_certs(chain_path);
    std::vector<X509*> chain;
    for (const CertPtr& cert : owned)
        chain.push_back(cert.get());
    std::string problem = tls_chain_problem(chain);
    if (!problem.empty())
        throw std::runtime_error(chain_path + ": " + problem);
    if (SSL_CTX_use_certificate(ctx, chain[0]) != 1)
        fail("cannot use the server certificate of " + chain_path);
    SSL_CTX_clear_chain_certs(ctx);
    for (size_t i = 1; i < chain.size(); i++)
        if (SSL_CTX_add1_chain_cert(ctx, chain[i]) != 1)
            fail("cannot use the chain of " + chain_path);
}

void tls_configure_server(SSL_CTX* ctx, const std::string& chain_path, const std::string& key_path)
{
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 || SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1)
        fail("cannot limit the TLS versions");
    if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1)
        fail("cannot set the TLS 1.2 ciphers");
    if (SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1)
        fail("cannot set the TLS 1.3 suites");
    if (SSL_CTX_set1_groups_list(ctx, kTlsGroups) != 1)
        fail("cannot set the key-exchange groups");

    // Renegotiation: a client could make the server redo its expensive half of a handshake
    // without opening a connection, and it has a history of attacks; nothing here needs it.
    // Compression: CRIME.
    // Tickets: OpenSSL's stateless tickets are sealed with one key for the life of the process,
    // so a key stolen from memory would decrypt every recorded TLS 1.2 session that resumed;
    // without them, TLS 1.2 resumes by session ID and TLS 1.3 gets stateful tickets, both from
    // the bounded cache below, forgotten after kSessionLifetime.
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_PRIORITIZE_CHACHA | SSL_OP_NO_RENEGOTIATION
                                 | SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx, kSessionCacheSize);
    SSL_CTX_set_timeout(ctx, kSessionLifetime);
    SSL_CTX_set_num_tickets(ctx, 1);   // TLS 1.3: one resumption per full handshake is enough
    // An idle connection gives its read and write buffers back (about 34 KB a connection otherwise).
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);

    load_chain(ctx, chain_path);
    if (SSL_CTX_use_PrivateKey_file(ctx, key_path.c_str(), SSL_FILETYPE_PEM) != 1)
        fail("cannot read the server key " + key_path);
    if (SSL_CTX_check_private_key(ctx) != 1)
        fail("the server key " + key_path + " does not belong to the certificate in " + chain_path);
}

std::string tls_strict_transport_security(bool include_subdomains)
{
    return include_subdomains ? "max-age=31536000; includeSubDomains" : "max-age=31536000";
}
