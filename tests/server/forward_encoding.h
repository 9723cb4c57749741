#pragma once
// How proxies put a client certificate into a header, for the tests: nginx's
// $ssl_client_escaped_cert (URL-escaped PEM) and HAProxy's %[ssl_c_der,base64].
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cctype>
#include <cstdio>
#include <string>

inline std::string der_of(X509* cert)
{
    int n = i2d_X509(cert, nullptr);
    std::string out(n > 0 ? static_cast<size_t>(n) : 0, '\0');
    unsigned char* p = reinterpret_cast<unsigned char*>(out.data());
    i2d_X509(cert, &p);
    return out;
}

inline std::string base64_of(const std::string& bytes)
{
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

// As nginx escapes it: everything but unreserved characters as %XX (uppercase).
inline std::string url_escape(const std::string& text)
{
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            char hex[4];
            std::snprintf(hex, sizeof(hex), "%%%02X", c);
            out += hex;
        }
    }
    return out;
}

inline std::string lowercase_escapes(std::string escaped)
{
    for (size_t i = 0; i + 2 < escaped.size(); i++)
        if (escaped[i] == '%') {
            escaped[i + 1] = static_cast<char>(std::tolower(static_cast<unsigned char>(escaped[i + 1])));
            escaped[i + 2] = static_cast<char>(std::tolower(static_cast<unsigned char>(escaped[i + 2])));
        }
    return escaped;
}
