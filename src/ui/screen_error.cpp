// Every failure gets its own message and a way forward: back to the login screen, retry when
// the server or network failed, reload when the configuration could not be read.
#include "layout.h"
#include "screens.h"
#include "theme.h"

#include "core/error_text.h"

#include <vector>

void screen_error(ScreenContext& c)
{
    const FlowState& flow = c.flow;
    ui_heading(c.f, T(c, StringId::error_heading), 1);
    layout_rule(c.width);
    ui_alert(c.f, T(c, error_text(flow.screen, flow.failure, flow.last_error.code)));

    if (flow.screen == Screen::ErrorLocked) {
        const std::string& configured = local_text(c.config.locked_contact, c.page.prefs.lang);
        const std::string contact = configured.empty() ? T(c, StringId::locked_contact_default) : configured;
        ui_text(c.f, T(c, StringId::error_locked_contact, "contact", contact).c_str());
    }
    if (flow.screen == Screen::ErrorConfiguration && !flow.config_error.empty()) {
        layout_section_gap();
        ui_text_colored(c.f, theme_muted_text_color(), T(c, StringId::error_config_detail));
        ui_text_colored(c.f, theme_muted_text_color(), flow.config_error.c_str());
    }

    // The buttons are what core says this screen offers (screen_offers), so the screen and the
    // flow cannot disagree about which clicks do something.
    layout_section_gap();
    const ScreenOffers offers = screen_offers(flow.screen);
    std::vector<const char*> labels;
    if (offers.reload)
        labels.push_back(T(c, StringId::button_reload));
    if (offers.retry)
        labels.push_back(T(c, StringId::button_retry));
    if (offers.back_to_login)
        labels.push_back(T(c, StringId::button_back_to_login));
    if (labels.empty())
        return;
    const ButtonRow row = layout_button_row(c.width, 260.0f, labels);
    bool first = true;
    auto place = [&] {
        if (!first)
            layout_next_in_row(row);
        first = false;
    };
    if (offers.reload) {
        place();
        if (ui_button(c.f, T(c, StringId::button_reload), ImVec2(row.width, 0.0f)))
            ui_emit(c.f, flow_event(FlowEventKind::ClickRetry));
    }
    if (offers.retry) {
        place();
        if (ui_button(c.f, T(c, StringId::button_retry), ImVec2(row.width, 0.0f)))
            ui_emit(c.f, flow_event(FlowEventKind::ClickRetry));
    }
    if (offers.back_to_login) {
        place();
        // The main action when nothing else is offered, a secondary one beside 再試行.
        const char* back = T(c, StringId::button_back_to_login);
        const bool clicked = offers.retry || offers.reload ? ui_secondary_button(c.f, back, ImVec2(row.width, 0.0f))
                                                           : ui_button(c.f, back, ImVec2(row.width, 0.0f));
        if (clicked)
            ui_emit(c.f, flow_event(FlowEventKind::ClickBack));
    }
}
