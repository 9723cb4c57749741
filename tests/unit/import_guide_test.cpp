// The import guide for the customer's browser and system, from real user-agent strings.
#include "core/import_guide.h"

#include <catch_amalgamated.hpp>

TEST_CASE("the import guide follows the browser's certificate store")
{
    struct Row { const char* what; const char* ua; ImportGuide guide; };
    const Row rows[] = {
        {"Chrome on Windows",
         "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
         ImportGuide::Windows},
        {"Edge on Windows",
         "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
         ImportGuide::Windows},
        {"Firefox on Windows: its own store", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
         ImportGuide::Firefox},
        {"Safari on macOS",
         "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
         ImportGuide::Mac},
        {"Chrome on macOS",
         "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
         ImportGuide::Mac},
        {"Firefox on macOS", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0",
         ImportGuide::Firefox},
        {"Chromium on Linux", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
         ImportGuide::Other},
        {"Firefox on iOS uses the system's store",
         "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15",
         ImportGuide::Other},
        {"Safari on iPad (claims Macintosh, but with no keychain file import it is not told)",
         "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
         ImportGuide::Other},
        {"nothing", "", ImportGuide::Other},
    };
    for (const Row& row : rows) {
        INFO(row.what);
        CHECK(import_guide_for(row.ua) == row.guide);
    }
}
