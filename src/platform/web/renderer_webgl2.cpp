#include "renderer_webgl2.h"

#include "shaders.h"   // generated from shaders/ by scripts/cmake/embed_text.cmake

#include <GLES3/gl3.h>
#include <cstddef>
#include <cstdint>
#include <imgui.h>

static unsigned compile_shader(GLenum type, const char* source, const char** error)
{
    const GLuint shader = glCreateShader(type);
    glShaderSource(shader, 1, &source, nullptr);
    glCompileShader(shader);
    GLint ok = 0;
    glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        // A context lost at this moment also lands here; the caller retries after restore.
        *error = type == GL_VERTEX_SHADER ? "vertex shader did not compile" : "fragment shader did not compile";
        glDeleteShader(shader);
        return 0;
    }
    return shader;
}

bool renderer_create(WebGL2Renderer& r, const char** error)
{
    *error = nullptr;
    const GLuint vs = compile_shader(GL_VERTEX_SHADER, kImguiVert, error);
    const GLuint fs = vs ? compile_shader(GL_FRAGMENT_SHADER, kImguiFrag, error) : 0;
    if (!vs || !fs) {
        if (vs)
            glDeleteShader(vs);
        return false;
    }
    r.program = glCreateProgram();
    glAttachShader(r.program, vs);
    glAttachShader(r.program, fs);
    glLinkProgram(r.program);
    glDeleteShader(vs);
    glDeleteShader(fs);
    GLint linked = 0;
    glGetProgramiv(r.program, GL_LINK_STATUS, &linked);
    if (!linked) {
        *error = "shader program did not link";
        glDeleteProgram(r.program);
        r.program = 0;
        return false;
    }
    r.u_projection = glGetUniformLocation(r.program, "u_projection");
    r.u_texture = glGetUniformLocation(r.program, "u_texture");

    glGenVertexArrays(1, &r.vertex_array);
    glGenBuffers(1, &r.vertex_buffer);
    glGenBuffers(1, &r.index_buffer);
    glBindVertexArray(r.vertex_array);
    glBindBuffer(GL_ARRAY_BUFFER, r.vertex_buffer);
    glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, r.index_buffer);   // recorded in the vertex array
    const GLsizei stride = sizeof(ImDrawVert);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(offsetof(ImDrawVert, pos)));
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, stride, reinterpret_cast<void*>(offsetof(ImDrawVert, uv)));
    glEnableVertexAttribArray(2);
    glVertexAttribPointer(2, 4, GL_UNSIGNED_BYTE, GL_TRUE, stride, reinterpret_cast<void*>(offsetof(ImDrawVert, col)));
    glBindVertexArray(0);
    return true;
}

void renderer_forget(WebGL2Renderer& r)
{
    r = WebGL2Renderer{};
    ImGui::GetIO().Fonts->SetTexID(ImTextureID{});
}

void renderer_upload_fonts(WebGL2Renderer& r)
{
    ImGuiIO& io = ImGui::GetIO();
    unsigned char* pixels = nullptr;
    int width = 0, height = 0;
    io.Fonts->GetTexDataAsAlpha8(&pixels, &width, &height);
    if (r.font_texture == 0)
        glGenTextures(1, &r.font_texture);
    glBindTexture(GL_TEXTURE_2D, r.font_texture);
    // Glyphs are rasterised at device resolution and drawn at 1 texel per pixel; linear
    // filtering only matters at fractional zoom, where it keeps sub-pixel positions smooth.
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, width, height, 0, GL_RED, GL_UNSIGNED_BYTE, pixels);
    io.Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(r.font_texture)));
}

void renderer_draw(const WebGL2Renderer& r, const ImDrawData* dd, const float clear_rgb[3])
{
    const float scale_x = dd->FramebufferScale.x;
    const float scale_y = dd->FramebufferScale.y;
    const int fb_width = static_cast<int>(dd->DisplaySize.x * scale_x);
    const int fb_height = static_cast<int>(dd->DisplaySize.y * scale_y);
    if (fb_width <= 0 || fb_height <= 0 || r.program == 0)
        return;

    glViewport(0, 0, fb_width, fb_height);
    glDisable(GL_SCISSOR_TEST);
    glClearColor(clear_rgb[0], clear_rgb[1], clear_rgb[2], 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);

    glEnable(GL_BLEND);
    glBlendEquation(GL_FUNC_ADD);
    glBlendFunc(GL_ONE, GL_ONE_MINUS_SRC_ALPHA);   // the fragment shader outputs premultiplied colour
    glDisable(GL_CULL_FACE);
    glDisable(GL_DEPTH_TEST);
    glEnable(GL_SCISSOR_TEST);

    // Orthographic projection of ImGui's display rectangle (CSS pixels) to clip space.
    const float L = dd->DisplayPos.x;
    const float R = dd->DisplayPos.x + dd->DisplaySize.x;
    const float T = dd->DisplayPos.y;
    const float B = dd->DisplayPos.y + dd->DisplaySize.y;
    const float projection[16] = {
        2.0f / (R - L), 0.0f, 0.0f, 0.0f,
        0.0f, 2.0f / (T - B), 0.0f, 0.0f,
        0.0f, 0.0f, -1.0f, 0.0f,
        (R + L) / (L - R), (T + B) / (B - T), 0.0f, 1.0f,
    };
    glUseProgram(r.program);
    glUniformMatrix4fv(r.u_projection, 1, GL_FALSE, projection);
    glUniform1i(r.u_texture, 0);
    glActiveTexture(GL_TEXTURE0);
    glBindVertexArray(r.vertex_array);

    for (int n = 0; n < dd->CmdListsCount; n++) {
        const ImDrawList* list = dd->CmdLists[n];
        glBindBuffer(GL_ARRAY_BUFFER, r.vertex_buffer);
        glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(list->VtxBuffer.Size) * static_cast<GLsizeiptr>(sizeof(ImDrawVert)),
                     list->VtxBuffer.Data, GL_STREAM_DRAW);
        glBufferData(GL_ELEMENT_ARRAY_BUFFER, static_cast<GLsizeiptr>(list->IdxBuffer.Size) * static_cast<GLsizeiptr>(sizeof(ImDrawIdx)),
                     list->IdxBuffer.Data, GL_STREAM_DRAW);
        for (const ImDrawCmd& cmd : list->CmdBuffer) {
            if (cmd.UserCallback) {
                if (cmd.UserCallback != ImDrawCallback_ResetRenderState)
                    cmd.UserCallback(list, &cmd);
                continue;
            }
            // Clip rectangle: CSS pixels -> framebuffer pixels, origin bottom-left.
            const float x0 = (cmd.ClipRect.x - L) * scale_x;
            const float y0 = (cmd.ClipRect.y - T) * scale_y;
            const float x1 = (cmd.ClipRect.z - L) * scale_x;
            const float y1 = (cmd.ClipRect.w - T) * scale_y;
            if (x1 <= x0 || y1 <= y0)
                continue;
            glScissor(static_cast<GLint>(x0), static_cast<GLint>(fb_height - y1),
                      static_cast<GLsizei>(x1 - x0), static_cast<GLsizei>(y1 - y0));
            glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(reinterpret_cast<intptr_t>(cmd.GetTexID())));
            glDrawElements(GL_TRIANGLES, static_cast<GLsizei>(cmd.ElemCount),
                           sizeof(ImDrawIdx) == 2 ? GL_UNSIGNED_SHORT : GL_UNSIGNED_INT,
                           reinterpret_cast<void*>(static_cast<uintptr_t>(cmd.IdxOffset) * sizeof(ImDrawIdx)));
        }
    }
    glBindVertexArray(0);
    glDisable(GL_SCISSOR_TEST);
}
