#pragma once
// What store.cpp needs of a database backend: one connection, its transactions, statements
// by SQL text (prepared once per connection and reused) and the classification of errors into
// StoreError. Implemented by store_sqlite.cpp and store_postgres.cpp; only store*.cpp include it.
//
// SQL handed to execute() uses `?` placeholders and the subset both backends understand.

#include "server/database_url.h"
#include "server/store.h"

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct StoreValue {
    bool is_integer = false;
    int64_t integer = 0;
    std::string text;
};

struct StoreResult {
    std::vector<std::vector<std::string>> rows;   // every column as text (integers in decimal)
    int64_t changes = 0;                          // rows an INSERT/UPDATE/DELETE changed
};

struct StoreConnection {
    virtual ~StoreConnection() = default;
    virtual void begin(TxMode mode) = 0;
    // Right after begin: the rest of the transaction reads one snapshot of the database.
    virtual void snapshot() = 0;
    virtual void commit() = 0;
    virtual void rollback() noexcept = 0;
    // One statement; prepared on first use of this text on this connection, reused after.
    virtual void execute(const std::string& sql, const std::vector<StoreValue>& params, StoreResult& out) = 0;
    // Several statements without parameters (schema migrations), inside the open transaction.
    virtual void execute_script(const std::string& sql) = 0;
    virtual bool table_exists(const std::string& table) = 0;
    // Inside a transaction: holds off other processes migrating the same database until it ends.
    virtual void lock_schema() = 0;
    // After rows were inserted with explicit ids: the next generated id follows the largest.
    virtual void reset_identity(const std::string& table, const std::string& column) = 0;
    // The schema migrations of this backend: [0] makes version 1, [1] version 2, ...
    virtual const std::vector<std::string>& migrations() const = 0;
    // True when the connection is lost; the pool drops it instead of reusing it.
    virtual bool broken() const = 0;
};

// How a failure counts (pure; table-tested). `lost`: the connection is gone, drop it.
struct StoreFailure {
    bool unavailable = false;
    bool constraint = false;
    bool retry = false;
    bool lost = false;
};
// SQLite result code (extended); `read_transaction`: it happened in a Read transaction.
StoreFailure sqlite_failure(int code, bool read_transaction);
// PostgreSQL SQLSTATE ("" when libpq gave none) and whether the connection is still up.
StoreFailure postgres_failure(const std::string& sqlstate, bool connection_ok);

// `write_gate`: shared by the connections of one Store. SQLite's own wait for the write lock
// polls with sleeps of up to 100 ms; writers of one process queue on this instead (handed on
// at once), and SQLite's busy timeout is left to keep other processes apart.
std::unique_ptr<StoreConnection> sqlite_connect(const DatabaseUrl& url, const StoreOptions& options,
                                                std::timed_mutex* write_gate);
std::unique_ptr<StoreConnection> postgres_connect(const DatabaseUrl& url, const StoreOptions& options);

// The pool: at most options.connections open at once, opened when first needed.
struct StoreBackend {
    DatabaseUrl url;
    StoreOptions options;
    std::mutex mutex;
    std::condition_variable returned;
    std::vector<std::unique_ptr<StoreConnection>> idle;
    int open_count = 0;   // idle ones and those lent to transactions
    std::timed_mutex write_gate;   // SQLite: see sqlite_connect
};
