#include "core/glyph_chunks.h"

#include <catch_amalgamated.hpp>

static GlyphChunks manifest()
{
    GlyphChunks g;
    std::string error;
    REQUIRE(glyph_chunks_parse(R"([[0,255,"glyphs/g-0.otf"],[19968,20095,"glyphs/g-4e00.otf"],[20096,20223,"glyphs/g-4e80.otf"]])", g, error));
    return g;
}

TEST_CASE("a character maps to the chunk whose range holds it")
{
    GlyphChunks g = manifest();
    CHECK(glyph_chunk_for(g, 'A') == 0);
    CHECK(glyph_chunk_for(g, 0x4E00) == 1);   // 一
    CHECK(glyph_chunk_for(g, 0x4E7F) == 1);
    CHECK(glyph_chunk_for(g, 0x4E80) == 2);
    CHECK(glyph_chunk_for(g, 0x4F00) == -1);  // beyond the last chunk
    CHECK(glyph_chunk_for(g, 0x3000) == -1);  // between chunks
}

TEST_CASE("missing characters fetch each chunk once, and never again")
{
    GlyphChunks g = manifest();
    // 山田 are not in this manifest; 一 and 丁 share chunk 1; 乗 is in chunk 2.
    const std::vector<uint32_t> missing = {0x4E00, 0x4E01, 0x4E57, 0x5C71, 0x7530};
    const std::vector<int> first = glyph_chunks_to_fetch(g, missing);
    CHECK(first == std::vector<int>{1});
    CHECK(glyph_chunks_to_fetch(g, missing).empty());   // already requested
    g.state[1] = ChunkState::Failed;
    CHECK(glyph_chunks_to_fetch(g, missing).empty());   // a failed chunk is not retried in a loop
    CHECK(glyph_chunks_to_fetch(g, {0x4E80}) == std::vector<int>{2});
}

TEST_CASE("a malformed manifest is refused with a reason, never a crash")
{
    const char* bad[] = {
        "", "{}", "[[1,2]]", R"([[5,1,"x"]])", R"([[0,10,"a"],[5,20,"b"]])", R"([["0",10,"a"]])",
        R"([[0,10,""]])", R"([[0,1114112,"a"]])", R"([[-1,10,"a"]])", "[[0,10,\"a\"]", "null",
        "[[0,10,\"a\"]] [[20,30,\"b\"]]",
    };
    for (const char* text : bad) {
        CAPTURE(text);
        GlyphChunks g;
        std::string error;
        CHECK_FALSE(glyph_chunks_parse(text, g, error));
        CHECK_FALSE(error.empty());
    }
}

TEST_CASE("UTF-8 decodes to code points; broken bytes become U+FFFD and decoding goes on")
{
    CHECK(utf8_codepoints("A山田") == std::vector<uint32_t>{'A', 0x5C71, 0x7530});
    CHECK(utf8_codepoints("\xF0\xA0\xAE\xB7") == std::vector<uint32_t>{0x20BB7});   // 𠮷 (beyond the BMP)
    CHECK(utf8_codepoints("a\xFFz") == std::vector<uint32_t>{'a', 0xFFFD, 'z'});
    CHECK(utf8_codepoints("\xE5\xB1") == std::vector<uint32_t>{0xFFFD, 0xFFFD});    // cut short
    CHECK(utf8_codepoints("\xC0\x80") == std::vector<uint32_t>{0xFFFD, 0xFFFD});    // overlong
    CHECK(utf8_codepoints("\xED\xA0\x80").size() == 3);                              // surrogate
}

TEST_CASE("a deeply nested manifest is refused by the nesting limit")
{
    GlyphChunks g;
    std::string error;
    CHECK_FALSE(glyph_chunks_parse(std::string(100000, '[') + std::string(100000, ']'), g, error));
    CHECK_THAT(error, Catch::Matchers::ContainsSubstring("deeper than"));
}
