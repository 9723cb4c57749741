// Parts of the server that need no network: file selection for the app origin.
#include "server/static_files.h"

#include <catch_amalgamated.hpp>

TEST_CASE("content-hashed names are recognised")
{
    CHECK(is_content_hashed_name("app.0123abcd.wasm"));
    CHECK(is_content_hashed_name("font.deadbeef.woff2"));
    CHECK(is_content_hashed_name("app.544c036ca4fd.css"));
    CHECK(is_content_hashed_name("g-00100.2abac4b68808.otf"));
    CHECK_FALSE(is_content_hashed_name("index.html"));
    CHECK_FALSE(is_content_hashed_name("config.json"));
    CHECK_FALSE(is_content_hashed_name("app.0123ABCD.wasm"));
    CHECK_FALSE(is_content_hashed_name("app.0123abc.wasm"));
    CHECK_FALSE(is_content_hashed_name(".0123abcd.wasm"));
    CHECK_FALSE(is_content_hashed_name("0123abcd.wasm"));
    CHECK_FALSE(is_content_hashed_name("app.0123abcd"));
}

TEST_CASE("Accept-Encoding is read with its q-values")
{
    CHECK(accepts_encoding("gzip, deflate, br", "br"));
    CHECK(accepts_encoding("gzip, deflate, br", "gzip"));
    CHECK(accepts_encoding("BR;q=0.5", "br"));
    CHECK_FALSE(accepts_encoding("br;q=0, gzip", "br"));
    CHECK_FALSE(accepts_encoding("", "gzip"));
    CHECK_FALSE(accepts_encoding("gzipped", "gzip"));
}

TEST_CASE("types of the web build's files")
{
    CHECK(std::string(content_type_for("a.wasm")) == "application/wasm");
    CHECK(std::string(content_type_for("index.html")) == "text/html; charset=utf-8");
    CHECK(std::string(content_type_for("x.woff2")) == "font/woff2");
    CHECK(std::string(content_type_for("unknown.bin")) == "application/octet-stream");
}
