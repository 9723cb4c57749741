#include "app.h"

#include "core/session.h"
#include "layout.h"
#include "screens.h"
#include "theme.h"

#include <algorithm>
#include "imgui_internals.h"

#include <imgui.h>

// The one window every screen is drawn in.
static const char* const kScreenWindow = "##screen";

bool app_apply_display(App& app)
{
    const Theme theme = resolve_theme(app.page.prefs.theme, app.system);
    const float scale = text_scale(app.page.prefs.text_size);
    // The caret's blink is the UI's only animation; reduced motion keeps it steady.
    ImGui::GetIO().ConfigInputTextCursorBlink = !app.system.reduced_motion;
    if (theme == app.drawn_theme && scale == app.drawn_scale)
        return false;
    theme_apply(ImGui::GetStyle(), palette_for(theme), scale);
    app.fonts.text_scale = scale;
    app.drawn_theme = theme;
    app.drawn_scale = scale;
    return true;
}

const char* T(const ScreenContext& c, StringId id)
{
    return ui_text(id, c.page.prefs.lang);
}

std::string T(const ScreenContext& c, StringId id, std::string_view name, std::string_view value)
{
    return fill_placeholder(ui_text(id, c.page.prefs.lang), name, value);
}

void app_dom_request(App& app, uint32_t activate_id, bool release_keyboard)
{
    // A key press that does nothing marks the request's place in ImGui's input queue; ImGui's
    // trickling then never processes text typed after it in the same frame as text before it.
    DomRequest r;
    r.after_event = imgui_input_mark();
    r.activate_id = activate_id;
    r.release_keyboard = release_keyboard;
    app.dom_requests.push_back(r);
}

// Applies the DOM requests whose place in the input queue ImGui has reached: releases the text
// field, and returns the widget to activate this frame (0: none).
static uint32_t take_dom_requests(App& app)
{
    uint32_t activate = 0;
    size_t done = 0;
    for (const DomRequest& r : app.dom_requests) {
        if (!imgui_input_processed(r.after_event))
            break;
        // Only a text field lets go; a button being pressed by this very click stays pressed.
        if (r.release_keyboard && imgui_text_field_active())
            imgui_release_active();
        if (r.activate_id != 0)
            activate = r.activate_id;
        done++;
    }
    app.dom_requests.erase(app.dom_requests.begin(), app.dom_requests.begin() + static_cast<long>(done));
    return activate;
}

static void draw_screen(ScreenContext& c)
{
    switch (c.flow.screen) {
    case Screen::Login: screen_login(c); break;
    case Screen::CertificatePrompt: screen_certificate_prompt(c); break;
    case Screen::PasswordEntry: screen_password_entry(c); break;
    case Screen::ForcedLogoutRequired: screen_forced_logout(c); break;
    case Screen::Main: screen_main(c); break;
    case Screen::LoggedOut: screen_logged_out(c); break;
    case Screen::SessionExpired: screen_session_expired(c); break;
    case Screen::EnrollEntry: screen_enroll_entry(c); break;
    case Screen::PassphraseEntry: screen_passphrase_entry(c); break;
    case Screen::CertificateSaved: screen_certificate_saved(c); break;
    default:
        if (screen_is_waiting(c.flow.screen))
            screen_waiting(c);
        else
            screen_error(c);
        break;
    }
}

// Every screen: the credit union's name, and at the top right the language switch - and
// ログアウト on the screens of a logged-in customer, as the manual places it.
static void draw_top_bar(ScreenContext& c)
{
    const std::string& name = local_text(c.config.credit_union_name, c.page.prefs.lang);
    const ImGuiStyle& style = ImGui::GetStyle();
    const char* language = T(c, StringId::language_switch);
    const char* logout = T(c, StringId::button_logout);
    const bool show_logout = screen_shows_logout(c.flow.screen);
    float w = layout_button_fit(language);
    if (show_logout)
        w += style.ItemSpacing.x + layout_button_fit(logout);
    // The buttons share the line with the name when both fit; on a phone or with large text
    // the name takes its own line and the buttons stay at the right below it.
    const float start_x = ImGui::GetCursorPosX();
    const bool one_line = ImGui::CalcTextSize(name.c_str()).x + style.ItemSpacing.x + w <= c.width;
    if (one_line)
        ImGui::AlignTextToFramePadding();   // the name sits level with the buttons' labels
    ui_text_colored(c.f, theme_muted_text_color(), name.c_str());
    if (one_line)
        ImGui::SameLine(start_x + c.width - w);
    else
        ImGui::SetCursorPosX(start_x + std::max(0.0f, c.width - w));
    if (ui_secondary_button(c.f, language))
        ui_act(c.f, page_action(PageActionKind::ToggleLanguage));
    if (show_logout) {
        ImGui::SameLine();
        if (ui_button(c.f, logout))
            ui_emit(c.f, flow_event(FlowEventKind::ClickLogout));
    }
}

// The browser's back button cannot go back inside the flow; the notice says so on any screen.
static void draw_back_button_notice(ScreenContext& c)
{
    if (c.flow.notice != Notice::BackButton)
        return;
    ui_alert(c.f, T(c, StringId::back_button_notice));
    layout_section_gap();
}

// A finger dragged across the screen scrolls it, as on a web page; once it moves, the press it
// began on a button is cancelled, so scrolling never clicks.
static void touch_scroll(UiFrame& f)
{
    const ImGuiIO& io = ImGui::GetIO();
    if (io.MouseSource != ImGuiMouseSource_TouchScreen || !ImGui::IsMouseDragging(ImGuiMouseButton_Left, io.MouseDragThreshold * 2.0f))
        return;
    if (imgui_text_field_active())
        return;   // selecting in a text field
    imgui_release_active();
    if (io.MouseDelta.y != 0.0f) {
        ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseDelta.y);
        ui_mark_changed(f);
    }
}

bool app_frame(App& app, const AppFrameInput& input, std::vector<FlowEvent>& events)
{
    semantics_clear(app.semantics);
    UiFrame f;
    f.semantics = &app.semantics;
    f.activate_id = take_dom_requests(app);
    f.events = &events;
    f.page = &app.page;
    f.config = &app.config;
    f.heading_font = app.fonts.heading;
    f.mask_font = app.fonts.mask;
    f.name_separator = ui_text(StringId::name_separator, app.page.prefs.lang);
    app.semantics.screen_name = screen_name(app.flow.screen);
    app.semantics.screen_serial = app.screen_serial;
    app.semantics.lang = lang_key(app.page.prefs.lang);
    app.semantics.text_size = text_size_key(app.page.prefs.text_size);
    app.semantics.theme = theme_key(app.drawn_theme);
    layout_set_scale(app.drawn_scale);

    const ImGuiViewport* vp = ImGui::GetMainViewport();
    // Narrow windows (phones) get narrower margins.
    const bool narrow = vp->WorkSize.x < 480.0f;
    if (narrow)
        ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(14.0f, 16.0f));
    ImGui::SetNextWindowPos(vp->WorkPos);
    ImGui::SetNextWindowSize(vp->WorkSize);
    // A vertical scroll bar appears when the screen is taller than the window (large text, a
    // small window), so mouse users see there is more below.
    ImGui::Begin(kScreenWindow, nullptr,
                 ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse
                     | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus);
    // Each visit of a screen gets its own id scope, so its widgets never inherit the hover or
    // active state of the previous screen's widget at the same place (no double submit) - also
    // when a screen is entered again (a new password screen after a wrong password).
    ImGui::PushID(static_cast<int>(app.screen_serial));

    const bool first_frame = app.drawn_serial != app.screen_serial;
    app.drawn_serial = app.screen_serial;
    ScreenContext c{app.flow, app.config, app.page, app.last_certificate_name, app.page.password.data,
                    app.page.enrollment_code.data, app.page.passphrase.data, app.page.passphrase_again.data,
                    app.page.user_id, f, input, layout_column_width(ImGui::GetContentRegionAvail().x), first_frame};
    layout_begin_column(c.width);
    draw_top_bar(c);
    draw_back_button_notice(c);
    draw_screen(c);
    layout_end_column();
    touch_scroll(f);
    page_after_frame(app.page);

    ImGui::PopID();
    ImGui::End();
    if (narrow)
        ImGui::PopStyleVar();
    return f.changed;
}

float app_scroll_into_view(App& app, uint32_t id)
{
    ImguiWindowScroll window;
    if (!imgui_window_scroll(kScreenWindow, window))
        return 0.0f;
    const float margin = ImGui::GetStyle().ItemSpacing.y;
    for (const SemanticNode& n : app.semantics.nodes) {
        if (n.id != id)
            continue;
        const float top = window.inner_top + margin;
        const float bottom = window.inner_bottom - margin;
        float delta = 0.0f;
        if (n.y + n.h > bottom)
            delta = n.y + n.h - bottom;
        if (n.y - delta < top)
            delta = n.y - top;
        const float target = std::clamp(window.scroll + delta, 0.0f, window.scroll_max);
        if (target == window.scroll)
            return 0.0f;
        imgui_set_window_scroll(kScreenWindow, target);   // applied when the window begins, before any widget
        return target - window.scroll;
    }
    return 0.0f;
}

double app_next_wake(const App& app, double now)
{
    double wake = -1.0;
    auto earliest = [&wake](double t) {
        if (t >= 0.0 && (wake < 0.0 || t < wake))
            wake = t;
    };
    // The countdown and expiry of the session.
    earliest(session_next_change(app.flow.session, now));
    // The flow's own deadline for an outstanding request (backstop to the fetch timeout).
    if (app.flow.pending != RequestKind::None)
        earliest(app.flow.pending_deadline);

    // The text caret blinks; wake only at the moments it toggles, never at the display rate.
    const double until_toggle = imgui_caret_next_toggle();
    if (until_toggle >= 0.0)
        earliest(now + until_toggle + 0.01);
    return wake;
}
