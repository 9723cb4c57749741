#include "soft_keyboard.h"

#include <cstdio>
#include <cstdlib>
#include <unistd.h>   // getentropy (glibc >= 2.25; Emscripten backs it with crypto.getRandomValues)

// ---- random source

uint32_t soft_keyboard_random_u32_os(void* context)
{
    (void)context;
    // getentropy only fails for requests over 256 bytes or when the kernel lacks getrandom; a
    // second try covers a signal interrupting the first.
    for (int attempt = 0; attempt < 2; attempt++) {
        uint32_t value = 0;
        if (getentropy(&value, sizeof(value)) == 0)
            return value;
    }
    std::fputs("software keyboard: the operating system's random source is unavailable\n", stderr);
    std::abort();
}

SoftKeyboardRandom soft_keyboard_random_os()
{
    SoftKeyboardRandom random;
    random.random_u32 = soft_keyboard_random_u32_os;
    random.context = nullptr;
    return random;
}

uint32_t soft_keyboard_uniform_below(const SoftKeyboardRandom& random, uint32_t bound)
{
    if (bound <= 1)
        return 0;
    // 2^32 mod bound, computed in 32 bits: the first `reject_below` values of the 2^32 would
    // make the low residues more likely, so they are drawn again.
    const uint32_t reject_below = (0u - bound) % bound;
    for (;;) {
        const uint32_t r = random.random_u32(random.context);
        if (r >= reject_below)
            return r % bound;
    }
}

void soft_keyboard_shuffle(char* items, int count, const SoftKeyboardRandom& random)
{
    for (int i = count - 1; i > 0; i--) {
        const int j = static_cast<int>(soft_keyboard_uniform_below(random, static_cast<uint32_t>(i + 1)));
        const char tmp = items[i];
        items[i] = items[j];
        items[j] = tmp;
    }
}

// ---- key sets

static const char kDigits[] = "0123456789";
static const char kQwertyRows[3][11] = { "qwertyuiop", "asdfghjkl", "zxcvbnm" };
static const int kLetterCount = 26;

static bool is_ascii_lower(char c) { return c >= 'a' && c <= 'z'; }
static bool is_ascii_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
static char to_upper(char c) { return is_ascii_lower(c) ? static_cast<char>(c - 'a' + 'A') : c; }
static char to_lower(char c) { return is_ascii_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

// The 32 symbols: every printable ASCII character (0x21-0x7E) that is not a letter or digit.
static int symbol_chars(char* out)
{
    int n = 0;
    for (int c = 0x21; c <= 0x7E; c++) {
        const char ch = static_cast<char>(c);
        if (!is_ascii_lower(ch) && !is_ascii_upper(ch) && !is_ascii_digit(ch))
            out[n++] = ch;
    }
    return n;
}

static int qwerty_chars(char* out, bool upper)
{
    int n = 0;
    for (const char* row : kQwertyRows)
        for (const char* p = row; *p != 0; p++)
            out[n++] = upper ? to_upper(*p) : *p;
    return n;
}

int soft_key_set_chars(SoftKeySet set, char out[kSoftKeySetMaxChars])
{
    int n = 0;
    for (const char* p = kDigits; *p != 0; p++)
        out[n++] = *p;
    if (set == SoftKeySet::Symbols)
        return n + symbol_chars(out + n);
    return n + qwerty_chars(out + n, set == SoftKeySet::LettersUpper);
}

// ---- layout

static int clamp_columns(int columns)
{
    if (columns < kSoftKeyboardMinColumns)
        return kSoftKeyboardMinColumns;
    if (columns > kSoftKeyboardMaxColumns)
        return kSoftKeyboardMaxColumns;
    return columns;
}

static int clamp_control_columns(int control_columns, int columns)
{
    if (control_columns <= 0)
        control_columns = columns;
    return control_columns < 1 ? 1 : control_columns > kSoftKeyboardControlKeys ? kSoftKeyboardControlKeys : control_columns;
}

// Appends `count` keys starting on a new row, wrapping after `per_row` keys.
static void add_rows(SoftKeyLayout& layout, const SoftKeyKind* kinds, const char* chars, int count, int per_row)
{
    int col = 0;
    for (int i = 0; i < count; i++) {
        if (col == per_row) {
            layout.rows++;
            col = 0;
        }
        SoftKey& key = layout.keys[layout.key_count++];
        key.kind = kinds != nullptr ? kinds[i] : SoftKeyKind::Char;
        key.ch = chars != nullptr ? chars[i] : 0;
        key.row = layout.rows;
        key.col = col++;
    }
    if (count > 0)
        layout.rows++;
}

void soft_keyboard_build_layout(SoftKeyLayout& layout, SoftKeySet set, int columns,
                                bool randomize_letters, const SoftKeyboardRandom& random, int control_columns)
{
    layout = SoftKeyLayout();
    layout.columns = clamp_columns(columns);
    layout.control_columns = clamp_control_columns(control_columns, layout.columns);

    char digits[10];
    for (int i = 0; i < 10; i++)
        digits[i] = kDigits[i];
    soft_keyboard_shuffle(digits, 10, random);
    add_rows(layout, nullptr, digits, 10, layout.columns);

    if (set == SoftKeySet::Symbols) {
        char symbols[32];
        const int n = symbol_chars(symbols);
        soft_keyboard_shuffle(symbols, n, random);
        add_rows(layout, nullptr, symbols, n, layout.columns);
    } else {
        const bool upper = set == SoftKeySet::LettersUpper;
        if (randomize_letters || layout.columns < 10) {
            // Shuffled letters, or QWERTY order wrapped to a narrow keyboard.
            char letters[kLetterCount];
            const int n = qwerty_chars(letters, upper);
            if (randomize_letters)
                soft_keyboard_shuffle(letters, n, random);
            add_rows(layout, nullptr, letters, n, layout.columns);
        } else {
            for (const char* row : kQwertyRows) {
                char letters[10];
                int n = 0;
                for (const char* p = row; *p != 0; p++)
                    letters[n++] = upper ? to_upper(*p) : *p;
                add_rows(layout, nullptr, letters, n, layout.columns);
            }
        }
    }

    static const SoftKeyKind controls[kSoftKeyboardControlKeys] = {
        SoftKeyKind::Shift, SoftKeyKind::Caps, SoftKeyKind::Page, SoftKeyKind::DeleteLast,
        SoftKeyKind::ClearAll, SoftKeyKind::Close, SoftKeyKind::Enter,
    };
    add_rows(layout, controls, nullptr, kSoftKeyboardControlKeys, layout.control_columns);
}

// ---- state

SoftKeyboardOptions soft_keyboard_options_from(const SoftwareKeyboardDefaults& defaults)
{
    SoftKeyboardOptions options;
    options.fixed_layout = defaults.fixed_layout;
    options.always_show_labels = defaults.always_show_labels;
    options.randomize_letters = defaults.randomize_letters;
    return options;
}

SoftKeyboard soft_keyboard_make(const SoftwareKeyboardDefaults& defaults, SoftKeyboardRandom random)
{
    SoftKeyboard kb;
    kb.options = soft_keyboard_options_from(defaults);
    kb.random = random.random_u32 != nullptr ? random : soft_keyboard_random_os();
    return kb;
}

static SoftKeySet letters_set(const SoftKeyboard& kb)
{
    return kb.shift != kb.caps ? SoftKeySet::LettersUpper : SoftKeySet::LettersLower;
}

SoftKeySet soft_keyboard_key_set(const SoftKeyboard& kb)
{
    return kb.page == SoftKeyPage::Symbols ? SoftKeySet::Symbols : letters_set(kb);
}

// Both pages anew, the one on screen in kb.layout.
static void reshuffle(SoftKeyboard& kb)
{
    if (kb.random.random_u32 == nullptr)
        kb.random = soft_keyboard_random_os();
    SoftKeyLayout& letters = kb.page == SoftKeyPage::Letters ? kb.layout : kb.hidden;
    SoftKeyLayout& symbols = kb.page == SoftKeyPage::Symbols ? kb.layout : kb.hidden;
    const int columns = kb.layout.columns;
    const int control_columns = kb.layout.control_columns;
    soft_keyboard_build_layout(letters, letters_set(kb), columns, kb.options.randomize_letters, kb.random, control_columns);
    soft_keyboard_build_layout(symbols, SoftKeySet::Symbols, columns, kb.options.randomize_letters, kb.random, control_columns);
}

// Letters keep their positions when the case changes; only the characters they type change.
static void apply_case(SoftKeyLayout& layout, bool upper)
{
    for (int i = 0; i < layout.key_count; i++)
        if (layout.keys[i].kind == SoftKeyKind::Char)
            layout.keys[i].ch = upper ? to_upper(layout.keys[i].ch) : to_lower(layout.keys[i].ch);
}

static void apply_case(SoftKeyboard& kb)
{
    const bool upper = letters_set(kb) == SoftKeySet::LettersUpper;
    apply_case(kb.layout, upper);
    apply_case(kb.hidden, upper);
}

void soft_keyboard_open(SoftKeyboard& kb, int columns, int control_columns)
{
    kb.open = true;
    kb.page = SoftKeyPage::Letters;
    kb.shift = false;
    kb.caps = false;
    kb.layout.columns = clamp_columns(columns);
    kb.layout.control_columns = clamp_control_columns(control_columns, kb.layout.columns);
    reshuffle(kb);
}

bool soft_keyboard_fit(SoftKeyboard& kb, int columns, int control_columns)
{
    const int want = clamp_columns(columns);
    if (kb.open && kb.layout.columns == want && kb.layout.control_columns == clamp_control_columns(control_columns, want))
        return false;
    soft_keyboard_open(kb, columns, control_columns);
    return true;
}

void soft_keyboard_close(SoftKeyboard& kb)
{
    kb.open = false;
    kb.shift = false;
}

int soft_keyboard_find(const SoftKeyboard& kb, SoftKeyKind kind, char ch)
{
    for (int i = 0; i < kb.layout.key_count; i++) {
        const SoftKey& key = kb.layout.keys[i];
        if (key.kind == kind && (kind != SoftKeyKind::Char || key.ch == ch))
            return i;
    }
    return -1;
}

SoftKeyResult soft_keyboard_press(SoftKeyboard& kb, SecretBuffer& buffer, int key_index)
{
    if (!kb.open || key_index < 0 || key_index >= kb.layout.key_count)
        return SoftKeyResult::Invalid;
    const SoftKey key = kb.layout.keys[key_index];
    switch (key.kind) {
    case SoftKeyKind::Char:
        if (!secret_append(buffer, key.ch))
            return SoftKeyResult::Full;
        if (kb.shift) {
            kb.shift = false;
            apply_case(kb);
        }
        if (!kb.options.fixed_layout)
            reshuffle(kb);
        return SoftKeyResult::Typed;
    case SoftKeyKind::Shift:
        kb.shift = !kb.shift;
        apply_case(kb);
        return SoftKeyResult::Changed;
    case SoftKeyKind::Caps:
        kb.caps = !kb.caps;
        apply_case(kb);
        return SoftKeyResult::Changed;
    case SoftKeyKind::Page: {
        const SoftKeyLayout shown = kb.layout;
        kb.layout = kb.hidden;
        kb.hidden = shown;
        kb.page = kb.page == SoftKeyPage::Letters ? SoftKeyPage::Symbols : SoftKeyPage::Letters;
        return SoftKeyResult::Changed;
    }
    case SoftKeyKind::DeleteLast:
        return secret_delete_last(buffer) ? SoftKeyResult::Deleted : SoftKeyResult::Empty;
    case SoftKeyKind::ClearAll:
        secret_wipe(buffer);
        return SoftKeyResult::Cleared;
    case SoftKeyKind::Close:
        soft_keyboard_close(kb);
        return SoftKeyResult::Closed;
    case SoftKeyKind::Enter:
        return SoftKeyResult::Submitted;
    }
    return SoftKeyResult::Invalid;
}
