#include "soft_keyboard_view.h"

#include "theme.h"

#include <algorithm>
#include <cstdio>

static constexpr float kMinKey = 44.0f;   // CSS pixels: a fingertip
static constexpr float kGap = 6.0f;

int soft_keyboard_columns_for(float width)
{
    const int fit = static_cast<int>((width + kGap) / (kMinKey + kGap));
    return std::clamp(fit, kSoftKeyboardMinColumns, 11);
}

static const char* control_label(SoftKeyKind kind, const SoftKeyboard& kb, Lang lang)
{
    switch (kind) {
    case SoftKeyKind::Shift: return ui_text(StringId::keyboard_shift, lang);
    case SoftKeyKind::Caps: return ui_text(StringId::keyboard_caps, lang);
    case SoftKeyKind::Page:
        return ui_text(kb.page == SoftKeyPage::Letters ? StringId::keyboard_symbols : StringId::keyboard_letters, lang);
    case SoftKeyKind::DeleteLast: return ui_text(StringId::keyboard_delete_last, lang);
    case SoftKeyKind::ClearAll: return ui_text(StringId::keyboard_clear_all, lang);
    case SoftKeyKind::Close: return ui_text(StringId::keyboard_close, lang);
    case SoftKeyKind::Enter: return ui_text(StringId::keyboard_enter, lang);
    case SoftKeyKind::Char: break;
    }
    return "";
}

// How many control keys fit a row of `width` with every label on one line: their labels are
// words, so with English or large text fewer fit than character keys.
static int control_columns_for(float width, Lang lang)
{
    static const StringId labels[] = {
        StringId::keyboard_shift, StringId::keyboard_caps, StringId::keyboard_symbols, StringId::keyboard_letters,
        StringId::keyboard_delete_last, StringId::keyboard_clear_all, StringId::keyboard_close, StringId::keyboard_enter,
    };
    float widest = kMinKey;
    for (StringId id : labels)
        widest = std::max(widest, ImGui::CalcTextSize(ui_text(id, lang)).x + ImGui::GetStyle().FramePadding.x);
    const int fit = static_cast<int>((width + kGap) / (widest + kGap));
    return std::clamp(fit, 1, kSoftKeyboardControlKeys);
}

// Where the pointer is, for core's label-hiding rule (soft_keyboard_labels_visible).
static KeyboardPointer pointer_over(ImVec2 min, ImVec2 max)
{
    const ImGuiIO& io = ImGui::GetIO();
    KeyboardPointer pointer;
    pointer.over_keys = ImGui::IsMouseHoveringRect(min, max, false);
    pointer.touch = io.MouseSource == ImGuiMouseSource_TouchScreen;
    pointer.finger_down = io.MouseDown[0];
    return pointer;
}

void soft_keyboard_view(UiFrame& f, const SoftKeyboard& kb, const SoftKeyboardView& view, float width, Lang lang)
{
    // Applied at once (ui_act), so the keys below are drawn in the layout for this width.
    ui_act(f, page_fit_keyboard(soft_keyboard_columns_for(width), control_columns_for(width, lang)));
    const int columns = kb.layout.columns;

    const float key_w = (width - kGap * static_cast<float>(columns - 1)) / static_cast<float>(columns);
    const float key_h = std::max(kMinKey, ImGui::GetFrameHeight());
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const ImVec2 area_max(origin.x + width, origin.y + static_cast<float>(kb.layout.rows) * (key_h + kGap) - kGap);
    const bool show = soft_keyboard_labels_visible(kb.options, pointer_over(origin, area_max));

    ImGui::PushID("soft_keyboard");
    int pressed = -1;
    ImDrawList* draw = ImGui::GetWindowDrawList();
    for (int i = 0; i < kb.layout.key_count; i++) {
        const SoftKey& key = kb.layout.keys[i];
        // Control keys span the row evenly; character keys sit on the column grid.
        float x = origin.x + static_cast<float>(key.col) * (key_w + kGap);
        float w = key_w;
        const float y = origin.y + static_cast<float>(key.row) * (key_h + kGap);
        if (key.kind != SoftKeyKind::Char) {
            int in_row = 0;
            for (int k = 0; k < kb.layout.key_count; k++)
                in_row += kb.layout.keys[k].row == key.row ? 1 : 0;
            w = (width - kGap * static_cast<float>(in_row - 1)) / static_cast<float>(in_row);
            x = origin.x + static_cast<float>(key.col) * (w + kGap);
        }
        ImGui::SetCursorScreenPos(ImVec2(x, y));
        ImGui::PushID(i);
        const bool clicked = ImGui::InvisibleButton("key", ImVec2(w, key_h));
        const bool held = ImGui::IsItemActive();
        ImGui::PopID();

        const bool toggled = (key.kind == SoftKeyKind::Shift && kb.shift) || (key.kind == SoftKeyKind::Caps && kb.caps);
        ImU32 fill = ImGui::GetColorU32(held || toggled ? ImGuiCol_ButtonActive : ImGuiCol_FrameBg);
        draw->AddRectFilled(ImVec2(x, y), ImVec2(x + w, y + key_h), fill, 4.0f);
        draw->AddRect(ImVec2(x, y), ImVec2(x + w, y + key_h), ImGui::GetColorU32(ImGuiCol_Border), 4.0f);

        char text[2] = {key.ch, 0};
        const char* label = key.kind == SoftKeyKind::Char ? text : control_label(key.kind, kb, lang);
        // Control keys always show what they do; character labels follow the hiding rule.
        if (key.kind != SoftKeyKind::Char || show) {
            const ImVec2 size = ImGui::CalcTextSize(label);
            const ImU32 ink = ImGui::GetColorU32(held || toggled ? theme_button_text_color() : ImGui::GetStyleColorVec4(ImGuiCol_Text));
            draw->AddText(ImVec2(x + (w - size.x) * 0.5f, y + (key_h - size.y) * 0.5f), ink, label);
        }

        // The semantic layer names character keys by their character only when the credit
        // union allows it (README: the trade-off against malware reading the page).
        char hidden_name[32];
        const char* name = label;
        if (key.kind == SoftKeyKind::Char && !view.expose_keys) {
            std::snprintf(hidden_name, sizeof hidden_name, "%s %d", ui_text(StringId::keyboard_key, lang), i + 1);
            name = hidden_name;
        }
        ui_record_button(f, name);
        if (clicked || ui_activated_from_dom(f))
            pressed = i;
    }
    ImGui::PopID();
    ImGui::SetCursorScreenPos(ImVec2(origin.x, area_max.y + ImGui::GetStyle().ItemSpacing.y));
    ImGui::Dummy(ImVec2(width, 0.0f));

    if (pressed >= 0) {
        ui_act(f, page_action(PageActionKind::PressSoftKey, pressed));
        ui_mark_changed(f);
    }
}
