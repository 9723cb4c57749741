#include "frame_pacer.h"

void pacer_note_event(FramePacer& pacer)
{
    if (pacer.frames_owed < kFramesAfterEvent)
        pacer.frames_owed = kFramesAfterEvent;
}

void pacer_wake_at(FramePacer& pacer, double at)
{
    if (at < 0.0)
        return;
    if (pacer.wake_at < 0.0 || at < pacer.wake_at)
        pacer.wake_at = at;
}

void pacer_set_hidden(FramePacer& pacer, bool hidden)
{
    const bool became_visible = pacer.hidden && !hidden;
    pacer.hidden = hidden;
    if (became_visible)
        pacer_note_event(pacer);
}

bool pacer_should_draw(FramePacer& pacer, double now)
{
    if (pacer.hidden)
        return false;
    if (pacer.wake_at >= 0.0 && now >= pacer.wake_at) {
        pacer.wake_at = -1.0;
        if (pacer.frames_owed < 1)
            pacer.frames_owed = 1;
    }
    return pacer.frames_owed > 0;
}

PacerNext pacer_frame_drawn(FramePacer& pacer, double now, bool ui_busy, double ui_wake_at)
{
    if (pacer.frames_owed > 0)
        pacer.frames_owed--;
    if (ui_busy && pacer.frames_owed < 1)
        pacer.frames_owed = 1;
    pacer_wake_at(pacer, ui_wake_at);

    PacerNext next;
    if (pacer.hidden)
        return next;   // visibilitychange will wake us
    if (pacer.frames_owed > 0) {
        next.draw_next_frame = true;
        return next;
    }
    if (pacer.wake_at >= 0.0)
        next.wake_in = pacer.wake_at > now ? pacer.wake_at - now : 0.0;
    return next;
}
