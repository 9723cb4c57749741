// ⑦ The main screen after login: who is logged in, the previous login and recent history (so
// customers spot logins they did not make), the remaining session time with a way to extend
// it, ログアウト at the top right, and the transaction menu from the configuration.
#include "core/session.h"
#include "layout.h"
#include "screens.h"
#include "theme.h"

#include <algorithm>

static StringId result_text(api::LoginResult result)
{
    switch (result) {
    case api::LoginResult::Success: return StringId::result_success;
    case api::LoginResult::WrongPassword: return StringId::result_wrong_password;
    case api::LoginResult::Locked: return StringId::result_locked;
    case api::LoginResult::SessionActive: return StringId::result_session_active;
    case api::LoginResult::ForcedLogout: return StringId::result_forced_logout;
    default: return StringId::result_other;
    }
}

static void draw_company(ScreenContext& c)
{
    ui_heading(c.f, c.flow.session.info.company_name.c_str(), 1);
    layout_rule(c.width);
}

static void draw_session_time(ScreenContext& c)
{
    const FlowState& flow = c.flow;
    const ClientSession& s = flow.session;
    const double now = c.input.now;
    const std::string remaining = T(c, StringId::main_remaining, "time", format_remaining(session_remaining_seconds(s, now)));
    ui_text(c.f, remaining.c_str());
    const SessionWarning warning = session_warning(s, now);
    if (warning == SessionWarning::Idle)
        ui_alert(c.f, T(c, StringId::main_idle_warning));
    if (warning == SessionWarning::Absolute)
        ui_alert(c.f, T(c, StringId::main_absolute_warning));
    if (flow.notice == Notice::ExtendFailed)
        ui_alert(c.f, T(c, StringId::main_extend_failed));
    if (session_can_extend(s, now)) {
        if (ui_secondary_button(c.f, T(c, StringId::button_extend)))
            ui_emit(c.f, flow_event(FlowEventKind::ClickExtend));
    }
}

// The certificate's expiry, and inside the renewal window 電子証明書を更新.
static void draw_certificate_renewal(ScreenContext& c)
{
    const FlowState& flow = c.flow;
    const api::SessionInfo& info = flow.session.info;
    if (info.certificate_not_after <= 0)
        return;   // an older server that does not tell
    const bool open = renewal_open(flow.session, c.input.now);
    if (!open && flow.notice != Notice::RenewalNotOpen && flow.notice != Notice::RenewalFailed)
        return;
    layout_section_gap();
    ui_heading(c.f, T(c, StringId::renew_heading), 2);
    ui_text(c.f, T(c, StringId::renew_expires, "date", format_jst_date(info.certificate_not_after)).c_str());
    if (flow.notice == Notice::RenewalNotOpen)
        ui_alert(c.f, T(c, StringId::renew_not_open));
    if (flow.notice == Notice::RenewalFailed)
        ui_alert(c.f, T(c, StringId::renew_failed));
    if (!open)
        return;
    ui_text(c.f, T(c, StringId::renew_open));
    const ButtonRow row = layout_button_row(c.width, 300.0f, {T(c, StringId::button_renew)});
    if (ui_button(c.f, T(c, StringId::button_renew), ImVec2(row.width, 0.0f)))
        ui_emit(c.f, flow_event(FlowEventKind::ClickRenewCertificate));
}

static void draw_menu(ScreenContext& c)
{
    const std::vector<MenuEntry>& menu = c.config.transaction_menu;
    if (menu.empty())
        return;
    layout_section_gap();
    ui_heading(c.f, T(c, StringId::main_menu_heading), 2);
    // Up to three columns, as many as the widest entry allows (labels wrap only in one column).
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    float widest = layout_px(160.0f);
    for (const MenuEntry& entry : menu)
        widest = std::max(widest, layout_button_fit(local_text(entry.label, c.page.prefs.lang).c_str()));
    const int columns = std::clamp(static_cast<int>((c.width + spacing) / (widest + spacing)), 1, 3);
    const float w = (c.width - spacing * static_cast<float>(columns - 1)) / static_cast<float>(columns);
    for (int i = 0; i < static_cast<int>(menu.size()); i++) {
        if (i % columns != 0)
            ImGui::SameLine();
        ImGui::PushID(i);
        if (ui_secondary_button(c.f, local_text(menu[static_cast<size_t>(i)].label, c.page.prefs.lang).c_str(), ImVec2(w, 0.0f)))
            ui_emit(c.f, flow_menu_entry(i));
        ImGui::PopID();
    }
}

// The columns' natural widths: a table narrower than that would clip dates and addresses.
static bool history_fits_table(const ScreenContext& c, const api::SessionInfo& info)
{
    const StringId headers[3] = {StringId::main_history_time, StringId::main_history_source, StringId::main_history_result};
    float widths[3] = {};
    for (int i = 0; i < 3; i++)
        widths[i] = ImGui::CalcTextSize(T(c, headers[i])).x;
    for (const api::LoginRecord& r : info.recent_logins) {
        widths[0] = std::max(widths[0], ImGui::CalcTextSize(format_jst(r.time).c_str()).x);
        widths[1] = std::max(widths[1], ImGui::CalcTextSize(r.source_address.c_str()).x);
        widths[2] = std::max(widths[2], ImGui::CalcTextSize(T(c, result_text(r.result))).x);
    }
    const float padding = ImGui::GetStyle().CellPadding.x * 2.0f;
    return widths[0] + widths[1] + widths[2] + padding * 3.0f <= c.width;
}

// On a narrow window each login is a short paragraph: when, from where, and the result.
static void draw_history_list(ScreenContext& c, const api::SessionInfo& info)
{
    for (const api::LoginRecord& r : info.recent_logins) {
        layout_rule(c.width);
        const std::string row = format_jst(r.time) + "  " + r.source_address + "  " + T(c, result_text(r.result));
        ui_text(c.f, row.c_str());
    }
}

static void draw_history(ScreenContext& c)
{
    const api::SessionInfo& info = c.flow.session.info;
    layout_section_gap();
    ui_heading(c.f, T(c, StringId::main_history_heading), 2);
    ui_text_colored(c.f, theme_muted_text_color(), T(c, StringId::main_history_hint));
    if (info.recent_logins.empty())
        return;
    if (!history_fits_table(c, info)) {
        draw_history_list(c, info);
        return;
    }
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp;
    if (!ImGui::BeginTable("history", 3, flags, ImVec2(c.width, 0.0f)))
        return;
    ImGui::TableSetupColumn(T(c, StringId::main_history_time), ImGuiTableColumnFlags_WidthStretch, 2.0f);
    ImGui::TableSetupColumn(T(c, StringId::main_history_source), ImGuiTableColumnFlags_WidthStretch, 1.5f);
    ImGui::TableSetupColumn(T(c, StringId::main_history_result), ImGuiTableColumnFlags_WidthStretch, 1.2f);
    ui_table_headers(c.f);
    for (const api::LoginRecord& r : info.recent_logins) {
        const std::string time = format_jst(r.time);
        const char* result = T(c, result_text(r.result));
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        const ImVec2 row_min = ImGui::GetCursorScreenPos();
        ImGui::TextUnformatted(time.c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(r.source_address.c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(result);
        // One semantic line per row: a screen reader reads the row as one sentence.
        const std::string row = time + " " + r.source_address + " " + result;
        ui_semantic_text_at(c.f, row.c_str(), row_min, ImVec2(c.width, ImGui::GetTextLineHeight()));
    }
    ImGui::EndTable();
}

void screen_main(ScreenContext& c)
{
    const api::SessionInfo& info = c.flow.session.info;
    draw_company(c);

    const float label_width = layout_px(170.0f);
    ui_label_value(c.f, T(c, StringId::main_user), info.user_name.c_str(), label_width);
    const char* role = T(c, info.role == api::Role::Administrator ? StringId::role_administrator : StringId::role_user);
    ui_label_value(c.f, T(c, StringId::main_role), role, label_width);
    const std::string previous = info.previous_login ? format_jst(info.previous_login->time) : T(c, StringId::main_previous_none);
    ui_label_value(c.f, T(c, StringId::main_previous_login), previous.c_str(), label_width);
    layout_section_gap();
    draw_session_time(c);
    draw_certificate_renewal(c);
    draw_menu(c);
    draw_history(c);
}
