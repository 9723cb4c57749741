// ① The login screen: credit union name, 電子証明書ログイン, the display preferences (text
// size, colours), notices and security notices.
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
        ui_text(c.f, local_text(notice, c.page.prefs.lang).c_str());
    }
}

// A set of options in a row, wrapping to the next line where the column ends. Returns the
// index picked this frame, or -1.
static int draw_choices(ScreenContext& c, StringId group, const StringId* labels, int count, int chosen)
{
    const char* group_name = T(c, group);
    ui_text(c.f, group_name);
    ImGui::PushID(group_name);
    int picked = -1;
    for (int i = 0; i < count; i++) {
        const char* label = T(c, labels[i]);
        if (i > 0)
            layout_same_line_if_room(layout_button_fit(label));
        if (ui_choice(c.f, group_name, label, i == chosen))
            picked = i;
    }
    ImGui::PopID();
    return picked;
}

static void draw_display_prefs(ScreenContext& c)
{
    const DisplayPrefs& prefs = c.page.prefs;
    layout_section_gap();
    ui_heading(c.f, T(c, StringId::display_heading), 2);

    static const StringId sizes[] = {StringId::text_size_standard, StringId::text_size_large, StringId::text_size_extra_large};
    const int size = draw_choices(c, StringId::text_size_label, sizes, 3, static_cast<int>(prefs.text_size));
    if (size >= 0)
        ui_act(c.f, page_action(PageActionKind::SetTextSize, size));

    static const StringId themes[] = {StringId::theme_system, StringId::theme_light, StringId::theme_dark, StringId::theme_high_contrast};
    const int theme = draw_choices(c, StringId::theme_label, themes, 4, static_cast<int>(prefs.theme));
    if (theme >= 0)
        ui_act(c.f, page_action(PageActionKind::SetTheme, theme));
}

void screen_login(ScreenContext& c)
{
    const AppConfig& cfg = c.config;
    ui_heading(c.f, T(c, StringId::app_title), 1);
    layout_rule(c.width);
    layout_section_gap();

    if (c.flow.notice == Notice::ForcedLogoutDone)
        ui_alert(c.f, T(c, StringId::forced_done));

    const ButtonRow row = layout_button_row(c.width, 360.0f, {T(c, StringId::login_certificate)});
    if (ui_button(c.f, T(c, StringId::login_certificate), ImVec2(row.width, 0.0f)))
        ui_emit(c.f, flow_event(FlowEventKind::ClickCertificateLogin));
    // 電子証明書取得: for a first certificate, an expired one or a new PC.
    layout_section_gap();
    ui_text_colored(c.f, theme_muted_text_color(), T(c, StringId::login_enroll_hint));
    if (ui_secondary_button(c.f, T(c, StringId::login_enroll), ImVec2(row.width, 0.0f)))
        ui_emit(c.f, flow_event(FlowEventKind::ClickCertificateEnroll));

    if (!cfg.forgot_password_url.empty()) {
        layout_section_gap();
        if (ui_link(c.f, T(c, StringId::login_forgot_password)))
            ui_act(c.f, page_action(PageActionKind::OpenForgotPassword));   // the flow stays
    }

    draw_display_prefs(c);
    draw_notice_list(c, StringId::login_notices_heading, cfg.notices);
    draw_notice_list(c, StringId::security_heading, cfg.security_notices);
}
