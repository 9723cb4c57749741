#pragma once
// Thin wrappers over ImGui widgets that also record a semantic node for the DOM layer, so every
// heading, text and control the customer sees is also visible to screen readers and tests.
// A widget activated from the DOM layer (keyboard or assistive technology on the overlay
// element) reports itself clicked exactly as if the customer had clicked it on the canvas.
#include "core/page_actions.h"
#include "core/semantics.h"
#include "core/screen_flow.h"

#include <cstdint>
#include <imgui.h>
#include <utility>
#include <vector>

struct UiFrame {
    SemanticTree* semantics = nullptr;
    uint32_t activate_id = 0;            // widget the DOM layer activated before this frame (0: none)
    std::vector<FlowEvent>* events = nullptr;   // what the customer did this frame, for the flow
    // Where ui_act applies page actions (page_apply), at once, so the rest of the frame draws
    // their result; the flow events they lead to join `events`.
    PageState* page = nullptr;
    const AppConfig* config = nullptr;
    ImFont* heading_font = nullptr;
    ImFont* mask_font = nullptr;       // draws '*' as ● (masked password characters)
    bool changed = false;              // a widget acted this frame: the picture must be drawn again
    const char* name_separator = "：";  // joins a label and its value in a spoken name (per language)
    // Texts recorded so far this frame, by their first id: how often each appeared (their
    // semantic ids are numbered so none repeats).
    std::vector<std::pair<ImGuiID, int>> text_ids;
};

void ui_emit(UiFrame& f, const FlowEvent& event);
// What the customer did to the page's own state (core/page_actions.h); core applies it.
void ui_act(UiFrame& f, const PageAction& action);

// Something drawn by hand acted (a software keyboard key): draw the next frame too.
void ui_mark_changed(UiFrame& f);

void ui_heading(UiFrame& f, const char* text, int level);
void ui_text(UiFrame& f, const char* text);          // wrapped paragraph
void ui_text_colored(UiFrame& f, const ImVec4& color, const char* text);
// A text node for something drawn without a widget of its own (a table row).
void ui_semantic_text_at(UiFrame& f, const char* text, ImVec2 min, ImVec2 size);
// The header row of the current table (ImGui::TableHeadersRow), with a semantic node per header.
void ui_table_headers(UiFrame& f);
// A message that matters now (an error, a warning): announced by screen readers.
void ui_alert(UiFrame& f, const char* text);
// "label   value" on one line when there is room, else the value under the label.
void ui_label_value(UiFrame& f, const char* label, const char* value, float label_width);
bool ui_button(UiFrame& f, const char* label, ImVec2 size = ImVec2(0, 0), bool disabled = false);
// A secondary action drawn as an outlined button.
bool ui_secondary_button(UiFrame& f, const char* label, ImVec2 size = ImVec2(0, 0));
// One option of a set (text size, theme), drawn filled when chosen and outlined otherwise;
// a radio of the semantic layer named "group：label". Returns true when an unchosen option is
// picked.
bool ui_choice(UiFrame& f, const char* group, const char* label, bool chosen, ImVec2 size = ImVec2(0, 0));
bool ui_link(UiFrame& f, const char* label);
bool ui_checkbox(UiFrame& f, const char* label, bool* value);

// Buttons and checkboxes wrap a label longer than the column instead of clipping it.
// Puts the next checkbox labelled `label` on the current line when it fits, else on the next.
void ui_same_line_if_fits(const char* label);

// A heading for screen readers only (the region it names is obvious on screen).
void ui_heading_hidden(UiFrame& f, const char* text);

// Records the item just drawn by hand as a button of the semantic layer, and tells whether the
// DOM layer activated it this frame.
void ui_record_button(UiFrame& f, const char* name);
bool ui_activated_from_dom(const UiFrame& f);

// A masked text field editing `buffer` in place (capacity includes the terminating zero). `name`
// is its accessible name (the visible label drawn above it). Returns true when Enter was pressed.
// `read_only`: the physical keyboard may not type into it (the software keyboard does).
bool ui_password_field(UiFrame& f, const char* name, char* buffer, int capacity, float width, bool read_only);

// A plain text field for a user ID, editing `buffer` in place; it takes user_id_char characters
// only. Returns true when Enter was pressed.
bool ui_user_id_field(UiFrame& f, const char* name, char* buffer, int capacity, float width);

// Zeroes the copies ImGui keeps of the text being edited (its edit buffers and undo history), so
// a wiped password leaves nothing behind in ImGui's memory either.
void ui_wipe_text_edit_state();
