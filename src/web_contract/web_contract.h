#pragma once
// What the page's own JavaScript and CSS (web/) share with the C++ code, generated at build time
// from the C++ definitions so that each name, number and colour is written down once:
//   - page_contract_js(): a classic script defining window.ibankContract (storage keys, the
//     theme words of data-theme, asset and failure names, the first-frame event, semantic roles),
//     packaged in front of web/overlay.js and web/loader.js;
//   - page_theme_css(): the palettes' page colours as CSS custom properties for every theme,
//     packaged in front of web/app.css.
// scripts/package_web.py joins them; tests/unit/web_contract_test.cpp checks them against the
// C++ tables and that web/ and the EM_JS glue hold no copies.
#include "core/palette.h"

#include <span>
#include <string>

// One CSS custom property web/app.css uses and the palette colour it carries.
struct CssColour {
    const char* property;   // without the leading "--"
    Rgb Palette::*colour;
};
std::span<const CssColour> page_css_colours();

// "#rrggbb", lower case.
std::string css_hex(Rgb c);

std::string page_contract_js();
std::string page_theme_css();
