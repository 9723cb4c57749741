#pragma once
// One function per screen of the login flow (screen_*.cpp); app.cpp picks the one for
// FlowState::screen. Screens only draw core state and emit what the customer did: flow events
// (ui_emit) and page actions (ui_act, applied by core/page_actions). They are handed read-only
// views; the asserts below keep it that way.
#include "app.h"
#include "widgets.h"

#include <type_traits>

struct ScreenContext {
    const FlowState& flow;
    const AppConfig& config;
    const PageState& page;                      // display preferences, software keyboard, password
    const std::string& last_certificate_name;
    // The text fields' buffers: ImGui's text fields edit them in place, so they are the only
    // buffers a screen writes, and only through ui_password_field / ui_user_id_field
    // (page_after_frame tidies them up).
    char* password_field;
    char* enrollment_code_field;
    char* passphrase_field;
    char* passphrase_again_field;
    char* user_id_field;
    UiFrame& f;
    const AppFrameInput& input;
    float width;        // the content column's width, CSS pixels
    bool first_frame;   // the screen is drawn for the first time since it was entered
};

static_assert(std::is_same_v<decltype(ScreenContext::flow), const FlowState&>, "screens never change the flow");
static_assert(std::is_same_v<decltype(ScreenContext::config), const AppConfig&>, "screens never change the configuration");
static_assert(std::is_same_v<decltype(ScreenContext::page), const PageState&>, "screens change the page only through ui_act");

const char* T(const ScreenContext& c, StringId id);
std::string T(const ScreenContext& c, StringId id, std::string_view name, std::string_view value);

void screen_login(ScreenContext& c);
void screen_certificate_prompt(ScreenContext& c);
void screen_password_entry(ScreenContext& c);
void screen_forced_logout(ScreenContext& c);
void screen_main(ScreenContext& c);
void screen_logged_out(ScreenContext& c);
void screen_session_expired(ScreenContext& c);
void screen_enroll_entry(ScreenContext& c);
void screen_passphrase_entry(ScreenContext& c);
void screen_certificate_saved(ScreenContext& c);
void screen_waiting(ScreenContext& c);   // every screen that only waits for a reply
void screen_error(ScreenContext& c);     // every error screen
