// Server replies as the page reads them (and the two request bodies the server reads): the first
// byte picks the message, the second the HTTP status, the rest is the body.
// Property: whatever parses re-serialises to text that parses to the same message, and a failure
// always carries an error code the page can explain. Parsed replies then go through the session
// model and the date formatting the screens use (UBSan catches any overflow there).
#include "fuzz_support.h"

#include "core/protocol.h"
#include "core/session.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

template <typename T>
static void check_reply(const api::Reply<T>& reply, api::Reply<T> (*read)(int, std::string_view))
{
    FUZZ_CHECK(static_cast<int>(reply.error.code) >= 0 && reply.error.code < api::ErrorCode::Count);
    if (!reply.ok)
        return;
    const std::string text = api::dump_json(api::to_json(reply.value));
    api::Reply<T> again = read(200, text);
    FUZZ_CHECK(again.ok);
    FUZZ_CHECK(api::dump_json(api::to_json(again.value)) == text);
}

template <typename T>
static void check_request(std::string_view body, bool (*parse)(const api::json&, T&, std::string&))
{
    api::json j;
    std::string error;
    T value;
    if (!api::parse_json_object(body, j, error) || !parse(j, value, error)) {
        FUZZ_CHECK(!error.empty());
        return;
    }
    T again;
    FUZZ_CHECK(parse(api::to_json(value), again, error));
}

// What the screens compute from a reply: remaining time, days left, dates in JST.
static void show_identified(const api::Reply<api::IdentifyResponse>& reply)
{
    if (!reply.ok)
        return;
    ClientSession s;
    session_identified(s, reply.value, 1.7e9);
    // Days left has the sign of the time left (floor: a certificate ending later today has 0).
    const double server_now = session_server_now(s, 1.7e9);
    const int days = certificate_days_left(s.identity, server_now);
    FUZZ_CHECK((days >= 0) == (static_cast<double>(s.identity.not_after) >= server_now));
    FUZZ_CHECK(!format_jst(s.identity.not_after).empty());
    FUZZ_CHECK(!format_jst_date(s.identity.not_before).empty());
}

static void show_extended(const api::Reply<api::KeepaliveResponse>& reply)
{
    if (!reply.ok)
        return;
    ClientSession s;
    s.phase = SessionPhase::Authenticated;
    session_extended(s, reply.value, 1.7e9);
    FUZZ_CHECK(session_remaining_seconds(s, 1.7e9) >= 0);
    FUZZ_CHECK(session_remaining_seconds(s, -1e300) >= 0);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 2)
        return 0;
    static const int kStatuses[] = {200, 204, 400, 401, 403, 404, 409, 413, 423, 500, 502, 503};
    const int status = kStatuses[data[1] % (sizeof(kStatuses) / sizeof(kStatuses[0]))];
    const std::string_view body(reinterpret_cast<const char*>(data) + 2, size - 2);
    switch (data[0] % 8) {
    case 0: {
        auto reply = api::read_identify_reply(status, body);
        check_reply(reply, api::read_identify_reply);
        show_identified(reply);
        break;
    }
    case 1: check_reply(api::read_login_reply(status, body), api::read_login_reply); break;
    case 2: check_reply(api::read_force_logout_reply(status, body), api::read_force_logout_reply); break;
    case 3: check_reply(api::read_session_reply(status, body), api::read_session_reply); break;
    case 4: {
        auto reply = api::read_keepalive_reply(status, body);
        check_reply(reply, api::read_keepalive_reply);
        show_extended(reply);
        break;
    }
    case 5: check_reply(api::read_logout_reply(status, body), api::read_logout_reply); break;
    case 6: check_request<api::LoginRequest>(body, api::parse_login_request); break;
    case 7: check_request<api::ForceLogoutRequest>(body, api::parse_force_logout_request); break;
    }
    return 0;
}
