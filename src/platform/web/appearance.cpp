#include "appearance.h"

#include "frame_loop.h"
#include "page_contract.h"
#include "platform.h"

#include <emscripten.h>

// Reports the current answers now and again whenever one changes. The queries are those of the
// generated CSS (page_contract.h), so the page and the UI never disagree about the system.
EM_JS(void, js_appearance_install, (const char* dark, const char* more_contrast, const char* forced_colors,
                                    const char* reduced_motion), {
    const queries = [dark, more_contrast, forced_colors, reduced_motion].map((q) => window.matchMedia(UTF8ToString(q)));
    const report = () => _ibank_system_appearance(queries[0].matches ? 1 : 0,
        queries[1].matches || queries[2].matches ? 1 : 0, queries[3].matches ? 1 : 0);
    for (const q of queries) q.addEventListener('change', report);
    report();
});

extern "C" EMSCRIPTEN_KEEPALIVE void ibank_system_appearance(int dark, int more_contrast, int reduced_motion)
{
    WebPlatform& p = platform();
    p.app.system.dark = dark != 0;
    p.app.system.more_contrast = more_contrast != 0;
    p.app.system.reduced_motion = reduced_motion != 0;
    loop_note_event(p);   // the frame loop applies it (app_apply_display) before drawing
}

void appearance_install(WebPlatform&)
{
    js_appearance_install(page::kQueryDark, page::kQueryMoreContrast, page::kQueryForcedColors, page::kQueryReducedMotion);
}
