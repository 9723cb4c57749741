#pragma once
// Mirrors the frame's semantic tree (core/semantics.h) into the DOM layer over the canvas
// (web/overlay.js), only when it changed.
struct WebPlatform;

void overlay_publish(WebPlatform& p);
