#include "fonts.h"

#include "core/glyph_chunks.h"

#include <algorithm>

void fonts_find_missing(const UiFonts& fonts, std::string_view text, std::vector<uint32_t>& missing)
{
    if (!fonts.body)
        return;
    for (uint32_t cp : utf8_codepoints(text)) {
        if (cp < 0x20 || cp == 0xFFFD)
            continue;
        if (fonts.body->FindGlyphNoFallback(static_cast<ImWchar>(cp)))
            continue;
        if (std::find(missing.begin(), missing.end(), cp) == missing.end())
            missing.push_back(cp);
    }
}

// Adds one size of the font: the subset, then every fetched chunk merged into it.
static ImFont* add_font(UiFonts& fonts, float size, float dpr)
{
    static const ImWchar kAllBmp[] = {0x0020, 0xFFFD, 0};   // ImGui skips code points without a glyph
    ImFontConfig cfg;
    cfg.FontDataOwnedByAtlas = false;
    cfg.OversampleH = 1;   // rasterised at device resolution already; oversampling only blurs
    cfg.OversampleV = 1;
    cfg.RasterizerDensity = dpr;
    cfg.PixelSnapH = true;
    cfg.GlyphRanges = kAllBmp;
    ImFontAtlas* atlas = ImGui::GetIO().Fonts;
    ImFont* font = atlas->AddFontFromMemoryTTF(fonts.data.data(), static_cast<int>(fonts.data.size()), size, &cfg);
    if (!font)
        return nullptr;
    for (FontChunk& chunk : fonts.chunks) {
        ImFontConfig merge = cfg;
        merge.MergeMode = true;
        merge.GlyphRanges = chunk.ranges;
        atlas->AddFontFromMemoryTTF(chunk.data.data(), static_cast<int>(chunk.data.size()), size, &merge);
    }
    return font;
}

bool fonts_update(UiFonts& fonts, float dpr, const char** error)
{
    *error = nullptr;
    if (dpr <= 0.0f)
        dpr = 1.0f;
    if (fonts.built_for_dpr == dpr && !fonts.chunks_changed)
        return false;
    fonts.chunks_changed = false;
    if (fonts.data.empty()) {
        *error = "font data missing";
        return false;
    }

    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    fonts.body = add_font(fonts, kBodyEm * kLineHeightPerEm, dpr);
    fonts.heading = add_font(fonts, kHeadingEm * kLineHeightPerEm, dpr);
    if (!fonts.body || !fonts.heading || !io.Fonts->Build()) {
        *error = "font could not be loaded";
        fonts.built_for_dpr = 0.0f;
        return false;
    }
    io.FontDefault = fonts.body;
    fonts.built_for_dpr = dpr;
    return true;
}
