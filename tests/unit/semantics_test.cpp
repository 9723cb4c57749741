#include "core/semantics.h"

#include <catch_amalgamated.hpp>
#include <nlohmann/json.hpp>

static SemanticNode node(SemanticRole role, uint32_t id, const char* name, float x, float y, float w, float h)
{
    SemanticNode n;
    n.role = role;
    n.id = id;
    n.name = name;
    n.x = x;
    n.y = y;
    n.w = w;
    n.h = h;
    return n;
}

TEST_CASE("the DOM layer receives roles, names, states and whole-pixel rectangles")
{
    SemanticTree tree;
    tree.screen_name = "login";
    tree.screen_serial = 7;
    SemanticNode heading = node(SemanticRole::Heading, 1, "法人向けインターネットバンキング", 24.2f, 20.0f, 300.0f, 30.0f);
    heading.level = 1;
    tree.nodes.push_back(heading);
    SemanticNode button = node(SemanticRole::Button, 42, "電子証明書ログイン", 24.0f, 100.6f, 280.0f, 44.0f);
    button.disabled = true;
    tree.nodes.push_back(button);
    SemanticNode box = node(SemanticRole::Checkbox, 7, "キーボードで入力する", 0, 0, 20, 20);
    box.checked = true;
    tree.nodes.push_back(box);

    const nlohmann::json j = nlohmann::json::parse(semantics_to_json(tree));
    CHECK(j["screen"] == "login");
    CHECK(j["serial"] == 7);
    REQUIRE(j["nodes"].size() == 3);
    CHECK(j["nodes"][0]["role"] == "heading");
    CHECK(j["nodes"][0]["level"] == 1);
    CHECK(j["nodes"][0]["rect"] == nlohmann::json::array({24, 20, 300, 30}));
    CHECK(j["nodes"][1]["role"] == "button");
    CHECK(j["nodes"][1]["name"] == "電子証明書ログイン");
    CHECK(j["nodes"][1]["id"] == 42);
    CHECK(j["nodes"][1]["disabled"] == true);
    CHECK(j["nodes"][1]["rect"][1] == 101);
    CHECK(j["nodes"][2]["checked"] == true);
}

TEST_CASE("a choice of a set is a radio with its state, and the page learns the display preferences")
{
    SemanticTree tree;
    tree.lang = "en";
    tree.text_size = "x-large";
    tree.theme = "high-contrast";
    SemanticNode chosen = node(SemanticRole::Radio, 3, "Text size: Extra large", 0, 0, 90, 44);
    chosen.checked = true;
    tree.nodes.push_back(chosen);
    tree.nodes.push_back(node(SemanticRole::Radio, 4, "Text size: Standard", 100, 0, 90, 44));

    const nlohmann::json j = nlohmann::json::parse(semantics_to_json(tree));
    CHECK(j["lang"] == "en");
    CHECK(j["textSize"] == "x-large");
    CHECK(j["theme"] == "high-contrast");
    CHECK(j["nodes"][0]["role"] == "radio");
    CHECK(j["nodes"][0]["checked"] == true);
    CHECK(j["nodes"][1]["checked"] == false);   // an unchosen option says so, not nothing
}

TEST_CASE("an unchanged frame serialises to the same text, so the DOM is left alone")
{
    SemanticTree a;
    a.nodes.push_back(node(SemanticRole::Button, 3, "OK", 10.2f, 10.0f, 80.0f, 40.0f));
    SemanticTree b = a;
    b.nodes[0].x = 10.4f;   // sub-pixel layout jitter
    CHECK(semantics_to_json(a) == semantics_to_json(b));
    b.nodes[0].name = "キャンセル";
    CHECK(semantics_to_json(a) != semantics_to_json(b));
}

TEST_CASE("invalid UTF-8 in a server-provided name is replaced, never a crash")
{
    SemanticTree tree;
    tree.nodes.push_back(node(SemanticRole::Text, 1, "\xff\xfe broken", 0, 0, 1, 1));
    const std::string text = semantics_to_json(tree);
    CHECK(nlohmann::json::accept(text));
}

TEST_CASE("clearing empties nodes and announcements")
{
    SemanticTree tree;
    tree.nodes.push_back(node(SemanticRole::Text, 1, "x", 0, 0, 1, 1));
    tree.announcement = "エラー";
    semantics_clear(tree);
    CHECK(tree.nodes.empty());
    CHECK(tree.announcement.empty());
}
