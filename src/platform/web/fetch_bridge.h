#pragma once
// The one network bridge of the web app. Every HTTP request goes through fetch_send:
//   - `credentials: 'include'`, so the browser presents the client certificate in the TLS
//     handshake and sends the session cookie (the C++ code never sees a key or the cookie);
//   - a timeout by AbortController;
//   - bytes in, bytes out: the reply's status and body come back through fetch_reply_handler,
//     and the caller turns them into typed, validated messages (core/protocol.h).
#include <cstddef>
#include <cstdint>
#include <string>

struct FetchReply {
    uint32_t seq = 0;
    int status = 0;          // HTTP status; 0 when no answer came (network error or timeout)
    bool timed_out = false;
    // No answer (status 0, not timed out), yet the origin answered a plain no-cors request right
    // after: it refused this page's origin (CORS), which is misconfiguration, not the network.
    bool refused_by_server = false;
    std::string body;
};

// Sends a request. `body` may be null (no body). The bytes are copied into the request at once,
// so the caller may wipe its buffer as soon as this returns. `csrf_token` may be empty.
void fetch_send(uint32_t seq, const char* method, const std::string& url, const std::string& csrf_token,
                const char* body, size_t body_length, double timeout_seconds);

// Called for every reply, on the browser's event loop.
using FetchReplyHandler = void (*)(const FetchReply& reply);
void fetch_set_reply_handler(FetchReplyHandler handler);
