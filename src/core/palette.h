#pragma once
// The colours of each theme, as data: the UI maps them onto ImGui's style (ui/theme.cpp), the
// page around the canvas gets them as CSS custom properties generated at build time
// (src/web_contract), and a unit test checks every pair a customer has to tell apart against
// WCAG 2.2 AA contrast.
// All colours are opaque, so the contrast the test computes is the contrast on screen.
#include "display_prefs.h"

#include <cstdint>

struct Rgb {
    uint8_t r = 0, g = 0, b = 0;
};

constexpr Rgb rgb(uint32_t hex)
{
    return Rgb{static_cast<uint8_t>(hex >> 16), static_cast<uint8_t>(hex >> 8), static_cast<uint8_t>(hex)};
}

struct Palette {
    Rgb background;       // the page
    Rgb text;             // body text and headings
    Rgb muted_text;       // labels beside values, hints: still body text, so still 4.5:1
    Rgb link;
    Rgb alert;            // errors and warnings
    Rgb field;            // inside text fields, checkboxes, software keyboard keys
    Rgb field_hovered;    // also the outlined (secondary) button under the pointer
    Rgb field_active;
    Rgb control_border;   // the edge that shows where a field, checkbox, outlined button or key is
    Rgb accent;           // filled (primary) buttons, a pressed key
    Rgb accent_hovered;
    Rgb accent_active;
    Rgb on_accent;        // text on filled buttons
    Rgb check_mark;
    Rgb focus;            // the keyboard focus ring
    Rgb separator;        // rules and table lines (decoration, no contrast requirement)
    Rgb header;           // table header row
    Rgb scrollbar_track;
    Rgb scrollbar_grab;
    Rgb selection;        // selected text (behind it: text colour stays readable)
    Rgb progress_track;   // the loading bar's track, on the page before the first frame (decoration)
    float border_width;   // CSS pixels; thicker in high contrast (drawn inside: layout is the same)
};

const Palette& palette_for(Theme theme);

// WCAG 2.2 relative luminance (0 black .. 1 white) and contrast ratio (1 .. 21).
double relative_luminance(Rgb c);
double contrast_ratio(Rgb a, Rgb b);
