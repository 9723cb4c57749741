// The glyph manifest the page downloads next to the font chunks, and the UTF-8 decoder that turns
// server text into the code points looked up in it. The input is the manifest; its own bytes,
// decoded, are the "missing" characters.
// Property: a manifest that parses is sorted and disjoint, lookups agree with the ranges, and no
// chunk is ever fetched twice.
#include "fuzz_support.h"

#include "core/glyph_chunks.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::vector<uint32_t> codepoints = utf8_codepoints(text);
    for (uint32_t cp : codepoints)
        FUZZ_CHECK(cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF));

    GlyphChunks g;
    std::string error;
    if (!glyph_chunks_parse(text, g, error)) {
        FUZZ_CHECK(!error.empty());
        return 0;
    }
    FUZZ_CHECK(g.state.size() == g.chunks.size());
    for (size_t i = 0; i < g.chunks.size(); i++) {
        FUZZ_CHECK(g.chunks[i].first <= g.chunks[i].last && g.chunks[i].last <= 0x10FFFF);
        FUZZ_CHECK(i == 0 || g.chunks[i - 1].last < g.chunks[i].first);
        FUZZ_CHECK(glyph_chunk_for(g, g.chunks[i].first) == static_cast<int>(i));
        FUZZ_CHECK(glyph_chunk_for(g, g.chunks[i].last) == static_cast<int>(i));
    }
    for (uint32_t cp : codepoints) {
        const int i = glyph_chunk_for(g, cp);
        FUZZ_CHECK(i < 0 || (g.chunks[static_cast<size_t>(i)].first <= cp && cp <= g.chunks[static_cast<size_t>(i)].last));
    }
    const std::vector<int> first = glyph_chunks_to_fetch(g, codepoints);
    for (int i : first)
        FUZZ_CHECK(g.state[static_cast<size_t>(i)] == ChunkState::Requested);
    FUZZ_CHECK(glyph_chunks_to_fetch(g, codepoints).empty());
    return 0;
}
