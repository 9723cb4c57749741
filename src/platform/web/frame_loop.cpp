#include "frame_loop.h"

#include "controller.h"
#include "glyph_loader.h"
#include "input.h"
#include "overlay.h"
#include "page_contract.h"
#include "platform.h"

#include <emscripten.h>
#include <emscripten/eventloop.h>
#include <emscripten/html5.h>
#include <imgui.h>
#include "imgui_internals.h"

// Counts frames for the page's load indicator, tests and scripts/bench-web.
EM_JS(void, js_frame_drawn, (const char* stats_global, const char* first_frame_event), {
    const stats = window[UTF8ToString(stats_global)];
    stats.framesDrawn++;
    if (stats.firstFrameMs === null) {
        stats.firstFrameMs = performance.now();
        window.dispatchEvent(new Event(UTF8ToString(first_frame_event)));
    }
});

static EM_BOOL on_animation_frame(double time_ms, void* user);

static void request_animation_frame(WebPlatform& p)
{
    if (p.animation_frame_pending || p.pacer.hidden)
        return;
    p.animation_frame_pending = true;
    emscripten_request_animation_frame(on_animation_frame, &p);
}

static void on_wake_timer(void* user)
{
    WebPlatform& p = *static_cast<WebPlatform*>(user);
    p.wake_timer = 0;
    request_animation_frame(p);   // the pacer decides in the frame whether the wake-up is due
}

static void set_wake_timer(WebPlatform& p, double seconds)
{
    if (p.wake_timer != 0)
        emscripten_clear_timeout(p.wake_timer);
    p.wake_timer = seconds < 0.0 ? 0 : emscripten_set_timeout(on_wake_timer, seconds * 1000.0, &p);
}

static void update_fonts(WebPlatform& p)
{
    const char* font_error = nullptr;
    if (fonts_update(p.app.fonts, p.dpr, &font_error))
        renderer_upload_fonts(p.renderer);
}

static void build_ui(WebPlatform& p, double now, float delta_time, std::vector<FlowEvent>& events)
{
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(static_cast<float>(p.css_width), static_cast<float>(p.css_height));
    io.DisplayFramebufferScale = ImVec2(p.dpr, p.dpr);
    io.DeltaTime = delta_time;
    AppFrameInput input;
    input.now = now;
    input.caps_lock = p.caps_lock;
    input.import_guide = p.import_guide;
    ImGui::NewFrame();
    if (app_frame(p.app, input, events))
        pacer_note_event(p.pacer);   // what was clicked changes the next picture
    ImGui::Render();
    glyph_loader_check_frame(p);
}

static void draw_frame(WebPlatform& p, double now)
{
    // Zoom changes arrive as resize events and screen changes as a media query change; this
    // check covers any other way devicePixelRatio can change between frames.
    if (static_cast<float>(emscripten_get_device_pixel_ratio()) != p.dpr)
        input_update_canvas_size(p);

    // Deadlines and session expiry are checked against the clock before drawing.
    controller_dispatch(p, flow_event(FlowEventKind::Tick));

    app_apply_display(p.app);
    update_fonts(p);
    const double dt = now - p.last_frame_time;
    p.last_frame_time = now;
    std::vector<FlowEvent> events;
    build_ui(p, now, dt > 0.0 && dt < 1e6 ? static_cast<float>(dt) : 1.0f / 60.0f, events);
    // The frame shows characters the atlas lacked, or the customer changed the text size or
    // theme: set them up and build the frame again before anything is presented, so no
    // missing-glyph box and no frame in the old size or colours is ever seen.
    if (app_apply_display(p.app) || p.app.fonts.dirty) {
        update_fonts(p);
        build_ui(p, now, 1e-4f, events);
    }

    const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    const float clear[3] = {bg.x, bg.y, bg.z};
    renderer_draw(p.renderer, ImGui::GetDrawData(), clear);
    overlay_publish(p);
    js_frame_drawn(page::kGlobalStats, page::kFirstFrameEvent);

    controller_after_frame(p, events);
}

static EM_BOOL on_animation_frame(double time_ms, void* user)
{
    WebPlatform& p = *static_cast<WebPlatform*>(user);
    p.animation_frame_pending = false;
    if (p.gl_lost)
        return EM_FALSE;   // webglcontextrestored will wake us
    const double now = time_ms / 1000.0;
    if (!pacer_should_draw(p.pacer, now)) {
        if (p.pacer.wake_at >= 0.0)
            set_wake_timer(p, p.pacer.wake_at - now);
        return EM_FALSE;
    }
    draw_frame(p, now);

    // ImGui trickles input events queued in one browser task over several frames.
    const bool ui_busy = imgui_input_pending();
    const PacerNext next = pacer_frame_drawn(p.pacer, now, ui_busy, app_next_wake(p.app, now));
    if (next.draw_next_frame)
        request_animation_frame(p);
    else
        set_wake_timer(p, next.wake_in);
    return EM_FALSE;   // one frame per request: never a free-running loop
}

void loop_note_event(WebPlatform& p)
{
    pacer_note_event(p.pacer);
    request_animation_frame(p);
}

void loop_set_hidden(WebPlatform& p, bool hidden)
{
    pacer_set_hidden(p.pacer, hidden);
    if (hidden)
        set_wake_timer(p, -1.0);
    else
        request_animation_frame(p);
}
