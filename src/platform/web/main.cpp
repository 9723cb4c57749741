// Entry point of the web app: sets up Dear ImGui, WebGL2, input and the render-on-demand loop,
// then returns to the browser. From then on everything happens in event callbacks.
#include "appearance.h"
#include "assets.h"
#include "controller.h"
#include "frame_loop.h"
#include "input.h"
#include "page_contract.h"
#include "platform.h"

#include <emscripten.h>
#include <emscripten/html5.h>
#include <imgui.h>

static WebPlatform g_platform;

WebPlatform& platform() { return g_platform; }

// Replaces the page with a styled error message (web/loader.js) - never a blank page.
EM_JS(void, js_show_fatal, (const char* loader_global, const char* message), {
    const loader = window[UTF8ToString(loader_global)];
    if (loader)
        loader.fail(UTF8ToString(message));
});

static void fail(const char* message)
{
    js_show_fatal(page::kGlobalLoader, message);
}

static bool create_gl_objects(WebPlatform& p)
{
    const char* error = nullptr;
    if (!renderer_create(p.renderer, &error)) {
        fail(error);
        return false;
    }
    if (p.app.fonts.built_for_dpr > 0.0f)
        renderer_upload_fonts(p.renderer);   // atlas kept in memory across a context loss
    return true;
}

static EM_BOOL on_context_lost(int, const void*, void* user)
{
    WebPlatform& p = *static_cast<WebPlatform*>(user);
    p.gl_lost = true;
    renderer_forget(p.renderer);
    return EM_TRUE;   // preventDefault: tells the browser we want the context restored
}

static EM_BOOL on_context_restored(int, const void*, void* user)
{
    WebPlatform& p = *static_cast<WebPlatform*>(user);
    emscripten_webgl_make_context_current(p.gl);
    if (!create_gl_objects(p))
        return EM_TRUE;
    p.gl_lost = false;
    loop_note_event(p);   // the screen, the typed text, the session: all still here
    return EM_TRUE;
}

int main()
{
    WebPlatform& p = g_platform;
    if (!asset_take(page::kAssetFont, p.app.fonts.data) || p.app.fonts.data.empty()) {
        fail(page::kFailFontNotLoaded);
        return 0;
    }

    EmscriptenWebGLContextAttributes attrs;
    emscripten_webgl_init_context_attributes(&attrs);
    attrs.majorVersion = 2;
    attrs.minorVersion = 0;
    attrs.alpha = EM_FALSE;       // opaque page: cheaper compositing
    attrs.depth = EM_FALSE;
    attrs.stencil = EM_FALSE;
    attrs.antialias = EM_FALSE;   // ImGui anti-aliases its own shapes
    attrs.powerPreference = EM_WEBGL_POWER_PREFERENCE_LOW_POWER;
    attrs.enableExtensionsByDefault = EM_FALSE;   // none needed; enabling them all costs start-up time
    p.gl = emscripten_webgl_create_context("#canvas", &attrs);
    if (p.gl <= 0) {
        fail(page::kFailWebgl2Unavailable);
        return 0;
    }
    emscripten_webgl_make_context_current(p.gl);

    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;   // nothing of the customer's is stored
    io.LogFilename = nullptr;
    io.BackendPlatformName = "ibank_web";
    io.BackendRendererName = "ibank_webgl2";
    app_apply_display(p.app);

    if (!create_gl_objects(p))
        return 0;
    emscripten_set_webglcontextlost_callback("#canvas", &p, EM_FALSE, on_context_lost);
    emscripten_set_webglcontextrestored_callback("#canvas", &p, EM_FALSE, on_context_restored);

    input_update_canvas_size(p);
    input_install(p);
    appearance_install(p);
    controller_start(p);
    loop_note_event(p);   // the first frame
    return 0;             // the runtime stays alive: callbacks drive the app from here
}
