// Stand-in for the helper header that Dear ImGui's Emscripten examples include from
// examples/libs/emscripten/ (Debian's source package strips examples/libs). Only the benchmark
// uses it: scripts/bench-web builds the stock GLFW + OpenGL3 example with it, unmodified.
//
// The examples write their main loop as
//     EMSCRIPTEN_MAINLOOP_BEGIN { ...one frame... } EMSCRIPTEN_MAINLOOP_END;
// The frame body becomes a lambda that captures main()'s locals by reference; Emscripten then
// calls it once per requestAnimationFrame, forever. simulate_infinite_loop = true unwinds main()
// without returning, so the captured locals stay valid.
#pragma once
#include <emscripten.h>
#include <functional>

static std::function<void()> g_ExampleFrame;

static void ExampleFrameTrampoline() { g_ExampleFrame(); }

#define EMSCRIPTEN_MAINLOOP_BEGIN g_ExampleFrame = [&]()
#define EMSCRIPTEN_MAINLOOP_END   ; emscripten_set_main_loop(ExampleFrameTrampoline, 0, true)
