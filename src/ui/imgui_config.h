#pragma once
// Dear ImGui build options for the web app (included by every ImGui source via IMGUI_USER_CONFIG).

#define IMGUI_DISABLE_OBSOLETE_FUNCTIONS
#define IMGUI_DISABLE_FILE_FUNCTIONS          // no imgui.ini: nothing of the customer's is written
#define IMGUI_DISABLE_DEFAULT_FONT            // we always load the Japanese subset font
#define IMGUI_DISABLE_DEMO_WINDOWS
#define IMGUI_DISABLE_DEBUG_TOOLS
#define IMGUI_USE_WCHAR32                     // server-provided names may hold characters beyond the BMP

// 32-bit indices: a screen of Japanese text can pass 65536 vertices in one draw list, and WebGL2
// has no base-vertex draw call that would let 16-bit indices be offset.
#define ImDrawIdx unsigned int
