#include "server/database_url.h"

#include <cctype>

static bool starts_with(const std::string& text, const char* prefix)
{
    return text.rfind(prefix, 0) == 0;
}

// "scheme://" at the start, with an RFC 3986 scheme name.
static bool has_scheme(const std::string& text, std::string& scheme)
{
    size_t colon = text.find(':');
    if (colon == std::string::npos || colon == 0 || !std::isalpha(static_cast<unsigned char>(text[0])))
        return false;
    for (size_t i = 0; i < colon; i++) {
        unsigned char ch = static_cast<unsigned char>(text[i]);
        if (!std::isalnum(ch) && ch != '+' && ch != '-' && ch != '.')
            return false;
    }
    scheme = text.substr(0, colon);
    for (char& ch : scheme)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return true;
}

std::string redact_database_url(const std::string& text)
{
    size_t slashes = text.find("://");
    if (slashes == std::string::npos)
        return text;
    std::string out = text;
    size_t authority = slashes + 3;
    size_t authority_end = out.find_first_of("/?#", authority);
    if (authority_end == std::string::npos)
        authority_end = out.size();
    size_t at = out.rfind('@', authority_end == 0 ? 0 : authority_end - 1);
    if (at != std::string::npos && at >= authority) {
        size_t colon = out.find(':', authority);
        if (colon != std::string::npos && colon < at)
            out.replace(colon + 1, at - colon - 1, "***");
    }
    // password=... among the query parameters.
    size_t query = out.find('?');
    while (query != std::string::npos) {
        size_t start = query + 1;
        if (out.compare(start, 9, "password=") == 0) {
            size_t value = start + 9;
            size_t end = out.find('&', value);
            out.replace(value, (end == std::string::npos ? out.size() : end) - value, "***");
        }
        query = out.find('&', start);
    }
    return out;
}

bool parse_database_url(const std::string& text, DatabaseUrl& out, std::string& error)
{
    out = DatabaseUrl();
    if (text.empty()) {
        error = "the database URL is empty";
        return false;
    }
    for (unsigned char ch : text) {
        if (ch < 0x20 || ch == 0x7f) {
            error = "the database URL holds a control character";
            return false;
        }
    }
    std::string scheme;
    if (!has_scheme(text, scheme)) {
        out.backend = DatabaseBackend::Sqlite;
        out.sqlite_path = text;
        out.redacted = "sqlite:" + text;
        return true;
    }
    if (scheme == "sqlite") {
        std::string path = text.substr(7);
        if (starts_with(path, "//")) {
            // sqlite:///abs/path; sqlite://host/... names a host, which a file has not.
            if (!starts_with(path, "///")) {
                error = "a SQLite URL is sqlite:PATH or sqlite:///ABSOLUTE/PATH";
                return false;
            }
            path = path.substr(2);
        }
        if (path.empty()) {
            error = "the SQLite URL names no file (sqlite:PATH)";
            return false;
        }
        out.backend = DatabaseBackend::Sqlite;
        out.sqlite_path = path;
        out.redacted = "sqlite:" + path;
        return true;
    }
    if (scheme == "postgresql" || scheme == "postgres") {
        if (text.compare(scheme.size(), 3, "://") != 0) {
            error = "a PostgreSQL URL is postgresql://[user[:password]@][host][:port][/dbname][?param=value]";
            return false;
        }
        for (unsigned char ch : text) {
            if (std::isspace(ch)) {
                error = "a PostgreSQL URL holds no spaces (percent-encode them): " + redact_database_url(text);
                return false;
            }
        }
        out.backend = DatabaseBackend::Postgres;
        out.conninfo = text;
        out.redacted = redact_database_url(text);
        return true;
    }
    if (text.compare(scheme.size(), 3, "://") == 0) {
        error = "unknown database kind '" + scheme + "' (sqlite:PATH or postgresql://...)";
        return false;
    }
    // "name:with-colon/ibgate.db": a relative file path.
    out.backend = DatabaseBackend::Sqlite;
    out.sqlite_path = text;
    out.redacted = "sqlite:" + text;
    return true;
}
