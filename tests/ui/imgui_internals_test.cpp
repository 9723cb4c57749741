// Each hook of src/ui/imgui_internals.h against the real Dear ImGui: a headless context, frames
// built and discarded, input given as the web platform gives it. This file may look inside
// ImGui (imgui_internal.h) to check what the hooks claim; the UI itself never does.
#include "imgui_internals.h"

#include <catch_amalgamated.hpp>

#include <imgui_internal.h>

#include <cstdio>
#include <cstring>
#include <vector>

// A context with a font (ImGui is built without its default font) and a display, made current.
struct Context {
    ImGuiContext* context = nullptr;
    std::vector<char> font;
    Context()
    {
        context = ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.DisplaySize = ImVec2(800.0f, 600.0f);
        io.DeltaTime = 1.0f / 60.0f;
        if (FILE* file = std::fopen(IBANK_TEST_FONT, "rb")) {
            char chunk[65536];
            size_t n = 0;
            while ((n = std::fread(chunk, 1, sizeof chunk, file)) > 0)
                font.insert(font.end(), chunk, chunk + n);
            std::fclose(file);
        }
        REQUIRE(!font.empty());
        ImFontConfig cfg;
        cfg.FontDataOwnedByAtlas = false;
        io.Fonts->AddFontFromMemoryTTF(font.data(), static_cast<int>(font.size()), 16.0f, &cfg, io.Fonts->GetGlyphRangesDefault());
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsAlpha8(&pixels, &w, &h);
    }
    ~Context() { ImGui::DestroyContext(context); }
};

static void frame(void (*draw)(void*), void* data)
{
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(400, 300));
    ImGui::Begin("##screen", nullptr, ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoSavedSettings);
    draw(data);
    ImGui::End();
    ImGui::Render();
}

struct Field {
    char buffer[65] = {};
    bool focus = false;
};

static void draw_field(void* data)
{
    Field& f = *static_cast<Field*>(data);
    if (f.focus)
        ImGui::SetKeyboardFocusHere();
    f.focus = false;
    ImGui::InputText("##password", f.buffer, sizeof f.buffer, ImGuiInputTextFlags_Password | ImGuiInputTextFlags_NoUndoRedo);
}

static bool all_zero(const void* data, size_t bytes)
{
    const unsigned char* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < bytes; i++)
        if (p[i] != 0)
            return false;
    return true;
}

TEST_CASE("the input marker is processed only after the input queued before it")
{
    Context c;
    Field field;
    field.focus = true;
    frame(draw_field, &field);
    frame(draw_field, &field);
    ImGuiIO& io = ImGui::GetIO();
    io.AddInputCharacter('a');
    io.AddKeyEvent(ImGuiKey_Tab, true);   // a key press ends one frame's share of the queue
    io.AddKeyEvent(ImGuiKey_Tab, false);
    io.AddInputCharacter('b');
    const uint32_t mark = imgui_input_mark();
    CHECK(imgui_input_pending());
    CHECK_FALSE(imgui_input_processed(mark));
    int frames = 0;
    while (!imgui_input_processed(mark) && frames < 20) {
        frame(draw_field, &field);
        frames++;
    }
    CHECK(imgui_input_processed(mark));
    CHECK(frames >= 2);   // ImGui trickled the queue: the marker waited for what came before it
    for (int i = 0; i < 20 && imgui_input_pending(); i++)
        frame(draw_field, &field);
    CHECK_FALSE(imgui_input_pending());
    CHECK((std::strcmp(field.buffer, "b") == 0 || std::strcmp(field.buffer, "ab") == 0));
}

struct TwoFields {
    char first[33] = {};
    char second[33] = {};
    ImVec2 second_center;
};

static void draw_two_fields(void* data)
{
    TwoFields& f = *static_cast<TwoFields*>(data);
    ImGui::InputText("##first", f.first, sizeof f.first);
    ImGui::InputText("##second", f.second, sizeof f.second);
    const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
    f.second_center = ImVec2((min.x + max.x) * 0.5f, (min.y + max.y) * 0.5f);
}

TEST_CASE("a queued click gives a text field the keyboard before the keys typed after it")
{
    Context c;
    TwoFields fields;
    frame(draw_two_fields, &fields);
    frame(draw_two_fields, &fields);
    REQUIRE_FALSE(imgui_text_field_active());
    ImGuiIO& io = ImGui::GetIO();
    io.AddMousePosEvent(5.0f, 290.0f);   // the pointer is somewhere else, and stays there
    frame(draw_two_fields, &fields);

    // The DOM layer focused the second field and the customer typed at once, in one browser task.
    imgui_queue_click(fields.second_center);
    io.AddInputCharacter('k');
    io.AddInputCharacter('7');
    for (int i = 0; i < 20 && imgui_input_pending(); i++)
        frame(draw_two_fields, &fields);

    CHECK(std::strcmp(fields.second, "k7") == 0);   // no key lost, none in the other field
    CHECK(fields.first[0] == '\0');
    CHECK(imgui_text_field_active());
    CHECK(io.MousePos.x == 5.0f);
    CHECK(io.MousePos.y == 290.0f);
    CHECK_FALSE(io.MouseDown[ImGuiMouseButton_Left]);
}

TEST_CASE("the text field hooks see the edited field, and the wipe leaves no copy of its text")
{
    Context c;
    Field field;
    field.focus = true;
    frame(draw_field, &field);
    frame(draw_field, &field);
    REQUIRE(imgui_text_field_active());
    REQUIRE(imgui_item_active());
    ImGuiIO& io = ImGui::GetIO();
    for (const char* p = "Secret-42"; *p; p++)
        io.AddInputCharacter(static_cast<unsigned>(*p));
    for (int i = 0; i < 20 && imgui_input_pending(); i++)
        frame(draw_field, &field);
    frame(draw_field, &field);
    REQUIRE(std::strcmp(field.buffer, "Secret-42") == 0);

    const ImGuiContext& g = *GImGui;
    const ImGuiInputTextState& state = g.InputTextState;
    REQUIRE(state.TextW.Data != nullptr);
    CHECK_FALSE(all_zero(state.TextW.Data, static_cast<size_t>(state.TextW.Capacity) * sizeof(ImWchar)));

    // Blinking caret: the next toggle is within one blink period.
    io.ConfigInputTextCursorBlink = true;
    const double toggle = imgui_caret_next_toggle();
    CHECK(toggle >= 0.0);
    CHECK(toggle <= 1.2);

    imgui_wipe_text_edit_state();
    CHECK_FALSE(imgui_text_field_active());
    CHECK(all_zero(state.TextW.Data, static_cast<size_t>(state.TextW.Capacity) * sizeof(ImWchar)));
    if (state.TextA.Data)
        CHECK(all_zero(state.TextA.Data, static_cast<size_t>(state.TextA.Capacity)));
    if (state.InitialTextA.Data)
        CHECK(all_zero(state.InitialTextA.Data, static_cast<size_t>(state.InitialTextA.Capacity)));
    if (g.InputTextDeactivatedState.TextA.Data)
        CHECK(all_zero(g.InputTextDeactivatedState.TextA.Data, static_cast<size_t>(g.InputTextDeactivatedState.TextA.Capacity)));
    CHECK(imgui_caret_next_toggle() < 0.0);   // no field, no caret
}

TEST_CASE("releasing the active item stops the text field's editing")
{
    Context c;
    Field field;
    field.focus = true;
    frame(draw_field, &field);
    frame(draw_field, &field);
    REQUIRE(imgui_text_field_active());
    imgui_release_active();
    CHECK_FALSE(imgui_text_field_active());
    CHECK_FALSE(imgui_item_active());
}

struct Ids {
    ImGuiID by_imgui = 0;
    ImGuiID first = 0, second = 0, third = 0;
    ImGuiID other_scope = 0;
};

static void draw_ids(void* data)
{
    Ids& ids = *static_cast<Ids*>(data);
    ids.by_imgui = ImGui::GetID("ご注意ください");
    ids.first = imgui_text_id("ご注意ください", 0);
    ids.second = imgui_text_id("ご注意ください", 1);
    ids.third = imgui_text_id("ご注意ください", 2);
    ImGui::PushID(7);
    ids.other_scope = imgui_text_id("ご注意ください", 0);
    ImGui::PopID();
}

TEST_CASE("text ids: the first is ImGui's own, repeats get ids of their own, other scopes differ")
{
    Context c;
    Ids ids;
    frame(draw_ids, &ids);
    CHECK(ids.first == ids.by_imgui);
    CHECK(ids.second != ids.first);
    CHECK(ids.third != ids.second);
    CHECK(ids.third != ids.first);
    CHECK(ids.other_scope != ids.first);
    Ids again;
    frame(draw_ids, &again);   // stable from frame to frame
    CHECK(again.second == ids.second);
}

struct Tall {
    float right_edge = 0.0f;
    ImVec2 cursor;
};

static void draw_tall(void* data)
{
    Tall& t = *static_cast<Tall*>(data);
    t.cursor = imgui_item_cursor();
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + 200.0f);
    t.right_edge = imgui_text_right_edge();
    ImGui::PopTextWrapPos();
    for (int i = 0; i < 100; i++)
        ImGui::Text("line %d", i);
}

TEST_CASE("window hooks: scroll read and set by name, the text's right edge, the item cursor")
{
    Context c;
    Tall tall;
    frame(draw_tall, &tall);
    frame(draw_tall, &tall);
    ImguiWindowScroll scroll;
    CHECK_FALSE(imgui_window_scroll("##no-such-window", scroll));
    REQUIRE(imgui_window_scroll("##screen", scroll));
    CHECK(scroll.scroll == 0.0f);
    CHECK(scroll.scroll_max > 100.0f);
    CHECK(scroll.inner_bottom > scroll.inner_top);
    CHECK(tall.cursor.x > 0.0f);
    CHECK(tall.right_edge == Catch::Approx(tall.cursor.x + 200.0f));

    imgui_set_window_scroll("##screen", 80.0f);
    frame(draw_tall, &tall);
    REQUIRE(imgui_window_scroll("##screen", scroll));
    CHECK(scroll.scroll == Catch::Approx(80.0f));
}

struct Press {
    ImguiPressable item;
    bool added = false;
    bool edited_seen = false;
};

static void draw_press(void* data)
{
    Press& p = *static_cast<Press*>(data);
    const ImVec2 min = imgui_item_cursor();
    p.added = imgui_add_pressable(min, ImVec2(min.x + 100.0f, min.y + 30.0f), "OK", 4.0f, p.item);
    if (p.item.pressed)
        imgui_mark_edited(p.item.id);
    p.edited_seen = p.edited_seen || ImGui::IsItemEdited();
    CHECK_FALSE(imgui_window_skips_items());
}

TEST_CASE("a pressable item hovers, holds and presses on release like an ImGui button")
{
    Context c;
    Press p;
    frame(draw_press, &p);
    REQUIRE(p.added);
    CHECK(p.item.id == ImHashStr("OK", 0, ImGui::FindWindowByName("##screen")->IDStack.back()));
    ImGuiIO& io = ImGui::GetIO();
    io.AddMousePosEvent(30.0f, 20.0f);
    frame(draw_press, &p);
    CHECK(p.item.hovered);
    io.AddMouseButtonEvent(ImGuiMouseButton_Left, true);
    frame(draw_press, &p);
    CHECK(p.item.held);
    CHECK_FALSE(p.item.pressed);
    io.AddMouseButtonEvent(ImGuiMouseButton_Left, false);
    frame(draw_press, &p);
    CHECK(p.item.pressed);
    CHECK(p.edited_seen);
    frame(draw_press, &p);
    CHECK_FALSE(p.item.pressed);   // once per click
}

TEST_CASE("the rendered end of a label stops before its ## suffix")
{
    const char* label = "決定##enter";
    CHECK(imgui_rendered_text_end(label) == label + std::strlen("決定"));
    const char* plain = "キャンセル";
    CHECK(imgui_rendered_text_end(plain) == plain + std::strlen(plain));
}
