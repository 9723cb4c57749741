#include "core/ui_strings.h"

#include <catch_amalgamated.hpp>
#include <cstring>

TEST_CASE("every UI string has Japanese and English text")
{
    for (int i = 0; i < static_cast<int>(StringId::Count); i++) {
        const auto id = static_cast<StringId>(i);
        CAPTURE(i);
        CHECK(std::strlen(ui_text(id, Lang::Ja)) > 0);
        CHECK(std::strlen(ui_text(id, Lang::En)) > 0);
    }
}

TEST_CASE("the certificate login button uses the manual's wording")
{
    CHECK(std::string(ui_text(StringId::login_certificate, Lang::Ja)) == "電子証明書ログイン");
}

TEST_CASE("an out-of-range id gives an empty string, not a crash")
{
    CHECK(std::string(ui_text(StringId::Count, Lang::Ja)).empty());
}
