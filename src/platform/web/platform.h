#pragma once
// State of the web platform layer: one instance for the page's lifetime.
#include "app.h"
#include "core/frame_pacer.h"
#include "renderer_webgl2.h"

#include <emscripten/html5.h>
#include <string>

struct WebPlatform {
    App app;
    WebGL2Renderer renderer;
    FramePacer pacer;

    EMSCRIPTEN_WEBGL_CONTEXT_HANDLE gl = 0;
    bool gl_lost = false;           // between webglcontextlost and webglcontextrestored

    bool animation_frame_pending = false;
    long wake_timer = 0;            // emscripten_set_timeout id; 0: none
    double last_frame_time = 0.0;   // seconds

    float dpr = 1.0f;               // devicePixelRatio (browser zoom x screen density)
    int css_width = 0;              // canvas size in CSS pixels
    int css_height = 0;
    bool caps_lock = false;
    ImportGuide import_guide = ImportGuide::Other;   // from the user agent, once at start
    DisplayPrefs remembered_prefs;  // the display preferences last stored on this device
    // Keyboard focus in the DOM layer: on a control (button, link, checkbox), Enter and Space
    // belong to the browser, which clicks it; ImGui does not see them.
    bool dom_focus_on_control = false;

    std::string published_semantics;   // last JSON sent to the DOM layer
};

// The one instance (callbacks from JavaScript reach it through here).
WebPlatform& platform();
