#pragma once
// The app origin's files: the web build's output directory (build/dist). Decides which file
// answers a request, with which type, encoding and cache lifetime; http_server.cpp sends it.

#include <cstdint>
#include <string>

struct StaticFile {
    std::string path;              // file to send (maybe the .br / .gz sibling)
    std::string content_type;
    std::string content_encoding;  // "", "br" or "gzip"
    std::string cache_control;
};

// False when no file answers `target` (unknown, hidden, or a path that tries to leave the root).
// The page's configuration (is_page_config_target) is never answered by a precompressed sibling.
bool static_resolve(const std::string& web_root, const std::string& target, const std::string& accept_encoding,
                    StaticFile& out);

// "name.0123abcd.ext" (8 to 64 hex digits): the web build names assets after their content, so
// they never change.
bool is_content_hashed_name(const std::string& file_name);

// Does the Accept-Encoding header admit `coding` (q > 0)?
bool accepts_encoding(const std::string& accept_encoding, const std::string& coding);

const char* content_type_for(const std::string& file_name);

// The page's configuration, which the server fills in before sending (page_config.h).
constexpr const char* kPageConfigName = "config.json";
// Does `target` name it (at the root, with or without a query)?
bool is_page_config_target(const std::string& target);
