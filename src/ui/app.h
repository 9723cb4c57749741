#pragma once
// The whole UI of one frame: reads core state, draws the current screen, records semantics.
#include "core/semantics.h"
#include "core/ui_strings.h"
#include "fonts.h"

#include <cstdint>

struct AppFrameInput {
    double now = 0.0;          // seconds
    bool caps_lock = false;
};

struct App {
    UiFonts fonts;
    SemanticTree semantics;
    uint32_t pending_activation = 0;   // set by the DOM layer, consumed by the next frame
    Lang lang = Lang::Ja;
};

void app_setup_style();

// Call between ImGui::NewFrame() and ImGui::Render().
void app_frame(App& app, const AppFrameInput& input);

// When the UI's own timers (caret blink) next change the picture; < 0: never.
double app_next_wake(double now);
