#pragma once
// The customer's display preferences: language, text size and colour theme. Chosen on the login
// screen (language on every screen), remembered on the device, and - for the theme - following
// the operating system's dark-mode and contrast settings until the customer picks one.
#include "ui_strings.h"

#include <cstdint>
#include <string_view>

enum class TextSize : uint8_t { Standard, Large, ExtraLarge };   // 標準 / 大 / 特大

// What the customer chose; System follows the operating system (prefers-color-scheme,
// prefers-contrast, forced-colors).
enum class ThemeChoice : uint8_t { System, Light, Dark, HighContrast };

// The colours actually drawn (core/palette.h).
enum class Theme : uint8_t { Light, Dark, HighContrast };

// What the browser reports of the operating system's settings (CSS media queries).
struct SystemAppearance {
    bool dark = false;             // prefers-color-scheme: dark
    bool more_contrast = false;    // prefers-contrast: more, or forced-colors: active
    bool reduced_motion = false;   // prefers-reduced-motion: reduce
};

struct DisplayPrefs {
    Lang lang = Lang::Ja;
    TextSize text_size = TextSize::Standard;
    ThemeChoice theme = ThemeChoice::System;
};

// Factor applied to every font size and spacing: text and the controls around it grow together.
float text_scale(TextSize size);

// High contrast wins over dark: a customer who asks the system for more contrast needs it most.
Theme resolve_theme(ThemeChoice choice, const SystemAppearance& system);

// The words stored on the device (localStorage) and published to the page (data attributes).
const char* text_size_key(TextSize size);        // "standard", "large", "x-large"
const char* theme_choice_key(ThemeChoice choice); // "system", "light", "dark", "high-contrast"
const char* theme_key(Theme theme);              // "light", "dark", "high-contrast"
const char* lang_key(Lang lang);                 // "ja", "en"

// Reads a stored word back; false (and `out` untouched) for anything else, so a damaged or
// outdated entry simply leaves the default in place.
bool parse_text_size(std::string_view key, TextSize& out);
bool parse_theme_choice(std::string_view key, ThemeChoice& out);
bool parse_lang(std::string_view key, Lang& out);
