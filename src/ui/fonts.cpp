#include "fonts.h"

bool fonts_update(UiFonts& fonts, float dpr, const char** error)
{
    *error = nullptr;
    if (dpr <= 0.0f)
        dpr = 1.0f;
    if (fonts.built_for_dpr == dpr)
        return false;
    if (fonts.data.empty()) {
        *error = "font data missing";
        return false;
    }

    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    ImFontConfig cfg;
    cfg.FontDataOwnedByAtlas = false;
    cfg.OversampleH = 1;   // rasterised at device resolution already; oversampling only blurs
    cfg.OversampleV = 1;
    cfg.RasterizerDensity = dpr;
    cfg.PixelSnapH = true;
    // Every BMP code point the subset holds; ImGui skips code points without a glyph.
    static const ImWchar kAllBmp[] = {0x0020, 0xFFFD, 0};
    cfg.GlyphRanges = kAllBmp;

    void* data = fonts.data.data();
    const int size = static_cast<int>(fonts.data.size());
    fonts.body = io.Fonts->AddFontFromMemoryTTF(data, size, kBodyEm * kLineHeightPerEm, &cfg);
    fonts.heading = io.Fonts->AddFontFromMemoryTTF(data, size, kHeadingEm * kLineHeightPerEm, &cfg);
    if (!fonts.body || !fonts.heading || !io.Fonts->Build()) {
        *error = "font could not be loaded";
        fonts.built_for_dpr = 0.0f;
        return false;
    }
    io.FontDefault = fonts.body;
    fonts.built_for_dpr = dpr;
    return true;
}
