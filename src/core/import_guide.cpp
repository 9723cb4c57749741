#include "import_guide.h"

static bool has(std::string_view text, std::string_view part)
{
    return text.find(part) != std::string_view::npos;
}

ImportGuide import_guide_for(std::string_view ua)
{
    // "Seamonkey" and other Gecko browsers say "Firefox/" too and share its store; Chrome on
    // iOS says "CriOS", Firefox on iOS "FxiOS" - both use the system's, which has no file import.
    if (has(ua, "Firefox/") && !has(ua, "FxiOS"))
        return ImportGuide::Firefox;
    if (has(ua, "iPhone") || has(ua, "iPad") || has(ua, "Android"))
        return ImportGuide::Other;
    if (has(ua, "Windows NT"))
        return ImportGuide::Windows;
    if (has(ua, "Macintosh") || has(ua, "Mac OS X"))
        return ImportGuide::Mac;
    return ImportGuide::Other;
}
