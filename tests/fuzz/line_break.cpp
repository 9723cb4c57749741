// Line breaking of text from the server and the configuration (names, notices, menu labels).
// The first byte is the line width; the rest is the text. Every character is one unit wide but
// CJK and other non-ASCII characters, which are two (as in the app's fonts).
// Property: lines are in order, inside the text, start and end on character boundaries, each
// fits the width unless it is a single character, and only blanks and newlines are left out.
#include "fuzz_support.h"

#include "core/glyph_chunks.h"
#include "core/line_break.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

static float advance(uint32_t cp)
{
    return cp < 0x80 ? 1.0f : 2.0f;
}

// Is `at` the start of a character as the line breaker decodes the text?
static bool on_boundary(std::string_view text, size_t at)
{
    size_t length = 0;
    for (size_t i = 0; i < text.size(); i += length) {
        if (i == at)
            return true;
        if (i > at)
            return false;
        utf8_decode(text, i, &length);
    }
    return at == text.size();
}

// Bytes [from, to) between lines: blanks (space, tab, U+3000) and newlines only.
static bool gap_is_blank(std::string_view text, size_t from, size_t to)
{
    size_t length = 0;
    for (size_t at = from; at < to; at += length) {
        const uint32_t cp = utf8_decode(text, at, &length);
        if (cp != ' ' && cp != '\t' && cp != '\n' && cp != 0x3000)
            return false;
    }
    return true;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    const float width = static_cast<float>(data[0] % 64);
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::vector<LineSpan> lines = break_lines(text, width, advance);
    size_t previous_end = 0;
    for (const LineSpan& line : lines) {
        FUZZ_CHECK(line.begin <= line.end);
        FUZZ_CHECK(line.end <= text.size());
        FUZZ_CHECK(line.begin >= previous_end);
        FUZZ_CHECK(on_boundary(text, line.begin));
        FUZZ_CHECK(on_boundary(text, line.end));
        FUZZ_CHECK(gap_is_blank(text, previous_end, line.begin));
        float line_width = 0.0f;
        size_t characters = 0;
        size_t length = 0;
        for (size_t at = line.begin; at < line.end; at += length) {
            line_width += advance(utf8_decode(text, at, &length));
            characters++;
        }
        FUZZ_CHECK(line_width <= width || characters == 1);
        previous_end = line.end;
    }
    FUZZ_CHECK(gap_is_blank(text, previous_end, text.size()));
    return 0;
}
