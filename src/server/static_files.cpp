#include "server/static_files.h"
#include "server/header_text.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

const char* content_type_for(const std::string& file_name)
{
    struct Type { const char* ext; const char* type; };
    static const Type kTypes[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json; charset=utf-8"},
        {".webmanifest", "application/manifest+json"},
        {".wasm", "application/wasm"},
        {".map", "application/json; charset=utf-8"},
        {".png", "image/png"},
        {".svg", "image/svg+xml"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".ttf", "font/ttf"},
        {".otf", "font/otf"},
        {".txt", "text/plain; charset=utf-8"},
    };
    std::string ext = ascii_lower(fs::path(file_name).extension().string());
    for (const Type& t : kTypes)
        if (ext == t.ext)
            return t.type;
    return "application/octet-stream";
}

bool is_content_hashed_name(const std::string& file_name)
{
    // The segment before the extension: 8 to 64 lowercase hex digits, after a non-empty name.
    size_t last = file_name.rfind('.');
    if (last == std::string::npos || last == 0)
        return false;
    size_t dot = file_name.rfind('.', last - 1);
    if (dot == std::string::npos || dot == 0)
        return false;
    size_t hash_size = last - dot - 1;
    if (hash_size < 8 || hash_size > 64)
        return false;
    for (size_t i = dot + 1; i < last; i++) {
        char c = file_name[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

bool accepts_encoding(const std::string& accept_encoding, const std::string& coding)
{
    size_t pos = 0;
    std::string header = ascii_lower(accept_encoding);
    while (pos <= header.size()) {
        size_t end = header.find(',', pos);
        if (end == std::string::npos)
            end = header.size();
        std::string item = header.substr(pos, end - pos);
        std::string name = trim_blanks(item.substr(0, item.find(';')));
        if (name == coding) {
            size_t q = item.find("q=");
            if (q == std::string::npos)
                return true;
            double value = std::atof(item.c_str() + q + 2);
            return value > 0.0;
        }
        pos = end + 1;
    }
    return false;
}

// Only plain names: letters, digits, '.', '_', '-' per segment, no segment starting with '.'
// (no "..", no hidden files), no empty segment. Anything else is refused rather than decoded.
static bool safe_relative_path(const std::string& path)
{
    if (path.empty())
        return false;
    size_t pos = 0;
    while (pos <= path.size()) {
        size_t end = path.find('/', pos);
        if (end == std::string::npos)
            end = path.size();
        if (end == pos || path[pos] == '.')
            return false;
        for (size_t i = pos; i < end; i++) {
            char c = path[i];
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                      || c == '-';
            if (!ok)
                return false;
        }
        pos = end + 1;
    }
    return true;
}

static bool regular_file(const fs::path& p)
{
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

bool is_page_config_target(const std::string& target)
{
    return target.substr(0, target.find_first_of("?#")) == std::string("/") + kPageConfigName;
}

bool static_resolve(const std::string& web_root, const std::string& target, const std::string& accept_encoding,
                    StaticFile& out)
{
    std::string path = target.substr(0, target.find_first_of("?#"));
    if (path.empty() || path[0] != '/')
        return false;
    path = path.substr(1);
    if (path.empty())
        path = "index.html";
    if (!safe_relative_path(path))
        return false;
    fs::path file = fs::path(web_root) / path;
    if (!regular_file(file))
        return false;

    std::string name = file.filename().string();
    out.content_type = content_type_for(name);
    out.cache_control = is_content_hashed_name(name) ? "public, max-age=31536000, immutable" : "no-cache";
    out.path = file.string();
    out.content_encoding.clear();
    // The page's configuration is filled in by the server before sending: its precompressed
    // siblings hold the file as written, so they are never the answer.
    if (is_page_config_target(target))
        return true;
    if (accepts_encoding(accept_encoding, "br") && regular_file(file.string() + ".br")) {
        out.path = file.string() + ".br";
        out.content_encoding = "br";
    } else if (accepts_encoding(accept_encoding, "gzip") && regular_file(file.string() + ".gz")) {
        out.path = file.string() + ".gz";
        out.content_encoding = "gzip";
    }
    return true;
}
