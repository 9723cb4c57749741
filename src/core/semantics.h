#pragma once
// The semantic tree: what a screen reader or an automated test should know about the frame the
// canvas shows. The UI records one node per heading, text and interactive widget as it draws
// them; the web platform mirrors the list into a transparent DOM layer over the canvas (roles,
// accessible names, states, rectangles), in the manner of Flutter web's semantics tree.
// Nothing here holds a secret: a password field is a node with a name and no value.
#include <cstdint>
#include <string>
#include <vector>

// Radio: one choice of a set (text size, theme); `checked` is the chosen one.
enum class SemanticRole : uint8_t { Heading, Text, Button, Link, Checkbox, TextInput, Alert, Radio };

struct SemanticNode {
    SemanticRole role = SemanticRole::Text;
    uint32_t id = 0;            // stable across frames for the same widget (ImGui's item id)
    std::string name;           // accessible name (the visible label)
    float x = 0, y = 0, w = 0, h = 0;   // CSS pixels, relative to the canvas
    int level = 0;              // heading level
    bool disabled = false;
    bool checked = false;
    bool focused = false;
};

struct SemanticTree {
    std::vector<SemanticNode> nodes;
    std::string screen_name;    // which screen this is (core's screen_name)
    uint32_t screen_serial = 0; // counts screen changes: a screen entered again is a new one (the
                                // DOM layer announces it by its first heading, again)
    std::string announcement;   // an error or status to announce (empty: none)
    // The display preferences in effect (core/display_prefs.h keys): the page follows them (its
    // language attribute, the colours around the canvas) and tests read them.
    std::string lang;
    std::string text_size;
    std::string theme;
};

void semantics_clear(SemanticTree& tree);

// Serialises the tree for the DOM layer (JSON). Deterministic, so an unchanged frame gives the
// same text and the platform can skip touching the DOM.
std::string semantics_to_json(const SemanticTree& tree);

const char* semantic_role_name(SemanticRole role);
