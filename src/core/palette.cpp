#include "palette.h"

#include <algorithm>
#include <cmath>

// Light: the credit union's blue on an off-white page.
static const Palette kLight = {
    .background = rgb(0xF7F7F5),
    .text = rgb(0x1A1A1F),
    .muted_text = rgb(0x4F4F59),
    .link = rgb(0x0B4F9E),
    .alert = rgb(0xAD1414),
    .field = rgb(0xFFFFFF),
    .field_hovered = rgb(0xE8EEF6),
    .field_active = rgb(0xD5E1F0),
    .control_border = rgb(0x6E6E78),
    .accent = rgb(0x0D4D8C),
    .accent_hovered = rgb(0x1461A8),
    .accent_active = rgb(0x08386B),
    .on_accent = rgb(0xFFFFFF),
    .check_mark = rgb(0x0D4D8C),
    .focus = rgb(0x1764C0),
    .separator = rgb(0xC8C8CC),
    .header = rgb(0xE9EAEE),
    .scrollbar_track = rgb(0xF0F0EE),
    .scrollbar_grab = rgb(0x7E7E88),
    .selection = rgb(0xBBD3F2),
    .progress_track = rgb(0xDDE3EA),
    .border_width = 1.0f,
};

// Dark: light text on a near-black page; the blue lightened where it is text or an edge.
static const Palette kDark = {
    .background = rgb(0x16181D),
    .text = rgb(0xE8E9EC),
    .muted_text = rgb(0xA9AEB8),
    .link = rgb(0x8AB8FF),
    .alert = rgb(0xFF8A80),
    .field = rgb(0x23262D),
    .field_hovered = rgb(0x2E333C),
    .field_active = rgb(0x3A404B),
    .control_border = rgb(0x8A909C),
    .accent = rgb(0x2F6FD0),
    .accent_hovered = rgb(0x2863BD),
    .accent_active = rgb(0x1F529E),
    .on_accent = rgb(0xFFFFFF),
    .check_mark = rgb(0x8AB8FF),
    .focus = rgb(0x8AB8FF),
    .separator = rgb(0x3A3E47),
    .header = rgb(0x262A32),
    .scrollbar_track = rgb(0x1C1F25),
    .scrollbar_grab = rgb(0x7A808C),
    .selection = rgb(0x2F4F80),
    .progress_track = rgb(0x3A404B),
    .border_width = 1.0f,
};

// High contrast: white on black, yellow links and focus, cyan filled buttons, 2-pixel edges.
static const Palette kHighContrast = {
    .background = rgb(0x000000),
    .text = rgb(0xFFFFFF),
    .muted_text = rgb(0xE6E6E6),
    .link = rgb(0xFFFF00),
    .alert = rgb(0xFF9A9A),
    .field = rgb(0x000000),
    .field_hovered = rgb(0x1F1F1F),
    .field_active = rgb(0x333333),
    .control_border = rgb(0xFFFFFF),
    .accent = rgb(0x00E5FF),
    .accent_hovered = rgb(0x7FF2FF),
    .accent_active = rgb(0x00B8CC),
    .on_accent = rgb(0x000000),
    .check_mark = rgb(0xFFFF00),
    .focus = rgb(0xFFFF00),
    .separator = rgb(0xFFFFFF),
    .header = rgb(0x1A1A1A),
    .scrollbar_track = rgb(0x000000),
    .scrollbar_grab = rgb(0xFFFFFF),
    .selection = rgb(0x0050A0),
    .progress_track = rgb(0xFFFFFF),
    .border_width = 2.0f,
};

const Palette& palette_for(Theme theme)
{
    switch (theme) {
    case Theme::Light: return kLight;
    case Theme::Dark: return kDark;
    case Theme::HighContrast: return kHighContrast;
    }
    return kLight;
}

static double linear(uint8_t channel)
{
    const double c = channel / 255.0;
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

double relative_luminance(Rgb c)
{
    return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

double contrast_ratio(Rgb a, Rgb b)
{
    const double la = relative_luminance(a);
    const double lb = relative_luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}
