#include "fetch_bridge.h"

#include "core/protocol.h"

#include <emscripten.h>
#include <cstdlib>

static FetchReplyHandler g_handler = nullptr;

void fetch_set_reply_handler(FetchReplyHandler handler) { g_handler = handler; }

// Replies larger than this are not read: no answer of the API comes near it, and a hostile or
// broken server must not make the page allocate without bound.
static constexpr int kMaxReplyBytes = 256 * 1024;

// The CSRF header's name comes from core/protocol.h, as the server reads it.
EM_JS(void, js_fetch, (unsigned seq, const char* method, const char* url, const char* csrf_header, const char* csrf,
                       const char* body, int body_length, double timeout_ms, int max_reply), {
    const headers = {};
    const csrfToken = UTF8ToString(csrf);
    if (csrfToken) headers[UTF8ToString(csrf_header)] = csrfToken;
    // A copy of the bytes, never a JS string: the body may hold the password. It is zeroed
    // once the request is done with it.
    let payload = null;
    if (body) {
        payload = HEAPU8.slice(body, body + body_length);
        headers['Content-Type'] = 'application/json';
    }
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; controller.abort(); }, timeout_ms);
    const target = UTF8ToString(url);
    const done = (status, bytes, refused) => {
        clearTimeout(timer);
        if (payload) payload.fill(0);
        const len = bytes ? bytes.length : 0;
        const ptr = len ? _malloc(len) : 0;
        if (len) HEAPU8.set(bytes, ptr);
        _ibank_fetch_done(seq, status, timedOut ? 1 : 0, refused ? 1 : 0, ptr, len);
        if (ptr) _free(ptr);
    };
    // A failed request: was the origin there at all? A no-cors GET of its root needs no CORS
    // permission, so it succeeds exactly when the server answers; then CORS refused the page.
    // (No `redirect: 'manual'` here: Chromium fails every no-cors request that has it.)
    const probe = () => {
        if (timedOut) { done(0, null, false); return; }
        if (payload) payload.fill(0);   // now, not after the probe's few seconds
        fetch(new URL(target).origin + '/', { mode: 'no-cors', credentials: 'include', cache: 'no-store',
                                              signal: AbortSignal.timeout(5000) })
            .then(() => done(0, null, true), () => done(0, null, false));
    };
    fetch(target, {
        method: UTF8ToString(method),
        headers: headers,
        body: payload,
        credentials: 'include',
        mode: 'cors',
        cache: 'no-store',
        redirect: 'error',
        signal: controller.signal,
    }).then(async (response) => {
        const declared = Number(response.headers.get('Content-Length') || 0);
        if (declared > max_reply) { controller.abort(); done(response.status, new Uint8Array(0)); return; }
        const bytes = new Uint8Array(await response.arrayBuffer());
        done(response.status, bytes.length > max_reply ? new Uint8Array(0) : bytes);
    }).catch(probe);
});

void fetch_send(uint32_t seq, const char* method, const std::string& url, const std::string& csrf_token,
                const char* body, size_t body_length, double timeout_seconds)
{
    js_fetch(seq, method, url.c_str(), api::kCsrfHeader, csrf_token.c_str(), body, static_cast<int>(body_length),
             timeout_seconds * 1000.0, kMaxReplyBytes);
}

extern "C" EMSCRIPTEN_KEEPALIVE void ibank_fetch_done(unsigned seq, int status, int timed_out, int refused,
                                                      const char* body, int length)
{
    FetchReply reply;
    reply.seq = seq;
    reply.status = status;
    reply.timed_out = timed_out != 0;
    reply.refused_by_server = refused != 0;
    if (body && length > 0)
        reply.body.assign(body, static_cast<size_t>(length));
    if (g_handler)
        g_handler(reply);
}
