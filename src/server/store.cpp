#include "server/store.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>

// ---------------------------------------------------------------- statements
static bool is_unavailable(int code)
{
    int primary = code & 0xff;
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_FULL || primary == SQLITE_IOERR
        || primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN || primary == SQLITE_NOMEM;
}

// SQLITE_BUSY_SNAPSHOT: a read transaction tried to write after another connection wrote.
static bool is_lost_race(int code)
{
    return code == SQLITE_BUSY_SNAPSHOT;
}

[[noreturn]] static void fail(sqlite3* db, int code, const char* what)
{
    std::string message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(code));
    throw StoreError(message, is_unavailable(code), (code & 0xff) == SQLITE_CONSTRAINT, is_lost_race(code));
}

// One prepared statement; binds by position (1-based) in the order of the calls.
struct Statement {
    sqlite3* db = nullptr;
    sqlite3_stmt* stmt = nullptr;
    int next_bind = 1;

    Statement(Transaction& tx, const char* sql) : db(tx.store.db)
    {
        int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
        if (rc != SQLITE_OK)
            fail(db, rc, "prepare");
    }
    ~Statement() { sqlite3_finalize(stmt); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int64_t v)
    {
        sqlite3_bind_int64(stmt, next_bind++, v);
        return *this;
    }
    Statement& bind(const std::string& v)
    {
        sqlite3_bind_text(stmt, next_bind++, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    // True while there is a row.
    bool step()
    {
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        fail(db, rc, "step");
    }
    void run()
    {
        while (step()) {
        }
    }
    // Rows the last run() changed.
    int changes() { return sqlite3_changes(db); }
    int64_t integer(int col) { return sqlite3_column_int64(stmt, col); }
    std::string text(int col)
    {
        const unsigned char* p = sqlite3_column_text(stmt, col);
        return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt, col)))
                 : std::string();
    }
};

static void exec(sqlite3* db, const char* sql)
{
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
        fail(db, rc, sql);
}

// ---------------------------------------------------------------- open
static const char* const kSchema = R"sql(
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
)sql";

void store_open(Store& store, const std::string& path, bool create, int busy_timeout_ms)
{
    if (!create && !std::filesystem::exists(path))
        throw StoreError("no database at " + path + " (run 'ibgate init' first)", false, false);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path.c_str(), &store.db, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = "cannot open database " + path + ": " + sqlite3_errstr(rc);
        sqlite3_close(store.db);
        store.db = nullptr;
        throw StoreError(message, is_unavailable(rc), false);
    }
    sqlite3_busy_timeout(store.db, busy_timeout_ms);
    sqlite3_extended_result_codes(store.db, 1);
    exec(store.db, "PRAGMA journal_mode=WAL");
    exec(store.db, "PRAGMA synchronous=FULL");
    exec(store.db, "PRAGMA foreign_keys=ON");
    Transaction tx(store);
    exec(store.db, kSchema);
    tx.commit();
}

void store_close(Store& store)
{
    if (store.db)
        sqlite3_close(store.db);
    store.db = nullptr;
}

Transaction::Transaction(Store& s, TxMode mode) : store(s), lock(s.mutex)
{
    exec(store.db, mode == TxMode::Write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
    open = true;
}

Transaction::~Transaction()
{
    if (open)
        sqlite3_exec(store.db, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit()
{
    int rc = sqlite3_exec(store.db, "COMMIT", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
        fail(store.db, rc, "commit");   // the destructor rolls back
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
    Statement st(tx, (std::string(kUserColumns) + " WHERE user_id = ?").c_str());
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
                     " locked_at = CASE WHEN failed_count + 1 >= ? THEN ? ELSE 0 END"
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
    Statement st(tx, (std::string(kUserColumns) + " ORDER BY user_id").c_str());
    std::vector<UserRecord> out;
    while (st.step())
        out.push_back(read_user(st));
    return out;
}

// ---------------------------------------------------------------- certificates
static const char* const kCertColumns =
    "SELECT fingerprint, user_id, serial, subject, not_before, not_after, issued_at, revoked_at FROM certificates";

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
    return c;
}

bool cert_find(Transaction& tx, const std::string& fingerprint, CertRecord& out)
{
    Statement st(tx, (std::string(kCertColumns) + " WHERE fingerprint = ?").c_str());
    st.bind(fingerprint);
    if (!st.step())
        return false;
    out = read_cert(st);
    return true;
}

bool cert_find_by_serial_or_fingerprint(Transaction& tx, const std::string& key, CertRecord& out)
{
    Statement st(tx, (std::string(kCertColumns) + " WHERE fingerprint = lower(?) OR serial = upper(?)").c_str());
    st.bind(key).bind(key);
    if (!st.step())
        return false;
    out = read_cert(st);
    return true;
}

void cert_insert(Transaction& tx, const CertRecord& c)
{
    Statement st(tx, "INSERT INTO certificates(fingerprint, user_id, serial, subject, not_before, not_after, issued_at,"
                     " revoked_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(c.fingerprint).bind(c.user_id).bind(c.serial).bind(c.subject).bind(c.not_before).bind(c.not_after)
        .bind(c.issued_at).bind(c.revoked_at).run();
}

std::vector<CertRecord> cert_list(Transaction& tx, const std::string& user_id)
{
    Statement st(tx, (std::string(kCertColumns) + " WHERE ? = '' OR user_id = ? ORDER BY user_id, issued_at").c_str());
    st.bind(user_id).bind(user_id);
    std::vector<CertRecord> out;
    while (st.step())
        out.push_back(read_cert(st));
    return out;
}

void serial_revoke(Transaction& tx, const std::string& serial, int64_t now, const std::string& reason)
{
    Statement add(tx, "INSERT OR IGNORE INTO revoked_serials(serial, revoked_at, reason) VALUES(upper(?), ?, ?)");
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
    Statement st(tx, (std::string(kSessionColumns) + " WHERE digest = ?").c_str());
    st.bind(digest);
    if (!st.step())
        return false;
    out = read_session(st);
    return true;
}

bool session_find_active(Transaction& tx, const std::string& user_id, SessionRecord& out)
{
    Statement st(tx, (std::string(kSessionColumns) + " WHERE user_id = ? AND ended_at = 0").c_str());
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
    Statement st(tx, "UPDATE sessions SET last_seen = max(last_seen, ?) WHERE digest = ?");
    st.bind(now).bind(digest).run();
}

bool session_end(Transaction& tx, const std::string& digest, int64_t now, const std::string& reason)
{
    Statement st(tx, "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE digest = ? AND ended_at = 0");
    st.bind(now > 0 ? now : 1).bind(reason).bind(digest).run();
    return st.changes() == 1;
}

std::vector<SessionRecord> sessions_active(Transaction& tx)
{
    Statement st(tx, (std::string(kSessionColumns) + " WHERE ended_at = 0 ORDER BY login_time").c_str());
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
    Statement st(tx, (std::string(kAuditColumns) + " WHERE ? = '' OR user_id = ? ORDER BY id DESC LIMIT ?").c_str());
    st.bind(user_id).bind(user_id).bind(int64_t{limit});
    std::vector<AuditRecord> out;
    while (st.step())
        out.push_back(read_audit(st));
    return out;
}

std::vector<AuditRecord> login_history(Transaction& tx, const std::string& user_id, int limit)
{
    Statement st(tx, (std::string(kAuditColumns) + " WHERE user_id = ? AND event = 'login' ORDER BY id DESC LIMIT ?").c_str());
    st.bind(user_id).bind(int64_t{limit});
    std::vector<AuditRecord> out;
    while (st.step())
        out.push_back(read_audit(st));
    return out;
}

bool last_successful_login(Transaction& tx, const std::string& user_id, AuditRecord& out)
{
    Statement st(tx, (std::string(kAuditColumns)
                      + " WHERE user_id = ? AND event = 'login' AND result = 'success' ORDER BY id DESC LIMIT 1").c_str());
    st.bind(user_id);
    if (!st.step())
        return false;
    out = read_audit(st);
    return true;
}
