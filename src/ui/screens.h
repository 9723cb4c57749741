#pragma once
// One function per screen of the login flow (screen_*.cpp); app.cpp picks the one for
// FlowState::screen. Screens only draw core state and emit flow events.
#include "app.h"
#include "widgets.h"

struct ScreenContext {
    App& app;
    UiFrame& f;
    const AppFrameInput& input;
    float width;        // the content column's width, CSS pixels
    bool first_frame;   // the screen is drawn for the first time since it was entered
};

const char* T(const ScreenContext& c, StringId id);
std::string T(const ScreenContext& c, StringId id, std::string_view name, std::string_view value);

void screen_login(ScreenContext& c);
void screen_certificate_prompt(ScreenContext& c);
void screen_password_entry(ScreenContext& c);
void screen_forced_logout(ScreenContext& c);
void screen_main(ScreenContext& c);
void screen_logged_out(ScreenContext& c);
void screen_session_expired(ScreenContext& c);
void screen_waiting(ScreenContext& c);   // every screen that only waits for a reply
void screen_error(ScreenContext& c);     // every error screen
