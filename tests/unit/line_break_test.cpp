#include "core/line_break.h"

#include <catch_amalgamated.hpp>
#include <string>

// Every character one unit wide (a monospaced stand-in for the font), so widths are counts.
static std::vector<std::string> lines_of(std::string_view text, float width)
{
    std::vector<std::string> out;
    for (const LineSpan& line : break_lines(text, width, [](uint32_t) { return 1.0f; }))
        out.emplace_back(text.substr(line.begin, line.end - line.begin));
    return out;
}

using Lines = std::vector<std::string>;

TEST_CASE("Japanese breaks between any characters, filling each line")
{
    CHECK(lines_of("ログインパスワード入力", 6) == Lines{"ログインパス", "ワード入力"});
    CHECK(lines_of("ご利用ください", 100) == Lines{"ご利用ください"});
}

TEST_CASE("kinsoku: no line starts with 。、 a closing bracket or a small kana, none ends with an opening bracket")
{
    struct Row {
        const char* text;
        float width;
        Lines expected;
    };
    const Row rows[] = {
        {"ありがとうございます。", 10, {"ありがとうございま", "す。"}},        // 。 not alone at the start
        {"お取引店（本店）へ", 8, {"お取引店（本店）", "へ"}},
        {"お取引店（本店）へ", 5, {"お取引店", "（本店）へ"}},                   // （ not at a line's end
        {"お取引店（本店）へ", 7, {"お取引店（本", "店）へ"}},                  // ） not at a line's start
        {"ログインしてください、次へ", 10, {"ログインしてくださ", "い、次へ"}},
        {"ちょっと待って", 3, {"ちょっ", "と待っ", "て"}},                       // small kana stay with the one before
        {"「電子証明書」を選択", 7, {"「電子証明書」", "を選択"}},
        {"「電子証明書」を選択", 6, {"「電子証明", "書」を選択"}},              // 」 not at a line's start
    };
    for (const Row& row : rows) {
        INFO(row.text << " at " << row.width);
        CHECK(lines_of(row.text, row.width) == row.expected);
    }
}

TEST_CASE("English breaks at spaces, and the spaces at a break disappear")
{
    CHECK(lines_of("Please press Retry now", 12) == Lines{"Please press", "Retry now"});
    CHECK(lines_of("one  two", 4) == Lines{"one", "two"});
    CHECK(lines_of("   leading", 20) == Lines{"leading"});
}

TEST_CASE("Latin runs inside Japanese stay whole; a run wider than a line is cut")
{
    CHECK(lines_of("受付時間は8:00〜21:00です", 10) == Lines{"受付時間は8:00〜", "21:00です"});
    CHECK(lines_of("受付時間は8:00〜21:00です", 7) == Lines{"受付時間は", "8:00〜", "21:00です"});
    CHECK(lines_of("ID user001399", 8) == Lines{"ID", "user0013", "99"});
}

TEST_CASE("line feeds end lines; an empty text has no lines; bad UTF-8 does not stop the text")
{
    CHECK(lines_of("一行目\n二行目", 20) == Lines{"一行目", "二行目"});
    CHECK(lines_of("", 20).empty());
    CHECK(lines_of("ab\xff" "cd", 20) == Lines{"ab\xff" "cd"});
}

TEST_CASE("every line fits unless one character alone is wider")
{
    CHECK(lines_of("漢字", 0.5f) == Lines{"漢", "字"});
}
