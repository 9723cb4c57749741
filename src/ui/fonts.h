#pragma once
// The UI font: Noto Sans CJK JP, subset at build time to the characters of the string table and
// the served configuration (scripts/font_chars.py), plus glyph chunks fetched on demand for
// other characters (core/glyph_chunks.h).
//
// Crisp at any zoom: glyphs are rasterised at the real device pixel size
// (ImFontConfig::RasterizerDensity = devicePixelRatio) while layout stays in CSS pixels.
//
// Fast to the first frame: rasterising CJK glyphs is the costliest part of start-up, so the
// atlas holds only the characters the UI has actually shown, per size. A frame that shows a new
// character records it (fonts_request_text); the atlas is rebuilt and the frame drawn again
// before it is presented, so no missing-glyph box is ever seen for a character the font data
// has. Characters that no loaded font data has are reported for a chunk fetch.
#include <cstdint>
#include <imgui.h>
#include <string_view>
#include <vector>

// A glyph chunk fetched on demand, merged into every size of the font.
struct FontChunk {
    std::vector<unsigned char> data;
};

// The characters one size of the font holds, and the ImGui range list made from them.
struct FontCoverage {
    std::vector<uint32_t> codepoints;   // sorted, unique
    std::vector<ImWchar> ranges;        // {first, last, ..., 0}: the atlas keeps a pointer to it
};

struct UiFonts {
    std::vector<unsigned char> data;   // the subset font file; the atlas reads it, never owns it
    std::vector<FontChunk> chunks;
    FontCoverage body_coverage;
    FontCoverage heading_coverage;
    FontCoverage mask_coverage;
    bool dirty = true;                 // coverage or chunks changed: rebuild the atlas
    float built_for_dpr = 0.0f;        // 0: not built yet
    float text_scale = 1.0f;           // the customer's text size (core's text_scale)
    float built_for_scale = 0.0f;
    ImFont* body = nullptr;
    ImFont* heading = nullptr;
    ImFont* mask = nullptr;            // body size, '*' drawn as ●: ImGui masks passwords with '*'
};

// Sizes at 標準 are the em size in CSS pixels, as in CSS `font-size`; 大 and 特大 multiply them. ImGui sizes a font by its line
// height (ascender - descender), which for Noto Sans CJK is 1.448 em.
constexpr float kBodyEm = 15.0f;
constexpr float kHeadingEm = 20.0f;
constexpr float kLineHeightPerEm = 1.448f;

// Records the characters of `text` (drawn in the heading or the body size) that the atlas lacks.
// A character seen for the first time marks the atlas for a rebuild; one the atlas still lacks
// after that (no loaded font data has it) is appended to `unavailable`, once.
void fonts_request_text(UiFonts& fonts, std::string_view text, bool heading, std::vector<uint32_t>& unavailable);

// Rebuilds the atlas when `dpr` or the text scale differ from those it was built for, or
// `dirty` is set. Glyphs are rasterised at the new size: large text is as crisp as standard.
// Returns true when the atlas changed (the renderer must upload it again), false when nothing
// was done or on failure (then `error` says why).
bool fonts_update(UiFonts& fonts, float dpr, const char** error);
