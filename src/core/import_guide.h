#pragma once
// Which import guide the certificate-saved screen shows: the customer's own browser and
// operating system decide where a PKCS#12 file goes (Windows' certificate store for Chrome and
// Edge, the macOS keychain for Safari, Chrome and Edge, Firefox's own store on every system).
#include <string_view>

enum class ImportGuide { Windows, Mac, Firefox, Other };

// From navigator.userAgent. Firefox first: it keeps its own certificates on every system.
ImportGuide import_guide_for(std::string_view user_agent);
