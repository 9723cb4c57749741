#include "input.h"

#include "frame_loop.h"
#include "platform.h"

#include <cfloat>
#include <cmath>
#include <cstring>
#include <emscripten.h>
#include <emscripten/html5.h>
#include <imgui.h>

static const char* kCanvas = "#canvas";
static const char* kAppRoot = "#app";   // canvas + semantic layer; DOM-layer events bubble here

static WebPlatform& P(void* user) { return *static_cast<WebPlatform*>(user); }

// ---------------------------------------------------------------------------- mouse & wheel

static int imgui_button(unsigned short dom_button)
{
    switch (dom_button) {
    case 0: return ImGuiMouseButton_Left;
    case 1: return ImGuiMouseButton_Middle;
    case 2: return ImGuiMouseButton_Right;
    default: return -1;
    }
}

static EM_BOOL on_mouse(int type, const EmscriptenMouseEvent* e, void* user)
{
    ImGuiIO& io = ImGui::GetIO();
    io.AddMouseSourceEvent(ImGuiMouseSource_Mouse);
    // The canvas fills the viewport from (0,0), so client coordinates are canvas CSS pixels.
    io.AddMousePosEvent(static_cast<float>(e->clientX), static_cast<float>(e->clientY));
    const int button = imgui_button(e->button);
    if (button >= 0 && (type == EMSCRIPTEN_EVENT_MOUSEDOWN || type == EMSCRIPTEN_EVENT_MOUSEUP))
        io.AddMouseButtonEvent(button, type == EMSCRIPTEN_EVENT_MOUSEDOWN);
    if (type == EMSCRIPTEN_EVENT_MOUSELEAVE)
        io.AddMousePosEvent(-FLT_MAX, -FLT_MAX);
    loop_note_event(P(user));
    return EM_FALSE;   // keep the browser's own behaviour (focus moves to the DOM layer element)
}

static EM_BOOL on_wheel(int, const EmscriptenWheelEvent* e, void* user)
{
    // ImGui counts wheel "lines"; browsers report pixels (deltaMode 0), lines (1) or pages (2).
    double scale = 1.0 / 100.0;
    if (e->deltaMode == DOM_DELTA_LINE)
        scale = 1.0 / 3.0;
    else if (e->deltaMode == DOM_DELTA_PAGE)
        scale = 1.0;
    ImGui::GetIO().AddMouseWheelEvent(static_cast<float>(-e->deltaX * scale), static_cast<float>(-e->deltaY * scale));
    loop_note_event(P(user));
    return EM_TRUE;   // the page itself never scrolls; the UI does
}

// ---------------------------------------------------------------------------- touch
// One finger drives ImGui's mouse, marked as a touch screen (no hover before a press).

static long g_touch_id = -1;

static EM_BOOL on_touch(int type, const EmscriptenTouchEvent* e, void* user)
{
    ImGuiIO& io = ImGui::GetIO();
    for (int i = 0; i < e->numTouches; i++) {
        const EmscriptenTouchPoint& t = e->touches[i];
        if (!t.isChanged)
            continue;
        if (type == EMSCRIPTEN_EVENT_TOUCHSTART && g_touch_id < 0)
            g_touch_id = t.identifier;
        if (t.identifier != g_touch_id)
            continue;
        io.AddMouseSourceEvent(ImGuiMouseSource_TouchScreen);
        io.AddMousePosEvent(static_cast<float>(t.clientX), static_cast<float>(t.clientY));
        if (type == EMSCRIPTEN_EVENT_TOUCHSTART)
            io.AddMouseButtonEvent(ImGuiMouseButton_Left, true);
        if (type == EMSCRIPTEN_EVENT_TOUCHEND || type == EMSCRIPTEN_EVENT_TOUCHCANCEL) {
            io.AddMouseButtonEvent(ImGuiMouseButton_Left, false);
            g_touch_id = -1;
        }
    }
    loop_note_event(P(user));
    return EM_TRUE;   // no emulated mouse events after a touch (they would click twice)
}

// ---------------------------------------------------------------------------- keyboard

static ImGuiKey imgui_key(const char* key)
{
    struct Named { const char* dom; ImGuiKey key; };
    static const Named kNamed[] = {
        {"Tab", ImGuiKey_Tab}, {"ArrowLeft", ImGuiKey_LeftArrow}, {"ArrowRight", ImGuiKey_RightArrow},
        {"ArrowUp", ImGuiKey_UpArrow}, {"ArrowDown", ImGuiKey_DownArrow}, {"PageUp", ImGuiKey_PageUp},
        {"PageDown", ImGuiKey_PageDown}, {"Home", ImGuiKey_Home}, {"End", ImGuiKey_End},
        {"Insert", ImGuiKey_Insert}, {"Delete", ImGuiKey_Delete}, {"Backspace", ImGuiKey_Backspace},
        {" ", ImGuiKey_Space}, {"Enter", ImGuiKey_Enter}, {"Escape", ImGuiKey_Escape},
        {"Control", ImGuiKey_LeftCtrl}, {"Shift", ImGuiKey_LeftShift}, {"Alt", ImGuiKey_LeftAlt},
        {"Meta", ImGuiKey_LeftSuper}, {"CapsLock", ImGuiKey_CapsLock},
    };
    for (const Named& n : kNamed)
        if (std::strcmp(key, n.dom) == 0)
            return n.key;
    if (key[0] != 0 && key[1] == 0) {   // one ASCII character: letters and digits for shortcuts
        const char c = key[0];
        if (c >= 'a' && c <= 'z') return static_cast<ImGuiKey>(ImGuiKey_A + (c - 'a'));
        if (c >= 'A' && c <= 'Z') return static_cast<ImGuiKey>(ImGuiKey_A + (c - 'A'));
        if (c >= '0' && c <= '9') return static_cast<ImGuiKey>(ImGuiKey_0 + (c - '0'));
    }
    return ImGuiKey_None;
}

// A printable key's `key` is the character it types: exactly one code point.
static bool is_printable(const char* key)
{
    const unsigned char c = static_cast<unsigned char>(key[0]);
    if (c == 0)
        return false;
    const int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    return static_cast<int>(std::strlen(key)) == len && c >= 0x20;
}

static EM_BOOL on_key(int type, const EmscriptenKeyboardEvent* e, void* user)
{
    ImGuiIO& io = ImGui::GetIO();
    const bool down = type == EMSCRIPTEN_EVENT_KEYDOWN;
    io.AddKeyEvent(ImGuiMod_Ctrl, e->ctrlKey);
    io.AddKeyEvent(ImGuiMod_Shift, e->shiftKey);
    io.AddKeyEvent(ImGuiMod_Alt, e->altKey);
    io.AddKeyEvent(ImGuiMod_Super, e->metaKey);
    const ImGuiKey key = imgui_key(e->key);
    // Tab belongs to the browser: it moves focus through the semantic layer's elements, and
    // overlay.js tells the UI which widget has focus. Enter and Space on a focused button, link
    // or checkbox of that layer belong to the browser too: it clicks the element, which
    // activates the widget. ImGui sees none of these.
    const bool browser_key = key == ImGuiKey_Tab
        || (P(user).dom_focus_on_control && (key == ImGuiKey_Enter || key == ImGuiKey_Space));
    if (browser_key) {
        loop_note_event(P(user));
        return EM_FALSE;
    }
    if (key != ImGuiKey_None)
        io.AddKeyEvent(key, down);

    bool handled = false;
    if (down && is_printable(e->key) && !e->ctrlKey && !e->metaKey) {
        io.AddInputCharactersUTF8(e->key);
        // While an ImGui text field has focus the character is ours: the DOM must not also
        // receive it (a focused DOM-layer element would otherwise see the password).
        handled = io.WantTextInput;
    }
    if (down && io.WantCaptureKeyboard) {
        // Keys that would scroll or navigate the page while the UI is using them.
        switch (key) {
        case ImGuiKey_Backspace: case ImGuiKey_Space: case ImGuiKey_Enter:
        case ImGuiKey_LeftArrow: case ImGuiKey_RightArrow: case ImGuiKey_UpArrow: case ImGuiKey_DownArrow:
        case ImGuiKey_PageUp: case ImGuiKey_PageDown: case ImGuiKey_Home: case ImGuiKey_End:
            handled = true;
            break;
        default:
            break;
        }
    }
    loop_note_event(P(user));
    return handled ? EM_TRUE : EM_FALSE;
}

// Caps Lock's state is not in EmscriptenKeyboardEvent: read it with getModifierState.
EM_JS(void, js_watch_caps_lock, (), {
    const report = (e) => {
        if (e && typeof e.getModifierState === 'function')
            _ibank_on_caps_lock(e.getModifierState('CapsLock') ? 1 : 0);
    };
    window.addEventListener('keydown', report, true);
    window.addEventListener('keyup', report, true);
    window.addEventListener('mousedown', report, true);
});

extern "C" EMSCRIPTEN_KEEPALIVE void ibank_on_caps_lock(int on)
{
    WebPlatform& p = platform();
    if (p.caps_lock != (on != 0)) {
        p.caps_lock = on != 0;
        loop_note_event(p);
    }
}

// ---------------------------------------------------------------------------- window

static EM_BOOL on_focus(int type, const EmscriptenFocusEvent*, void* user)
{
    ImGui::GetIO().AddFocusEvent(type == EMSCRIPTEN_EVENT_FOCUS);
    loop_note_event(P(user));
    return EM_FALSE;
}

void input_update_canvas_size(WebPlatform& p)
{
    double w = 0, h = 0;
    emscripten_get_element_css_size(kCanvas, &w, &h);
    p.css_width = static_cast<int>(std::lround(w));
    p.css_height = static_cast<int>(std::lround(h));
    p.dpr = static_cast<float>(emscripten_get_device_pixel_ratio());
    if (p.dpr <= 0.0f)
        p.dpr = 1.0f;
    // The drawing buffer has one pixel per device pixel: text is rasterised for it (fonts.h).
    emscripten_set_canvas_element_size(kCanvas, static_cast<int>(std::lround(w * p.dpr)),
                                       static_cast<int>(std::lround(h * p.dpr)));
}

static EM_BOOL on_resize(int, const EmscriptenUiEvent*, void* user)
{
    input_update_canvas_size(P(user));
    loop_note_event(P(user));
    return EM_FALSE;
}

// devicePixelRatio can change without a resize (window moved to another screen): watch it.
EM_JS(void, js_watch_device_pixel_ratio, (), {
    const watch = () => {
        const query = matchMedia('(resolution: ' + window.devicePixelRatio + 'dppx)');
        query.addEventListener('change', () => { _ibank_on_dpr_change(); watch(); }, { once: true });
    };
    watch();
});

extern "C" EMSCRIPTEN_KEEPALIVE void ibank_on_dpr_change()
{
    WebPlatform& p = platform();
    input_update_canvas_size(p);
    loop_note_event(p);
}

static EM_BOOL on_visibility(int, const EmscriptenVisibilityChangeEvent* e, void* user)
{
    loop_set_hidden(P(user), e->hidden != 0);
    return EM_FALSE;
}

void input_install(WebPlatform& p)
{
    void* u = &p;
    emscripten_set_mousedown_callback(kAppRoot, u, EM_FALSE, on_mouse);
    emscripten_set_mouseleave_callback(kAppRoot, u, EM_FALSE, on_mouse);
    // Moves and releases are followed on the whole document so a drag that leaves the window
    // still ends.
    emscripten_set_mousemove_callback(EMSCRIPTEN_EVENT_TARGET_DOCUMENT, u, EM_FALSE, on_mouse);
    emscripten_set_mouseup_callback(EMSCRIPTEN_EVENT_TARGET_DOCUMENT, u, EM_FALSE, on_mouse);
    emscripten_set_wheel_callback(kAppRoot, u, EM_FALSE, on_wheel);
    emscripten_set_touchstart_callback(kAppRoot, u, EM_FALSE, on_touch);
    emscripten_set_touchmove_callback(kAppRoot, u, EM_FALSE, on_touch);
    emscripten_set_touchend_callback(kAppRoot, u, EM_FALSE, on_touch);
    emscripten_set_touchcancel_callback(kAppRoot, u, EM_FALSE, on_touch);
    emscripten_set_keydown_callback(EMSCRIPTEN_EVENT_TARGET_WINDOW, u, EM_FALSE, on_key);
    emscripten_set_keyup_callback(EMSCRIPTEN_EVENT_TARGET_WINDOW, u, EM_FALSE, on_key);
    emscripten_set_focus_callback(EMSCRIPTEN_EVENT_TARGET_WINDOW, u, EM_FALSE, on_focus);
    emscripten_set_blur_callback(EMSCRIPTEN_EVENT_TARGET_WINDOW, u, EM_FALSE, on_focus);
    emscripten_set_resize_callback(EMSCRIPTEN_EVENT_TARGET_WINDOW, u, EM_FALSE, on_resize);
    emscripten_set_visibilitychange_callback(u, EM_FALSE, on_visibility);
    js_watch_caps_lock();
    js_watch_device_pixel_ratio();
}
