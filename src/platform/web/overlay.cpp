#include "overlay.h"

#include "frame_loop.h"
#include "imgui_internals.h"
#include "page_contract.h"
#include "platform.h"

#include <emscripten.h>
#include <imgui.h>

EM_JS(void, js_overlay_update, (const char* overlay_global, const char* json), {
    const overlay = window[UTF8ToString(overlay_global)];
    if (overlay)
        overlay.update(UTF8ToString(json));
});

void overlay_publish(WebPlatform& p)
{
    std::string json = semantics_to_json(p.app.semantics);
    if (json == p.published_semantics)
        return;
    js_overlay_update(page::kGlobalOverlay, json.c_str());
    p.published_semantics = std::move(json);
}

// A DOM-layer element was activated by the keyboard or assistive technology (pointer clicks
// reach ImGui through the canvas's own hit-testing instead): the widget acts on the next frame.
extern "C" EMSCRIPTEN_KEEPALIVE void ibank_overlay_activate(unsigned id)
{
    WebPlatform& p = platform();
    app_dom_request(p.app, id, false);
    loop_note_event(p);
}

// A DOM-layer element received keyboard focus (Tab). The screen scrolls to show it. A text
// field is then clicked on the canvas, through ImGui's input queue, so the field is active
// before any key typed afterwards is processed (the queue keeps order); the click aims at where
// the field will be once scrolled, because the scroll takes effect before the click is tested
// against the widgets. Focus on any other element takes the keyboard away from the text field,
// so typing never lands in a field the customer has tabbed away from.
extern "C" EMSCRIPTEN_KEEPALIVE void ibank_overlay_focus(unsigned id, int is_text_field)
{
    WebPlatform& p = platform();
    p.dom_focus_on_control = !is_text_field;
    const float moved = app_scroll_into_view(p.app, id);
    loop_note_event(p);
    if (!is_text_field) {
        app_dom_request(p.app, 0, true);
        return;
    }
    for (const SemanticNode& node : p.app.semantics.nodes) {
        if (node.id != id || node.role != SemanticRole::TextInput)
            continue;
        imgui_queue_click(ImVec2(node.x + node.w - 4.0f, node.y - moved + node.h * 0.5f));   // caret at the end
        return;
    }
}

extern "C" EMSCRIPTEN_KEEPALIVE void ibank_overlay_blur()
{
    platform().dom_focus_on_control = false;
}
