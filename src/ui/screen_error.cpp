// Every failure gets its own message and a way forward: back to the login screen, retry when
// the server or network failed, reload when the configuration could not be read.
#include "layout.h"
#include "screens.h"
#include "theme.h"

static StringId error_text(const FlowState& flow)
{
    switch (flow.screen) {
    case Screen::ErrorNoCertificate: return StringId::error_no_certificate;
    case Screen::ErrorCertificateExpired: return StringId::error_cert_expired;
    case Screen::ErrorCertificateNotYetValid: return StringId::error_cert_not_yet_valid;
    case Screen::ErrorCertificateRevoked: return StringId::error_cert_revoked;
    case Screen::ErrorUnknownIssuer: return StringId::error_cert_unknown_issuer;
    case Screen::ErrorWrongUsage: return StringId::error_cert_wrong_usage;
    case Screen::ErrorWrongInstitution: return StringId::error_cert_wrong_institution;
    case Screen::ErrorBadSubject: return StringId::error_cert_bad_subject;
    case Screen::ErrorNotRegistered: return StringId::error_cert_not_registered;
    case Screen::ErrorCertificateMismatch: return StringId::error_cert_mismatch;
    case Screen::ErrorLocked: return StringId::error_locked;
    case Screen::ErrorLoginExpired: return StringId::error_login_expired;
    case Screen::ErrorMalformedReply: return StringId::error_malformed_reply;
    case Screen::ErrorConfiguration: return StringId::error_config;
    case Screen::ErrorUnavailable:
        if (flow.failure == FailureKind::Timeout)
            return StringId::error_timeout;
        if (flow.failure == FailureKind::ServerBusy)
            return StringId::error_server_busy;
        return StringId::error_unavailable;
    default: return StringId::error_malformed_reply;
    }
}

void screen_error(ScreenContext& c)
{
    const FlowState& flow = c.app.flow;
    ui_heading(c.f, T(c, StringId::error_heading), 1);
    layout_rule(c.width);
    ui_alert(c.f, T(c, error_text(flow)));

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
