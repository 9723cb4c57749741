// config.json as the page downloads it (an operator's typo or a tampered file).
// Property: a file that parses holds only values the screens can show - 4-digit code, allowed
// URLs, bounded lists and numbers - and a file that does not names at least one problem.
#include "fuzz_support.h"

#include "core/app_config.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

static void check_text(const LocalText& text)
{
    FUZZ_CHECK(text.ja.size() <= static_cast<size_t>(kConfigMaxTextBytes));
    FUZZ_CHECK(text.en.size() <= static_cast<size_t>(kConfigMaxTextBytes));
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    AppConfig config;
    std::string error;
    if (!app_config_parse(text, config, error)) {
        FUZZ_CHECK(!error.empty());
        return 0;
    }
    FUZZ_CHECK(error.empty());
    FUZZ_CHECK(config.institution_code.size() == 4);
    for (char c : config.institution_code)
        FUZZ_CHECK(c >= '0' && c <= '9');
    FUZZ_CHECK(config.certificate_origin.rfind("https://", 0) == 0);
    FUZZ_CHECK(config.forgot_password_url.empty() || app_config_url_allowed(config.forgot_password_url));
    FUZZ_CHECK(config.notices.size() <= static_cast<size_t>(kConfigMaxListEntries));
    FUZZ_CHECK(config.security_notices.size() <= static_cast<size_t>(kConfigMaxListEntries));
    FUZZ_CHECK(config.transaction_menu.size() <= static_cast<size_t>(kConfigMaxListEntries));
    check_text(config.credit_union_name);
    check_text(config.locked_contact);
    for (const LocalText& t : config.notices)
        check_text(t);
    for (const LocalText& t : config.security_notices)
        check_text(t);
    for (const MenuEntry& e : config.transaction_menu) {
        check_text(e.label);
        FUZZ_CHECK(app_config_url_allowed(e.url));
    }
    FUZZ_CHECK(config.session_warning_seconds >= 10 && config.session_warning_seconds <= 1800);
    FUZZ_CHECK(config.certificate_warning_days >= 0 && config.certificate_warning_days <= 365);
    return 0;
}
