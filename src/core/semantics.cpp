#include "semantics.h"

#include <cmath>
#include <nlohmann/json.hpp>

void semantics_clear(SemanticTree& tree)
{
    tree.nodes.clear();
    tree.screen_name.clear();
    tree.screen_serial = 0;
    tree.announcement.clear();
    tree.lang.clear();
    tree.text_size.clear();
    tree.theme.clear();
}

const char* semantic_role_name(SemanticRole role)
{
    switch (role) {
    case SemanticRole::Heading: return "heading";
    case SemanticRole::Text: return "text";
    case SemanticRole::Button: return "button";
    case SemanticRole::Link: return "link";
    case SemanticRole::Checkbox: return "checkbox";
    case SemanticRole::TextInput: return "textbox";
    case SemanticRole::Alert: return "alert";
    case SemanticRole::Radio: return "radio";
    }
    return "text";
}

std::string semantics_to_json(const SemanticTree& tree)
{
    nlohmann::json nodes = nlohmann::json::array();
    for (const SemanticNode& n : tree.nodes) {
        // Whole CSS pixels: sub-pixel jitter must not make an unchanged frame look changed.
        nlohmann::json j = {
            {"role", semantic_role_name(n.role)},
            {"id", n.id},
            {"name", n.name},
            {"rect", {std::lround(n.x), std::lround(n.y), std::lround(n.w), std::lround(n.h)}},
        };
        if (n.role == SemanticRole::Heading)
            j["level"] = n.level;
        if (n.disabled)
            j["disabled"] = true;
        if (n.role == SemanticRole::Checkbox || n.role == SemanticRole::Radio)
            j["checked"] = n.checked;
        if (n.focused)
            j["focused"] = true;
        nodes.push_back(std::move(j));
    }
    nlohmann::json out = {{"screen", tree.screen_name}, {"serial", tree.screen_serial},
                          {"announce", tree.announcement}, {"lang", tree.lang},
                          {"textSize", tree.text_size}, {"theme", tree.theme}, {"nodes", std::move(nodes)}};
    // Invalid UTF-8 from a server-provided name is replaced, never a throw.
    return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
