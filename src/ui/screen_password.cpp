// ⑤⑥ Password entry for the identified certificate: who the certificate names, the masked
// password field (physical keyboard) with Caps Lock and case notes, the place of the software
// keyboard, and 認証.
#include "core/session.h"
#include "layout.h"
#include "soft_keyboard_view.h"
#include "screens.h"
#include "theme.h"

static void draw_certificate(ScreenContext& c)
{
    const ClientSession& s = c.flow.session;
    const api::CertificateIdentity& id = s.identity;
    const float label_width = layout_px(150.0f);
    // The manual's certificate name "ID + 金融機関コード", split into its parts, on one line so
    // the software keyboard still fits a 1280x720 window below.
    const char* role = T(c, id.role == api::Role::Administrator ? StringId::role_administrator : StringId::role_user);
    std::string details = T(c, StringId::password_cert_details, "name", certificate_name(id));
    details = fill_placeholder(details, "id", id.user_id);
    details = fill_placeholder(details, "code", id.institution_code);
    details = fill_placeholder(details, "role", role);
    ui_label_value(c.f, T(c, StringId::password_cert_name), details.c_str(), label_width);
    std::string validity = fill_placeholder(T(c, StringId::password_validity_range), "from", format_jst_date(id.not_before));
    validity = fill_placeholder(validity, "to", format_jst_date(id.not_after));
    ui_label_value(c.f, T(c, StringId::password_validity), validity.c_str(), label_width);

    const double now = c.input.now;
    if (certificate_expires_soon(s, now, c.config.certificate_warning_days)) {
        const int days = certificate_days_left(id, session_server_now(s, now));
        if (days <= 0)
            ui_alert(c.f, T(c, StringId::cert_expiry_today));
        else
            ui_alert(c.f, T(c, StringId::cert_expiry_warning, "n", std::to_string(days)).c_str());
    }
}

// One of the customer's own choices for this keyboard (defaults from the configuration).
static void draw_keyboard_option(ScreenContext& c, StringId label, KeyboardOption option, bool on)
{
    ui_same_line_if_fits(T(c, label));
    bool value = on;
    if (ui_checkbox(c.f, T(c, label), &value))
        ui_act(c.f, page_keyboard_option(option, value));
}

void screen_password_entry(ScreenContext& c)
{
    const FlowState& flow = c.flow;
    ui_heading(c.f, T(c, StringId::password_heading), 1);
    layout_rule(c.width);
    draw_certificate(c);
    layout_section_gap();

    if (flow.notice == Notice::WrongPassword && flow.remaining_attempts >= 0)
        ui_alert(c.f, T(c, StringId::wrong_password, "n", std::to_string(flow.remaining_attempts)).c_str());
    else if (flow.notice == Notice::WrongPassword)
        ui_alert(c.f, T(c, StringId::wrong_password_plain));
    if (flow.notice == Notice::PasswordEmpty)
        ui_alert(c.f, T(c, StringId::password_empty));

    ui_text(c.f, T(c, StringId::password_label));
    // With the software keyboard on, the physical keyboard cannot type into the field: a key
    // logger then records nothing. キーボードで入力する allows it (and hides the keyboard).
    const bool software = flow.software_keyboard;
    // 認証 and キャンセル sit beside the field when there is room, so the software keyboard below
    // still fits a 1280x720 window.
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const char* authenticate = T(c, StringId::button_authenticate);
    const char* cancel = T(c, StringId::button_cancel);
    ButtonRow row = layout_button_row(c.width, 130.0f, {authenticate, cancel});
    const float buttons_w = row.width * 2.0f + spacing;
    const bool beside = !row.stacked && c.width >= layout_px(240.0f) + spacing + buttons_w;
    const float field_w = std::min(beside ? c.width - buttons_w - spacing : c.width, layout_px(420.0f));
    const bool entered = ui_password_field(c.f, T(c, StringId::password_label), c.password_field, kSecretCapacity + 1,
                                           field_w, software);
    if (c.first_frame && !software)
        ImGui::SetKeyboardFocusHere(-1);   // the customer can type at once
    if (beside)
        ImGui::SameLine();
    else
        row = layout_button_row(c.width, 200.0f, {authenticate, cancel});
    if (ui_button(c.f, authenticate, ImVec2(row.width, 0.0f)) || entered)
        ui_act(c.f, page_action(PageActionKind::SubmitPassword));
    layout_next_in_row(row);
    if (ui_secondary_button(c.f, cancel, ImVec2(row.width, 0.0f)))
        ui_emit(c.f, flow_event(FlowEventKind::ClickBack));
    if (c.input.caps_lock && !software)
        ui_alert(c.f, T(c, StringId::password_caps_lock));
    ui_text_colored(c.f, theme_muted_text_color(), T(c, StringId::password_case_note));

    bool physical = !software;
    if (ui_checkbox(c.f, T(c, StringId::keyboard_use_physical), &physical))
        ui_emit(c.f, flow_event(FlowEventKind::ClickToggleKeyboard));

    if (software) {
        // The customer's own choices for this keyboard (defaults from the configuration).
        const SoftKeyboardOptions& options = c.page.keyboard.options;
        draw_keyboard_option(c, StringId::keyboard_always_show_labels, KeyboardOption::AlwaysShowLabels, options.always_show_labels);
        draw_keyboard_option(c, StringId::keyboard_fixed_layout, KeyboardOption::FixedLayout, options.fixed_layout);
        draw_keyboard_option(c, StringId::keyboard_randomize_letters, KeyboardOption::RandomizeLetters, options.randomize_letters);
        ui_heading_hidden(c.f, T(c, StringId::keyboard_heading));
        SoftKeyboardView view;
        view.expose_keys = c.config.software_keyboard.expose_keys_to_assistive_tech;
        soft_keyboard_view(c.f, c.page.keyboard, view, c.width, c.page.prefs.lang);
    }

}
