#include "controller.h"

#include "assets.h"
#include "browser.h"
#include "certificate_bridge.h"
#include "fetch_bridge.h"
#include "frame_loop.h"
#include "page_contract.h"
#include "platform.h"
#include "widgets.h"

#include "core/protocol.h"
#include "core/secret_request.h"

#include <emscripten.h>
#include <nlohmann/json.hpp>

// The storage keys (page_contract.h): the display preferences are stored as core/display_prefs.h
// words, kept on this device.
using page::kStoreCertificateName;
using page::kStoreCsrfToken;
using page::kStoreLanguage;
using page::kStoreTextSize;
using page::kStoreTheme;

static double page_now() { return emscripten_get_now() / 1000.0; }

static FlowEvent reply_event(const WebPlatform& p, RequestKind kind, const FetchReply& r)
{
    if (r.status == 0 && r.refused_by_server)
        return flow_request_refused(r.seq, cors_refusal_detail(p.app.config, browser_page_origin()));
    if (r.status == 0)
        return flow_request_failed(r.seq, r.timed_out);
    switch (kind) {
    case RequestKind::Identify: return flow_identify_reply(r.seq, api::read_identify_reply(r.status, r.body));
    case RequestKind::Login: return flow_login_reply(r.seq, api::read_login_reply(r.status, r.body));
    case RequestKind::ForceLogout: return flow_force_logout_reply(r.seq, api::read_force_logout_reply(r.status, r.body));
    case RequestKind::Session: return flow_session_reply(r.seq, api::read_session_reply(r.status, r.body));
    case RequestKind::Keepalive: return flow_keepalive_reply(r.seq, api::read_keepalive_reply(r.status, r.body));
    case RequestKind::Logout: return flow_logout_reply(r.seq, api::read_logout_reply(r.status, r.body));
    case RequestKind::Enroll:
        return flow_certificate_reply(FlowEventKind::EnrollReply, r.seq, api::read_certificate_issued_reply(r.status, r.body));
    case RequestKind::Renew:
        return flow_certificate_reply(FlowEventKind::RenewReply, r.seq, api::read_certificate_issued_reply(r.status, r.body));
    case RequestKind::None: break;
    }
    return flow_event(FlowEventKind::None);
}

static void on_fetch_reply(const FetchReply& reply)
{
    // Only the outstanding request's reply is read; the flow would drop any other.
    WebPlatform& p = platform();
    const RequestKind kind = flow_awaited_request(p.app.flow, reply.seq);
    if (kind == RequestKind::None)
        return;
    controller_dispatch(p, reply_event(p, kind, reply));
}

static void on_browser_event(const BrowserEvent& e)
{
    switch (e.signal) {
    case BrowserSignal::OtherTabLoggedOut:
        controller_dispatch(platform(), flow_event(FlowEventKind::BroadcastLogout));
        break;
    case BrowserSignal::OtherTabExtended:
        controller_dispatch(platform(), flow_broadcast_extended(e.idle_expires_at, e.absolute_expires_at));
        break;
    case BrowserSignal::BackPressed:
        controller_dispatch(platform(), flow_event(FlowEventKind::BrowserBack));
        break;
    case BrowserSignal::CloseRefused:
        controller_dispatch(platform(), flow_event(FlowEventKind::WindowCloseRefused));
        break;
    }
}

static const char* request_path(RequestKind kind)
{
    switch (kind) {
    case RequestKind::Identify: return api::kPathIdentify;
    case RequestKind::Login: return api::kPathLogin;
    case RequestKind::ForceLogout: return api::kPathForceLogout;
    case RequestKind::Session: return api::kPathSession;
    case RequestKind::Keepalive: return api::kPathKeepalive;
    case RequestKind::Logout: return api::kPathLogout;
    case RequestKind::Enroll: return api::kPathEnroll;
    case RequestKind::Renew: return api::kPathRenew;
    case RequestKind::None: break;
    }
    return "/";
}

static void send_request(WebPlatform& p, const Effect& e)
{
    const std::string url = p.app.config.certificate_origin + request_path(e.request);
    switch (e.request) {
    case RequestKind::Login: {
        // The password goes from its wiped buffer into a wiped body buffer and from there
        // into the request; no std::string ever holds it.
        SecretBody body;
        if (!secret_login_body(e.text, p.app.page.password, body)) {
            controller_dispatch(p, flow_request_failed(e.seq, false));
            return;
        }
        fetch_send(e.seq, "POST", url, std::string(), body.data, static_cast<size_t>(body.length), e.timeout);
        secret_body_wipe(body);
        return;
    }
    case RequestKind::ForceLogout: {
        api::ForceLogoutRequest request;
        request.ticket = e.text;
        const std::string body = api::dump_json(api::to_json(request));
        fetch_send(e.seq, "POST", url, std::string(), body.data(), body.size(), e.timeout);
        return;
    }
    case RequestKind::Session:
        fetch_send(e.seq, "GET", url, std::string(), nullptr, 0, e.timeout);
        return;
    case RequestKind::Identify:
        fetch_send(e.seq, "POST", url, std::string(), "{}", 2, e.timeout);
        return;
    case RequestKind::Keepalive:
    case RequestKind::Logout:
        fetch_send(e.seq, "POST", url, e.text, "{}", 2, e.timeout);
        return;
    case RequestKind::Enroll: {
        // The 取得用パスワード, like the password, goes from its buffer into a wiped body only.
        SecretBody body;
        if (!secret_enroll_body(e.text, p.app.page.enrollment_code, p.app.flow.certificate_request, body)) {
            controller_dispatch(p, flow_request_failed(e.seq, false));
            return;
        }
        fetch_send(e.seq, "POST", url, std::string(), body.data, static_cast<size_t>(body.length), e.timeout);
        secret_body_wipe(body);
        return;
    }
    case RequestKind::Renew: {
        api::RenewRequest request;
        request.csr = p.app.flow.certificate_request;
        const std::string body = api::dump_json(api::to_json(request));
        fetch_send(e.seq, "POST", url, e.text, body.data(), body.size(), e.timeout);
        return;
    }
    case RequestKind::None:
        return;
    }
}

static void perform(WebPlatform& p, const Effect& e)
{
    switch (e.kind) {
    case EffectKind::SendRequest:
        send_request(p, e);
        break;
    case EffectKind::WipePassword:
        page_wipe_secrets(p.app.page);
        ui_wipe_text_edit_state();
        break;
    case EffectKind::MakeKeyPair:
        certificate_make_key_pair(e.seq);
        break;
    case EffectKind::BuildCertificateFile:
        certificate_build_file(p.app.flow.issued, p.app.page.passphrase);
        break;
    case EffectKind::SaveFileAgain:
        certificate_save_again();
        break;
    case EffectKind::DiscardKeyPair:
        certificate_discard();
        break;
    case EffectKind::RememberCertificateName:
        p.app.last_certificate_name = e.text;
        browser_local_set(kStoreCertificateName, e.text);
        break;
    case EffectKind::RememberSession:
        browser_session_set(kStoreCsrfToken, e.text);
        break;
    case EffectKind::ForgetSession:
        browser_session_remove(kStoreCsrfToken);
        break;
    case EffectKind::BroadcastLogout:
        browser_broadcast_logout();
        break;
    case EffectKind::BroadcastExtended:
        browser_broadcast_extended(e.idle_expires_at, e.absolute_expires_at);
        break;
    case EffectKind::PushHistoryEntry:
        browser_push_history();
        break;
    case EffectKind::CloseWindow:
        browser_close_window();
        break;
    case EffectKind::OpenMenuEntry: {
        const std::vector<MenuEntry>& menu = p.app.config.transaction_menu;
        if (e.index >= 0 && e.index < static_cast<int>(menu.size()))
            browser_open(menu[static_cast<size_t>(e.index)].url);
        break;
    }
    case EffectKind::ReloadPage:
        browser_reload();
        break;
    }
}

void controller_dispatch(WebPlatform& p, const FlowEvent& event)
{
    if (event.kind == FlowEventKind::None)
        return;
    const Screen before = p.app.flow.screen;
    const Notice notice_before = p.app.flow.notice;
    const FlowOutput out = flow_apply(p.app.flow, event, page_now());
    if (out.screen_changed) {
        p.app.screen_serial++;
        page_screen_changed(p.app.page, p.app.flow.screen);
    }
    for (const Effect& e : out.effects)
        perform(p, e);
    // A tick that changed nothing must not redraw, or every frame's tick would owe the next.
    const bool changed = out.screen_changed || !out.effects.empty() || before != p.app.flow.screen
        || notice_before != p.app.flow.notice;
    if (event.kind != FlowEventKind::Tick || changed)
        loop_note_event(p);
}

// Stores what the customer changed: the next visit on this device starts with it.
static void remember_display_prefs(WebPlatform& p)
{
    const DisplayPrefs& now = p.app.page.prefs;
    DisplayPrefs& stored = p.remembered_prefs;
    if (now.lang != stored.lang)
        browser_local_set(kStoreLanguage, lang_key(now.lang));
    if (now.text_size != stored.text_size)
        browser_local_set(kStoreTextSize, text_size_key(now.text_size));
    if (now.theme != stored.theme)
        browser_local_set(kStoreTheme, theme_choice_key(now.theme));
    stored = now;
}

// What this device remembers; the credit union's default language where nothing (or nothing
// readable) is stored.
static DisplayPrefs remembered_display_prefs(Lang default_language)
{
    DisplayPrefs prefs;
    prefs.lang = default_language;
    parse_lang(browser_local_get(kStoreLanguage), prefs.lang);
    parse_text_size(browser_local_get(kStoreTextSize), prefs.text_size);
    parse_theme_choice(browser_local_get(kStoreTheme), prefs.theme);
    return prefs;
}

void controller_after_frame(WebPlatform& p, const std::vector<FlowEvent>& events)
{
    for (const FlowEvent& e : events)
        controller_dispatch(p, e);
    if (!p.app.page.open_url.empty()) {
        browser_open(p.app.page.open_url);
        p.app.page.open_url.clear();
    }
    remember_display_prefs(p);
}

void controller_start(WebPlatform& p)
{
    fetch_set_reply_handler(on_fetch_reply);
    certificate_bridge_install([](const FlowEvent& e) { controller_dispatch(platform(), e); });
    browser_install(on_browser_event);

    std::vector<unsigned char> bytes;
    std::string error;
    AppConfig config;
    const bool have = asset_take(page::kAssetConfig, bytes);
    const bool ok = have && app_config_parse(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), config, error);
    if (ok)
        p.app.config = config;
    else
        p.app.config = app_config_defaults();
    // The language the customer chose on this device wins over the credit union's default.
    p.app.page.prefs = remembered_display_prefs(p.app.config.default_language);
    p.remembered_prefs = p.app.page.prefs;
    p.app.page.keyboard = soft_keyboard_make(p.app.config.software_keyboard, soft_keyboard_random_os());
    p.app.flow = flow_init(p.app.config.session_warning_seconds, p.app.config.software_keyboard.enabled_by_default,
                           static_cast<int>(p.app.config.transaction_menu.size()));
    p.app.last_certificate_name = browser_local_get(kStoreCertificateName);
    p.import_guide = import_guide_for(browser_user_agent());

    if (!ok) {
        FlowEvent failed = flow_event(FlowEventKind::ConfigFailed);
        failed.text = have ? error : "config.json not loaded";
        controller_dispatch(p, failed);
        return;
    }
    const std::string mismatch = app_origin_mismatch(p.app.config, browser_page_origin());
    if (!mismatch.empty()) {
        FlowEvent misconfigured = flow_event(FlowEventKind::Misconfigured);
        misconfigured.text = mismatch;
        controller_dispatch(p, misconfigured);
        return;
    }
    controller_dispatch(p, flow_page_loaded(browser_session_get(kStoreCsrfToken)));
}
