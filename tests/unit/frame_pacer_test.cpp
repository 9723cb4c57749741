#include "core/frame_pacer.h"

#include <catch_amalgamated.hpp>

// Draws frames the way the platform layer does until the pacer says to sleep; returns how many.
static int drain(FramePacer& pacer, double now, bool ui_busy_first = false)
{
    int drawn = 0;
    bool busy = ui_busy_first;
    while (pacer_should_draw(pacer, now)) {
        drawn++;
        PacerNext next = pacer_frame_drawn(pacer, now, busy, -1.0);
        busy = false;
        if (!next.draw_next_frame)
            break;
        REQUIRE(drawn < 100);
    }
    return drawn;
}

TEST_CASE("an idle page draws nothing")
{
    FramePacer pacer;
    CHECK_FALSE(pacer_should_draw(pacer, 0.0));
    CHECK_FALSE(pacer_should_draw(pacer, 1000.0));
}

TEST_CASE("an event draws a few frames, then the page sleeps")
{
    FramePacer pacer;
    pacer_note_event(pacer);
    CHECK(drain(pacer, 1.0) == kFramesAfterEvent);
    CHECK_FALSE(pacer_should_draw(pacer, 2.0));
}

TEST_CASE("many events before a frame do not add up")
{
    FramePacer pacer;
    for (int i = 0; i < 50; i++)
        pacer_note_event(pacer);
    CHECK(drain(pacer, 1.0) == kFramesAfterEvent);
}

TEST_CASE("busy UI keeps drawing until its queue is empty")
{
    FramePacer pacer;
    pacer_note_event(pacer);
    int drawn = 0;
    for (int busy_frames = 10; pacer_should_draw(pacer, 0.0); busy_frames--) {
        drawn++;
        PacerNext next = pacer_frame_drawn(pacer, 0.0, busy_frames > 0, -1.0);
        if (!next.draw_next_frame)
            break;
    }
    CHECK(drawn == 11);   // ten busy frames, then the one that saw the queue empty
}

TEST_CASE("a timed wake-up draws one frame at its time, not before")
{
    FramePacer pacer;
    pacer_note_event(pacer);
    PacerNext next;
    while (pacer_should_draw(pacer, 10.0))
        next = pacer_frame_drawn(pacer, 10.0, false, 10.8);   // caret blinks off at 10.8
    CHECK_FALSE(next.draw_next_frame);
    CHECK(next.wake_in == Catch::Approx(0.8));
    CHECK_FALSE(pacer_should_draw(pacer, 10.5));
    CHECK(pacer_should_draw(pacer, 10.8));
    next = pacer_frame_drawn(pacer, 10.8, false, -1.0);
    CHECK_FALSE(next.draw_next_frame);
    CHECK(next.wake_in < 0.0);
    CHECK_FALSE(pacer_should_draw(pacer, 11.0));
}

TEST_CASE("the earliest of several wake-ups wins")
{
    FramePacer pacer;
    pacer_wake_at(pacer, 5.0);
    pacer_wake_at(pacer, 3.0);
    pacer_wake_at(pacer, 4.0);
    pacer_wake_at(pacer, -1.0);
    CHECK(pacer.wake_at == 3.0);
}

TEST_CASE("a hidden page draws nothing, whatever happens")
{
    FramePacer pacer;
    pacer_set_hidden(pacer, true);
    pacer_note_event(pacer);
    pacer_wake_at(pacer, 1.0);
    CHECK_FALSE(pacer_should_draw(pacer, 2.0));
    PacerNext next = pacer_frame_drawn(pacer, 2.0, true, 3.0);
    CHECK_FALSE(next.draw_next_frame);
    CHECK(next.wake_in < 0.0);
}

TEST_CASE("becoming visible again redraws")
{
    FramePacer pacer;
    pacer_set_hidden(pacer, true);
    pacer_set_hidden(pacer, false);
    CHECK(drain(pacer, 0.0) == kFramesAfterEvent);
    pacer_set_hidden(pacer, false);   // already visible: nothing owed
    CHECK_FALSE(pacer_should_draw(pacer, 0.0));
}
