#pragma once
// Layout helpers shared by the screens: a centred column, lengths that grow with the text size,
// rows of buttons that stack when they do not fit, section spacing.
//
// Lengths in the screens are written for 標準 text (CSS pixels) and go through layout_px, so
// at 大 and 特大 the controls grow with their labels and a line holds the same words.
#include <imgui.h>
#include <initializer_list>
#include <vector>

// The text size's scale (core's text_scale), set once per frame before drawing.
void layout_set_scale(float scale);
float layout_px(float standard_px);

// Width of the content column for a window of `available` CSS pixels.
float layout_column_width(float available);

// Indents the cursor so a column of `width` is centred in the window, and wraps text at its edge.
void layout_begin_column(float width);
void layout_end_column();

// The right edge of the column, in screen coordinates: nothing is drawn beyond it.
float layout_column_right();

void layout_section_gap();

// A horizontal rule across the column (ImGui::Separator would cross the whole window).
void layout_rule(float width);

// A row of equally wide buttons: `preferred` wide (標準 CSS pixels, grown with the text size),
// wider when a label needs it. When they do not fit side by side in `column` they stack, each
// as wide as the column allows.
struct ButtonRow {
    float width = 0.0f;
    bool stacked = false;
};
ButtonRow layout_button_row(float column, float preferred, std::initializer_list<const char*> labels);
ButtonRow layout_button_row(float column, float preferred, const std::vector<const char*>& labels);

// Call between the buttons of a row.
void layout_next_in_row(const ButtonRow& row);

// Continues the line with an item `width` wide when it fits before the column's edge.
void layout_same_line_if_room(float width);

// How wide a button must be to show `label` on one line.
float layout_button_fit(const char* label);
