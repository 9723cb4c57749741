#include "server/api.h"
#include "server/header_text.h"
#include "server/rules.h"

#include "server/pki.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>

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

static void audit(Transaction& tx, const AuditContext& ctx, const std::string& user_id, const AuditEntry& entry)
{
    AuditRecord r;
    r.time = ctx.now;
    r.user_id = user_id;
    r.fingerprint = entry.fingerprint;
    r.source_address = ctx.source_address;
    r.event = audit_event_name(entry.event);
    r.result = entry.result;
    r.detail = entry.detail;
    audit_add(tx, r);
}

static void set_refusal(ApiResponse& r, const Refusal& no)
{
    api::ErrorResponse e;
    e.code = no.code;
    e.message = no.message;
    e.remaining_attempts = no.remaining_attempts;
    e.renewal_opens_at = no.renewal_opens_at;
    set_error(r, e);
}

// The one ending of every refused request: audited under `event`, committed with the
// transaction, answered.
static void refuse(Transaction& tx, const AuditContext& ctx, AuditEvent event, const std::string& user_id,
                   const std::string& fingerprint, const Refusal& no, ApiResponse& r)
{
    audit(tx, ctx, user_id, AuditEntry{event, api::error_code_name(no.code), fingerprint, no.detail});
    set_refusal(r, no);
}

// Runs `body` as one transaction (store_transact: again when the database reports a lost race).
// Every attempt starts from the response as it was before the first, so a retried body answers
// once.
static void transact(ApiService& svc, TxMode mode, ApiResponse& r,
                     const std::function<void(Transaction&, ApiResponse&)>& body)
{
    const ApiResponse before = r;
    store_transact(*svc.store, mode, [&](Transaction& tx) {
        r = before;
        body(tx, r);
    });
}

// ---------------------------------------------------------------- identification
struct Identified {
    CertFacts facts;
    CertVerdict checked;   // the certificate's own checks
    CertRecord cert;       // set when identify succeeded
    UserRecord user;
};

// The certificate's own checks (chain, validity, usage, subject, CRL, OCSP). They need no
// database, so they run before a transaction is opened: an OCSP exchange may take seconds and
// must not hold a database connection meanwhile.
static Identified check_certificate(ApiService& svc, const ApiRequest& req, int64_t now)
{
    Identified id;
    id.checked = check_client_certificate(*svc.trust, req.peer, req.peer_chain, now, svc.config.institution_code,
                                          id.facts, req.verified_chain);
    return id;
}

// Load -> decide_identify. The lookups run only for a certificate that passed its own checks.
static CertVerdict identify(Transaction& tx, Identified& id)
{
    Registration found;
    if (id.checked.ok) {
        found.serial_revoked = serial_is_revoked(tx, id.facts.serial);
        CertRecord cert;
        if (cert_find(tx, id.facts.fingerprint, cert))
            found.cert = cert;
        UserRecord user;
        if (found.cert && user_find(tx, found.cert->user_id, user))
            found.user = user;
    }
    CertVerdict v = decide_identify(id.checked, id.facts, found);
    if (v.ok) {
        id.cert = *found.cert;
        id.user = *found.user;
    }
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

// Takes the ticket (any take uses it up) -> decide_ticket.
static std::optional<Refusal> take_ticket(Transaction& tx, const std::string& token, TicketKind kind,
                                          const Identified& id, int64_t now)
{
    std::optional<TicketRecord> found;
    TicketRecord t;
    if (ticket_take(tx, token_digest(token), now, t))
        found = t;
    return decide_ticket(found, kind, id.user.user_id, id.facts.fingerprint, now);
}

// The gate of login and force-logout, in order: the certificate, the ticket, the account's lock.
// Refused: audited and answered, returns false.
static bool pass_gate(Transaction& tx, const AuditContext& ctx, AuditEvent event, Identified& id,
                      const std::string& ticket, TicketKind kind, int64_t now, ApiResponse& r)
{
    CertVerdict v = identify(tx, id);
    if (!v.ok) {
        refuse(tx, ctx, event, id.facts.user_id, id.facts.fingerprint, refusal_of(v), r);
        return false;
    }
    std::optional<Refusal> no = take_ticket(tx, ticket, kind, id, now);
    if (!no)
        no = decide_locked(id.user);
    if (no) {
        refuse(tx, ctx, event, id.user.user_id, id.facts.fingerprint, *no, r);
        return false;
    }
    return true;
}

// ---------------------------------------------------------------- session answers
static api::SessionInfo session_info(ApiService& svc, Transaction& tx, const SessionRecord& s, const UserRecord& user,
                                     int64_t certificate_not_after, int64_t now)
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
    info.certificate_not_after = certificate_not_after;
    info.renewal_opens_at = renewal_opens_at(certificate_not_after, svc.config.renewal_days);
    return info;
}

static std::optional<SessionRecord> active_session(Transaction& tx, const std::string& user_id)
{
    SessionRecord s;
    if (session_find_active(tx, user_id, s))
        return s;
    return std::nullopt;
}

// ---------------------------------------------------------------- endpoints
static void handle_identify(ApiService& svc, ApiRequest& req, ApiResponse& r, int64_t now)
{
    AuditContext ctx{now, req.source_address};
    Identified id = check_certificate(svc, req, now);
    if (id.checked.ok)
        r.user = id.facts.user_id;
    transact(svc, TxMode::Write, r, [&](Transaction& tx, ApiResponse& out) {
        CertVerdict v = identify(tx, id);
        if (!v.ok) {
            refuse(tx, ctx, AuditEvent::Identify, id.facts.user_id, id.facts.fingerprint, refusal_of(v), out);
            return;
        }
        api::IdentifyResponse answer;
        answer.identity = identity_of(svc, id);
        answer.ticket = issue_ticket(svc, tx, TicketKind::Login, id, now, answer.ticket_expires_at);
        answer.server_time = now;
        answer.renewal_opens_at = renewal_opens_at(answer.identity.not_after, svc.config.renewal_days);
        audit(tx, ctx, id.user.user_id, AuditEntry{AuditEvent::Identify, kAuditSuccess, id.facts.fingerprint, {}});
        set_json(out, 200, api::to_json(answer));
    });
}

// The login password's copies: wiped when the handler leaves, whichever way it leaves.
struct PasswordWipe {
    api::LoginRequest& login;
    ~PasswordWipe() { wipe_string(login.password); }
};

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

// Revoked as superseded (every instance refuses them at once: the revoked-serial table is read
// on every request; the CRL file says so from the operator's next `ibgate cert crl`).
static void revoke_superseded(Transaction& tx, const AuditContext& ctx, const std::vector<CertRecord>& certs, int64_t now)
{
    for (const CertRecord& c : certs) {
        serial_revoke(tx, c.serial, now, kRevokedSuperseded);
        audit(tx, ctx, c.user_id, AuditEntry{AuditEvent::CertSuperseded, kAuditSuccess, c.fingerprint, "serial " + c.serial});
    }
}

// Login with the right password: a new session, unless the user still holds one (also one that
// a racing login created a moment ago: the database's unique index decides, and this one answers
// session_active with a force-logout ticket).
static void create_session(ApiService& svc, Transaction& tx, const AuditContext& ctx, const Identified& id,
                           UserRecord user, int64_t now, ApiResponse& r)
{
    std::optional<SessionRecord> existing = active_session(tx, user.user_id);
    if (decide_existing_session(existing, now) == ExistingSession::Expired) {
        session_end(tx, existing->digest, now, session_end_reason_name(SessionEndReason::Timeout));
        audit(tx, ctx, user.user_id,
              AuditEntry{AuditEvent::SessionExpired, kAuditSuccess, existing->fingerprint, "found expired at login"});
        existing.reset();
    }

    std::string token = random_token();
    std::string csrf = random_token();
    SessionRecord s;
    s.digest = token_digest(token);
    s.user_id = user.user_id;
    s.fingerprint = id.facts.fingerprint;
    s.csrf_digest = token_digest(csrf);
    s.source_address = ctx.source_address;
    s.login_time = now;
    s.last_seen = now;
    s.idle_timeout = svc.config.idle_timeout;
    s.absolute_timeout = svc.config.absolute_timeout;
    AuditRecord previous;
    if (last_successful_login(tx, user.user_id, previous)) {
        s.previous_login_time = previous.time;
        s.previous_login_source = previous.source_address;
    }
    if (existing || !session_insert(tx, s)) {
        if (!existing)
            existing = active_session(tx, user.user_id);   // the racing login's session
        api::ErrorResponse e;
        e.code = ErrorCode::SessionActive;
        e.message = "the user still holds a session";
        e.force_logout_ticket = issue_ticket(svc, tx, TicketKind::ForceLogout, id, now, e.force_logout_ticket_expires_at);
        if (existing) {
            e.active_session_login_time = existing->login_time;
            e.active_session_source_address = existing->source_address;
        }
        audit(tx, ctx, user.user_id,
              AuditEntry{AuditEvent::Login, api::error_code_name(ErrorCode::SessionActive), id.facts.fingerprint, {}});
        set_error(r, e);
        return;
    }
    audit(tx, ctx, user.user_id, AuditEntry{AuditEvent::Login, kAuditSuccess, id.facts.fingerprint, {}});
    // The first login with a renewed certificate proves the new one works: the old one goes.
    revoke_superseded(tx, ctx, superseded_at_login(id.cert, cert_list(tx, user.user_id)), now);
    user.failed_count = 0;
    api::LoginResponse answer;
    answer.session = session_info(svc, tx, s, user, id.facts.not_after, now);
    answer.csrf_token = csrf;
    set_json(r, 200, api::to_json(answer));
    set_session_cookie(r, token);
}

static void handle_login(ApiService& svc, ApiRequest& req, ApiResponse& r, int64_t now)
{
    api::LoginRequest login;
    PasswordWipe wipe{login};
    std::string error;
    if (!read_login_request(req, login, error)) {
        set_error(r, ErrorCode::BadRequest, error);
        return;
    }
    AuditContext ctx{now, req.source_address};
    Identified id = check_certificate(svc, req, now);
    if (id.checked.ok)
        r.user = id.facts.user_id;
    bool passed = false;
    transact(svc, TxMode::Write, r, [&](Transaction& tx, ApiResponse& out) {
        passed = pass_gate(tx, ctx, AuditEvent::Login, id, login.ticket, TicketKind::Login, now, out);
    });
    if (!passed)
        return;

    // The expensive part runs outside any transaction: no connection or row is held meanwhile.
    const bool password_ok = password_check(svc.checker, id.user.password_hash, login.password);
    wipe_string(login.password);

    transact(svc, TxMode::Write, r, [&](Transaction& tx, ApiResponse& out) {
        UserRecord user;
        if (!user_find(tx, id.user.user_id, user)) {
            set_error(out, ErrorCode::CertNotRegistered, "no such user");
            return;
        }
        PasswordDecision d = decide_password(user, password_ok);
        switch (d.step) {
        case PasswordStep::Refuse:
            refuse(tx, ctx, AuditEvent::Login, user.user_id, id.facts.fingerprint, d.refusal, out);
            return;
        case PasswordStep::CountFailure: {
            UserRecord after;
            bool counted = user_count_failure(tx, user.user_id, svc.config.max_failures, now, after);
            refuse(tx, ctx, AuditEvent::Login, user.user_id, id.facts.fingerprint,
                   decide_wrong_password(counted, after, svc.config.max_failures), out);
            return;
        }
        case PasswordStep::Accept:
            if (user.failed_count != 0 && !user_clear_failures(tx, user.user_id)) {
                refuse(tx, ctx, AuditEvent::Login, user.user_id, id.facts.fingerprint,
                       account_locked(), out);
                return;
            }
            create_session(svc, tx, ctx, id, user, now, out);
            return;
        }
    });
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
    Identified id = check_certificate(svc, req, now);
    if (id.checked.ok)
        r.user = id.facts.user_id;
    transact(svc, TxMode::Write, r, [&](Transaction& tx, ApiResponse& out) {
        if (!pass_gate(tx, ctx, AuditEvent::ForceLogout, id, force.ticket, TicketKind::ForceLogout, now, out))
            return;
        std::optional<SessionRecord> active = active_session(tx, id.user.user_id);
        ForceLogoutDecision d = decide_force_logout(active, id.facts.fingerprint);
        api::ForceLogoutResponse answer;
        if (d.end_active) {
            session_end(tx, active->digest, now, session_end_reason_name(SessionEndReason::ForcedLogout));
            answer.ended_session_login_time = active->login_time;
            answer.ended_session_source_address = active->source_address;
        }
        for (const AuditEntry& entry : d.audit)
            audit(tx, ctx, id.user.user_id, entry);
        answer.ticket = issue_ticket(svc, tx, TicketKind::Login, id, now, answer.ticket_expires_at);
        answer.server_time = now;
        set_json(out, 200, api::to_json(answer));
    });
}

// ---------------------------------------------------------------- certificates (取得 / 更新)
// The request's CSR decoded and judged; needs no database. nullopt: it may be signed, and `key`
// holds its public key.
static std::optional<Refusal> check_csr(const std::string& csr_base64, const std::string& expected_cn, KeyPtr& key)
{
    std::vector<unsigned char> der;
    std::string error;
    CsrFacts facts;
    if (pki_base64_decode(csr_base64, der, error))
        facts = pki_read_csr(der, key);
    return decide_certification_request(facts, expected_cn);
}

static std::string customer_common_name(const ApiService& svc, const std::string& user_id)
{
    return user_id + svc.config.institution_code;
}

static bool can_issue(const ApiService& svc)
{
    return svc.issuer && svc.issuer->cert && svc.issuer->key;
}

// Signs a certificate for `user` over `key`, registers it (replacing `replaces`, "" for none)
// and fills the answer. Runs inside the transaction, so a retried one signs again.
static CertRecord issue_certificate(ApiService& svc, Transaction& tx, const UserRecord& user, EVP_PKEY* key,
                                    const std::string& replaces, int64_t now, api::CertificateIssued& answer)
{
    CertSpec spec = pki_customer_spec(user.user_id, svc.config.institution_code, user.company, now,
                                      svc.config.certificate_days);
    CertPtr cert = pki_make_cert(spec, key, svc.issuer->cert.get(), svc.issuer->key.get());
    CertRecord record = pki_cert_record(cert.get(), user.user_id, now);
    record.replaces = replaces;
    cert_insert(tx, record);
    answer.certificate = pki_cert_der_base64(cert.get());
    answer.ca_certificates = {pki_cert_der_base64(svc.issuer->cert.get())};
    answer.serial = record.serial;
    answer.not_before = record.not_before;
    answer.not_after = record.not_after;
    answer.file_name = spec.common_name + ".p12";
    answer.server_time = now;
    return record;
}

// The 取得用パスワード's copies: wiped when the handler leaves, whichever way it leaves.
struct EnrollmentCodeWipe {
    api::EnrollRequest& enroll;
    ~EnrollmentCodeWipe() { wipe_string(enroll.code); }
};

static bool read_enroll_request(ApiRequest& req, api::EnrollRequest& out, std::string& error)
{
    json j;
    bool ok = api::parse_json_object(req.body, j, error) && api::parse_enroll_request(j, out, error);
    auto code = j.is_object() ? j.find("code") : j.end();
    if (j.is_object() && code != j.end() && code->is_string())
        wipe_string(code->get_ref<std::string&>());
    return ok;
}

// 電子証明書取得: user ID + 取得用パスワード + CSR -> a certificate. The CSR is judged first (a broken
// request does not use up a try), then the code - checked outside any transaction, like a login
// password - then the code is used up and the certificate issued in one transaction.
static void handle_enroll(ApiService& svc, ApiRequest& req, ApiResponse& r, int64_t now)
{
    api::EnrollRequest enroll;
    EnrollmentCodeWipe wipe{enroll};
    std::string error;
    if (!read_enroll_request(req, enroll, error)) {
        set_error(r, ErrorCode::BadRequest, error);
        return;
    }
    if (!can_issue(svc)) {
        set_error(r, ErrorCode::Unavailable, "certificate issuing is not set up on this server");
        return;
    }
    AuditContext ctx{now, req.source_address};
    // An ID that cannot be a user's is nobody's: no record is looked up or written under it.
    const bool plausible_id = is_valid_user_id(enroll.user_id);
    const std::string user_id = plausible_id ? enroll.user_id : std::string();
    r.user = user_id;

    KeyPtr key;
    if (std::optional<Refusal> bad = check_csr(enroll.csr, customer_common_name(svc, user_id), key)) {
        transact(svc, TxMode::Write, r, [&](Transaction& tx, ApiResponse& out) {
            refuse(tx, ctx, AuditEvent::Enroll, user_id, std::string(), *bad, out);
        });
        return;
    }

    std::optional<EnrollmentCodeRecord> code;
    if (plausible_id) {
        transact(svc, TxMode::Read, r, [&](Transaction& tx, ApiResponse&) {
            EnrollmentCodeRecord found;
            code.reset();
            if (enrollment_find(tx, user_id, found))
                code = found;
        });
    }
    // The same cost with or without a code (a dummy hash), so timing does not tell.
    const std::string checked_hash = code ? code->code_hash : std::string();
    const bool code_ok = password_check(svc.checker, checked_hash, enroll.code);
    wipe_string(enroll.code);

    transact(svc, TxMode::Write, r, [&](Transaction& tx, ApiResponse& out) {
        std::optional<EnrollmentCodeRecord> now_code;
        EnrollmentCodeRecord found;
        if (plausible_id && enrollment_find(tx, user_id, found))
            now_code = found;
        // A code replaced since it was checked is not the one the customer typed.
        const bool still_ok = code_ok && now_code && now_code->code_hash == checked_hash;
        EnrollDecision d = decide_enrollment(now_code, still_ok, now, svc.config.enrollment_max_failures);
        switch (d.step) {
        case EnrollStep::Refuse:
            refuse(tx, ctx, AuditEvent::Enroll, user_id, std::string(), d.refusal, out);
            return;
        case EnrollStep::CountFailure: {
            EnrollmentCodeRecord after;
            bool counted = enrollment_count_failure(tx, user_id, svc.config.enrollment_max_failures, now, after);
            refuse(tx, ctx, AuditEvent::Enroll, user_id, std::string(),
                   decide_wrong_enrollment_code(counted, after, svc.config.enrollment_max_failures), out);
            return;
        }
        case EnrollStep::Issue:
            break;
        }
        UserRecord user;
        if (!enrollment_take(tx, user_id, checked_hash, now) || !user_find(tx, user_id, user)) {
            // A racing request used the code a moment ago.
            refuse(tx, ctx, AuditEvent::Enroll, user_id, std::string(),
                   enrollment_code_used(), out);
            return;
        }
        api::CertificateIssued answer;
        CertRecord issued = issue_certificate(svc, tx, user, key.get(), std::string(), now, answer);
        audit(tx, ctx, user_id, AuditEntry{AuditEvent::Enroll, kAuditSuccess, issued.fingerprint, "serial " + issued.serial});
        set_json(out, 200, api::to_json(answer));
    });
}

// 電子証明書更新, after the session's own checks (handle_session): the renewal window, the CSR, the
// new certificate linked to the one it renews, and earlier unused renewals of it revoked.
static void renew_certificate(ApiService& svc, Transaction& tx, const AuditContext& ctx, const Identified& id,
                              const std::optional<Refusal>& csr_refusal, EVP_PKEY* key, int64_t now, ApiResponse& out)
{
    const std::string& user_id = id.user.user_id;
    if (!can_issue(svc)) {
        set_error(out, ErrorCode::Unavailable, "certificate issuing is not set up on this server");
        return;
    }
    if (std::optional<Refusal> no = decide_renewal(id.cert.not_after, now, svc.config.renewal_days)) {
        refuse(tx, ctx, AuditEvent::Renew, user_id, id.cert.fingerprint, *no, out);
        return;
    }
    if (csr_refusal) {
        refuse(tx, ctx, AuditEvent::Renew, user_id, id.cert.fingerprint, *csr_refusal, out);
        return;
    }
    api::CertificateIssued answer;
    CertRecord issued = issue_certificate(svc, tx, id.user, key, id.cert.fingerprint, now, answer);
    revoke_superseded(tx, ctx, superseded_at_renewal(id.cert, issued.fingerprint, cert_list(tx, user_id)), now);
    audit(tx, ctx, user_id, AuditEntry{AuditEvent::Renew, kAuditSuccess, issued.fingerprint,
                                       "serial " + issued.serial + " renews " + id.cert.serial});
    set_json(out, 200, api::to_json(answer));
}

static void handle_session(ApiService& svc, ApiRequest& req, ApiResponse& r, int64_t now, SessionAction action)
{
    AuditContext ctx{now, req.source_address};
    const std::string token = cookie_value(req.cookie, api::kSessionCookie);
    const bool cookie_sent = !token.empty() && token.size() <= api::kMaxTokenBytes;
    // Without a session cookie the answer is known: no certificate work for it.
    Identified id = cookie_sent ? check_certificate(svc, req, now) : Identified();
    const std::string fingerprint = cookie_sent && req.peer ? id.facts.fingerprint : std::string();
    // A session check only reads unless it finds the session over: most requests never write.
    const TxMode mode = action == SessionAction::Show ? TxMode::Read : TxMode::Write;
    // Renewal: the request is read and its CSR judged before the transaction (it needs no
    // database); the answer waits for the session's own checks.
    KeyPtr renewal_key;
    std::optional<Refusal> csr_refusal;
    if (action == SessionAction::Renew) {
        json j;
        api::RenewRequest renew;
        std::string error;
        if (!api::parse_json_object(req.body, j, error) || !api::parse_renew_request(j, renew, error)) {
            set_error(r, ErrorCode::BadRequest, error);
            return;
        }
        csr_refusal = check_csr(renew.csr, customer_common_name(svc, id.facts.user_id), renewal_key);
    }

    transact(svc, mode, r, [&](Transaction& tx, ApiResponse& out) {
        SessionFacts facts;
        facts.cookie_sent = cookie_sent;
        SessionRecord s;
        if (facts.cookie_sent && session_find(tx, token_digest(token), s))
            facts.session = s;
        if (facts.session)
            out.user = s.user_id;
        facts.has_certificate = req.peer != nullptr;
        facts.fingerprint = fingerprint;
        if (facts.session && facts.has_certificate && fingerprint == s.fingerprint)
            facts.certificate = identify(tx, id);
        facts.csrf_ok = facts.session && same_secret(token_digest(req.csrf), s.csrf_digest);

        SessionDecision d = decide_session_request(action, facts, now);
        if (d.end)
            session_end(tx, s.digest, now, session_end_reason_name(*d.end));
        if (d.audit)
            audit(tx, ctx, s.user_id, *d.audit);
        if (d.clear_cookie)
            clear_session_cookie(out);
        if (d.step == SessionStep::Refuse) {
            set_refusal(out, d.refusal);
            return;
        }
        switch (action) {
        case SessionAction::Show:
            set_json(out, 200, api::to_json(session_info(svc, tx, s, id.user, id.facts.not_after, now)));
            return;
        case SessionAction::Keepalive: {
            session_touch(tx, s.digest, now);
            s.last_seen = std::max(s.last_seen, now);
            api::KeepaliveResponse answer{now, session_idle_expires_at(s), session_absolute_expires_at(s)};
            set_json(out, 200, api::to_json(answer));
            return;
        }
        case SessionAction::Logout:
            set_json(out, 200, api::to_json(api::LogoutResponse{now}));
            return;
        case SessionAction::Renew:
            renew_certificate(svc, tx, ctx, id, csr_refusal, renewal_key.get(), now, out);
            return;
        }
    });
}

// ---------------------------------------------------------------- routing
enum class Endpoint { Identify, Login, ForceLogout, Session, Keepalive, Logout, Enroll, Renew, None };

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
    {api::kPathEnroll, "POST", Endpoint::Enroll},
    {api::kPathRenew, "POST", Endpoint::Renew},
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
        // These parse their own bodies (wiping the secrets in them, or reading their fields).
        if (route->endpoint != Endpoint::Login && route->endpoint != Endpoint::ForceLogout
            && route->endpoint != Endpoint::Enroll && route->endpoint != Endpoint::Renew) {
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
    case Endpoint::Enroll: handle_enroll(svc, req, r, now); return;
    case Endpoint::Renew: handle_session(svc, req, r, now, SessionAction::Renew); return;
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

// A certificate header an untrusted address sent: written down before the request is served as a
// direct one (someone is probing, or a proxy is missing from --trusted-proxy). No user: it is
// nobody's login.
static void audit_ignored_header(ApiService& svc, const ApiRequest& req)
{
    const AuditContext ctx{svc.clock(), req.source_address};
    store_transact(*svc.store, TxMode::Write, [&](Transaction& tx) {
        audit(tx, ctx, std::string(),
              AuditEntry{AuditEvent::ForwardedHeaderIgnored, kAuditIgnored, std::string(), req.ignored_forwarded_header});
    });
}

ApiResponse api_handle(ApiService& svc, ApiRequest& req)
{
    ApiResponse r;
    bool origin_ok = add_common_headers(svc, req, r);

    try {
        if (!req.ignored_forwarded_header.empty())
            audit_ignored_header(svc, req);
    } catch (const StoreError& e) {
        set_error(r, e.unavailable ? ErrorCode::Unavailable : ErrorCode::Internal,
                  e.unavailable ? "database unavailable; try again" : "database error");
        wipe_string(req.body);
        return r;
    } catch (const std::exception&) {
        set_error(r, ErrorCode::Internal, "internal error");
        wipe_string(req.body);
        return r;
    }
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

bool api_database_ready(ApiService& svc, std::string& why)
{
    try {
        const int version = store_schema_version(*svc.store);
        if (version == kStoreSchemaVersion)
            return true;
        why = "database schema version " + std::to_string(version) + ", this ibgate needs "
              + std::to_string(kStoreSchemaVersion);
    } catch (const std::exception& e) {
        why = e.what();
    }
    return false;
}

void api_sweep(ApiService& svc)
{
    const int64_t now = svc.clock();
    const AuditContext ctx{now, std::string()};
    // Every instance sweeps: an expired session is ended (and audited) by the one sweep whose
    // update finds it still active.
    store_transact(*svc.store, TxMode::Write, [&](Transaction& tx) {
        for (const SessionRecord& s : sessions_active(tx)) {
            if (!session_expired_at(s, now))
                continue;
            if (session_end(tx, s.digest, now, session_end_reason_name(SessionEndReason::Timeout)))
                audit(tx, ctx, s.user_id, AuditEntry{AuditEvent::SessionExpired, kAuditSuccess, s.fingerprint, "swept"});
        }
        tickets_delete_expired(tx, now - 3600);
        sessions_delete_ended(tx, now - 30 * 24 * 3600);
    });
}
