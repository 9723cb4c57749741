#pragma once
// The operating system's appearance settings, as the browser reports them through CSS media
// queries (prefers-color-scheme, prefers-contrast, forced-colors, prefers-reduced-motion): read
// at start and followed live, so switching the system to dark mode recolours an open page.
struct WebPlatform;

void appearance_install(WebPlatform& p);
