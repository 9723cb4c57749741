#include "core/error_text.h"
#include "core/protocol.h"

#include <catch_amalgamated.hpp>
#include <string>

// The page's answer to revocation_unavailable, driven as the platform drives it: the server's
// reply goes through the flow, and the screen it lands on shows this text.
static FlowState after_identify_error(api::ErrorCode code)
{
    FlowState s = flow_init(120, true, 3);
    flow_apply(s, flow_page_loaded(""), 0.0);
    flow_apply(s, flow_event(FlowEventKind::ClickCertificateLogin), 0.0);
    flow_apply(s, flow_event(FlowEventKind::ClickOk), 0.0);
    api::Reply<api::IdentifyResponse> reply;
    reply.ok = false;
    reply.error.code = code;
    flow_apply(s, flow_identify_reply(s.pending_seq, reply), 1.0);
    return s;
}

TEST_CASE("revocation_unavailable shows that certificates cannot be checked now, with retry")
{
    const api::ErrorCode code = api::error_code_from_name("revocation_unavailable");
    REQUIRE(code == api::ErrorCode::RevocationUnavailable);
    FlowState s = after_identify_error(code);
    CHECK(s.screen == Screen::ErrorUnavailable);   // the screen with 再試行 and ログイン画面へ戻る
    CHECK(s.failure == FailureKind::RevocationUnavailable);
    CHECK(s.retry == RequestKind::Identify);
    CHECK(error_text(s.screen, s.failure, s.last_error.code) == StringId::error_revocation_unavailable);

    const std::string ja = ui_text(StringId::error_revocation_unavailable, Lang::Ja);
    const std::string en = ui_text(StringId::error_revocation_unavailable, Lang::En);
    CHECK(ja.find("電子証明書") != std::string::npos);
    CHECK(ja.find("「再試行」") != std::string::npos);
    CHECK(ja.find("お問い合わせ") != std::string::npos);
    CHECK(en.find("cannot check certificates") != std::string::npos);
    CHECK(en.find("Retry") != std::string::npos);
    CHECK(en.find("contact") != std::string::npos);

    // 再試行 asks the server again.
    const FlowOutput out = flow_apply(s, flow_event(FlowEventKind::ClickRetry), 2.0);
    CHECK(s.screen == Screen::Identifying);
    REQUIRE_FALSE(out.effects.empty());
    CHECK(out.effects.front().kind == EffectKind::SendRequest);
}

TEST_CASE("each reason for ErrorUnavailable has its own text")
{
    struct Row { FailureKind failure; StringId text; };
    const Row rows[] = {
        {FailureKind::None, StringId::error_unavailable},
        {FailureKind::Network, StringId::error_unavailable},
        {FailureKind::Timeout, StringId::error_timeout},
        {FailureKind::ServerBusy, StringId::error_server_busy},
        {FailureKind::RevocationUnavailable, StringId::error_revocation_unavailable},
    };
    for (const Row& row : rows) {
        CAPTURE(static_cast<int>(row.failure));
        CHECK(error_text(Screen::ErrorUnavailable, row.failure, api::ErrorCode::Unavailable) == row.text);
    }
    // The server-busy answer keeps its own wording.
    const FlowState busy = after_identify_error(api::ErrorCode::Unavailable);
    CHECK(error_text(busy.screen, busy.failure, busy.last_error.code) == StringId::error_server_busy);
}

TEST_CASE("every error screen has a message of its own")
{
    for (int i = 0; i < static_cast<int>(Screen::Count); i++) {
        const Screen screen = static_cast<Screen>(i);
        if (!screen_is_error(screen) || screen == Screen::ErrorMalformedReply)
            continue;
        CAPTURE(screen_name(screen));
        CHECK(error_text(screen, FailureKind::None, api::ErrorCode::Internal) != StringId::error_malformed_reply);
    }
}

// 取得 up to the server's answer `code` to the request (the key pair ready, ID and code typed).
static FlowState after_enroll_error(api::ErrorCode code)
{
    FlowState s = flow_init(120, true, 3);
    flow_apply(s, flow_page_loaded(""), 0.0);
    flow_apply(s, flow_event(FlowEventKind::ClickCertificateEnroll), 0.0);
    flow_apply(s, flow_key_pair_ready(s.key_pair_seq, "Q1NS"), 0.5);
    flow_apply(s, flow_submit_enrollment("unga", 12), 1.0);
    api::Reply<api::CertificateIssued> reply;
    reply.ok = false;
    reply.error.code = code;
    flow_apply(s, flow_certificate_reply(FlowEventKind::EnrollReply, s.pending_seq, reply), 1.5);
    return s;
}

TEST_CASE("a refused certification request says why, and that the 取得用パスワード was not used")
{
    struct Row { api::ErrorCode code; StringId text; };
    const Row rows[] = {
        {api::ErrorCode::CsrWeakKey, StringId::error_csr_weak_key},
        {api::ErrorCode::CsrWrongSubject, StringId::error_csr_wrong_subject},
        {api::ErrorCode::CsrInvalid, StringId::error_csr_invalid},
    };
    for (const Row& row : rows) {
        CAPTURE(api::error_code_name(row.code));
        const FlowState s = after_enroll_error(row.code);
        REQUIRE(s.screen == Screen::ErrorCertificateRequest);
        CHECK(error_text(s.screen, s.failure, s.last_error.code) == row.text);
        CHECK(std::string(ui_text(row.text, Lang::Ja)).find("取得用パスワードは使われていません") != std::string::npos);
    }

    // The browser could not make the key: its own text, even after a server refusal earlier.
    FlowState s = after_enroll_error(api::ErrorCode::CsrWeakKey);
    flow_apply(s, flow_event(FlowEventKind::ClickBack), 2.0);
    REQUIRE(s.screen == Screen::Login);
    flow_apply(s, flow_event(FlowEventKind::ClickCertificateEnroll), 2.0);
    flow_apply(s, flow_key_pair_failed(s.key_pair_seq, "no WebCrypto"), 2.5);
    REQUIRE(s.screen == Screen::ErrorCertificateRequest);
    CHECK(error_text(s.screen, s.failure, s.last_error.code) == StringId::error_certificate_request);
}
