#include "core/screen_flow.h"
#include "core/error_text.h"

#include <algorithm>
#include <catch_amalgamated.hpp>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

// ---------------------------------------------------------------- fixtures
// Every start state is reached by driving the flow with real events from a fresh page, so the
// tests exercise the states the product can actually be in.

constexpr double kT0 = 100.0;               // page clock at start
constexpr int64_t kServer = 1800000000;     // server clock at kT0
constexpr int kMenuEntries = 3;

using api::ErrorCode;

static api::Reply<api::IdentifyResponse> identify_ok()
{
    api::Reply<api::IdentifyResponse> r;
    r.ok = true;
    r.value.identity.user_id = "unga";
    r.value.identity.institution_code = "1399";
    r.value.identity.display_name = "運河 太郎";
    r.value.identity.not_after = kServer + 365 * 86400;
    r.value.ticket = "login-ticket";
    r.value.ticket_expires_at = kServer + 300;
    r.value.server_time = kServer;
    return r;
}

static api::SessionInfo session_info()
{
    api::SessionInfo info;
    info.user_id = "unga";
    info.user_name = "運河 太郎";
    info.company_name = "運河商事株式会社";
    info.server_time = kServer;
    info.idle_expires_at = kServer + 600;
    info.absolute_expires_at = kServer + 3600;
    return info;
}

static api::Reply<api::LoginResponse> login_ok()
{
    api::Reply<api::LoginResponse> r;
    r.ok = true;
    r.value.session = session_info();
    r.value.csrf_token = "csrf-from-login";
    return r;
}

template <typename T>
static api::Reply<T> failure(ErrorCode code)
{
    api::Reply<T> r;
    r.error.code = code;
    if (code == ErrorCode::WrongPassword)
        r.error.remaining_attempts = 3;
    if (code == ErrorCode::SessionActive) {
        r.error.force_logout_ticket = "force-ticket";
        r.error.active_session_source_address = "192.0.2.9";
    }
    return r;
}

static api::Reply<api::ForceLogoutResponse> force_logout_ok()
{
    api::Reply<api::ForceLogoutResponse> r;
    r.ok = true;
    r.value.ticket = "new-login-ticket";
    r.value.server_time = kServer;
    return r;
}

static api::Reply<api::SessionInfo> session_ok()
{
    api::Reply<api::SessionInfo> r;
    r.ok = true;
    r.value = session_info();
    return r;
}

static api::Reply<api::KeepaliveResponse> keepalive_ok()
{
    api::Reply<api::KeepaliveResponse> r;
    r.ok = true;
    r.value.server_time = kServer + 10;
    r.value.idle_expires_at = kServer + 610;
    r.value.absolute_expires_at = kServer + 3600;
    return r;
}

static api::Reply<api::CertificateIssued> issued_ok()
{
    api::Reply<api::CertificateIssued> r;
    r.ok = true;
    r.value.certificate = "TUlJQg==";
    r.value.ca_certificates = {"TUlJQw=="};
    r.value.file_name = "unga1399.p12";
    r.value.not_after = kServer + 365 * 86400;
    r.value.server_time = kServer;
    return r;
}

template <typename T>
static api::Reply<T> failure(ErrorCode code);

static api::Reply<api::CertificateIssued> issued_failure(ErrorCode code)
{
    api::Reply<api::CertificateIssued> r = failure<api::CertificateIssued>(code);
    if (code == ErrorCode::EnrollmentCodeWrong)
        r.error.remaining_attempts = 4;
    return r;
}

static FlowEvent enroll_reply(uint32_t seq, const api::Reply<api::CertificateIssued>& r)
{
    return flow_certificate_reply(FlowEventKind::EnrollReply, seq, r);
}

static FlowEvent renew_reply(uint32_t seq, const api::Reply<api::CertificateIssued>& r)
{
    return flow_certificate_reply(FlowEventKind::RenewReply, seq, r);
}

static api::Reply<api::LogoutResponse> logout_ok()
{
    api::Reply<api::LogoutResponse> r;
    r.ok = true;
    r.value.server_time = kServer;
    return r;
}

// Start states: every screen, plus the variants a screen can be in.
enum class Start {
    Fresh,                  // page not loaded yet
    Login, Restoring, CertificatePrompt, Identifying, PasswordEntry, Authenticating,
    ForcedLogoutRequired, ForcingLogout, Main, MainExtending, LoggingOut, LoggedOut, SessionExpired,
    ErrorNoCertificate, ErrorCertificateExpired, ErrorCertificateNotYetValid, ErrorCertificateRevoked,
    ErrorUnknownIssuer, ErrorWrongUsage, ErrorWrongInstitution, ErrorBadSubject, ErrorNotRegistered,
    ErrorCertificateMismatch, ErrorLocked, ErrorLoginExpired, ErrorMalformedReply,
    UnavailableIdentify,    // ErrorUnavailable; retry identifies again
    UnavailableRestore,     // ErrorUnavailable; retry asks for the session again
    UnavailableLogout,      // ErrorUnavailable; retry logs out again
    ErrorConfiguration,
    // 電子証明書取得 / 更新
    EnrollEntry,            // the key pair is being made
    EnrollEntryReady,       // the key pair is ready: 次へ sends
    EnrollRequesting,       // the enroll request is out
    MainRenewable,          // main screen inside the renewal window
    RenewMakingKey,         // 電子証明書を更新 pressed: the key pair is being made
    RenewRequesting,        // the renew request is out
    PassphraseEnroll, PassphraseRenew, CertificateSaving, CertificateSavedEnroll, CertificateSavedRenew,
    ErrorEnrollmentLocked, ErrorEnrollmentCodeExpired, ErrorEnrollmentCodeUsed, ErrorCertificateRequest,
    UnavailableEnroll,      // ErrorUnavailable; retry starts 取得 again
    Count
};

static const char* start_name(Start s)
{
    static const char* names[] = {
        "fresh", "login", "restoring", "certificate_prompt", "identifying", "password_entry", "authenticating",
        "forced_logout_required", "forcing_logout", "main", "main_extending", "logging_out", "logged_out",
        "session_expired", "error_no_certificate", "error_certificate_expired", "error_certificate_not_yet_valid",
        "error_certificate_revoked", "error_unknown_issuer", "error_wrong_usage", "error_wrong_institution",
        "error_bad_subject", "error_not_registered", "error_certificate_mismatch", "error_locked",
        "error_login_expired", "error_malformed_reply", "unavailable_identify", "unavailable_restore",
        "unavailable_logout", "error_configuration", "enroll_entry", "enroll_entry_ready", "enroll_requesting",
        "main_renewable", "renew_making_key", "renew_requesting", "passphrase_enroll", "passphrase_renew",
        "certificate_saving", "certificate_saved_enroll", "certificate_saved_renew", "error_enrollment_locked",
        "error_enrollment_code_expired", "error_enrollment_code_used", "error_certificate_request",
        "unavailable_enroll"};
    static_assert(sizeof(names) / sizeof(names[0]) == static_cast<size_t>(Start::Count));
    return names[static_cast<int>(s)];
}

static void step(FlowState& s, const FlowEvent& e)
{
    flow_apply(s, e, kT0);
}

static void ok_click(FlowState& s, FlowEventKind kind)
{
    step(s, flow_event(kind));
}

// The certificate screens after the file is issued: the import password, the file, the guide.
static FlowState reach_file(FlowState s, Start start)
{
    if (start == Start::PassphraseEnroll || start == Start::PassphraseRenew)
        return s;
    step(s, flow_submit_passphrase(10, 10, true));
    if (start == Start::CertificateSaving)
        return s;
    step(s, flow_event(FlowEventKind::FileSaved));
    return s;
}

static FlowState reach_enrollment(FlowState s, Start start)
{
    step(s, flow_event(FlowEventKind::ClickCertificateEnroll));
    if (start == Start::EnrollEntry)
        return s;
    step(s, flow_key_pair_ready(s.key_pair_seq, "Q1NS"));
    if (start == Start::EnrollEntryReady)
        return s;
    step(s, flow_submit_enrollment("unga", 12));
    if (start == Start::EnrollRequesting)
        return s;
    if (start == Start::UnavailableEnroll) {
        step(s, flow_request_failed(s.pending_seq, false));
        return s;
    }
    struct EnrollFailure { Start start; ErrorCode code; };
    const EnrollFailure failures[] = {
        {Start::ErrorEnrollmentLocked, ErrorCode::EnrollmentLocked},
        {Start::ErrorEnrollmentCodeExpired, ErrorCode::EnrollmentCodeExpired},
        {Start::ErrorEnrollmentCodeUsed, ErrorCode::EnrollmentCodeUsed},
        {Start::ErrorCertificateRequest, ErrorCode::CsrWeakKey},
    };
    for (const EnrollFailure& f : failures) {
        if (start == f.start) {
            step(s, enroll_reply(s.pending_seq, issued_failure(f.code)));
            return s;
        }
    }
    step(s, enroll_reply(s.pending_seq, issued_ok()));
    return reach_file(s, start);
}

static FlowState reach(Start start)
{
    FlowState s = flow_init(120, true, kMenuEntries);
    if (start == Start::Fresh)
        return s;
    if (start == Start::ErrorConfiguration) {
        FlowEvent e = flow_event(FlowEventKind::ConfigFailed);
        e.text = "certificate_origin: is missing";
        step(s, e);
        return s;
    }
    const bool restore = start == Start::Restoring || start == Start::UnavailableRestore;
    step(s, flow_page_loaded(restore ? "csrf-remembered" : ""));
    if (start == Start::Login || start == Start::Restoring)
        return s;
    if (start == Start::UnavailableRestore) {
        step(s, flow_request_failed(s.pending_seq, false));
        return s;
    }
    if (start >= Start::EnrollEntry && start != Start::MainRenewable && start != Start::RenewMakingKey &&
        start != Start::RenewRequesting && start != Start::PassphraseRenew && start != Start::CertificateSavedRenew)
        return reach_enrollment(s, start);
    ok_click(s, FlowEventKind::ClickCertificateLogin);
    if (start == Start::CertificatePrompt)
        return s;
    ok_click(s, FlowEventKind::ClickOk);
    if (start == Start::Identifying)
        return s;

    struct IdentifyFailure { Start start; ErrorCode code; };
    const IdentifyFailure identify_failures[] = {
        {Start::ErrorNoCertificate, ErrorCode::NoCertificate},
        {Start::ErrorCertificateExpired, ErrorCode::CertExpired},
        {Start::ErrorCertificateNotYetValid, ErrorCode::CertNotYetValid},
        {Start::ErrorCertificateRevoked, ErrorCode::CertRevoked},
        {Start::ErrorUnknownIssuer, ErrorCode::CertUnknownIssuer},
        {Start::ErrorWrongUsage, ErrorCode::CertWrongUsage},
        {Start::ErrorWrongInstitution, ErrorCode::CertWrongInstitution},
        {Start::ErrorBadSubject, ErrorCode::CertBadSubject},
        {Start::ErrorNotRegistered, ErrorCode::CertNotRegistered},
        {Start::ErrorMalformedReply, ErrorCode::Internal},
    };
    for (const IdentifyFailure& f : identify_failures) {
        if (start == f.start) {
            step(s, flow_identify_reply(s.pending_seq, failure<api::IdentifyResponse>(f.code)));
            return s;
        }
    }
    if (start == Start::UnavailableIdentify) {
        step(s, flow_request_failed(s.pending_seq, false));
        return s;
    }
    step(s, flow_identify_reply(s.pending_seq, identify_ok()));
    if (start == Start::PasswordEntry)
        return s;
    step(s, flow_submit_password(8));
    if (start == Start::Authenticating)
        return s;
    if (start == Start::ErrorLocked || start == Start::ErrorLoginExpired) {
        const ErrorCode code = start == Start::ErrorLocked ? ErrorCode::Locked : ErrorCode::TicketExpired;
        step(s, flow_login_reply(s.pending_seq, failure<api::LoginResponse>(code)));
        return s;
    }
    if (start == Start::ForcedLogoutRequired || start == Start::ForcingLogout) {
        step(s, flow_login_reply(s.pending_seq, failure<api::LoginResponse>(ErrorCode::SessionActive)));
        if (start == Start::ForcingLogout)
            ok_click(s, FlowEventKind::ClickForceLogout);
        return s;
    }
    if (start == Start::MainRenewable || start == Start::RenewMakingKey || start == Start::RenewRequesting ||
        start == Start::PassphraseRenew || start == Start::CertificateSavedRenew) {
        api::Reply<api::LoginResponse> renewable = login_ok();
        renewable.value.session.certificate_not_after = kServer + 20 * 86400;
        renewable.value.session.renewal_opens_at = kServer - 10 * 86400;
        step(s, flow_login_reply(s.pending_seq, renewable));
        if (start == Start::MainRenewable)
            return s;
        step(s, flow_event(FlowEventKind::ClickRenewCertificate));
        if (start == Start::RenewMakingKey)
            return s;
        step(s, flow_key_pair_ready(s.key_pair_seq, "Q1NS"));
        if (start == Start::RenewRequesting)
            return s;
        step(s, renew_reply(s.pending_seq, issued_ok()));
        return reach_file(s, start);
    }
    step(s, flow_login_reply(s.pending_seq, login_ok()));
    if (start == Start::Main)
        return s;
    if (start == Start::MainExtending) {
        ok_click(s, FlowEventKind::ClickExtend);
        return s;
    }
    if (start == Start::ErrorCertificateMismatch) {
        ok_click(s, FlowEventKind::ClickExtend);
        step(s, flow_keepalive_reply(s.pending_seq, failure<api::KeepaliveResponse>(ErrorCode::CertMismatch)));
        return s;
    }
    if (start == Start::SessionExpired) {
        flow_apply(s, flow_event(FlowEventKind::Tick), kT0 + 601);
        return s;
    }
    ok_click(s, FlowEventKind::ClickLogout);
    if (start == Start::LoggingOut)
        return s;
    if (start == Start::UnavailableLogout) {
        step(s, flow_request_failed(s.pending_seq, true));
        return s;
    }
    step(s, flow_logout_reply(s.pending_seq, logout_ok()));
    REQUIRE(start == Start::LoggedOut);
    return s;
}

// ---------------------------------------------------------------- every event, every start

// One event of each kind, shaped as the platform would send it in state `s` (replies answer the
// outstanding request, so they are accepted whenever their kind fits).
static FlowEvent sample_event(FlowEventKind kind, const FlowState& s)
{
    switch (kind) {
    case FlowEventKind::PageLoaded: return flow_page_loaded("");
    case FlowEventKind::ClickSubmitPassword: return flow_submit_password(8);
    case FlowEventKind::ClickMenuEntry: return flow_menu_entry(0);
    case FlowEventKind::BroadcastExtended: return flow_broadcast_extended(kServer + 900, kServer + 3600);
    case FlowEventKind::RequestFailed: return flow_request_failed(s.pending_seq, false);
    case FlowEventKind::IdentifyReply: return flow_identify_reply(s.pending_seq, identify_ok());
    case FlowEventKind::LoginReply: return flow_login_reply(s.pending_seq, login_ok());
    case FlowEventKind::ForceLogoutReply: return flow_force_logout_reply(s.pending_seq, force_logout_ok());
    case FlowEventKind::SessionReply: return flow_session_reply(s.pending_seq, session_ok());
    case FlowEventKind::KeepaliveReply: return flow_keepalive_reply(s.pending_seq, keepalive_ok());
    case FlowEventKind::LogoutReply: return flow_logout_reply(s.pending_seq, logout_ok());
    case FlowEventKind::EnrollReply: return enroll_reply(s.pending_seq, issued_ok());
    case FlowEventKind::RenewReply: return renew_reply(s.pending_seq, issued_ok());
    case FlowEventKind::ClickSubmitEnrollment: return flow_submit_enrollment("unga", 12);
    case FlowEventKind::ClickSubmitPassphrase: return flow_submit_passphrase(10, 10, true);
    case FlowEventKind::KeyPairReady: return flow_key_pair_ready(s.key_pair_seq, "Q1NT");
    case FlowEventKind::KeyPairFailed: return flow_key_pair_failed(s.key_pair_seq, "no WebCrypto");
    case FlowEventKind::ConfigFailed:
    case FlowEventKind::Misconfigured: {
        FlowEvent e = flow_event(kind);
        e.text = "broken";
        return e;
    }
    default: return flow_event(kind);
    }
}

static const char* event_name(FlowEventKind kind)
{
    static const char* names[] = {
        "None", "PageLoaded", "ConfigFailed", "Misconfigured", "Tick", "BrowserBack", "BroadcastLogout", "BroadcastExtended",
        "WindowCloseRefused", "ClickCertificateLogin", "ClickOk", "ClickBack", "ClickSubmitPassword",
        "ClickForceLogout", "ClickLogout", "ClickRelogin", "ClickCloseWindow", "ClickRetry", "ClickExtend",
        "ClickMenuEntry", "ClickToggleKeyboard", "ClickCertificateEnroll", "ClickSubmitEnrollment",
        "ClickRenewCertificate", "ClickSubmitPassphrase", "ClickSaveAgain", "KeyPairReady", "KeyPairFailed",
        "FileSaved", "FileFailed", "IdentifyReply", "LoginReply", "ForceLogoutReply", "SessionReply",
        "KeepaliveReply", "LogoutReply", "EnrollReply", "RenewReply", "RequestFailed"};
    static_assert(sizeof(names) / sizeof(names[0]) == static_cast<size_t>(FlowEventKind::RequestFailed) + 1);
    return names[static_cast<int>(kind)];
}

constexpr FlowEventKind kAllEvents[] = {
    FlowEventKind::PageLoaded, FlowEventKind::ConfigFailed, FlowEventKind::Misconfigured, FlowEventKind::Tick, FlowEventKind::BroadcastLogout,
    FlowEventKind::BroadcastExtended, FlowEventKind::WindowCloseRefused, FlowEventKind::ClickCertificateLogin,
    FlowEventKind::ClickOk, FlowEventKind::ClickBack, FlowEventKind::ClickSubmitPassword,
    FlowEventKind::ClickForceLogout, FlowEventKind::ClickLogout, FlowEventKind::ClickRelogin,
    FlowEventKind::ClickCloseWindow, FlowEventKind::ClickRetry, FlowEventKind::ClickExtend,
    FlowEventKind::ClickMenuEntry, FlowEventKind::ClickToggleKeyboard, FlowEventKind::IdentifyReply,
    FlowEventKind::LoginReply, FlowEventKind::ForceLogoutReply, FlowEventKind::SessionReply,
    FlowEventKind::KeepaliveReply, FlowEventKind::LogoutReply, FlowEventKind::RequestFailed,
    FlowEventKind::ClickCertificateEnroll, FlowEventKind::ClickSubmitEnrollment, FlowEventKind::ClickRenewCertificate,
    FlowEventKind::ClickSubmitPassphrase, FlowEventKind::ClickSaveAgain, FlowEventKind::KeyPairReady,
    FlowEventKind::KeyPairFailed, FlowEventKind::FileSaved, FlowEventKind::FileFailed, FlowEventKind::EnrollReply,
    FlowEventKind::RenewReply,
};

// The events each start state reacts to (BrowserBack is handled everywhere and tested apart).
// Everything else must leave the state untouched and produce no effect.
struct Legal { Start start; std::vector<FlowEventKind> events; };

static const std::vector<Legal>& legal_events()
{
    using K = FlowEventKind;
    const std::vector<K> error_screen = {K::ClickBack};
    static const std::vector<Legal> table = {
        {Start::Fresh, {K::PageLoaded, K::ConfigFailed, K::Misconfigured, K::ClickCertificateLogin, K::ClickCertificateEnroll}},
        {Start::Login, {K::ClickCertificateLogin, K::ClickCertificateEnroll}},
        {Start::Restoring, {K::SessionReply, K::RequestFailed}},
        {Start::CertificatePrompt, {K::ClickOk, K::ClickBack}},
        {Start::Identifying, {K::IdentifyReply, K::RequestFailed, K::ClickBack}},
        {Start::PasswordEntry, {K::ClickSubmitPassword, K::ClickBack, K::ClickToggleKeyboard}},
        {Start::Authenticating, {K::LoginReply, K::RequestFailed}},
        {Start::ForcedLogoutRequired, {K::ClickForceLogout, K::ClickBack}},
        {Start::ForcingLogout, {K::ForceLogoutReply, K::RequestFailed}},
        {Start::Main, {K::ClickLogout, K::ClickExtend, K::ClickMenuEntry, K::BroadcastLogout, K::BroadcastExtended}},
        {Start::MainExtending, {K::ClickLogout, K::ClickMenuEntry, K::BroadcastLogout, K::BroadcastExtended,
                                K::KeepaliveReply, K::RequestFailed}},
        {Start::LoggingOut, {K::LogoutReply, K::RequestFailed, K::BroadcastLogout}},
        {Start::LoggedOut, {K::ClickRelogin, K::ClickCloseWindow, K::WindowCloseRefused}},
        {Start::SessionExpired, {K::ClickRelogin}},
        {Start::ErrorNoCertificate, error_screen},
        {Start::ErrorCertificateExpired, error_screen},
        {Start::ErrorCertificateNotYetValid, error_screen},
        {Start::ErrorCertificateRevoked, error_screen},
        {Start::ErrorUnknownIssuer, error_screen},
        {Start::ErrorWrongUsage, error_screen},
        {Start::ErrorWrongInstitution, error_screen},
        {Start::ErrorBadSubject, error_screen},
        {Start::ErrorNotRegistered, error_screen},
        {Start::ErrorCertificateMismatch, error_screen},
        {Start::ErrorLocked, error_screen},
        {Start::ErrorLoginExpired, error_screen},
        {Start::ErrorMalformedReply, error_screen},
        {Start::UnavailableIdentify, {K::ClickBack, K::ClickRetry}},
        {Start::UnavailableRestore, {K::ClickBack, K::ClickRetry}},
        {Start::UnavailableLogout, {K::ClickBack, K::ClickRetry, K::BroadcastLogout}},
        {Start::ErrorConfiguration, {K::ClickRetry}},
        {Start::EnrollEntry, {K::ClickBack, K::ClickToggleKeyboard, K::KeyPairReady, K::KeyPairFailed,
                              K::ClickSubmitEnrollment}},
        {Start::EnrollEntryReady, {K::ClickBack, K::ClickToggleKeyboard, K::KeyPairFailed, K::ClickSubmitEnrollment}},
        {Start::EnrollRequesting, {K::EnrollReply, K::RequestFailed}},
        {Start::MainRenewable, {K::ClickLogout, K::ClickExtend, K::ClickMenuEntry, K::BroadcastLogout,
                                K::BroadcastExtended, K::ClickRenewCertificate}},
        {Start::RenewMakingKey, {K::KeyPairReady, K::KeyPairFailed, K::BroadcastLogout}},
        {Start::RenewRequesting, {K::RenewReply, K::RequestFailed, K::BroadcastLogout}},
        {Start::PassphraseEnroll, {K::ClickSubmitPassphrase, K::ClickToggleKeyboard}},
        {Start::PassphraseRenew, {K::ClickSubmitPassphrase, K::ClickToggleKeyboard, K::ClickBack, K::BroadcastLogout}},
        {Start::CertificateSaving, {K::FileSaved, K::FileFailed}},
        {Start::CertificateSavedEnroll, {K::ClickSaveAgain, K::ClickCertificateLogin, K::ClickBack}},
        {Start::CertificateSavedRenew, {K::ClickSaveAgain, K::ClickBack, K::BroadcastLogout}},
        {Start::ErrorEnrollmentLocked, error_screen},
        {Start::ErrorEnrollmentCodeExpired, error_screen},
        {Start::ErrorEnrollmentCodeUsed, error_screen},
        {Start::ErrorCertificateRequest, error_screen},
        {Start::UnavailableEnroll, {K::ClickBack, K::ClickRetry}},
    };
    return table;
}

static bool same_state(const FlowState& a, const FlowState& b)
{
    return a.screen == b.screen && a.notice == b.notice && a.remaining_attempts == b.remaining_attempts &&
           a.failure == b.failure && a.retry == b.retry && a.pending == b.pending && a.pending_seq == b.pending_seq &&
           a.last_seq == b.last_seq && a.started == b.started && a.software_keyboard == b.software_keyboard &&
           a.force_logout_ticket == b.force_logout_ticket && a.session.phase == b.session.phase &&
           a.session.ticket == b.session.ticket && a.session.csrf_token == b.session.csrf_token &&
           a.session.idle_expires_at == b.session.idle_expires_at &&
           a.session.absolute_expires_at == b.session.absolute_expires_at && a.purpose == b.purpose &&
           a.key_pair_seq == b.key_pair_seq && a.certificate_request == b.certificate_request &&
           a.issued.certificate == b.issued.certificate;
}

TEST_CASE("the start states are the screens they claim to be")
{
    struct Row { Start start; Screen screen; };
    const Row rows[] = {
        {Start::Fresh, Screen::Login}, {Start::Login, Screen::Login}, {Start::Restoring, Screen::Restoring},
        {Start::CertificatePrompt, Screen::CertificatePrompt}, {Start::Identifying, Screen::Identifying},
        {Start::PasswordEntry, Screen::PasswordEntry}, {Start::Authenticating, Screen::Authenticating},
        {Start::ForcedLogoutRequired, Screen::ForcedLogoutRequired}, {Start::ForcingLogout, Screen::ForcingLogout},
        {Start::Main, Screen::Main}, {Start::MainExtending, Screen::Main}, {Start::LoggingOut, Screen::LoggingOut},
        {Start::LoggedOut, Screen::LoggedOut}, {Start::SessionExpired, Screen::SessionExpired},
        {Start::ErrorNoCertificate, Screen::ErrorNoCertificate},
        {Start::ErrorCertificateExpired, Screen::ErrorCertificateExpired},
        {Start::ErrorCertificateNotYetValid, Screen::ErrorCertificateNotYetValid},
        {Start::ErrorCertificateRevoked, Screen::ErrorCertificateRevoked},
        {Start::ErrorUnknownIssuer, Screen::ErrorUnknownIssuer}, {Start::ErrorWrongUsage, Screen::ErrorWrongUsage},
        {Start::ErrorWrongInstitution, Screen::ErrorWrongInstitution}, {Start::ErrorBadSubject, Screen::ErrorBadSubject},
        {Start::ErrorNotRegistered, Screen::ErrorNotRegistered},
        {Start::ErrorCertificateMismatch, Screen::ErrorCertificateMismatch},
        {Start::ErrorLocked, Screen::ErrorLocked}, {Start::ErrorLoginExpired, Screen::ErrorLoginExpired},
        {Start::ErrorMalformedReply, Screen::ErrorMalformedReply},
        {Start::UnavailableIdentify, Screen::ErrorUnavailable}, {Start::UnavailableRestore, Screen::ErrorUnavailable},
        {Start::UnavailableLogout, Screen::ErrorUnavailable}, {Start::ErrorConfiguration, Screen::ErrorConfiguration},
        {Start::EnrollEntry, Screen::EnrollEntry}, {Start::EnrollEntryReady, Screen::EnrollEntry},
        {Start::EnrollRequesting, Screen::CertificateRequesting}, {Start::MainRenewable, Screen::Main},
        {Start::RenewMakingKey, Screen::CertificateRequesting}, {Start::RenewRequesting, Screen::CertificateRequesting},
        {Start::PassphraseEnroll, Screen::PassphraseEntry}, {Start::PassphraseRenew, Screen::PassphraseEntry},
        {Start::CertificateSaving, Screen::CertificateSaving}, {Start::CertificateSavedEnroll, Screen::CertificateSaved},
        {Start::CertificateSavedRenew, Screen::CertificateSaved},
        {Start::ErrorEnrollmentLocked, Screen::ErrorEnrollmentLocked},
        {Start::ErrorEnrollmentCodeExpired, Screen::ErrorEnrollmentCodeExpired},
        {Start::ErrorEnrollmentCodeUsed, Screen::ErrorEnrollmentCodeUsed},
        {Start::ErrorCertificateRequest, Screen::ErrorCertificateRequest},
        {Start::UnavailableEnroll, Screen::ErrorUnavailable},
    };
    REQUIRE(std::size(rows) == static_cast<size_t>(Start::Count));
    for (const Row& row : rows) {
        CAPTURE(start_name(row.start));
        CHECK(reach(row.start).screen == row.screen);
    }
    // Every screen of the product is covered by some start state.
    for (int i = 0; i < static_cast<int>(Screen::Count); i++) {
        const Screen screen = static_cast<Screen>(i);
        CAPTURE(screen_name(screen));
        CHECK(std::any_of(std::begin(rows), std::end(rows), [&](const Row& r) { return r.screen == screen; }));
    }
}

TEST_CASE("an event that makes no sense on a screen changes nothing and does nothing")
{
    int checked = 0;
    for (const Legal& legal : legal_events()) {
        for (FlowEventKind kind : kAllEvents) {
            if (std::find(legal.events.begin(), legal.events.end(), kind) != legal.events.end())
                continue;
            CAPTURE(start_name(legal.start), event_name(kind));
            FlowState s = reach(legal.start);
            const FlowState before = s;
            const FlowOutput out = flow_apply(s, sample_event(kind, s), kT0);
            CHECK(same_state(s, before));
            CHECK(out.effects.empty());
            CHECK_FALSE(out.screen_changed);
            checked++;
        }
    }
    CHECK(checked > 500);
}

TEST_CASE("every event listed as meaningful on a screen does change something")
{
    for (const Legal& legal : legal_events()) {
        for (FlowEventKind kind : legal.events) {
            CAPTURE(start_name(legal.start), event_name(kind));
            FlowState s = reach(legal.start);
            const FlowState before = s;
            const FlowOutput out = flow_apply(s, sample_event(kind, s), kT0);
            CHECK((!same_state(s, before) || !out.effects.empty()));
        }
    }
}

// ---------------------------------------------------------------- the transition table

using Make = std::function<FlowEvent(const FlowState&)>;

static Make click(FlowEventKind kind)
{
    return [kind](const FlowState&) { return flow_event(kind); };
}

template <typename T>
static Make reply_error(FlowEvent (*build)(uint32_t, const api::Reply<T>&), ErrorCode code)
{
    return [build, code](const FlowState& s) { return build(s.pending_seq, failure<T>(code)); };
}

static Make network_failure(bool timed_out)
{
    return [timed_out](const FlowState& s) { return flow_request_failed(s.pending_seq, timed_out); };
}

using E = EffectKind;

struct Transition {
    Start start;
    const char* what;
    Make event;
    Screen to;
    std::vector<EffectKind> effects;
    Notice notice = Notice::None;
    double at = kT0;
};

static std::vector<Transition> transitions()
{
    using K = FlowEventKind;
    std::vector<Transition> t = {
        // page start
        {Start::Fresh, "page load without a remembered session", [](const FlowState&) { return flow_page_loaded(""); },
         Screen::Login, {E::PushHistoryEntry}},
        {Start::Fresh, "page reload while logged in", [](const FlowState&) { return flow_page_loaded("csrf"); },
         Screen::Restoring, {E::PushHistoryEntry, E::SendRequest, E::WipePassword}},
        {Start::Fresh, "電子証明書ログイン before the load event", click(K::ClickCertificateLogin),
         Screen::CertificatePrompt, {E::WipePassword}},
        {Start::Fresh, "configuration failed", [](const FlowState&) { return flow_event(FlowEventKind::ConfigFailed); },
         Screen::ErrorConfiguration, {E::WipePassword}},
        {Start::Fresh, "page opened at an origin the service does not admit",
         [](const FlowState&) { return flow_event(FlowEventKind::Misconfigured); }, Screen::ErrorConfiguration,
         {E::WipePassword}},
        // login and certificate prompt
        {Start::Login, "電子証明書ログイン", click(K::ClickCertificateLogin), Screen::CertificatePrompt, {E::WipePassword}},
        {Start::CertificatePrompt, "OK", click(K::ClickOk), Screen::Identifying, {E::SendRequest, E::WipePassword}},
        {Start::CertificatePrompt, "cancel", click(K::ClickBack), Screen::Login, {E::WipePassword}},
        // identification
        {Start::Identifying, "identified", [](const FlowState& s) { return flow_identify_reply(s.pending_seq, identify_ok()); },
         Screen::PasswordEntry, {E::RememberCertificateName, E::WipePassword}},
        {Start::Identifying, "network failure", network_failure(false), Screen::ErrorUnavailable, {E::WipePassword}},
        {Start::Identifying, "timeout", network_failure(true), Screen::ErrorUnavailable, {E::WipePassword}},
        {Start::Identifying, "no reply by the deadline", click(K::Tick), Screen::ErrorUnavailable, {E::WipePassword},
         Notice::None, kT0 + kIdentifyTimeout + kDeadlineGrace},
        {Start::Identifying, "still waiting before the deadline", click(K::Tick), Screen::Identifying, {},
         Notice::None, kT0 + kIdentifyTimeout},
        {Start::Identifying, "back while waiting", click(K::ClickBack), Screen::Login, {E::WipePassword}},
        // password entry
        {Start::PasswordEntry, "認証", [](const FlowState&) { return flow_submit_password(8); }, Screen::Authenticating,
         {E::SendRequest, E::WipePassword}},
        {Start::PasswordEntry, "認証 with no password", [](const FlowState&) { return flow_submit_password(0); },
         Screen::PasswordEntry, {}, Notice::PasswordEmpty},
        {Start::PasswordEntry, "cancel", click(K::ClickBack), Screen::Login, {E::WipePassword}},
        {Start::PasswordEntry, "software keyboard toggle", click(K::ClickToggleKeyboard), Screen::PasswordEntry, {}},
        // authentication
        {Start::Authenticating, "logged in", [](const FlowState& s) { return flow_login_reply(s.pending_seq, login_ok()); },
         Screen::Main, {E::RememberSession, E::WipePassword}},
        {Start::Authenticating, "wrong password: identify again",
         reply_error(flow_login_reply, ErrorCode::WrongPassword), Screen::Identifying,
         {E::SendRequest, E::WipePassword}, Notice::WrongPassword},
        {Start::Authenticating, "locked", reply_error(flow_login_reply, ErrorCode::Locked), Screen::ErrorLocked, {E::WipePassword}},
        {Start::Authenticating, "session still active", reply_error(flow_login_reply, ErrorCode::SessionActive),
         Screen::ForcedLogoutRequired, {E::WipePassword}},
        {Start::Authenticating, "ticket expired", reply_error(flow_login_reply, ErrorCode::TicketExpired),
         Screen::ErrorLoginExpired, {E::WipePassword}},
        {Start::Authenticating, "ticket replayed", reply_error(flow_login_reply, ErrorCode::TicketInvalid),
         Screen::ErrorLoginExpired, {E::WipePassword}},
        {Start::Authenticating, "revoked meanwhile", reply_error(flow_login_reply, ErrorCode::CertRevoked),
         Screen::ErrorCertificateRevoked, {E::WipePassword}},
        {Start::Authenticating, "server busy", reply_error(flow_login_reply, ErrorCode::Unavailable),
         Screen::ErrorUnavailable, {E::WipePassword}},
        {Start::Authenticating, "revocation cannot be checked",
         reply_error(flow_login_reply, ErrorCode::RevocationUnavailable), Screen::ErrorUnavailable, {E::WipePassword}},
        {Start::Authenticating, "bad request", reply_error(flow_login_reply, ErrorCode::BadRequest),
         Screen::ErrorMalformedReply, {E::WipePassword}},
        {Start::Authenticating, "network failure", network_failure(false), Screen::ErrorUnavailable, {E::WipePassword}},
        {Start::Authenticating, "no reply by the deadline", click(K::Tick), Screen::ErrorUnavailable, {E::WipePassword},
         Notice::None, kT0 + kRequestTimeout + kDeadlineGrace},
        // forced logout
        {Start::ForcedLogoutRequired, "強制ログアウト", click(K::ClickForceLogout), Screen::ForcingLogout,
         {E::SendRequest, E::WipePassword}},
        {Start::ForcedLogoutRequired, "back", click(K::ClickBack), Screen::Login, {E::WipePassword}},
        {Start::ForcingLogout, "done: log in again",
         [](const FlowState& s) { return flow_force_logout_reply(s.pending_seq, force_logout_ok()); }, Screen::Login,
         {E::WipePassword}, Notice::ForcedLogoutDone},
        {Start::ForcingLogout, "the old session ended meanwhile",
         reply_error(flow_force_logout_reply, ErrorCode::SessionExpired), Screen::Login, {E::WipePassword},
         Notice::ForcedLogoutDone},
        {Start::ForcingLogout, "ticket expired", reply_error(flow_force_logout_reply, ErrorCode::TicketExpired),
         Screen::ErrorLoginExpired, {E::WipePassword}},
        {Start::ForcingLogout, "network failure", network_failure(true), Screen::ErrorUnavailable, {E::WipePassword}},
        // main screen
        {Start::Main, "ログアウト", click(K::ClickLogout), Screen::LoggingOut, {E::SendRequest, E::WipePassword}},
        {Start::Main, "延長", click(K::ClickExtend), Screen::Main, {E::SendRequest}},
        {Start::Main, "menu entry", [](const FlowState&) { return flow_menu_entry(2); }, Screen::Main, {E::OpenMenuEntry}},
        {Start::Main, "menu entry that does not exist", [](const FlowState&) { return flow_menu_entry(kMenuEntries); },
         Screen::Main, {}},
        {Start::Main, "menu entry with a negative index", [](const FlowState&) { return flow_menu_entry(-1); },
         Screen::Main, {}},
        {Start::Main, "logout in another tab", click(K::BroadcastLogout), Screen::LoggedOut,
         {E::ForgetSession, E::WipePassword}, Notice::LoggedOutElsewhere},
        {Start::Main, "extended in another tab",
         [](const FlowState&) { return flow_broadcast_extended(kServer + 900, kServer + 3600); }, Screen::Main, {}},
        {Start::Main, "idle timeout passed", click(K::Tick), Screen::SessionExpired, {E::ForgetSession, E::WipePassword},
         Notice::None, kT0 + 600},
        {Start::Main, "one second before the idle timeout", click(K::Tick), Screen::Main, {}, Notice::None, kT0 + 599},
        {Start::MainExtending, "extended", [](const FlowState& s) { return flow_keepalive_reply(s.pending_seq, keepalive_ok()); },
         Screen::Main, {E::BroadcastExtended}},
        {Start::MainExtending, "extend failed: still logged in", network_failure(false), Screen::Main, {},
         Notice::ExtendFailed},
        {Start::MainExtending, "extend: revocation cannot be checked",
         reply_error(flow_keepalive_reply, ErrorCode::RevocationUnavailable), Screen::Main, {}, Notice::ExtendFailed},
        {Start::MainExtending, "extend: server busy", reply_error(flow_keepalive_reply, ErrorCode::Unavailable),
         Screen::Main, {}, Notice::ExtendFailed},
        {Start::MainExtending, "extend: session already over", reply_error(flow_keepalive_reply, ErrorCode::SessionExpired),
         Screen::SessionExpired, {E::ForgetSession, E::WipePassword}},
        {Start::MainExtending, "extend: another certificate", reply_error(flow_keepalive_reply, ErrorCode::CertMismatch),
         Screen::ErrorCertificateMismatch, {E::ForgetSession, E::WipePassword}},
        {Start::MainExtending, "menu entry while extending", [](const FlowState&) { return flow_menu_entry(0); },
         Screen::Main, {E::OpenMenuEntry}},
        {Start::MainExtending, "logout in another tab while extending", click(K::BroadcastLogout), Screen::LoggedOut,
         {E::ForgetSession, E::WipePassword}, Notice::LoggedOutElsewhere},
        {Start::MainExtending, "extended in another tab while extending",
         [](const FlowState&) { return flow_broadcast_extended(kServer + 900, kServer + 3600); }, Screen::Main, {}},
        {Start::MainExtending, "ログアウト while extending", click(K::ClickLogout), Screen::LoggingOut,
         {E::SendRequest, E::WipePassword}},
        // logging out
        {Start::LoggingOut, "logged out", [](const FlowState& s) { return flow_logout_reply(s.pending_seq, logout_ok()); },
         Screen::LoggedOut, {E::ForgetSession, E::BroadcastLogout, E::WipePassword}},
        {Start::LoggingOut, "already logged out on the server", reply_error(flow_logout_reply, ErrorCode::NotLoggedIn),
         Screen::LoggedOut, {E::ForgetSession, E::BroadcastLogout, E::WipePassword}},
        {Start::LoggingOut, "network failure", network_failure(false), Screen::ErrorUnavailable, {E::WipePassword}},
        {Start::LoggingOut, "another tab logged out first", click(K::BroadcastLogout), Screen::LoggedOut,
         {E::ForgetSession, E::WipePassword}, Notice::LoggedOutElsewhere},
        {Start::LoggingOut, "csrf rejected", reply_error(flow_logout_reply, ErrorCode::Csrf), Screen::ErrorMalformedReply,
         {E::ForgetSession, E::WipePassword}},
        // logged out, expired
        {Start::LoggedOut, "再ログイン", click(K::ClickRelogin), Screen::Login, {E::WipePassword}},
        {Start::LoggedOut, "このウィンドウを閉じる", click(K::ClickCloseWindow), Screen::LoggedOut, {E::CloseWindow}},
        {Start::LoggedOut, "window.close refused", click(K::WindowCloseRefused), Screen::LoggedOut, {}, Notice::CloseRefused},
        {Start::SessionExpired, "再ログイン", click(K::ClickRelogin), Screen::Login, {E::WipePassword}},
        // restoring after reload
        {Start::Restoring, "session restored", [](const FlowState& s) { return flow_session_reply(s.pending_seq, session_ok()); },
         Screen::Main, {E::WipePassword}},
        {Start::Restoring, "no session any more", reply_error(flow_session_reply, ErrorCode::NotLoggedIn),
         Screen::SessionExpired, {E::ForgetSession, E::WipePassword}},
        {Start::Restoring, "session timed out", reply_error(flow_session_reply, ErrorCode::SessionExpired),
         Screen::SessionExpired, {E::ForgetSession, E::WipePassword}},
        {Start::Restoring, "no certificate", reply_error(flow_session_reply, ErrorCode::NoCertificate),
         Screen::ErrorNoCertificate, {E::ForgetSession, E::WipePassword}},
        {Start::Restoring, "network failure", network_failure(false), Screen::ErrorUnavailable, {E::WipePassword}},
        // revocation cannot be checked: the session is kept (no ForgetSession), 再試行 asks again
        {Start::Restoring, "revocation cannot be checked", reply_error(flow_session_reply, ErrorCode::RevocationUnavailable),
         Screen::ErrorUnavailable, {E::WipePassword}},
        {Start::LoggingOut, "revocation cannot be checked", reply_error(flow_logout_reply, ErrorCode::RevocationUnavailable),
         Screen::ErrorUnavailable, {E::WipePassword}},
        // ways forward from the error screens
        {Start::UnavailableIdentify, "再試行", click(K::ClickRetry), Screen::Identifying, {E::SendRequest, E::WipePassword}},
        {Start::UnavailableIdentify, "back", click(K::ClickBack), Screen::Login, {E::WipePassword}},
        {Start::UnavailableRestore, "再試行", click(K::ClickRetry), Screen::Restoring, {E::SendRequest, E::WipePassword}},
        {Start::UnavailableRestore, "back", click(K::ClickBack), Screen::Login, {E::ForgetSession, E::WipePassword}},
        {Start::UnavailableLogout, "再試行", click(K::ClickRetry), Screen::LoggingOut, {E::SendRequest, E::WipePassword}},
        {Start::UnavailableLogout, "back", click(K::ClickBack), Screen::Login, {E::ForgetSession, E::WipePassword}},
        {Start::UnavailableLogout, "another tab logged out", click(K::BroadcastLogout), Screen::LoggedOut,
         {E::ForgetSession, E::WipePassword}, Notice::LoggedOutElsewhere},
        {Start::ErrorConfiguration, "reload", click(K::ClickRetry), Screen::ErrorConfiguration, {E::ReloadPage}},
        // 電子証明書取得: the key pair is made as the screen opens
        {Start::Login, "電子証明書取得", click(K::ClickCertificateEnroll), Screen::EnrollEntry,
         {E::MakeKeyPair, E::WipePassword}},
        {Start::Fresh, "電子証明書取得 before the load event", click(K::ClickCertificateEnroll), Screen::EnrollEntry,
         {E::MakeKeyPair, E::WipePassword}},
        {Start::EnrollEntry, "key pair ready", [](const FlowState& s) { return flow_key_pair_ready(s.key_pair_seq, "Q1NS"); },
         Screen::EnrollEntry, {}},
        {Start::EnrollEntry, "次へ before the key pair: the code stays, a notice says wait",
         [](const FlowState&) { return flow_submit_enrollment("unga", 12); }, Screen::EnrollEntry, {},
         Notice::KeyPairPreparing},
        {Start::EnrollEntry, "no WebCrypto", [](const FlowState& s) { return flow_key_pair_failed(s.key_pair_seq, "x"); },
         Screen::ErrorCertificateRequest, {E::DiscardKeyPair, E::WipePassword}},
        {Start::EnrollEntry, "cancel", click(K::ClickBack), Screen::Login, {E::DiscardKeyPair, E::WipePassword}},
        {Start::EnrollEntry, "software keyboard toggle", click(K::ClickToggleKeyboard), Screen::EnrollEntry, {}},
        {Start::EnrollEntryReady, "次へ", [](const FlowState&) { return flow_submit_enrollment("unga", 12); },
         Screen::CertificateRequesting, {E::SendRequest, E::WipePassword}},
        {Start::EnrollEntryReady, "次へ without a user ID", [](const FlowState&) { return flow_submit_enrollment("", 12); },
         Screen::EnrollEntry, {}, Notice::EnrollFieldsEmpty},
        {Start::EnrollEntryReady, "次へ without a code", [](const FlowState&) { return flow_submit_enrollment("unga", 0); },
         Screen::EnrollEntry, {}, Notice::EnrollFieldsEmpty},
        {Start::EnrollEntryReady, "key pair lost", [](const FlowState& s) { return flow_key_pair_failed(s.key_pair_seq, "x"); },
         Screen::ErrorCertificateRequest, {E::DiscardKeyPair, E::WipePassword}},
        {Start::EnrollEntryReady, "cancel", click(K::ClickBack), Screen::Login, {E::DiscardKeyPair, E::WipePassword}},
        {Start::EnrollEntryReady, "software keyboard toggle", click(K::ClickToggleKeyboard), Screen::EnrollEntry, {}},
        {Start::EnrollRequesting, "issued", [](const FlowState& s) { return enroll_reply(s.pending_seq, issued_ok()); },
         Screen::PassphraseEntry, {E::WipePassword}},
        {Start::EnrollRequesting, "wrong code: type it again, the key pair kept",
         [](const FlowState& s) { return enroll_reply(s.pending_seq, issued_failure(ErrorCode::EnrollmentCodeWrong)); },
         Screen::EnrollEntry, {E::WipePassword}, Notice::EnrollmentCodeWrong},
        {Start::EnrollRequesting, "locked",
         [](const FlowState& s) { return enroll_reply(s.pending_seq, issued_failure(ErrorCode::EnrollmentLocked)); },
         Screen::ErrorEnrollmentLocked, {E::DiscardKeyPair, E::WipePassword}},
        {Start::EnrollRequesting, "expired",
         [](const FlowState& s) { return enroll_reply(s.pending_seq, issued_failure(ErrorCode::EnrollmentCodeExpired)); },
         Screen::ErrorEnrollmentCodeExpired, {E::DiscardKeyPair, E::WipePassword}},
        {Start::EnrollRequesting, "used",
         [](const FlowState& s) { return enroll_reply(s.pending_seq, issued_failure(ErrorCode::EnrollmentCodeUsed)); },
         Screen::ErrorEnrollmentCodeUsed, {E::DiscardKeyPair, E::WipePassword}},
        {Start::EnrollRequesting, "request refused",
         [](const FlowState& s) { return enroll_reply(s.pending_seq, issued_failure(ErrorCode::CsrWrongSubject)); },
         Screen::ErrorCertificateRequest, {E::DiscardKeyPair, E::WipePassword}},
        {Start::EnrollRequesting, "server busy",
         [](const FlowState& s) { return enroll_reply(s.pending_seq, issued_failure(ErrorCode::Unavailable)); },
         Screen::ErrorUnavailable, {E::DiscardKeyPair, E::WipePassword}},
        {Start::EnrollRequesting, "network failure", network_failure(false), Screen::ErrorUnavailable,
         {E::DiscardKeyPair, E::WipePassword}},
        {Start::UnavailableEnroll, "再試行: a new key pair, the code typed again", click(K::ClickRetry), Screen::EnrollEntry,
         {E::MakeKeyPair, E::WipePassword}},
        {Start::UnavailableEnroll, "back", click(K::ClickBack), Screen::Login, {E::WipePassword}},
        // the file
        {Start::PassphraseEnroll, "保存", [](const FlowState&) { return flow_submit_passphrase(10, 10, true); },
         Screen::CertificateSaving, {E::BuildCertificateFile, E::WipePassword}},
        {Start::PassphraseEnroll, "保存 with a short password", [](const FlowState&) { return flow_submit_passphrase(7, 7, true); },
         Screen::PassphraseEntry, {}, Notice::PassphraseTooShort},
        {Start::PassphraseEnroll, "保存 with two different entries",
         [](const FlowState&) { return flow_submit_passphrase(10, 10, false); }, Screen::PassphraseEntry, {},
         Notice::PassphraseMismatch},
        {Start::PassphraseEnroll, "software keyboard toggle", click(K::ClickToggleKeyboard), Screen::PassphraseEntry, {}},
        {Start::PassphraseRenew, "保存", [](const FlowState&) { return flow_submit_passphrase(10, 10, true); },
         Screen::CertificateSaving, {E::BuildCertificateFile, E::WipePassword}},
        {Start::PassphraseRenew, "cancel: back to the main screen", click(K::ClickBack), Screen::Main,
         {E::DiscardKeyPair, E::WipePassword}},
        {Start::PassphraseRenew, "software keyboard toggle", click(K::ClickToggleKeyboard), Screen::PassphraseEntry, {}},
        {Start::PassphraseRenew, "logout in another tab", click(K::BroadcastLogout), Screen::LoggedOut,
         {E::ForgetSession, E::DiscardKeyPair, E::WipePassword}, Notice::LoggedOutElsewhere},
        {Start::CertificateSaving, "saved", click(K::FileSaved), Screen::CertificateSaved, {E::WipePassword}},
        {Start::CertificateSaving, "could not be made: 保存 again", click(K::FileFailed), Screen::PassphraseEntry,
         {E::WipePassword}, Notice::FileFailed},
        {Start::CertificateSavedEnroll, "もう一度保存", click(K::ClickSaveAgain), Screen::CertificateSaved, {E::SaveFileAgain}},
        {Start::CertificateSavedEnroll, "電子証明書ログイン with the new certificate", click(K::ClickCertificateLogin),
         Screen::CertificatePrompt, {E::DiscardKeyPair, E::WipePassword}},
        {Start::CertificateSavedEnroll, "to the login screen", click(K::ClickBack), Screen::Login,
         {E::DiscardKeyPair, E::WipePassword}},
        {Start::CertificateSavedRenew, "もう一度保存", click(K::ClickSaveAgain), Screen::CertificateSaved, {E::SaveFileAgain}},
        {Start::CertificateSavedRenew, "back to the main screen", click(K::ClickBack), Screen::Main,
         {E::DiscardKeyPair, E::WipePassword}},
        {Start::CertificateSavedRenew, "logout in another tab", click(K::BroadcastLogout), Screen::LoggedOut,
         {E::ForgetSession, E::DiscardKeyPair, E::WipePassword}, Notice::LoggedOutElsewhere},
        // 電子証明書更新
        {Start::MainRenewable, "電子証明書を更新", click(K::ClickRenewCertificate), Screen::CertificateRequesting,
         {E::MakeKeyPair, E::WipePassword}},
        {Start::Main, "電子証明書を更新 outside the window does nothing", click(K::ClickRenewCertificate), Screen::Main, {}},
        {Start::MainRenewable, "ログアウト", click(K::ClickLogout), Screen::LoggingOut, {E::SendRequest, E::WipePassword}},
        {Start::MainRenewable, "延長", click(K::ClickExtend), Screen::Main, {E::SendRequest}},
        {Start::MainRenewable, "menu entry", [](const FlowState&) { return flow_menu_entry(0); }, Screen::Main,
         {E::OpenMenuEntry}},
        {Start::MainRenewable, "logout in another tab", click(K::BroadcastLogout), Screen::LoggedOut,
         {E::ForgetSession, E::WipePassword}, Notice::LoggedOutElsewhere},
        {Start::MainRenewable, "extended in another tab",
         [](const FlowState&) { return flow_broadcast_extended(kServer + 900, kServer + 3600); }, Screen::Main, {}},
        {Start::RenewMakingKey, "key pair ready: the request goes out",
         [](const FlowState& s) { return flow_key_pair_ready(s.key_pair_seq, "Q1NS"); }, Screen::CertificateRequesting,
         {E::SendRequest}},
        {Start::RenewMakingKey, "no WebCrypto: back, unchanged",
         [](const FlowState& s) { return flow_key_pair_failed(s.key_pair_seq, "x"); }, Screen::Main,
         {E::DiscardKeyPair, E::WipePassword}, Notice::RenewalFailed},
        {Start::RenewMakingKey, "no key pair by its deadline: back, unchanged", click(K::Tick), Screen::Main,
         {E::DiscardKeyPair, E::WipePassword}, Notice::RenewalFailed, kT0 + kKeyPairTimeout},
        {Start::RenewMakingKey, "still making the key pair", click(K::Tick), Screen::CertificateRequesting, {},
         Notice::None, kT0 + kKeyPairTimeout - 1},
        {Start::RenewMakingKey, "logout in another tab", click(K::BroadcastLogout), Screen::LoggedOut,
         {E::ForgetSession, E::DiscardKeyPair, E::WipePassword}, Notice::LoggedOutElsewhere},
        {Start::RenewRequesting, "issued", [](const FlowState& s) { return renew_reply(s.pending_seq, issued_ok()); },
         Screen::PassphraseEntry, {E::WipePassword}},
        {Start::RenewRequesting, "not open yet",
         [](const FlowState& s) { return renew_reply(s.pending_seq, issued_failure(ErrorCode::RenewalNotOpen)); },
         Screen::Main, {E::DiscardKeyPair, E::WipePassword}, Notice::RenewalNotOpen},
        {Start::RenewRequesting, "request refused",
         [](const FlowState& s) { return renew_reply(s.pending_seq, issued_failure(ErrorCode::CsrWeakKey)); },
         Screen::Main, {E::DiscardKeyPair, E::WipePassword}, Notice::RenewalFailed},
        {Start::RenewRequesting, "server busy",
         [](const FlowState& s) { return renew_reply(s.pending_seq, issued_failure(ErrorCode::Unavailable)); },
         Screen::Main, {E::DiscardKeyPair, E::WipePassword}, Notice::RenewalFailed},
        {Start::RenewRequesting, "session over meanwhile",
         [](const FlowState& s) { return renew_reply(s.pending_seq, issued_failure(ErrorCode::SessionExpired)); },
         Screen::SessionExpired, {E::ForgetSession, E::DiscardKeyPair, E::WipePassword}},
        {Start::RenewRequesting, "certificate revoked meanwhile",
         [](const FlowState& s) { return renew_reply(s.pending_seq, issued_failure(ErrorCode::CertRevoked)); },
         Screen::ErrorCertificateRevoked, {E::ForgetSession, E::DiscardKeyPair, E::WipePassword}},
        {Start::RenewRequesting, "network failure: back, unchanged", network_failure(true), Screen::Main,
         {E::DiscardKeyPair, E::WipePassword}, Notice::RenewalFailed},
        {Start::RenewRequesting, "logout in another tab", click(K::BroadcastLogout), Screen::LoggedOut,
         {E::ForgetSession, E::DiscardKeyPair, E::WipePassword}, Notice::LoggedOutElsewhere},
    };
    // Each certificate failure, from identification, has its own screen.
    struct CertFailure { ErrorCode code; Screen screen; };
    const CertFailure cert_failures[] = {
        {ErrorCode::NoCertificate, Screen::ErrorNoCertificate},
        {ErrorCode::CertExpired, Screen::ErrorCertificateExpired},
        {ErrorCode::CertNotYetValid, Screen::ErrorCertificateNotYetValid},
        {ErrorCode::CertRevoked, Screen::ErrorCertificateRevoked},
        {ErrorCode::CertUnknownIssuer, Screen::ErrorUnknownIssuer},
        {ErrorCode::CertWrongUsage, Screen::ErrorWrongUsage},
        {ErrorCode::CertWrongInstitution, Screen::ErrorWrongInstitution},
        {ErrorCode::CertBadSubject, Screen::ErrorBadSubject},
        {ErrorCode::CertNotRegistered, Screen::ErrorNotRegistered},
        {ErrorCode::Unavailable, Screen::ErrorUnavailable},
        {ErrorCode::RevocationUnavailable, Screen::ErrorUnavailable},
        {ErrorCode::Internal, Screen::ErrorMalformedReply},
        {ErrorCode::Unknown, Screen::ErrorMalformedReply},
        {ErrorCode::OriginNotAllowed, Screen::ErrorMalformedReply},
        {ErrorCode::WrongPassword, Screen::ErrorMalformedReply},   // makes no sense for identify
        {ErrorCode::NotLoggedIn, Screen::ErrorMalformedReply},
    };
    for (const CertFailure& f : cert_failures)
        t.push_back({Start::Identifying, api::error_code_name(f.code),
                     reply_error(flow_identify_reply, f.code), f.screen, {E::WipePassword}});
    // Every error screen leads back to the login screen.
    const Start error_starts[] = {
        Start::ErrorNoCertificate, Start::ErrorCertificateExpired, Start::ErrorCertificateNotYetValid,
        Start::ErrorCertificateRevoked, Start::ErrorUnknownIssuer, Start::ErrorWrongUsage, Start::ErrorWrongInstitution,
        Start::ErrorBadSubject, Start::ErrorNotRegistered, Start::ErrorLocked, Start::ErrorLoginExpired,
        Start::ErrorMalformedReply, Start::ErrorCertificateMismatch, Start::ErrorEnrollmentLocked,
        Start::ErrorEnrollmentCodeExpired, Start::ErrorEnrollmentCodeUsed, Start::ErrorCertificateRequest,
    };
    for (Start s : error_starts)
        t.push_back({s, "back to login", click(K::ClickBack), Screen::Login, {E::WipePassword}});
    return t;
}

static std::vector<EffectKind> kinds_of(const FlowOutput& out)
{
    std::vector<EffectKind> kinds;
    for (const Effect& e : out.effects)
        kinds.push_back(e.kind);
    return kinds;
}

static std::string kinds_text(const std::vector<EffectKind>& kinds)
{
    static const char* names[] = {"SendRequest", "WipePassword", "RememberCertificateName", "RememberSession",
                                  "ForgetSession", "BroadcastLogout", "BroadcastExtended", "PushHistoryEntry",
                                  "CloseWindow", "OpenMenuEntry", "ReloadPage", "MakeKeyPair",
                                  "BuildCertificateFile", "SaveFileAgain", "DiscardKeyPair"};
    std::string text;
    for (EffectKind k : kinds)
        text += std::string(text.empty() ? "" : ", ") + names[static_cast<int>(k)];
    return "[" + text + "]";
}

TEST_CASE("transition table: each event leads to the right screen with the right effects")
{
    for (const Transition& row : transitions()) {
        CAPTURE(start_name(row.start), row.what);
        FlowState s = reach(row.start);
        const Screen before = s.screen;
        const FlowOutput out = flow_apply(s, row.event(s), row.at);
        CHECK(screen_name(s.screen) == std::string(screen_name(row.to)));
        CHECK(kinds_text(kinds_of(out)) == kinds_text(row.effects));
        CHECK(static_cast<int>(s.notice) == static_cast<int>(row.notice));
        CHECK(out.screen_changed == (before != row.to));
    }
}

TEST_CASE("transition table covers every meaningful event of every start state")
{
    const std::vector<Transition> table = transitions();
    for (const Legal& legal : legal_events()) {
        for (FlowEventKind kind : legal.events) {
            CAPTURE(start_name(legal.start), event_name(kind));
            const bool covered = std::any_of(table.begin(), table.end(), [&](const Transition& t) {
                if (t.start != legal.start)
                    return false;
                FlowState s = reach(t.start);
                return t.event(s).kind == kind;
            });
            CHECK(covered);
        }
    }
}

// ---------------------------------------------------------------- properties over the table

TEST_CASE("every screen change wipes the password, after any request that needed it")
{
    for (const Transition& row : transitions()) {
        CAPTURE(start_name(row.start), row.what);
        FlowState s = reach(row.start);
        const FlowOutput out = flow_apply(s, row.event(s), row.at);
        const std::vector<EffectKind> kinds = kinds_of(out);
        const auto wipe = std::find(kinds.begin(), kinds.end(), EffectKind::WipePassword);
        if (out.screen_changed)
            CHECK(wipe != kinds.end());
        // The login password, the 取得用パスワード and the import password are read before the wipe.
        for (size_t i = 0; i < out.effects.size(); i++) {
            const Effect& e = out.effects[i];
            const bool reads_secret = (e.kind == EffectKind::SendRequest &&
                                       (e.request == RequestKind::Login || e.request == RequestKind::Enroll)) ||
                                      e.kind == EffectKind::BuildCertificateFile;
            if (reads_secret)
                CHECK(static_cast<size_t>(wipe - kinds.begin()) > i);
        }
    }
}

TEST_CASE("every network failure or timeout ends on a screen with a way forward")
{
    const Start waiting[] = {Start::Restoring, Start::Identifying, Start::Authenticating, Start::ForcingLogout,
                             Start::MainExtending, Start::LoggingOut};
    for (Start start : waiting) {
        for (int how = 0; how < 3; how++) {   // network failure, platform timeout, flow deadline
            CAPTURE(start_name(start), how);
            FlowState s = reach(start);
            const double deadline = kT0 + kDeadlineGrace + (start == Start::Identifying ? kIdentifyTimeout : kRequestTimeout);
            if (how < 2)
                flow_apply(s, flow_request_failed(s.pending_seq, how == 1), kT0);
            else
                flow_apply(s, flow_event(FlowEventKind::Tick), deadline);
            CHECK_FALSE(screen_is_waiting(s.screen));
            CHECK(s.pending == RequestKind::None);
            if (s.screen == Screen::ErrorUnavailable) {
                CHECK(s.failure == (how == 0 ? FailureKind::Network : FailureKind::Timeout));
                FlowState retry = s;
                const FlowOutput out = flow_apply(retry, flow_event(FlowEventKind::ClickRetry), kT0);
                CHECK(out.effects.front().kind == EffectKind::SendRequest);
                FlowState back = s;
                flow_apply(back, flow_event(FlowEventKind::ClickBack), kT0);
                CHECK(back.screen == Screen::Login);
            } else {
                // A failed keepalive keeps the customer on the main screen, told so, free to retry.
                CHECK(s.screen == Screen::Main);
                CHECK(s.notice == Notice::ExtendFailed);
                FlowState again = s;
                const FlowOutput out = flow_apply(again, flow_event(FlowEventKind::ClickExtend), deadline);
                CHECK(kinds_text(kinds_of(out)) == "[SendRequest]");
            }
        }
    }
}

// ---------------------------------------------------------------- stories

static int sends(const FlowOutput& out)
{
    return static_cast<int>(std::count_if(out.effects.begin(), out.effects.end(),
                                          [](const Effect& e) { return e.kind == EffectKind::SendRequest; }));
}

TEST_CASE("a double click never sends twice")
{
    struct Row { Start start; FlowEvent click; };
    const Row rows[] = {
        {Start::CertificatePrompt, flow_event(FlowEventKind::ClickOk)},
        {Start::PasswordEntry, flow_submit_password(8)},
        {Start::ForcedLogoutRequired, flow_event(FlowEventKind::ClickForceLogout)},
        {Start::Main, flow_event(FlowEventKind::ClickLogout)},
        {Start::Main, flow_event(FlowEventKind::ClickExtend)},
        {Start::UnavailableIdentify, flow_event(FlowEventKind::ClickRetry)},
        {Start::EnrollEntryReady, flow_submit_enrollment("unga", 12)},
    };
    for (const Row& row : rows) {
        CAPTURE(start_name(row.start), event_name(row.click.kind));
        FlowState s = reach(row.start);
        CHECK(sends(flow_apply(s, row.click, kT0)) == 1);
        CHECK(sends(flow_apply(s, row.click, kT0 + 0.05)) == 0);
        CHECK(sends(flow_apply(s, row.click, kT0 + 0.10)) == 0);
    }
}

TEST_CASE("a late reply from an abandoned attempt is dropped")
{
    FlowState s = reach(Start::Identifying);
    const uint32_t abandoned = s.pending_seq;
    flow_apply(s, flow_event(FlowEventKind::ClickBack), kT0);
    flow_apply(s, flow_event(FlowEventKind::ClickCertificateLogin), kT0);
    flow_apply(s, flow_event(FlowEventKind::ClickOk), kT0);
    REQUIRE(s.pending_seq > abandoned);

    // The first attempt's answer arrives now: not the outstanding request.
    const FlowState before = s;
    FlowOutput out = flow_apply(s, flow_identify_reply(abandoned, failure<api::IdentifyResponse>(ErrorCode::CertRevoked)), kT0);
    CHECK(same_state(s, before));
    CHECK(out.effects.empty());
    out = flow_apply(s, flow_request_failed(abandoned, true), kT0);
    CHECK(same_state(s, before));

    // The current attempt's answer is taken.
    flow_apply(s, flow_identify_reply(s.pending_seq, identify_ok()), kT0);
    CHECK(s.screen == Screen::PasswordEntry);
}

TEST_CASE("a login reply arriving after its timeout does not log the customer in")
{
    FlowState s = reach(Start::Authenticating);
    const uint32_t seq = s.pending_seq;
    flow_apply(s, flow_request_failed(seq, true), kT0 + kRequestTimeout);
    REQUIRE(s.screen == Screen::ErrorUnavailable);
    const FlowOutput out = flow_apply(s, flow_login_reply(seq, login_ok()), kT0 + kRequestTimeout + 1);
    CHECK(s.screen == Screen::ErrorUnavailable);
    CHECK(s.session.phase != SessionPhase::Authenticated);
    CHECK(out.effects.empty());
}

TEST_CASE("a reply of the wrong kind with the current number is dropped")
{
    FlowState s = reach(Start::Authenticating);
    const FlowState before = s;
    flow_apply(s, flow_identify_reply(s.pending_seq, identify_ok()), kT0);
    CHECK(same_state(s, before));
}

TEST_CASE("requests are numbered in increasing order and carry what the server needs")
{
    FlowState s = flow_init(120, true, kMenuEntries);
    flow_apply(s, flow_page_loaded(""), kT0);
    flow_apply(s, flow_event(FlowEventKind::ClickCertificateLogin), kT0);

    FlowOutput out = flow_apply(s, flow_event(FlowEventKind::ClickOk), kT0);
    REQUIRE(out.effects.front().kind == EffectKind::SendRequest);
    CHECK(out.effects.front().request == RequestKind::Identify);
    CHECK(out.effects.front().timeout == kIdentifyTimeout);   // the certificate dialog may be open
    const uint32_t identify_seq = out.effects.front().seq;

    out = flow_apply(s, flow_identify_reply(identify_seq, identify_ok()), kT0);
    CHECK(out.effects.front().kind == EffectKind::RememberCertificateName);
    CHECK(out.effects.front().text == "unga1399");

    out = flow_apply(s, flow_submit_password(8), kT0);
    const Effect login = out.effects.front();
    CHECK(login.request == RequestKind::Login);
    CHECK(login.seq > identify_seq);
    CHECK(login.text == "login-ticket");
    CHECK(login.timeout == kRequestTimeout);

    out = flow_apply(s, flow_login_reply(login.seq, login_ok()), kT0);
    CHECK(out.effects.front().kind == EffectKind::RememberSession);
    CHECK(out.effects.front().text == "csrf-from-login");
    CHECK(s.session.phase == SessionPhase::Authenticated);
    CHECK(s.session.info.company_name == "運河商事株式会社");

    out = flow_apply(s, flow_event(FlowEventKind::ClickExtend), kT0);
    CHECK(out.effects.front().request == RequestKind::Keepalive);
    CHECK(out.effects.front().text == "csrf-from-login");
    CHECK(out.effects.front().seq > login.seq);

    out = flow_apply(s, flow_event(FlowEventKind::ClickLogout), kT0);
    CHECK(out.effects.front().request == RequestKind::Logout);
    CHECK(out.effects.front().text == "csrf-from-login");
}

TEST_CASE("a wrong password fetches a new ticket and shows the remaining attempts on the password screen")
{
    FlowState s = reach(Start::Authenticating);
    flow_apply(s, flow_login_reply(s.pending_seq, failure<api::LoginResponse>(ErrorCode::WrongPassword)), kT0);
    CHECK(s.screen == Screen::Identifying);
    flow_apply(s, flow_identify_reply(s.pending_seq, identify_ok()), kT0);
    CHECK(s.screen == Screen::PasswordEntry);
    CHECK(s.notice == Notice::WrongPassword);
    CHECK(s.remaining_attempts == 3);
    CHECK(s.session.ticket == "login-ticket");
}

TEST_CASE("強制ログアウト sends the ticket from the session_active answer, then the customer logs in again")
{
    FlowState s = reach(Start::ForcedLogoutRequired);
    CHECK(s.last_error.active_session_source_address == "192.0.2.9");
    FlowOutput out = flow_apply(s, flow_event(FlowEventKind::ClickForceLogout), kT0);
    CHECK(out.effects.front().request == RequestKind::ForceLogout);
    CHECK(out.effects.front().text == "force-ticket");
    flow_apply(s, flow_force_logout_reply(s.pending_seq, force_logout_ok()), kT0);
    CHECK(s.screen == Screen::Login);
    CHECK(s.notice == Notice::ForcedLogoutDone);
    CHECK(s.force_logout_ticket.empty());
    CHECK(s.session.phase == SessionPhase::Anonymous);
}

TEST_CASE("a reload while logged in restores the main screen with the remembered CSRF token")
{
    FlowState s = reach(Start::Restoring);
    flow_apply(s, flow_session_reply(s.pending_seq, session_ok()), kT0);
    CHECK(s.screen == Screen::Main);
    CHECK(s.session.phase == SessionPhase::Authenticated);
    CHECK(s.session.csrf_token == "csrf-remembered");
    CHECK(session_remaining_seconds(s.session, kT0) == 600);
    const FlowOutput out = flow_apply(s, flow_event(FlowEventKind::ClickLogout), kT0);
    CHECK(out.effects.front().text == "csrf-remembered");
}

TEST_CASE("the page-load event counts only once")
{
    FlowState s = reach(Start::Login);
    const FlowState before = s;
    const FlowOutput out = flow_apply(s, flow_page_loaded("csrf"), kT0);
    CHECK(same_state(s, before));
    CHECK(out.effects.empty());
}

TEST_CASE("the session expires on the main screen at the server's expiry, not before")
{
    FlowState s = reach(Start::Main);
    for (double t = kT0; t < kT0 + 600; t += 37.5) {
        flow_apply(s, flow_event(FlowEventKind::Tick), t);
        REQUIRE(s.screen == Screen::Main);
    }
    flow_apply(s, flow_event(FlowEventKind::Tick), kT0 + 600);
    CHECK(s.screen == Screen::SessionExpired);
    CHECK(s.session.phase == SessionPhase::Expired);
    CHECK(s.session.csrf_token.empty());
}

TEST_CASE("an extension in another tab keeps this tab logged in past the old expiry")
{
    FlowState s = reach(Start::Main);
    flow_apply(s, flow_broadcast_extended(kServer + 900, kServer + 3600), kT0 + 500);
    flow_apply(s, flow_event(FlowEventKind::Tick), kT0 + 700);
    CHECK(s.screen == Screen::Main);
    CHECK(session_remaining_seconds(s.session, kT0 + 700) == 200);
}

TEST_CASE("延長 is offered only when it gains time, and succeeds by moving the expiry")
{
    FlowState s = reach(Start::Main);
    FlowOutput out = flow_apply(s, flow_event(FlowEventKind::ClickExtend), kT0 + 500);
    REQUIRE(sends(out) == 1);
    out = flow_apply(s, flow_keepalive_reply(s.pending_seq, keepalive_ok()), kT0 + 500);
    CHECK(out.effects.front().idle_expires_at == kServer + 610);
    CHECK(session_remaining_seconds(s.session, kT0 + 500) == 600);   // server said +10 s at kServer+610

    // Near the absolute expiry nothing can be gained: the click does nothing.
    FlowState late = reach(Start::Main);
    late.session.idle_expires_at = kServer + 3700;
    CHECK(sends(flow_apply(late, flow_event(FlowEventKind::ClickExtend), kT0 + 3500)) == 0);
}

TEST_CASE("the software keyboard starts as configured on every password screen")
{
    FlowState s = reach(Start::PasswordEntry);
    CHECK(s.software_keyboard);
    flow_apply(s, flow_event(FlowEventKind::ClickToggleKeyboard), kT0);
    CHECK_FALSE(s.software_keyboard);
    flow_apply(s, flow_submit_password(4), kT0);
    flow_apply(s, flow_login_reply(s.pending_seq, failure<api::LoginResponse>(ErrorCode::WrongPassword)), kT0);
    flow_apply(s, flow_identify_reply(s.pending_seq, identify_ok()), kT0);
    REQUIRE(s.screen == Screen::PasswordEntry);
    CHECK(s.software_keyboard);

    FlowState off = flow_init(120, false, 0);
    CHECK_FALSE(off.software_keyboard);
}

TEST_CASE("leaving the session anywhere forgets the remembered token; logging out tells other tabs")
{
    FlowState s = reach(Start::Main);
    FlowOutput out = flow_apply(s, flow_event(FlowEventKind::ClickLogout), kT0);
    out = flow_apply(s, flow_logout_reply(s.pending_seq, logout_ok()), kT0);
    CHECK(s.session.phase == SessionPhase::LoggedOut);
    CHECK(s.session.csrf_token.empty());
    CHECK(s.session.info.user_name.empty());
    // The logged-out screen ignores another tab's logout (nothing to do twice).
    const FlowState before = s;
    out = flow_apply(s, flow_event(FlowEventKind::BroadcastLogout), kT0);
    CHECK(same_state(s, before));
    CHECK(out.effects.empty());
}

// ---------------------------------------------------------------- hostile times
// Reply texts as the server sends them, through the same reader the platform uses.

static nlohmann::json login_text_json()
{
    nlohmann::json j = api::to_json(login_ok().value);
    j["session"]["institution_code"] = "1399";
    j["session"]["idle_timeout_seconds"] = 600;
    j["session"]["absolute_timeout_seconds"] = 3600;
    return j;
}

TEST_CASE("a reply whose time no calendar holds lands on the malformed-reply screen")
{
    using nlohmann::json;
    using Build = std::function<FlowEvent(uint32_t seq, const json& time)>;
    struct Row {
        Start start;
        const char* field;
        Build reply;              // the reply with `time` in `field`
        json sane_time;           // the same reply as the server would send it
        Screen sane_screen;
    };
    const Row rows[] = {
        {Start::Identifying, "identity.not_after",
         [](uint32_t seq, const json& t) {
             json j = api::to_json(identify_ok().value);
             j["identity"]["not_after"] = t;
             return flow_identify_reply(seq, api::read_identify_reply(200, api::dump_json(j)));
         },
         kServer + 365 * 86400, Screen::PasswordEntry},
        {Start::Identifying, "server_time",
         [](uint32_t seq, const json& t) {
             json j = api::to_json(identify_ok().value);
             j["server_time"] = t;
             return flow_identify_reply(seq, api::read_identify_reply(200, api::dump_json(j)));
         },
         kServer, Screen::PasswordEntry},
        {Start::Authenticating, "session.idle_expires_at",
         [](uint32_t seq, const json& t) {
             json j = login_text_json();
             j["session"]["idle_expires_at"] = t;
             return flow_login_reply(seq, api::read_login_reply(200, api::dump_json(j)));
         },
         kServer + 600, Screen::Main},
        {Start::Authenticating, "active_session_login_time (session_active)",
         [](uint32_t seq, const json& t) {
             json j = api::to_json(failure<api::LoginResponse>(ErrorCode::SessionActive).error);
             j["active_session_login_time"] = t;
             return flow_login_reply(seq, api::read_login_reply(409, api::dump_json(j)));
         },
         kServer - 60, Screen::ForcedLogoutRequired},
        {Start::ForcingLogout, "ended_session_login_time",
         [](uint32_t seq, const json& t) {
             json j = api::to_json(force_logout_ok().value);
             j["ended_session_login_time"] = t;
             return flow_force_logout_reply(seq, api::read_force_logout_reply(200, api::dump_json(j)));
         },
         kServer - 60, Screen::Login},
        {Start::Restoring, "recent_logins[0].time",
         [](uint32_t seq, const json& t) {
             json j = login_text_json()["session"];
             j["recent_logins"] = json::array({{{"time", t}, {"source_address", "192.0.2.9"}, {"result", "success"}}});
             return flow_session_reply(seq, api::read_session_reply(200, api::dump_json(j)));
         },
         kServer, Screen::Main},
        {Start::MainExtending, "idle_expires_at (keepalive)",
         [](uint32_t seq, const json& t) {
             json j = api::to_json(keepalive_ok().value);
             j["idle_expires_at"] = t;
             return flow_keepalive_reply(seq, api::read_keepalive_reply(200, api::dump_json(j)));
         },
         kServer + 610, Screen::Main},
        {Start::LoggingOut, "server_time (logout)",
         [](uint32_t seq, const json& t) {
             json j = api::to_json(logout_ok().value);
             j["server_time"] = t;
             return flow_logout_reply(seq, api::read_logout_reply(200, api::dump_json(j)));
         },
         kServer, Screen::LoggedOut},
    };
    const json hostile_times[] = {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(), -1,
                                  api::kMaxTime + 1};
    for (const Row& row : rows) {
        CAPTURE(start_name(row.start), row.field);
        FlowState sane = reach(row.start);
        step(sane, row.reply(sane.pending_seq, row.sane_time));
        CHECK(screen_name(sane.screen) == std::string(screen_name(row.sane_screen)));

        for (const json& t : hostile_times) {
            CAPTURE(t.dump());
            FlowState s = reach(row.start);
            step(s, row.reply(s.pending_seq, t));
            CHECK(screen_name(s.screen) == std::string(screen_name(Screen::ErrorMalformedReply)));
            CHECK(s.session.phase == SessionPhase::Anonymous);
            CHECK(session_remaining_seconds(s.session, kT0) == 0);
        }
    }
}

TEST_CASE("error codes map to their screens")
{
    struct Row { ErrorCode code; Screen screen; };
    const Row rows[] = {
        {ErrorCode::NoCertificate, Screen::ErrorNoCertificate}, {ErrorCode::CertExpired, Screen::ErrorCertificateExpired},
        {ErrorCode::CertNotYetValid, Screen::ErrorCertificateNotYetValid},
        {ErrorCode::CertRevoked, Screen::ErrorCertificateRevoked}, {ErrorCode::CertUnknownIssuer, Screen::ErrorUnknownIssuer},
        {ErrorCode::CertWrongUsage, Screen::ErrorWrongUsage}, {ErrorCode::CertWrongInstitution, Screen::ErrorWrongInstitution},
        {ErrorCode::CertBadSubject, Screen::ErrorBadSubject}, {ErrorCode::CertNotRegistered, Screen::ErrorNotRegistered},
        {ErrorCode::CertMismatch, Screen::ErrorCertificateMismatch}, {ErrorCode::Locked, Screen::ErrorLocked},
        {ErrorCode::TicketInvalid, Screen::ErrorLoginExpired}, {ErrorCode::TicketExpired, Screen::ErrorLoginExpired},
        {ErrorCode::Unavailable, Screen::ErrorUnavailable}, {ErrorCode::Internal, Screen::ErrorMalformedReply},
        {ErrorCode::RevocationUnavailable, Screen::ErrorUnavailable},
        {ErrorCode::Csrf, Screen::ErrorMalformedReply}, {ErrorCode::TooLarge, Screen::ErrorMalformedReply},
        {ErrorCode::Unknown, Screen::ErrorMalformedReply},
    };
    for (const Row& row : rows) {
        CAPTURE(api::error_code_name(row.code));
        CHECK(screen_for_error(row.code) == row.screen);
    }
}

TEST_CASE("screen names are distinct and error screens are recognised")
{
    for (int i = 0; i < static_cast<int>(Screen::Count); i++) {
        const Screen a = static_cast<Screen>(i);
        CHECK(std::string(screen_name(a)) != "unknown");
        CHECK(screen_is_error(a) == (std::string(screen_name(a)).rfind("error_", 0) == 0));
        for (int j = i + 1; j < static_cast<int>(Screen::Count); j++)
            CHECK(std::string(screen_name(a)) != screen_name(static_cast<Screen>(j)));
    }
}

TEST_CASE("placeholders in texts are filled")
{
    struct Row { const char* text; const char* name; const char* value; const char* result; };
    const Row rows[] = {
        {"あと{n}回", "n", "3", "あと3回"},
        {"{n}/{n}", "n", "2", "2/2"},
        {"no placeholder", "n", "3", "no placeholder"},
        {"{name} only", "n", "3", "{name} only"},
        {"{n", "n", "3", "{n"},
        {"", "n", "3", ""},
    };
    for (const Row& row : rows) {
        CAPTURE(row.text);
        CHECK(fill_placeholder(row.text, row.name, row.value) == row.result);
    }
}

TEST_CASE("a reply is read as the outstanding request's kind only; abandoned and unknown numbers read as none")
{
    FlowState s = reach(Start::Identifying);
    REQUIRE(s.pending == RequestKind::Identify);
    const uint32_t identify_seq = s.pending_seq;
    CHECK(flow_awaited_request(s, identify_seq) == RequestKind::Identify);
    CHECK(flow_awaited_request(s, identify_seq + 1) == RequestKind::None);
    ok_click(s, FlowEventKind::ClickBack);   // the attempt is abandoned
    CHECK(flow_awaited_request(s, identify_seq) == RequestKind::None);

    FlowState main = reach(Start::LoggingOut);
    CHECK(flow_awaited_request(main, main.pending_seq) == RequestKind::Logout);
    step(main, flow_logout_reply(main.pending_seq, logout_ok()));
    CHECK(flow_awaited_request(main, main.pending_seq) == RequestKind::None);
}

// ---------------------------------------------------------------- 電子証明書取得 / 更新

TEST_CASE("the import password: long enough, and the same twice")
{
    struct Row { int length; int again; bool match; Notice notice; };
    const Row rows[] = {
        {0, 0, true, Notice::PassphraseTooShort},
        {kMinPassphraseBytes - 1, kMinPassphraseBytes - 1, true, Notice::PassphraseTooShort},
        {kMinPassphraseBytes, kMinPassphraseBytes, true, Notice::None},
        {20, 20, true, Notice::None},
        {20, 20, false, Notice::PassphraseMismatch},
        {20, 19, true, Notice::PassphraseMismatch},
        {20, 0, false, Notice::PassphraseMismatch},
    };
    for (const Row& row : rows) {
        CAPTURE(row.length, row.again, row.match);
        CHECK(passphrase_notice(row.length, row.again, row.match) == row.notice);
    }
}

TEST_CASE("renewal is offered inside the server's window only, on the server's clock")
{
    FlowState s = reach(Start::MainRenewable);
    CHECK(renewal_open(s.session, kT0));
    // The page's clock is 1000 s ahead of the server's: the server's clock decides.
    struct Row { int64_t opens; int64_t not_after; bool open; };
    const Row rows[] = {
        {kServer - 1, kServer + 100, true},
        {kServer, kServer + 100, true},
        {kServer + 1, kServer + 100, false},
        {kServer - 100, kServer, false},   // expired: a new certificate is obtained, not renewed
        {0, kServer + 100, false},         // an older server that says nothing
    };
    for (const Row& row : rows) {
        CAPTURE(row.opens, row.not_after);
        ClientSession session = s.session;
        session.info.renewal_opens_at = row.opens;
        session.info.certificate_not_after = row.not_after;
        CHECK(renewal_open(session, kT0) == row.open);
    }
    ClientSession anonymous;
    anonymous.info.renewal_opens_at = kServer - 1;
    anonymous.info.certificate_not_after = kServer + 100;
    CHECK_FALSE(renewal_open(anonymous, kT0));
}

TEST_CASE("取得: the request carries the typed ID and the key pair's request; a stale key pair is dropped")
{
    FlowState s = reach(Start::EnrollEntry);
    const uint32_t first = s.key_pair_seq;
    flow_apply(s, flow_event(FlowEventKind::ClickBack), kT0);
    flow_apply(s, flow_event(FlowEventKind::ClickCertificateEnroll), kT0);
    CHECK(s.key_pair_seq != first);
    // The first visit's key pair arrives late: dropped, the request stays unmade.
    FlowOutput late = flow_apply(s, flow_key_pair_ready(first, "T0xE"), kT0);
    CHECK(late.effects.empty());
    CHECK(s.certificate_request.empty());
    flow_apply(s, flow_key_pair_ready(s.key_pair_seq, "TkVX"), kT0);
    CHECK(s.certificate_request == "TkVX");
    FlowOutput out = flow_apply(s, flow_submit_enrollment("unga", 12), kT0);
    REQUIRE(out.effects.size() == 2);
    CHECK(out.effects[0].kind == EffectKind::SendRequest);
    CHECK(out.effects[0].request == RequestKind::Enroll);
    CHECK(out.effects[0].text == "unga");
    CHECK(out.effects[1].kind == EffectKind::WipePassword);
    // A wrong code keeps the key pair and its request, so the customer only types the code again.
    flow_apply(s, enroll_reply(s.pending_seq, issued_failure(ErrorCode::EnrollmentCodeWrong)), kT0);
    CHECK(s.screen == Screen::EnrollEntry);
    CHECK(s.remaining_attempts == 4);
    CHECK(s.certificate_request == "TkVX");
    out = flow_apply(s, flow_submit_enrollment("unga", 12), kT0);
    CHECK(sends(out) == 1);
    // Issued: the certificate is kept for the file, then forgotten with the key pair.
    flow_apply(s, enroll_reply(s.pending_seq, issued_ok()), kT0);
    CHECK(s.issued.file_name == "unga1399.p12");
    flow_apply(s, flow_submit_passphrase(10, 10, true), kT0);
    flow_apply(s, flow_event(FlowEventKind::FileSaved), kT0);
    flow_apply(s, flow_event(FlowEventKind::ClickCertificateLogin), kT0);
    CHECK(s.screen == Screen::CertificatePrompt);
    CHECK(s.issued.certificate.empty());
    CHECK(s.certificate_request.empty());
    CHECK(s.purpose == CertificatePurpose::None);
}

TEST_CASE("更新: the request goes out with the session's CSRF token once the key pair is made")
{
    FlowState s = reach(Start::RenewMakingKey);
    CHECK(s.pending == RequestKind::None);
    FlowOutput out = flow_apply(s, flow_key_pair_ready(s.key_pair_seq, "UkVO"), kT0);
    REQUIRE(out.effects.size() == 1);
    CHECK(out.effects[0].request == RequestKind::Renew);
    CHECK(out.effects[0].text == "csrf-from-login");
    CHECK(s.certificate_request == "UkVO");
    // The session's timeout still applies on the certificate screens.
    FlowState later = reach(Start::PassphraseRenew);
    flow_apply(later, flow_event(FlowEventKind::Tick), kT0 + 601);
    CHECK(later.screen == Screen::SessionExpired);
}

TEST_CASE("a page the service does not admit says it is misconfigured, not that the network failed")
{
    // At start: the page runs at another origin than config.json's app_origin.
    FlowState s = reach(Start::Fresh);
    FlowEvent mismatch = flow_event(FlowEventKind::Misconfigured);
    mismatch.text = "this page was opened at https://a, but the service admits only https://b";
    step(s, mismatch);
    CHECK(s.screen == Screen::ErrorConfiguration);
    CHECK(s.failure == FailureKind::Misconfigured);
    CHECK(s.config_error == mismatch.text);
    CHECK(error_text(s.screen, s.failure, s.last_error.code) == StringId::error_misconfigured);

    // During a request: the certificate origin answered but refused the page's origin (CORS).
    // Each request kind ends there, with nothing outstanding and no retry of the same request.
    const Start starts[] = {Start::Identifying, Start::Authenticating, Start::Restoring, Start::LoggingOut,
                            Start::EnrollRequesting};
    for (Start start : starts) {
        CAPTURE(static_cast<int>(start));
        FlowState r = reach(start);
        step(r, flow_request_refused(r.pending_seq, "https://cert answered but refused"));
        CHECK(r.screen == Screen::ErrorConfiguration);
        CHECK(r.failure == FailureKind::Misconfigured);
        CHECK(r.pending == RequestKind::None);
        CHECK(r.config_error == "https://cert answered but refused");
        CHECK_FALSE(screen_offers(r.screen).retry);
    }

    // A request that simply got no answer stays a network failure with 再試行.
    FlowState n = reach(Start::Identifying);
    step(n, flow_request_failed(n.pending_seq, false));
    CHECK(n.screen == Screen::ErrorUnavailable);
    CHECK(error_text(n.screen, n.failure, n.last_error.code) == StringId::error_unavailable);
}
