#include "layout.h"

#include <algorithm>

static float g_indent = 0.0f;

float layout_column_width(float available)
{
    return std::min(available, 720.0f);
}

void layout_begin_column(float width)
{
    const float available = ImGui::GetContentRegionAvail().x;
    g_indent = std::max(0.0f, (available - width) * 0.5f);
    if (g_indent > 0.0f)
        ImGui::Indent(g_indent);
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + width);
}

void layout_end_column()
{
    ImGui::PopTextWrapPos();
    if (g_indent > 0.0f)
        ImGui::Unindent(g_indent);
    g_indent = 0.0f;
}

void layout_section_gap()
{
    ImGui::Dummy(ImVec2(0.0f, 8.0f));
}

void layout_rule(float width)
{
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::GetWindowDrawList()->AddLine(p, ImVec2(p.x + width, p.y), ImGui::GetColorU32(ImGuiCol_Separator));
    ImGui::Dummy(ImVec2(width, 1.0f));
}
