#pragma once
// Colours and spacing of the login screens: the palette of the chosen theme (core/palette.h)
// mapped onto ImGui's style, with every size grown with the text size.
#include "core/palette.h"

#include <imgui.h>

// Sets `style` up for `palette` at `scale` (core's text_scale). Later calls replace it all.
void theme_apply(ImGuiStyle& style, const Palette& palette, float scale);

// Colours ImGui's style has no slot for, from the palette last applied.
ImVec4 theme_button_text_color();
ImVec4 theme_link_color();
ImVec4 theme_alert_text_color();   // errors and warnings
ImVec4 theme_muted_text_color();   // labels beside values
