#pragma once
// Where a paragraph breaks into lines at a given width, by the rules Japanese readers expect
// (kinsoku shori, after JIS X 4051): no line starts with closing brackets, 、。 or small kana,
// and none ends with an opening bracket; English breaks at spaces; a run of Latin letters and
// digits ("ID", "8:00", "1399") stays whole unless it alone is wider than a line. ImGui breaks
// Japanese text wherever the width runs out, which leaves a lone 。 or ） at a line's start.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

struct LineSpan {
    size_t begin = 0;   // byte offsets into the text; spaces at a break are left out
    size_t end = 0;
};

// `advance(cp)`: the width of one character. Every line fits `width` unless a single unbreakable
// piece is wider (then it is cut at characters). "\n" always ends a line.
std::vector<LineSpan> break_lines(std::string_view text, float width, const std::function<float(uint32_t)>& advance);
