#include "widgets.h"

#include "theme.h"

#include <imgui_internal.h>
#include <string>

static void record(UiFrame& f, SemanticRole role, const char* name, int level = 0, bool disabled = false)
{
    if (!f.semantics)
        return;
    const ImVec2 min = ImGui::GetItemRectMin();
    const ImVec2 max = ImGui::GetItemRectMax();
    SemanticNode n;
    n.role = role;
    n.id = ImGui::GetItemID();
    n.name = name;
    n.x = min.x;
    n.y = min.y;
    n.w = max.x - min.x;
    n.h = max.y - min.y;
    n.level = level;
    n.disabled = disabled;
    n.focused = ImGui::IsItemFocused();
    f.semantics->nodes.push_back(std::move(n));
}

void ui_heading(UiFrame& f, const char* text, int level, ImFont* font)
{
    if (font)
        ImGui::PushFont(font);
    ImGui::TextWrapped("%s", text);
    if (font)
        ImGui::PopFont();
    record(f, SemanticRole::Heading, text, level);
}

void ui_text(UiFrame& f, const char* text)
{
    ImGui::TextWrapped("%s", text);
    record(f, SemanticRole::Text, text);
}

bool ui_button(UiFrame& f, const char* label, ImVec2 size, bool disabled)
{
    ImGui::BeginDisabled(disabled);
    ImGui::PushStyleColor(ImGuiCol_Text, theme_button_text_color());
    bool clicked = ImGui::Button(label, size);
    ImGui::PopStyleColor();
    ImGui::EndDisabled();
    const bool activated_from_dom = !disabled && f.activate_id != 0 && f.activate_id == ImGui::GetItemID();
    // The label may carry an ImGui id suffix ("OK##cert"); the accessible name is the visible part.
    const char* end = ImGui::FindRenderedTextEnd(label);
    record(f, SemanticRole::Button, std::string(label, end).c_str(), 0, disabled);
    return clicked || activated_from_dom;
}
