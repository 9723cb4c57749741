// Password checks in helper processes: the frame they read, what they are (their own processes,
// below every server thread, holding nothing of the server's), and that a login never fails
// for one that died.
#include "harness.h"

#include "server/hash_helpers.h"
#include "server/log.h"
#include "server/secrets.h"

#include <catch_amalgamated.hpp>

#include <sched.h>
#include <signal.h>
#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <mutex>
#include <thread>
#include <fstream>

static const std::string kPassword = "correct horse";

TEST_CASE("a helper's frame holds one hash and one password, nothing more")
{
    unsigned char frame[kHashFrameMax];
    const std::string hash = "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA";
    size_t size = hash_frame_encode(hash, kPassword, frame, sizeof(frame));
    REQUIRE(size == 1 + hash.size() + 2 + kPassword.size());
    std::string_view got_hash, got_password;
    REQUIRE(hash_frame_decode(frame, size, got_hash, got_password));
    CHECK(got_hash == hash);
    CHECK(got_password == kPassword);

    struct Case {
        const char* what;
        size_t size;
    };
    const Case refused[] = {
        {"empty", 0},
        {"only the hash length", 1},
        {"cut inside the hash", 5},
        {"cut inside the password", size - 1},
        {"a byte after the password", size + 1},
    };
    frame[size] = 'x';
    for (const Case& c : refused) {
        INFO(c.what);
        CHECK_FALSE(hash_frame_decode(frame, c.size, got_hash, got_password));
    }

    // An empty password is a frame; lengths past the limits are not.
    size = hash_frame_encode(hash, "", frame, sizeof(frame));
    REQUIRE(size == 1 + hash.size() + 2);
    CHECK(hash_frame_decode(frame, size, got_hash, got_password));
    CHECK(got_password.empty());
    CHECK(hash_frame_encode(std::string(kHashFrameMaxHash + 1, 'h'), kPassword, frame, sizeof(frame)) == 0);
    CHECK(hash_frame_encode(hash, std::string(kHashFrameMaxPassword + 1, 'p'), frame, sizeof(frame)) == 0);
    CHECK(hash_frame_encode(hash, kPassword, frame, 10) == 0);
    frame[0] = static_cast<unsigned char>(kHashFrameMaxHash + 1);
    CHECK_FALSE(hash_frame_decode(frame, sizeof(frame), got_hash, got_password));
}

static int scheduling_policy(int pid)
{
    return sched_getscheduler(pid);
}

static std::vector<std::string> open_descriptors(int pid)
{
    std::vector<std::string> out;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
        out.push_back(entry.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

static bool gone(int pid)
{
    return kill(pid, 0) != 0 && errno == ESRCH;
}

// The state letter of /proc/PID/stat ('Z': exited, not yet reaped), '?' for no such process.
static char process_state(int pid)
{
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(stat, text);
    size_t end_of_name = text.rfind(')');
    return end_of_name == std::string::npos || end_of_name + 2 >= text.size() ? '?' : text[end_of_name + 2];
}

// This process's children under SCHED_IDLE (its helpers), whichever thread forked them.
static std::vector<int> helper_children()
{
    std::vector<int> out;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream children(task.path() / "children");
        for (int pid; children >> pid;)
            if (scheduling_policy(pid) == SCHED_IDLE)
                out.push_back(pid);
    }
    return out;
}

TEST_CASE("helpers are processes of their own under SCHED_IDLE that answer for the password")
{
    REQUIRE(secrets_init());
    const std::string hash = password_hash(kPassword, HashCost::Test);
    std::vector<std::string> lines;
    std::mutex lines_mutex;
    auto log = std::make_shared<Logger>();
    log->sink = [&](const std::string& line) {
        std::lock_guard lock(lines_mutex);
        lines.push_back(line);
    };

    std::vector<int> pids;
    {
        HashHelpersPtr helpers = hash_helpers_start(2, log);
        pids = hash_helper_pids(*helpers);
        REQUIRE(pids.size() == 2);
        for (int pid : pids) {
            INFO("helper " << pid);
            CHECK(pid > 0);
            CHECK(pid != getpid());
            CHECK(scheduling_policy(pid) == SCHED_IDLE);
            // Only its socket beside the standard streams: no listening socket, no database,
            // no other helper's socket.
            CHECK(open_descriptors(pid) == std::vector<std::string>{"0", "1", "2", "3"});
        }

        bool match = false;
        REQUIRE(hash_helpers_check(*helpers, hash, kPassword, match));
        CHECK(match);
        REQUIRE(hash_helpers_check(*helpers, hash, "correct horsE", match));
        CHECK_FALSE(match);
        REQUIRE(hash_helpers_check(*helpers, "$argon2id$damaged", kPassword, match));
        CHECK_FALSE(match);

        // Four threads at once share the two helpers; each gets its own answer.
        std::atomic<int> right{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < 4; i++)
            threads.emplace_back([&, i] {
                bool m = false;
                const bool should = i % 2 == 0;
                if (hash_helpers_check(*helpers, hash, should ? kPassword : "wrong password", m) && m == should)
                    right++;
            });
        for (std::thread& t : threads)
            t.join();
        CHECK(right == 4);

        // A helper killed from outside: the next check through it is answered in process
        // (false here), and a new helper takes its place.
        REQUIRE(kill(pids[0], SIGKILL) == 0);
        REQUIRE(eventually([&] { return process_state(pids[0]) == 'Z'; }));
        bool answered = hash_helpers_check(*helpers, hash, kPassword, match);
        std::vector<int> after = hash_helper_pids(*helpers);
        CHECK_FALSE(answered);
        CHECK(after[0] > 0);
        CHECK(after[0] != pids[0]);
        CHECK(after[1] == pids[1]);
        REQUIRE(hash_helpers_check(*helpers, hash, kPassword, match));
        CHECK(match);
        {
            std::lock_guard lock(lines_mutex);
            REQUIRE(lines.size() == 1);
            CHECK(lines[0].find("\"event\":\"hash_helper_restarted\"") != std::string::npos);
            CHECK(lines[0].find(kPassword) == std::string::npos);
        }
        pids = after;
    }
    // Stopped with the pool, and reaped.
    for (int pid : pids)
        CHECK(gone(pid));
}

TEST_CASE("a login succeeds while its server's helper is killed, and the next one uses a new helper")
{
    TestServer ts;
    ClientCert cert = add_user(ts, "yamada01", kPassword);

    std::vector<int> before = helper_children();
    REQUIRE(before.size() == 1);
    REQUIRE(kill(before[0], SIGKILL) == 0);
    REQUIRE(eventually([&] { return process_state(before[0]) == 'Z'; }));

    std::string ticket = identify_ticket(ts, cert);
    CHECK(login(ts, cert, ticket, kPassword).status == 200);
    std::vector<int> after = helper_children();
    REQUIRE(after.size() == 1);
    CHECK(after[0] != before[0]);
}
