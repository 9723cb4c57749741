#include "server/hash_helpers.h"

#include "server/log.h"

#include <sodium.h>

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>

namespace {

// Where SCHED_IDLE is refused, a helper runs at this nice value instead.
constexpr int kHelperNice = 10;
// The helper's end of its socket, after everything else it inherited is closed.
constexpr int kHelperFd = 3;
// What a helper answers: one byte.
constexpr unsigned char kAnswerNoMatch = 0;
constexpr unsigned char kAnswerMatch = 1;
constexpr unsigned char kAnswerUnreadable = 2;   // not a frame: a fault of ours, checked in process
constexpr unsigned char kReady = 3;              // sent once, when the helper has shed what it inherited
// How long a new helper may take to say it is ready.
constexpr int kHelperStartMs = 5000;

struct Helper {
    pid_t pid = 0;     // 0: not running
    int fd = -1;       // the server's end of the socket pair
    bool busy = false;
};

} // namespace

struct HashHelpers {
    std::shared_ptr<Logger> log;
    std::mutex mutex;
    std::condition_variable freed;
    std::vector<Helper> helpers;
};

size_t hash_frame_encode(std::string_view hash, std::string_view password, unsigned char* out, size_t capacity)
{
    if (hash.size() > kHashFrameMaxHash || password.size() > kHashFrameMaxPassword)
        return 0;
    const size_t size = 1 + hash.size() + 2 + password.size();
    if (size > capacity)
        return 0;
    out[0] = static_cast<unsigned char>(hash.size());
    std::memcpy(out + 1, hash.data(), hash.size());
    out[1 + hash.size()] = static_cast<unsigned char>(password.size() >> 8);
    out[2 + hash.size()] = static_cast<unsigned char>(password.size() & 0xff);
    std::memcpy(out + 3 + hash.size(), password.data(), password.size());
    return size;
}

bool hash_frame_decode(const unsigned char* frame, size_t size, std::string_view& hash, std::string_view& password)
{
    if (size < 3)
        return false;
    const size_t hash_size = frame[0];
    if (hash_size > kHashFrameMaxHash || size < 3 + hash_size)
        return false;
    const size_t password_size = (static_cast<size_t>(frame[1 + hash_size]) << 8) | frame[2 + hash_size];
    if (password_size > kHashFrameMaxPassword || size != 3 + hash_size + password_size)
        return false;
    hash = std::string_view(reinterpret_cast<const char*>(frame + 1), hash_size);
    password = std::string_view(reinterpret_cast<const char*>(frame + 3 + hash_size), password_size);
    return true;
}

// ---------------------------------------------------------------- the helper process

static void lower_own_priority()
{
    sched_param param{};
    param.sched_priority = 0;
    if (sched_setscheduler(0, SCHED_IDLE, &param) == 0)
        return;
    setpriority(PRIO_PROCESS, 0, kHelperNice);
}

// The forked child. It keeps only its socket: every other descriptor it inherited (listening
// sockets, the database, the other helpers' sockets, whose end-of-file must reach them) is
// closed first. It dies with the server (PR_SET_PDEATHSIG), cannot be attached to or dumped
// (PR_SET_DUMPABLE: its memory holds passwords), and takes SIGTERM and SIGINT as a plain
// process does, though the server blocks them to wait for them.
[[noreturn]] static void helper_main(int fd, pid_t server)
{
    if (fd != kHelperFd && dup2(fd, kHelperFd) < 0)
        _exit(1);
    if (close_range(kHelperFd + 1, ~0U, 0) != 0)
        for (int other = kHelperFd + 1; other < 65536; other++)
            close(other);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != server)
        _exit(0);
    prctl(PR_SET_DUMPABLE, 0);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    lower_own_priority();
    if (send(kHelperFd, &kReady, 1, MSG_NOSIGNAL) != 1)
        _exit(0);

    unsigned char frame[kHashFrameMax];
    char hash[kHashFrameMaxHash + 1];
    for (;;) {
        const ssize_t got = recv(kHelperFd, frame, sizeof(frame), 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            _exit(0);   // the server closed its end: it is stopping
        std::string_view stored, password;
        unsigned char answer = kAnswerUnreadable;
        if (hash_frame_decode(frame, static_cast<size_t>(got), stored, password)) {
            std::memcpy(hash, stored.data(), stored.size());
            hash[stored.size()] = '\0';
            answer = crypto_pwhash_str_verify(hash, password.data(), password.size()) == 0 ? kAnswerMatch
                                                                                             : kAnswerNoMatch;
        }
        sodium_memzero(frame, sizeof(frame));
        if (send(kHelperFd, &answer, 1, MSG_NOSIGNAL) != 1)
            _exit(0);
    }
}

// ---------------------------------------------------------------- the server's side

// The helper's next byte within `timeout_ms`; -1 when none came.
static int read_answer(int fd, int timeout_ms)
{
    pollfd wait_for{fd, POLLIN, 0};
    int ready;
    while ((ready = poll(&wait_for, 1, timeout_ms)) < 0 && errno == EINTR) {
    }
    if (ready != 1)
        return -1;
    unsigned char answer = 0;
    ssize_t got;
    while ((got = recv(fd, &answer, 1, 0)) < 0 && errno == EINTR) {
    }
    return got == 1 ? answer : -1;
}

static void stop_helper(Helper& helper)
{
    if (helper.fd >= 0)
        close(helper.fd);
    if (helper.pid > 0) {
        kill(helper.pid, SIGKILL);
        while (waitpid(helper.pid, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
    helper.fd = -1;
    helper.pid = 0;
}

static bool fork_helper(HashHelpers& all, Helper& helper)
{
    int ends[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) != 0) {
        log_message(*all.log, "error", "hash_helper_failed",
                    std::string("cannot make a password-check helper's socket: ") + std::strerror(errno));
        return false;
    }
    const pid_t server = getpid();
    const pid_t pid = fork();
    if (pid == 0) {
        close(ends[0]);
        helper_main(ends[1], server);
    }
    close(ends[1]);
    if (pid < 0) {
        close(ends[0]);
        log_message(*all.log, "error", "hash_helper_failed",
                    std::string("cannot fork a password-check helper (checking in process): ") + std::strerror(errno));
        return false;
    }
    helper.pid = pid;
    helper.fd = ends[0];
    if (read_answer(helper.fd, kHelperStartMs) != kReady) {
        log_message(*all.log, "error", "hash_helper_failed",
                    "a new password-check helper did not start (checking in process)");
        stop_helper(helper);
        return false;
    }
    return true;
}

enum class Asked { Match, NoMatch, Unreadable, Broken };

static Asked ask(Helper& helper, const unsigned char* frame, size_t size)
{
    if (send(helper.fd, frame, size, MSG_NOSIGNAL) != static_cast<ssize_t>(size))
        return Asked::Broken;
    switch (read_answer(helper.fd, kHashHelperTimeoutMs)) {
    case kAnswerMatch: return Asked::Match;
    case kAnswerNoMatch: return Asked::NoMatch;
    case kAnswerUnreadable: return Asked::Unreadable;
    default: return Asked::Broken;
    }
}

void HashHelpersDeleter::operator()(HashHelpers* helpers) const
{
    for (Helper& helper : helpers->helpers)
        stop_helper(helper);
    delete helpers;
}

HashHelpersPtr hash_helpers_start(int count, std::shared_ptr<Logger> log)
{
    HashHelpersPtr all(new HashHelpers);
    all->log = log ? std::move(log) : std::make_shared<Logger>();
    all->helpers.resize(static_cast<size_t>(std::max(1, count)));
    for (Helper& helper : all->helpers)
        fork_helper(*all, helper);
    return all;
}

bool hash_helpers_check(HashHelpers& all, const std::string& hash, std::string_view password, bool& match)
{
    unsigned char frame[kHashFrameMax];
    const size_t size = hash_frame_encode(hash, password, frame, sizeof(frame));
    if (size == 0)
        return false;

    Helper* helper = nullptr;
    {
        std::unique_lock lock(all.mutex);
        for (;;) {
            for (Helper& h : all.helpers)
                if (!h.busy) { helper = &h; break; }
            if (helper)
                break;
            all.freed.wait(lock);
        }
        helper->busy = true;
    }
    // Forking and asking happen outside the lock: other threads take the other helpers meanwhile.
    if (helper->pid == 0)
        fork_helper(all, *helper);
    Asked asked = helper->pid == 0 ? Asked::Broken : ask(*helper, frame, size);
    sodium_memzero(frame, sizeof(frame));
    if (asked == Asked::Broken && helper->pid != 0) {
        log_event(*all.log, "warning", "hash_helper_restarted",
                  {{"message", "a password-check helper died or stopped answering; checked in process, "
                               "and a new helper is started"},
                   {"pid", helper->pid}});
        stop_helper(*helper);
        fork_helper(all, *helper);
    }
    {
        std::lock_guard lock(all.mutex);
        helper->busy = false;
    }
    all.freed.notify_one();

    if (asked == Asked::Match || asked == Asked::NoMatch) {
        match = asked == Asked::Match;
        return true;
    }
    return false;
}

std::vector<int> hash_helper_pids(HashHelpers& all)
{
    std::lock_guard lock(all.mutex);
    std::vector<int> pids;
    for (const Helper& helper : all.helpers)
        pids.push_back(helper.pid);
    return pids;
}
