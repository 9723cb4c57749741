// Every failure gets its own message and a way forward: back to the login screen, retry when
// the server or network failed, reload when the configuration could not be read.
#include "layout.h"
#include "screens.h"
#include "theme.h"

#include "core/error_text.h"

void screen_error(ScreenContext& c)
{
    const FlowState& flow = c.app.flow;
    ui_heading(c.f, T(c, StringId::error_heading), 1);
    layout_rule(c.width);
    ui_alert(c.f, T(c, error_text(flow.screen, flow.failure)));

    if (flow.screen == Screen::ErrorLocked) {
        const std::string& configured = local_text(c.app.config.locked_contact, c.app.prefs.lang);
        const std::string contact = configured.empty() ? T(c, StringId::locked_contact_default) : configured;
        ui_text(c.f, T(c, StringId::error_locked_contact, "contact", contact).c_str());
    }
    if (flow.screen == Screen::ErrorConfiguration && !flow.config_error.empty()) {
        layout_section_gap();
        ui_text_colored(c.f, theme_muted_text_color(), T(c, StringId::error_config_detail));
        ui_text_colored(c.f, theme_muted_text_color(), flow.config_error.c_str());
    }

    layout_section_gap();
    if (flow.screen == Screen::ErrorConfiguration) {
        const ButtonRow row = layout_button_row(c.width, 260.0f, {T(c, StringId::button_reload)});
        if (ui_button(c.f, T(c, StringId::button_reload), ImVec2(row.width, 0.0f)))
            ui_emit(c.f, flow_event(FlowEventKind::ClickRetry));
        return;
    }
    if (flow.screen == Screen::ErrorUnavailable) {
        const ButtonRow row = layout_button_row(c.width, 260.0f, {T(c, StringId::button_retry), T(c, StringId::button_back_to_login)});
        if (ui_button(c.f, T(c, StringId::button_retry), ImVec2(row.width, 0.0f)))
            ui_emit(c.f, flow_event(FlowEventKind::ClickRetry));
        layout_next_in_row(row);
        if (ui_secondary_button(c.f, T(c, StringId::button_back_to_login), ImVec2(row.width, 0.0f)))
            ui_emit(c.f, flow_event(FlowEventKind::ClickBack));
        return;
    }
    const ButtonRow row = layout_button_row(c.width, 260.0f, {T(c, StringId::button_back_to_login)});
    if (ui_button(c.f, T(c, StringId::button_back_to_login), ImVec2(row.width, 0.0f)))
        ui_emit(c.f, flow_event(FlowEventKind::ClickBack));
}
