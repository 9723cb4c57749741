#pragma once
// Thin wrappers over ImGui widgets that also record a semantic node for the DOM layer, so every
// heading, text and control the customer sees is also visible to screen readers and tests.
// A widget activated from the DOM layer (keyboard or assistive technology on the overlay
// element) reports itself clicked exactly as if the customer had clicked it on the canvas.
#include "core/semantics.h"

#include <cstdint>
#include <imgui.h>

struct UiFrame {
    SemanticTree* semantics = nullptr;
    uint32_t activate_id = 0;   // widget the DOM layer activated before this frame (0: none)
};

void ui_heading(UiFrame& f, const char* text, int level, ImFont* font);
void ui_text(UiFrame& f, const char* text);          // wrapped paragraph
bool ui_button(UiFrame& f, const char* label, ImVec2 size = ImVec2(0, 0), bool disabled = false);
