#include "widgets.h"

#include "imgui_internals.h"
#include "layout.h"
#include "theme.h"

#include "core/line_break.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <string>

// A text broken into lines at a width by Japanese line-breaking rules (core/line_break.h),
// in the current font: ImGui's own wrapping would start a line with 。 or ）.
struct WrappedText {
    std::string_view text;
    std::vector<LineSpan> lines;
    std::vector<float> widths;   // of each line
    ImVec2 size;   // the widest line, and the height of all lines
};

static WrappedText wrap_text(std::string_view text, float width)
{
    ImFont* font = ImGui::GetFont();
    const float font_size = ImGui::GetFontSize();
    const float scale = font_size / font->FontSize;
    WrappedText w;
    w.text = text;
    w.lines = break_lines(text, std::max(1.0f, width),
                          [font, scale](uint32_t c) { return font->GetCharAdvance(static_cast<ImWchar>(c)) * scale; });
    for (const LineSpan& line : w.lines) {
        const char* begin = text.data() + line.begin;
        w.widths.push_back(font->CalcTextSizeA(font_size, FLT_MAX, 0.0f, begin, text.data() + line.end).x);
        w.size.x = std::max(w.size.x, w.widths.back());
    }
    w.size.y = font_size * static_cast<float>(std::max<size_t>(1, w.lines.size()));
    return w;
}

// Draws the lines from `pos`; with `centre_in` > 0 each line is centred in a box that wide.
static void draw_wrapped(const WrappedText& w, ImVec2 pos, float centre_in = 0.0f)
{
    ImFont* font = ImGui::GetFont();
    const float font_size = ImGui::GetFontSize();
    const ImU32 ink = ImGui::GetColorU32(ImGuiCol_Text);
    for (size_t i = 0; i < w.lines.size(); i++) {
        const float x = centre_in > 0.0f ? pos.x + (centre_in - w.widths[i]) * 0.5f : pos.x;
        const char* text = w.text.data();
        ImGui::GetWindowDrawList()->AddText(font, font_size, ImVec2(x, pos.y), ink, text + w.lines[i].begin, text + w.lines[i].end);
        pos.y += font_size;
    }
}

// A paragraph wrapped at the column's edge, as one item (as ImGui::TextWrapped).
static void paragraph(const char* text)
{
    if (imgui_window_skips_items())
        return;
    const ImVec2 cursor = imgui_item_cursor();
    const ImVec2 pos(cursor.x, cursor.y + imgui_text_baseline_offset());
    const WrappedText w = wrap_text(text, layout_column_right() - pos.x);
    if (imgui_add_item(pos, ImVec2(pos.x + w.size.x, pos.y + w.size.y), 0, 0.0f))
        draw_wrapped(w, pos);
}

// A semantic node for the item just drawn, with id `id` (0: the item's own ImGui id).
static void record(UiFrame& f, SemanticRole role, const char* name, int level = 0, bool disabled = false,
                   bool checked = false, ImGuiID id = 0)
{
    if (!f.semantics)
        return;
    const ImVec2 min = ImGui::GetItemRectMin();
    const ImVec2 max = ImGui::GetItemRectMax();
    SemanticNode n;
    n.role = role;
    n.id = id != 0 ? id : ImGui::GetItemID();
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

// Texts have no ImGui id of their own; give each a stable one from the id stack, numbered when
// the same text appears again in the same scope, so no two nodes share an id.
static ImGuiID text_id(UiFrame& f, const char* text)
{
    const ImGuiID first = ImGui::GetID(text);
    int occurrence = 0;
    for (std::pair<ImGuiID, int>& seen : f.text_ids) {
        if (seen.first == first) {
            occurrence = ++seen.second;
            break;
        }
    }
    if (occurrence == 0)
        f.text_ids.emplace_back(first, 0);
    return imgui_text_id(text, occurrence);
}

static void record_text(UiFrame& f, SemanticRole role, const char* text, int level = 0)
{
    if (!f.semantics)
        return;
    record(f, role, text, level, false, false, text_id(f, text));
}

void ui_semantic_text_at(UiFrame& f, const char* text, ImVec2 min, ImVec2 size)
{
    if (!f.semantics)
        return;
    SemanticNode n;
    n.role = SemanticRole::Text;
    n.id = text_id(f, text);
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

void ui_act(UiFrame& f, const PageAction& action)
{
    if (!f.page || !f.config)
        return;
    if (const std::optional<FlowEvent> event = page_apply(*f.page, *f.config, action))
        ui_emit(f, *event);
}

void ui_heading(UiFrame& f, const char* text, int level)
{
    if (f.heading_font)
        ImGui::PushFont(f.heading_font);
    paragraph(text);
    if (f.heading_font)
        ImGui::PopFont();
    record_text(f, SemanticRole::Heading, text, level);
}

void ui_text(UiFrame& f, const char* text)
{
    paragraph(text);
    record_text(f, SemanticRole::Text, text);
}

void ui_text_colored(UiFrame& f, const ImVec4& color, const char* text)
{
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    paragraph(text);
    ImGui::PopStyleColor();
    record_text(f, SemanticRole::Text, text);
}

void ui_alert(UiFrame& f, const char* text)
{
    ImGui::PushStyleColor(ImGuiCol_Text, theme_alert_text_color());
    paragraph(text);
    ImGui::PopStyleColor();
    record_text(f, SemanticRole::Alert, text);
    if (f.semantics)
        f.semantics->announcement = text;
}

void ui_label_value(UiFrame& f, const char* label, const char* value, float label_width)
{
    // The value column starts after the longest label it is given room for; a label longer
    // than that (English, large text) pushes it further rather than running into it.
    const float column = std::max(label_width, ImGui::CalcTextSize(label).x + ImGui::GetStyle().ItemSpacing.x);
    const float start_x = ImGui::GetCursorPosX();
    ImGui::PushStyleColor(ImGuiCol_Text, theme_muted_text_color());
    paragraph(label);
    ImGui::PopStyleColor();
    if (ImGui::GetContentRegionAvail().x > column * 2.0f)
        ImGui::SameLine(start_x + column);
    paragraph(value);
    const std::string spoken = std::string(label) + f.name_separator + value;
    record_text(f, SemanticRole::Text, spoken.c_str());
}

static std::string visible_label(const char* label)
{
    return std::string(label, imgui_rendered_text_end(label));
}

// Lays `bb` out as one item with the id of `label`, with ImGui's button behaviour. Returns false
// when the item is clipped away (nothing to draw).

// A button whose label wraps instead of being clipped; never wider than the column. `size.x`
// 0: as wide as the label.
static bool wrapping_button(const char* label, ImVec2 size)
{
    if (imgui_window_skips_items())
        return false;
    const ImGuiStyle& style = ImGui::GetStyle();
    const char* end = imgui_rendered_text_end(label);
    const ImVec2 pos = imgui_item_cursor();
    float w = size.x > 0.0f ? size.x : layout_button_fit(label);
    w = std::max(1.0f, std::min(w, layout_column_right() - pos.x));
    // The label wraps at the button's inner width instead of being clipped (ImGui::Button keeps
    // it on one line), which at large text sizes or on a phone would cut words off.
    const WrappedText text = wrap_text(std::string_view(label, static_cast<size_t>(end - label)), w - style.FramePadding.x * 2.0f);
    const float h = std::max(size.y, text.size.y + style.FramePadding.y * 2.0f);
    const ImVec2 max(pos.x + w, pos.y + h);
    ImguiPressable item;
    if (!imgui_add_pressable(pos, max, label, style.FramePadding.y, item))
        return false;
    const ImGuiCol fill = item.held && item.hovered ? ImGuiCol_ButtonActive : item.hovered ? ImGuiCol_ButtonHovered : ImGuiCol_Button;
    imgui_render_nav_highlight(pos, max, item.id);
    imgui_render_frame(pos, max, ImGui::GetColorU32(fill), style.FrameRounding);
    draw_wrapped(text, ImVec2(pos.x, pos.y + (h - text.size.y) * 0.5f), w);
    return item.pressed;
}

bool ui_button(UiFrame& f, const char* label, ImVec2 size, bool disabled)
{
    ImGui::BeginDisabled(disabled);
    ImGui::PushStyleColor(ImGuiCol_Text, theme_button_text_color());
    const bool clicked = wrapping_button(label, size);
    ImGui::PopStyleColor();
    ImGui::EndDisabled();
    record(f, SemanticRole::Button, visible_label(label).c_str(), 0, disabled);
    return acted(f, clicked || (!disabled && activated_from_dom(f)));
}

// The outlined look of a secondary action (and of an unchosen option).
static void push_outlined_style()
{
    const ImGuiStyle& style = ImGui::GetStyle();
    ImGui::PushStyleColor(ImGuiCol_Button, style.Colors[ImGuiCol_WindowBg]);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, style.Colors[ImGuiCol_FrameBgHovered]);
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, style.Colors[ImGuiCol_FrameBgActive]);
}

static void pop_outlined_style()
{
    ImGui::PopStyleColor(3);
}

bool ui_secondary_button(UiFrame& f, const char* label, ImVec2 size)
{
    push_outlined_style();
    const bool clicked = wrapping_button(label, size);
    pop_outlined_style();
    record(f, SemanticRole::Button, visible_label(label).c_str());
    return acted(f, clicked || activated_from_dom(f));
}

bool ui_choice(UiFrame& f, const char* group, const char* label, bool chosen, ImVec2 size)
{
    if (chosen)
        ImGui::PushStyleColor(ImGuiCol_Text, theme_button_text_color());
    else
        push_outlined_style();
    const bool clicked = wrapping_button(label, size);
    if (chosen)
        ImGui::PopStyleColor();
    else
        pop_outlined_style();
    // Tabbing from option to option, a screen reader must still say which set it belongs to.
    const std::string name = std::string(group) + f.name_separator + visible_label(label);
    record(f, SemanticRole::Radio, name.c_str(), 0, false, chosen);
    return acted(f, (clicked || activated_from_dom(f)) && !chosen);
}

bool ui_link(UiFrame& f, const char* label)
{
    ImGui::PushStyleColor(ImGuiCol_Text, theme_link_color());
    paragraph(label);
    ImGui::PopStyleColor();
    // The paragraph is not an item with an id; make the text's rectangle a button.
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

// ImGui::Checkbox with a label that wraps at the column's edge instead of running past it.
static bool wrapping_checkbox(const char* label, bool* value)
{
    if (imgui_window_skips_items())
        return false;
    const ImGuiStyle& style = ImGui::GetStyle();
    const char* end = imgui_rendered_text_end(label);
    const float box = ImGui::GetFrameHeight();
    const ImVec2 pos = imgui_item_cursor();
    const float text_x = pos.x + box + style.ItemInnerSpacing.x;
    const WrappedText text = wrap_text(std::string_view(label, static_cast<size_t>(end - label)), layout_column_right() - text_x);
    const ImVec2 max(text_x + text.size.x, pos.y + std::max(box, text.size.y + style.FramePadding.y * 2.0f));
    ImguiPressable item;
    if (!imgui_add_pressable(pos, max, label, style.FramePadding.y, item))
        return false;
    if (item.pressed) {
        *value = !*value;
        imgui_mark_edited(item.id);
    }
    const ImGuiCol fill = item.held && item.hovered ? ImGuiCol_FrameBgActive : item.hovered ? ImGuiCol_FrameBgHovered : ImGuiCol_FrameBg;
    imgui_render_nav_highlight(pos, max, item.id);
    imgui_render_frame(pos, ImVec2(pos.x + box, pos.y + box), ImGui::GetColorU32(fill), style.FrameRounding);
    if (*value) {
        const float pad = std::max(1.0f, std::trunc(box / 6.0f));
        imgui_render_check_mark(ImVec2(pos.x + pad, pos.y + pad), ImGui::GetColorU32(ImGuiCol_CheckMark), box - pad * 2.0f);
    }
    draw_wrapped(text, ImVec2(text_x, pos.y + style.FramePadding.y));
    return item.pressed;
}

bool ui_checkbox(UiFrame& f, const char* label, bool* value)
{
    bool changed = wrapping_checkbox(label, value);
    if (!changed && activated_from_dom(f)) {
        *value = !*value;
        changed = true;
    }
    record(f, SemanticRole::Checkbox, visible_label(label).c_str(), 0, false, *value);
    return acted(f, changed);
}

void ui_same_line_if_fits(const char* label)
{
    layout_same_line_if_room(ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label).x);
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

static int user_id_filter(ImGuiInputTextCallbackData* data)
{
    return user_id_char(data->EventChar) ? 0 : 1;   // non-zero drops the character
}

bool ui_user_id_field(UiFrame& f, const char* name, char* buffer, int capacity, float width)
{
    ImGui::SetNextItemWidth(width);
    const ImGuiInputTextFlags flags = ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_CharsNoBlank
        | ImGuiInputTextFlags_CallbackCharFilter;
    ImGui::PushID(name);
    const bool entered = ImGui::InputText("##field", buffer, static_cast<size_t>(capacity), flags, user_id_filter);
    ImGui::PopID();
    record(f, SemanticRole::TextInput, name);
    return entered;
}

void ui_wipe_text_edit_state()
{
    imgui_wipe_text_edit_state();
}
