#include "server/store.h"

#include "server/store_driver.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>

// ---------------------------------------------------------------- statements
// One statement of a transaction; binds by position in the order of the calls. The driver runs
// it at the first step() (or run()) and hands back every row; step() then walks them.
struct Statement {
    Transaction& tx;
    std::string sql;
    std::vector<StoreValue> params;
    StoreResult result;
    bool ran = false;
    size_t next_row = 0;
    const std::vector<std::string>* row = nullptr;

    Statement(Transaction& t, std::string text) : tx(t), sql(std::move(text)) {}

    Statement& bind(int64_t v)
    {
        StoreValue value;
        value.is_integer = true;
        value.integer = v;
        params.push_back(std::move(value));
        return *this;
    }
    Statement& bind(const std::string& v)
    {
        StoreValue value;
        value.text = v;
        params.push_back(std::move(value));
        return *this;
    }
    // True while there is a row.
    bool step()
    {
        if (!ran) {
            if (!tx.open || !tx.connection)
                throw StoreError("statement outside an open transaction", false, false);
            tx.connection->execute(sql, params, result);
            ran = true;
        }
        if (next_row >= result.rows.size()) {
            row = nullptr;
            return false;
        }
        row = &result.rows[next_row++];
        return true;
    }
    void run()
    {
        while (step()) {
        }
    }
    // Rows the statement changed.
    int changes() const { return static_cast<int>(result.changes); }
    int64_t integer(size_t col) const
    {
        return row && col < row->size() ? std::strtoll((*row)[col].c_str(), nullptr, 10) : 0;
    }
    std::string text(size_t col) const { return row && col < row->size() ? (*row)[col] : std::string(); }
};

// ---------------------------------------------------------------- the pool
Store::Store() = default;
Store::~Store() = default;

static std::unique_ptr<StoreConnection> connect(StoreBackend& backend)
{
    return backend.url.backend == DatabaseBackend::Postgres ? postgres_connect(backend.url, backend.options)
                                                            : sqlite_connect(backend.url, backend.options, &backend.write_gate);
}

// A connection for one transaction: an idle one, a new one while fewer than options.connections
// are open, or the next one returned (waiting up to the busy timeout).
static std::unique_ptr<StoreConnection> take_connection(StoreBackend& backend, bool& reused)
{
    std::unique_lock<std::mutex> lock(backend.mutex);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(backend.options.busy_timeout_ms);
    while (backend.idle.empty() && backend.open_count >= backend.options.connections) {
        if (backend.returned.wait_until(lock, deadline) == std::cv_status::timeout && backend.idle.empty()
            && backend.open_count >= backend.options.connections)
            throw StoreError("all " + std::to_string(backend.options.connections) + " connections to "
                                 + backend.url.redacted + " are busy",
                             true, false);
    }
    if (!backend.idle.empty()) {
        std::unique_ptr<StoreConnection> c = std::move(backend.idle.back());
        backend.idle.pop_back();
        reused = true;
        return c;
    }
    backend.open_count++;
    lock.unlock();
    reused = false;
    try {
        return connect(backend);
    } catch (...) {
        lock.lock();
        backend.open_count--;
        backend.returned.notify_one();
        throw;
    }
}

static void give_back(StoreBackend& backend, StoreConnection* connection)
{
    std::unique_ptr<StoreConnection> owned(connection);
    std::lock_guard<std::mutex> lock(backend.mutex);
    if (owned->broken()) {
        backend.open_count--;
        owned.reset();   // the next transaction opens a new one: the server recovers by itself
    } else {
        backend.idle.push_back(std::move(owned));
    }
    backend.returned.notify_one();
}

Transaction::Transaction(Store& s, TxMode m) : store(s), mode(m)
{
    if (!store.backend)
        throw StoreError("the database is not open", false, false);
    StoreBackend& backend = *store.backend;
    // A pooled connection may have died while idle (PostgreSQL restarted): then one new one.
    for (int attempt = 1;; attempt++) {
        bool reused = false;
        connection = take_connection(backend, reused).release();
        try {
            connection->begin(mode);
            open = true;
            return;
        } catch (const StoreError&) {
            bool lost = connection->broken();
            give_back(backend, connection);
            connection = nullptr;
            if (!(lost && reused && attempt == 1))
                throw;
        }
    }
}

Transaction::~Transaction()
{
    if (!connection)
        return;
    if (open)
        connection->rollback();
    give_back(*store.backend, connection);
}

void Transaction::commit()
{
    if (!open || !connection)
        throw StoreError("commit without an open transaction", false, false);
    connection->commit();   // on failure the destructor rolls back
    open = false;
}

void store_transact(Store& store, TxMode mode, const std::function<void(Transaction&)>& body)
{
    for (int attempt = 1;; attempt++) {
        try {
            Transaction tx(store, attempt == 1 ? mode : TxMode::Write);
            body(tx);
            if (tx.open)
                tx.commit();
            return;
        } catch (const StoreError& e) {
            if (!e.retry || attempt >= kStoreMaxAttempts)
                throw;
        }
    }
}

// ---------------------------------------------------------------- open, schema versions
static int read_schema_version(Transaction& tx)
{
    if (!tx.connection->table_exists("schema_version"))
        // A database made before versions were recorded holds exactly version 1's tables.
        return tx.connection->table_exists("users") ? 1 : 0;
    Statement st(tx, "SELECT max(version) FROM schema_version");
    return st.step() ? static_cast<int>(st.integer(0)) : 0;
}

static std::string newer_schema_message(const Store& store, int found)
{
    return store_description(store) + " has schema version " + std::to_string(found)
        + ", newer than this ibgate knows (version " + std::to_string(kStoreSchemaVersion)
        + "): use the ibgate that migrated it, or a newer one";
}

int store_schema_version(Store& store)
{
    Transaction tx(store, TxMode::Read);
    int version = read_schema_version(tx);
    tx.commit();
    return version;
}

MigrationResult store_migrate(Store& store)
{
    Transaction tx(store, TxMode::Write);
    tx.connection->lock_schema();
    MigrationResult result;
    result.from = read_schema_version(tx);
    result.to = result.from;
    if (result.from > kStoreSchemaVersion)
        throw StoreError(newer_schema_message(store, result.from), false, false);
    const std::vector<std::string>& steps = tx.connection->migrations();
    if (static_cast<int>(steps.size()) < kStoreSchemaVersion)
        throw StoreError("the driver lacks migrations up to version " + std::to_string(kStoreSchemaVersion), false, false);
    for (int version = result.from + 1; version <= kStoreSchemaVersion; version++)
        tx.connection->execute_script(steps[static_cast<size_t>(version - 1)]);
    bool unrecorded = !tx.connection->table_exists("schema_version");   // made before versions were recorded
    if (unrecorded)
        tx.connection->execute_script("CREATE TABLE schema_version(version INTEGER NOT NULL)");
    if (result.from < kStoreSchemaVersion || unrecorded) {
        Statement clear(tx, "DELETE FROM schema_version");
        clear.run();
        Statement record(tx, "INSERT INTO schema_version(version) VALUES(?)");
        record.bind(int64_t{kStoreSchemaVersion}).run();
        result.to = kStoreSchemaVersion;
    }
    tx.commit();
    return result;
}

void store_open(Store& store, const std::string& database, const StoreOptions& options)
{
    DatabaseUrl url;
    std::string error;
    if (!parse_database_url(database, url, error))
        throw StoreError(error, false, false);
    if (options.connections < 1 || options.connections > 256)
        throw StoreError("database connections must be 1 to 256", false, false);
    store_close(store);
    auto backend = std::make_unique<StoreBackend>();
    backend->url = url;
    backend->options = options;
    store.backend = std::move(backend);
    try {
        if (options.migrate) {
            store_migrate(store);
        } else if (options.check_schema) {
            int version = store_schema_version(store);
            if (version > kStoreSchemaVersion)
                throw StoreError(newer_schema_message(store, version), false, false);
            if (version == 0)
                throw StoreError(store_description(store) + " holds no ibgate schema (run 'ibgate init', or 'ibgate db migrate')",
                                 false, false);
            if (version < kStoreSchemaVersion)
                throw StoreError(store_description(store) + " has schema version " + std::to_string(version)
                                     + ", older than this ibgate's " + std::to_string(kStoreSchemaVersion)
                                     + ": run 'ibgate db migrate'",
                                 false, false);
        }
    } catch (...) {
        store_close(store);
        throw;
    }
}

void store_open(Store& store, const std::string& database, bool create, int busy_timeout_ms)
{
    StoreOptions options;
    options.create = create;
    options.migrate = create;
    options.busy_timeout_ms = busy_timeout_ms;
    store_open(store, database, options);
}

void store_close(Store& store)
{
    store.backend.reset();   // closes the idle connections; none is lent out by then
}

std::string store_description(const Store& store)
{
    return store.backend ? store.backend->url.redacted : std::string("(no database)");
}

// ---------------------------------------------------------------- copying a whole database
struct TableShape {
    const char* name;
    const char* key;                        // one-column primary key: the copy walks it in order
    std::vector<const char*> columns;       // the key first
    std::vector<bool> integer;              // per column
    const char* identity = nullptr;         // generated id column
};

static const std::vector<TableShape>& table_shapes()
{
    static const std::vector<TableShape> shapes = {
        {"settings", "key", {"key", "value"}, {false, false}},
        {"users", "user_id",
         {"user_id", "name", "company", "role", "password_hash", "failed_count", "locked_at", "created_at"},
         {false, false, false, false, false, true, true, true}},
        {"certificates", "fingerprint",
         {"fingerprint", "user_id", "serial", "subject", "not_before", "not_after", "issued_at", "revoked_at",
          "replaces"},
         {false, false, false, false, true, true, true, true, false}},
        {"enrollment_codes", "user_id",
         {"user_id", "code_hash", "issued_at", "expires_at", "failed_count", "locked_at", "used_at", "cancelled_at"},
         {false, false, true, true, true, true, true, true}},
        {"revoked_serials", "serial", {"serial", "revoked_at", "reason"}, {false, true, false}},
        {"tickets", "digest", {"digest", "kind", "user_id", "fingerprint", "expires_at", "used_at"},
         {false, false, false, false, true, true}},
        {"sessions", "digest",
         {"digest", "user_id", "fingerprint", "csrf_digest", "source_address", "login_time", "last_seen",
          "idle_timeout", "absolute_timeout", "ended_at", "end_reason", "previous_login_time",
          "previous_login_source"},
         {false, false, false, false, false, true, true, true, true, true, false, true, false}},
        {"audit", "id", {"id", "time", "user_id", "fingerprint", "source_address", "event", "result", "detail"},
         {true, true, false, false, false, false, false, false}, "id"},
    };
    return shapes;
}

std::vector<std::string> store_tables()
{
    std::vector<std::string> out;
    for (const TableShape& t : table_shapes())
        out.push_back(t.name);
    return out;
}

static std::vector<TableCount> count_rows(Transaction& tx)
{
    std::vector<TableCount> out;
    for (const TableShape& t : table_shapes()) {
        Statement st(tx, std::string("SELECT count(*) FROM ") + t.name);
        st.step();
        out.push_back(TableCount{t.name, st.integer(0)});
    }
    return out;
}

std::vector<TableCount> store_count_rows(Store& store)
{
    Transaction tx(store, TxMode::Read);
    std::vector<TableCount> out = count_rows(tx);
    tx.commit();
    return out;
}

static std::string join_columns(const TableShape& t)
{
    std::string out;
    for (const char* c : t.columns)
        out += (out.empty() ? "" : ", ") + std::string(c);
    return out;
}

std::vector<std::vector<std::string>> store_table_rows(Store& store, const std::string& table)
{
    for (const TableShape& t : table_shapes()) {
        if (table != t.name)
            continue;
        Transaction tx(store, TxMode::Read);
        Statement st(tx, "SELECT " + join_columns(t) + " FROM " + t.name + " ORDER BY " + t.key);
        st.run();
        std::vector<std::vector<std::string>> rows = std::move(st.result.rows);
        tx.commit();
        return rows;
    }
    throw StoreError("no table " + table, false, false);
}

constexpr int kCopyBatchRows = 500;

std::vector<TableCount> store_copy(Store& from, Store& to)
{
    if (!from.backend || !to.backend)
        throw StoreError("both databases must be open", false, false);
    Transaction source(from, TxMode::Read);
    source.connection->snapshot();
    Transaction target(to, TxMode::Write);
    for (const TableCount& c : count_rows(target)) {
        if (c.rows != 0)
            throw StoreError(store_description(to) + " is not empty (" + c.table + " has " + std::to_string(c.rows)
                                 + " rows): copy only into a new database",
                             false, false);
    }
    std::vector<TableCount> copied;
    for (const TableShape& t : table_shapes()) {
        const std::string columns = join_columns(t);
        std::string insert = std::string("INSERT INTO ") + t.name + "(" + columns + ") VALUES(";
        for (size_t i = 0; i < t.columns.size(); i++)
            insert += i == 0 ? "?" : ", ?";
        insert += ")";
        const std::string select = "SELECT " + columns + " FROM " + t.name;
        const std::string order = std::string(" ORDER BY ") + t.key + " LIMIT " + std::to_string(kCopyBatchRows);
        int64_t rows = 0;
        bool first = true;
        std::string last_key;
        for (;;) {
            // Walk the primary key in order, a batch at a time (no table is held in memory whole).
            Statement page(source, first ? select + order : select + " WHERE " + t.key + " > ?" + order);
            if (!first) {
                if (t.integer[0])
                    page.bind(std::strtoll(last_key.c_str(), nullptr, 10));
                else
                    page.bind(last_key);
            }
            int in_page = 0;
            while (page.step()) {
                Statement add(target, insert);
                for (size_t i = 0; i < t.columns.size(); i++) {
                    if (t.integer[i])
                        add.bind(page.integer(i));
                    else
                        add.bind(page.text(i));
                }
                add.run();
                last_key = page.text(0);
                in_page++;
            }
            rows += in_page;
            first = false;
            if (in_page < kCopyBatchRows)
                break;
        }
        if (t.identity)
            target.connection->reset_identity(t.name, t.identity);
        copied.push_back(TableCount{t.name, rows});
    }
    target.commit();
    source.commit();

    std::vector<TableCount> found = store_count_rows(to);
    for (size_t i = 0; i < copied.size(); i++) {
        if (found[i].rows != copied[i].rows)
            throw StoreError("after the copy " + store_description(to) + " holds " + std::to_string(found[i].rows) + " rows of "
                                 + copied[i].table + ", " + std::to_string(copied[i].rows) + " were copied",
                             false, false);
    }
    return copied;
}

// ---------------------------------------------------------------- settings
std::string setting_get(Transaction& tx, const std::string& key, const std::string& fallback)
{
    Statement st(tx, "SELECT value FROM settings WHERE key = ?");
    st.bind(key);
    return st.step() ? st.text(0) : fallback;
}

void setting_set(Transaction& tx, const std::string& key, const std::string& value)
{
    Statement st(tx, "INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    st.bind(key).bind(value).run();
}

// ---------------------------------------------------------------- users
static const char* const kUserColumns =
    "SELECT user_id, name, company, role, password_hash, failed_count, locked_at, created_at FROM users";

static UserRecord read_user(Statement& st)
{
    UserRecord u;
    u.user_id = st.text(0);
    u.name = st.text(1);
    u.company = st.text(2);
    if (!api::role_from_name(st.text(3), u.role))
        u.role = api::Role::User;
    u.password_hash = st.text(4);
    u.failed_count = static_cast<int>(st.integer(5));
    u.locked_at = st.integer(6);
    u.created_at = st.integer(7);
    return u;
}

bool user_find(Transaction& tx, const std::string& user_id, UserRecord& out)
{
    Statement st(tx, std::string(kUserColumns) + " WHERE user_id = ?");
    st.bind(user_id);
    if (!st.step())
        return false;
    out = read_user(st);
    return true;
}

void user_insert(Transaction& tx, const UserRecord& u)
{
    Statement st(tx, "INSERT INTO users(user_id, name, company, role, password_hash, failed_count, locked_at, created_at)"
                     " VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(u.user_id).bind(u.name).bind(u.company).bind(std::string(api::role_name(u.role))).bind(u.password_hash)
        .bind(int64_t{u.failed_count}).bind(u.locked_at).bind(u.created_at).run();
}

void user_set_password(Transaction& tx, const std::string& user_id, const std::string& hash)
{
    Statement st(tx, "UPDATE users SET password_hash = ? WHERE user_id = ?");
    st.bind(hash).bind(user_id).run();
}

void user_set_failures(Transaction& tx, const std::string& user_id, int failed_count, int64_t locked_at)
{
    Statement st(tx, "UPDATE users SET failed_count = ?, locked_at = ? WHERE user_id = ?");
    st.bind(int64_t{failed_count}).bind(locked_at).bind(user_id).run();
}

bool user_count_failure(Transaction& tx, const std::string& user_id, int max_failures, int64_t now, UserRecord& after)
{
    Statement st(tx, "UPDATE users SET failed_count = failed_count + 1,"
                     " locked_at = CASE WHEN failed_count + 1 >= ? THEN CAST(? AS BIGINT) ELSE 0 END"
                     " WHERE user_id = ? AND locked_at = 0"
                     " RETURNING user_id, name, company, role, password_hash, failed_count, locked_at, created_at");
    st.bind(int64_t{max_failures}).bind(now > 0 ? now : 1).bind(user_id);
    if (!st.step())
        return false;
    after = read_user(st);
    st.run();
    return true;
}

bool user_clear_failures(Transaction& tx, const std::string& user_id)
{
    Statement st(tx, "UPDATE users SET failed_count = 0 WHERE user_id = ? AND locked_at = 0");
    st.bind(user_id).run();
    return st.changes() == 1;
}

std::vector<UserRecord> user_list(Transaction& tx)
{
    Statement st(tx, std::string(kUserColumns) + " ORDER BY user_id");
    std::vector<UserRecord> out;
    while (st.step())
        out.push_back(read_user(st));
    return out;
}

// ---------------------------------------------------------------- certificates
static const char* const kCertColumns =
    "SELECT fingerprint, user_id, serial, subject, not_before, not_after, issued_at, revoked_at, replaces"
    " FROM certificates";

static CertRecord read_cert(Statement& st)
{
    CertRecord c;
    c.fingerprint = st.text(0);
    c.user_id = st.text(1);
    c.serial = st.text(2);
    c.subject = st.text(3);
    c.not_before = st.integer(4);
    c.not_after = st.integer(5);
    c.issued_at = st.integer(6);
    c.revoked_at = st.integer(7);
    c.replaces = st.text(8);
    return c;
}

bool cert_find(Transaction& tx, const std::string& fingerprint, CertRecord& out)
{
    Statement st(tx, std::string(kCertColumns) + " WHERE fingerprint = ?");
    st.bind(fingerprint);
    if (!st.step())
        return false;
    out = read_cert(st);
    return true;
}

bool cert_find_by_serial_or_fingerprint(Transaction& tx, const std::string& key, CertRecord& out)
{
    Statement st(tx, std::string(kCertColumns) + " WHERE fingerprint = lower(?) OR serial = upper(?)");
    st.bind(key).bind(key);
    if (!st.step())
        return false;
    out = read_cert(st);
    return true;
}

void cert_insert(Transaction& tx, const CertRecord& c)
{
    Statement st(tx, "INSERT INTO certificates(fingerprint, user_id, serial, subject, not_before, not_after, issued_at,"
                     " revoked_at, replaces) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(c.fingerprint).bind(c.user_id).bind(c.serial).bind(c.subject).bind(c.not_before).bind(c.not_after)
        .bind(c.issued_at).bind(c.revoked_at).bind(c.replaces).run();
}

std::vector<CertRecord> cert_list(Transaction& tx, const std::string& user_id)
{
    Statement st(tx, std::string(kCertColumns) + " WHERE ? = '' OR user_id = ? ORDER BY user_id, issued_at");
    st.bind(user_id).bind(user_id);
    std::vector<CertRecord> out;
    while (st.step())
        out.push_back(read_cert(st));
    return out;
}

void serial_revoke(Transaction& tx, const std::string& serial, int64_t now, const std::string& reason)
{
    Statement add(tx, "INSERT INTO revoked_serials(serial, revoked_at, reason) VALUES(upper(?), ?, ?) ON CONFLICT DO NOTHING");
    add.bind(serial).bind(now).bind(reason).run();
    Statement mark(tx, "UPDATE certificates SET revoked_at = ? WHERE serial = upper(?) AND revoked_at = 0");
    mark.bind(now).bind(serial).run();
}

bool serial_is_revoked(Transaction& tx, const std::string& serial)
{
    Statement st(tx, "SELECT 1 FROM revoked_serials WHERE serial = upper(?)");
    st.bind(serial);
    return st.step();
}

std::vector<RevokedSerial> revoked_serials(Transaction& tx)
{
    Statement st(tx, "SELECT serial, revoked_at, reason FROM revoked_serials ORDER BY revoked_at");
    std::vector<RevokedSerial> out;
    while (st.step())
        out.push_back(RevokedSerial{st.text(0), st.integer(1), st.text(2)});
    return out;
}

// ---------------------------------------------------------------- enrollment codes
static const char* const kEnrollmentColumns =
    "user_id, code_hash, issued_at, expires_at, failed_count, locked_at, used_at, cancelled_at";

static EnrollmentCodeRecord read_enrollment(Statement& st)
{
    EnrollmentCodeRecord e;
    e.user_id = st.text(0);
    e.code_hash = st.text(1);
    e.issued_at = st.integer(2);
    e.expires_at = st.integer(3);
    e.failed_count = static_cast<int>(st.integer(4));
    e.locked_at = st.integer(5);
    e.used_at = st.integer(6);
    e.cancelled_at = st.integer(7);
    return e;
}

bool enrollment_find(Transaction& tx, const std::string& user_id, EnrollmentCodeRecord& out)
{
    Statement st(tx, std::string("SELECT ") + kEnrollmentColumns + " FROM enrollment_codes WHERE user_id = ?");
    st.bind(user_id);
    if (!st.step())
        return false;
    out = read_enrollment(st);
    return true;
}

void enrollment_put(Transaction& tx, const EnrollmentCodeRecord& e)
{
    Statement st(tx, std::string("INSERT INTO enrollment_codes(") + kEnrollmentColumns
                         + ") VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET"
                           " code_hash = excluded.code_hash, issued_at = excluded.issued_at,"
                           " expires_at = excluded.expires_at, failed_count = excluded.failed_count,"
                           " locked_at = excluded.locked_at, used_at = excluded.used_at,"
                           " cancelled_at = excluded.cancelled_at");
    st.bind(e.user_id).bind(e.code_hash).bind(e.issued_at).bind(e.expires_at).bind(int64_t{e.failed_count})
        .bind(e.locked_at).bind(e.used_at).bind(e.cancelled_at).run();
}

bool enrollment_count_failure(Transaction& tx, const std::string& user_id, int max_failures, int64_t now,
                              EnrollmentCodeRecord& after)
{
    Statement st(tx, std::string("UPDATE enrollment_codes SET failed_count = failed_count + 1,"
                                 " locked_at = CASE WHEN failed_count + 1 >= ? THEN CAST(? AS BIGINT) ELSE 0 END"
                                 " WHERE user_id = ? AND locked_at = 0 AND used_at = 0 AND cancelled_at = 0"
                                 " RETURNING ") + kEnrollmentColumns);
    st.bind(int64_t{max_failures}).bind(now > 0 ? now : 1).bind(user_id);
    if (!st.step())
        return false;
    after = read_enrollment(st);
    st.run();
    return true;
}

bool enrollment_take(Transaction& tx, const std::string& user_id, const std::string& code_hash, int64_t now)
{
    Statement st(tx, "UPDATE enrollment_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at = 0"
                     " AND locked_at = 0 AND cancelled_at = 0");
    st.bind(now > 0 ? now : 1).bind(user_id).bind(code_hash).run();
    return st.changes() == 1;
}

bool enrollment_cancel(Transaction& tx, const std::string& user_id, int64_t now)
{
    Statement st(tx, "UPDATE enrollment_codes SET cancelled_at = ? WHERE user_id = ? AND used_at = 0 AND cancelled_at = 0");
    st.bind(now > 0 ? now : 1).bind(user_id).run();
    return st.changes() == 1;
}

std::vector<EnrollmentCodeRecord> enrollment_list(Transaction& tx)
{
    Statement st(tx, std::string("SELECT ") + kEnrollmentColumns + " FROM enrollment_codes ORDER BY user_id");
    std::vector<EnrollmentCodeRecord> out;
    while (st.step())
        out.push_back(read_enrollment(st));
    return out;
}

// ---------------------------------------------------------------- tickets
void ticket_insert(Transaction& tx, const std::string& digest, const TicketRecord& t)
{
    Statement st(tx, "INSERT INTO tickets(digest, kind, user_id, fingerprint, expires_at, used_at) VALUES(?, ?, ?, ?, ?, 0)");
    st.bind(digest).bind(std::string(t.kind == TicketKind::Login ? "login" : "force_logout")).bind(t.user_id)
        .bind(t.fingerprint).bind(t.expires_at).run();
}

static void read_ticket(Statement& st, TicketRecord& out)
{
    out.kind = st.text(0) == "login" ? TicketKind::Login : TicketKind::ForceLogout;
    out.user_id = st.text(1);
    out.fingerprint = st.text(2);
    out.expires_at = st.integer(3);
    out.used_at = st.integer(4);
}

bool ticket_take(Transaction& tx, const std::string& digest, int64_t now, TicketRecord& out)
{
    // The update returns the row as it was found (used_at 0) only to the one take that marks it.
    Statement use(tx, "UPDATE tickets SET used_at = ? WHERE digest = ? AND used_at = 0"
                      " RETURNING kind, user_id, fingerprint, expires_at, 0");
    use.bind(now > 0 ? now : 1).bind(digest);
    if (use.step()) {
        read_ticket(use, out);
        use.run();
        return true;
    }
    Statement find(tx, "SELECT kind, user_id, fingerprint, expires_at, used_at FROM tickets WHERE digest = ?");
    find.bind(digest);
    if (!find.step())
        return false;
    read_ticket(find, out);
    return true;
}

void tickets_delete_expired(Transaction& tx, int64_t before)
{
    Statement st(tx, "DELETE FROM tickets WHERE expires_at < ?");
    st.bind(before).run();
}

// ---------------------------------------------------------------- sessions
int64_t session_idle_expires_at(const SessionRecord& s)
{
    return std::min(s.last_seen + s.idle_timeout, session_absolute_expires_at(s));
}

int64_t session_absolute_expires_at(const SessionRecord& s)
{
    return s.login_time + s.absolute_timeout;
}

bool session_expired_at(const SessionRecord& s, int64_t now)
{
    return now >= session_idle_expires_at(s);
}

static const char* const kSessionColumns =
    "SELECT digest, user_id, fingerprint, csrf_digest, source_address, login_time, last_seen, idle_timeout,"
    " absolute_timeout, ended_at, end_reason, previous_login_time, previous_login_source FROM sessions";

static SessionRecord read_session(Statement& st)
{
    SessionRecord s;
    s.digest = st.text(0);
    s.user_id = st.text(1);
    s.fingerprint = st.text(2);
    s.csrf_digest = st.text(3);
    s.source_address = st.text(4);
    s.login_time = st.integer(5);
    s.last_seen = st.integer(6);
    s.idle_timeout = static_cast<int>(st.integer(7));
    s.absolute_timeout = static_cast<int>(st.integer(8));
    s.ended_at = st.integer(9);
    s.end_reason = st.text(10);
    s.previous_login_time = st.integer(11);
    s.previous_login_source = st.text(12);
    return s;
}

bool session_find(Transaction& tx, const std::string& digest, SessionRecord& out)
{
    Statement st(tx, std::string(kSessionColumns) + " WHERE digest = ?");
    st.bind(digest);
    if (!st.step())
        return false;
    out = read_session(st);
    return true;
}

bool session_find_active(Transaction& tx, const std::string& user_id, SessionRecord& out)
{
    Statement st(tx, std::string(kSessionColumns) + " WHERE user_id = ? AND ended_at = 0");
    st.bind(user_id);
    if (!st.step())
        return false;
    out = read_session(st);
    return true;
}

bool session_insert(Transaction& tx, const SessionRecord& s)
{
    Statement st(tx, "INSERT INTO sessions(digest, user_id, fingerprint, csrf_digest, source_address, login_time,"
                     " last_seen, idle_timeout, absolute_timeout, previous_login_time, previous_login_source)"
                     " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    st.bind(s.digest).bind(s.user_id).bind(s.fingerprint).bind(s.csrf_digest).bind(s.source_address)
        .bind(s.login_time).bind(s.last_seen).bind(int64_t{s.idle_timeout}).bind(int64_t{s.absolute_timeout})
        .bind(s.previous_login_time).bind(s.previous_login_source);
    st.run();
    return st.changes() == 1;
}

void session_touch(Transaction& tx, const std::string& digest, int64_t now)
{
    // max(last_seen, ?) in both dialects: a touch never moves last_seen back.
    Statement st(tx, "UPDATE sessions SET last_seen = CASE WHEN last_seen > ? THEN last_seen ELSE ? END WHERE digest = ?");
    st.bind(now).bind(now).bind(digest).run();
}

bool session_end(Transaction& tx, const std::string& digest, int64_t now, const std::string& reason)
{
    Statement st(tx, "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE digest = ? AND ended_at = 0");
    st.bind(now > 0 ? now : 1).bind(reason).bind(digest).run();
    return st.changes() == 1;
}

std::vector<SessionRecord> sessions_active(Transaction& tx)
{
    Statement st(tx, std::string(kSessionColumns) + " WHERE ended_at = 0 ORDER BY login_time");
    std::vector<SessionRecord> out;
    while (st.step())
        out.push_back(read_session(st));
    return out;
}

void sessions_delete_ended(Transaction& tx, int64_t before)
{
    Statement st(tx, "DELETE FROM sessions WHERE ended_at != 0 AND ended_at < ?");
    st.bind(before).run();
}

// ---------------------------------------------------------------- audit
void audit_add(Transaction& tx, const AuditRecord& r)
{
    Statement st(tx, "INSERT INTO audit(time, user_id, fingerprint, source_address, event, result, detail)"
                     " VALUES(?, ?, ?, ?, ?, ?, ?)");
    st.bind(r.time).bind(r.user_id).bind(r.fingerprint).bind(r.source_address).bind(r.event).bind(r.result)
        .bind(r.detail).run();
}

static AuditRecord read_audit(Statement& st)
{
    AuditRecord r;
    r.id = st.integer(0);
    r.time = st.integer(1);
    r.user_id = st.text(2);
    r.fingerprint = st.text(3);
    r.source_address = st.text(4);
    r.event = st.text(5);
    r.result = st.text(6);
    r.detail = st.text(7);
    return r;
}

static const char* const kAuditColumns =
    "SELECT id, time, user_id, fingerprint, source_address, event, result, detail FROM audit";

std::vector<AuditRecord> audit_list(Transaction& tx, const std::string& user_id, int limit)
{
    Statement st(tx, std::string(kAuditColumns) + " WHERE ? = '' OR user_id = ? ORDER BY id DESC LIMIT ?");
    st.bind(user_id).bind(user_id).bind(int64_t{limit});
    std::vector<AuditRecord> out;
    while (st.step())
        out.push_back(read_audit(st));
    return out;
}

std::vector<AuditRecord> login_history(Transaction& tx, const std::string& user_id, int limit)
{
    Statement st(tx, std::string(kAuditColumns) + " WHERE user_id = ? AND event = 'login' ORDER BY id DESC LIMIT ?");
    st.bind(user_id).bind(int64_t{limit});
    std::vector<AuditRecord> out;
    while (st.step())
        out.push_back(read_audit(st));
    return out;
}

bool last_successful_login(Transaction& tx, const std::string& user_id, AuditRecord& out)
{
    Statement st(tx, std::string(kAuditColumns)
                         + " WHERE user_id = ? AND event = 'login' AND result = 'success' ORDER BY id DESC LIMIT 1");
    st.bind(user_id);
    if (!st.step())
        return false;
    out = read_audit(st);
    return true;
}
