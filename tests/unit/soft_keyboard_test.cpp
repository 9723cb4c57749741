#include "core/soft_keyboard.h"
#include "secret_helpers.h"

#include <catch_amalgamated.hpp>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

// A deterministic generator (splitmix64) so layout tests repeat exactly.
struct SplitMix {
    uint64_t state = 0;
};

static uint32_t splitmix_u32(void* context)
{
    SplitMix& s = *static_cast<SplitMix*>(context);
    uint64_t z = (s.state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<uint32_t>((z ^ (z >> 31)) >> 32);
}

static SoftKeyboardRandom seeded(SplitMix& mix)
{
    SoftKeyboardRandom random;
    random.random_u32 = splitmix_u32;
    random.context = &mix;
    return random;
}

static std::string set_chars(SoftKeySet set)
{
    char chars[kSoftKeySetMaxChars];
    const int n = soft_key_set_chars(set, chars);
    return std::string(chars, static_cast<size_t>(n));
}

static std::string layout_chars(const SoftKeyLayout& layout)
{
    std::string out;
    for (int i = 0; i < layout.key_count; i++)
        if (layout.keys[i].kind == SoftKeyKind::Char)
            out += layout.keys[i].ch;
    return out;
}

static std::string sorted(std::string s)
{
    std::sort(s.begin(), s.end());
    return s;
}


static int find_key(const SoftKeyboard& kb, SoftKeyKind kind, char ch = 0)
{
    for (int i = 0; i < kb.layout.key_count; i++)
        if (kb.layout.keys[i].kind == kind && (kind != SoftKeyKind::Char || kb.layout.keys[i].ch == ch))
            return i;
    return -1;
}

// Types `c` as a customer would: switch to the page that has it, set the case with Shift, press.
static SoftKeyResult type_char(SoftKeyboard& kb, SecretBuffer& buf, char c)
{
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    // Digits are on both pages; letters only on the letters page, symbols on the symbols page.
    const SoftKeyPage page = letter ? SoftKeyPage::Letters : digit ? kb.page : SoftKeyPage::Symbols;
    if (kb.page != page)
        REQUIRE(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Page)) == SoftKeyResult::Changed);
    if (letter) {
        const bool want_upper = c >= 'A' && c <= 'Z';
        if ((soft_keyboard_key_set(kb) == SoftKeySet::LettersUpper) != want_upper)
            REQUIRE(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Shift)) == SoftKeyResult::Changed);
    }
    const int index = find_key(kb, SoftKeyKind::Char, c);
    REQUIRE(index >= 0);
    return soft_keyboard_press(kb, buf, index);
}

static SoftKeyboard make_keyboard(SplitMix& mix, bool fixed_layout = false, bool randomize_letters = false)
{
    SoftwareKeyboardDefaults defaults;
    defaults.fixed_layout = fixed_layout;
    defaults.randomize_letters = randomize_letters;
    return soft_keyboard_make(defaults, seeded(mix));
}

TEST_CASE("key sets hold every character the password policy allows, each once")
{
    const std::string lower = set_chars(SoftKeySet::LettersLower);
    const std::string upper = set_chars(SoftKeySet::LettersUpper);
    const std::string symbols = set_chars(SoftKeySet::Symbols);
    CHECK(lower.size() == 36);
    CHECK(upper.size() == 36);
    CHECK(symbols.size() == 42);

    std::string all = lower + upper.substr(10) + symbols.substr(10);   // digits once
    all = sorted(all);
    std::string policy;
    for (int c = 0x21; c <= 0x7E; c++)
        policy += static_cast<char>(c);
    CHECK(all == policy);
}

TEST_CASE("every layout is a permutation of its key set in rows that fit the columns")
{
    SplitMix mix{ 1 };
    const SoftKeyboardRandom random = seeded(mix);
    const SoftKeySet sets[] = { SoftKeySet::LettersLower, SoftKeySet::LettersUpper, SoftKeySet::Symbols };
    for (int columns = kSoftKeyboardMinColumns; columns <= kSoftKeyboardMaxColumns; columns++)
        for (SoftKeySet set : sets)
            for (int randomize = 0; randomize < 2; randomize++)
                for (int round = 0; round < 5; round++) {
                    SoftKeyLayout layout;
                    soft_keyboard_build_layout(layout, set, columns, randomize != 0, random);
                    CAPTURE(columns, static_cast<int>(set), randomize);
                    CHECK(sorted(layout_chars(layout)) == sorted(set_chars(set)));

                    int controls[8] = {};
                    std::vector<int> cells;
                    for (int i = 0; i < layout.key_count; i++) {
                        const SoftKey& key = layout.keys[i];
                        CHECK(key.col >= 0);
                        CHECK(key.col < columns);
                        CHECK(key.row >= 0);
                        CHECK(key.row < layout.rows);
                        cells.push_back(key.row * 100 + key.col);
                        controls[static_cast<int>(key.kind)]++;
                    }
                    std::sort(cells.begin(), cells.end());
                    CHECK(std::adjacent_find(cells.begin(), cells.end()) == cells.end());   // no two keys share a cell
                    for (int kind = 1; kind < 8; kind++)
                        CHECK(controls[kind] == 1);
                }
}

TEST_CASE("control keys wrap at their own row width, so their word labels fit a narrow keyboard")
{
    SplitMix mix{ 3 };
    struct Row {
        int columns;
        int control_columns;
        int expected_per_row;   // the widest row of control keys
        int expected_rows;      // rows holding control keys
    };
    const Row rows[] = {
        {10, 0, 7, 1},    // 0: as many as the character columns allow - all seven in one row
        {6, 0, 6, 2},
        {10, 4, 4, 2},
        {10, 2, 2, 4},
        {10, 1, 1, 7},    // one word label to a row on the narrowest screens
        {10, 99, 7, 1},   // clamped to the seven control keys
        {10, -3, 7, 1},
    };
    for (const Row& row : rows) {
        CAPTURE(row.columns, row.control_columns);
        SoftKeyLayout layout;
        soft_keyboard_build_layout(layout, SoftKeySet::LettersLower, row.columns, false, seeded(mix), row.control_columns);
        int per_row[kSoftKeyboardMaxKeys] = {};
        int first_control_row = layout.rows;
        for (int i = 0; i < layout.key_count; i++) {
            const SoftKey& key = layout.keys[i];
            if (key.kind == SoftKeyKind::Char)
                continue;
            per_row[key.row]++;
            first_control_row = std::min(first_control_row, key.row);
        }
        int widest = 0;
        for (int r = 0; r < layout.rows; r++)
            widest = std::max(widest, per_row[r]);
        CHECK(widest == row.expected_per_row);
        CHECK(layout.rows - first_control_row == row.expected_rows);
    }

    // The keyboard keeps its control rows across a page change and a reshuffle.
    SoftKeyboard kb = soft_keyboard_make(SoftwareKeyboardDefaults(), seeded(mix));
    soft_keyboard_open(kb, 10, 3);
    CHECK(kb.layout.control_columns == 3);
    SecretBuffer buf;
    REQUIRE(soft_keyboard_press(kb, buf, soft_keyboard_find(kb, SoftKeyKind::Page)) == SoftKeyResult::Changed);
    CHECK(kb.layout.control_columns == 3);
}

TEST_CASE("column counts out of range are clamped, never overflow a row")
{
    SplitMix mix{ 2 };
    SoftKeyLayout layout;
    soft_keyboard_build_layout(layout, SoftKeySet::Symbols, 0, false, seeded(mix));
    CHECK(layout.columns == kSoftKeyboardMinColumns);
    soft_keyboard_build_layout(layout, SoftKeySet::Symbols, -5, false, seeded(mix));
    CHECK(layout.columns == kSoftKeyboardMinColumns);
    soft_keyboard_build_layout(layout, SoftKeySet::Symbols, 1000, false, seeded(mix));
    CHECK(layout.columns == kSoftKeyboardMaxColumns);
    for (int i = 0; i < layout.key_count; i++)
        CHECK(layout.keys[i].col < kSoftKeyboardMaxColumns);
}

TEST_CASE("letters stay in QWERTY order unless randomized; digits are always shuffled")
{
    SplitMix mix{ 3 };
    SoftKeyLayout layout;
    soft_keyboard_build_layout(layout, SoftKeySet::LettersLower, 10, false, seeded(mix));
    const std::string chars = layout_chars(layout);
    CHECK(chars.substr(10) == "qwertyuiopasdfghjklzxcvbnm");
    CHECK(chars.substr(0, 10) != "0123456789");
    // QWERTY rows on a keyboard 10 keys wide: q, a and z start rows 2, 3 and 4.
    CHECK(layout.keys[10].row == 1);
    CHECK(layout.keys[20].ch == 'a');
    CHECK(layout.keys[20].row == 2);
    CHECK(layout.keys[20].col == 0);
    CHECK(layout.keys[29].ch == 'z');
    CHECK(layout.keys[29].row == 3);

    soft_keyboard_build_layout(layout, SoftKeySet::LettersLower, 10, true, seeded(mix));
    CHECK(layout_chars(layout).substr(10) != "qwertyuiopasdfghjklzxcvbnm");
}

TEST_CASE("every allowed character can be typed on the keyboard")
{
    SplitMix mix{ 4 };
    for (int randomize = 0; randomize < 2; randomize++) {
        SoftKeyboard kb = make_keyboard(mix, false, randomize != 0);
        soft_keyboard_open(kb, 10);
        std::string typed;
        SecretBuffer buf;
        for (int c = 0x21; c <= 0x7E; c++) {
            if (secret_length(buf) == kSecretCapacity) {
                typed += secret_text(buf);
                secret_wipe(buf);
            }
            CAPTURE(c);
            CHECK(type_char(kb, buf, static_cast<char>(c)) == SoftKeyResult::Typed);
        }
        typed += secret_text(buf);
        std::string policy;
        for (int c = 0x21; c <= 0x7E; c++)
            policy += static_cast<char>(c);
        CHECK(typed == policy);
    }
}

TEST_CASE("Shift is released after one character; Caps stays until pressed again")
{
    SplitMix mix{ 5 };
    SoftKeyboard kb = make_keyboard(mix);
    SecretBuffer buf;
    soft_keyboard_open(kb, 10);
    CHECK(soft_keyboard_key_set(kb) == SoftKeySet::LettersLower);

    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Shift)) == SoftKeyResult::Changed);
    CHECK(soft_keyboard_key_set(kb) == SoftKeySet::LettersUpper);
    CHECK(find_key(kb, SoftKeyKind::Char, 'q') == -1);
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Char, 'Q')) == SoftKeyResult::Typed);
    CHECK(soft_keyboard_key_set(kb) == SoftKeySet::LettersLower);
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Char, 'w')) == SoftKeyResult::Typed);

    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Caps)) == SoftKeyResult::Changed);
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Char, 'E')) == SoftKeyResult::Typed);
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Char, 'R')) == SoftKeyResult::Typed);
    // Shift with Caps on: one lower-case letter, then upper case again.
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Shift)) == SoftKeyResult::Changed);
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Char, 't')) == SoftKeyResult::Typed);
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Char, 'Y')) == SoftKeyResult::Typed);
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Caps)) == SoftKeyResult::Changed);
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Char, 'u')) == SoftKeyResult::Typed);
    CHECK(secret_text(buf) == "QwERtYu");

    // Shift survives a page change; the next character, a symbol here, uses it up.
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Shift)) == SoftKeyResult::Changed);
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Page)) == SoftKeyResult::Changed);
    CHECK(soft_keyboard_key_set(kb) == SoftKeySet::Symbols);
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Char, '#')) == SoftKeyResult::Typed);
    CHECK(kb.shift == false);
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Page)) == SoftKeyResult::Changed);
    CHECK(find_key(kb, SoftKeyKind::Char, 'i') >= 0);
}

TEST_CASE("letters keep their positions when the case changes")
{
    SplitMix mix{ 6 };
    SoftKeyboard kb = make_keyboard(mix, false, true);
    SecretBuffer buf;
    soft_keyboard_open(kb, 10);
    const int lower_k = find_key(kb, SoftKeyKind::Char, 'k');
    soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Caps));
    CHECK(find_key(kb, SoftKeyKind::Char, 'K') == lower_k);
}

static bool same_layout(const SoftKeyLayout& a, const SoftKeyLayout& b)
{
    if (a.key_count != b.key_count)
        return false;
    for (int i = 0; i < a.key_count; i++)
        if (a.keys[i].kind != b.keys[i].kind || a.keys[i].ch != b.keys[i].ch)
            return false;
    return true;
}

TEST_CASE("the layout is reshuffled after every character unless it is fixed")
{
    SplitMix mix{ 7 };
    SECTION("default: a new layout on opening and after each character") {
        SoftKeyboard kb = make_keyboard(mix);
        SecretBuffer buf;
        soft_keyboard_open(kb, 10);
        SoftKeyLayout before = kb.layout;
        soft_keyboard_open(kb, 10);
        CHECK_FALSE(same_layout(before, kb.layout));
        for (int i = 0; i < 5; i++) {
            before = kb.layout;
            REQUIRE(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Char, '5')) == SoftKeyResult::Typed);
            CHECK_FALSE(same_layout(before, kb.layout));
        }
        // Keys that type nothing do not move the keys.
        before = kb.layout;
        soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::DeleteLast));
        soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Caps));
        soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Caps));
        CHECK(same_layout(before, kb.layout));
    }
    SECTION("キー配列を固定: the same layout while typing and across page changes") {
        SoftKeyboard kb = make_keyboard(mix, true);
        SecretBuffer buf;
        soft_keyboard_open(kb, 10);
        const SoftKeyLayout letters = kb.layout;
        for (int i = 0; i < 5; i++)
            REQUIRE(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Char, '5')) == SoftKeyResult::Typed);
        CHECK(same_layout(letters, kb.layout));
        soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Page));
        const SoftKeyLayout symbols = kb.layout;
        REQUIRE(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Char, '!')) == SoftKeyResult::Typed);
        CHECK(same_layout(symbols, kb.layout));
        soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Page));
        CHECK(same_layout(letters, kb.layout));
    }
}

TEST_CASE("1文字クリア removes the last character, 全てクリア wipes every byte")
{
    SplitMix mix{ 8 };
    SoftKeyboard kb = make_keyboard(mix);
    SecretBuffer buf;
    soft_keyboard_open(kb, 10);
    for (char c : std::string("Pa$$w0rd"))
        REQUIRE(type_char(kb, buf, c) == SoftKeyResult::Typed);
    CHECK(secret_text(buf) == "Pa$$w0rd");
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::DeleteLast)) == SoftKeyResult::Deleted);
    CHECK(secret_text(buf) == "Pa$$w0r");

    // An in-place editor may have left bytes past the text; clearing zeroes them too.
    buf.data[kSecretCapacity - 1] = 'x';
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::ClearAll)) == SoftKeyResult::Cleared);
    CHECK(secret_all_zero(buf));
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::DeleteLast)) == SoftKeyResult::Empty);
    CHECK(secret_all_zero(buf));
}

TEST_CASE("a full buffer refuses more characters and keeps what it has")
{
    SplitMix mix{ 9 };
    SoftKeyboard kb = make_keyboard(mix);
    SecretBuffer buf;
    soft_keyboard_open(kb, 10);
    for (int i = 0; i < kSecretCapacity; i++)
        REQUIRE(type_char(kb, buf, static_cast<char>('a' + i % 26)) == SoftKeyResult::Typed);
    const std::string full = secret_text(buf);
    CHECK(full.size() == static_cast<size_t>(kSecretCapacity));

    soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Shift));
    const SoftKeyLayout before = kb.layout;
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Char, 'Z')) == SoftKeyResult::Full);
    CHECK(secret_text(buf) == full);
    CHECK(kb.shift);                        // nothing typed, so Shift still applies
    CHECK(same_layout(before, kb.layout));  // and the keys did not move
    CHECK(buf.data[kSecretCapacity] == 0);
}

TEST_CASE("閉じる closes and keeps the password; 決定 submits; stray presses are refused")
{
    SplitMix mix{ 10 };
    SoftKeyboard kb = make_keyboard(mix);
    SecretBuffer buf;
    CHECK(soft_keyboard_press(kb, buf, 0) == SoftKeyResult::Invalid);   // not open yet
    soft_keyboard_open(kb, 10);
    CHECK(soft_keyboard_press(kb, buf, -1) == SoftKeyResult::Invalid);
    CHECK(soft_keyboard_press(kb, buf, kb.layout.key_count) == SoftKeyResult::Invalid);
    CHECK(soft_keyboard_press(kb, buf, 100000) == SoftKeyResult::Invalid);
    REQUIRE(type_char(kb, buf, '7') == SoftKeyResult::Typed);
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Enter)) == SoftKeyResult::Submitted);
    CHECK(secret_text(buf) == "7");
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Close)) == SoftKeyResult::Closed);
    CHECK_FALSE(kb.open);
    CHECK(secret_text(buf) == "7");
    CHECK(soft_keyboard_press(kb, buf, find_key(kb, SoftKeyKind::Char, '7')) == SoftKeyResult::Invalid);
    CHECK(secret_text(buf) == "7");
}

TEST_CASE("options come from the credit union's configuration")
{
    SoftwareKeyboardDefaults defaults;
    defaults.fixed_layout = true;
    defaults.always_show_labels = true;
    defaults.randomize_letters = true;
    const SoftKeyboard kb = soft_keyboard_make(defaults, SoftKeyboardRandom());
    CHECK(kb.options.fixed_layout);
    CHECK(kb.options.always_show_labels);
    CHECK(kb.options.randomize_letters);
    CHECK(kb.random.random_u32 == soft_keyboard_random_u32_os);   // no source given: the OS one
    CHECK_FALSE(kb.open);
}

TEST_CASE("soft_keyboard_find locates keys on the page on screen")
{
    SplitMix mix{ 11 };
    SoftKeyboard kb = make_keyboard(mix);
    soft_keyboard_open(kb, 10);
    CHECK(soft_keyboard_find(kb, SoftKeyKind::Char, 'm') == find_key(kb, SoftKeyKind::Char, 'm'));
    CHECK(soft_keyboard_find(kb, SoftKeyKind::Char, '%') == -1);
    CHECK(soft_keyboard_find(kb, SoftKeyKind::Enter) == find_key(kb, SoftKeyKind::Enter));
}

// ---- randomness

struct ScriptedSource {
    const uint32_t* values;
    int next = 0;
};

static uint32_t scripted_u32(void* context)
{
    ScriptedSource& s = *static_cast<ScriptedSource*>(context);
    return s.values[s.next++];
}

TEST_CASE("uniform draws reject the values that would cause modulo bias")
{
    // 2^32 mod 10 = 6: the draws 0..5 would make residues 0..5 more likely than 6..9.
    const uint32_t values[] = { 0, 1, 2, 3, 4, 5, 17, 0xFFFFFFFFu };
    ScriptedSource source{ values };
    SoftKeyboardRandom random;
    random.random_u32 = scripted_u32;
    random.context = &source;
    CHECK(soft_keyboard_uniform_below(random, 10) == 7);
    CHECK(source.next == 7);
    CHECK(soft_keyboard_uniform_below(random, 10) == 5);   // 4294967295 % 10
    CHECK(soft_keyboard_uniform_below(random, 1) == 0);    // nothing to choose: no draw
    CHECK(source.next == 8);
}

TEST_CASE("the OS random source gives varied values")
{
    // 16 draws all equal would mean a broken source (chance 2^-480 for a working one).
    const uint32_t first = soft_keyboard_random_u32_os(nullptr);
    bool varied = false;
    for (int i = 0; i < 16; i++)
        varied = varied || soft_keyboard_random_u32_os(nullptr) != first;
    CHECK(varied);
}

// Chi-square statistic of digit-by-position counts over `rounds` shuffles of the 10 digits.
// Under a uniform shuffle every digit lands in every position with probability 1/10. The 10x10
// table has fixed row and column sums (each digit appears once per shuffle, each position holds
// one digit), so the statistic has (10-1)*(10-1) = 81 degrees of freedom.
template <typename Shuffle>
static double digit_position_chi_square(int rounds, Shuffle shuffle)
{
    int counts[10][10] = {};
    for (int r = 0; r < rounds; r++) {
        char digits[10] = { '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' };
        shuffle(digits);
        for (int pos = 0; pos < 10; pos++)
            counts[digits[pos] - '0'][pos]++;
    }
    const double expected = rounds / 10.0;
    double chi = 0.0;
    for (auto& row : counts)
        for (int observed : row)
            chi += (observed - expected) * (observed - expected) / expected;
    return chi;
}

// Upper 0.0001% point (p = 1e-6) of the chi-square distribution with 81 degrees of freedom: a
// fair shuffle exceeds it in one run out of a million, so the suite does not fail by chance,
// while every flawed shuffle below scores ten times higher or more (about 1200 and up).
// (Computed from the regularised incomplete gamma function, which gives 126.08 for p = 0.001
// and the textbook 27.877 for 9 degrees of freedom at p = 0.001; the 50% point is 80.33.)
static const double kChiSquare81At1e6 = 156.45;
static const int kShuffleRounds = 20000;

TEST_CASE("the layout shuffle is unbiased (chi-square, p < 1e-6)")
{
    const SoftKeyboardRandom os = soft_keyboard_random_os();
    const double chi = digit_position_chi_square(kShuffleRounds, [&](char* digits) {
        soft_keyboard_shuffle(digits, 10, os);
    });
    CAPTURE(chi);
    CHECK(chi < kChiSquare81At1e6);
}

TEST_CASE("the bias test rejects shuffles with known flaws")
{
    SplitMix mix{ 12 };
    const SoftKeyboardRandom random = seeded(mix);

    SECTION("the same generator through the correct shuffle passes") {
        const double chi = digit_position_chi_square(kShuffleRounds, [&](char* digits) {
            soft_keyboard_shuffle(digits, 10, random);
        });
        CAPTURE(chi);
        CHECK(chi < kChiSquare81At1e6);
    }
    SECTION("swapping every position with any position (n^n outcomes for n! orders)") {
        const double chi = digit_position_chi_square(kShuffleRounds, [&](char* digits) {
            for (int i = 0; i < 10; i++)
                std::swap(digits[i], digits[soft_keyboard_uniform_below(random, 10)]);
        });
        CAPTURE(chi);
        CHECK(chi > kChiSquare81At1e6);
    }
    SECTION("modulo bias from a narrow random value") {
        // A 5-bit random value (0..31) reduced modulo i+1: low indices are drawn more often
        // (for i+1 = 10, indices 0 and 1 come up 4 times in 32, the others 3 times).
        const double chi = digit_position_chi_square(kShuffleRounds, [&](char* digits) {
            for (int i = 9; i > 0; i--) {
                const uint32_t narrow = random.random_u32(random.context) & 0x1Fu;
                std::swap(digits[i], digits[narrow % static_cast<uint32_t>(i + 1)]);
            }
        });
        CAPTURE(chi);
        CHECK(chi > kChiSquare81At1e6);
    }
    SECTION("a swap partner that is either the position itself or the first one") {
        const double chi = digit_position_chi_square(kShuffleRounds, [&](char* digits) {
            for (int i = 9; i > 0; i--)
                std::swap(digits[i], digits[soft_keyboard_uniform_below(random, 2) == 0 ? i : 0]);
        });
        CAPTURE(chi);
        CHECK(chi > kChiSquare81At1e6);
    }
}
