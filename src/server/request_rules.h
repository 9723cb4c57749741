#pragma once
// The HTTP layer's decisions, as pure functions of counts and request facts, so they are tested
// table-style without sockets (tests/server/parts_test.cpp). http_server.cpp does the I/O.

#include <cstddef>
#include <string_view>

// ---------------------------------------------------------------- connections
enum class Admission {
    Admit,              // under every limit
    AdmitAfterEvicting, // the origin is full, but an idle keep-alive connection can make room
    RefuseAddress,      // this client address already holds its share of the origin
    RefuseOrigin,       // the origin is full and nothing idle can be closed
};

struct ConnectionCounts {
    int origin = 0;          // open connections of the origin
    int address = 0;         // of those, from the new connection's client address
    bool idle_available = false;   // an idle keep-alive connection of the origin exists
    bool address_exempt = false;   // a trusted proxy: every customer comes from its address
};

struct ConnectionLimits {
    int per_origin = 1024;
    int per_address = 64;    // 0: no per-address limit
};

// Whether a just-accepted connection is kept. The per-address limit comes first: a client at
// its limit must not evict other clients' idle connections.
Admission admit_connection(const ConnectionCounts& counts, const ConnectionLimits& limits);

// ---------------------------------------------------------------- requests
enum class RequestFault {
    None,
    MissingHost,      // HTTP/1.1 requires Host (RFC 9112 3.2): 400
    DuplicateHost,    // two Host fields: 400
    DuplicateOrigin,  // two Origin fields name no single origin: 403 origin_not_allowed
};

RequestFault request_fault(unsigned http_version, size_t host_fields, size_t origin_fields);

// Which queue runs an API request. Password checks (Argon2id) have a pool of their own. The
// other API calls share the workers, but a customer who holds a session is served first: a
// login flood sends identify requests as fast as it is answered, and a session check queued
// behind them waited for all of them (p99 0.3 s in the attack bench's 300-logins row).
enum class ApiWork {
    Session,        // session check, keepalive, logout (any method, so their preflights too)
    LoginStep,      // identify, force-logout, renewal, anything else: after every queued Session call
    PasswordCheck,  // login, and certificate enrollment (its 取得用パスワード is an Argon2id hash too)
};

ApiWork api_work_of(std::string_view method, std::string_view target);

// ---------------------------------------------------------------- health
// /healthz (the process runs) and /readyz (it can serve: database reachable, not draining), on
// both origins before anything else, for a proxy's health checks and an orchestrator's probes.
enum class HealthRoute { None, Live, Ready, MethodNotAllowed };
HealthRoute health_route(std::string_view method, std::string_view target);

// Whether one more API call may wait for a worker. Session calls always may: each holds a
// connection, so the connection limits bound them. Login steps (identify, force-logout) queue
// up to `login_step_queue`; past it the call is answered 503 at once, so a flood of identify
// requests cannot grow the queue, and the wait of the last one in it, without end.
bool work_queue_admits(ApiWork work, size_t queued_login_steps, int login_step_queue);

// Whether one more login may wait for a hash worker: `pending` counts running and queued ones.
bool hash_queue_admits(int pending, int hash_workers, int hash_queue);

// The default number of hash workers for a machine with `cores` cores (0: unknown): one core
// is left to the I/O thread and the API workers, so a login flood never has every core hashing.
int default_hash_workers(unsigned cores);
