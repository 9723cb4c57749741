#include "browser.h"

#include <emscripten.h>
#include <cstdlib>

static BrowserEventHandler g_handler = nullptr;

// JavaScript reports a signal by the number C++ gave it for that signal (the EM_JS functions
// below take them as arguments), so the numbers are BrowserSignal's own and never copied.
static int signal_id(BrowserSignal signal) { return static_cast<int>(signal); }

extern "C" EMSCRIPTEN_KEEPALIVE void ibank_browser_event(int signal, double idle, double absolute)
{
    if (!g_handler || signal < 0 || signal > signal_id(BrowserSignal::CloseRefused))
        return;
    BrowserEvent e;
    e.signal = static_cast<BrowserSignal>(signal);
    e.idle_expires_at = static_cast<int64_t>(idle);
    e.absolute_expires_at = static_cast<int64_t>(absolute);
    g_handler(e);
}

EM_JS(void, js_browser_install, (int other_tab_logged_out, int other_tab_extended, int back_pressed), {
    if ('BroadcastChannel' in window) {
        Module.ibankChannel = new BroadcastChannel('ibank-session');
        Module.ibankChannel.onmessage = (e) => {
            const m = e.data || {};
            if (m.type === 'logout') _ibank_browser_event(other_tab_logged_out, 0, 0);
            if (m.type === 'extended' && Number.isFinite(m.idle) && Number.isFinite(m.absolute))
                _ibank_browser_event(other_tab_extended, m.idle, m.absolute);
        };
    }
    // The page keeps one history entry of its own above the entry it was opened with, so the
    // back button lands on us (popstate) instead of leaving the banking page mid-flow.
    history.replaceState({ ibank: 'base' }, "");
    history.pushState({ ibank: 'current' }, "");
    window.addEventListener('popstate', () => {
        history.pushState({ ibank: 'current' }, "");
        _ibank_browser_event(back_pressed, 0, 0);
    });
});

void browser_install(BrowserEventHandler handler)
{
    g_handler = handler;
    js_browser_install(signal_id(BrowserSignal::OtherTabLoggedOut), signal_id(BrowserSignal::OtherTabExtended),
                       signal_id(BrowserSignal::BackPressed));
}

// The string a js_* function malloc'd, freed.
static std::string take_js_string(char* text)
{
    std::string out = text ? text : "";
    std::free(text);
    return out;
}

// Storage can be unavailable (private modes, blocked by policy): every call tolerates that.
EM_JS(char*, js_storage_get, (int session, const char* key), {
    let value = null;
    try { value = (session ? sessionStorage : localStorage).getItem(UTF8ToString(key)); } catch (e) {}
    if (value === null) return 0;
    const size = lengthBytesUTF8(value) + 1;
    const ptr = _malloc(size);
    stringToUTF8(value, ptr, size);
    return ptr;
});

// What the browser says about itself: 0 navigator.userAgent, 1 location.origin.
EM_JS(char*, js_browser_text, (int which), {
    const value = String((which === 0 ? navigator.userAgent : location.origin) || "");
    const size = lengthBytesUTF8(value) + 1;
    const ptr = _malloc(size);
    stringToUTF8(value, ptr, size);
    return ptr;
});

std::string browser_user_agent() { return take_js_string(js_browser_text(0)); }
std::string browser_page_origin() { return take_js_string(js_browser_text(1)); }

EM_JS(void, js_storage_set, (int session, const char* key, const char* value), {
    try { (session ? sessionStorage : localStorage).setItem(UTF8ToString(key), UTF8ToString(value)); } catch (e) {}
});

EM_JS(void, js_storage_remove, (int session, const char* key), {
    try { (session ? sessionStorage : localStorage).removeItem(UTF8ToString(key)); } catch (e) {}
});

static std::string storage_get(int session, const char* key) { return take_js_string(js_storage_get(session, key)); }

std::string browser_local_get(const char* key) { return storage_get(0, key); }
void browser_local_set(const char* key, const std::string& value) { js_storage_set(0, key, value.c_str()); }
std::string browser_session_get(const char* key) { return storage_get(1, key); }
void browser_session_set(const char* key, const std::string& value) { js_storage_set(1, key, value.c_str()); }
void browser_session_remove(const char* key) { js_storage_remove(1, key); }

EM_JS(void, js_broadcast, (int logout, double idle, double absolute), {
    if (!Module.ibankChannel) return;
    Module.ibankChannel.postMessage(logout ? { type: 'logout' } : { type: 'extended', idle: idle, absolute: absolute });
});

void browser_broadcast_logout() { js_broadcast(1, 0, 0); }

void browser_broadcast_extended(int64_t idle_expires_at, int64_t absolute_expires_at)
{
    js_broadcast(0, static_cast<double>(idle_expires_at), static_cast<double>(absolute_expires_at));
}

EM_JS(void, js_push_history, (), { history.pushState({ ibank: 'current' }, ""); });
void browser_push_history() { js_push_history(); }

EM_JS(void, js_close_window, (int close_refused), {
    window.close();
    // Browsers only close windows a script opened; otherwise nothing happens, silently.
    setTimeout(() => { if (!window.closed) _ibank_browser_event(close_refused, 0, 0); }, 300);
});
void browser_close_window() { js_close_window(signal_id(BrowserSignal::CloseRefused)); }

EM_JS(void, js_open, (const char* url), { window.open(UTF8ToString(url), '_blank', 'noopener,noreferrer'); });
void browser_open(const std::string& url) { js_open(url.c_str()); }

EM_JS(void, js_reload, (), { location.reload(); });
void browser_reload() { js_reload(); }
