#include "ui_strings.h"

namespace {
struct Entry { const char* ja; const char* en; };
constexpr Entry kEntries[] = {
#define UI_STRING(id, ja, en) {ja, en},
#include "ui_strings.inc"
#undef UI_STRING
};
static_assert(sizeof(kEntries) / sizeof(kEntries[0]) == static_cast<int>(StringId::Count));
} // namespace

const char* ui_text(StringId id, Lang lang)
{
    const int i = static_cast<int>(id);
    if (i < 0 || i >= static_cast<int>(StringId::Count))
        return "";
    return lang == Lang::Ja ? kEntries[i].ja : kEntries[i].en;
}
