#include "glyph_chunks.h"

#include "json_strict.h"

#include <algorithm>
#include <nlohmann/json.hpp>

bool glyph_chunks_parse(std::string_view text, GlyphChunks& out, std::string& error)
{
    out = GlyphChunks{};
    nlohmann::json j;
    const JsonTextProblem problem = json_parse_strict(text, j);
    if (problem == JsonTextProblem::TooDeep) {
        error = "glyph manifest nests deeper than " + std::to_string(kJsonMaxNesting) + " levels";
        return false;
    }
    if (problem != JsonTextProblem::None || !j.is_array()) {
        error = "glyph manifest is not a JSON array";
        return false;
    }
    for (const nlohmann::json& entry : j) {
        if (!entry.is_array() || entry.size() != 3 || !entry[0].is_number_unsigned() || !entry[1].is_number_unsigned()
            || !entry[2].is_string()) {
            error = "glyph manifest entry is not [first, last, \"file\"]";
            return false;
        }
        GlyphChunk c;
        c.first = entry[0].get<uint32_t>();
        c.last = entry[1].get<uint32_t>();
        c.file = entry[2].get<std::string>();
        if (c.last < c.first || c.last > 0x10FFFF || c.file.empty()) {
            error = "glyph manifest entry has a bad range or file";
            return false;
        }
        if (!out.chunks.empty() && c.first <= out.chunks.back().last) {
            error = "glyph manifest ranges are not sorted or overlap";
            return false;
        }
        out.chunks.push_back(std::move(c));
    }
    out.state.assign(out.chunks.size(), ChunkState::NotLoaded);
    return true;
}

int glyph_chunk_for(const GlyphChunks& g, uint32_t cp)
{
    const auto it = std::upper_bound(g.chunks.begin(), g.chunks.end(), cp,
                                     [](uint32_t value, const GlyphChunk& c) { return value < c.first; });
    if (it == g.chunks.begin())
        return -1;
    const auto chunk = it - 1;
    return cp <= chunk->last ? static_cast<int>(chunk - g.chunks.begin()) : -1;
}

std::vector<int> glyph_chunks_to_fetch(GlyphChunks& g, const std::vector<uint32_t>& missing)
{
    std::vector<int> fetch;
    for (uint32_t cp : missing) {
        const int i = glyph_chunk_for(g, cp);
        if (i < 0 || g.state[static_cast<size_t>(i)] != ChunkState::NotLoaded)
            continue;
        g.state[static_cast<size_t>(i)] = ChunkState::Requested;
        fetch.push_back(i);
    }
    return fetch;
}

uint32_t utf8_decode(std::string_view text, size_t at, size_t* length)
{
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const size_t n = text.size();
    const unsigned char c = s[at];
    int len = 0;
    uint32_t cp = 0;
    if (c < 0x80) { len = 1; cp = c; }
    else if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1Fu; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0Fu; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07u; }
    bool valid = len > 0 && at + static_cast<size_t>(len) <= n;
    for (int k = 1; valid && k < len; k++) {
        const unsigned char cc = s[at + static_cast<size_t>(k)];
        valid = (cc & 0xC0) == 0x80;
        cp = (cp << 6) | (cc & 0x3Fu);
    }
    static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (valid && (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)))
        valid = false;   // overlong, out of range or a surrogate
    *length = valid ? static_cast<size_t>(len) : 1;
    return valid ? cp : 0xFFFD;
}

std::vector<uint32_t> utf8_codepoints(std::string_view text)
{
    std::vector<uint32_t> out;
    size_t length = 0;
    for (size_t i = 0; i < text.size(); i += length)
        out.push_back(utf8_decode(text, i, &length));
    return out;
}
