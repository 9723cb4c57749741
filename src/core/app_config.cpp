#include "app_config.h"

#include "json_strict.h"
#include "protocol.h"

#include <nlohmann/json.hpp>

using json = nlohmann::json;

const std::string& local_text(const LocalText& text, Lang lang)
{
    if (lang == Lang::En && !text.en.empty())
        return text.en;
    return text.ja;
}

static LocalText text_of(StringId id)
{
    return LocalText{ui_text(id, Lang::Ja), ui_text(id, Lang::En)};
}

AppConfig app_config_defaults()
{
    AppConfig config;
    config.notices = {text_of(StringId::notice_case_sensitive), text_of(StringId::notice_browser_buttons),
                      text_of(StringId::notice_display_settings)};
    config.security_notices = {text_of(StringId::security_no_cdrom), text_of(StringId::security_check_transactions),
                               text_of(StringId::security_suspicious_mail)};
    config.locked_contact = text_of(StringId::locked_contact_default);
    return config;
}

bool app_config_url_allowed(std::string_view url)
{
    if (url.empty() || url.size() > static_cast<size_t>(kConfigMaxUrlBytes))
        return false;
    for (char c : url)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)   // no spaces or control characters
            return false;
    if (url.starts_with("https://"))
        return url.size() > 8 && url[8] != '/';
    return url[0] == '/' && (url.size() == 1 || (url[1] != '/' && url[1] != '\\'));
}

// An origin is scheme://host[:port] and nothing else; the browser compares it byte for byte
// (CORS), so a path or trailing slash here would break every request.
static bool origin_valid(std::string_view origin)
{
    if (!origin.starts_with("https://") || origin.size() > static_cast<size_t>(kConfigMaxUrlBytes))
        return false;
    std::string_view rest = origin.substr(8);
    if (rest.empty() || rest[0] == ':')
        return false;
    for (char c : rest) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
        if (!ok)
            return false;
    }
    return true;
}

namespace {

// Collects problems while reading; every reader below leaves the default in place on a problem.
struct Reader {
    std::string errors;

    void fail(const std::string& field, const std::string& problem)
    {
        if (!errors.empty())
            errors += '\n';
        errors += field + ": " + problem;
    }

    bool read_string(const json& j, const std::string& field, std::string& out, size_t max_bytes)
    {
        if (!j.is_string()) {
            fail(field, "must be a string");
            return false;
        }
        const std::string& s = j.get_ref<const std::string&>();
        if (s.size() > max_bytes) {
            fail(field, "is longer than " + std::to_string(max_bytes) + " bytes");
            return false;
        }
        out = s;
        return true;
    }

    // An https origin without a path; a trailing '/' is tolerated and removed.
    void read_origin(const json& j, const std::string& field, const char* example, std::string& out)
    {
        std::string origin;
        if (!read_string(j, field, origin, static_cast<size_t>(kConfigMaxUrlBytes)))
            return;
        if (origin.size() > 8 && origin.back() == '/')
            origin.pop_back();
        if (origin_valid(origin))
            out = origin;
        else
            fail(field, std::string("must be an https origin such as \"") + example + "\", without a path (got \"" + origin + "\")");
    }

    void read_text(const json& j, const std::string& field, LocalText& out)
    {
        LocalText text;
        const size_t max = static_cast<size_t>(kConfigMaxTextBytes);
        if (j.is_string()) {
            if (!read_string(j, field, text.ja, max))
                return;
            text.en = text.ja;
        } else if (j.is_object()) {
            auto ja = j.find("ja");
            if (ja == j.end()) {
                fail(field + ".ja", "is missing");
                return;
            }
            if (!read_string(*ja, field + ".ja", text.ja, max))
                return;
            auto en = j.find("en");
            if (en != j.end() && !read_string(*en, field + ".en", text.en, max))
                return;
        } else {
            fail(field, "must be a string or an object {\"ja\": ..., \"en\": ...}");
            return;
        }
        if (text.ja.empty()) {
            fail(field + (j.is_object() ? ".ja" : ""), "must not be empty");
            return;
        }
        out = text;
    }

    void read_text_list(const json& j, const std::string& field, std::vector<LocalText>& out)
    {
        if (!j.is_array()) {
            fail(field, "must be an array");
            return;
        }
        if (j.size() > static_cast<size_t>(kConfigMaxListEntries)) {
            fail(field, "has more than " + std::to_string(kConfigMaxListEntries) + " entries");
            return;
        }
        std::vector<LocalText> list;
        for (size_t i = 0; i < j.size(); i++) {
            LocalText text;
            const size_t before = errors.size();
            read_text(j[i], field + "[" + std::to_string(i) + "]", text);
            if (errors.size() == before)
                list.push_back(text);
        }
        out = list;
    }

    void read_url(const json& j, const std::string& field, std::string& out)
    {
        std::string url;
        if (!read_string(j, field, url, static_cast<size_t>(kConfigMaxUrlBytes)))
            return;
        if (!app_config_url_allowed(url)) {
            fail(field, "must be an https:// URL or a path starting with \"/\" (got \"" + url + "\")");
            return;
        }
        out = url;
    }

    void read_int(const json& j, const std::string& field, int& out, int min, int max)
    {
        if (!j.is_number_integer()) {
            fail(field, "must be a whole number");
            return;
        }
        long long v = 0;
        if (j.is_number_unsigned()) {
            const unsigned long long u = j.get<unsigned long long>();
            v = u > 1000000000ULL ? 1000000000LL : static_cast<long long>(u);
        } else {
            v = j.get<long long>();
        }
        if (v < min || v > max) {
            fail(field, "must be between " + std::to_string(min) + " and " + std::to_string(max));
            return;
        }
        out = static_cast<int>(v);
    }

    void read_bool(const json& j, const std::string& field, bool& out)
    {
        if (!j.is_boolean()) {
            fail(field, "must be true or false");
            return;
        }
        out = j.get<bool>();
    }
};

const json* member(const json& obj, const char* name)
{
    auto it = obj.find(name);
    return it == obj.end() ? nullptr : &*it;
}

} // namespace

bool app_config_parse(std::string_view text, AppConfig& out, std::string& error)
{
    error.clear();
    json root;
    std::string duplicate_key;
    switch (json_parse_strict(text, root, &duplicate_key)) {
    case JsonTextProblem::None:
        break;
    case JsonTextProblem::NotJson:
        error = "config.json is not valid JSON (check for a missing comma, quote or bracket)";
        return false;
    case JsonTextProblem::TooDeep:
        error = "config.json nests arrays or objects deeper than " + std::to_string(kJsonMaxNesting) + " levels";
        return false;
    case JsonTextProblem::DuplicateKey:
        // Which of the two values was meant is anyone's guess; the operator decides.
        error = "config.json has the key \"" + duplicate_key + "\" twice in one object";
        return false;
    }
    if (!root.is_object()) {
        error = "config.json must hold one JSON object { ... }";
        return false;
    }

    AppConfig config = app_config_defaults();
    Reader r;

    if (const json* v = member(root, "schema_version")) {
        int version = 1;
        r.read_int(*v, "schema_version", version, 1, 1);
    }

    const json* cu = member(root, "credit_union");
    if (!cu) {
        r.fail("credit_union", "is missing (it holds the credit union's name and institution code)");
    } else if (!cu->is_object()) {
        r.fail("credit_union", "must be an object");
    } else {
        if (const json* v = member(*cu, "name"))
            r.read_text(*v, "credit_union.name", config.credit_union_name);
        else
            r.fail("credit_union.name", "is missing");
        if (const json* v = member(*cu, "institution_code")) {
            std::string code;
            if (r.read_string(*v, "credit_union.institution_code", code, 16)) {
                if (api::is_institution_code(code))
                    config.institution_code = code;
                else
                    r.fail("credit_union.institution_code", "must be 4 digits, as in certificate names (got \"" + code + "\")");
            }
        } else {
            r.fail("credit_union.institution_code", "is missing");
        }
    }

    if (const json* v = member(root, "certificate_origin"))
        r.read_origin(*v, "certificate_origin", "https://cert.example.jp:8444", config.certificate_origin);
    else
        r.fail("certificate_origin", "is missing (the https origin that asks for the client certificate)");
    if (const json* v = member(root, "app_origin"))
        r.read_origin(*v, "app_origin", "https://ib.example.jp", config.app_origin);

    if (const json* v = member(root, "forgot_password_url"))
        r.read_url(*v, "forgot_password_url", config.forgot_password_url);
    if (const json* v = member(root, "notices"))
        r.read_text_list(*v, "notices", config.notices);
    if (const json* v = member(root, "security_notices"))
        r.read_text_list(*v, "security_notices", config.security_notices);
    if (const json* v = member(root, "locked_contact"))
        r.read_text(*v, "locked_contact", config.locked_contact);

    if (const json* v = member(root, "transaction_menu")) {
        if (!v->is_array()) {
            r.fail("transaction_menu", "must be an array");
        } else if (v->size() > static_cast<size_t>(kConfigMaxListEntries)) {
            r.fail("transaction_menu", "has more than " + std::to_string(kConfigMaxListEntries) + " entries");
        } else {
            for (size_t i = 0; i < v->size(); i++) {
                const std::string field = "transaction_menu[" + std::to_string(i) + "]";
                const json& e = (*v)[i];
                if (!e.is_object()) {
                    r.fail(field, "must be an object {\"label\": ..., \"url\": ...}");
                    continue;
                }
                MenuEntry entry;
                const size_t before = r.errors.size();
                if (const json* label = member(e, "label"))
                    r.read_text(*label, field + ".label", entry.label);
                else
                    r.fail(field + ".label", "is missing");
                if (const json* url = member(e, "url"))
                    r.read_url(*url, field + ".url", entry.url);
                else
                    r.fail(field + ".url", "is missing");
                if (r.errors.size() == before)
                    config.transaction_menu.push_back(entry);
            }
        }
    }

    if (const json* v = member(root, "session_warning_seconds"))
        r.read_int(*v, "session_warning_seconds", config.session_warning_seconds, 10, 1800);
    if (const json* v = member(root, "certificate_warning_days"))
        r.read_int(*v, "certificate_warning_days", config.certificate_warning_days, 0, 365);

    if (const json* v = member(root, "default_language")) {
        std::string lang;
        if (r.read_string(*v, "default_language", lang, 8)) {
            if (lang == "ja")
                config.default_language = Lang::Ja;
            else if (lang == "en")
                config.default_language = Lang::En;
            else
                r.fail("default_language", "must be \"ja\" or \"en\" (got \"" + lang + "\")");
        }
    }

    if (const json* kb = member(root, "software_keyboard")) {
        if (!kb->is_object()) {
            r.fail("software_keyboard", "must be an object");
        } else {
            SoftwareKeyboardDefaults& d = config.software_keyboard;
            struct Flag { const char* name; bool* value; };
            const Flag flags[] = {
                {"enabled_by_default", &d.enabled_by_default},
                {"fixed_layout", &d.fixed_layout},
                {"always_show_labels", &d.always_show_labels},
                {"randomize_letters", &d.randomize_letters},
                {"expose_keys_to_assistive_tech", &d.expose_keys_to_assistive_tech},
            };
            for (const Flag& f : flags)
                if (const json* v = member(*kb, f.name))
                    r.read_bool(*v, std::string("software_keyboard.") + f.name, *f.value);
        }
    }

    if (!r.errors.empty()) {
        error = r.errors;
        return false;
    }
    out = config;
    return true;
}

std::string app_origin_mismatch(const AppConfig& config, std::string_view page_origin)
{
    if (config.app_origin.empty() || config.app_origin == page_origin)
        return {};
    return "this page was opened at " + std::string(page_origin) + ", but the service admits only " + config.app_origin +
           " (config.json app_origin, ibgate serve --app-origin): open the page there, or start the server with this origin";
}

std::string cors_refusal_detail(const AppConfig& config, std::string_view page_origin)
{
    return config.certificate_origin + " answered but refused requests from " + std::string(page_origin) +
           " (CORS): the server's --app-origin must be this page's origin, and config.json's certificate_origin that server";
}
