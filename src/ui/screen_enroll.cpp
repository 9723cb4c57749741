// 電子証明書取得 (from the login screen), its file and import guide (also after 更新):
//   EnrollEntry       user ID + 取得用パスワード, with the software keyboard for the code
//   PassphraseEntry   the import password of the file, typed twice
//   CertificateSaved  where the file went and how to import it, for this browser and system
// The key pair is made by the browser and never reaches these screens (core/screen_flow.h).
#include "layout.h"
#include "screens.h"
#include "soft_keyboard_view.h"
#include "theme.h"

// The software keyboard of a screen with secret fields, as on the password screen.
static void draw_software_keyboard(ScreenContext& c)
{
    bool physical = !c.flow.software_keyboard;
    if (ui_checkbox(c.f, T(c, StringId::keyboard_use_physical), &physical))
        ui_emit(c.f, flow_event(FlowEventKind::ClickToggleKeyboard));
    if (!c.flow.software_keyboard)
        return;
    ui_heading_hidden(c.f, T(c, StringId::keyboard_heading));
    SoftKeyboardView view;
    view.expose_keys = c.config.software_keyboard.expose_keys_to_assistive_tech;
    soft_keyboard_view(c.f, c.page.keyboard, view, c.width, c.page.prefs.lang);
}

// A secret field with its label; with the software keyboard on, clicking it makes it the one
// the keyboard types into. Returns true when Enter was pressed in it.
static bool secret_field(ScreenContext& c, StringId label, char* buffer, SecretField field, float width)
{
    ui_text(c.f, T(c, label));
    const bool software = c.flow.software_keyboard;
    const bool entered = ui_password_field(c.f, T(c, label), buffer, kSecretCapacity + 1, width, software);
    if (software && ImGui::IsItemActivated())
        ui_act(c.f, page_action(PageActionKind::SelectKeyboardField, static_cast<int>(field)));
    return entered;
}

void screen_enroll_entry(ScreenContext& c)
{
    const FlowState& flow = c.flow;
    ui_heading(c.f, T(c, StringId::enroll_heading), 1);
    layout_rule(c.width);
    ui_text(c.f, T(c, StringId::enroll_explain));
    layout_section_gap();

    if (flow.notice == Notice::EnrollFieldsEmpty)
        ui_alert(c.f, T(c, StringId::enroll_fields_empty));
    if (flow.notice == Notice::EnrollmentCodeWrong)
        ui_alert(c.f, T(c, StringId::enroll_code_wrong, "n", std::to_string(std::max(0, flow.remaining_attempts))).c_str());
    if (flow.notice == Notice::KeyPairPreparing)
        ui_alert(c.f, T(c, StringId::enroll_preparing));

    const float field_w = std::min(c.width, layout_px(420.0f));
    ui_text(c.f, T(c, StringId::enroll_user_id));
    bool entered = ui_user_id_field(c.f, T(c, StringId::enroll_user_id), c.user_id_field,
                                    static_cast<int>(api::kMaxUserIdBytes) + 1, field_w);
    if (c.first_frame)
        ImGui::SetKeyboardFocusHere(-1);   // the ID is typed first, on the physical keyboard
    entered = secret_field(c, StringId::enroll_code, c.enrollment_code_field, SecretField::EnrollmentCode, field_w) || entered;

    const char* next = T(c, StringId::button_next);
    const char* cancel = T(c, StringId::button_cancel);
    const ButtonRow row = layout_button_row(c.width, 200.0f, {next, cancel});
    if (ui_button(c.f, next, ImVec2(row.width, 0.0f)) || entered)
        ui_act(c.f, page_action(PageActionKind::SubmitEnrollment));
    layout_next_in_row(row);
    if (ui_secondary_button(c.f, cancel, ImVec2(row.width, 0.0f)))
        ui_emit(c.f, flow_event(FlowEventKind::ClickBack));
    ui_text_colored(c.f, theme_muted_text_color(), T(c, StringId::password_case_note));
    draw_software_keyboard(c);
}

void screen_passphrase_entry(ScreenContext& c)
{
    const FlowState& flow = c.flow;
    ui_heading(c.f, T(c, StringId::passphrase_heading), 1);
    layout_rule(c.width);
    ui_text(c.f, T(c, StringId::passphrase_explain));
    layout_section_gap();

    if (flow.notice == Notice::PassphraseTooShort)
        ui_alert(c.f, T(c, StringId::passphrase_too_short, "n", std::to_string(kMinPassphraseBytes)).c_str());
    if (flow.notice == Notice::PassphraseMismatch)
        ui_alert(c.f, T(c, StringId::passphrase_mismatch));
    if (flow.notice == Notice::FileFailed)
        ui_alert(c.f, T(c, StringId::file_failed));

    const float field_w = std::min(c.width, layout_px(420.0f));
    bool entered = secret_field(c, StringId::passphrase_label, c.passphrase_field, SecretField::Passphrase, field_w);
    if (c.first_frame && !flow.software_keyboard)
        ImGui::SetKeyboardFocusHere(-1);
    entered = secret_field(c, StringId::passphrase_again_label, c.passphrase_again_field, SecretField::PassphraseAgain,
                           field_w) || entered;

    const char* save = T(c, StringId::button_save);
    // 取得 has no way back from here (its code is used up); 更新 may be cancelled and done again.
    const bool renewal = flow.purpose == CertificatePurpose::Renew;
    const char* cancel = T(c, StringId::button_cancel);
    const ButtonRow row = renewal ? layout_button_row(c.width, 200.0f, {save, cancel})
                                  : layout_button_row(c.width, 200.0f, {save});
    if (ui_button(c.f, save, ImVec2(row.width, 0.0f)) || entered)
        ui_act(c.f, page_action(PageActionKind::SubmitPassphrase));
    if (renewal) {
        layout_next_in_row(row);
        if (ui_secondary_button(c.f, cancel, ImVec2(row.width, 0.0f)))
            ui_emit(c.f, flow_event(FlowEventKind::ClickBack));
    }
    ui_text_colored(c.f, theme_muted_text_color(), T(c, StringId::password_case_note));
    draw_software_keyboard(c);
}

static StringId guide_text(ImportGuide guide)
{
    switch (guide) {
    case ImportGuide::Windows: return StringId::saved_guide_windows;
    case ImportGuide::Mac: return StringId::saved_guide_mac;
    case ImportGuide::Firefox: return StringId::saved_guide_firefox;
    case ImportGuide::Other: break;
    }
    return StringId::saved_guide_other;
}

void screen_certificate_saved(ScreenContext& c)
{
    const FlowState& flow = c.flow;
    const bool renewal = flow.purpose == CertificatePurpose::Renew;
    ui_heading(c.f, T(c, StringId::saved_heading), 1);
    layout_rule(c.width);
    ui_text(c.f, T(c, StringId::saved_file, "name", flow.issued.file_name).c_str());
    ui_text(c.f, T(c, guide_text(c.input.import_guide)));
    ui_text(c.f, T(c, renewal ? StringId::saved_then_renewed : StringId::saved_then_login));
    layout_section_gap();

    const char* save_again = T(c, StringId::button_save_again);
    if (renewal) {
        const char* back = T(c, StringId::button_to_main);
        const ButtonRow row = layout_button_row(c.width, 260.0f, {back, save_again});
        if (ui_button(c.f, back, ImVec2(row.width, 0.0f)))
            ui_emit(c.f, flow_event(FlowEventKind::ClickBack));
        layout_next_in_row(row);
        if (ui_secondary_button(c.f, save_again, ImVec2(row.width, 0.0f)))
            ui_emit(c.f, flow_event(FlowEventKind::ClickSaveAgain));
        return;
    }
    const char* login = T(c, StringId::login_certificate);
    const char* back = T(c, StringId::button_back_to_login);
    const ButtonRow row = layout_button_row(c.width, 260.0f, {login, save_again, back});
    if (ui_button(c.f, login, ImVec2(row.width, 0.0f)))
        ui_emit(c.f, flow_event(FlowEventKind::ClickCertificateLogin));
    layout_next_in_row(row);
    if (ui_secondary_button(c.f, save_again, ImVec2(row.width, 0.0f)))
        ui_emit(c.f, flow_event(FlowEventKind::ClickSaveAgain));
    layout_next_in_row(row);
    if (ui_secondary_button(c.f, back, ImVec2(row.width, 0.0f)))
        ui_emit(c.f, flow_event(FlowEventKind::ClickBack));
}
