#pragma once
// Colours and spacing of the login screens.
#include <imgui.h>

void theme_apply_light(ImGuiStyle& style);

// ImGui has one text colour; filled buttons need their own for contrast.
ImVec4 theme_button_text_color();
ImVec4 theme_link_color();
ImVec4 theme_alert_text_color();   // errors and warnings
ImVec4 theme_muted_text_color();   // labels beside values
