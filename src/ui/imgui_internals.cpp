// The only file that includes imgui_internal.h (see imgui_internals.h).
#include "imgui_internals.h"

#include "core/secure_zero.h"

#include <imgui_internal.h>

// Written and tested against Dear ImGui 1.90.1 - 1.90.x (the range scripts/bootstrap accepts).
// Before widening this range, check every function below against the new imgui_internal.h and
// run tests/ui: the wipe in particular must still reach every buffer that holds edited text.
static_assert(IMGUI_VERSION_NUM >= 19010 && IMGUI_VERSION_NUM < 19100,
              "src/ui/imgui_internals.cpp is written for Dear ImGui 1.90.x; check its hooks against this version");

// ---------------------------------------------------------------- the input queue
uint32_t imgui_input_mark()
{
    const uint32_t id = GImGui->InputEventsNextEventId;
    // F24 is on no keyboard the page meets, and no widget reacts to it.
    ImGuiIO& io = ImGui::GetIO();
    io.AddKeyEvent(ImGuiKey_F24, true);
    io.AddKeyEvent(ImGuiKey_F24, false);
    return id;
}

void imgui_queue_click(ImVec2 at)
{
    ImGuiIO& io = ImGui::GetIO();
    const ImVec2 previous = io.MousePos;
    io.AddMouseSourceEvent(ImGuiMouseSource_Mouse);
    io.AddMousePosEvent(at.x, at.y);
    io.AddMouseButtonEvent(ImGuiMouseButton_Left, true);
    io.AddMouseButtonEvent(ImGuiMouseButton_Left, false);
    io.AddMousePosEvent(previous.x, previous.y);
}

bool imgui_input_processed(uint32_t event_id)
{
    const ImVector<ImGuiInputEvent>& queue = GImGui->InputEventsQueue;
    return queue.empty() || queue.front().EventId > event_id;
}

bool imgui_input_pending()
{
    return !GImGui->InputEventsQueue.empty();
}

// ---------------------------------------------------------------- the text field
bool imgui_text_field_active()
{
    const ImGuiContext& g = *GImGui;
    return g.ActiveId != 0 && g.ActiveId == g.InputTextState.ID;
}

bool imgui_item_active()
{
    return GImGui->ActiveId != 0;
}

void imgui_release_active()
{
    if (GImGui->ActiveId != 0)
        ImGui::ClearActiveID();
}

double imgui_caret_next_toggle()
{
    if (!ImGui::GetIO().ConfigInputTextCursorBlink || !imgui_text_field_active())
        return -1.0;
    // ImGui shows the caret while CursorAnim mod 1.2 s <= 0.8 s (and always when <= 0).
    const float anim = GImGui->InputTextState.CursorAnim;
    if (anim <= 0.0f)
        return 0.8 - anim;
    const float phase = ImFmod(anim, 1.2f);
    return phase <= 0.8f ? 0.8 - phase : 1.2 - phase;
}

template <typename T>
static void wipe_vector(ImVector<T>& v)
{
    if (v.Data)
        secure_zero(v.Data, static_cast<size_t>(v.Capacity) * sizeof(T));
}

void imgui_wipe_text_edit_state()
{
    ImGuiContext& g = *GImGui;
    ImGuiInputTextState& state = g.InputTextState;
    if (g.ActiveId != 0 && g.ActiveId == state.ID)
        ImGui::ClearActiveID();
    wipe_vector(state.TextW);
    wipe_vector(state.TextA);
    wipe_vector(state.InitialTextA);
    secure_zero(&state.Stb, sizeof(state.Stb));
    state.ID = 0;   // the next activation starts from the (wiped) buffer again
    state.CurLenW = 0;
    state.CurLenA = 0;
    // ImGui also keeps a copy for the deactivated-item callback.
    wipe_vector(g.InputTextDeactivatedState.TextA);
}

// ---------------------------------------------------------------- windows
bool imgui_window_scroll(const char* name, ImguiWindowScroll& out)
{
    const ImGuiWindow* window = ImGui::FindWindowByName(name);
    if (!window)
        return false;
    out.inner_top = window->InnerRect.Min.y;
    out.inner_bottom = window->InnerRect.Max.y;
    out.scroll = window->Scroll.y;
    out.scroll_max = window->ScrollMax.y;
    return true;
}

void imgui_set_window_scroll(const char* name, float y)
{
    if (ImGuiWindow* window = ImGui::FindWindowByName(name))
        ImGui::SetScrollY(window, y);
}

float imgui_text_right_edge()
{
    const ImGuiWindow* window = ImGui::GetCurrentWindow();
    const float wrap = window->DC.TextWrapPos;
    if (wrap > 0.0f)
        return window->Pos.x - window->Scroll.x + wrap;
    return window->Pos.x + ImGui::GetWindowContentRegionMax().x;
}

// ---------------------------------------------------------------- custom widgets
ImVec2 imgui_item_cursor()
{
    return ImGui::GetCurrentWindow()->DC.CursorPos;
}

float imgui_text_baseline_offset()
{
    return ImGui::GetCurrentWindow()->DC.CurrLineTextBaseOffset;
}

bool imgui_window_skips_items()
{
    return ImGui::GetCurrentWindow()->SkipItems;
}

bool imgui_add_item(ImVec2 min, ImVec2 max, ImGuiID id, float text_baseline_y)
{
    const ImRect bb(min, max);
    ImGui::ItemSize(bb.GetSize(), text_baseline_y);
    return ImGui::ItemAdd(bb, id);
}

bool imgui_add_pressable(ImVec2 min, ImVec2 max, const char* label, float frame_padding_y, ImguiPressable& out)
{
    out = ImguiPressable();
    const ImRect bb(min, max);
    out.id = ImGui::GetCurrentWindow()->GetID(label);
    ImGui::ItemSize(bb, frame_padding_y);
    if (!ImGui::ItemAdd(bb, out.id))
        return false;
    out.pressed = ImGui::ButtonBehavior(bb, out.id, &out.hovered, &out.held);
    return true;
}

void imgui_mark_edited(ImGuiID id)
{
    ImGui::MarkItemEdited(id);
}

void imgui_render_frame(ImVec2 min, ImVec2 max, ImU32 fill, float rounding)
{
    ImGui::RenderFrame(min, max, fill, true, rounding);
}

void imgui_render_nav_highlight(ImVec2 min, ImVec2 max, ImGuiID id)
{
    ImGui::RenderNavHighlight(ImRect(min, max), id);
}

void imgui_render_check_mark(ImVec2 pos, ImU32 color, float size)
{
    ImGui::RenderCheckMark(ImGui::GetWindowDrawList(), pos, color, size);
}

const char* imgui_rendered_text_end(const char* label)
{
    return ImGui::FindRenderedTextEnd(label);
}

// ---------------------------------------------------------------- ids
ImGuiID imgui_text_id(const char* text, int occurrence)
{
    const ImGuiID first = ImGui::GetID(text);
    if (occurrence <= 0)
        return first;
    return ImHashData(&occurrence, sizeof occurrence, first);   // as ImGui seeds an id by its parent
}
