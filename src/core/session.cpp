#include "session.h"

#include <cmath>
#include <cstdio>
#include <limits>

void session_reset(ClientSession& s)
{
    const int warning = s.warning_seconds;
    s = ClientSession{};
    s.warning_seconds = warning;
}

void session_identified(ClientSession& s, const api::IdentifyResponse& reply, double now)
{
    const int warning = s.warning_seconds;
    s = ClientSession{};
    s.warning_seconds = warning;
    s.phase = SessionPhase::Identified;
    s.identity = reply.identity;
    s.ticket = reply.ticket;
    s.ticket_expires_at = reply.ticket_expires_at;
    s.renewal_opens_at = reply.renewal_opens_at;
    s.clock_offset = static_cast<double>(reply.server_time) - now;
}

void session_authenticated(ClientSession& s, const api::SessionInfo& info, const std::string& csrf_token, double now)
{
    s.phase = SessionPhase::Authenticated;
    s.ticket.clear();   // spent by the login
    s.ticket_expires_at = 0;
    s.info = info;
    s.csrf_token = csrf_token;
    s.idle_expires_at = info.idle_expires_at;
    s.absolute_expires_at = info.absolute_expires_at;
    s.clock_offset = static_cast<double>(info.server_time) - now;
}

void session_extended(ClientSession& s, const api::KeepaliveResponse& reply, double now)
{
    if (s.phase != SessionPhase::Authenticated)
        return;
    s.idle_expires_at = reply.idle_expires_at;
    s.absolute_expires_at = reply.absolute_expires_at;
    s.clock_offset = static_cast<double>(reply.server_time) - now;
}

void session_extended_elsewhere(ClientSession& s, int64_t idle_expires_at, int64_t absolute_expires_at)
{
    if (s.phase != SessionPhase::Authenticated)
        return;
    // Messages between tabs may arrive out of order; an older one must not shorten the session.
    // A time no server answer could carry (a broken tab) is not taken either.
    const auto is_time = [](int64_t t) { return t >= api::kMinTime && t <= api::kMaxTime; };
    if (is_time(idle_expires_at) && idle_expires_at > s.idle_expires_at)
        s.idle_expires_at = idle_expires_at;
    if (is_time(absolute_expires_at) && absolute_expires_at > s.absolute_expires_at)
        s.absolute_expires_at = absolute_expires_at;
}

static void forget_secrets(ClientSession& s)
{
    s.ticket.clear();
    s.ticket_expires_at = 0;
    s.csrf_token.clear();
    s.idle_expires_at = 0;
    s.absolute_expires_at = 0;
    s.info = api::SessionInfo{};
    s.identity = api::CertificateIdentity{};
}

void session_logged_out(ClientSession& s)
{
    forget_secrets(s);
    s.phase = SessionPhase::LoggedOut;
}

void session_expired(ClientSession& s)
{
    forget_secrets(s);
    s.phase = SessionPhase::Expired;
}

double session_server_now(const ClientSession& s, double now)
{
    return now + s.clock_offset;
}

// A whole number of seconds or days as an int, saturating at the ends of int's range (NaN gives
// 0). The protocol refuses times outside api::kMinTime..kMaxTime, but no value a server or
// another tab sends may reach a double-to-int conversion that does not fit, which is undefined.
static int saturating_int(double whole)
{
    if (std::isnan(whole))
        return 0;
    if (whole >= static_cast<double>(std::numeric_limits<int>::max()))
        return std::numeric_limits<int>::max();
    if (whole <= static_cast<double>(std::numeric_limits<int>::min()))
        return std::numeric_limits<int>::min();
    return static_cast<int>(whole);
}

// Exact seconds left (may be negative), or 0 when there is no session.
static double remaining_exact(const ClientSession& s, double now)
{
    if (s.phase != SessionPhase::Authenticated)
        return 0.0;
    const int64_t end = s.idle_expires_at < s.absolute_expires_at ? s.idle_expires_at : s.absolute_expires_at;
    return static_cast<double>(end) - session_server_now(s, now);
}

int session_remaining_seconds(const ClientSession& s, double now)
{
    const double r = remaining_exact(s, now);
    return r <= 0.0 ? 0 : saturating_int(std::ceil(r));
}

bool session_over(const ClientSession& s, double now)
{
    return s.phase == SessionPhase::Authenticated && remaining_exact(s, now) <= 0.0;
}

SessionWarning session_warning(const ClientSession& s, double now)
{
    if (s.phase != SessionPhase::Authenticated || session_over(s, now))
        return SessionWarning::None;
    if (remaining_exact(s, now) > static_cast<double>(s.warning_seconds))
        return SessionWarning::None;
    return s.absolute_expires_at <= s.idle_expires_at ? SessionWarning::Absolute : SessionWarning::Idle;
}

bool session_can_extend(const ClientSession& s, double now)
{
    return s.phase == SessionPhase::Authenticated && !session_over(s, now) &&
           s.absolute_expires_at > s.idle_expires_at;
}

double session_next_change(const ClientSession& s, double now)
{
    if (s.phase != SessionPhase::Authenticated)
        return -1.0;
    const double r = remaining_exact(s, now);
    if (r <= 0.0)
        return now;   // over: the flow turns to the expired screen on the next tick
    // The display shows ceil(r); it changes when r reaches the next lower whole number.
    double step = r - std::floor(r);
    if (step <= 0.0)
        step = 1.0;
    return now + step;
}

std::string format_remaining(int seconds)
{
    if (seconds < 0)
        seconds = 0;
    char text[32];
    if (seconds >= 3600)
        std::snprintf(text, sizeof(text), "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    else
        std::snprintf(text, sizeof(text), "%02d:%02d", seconds / 60, seconds % 60);
    return text;
}

// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm; exact for any int64 day).
static void civil_from_days(int64_t z, int64_t& y, int& m, int& d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    if (m <= 2)
        y++;
}

static void jst_fields(int64_t unix_seconds, int64_t& y, int& mo, int& d, int& h, int& mi, int& s)
{
    // Saturating: the last representable second stays the last one instead of wrapping to 1677.
    constexpr int64_t kJstOffset = 9 * 3600;
    const int64_t t = unix_seconds > std::numeric_limits<int64_t>::max() - kJstOffset
                          ? std::numeric_limits<int64_t>::max()
                          : unix_seconds + kJstOffset;
    int64_t days = t / 86400;
    int64_t rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    civil_from_days(days, y, mo, d);
    h = static_cast<int>(rem / 3600);
    mi = static_cast<int>(rem / 60 % 60);
    s = static_cast<int>(rem % 60);
}

std::string format_jst(int64_t unix_seconds)
{
    int64_t y = 0;
    int mo = 0, d = 0, h = 0, mi = 0, s = 0;
    jst_fields(unix_seconds, y, mo, d, h, mi, s);
    char text[48];
    std::snprintf(text, sizeof(text), "%04lld/%02d/%02d %02d:%02d:%02d", static_cast<long long>(y), mo, d, h, mi, s);
    return text;
}

std::string format_jst_date(int64_t unix_seconds)
{
    int64_t y = 0;
    int mo = 0, d = 0, h = 0, mi = 0, s = 0;
    jst_fields(unix_seconds, y, mo, d, h, mi, s);
    char text[32];
    std::snprintf(text, sizeof(text), "%04lld/%02d/%02d", static_cast<long long>(y), mo, d);
    return text;
}

std::string certificate_name(const api::CertificateIdentity& identity)
{
    return identity.user_id + identity.institution_code;
}

int certificate_days_left(const api::CertificateIdentity& identity, double server_now)
{
    return saturating_int(std::floor((static_cast<double>(identity.not_after) - server_now) / 86400.0));
}

bool certificate_expires_soon(const ClientSession& s, double now, int warning_days)
{
    if (s.phase != SessionPhase::Identified)
        return false;
    if (s.renewal_opens_at > 0)
        return session_server_now(s, now) >= static_cast<double>(s.renewal_opens_at);
    return certificate_days_left(s.identity, session_server_now(s, now)) < warning_days;
}
