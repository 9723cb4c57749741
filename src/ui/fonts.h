#pragma once
// The UI font: Noto Sans CJK JP, subset at build time to the characters of the string table and
// the served configuration (scripts/font_chars.py). Glyphs are rasterised at the real device
// pixel size (ImFontConfig::RasterizerDensity = devicePixelRatio) while layout stays in CSS
// pixels, so text stays crisp at browser zoom 100-200 % and on HiDPI screens instead of being a
// stretched bitmap.
#include <cstdint>
#include <imgui.h>
#include <string_view>
#include <vector>

// A glyph chunk fetched on demand (core/glyph_chunks.h), merged into every size of the font.
struct FontChunk {
    std::vector<unsigned char> data;
    ImWchar ranges[3] = {0, 0, 0};   // {first, last, 0}: the atlas keeps a pointer to it
};

struct UiFonts {
    std::vector<unsigned char> data;   // the subset font file; the atlas reads it, never owns it
    std::vector<FontChunk> chunks;
    bool chunks_changed = false;       // a chunk arrived: rebuild the atlas
    float built_for_dpr = 0.0f;        // 0: not built yet
    ImFont* body = nullptr;
    ImFont* heading = nullptr;
};

// Sizes are the em size in CSS pixels, as in CSS `font-size`. ImGui sizes a font by its line
// height (ascender - descender), which for Noto Sans CJK is 1.448 em.
constexpr float kBodyEm = 15.0f;
constexpr float kHeadingEm = 20.0f;
constexpr float kLineHeightPerEm = 1.448f;

// Appends the code points of `text` that the atlas cannot draw (no duplicates across calls).
void fonts_find_missing(const UiFonts& fonts, std::string_view text, std::vector<uint32_t>& missing);

// Rebuilds the atlas when `dpr` differs from the one it was built for, or a chunk arrived. Returns true when the
// atlas changed (the renderer must upload it again), false when nothing was done or on failure
// (then `error` says why).
bool fonts_update(UiFonts& fonts, float dpr, const char** error);
