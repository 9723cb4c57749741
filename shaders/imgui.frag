#version 300 es
// The font atlas is a single-channel (R8) texture holding coverage: ImGui's white pixel is 1.0,
// glyph pixels are their coverage. Colour comes from the vertex. Output is premultiplied alpha
// because the canvas is composited as premultiplied by the browser.
precision mediump float;

uniform sampler2D u_texture;

in vec2 v_uv;
in vec4 v_color;

out vec4 out_color;

void main()
{
    float alpha = v_color.a * texture(u_texture, v_uv).r;
    out_color = vec4(v_color.rgb * alpha, alpha);
}
