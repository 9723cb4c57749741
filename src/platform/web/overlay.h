#pragma once
// Mirrors the frame's semantic tree (core/semantics.h) into the DOM layer over the canvas
// (web/overlay.js), only when it changed.
struct WebPlatform;

void overlay_publish(WebPlatform& p);

// Completes what the DOM layer asked for once a frame has made it possible (a text field that
// had to be scrolled into view is focused).
void overlay_after_frame(WebPlatform& p);
