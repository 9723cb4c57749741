// After the session: the logout-complete screen (このウィンドウを閉じる / 再ログイン) and the
// session-expired screen (再ログイン).
#include "layout.h"
#include "screens.h"

static void relogin_button(ScreenContext& c, float w)
{
    if (ui_button(c.f, T(c, StringId::button_relogin), ImVec2(w, 0.0f)))
        ui_emit(c.f, flow_event(FlowEventKind::ClickRelogin));
}

void screen_logged_out(ScreenContext& c)
{
    ui_heading(c.f, T(c, StringId::logged_out_heading), 1);
    layout_rule(c.width);
    if (c.flow.notice == Notice::LoggedOutElsewhere)
        ui_text(c.f, T(c, StringId::logged_out_elsewhere));
    else
        ui_text(c.f, T(c, StringId::logged_out_text));
    if (c.flow.notice == Notice::CloseRefused)
        ui_alert(c.f, T(c, StringId::close_refused));
    layout_section_gap();
    const ButtonRow row = layout_button_row(c.width, 260.0f, {T(c, StringId::button_close_window), T(c, StringId::button_relogin)});
    if (ui_button(c.f, T(c, StringId::button_close_window), ImVec2(row.width, 0.0f)))
        ui_emit(c.f, flow_event(FlowEventKind::ClickCloseWindow));
    layout_next_in_row(row);
    relogin_button(c, row.width);
}

void screen_session_expired(ScreenContext& c)
{
    ui_heading(c.f, T(c, StringId::session_expired_heading), 1);
    layout_rule(c.width);
    ui_text(c.f, T(c, StringId::session_expired_text));
    layout_section_gap();
    relogin_button(c, layout_button_row(c.width, 260.0f, {T(c, StringId::button_relogin)}).width);
}
