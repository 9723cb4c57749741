#include "app.h"

#include "theme.h"
#include "widgets.h"

#include <imgui.h>
#include <imgui_internal.h>

void app_setup_style()
{
    theme_apply_light(ImGui::GetStyle());
}

static const char* T(const App& app, StringId id) { return ui_text(id, app.lang); }

void app_frame(App& app, const AppFrameInput& input)
{
    (void)input;
    semantics_clear(app.semantics);
    UiFrame f;
    f.semantics = &app.semantics;
    f.activate_id = app.pending_activation;
    app.pending_activation = 0;

    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->WorkPos);
    ImGui::SetNextWindowSize(vp->WorkSize);
    ImGui::Begin("##screen", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings
                     | ImGuiWindowFlags_NoBringToFrontOnFocus);

    app.semantics.screen_name = T(app, StringId::login_heading);
    ui_heading(f, T(app, StringId::app_title), 1, app.fonts.heading);
    ImGui::Separator();
    ui_heading(f, T(app, StringId::login_heading), 2, app.fonts.heading);
    ui_button(f, T(app, StringId::login_certificate), ImVec2(280.0f, 0.0f));

    ImGui::End();
}

double app_next_wake(double now)
{
    // The text caret blinks (ImGui: visible while CursorAnim mod 1.2 s <= 0.8 s); wake only at
    // the moments it toggles, never at the display rate.
    const ImGuiContext& g = *GImGui;
    if (!ImGui::GetIO().ConfigInputTextCursorBlink || g.ActiveId == 0 || g.ActiveId != g.InputTextState.ID)
        return -1.0;
    const float anim = g.InputTextState.CursorAnim;
    if (anim <= 0.0f)
        return now + (0.8 - anim) + 0.01;
    const float phase = ImFmod(anim, 1.2f);
    const double until_toggle = phase <= 0.8f ? 0.8 - phase : 1.2 - phase;
    return now + until_toggle + 0.01;
}
