#pragma once
// The software keyboard's model: which keys exist, where they are, and what a press does.
//
// The keyboard defends the login password against spyware on the customer's PC: a key logger
// sees no key strokes, a click-position logger sees positions that mean nothing because the
// layout is shuffled when the keyboard opens and (unless キー配列を固定 is chosen) after every
// character. Hiding labels under the pointer is the view's job (src/ui); this file only says
// which character a key types.
//
// Every character the password policy allows (printable ASCII 0x21-0x7E, 94 characters) is on
// exactly one key of one key set:
//   - LettersLower: digits + a-z        - LettersUpper: digits + A-Z
//   - Symbols:      digits + the 32 ASCII symbols
// The letters page shows LettersUpper when Shift (one character) or Caps (locked) says so; the
// letters keep their positions when the case changes, as on a physical keyboard. Digits and
// symbols are always shuffled; letters are shuffled only with the "randomize letters" option,
// otherwise they are in QWERTY order.
//
// Typed characters go straight into the SecretBuffer and nowhere else: a press returns what
// happened, never which character was typed.

#include "app_config.h"     // SoftwareKeyboardDefaults
#include "secret_buffer.h"

#include <cstdint>

// The random source that shuffles layouts. Production passes soft_keyboard_random_u32_os (the
// OS CSPRNG); tests pass a deterministic generator. Never rand().
struct SoftKeyboardRandom {
    uint32_t (*random_u32)(void* context) = nullptr;   // uniformly distributed 32-bit values
    void* context = nullptr;
};

// 32 random bits from getentropy() (glibc's getrandom; in Emscripten crypto.getRandomValues).
// `context` is unused. If the OS source fails the process aborts: a keyboard with a predictable
// layout would defeat its purpose silently.
uint32_t soft_keyboard_random_u32_os(void* context);
SoftKeyboardRandom soft_keyboard_random_os();

// A uniformly distributed integer in [0, bound) for bound >= 1, by rejection sampling (no
// modulo bias: draws below 2^32 mod bound are rejected).
uint32_t soft_keyboard_uniform_below(const SoftKeyboardRandom& random, uint32_t bound);

// Fisher-Yates shuffle of `count` bytes, every permutation equally likely.
void soft_keyboard_shuffle(char* items, int count, const SoftKeyboardRandom& random);

enum class SoftKeySet : uint8_t { LettersLower, LettersUpper, Symbols };

// The characters of a key set, in their unshuffled order (digits first, then QWERTY letters or
// the symbols in ASCII order). Returns the count; `out` receives no terminator.
constexpr int kSoftKeySetMaxChars = 10 + 32;
int soft_key_set_chars(SoftKeySet set, char out[kSoftKeySetMaxChars]);

enum class SoftKeyKind : uint8_t {
    Char,         // types `ch`
    Shift,        // upper case for the next character only
    Caps,         // upper case until pressed again
    Page,         // letters page <-> symbols page
    DeleteLast,   // 1文字クリア
    ClearAll,     // 全てクリア
    Close,        // 閉じる
    Enter,        // 決定
};

struct SoftKey {
    SoftKeyKind kind = SoftKeyKind::Char;
    char ch = 0;     // the character typed, for Char keys only
    int row = 0;     // 0 = top row
    int col = 0;     // 0 = leftmost column
};

// Column counts the layout accepts; soft_keyboard_open clamps to this range.
constexpr int kSoftKeyboardMinColumns = 4;
constexpr int kSoftKeyboardMaxColumns = 16;
constexpr int kSoftKeyboardControlKeys = 7;
constexpr int kSoftKeyboardMaxKeys = kSoftKeySetMaxChars + kSoftKeyboardControlKeys;

// One page as shown: character keys first (digit rows, then letter or symbol rows), then the
// control keys in a fixed order (Shift, Caps, Page, DeleteLast, ClearAll, Close, Enter) in rows
// of their own. No row of characters is wider than `columns`, no row of control keys wider than
// `control_columns` (their labels are words: fewer fit a row, especially with large text).
struct SoftKeyLayout {
    SoftKey keys[kSoftKeyboardMaxKeys];
    int key_count = 0;
    int columns = 0;
    int control_columns = 0;
    int rows = 0;
};

struct SoftKeyboardOptions {
    bool fixed_layout = false;         // キー配列を固定: no reshuffle after a character
    bool always_show_labels = false;   // 文字を常に表示 (read by the view)
    bool randomize_letters = false;    // shuffle letters too, not only digits and symbols
};

SoftKeyboardOptions soft_keyboard_options_from(const SoftwareKeyboardDefaults& defaults);

enum class SoftKeyPage : uint8_t { Letters, Symbols };

struct SoftKeyboard {
    bool open = false;
    SoftKeyPage page = SoftKeyPage::Letters;
    bool shift = false;    // one-shot: released after the next character
    bool caps = false;     // locked until pressed again
    SoftKeyboardOptions options;
    SoftKeyboardRandom random;
    SoftKeyLayout layout;  // the page on screen; its letters follow the shift state
    SoftKeyLayout hidden;  // the other page, swapped in by the Page key (no reshuffle, so a
                           // fixed layout stays fixed across page changes)
};

// What a press did, for the view (announce, close) and the screen flow (submit).
enum class SoftKeyResult : uint8_t {
    Typed,       // one character appended to the buffer
    Full,        // the buffer is full; nothing appended
    Deleted,     // the last character removed
    Empty,       // 1文字クリア on an empty buffer; nothing changed
    Cleared,     // the whole buffer wiped
    Closed,      // the keyboard closed (the buffer is kept)
    Submitted,   // 決定: the caller submits the password
    Changed,     // Shift, Caps or the page changed what the keys show
    Invalid,     // no such key, or the keyboard is closed
};

// A closed keyboard with the credit union's default options and the given random source.
SoftKeyboard soft_keyboard_make(const SoftwareKeyboardDefaults& defaults, SoftKeyboardRandom random);

// Opens on the letters page in lower case with a fresh layout of `columns` columns (clamped to
// kSoftKeyboardMinColumns..kSoftKeyboardMaxColumns) and control keys `control_columns` to a row
// (clamped to 1..kSoftKeyboardControlKeys; 0: as many as `columns`). Opening an open keyboard
// reshuffles it.
void soft_keyboard_open(SoftKeyboard& kb, int columns, int control_columns = 0);
void soft_keyboard_close(SoftKeyboard& kb);
// Opens the keyboard for `columns` / `control_columns` (clamped as above) unless it is open in
// exactly that layout already: drawn at a new width it is laid out (and shuffled) anew, drawn at
// the same width it stays as it is. Returns true when it was laid out.
bool soft_keyboard_fit(SoftKeyboard& kb, int columns, int control_columns);

// The key set on screen: the page and, on the letters page, Shift XOR Caps (Shift with Caps
// on types one lower-case letter, as on a physical keyboard).
SoftKeySet soft_keyboard_key_set(const SoftKeyboard& kb);

// Presses key `key_index` of kb.layout. Characters go into `buffer` only.
SoftKeyResult soft_keyboard_press(SoftKeyboard& kb, SecretBuffer& buffer, int key_index);

// Index in kb.layout of the first key of `kind` (for Char keys: the key typing `ch`), or -1
// when the page on screen has no such key.
int soft_keyboard_find(const SoftKeyboard& kb, SoftKeyKind kind, char ch = 0);

// Builds the layout of `set` in rows of at most `columns` (clamped as above), shuffling with
// `random`. Letters keep QWERTY order unless `randomize_letters`.
void soft_keyboard_build_layout(SoftKeyLayout& layout, SoftKeySet set, int columns,
                                bool randomize_letters, const SoftKeyboardRandom& random, int control_columns = 0);
