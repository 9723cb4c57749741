// Static-file path resolution on the app origin (no certificate needed, so anyone can send it),
// against a scratch web root shaped like the web build's output, with a secret file beside it.
// The input is the request target, a newline, and the Accept-Encoding value.
// Property: only regular files inside the web root answer, never a hidden one, and the encoding
// named matches the file chosen.
#include "fuzz_support.h"

#include "server/static_files.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace fs = std::filesystem;

static std::string web_root;

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    const fs::path dir = fuzz_scratch_dir("static");
    const fs::path web = dir / "web";
    fs::create_directories(web / "assets");
    fs::create_directories(web / ".git");
    fuzz_write_file(web / "index.html", "<!doctype html><title>ibank</title>");
    fuzz_write_file(web / "config.json", "{}");
    fuzz_write_file(web / ".htpasswd", "hidden");
    fuzz_write_file(web / ".git" / "config", "hidden");
    fuzz_write_file(web / "assets" / "app.0123abcd.wasm", "plain");
    fuzz_write_file(web / "assets" / "app.0123abcd.wasm.gz", "gzip");
    fuzz_write_file(web / "assets" / "app.0123abcd.wasm.br", "brotli");
    fuzz_write_file(web / "assets" / "font.89abcdef.woff2", "font");
    fuzz_write_file(dir / "secret.txt", "outside the web root");
    web_root = web.string();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string input(reinterpret_cast<const char*>(data), size);
    const size_t newline = input.find('\n');
    const std::string target = input.substr(0, newline);
    const std::string accept_encoding = newline == std::string::npos ? std::string() : input.substr(newline + 1);

    StaticFile file;
    if (!static_resolve(web_root, target, accept_encoding, file))
        return 0;
    const fs::path path = fs::path(file.path).lexically_normal();
    const fs::path relative = path.lexically_relative(web_root);
    FUZZ_CHECK(!relative.empty() && *relative.begin() != "..");
    for (const fs::path& part : relative)
        FUZZ_CHECK(!part.empty() && part.string()[0] != '.');
    std::error_code ec;
    FUZZ_CHECK(fs::is_regular_file(path, ec));
    if (file.content_encoding == "br")
        FUZZ_CHECK(path.extension() == ".br");
    else if (file.content_encoding == "gzip")
        FUZZ_CHECK(path.extension() == ".gz");
    else
        FUZZ_CHECK(file.content_encoding.empty());
    FUZZ_CHECK(!file.content_type.empty() && !file.cache_control.empty());
    return 0;
}
