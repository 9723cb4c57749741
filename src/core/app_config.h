#pragma once
// The credit union's configuration, served with the app as config.json (docs/config.md is the
// schema), so a credit union changes its name, notices, links and menu without rebuilding.
//
// Parsing never throws (the WebAssembly build aborts on any exception): the text goes through
// nlohmann's non-throwing parser and every field's type is checked before it is read. Missing
// optional fields get defaults; a wrong type, a bad value or malformed JSON fails the whole
// file with a message naming each offending field, which the UI shows as it is.

#include "ui_strings.h"

#include <string>
#include <string_view>
#include <vector>

// A text shown to the customer in both languages. In JSON either {"ja": ..., "en": ...} or a
// plain string used for both; a missing "en" falls back to "ja".
struct LocalText {
    std::string ja;
    std::string en;
};

const std::string& local_text(const LocalText& text, Lang lang);

struct MenuEntry {
    LocalText label;
    std::string url;   // https://... or a path on the app origin ("/...")
};

struct SoftwareKeyboardDefaults {
    bool enabled_by_default = true;             // password typed on the software keyboard first
    bool fixed_layout = false;                  // キー配列を固定 (not recommended)
    bool always_show_labels = false;            // 文字を常に表示
    bool randomize_letters = false;             // shuffle letters too, not only digits
    bool expose_keys_to_assistive_tech = true;  // key characters in the semantic overlay
};

struct AppConfig {
    LocalText credit_union_name;                // required
    std::string institution_code;               // required: 4 digits, as in certificate names
    std::string certificate_origin;             // required: https://host[:port], no path
    std::string app_origin;                     // the origin the server admits (ibgate fills it in); empty: not checked
    std::string forgot_password_url;            // empty: no link on the login screen
    std::vector<LocalText> notices;             // login screen notes
    std::vector<LocalText> security_notices;    // login screen security notes
    LocalText locked_contact;                   // whom a locked user contacts
    std::vector<MenuEntry> transaction_menu;    // main screen menu
    int session_warning_seconds = 120;          // warn this long before the idle timeout
    int certificate_warning_days = 30;          // warn when the certificate expires this soon
    Lang default_language = Lang::Ja;
    SoftwareKeyboardDefaults software_keyboard;
};

// Limits that keep a mistyped file from producing an unusable screen.
constexpr int kConfigMaxListEntries = 20;    // notices, security notices, menu entries
constexpr int kConfigMaxTextBytes = 1000;    // one text
constexpr int kConfigMaxUrlBytes = 2000;

// "" when the page may run at `page_origin` (location.origin); else what an operator needs to
// know, naming both origins: the certificate origin would refuse every request from this page.
std::string app_origin_mismatch(const AppConfig& config, std::string_view page_origin);

// The detail of a request the certificate origin answered but refused (CORS): which origin
// refused which.
std::string cors_refusal_detail(const AppConfig& config, std::string_view page_origin);

// The defaults of every optional field (the manual's notices, a generic contact text).
AppConfig app_config_defaults();

// Parses config.json. On success fills `out` and returns true. Otherwise returns false and sets
// `error` to one line per problem, each naming the field ("credit_union.institution_code: ...").
bool app_config_parse(std::string_view text, AppConfig& out, std::string& error);

// True for URLs the app may open: absolute https:// or a path on the app origin ("/...", but
// not "//host", which is another origin).
bool app_config_url_allowed(std::string_view url);
