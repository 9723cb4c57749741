#pragma once
// The TLS settings both origins of `ibgate serve` share, after OpenSSL's and Mozilla's
// "intermediate" guidance: TLS 1.2 and 1.3 only; in TLS 1.2 only ECDHE key exchange with AEAD
// ciphers (AES-GCM, ChaCha20-Poly1305), so every connection has forward secrecy and no CBC or
// SHA-1 MAC remains; the server's order of preference; no renegotiation, no compression; the
// groups X25519, P-256, P-384. The certificate origin adds its client-certificate request on top
// (http_server.cpp).

#include <openssl/ssl.h>

#include <string>
#include <vector>

// OpenSSL cipher strings (TLS 1.2) and suites (TLS 1.3), strongest-and-fastest first.
extern const char* const kTls12Ciphers;
extern const char* const kTls13Suites;
extern const char* const kTlsGroups;

// Configures `ctx` for a server origin and loads its certificate chain and key. The chain file
// holds the server certificate first, then any intermediates, never the root (a client that
// trusts the root has it already; sending it only costs bytes and hides a misconfigured trust).
// Throws std::runtime_error with a one-line reason.
void tls_configure_server(SSL_CTX* ctx, const std::string& chain_path, const std::string& key_path);

// Why a chain (as read from the chain file, leaf first) must not be served, or "" when it may:
// empty, a root (self-signed) certificate after the first, or a certificate not issued by the
// next one.
std::string tls_chain_problem(const std::vector<X509*>& chain);

// The Strict-Transport-Security value of both origins: one year. `include_subdomains` pins every
// subdomain of the site's domain to HTTPS too - right only when the operator knows every one of
// them (the credit union's other sites, mail web interfaces, printers ...) serves HTTPS.
std::string tls_strict_transport_security(bool include_subdomains);
