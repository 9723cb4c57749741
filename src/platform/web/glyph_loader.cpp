#include "glyph_loader.h"

#include "frame_loop.h"
#include "page_contract.h"
#include "platform.h"

#include "core/glyph_chunks.h"

#include <emscripten.h>
#include <cstdlib>
#include <string>
#include <vector>

namespace {
enum class ManifestState { NotLoaded, Requested, Loaded, Failed };

struct GlyphLoader {
    ManifestState manifest = ManifestState::NotLoaded;
    GlyphChunks chunks;
    std::vector<uint32_t> waiting;   // missing code points seen before the manifest arrived
};

GlyphLoader g_loader;
constexpr int kManifestRequest = -1;
} // namespace

// Plain static files of the app origin: no credentials, cached for a year (hashed names).
EM_JS(void, js_fetch_glyph_file, (int request, const char* url), {
    fetch(UTF8ToString(url)).then((r) => {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.arrayBuffer();
    }).then((buffer) => {
        const bytes = new Uint8Array(buffer);
        const ptr = _malloc(bytes.length || 1);
        HEAPU8.set(bytes, ptr);
        _ibank_glyph_file_done(request, ptr, bytes.length);
        _free(ptr);
    }).catch(() => _ibank_glyph_file_done(request, 0, -1));
});

EM_JS(char*, js_glyph_manifest_url, (const char* field), {
    const url = Module[UTF8ToString(field)];
    if (!url) return 0;
    const size = lengthBytesUTF8(url) + 1;
    const ptr = _malloc(size);
    stringToUTF8(url, ptr, size);
    return ptr;
});

// Visible characters still without a glyph, for tests ("no screen shows missing-glyph boxes").
EM_JS(void, js_report_missing_glyphs, (const char* stats_global, int count), {
    window[UTF8ToString(stats_global)].missingGlyphs = count;
});

static void fetch_chunks(const std::vector<uint32_t>& missing)
{
    for (int i : glyph_chunks_to_fetch(g_loader.chunks, missing))
        js_fetch_glyph_file(i, g_loader.chunks.chunks[static_cast<size_t>(i)].file.c_str());
}

static void request_manifest()
{
    char* url = js_glyph_manifest_url(page::kModuleGlyphManifest);
    if (!url) {
        g_loader.manifest = ManifestState::Failed;
        return;
    }
    g_loader.manifest = ManifestState::Requested;
    js_fetch_glyph_file(kManifestRequest, url);
    std::free(url);
}

extern "C" EMSCRIPTEN_KEEPALIVE void ibank_glyph_file_done(int request, const unsigned char* data, int length)
{
    WebPlatform& p = platform();
    const std::string_view bytes(reinterpret_cast<const char*>(data), length > 0 ? static_cast<size_t>(length) : 0);
    if (request == kManifestRequest) {
        std::string error;
        const bool ok = length >= 0 && glyph_chunks_parse(bytes, g_loader.chunks, error);
        g_loader.manifest = ok ? ManifestState::Loaded : ManifestState::Failed;
        if (ok)
            fetch_chunks(g_loader.waiting);
        g_loader.waiting.clear();
        return;
    }
    if (request < 0 || request >= static_cast<int>(g_loader.chunks.chunks.size()))
        return;
    const size_t i = static_cast<size_t>(request);
    if (length <= 0) {
        g_loader.chunks.state[i] = ChunkState::Failed;   // the character stays a fallback glyph
        return;
    }
    g_loader.chunks.state[i] = ChunkState::Loaded;
    FontChunk chunk;
    chunk.data.assign(data, data + length);
    p.app.fonts.chunks.push_back(std::move(chunk));
    p.app.fonts.dirty = true;
    loop_note_event(p);   // redraw with the new glyphs
}

void glyph_loader_check_frame(WebPlatform& p)
{
    // Every text the frame drew is in the semantic tree (that is what screen readers read, too).
    std::vector<uint32_t> missing;
    for (const SemanticNode& node : p.app.semantics.nodes)
        fonts_request_text(p.app.fonts, node.name, node.role == SemanticRole::Heading, missing);
    js_report_missing_glyphs(page::kGlobalStats, static_cast<int>(missing.size()));
    if (missing.empty())
        return;
    switch (g_loader.manifest) {
    case ManifestState::NotLoaded:
        g_loader.waiting = missing;
        request_manifest();
        break;
    case ManifestState::Requested:
        g_loader.waiting = missing;
        break;
    case ManifestState::Loaded:
        fetch_chunks(missing);
        break;
    case ManifestState::Failed:
        break;
    }
}
