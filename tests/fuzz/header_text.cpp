// The small header-value helpers every request passes through (media types, encodings, names):
// the input is one header value.
// Property: lower-casing is idempotent and touches only A-Z; trimming leaves no blank at either
// end and returns a piece of the input; the encoding and file-name helpers never fail.
#include "fuzz_support.h"

#include "server/header_text.h"
#include "server/static_files.h"

#include <cstddef>
#include <cstdint>
#include <string>

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string value(reinterpret_cast<const char*>(data), size);

    const std::string lower = ascii_lower(value);
    FUZZ_CHECK(lower.size() == value.size());
    FUZZ_CHECK(ascii_lower(lower) == lower);
    for (size_t i = 0; i < value.size(); i++)
        FUZZ_CHECK(lower[i] == value[i] || (value[i] >= 'A' && value[i] <= 'Z' && lower[i] == value[i] + ('a' - 'A')));

    const std::string trimmed = trim_blanks(value);
    FUZZ_CHECK(trimmed.empty() || (!blank(trimmed.front()) && !blank(trimmed.back())));
    FUZZ_CHECK(value.find(trimmed) != std::string::npos);
    FUZZ_CHECK(trim_blanks(trimmed) == trimmed);

    // An encoding listed with q=0 is refused; a name that is not listed is never accepted.
    const bool br = accepts_encoding(value, "br");
    const bool gzip = accepts_encoding(value, "gzip");
    FUZZ_CHECK(!br || lower.find("br") != std::string::npos);
    FUZZ_CHECK(!gzip || lower.find("gzip") != std::string::npos);

    FUZZ_CHECK(content_type_for(value) != nullptr);
    if (is_content_hashed_name(value))
        FUZZ_CHECK(value.find('.') != std::string::npos);
    return 0;
}
