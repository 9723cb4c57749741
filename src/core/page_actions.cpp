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
        switch (soft_keyboard_press(page.keyboard, page.password, action.value)) {
        case SoftKeyResult::Submitted: return flow_submit_password(secret_length(page.password));
        case SoftKeyResult::Closed: return flow_event(FlowEventKind::ClickToggleKeyboard);
        default: return std::nullopt;
        }
    case PageActionKind::SubmitPassword: return flow_submit_password(secret_length(page.password));
    }
    return std::nullopt;
}

void page_screen_changed(PageState& page)
{
    soft_keyboard_close(page.keyboard);
}

void page_after_frame(PageState& page)
{
    secret_normalise(page.password);
}

bool soft_keyboard_labels_visible(const SoftKeyboardOptions& options, const KeyboardPointer& pointer)
{
    if (options.always_show_labels)
        return true;
    if (pointer.touch)
        return !(pointer.over_keys && pointer.finger_down);
    return !pointer.over_keys;
}
