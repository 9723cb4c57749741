#pragma once
// The browser features the screen flow's effects need, each a thin call into JavaScript:
// storage, the BroadcastChannel between tabs, history (back button), window.close, navigation.
// Events coming back (another tab logged out, back pressed, close refused) reach the handler.
#include <cstdint>
#include <string>

enum class BrowserSignal { OtherTabLoggedOut, OtherTabExtended, BackPressed, CloseRefused };

struct BrowserEvent {
    BrowserSignal signal = BrowserSignal::BackPressed;
    int64_t idle_expires_at = 0;       // OtherTabExtended
    int64_t absolute_expires_at = 0;
};

using BrowserEventHandler = void (*)(const BrowserEvent& event);

// Listens for BroadcastChannel messages and popstate; pushes the first history entry.
void browser_install(BrowserEventHandler handler);

// localStorage (kept across visits on this device) and sessionStorage (this tab, survives reload).
std::string browser_local_get(const char* key);
void browser_local_set(const char* key, const std::string& value);
std::string browser_session_get(const char* key);
void browser_session_set(const char* key, const std::string& value);
void browser_session_remove(const char* key);

void browser_broadcast_logout();
void browser_broadcast_extended(int64_t idle_expires_at, int64_t absolute_expires_at);
void browser_push_history();
void browser_close_window();              // reports CloseRefused when the window stays open
void browser_open(const std::string& url);   // a new window, without opener or referrer
void browser_reload();

// navigator.userAgent (which import guide to show: core/import_guide.h).
std::string browser_user_agent();
std::string browser_page_origin();   // location.origin
