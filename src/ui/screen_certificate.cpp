// ③④ The certificate prompt: explains the browser's certificate dialog, names the certificate
// used last time on this device, and OK starts identification (the browser does the TLS
// client-certificate handshake; no key ever reaches this code).
#include "layout.h"
#include "screens.h"

void screen_certificate_prompt(ScreenContext& c)
{
    ui_heading(c.f, T(c, StringId::cert_prompt_heading), 1);
    layout_rule(c.width);
    ui_text(c.f, T(c, StringId::cert_prompt_explain));
    ui_text(c.f, T(c, StringId::cert_prompt_single));
    if (!c.last_certificate_name.empty()) {
        layout_section_gap();
        ui_text(c.f, T(c, StringId::cert_prompt_last_used, "name", c.last_certificate_name).c_str());
    }
    layout_section_gap();
    const ButtonRow row = layout_button_row(c.width, 200.0f, {"OK", T(c, StringId::button_cancel)});
    if (ui_button(c.f, "OK##certificate", ImVec2(row.width, 0.0f)))
        ui_emit(c.f, flow_event(FlowEventKind::ClickOk));
    layout_next_in_row(row);
    if (ui_secondary_button(c.f, T(c, StringId::button_cancel), ImVec2(row.width, 0.0f)))
        ui_emit(c.f, flow_event(FlowEventKind::ClickBack));
}
