#pragma once
// UI text lookup. The texts live in ui_strings.inc; this header only gives them names.

enum class Lang { Ja, En };

enum class StringId {
#define UI_STRING(id, ja, en) id,
#include "ui_strings.inc"
#undef UI_STRING
    Count
};

// Returns the UTF-8 text of `id` in `lang`. Never null.
const char* ui_text(StringId id, Lang lang);
