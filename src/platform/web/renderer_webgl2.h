#pragma once
// Our WebGL2 renderer for Dear ImGui draw data. Shaders come from shaders/ (embedded at build
// time). All GL objects can be recreated at any time: after webglcontextlost/restored the
// browser has dropped them, while the application's state lives on untouched.
struct ImDrawData;

struct WebGL2Renderer {
    unsigned program = 0;
    unsigned vertex_array = 0;
    unsigned vertex_buffer = 0;
    unsigned index_buffer = 0;
    unsigned font_texture = 0;
    int u_projection = -1;
    int u_texture = -1;
};

// Creates the program, buffers and vertex layout. On failure returns false with a message.
bool renderer_create(WebGL2Renderer& r, const char** error);

// The context was lost: its objects are gone, so forget their names without deleting them.
void renderer_forget(WebGL2Renderer& r);

// Uploads ImGui's font atlas (single channel) and tells ImGui its texture id.
void renderer_upload_fonts(WebGL2Renderer& r);

void renderer_draw(const WebGL2Renderer& r, const ImDrawData* draw_data, const float clear_rgb[3]);
