#pragma once
// What `ibgate serve` writes on standard error: one JSON object per line (nlohmann::json's dump,
// no newline inside), so a log shipper reads every line without a parser of our own:
//   {"time":"2026-12-03T17:40:00.123Z","level":"info","instance":"host:9101","event":"request",...}
// `event` is "request" for the access line (one per answered request), else the name of what
// happened ("crl_state", "login_queue_full", "draining", ...), with "message" for text.
// Never a password, ticket, cookie, CSRF token, certificate or body: callers pass only names,
// addresses, codes and counts, and this file is the only writer of the format.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

struct Logger {
    std::string instance;        // --instance: names this process in its lines
    bool access_log = true;      // --access-log off: no "request" lines (the other events stay)
    // Where the lines go (without their newline); empty: standard error. Tests capture them here.
    std::function<void(const std::string& line)> sink;
    std::mutex mutex;            // one line at a time, whole
};

// The line for an event at `unix_ms` (pure; table-tested). `fields` (an object) follows
// time, level, instance and event; invalid UTF-8 in a field is replaced, never thrown on.
std::string log_format(int64_t unix_ms, const char* level, const std::string& instance, const char* event,
                       const nlohmann::ordered_json& fields);

// Writes one line now. level: "info", "warning" or "error".
void log_event(Logger& logger, const char* level, const char* event,
               const nlohmann::ordered_json& fields = nlohmann::ordered_json::object());
// Shorthand for an event whose whole content is a sentence.
void log_message(Logger& logger, const char* level, const char* event, const std::string& message);
