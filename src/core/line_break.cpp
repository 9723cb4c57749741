#include "line_break.h"

#include "glyph_chunks.h"

#include <string_view>

static bool is_space(uint32_t c)
{
    return c == ' ' || c == '\t' || c == 0x3000;
}

// Characters that may not begin a line, and those that may not end one.
static constexpr std::u32string_view kNoLineStart =
    U"、。，．・：；？！ー―‐〜～…‥）」』】〕〉》］｝’”ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ),.:;!?]}%";
static constexpr std::u32string_view kNoLineEnd = U"（「『【〔〈《［｛‘“([{";

static bool in_set(uint32_t c, std::u32string_view set)
{
    return set.find(static_cast<char32_t>(c)) != std::u32string_view::npos;
}

// Latin letters, digits and ASCII punctuation form words that break only at spaces.
static bool is_word_char(uint32_t c)
{
    return c > ' ' && c < 0x7F;
}

struct Char {
    uint32_t cp;
    size_t at;
    size_t end;
};

// May the line break before chars[i]?
static bool may_break_before(const std::vector<Char>& chars, size_t i)
{
    const uint32_t prev = chars[i - 1].cp;
    const uint32_t cur = chars[i].cp;
    if (is_space(cur))
        return false;   // break after the spaces, not before them
    if (is_space(prev))
        return true;
    if (in_set(cur, kNoLineStart) || in_set(prev, kNoLineEnd))
        return false;
    return !(is_word_char(prev) && is_word_char(cur));
}

std::vector<LineSpan> break_lines(std::string_view text, float width, const std::function<float(uint32_t)>& advance)
{
    std::vector<LineSpan> lines;
    std::vector<Char> chars;
    size_t length = 0;
    for (size_t at = 0; at < text.size(); at += length) {
        const uint32_t cp = utf8_decode(text, at, &length);
        chars.push_back(Char{cp, at, at + length});
    }

    size_t start = 0;   // index of the line's first character
    while (start < chars.size()) {
        while (start < chars.size() && is_space(chars[start].cp))
            start++;   // a line never starts with the spaces of the break before it
        if (start == chars.size())
            break;
        float x = 0.0f;
        size_t i = start;
        size_t last_break = start;   // a break opportunity inside this line (start: none yet)
        bool newline = false;
        for (; i < chars.size(); i++) {
            if (chars[i].cp == '\n') {
                newline = true;
                break;
            }
            if (i > start && may_break_before(chars, i))
                last_break = i;
            x += advance(chars[i].cp);
            if (x > width && i > start && !is_space(chars[i].cp))
                break;
        }
        size_t end = i;   // the line holds chars [start, end)
        if (!newline && i < chars.size() && last_break > start)
            end = last_break;
        size_t trimmed = end;
        while (trimmed > start && is_space(chars[trimmed - 1].cp))
            trimmed--;
        lines.push_back(LineSpan{chars[start].at, trimmed > start ? chars[trimmed - 1].end : chars[start].at});
        start = newline ? end + 1 : end;
    }
    return lines;
}
