// ① The login screen: credit union name, 電子証明書ログイン, notices and security notices.
#include "layout.h"
#include "screens.h"
#include "theme.h"

static void draw_notice_list(ScreenContext& c, StringId heading, const std::vector<LocalText>& notices)
{
    if (notices.empty())
        return;
    layout_section_gap();
    ui_heading(c.f, T(c, heading), 2);
    for (const LocalText& notice : notices) {
        ImGui::Bullet();
        ImGui::SameLine();
        ui_text(c.f, local_text(notice, c.app.lang).c_str());
    }
}

void screen_login(ScreenContext& c)
{
    const AppConfig& cfg = c.app.config;
    ui_heading(c.f, T(c, StringId::app_title), 1);
    layout_rule(c.width);
    layout_section_gap();

    if (c.app.flow.notice == Notice::ForcedLogoutDone)
        ui_alert(c.f, T(c, StringId::forced_done));

    const float button_width = std::min(c.width, 360.0f);
    if (ui_button(c.f, T(c, StringId::login_certificate), ImVec2(button_width, 0.0f)))
        ui_emit(c.f, flow_event(FlowEventKind::ClickCertificateLogin));

    if (!cfg.forgot_password_url.empty()) {
        layout_section_gap();
        if (ui_link(c.f, T(c, StringId::login_forgot_password)))
            c.app.open_url = cfg.forgot_password_url;   // a page of the credit union's site; the flow stays
    }

    draw_notice_list(c, StringId::login_notices_heading, cfg.notices);
    draw_notice_list(c, StringId::security_heading, cfg.security_notices);
}
