#pragma once
// The page's configuration (config.json) as the app origin serves it: the credit union's file
// from the web root with the values this server runs with written over the file's. The page
// then cannot call another certificate origin than the one that answers it, expect another
// institution code than the one in the certificates, or run at an origin CORS refuses without
// knowing it (it compares `app_origin` with its own and says the service is misconfigured).
// Read from disk on every request (the file changes without a restart); pure here.

#include <string>
#include <string_view>
#include <vector>

struct PageConfigFacts {
    std::string app_origin;           // serve --app-origin: the only origin CORS admits
    std::string certificate_origin;   // serve --cert-origin
    std::string institution_code;     // the data directory's 金融機関コード
};

// The largest config.json served (the page refuses nothing smaller; a credit union's file is a
// few KiB). A larger file is served as it is, for the page to report.
constexpr size_t kPageConfigMaxBytes = 256 * 1024;

struct PageConfig {
    bool filled = false;                // false: `text` is the file unchanged (not a JSON object)
    std::string text;                   // what the page gets
    // "certificate_origin: https://localhost:8444 -> https://localhost:8454", one per value the
    // file had differently (the start-up log shows them once).
    std::vector<std::string> replaced;
};

PageConfig page_config_fill(std::string_view file_text, const PageConfigFacts& facts);

// web_root/config.json read (at most kPageConfigMaxBytes + 1 bytes) and filled; false when the
// file cannot be read.
bool page_config_read(const std::string& web_root, const PageConfigFacts& facts, PageConfig& out);
