#include "assets.h"

#include "page_contract.h"

#include <emscripten.h>

EM_JS(int, js_asset_size, (const char* field, const char* name), {
    const assets = Module[UTF8ToString(field)] || {};
    const bytes = assets[UTF8ToString(name)];
    return bytes ? bytes.length : -1;
});

EM_JS(void, js_asset_copy_and_drop, (const char* field, const char* name, unsigned char* dest), {
    const assets = Module[UTF8ToString(field)];
    const key = UTF8ToString(name);
    HEAPU8.set(assets[key], dest);
    delete assets[key];   // one copy is enough: the C++ side owns it now
});

bool asset_take(const char* name, std::vector<unsigned char>& out)
{
    const int size = js_asset_size(page::kModuleAssets, name);
    if (size < 0)
        return false;
    out.resize(static_cast<size_t>(size));
    if (size > 0)
        js_asset_copy_and_drop(page::kModuleAssets, name, out.data());
    return true;
}
