#pragma once
// The whole UI of one frame: reads core state (flow, session, configuration), draws the current
// screen, records semantics and returns what the customer did as flow events.
#include "core/app_config.h"
#include "core/screen_flow.h"
#include "core/secret_buffer.h"
#include "core/semantics.h"
#include "core/ui_strings.h"
#include "fonts.h"

#include <cstdint>
#include <string>
#include <vector>

struct AppFrameInput {
    double now = 0.0;          // page clock, seconds
    bool caps_lock = false;
};

struct App {
    UiFonts fonts;
    SemanticTree semantics;
    uint32_t pending_activation = 0;   // set by the DOM layer, consumed by the next frame
    Lang lang = Lang::Ja;

    AppConfig config;
    FlowState flow;
    SecretBuffer password;              // the login password's only home (core/secret_buffer.h)
    std::string last_certificate_name;  // shown on the certificate prompt (localStorage)
    Screen drawn_screen = Screen::Count;   // the screen the previous frame drew
    std::string open_url;               // a link the customer followed this frame (platform opens it)
};

void app_setup_style();

// Call between ImGui::NewFrame() and ImGui::Render(). Appends the customer's actions to `events`.
void app_frame(App& app, const AppFrameInput& input, std::vector<FlowEvent>& events);

// When the UI's own timers (caret blink, session countdown, request deadline) next change the
// picture; < 0: never.
double app_next_wake(const App& app, double now);
