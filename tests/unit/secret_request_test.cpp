#include "core/protocol.h"
#include "secret_helpers.h"
#include "core/secret_request.h"

#include <catch_amalgamated.hpp>
#include <nlohmann/json.hpp>
#include <string>


TEST_CASE("the login body is JSON the server's parser reads back exactly")
{
    const char* passwords[] = {"Abc123!", "quote\"back\\slash", "{}[],:", "  spaces  ", "~`|<>?/"};
    for (const char* pw : passwords) {
        CAPTURE(pw);
        SecretBody body;
        REQUIRE(secret_login_body("T0k3n-xyz_123", secret_of(pw), body));
        api::json j;
        std::string error;
        REQUIRE(api::parse_json_object(std::string_view(body.data, static_cast<size_t>(body.length)), j, error));
        api::LoginRequest request;
        REQUIRE(api::parse_login_request(j, request, error));
        CHECK(request.ticket == "T0k3n-xyz_123");
        CHECK(request.password == pw);
    }
}

TEST_CASE("control characters in a password are escaped, not sent raw")
{
    SecretBuffer buf;
    secret_append(buf, 'a');
    secret_append(buf, '\t');
    SecretBody body;
    REQUIRE(secret_login_body("t", buf, body));
    CHECK(std::string(body.data, static_cast<size_t>(body.length)) == R"({"ticket":"t","password":"a\u0009"})");
}

TEST_CASE("a ticket with characters a ticket never has is refused and leaves nothing behind")
{
    SecretBody body;
    CHECK_FALSE(secret_login_body("bad\"ticket", secret_of("secret"), body));
    CHECK(body.length == 0);
    for (char c : body.data)
        REQUIRE(c == 0);
}

TEST_CASE("a body that would not fit is refused and wiped")
{
    SecretBody body;
    const std::string long_ticket(kSecretBodyCapacity, 'x');
    CHECK_FALSE(secret_login_body(long_ticket, secret_of("secret"), body));
    CHECK(body.length == 0);
    for (char c : body.data)
        REQUIRE(c == 0);
}

TEST_CASE("the longest password with every character escaped still fits")
{
    SecretBuffer buf;
    for (int i = 0; i < kSecretCapacity; i++)
        secret_append(buf, '"');
    SecretBody body;
    CHECK(secret_login_body(std::string(api::kMaxTokenBytes, 'a'), buf, body));
}

TEST_CASE("wiping the body zeroes it")
{
    SecretBody body;
    REQUIRE(secret_login_body("t", secret_of("secret"), body));
    secret_body_wipe(body);
    CHECK(body.length == 0);
    for (char c : body.data)
        REQUIRE(c == 0);
}

TEST_CASE("the enroll body carries the 取得用パスワード from its buffer and reads back as an enroll request")
{
    const std::string csr(api::kMaxCsrBase64Bytes, 'A');
    SecretBody body;
    REQUIRE(secret_enroll_body("unga.01_x-y", secret_of("code\"with\\quote"), csr, body));
    api::json j;
    std::string error;
    REQUIRE(api::parse_json_object(std::string_view(body.data, static_cast<size_t>(body.length)), j, error));
    api::EnrollRequest request;
    REQUIRE(api::parse_enroll_request(j, request, error));
    CHECK(request.user_id == "unga.01_x-y");
    CHECK(request.code == "code\"with\\quote");
    CHECK(request.csr == csr);

    // What a user ID or a request never holds is refused, and nothing is left behind.
    const char* bad_ids[] = {"a\"b", "a b", "\xe3\x81\x82"};
    for (const char* id : bad_ids) {
        CAPTURE(id);
        CHECK_FALSE(secret_enroll_body(id, secret_of("code"), "TUlJQg==", body));
        CHECK(body.length == 0);
    }
    CHECK_FALSE(secret_enroll_body("unga", secret_of("code"), "TUlJ\"Qg==", body));
    CHECK_FALSE(secret_enroll_body("unga", secret_of("code"), std::string(api::kMaxCsrBase64Bytes + 1, 'A'), body));
    for (char c : body.data)
        REQUIRE(c == 0);
}
