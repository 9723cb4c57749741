#include "theme.h"

void theme_apply_light(ImGuiStyle& style)
{
    ImGui::StyleColorsLight(&style);
    style.WindowRounding = 0.0f;
    style.FrameRounding = 4.0f;
    style.FramePadding = ImVec2(14.0f, 12.0f);   // buttons at least 44 CSS px tall: fingertip targets
    style.ItemSpacing = ImVec2(10.0f, 12.0f);
    style.WindowPadding = ImVec2(24.0f, 16.0f);
    style.WindowBorderSize = 0.0f;
    style.FrameBorderSize = 1.0f;   // fields and checkboxes need a visible edge on the light background

    ImVec4* c = style.Colors;
    c[ImGuiCol_WindowBg] = ImVec4(0.97f, 0.97f, 0.96f, 1.0f);
    c[ImGuiCol_Text] = ImVec4(0.10f, 0.10f, 0.12f, 1.0f);
    c[ImGuiCol_Button] = ImVec4(0.05f, 0.30f, 0.55f, 1.0f);          // credit-union blue
    c[ImGuiCol_ButtonHovered] = ImVec4(0.08f, 0.38f, 0.66f, 1.0f);
    c[ImGuiCol_ButtonActive] = ImVec4(0.03f, 0.22f, 0.42f, 1.0f);
}

ImVec4 theme_button_text_color()
{
    return ImVec4(1.0f, 1.0f, 1.0f, 1.0f);
}

ImVec4 theme_link_color()
{
    return ImVec4(0.05f, 0.30f, 0.62f, 1.0f);
}

ImVec4 theme_alert_text_color()
{
    return ImVec4(0.70f, 0.08f, 0.08f, 1.0f);
}

ImVec4 theme_muted_text_color()
{
    return ImVec4(0.32f, 0.32f, 0.36f, 1.0f);
}
