#include "server/api.h"
#include "server/header_text.h"

#include "server/pki.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

using api::ErrorCode;
using json = nlohmann::json;

// ---------------------------------------------------------------- responses
static void add_header(ApiResponse& r, std::string name, std::string value)
{
    r.headers.emplace_back(std::move(name), std::move(value));
}

static void set_json(ApiResponse& r, int status, const json& body)
{
    r.headers.erase(std::remove_if(r.headers.begin(), r.headers.end(),
                                   [](const auto& h) { return h.first == "Content-Type"; }),
                    r.headers.end());
    r.status = status;
    r.body = api::dump_json(body);
    add_header(r, "Content-Type", "application/json; charset=utf-8");
}

static void set_error(ApiResponse& r, ErrorCode code, const std::string& message)
{
    api::ErrorResponse e;
    e.code = code;
    e.message = message;
    set_json(r, api::error_http_status(code), api::to_json(e));
}

static void set_error(ApiResponse& r, const api::ErrorResponse& e)
{
    set_json(r, api::error_http_status(e.code), api::to_json(e));
}

static const std::string kCookieAttributes = "; Path=/; Secure; HttpOnly; SameSite=Strict";

static void set_session_cookie(ApiResponse& r, const std::string& token)
{
    add_header(r, "Set-Cookie", std::string(api::kSessionCookie) + "=" + token + kCookieAttributes);
}

static void clear_session_cookie(ApiResponse& r)
{
    add_header(r, "Set-Cookie", std::string(api::kSessionCookie) + "=" + kCookieAttributes + "; Max-Age=0");
}

// ---------------------------------------------------------------- request helpers
static bool is_json_content_type(const std::string& value)
{
    std::string media = ascii_lower(trim_blanks(value.substr(0, value.find(';'))));
    return media == "application/json";
}

static std::string cookie_value(const std::string& header, const std::string& name)
{
    size_t pos = 0;
    while (pos <= header.size()) {
        size_t end = header.find(';', pos);
        if (end == std::string::npos)
            end = header.size();
        std::string pair = trim_blanks(header.substr(pos, end - pos));
        size_t eq = pair.find('=');
        if (eq != std::string::npos && pair.substr(0, eq) == name)
            return pair.substr(eq + 1);
        pos = end + 1;
    }
    return std::string();
}

// ---------------------------------------------------------------- audit
struct AuditContext {
    int64_t now = 0;
    std::string source_address;
};

static void audit(Transaction& tx, const AuditContext& ctx, const std::string& user_id, const std::string& fingerprint,
                  const std::string& event, const std::string& result, const std::string& detail = std::string())
{
    AuditRecord r;
    r.time = ctx.now;
    r.user_id = user_id;
    r.fingerprint = fingerprint;
    r.source_address = ctx.source_address;
    r.event = event;
    r.result = result;
    r.detail = detail;
    audit_add(tx, r);
}

// ---------------------------------------------------------------- identification
struct Identified {
    CertFacts facts;
    CertRecord cert;
    UserRecord user;
};

// The certificate's own checks (chain, validity, usage, subject, CRL, OCSP). They need no
// database, so they run before a transaction is opened: an OCSP exchange may take seconds and
// must not hold the database's write lock meanwhile.
static CertVerdict check_certificate(ApiService& svc, const ApiRequest& req, int64_t now, Identified& out)
{
    return check_client_certificate(*svc.trust, req.peer, req.peer_chain, now, svc.config.institution_code,
                                    out.facts, req.verified_chain);
}

// The certificate checks of identify, in the order a customer can act on: crypto first (`v`,
// from check_certificate), then the server's revoked-serial table, then registration.
static CertVerdict identify(Transaction& tx, CertVerdict v, Identified& out)
{
    if (!v.ok)
        return v;
    v.ok = false;
    if (serial_is_revoked(tx, out.facts.serial)) {
        v.code = ErrorCode::CertRevoked;
        v.detail = "serial revoked by an operator";
        return v;
    }
    if (!cert_find(tx, out.facts.fingerprint, out.cert) || out.cert.user_id != out.facts.user_id) {
        v.code = ErrorCode::CertNotRegistered;
        v.detail = "fingerprint not registered to " + out.facts.user_id;
        return v;
    }
    if (out.cert.revoked_at != 0) {
        v.code = ErrorCode::CertRevoked;
        v.detail = "certificate revoked by an operator";
        return v;
    }
    if (!user_find(tx, out.cert.user_id, out.user)) {
        v.code = ErrorCode::CertNotRegistered;
        v.detail = "no such user";
        return v;
    }
    v.ok = true;
    return v;
}

static api::CertificateIdentity identity_of(const ApiService& svc, const Identified& id)
{
    api::CertificateIdentity out;
    out.display_name = id.user.name;
    out.company_name = id.user.company;
    out.user_id = id.user.user_id;
    out.institution_code = svc.config.institution_code;
    out.role = id.user.role;
    out.not_before = id.facts.not_before;
    out.not_after = id.facts.not_after;
    out.serial = id.facts.serial;
    out.fingerprint_sha256 = id.facts.fingerprint;
    return out;
}

// A new ticket; returns the token (only its digest is stored).
static std::string issue_ticket(ApiService& svc, Transaction& tx, TicketKind kind, const Identified& id, int64_t now,
                                int64_t& expires_at)
{
    std::string token = random_token();
    TicketRecord t;
    t.kind = kind;
    t.user_id = id.user.user_id;
    t.fingerprint = id.facts.fingerprint;
    t.expires_at = now + svc.config.ticket_lifetime;
    ticket_insert(tx, token_digest(token), t);
    expires_at = t.expires_at;
    return token;
}

// Takes a ticket of `kind` for this certificate. Any misuse uses it up.
static bool take_ticket(Transaction& tx, const std::string& token, TicketKind kind, const Identified& id, int64_t now,
                        ErrorCode& code)
{
    TicketRecord t;
    if (!ticket_take(tx, token_digest(token), now, t) || t.used_at != 0 || t.kind != kind
        || t.fingerprint != id.facts.fingerprint || t.user_id != id.user.user_id) {
        code = ErrorCode::TicketInvalid;
        return false;
    }
    if (now >= t.expires_at) {
        code = ErrorCode::TicketExpired;
        return false;
    }
    return true;
}

// ---------------------------------------------------------------- session answers
static api::SessionInfo session_info(ApiService& svc, Transaction& tx, const SessionRecord& s, const UserRecord& user,
                                     int64_t now)
{
    api::SessionInfo info;
    info.user_id = user.user_id;
    info.user_name = user.name;
    info.company_name = user.company;
    info.institution_code = svc.config.institution_code;
    info.role = user.role;
    info.login_time = s.login_time;
    if (s.previous_login_time != 0)
        info.previous_login = api::LoginRecord{s.previous_login_time, s.previous_login_source, api::LoginResult::Success};
    for (const AuditRecord& r : login_history(tx, user.user_id, svc.config.history_size))
        info.recent_logins.push_back(api::LoginRecord{r.time, r.source_address, api::login_result_from_name(r.result)});
    info.server_time = now;
    info.idle_expires_at = session_idle_expires_at(s);
    info.absolute_expires_at = session_absolute_expires_at(s);
    info.idle_timeout_seconds = s.idle_timeout;
    info.absolute_timeout_seconds = s.absolute_timeout;
    return info;
}

// ---------------------------------------------------------------- endpoints
// A certificate that failed the checks: the refusal is audited and committed, and the answer
// names the reason. Returns true when the request was refused.
static bool refused_certificate(Transaction& tx, const AuditContext& ctx, const Identified& id, const CertVerdict& v,
                                const char* event, ApiResponse& r)
{
    if (v.ok)
        return false;
    audit(tx, ctx, id.facts.user_id, id.facts.fingerprint, event, api::error_code_name(v.code), v.detail);
    tx.commit();
    set_error(r, v.code, v.detail);
    return true;
}

static void handle_identify(ApiService& svc, ApiRequest& req, ApiResponse& r, int64_t now)
{
    AuditContext ctx{now, req.source_address};
    Identified id;
    CertVerdict checked = check_certificate(svc, req, now, id);
    Transaction tx(*svc.store);
    if (refused_certificate(tx, ctx, id, identify(tx, checked, id), "identify", r))
        return;
    api::IdentifyResponse out;
    out.identity = identity_of(svc, id);
    out.ticket = issue_ticket(svc, tx, TicketKind::Login, id, now, out.ticket_expires_at);
    out.server_time = now;
    audit(tx, ctx, id.user.user_id, id.facts.fingerprint, "identify", "success");
    tx.commit();
    set_json(r, 200, api::to_json(out));
}

// Reads the login body, wiping every copy of the password it makes on the way.
static bool read_login_request(ApiRequest& req, api::LoginRequest& out, std::string& error)
{
    json j;
    bool ok = api::parse_json_object(req.body, j, error) && api::parse_login_request(j, out, error);
    auto password = j.is_object() ? j.find("password") : j.end();
    if (j.is_object() && password != j.end() && password->is_string())
        wipe_string(password->get_ref<std::string&>());
    return ok;
}

static void handle_login(ApiService& svc, ApiRequest& req, ApiResponse& r, int64_t now)
{
    api::LoginRequest login;
    std::string error;
    if (!read_login_request(req, login, error)) {
        wipe_string(login.password);
        set_error(r, ErrorCode::BadRequest, error);
        return;
    }
    AuditContext ctx{now, req.source_address};
    Identified id;
    std::string stored_hash;
    CertVerdict checked = check_certificate(svc, req, now, id);
    {
        Transaction tx(*svc.store);
        ErrorCode code = ErrorCode::Internal;
        if (refused_certificate(tx, ctx, id, identify(tx, checked, id), "login", r)) {
            wipe_string(login.password);
            return;
        }
        if (!take_ticket(tx, login.ticket, TicketKind::Login, id, now, code)) {
            audit(tx, ctx, id.user.user_id, id.facts.fingerprint, "login", api::error_code_name(code));
            tx.commit();
            wipe_string(login.password);
            set_error(r, code, "the login ticket cannot be used; identify again");
            return;
        }
        if (id.user.locked_at != 0) {
            audit(tx, ctx, id.user.user_id, id.facts.fingerprint, "login", "locked");
            tx.commit();
            wipe_string(login.password);
            set_error(r, ErrorCode::Locked, "account locked");
            return;
        }
        stored_hash = id.user.password_hash;
        tx.commit();
    }

    // The expensive part runs without holding the database.
    bool password_ok = password_check(svc.checker, stored_hash, login.password);
    wipe_string(login.password);

    Transaction tx(*svc.store);
    UserRecord user;
    if (!user_find(tx, id.user.user_id, user)) {
        set_error(r, ErrorCode::CertNotRegistered, "no such user");
        return;
    }
    if (user.locked_at != 0) {   // locked by a concurrent attempt or an operator meanwhile
        audit(tx, ctx, user.user_id, id.facts.fingerprint, "login", "locked");
        tx.commit();
        set_error(r, ErrorCode::Locked, "account locked");
        return;
    }
    if (!password_ok) {
        int failed = user.failed_count + 1;
        bool now_locked = failed >= svc.config.max_failures;
        user_set_failures(tx, user.user_id, failed, now_locked ? now : 0);
        audit(tx, ctx, user.user_id, id.facts.fingerprint, "login", now_locked ? "locked" : "wrong_password",
              "consecutive failures: " + std::to_string(failed));
        tx.commit();
        if (now_locked) {
            set_error(r, ErrorCode::Locked, "account locked after too many wrong passwords");
            return;
        }
        api::ErrorResponse e;
        e.code = ErrorCode::WrongPassword;
        e.message = "wrong password";
        e.remaining_attempts = svc.config.max_failures - failed;
        set_error(r, e);
        return;
    }
    if (user.failed_count != 0)
        user_set_failures(tx, user.user_id, 0, 0);

    SessionRecord existing;
    if (session_find_active(tx, user.user_id, existing) && session_expired_at(existing, now)) {
        session_end(tx, existing.digest, now, "timeout");
        audit(tx, ctx, user.user_id, existing.fingerprint, "session_expired", "success", "found expired at login");
    }
    if (session_find_active(tx, user.user_id, existing)) {
        api::ErrorResponse e;
        e.code = ErrorCode::SessionActive;
        e.message = "the user still holds a session";
        e.force_logout_ticket = issue_ticket(svc, tx, TicketKind::ForceLogout, id, now, e.force_logout_ticket_expires_at);
        e.active_session_login_time = existing.login_time;
        e.active_session_source_address = existing.source_address;
        audit(tx, ctx, user.user_id, id.facts.fingerprint, "login", "session_active");
        tx.commit();
        set_error(r, e);
        return;
    }

    std::string token = random_token();
    std::string csrf = random_token();
    SessionRecord s;
    s.digest = token_digest(token);
    s.user_id = user.user_id;
    s.fingerprint = id.facts.fingerprint;
    s.csrf_digest = token_digest(csrf);
    s.source_address = req.source_address;
    s.login_time = now;
    s.last_seen = now;
    s.idle_timeout = svc.config.idle_timeout;
    s.absolute_timeout = svc.config.absolute_timeout;
    AuditRecord previous;
    if (last_successful_login(tx, user.user_id, previous)) {
        s.previous_login_time = previous.time;
        s.previous_login_source = previous.source_address;
    }
    if (!session_insert(tx, s)) {   // cannot happen while transactions are serialised; refuse safely
        set_error(r, ErrorCode::Unavailable, "session could not be created");
        return;
    }
    audit(tx, ctx, user.user_id, id.facts.fingerprint, "login", "success");
    user.failed_count = 0;
    api::LoginResponse out;
    out.session = session_info(svc, tx, s, user, now);
    out.csrf_token = csrf;
    tx.commit();
    set_json(r, 200, api::to_json(out));
    set_session_cookie(r, token);
}

static void handle_force_logout(ApiService& svc, ApiRequest& req, ApiResponse& r, int64_t now)
{
    json j;
    api::ForceLogoutRequest force;
    std::string error;
    if (!api::parse_json_object(req.body, j, error) || !api::parse_force_logout_request(j, force, error)) {
        set_error(r, ErrorCode::BadRequest, error);
        return;
    }
    AuditContext ctx{now, req.source_address};
    Identified id;
    CertVerdict checked = check_certificate(svc, req, now, id);
    Transaction tx(*svc.store);
    if (refused_certificate(tx, ctx, id, identify(tx, checked, id), "force_logout", r))
        return;
    ErrorCode code = ErrorCode::Internal;
    if (!take_ticket(tx, force.ticket, TicketKind::ForceLogout, id, now, code)) {
        audit(tx, ctx, id.user.user_id, id.facts.fingerprint, "force_logout", api::error_code_name(code));
        tx.commit();
        set_error(r, code, "the force-logout ticket cannot be used; log in again");
        return;
    }
    if (id.user.locked_at != 0) {
        audit(tx, ctx, id.user.user_id, id.facts.fingerprint, "force_logout", "locked");
        tx.commit();
        set_error(r, ErrorCode::Locked, "account locked");
        return;
    }
    api::ForceLogoutResponse out;
    SessionRecord existing;
    if (session_find_active(tx, id.user.user_id, existing)) {
        session_end(tx, existing.digest, now, "forced_logout");
        out.ended_session_login_time = existing.login_time;
        out.ended_session_source_address = existing.source_address;
        audit(tx, ctx, id.user.user_id, id.facts.fingerprint, "force_logout", "success",
              "ended the session from " + existing.source_address);
        // Shown in the login history, so the customer sees that a session was ended.
        audit(tx, ctx, id.user.user_id, id.facts.fingerprint, "login", "forced_logout");
    } else {
        audit(tx, ctx, id.user.user_id, id.facts.fingerprint, "force_logout", "success", "no session was active");
    }
    out.ticket = issue_ticket(svc, tx, TicketKind::Login, id, now, out.ticket_expires_at);
    out.server_time = now;
    tx.commit();
    set_json(r, 200, api::to_json(out));
}

enum class SessionAction { Show, Keepalive, Logout };

static void handle_session(ApiService& svc, ApiRequest& req, ApiResponse& r, int64_t now, SessionAction action)
{
    static const char* const kEvents[] = {"session", "keepalive", "logout"};
    const char* event = kEvents[static_cast<int>(action)];
    AuditContext ctx{now, req.source_address};

    std::string token = cookie_value(req.cookie, api::kSessionCookie);
    if (token.empty() || token.size() > api::kMaxTokenBytes) {
        set_error(r, ErrorCode::NotLoggedIn, "no session cookie");
        return;
    }
    Identified id;
    CertVerdict checked = check_certificate(svc, req, now, id);
    Transaction tx(*svc.store);
    SessionRecord s;
    if (!session_find(tx, token_digest(token), s)) {
        clear_session_cookie(r);
        set_error(r, ErrorCode::NotLoggedIn, "unknown session");
        return;
    }
    if (s.ended_at != 0) {
        clear_session_cookie(r);
        if (s.end_reason == "logout")
            set_error(r, ErrorCode::NotLoggedIn, "logged out");
        else
            set_error(r, ErrorCode::SessionExpired, "session ended: " + s.end_reason);
        return;
    }
    if (session_expired_at(s, now)) {
        session_end(tx, s.digest, now, "timeout");
        audit(tx, ctx, s.user_id, s.fingerprint, "session_expired", "success");
        tx.commit();
        clear_session_cookie(r);
        set_error(r, ErrorCode::SessionExpired, "session timed out");
        return;
    }

    // Same certificate as at login, and that certificate still good (revocation takes effect
    // on the running session).
    if (!req.peer) {
        set_error(r, ErrorCode::NoCertificate, "no client certificate");
        return;
    }
    std::string fingerprint = pki_fingerprint(req.peer);
    if (fingerprint != s.fingerprint) {
        audit(tx, ctx, s.user_id, fingerprint, event, "cert_mismatch");
        tx.commit();
        set_error(r, ErrorCode::CertMismatch, "the session belongs to another certificate");
        return;
    }
    CertVerdict v = identify(tx, checked, id);
    // Revocation that cannot be checked now proves nothing against the session: the request is
    // refused but the session kept (the timeouts still end it), and logging out - which only
    // takes access away - still works.
    const bool revocation_unknown = !v.ok && v.code == ErrorCode::RevocationUnavailable;
    if (revocation_unknown && action != SessionAction::Logout) {
        audit(tx, ctx, s.user_id, fingerprint, event, api::error_code_name(v.code), v.detail);
        tx.commit();
        set_error(r, v.code, v.detail);
        return;
    }
    if (!v.ok && !revocation_unknown) {
        session_end(tx, s.digest, now, api::error_code_name(v.code));
        audit(tx, ctx, s.user_id, fingerprint, event, api::error_code_name(v.code), v.detail);
        tx.commit();
        clear_session_cookie(r);
        set_error(r, v.code, v.detail);
        return;
    }

    if (action != SessionAction::Show && !same_secret(token_digest(req.csrf), s.csrf_digest)) {
        audit(tx, ctx, s.user_id, fingerprint, event, "csrf");
        tx.commit();
        set_error(r, ErrorCode::Csrf, "missing or wrong " + std::string(api::kCsrfHeader));
        return;
    }

    switch (action) {
    case SessionAction::Show: {
        api::SessionInfo info = session_info(svc, tx, s, id.user, now);
        tx.commit();
        set_json(r, 200, api::to_json(info));
        return;
    }
    case SessionAction::Keepalive: {
        session_touch(tx, s.digest, now);
        s.last_seen = std::max(s.last_seen, now);
        tx.commit();
        api::KeepaliveResponse out{now, session_idle_expires_at(s), session_absolute_expires_at(s)};
        set_json(r, 200, api::to_json(out));
        return;
    }
    case SessionAction::Logout: {
        session_end(tx, s.digest, now, "logout");
        audit(tx, ctx, s.user_id, fingerprint, "logout", "success");
        tx.commit();
        clear_session_cookie(r);
        set_json(r, 200, api::to_json(api::LogoutResponse{now}));
        return;
    }
    }
}

// ---------------------------------------------------------------- routing
enum class Endpoint { Identify, Login, ForceLogout, Session, Keepalive, Logout, None };

struct Route {
    const char* path;
    const char* method;
    Endpoint endpoint;
};

static const Route kRoutes[] = {
    {api::kPathIdentify, "POST", Endpoint::Identify},
    {api::kPathLogin, "POST", Endpoint::Login},
    {api::kPathForceLogout, "POST", Endpoint::ForceLogout},
    {api::kPathSession, "GET", Endpoint::Session},
    {api::kPathKeepalive, "POST", Endpoint::Keepalive},
    {api::kPathLogout, "POST", Endpoint::Logout},
};

static const Route* find_route(const std::string& path)
{
    for (const Route& route : kRoutes)
        if (path == route.path)
            return &route;
    return nullptr;
}

// Preflight: the page may send only what the API uses.
static bool preflight_allowed(const ApiRequest& req, const Route& route)
{
    if (req.preflight_method != route.method)
        return false;
    std::string headers = ascii_lower(req.preflight_headers);
    size_t pos = 0;
    while (pos <= headers.size()) {
        size_t end = headers.find(',', pos);
        if (end == std::string::npos)
            end = headers.size();
        std::string name = trim_blanks(headers.substr(pos, end - pos));
        if (!name.empty() && name != "content-type" && name != "x-csrf-token")
            return false;
        pos = end + 1;
    }
    return true;
}

static void dispatch(ApiService& svc, ApiRequest& req, ApiResponse& r)
{
    std::string path = req.target.substr(0, req.target.find('?'));
    const Route* route = find_route(path);

    if (req.method == "OPTIONS") {
        if (!route) {
            set_error(r, ErrorCode::NotFound, "no such path");
            return;
        }
        if (!preflight_allowed(req, *route)) {
            set_error(r, ErrorCode::MethodNotAllowed, "preflight asks for a method or header the API does not take");
            return;
        }
        r.status = 204;
        add_header(r, "Access-Control-Allow-Methods", "GET, POST");
        add_header(r, "Access-Control-Allow-Headers", std::string("Content-Type, ") + api::kCsrfHeader);
        add_header(r, "Access-Control-Max-Age", "600");
        return;
    }
    if (!route) {
        set_error(r, ErrorCode::NotFound, "no such path");
        return;
    }
    if (req.method != route->method) {
        add_header(r, "Allow", route->method);
        set_error(r, ErrorCode::MethodNotAllowed, std::string("use ") + route->method);
        return;
    }
    if (req.method == "POST") {
        if (!is_json_content_type(req.content_type)) {
            set_error(r, ErrorCode::UnsupportedMediaType, "send application/json");
            return;
        }
        if (req.body.size() > api::kMaxBodyBytes) {
            set_error(r, ErrorCode::TooLarge, "body too large");
            return;
        }
        if (route->endpoint != Endpoint::Login && route->endpoint != Endpoint::ForceLogout) {
            json j;
            std::string error;
            if (!api::parse_json_object(req.body, j, error)) {
                set_error(r, ErrorCode::BadRequest, error);
                return;
            }
        }
    }

    int64_t now = svc.clock();
    switch (route->endpoint) {
    case Endpoint::Identify: handle_identify(svc, req, r, now); return;
    case Endpoint::Login: handle_login(svc, req, r, now); return;
    case Endpoint::ForceLogout: handle_force_logout(svc, req, r, now); return;
    case Endpoint::Session: handle_session(svc, req, r, now, SessionAction::Show); return;
    case Endpoint::Keepalive: handle_session(svc, req, r, now, SessionAction::Keepalive); return;
    case Endpoint::Logout: handle_session(svc, req, r, now, SessionAction::Logout); return;
    case Endpoint::None: break;
    }
    set_error(r, ErrorCode::NotFound, "no such path");
}

static bool add_common_headers(ApiService& svc, const ApiRequest& req, ApiResponse& r)
{
    bool origin_ok = !req.has_origin || req.origin == svc.config.app_origin;
    if (origin_ok && req.has_origin) {
        add_header(r, "Access-Control-Allow-Origin", svc.config.app_origin);
        add_header(r, "Access-Control-Allow-Credentials", "true");
    }
    add_header(r, "Vary", "Origin");
    add_header(r, "Cache-Control", "no-store");
    return origin_ok;
}

ApiResponse api_refuse(ApiService& svc, ApiRequest& req, api::ErrorCode code, const std::string& message)
{
    ApiResponse r;
    add_common_headers(svc, req, r);
    set_error(r, code, message);
    wipe_string(req.body);
    return r;
}

ApiResponse api_handle(ApiService& svc, ApiRequest& req)
{
    ApiResponse r;
    bool origin_ok = add_common_headers(svc, req, r);

    if (!origin_ok) {
        set_error(r, ErrorCode::OriginNotAllowed, "origin not allowed");
    } else {
        try {
            dispatch(svc, req, r);
        } catch (const StoreError& e) {
            r.headers.erase(std::remove_if(r.headers.begin(), r.headers.end(),
                                           [](const auto& h) { return h.first == "Set-Cookie"; }),
                            r.headers.end());
            set_error(r, e.unavailable ? ErrorCode::Unavailable : ErrorCode::Internal,
                      e.unavailable ? "database unavailable; try again" : "database error");
        } catch (const std::exception&) {
            set_error(r, ErrorCode::Internal, "internal error");
        }
    }
    wipe_string(req.body);
    return r;
}

void api_sweep(ApiService& svc)
{
    int64_t now = svc.clock();
    Transaction tx(*svc.store);
    for (const SessionRecord& s : sessions_active(tx)) {
        if (!session_expired_at(s, now))
            continue;
        session_end(tx, s.digest, now, "timeout");
        AuditContext ctx{now, std::string()};
        audit(tx, ctx, s.user_id, s.fingerprint, "session_expired", "success", "swept");
    }
    tickets_delete_expired(tx, now - 3600);
    sessions_delete_ended(tx, now - 30 * 24 * 3600);
    tx.commit();
}
