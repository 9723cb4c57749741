// Screens that only wait for the server: a message and nothing to press twice.
#include "layout.h"
#include "screens.h"

static StringId waiting_text(Screen screen)
{
    switch (screen) {
    case Screen::Restoring: return StringId::restoring_session;
    case Screen::Identifying: return StringId::identifying;
    case Screen::Authenticating: return StringId::authenticating;
    case Screen::ForcingLogout: return StringId::forcing_logout;
    case Screen::LoggingOut: return StringId::logging_out;
    case Screen::CertificateRequesting: return StringId::certificate_requesting;
    case Screen::CertificateSaving: return StringId::certificate_saving;
    default: return StringId::loading;
    }
}

void screen_waiting(ScreenContext& c)
{
    ui_heading(c.f, T(c, StringId::app_title), 1);
    layout_rule(c.width);
    ui_text(c.f, T(c, waiting_text(c.flow.screen)));
}
