#include "fonts.h"

#include "core/glyph_chunks.h"

#include <algorithm>

// What a size holds before any text asks: the body size printable ASCII (IDs, codes and
// passwords are typed in it, and a rebuild per newly typed letter would stall typing), the
// ellipsis ImGui draws for clipped text and ● for masked input; the heading size only the
// ellipsis (headings are the UI's own words, asked for as they appear); the mask size only
// what it draws, '*' shown as ●. Every glyph here is rasterised on the first frame, before the
// frame has said which characters it shows, and again when the atlas is rebuilt with them.
enum class FontBase { Body, Heading, Mask };

static void add_base_coverage(FontCoverage& coverage, FontBase base)
{
    if (base == FontBase::Body)
        for (uint32_t cp = 0x20; cp < 0x7F; cp++)
            coverage.codepoints.push_back(cp);
    if (base == FontBase::Mask)
        coverage.codepoints.push_back('*');
    else
        coverage.codepoints.push_back(0x2026);
    if (base != FontBase::Heading)
        coverage.codepoints.push_back(0x25CF);
}

static void rebuild_ranges(FontCoverage& coverage, FontBase base)
{
    if (coverage.codepoints.empty())
        add_base_coverage(coverage, base);
    std::sort(coverage.codepoints.begin(), coverage.codepoints.end());
    coverage.ranges.clear();
    for (uint32_t cp : coverage.codepoints) {
        if (!coverage.ranges.empty() && coverage.ranges.back() + 1 == static_cast<ImWchar>(cp)) {
            coverage.ranges.back() = static_cast<ImWchar>(cp);
            continue;
        }
        coverage.ranges.push_back(static_cast<ImWchar>(cp));
        coverage.ranges.push_back(static_cast<ImWchar>(cp));
    }
    coverage.ranges.push_back(0);
}

void fonts_request_text(UiFonts& fonts, std::string_view text, bool heading, std::vector<uint32_t>& unavailable)
{
    ImFont* font = heading ? fonts.heading : fonts.body;
    FontCoverage& coverage = heading ? fonts.heading_coverage : fonts.body_coverage;
    if (!font)
        return;
    for (uint32_t cp : utf8_codepoints(text)) {
        if (cp < 0x20 || cp == 0xFFFD || font->FindGlyphNoFallback(static_cast<ImWchar>(cp)))
            continue;
        const auto at = std::lower_bound(coverage.codepoints.begin(), coverage.codepoints.end(), cp);
        if (at == coverage.codepoints.end() || *at != cp) {
            coverage.codepoints.insert(at, cp);   // first time: the next build includes it
            fonts.dirty = true;
        } else if (!fonts.dirty && std::find(unavailable.begin(), unavailable.end(), cp) == unavailable.end()) {
            unavailable.push_back(cp);            // the atlas was built with it and still lacks it: needs a chunk
        }
    }
}

// Adds one size of the font: the subset, then every fetched chunk merged into it, each asked
// only for the characters this size has shown (ImGui skips those a source lacks).
static ImFont* add_font(UiFonts& fonts, float size, float dpr, FontCoverage& coverage, FontBase base)
{
    rebuild_ranges(coverage, base);
    ImFontConfig cfg;
    cfg.FontDataOwnedByAtlas = false;
    cfg.OversampleH = 1;   // rasterised at device resolution already; oversampling only blurs
    cfg.OversampleV = 1;
    cfg.RasterizerDensity = dpr;
    cfg.PixelSnapH = true;
    cfg.GlyphRanges = coverage.ranges.data();
    ImFontAtlas* atlas = ImGui::GetIO().Fonts;
    ImFont* font = atlas->AddFontFromMemoryTTF(fonts.data.data(), static_cast<int>(fonts.data.size()), size, &cfg);
    if (!font)
        return nullptr;
    for (FontChunk& chunk : fonts.chunks) {
        ImFontConfig merge = cfg;
        merge.MergeMode = true;
        atlas->AddFontFromMemoryTTF(chunk.data.data(), static_cast<int>(chunk.data.size()), size, &merge);
    }
    return font;
}

bool fonts_update(UiFonts& fonts, float dpr, const char** error)
{
    *error = nullptr;
    if (dpr <= 0.0f)
        dpr = 1.0f;
    if (fonts.built_for_dpr == dpr && fonts.built_for_scale == fonts.text_scale && !fonts.dirty)
        return false;
    fonts.dirty = false;
    if (fonts.data.empty()) {
        *error = "font data missing";
        return false;
    }

    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    const float body = kBodyEm * kLineHeightPerEm * fonts.text_scale;
    const float heading = kHeadingEm * kLineHeightPerEm * fonts.text_scale;
    fonts.body = add_font(fonts, body, dpr, fonts.body_coverage, FontBase::Body);
    fonts.heading = add_font(fonts, heading, dpr, fonts.heading_coverage, FontBase::Heading);
    fonts.mask = add_font(fonts, body, dpr, fonts.mask_coverage, FontBase::Mask);
    if (!fonts.body || !fonts.heading || !fonts.mask || !io.Fonts->Build()) {
        *error = "font could not be loaded";
        fonts.built_for_dpr = 0.0f;
        return false;
    }
    fonts.mask->AddRemapChar('*', 0x25CF);   // entered characters show as ●
    io.FontDefault = fonts.body;
    fonts.built_for_dpr = dpr;
    fonts.built_for_scale = fonts.text_scale;
    return true;
}
