#include "core/page_actions.h"

PageAction page_flow(const FlowEvent& event)
{
    PageAction a;
    a.kind = PageActionKind::Flow;
    a.flow = event;
    return a;
}

PageAction page_action(PageActionKind kind, int value)
{
    PageAction a;
    a.kind = kind;
    a.value = value;
    return a;
}

PageAction page_keyboard_option(KeyboardOption option, bool on)
{
    PageAction a;
    a.kind = PageActionKind::SetKeyboardOption;
    a.option = option;
    a.on = on;
    return a;
}

PageAction page_fit_keyboard(int columns, int control_columns)
{
    PageAction a;
    a.kind = PageActionKind::FitSoftKeyboard;
    a.columns = columns;
    a.control_columns = control_columns;
    return a;
}

static bool valid_text_size(int v) { return v >= 0 && v <= static_cast<int>(TextSize::ExtraLarge); }
static bool valid_theme(int v) { return v >= 0 && v <= static_cast<int>(ThemeChoice::HighContrast); }

static void set_keyboard_option(SoftKeyboard& kb, KeyboardOption option, bool on)
{
    switch (option) {
    case KeyboardOption::AlwaysShowLabels: kb.options.always_show_labels = on; break;
    case KeyboardOption::FixedLayout: kb.options.fixed_layout = on; break;
    case KeyboardOption::RandomizeLetters:
        if (kb.options.randomize_letters == on)
            break;
        kb.options.randomize_letters = on;
        soft_keyboard_close(kb);   // reopens at its next fit with the letters placed anew
        break;
    }
}

SecretBuffer& page_secret(PageState& page, SecretField field)
{
    switch (field) {
    case SecretField::Password: return page.password;
    case SecretField::EnrollmentCode: return page.enrollment_code;
    case SecretField::Passphrase: return page.passphrase;
    case SecretField::PassphraseAgain: return page.passphrase_again;
    }
    return page.password;
}

// The submit of the form a field belongs to: 認証, 次へ or 保存.
static FlowEvent submit_form(const PageState& page, SecretField field)
{
    switch (field) {
    case SecretField::EnrollmentCode:
        return flow_submit_enrollment(page.user_id, secret_length(page.enrollment_code));
    case SecretField::Passphrase:
    case SecretField::PassphraseAgain:
        return flow_submit_passphrase(secret_length(page.passphrase), secret_length(page.passphrase_again),
                                      secret_equal(page.passphrase, page.passphrase_again));
    case SecretField::Password:
        break;
    }
    return flow_submit_password(secret_length(page.password));
}

std::optional<FlowEvent> page_apply(PageState& page, const AppConfig& config, const PageAction& action)
{
    switch (action.kind) {
    case PageActionKind::None: return std::nullopt;
    case PageActionKind::Flow: return action.flow;
    case PageActionKind::ToggleLanguage:
        page.prefs.lang = page.prefs.lang == Lang::Ja ? Lang::En : Lang::Ja;
        return std::nullopt;
    case PageActionKind::SetTextSize:
        if (valid_text_size(action.value))
            page.prefs.text_size = static_cast<TextSize>(action.value);
        return std::nullopt;
    case PageActionKind::SetTheme:
        if (valid_theme(action.value))
            page.prefs.theme = static_cast<ThemeChoice>(action.value);
        return std::nullopt;
    case PageActionKind::OpenForgotPassword:
        page.open_url = config.forgot_password_url;   // empty when none is configured: nothing opens
        return std::nullopt;
    case PageActionKind::SetKeyboardOption:
        set_keyboard_option(page.keyboard, action.option, action.on);
        return std::nullopt;
    case PageActionKind::FitSoftKeyboard:
        // A keyboard drawn at another width is laid out anew (keys must stay a fingertip wide).
        soft_keyboard_fit(page.keyboard, action.columns, action.control_columns);
        return std::nullopt;
    case PageActionKind::PressSoftKey:
        switch (soft_keyboard_press(page.keyboard, page_secret(page, page.keyboard_field), action.value)) {
        case SoftKeyResult::Submitted: return submit_form(page, page.keyboard_field);   // 決定
        case SoftKeyResult::Closed: return flow_event(FlowEventKind::ClickToggleKeyboard);
        default: return std::nullopt;
        }
    case PageActionKind::SubmitPassword: return submit_form(page, SecretField::Password);
    case PageActionKind::SubmitEnrollment: return submit_form(page, SecretField::EnrollmentCode);
    case PageActionKind::SubmitPassphrase: return submit_form(page, SecretField::Passphrase);
    case PageActionKind::SelectKeyboardField:
        if (action.value >= 0 && action.value <= static_cast<int>(SecretField::PassphraseAgain))
            page.keyboard_field = static_cast<SecretField>(action.value);
        return std::nullopt;
    }
    return std::nullopt;
}

void page_screen_changed(PageState& page, Screen screen)
{
    soft_keyboard_close(page.keyboard);
    switch (screen) {
    case Screen::EnrollEntry: page.keyboard_field = SecretField::EnrollmentCode; break;
    case Screen::PassphraseEntry: page.keyboard_field = SecretField::Passphrase; break;
    default: page.keyboard_field = SecretField::Password; break;
    }
}

void page_after_frame(PageState& page)
{
    secret_normalise(page.password);
    secret_normalise(page.enrollment_code);
    secret_normalise(page.passphrase);
    secret_normalise(page.passphrase_again);
    page.user_id[sizeof(page.user_id) - 1] = '\0';
}

void page_wipe_secrets(PageState& page)
{
    secret_wipe(page.password);
    secret_wipe(page.enrollment_code);
    secret_wipe(page.passphrase);
    secret_wipe(page.passphrase_again);
}

bool user_id_char(unsigned c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool soft_keyboard_labels_visible(const SoftKeyboardOptions& options, const KeyboardPointer& pointer)
{
    if (options.always_show_labels)
        return true;
    if (pointer.touch)
        return !(pointer.over_keys && pointer.finger_down);
    return !pointer.over_keys;
}
