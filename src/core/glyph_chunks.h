#pragma once
// Glyphs on demand. The first screen's font holds only the UI's own characters; text from the
// server (company and user names) may need any kanji. The build splits the full font into small
// chunks by code point range (scripts/glyph_chunks.py, listed in a manifest); the app fetches the
// chunk of each character its atlas lacks, once, and merges it into the atlas.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct GlyphChunk {
    uint32_t first = 0;   // code point range covered, inclusive
    uint32_t last = 0;
    std::string file;     // path relative to the page
};

enum class ChunkState : uint8_t { NotLoaded, Requested, Loaded, Failed };

struct GlyphChunks {
    std::vector<GlyphChunk> chunks;   // sorted by `first`, not overlapping
    std::vector<ChunkState> state;    // one per chunk
};

// Parses the manifest: [[first, last, "file"], ...]. False with a reason for anything else
// (unsorted or overlapping ranges included). Never throws.
bool glyph_chunks_parse(std::string_view text, GlyphChunks& out, std::string& error);

// Index of the chunk covering `cp`, or -1.
int glyph_chunk_for(const GlyphChunks& g, uint32_t cp);

// Which chunks to fetch for characters the atlas lacks: each chunk once, never one already
// requested, loaded or failed (a failed chunk is not retried in a loop). Marks them Requested.
std::vector<int> glyph_chunks_to_fetch(GlyphChunks& g, const std::vector<uint32_t>& missing);

// The code points of UTF-8 text; an invalid sequence gives U+FFFD and decoding goes on.
std::vector<uint32_t> utf8_codepoints(std::string_view text);
// The code point starting at byte `at` (< text.size()) and its length in bytes; an invalid
// sequence is one byte of U+FFFD.
uint32_t utf8_decode(std::string_view text, size_t at, size_t* length);
