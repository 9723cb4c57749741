#pragma once
// Keeps the font atlas covering what the frame shows: characters seen for the first time are
// added to the atlas (from the subset font), and those no loaded font data has are fetched as
// glyph chunks (core/glyph_chunks.h) - typically company and user names from the server.
struct WebPlatform;

// After the UI built a frame: records its characters in the fonts (fonts.dirty when the atlas
// must grow) and fetches chunks for characters no font data has yet.
void glyph_loader_check_frame(WebPlatform& p);
