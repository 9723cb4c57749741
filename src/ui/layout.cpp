#include "layout.h"

#include <algorithm>
#include "imgui_internals.h"

static float g_scale = 1.0f;
static float g_indent = 0.0f;

void layout_set_scale(float scale)
{
    g_scale = scale > 0.0f ? scale : 1.0f;
}

float layout_px(float standard_px)
{
    return standard_px * g_scale;
}

float layout_column_width(float available)
{
    // About 48 characters of Japanese text per line at any text size: longer lines are hard
    // to follow back to their start.
    return std::min(available, layout_px(720.0f));
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

float layout_column_right()
{
    return imgui_text_right_edge();
}

void layout_section_gap()
{
    ImGui::Dummy(ImVec2(0.0f, layout_px(8.0f)));
}

void layout_rule(float width)
{
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::GetWindowDrawList()->AddLine(p, ImVec2(p.x + width, p.y), ImGui::GetColorU32(ImGuiCol_Separator));
    ImGui::Dummy(ImVec2(width, 1.0f));
}

float layout_button_fit(const char* label)
{
    return ImGui::CalcTextSize(label, nullptr, true).x + ImGui::GetStyle().FramePadding.x * 2.0f;
}

static ButtonRow button_row(float column, float preferred, const char* const* labels, size_t n)
{
    float widest = 0.0f;
    for (size_t i = 0; i < n; i++)
        widest = std::max(widest, layout_button_fit(labels[i]));
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float count = static_cast<float>(n);
    ButtonRow row;
    row.width = std::max(layout_px(preferred), widest);
    if (row.width * count + spacing * (count - 1.0f) <= column)
        return row;
    // Side by side at a smaller width, as long as every label still fits on one line.
    const float shared = (column - spacing * (count - 1.0f)) / count;
    if (widest <= shared) {
        row.width = shared;
        return row;
    }
    row.stacked = true;
    row.width = column;
    return row;
}

ButtonRow layout_button_row(float column, float preferred, std::initializer_list<const char*> labels)
{
    return button_row(column, preferred, labels.begin(), labels.size());
}

ButtonRow layout_button_row(float column, float preferred, const std::vector<const char*>& labels)
{
    return button_row(column, preferred, labels.data(), labels.size());
}

void layout_next_in_row(const ButtonRow& row)
{
    if (!row.stacked)
        ImGui::SameLine();
}

void layout_same_line_if_room(float width)
{
    const float line_end = ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + width;
    if (line_end <= layout_column_right())
        ImGui::SameLine();
}
