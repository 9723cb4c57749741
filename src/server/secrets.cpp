#include "server/secrets.h"

#include "core/protocol.h"
#include "core/secure_zero.h"

#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>

bool secrets_init()
{
    return sodium_init() >= 0;
}

const char* hash_cost_name(HashCost cost)
{
    switch (cost) {
    case HashCost::Test: return "test";
    case HashCost::Interactive: return "interactive";
    case HashCost::Moderate: return "moderate";
    }
    return "moderate";
}

bool hash_cost_from_name(std::string_view name, HashCost& out)
{
    if (name == "test") { out = HashCost::Test; return true; }
    if (name == "interactive") { out = HashCost::Interactive; return true; }
    if (name == "moderate") { out = HashCost::Moderate; return true; }
    return false;
}

static void cost_limits(HashCost cost, unsigned long long& ops, size_t& mem)
{
    switch (cost) {
    case HashCost::Test:
        ops = crypto_pwhash_OPSLIMIT_MIN;
        mem = crypto_pwhash_MEMLIMIT_MIN;
        return;
    case HashCost::Interactive:
        ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
        mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
        return;
    case HashCost::Moderate:
        ops = crypto_pwhash_OPSLIMIT_MODERATE;
        mem = crypto_pwhash_MEMLIMIT_MODERATE;
        return;
    }
}

SecretString::SecretString()
{
    text.reserve(1024);
}

SecretString::~SecretString()
{
    wipe();
}

void SecretString::wipe()
{
    wipe_string(text);
}

void wipe_string(std::string& s)
{
    if (s.capacity() > 0)
        secure_zero(s.data(), s.capacity());
    s.clear();
}

std::string password_hash(std::string_view password, HashCost cost)
{
    unsigned long long ops = 0;
    size_t mem = 0;
    cost_limits(cost, ops, mem);
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return std::string();
    return std::string(out);
}

bool password_checker_init(PasswordChecker& checker, HashCost cost)
{
    checker.cost = cost;
    unsigned char random[32];
    randombytes_buf(random, sizeof(random));
    checker.dummy_hash = password_hash(std::string_view(reinterpret_cast<const char*>(random), sizeof(random)), cost);
    return !checker.dummy_hash.empty();
}

bool password_check(const PasswordChecker& checker, const std::string& stored_hash, std::string_view password)
{
    bool usable = !stored_hash.empty() && stored_hash.size() < crypto_pwhash_STRBYTES
                  && stored_hash.rfind("$argon2id$", 0) == 0;
    const std::string& hash = usable ? stored_hash : checker.dummy_hash;
    bool match = false;
    if (!checker.check_elsewhere || !checker.check_elsewhere(hash, password, match))
        match = crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
    return usable && match;
}

static std::string to_base64url(const unsigned char* bytes, size_t size)
{
    const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    std::string out(sodium_base64_encoded_len(size, variant), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes, size, variant);
    out.resize(out.size() - 1);   // the terminating zero sodium writes
    return out;
}

std::string random_token()
{
    unsigned char bytes[32];
    randombytes_buf(bytes, sizeof(bytes));
    return to_base64url(bytes, sizeof(bytes));
}

std::string random_readable_password(size_t length)
{
    // No 0/O, 1/l/I: the customer may have to type it from a printed letter.
    static const char kAlphabet[] = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    std::string out;
    for (size_t i = 0; i < length; i++)
        out += kAlphabet[randombytes_uniform(sizeof(kAlphabet) - 1)];
    return out;
}

std::string token_digest(std::string_view token)
{
    unsigned char digest[32];
    crypto_generichash(digest, sizeof(digest), reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                       nullptr, 0);
    char hex[sizeof(digest) * 2 + 1];
    sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
    return std::string(hex);
}

bool same_secret(std::string_view a, std::string_view b)
{
    if (a.size() != b.size() || a.empty())
        return false;
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

static bool read_line(SecretString& out)
{
    out.wipe();
    for (;;) {
        // read(2), not stdio: stdio would keep its own unwiped copy of the line.
        char c = 0;
        ssize_t got = ::read(STDIN_FILENO, &c, 1);
        if (got <= 0)
            return !out.text.empty();
        if (c == '\n')
            return true;
        if (out.text.size() + 1 >= out.text.capacity())
            return false;   // never grow: growing would leave a copy behind
        out.text.push_back(c);
    }
}

static bool read_without_echo(const char* prompt, SecretString& out)
{
    std::fputs(prompt, stderr);
    std::fflush(stderr);
    termios old_mode{};
    bool terminal = tcgetattr(STDIN_FILENO, &old_mode) == 0;
    if (terminal) {
        termios quiet = old_mode;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    bool ok = read_line(out);
    if (terminal)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old_mode);
    std::fputs("\n", stderr);
    return ok;
}

bool read_password(SecretString& out, bool from_stdin, bool confirm, std::string& error)
{
    if (from_stdin || !isatty(STDIN_FILENO)) {
        if (!read_line(out)) {
            error = "no password on standard input";
            return false;
        }
    } else {
        if (!read_without_echo("Password: ", out)) {
            error = "no password entered";
            return false;
        }
        if (confirm) {
            SecretString again;
            if (!read_without_echo("Password (again): ", again) || !same_secret(out.text, again.text)) {
                out.wipe();
                error = "the two passwords differ";
                return false;
            }
        }
    }
    if (!out.text.empty() && out.text.back() == '\r')
        out.text.pop_back();
    if (out.text.size() < kMinPasswordBytes || out.text.size() > api::kMaxPasswordBytes) {
        out.wipe();
        error = "a password must be " + std::to_string(kMinPasswordBytes) + " to " + std::to_string(api::kMaxPasswordBytes)
                + " bytes long";
        return false;
    }
    return true;
}
