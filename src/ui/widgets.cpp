#include "widgets.h"

#include "theme.h"

#include <imgui_internal.h>
#include <string>

static void record(UiFrame& f, SemanticRole role, const char* name, int level = 0, bool disabled = false,
                   bool checked = false)
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
    n.checked = checked;
    n.focused = ImGui::IsItemFocused();
    f.semantics->nodes.push_back(std::move(n));
}

// Texts have no ImGui id of their own; give each a stable one from the window's id stack.
static void record_text(UiFrame& f, SemanticRole role, const char* text, int level = 0)
{
    if (!f.semantics)
        return;
    ImGuiContext& g = *GImGui;
    g.LastItemData.ID = ImGui::GetID(text);
    record(f, role, text, level);
}

void ui_semantic_text_at(UiFrame& f, const char* text, ImVec2 min, ImVec2 size)
{
    if (!f.semantics)
        return;
    SemanticNode n;
    n.role = SemanticRole::Text;
    n.id = ImGui::GetID(text);
    n.name = text;
    n.x = min.x;
    n.y = min.y;
    n.w = size.x;
    n.h = size.y;
    f.semantics->nodes.push_back(std::move(n));
}

void ui_table_headers(UiFrame& f)
{
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    const int columns = ImGui::TableGetColumnCount();
    for (int column = 0; column < columns; column++) {
        if (!ImGui::TableSetColumnIndex(column))
            continue;
        const char* name = ImGui::TableGetColumnName(column);
        ImGui::TableHeader(name);
        record(f, SemanticRole::Text, name);
    }
}

// Widgets report acting through here: the frame loop then draws again, because what the
// customer did changes the next picture even when no further input arrives.
static bool acted(UiFrame& f, bool act)
{
    if (act)
        f.changed = true;
    return act;
}

void ui_mark_changed(UiFrame& f)
{
    f.changed = true;
}

static bool activated_from_dom(const UiFrame& f)
{
    return f.activate_id != 0 && f.activate_id == ImGui::GetItemID();
}

void ui_record_button(UiFrame& f, const char* name)
{
    record(f, SemanticRole::Button, name);
}

bool ui_activated_from_dom(const UiFrame& f)
{
    return activated_from_dom(f);
}

void ui_emit(UiFrame& f, const FlowEvent& event)
{
    if (f.events)
        f.events->push_back(event);
}

void ui_heading(UiFrame& f, const char* text, int level)
{
    if (f.heading_font)
        ImGui::PushFont(f.heading_font);
    ImGui::TextWrapped("%s", text);
    if (f.heading_font)
        ImGui::PopFont();
    record_text(f, SemanticRole::Heading, text, level);
}

void ui_text(UiFrame& f, const char* text)
{
    ImGui::TextWrapped("%s", text);
    record_text(f, SemanticRole::Text, text);
}

void ui_text_colored(UiFrame& f, const ImVec4& color, const char* text)
{
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    ImGui::TextWrapped("%s", text);
    ImGui::PopStyleColor();
    record_text(f, SemanticRole::Text, text);
}

void ui_alert(UiFrame& f, const char* text)
{
    ImGui::PushStyleColor(ImGuiCol_Text, theme_alert_text_color());
    ImGui::TextWrapped("%s", text);
    ImGui::PopStyleColor();
    record_text(f, SemanticRole::Alert, text);
    if (f.semantics)
        f.semantics->announcement = text;
}

void ui_label_value(UiFrame& f, const char* label, const char* value, float label_width)
{
    ImGui::PushStyleColor(ImGuiCol_Text, theme_muted_text_color());
    ImGui::TextUnformatted(label);
    ImGui::PopStyleColor();
    if (ImGui::GetContentRegionAvail().x > label_width * 2.0f)
        ImGui::SameLine(ImGui::GetCursorPosX() + label_width);
    ImGui::TextWrapped("%s", value);
    const std::string spoken = std::string(label) + "：" + value;
    record_text(f, SemanticRole::Text, spoken.c_str());
}

static std::string visible_label(const char* label)
{
    return std::string(label, ImGui::FindRenderedTextEnd(label));
}

bool ui_button(UiFrame& f, const char* label, ImVec2 size, bool disabled)
{
    ImGui::BeginDisabled(disabled);
    ImGui::PushStyleColor(ImGuiCol_Text, theme_button_text_color());
    const bool clicked = ImGui::Button(label, size);
    ImGui::PopStyleColor();
    ImGui::EndDisabled();
    record(f, SemanticRole::Button, visible_label(label).c_str(), 0, disabled);
    return acted(f, clicked || (!disabled && activated_from_dom(f)));
}

bool ui_secondary_button(UiFrame& f, const char* label, ImVec2 size)
{
    const ImGuiStyle& style = ImGui::GetStyle();
    ImGui::PushStyleColor(ImGuiCol_Button, style.Colors[ImGuiCol_WindowBg]);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, style.Colors[ImGuiCol_FrameBgHovered]);
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, style.Colors[ImGuiCol_FrameBgActive]);
    ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 1.0f);
    const bool clicked = ImGui::Button(label, size);
    ImGui::PopStyleVar();
    ImGui::PopStyleColor(3);
    record(f, SemanticRole::Button, visible_label(label).c_str());
    return acted(f, clicked || activated_from_dom(f));
}

bool ui_link(UiFrame& f, const char* label)
{
    ImGui::PushStyleColor(ImGuiCol_Text, theme_link_color());
    ImGui::TextWrapped("%s", label);
    ImGui::PopStyleColor();
    // TextWrapped is not an item with an id; make the text's rectangle a button.
    const ImVec2 min = ImGui::GetItemRectMin();
    const ImVec2 max = ImGui::GetItemRectMax();
    ImGui::SetCursorScreenPos(min);
    const bool clicked = ImGui::InvisibleButton(label, ImVec2(max.x - min.x, max.y - min.y));
    if (ImGui::IsItemHovered()) {
        ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
        ImGui::GetWindowDrawList()->AddLine(ImVec2(min.x, max.y), max, ImGui::GetColorU32(theme_link_color()));
    }
    record(f, SemanticRole::Link, label);
    return acted(f, clicked || activated_from_dom(f));
}

bool ui_checkbox(UiFrame& f, const char* label, bool* value)
{
    bool changed = ImGui::Checkbox(label, value);
    if (!changed && activated_from_dom(f)) {
        *value = !*value;
        changed = true;
    }
    record(f, SemanticRole::Checkbox, visible_label(label).c_str(), 0, false, *value);
    return acted(f, changed);
}

void ui_same_line_if_fits(const char* label)
{
    const ImGuiStyle& style = ImGui::GetStyle();
    const float needed = ImGui::GetFrameHeight() + style.ItemInnerSpacing.x + ImGui::CalcTextSize(label).x;
    const float line_end = ImGui::GetItemRectMax().x + style.ItemSpacing.x + needed;
    const float wrap = ImGui::GetCurrentWindow()->DC.TextWrapPos;   // the column's right edge (layout.h)
    const float right = wrap > 0.0f ? ImGui::GetWindowPos().x + wrap : ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    if (line_end <= right)
        ImGui::SameLine();
}

void ui_heading_hidden(UiFrame& f, const char* text)
{
    // A zero-height item at the current position: the DOM layer gets a heading there.
    ImGui::Dummy(ImVec2(ImGui::GetContentRegionAvail().x, 0.0f));
    record_text(f, SemanticRole::Heading, text, 2);
}

bool ui_password_field(UiFrame& f, const char* name, char* buffer, int capacity, float width, bool read_only)
{
    ImGui::SetNextItemWidth(width);
    // No undo history: it would be one more copy of the password.
    ImGuiInputTextFlags flags = ImGuiInputTextFlags_Password | ImGuiInputTextFlags_EnterReturnsTrue
        | ImGuiInputTextFlags_NoUndoRedo | ImGuiInputTextFlags_CharsNoBlank;
    if (read_only)
        flags |= ImGuiInputTextFlags_ReadOnly;
    ImGui::PushID(name);
    if (f.mask_font)
        ImGui::PushFont(f.mask_font);
    const bool entered = ImGui::InputText("##field", buffer, static_cast<size_t>(capacity), flags);
    if (f.mask_font)
        ImGui::PopFont();
    ImGui::PopID();
    record(f, SemanticRole::TextInput, name);
    return entered;
}

// Volatile writes: the compiler may not drop them even though nothing reads the memory again.
static void zero_secure(void* p, size_t size)
{
    volatile unsigned char* bytes = static_cast<volatile unsigned char*>(p);
    for (size_t i = 0; i < size; i++)
        bytes[i] = 0;
}

template <typename T>
static void wipe_vector(ImVector<T>& v)
{
    if (v.Data)
        zero_secure(v.Data, static_cast<size_t>(v.Capacity) * sizeof(T));
}

void ui_wipe_text_edit_state()
{
    ImGuiContext& g = *GImGui;
    ImGuiInputTextState& state = g.InputTextState;
    if (g.ActiveId != 0 && g.ActiveId == state.ID)
        ImGui::ClearActiveID();
    wipe_vector(state.TextW);
    wipe_vector(state.TextA);
    wipe_vector(state.InitialTextA);
    zero_secure(&state.Stb, sizeof(state.Stb));
    state.ID = 0;   // the next activation starts from the (wiped) buffer again
    state.CurLenW = 0;
    state.CurLenA = 0;
    // ImGui also keeps a copy for the deactivated-item callback.
    wipe_vector(g.InputTextDeactivatedState.TextA);
}
