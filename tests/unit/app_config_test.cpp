#include "core/app_config.h"

#include <algorithm>
#include <catch_amalgamated.hpp>
#include <fstream>
#include <sstream>
#include <string>

static const char* kMinimal = R"({
  "credit_union": {"name": {"ja": "しんきん信用金庫", "en": "Shinkin Bank"}, "institution_code": "1399"},
  "certificate_origin": "https://localhost:8444"
})";

// A valid file with `field` (a top-level member) replaced by `value`.
static std::string with(const std::string& field, const std::string& value)
{
    return R"({"credit_union": {"name": "しんきん信用金庫", "institution_code": "1399"},
               "certificate_origin": "https://localhost:8444", ")" + field + "\": " + value + "}";
}

TEST_CASE("a minimal file gets the defaults of every optional field")
{
    AppConfig c;
    std::string error;
    REQUIRE(app_config_parse(kMinimal, c, error));
    CHECK(error.empty());
    CHECK(c.credit_union_name.ja == "しんきん信用金庫");
    CHECK(c.credit_union_name.en == "Shinkin Bank");
    CHECK(c.institution_code == "1399");
    CHECK(c.certificate_origin == "https://localhost:8444");
    CHECK(c.forgot_password_url.empty());
    // The manual's notices are shown when the credit union gives none.
    REQUIRE(c.notices.size() == 3);
    CHECK(c.notices[0].ja == ui_text(StringId::notice_case_sensitive, Lang::Ja));
    REQUIRE(c.security_notices.size() == 3);
    CHECK(c.security_notices[0].ja == ui_text(StringId::security_no_cdrom, Lang::Ja));
    CHECK(c.locked_contact.ja == ui_text(StringId::locked_contact_default, Lang::Ja));
    CHECK(c.transaction_menu.empty());
    CHECK(c.session_warning_seconds == 120);
    CHECK(c.certificate_warning_days == 30);
    CHECK(c.default_language == Lang::Ja);
    CHECK(c.software_keyboard.enabled_by_default);
    CHECK_FALSE(c.software_keyboard.fixed_layout);
    CHECK_FALSE(c.software_keyboard.always_show_labels);
    CHECK_FALSE(c.software_keyboard.randomize_letters);
    CHECK(c.software_keyboard.expose_keys_to_assistive_tech);
}

TEST_CASE("the shipped configuration and the documented example parse and set every field")
{
    for (const char* path : {IBANK_SOURCE_DIR "/docs/config.example.json", IBANK_SOURCE_DIR "/web/config.json"}) {
        CAPTURE(path);
        std::ifstream file(path);
        REQUIRE(file.good());
        std::stringstream text;
        text << file.rdbuf();
        AppConfig c;
        std::string error;
        REQUIRE(app_config_parse(text.str(), c, error));
        CHECK_FALSE(c.forgot_password_url.empty());
        CHECK_FALSE(c.transaction_menu.empty());
        CHECK_FALSE(c.notices.empty());
        CHECK_FALSE(c.security_notices.empty());
        for (const MenuEntry& m : c.transaction_menu) {
            CHECK_FALSE(m.label.ja.empty());
            CHECK_FALSE(m.label.en.empty());
            CHECK(app_config_url_allowed(m.url));
        }
    }
}

TEST_CASE("optional fields are read when present")
{
    struct Row { std::string field; std::string value; };
    const Row rows[] = {
        {"forgot_password_url", R"("https://www.example-shinkin.jp/ib/forgot")"},
        {"notices", R"(["一つ目", {"ja": "二つ目", "en": "Second"}])"},
        {"security_notices", R"([])"},
        {"locked_contact", R"({"ja": "ヘルプデスク 0120-000-000"})"},
        {"transaction_menu", R"([{"label": {"ja": "残高照会", "en": "Balances"}, "url": "/ib/balance"}])"},
        {"session_warning_seconds", "300"},
        {"certificate_warning_days", "14"},
        {"default_language", R"("en")"},
        {"software_keyboard", R"({"enabled_by_default": false, "fixed_layout": true})"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.field);
        AppConfig c;
        std::string error;
        REQUIRE(app_config_parse(with(row.field, row.value), c, error));
        if (row.field == "forgot_password_url")
            CHECK(c.forgot_password_url == "https://www.example-shinkin.jp/ib/forgot");
        if (row.field == "notices") {
            REQUIRE(c.notices.size() == 2);
            CHECK(c.notices[0].en == "一つ目");   // a plain string serves both languages
            CHECK(c.notices[1].en == "Second");
        }
        if (row.field == "security_notices")
            CHECK(c.security_notices.empty());   // an explicit empty list shows none
        if (row.field == "locked_contact") {
            CHECK(c.locked_contact.ja == "ヘルプデスク 0120-000-000");
            CHECK(local_text(c.locked_contact, Lang::En) == "ヘルプデスク 0120-000-000");   // en falls back to ja
        }
        if (row.field == "transaction_menu") {
            REQUIRE(c.transaction_menu.size() == 1);
            CHECK(c.transaction_menu[0].url == "/ib/balance");
            CHECK(local_text(c.transaction_menu[0].label, Lang::En) == "Balances");
        }
        if (row.field == "session_warning_seconds")
            CHECK(c.session_warning_seconds == 300);
        if (row.field == "certificate_warning_days")
            CHECK(c.certificate_warning_days == 14);
        if (row.field == "default_language")
            CHECK(c.default_language == Lang::En);
        if (row.field == "software_keyboard") {
            CHECK_FALSE(c.software_keyboard.enabled_by_default);
            CHECK(c.software_keyboard.fixed_layout);
            CHECK(c.software_keyboard.expose_keys_to_assistive_tech);   // unchanged default
        }
    }
}

TEST_CASE("a wrong type or value fails with a message naming the field")
{
    struct Row { std::string field; std::string value; const char* message_part; };
    const Row rows[] = {
        {"forgot_password_url", "42", "forgot_password_url: must be a string"},
        {"forgot_password_url", R"j("javascript:alert(1)")j", "forgot_password_url: must be an https:// URL"},
        {"forgot_password_url", R"("http://plain.example.jp/")", "forgot_password_url: must be an https:// URL"},
        {"forgot_password_url", R"("//evil.example/")", "forgot_password_url: must be an https:// URL"},
        {"notices", R"("not a list")", "notices: must be an array"},
        {"notices", R"([1])", "notices[0]: must be a string or an object"},
        {"notices", R"([{"en": "no Japanese"}])", "notices[0].ja: is missing"},
        {"notices", R"([""])", "notices[0]: must not be empty"},
        {"security_notices", R"([{"ja": true}])", "security_notices[0].ja: must be a string"},
        {"locked_contact", "[]", "locked_contact: must be a string or an object"},
        {"transaction_menu", R"({})", "transaction_menu: must be an array"},
        {"transaction_menu", R"([{"label": "送金"}])", "transaction_menu[0].url: is missing"},
        {"transaction_menu", R"([{"url": "/x"}])", "transaction_menu[0].label: is missing"},
        {"transaction_menu", R"([{"label": "送金", "url": "data:text/html,x"}])", "transaction_menu[0].url: must be an https:// URL"},
        {"transaction_menu", R"(["送金"])", "transaction_menu[0]: must be an object"},
        {"session_warning_seconds", R"("120")", "session_warning_seconds: must be a whole number"},
        {"session_warning_seconds", "1.5", "session_warning_seconds: must be a whole number"},
        {"session_warning_seconds", "0", "session_warning_seconds: must be between 10 and 1800"},
        {"session_warning_seconds", "99999999999999999999", "session_warning_seconds: must be"},
        {"certificate_warning_days", "-1", "certificate_warning_days: must be between 0 and 365"},
        {"default_language", R"("fr")", "default_language: must be \"ja\" or \"en\""},
        {"software_keyboard", "true", "software_keyboard: must be an object"},
        {"software_keyboard", R"({"fixed_layout": "yes"})", "software_keyboard.fixed_layout: must be true or false"},
        {"software_keyboard", R"({"expose_keys_to_assistive_tech": 1})", "software_keyboard.expose_keys_to_assistive_tech: must be true or false"},
        {"schema_version", "2", "schema_version: must be between 1 and 1"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.field, row.value);
        AppConfig c;
        c.institution_code = "untouched";
        std::string error;
        CHECK_FALSE(app_config_parse(with(row.field, row.value), c, error));
        CHECK_THAT(error, Catch::Matchers::ContainsSubstring(row.message_part));
        CHECK(c.institution_code == "untouched");   // nothing half-applied
    }
}

TEST_CASE("required fields and their values are checked")
{
    struct Row { const char* text; const char* message_part; };
    const Row rows[] = {
        {R"({"certificate_origin": "https://c.example.jp"})", "credit_union: is missing"},
        {R"({"credit_union": "x", "certificate_origin": "https://c.example.jp"})", "credit_union: must be an object"},
        {R"({"credit_union": {"institution_code": "1399"}, "certificate_origin": "https://c.example.jp"})", "credit_union.name: is missing"},
        {R"({"credit_union": {"name": "A"}, "certificate_origin": "https://c.example.jp"})", "credit_union.institution_code: is missing"},
        {R"({"credit_union": {"name": "A", "institution_code": 1399}, "certificate_origin": "https://c.example.jp"})", "credit_union.institution_code: must be a string"},
        {R"({"credit_union": {"name": "A", "institution_code": "139"}, "certificate_origin": "https://c.example.jp"})", "credit_union.institution_code: must be 4 digits"},
        {R"({"credit_union": {"name": "A", "institution_code": "13a9"}, "certificate_origin": "https://c.example.jp"})", "credit_union.institution_code: must be 4 digits"},
        {R"({"credit_union": {"name": "A", "institution_code": "1399"}})", "certificate_origin: is missing"},
        {R"({"credit_union": {"name": "A", "institution_code": "1399"}, "certificate_origin": "http://c.example.jp"})", "certificate_origin: must be an https origin"},
        {R"({"credit_union": {"name": "A", "institution_code": "1399"}, "certificate_origin": "https://c.example.jp/api"})", "certificate_origin: must be an https origin"},
        {R"({"credit_union": {"name": "A", "institution_code": "1399"}, "certificate_origin": "https://"})", "certificate_origin: must be an https origin"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.text);
        AppConfig c;
        std::string error;
        CHECK_FALSE(app_config_parse(row.text, c, error));
        CHECK_THAT(error, Catch::Matchers::ContainsSubstring(row.message_part));
    }
}

TEST_CASE("a trailing slash on the certificate origin is tolerated and removed")
{
    AppConfig c;
    std::string error;
    REQUIRE(app_config_parse(R"({"credit_union": {"name": "A", "institution_code": "1399"},
                                 "certificate_origin": "https://localhost:8444/"})", c, error));
    CHECK(c.certificate_origin == "https://localhost:8444");
}

TEST_CASE("every problem in a file is reported, one per line")
{
    AppConfig c;
    std::string error;
    CHECK_FALSE(app_config_parse(R"({"credit_union": {"name": 5, "institution_code": "12"},
                                     "session_warning_seconds": "x"})", c, error));
    CHECK_THAT(error, Catch::Matchers::ContainsSubstring("credit_union.name: must be a string"));
    CHECK_THAT(error, Catch::Matchers::ContainsSubstring("credit_union.institution_code: must be 4 digits"));
    CHECK_THAT(error, Catch::Matchers::ContainsSubstring("certificate_origin: is missing"));
    CHECK_THAT(error, Catch::Matchers::ContainsSubstring("session_warning_seconds: must be a whole number"));
    CHECK(std::count(error.begin(), error.end(), '\n') == 3);
}

TEST_CASE("malformed files fail with a clear message, never a crash")
{
    struct Row { std::string text; const char* message_part; };
    const Row rows[] = {
        {"", "not valid JSON"},
        {"{", "not valid JSON"},
        {R"({"credit_union": {"name": "A",}})", "not valid JSON"},
        {"<html>404 Not Found</html>", "not valid JSON"},
        {"[1, 2]", "must hold one JSON object"},
        {"\"text\"", "must hold one JSON object"},
        {"{\"credit_union\": {\"name\": \"\xff\xfe\"}}", "not valid JSON"},   // invalid UTF-8
        {std::string(100000, '['), "nests arrays or objects deeper"},
        {"{\"a\": " + std::string(40, '[') + std::string(40, ']') + "}", "nests arrays or objects deeper"},
        {R"({"credit_union": {"name": "A", "name": "B"}})", "has the key \"name\" twice"},
        {std::string("{}\0", 3), "not valid JSON"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.text.substr(0, 40));
        AppConfig c;
        std::string error;
        CHECK_FALSE(app_config_parse(row.text, c, error));
        CHECK_THAT(error, Catch::Matchers::ContainsSubstring(row.message_part));
    }
}

TEST_CASE("brackets inside strings do not count as nesting")
{
    AppConfig c;
    std::string error;
    const std::string notice = "\"" + std::string(100, '[') + " \\\" {{{ \"";
    REQUIRE(app_config_parse(with("notices", "[" + notice + "]"), c, error));
    REQUIRE(c.notices.size() == 1);
    CHECK(c.notices[0].ja.size() == 100 + 7);
}

TEST_CASE("overlong texts and lists are refused")
{
    AppConfig c;
    std::string error;
    const std::string long_text = "\"" + std::string(kConfigMaxTextBytes + 1, 'a') + "\"";
    CHECK_FALSE(app_config_parse(with("notices", "[" + long_text + "]"), c, error));
    CHECK_THAT(error, Catch::Matchers::ContainsSubstring("notices[0]: is longer than"));

    std::string many = "[";
    for (int i = 0; i <= kConfigMaxListEntries; i++)
        many += std::string(i ? "," : "") + "\"n\"";
    many += "]";
    CHECK_FALSE(app_config_parse(with("security_notices", many), c, error));
    CHECK_THAT(error, Catch::Matchers::ContainsSubstring("security_notices: has more than 20 entries"));
}

TEST_CASE("only https URLs and paths on the app origin may be opened")
{
    struct Row { const char* url; bool allowed; };
    const Row rows[] = {
        {"https://www.example-shinkin.jp/ib/forgot", true},
        {"/ib/transfer", true},
        {"/", true},
        {"", false},
        {"http://www.example-shinkin.jp/", false},
        {"javascript:alert(1)", false},
        {"JAVASCRIPT:alert(1)", false},
        {"data:text/html,<b>x</b>", false},
        {"//evil.example/", false},
        {"/\\evil.example/", false},
        {"https:///path", false},
        {"https://example.jp/a b", false},
        {"relative/path", false},
    };
    for (const Row& row : rows) {
        CAPTURE(row.url);
        CHECK(app_config_url_allowed(row.url) == row.allowed);
    }
}

TEST_CASE("app_origin: the page checks it runs where the service admits it")
{
    AppConfig c;
    std::string error;
    REQUIRE(app_config_parse(kMinimal, c, error));
    CHECK(c.app_origin.empty());
    CHECK(app_origin_mismatch(c, "https://anywhere.example").empty());   // not told: not checked

    REQUIRE(app_config_parse(with("app_origin", "\"https://ib.example.jp/\""), c, error));
    CHECK(c.app_origin == "https://ib.example.jp");
    struct Row { const char* page_origin; bool mismatch; };
    const Row rows[] = {{"https://ib.example.jp", false}, {"https://ib.example.jp:8443", true},
                        {"http://ib.example.jp", true}, {"https://127.0.0.1", true}, {"", true}};
    for (const Row& row : rows) {
        CAPTURE(row.page_origin);
        const std::string detail = app_origin_mismatch(c, row.page_origin);
        CHECK(detail.empty() != row.mismatch);
        if (row.mismatch) {
            // Both origins named, for the operator.
            CHECK(detail.find("https://ib.example.jp") != std::string::npos);
            CHECK(detail.find(row.page_origin) != std::string::npos);
        }
    }
    const std::string cors = cors_refusal_detail(c, "https://other.example");
    CHECK(cors.find(c.certificate_origin) != std::string::npos);
    CHECK(cors.find("https://other.example") != std::string::npos);

    AppConfig bad;
    CHECK_FALSE(app_config_parse(with("app_origin", "\"https://ib.example.jp/login\""), bad, error));
    CHECK(error.find("app_origin") != std::string::npos);
    CHECK_FALSE(app_config_parse(with("app_origin", "\"http://ib.example.jp\""), bad, error));
}
