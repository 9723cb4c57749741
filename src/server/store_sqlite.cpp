// The SQLite driver (store_driver.h): the embedded default. Each pooled connection runs in WAL
// mode with synchronous=FULL, so readers never wait for the writer and every commit is on disk
// before it returns; SQLite itself serialises writers (BEGIN IMMEDIATE waits up to the busy
// timeout), so Write transactions of several threads and processes never interleave. Within
// one process Write transactions also queue on the Store's write gate (see sqlite_connect);
// Read transactions take nothing and run beside them.
#include "server/store_driver.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <unordered_map>

// ---------------------------------------------------------------- errors
StoreFailure sqlite_failure(int code, bool read_transaction)
{
    const int primary = code & 0xff;
    StoreFailure f;
    f.unavailable = primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_FULL
        || primary == SQLITE_IOERR || primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN
        || primary == SQLITE_NOMEM || primary == SQLITE_PROTOCOL;
    // SQLITE_BUSY_SNAPSHOT: a read transaction tried to write after another connection wrote.
    // And a read transaction that tries to write while another connection holds the write lock
    // gets SQLITE_BUSY at once (SQLite does not wait there: both waiting would deadlock). Both
    // are lost races: the transaction runs again as Write, which waits its turn.
    f.retry = code == SQLITE_BUSY_SNAPSHOT || (read_transaction && code == SQLITE_BUSY);
    f.constraint = primary == SQLITE_CONSTRAINT;
    return f;
}

// ---------------------------------------------------------------- schema
static const char* const kSchemaVersion1 = R"sql(
CREATE TABLE IF NOT EXISTS settings(
  key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users(
  user_id TEXT PRIMARY KEY, name TEXT NOT NULL, company TEXT NOT NULL, role TEXT NOT NULL,
  password_hash TEXT NOT NULL, failed_count INTEGER NOT NULL DEFAULT 0,
  locked_at INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS certificates(
  fingerprint TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(user_id), serial TEXT NOT NULL,
  subject TEXT NOT NULL, not_before INTEGER NOT NULL, not_after INTEGER NOT NULL,
  issued_at INTEGER NOT NULL, revoked_at INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS certificates_serial ON certificates(serial);
CREATE TABLE IF NOT EXISTS revoked_serials(
  serial TEXT PRIMARY KEY, revoked_at INTEGER NOT NULL, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tickets(
  digest TEXT PRIMARY KEY, kind TEXT NOT NULL, user_id TEXT NOT NULL, fingerprint TEXT NOT NULL,
  expires_at INTEGER NOT NULL, used_at INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS sessions(
  digest TEXT PRIMARY KEY, user_id TEXT NOT NULL, fingerprint TEXT NOT NULL, csrf_digest TEXT NOT NULL,
  source_address TEXT NOT NULL, login_time INTEGER NOT NULL, last_seen INTEGER NOT NULL,
  idle_timeout INTEGER NOT NULL, absolute_timeout INTEGER NOT NULL,
  ended_at INTEGER NOT NULL DEFAULT 0, end_reason TEXT NOT NULL DEFAULT '',
  previous_login_time INTEGER NOT NULL DEFAULT 0, previous_login_source TEXT NOT NULL DEFAULT '');
CREATE UNIQUE INDEX IF NOT EXISTS sessions_one_active_per_user ON sessions(user_id) WHERE ended_at = 0;
CREATE TABLE IF NOT EXISTS audit(
  id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, user_id TEXT NOT NULL,
  fingerprint TEXT NOT NULL, source_address TEXT NOT NULL, event TEXT NOT NULL,
  result TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_user ON audit(user_id, event, id);
CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);
)sql";

// Version 2: 取得用パスワード (one per user, only its hash) and the renewal link of certificates.
static const char* const kSchemaVersion2 = R"sql(
CREATE TABLE enrollment_codes(
  user_id TEXT PRIMARY KEY REFERENCES users(user_id), code_hash TEXT NOT NULL,
  issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, failed_count INTEGER NOT NULL DEFAULT 0,
  locked_at INTEGER NOT NULL DEFAULT 0, used_at INTEGER NOT NULL DEFAULT 0, cancelled_at INTEGER NOT NULL DEFAULT 0);
ALTER TABLE certificates ADD COLUMN replaces TEXT NOT NULL DEFAULT '';
)sql";

// ---------------------------------------------------------------- connection
struct SqliteConnection final : StoreConnection {
    sqlite3* db = nullptr;
    std::string name;   // redacted URL, for messages
    bool read_transaction = false;
    std::timed_mutex* write_gate = nullptr;
    std::unique_lock<std::timed_mutex> writing;   // held from BEGIN IMMEDIATE to COMMIT/ROLLBACK
    int busy_timeout_ms = 5000;
    std::unordered_map<std::string, sqlite3_stmt*> statements;

    ~SqliteConnection() override
    {
        for (auto& entry : statements)
            sqlite3_finalize(entry.second);
        if (db)
            sqlite3_close(db);
    }

    [[noreturn]] void fail(int code, const std::string& what) const
    {
        std::string message = what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(code));
        StoreFailure f = sqlite_failure(code, read_transaction);
        throw StoreError(message, f.unavailable, f.constraint, f.retry);
    }

    void exec(const char* sql)
    {
        int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
        if (rc != SQLITE_OK)
            fail(rc, sql);
    }

    void begin(TxMode mode) override
    {
        read_transaction = false;   // BEGIN itself waits (busy timeout) and fails as unavailable
        if (mode == TxMode::Write && write_gate) {
            writing = std::unique_lock<std::timed_mutex>(*write_gate, std::defer_lock);
            if (!writing.try_lock_for(std::chrono::milliseconds(busy_timeout_ms)))
                throw StoreError("database busy: another transaction of this process is writing", true, false);
        }
        try {
            exec(mode == TxMode::Write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
        } catch (...) {
            release();
            throw;
        }
        read_transaction = mode == TxMode::Read;
    }

    void release() noexcept
    {
        if (writing.owns_lock())
            writing.unlock();
    }

    // A deferred transaction's snapshot starts at its first read: take it now.
    void snapshot() override
    {
        exec("SELECT count(*) FROM sqlite_master");
    }

    void commit() override
    {
        int rc = sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
        if (rc != SQLITE_OK)
            fail(rc, "commit");   // still in the transaction: the rollback releases the gate
        release();
    }

    void rollback() noexcept override
    {
        if (!sqlite3_get_autocommit(db))
            sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        release();
    }

    sqlite3_stmt* prepared(const std::string& sql)
    {
        auto found = statements.find(sql);
        if (found != statements.end())
            return found->second;
        sqlite3_stmt* stmt = nullptr;
        int rc = sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                    nullptr);
        if (rc != SQLITE_OK)
            fail(rc, "prepare");
        statements.emplace(sql, stmt);
        return stmt;
    }

    void execute(const std::string& sql, const std::vector<StoreValue>& params, StoreResult& out) override
    {
        out = StoreResult();
        sqlite3_stmt* stmt = prepared(sql);
        // Leaves the statement reset and unbound however this ends, ready for its next use.
        struct Reset {
            sqlite3_stmt* stmt;
            ~Reset()
            {
                sqlite3_reset(stmt);
                sqlite3_clear_bindings(stmt);
            }
        } reset{stmt};
        int index = 1;
        for (const StoreValue& v : params) {
            int rc = v.is_integer ? sqlite3_bind_int64(stmt, index, v.integer)
                                  : sqlite3_bind_text(stmt, index, v.text.data(), static_cast<int>(v.text.size()),
                                                      SQLITE_TRANSIENT);
            if (rc != SQLITE_OK)
                fail(rc, "bind");
            index++;
        }
        const int columns = sqlite3_column_count(stmt);
        for (;;) {
            int rc = sqlite3_step(stmt);
            if (rc == SQLITE_DONE)
                break;
            if (rc != SQLITE_ROW)
                fail(rc, "step");
            std::vector<std::string> row;
            row.reserve(static_cast<size_t>(columns));
            for (int c = 0; c < columns; c++) {
                const unsigned char* p = sqlite3_column_text(stmt, c);
                row.emplace_back(p ? std::string(reinterpret_cast<const char*>(p),
                                                 static_cast<size_t>(sqlite3_column_bytes(stmt, c)))
                                   : std::string());
            }
            out.rows.push_back(std::move(row));
        }
        out.changes = sqlite3_stmt_readonly(stmt) ? 0 : sqlite3_changes64(db);
    }

    void execute_script(const std::string& sql) override
    {
        exec(sql.c_str());
    }

    bool table_exists(const std::string& table) override
    {
        StoreResult result;
        execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", {StoreValue{false, 0, table}}, result);
        return !result.rows.empty();
    }

    // BEGIN IMMEDIATE already keeps every other writer out.
    void lock_schema() override {}

    // AUTOINCREMENT follows the largest id inserted, explicit ones included.
    void reset_identity(const std::string&, const std::string&) override {}

    const std::vector<std::string>& migrations() const override
    {
        static const std::vector<std::string> steps = {kSchemaVersion1, kSchemaVersion2};
        return steps;
    }

    // SQLite has no connection to lose.
    bool broken() const override { return false; }
};

std::unique_ptr<StoreConnection> sqlite_connect(const DatabaseUrl& url, const StoreOptions& options,
                                                std::timed_mutex* write_gate)
{
    const std::string& path = url.sqlite_path;
    if (!options.create && !std::filesystem::exists(path))
        throw StoreError("no database at " + path + " (run 'ibgate init' first)", false, false);
    auto c = std::make_unique<SqliteConnection>();
    c->name = url.redacted;
    c->write_gate = write_gate;
    c->busy_timeout_ms = options.busy_timeout_ms;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (options.create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path.c_str(), &c->db, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = "cannot open database " + path + ": " + sqlite3_errstr(rc);
        throw StoreError(message, sqlite_failure(rc, false).unavailable, false);
    }
    sqlite3_busy_timeout(c->db, options.busy_timeout_ms);
    sqlite3_extended_result_codes(c->db, 1);
    c->exec("PRAGMA journal_mode=WAL");
    c->exec(options.durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF");
    c->exec("PRAGMA foreign_keys=ON");
    return c;
}
