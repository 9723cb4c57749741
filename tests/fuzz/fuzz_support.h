#pragma once
// Shared by the harnesses: the fixed clock the committed PKI is valid at, a scratch directory
// removed at exit, and a failed-property abort that libFuzzer reports as a crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

// 2026-06-01 00:00 UTC. pki/ was made valid 2026-01-01 .. 2046-01-01 and the good client
// certificate 2026-01-01 .. 2027-01-01 (tests/fuzz/seed_pki.cpp), so verdicts never drift.
constexpr int64_t kFuzzNow = 1780272000;

// A property the code under test promised does not hold: report like a crash, with the reason.
#define FUZZ_CHECK(condition)                                                                   \
    do {                                                                                        \
        if (!(condition)) {                                                                     \
            std::fprintf(stderr, "property failed: %s (%s:%d)\n", #condition, __FILE__, __LINE__); \
            std::abort();                                                                       \
        }                                                                                       \
    } while (0)

inline std::string fuzz_read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", path.c_str());
        std::abort();
    }
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void fuzz_write_file(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
}

// A fresh directory under $TMPDIR (scripts/fuzz points it at a run directory it removes, so even
// a crash leaves nothing behind); removed again when the process exits normally.
inline std::filesystem::path fuzz_scratch_dir(const char* name)
{
    static std::filesystem::path dir;
    std::random_device random;
    dir = std::filesystem::temp_directory_path()
          / (std::string("ibank-fuzz-") + name + "-" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(dir);
    std::atexit([] {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    });
    return dir;
}
