#include "display_prefs.h"

float text_scale(TextSize size)
{
    switch (size) {
    case TextSize::Standard: return 1.0f;
    case TextSize::Large: return 1.25f;
    case TextSize::ExtraLarge: return 1.6f;
    }
    return 1.0f;
}

Theme resolve_theme(ThemeChoice choice, const SystemAppearance& system)
{
    switch (choice) {
    case ThemeChoice::Light: return Theme::Light;
    case ThemeChoice::Dark: return Theme::Dark;
    case ThemeChoice::HighContrast: return Theme::HighContrast;
    case ThemeChoice::System: break;
    }
    if (system.more_contrast)
        return Theme::HighContrast;
    return system.dark ? Theme::Dark : Theme::Light;
}

const char* text_size_key(TextSize size)
{
    switch (size) {
    case TextSize::Standard: return "standard";
    case TextSize::Large: return "large";
    case TextSize::ExtraLarge: return "x-large";
    }
    return "standard";
}

const char* theme_choice_key(ThemeChoice choice)
{
    switch (choice) {
    case ThemeChoice::System: return "system";
    case ThemeChoice::Light: return "light";
    case ThemeChoice::Dark: return "dark";
    case ThemeChoice::HighContrast: return "high-contrast";
    }
    return "system";
}

const char* theme_key(Theme theme)
{
    switch (theme) {
    case Theme::Light: return "light";
    case Theme::Dark: return "dark";
    case Theme::HighContrast: return "high-contrast";
    }
    return "light";
}

const char* lang_key(Lang lang)
{
    return lang == Lang::En ? "en" : "ja";
}

bool parse_text_size(std::string_view key, TextSize& out)
{
    for (TextSize size : {TextSize::Standard, TextSize::Large, TextSize::ExtraLarge}) {
        if (key == text_size_key(size)) {
            out = size;
            return true;
        }
    }
    return false;
}

bool parse_theme_choice(std::string_view key, ThemeChoice& out)
{
    for (ThemeChoice choice : {ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark, ThemeChoice::HighContrast}) {
        if (key == theme_choice_key(choice)) {
            out = choice;
            return true;
        }
    }
    return false;
}

bool parse_lang(std::string_view key, Lang& out)
{
    for (Lang lang : {Lang::Ja, Lang::En}) {
        if (key == lang_key(lang)) {
            out = lang;
            return true;
        }
    }
    return false;
}
