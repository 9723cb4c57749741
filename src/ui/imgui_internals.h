#pragma once
// The one door to Dear ImGui's internals (imgui_internal.h). Everything the UI needs beyond
// ImGui's public API goes through these functions, and only imgui_internals.cpp includes the
// internal header, so a new ImGui version is checked in one place: that file refuses to
// compile against a version outside the range it was written for (a clear build error, never
// a password copy silently left behind because a field it wipes was renamed or removed).
// tests/ui/imgui_internals_test.cpp exercises each hook against the real ImGui.
#include <imgui.h>

#include <cstdint>

// ---------------------------------------------------------------- the input queue
// Puts a marker into ImGui's input queue (a key press that does nothing) and returns its event
// id: a request from the DOM layer takes effect only once ImGui has processed every input
// event queued before it (ImGui trickles fast input over several frames).
uint32_t imgui_input_mark();
// Whether ImGui has processed the input queue up to and including event `event_id`.
bool imgui_input_processed(uint32_t event_id);
// Whether input events still wait in ImGui's queue (the frame loop then draws again).
bool imgui_input_pending();
// A left click at `at` (screen coordinates) through the input queue, the pointer put back where
// it was afterwards. Queued in order with the input around it, so a text field it lands on is
// being edited before any key queued after it is processed: how a text field the DOM layer
// focused (Tab, assistive technology) takes the keyboard without losing the first key typed.
void imgui_queue_click(ImVec2 at);

// ---------------------------------------------------------------- the text field
// Whether a text field is being edited (it holds the keyboard).
bool imgui_text_field_active();
// Whether any item is active (held or edited).
bool imgui_item_active();
// Lets go of the active item (a text field stops editing, a held button is released).
void imgui_release_active();
// Seconds until the caret of the edited text field next blinks on or off; < 0: no caret.
double imgui_caret_next_toggle();
// Zeroes every copy ImGui keeps of the text being edited (its edit buffers, its undo state, the
// copy for the deactivated-item callback) and ends the editing, so a wiped password leaves
// nothing behind in ImGui's memory.
void imgui_wipe_text_edit_state();

// ---------------------------------------------------------------- windows
struct ImguiWindowScroll {
    float inner_top = 0.0f;      // screen y of the window's visible inside
    float inner_bottom = 0.0f;
    float scroll = 0.0f;         // current vertical scroll
    float scroll_max = 0.0f;
};
// The vertical scroll of the window named `name` (false: no such window yet).
bool imgui_window_scroll(const char* name, ImguiWindowScroll& out);
// Scrolls the window named `name` to `y`, applied when it next begins (before any widget).
void imgui_set_window_scroll(const char* name, float y);
// The right edge (screen x) of the current window's text: its wrap position when one is set,
// else its content region's edge.
float imgui_text_right_edge();

// ---------------------------------------------------------------- custom widgets
// Where the next item goes in the current window (screen coordinates), and whether the window
// draws nothing this frame (collapsed or clipped away): then widgets return at once.
ImVec2 imgui_item_cursor();
float imgui_text_baseline_offset();   // of the current line, for text items
bool imgui_window_skips_items();

// Lays out [min, max) as one item with id `id` (0: not interactive); false when it is clipped
// away and nothing needs drawing.
bool imgui_add_item(ImVec2 min, ImVec2 max, ImGuiID id, float text_baseline_y = -1.0f);

// A pressable item: [min, max) with the id of `label` in the current id scope and ImGui's
// button behaviour (hover, hold, press on release, keyboard navigation).
struct ImguiPressable {
    ImGuiID id = 0;
    bool hovered = false;
    bool held = false;
    bool pressed = false;
};
// False when it is clipped away (nothing to draw; `out` says it was not pressed).
bool imgui_add_pressable(ImVec2 min, ImVec2 max, const char* label, float frame_padding_y, ImguiPressable& out);
void imgui_mark_edited(ImGuiID id);   // the item's value changed (for IsItemEdited and friends)

// Drawing in ImGui's own frame, focus-ring and check-mark look.
void imgui_render_frame(ImVec2 min, ImVec2 max, ImU32 fill, float rounding);
void imgui_render_nav_highlight(ImVec2 min, ImVec2 max, ImGuiID id);
void imgui_render_check_mark(ImVec2 pos, ImU32 color, float size);
// The end of the part of `label` that is shown (before any "##id" suffix).
const char* imgui_rendered_text_end(const char* label);

// ---------------------------------------------------------------- ids
// The id of the `occurrence`-th (0-based) item named `text` in the current id scope: the first
// has the id ImGui::GetID(text) gives; later ones are told apart by their number, so two equal
// texts on one screen never share a semantic id.
ImGuiID imgui_text_id(const char* text, int occurrence);
