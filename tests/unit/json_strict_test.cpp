#include "core/json_strict.h"

#include <nlohmann/json.hpp>

#include <catch_amalgamated.hpp>

using json = nlohmann::json;

static std::string nested_arrays(int levels)
{
    return std::string(static_cast<size_t>(levels), '[') + std::string(static_cast<size_t>(levels), ']');
}

static std::string nested_objects(int levels)
{
    std::string text;
    for (int i = 0; i < levels; i++)
        text += "{\"a\":";
    text += "1";
    text += std::string(static_cast<size_t>(levels), '}');
    return text;
}

TEST_CASE("exactly one JSON value is read; anything else is named as the problem")
{
    struct Row {
        std::string text;
        JsonTextProblem problem;
    };
    const Row rows[] = {
        {"{}", JsonTextProblem::None},
        {" {\"a\": [1, {\"b\": null}]} \n", JsonTextProblem::None},
        {"[]", JsonTextProblem::None},
        {"", JsonTextProblem::NotJson},
        {"{} {}", JsonTextProblem::NotJson},
        {"{}x", JsonTextProblem::NotJson},
        {std::string("{}\0", 3), JsonTextProblem::NotJson},
        {std::string("{}\0{\"a\":1}", 10), JsonTextProblem::NotJson},
        {std::string("{\"a\":\"x\0y\"}", 11), JsonTextProblem::NotJson},
        {"{\"a\":1,\"a\":1}", JsonTextProblem::DuplicateKey},
        {"{\"a\":1,\"b\":{\"c\":1,\"c\":2}}", JsonTextProblem::DuplicateKey},
        {"[{\"c\":1},{\"c\":2},{\"d\":1,\"d\":2}]", JsonTextProblem::DuplicateKey},
        {"{\"a\":{\"k\":1},\"b\":{\"k\":2}}", JsonTextProblem::None},   // same key in two objects
        {"{\"\\u0061\":1,\"a\":2}", JsonTextProblem::DuplicateKey},      // an escape spells the same key
        {nested_arrays(kJsonMaxNesting), JsonTextProblem::None},
        {nested_arrays(kJsonMaxNesting + 1), JsonTextProblem::TooDeep},
        {nested_objects(kJsonMaxNesting), JsonTextProblem::None},
        {nested_objects(kJsonMaxNesting + 1), JsonTextProblem::TooDeep},
        {std::string(100000, '['), JsonTextProblem::TooDeep},
        {"[\"" + std::string(100, '[') + "\"]", JsonTextProblem::None},   // brackets in strings do not count
    };
    for (const Row& row : rows) {
        CAPTURE(row.text.substr(0, 60));
        json j;
        CHECK(json_parse_strict(row.text, j) == row.problem);
        CHECK(j.is_discarded() == (row.problem != JsonTextProblem::None));
    }
}

TEST_CASE("the repeated key is named")
{
    json j;
    std::string key;
    REQUIRE(json_parse_strict(R"({"user":{"password":"a","password":"b"}})", j, &key) == JsonTextProblem::DuplicateKey);
    CHECK(key == "password");
}
