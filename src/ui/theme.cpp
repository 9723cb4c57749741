#include "theme.h"

static const Palette* g_palette = &palette_for(Theme::Light);

static ImVec4 color(Rgb c)
{
    return ImVec4(c.r / 255.0f, c.g / 255.0f, c.b / 255.0f, 1.0f);
}

void theme_apply(ImGuiStyle& style, const Palette& p, float scale)
{
    g_palette = &p;
    style = ImGuiStyle();
    style.WindowRounding = 0.0f;
    style.FrameRounding = 4.0f;
    style.GrabRounding = 4.0f;
    style.FramePadding = ImVec2(14.0f, 12.0f);   // buttons at least 44 CSS px tall: fingertip targets
    style.ItemSpacing = ImVec2(10.0f, 12.0f);
    style.ItemInnerSpacing = ImVec2(8.0f, 6.0f);
    style.CellPadding = ImVec2(8.0f, 6.0f);
    style.ScrollbarSize = 16.0f;
    style.ScaleAllSizes(scale);
    // The page's margins stay as they are: on a phone every pixel of width goes to the text.
    style.WindowPadding = ImVec2(24.0f, 16.0f);
    // Edges stay thin at any text size; high contrast draws them thicker. ImGui draws borders
    // inside an item's rectangle, so the layout is the same in every theme.
    style.FrameBorderSize = p.border_width;
    style.WindowBorderSize = 0.0f;
    style.DisabledAlpha = 0.55f;

    // Every colour ImGui draws with comes from the palette, so the contrast test covers what is seen.
    ImVec4* c = style.Colors;
    for (int i = 0; i < ImGuiCol_COUNT; i++)
        c[i] = color(p.text);   // ImGuiCol_Text, and any slot not named below
    c[ImGuiCol_TextDisabled] = color(p.muted_text);
    c[ImGuiCol_WindowBg] = color(p.background);
    c[ImGuiCol_ChildBg] = color(p.background);
    c[ImGuiCol_PopupBg] = color(p.background);
    c[ImGuiCol_Border] = color(p.control_border);
    c[ImGuiCol_BorderShadow] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_FrameBg] = color(p.field);
    c[ImGuiCol_FrameBgHovered] = color(p.field_hovered);
    c[ImGuiCol_FrameBgActive] = color(p.field_active);
    c[ImGuiCol_ScrollbarBg] = color(p.scrollbar_track);
    c[ImGuiCol_ScrollbarGrab] = color(p.scrollbar_grab);
    c[ImGuiCol_ScrollbarGrabHovered] = color(p.control_border);
    c[ImGuiCol_ScrollbarGrabActive] = color(p.control_border);
    c[ImGuiCol_CheckMark] = color(p.check_mark);
    c[ImGuiCol_Button] = color(p.accent);
    c[ImGuiCol_ButtonHovered] = color(p.accent_hovered);
    c[ImGuiCol_ButtonActive] = color(p.accent_active);
    c[ImGuiCol_Header] = color(p.header);
    c[ImGuiCol_HeaderHovered] = color(p.field_hovered);
    c[ImGuiCol_HeaderActive] = color(p.field_active);
    c[ImGuiCol_Separator] = color(p.separator);
    c[ImGuiCol_TableHeaderBg] = color(p.header);
    c[ImGuiCol_TableBorderStrong] = color(p.separator);
    c[ImGuiCol_TableBorderLight] = color(p.separator);
    c[ImGuiCol_TableRowBg] = color(p.background);
    c[ImGuiCol_TableRowBgAlt] = color(p.field);
    c[ImGuiCol_TextSelectedBg] = color(p.selection);
    c[ImGuiCol_NavHighlight] = color(p.focus);
    c[ImGuiCol_NavWindowingHighlight] = color(p.focus);
    c[ImGuiCol_NavWindowingDimBg] = ImVec4(0, 0, 0, 0.35f);
    c[ImGuiCol_ModalWindowDimBg] = ImVec4(0, 0, 0, 0.35f);
}

ImVec4 theme_button_text_color()
{
    return color(g_palette->on_accent);
}

ImVec4 theme_link_color()
{
    return color(g_palette->link);
}

ImVec4 theme_alert_text_color()
{
    return color(g_palette->alert);
}

ImVec4 theme_muted_text_color()
{
    return color(g_palette->muted_text);
}
