#include "core/secret_buffer.h"
#include "secret_helpers.h"

#include <catch_amalgamated.hpp>
#include <cstring>
#include <string>


TEST_CASE("a new password buffer is empty and zeroed")
{
    SecretBuffer buf;
    CHECK(secret_length(buf) == 0);
    CHECK(secret_all_zero(buf));
}

TEST_CASE("typing and deleting on the software keyboard edits the password")
{
    struct Row { const char* keys; const char* expected; };   // '<' = 1文字クリア
    const Row rows[] = {
        {"abc", "abc"},
        {"abc<", "ab"},
        {"abc<<<", ""},
        {"abc<<<<", ""},          // deleting from an empty buffer does nothing
        {"Ab1<C", "AbC"},
        {"P@ss w0rd!", "P@ss w0rd!"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.keys);
        SecretBuffer buf;
        for (const char* k = row.keys; *k; k++) {
            if (*k == '<')
                secret_delete_last(buf);
            else
                CHECK(secret_append(buf, *k));
        }
        CHECK(secret_text(buf) == row.expected);
        CHECK(buf.data[secret_length(buf)] == 0);
    }
}

TEST_CASE("delete on an empty buffer reports that nothing was deleted")
{
    SecretBuffer buf;
    CHECK_FALSE(secret_delete_last(buf));
    secret_append(buf, 'x');
    CHECK(secret_delete_last(buf));
    CHECK_FALSE(secret_delete_last(buf));
}

TEST_CASE("the capacity is enforced: the 65th character is refused")
{
    SecretBuffer buf;
    for (int i = 0; i < kSecretCapacity; i++)
        REQUIRE(secret_append(buf, static_cast<char>('a' + i % 26)));
    CHECK(secret_length(buf) == kSecretCapacity);
    CHECK_FALSE(secret_append(buf, 'z'));
    CHECK(secret_length(buf) == kSecretCapacity);
    CHECK(buf.data[kSecretCapacity] == 0);   // still terminated for InputText
}

TEST_CASE("the zero byte cannot be appended (it would hide the rest of the text)")
{
    SecretBuffer buf;
    secret_append(buf, 'a');
    CHECK_FALSE(secret_append(buf, '\0'));
    CHECK(secret_text(buf) == "a");
}

TEST_CASE("delete removes a whole UTF-8 character typed on a physical keyboard")
{
    SecretBuffer buf;
    std::strcpy(buf.data, "pw\xC3\xA9\xE3\x81\x82");   // "pwé" + "あ"
    CHECK(secret_delete_last(buf));
    CHECK(secret_text(buf) == "pw\xC3\xA9");
    CHECK(secret_delete_last(buf));
    CHECK(secret_text(buf) == "pw");
}

TEST_CASE("wiping zeroes every byte, also bytes past the text")
{
    SecretBuffer buf;
    for (int i = 0; i < kSecretCapacity; i++)
        secret_append(buf, 'S');
    secret_wipe(buf);
    CHECK(secret_all_zero(buf));
    CHECK(secret_length(buf) == 0);

    // An in-place editor shortened the text: the old tail is still in memory until wiped.
    std::strcpy(buf.data, "longsecret");
    buf.data[4] = 0;
    CHECK(secret_length(buf) == 4);
    secret_wipe(buf);
    CHECK(secret_all_zero(buf));
}

TEST_CASE("after an in-place edit, normalising clears the stale tail and terminates the text")
{
    SecretBuffer buf;
    std::memset(buf.data, 'x', sizeof(buf.data));   // an editor that forgot the terminator
    secret_normalise(buf);
    CHECK(secret_length(buf) == kSecretCapacity);
    CHECK(buf.data[kSecretCapacity] == 0);

    std::strcpy(buf.data, "secret");
    buf.data[3] = 0;   // shortened to "sec", "ret" still behind it
    secret_normalise(buf);
    CHECK(secret_text(buf) == "sec");
    for (int i = 3; i <= kSecretCapacity; i++)
        CHECK(buf.data[i] == 0);
}
