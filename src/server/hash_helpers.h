#pragma once
// Password checks in helper processes.
//
// libsodium's Argon2id maps its memory (64 MiB at the interactive cost) for each check and
// unmaps it afterwards. Inside the server those calls take the process's memory-map lock; a
// hash thread kept below every other thread (SCHED_IDLE) could hold that lock, or any mutex of
// the server, and then wait while the scheduler ran everything else first. The I/O thread
// queued behind it: with 8 logins in flight every other customer's p99 went from 5 to 25 ms.
// A helper is a process of its own, forked by the server at start, that does nothing but check
// one password at a time under SCHED_IDLE: it shares no lock with the server and uses only CPU
// time no server thread wants. The server's hash threads wait for its answer at normal priority
// and do the rest of a login themselves.
//
// A helper that dies or stops answering (kHashHelperTimeoutMs) is killed and forked again; when
// no helper can be had, the check runs in the calling thread, so a login never fails for it.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct Logger;

// The request a helper reads, one datagram of a SOCK_SEQPACKET socket pair:
// [hash length, 1 byte][hash][password length, 2 bytes, big-endian][password].
constexpr size_t kHashFrameMaxHash = 127;         // crypto_pwhash_STRBYTES - 1
constexpr size_t kHashFrameMaxPassword = 4096;    // more than any secret the API takes
constexpr size_t kHashFrameMax = 1 + kHashFrameMaxHash + 2 + kHashFrameMaxPassword;
// A helper that has not answered in this long is taken to be stuck. A check takes about 0.4 s
// at the moderate cost on an idle core; under SCHED_IDLE it may wait for idle time, so the
// bound is generous (the hash queue bounds how many logins can be waiting at all).
constexpr int kHashHelperTimeoutMs = 120000;

// The frame for (hash, password) in `out`; its size, or 0 when either is too long.
size_t hash_frame_encode(std::string_view hash, std::string_view password, unsigned char* out, size_t capacity);
// False for anything but one whole frame (lengths within the limits, no bytes after it).
bool hash_frame_decode(const unsigned char* frame, size_t size, std::string_view& hash, std::string_view& password);

struct HashHelpers;
struct HashHelpersDeleter {
    void operator()(HashHelpers* helpers) const;   // closes the sockets and waits for each helper
};
using HashHelpersPtr = std::unique_ptr<HashHelpers, HashHelpersDeleter>;

// Forks `count` helpers (at least 1). A helper that cannot be forked is logged and tried again
// on first use.
HashHelpersPtr hash_helpers_start(int count, std::shared_ptr<Logger> log);

// crypto_pwhash_str_verify(hash, password) in a free helper, waiting for one when all are busy.
// True with `match` set when a helper answered; false when none could (the caller checks itself).
bool hash_helpers_check(HashHelpers& helpers, const std::string& hash, std::string_view password, bool& match);

// The process ids of the helpers, 0 for one not running. For tests, while no check runs: a
// check replaces its helper's id without the pool's lock.
std::vector<int> hash_helper_pids(HashHelpers& helpers);
