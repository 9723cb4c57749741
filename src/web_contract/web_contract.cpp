#include "web_contract.h"

#include "core/display_prefs.h"
#include "core/semantics.h"
#include "platform/web/page_contract.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iterator>

// The colours around the canvas: the page, its text, the loading bar and the error panel.
static const CssColour kCssColours[] = {
    {"bg", &Palette::background},
    {"fg", &Palette::text},
    {"accent", &Palette::accent},
    {"on-accent", &Palette::on_accent},
    {"focus", &Palette::focus},
    {"alert", &Palette::alert},
    {"track", &Palette::progress_track},
};

std::span<const CssColour> page_css_colours() { return kCssColours; }

std::string css_hex(Rgb c)
{
    char text[8];
    std::snprintf(text, sizeof text, "#%02x%02x%02x", c.r, c.g, c.b);
    return text;
}

static constexpr Theme kThemes[] = {Theme::Light, Theme::Dark, Theme::HighContrast};

// Every role of the semantic tree under the name web/overlay.js uses for it.
struct RoleName {
    SemanticRole role;
    const char* js_name;
};
static constexpr RoleName kRoles[] = {
    {SemanticRole::Heading, "heading"}, {SemanticRole::Text, "text"},
    {SemanticRole::Button, "button"},   {SemanticRole::Link, "link"},
    {SemanticRole::Checkbox, "checkbox"}, {SemanticRole::TextInput, "textInput"},
    {SemanticRole::Alert, "alert"},     {SemanticRole::Radio, "radio"},
};
static_assert(std::size(kRoles) == static_cast<size_t>(SemanticRole::Radio) + 1, "a semantic role is missing");

std::string page_contract_js()
{
    nlohmann::ordered_json themes = nlohmann::ordered_json::array();
    for (Theme theme : kThemes)
        themes.push_back(theme_key(theme));
    nlohmann::ordered_json roles = nlohmann::ordered_json::object();
    for (const RoleName& r : kRoles)
        roles[r.js_name] = semantic_role_name(r.role);
    const nlohmann::ordered_json contract = {
        {"storage", {
            {"certificateName", page::kStoreCertificateName},
            {"csrfToken", page::kStoreCsrfToken},
            {"lang", page::kStoreLanguage},
            {"textSize", page::kStoreTextSize},
            {"theme", page::kStoreTheme},
        }},
        // The values of data-theme on <html> (core theme_key), styled by the generated CSS.
        {"themes", themes},
        {"assets", {
            {"module", page::kModuleAssets},
            {"font", page::kAssetFont},
            {"config", page::kAssetConfig},
        }},
        {"glyphManifest", page::kModuleGlyphManifest},
        {"certificateModule", page::kModuleCertificateModule},
        {"failures", {
            {"fontNotLoaded", page::kFailFontNotLoaded},
            {"webgl2Unavailable", page::kFailWebgl2Unavailable},
        }},
        {"events", {{"firstFrame", page::kFirstFrameEvent}}},
        {"globals", {
            {"stats", page::kGlobalStats},
            {"loader", page::kGlobalLoader},
            {"overlay", page::kGlobalOverlay},
        }},
        {"roles", roles},
    };
    std::string out =
        "// Generated at build time by src/web_contract from the C++ definitions\n"
        "// (src/platform/web/page_contract.h, src/core/display_prefs.cpp, src/core/semantics.cpp). Do not edit.\n"
        "'use strict';\n"
        "window.ibankContract = (function freeze(o) {\n"
        "  for (const v of Object.values(o)) if (typeof v === 'object') freeze(v);\n"
        "  return Object.freeze(o);\n"
        "})(";
    out += contract.dump(2);
    out += ");\n";
    return out;
}

static std::string css_block(const std::string& selector, Theme theme, const char* indent)
{
    const Palette& p = palette_for(theme);
    std::string out = std::string(indent) + selector + " {\n";
    for (const CssColour& c : kCssColours)
        out += std::string(indent) + "  --" + c.property + ": " + css_hex(p.*c.colour) + ";\n";
    out += std::string(indent) + "}\n";
    return out;
}

std::string page_theme_css()
{
    // Before the UI runs, or while the customer has not picked a theme (no data-theme), the
    // system's settings decide, by the same rule as core resolve_theme: more contrast wins over
    // dark, so its block comes last.
    SystemAppearance none;
    SystemAppearance dark;
    dark.dark = true;
    SystemAppearance contrast;
    contrast.more_contrast = true;
    const std::string system = ":root:not([data-theme])";
    std::string out = "/* Generated at build time by src/web_contract from src/core/palette.cpp. Do not edit. */\n";
    out += css_block(":root", resolve_theme(ThemeChoice::System, none), "");
    out += std::string("@media ") + page::kQueryDark + " {\n";
    out += css_block(system, resolve_theme(ThemeChoice::System, dark), "  ");
    out += "}\n";
    out += std::string("@media ") + page::kQueryMoreContrast + ", " + page::kQueryForcedColors + " {\n";
    out += css_block(system, resolve_theme(ThemeChoice::System, contrast), "  ");
    out += "}\n";
    // The theme the UI draws (or, before it runs, the one chosen on this device).
    for (Theme theme : kThemes)
        out += css_block(std::string(":root[data-theme=\"") + theme_key(theme) + "\"]", theme, "");
    return out;
}
