// The memo of the manual: the browser was closed without logging out, so the server still holds
// the login. 強制ログアウト ends it; the customer then logs in again.
#include "core/session.h"
#include "layout.h"
#include "screens.h"

void screen_forced_logout(ScreenContext& c)
{
    const api::ErrorResponse& e = c.flow.last_error;
    ui_heading(c.f, T(c, StringId::forced_heading), 1);
    layout_rule(c.width);
    ui_text(c.f, T(c, StringId::forced_explain));
    if (e.active_session_login_time > 0) {
        std::string line = T(c, StringId::forced_previous, "time", format_jst(e.active_session_login_time));
        line = fill_placeholder(line, "address", e.active_session_source_address);
        ui_text(c.f, line.c_str());
    }
    layout_section_gap();
    const ButtonRow row = layout_button_row(c.width, 240.0f, {T(c, StringId::button_force_logout), T(c, StringId::button_cancel)});
    if (ui_button(c.f, T(c, StringId::button_force_logout), ImVec2(row.width, 0.0f)))
        ui_emit(c.f, flow_event(FlowEventKind::ClickForceLogout));
    layout_next_in_row(row);
    if (ui_secondary_button(c.f, T(c, StringId::button_cancel), ImVec2(row.width, 0.0f)))
        ui_emit(c.f, flow_event(FlowEventKind::ClickBack));
}
