#pragma once
// The server's database: users, certificates, revoked serials, login tickets, sessions, the
// audit log and a few settings. Nothing acknowledged to a client is lost: every change is
// committed (SQLite: synchronous=FULL; PostgreSQL: synchronous_commit on) before the answer is sent.
//
// Two backends behind this one API (database_url.h names them): SQLite, the embedded default,
// and PostgreSQL, shared by several server processes. The SQL and the record mapping are
// written once (store.cpp); store_sqlite.cpp and store_postgres.cpp are the drivers.
//
// A Store is a small pool of connections shared by the server's worker threads. A Transaction
// takes one connection for its lifetime, so transactions of different threads run at once;
// what keeps them apart is the database: SQLite serialises writers (BEGIN IMMEDIATE) and lets
// readers run beside them, PostgreSQL runs READ COMMITTED with the atomic statements below.
// No process-wide lock, so several processes may share one PostgreSQL database.

#include "core/protocol.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

// A database failure. `unavailable`: busy, locked, disk full, I/O error, connection lost - the
// server answers 503 and the client may retry; nothing committed is affected. `retry`: the
// transaction lost a race the database detected (a serialization failure, a deadlock, a read
// transaction that could not start writing); store_transact runs it again.
struct StoreError : std::runtime_error {
    bool unavailable = false;
    bool constraint = false;
    bool retry = false;
    StoreError(const std::string& what, bool unavailable_, bool constraint_, bool retry_ = false)
        : std::runtime_error(what), unavailable(unavailable_ || retry_), constraint(constraint_), retry(retry_) {}
};

// The schema this binary reads and writes; store_open refuses any other (see StoreOptions).
// Version 2: enrollment codes (取得用パスワード) and certificates.replaces (renewal).
constexpr int kStoreSchemaVersion = 2;

struct StoreBackend;     // the connection pool and the driver (store_driver.h)
struct StoreConnection;

struct Store {
    std::unique_ptr<StoreBackend> backend;   // null: not open
    Store();
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;
};

struct StoreOptions {
    bool create = false;    // SQLite: make the file when missing
    bool migrate = false;   // bring an older (or empty) schema to kStoreSchemaVersion
    bool check_schema = true;   // false: open whatever schema it holds (for store_migrate and its report)
    int busy_timeout_ms = 5000;   // waiting for a lock or for a free pooled connection
    int connections = 4;          // most connections open at once (opened when first needed)
    bool durable = true;          // false (SQLite synchronous=OFF): only for throwaway fuzzing databases
};

// Opens the database named by `database` (a URL, see database_url.h; a plain path is SQLite).
// Without `migrate` it refuses a schema other than kStoreSchemaVersion: older ("run 'ibgate
// db migrate'"), newer (a newer ibgate made it) or none. Throws StoreError; messages name the
// database by its redacted URL only.
void store_open(Store& store, const std::string& database, const StoreOptions& options);
// `create`: create and migrate (ibgate init); otherwise the schema must be current.
void store_open(Store& store, const std::string& database, bool create, int busy_timeout_ms = 5000);
void store_close(Store& store);

// The database's schema version (0: none), and the binary's.
int store_schema_version(Store& store);
struct MigrationResult {
    int from = 0;
    int to = 0;
};
// Applies the missing migrations in one transaction (the schema is locked against other
// migrating processes). Refuses a newer schema.
MigrationResult store_migrate(Store& store);

// The redacted URL of the open database, for messages.
std::string store_description(const Store& store);

// Read: the transaction expects only to read (it may still write; where the backend cannot
// start writing it throws a `retry` StoreError). Write: it takes the write lock at its start
// (SQLite); PostgreSQL runs both READ COMMITTED.
enum class TxMode { Read, Write };

// BEGIN ... COMMIT on one pooled connection. Rolls back unless committed.
struct Transaction {
    Store& store;
    TxMode mode;
    StoreConnection* connection = nullptr;
    bool open = false;
    explicit Transaction(Store& s, TxMode mode = TxMode::Write);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();
};

// Attempts store_transact makes before the `retry` error reaches the caller (as unavailable).
constexpr int kStoreMaxAttempts = 5;

// Runs `body` in a transaction of `mode` and commits it unless `body` already did. When the
// database reports a lost race (StoreError::retry) the whole body runs again in a new
// transaction, as Write from the second attempt on, up to kStoreMaxAttempts times. So `body`
// must keep its effects inside the transaction, or redo them from scratch on every call.
void store_transact(Store& store, TxMode mode, const std::function<void(Transaction&)>& body);

// ---------------------------------------------------------------- copying a whole database
struct TableCount {
    std::string table;
    int64_t rows = 0;
};
// Every table ibgate keeps, in an order that satisfies the foreign keys.
std::vector<std::string> store_tables();
// Rows per table.
std::vector<TableCount> store_count_rows(Store& store);
// Every row of `table` (one of store_tables()) in primary key order, every column as text
// (integers in decimal): the same on both backends, so copies can be compared.
std::vector<std::vector<std::string>> store_table_rows(Store& store, const std::string& table);
// Copies every row of every table (audit ids included) from `from` into `to` in one transaction
// of `to`, reading `from` in one snapshot. `to` must be migrated and empty (else it throws and
// nothing is written). Afterwards the counts of `to` are compared with those read; returns them.
std::vector<TableCount> store_copy(Store& from, Store& to);

// ---------------------------------------------------------------- settings
std::string setting_get(Transaction& tx, const std::string& key, const std::string& fallback);
void setting_set(Transaction& tx, const std::string& key, const std::string& value);

// ---------------------------------------------------------------- users
struct UserRecord {
    std::string user_id;
    std::string name;
    std::string company;
    api::Role role = api::Role::User;
    std::string password_hash;
    int failed_count = 0;      // consecutive wrong passwords
    int64_t locked_at = 0;     // 0: not locked
    int64_t created_at = 0;
};

bool user_find(Transaction& tx, const std::string& user_id, UserRecord& out);
void user_insert(Transaction& tx, const UserRecord& user);
void user_set_password(Transaction& tx, const std::string& user_id, const std::string& hash);
void user_set_failures(Transaction& tx, const std::string& user_id, int failed_count, int64_t locked_at);
// Counts one wrong password in the database itself (so racing attempts are each counted) and
// locks the account at `now` when the count reaches `max_failures`. False when the account was
// already locked (nothing counted); `after` is the user as this change left it.
bool user_count_failure(Transaction& tx, const std::string& user_id, int max_failures, int64_t now, UserRecord& after);
// Sets the failure count back to 0 unless the account is locked. False: locked (or no such user).
bool user_clear_failures(Transaction& tx, const std::string& user_id);
std::vector<UserRecord> user_list(Transaction& tx);

// ---------------------------------------------------------------- certificates
struct CertRecord {
    std::string fingerprint;   // SHA-256 of the DER, lowercase hex
    std::string user_id;
    std::string serial;        // hex, as printed by OpenSSL (uppercase)
    std::string subject;
    int64_t not_before = 0;
    int64_t not_after = 0;
    int64_t issued_at = 0;
    int64_t revoked_at = 0;    // 0: not revoked
    // Renewal: the fingerprint of the certificate this one renews ("" for a first or operator-
    // issued one). The renewed certificate keeps working until the first login with this one.
    std::string replaces;
};

bool cert_find(Transaction& tx, const std::string& fingerprint, CertRecord& out);
// By serial or by fingerprint.
bool cert_find_by_serial_or_fingerprint(Transaction& tx, const std::string& key, CertRecord& out);
void cert_insert(Transaction& tx, const CertRecord& cert);
std::vector<CertRecord> cert_list(Transaction& tx, const std::string& user_id);   // "" = all

struct RevokedSerial {
    std::string serial;
    int64_t revoked_at = 0;
    std::string reason;
};
// The reason of a certificate revoked because its renewal was used (the CRL says superseded).
constexpr const char* kRevokedSuperseded = "superseded";
// Adds the serial to the revoked table and marks certificates with it revoked.
void serial_revoke(Transaction& tx, const std::string& serial, int64_t now, const std::string& reason);
bool serial_is_revoked(Transaction& tx, const std::string& serial);
std::vector<RevokedSerial> revoked_serials(Transaction& tx);

// ---------------------------------------------------------------- enrollment codes (取得用パスワード)
// At most one per user: a new one replaces (cancels) the previous one. Only the Argon2id hash is kept.
struct EnrollmentCodeRecord {
    std::string user_id;
    std::string code_hash;
    int64_t issued_at = 0;
    int64_t expires_at = 0;
    int failed_count = 0;      // wrong codes tried
    int64_t locked_at = 0;     // 0: not locked (failed_count reached the limit)
    int64_t used_at = 0;       // 0: not used (a certificate was issued with it)
    int64_t cancelled_at = 0;  // 0: not cancelled by an operator
};

bool enrollment_find(Transaction& tx, const std::string& user_id, EnrollmentCodeRecord& out);
// Inserts or replaces the user's code (a new code cancels the previous one, used or not).
void enrollment_put(Transaction& tx, const EnrollmentCodeRecord& code);
// Counts one wrong code in the database (racing tries are each counted) and locks the code at
// `now` when the count reaches `max_failures`. False when nothing was counted (no code, or it is
// locked, used or cancelled); `after` is the code as this change left it.
bool enrollment_count_failure(Transaction& tx, const std::string& user_id, int max_failures, int64_t now,
                              EnrollmentCodeRecord& after);
// Marks the code used, in one statement: of racing uses exactly one succeeds. `code_hash` must
// still be the stored one (a code replaced meanwhile is not used up). False: not taken.
bool enrollment_take(Transaction& tx, const std::string& user_id, const std::string& code_hash, int64_t now);
// False when the user had no open code.
bool enrollment_cancel(Transaction& tx, const std::string& user_id, int64_t now);
std::vector<EnrollmentCodeRecord> enrollment_list(Transaction& tx);

// ---------------------------------------------------------------- tickets
enum class TicketKind { Login, ForceLogout };

struct TicketRecord {
    TicketKind kind = TicketKind::Login;
    std::string user_id;
    std::string fingerprint;
    int64_t expires_at = 0;
    int64_t used_at = 0;       // 0: not used before this take
};

void ticket_insert(Transaction& tx, const std::string& digest, const TicketRecord& ticket);
// Finds the ticket and marks it used, in one statement: of racing takes exactly one sees
// used_at == 0, every other sees the time of the first. False: no such ticket.
bool ticket_take(Transaction& tx, const std::string& digest, int64_t now, TicketRecord& out);
void tickets_delete_expired(Transaction& tx, int64_t before);

// ---------------------------------------------------------------- sessions
struct SessionRecord {
    std::string digest;            // of the cookie value
    std::string user_id;
    std::string fingerprint;       // certificate that created the session
    std::string csrf_digest;
    std::string source_address;
    int64_t login_time = 0;
    int64_t last_seen = 0;
    int idle_timeout = 0;
    int absolute_timeout = 0;
    int64_t ended_at = 0;          // 0: active
    std::string end_reason;
    int64_t previous_login_time = 0;   // the user's successful login before this one; 0: none
    std::string previous_login_source;
};

int64_t session_idle_expires_at(const SessionRecord& s);
int64_t session_absolute_expires_at(const SessionRecord& s);
bool session_expired_at(const SessionRecord& s, int64_t now);

bool session_find(Transaction& tx, const std::string& digest, SessionRecord& out);
bool session_find_active(Transaction& tx, const std::string& user_id, SessionRecord& out);
// False when the user already holds an active session (the unique index refuses a second one,
// also when another transaction inserted it a moment ago).
bool session_insert(Transaction& tx, const SessionRecord& session);
void session_touch(Transaction& tx, const std::string& digest, int64_t now);
// True when this call ended the session; false when it had already ended (or does not exist).
bool session_end(Transaction& tx, const std::string& digest, int64_t now, const std::string& reason);
std::vector<SessionRecord> sessions_active(Transaction& tx);
void sessions_delete_ended(Transaction& tx, int64_t before);

// ---------------------------------------------------------------- audit
struct AuditRecord {
    int64_t id = 0;
    int64_t time = 0;
    std::string user_id;
    std::string fingerprint;
    std::string source_address;
    std::string event;     // identify, login, force_logout, logout, session_expired, keepalive, operator ...
    std::string result;    // success or an error code name
    std::string detail;
};

void audit_add(Transaction& tx, const AuditRecord& record);
// Newest first. `user_id` "" = everyone.
std::vector<AuditRecord> audit_list(Transaction& tx, const std::string& user_id, int limit);
// Login attempts of one user (event "login"), newest first.
std::vector<AuditRecord> login_history(Transaction& tx, const std::string& user_id, int limit);
// The newest successful login of the user, if any.
bool last_successful_login(Transaction& tx, const std::string& user_id, AuditRecord& out);
