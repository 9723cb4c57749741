#pragma once
// Render on demand: decides when the web app draws a frame.
//
// A login page spends nearly all its life waiting for the customer. Redrawing it at the display
// rate (as ImGui's stock Emscripten loop does) burns a CPU core for nothing, so the platform layer
// asks this pacer instead. Something that may change the picture - input, resize, a network reply,
// the page becoming visible - owes a few frames (ImGui shows hover/active states one frame after
// the input that causes them, and trickles queued input events over several frames). A timed
// change - caret blink, the session countdown - asks for a wake-up at a given time. Nothing else
// draws. A hidden page draws nothing at all.

struct FramePacer {
    int frames_owed = 0;     // frames to draw because something changed
    double wake_at = -1.0;   // time (seconds) of the next timed redraw; < 0: none
    bool hidden = false;     // page hidden (visibilitychange): never draw
};

// Frames drawn after an event. Two settle ImGui's hover/active state; the third covers a
// widget that reacts to the state change of the second (a button released into a new screen).
constexpr int kFramesAfterEvent = 3;

// Something changed the picture or the input: owe frames.
void pacer_note_event(FramePacer& pacer);

// Something will change the picture at time `at` (seconds, same clock as `now` below).
void pacer_wake_at(FramePacer& pacer, double at);

// The page became hidden or visible. Becoming visible owes frames (the compositor may have
// dropped our last picture).
void pacer_set_hidden(FramePacer& pacer, bool hidden);

// Should a frame be drawn now? Called when an animation frame or a timer fires.
// A due wake-up turns into an owed frame here.
bool pacer_should_draw(FramePacer& pacer, double now);

struct PacerNext {
    bool draw_next_frame = false;   // request the next animation frame right away
    double wake_in = -1.0;          // else, seconds until a timer should fire; < 0: sleep until an event
};

// A frame was drawn at `now`. `ui_busy`: ImGui still has queued input or an animation running.
// `ui_wake_at`: when the UI's own timers next change the picture (< 0: never).
PacerNext pacer_frame_drawn(FramePacer& pacer, double now, bool ui_busy, double ui_wake_at);
