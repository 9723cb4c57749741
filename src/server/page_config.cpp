#include "page_config.h"

#include "static_files.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using ordered_json = nlohmann::ordered_json;

static std::string shown(const ordered_json* v)
{
    if (!v)
        return "(missing)";
    return v->is_string() ? v->get<std::string>() : v->dump();
}

// Sets `object[key]` to `value`, noting the change under `name` when the file said otherwise.
static void put(ordered_json& object, const char* key, const std::string& value, const std::string& name,
                std::vector<std::string>& replaced)
{
    auto it = object.find(key);
    const ordered_json* before = it == object.end() ? nullptr : &*it;
    if (!before || !before->is_string() || before->get<std::string>() != value)
        replaced.push_back(name + ": " + shown(before) + " -> " + value);
    object[key] = value;
}

PageConfig page_config_fill(std::string_view file_text, const PageConfigFacts& facts)
{
    PageConfig out;
    out.text = std::string(file_text);
    if (file_text.size() > kPageConfigMaxBytes)
        return out;
    ordered_json root = ordered_json::parse(file_text.begin(), file_text.end(), nullptr, false);
    if (root.is_discarded() || !root.is_object())
        return out;   // the page names the fault (ErrorConfiguration); nothing is guessed here
    put(root, "app_origin", facts.app_origin, "app_origin", out.replaced);
    put(root, "certificate_origin", facts.certificate_origin, "certificate_origin", out.replaced);
    auto cu = root.find("credit_union");
    if (cu == root.end() || !cu->is_object())
        root["credit_union"] = ordered_json::object();
    put(root["credit_union"], "institution_code", facts.institution_code, "credit_union.institution_code", out.replaced);
    out.text = root.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    out.filled = true;
    return out;
}

bool page_config_read(const std::string& web_root, const PageConfigFacts& facts, PageConfig& out)
{
    const std::filesystem::path path = std::filesystem::path(web_root) / kPageConfigName;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    std::string text(kPageConfigMaxBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad())
        return false;
    text.resize(static_cast<size_t>(in.gcount()));
    out = page_config_fill(text, facts);
    return true;
}
