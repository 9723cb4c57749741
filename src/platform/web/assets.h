#pragma once
// Files the page's loader (web/loader.js) fetched before the module started, with its progress
// indicator: the font subset and the credit union's configuration.
#include <string>
#include <vector>

// Copies the named asset ("font", "config"); false when the loader did not provide it.
bool asset_take(const char* name, std::vector<unsigned char>& out);
