#pragma once
// Fetches glyph chunks (core/glyph_chunks.h) for characters the frame showed but the font atlas
// lacks - typically company and user names from the server - and hands them to the fonts.
struct WebPlatform;

// After each frame: finds visible characters without a glyph and fetches what covers them.
void glyph_loader_after_frame(WebPlatform& p);
