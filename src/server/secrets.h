#pragma once
// Passwords and tokens: Argon2id hashes, random tokens and their stored digests, wiped buffers.
// Everything here is libsodium; nothing is home-made.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

// Must be called once before anything below (sodium_init). False when libsodium cannot start.
bool secrets_init();

// Argon2id cost. Moderate for production (about 256 MiB, ~1 s), Interactive for small machines,
// Test only for the test suite. The cost is recorded inside each hash, so a hash made at one
// cost verifies at any configured cost.
enum class HashCost { Test, Interactive, Moderate };

const char* hash_cost_name(HashCost cost);
bool hash_cost_from_name(std::string_view name, HashCost& out);

// A std::string that holds a secret: reserved once (so it never reallocates and leaves copies
// behind as it grows) and wiped with sodium_memzero when it dies or is cleared.
struct SecretString {
    std::string text;
    SecretString();
    ~SecretString();
    SecretString(const SecretString&) = delete;
    SecretString& operator=(const SecretString&) = delete;
    void wipe();
};

// Wipes any std::string that held a secret (its whole capacity).
void wipe_string(std::string& s);

// crypto_pwhash_str. Empty string when the hash could not be made (out of memory).
std::string password_hash(std::string_view password, HashCost cost);

// Checks `password` against `stored_hash`. The cost is the same whether or not a hash exists:
// an empty or unreadable stored hash is checked against a dummy hash of the same cost, and the
// answer is false.
// `check_elsewhere`, when set, runs crypto_pwhash_str_verify somewhere else (ibgate serve: in a
// helper process, see hash_helpers.h) and says whether it could; when it could not, the check
// runs in the calling thread.
struct PasswordChecker {
    HashCost cost = HashCost::Moderate;
    std::string dummy_hash;   // made at start-up with `cost`
    std::function<bool(const std::string& hash, std::string_view password, bool& match)> check_elsewhere;
};
bool password_checker_init(PasswordChecker& checker, HashCost cost);
bool password_check(const PasswordChecker& checker, const std::string& stored_hash, std::string_view password);

// Policy for passwords an operator sets.
constexpr size_t kMinPasswordBytes = 8;
// At most api::kMaxPasswordBytes (core/protocol.h), the one limit of the whole product.

// 32 random bytes as URL-safe base64 (no padding): tickets, session ids, CSRF tokens.
std::string random_token();
// Import password for PKCS#12 files, and 取得用パスワード: `length` characters that survive
// being read aloud or typed from a printed letter.
std::string random_readable_password(size_t length = 16);
// The digest stored instead of a token (BLAKE2b-256, hex), so a copy of the database does not
// hand out live sessions or tickets.
std::string token_digest(std::string_view token);
// Constant-time comparison of two equal-length strings (false when lengths differ).
bool same_secret(std::string_view a, std::string_view b);

// Reads a password for the command line: from stdin when `from_stdin` or stdin is not a
// terminal (one line), else from the terminal without echo, asked twice when `confirm`.
// False with a message when it cannot be read or the two entries differ.
bool read_password(SecretString& out, bool from_stdin, bool confirm, std::string& error);
