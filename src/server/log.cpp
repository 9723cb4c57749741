#include "server/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>

static std::string utc_text(int64_t unix_ms)
{
    time_t seconds = static_cast<time_t>(unix_ms / 1000);
    struct tm parts = {};
    gmtime_r(&seconds, &parts);
    char text[40];
    size_t n = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &parts);
    std::snprintf(text + n, sizeof(text) - n, ".%03dZ", static_cast<int>(unix_ms % 1000));
    return text;
}

std::string log_format(int64_t unix_ms, const char* level, const std::string& instance, const char* event,
                       const nlohmann::ordered_json& fields)
{
    nlohmann::ordered_json line;
    line["time"] = utc_text(unix_ms);
    line["level"] = level;
    line["instance"] = instance;
    line["event"] = event;
    if (fields.is_object())
        for (const auto& [key, value] : fields.items())
            if (key != "time" && key != "level" && key != "instance" && key != "event")
                line[key] = value;
    return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void log_event(Logger& logger, const char* level, const char* event, const nlohmann::ordered_json& fields)
{
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    const std::string line = log_format(now, level, logger.instance, event, fields);
    std::lock_guard lock(logger.mutex);
    if (logger.sink) {
        logger.sink(line);
        return;
    }
    std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
}

void log_message(Logger& logger, const char* level, const char* event, const std::string& message)
{
    log_event(logger, level, event, nlohmann::ordered_json{{"message", message}});
}
