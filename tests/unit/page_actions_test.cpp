// What each customer action on a screen does to the page's state, and which flow event it
// leads to (core/page_actions.h); what each error screen offers (screen_offers).
#include "core/page_actions.h"

#include <catch_amalgamated.hpp>

#include <cstring>
#include <string>

static uint32_t counting_u32(void* context)
{
    uint32_t& n = *static_cast<uint32_t*>(context);
    n = n * 1664525u + 1013904223u;
    return n;
}

struct Fixture {
    uint32_t seed = 7;
    AppConfig config = app_config_defaults();
    PageState page;
    Fixture()
    {
        SoftKeyboardRandom random;
        random.random_u32 = counting_u32;
        random.context = &seed;
        page.keyboard = soft_keyboard_make(config.software_keyboard, random);
    }
};

static std::string password_of(const PageState& page)
{
    return std::string(page.password.data, static_cast<size_t>(secret_length(page.password)));
}

TEST_CASE("display actions change only the display preferences and lead to no flow event")
{
    Fixture fx;
    fx.page.prefs.lang = Lang::Ja;
    CHECK_FALSE(page_apply(fx.page, fx.config, page_action(PageActionKind::ToggleLanguage)));
    CHECK(fx.page.prefs.lang == Lang::En);
    page_apply(fx.page, fx.config, page_action(PageActionKind::ToggleLanguage));
    CHECK(fx.page.prefs.lang == Lang::Ja);

    struct Row { PageActionKind kind; int value; TextSize size; ThemeChoice theme; };
    const Row rows[] = {
        {PageActionKind::SetTextSize, 2, TextSize::ExtraLarge, ThemeChoice::System},
        {PageActionKind::SetTextSize, 1, TextSize::Large, ThemeChoice::System},
        {PageActionKind::SetTextSize, 9, TextSize::Large, ThemeChoice::System},    // out of range: kept
        {PageActionKind::SetTextSize, -1, TextSize::Large, ThemeChoice::System},
        {PageActionKind::SetTheme, 3, TextSize::Large, ThemeChoice::HighContrast},
        {PageActionKind::SetTheme, 2, TextSize::Large, ThemeChoice::Dark},
        {PageActionKind::SetTheme, 4, TextSize::Large, ThemeChoice::Dark},         // out of range: kept
        {PageActionKind::SetTheme, 0, TextSize::Large, ThemeChoice::System},
    };
    for (const Row& r : rows) {
        CAPTURE(static_cast<int>(r.kind), r.value);
        CHECK_FALSE(page_apply(fx.page, fx.config, page_action(r.kind, r.value)));
        CHECK(fx.page.prefs.text_size == r.size);
        CHECK(fx.page.prefs.theme == r.theme);
    }
}

TEST_CASE("the forgotten-password link opens the configured page, and nothing when none is set")
{
    Fixture fx;
    fx.config.forgot_password_url = "https://www.example-shinkin.jp/ib/forgot";
    CHECK_FALSE(page_apply(fx.page, fx.config, page_action(PageActionKind::OpenForgotPassword)));
    CHECK(fx.page.open_url == "https://www.example-shinkin.jp/ib/forgot");
    fx.page.open_url.clear();
    fx.config.forgot_password_url.clear();
    page_apply(fx.page, fx.config, page_action(PageActionKind::OpenForgotPassword));
    CHECK(fx.page.open_url.empty());
}

TEST_CASE("flow actions pass through unchanged; SubmitPassword carries the buffer's length")
{
    Fixture fx;
    const auto logout = page_apply(fx.page, fx.config, page_flow(flow_event(FlowEventKind::ClickLogout)));
    REQUIRE(logout);
    CHECK(logout->kind == FlowEventKind::ClickLogout);
    secret_append(fx.page.password, 'a');
    secret_append(fx.page.password, 'b');
    const auto submit = page_apply(fx.page, fx.config, page_action(PageActionKind::SubmitPassword));
    REQUIRE(submit);
    CHECK(submit->kind == FlowEventKind::ClickSubmitPassword);
    CHECK(submit->password_length == 2);
    CHECK_FALSE(page_apply(fx.page, fx.config, PageAction{}));
}

TEST_CASE("the software keyboard is laid out for the width it is drawn at, and anew only when that changes")
{
    Fixture fx;
    SoftKeyboard& kb = fx.page.keyboard;
    REQUIRE_FALSE(kb.open);
    page_apply(fx.page, fx.config, page_fit_keyboard(10, 4));
    REQUIRE(kb.open);
    CHECK(kb.layout.columns == 10);
    CHECK(kb.layout.control_columns == 4);
    const uint32_t seed_after_open = fx.seed;
    page_apply(fx.page, fx.config, page_fit_keyboard(10, 4));   // the same width: the same layout
    CHECK(fx.seed == seed_after_open);
    page_apply(fx.page, fx.config, page_fit_keyboard(8, 4));    // narrower: laid out anew
    CHECK(kb.layout.columns == 8);
    CHECK(fx.seed != seed_after_open);

    page_screen_changed(fx.page, Screen::PasswordEntry);   // a new visit of the screen: reopened at the next fit
    CHECK_FALSE(kb.open);
}

TEST_CASE("software keys type into the password buffer; 決定 submits and 閉じる switches to the physical keyboard")
{
    Fixture fx;
    page_apply(fx.page, fx.config, page_fit_keyboard(10, 7));
    const SoftKeyboard& kb = fx.page.keyboard;
    const int digit = soft_keyboard_find(kb, SoftKeyKind::Char, '5');
    REQUIRE(digit >= 0);
    CHECK_FALSE(page_apply(fx.page, fx.config, page_action(PageActionKind::PressSoftKey, digit)));
    CHECK(password_of(fx.page) == "5");

    const auto submit = page_apply(fx.page, fx.config, page_action(PageActionKind::PressSoftKey, soft_keyboard_find(kb, SoftKeyKind::Enter)));
    REQUIRE(submit);
    CHECK(submit->kind == FlowEventKind::ClickSubmitPassword);
    CHECK(submit->password_length == 1);

    const auto close = page_apply(fx.page, fx.config, page_action(PageActionKind::PressSoftKey, soft_keyboard_find(kb, SoftKeyKind::Close)));
    REQUIRE(close);
    CHECK(close->kind == FlowEventKind::ClickToggleKeyboard);
    CHECK(password_of(fx.page) == "5");   // closing keeps what was typed

    CHECK_FALSE(page_apply(fx.page, fx.config, page_action(PageActionKind::PressSoftKey, 999)));   // no such key
}

TEST_CASE("keyboard options: each sets its own flag; placing letters at random lays the keyboard out anew")
{
    Fixture fx;
    SoftKeyboard& kb = fx.page.keyboard;
    page_apply(fx.page, fx.config, page_fit_keyboard(10, 7));
    page_apply(fx.page, fx.config, page_keyboard_option(KeyboardOption::AlwaysShowLabels, true));
    page_apply(fx.page, fx.config, page_keyboard_option(KeyboardOption::FixedLayout, true));
    CHECK(kb.options.always_show_labels);
    CHECK(kb.options.fixed_layout);
    CHECK(kb.open);   // neither needs a new layout
    page_apply(fx.page, fx.config, page_keyboard_option(KeyboardOption::RandomizeLetters, !kb.options.randomize_letters));
    CHECK_FALSE(kb.open);
    page_apply(fx.page, fx.config, page_keyboard_option(KeyboardOption::FixedLayout, false));
    CHECK_FALSE(kb.options.fixed_layout);
}

TEST_CASE("the password buffer is normalised after each frame the field edited it in place")
{
    Fixture fx;
    std::strcpy(fx.page.password.data, "ab");   // as ImGui's text field leaves it
    page_after_frame(fx.page);
    CHECK(secret_length(fx.page.password) == 2);
    CHECK(password_of(fx.page) == "ab");
}

TEST_CASE("software keyboard labels: hidden under a mouse pointer or a finger that is down, unless always shown")
{
    struct Row { bool always; bool over; bool touch; bool down; bool visible; };
    const Row rows[] = {
        {false, false, false, false, true},
        {false, true, false, false, false},   // a mouse over the keys
        {false, true, false, true, false},
        {false, true, true, false, true},     // a finger over the keys but lifted
        {false, true, true, true, false},     // a finger down on the keys
        {false, false, true, true, true},     // a finger down elsewhere
        {true, true, false, false, true},
        {true, true, true, true, true},
    };
    for (const Row& r : rows) {
        CAPTURE(r.always, r.over, r.touch, r.down);
        SoftKeyboardOptions options;
        options.always_show_labels = r.always;
        CHECK(soft_keyboard_labels_visible(options, KeyboardPointer{r.over, r.touch, r.down}) == r.visible);
    }
}

TEST_CASE("each screen offers the ways forward its buttons show, and the flow honours only those")
{
    struct Row { Screen screen; bool retry; bool reload; bool back; };
    const Row rows[] = {
        {Screen::Login, false, false, false},
        {Screen::Main, false, false, false},
        {Screen::Identifying, false, false, false},
        {Screen::ErrorUnavailable, true, false, true},
        {Screen::ErrorConfiguration, false, true, false},
        {Screen::ErrorCertificateExpired, false, false, true},
        {Screen::ErrorLocked, false, false, true},
        {Screen::ErrorMalformedReply, false, false, true},
    };
    for (const Row& r : rows) {
        CAPTURE(screen_name(r.screen));
        const ScreenOffers offers = screen_offers(r.screen);
        CHECK(offers.retry == r.retry);
        CHECK(offers.reload == r.reload);
        CHECK(offers.back_to_login == r.back);
    }
    // Every error screen offers a way forward.
    for (int i = 0; i < static_cast<int>(Screen::Count); i++) {
        const Screen screen = static_cast<Screen>(i);
        if (!screen_is_error(screen))
            continue;
        CAPTURE(screen_name(screen));
        const ScreenOffers offers = screen_offers(screen);
        CHECK((offers.retry || offers.reload || offers.back_to_login));
    }
}

TEST_CASE("a fit asking for more columns than a keyboard can have is clamped and then stays put")
{
    Fixture fx;
    CHECK(soft_keyboard_fit(fx.page.keyboard, 99, 99));
    const uint32_t seed = fx.seed;
    CHECK_FALSE(soft_keyboard_fit(fx.page.keyboard, 99, 99));
    CHECK(fx.seed == seed);
    CHECK(fx.page.keyboard.layout.columns == kSoftKeyboardMaxColumns);
}

static std::string text_of(const SecretBuffer& buffer)
{
    return std::string(buffer.data, static_cast<size_t>(secret_length(buffer)));
}

TEST_CASE("each screen's software keyboard types into its own secret field, and 決定 submits that form")
{
    struct Row { Screen screen; SecretField field; FlowEventKind submits; };
    const Row rows[] = {
        {Screen::PasswordEntry, SecretField::Password, FlowEventKind::ClickSubmitPassword},
        {Screen::EnrollEntry, SecretField::EnrollmentCode, FlowEventKind::ClickSubmitEnrollment},
        {Screen::PassphraseEntry, SecretField::Passphrase, FlowEventKind::ClickSubmitPassphrase},
    };
    for (const Row& row : rows) {
        CAPTURE(screen_name(row.screen));
        Fixture fx;
        fx.page.keyboard_field = SecretField::PassphraseAgain;
        page_screen_changed(fx.page, row.screen);
        CHECK(fx.page.keyboard_field == row.field);
        page_apply(fx.page, fx.config, page_fit_keyboard(10, 7));
        const int digit = soft_keyboard_find(fx.page.keyboard, SoftKeyKind::Char, '7');
        page_apply(fx.page, fx.config, page_action(PageActionKind::PressSoftKey, digit));
        CHECK(text_of(page_secret(fx.page, row.field)) == "7");
        // Only that field got the key.
        for (SecretField other : {SecretField::Password, SecretField::EnrollmentCode, SecretField::Passphrase,
                                  SecretField::PassphraseAgain})
            if (other != row.field)
                CHECK(secret_length(page_secret(fx.page, other)) == 0);
        const auto submit = page_apply(fx.page, fx.config,
                                       page_action(PageActionKind::PressSoftKey,
                                                   soft_keyboard_find(fx.page.keyboard, SoftKeyKind::Enter)));
        REQUIRE(submit);
        CHECK(submit->kind == row.submits);
    }
}

TEST_CASE("取得 submits the typed ID with the code's length; 保存 says whether both import passwords match")
{
    Fixture fx;
    std::strcpy(fx.page.user_id, "unga01");
    std::strcpy(fx.page.enrollment_code.data, "abcDEF234567");
    const auto enroll = page_apply(fx.page, fx.config, page_action(PageActionKind::SubmitEnrollment));
    REQUIRE(enroll);
    CHECK(enroll->kind == FlowEventKind::ClickSubmitEnrollment);
    CHECK(enroll->text == "unga01");
    CHECK(enroll->password_length == 12);

    struct Row { const char* first; const char* again; bool match; };
    const Row rows[] = {
        {"correct horse", "correct horse", true},
        {"correct horse", "correct horsf", false},
        {"correct horse", "correct hors", false},
        {"", "", true},
    };
    for (const Row& row : rows) {
        CAPTURE(row.first, row.again);
        page_wipe_secrets(fx.page);
        std::strcpy(fx.page.passphrase.data, row.first);
        std::strcpy(fx.page.passphrase_again.data, row.again);
        const auto save = page_apply(fx.page, fx.config, page_action(PageActionKind::SubmitPassphrase));
        REQUIRE(save);
        CHECK(save->kind == FlowEventKind::ClickSubmitPassphrase);
        CHECK(save->password_length == static_cast<int>(std::strlen(row.first)));
        CHECK(save->passphrase_again_length == static_cast<int>(std::strlen(row.again)));
        CHECK(save->passphrase_match == row.match);
    }

    // The keyboard may be pointed at the confirmation field, and nowhere that does not exist.
    page_apply(fx.page, fx.config, page_action(PageActionKind::SelectKeyboardField, static_cast<int>(SecretField::PassphraseAgain)));
    CHECK(fx.page.keyboard_field == SecretField::PassphraseAgain);
    page_apply(fx.page, fx.config, page_action(PageActionKind::SelectKeyboardField, 9));
    CHECK(fx.page.keyboard_field == SecretField::PassphraseAgain);

    page_wipe_secrets(fx.page);
    for (SecretField field : {SecretField::Password, SecretField::EnrollmentCode, SecretField::Passphrase,
                              SecretField::PassphraseAgain})
        for (char c : page_secret(fx.page, field).data)
            CHECK(c == 0);
    CHECK(std::string(fx.page.user_id) == "unga01");   // not a secret: kept for a second try
}

TEST_CASE("user IDs take the server's characters only")
{
    for (unsigned c : {unsigned('a'), unsigned('Z'), unsigned('0'), unsigned('9'), unsigned('.'), unsigned('_'), unsigned('-')})
        CHECK(user_id_char(c));
    for (unsigned c : {unsigned(' '), unsigned('@'), unsigned('/'), unsigned('\\'), unsigned('"'), 0x3042u, 0u, 0x7fu})
        CHECK_FALSE(user_id_char(c));
}
