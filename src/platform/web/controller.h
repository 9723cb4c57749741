#pragma once
// Connects the screen flow (core) to the browser: turns replies and browser happenings into flow
// events, applies them, and performs the effects the flow returns (requests, storage,
// broadcasts, history, window). It decides nothing itself.
#include "core/screen_flow.h"

#include <vector>

struct WebPlatform;

// Reads the configuration, starts the flow (PageLoaded) and installs the browser listeners.
void controller_start(WebPlatform& p);

// Applies one event now and performs its effects.
void controller_dispatch(WebPlatform& p, const FlowEvent& event);

// Applies what the customer did in a frame (app_frame's events), in order, and carries out what
// the UI asked of the browser (a link to open, the language to remember on this device).
void controller_after_frame(WebPlatform& p, const std::vector<FlowEvent>& events);
