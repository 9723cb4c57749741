#pragma once
// The whole UI of one frame: reads core state (flow, session, configuration), draws the current
// screen, records semantics and returns what the customer did as flow events.
#include "core/app_config.h"
#include "core/display_prefs.h"
#include "core/import_guide.h"
#include "core/page_actions.h"
#include "core/screen_flow.h"
#include "core/semantics.h"
#include "core/ui_strings.h"
#include "fonts.h"

#include <cstdint>
#include <string>
#include <vector>

struct AppFrameInput {
    double now = 0.0;          // page clock, seconds
    bool caps_lock = false;
    ImportGuide import_guide = ImportGuide::Other;   // the browser's (import_guide_for its user agent)
};

// Something the DOM layer asked for (keyboard or assistive technology on an overlay element).
// It takes effect in order with the input the customer gave before it: only once ImGui has
// processed every input event queued before `after_event` (keys typed fast before a Tab still
// land in the field they were typed into; keys typed after it do not).
struct DomRequest {
    uint32_t activate_id = 0;        // widget to activate, as if clicked (0: none)
    bool release_keyboard = false;   // focus moved to a non-text element: the text field lets go
    uint32_t after_event = 0;        // ImGui input event id of the request's place in the queue
};

struct App {
    UiFonts fonts;
    SemanticTree semantics;
    std::vector<DomRequest> dom_requests;   // activations and focus changes from the DOM layer, in order
    SystemAppearance system;            // the operating system's dark mode, contrast, reduced motion
    Theme drawn_theme = Theme::Light;   // what the style was last set up for (app_apply_display)
    float drawn_scale = 0.0f;           // 0: not set up yet

    AppConfig config;
    FlowState flow;
    PageState page;                     // display preferences, software keyboard, password, a link to open
    std::string last_certificate_name;  // shown on the certificate prompt (localStorage)
    uint32_t screen_serial = 0;            // screen changes so far (FlowOutput::screen_changed)
    uint32_t drawn_serial = UINT32_MAX;    // the screen visit the previous frame drew
};

// Sets ImGui's style, the font sizes and the caret blink up for the current display
// preferences and system appearance. Returns true when anything changed: the frame must then be
// built again before it is shown.
bool app_apply_display(App& app);

// Queues a DOM request behind the input already given (call outside a frame).
void app_dom_request(App& app, uint32_t activate_id, bool release_keyboard);

// Call between ImGui::NewFrame() and ImGui::Render(). Appends the customer's actions to `events`.
// Returns true when a widget acted, so the next frame must be drawn.
bool app_frame(App& app, const AppFrameInput& input, std::vector<FlowEvent>& events);

// Scrolls the screen so widget `id` (of the last frame) is fully in view, as a browser does for
// a focused element: with large text on a small window the screen is taller than the window.
// Call outside a frame; the next frame draws the screen scrolled. Returns how far it moves up
// (CSS pixels), so a click can be aimed at where the widget will be.
float app_scroll_into_view(App& app, uint32_t id);

// When the UI's own timers (caret blink, session countdown, request deadline) next change the
// picture; < 0: never.
double app_next_wake(const App& app, double now);
