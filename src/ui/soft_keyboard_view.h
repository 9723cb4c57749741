#pragma once
// The software keyboard on the password screen (model: core/soft_keyboard.h).
//
// What the view adds against spyware that records the screen when the mouse is clicked: key
// labels are hidden while the pointer is over the keys (unless 文字を常に表示), so a
// screenshot at the moment of a click shows blank keys in a shuffled layout. Keys are at least
// 44 CSS pixels square, for fingertips on the counter's tablets.
#include "core/soft_keyboard.h"
#include "core/ui_strings.h"
#include "widgets.h"

struct SoftKeyboardView {
    bool expose_keys = true;   // name keys by their characters in the semantic layer
};

// Columns that fit `width` with fingertip-sized keys.
int soft_keyboard_columns_for(float width);

// Draws the keyboard `width` wide. It asks core to lay the keyboard out for that width
// (PageActionKind::FitSoftKeyboard) and reports a pressed key (PressSoftKey); core applies both,
// typing into the password buffer and submitting on 決定.
void soft_keyboard_view(UiFrame& f, const SoftKeyboard& kb, const SoftKeyboardView& view, float width, Lang lang);
