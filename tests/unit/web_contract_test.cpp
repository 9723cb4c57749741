// The contract between the page's own JavaScript and CSS (web/) and the C++ code: the generated
// constants and colours (src/web_contract) carry the C++ definitions, and neither web/ nor the
// JavaScript inside the C++ glue (EM_JS in src/platform/web) holds a copy that could drift.
#include "web_contract/web_contract.h"

#include "core/display_prefs.h"
#include "core/protocol.h"
#include "core/semantics.h"
#include "platform/web/browser.h"
#include "platform/web/page_contract.h"

#include <catch_amalgamated.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string read_text(const std::filesystem::path& path)
{
    std::ifstream file(path);
    REQUIRE(file.good());
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

std::string trim(const std::string& s)
{
    const size_t first = s.find_first_not_of(' ');
    return first == std::string::npos ? std::string() : s.substr(first);
}

// The generated CSS as "media query|selector" -> property -> value, plus the order the blocks
// come in (a later block wins over an earlier one with the same specificity).
struct CssBlocks {
    std::map<std::string, std::map<std::string, std::string>> blocks;
    std::vector<std::string> order;
};

CssBlocks parse_css(const std::string& css)
{
    CssBlocks out;
    std::string media;
    std::string selector;
    std::istringstream lines(css);
    for (std::string line; std::getline(lines, line);) {
        const std::string t = trim(line);
        if (t.rfind("/*", 0) == 0)
            continue;
        if (t.rfind("@media ", 0) == 0 && t.size() > 2 && t.substr(t.size() - 2) == " {") {
            media = t.substr(7, t.size() - 9);
        } else if (t.size() > 2 && t.substr(t.size() - 2) == " {") {
            selector = media + "|" + t.substr(0, t.size() - 2);
            out.order.push_back(selector);
        } else if (t == "}") {
            if (!selector.empty())
                selector.clear();
            else
                media.clear();
        } else if (t.rfind("--", 0) == 0) {
            REQUIRE(!selector.empty());
            const size_t colon = t.find(": ");
            REQUIRE(colon != std::string::npos);
            REQUIRE(t.back() == ';');
            out.blocks[selector][t.substr(2, colon - 2)] = t.substr(colon + 2, t.size() - colon - 3);
        } else {
            FAIL("unexpected line in the generated CSS: " << line);
        }
    }
    return out;
}

// The object literal of window.ibankContract in the generated script.
nlohmann::json contract_object()
{
    const std::string js = page_contract_js();
    const size_t start = js.find("})(");
    const size_t end = js.rfind(");");
    REQUIRE(start != std::string::npos);
    REQUIRE(end != std::string::npos);
    const std::string literal = js.substr(start + 3, end - start - 3);
    const nlohmann::json parsed = nlohmann::json::parse(literal, nullptr, false);
    REQUIRE(!parsed.is_discarded());
    return parsed;
}

} // namespace

TEST_CASE("css_hex writes #rrggbb in lower case")
{
    CHECK(css_hex(rgb(0x000000)) == "#000000");
    CHECK(css_hex(rgb(0xF7F7F5)) == "#f7f7f5");
    CHECK(css_hex(rgb(0x0D4D8C)) == "#0d4d8c");
}

TEST_CASE("the generated CSS gives every theme exactly its palette colours")
{
    const CssBlocks css = parse_css(page_theme_css());
    const std::string system = ":root:not([data-theme])";
    const std::string dark_query = page::kQueryDark;
    const std::string contrast_query = std::string(page::kQueryMoreContrast) + ", " + page::kQueryForcedColors;
    struct Expected {
        std::string block;
        Theme theme;
    };
    const Expected expected[] = {
        {"|:root", Theme::Light},   // nothing known yet about the system
        {dark_query + "|" + system, Theme::Dark},
        {contrast_query + "|" + system, Theme::HighContrast},
        {"|:root[data-theme=\"light\"]", Theme::Light},
        {"|:root[data-theme=\"dark\"]", Theme::Dark},
        {"|:root[data-theme=\"high-contrast\"]", Theme::HighContrast},
    };
    CHECK(css.blocks.size() == std::size(expected));
    for (const Expected& e : expected) {
        CAPTURE(e.block);
        REQUIRE(css.blocks.count(e.block) == 1);
        const auto& properties = css.blocks.at(e.block);
        CHECK(properties.size() == page_css_colours().size());
        for (const CssColour& c : page_css_colours()) {
            CAPTURE(c.property);
            REQUIRE(properties.count(c.property) == 1);
            CHECK(properties.at(c.property) == css_hex(palette_for(e.theme).*c.colour));
        }
    }
}

// What each property means to web/app.css, written down here independently of the generator's
// table, so a property mapped to the wrong palette colour is caught natively too (the browser
// test compares the page's background with the canvas's pixels).
TEST_CASE("each CSS property carries the palette colour app.css uses it for")
{
    const struct {
        const char* property;
        Rgb Palette::*colour;
    } meaning[] = {
        {"bg", &Palette::background}, {"fg", &Palette::text},       {"accent", &Palette::accent},
        {"on-accent", &Palette::on_accent}, {"focus", &Palette::focus}, {"alert", &Palette::alert},
        {"track", &Palette::progress_track},
    };
    REQUIRE(page_css_colours().size() == std::size(meaning));
    for (size_t i = 0; i < std::size(meaning); ++i) {
        CAPTURE(meaning[i].property);
        CHECK(std::string(page_css_colours()[i].property) == meaning[i].property);
        CHECK(page_css_colours()[i].colour == meaning[i].colour);
    }
}

TEST_CASE("the generated CSS resolves the system's settings as resolve_theme does")
{
    SystemAppearance none;
    SystemAppearance dark;
    dark.dark = true;
    SystemAppearance contrast;
    contrast.more_contrast = true;
    SystemAppearance both = dark;
    both.more_contrast = true;
    CHECK(resolve_theme(ThemeChoice::System, none) == Theme::Light);
    CHECK(resolve_theme(ThemeChoice::System, dark) == Theme::Dark);
    CHECK(resolve_theme(ThemeChoice::System, contrast) == Theme::HighContrast);
    // Dark and more contrast together: both media blocks match, the later one wins.
    REQUIRE(resolve_theme(ThemeChoice::System, both) == Theme::HighContrast);
    const CssBlocks css = parse_css(page_theme_css());
    const std::string system = ":root:not([data-theme])";
    const auto at = [&](const std::string& block) {
        return std::find(css.order.begin(), css.order.end(), block) - css.order.begin();
    };
    CHECK(at(std::string(page::kQueryDark) + "|" + system)
          < at(std::string(page::kQueryMoreContrast) + ", " + page::kQueryForcedColors + "|" + system));
}

TEST_CASE("the generated JavaScript holds the C++ names")
{
    const nlohmann::json c = contract_object();
    struct Name {
        const char* pointer;   // JSON pointer into window.ibankContract
        std::string expected;
    };
    const Name names[] = {
        {"/storage/certificateName", page::kStoreCertificateName},
        {"/storage/csrfToken", page::kStoreCsrfToken},
        {"/storage/lang", page::kStoreLanguage},
        {"/storage/textSize", page::kStoreTextSize},
        {"/storage/theme", page::kStoreTheme},
        {"/themes/0", theme_key(Theme::Light)},
        {"/themes/1", theme_key(Theme::Dark)},
        {"/themes/2", theme_key(Theme::HighContrast)},
        {"/assets/module", page::kModuleAssets},
        {"/assets/font", page::kAssetFont},
        {"/assets/config", page::kAssetConfig},
        {"/glyphManifest", page::kModuleGlyphManifest},
        {"/failures/fontNotLoaded", page::kFailFontNotLoaded},
        {"/failures/webgl2Unavailable", page::kFailWebgl2Unavailable},
        {"/events/firstFrame", page::kFirstFrameEvent},
        {"/globals/stats", page::kGlobalStats},
        {"/globals/loader", page::kGlobalLoader},
        {"/globals/overlay", page::kGlobalOverlay},
        {"/roles/heading", semantic_role_name(SemanticRole::Heading)},
        {"/roles/text", semantic_role_name(SemanticRole::Text)},
        {"/roles/button", semantic_role_name(SemanticRole::Button)},
        {"/roles/link", semantic_role_name(SemanticRole::Link)},
        {"/roles/checkbox", semantic_role_name(SemanticRole::Checkbox)},
        {"/roles/textInput", semantic_role_name(SemanticRole::TextInput)},
        {"/roles/alert", semantic_role_name(SemanticRole::Alert)},
        {"/roles/radio", semantic_role_name(SemanticRole::Radio)},
    };
    for (const Name& n : names) {
        CAPTURE(n.pointer);
        const nlohmann::json::json_pointer pointer(n.pointer);
        REQUIRE(c.contains(pointer));
        CHECK(c.at(pointer) == n.expected);
    }
    CHECK(c.at("themes").size() == 3);
    CHECK(c.at("roles").size() == static_cast<size_t>(SemanticRole::Radio) + 1);
    // Every theme the page can be told (data-theme) is also a choice the customer can store.
    for (const auto& theme : c.at("themes")) {
        ThemeChoice choice{};
        CHECK(parse_theme_choice(theme.get<std::string>(), choice));
    }
}

// A name the page shares with C++ must not be written again as a literal beside its definition.
TEST_CASE("web/ and the EM_JS glue repeat none of the shared names, numbers or colours")
{
    const std::filesystem::path root = IBANK_SOURCE_DIR;
    // Too short to search for safely ("font" is also a progress key in loader.js): the asset
    // names; checked above through the generated script instead.
    std::vector<std::string> shared = {
        page::kStoreCertificateName, page::kStoreCsrfToken, page::kStoreLanguage, page::kStoreTextSize,
        page::kStoreTheme, page::kModuleAssets, page::kModuleGlyphManifest, page::kFailFontNotLoaded,
        page::kFailWebgl2Unavailable, page::kFirstFrameEvent, page::kQueryDark, page::kQueryMoreContrast,
        page::kQueryForcedColors, page::kQueryReducedMotion, api::kCsrfHeader, api::kSessionCookie,
    };
    // Only in web/: "textbox" is also the ARIA role overlay.js gives a text field, a name of
    // the browser's rather than ours.
    std::vector<std::string> web_only = {theme_key(Theme::Dark), theme_key(Theme::HighContrast),
                                         semantic_role_name(SemanticRole::Heading)};
    std::vector<std::filesystem::path> files = {root / "web/loader.js", root / "web/overlay.js",
                                                root / "web/app.css", root / "web/index.html"};
    const size_t web_files = files.size();
    for (const auto& entry : std::filesystem::directory_iterator(root / "src/platform/web")) {
        if (entry.path().extension() == ".cpp")
            files.push_back(entry.path());
    }
    REQUIRE(files.size() > web_files + 5);
    for (size_t i = 0; i < files.size(); ++i) {
        const std::filesystem::path& path = files[i];
        CAPTURE(path.string());
        const std::string text = read_text(path);
        std::vector<std::string> names = shared;
        if (i < web_files)
            names.insert(names.end(), web_only.begin(), web_only.end());
        for (const std::string& name : names) {
            CAPTURE(name);
            CHECK(text.find("'" + name + "'") == std::string::npos);
            CHECK(text.find("\"" + name + "\"") == std::string::npos);
            // Media queries are bare in CSS; app.css's own reduced-motion rule (the progress bar's
            // transition) is the browser's query for a rule of its own, no colour of ours.
            if (path.extension() == ".css" && name != page::kQueryReducedMotion)
                CHECK(text.find(name) == std::string::npos);
        }
        for (const char* global : {page::kGlobalStats, page::kGlobalLoader, page::kGlobalOverlay}) {
            CAPTURE(global);
            CHECK(text.find(std::string("window.") + global) == std::string::npos);
            CHECK(text.find(std::string("Module.") + global) == std::string::npos);
        }
        for (const char* field : {page::kModuleAssets, page::kModuleGlyphManifest})
            CHECK(text.find(std::string("Module.") + field) == std::string::npos);
        // Browser signals go to C++ by BrowserSignal's own numbers, passed in; never a bare one.
        CHECK_FALSE(std::regex_search(text, std::regex(R"(_ibank_browser_event\(\s*[0-9])")));
    }

    // The page's colours come only from the generated custom properties.
    const std::string css = read_text(root / "web/app.css");
    CHECK_FALSE(std::regex_search(css, std::regex(R"(#[0-9a-fA-F]{3,8}\b\s*[;})!])")));
    CHECK_FALSE(std::regex_search(css, std::regex(R"(\b(rgba?|hsla?)\()")));
    CHECK_FALSE(std::regex_search(css, std::regex(R"((^|[;{\s])--[a-z-]+\s*:)")));   // defines none itself
    const std::regex use(R"(var\(--([a-z-]+)\))");
    int uses = 0;
    for (auto it = std::sregex_iterator(css.begin(), css.end(), use); it != std::sregex_iterator(); ++it) {
        const std::string property = (*it)[1];
        CAPTURE(property);
        bool generated = false;
        for (const CssColour& c : page_css_colours())
            generated = generated || property == c.property;
        CHECK(generated);
        ++uses;
    }
    CHECK(uses > 5);
}
