#pragma once
// Layout helpers shared by the screens: a centred column, label/value rows, section spacing.
#include <imgui.h>

// Width of the content column for a window of `available` CSS pixels.
float layout_column_width(float available);

// Indents the cursor so a column of `width` is centred in the window, and wraps text at its edge.
void layout_begin_column(float width);
void layout_end_column();

void layout_section_gap();

// A horizontal rule across the column (ImGui::Separator would cross the whole window).
void layout_rule(float width);
