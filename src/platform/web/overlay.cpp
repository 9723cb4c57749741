#include "overlay.h"

#include "frame_loop.h"
#include "platform.h"

#include <emscripten.h>

EM_JS(void, js_overlay_update, (const char* json), {
    if (window.ibankOverlay)
        window.ibankOverlay.update(UTF8ToString(json));
});

void overlay_publish(WebPlatform& p)
{
    std::string json = semantics_to_json(p.app.semantics);
    if (json == p.published_semantics)
        return;
    js_overlay_update(json.c_str());
    p.published_semantics = std::move(json);
}

// A DOM-layer element was activated by the keyboard or assistive technology (pointer clicks
// reach ImGui through the canvas's own hit-testing instead): the widget acts on the next frame.
extern "C" EMSCRIPTEN_KEEPALIVE void ibank_overlay_activate(unsigned id)
{
    WebPlatform& p = platform();
    p.app.pending_activation = id;
    loop_note_event(p);
}
