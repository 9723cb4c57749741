#pragma once
// The one way JSON text is read: protocol messages (page and server), config.json and the glyph
// manifest all go through json_parse_strict, so each has the same guards.
//
// nlohmann's parser alone accepts more than one JSON value: it stops at a NUL byte as if the text
// ended there ("{}\0anything" parses), and when a key appears twice in an object the last value
// silently wins - so a body with two "password" keys would mean whatever the last one says, while
// a proxy or a log reading the first one sees another request. Deep nesting is refused because
// everything that walks the tree afterwards (copies, dumps, the readers) recurses per level on the
// small, fixed WebAssembly stack.

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>

// Deepest nesting of arrays and objects any text may have. config.json needs four levels, the
// protocol messages three, the glyph manifest two; the limit leaves room for growth.
constexpr int kJsonMaxNesting = 32;

enum class JsonTextProblem {
    None,
    NotJson,        // not exactly one JSON value: syntax error, trailing bytes, a NUL byte, bad UTF-8
    TooDeep,        // arrays/objects nested deeper than kJsonMaxNesting
    DuplicateKey,   // some object (at any depth) has the same key twice
};

// Reads `text` as exactly one JSON value, without exceptions. On a problem `out` is a discarded
// value and, for DuplicateKey, `duplicate_key` (when given) names the repeated key.
JsonTextProblem json_parse_strict(std::string_view text, nlohmann::json& out, std::string* duplicate_key = nullptr);
