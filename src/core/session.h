#pragma once
// The page's view of the customer's login: who the certificate says they are, whether the
// server has let them in, and how long the session has left.
//
//   Anonymous --identify--> Identified --login--> Authenticated --logout--> LoggedOut
//                                                       |--timeout/ended--> Expired
//
// Every time here is on the server's clock (Unix seconds): each reply carries `server_time`, and
// the page keeps the difference to its own clock, so a PC whose clock is wrong still counts
// down correctly. The page's own clock (`now`, seconds) may be any steadily increasing clock of
// the platform (performance.now() / 1000); tabs never exchange local times, only server times.

#include "protocol.h"

#include <cstdint>
#include <string>

enum class SessionPhase { Anonymous, Identified, Authenticated, LoggedOut, Expired };

enum class SessionWarning {
    None,
    Idle,       // the idle timeout is near; extending (keepalive) helps
    Absolute,   // the absolute timeout is near; nothing extends it
};

struct ClientSession {
    SessionPhase phase = SessionPhase::Anonymous;

    // Identified: what the certificate says, and the single-use ticket for the login request.
    api::CertificateIdentity identity;
    std::string ticket;
    int64_t ticket_expires_at = 0;
    int64_t renewal_opens_at = 0;    // server clock; 0: the server did not say

    // Authenticated.
    api::SessionInfo info;
    std::string csrf_token;          // echoed in api::kCsrfHeader on every later POST
    int64_t idle_expires_at = 0;     // server clock
    int64_t absolute_expires_at = 0; // server clock

    double clock_offset = 0.0;       // server clock - page clock, from the latest reply
    int warning_seconds = 120;       // warn this long before a timeout (configuration)
};

// Back to Anonymous, forgetting identity, ticket, session and token (the warning lead stays).
void session_reset(ClientSession& s);

void session_identified(ClientSession& s, const api::IdentifyResponse& reply, double now);
void session_authenticated(ClientSession& s, const api::SessionInfo& info, const std::string& csrf_token,
                           double now);
void session_extended(ClientSession& s, const api::KeepaliveResponse& reply, double now);
// Another tab of this browser extended the shared session: take the later expiry times.
void session_extended_elsewhere(ClientSession& s, int64_t idle_expires_at, int64_t absolute_expires_at);
void session_logged_out(ClientSession& s);
void session_expired(ClientSession& s);

// The server's clock now, as far as the page can tell.
double session_server_now(const ClientSession& s, double now);

// Seconds until the session ends (the earlier of idle and absolute expiry), rounded up so the
// countdown shows 00:01 until it really is over; 0 when over or not authenticated.
int session_remaining_seconds(const ClientSession& s, double now);

// True once an authenticated session has passed its idle or absolute expiry.
bool session_over(const ClientSession& s, double now);

SessionWarning session_warning(const ClientSession& s, double now);

// Would a keepalive gain time? Not when the absolute expiry comes before the idle one.
bool session_can_extend(const ClientSession& s, double now);

// Page-clock time at which the countdown or warning next changes what the main screen shows,
// for the frame pacer; < 0 when nothing is counting down.
double session_next_change(const ClientSession& s, double now);

// "09:59", or "1:02:03" from an hour up.
std::string format_remaining(int seconds);

// "2026/11/28 09:15:03" in Japan Standard Time (UTC+9, no daylight saving), as the credit
// union's other channels print times - whatever the PC's time zone is.
std::string format_jst(int64_t unix_seconds);
// "2026/11/28" in Japan Standard Time.
std::string format_jst_date(int64_t unix_seconds);

// The certificate's name as the manual writes it: ID followed by the 4-digit 金融機関コード.
std::string certificate_name(const api::CertificateIdentity& identity);

// Whole days left until the certificate's not_after (negative once expired).
int certificate_days_left(const api::CertificateIdentity& identity, double server_now);

// True when the password screen shows the renewal warning for the identified certificate: from
// the server's renewal_opens_at, so the warning and the main screen's 電子証明書を更新 appear
// together; from `warning_days` before expiry when the server did not say.
bool certificate_expires_soon(const ClientSession& s, double now, int warning_days);
