// WCAG 2.2 AA contrast of every theme, computed from the colours the UI draws with
// (core/palette.h): 4.5:1 for all text - also for headings that at 大 and 特大 are large enough
// for 3:1, because one rule for all text is simpler and stricter - and 3:1 for what identifies
// a control (SC 1.4.11: its edge, its fill against the page, the check mark) and the focus ring.
#include "core/palette.h"

#include <catch_amalgamated.hpp>

TEST_CASE("contrast ratio matches WCAG's reference values")
{
    CHECK(contrast_ratio(rgb(0x000000), rgb(0xFFFFFF)) == Catch::Approx(21.0));
    CHECK(contrast_ratio(rgb(0xFFFFFF), rgb(0xFFFFFF)) == Catch::Approx(1.0));
    // #767676 on white is the well-known lightest grey that passes 4.5:1 (4.54:1).
    CHECK(contrast_ratio(rgb(0x767676), rgb(0xFFFFFF)) == Catch::Approx(4.54).margin(0.01));
    CHECK(contrast_ratio(rgb(0x777777), rgb(0xFFFFFF)) < 4.5);
    CHECK(contrast_ratio(rgb(0xFFFFFF), rgb(0x767676)) == contrast_ratio(rgb(0x767676), rgb(0xFFFFFF)));
}

struct Requirement {
    const char* what;
    Rgb Palette::*foreground;
    Rgb Palette::*background;
    double minimum;
};

static const Requirement kRequirements[] = {
    {"text on the page", &Palette::text, &Palette::background, 4.5},
    {"text in a field or key", &Palette::text, &Palette::field, 4.5},
    {"text on a hovered outlined button", &Palette::text, &Palette::field_hovered, 4.5},
    {"text on a pressed outlined button", &Palette::text, &Palette::field_active, 4.5},
    {"table header text", &Palette::text, &Palette::header, 4.5},
    {"text on a selection", &Palette::text, &Palette::selection, 4.5},
    {"labels and hints", &Palette::muted_text, &Palette::background, 4.5},
    {"links", &Palette::link, &Palette::background, 4.5},
    {"errors and warnings", &Palette::alert, &Palette::background, 4.5},
    {"filled button text", &Palette::on_accent, &Palette::accent, 4.5},
    {"filled button text, hovered", &Palette::on_accent, &Palette::accent_hovered, 4.5},
    {"filled button text, pressed", &Palette::on_accent, &Palette::accent_active, 4.5},
    {"filled button against the page", &Palette::accent, &Palette::background, 3.0},
    {"control edge against the page", &Palette::control_border, &Palette::background, 3.0},
    {"control edge against the field", &Palette::control_border, &Palette::field, 3.0},
    {"check mark in its box", &Palette::check_mark, &Palette::field, 3.0},
    {"focus ring against the page", &Palette::focus, &Palette::background, 3.0},
    {"scroll bar thumb on its track", &Palette::scrollbar_grab, &Palette::scrollbar_track, 3.0},
};

TEST_CASE("every theme meets WCAG 2.2 AA contrast")
{
    for (Theme theme : {Theme::Light, Theme::Dark, Theme::HighContrast}) {
        const Palette& p = palette_for(theme);
        for (const Requirement& r : kRequirements) {
            const double ratio = contrast_ratio(p.*r.foreground, p.*r.background);
            INFO(theme_key(theme) << ": " << r.what << " " << ratio << ":1, needs " << r.minimum << ":1");
            CHECK(ratio >= r.minimum);
        }
    }
}

TEST_CASE("high contrast goes beyond AA: 7:1 text and thicker edges")
{
    const Palette& p = palette_for(Theme::HighContrast);
    CHECK(contrast_ratio(p.text, p.background) >= 7.0);
    CHECK(contrast_ratio(p.muted_text, p.background) >= 7.0);
    CHECK(contrast_ratio(p.link, p.background) >= 7.0);
    CHECK(contrast_ratio(p.alert, p.background) >= 7.0);
    CHECK(contrast_ratio(p.on_accent, p.accent) >= 7.0);
    CHECK(p.border_width > palette_for(Theme::Light).border_width);
}

TEST_CASE("the dark theme is dark and the light theme light")
{
    CHECK(relative_luminance(palette_for(Theme::Dark).background) < 0.05);
    CHECK(relative_luminance(palette_for(Theme::Light).background) > 0.8);
}
