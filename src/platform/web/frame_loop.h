#pragma once
// Render on demand: animation frames are requested only when core's FramePacer says something
// changed, and timed redraws use a timer instead of spinning the display loop.
struct WebPlatform;

// Something that may change the picture happened (input, resize, network reply): draw soon.
void loop_note_event(WebPlatform& p);

// Page visibility changed (visibilitychange): a hidden page draws nothing.
void loop_set_hidden(WebPlatform& p, bool hidden);
