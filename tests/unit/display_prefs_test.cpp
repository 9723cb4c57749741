#include "core/display_prefs.h"

#include <catch_amalgamated.hpp>

TEST_CASE("the theme follows the system until the customer picks one")
{
    struct Row {
        ThemeChoice choice;
        bool dark;
        bool more_contrast;
        Theme expected;
    };
    const Row rows[] = {
        {ThemeChoice::System, false, false, Theme::Light},
        {ThemeChoice::System, true, false, Theme::Dark},
        {ThemeChoice::System, false, true, Theme::HighContrast},
        {ThemeChoice::System, true, true, Theme::HighContrast},   // more contrast wins over dark
        {ThemeChoice::Light, true, true, Theme::Light},           // a choice wins over the system
        {ThemeChoice::Dark, false, false, Theme::Dark},
        {ThemeChoice::Dark, false, true, Theme::Dark},
        {ThemeChoice::HighContrast, true, false, Theme::HighContrast},
    };
    for (const Row& row : rows) {
        SystemAppearance system;
        system.dark = row.dark;
        system.more_contrast = row.more_contrast;
        INFO(theme_choice_key(row.choice) << " dark=" << row.dark << " more_contrast=" << row.more_contrast);
        CHECK(resolve_theme(row.choice, system) == row.expected);
    }
}

TEST_CASE("text sizes grow in visible steps, 特大 well beyond 標準")
{
    CHECK(text_scale(TextSize::Standard) == 1.0f);
    CHECK(text_scale(TextSize::Large) > 1.2f);
    CHECK(text_scale(TextSize::ExtraLarge) >= 1.5f);
    CHECK(text_scale(TextSize::ExtraLarge) > text_scale(TextSize::Large));
}

TEST_CASE("stored preferences read back as what was stored")
{
    for (TextSize size : {TextSize::Standard, TextSize::Large, TextSize::ExtraLarge}) {
        TextSize read = size == TextSize::Standard ? TextSize::Large : TextSize::Standard;
        REQUIRE(parse_text_size(text_size_key(size), read));
        CHECK(read == size);
    }
    for (ThemeChoice choice : {ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark, ThemeChoice::HighContrast}) {
        ThemeChoice read = choice == ThemeChoice::System ? ThemeChoice::Dark : ThemeChoice::System;
        REQUIRE(parse_theme_choice(theme_choice_key(choice), read));
        CHECK(read == choice);
    }
    for (Lang lang : {Lang::Ja, Lang::En}) {
        Lang read = lang == Lang::Ja ? Lang::En : Lang::Ja;
        REQUIRE(parse_lang(lang_key(lang), read));
        CHECK(read == lang);
    }
}

TEST_CASE("a damaged stored preference leaves the default in place")
{
    TextSize size = TextSize::Large;
    ThemeChoice choice = ThemeChoice::Dark;
    Lang lang = Lang::En;
    for (const char* junk : {"", "LARGE", "huge", "dark ", "{\"x\":1}", "\xff\xfe"}) {
        INFO(junk);
        CHECK_FALSE(parse_text_size(junk, size));
        CHECK_FALSE(parse_theme_choice(junk, choice));
        CHECK_FALSE(parse_lang(junk, lang));
    }
    CHECK(size == TextSize::Large);
    CHECK(choice == ThemeChoice::Dark);
    CHECK(lang == Lang::En);
}
