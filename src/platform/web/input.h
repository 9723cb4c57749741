#pragma once
// Browser input -> Dear ImGui's input-event queue (io.Add*Event), through emscripten/html5.h.
struct WebPlatform;

// Registers every listener: mouse, touch, wheel, keyboard (with text and Caps Lock), focus,
// resize and devicePixelRatio changes, page visibility.
void input_install(WebPlatform& p);

// Reads the canvas's CSS size and devicePixelRatio and sizes its drawing buffer to match.
void input_update_canvas_size(WebPlatform& p);
