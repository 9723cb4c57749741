#pragma once
// What the customer does on a screen, as data, and the pure functions that apply it.
//
// Screens draw from const views of the flow, the configuration and the page's state and only
// *emit* PageActions (src/ui/screens.h). Two kinds:
//   - a login-flow event (PageActionKind::Flow), passed on to flow_apply unchanged;
//   - a change to the page's own state beside the flow: language, text size, theme, the software
//     keyboard's options and keys, the password buffer, a link to open.
// page_apply applies one action and says which flow event, if any, it leads to (a software
// keyboard's 決定 submits the password). So every rule of what a click does lives here or in
// screen_flow, and both are table-tested.

#include "core/app_config.h"
#include "core/display_prefs.h"
#include "core/screen_flow.h"
#include "core/secret_buffer.h"
#include "core/soft_keyboard.h"

#include <optional>
#include <string>

// The secret text fields; the software keyboard types into one of them.
enum class SecretField { Password, EnrollmentCode, Passphrase, PassphraseAgain };

// The page's state beside the login flow.
struct PageState {
    DisplayPrefs prefs;      // language, text size, theme choice (remembered on the device)
    SoftKeyboard keyboard;   // the software keyboard (core/soft_keyboard.h)
    // Every secret the customer types has a wiped buffer of its own (core/secret_buffer.h);
    // EffectKind::WipePassword wipes them all (page_wipe_secrets).
    SecretBuffer password;           // the login password
    SecretBuffer enrollment_code;    // 取得用パスワード
    SecretBuffer passphrase;         // the PKCS#12 import password, and its confirmation
    SecretBuffer passphrase_again;
    SecretField keyboard_field = SecretField::Password;   // where the software keyboard types
    // 取得's user ID: not a secret, but never grown either (ImGui edits it in place).
    char user_id[api::kMaxUserIdBytes + 1] = {};
    std::string open_url;    // a link the customer followed, for the platform to open (then cleared)
};

SecretBuffer& page_secret(PageState& page, SecretField field);

enum class KeyboardOption { AlwaysShowLabels, FixedLayout, RandomizeLetters };

enum class PageActionKind {
    None,
    Flow,                // `flow`: a login-flow event
    ToggleLanguage,      // 日本語 <-> English
    SetTextSize,         // `value`: a TextSize
    SetTheme,            // `value`: a ThemeChoice
    OpenForgotPassword,  // the configured forgotten-password page (the flow stays where it is)
    SetKeyboardOption,   // `option` set to `on`
    FitSoftKeyboard,     // the keyboard is drawn `columns` keys wide, `control_columns` control keys a row
    PressSoftKey,        // `value`: index of the key in the keyboard's layout
    SubmitPassword,      // 認証, or Enter in the password field
    SubmitEnrollment,    // 次へ on 電子証明書取得, or Enter in its fields
    SubmitPassphrase,    // 保存 on the import password screen, or Enter in its fields
    SelectKeyboardField, // `value`: a SecretField the software keyboard now types into
};

struct PageAction {
    PageActionKind kind = PageActionKind::None;
    FlowEvent flow;                  // Flow
    int value = 0;                   // SetTextSize, SetTheme, PressSoftKey
    KeyboardOption option = KeyboardOption::AlwaysShowLabels;   // SetKeyboardOption
    bool on = false;
    int columns = 0;                 // FitSoftKeyboard
    int control_columns = 0;
};

PageAction page_flow(const FlowEvent& event);
PageAction page_action(PageActionKind kind, int value = 0);
PageAction page_keyboard_option(KeyboardOption option, bool on);
PageAction page_fit_keyboard(int columns, int control_columns);

// Applies `action`. Returns the flow event it leads to, if any: Flow actions themselves,
// SubmitPassword (ClickSubmitPassword with the buffer's length), and a software key that
// submits (決定) or closes (閉じる: type on the physical keyboard instead).
std::optional<FlowEvent> page_apply(PageState& page, const AppConfig& config, const PageAction& action);

// A new screen visit: the software keyboard reopens with a freshly shuffled layout, typing into
// the screen's first secret field.
void page_screen_changed(PageState& page, Screen screen);

// After each frame: the text fields edit their buffers in place; keep them in the form the
// rest of core relies on (secret_normalise, a terminated user ID).
void page_after_frame(PageState& page);

// Zeroes every secret buffer (EffectKind::WipePassword).
void page_wipe_secrets(PageState& page);

// A user ID character (A-Z a-z 0-9 . _ -), as the server's check: the ID field takes no other.
bool user_id_char(unsigned c);

// Whether the software keyboard shows its character labels now: always with 文字を常に表示;
// otherwise hidden while a mouse pointer is over the keys or a finger is down on them, so a
// screen recording of the clicks does not show what was typed.
struct KeyboardPointer {
    bool over_keys = false;     // the pointer is over the keys' area
    bool touch = false;         // the pointer is a finger (touch screen)
    bool finger_down = false;   // touch: the finger is on the screen
};
bool soft_keyboard_labels_visible(const SoftKeyboardOptions& options, const KeyboardPointer& pointer);
