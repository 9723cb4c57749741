#include "screen_flow.h"

// ---------------------------------------------------------------- names

const char* screen_name(Screen screen)
{
    switch (screen) {
    case Screen::Login: return "login";
    case Screen::Restoring: return "restoring";
    case Screen::CertificatePrompt: return "certificate_prompt";
    case Screen::Identifying: return "identifying";
    case Screen::PasswordEntry: return "password_entry";
    case Screen::Authenticating: return "authenticating";
    case Screen::ForcedLogoutRequired: return "forced_logout_required";
    case Screen::ForcingLogout: return "forcing_logout";
    case Screen::Main: return "main";
    case Screen::LoggingOut: return "logging_out";
    case Screen::LoggedOut: return "logged_out";
    case Screen::SessionExpired: return "session_expired";
    case Screen::EnrollEntry: return "enroll_entry";
    case Screen::CertificateRequesting: return "certificate_requesting";
    case Screen::PassphraseEntry: return "passphrase_entry";
    case Screen::CertificateSaving: return "certificate_saving";
    case Screen::CertificateSaved: return "certificate_saved";
    case Screen::ErrorNoCertificate: return "error_no_certificate";
    case Screen::ErrorCertificateExpired: return "error_certificate_expired";
    case Screen::ErrorCertificateNotYetValid: return "error_certificate_not_yet_valid";
    case Screen::ErrorCertificateRevoked: return "error_certificate_revoked";
    case Screen::ErrorUnknownIssuer: return "error_unknown_issuer";
    case Screen::ErrorWrongUsage: return "error_wrong_usage";
    case Screen::ErrorWrongInstitution: return "error_wrong_institution";
    case Screen::ErrorBadSubject: return "error_bad_subject";
    case Screen::ErrorNotRegistered: return "error_not_registered";
    case Screen::ErrorCertificateMismatch: return "error_certificate_mismatch";
    case Screen::ErrorLocked: return "error_locked";
    case Screen::ErrorLoginExpired: return "error_login_expired";
    case Screen::ErrorUnavailable: return "error_unavailable";
    case Screen::ErrorMalformedReply: return "error_malformed_reply";
    case Screen::ErrorConfiguration: return "error_configuration";
    case Screen::ErrorEnrollmentLocked: return "error_enrollment_locked";
    case Screen::ErrorEnrollmentCodeExpired: return "error_enrollment_code_expired";
    case Screen::ErrorEnrollmentCodeUsed: return "error_enrollment_code_used";
    case Screen::ErrorCertificateRequest: return "error_certificate_request";
    case Screen::Count: break;
    }
    return "unknown";
}

bool screen_is_error(Screen screen)
{
    return screen >= Screen::ErrorNoCertificate && screen < Screen::Count;
}

bool screen_is_certificate(Screen screen)
{
    return screen >= Screen::EnrollEntry && screen <= Screen::CertificateSaved;
}

bool screen_shows_logout(Screen screen)
{
    return screen == Screen::Main;
}

ScreenOffers screen_offers(Screen screen)
{
    ScreenOffers offers;
    if (!screen_is_error(screen))
        return offers;
    if (screen == Screen::ErrorConfiguration) {
        offers.reload = true;   // nothing works without the configuration; going back would not help
        return offers;
    }
    offers.back_to_login = true;
    offers.retry = screen == Screen::ErrorUnavailable;   // only a failure of the network or server may pass
    return offers;
}

bool screen_is_waiting(Screen screen)
{
    return screen == Screen::Restoring || screen == Screen::Identifying || screen == Screen::Authenticating ||
           screen == Screen::ForcingLogout || screen == Screen::LoggingOut || screen == Screen::CertificateRequesting ||
           screen == Screen::CertificateSaving;
}

const char* request_name(RequestKind kind)
{
    switch (kind) {
    case RequestKind::None: return "none";
    case RequestKind::Identify: return "identify";
    case RequestKind::Login: return "login";
    case RequestKind::ForceLogout: return "force_logout";
    case RequestKind::Session: return "session";
    case RequestKind::Keepalive: return "keepalive";
    case RequestKind::Logout: return "logout";
    case RequestKind::Enroll: return "enroll";
    case RequestKind::Renew: return "renew";
    }
    return "unknown";
}

Screen screen_for_error(api::ErrorCode code)
{
    using api::ErrorCode;
    switch (code) {
    case ErrorCode::NoCertificate: return Screen::ErrorNoCertificate;
    case ErrorCode::CertExpired: return Screen::ErrorCertificateExpired;
    case ErrorCode::CertNotYetValid: return Screen::ErrorCertificateNotYetValid;
    case ErrorCode::CertRevoked: return Screen::ErrorCertificateRevoked;
    case ErrorCode::CertUnknownIssuer: return Screen::ErrorUnknownIssuer;
    case ErrorCode::CertWrongUsage: return Screen::ErrorWrongUsage;
    case ErrorCode::CertWrongInstitution: return Screen::ErrorWrongInstitution;
    case ErrorCode::CertBadSubject: return Screen::ErrorBadSubject;
    case ErrorCode::CertNotRegistered: return Screen::ErrorNotRegistered;
    case ErrorCode::CertMismatch: return Screen::ErrorCertificateMismatch;
    case ErrorCode::WrongPassword: return Screen::PasswordEntry;
    case ErrorCode::Locked: return Screen::ErrorLocked;
    case ErrorCode::SessionActive: return Screen::ForcedLogoutRequired;
    case ErrorCode::TicketInvalid: return Screen::ErrorLoginExpired;
    case ErrorCode::TicketExpired: return Screen::ErrorLoginExpired;
    case ErrorCode::NotLoggedIn: return Screen::SessionExpired;
    case ErrorCode::SessionExpired: return Screen::SessionExpired;
    case ErrorCode::Unavailable: return Screen::ErrorUnavailable;
    case ErrorCode::RevocationUnavailable: return Screen::ErrorUnavailable;
    case ErrorCode::EnrollmentCodeWrong: return Screen::EnrollEntry;
    case ErrorCode::EnrollmentLocked: return Screen::ErrorEnrollmentLocked;
    case ErrorCode::EnrollmentCodeExpired: return Screen::ErrorEnrollmentCodeExpired;
    case ErrorCode::EnrollmentCodeUsed: return Screen::ErrorEnrollmentCodeUsed;
    case ErrorCode::CsrInvalid: return Screen::ErrorCertificateRequest;
    case ErrorCode::CsrWeakKey: return Screen::ErrorCertificateRequest;
    case ErrorCode::CsrWrongSubject: return Screen::ErrorCertificateRequest;
    case ErrorCode::RenewalNotOpen: return Screen::Main;
    default: return Screen::ErrorMalformedReply;
    }
}

std::string fill_placeholder(std::string_view text, std::string_view name, std::string_view value)
{
    std::string key = "{";
    key += name;
    key += "}";
    std::string out;
    size_t at = 0;
    for (;;) {
        const size_t found = text.find(key, at);
        if (found == std::string_view::npos)
            break;
        out += text.substr(at, found - at);
        out += value;
        at = found + key.size();
    }
    out += text.substr(at);
    return out;
}

Notice passphrase_notice(int length, int again_length, bool match)
{
    if (length < kMinPassphraseBytes)
        return Notice::PassphraseTooShort;
    if (!match || length != again_length)
        return Notice::PassphraseMismatch;
    return Notice::None;
}

bool renewal_open(const ClientSession& session, double now)
{
    if (session.phase != SessionPhase::Authenticated || session.info.renewal_opens_at <= 0)
        return false;
    const double server_now = session_server_now(session, now);
    return server_now >= static_cast<double>(session.info.renewal_opens_at) &&
           server_now < static_cast<double>(session.info.certificate_not_after);
}

// ---------------------------------------------------------------- event builders

FlowEvent flow_event(FlowEventKind kind)
{
    FlowEvent e;
    e.kind = kind;
    return e;
}

FlowEvent flow_page_loaded(const std::string& remembered_csrf_token)
{
    FlowEvent e = flow_event(FlowEventKind::PageLoaded);
    e.text = remembered_csrf_token;
    return e;
}

FlowEvent flow_submit_password(int password_length)
{
    FlowEvent e = flow_event(FlowEventKind::ClickSubmitPassword);
    e.password_length = password_length;
    return e;
}

FlowEvent flow_menu_entry(int index)
{
    FlowEvent e = flow_event(FlowEventKind::ClickMenuEntry);
    e.index = index;
    return e;
}

FlowEvent flow_broadcast_extended(int64_t idle_expires_at, int64_t absolute_expires_at)
{
    FlowEvent e = flow_event(FlowEventKind::BroadcastExtended);
    e.idle_expires_at = idle_expires_at;
    e.absolute_expires_at = absolute_expires_at;
    return e;
}

FlowEvent flow_request_failed(uint32_t seq, bool timed_out)
{
    FlowEvent e = flow_event(FlowEventKind::RequestFailed);
    e.seq = seq;
    e.timed_out = timed_out;
    return e;
}

FlowEvent flow_request_refused(uint32_t seq, const std::string& detail)
{
    FlowEvent e = flow_request_failed(seq, false);
    e.server_refused = true;
    e.text = detail;
    return e;
}

template <typename T>
static FlowEvent reply_event(FlowEventKind kind, uint32_t seq, const api::Reply<T>& reply)
{
    FlowEvent e = flow_event(kind);
    e.seq = seq;
    e.ok = reply.ok;
    e.error = reply.error;
    return e;
}

FlowEvent flow_identify_reply(uint32_t seq, const api::Reply<api::IdentifyResponse>& reply)
{
    FlowEvent e = reply_event(FlowEventKind::IdentifyReply, seq, reply);
    e.identify = reply.value;
    return e;
}

FlowEvent flow_login_reply(uint32_t seq, const api::Reply<api::LoginResponse>& reply)
{
    FlowEvent e = reply_event(FlowEventKind::LoginReply, seq, reply);
    e.login = reply.value;
    return e;
}

FlowEvent flow_force_logout_reply(uint32_t seq, const api::Reply<api::ForceLogoutResponse>& reply)
{
    FlowEvent e = reply_event(FlowEventKind::ForceLogoutReply, seq, reply);
    e.force_logout = reply.value;
    return e;
}

FlowEvent flow_session_reply(uint32_t seq, const api::Reply<api::SessionInfo>& reply)
{
    FlowEvent e = reply_event(FlowEventKind::SessionReply, seq, reply);
    e.session = reply.value;
    return e;
}

FlowEvent flow_keepalive_reply(uint32_t seq, const api::Reply<api::KeepaliveResponse>& reply)
{
    FlowEvent e = reply_event(FlowEventKind::KeepaliveReply, seq, reply);
    e.keepalive = reply.value;
    return e;
}

FlowEvent flow_logout_reply(uint32_t seq, const api::Reply<api::LogoutResponse>& reply)
{
    FlowEvent e = reply_event(FlowEventKind::LogoutReply, seq, reply);
    e.logout = reply.value;
    return e;
}

FlowEvent flow_submit_enrollment(const std::string& user_id, int code_length)
{
    FlowEvent e = flow_event(FlowEventKind::ClickSubmitEnrollment);
    e.text = user_id;
    e.password_length = code_length;
    return e;
}

FlowEvent flow_submit_passphrase(int length, int again_length, bool match)
{
    FlowEvent e = flow_event(FlowEventKind::ClickSubmitPassphrase);
    e.password_length = length;
    e.passphrase_again_length = again_length;
    e.passphrase_match = match;
    return e;
}

FlowEvent flow_key_pair_ready(uint32_t seq, const std::string& csr_base64)
{
    FlowEvent e = flow_event(FlowEventKind::KeyPairReady);
    e.seq = seq;
    e.text = csr_base64;
    return e;
}

FlowEvent flow_key_pair_failed(uint32_t seq, const std::string& reason)
{
    FlowEvent e = flow_event(FlowEventKind::KeyPairFailed);
    e.seq = seq;
    e.text = reason;
    return e;
}

FlowEvent flow_certificate_reply(FlowEventKind kind, uint32_t seq, const api::Reply<api::CertificateIssued>& reply)
{
    FlowEvent e = reply_event(kind, seq, reply);
    e.issued = reply.value;
    return e;
}

// ---------------------------------------------------------------- transitions

FlowState flow_init(int session_warning_seconds, bool software_keyboard_by_default, int menu_entries)
{
    FlowState s;
    s.session.warning_seconds = session_warning_seconds;
    s.software_keyboard_default = software_keyboard_by_default;
    s.software_keyboard = software_keyboard_by_default;
    s.menu_entries = menu_entries;
    return s;
}

namespace {

struct Step {
    FlowState& s;
    FlowOutput& out;
    double now;

    void effect(EffectKind kind, std::string text = {})
    {
        Effect e;
        e.kind = kind;
        e.text = std::move(text);
        out.effects.push_back(e);
    }

    // A new screen starts without the old screen's notice and with the default keyboard mode.
    void go(Screen to)
    {
        if (s.screen == to)
            return;
        const bool was_certificate = screen_is_certificate(s.screen);
        if (was_certificate && !screen_is_certificate(to)) {
            effect(EffectKind::DiscardKeyPair);
            s.purpose = CertificatePurpose::None;
            s.certificate_request.clear();
            s.issued = api::CertificateIssued{};
        }
        // 取得 starts with the key pair, made while the customer types: the request goes out
        // straight from 次へ, so the 取得用パスワード never outlives the screen it was typed on.
        if (to == Screen::EnrollEntry && !was_certificate) {
            s.purpose = CertificatePurpose::Enroll;
            make_key_pair();
        }
        s.screen = to;
        s.notice = Notice::None;
        s.software_keyboard = s.software_keyboard_default;
        if (to != Screen::ErrorUnavailable) {
            s.failure = FailureKind::None;
            s.retry = RequestKind::None;
        }
        out.screen_changed = true;
    }

    void send(RequestKind kind, std::string text = {})
    {
        s.last_seq++;
        s.pending = kind;
        s.pending_seq = s.last_seq;
        const double timeout = kind == RequestKind::Identify ? kIdentifyTimeout : kRequestTimeout;
        s.pending_deadline = now + timeout + kDeadlineGrace;
        Effect e;
        e.kind = EffectKind::SendRequest;
        e.request = kind;
        e.seq = s.last_seq;
        e.timeout = timeout;
        e.text = std::move(text);
        out.effects.push_back(e);
    }

    void drop_pending() { s.pending = RequestKind::None; }

    void make_key_pair()
    {
        s.last_seq++;
        s.key_pair_seq = s.last_seq;
        s.key_pair_deadline = now + kKeyPairTimeout;
        s.certificate_request.clear();
        Effect e;
        e.kind = EffectKind::MakeKeyPair;
        e.seq = s.key_pair_seq;
        out.effects.push_back(e);
    }

    // Forget an authenticated session locally (the server's side is gone or abandoned).
    void forget_session()
    {
        if (s.session.phase == SessionPhase::Authenticated || !s.session.csrf_token.empty())
            effect(EffectKind::ForgetSession);
        session_reset(s.session);
    }

    void to_login()
    {
        drop_pending();
        forget_session();
        s.force_logout_ticket.clear();
        s.last_error = api::ErrorResponse{};
        go(Screen::Login);
    }

    void identify()
    {
        session_reset(s.session);
        s.force_logout_ticket.clear();
        send(RequestKind::Identify);
        go(Screen::Identifying);
    }

    // Renewal's failures return to the main screen, still logged in, the certificate unchanged.
    void renewal_failed(Notice why)
    {
        drop_pending();
        go(Screen::Main);
        s.notice = why;
    }

    void unavailable(RequestKind failed, FailureKind why)
    {
        // A failed identify, login or force-logout starts over from identification: the ticket
        // may have been spent, and the password is already wiped.
        RequestKind retry = failed;
        if (failed == RequestKind::Login || failed == RequestKind::ForceLogout)
            retry = RequestKind::Identify;
        go(Screen::ErrorUnavailable);
        s.failure = why;
        s.retry = retry;
    }

    void misconfigured(const std::string& detail)
    {
        drop_pending();
        go(Screen::ErrorConfiguration);
        s.failure = FailureKind::Misconfigured;
        s.config_error = detail;
    }

    void expired()
    {
        drop_pending();
        if (s.session.phase == SessionPhase::Authenticated || !s.session.csrf_token.empty())
            effect(EffectKind::ForgetSession);
        session_expired(s.session);
        go(Screen::SessionExpired);
    }

    void logged_out(bool here)
    {
        drop_pending();
        effect(EffectKind::ForgetSession);
        if (here)
            effect(EffectKind::BroadcastLogout);
        session_logged_out(s.session);
        go(Screen::LoggedOut);
        if (!here)
            s.notice = Notice::LoggedOutElsewhere;
    }

    void forced_logout_done()
    {
        to_login();
        s.notice = Notice::ForcedLogoutDone;
    }

    // A request failed with no HTTP answer (network down, aborted by its timeout).
    void failed(RequestKind kind, bool timed_out)
    {
        const FailureKind why = timed_out ? FailureKind::Timeout : FailureKind::Network;
        if (kind == RequestKind::Keepalive) {
            s.notice = Notice::ExtendFailed;   // still logged in; the countdown tells the rest
            return;
        }
        if (kind == RequestKind::Renew) {
            renewal_failed(Notice::RenewalFailed);
            return;
        }
        unavailable(kind, why);
    }

    // The server answered request `kind` with an error.
    void rejected(RequestKind kind, const api::ErrorResponse& error)
    {
        using api::ErrorCode;
        s.last_error = error;
        const ErrorCode code = error.code;
        if (kind == RequestKind::Renew) {
            if (code == ErrorCode::NotLoggedIn || code == ErrorCode::SessionExpired) {
                expired();
                return;
            }
            const Screen to = screen_for_error(code);
            // A certificate refused now (revoked, expired) ends the session on the server.
            if (to != Screen::ErrorCertificateRequest && to != Screen::Main && to != Screen::ErrorUnavailable &&
                to != Screen::ErrorMalformedReply) {
                forget_session();
                go(to);
                return;
            }
            renewal_failed(code == ErrorCode::RenewalNotOpen ? Notice::RenewalNotOpen : Notice::RenewalFailed);
            return;
        }
        if (kind == RequestKind::Enroll && code == ErrorCode::EnrollmentCodeWrong) {
            go(Screen::EnrollEntry);   // the key pair is kept: the customer types the code again
            s.notice = Notice::EnrollmentCodeWrong;
            s.remaining_attempts = error.remaining_attempts;
            return;
        }
        if (code == ErrorCode::Unavailable || code == ErrorCode::RevocationUnavailable) {
            if (kind == RequestKind::Keepalive)
                s.notice = Notice::ExtendFailed;
            else
                unavailable(kind, code == ErrorCode::Unavailable ? FailureKind::ServerBusy
                                                                 : FailureKind::RevocationUnavailable);
            return;
        }
        if (kind == RequestKind::Login && code == ErrorCode::WrongPassword) {
            // The ticket is spent; fetch a new one before the customer types again. The notice
            // survives identification and shows on the password screen.
            identify();
            s.notice = Notice::WrongPassword;
            s.remaining_attempts = error.remaining_attempts;
            return;
        }
        if (kind == RequestKind::Login && code == ErrorCode::SessionActive) {
            s.force_logout_ticket = error.force_logout_ticket;
            go(Screen::ForcedLogoutRequired);
            return;
        }
        if (code == ErrorCode::NotLoggedIn || code == ErrorCode::SessionExpired) {
            if (kind == RequestKind::Logout) {
                logged_out(true);   // already over on the server: the customer's goal is met
                return;
            }
            if (kind == RequestKind::ForceLogout) {
                forced_logout_done();   // the retained session ended on its own meanwhile
                return;
            }
            if (kind == RequestKind::Session || kind == RequestKind::Keepalive) {
                expired();
                return;
            }
        }
        Screen to = screen_for_error(code);
        // Codes that only make sense for another request are unexpected here.
        if (to == Screen::PasswordEntry || to == Screen::ForcedLogoutRequired || to == Screen::SessionExpired ||
            to == Screen::ErrorUnavailable || to == Screen::EnrollEntry || to == Screen::Main)
            to = Screen::ErrorMalformedReply;
        forget_session();
        go(to);
    }

    // ------------------------------------------------------------ per screen

    void on_login(const FlowEvent& e)
    {
        if (e.kind == FlowEventKind::ClickCertificateLogin) {
            session_reset(s.session);
            go(Screen::CertificatePrompt);
        } else if (e.kind == FlowEventKind::ClickCertificateEnroll) {
            session_reset(s.session);
            go(Screen::EnrollEntry);
        }
    }

    // ------------------------------------------------------------ 電子証明書取得 / 更新
    void on_enroll_entry(const FlowEvent& e)
    {
        switch (e.kind) {
        case FlowEventKind::ClickBack:
            to_login();
            break;
        case FlowEventKind::ClickToggleKeyboard:
            s.software_keyboard = !s.software_keyboard;
            break;
        case FlowEventKind::KeyPairReady:
            if (!s.certificate_request.empty())
                break;   // the request is made once per key pair
            s.certificate_request = e.text;
            if (s.notice == Notice::KeyPairPreparing)
                s.notice = Notice::None;
            break;
        case FlowEventKind::KeyPairFailed:
            s.last_error = api::ErrorResponse{};   // the browser failed, not the server
            go(Screen::ErrorCertificateRequest);
            break;
        case FlowEventKind::ClickSubmitEnrollment:
            if (e.text.empty() || e.password_length <= 0) {
                s.notice = Notice::EnrollFieldsEmpty;
                break;
            }
            if (s.certificate_request.empty()) {
                s.notice = Notice::KeyPairPreparing;   // the 取得用パスワード stays in its field
                break;
            }
            s.enroll_user_id = e.text;
            send(RequestKind::Enroll, e.text);   // the platform adds the 取得用パスワード, then wipes it
            go(Screen::CertificateRequesting);
            break;
        default:
            break;
        }
    }

    void on_certificate_requesting(const FlowEvent& e)
    {
        if (e.kind == FlowEventKind::KeyPairReady && s.purpose == CertificatePurpose::Renew && s.pending == RequestKind::None) {
            s.certificate_request = e.text;
            send(RequestKind::Renew, s.session.csrf_token);
            return;
        }
        if (e.kind == FlowEventKind::KeyPairFailed && s.purpose == CertificatePurpose::Renew && s.pending == RequestKind::None) {
            renewal_failed(Notice::RenewalFailed);
            return;
        }
        const bool reply = (e.kind == FlowEventKind::EnrollReply && s.purpose == CertificatePurpose::Enroll) ||
                           (e.kind == FlowEventKind::RenewReply && s.purpose == CertificatePurpose::Renew);
        if (!reply)
            return;
        if (!e.ok) {
            rejected(e.kind == FlowEventKind::EnrollReply ? RequestKind::Enroll : RequestKind::Renew, e.error);
            return;
        }
        s.issued = e.issued;
        go(Screen::PassphraseEntry);
    }

    void on_passphrase_entry(const FlowEvent& e)
    {
        switch (e.kind) {
        case FlowEventKind::ClickToggleKeyboard:
            s.software_keyboard = !s.software_keyboard;
            break;
        case FlowEventKind::ClickBack:
            // 取得 has no way back here: its code is used up and the file is the only way on.
            if (s.purpose == CertificatePurpose::Renew)
                go(Screen::Main);
            break;
        case FlowEventKind::ClickSubmitPassphrase: {
            const Notice problem = passphrase_notice(e.password_length, e.passphrase_again_length, e.passphrase_match);
            if (problem != Notice::None) {
                s.notice = problem;
                break;
            }
            effect(EffectKind::BuildCertificateFile);   // reads the import password; then it is wiped
            go(Screen::CertificateSaving);
            break;
        }
        default:
            break;
        }
    }

    void on_certificate_saving(const FlowEvent& e)
    {
        if (e.kind == FlowEventKind::FileSaved) {
            go(Screen::CertificateSaved);
        } else if (e.kind == FlowEventKind::FileFailed) {
            go(Screen::PassphraseEntry);
            s.notice = Notice::FileFailed;
        }
    }

    void on_certificate_saved(const FlowEvent& e)
    {
        if (e.kind == FlowEventKind::ClickSaveAgain) {
            effect(EffectKind::SaveFileAgain);
        } else if (e.kind == FlowEventKind::ClickCertificateLogin && s.purpose == CertificatePurpose::Enroll) {
            session_reset(s.session);
            go(Screen::CertificatePrompt);
        } else if (e.kind == FlowEventKind::ClickBack) {
            if (s.purpose == CertificatePurpose::Renew)
                go(Screen::Main);
            else
                to_login();
        }
    }

    void on_certificate_prompt(const FlowEvent& e)
    {
        if (e.kind == FlowEventKind::ClickOk)
            identify();
        else if (e.kind == FlowEventKind::ClickBack)
            to_login();
    }

    void on_identifying(const FlowEvent& e)
    {
        if (e.kind == FlowEventKind::ClickBack) {
            to_login();   // the reply, if it comes, no longer matches and is dropped
            return;
        }
        if (e.kind != FlowEventKind::IdentifyReply)
            return;
        if (!e.ok) {
            rejected(RequestKind::Identify, e.error);
            return;
        }
        const Notice keep = s.notice == Notice::WrongPassword ? Notice::WrongPassword : Notice::None;
        session_identified(s.session, e.identify, now);
        effect(EffectKind::RememberCertificateName, certificate_name(e.identify.identity));
        go(Screen::PasswordEntry);
        s.notice = keep;
    }

    void on_password_entry(const FlowEvent& e)
    {
        if (e.kind == FlowEventKind::ClickBack) {
            to_login();
        } else if (e.kind == FlowEventKind::ClickToggleKeyboard) {
            s.software_keyboard = !s.software_keyboard;
        } else if (e.kind == FlowEventKind::ClickSubmitPassword) {
            if (e.password_length <= 0) {
                s.notice = Notice::PasswordEmpty;
                return;
            }
            send(RequestKind::Login, s.session.ticket);   // the platform adds the password, then wipes it
            go(Screen::Authenticating);
        }
    }

    void on_authenticating(const FlowEvent& e)
    {
        if (e.kind != FlowEventKind::LoginReply)
            return;   // no cancel: the server may already have created the session
        if (!e.ok) {
            rejected(RequestKind::Login, e.error);
            return;
        }
        session_authenticated(s.session, e.login.session, e.login.csrf_token, now);
        effect(EffectKind::RememberSession, e.login.csrf_token);
        go(Screen::Main);
    }

    void on_forced_logout_required(const FlowEvent& e)
    {
        if (e.kind == FlowEventKind::ClickForceLogout) {
            send(RequestKind::ForceLogout, s.force_logout_ticket);
            go(Screen::ForcingLogout);
        } else if (e.kind == FlowEventKind::ClickBack) {
            to_login();
        }
    }

    void on_forcing_logout(const FlowEvent& e)
    {
        if (e.kind != FlowEventKind::ForceLogoutReply)
            return;
        if (!e.ok) {
            rejected(RequestKind::ForceLogout, e.error);
            return;
        }
        forced_logout_done();
    }

    void on_main(const FlowEvent& e)
    {
        switch (e.kind) {
        case FlowEventKind::ClickRenewCertificate:
            if (s.pending == RequestKind::None && renewal_open(s.session, now)) {
                s.purpose = CertificatePurpose::Renew;
                make_key_pair();
                go(Screen::CertificateRequesting);
            }
            break;
        case FlowEventKind::ClickLogout:
            send(RequestKind::Logout, s.session.csrf_token);   // replaces a pending keepalive
            go(Screen::LoggingOut);
            break;
        case FlowEventKind::ClickExtend:
            if (s.pending == RequestKind::None && session_can_extend(s.session, now)) {
                s.notice = Notice::None;
                send(RequestKind::Keepalive, s.session.csrf_token);
            }
            break;
        case FlowEventKind::ClickMenuEntry:
            if (e.index >= 0 && e.index < s.menu_entries) {
                Effect open;
                open.kind = EffectKind::OpenMenuEntry;
                open.index = e.index;
                out.effects.push_back(open);
            }
            break;
        case FlowEventKind::KeepaliveReply:
            if (!e.ok) {
                rejected(RequestKind::Keepalive, e.error);
                break;
            }
            session_extended(s.session, e.keepalive, now);
            if (s.notice == Notice::ExtendFailed)
                s.notice = Notice::None;
            {
                Effect b;
                b.kind = EffectKind::BroadcastExtended;
                b.idle_expires_at = s.session.idle_expires_at;
                b.absolute_expires_at = s.session.absolute_expires_at;
                out.effects.push_back(b);
            }
            break;
        case FlowEventKind::BroadcastExtended:
            session_extended_elsewhere(s.session, e.idle_expires_at, e.absolute_expires_at);
            break;
        default:
            break;
        }
    }

    void on_logging_out(const FlowEvent& e)
    {
        if (e.kind != FlowEventKind::LogoutReply)
            return;
        if (!e.ok) {
            rejected(RequestKind::Logout, e.error);
            return;
        }
        logged_out(true);
    }

    void on_logged_out(const FlowEvent& e)
    {
        if (e.kind == FlowEventKind::ClickRelogin)
            to_login();
        else if (e.kind == FlowEventKind::ClickCloseWindow)
            effect(EffectKind::CloseWindow);
        else if (e.kind == FlowEventKind::WindowCloseRefused)
            s.notice = Notice::CloseRefused;
    }

    void on_session_expired(const FlowEvent& e)
    {
        if (e.kind == FlowEventKind::ClickRelogin)
            to_login();
    }

    void on_restoring(const FlowEvent& e)
    {
        if (e.kind != FlowEventKind::SessionReply)
            return;
        if (!e.ok) {
            rejected(RequestKind::Session, e.error);
            return;
        }
        const std::string token = s.session.csrf_token;
        session_authenticated(s.session, e.session, token, now);
        go(Screen::Main);
    }

    void on_error(const FlowEvent& e)
    {
        const ScreenOffers offers = screen_offers(s.screen);
        if (e.kind == FlowEventKind::ClickRetry && offers.reload) {
            effect(EffectKind::ReloadPage);
            return;
        }
        if (e.kind == FlowEventKind::ClickBack && offers.back_to_login) {
            to_login();
            return;
        }
        if (e.kind != FlowEventKind::ClickRetry || !offers.retry)
            return;
        switch (s.retry) {
        case RequestKind::Session:
            send(RequestKind::Session);
            go(Screen::Restoring);
            break;
        case RequestKind::Logout:
            send(RequestKind::Logout, s.session.csrf_token);
            go(Screen::LoggingOut);
            break;
        case RequestKind::Enroll:
            go(Screen::EnrollEntry);   // a new key pair; the 取得用パスワード was wiped, so it is typed again
            break;
        default:
            identify();
            break;
        }
    }

    // ------------------------------------------------------------ any screen

    // Replies and failures: only the outstanding request's; anything else is a leftover.
    bool accept_reply(const FlowEvent& e)
    {
        RequestKind kind = RequestKind::None;
        switch (e.kind) {
        case FlowEventKind::IdentifyReply: kind = RequestKind::Identify; break;
        case FlowEventKind::LoginReply: kind = RequestKind::Login; break;
        case FlowEventKind::ForceLogoutReply: kind = RequestKind::ForceLogout; break;
        case FlowEventKind::SessionReply: kind = RequestKind::Session; break;
        case FlowEventKind::KeepaliveReply: kind = RequestKind::Keepalive; break;
        case FlowEventKind::LogoutReply: kind = RequestKind::Logout; break;
        case FlowEventKind::EnrollReply: kind = RequestKind::Enroll; break;
        case FlowEventKind::RenewReply: kind = RequestKind::Renew; break;
        case FlowEventKind::RequestFailed: kind = s.pending; break;
        case FlowEventKind::KeyPairReady:
        case FlowEventKind::KeyPairFailed:
            return e.seq == s.key_pair_seq && s.key_pair_seq != 0;   // only the key pair asked for last
        default: return true;   // not a reply
        }
        if (s.pending == RequestKind::None || kind != s.pending || e.seq != s.pending_seq)
            return false;
        drop_pending();
        return true;
    }

    void on_tick()
    {
        if (s.screen == Screen::CertificateRequesting && s.purpose == CertificatePurpose::Renew &&
            s.pending == RequestKind::None && now >= s.key_pair_deadline) {
            renewal_failed(Notice::RenewalFailed);
            return;
        }
        if (s.pending != RequestKind::None && now >= s.pending_deadline) {
            const RequestKind kind = s.pending;
            drop_pending();
            failed(kind, true);
        }
        if (s.session.phase == SessionPhase::Authenticated && session_over(s.session, now) &&
            s.screen != Screen::LoggingOut)
            expired();
    }

    void apply(const FlowEvent& e)
    {
        const RequestKind outstanding = s.pending;   // accept_reply clears it
        if (!accept_reply(e))
            return;
        switch (e.kind) {
        case FlowEventKind::None:
            return;
        case FlowEventKind::PageLoaded:
            if (s.started || s.screen != Screen::Login)
                return;
            s.started = true;
            effect(EffectKind::PushHistoryEntry);
            if (!e.text.empty()) {
                s.session.csrf_token = e.text;
                send(RequestKind::Session);
                go(Screen::Restoring);
            }
            return;
        case FlowEventKind::ConfigFailed:
            if (s.started || s.screen != Screen::Login)
                return;
            s.started = true;
            s.config_error = e.text;
            go(Screen::ErrorConfiguration);
            return;
        case FlowEventKind::BrowserBack:
            s.notice = Notice::BackButton;
            effect(EffectKind::PushHistoryEntry);
            return;
        case FlowEventKind::Tick:
            on_tick();
            return;
        case FlowEventKind::RequestFailed:
            if (e.server_refused) {
                misconfigured(e.text);   // retrying cannot help, nor can the customer's network
                return;
            }
            failed(outstanding, e.timed_out);
            return;
        case FlowEventKind::Misconfigured:
            if (s.started || s.screen != Screen::Login)
                return;
            s.started = true;
            misconfigured(e.text);
            return;
        case FlowEventKind::BroadcastLogout:
            if (s.session.phase == SessionPhase::Authenticated)
                logged_out(false);
            return;
        default:
            break;
        }
        switch (s.screen) {
        case Screen::Login: on_login(e); break;
        case Screen::Restoring: on_restoring(e); break;
        case Screen::CertificatePrompt: on_certificate_prompt(e); break;
        case Screen::Identifying: on_identifying(e); break;
        case Screen::PasswordEntry: on_password_entry(e); break;
        case Screen::Authenticating: on_authenticating(e); break;
        case Screen::ForcedLogoutRequired: on_forced_logout_required(e); break;
        case Screen::ForcingLogout: on_forcing_logout(e); break;
        case Screen::Main: on_main(e); break;
        case Screen::LoggingOut: on_logging_out(e); break;
        case Screen::LoggedOut: on_logged_out(e); break;
        case Screen::SessionExpired: on_session_expired(e); break;
        case Screen::EnrollEntry: on_enroll_entry(e); break;
        case Screen::CertificateRequesting: on_certificate_requesting(e); break;
        case Screen::PassphraseEntry: on_passphrase_entry(e); break;
        case Screen::CertificateSaving: on_certificate_saving(e); break;
        case Screen::CertificateSaved: on_certificate_saved(e); break;
        default: on_error(e); break;
        }
    }
};

} // namespace

RequestKind flow_awaited_request(const FlowState& state, uint32_t seq)
{
    return seq == state.pending_seq ? state.pending : RequestKind::None;
}

FlowOutput flow_apply(FlowState& state, const FlowEvent& event, double now)
{
    FlowOutput out;
    Step step{state, out, now};
    step.apply(event);
    if (out.screen_changed) {
        bool wiped = false;
        for (const Effect& e : out.effects)
            wiped = wiped || e.kind == EffectKind::WipePassword;
        if (!wiped) {
            Effect wipe;
            wipe.kind = EffectKind::WipePassword;
            out.effects.push_back(wipe);
        }
    }
    return out;
}
