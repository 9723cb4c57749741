#pragma once
// The names the page's own JavaScript (web/*.js) and this C++ code both use, defined once.
// Pure constants (no Emscripten), so the native build compiles them too: src/web_contract turns
// them, with the display-preference words (core/display_prefs.h), the semantic roles
// (core/semantics.h) and the palettes (core/palette.h), into the JavaScript constants and CSS
// custom properties the page is packaged with. JavaScript written inside C++ (EM_JS) gets
// them as arguments instead of repeating them.
namespace page {

// Storage on the device. localStorage: the certificate's name (never a key) and the display
// preferences; sessionStorage: the CSRF token (this tab only, survives a reload).
constexpr const char* kStoreCertificateName = "ibank.certificate";
constexpr const char* kStoreCsrfToken = "ibank.csrf";
constexpr const char* kStoreLanguage = "ibank.lang";
constexpr const char* kStoreTextSize = "ibank.textSize";
constexpr const char* kStoreTheme = "ibank.theme";

// Module.ibankAssets holds what web/loader.js downloaded before main(), under these names.
constexpr const char* kModuleAssets = "ibankAssets";
constexpr const char* kAssetFont = "font";
constexpr const char* kAssetConfig = "config";
// Module.ibankGlyphManifest: the URL of the glyph chunks' manifest (content-hashed name).
constexpr const char* kModuleGlyphManifest = "ibankGlyphManifest";
// Module.ibankCertificateModule(): a promise of the browser's certificate module (web/enroll,
// loaded by web/loader.js on first use: 電子証明書取得 and 更新 only).
constexpr const char* kModuleCertificateModule = "ibankCertificateModule";

// Why the module could not start, as web/loader.js's error panel explains it.
constexpr const char* kFailFontNotLoaded = "font not loaded";
constexpr const char* kFailWebgl2Unavailable = "webgl2 unavailable";

// Objects on window that web/*.js defines and the C++ glue calls or updates: the frame counts
// (also read by tests and scripts/bench-web), the loader's error panel, the semantic DOM layer.
constexpr const char* kGlobalStats = "ibankStats";
constexpr const char* kGlobalLoader = "ibankLoader";
constexpr const char* kGlobalOverlay = "ibankOverlay";

// Dispatched on window when the first frame is on screen (the loading panel goes away).
constexpr const char* kFirstFrameEvent = "ibank-first-frame";

// The system's appearance, as CSS media queries: the page's colours before the first frame
// (generated CSS) and the UI's theme (appearance.cpp) follow the same ones.
constexpr const char* kQueryDark = "(prefers-color-scheme: dark)";
constexpr const char* kQueryMoreContrast = "(prefers-contrast: more)";
constexpr const char* kQueryForcedColors = "(forced-colors: active)";
constexpr const char* kQueryReducedMotion = "(prefers-reduced-motion: reduce)";

} // namespace page
