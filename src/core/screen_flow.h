#pragma once
// The login flow's screens and every decision about moving between them.
//
// The platform layer (web glue) and the ImGui screens never decide anything: the screens read
// FlowState and turn clicks into FlowEvents; the platform turns network replies, timers and
// browser happenings into FlowEvents, hands them to flow_apply, and performs the Effects it
// returns, in order (send request #n, wipe the password, broadcast the logout to other tabs...).
//
// Rules the transition function keeps (docs/screen-flow.md has the table):
//   - An event that makes no sense in the current screen changes nothing and has no effect.
//   - At most one request is outstanding; each carries a sequence number, and a reply or
//     failure whose number is not the outstanding one (an abandoned attempt) is dropped.
//     So a double click never submits twice: the second click finds the screen already changed.
//   - Every network failure or timeout lands on a screen with a way forward (retry, or back to
//     the login screen).
//   - Every screen change wipes the password buffer (EffectKind::WipePassword).

#include "session.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

enum class Screen {
    Login,                  // 電子証明書ログイン, notices
    Restoring,              // page reloaded while logged in: asking the server for the session
    CertificatePrompt,      // explains the browser's certificate dialog; OK starts identification
    Identifying,            // waiting for the identify reply (the browser's dialog may be open)
    PasswordEntry,          // certificate name, password, 認証
    Authenticating,         // waiting for the login reply
    ForcedLogoutRequired,   // the user still holds a session: 強制ログアウト
    ForcingLogout,          // waiting for the force-logout reply
    Main,                   // logged in
    LoggingOut,             // waiting for the logout reply
    LoggedOut,              // このウィンドウを閉じる / 再ログイン
    SessionExpired,         // 再ログイン
    // 電子証明書取得 (from the login screen) and 更新 (from the main screen).
    EnrollEntry,            // user ID + 取得用パスワード, 次へ
    CertificateRequesting,  // waiting: the key pair and request are made, the certificate issued
    PassphraseEntry,        // the import password of the file, typed twice, 保存
    CertificateSaving,      // waiting: the PKCS#12 file is made and handed to the browser to save
    CertificateSaved,       // how to import it; もう一度保存; 電子証明書ログイン (取得) / メイン画面へ (更新)
    // Failures. Each has "back to the login screen"; ErrorUnavailable also has retry.
    ErrorNoCertificate,
    ErrorCertificateExpired,
    ErrorCertificateNotYetValid,
    ErrorCertificateRevoked,
    ErrorUnknownIssuer,
    ErrorWrongUsage,
    ErrorWrongInstitution,
    ErrorBadSubject,
    ErrorNotRegistered,
    ErrorCertificateMismatch,
    ErrorLocked,
    ErrorLoginExpired,      // the login ticket ran out or was already used
    ErrorUnavailable,       // network failure, timeout, server busy: retry
    ErrorMalformedReply,    // the server's answer made no sense
    ErrorConfiguration,     // config.json missing or invalid: reload
    ErrorEnrollmentLocked,      // too many wrong 取得用パスワード: ask for a new one
    ErrorEnrollmentCodeExpired, // the 取得用パスワード's validity passed: ask for a new one
    ErrorEnrollmentCodeUsed,    // the 取得用パスワード already gave a certificate
    ErrorCertificateRequest,    // the browser could not make the key or request, or the server refused it
    Count
};

const char* screen_name(Screen screen);   // "login", "password_entry", ... (logs, tests, overlay ids)
bool screen_is_error(Screen screen);
// The screens of 電子証明書取得 / 更新 (EnrollEntry .. CertificateSaved): while the flow stays on
// them the browser keeps the key pair; leaving them discards it.
bool screen_is_certificate(Screen screen);
// Screens that show the ログアウト button (the customer is logged in and nothing is pending).
bool screen_shows_logout(Screen screen);
// Screens that only wait for a reply (a spinner; no buttons).
bool screen_is_waiting(Screen screen);

// The ways forward an error screen offers: screen_error draws exactly these buttons and
// flow_apply honours exactly these clicks. Screens that are not errors offer none of them.
struct ScreenOffers {
    bool retry = false;           // 再試行: send the failed request again
    bool reload = false;          // 再読み込み: load the page again (configuration errors)
    bool back_to_login = false;   // ログイン画面へ戻る
};
ScreenOffers screen_offers(Screen screen);

// Secondary messages shown on top of a screen; each belongs to the screen it was set on and is
// cleared by the next screen change.
enum class Notice {
    None,
    PasswordEmpty,        // 認証 with nothing typed
    WrongPassword,        // with FlowState::remaining_attempts
    ForcedLogoutDone,     // on the login screen after 強制ログアウト
    LoggedOutElsewhere,   // on the logged-out screen: another tab logged out
    CloseRefused,         // window.close() was refused
    ExtendFailed,         // keepalive failed; still logged in
    BackButton,           // the browser's back button was used
    EnrollFieldsEmpty,    // 次へ without a user ID or 取得用パスワード
    EnrollmentCodeWrong,  // with FlowState::remaining_attempts
    PassphraseTooShort,   // fewer than kMinPassphraseBytes
    PassphraseMismatch,   // the two entries differ
    RenewalNotOpen,       // main screen: the server says renewal has not opened yet
    RenewalFailed,        // main screen: renewal did not complete; the certificate is unchanged
    KeyPairPreparing,     // 次へ before the browser finished making the key pair
    FileFailed,           // the file could not be made: try 保存 again
};

// What the certificate screens are making the file for.
enum class CertificatePurpose { None, Enroll, Renew };

// The import password protects the private key in the saved file (it never leaves the page).
constexpr int kMinPassphraseBytes = 8;

enum class RequestKind { None, Identify, Login, ForceLogout, Session, Keepalive, Logout, Enroll, Renew };
const char* request_name(RequestKind kind);

// Why ErrorUnavailable was reached; the screen words it accordingly.
// RevocationUnavailable: the server cannot check certificates' revocation right now (its CRL
// is out of date or its OCSP responder does not answer) and refuses certificate logins.
// Misconfigured (on ErrorConfiguration): the page and the service disagree - the page runs at
// another origin than the one the server admits, or the certificate origin answered and refused
// it. The operator's fault, not the customer's network: the screen says so, with the detail.
enum class FailureKind { None, Network, Timeout, ServerBusy, RevocationUnavailable, Misconfigured };

enum class FlowEventKind {
    None,
    // platform
    PageLoaded,             // once at start; `text` = CSRF token remembered in sessionStorage ("" = none)
    ConfigFailed,           // config.json could not be loaded or parsed
    Misconfigured,          // at start: the page's origin is not the configured app_origin; `text` the detail
    Tick,                   // timer: session expiry, request deadlines
    BrowserBack,            // popstate: the customer pressed the browser's back button
    BroadcastLogout,        // another tab of this browser logged out
    BroadcastExtended,      // another tab extended the session: idle_expires_at, absolute_expires_at
    WindowCloseRefused,     // window.close() did not close the window
    // clicks
    ClickCertificateLogin,  // 電子証明書ログイン
    ClickOk,                // OK on the certificate prompt
    ClickBack,              // キャンセル / ログイン画面へ戻る
    ClickSubmitPassword,    // 認証; `password_length` = bytes in the password buffer
    ClickForceLogout,       // 強制ログアウト
    ClickLogout,            // ログアウト
    ClickRelogin,           // 再ログイン
    ClickCloseWindow,       // このウィンドウを閉じる
    ClickRetry,             // 再試行 (also: reload on the configuration error)
    ClickExtend,            // 延長
    ClickMenuEntry,         // transaction menu entry `index`
    ClickToggleKeyboard,    // software keyboard on/off on the password screen
    ClickCertificateEnroll, // 電子証明書取得 (login screen)
    ClickSubmitEnrollment,  // 次へ: `text` = user ID, `password_length` = bytes of the 取得用パスワード
    ClickRenewCertificate,  // 電子証明書を更新 (main screen)
    ClickSubmitPassphrase,  // 保存: `password_length` / `passphrase_again_length` bytes, `passphrase_match`
    ClickSaveAgain,         // もう一度保存
    // the browser's cryptography (the key never leaves it)
    KeyPairReady,           // key pair `seq`: `text` = the PKCS#10 request, base64 DER
    KeyPairFailed,          // key pair `seq`: no WebCrypto, or the module did not load; `text` = the reason
    FileSaved,              // the PKCS#12 file was made and handed to the browser's download
    FileFailed,             // it could not be made; `text` = the reason
    // replies to request `seq` (built from api::read_*_reply)
    IdentifyReply,
    LoginReply,
    ForceLogoutReply,
    SessionReply,
    KeepaliveReply,
    LogoutReply,
    EnrollReply,
    RenewReply,
    RequestFailed,          // request `seq` got no HTTP answer; `timed_out` when aborted by its timeout
};

struct FlowEvent {
    FlowEventKind kind = FlowEventKind::None;
    uint32_t seq = 0;                 // replies and RequestFailed: the request they answer
    int index = 0;                    // ClickMenuEntry
    int password_length = 0;          // ClickSubmitPassword, ClickSubmitEnrollment, ClickSubmitPassphrase
    int passphrase_again_length = 0;  // ClickSubmitPassphrase
    bool passphrase_match = false;    // ClickSubmitPassphrase: both entries hold the same bytes
    bool timed_out = false;           // RequestFailed
    bool server_refused = false;      // RequestFailed: the server was reachable but refused the page's origin (CORS); `text` the detail
    std::string text;                 // PageLoaded: remembered CSRF token; ConfigFailed: the reason
    int64_t idle_expires_at = 0;      // BroadcastExtended
    int64_t absolute_expires_at = 0;

    // Replies: ok + the message for the kind, or the error.
    bool ok = false;
    api::ErrorResponse error;
    api::IdentifyResponse identify;
    api::LoginResponse login;
    api::ForceLogoutResponse force_logout;
    api::SessionInfo session;
    api::KeepaliveResponse keepalive;
    api::LogoutResponse logout;
    api::CertificateIssued issued;    // EnrollReply, RenewReply
};

// Event builders, so callers do not fill the struct by hand.
FlowEvent flow_event(FlowEventKind kind);
FlowEvent flow_page_loaded(const std::string& remembered_csrf_token);
FlowEvent flow_submit_password(int password_length);
FlowEvent flow_menu_entry(int index);
FlowEvent flow_broadcast_extended(int64_t idle_expires_at, int64_t absolute_expires_at);
FlowEvent flow_request_failed(uint32_t seq, bool timed_out);
// A request the certificate origin refused although it answered (CORS): misconfiguration.
FlowEvent flow_request_refused(uint32_t seq, const std::string& detail);
FlowEvent flow_identify_reply(uint32_t seq, const api::Reply<api::IdentifyResponse>& reply);
FlowEvent flow_login_reply(uint32_t seq, const api::Reply<api::LoginResponse>& reply);
FlowEvent flow_force_logout_reply(uint32_t seq, const api::Reply<api::ForceLogoutResponse>& reply);
FlowEvent flow_session_reply(uint32_t seq, const api::Reply<api::SessionInfo>& reply);
FlowEvent flow_keepalive_reply(uint32_t seq, const api::Reply<api::KeepaliveResponse>& reply);
FlowEvent flow_logout_reply(uint32_t seq, const api::Reply<api::LogoutResponse>& reply);
FlowEvent flow_submit_enrollment(const std::string& user_id, int code_length);
FlowEvent flow_submit_passphrase(int length, int again_length, bool match);
FlowEvent flow_key_pair_ready(uint32_t seq, const std::string& csr_base64);
FlowEvent flow_key_pair_failed(uint32_t seq, const std::string& reason);
FlowEvent flow_certificate_reply(FlowEventKind kind, uint32_t seq, const api::Reply<api::CertificateIssued>& reply);

enum class EffectKind {
    SendRequest,              // `request` #`seq`, aborted after `timeout` seconds; `text` = ticket
                              // (Login, ForceLogout), CSRF token (Keepalive, Logout, Renew) or user
                              // ID (Enroll); Enroll and Renew carry FlowState::certificate_request
    WipePassword,             // secret_wipe() every secret buffer: the password, the 取得用パスワード
                              // and both import-password entries (after any SendRequest or
                              // BuildCertificateFile before it)
    MakeKeyPair,              // the browser makes key pair #`seq` (any earlier one is dropped) and a
                              // request: KeyPairReady / KeyPairFailed with that `seq`
    BuildCertificateFile,     // PKCS#12 of the key and FlowState::issued under the import password,
                              // saved as issued.file_name: FileSaved / FileFailed
    SaveFileAgain,            // hand the same file to the browser's download again
    DiscardKeyPair,           // the browser forgets the key and the file
    RememberCertificateName,  // localStorage: `text` is the name shown next time on the prompt
    RememberSession,          // sessionStorage: `text` = CSRF token, so a reload can restore
    ForgetSession,            // sessionStorage: remove it
    BroadcastLogout,          // BroadcastChannel: tell the other tabs
    BroadcastExtended,        // BroadcastChannel: new expiry times (`idle_expires_at`, `absolute_expires_at`)
    PushHistoryEntry,         // history.pushState, so the back button stays on this page
    CloseWindow,              // window.close(); report WindowCloseRefused if the window stays
    OpenMenuEntry,            // open transaction menu entry `index` (its URL is in the configuration)
    ReloadPage,               // location.reload()
};

struct Effect {
    EffectKind kind = EffectKind::SendRequest;
    RequestKind request = RequestKind::None;
    uint32_t seq = 0;
    double timeout = 0.0;
    int index = 0;
    std::string text;
    int64_t idle_expires_at = 0;
    int64_t absolute_expires_at = 0;
};

struct FlowOutput {
    std::vector<Effect> effects;
    bool screen_changed = false;   // announce the new screen (aria-live) and move focus
};

// Request timeouts (seconds). Identification waits while the browser's certificate dialog is
// open, so it gets much longer than the others.
constexpr double kIdentifyTimeout = 120.0;
constexpr double kRequestTimeout = 30.0;
// The flow's own deadline is a little later than the platform's abort, so the platform's
// RequestFailed normally comes first; the flow's is the backstop if it never comes.
constexpr double kDeadlineGrace = 5.0;
// The browser makes an RSA key pair in well under a second on any current device; one that has
// not come after this long never will (the module failed to load without telling).
constexpr double kKeyPairTimeout = 60.0;

struct FlowState {
    Screen screen = Screen::Login;
    Notice notice = Notice::None;
    int remaining_attempts = -1;        // Notice::WrongPassword
    FailureKind failure = FailureKind::None;   // ErrorUnavailable: what went wrong
    RequestKind retry = RequestKind::None;     // ErrorUnavailable: what 再試行 does
    api::ErrorResponse last_error;      // the server's error behind the screen (details, session_active)
    std::string config_error;           // ErrorConfiguration: the reason, shown to the operator

    ClientSession session;
    std::string force_logout_ticket;    // from the session_active answer

    RequestKind pending = RequestKind::None;   // the one outstanding request
    uint32_t pending_seq = 0;
    double pending_deadline = 0.0;
    uint32_t last_seq = 0;

    bool started = false;               // PageLoaded seen
    bool software_keyboard = true;      // password screen: software keyboard shown
    bool software_keyboard_default = true;
    int menu_entries = 0;               // transaction menu size (configuration)

    // 電子証明書取得 / 更新
    CertificatePurpose purpose = CertificatePurpose::None;
    std::string enroll_user_id;         // the ID typed on EnrollEntry (kept for a wrong code)
    uint32_t key_pair_seq = 0;          // the key pair asked for last; other KeyPair* events are dropped
    double key_pair_deadline = 0.0;     // renewal waits for the key pair until then
    std::string certificate_request;    // KeyPairReady: the PKCS#10 request to send
    api::CertificateIssued issued;      // the certificate the server issued
};

// A fresh flow on the login screen. Values come from the configuration.
FlowState flow_init(int session_warning_seconds, bool software_keyboard_by_default, int menu_entries);

// Applies one event at page-clock time `now` (seconds). Returns what the platform must do.
FlowOutput flow_apply(FlowState& state, const FlowEvent& event, double now);

// The request a reply numbered `seq` answers, when it is the outstanding one; None for a reply
// the flow would drop (an abandoned attempt's, or one never sent). The platform reads a reply's
// body by this kind, so it keeps no record of its own of what it sent.
RequestKind flow_awaited_request(const FlowState& state, uint32_t seq);

// The notice for an import password and its confirmation: None when they may be used.
Notice passphrase_notice(int length, int again_length, bool match);

// Whether the main screen offers 電子証明書を更新 now (the server's renewal window, on the
// server's clock).
bool renewal_open(const ClientSession& session, double now);

// The screen an error code leads to (for any request).
Screen screen_for_error(api::ErrorCode code);

// Replaces "{name}" in `text` by `value` (every occurrence); the string table's placeholders.
std::string fill_placeholder(std::string_view text, std::string_view name, std::string_view value);
