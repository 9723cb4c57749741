#include "json_strict.h"

#include <nlohmann/json.hpp>

#include <set>
#include <vector>

using json = nlohmann::json;

namespace {

// Watches the parser's events. The first problem found makes every later event answer "do not
// keep", so nothing more of the tree is built; the parser itself keeps no call stack per level.
struct StrictWatch {
    JsonTextProblem problem = JsonTextProblem::None;
    std::string duplicate_key;
    std::vector<std::set<std::string>> keys_of_open_objects;

    bool on_event(int depth, json::parse_event_t event, const json& parsed)
    {
        if (problem != JsonTextProblem::None)
            return false;
        switch (event) {
        case json::parse_event_t::object_start:
        case json::parse_event_t::array_start:
            // `depth` counts the containers around the one starting here.
            if (depth + 1 > kJsonMaxNesting) {
                problem = JsonTextProblem::TooDeep;
                return false;
            }
            if (event == json::parse_event_t::object_start)
                keys_of_open_objects.emplace_back();
            return true;
        case json::parse_event_t::object_end:
            keys_of_open_objects.pop_back();
            return true;
        case json::parse_event_t::key:
            if (!keys_of_open_objects.back().insert(parsed.get_ref<const std::string&>()).second) {
                problem = JsonTextProblem::DuplicateKey;
                duplicate_key = parsed.get_ref<const std::string&>();
                return false;
            }
            return true;
        case json::parse_event_t::array_end:
        case json::parse_event_t::value:
            return true;
        }
        return true;
    }
};

} // namespace

JsonTextProblem json_parse_strict(std::string_view text, json& out, std::string* duplicate_key)
{
    out = json(json::value_t::discarded);
    // The parser takes a NUL byte for the end of the text; JSON never has a raw one.
    if (text.find('\0') != std::string_view::npos)
        return JsonTextProblem::NotJson;

    StrictWatch watch;
    const json::parser_callback_t callback = [&watch](int depth, json::parse_event_t event, json& parsed) {
        return watch.on_event(depth, event, parsed);
    };
    json parsed = json::parse(text.begin(), text.end(), callback, false);
    if (watch.problem != JsonTextProblem::None) {
        if (duplicate_key)
            *duplicate_key = watch.duplicate_key;
        return watch.problem;
    }
    if (parsed.is_discarded())
        return JsonTextProblem::NotJson;
    out = std::move(parsed);
    return JsonTextProblem::None;
}
