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
    if (c.app.flow.notice == Notice::LoggedOutElsewhere)
        ui_text(c.f, T(c, StringId::logged_out_elsewhere));
    else
        ui_text(c.f, T(c, StringId::logged_out_text));
    if (c.app.flow.notice == Notice::CloseRefused)
        ui_alert(c.f, T(c, StringId::close_refused));
    layout_section_gap();
    const float w = std::min((c.width - ImGui::GetStyle().ItemSpacing.x) * 0.5f, 260.0f);
    if (ui_button(c.f, T(c, StringId::button_close_window), ImVec2(w, 0.0f)))
        ui_emit(c.f, flow_event(FlowEventKind::ClickCloseWindow));
    ImGui::SameLine();
    relogin_button(c, w);
}

void screen_session_expired(ScreenContext& c)
{
    ui_heading(c.f, T(c, StringId::session_expired_heading), 1);
    layout_rule(c.width);
    ui_text(c.f, T(c, StringId::session_expired_text));
    layout_section_gap();
    relogin_button(c, std::min(c.width, 260.0f));
}
