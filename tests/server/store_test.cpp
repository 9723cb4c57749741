// The store seam: database URLs, which database a command uses, schema versions, and `db copy`
// (SQLite to SQLite always; to and from PostgreSQL when $IBGATE_TEST_PG names a server).
#include "harness.h"

#include "server/database_url.h"
#include "server/store_driver.h"

#include <catch_amalgamated.hpp>
#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <sys/wait.h>

namespace fs = std::filesystem;

static const std::string kPassword = "correct horse 7";

TEST_CASE("database URLs are parsed and their passwords never shown")
{
    struct Row {
        std::string text;
        bool ok;
        DatabaseBackend backend;
        std::string target;     // sqlite_path or conninfo
        std::string redacted;
    };
    const Row rows[] = {
        {"/var/lib/ibgate/ibgate.db", true, DatabaseBackend::Sqlite, "/var/lib/ibgate/ibgate.db", "sqlite:/var/lib/ibgate/ibgate.db"},
        {"var/ibgate/ibgate.db", true, DatabaseBackend::Sqlite, "var/ibgate/ibgate.db", "sqlite:var/ibgate/ibgate.db"},
        {"sqlite:var/x.db", true, DatabaseBackend::Sqlite, "var/x.db", "sqlite:var/x.db"},
        {"sqlite:/abs/x.db", true, DatabaseBackend::Sqlite, "/abs/x.db", "sqlite:/abs/x.db"},
        {"sqlite:///abs/x.db", true, DatabaseBackend::Sqlite, "/abs/x.db", "sqlite:/abs/x.db"},
        {"SQLite:x.db", true, DatabaseBackend::Sqlite, "x.db", "sqlite:x.db"},
        {"dir:with-colon/x.db", true, DatabaseBackend::Sqlite, "dir:with-colon/x.db", "sqlite:dir:with-colon/x.db"},
        {"sqlite:", false, DatabaseBackend::Sqlite, "", ""},
        {"sqlite://host/x.db", false, DatabaseBackend::Sqlite, "", ""},
        {"", false, DatabaseBackend::Sqlite, "", ""},
        {"x.db\n", false, DatabaseBackend::Sqlite, "", ""},
        {"postgresql://ibgate@db.example:5432/ibgate", true, DatabaseBackend::Postgres,
         "postgresql://ibgate@db.example:5432/ibgate", "postgresql://ibgate@db.example:5432/ibgate"},
        {"postgresql://ibgate:s3cr%40t@db.example/ibgate", true, DatabaseBackend::Postgres,
         "postgresql://ibgate:s3cr%40t@db.example/ibgate", "postgresql://ibgate:***@db.example/ibgate"},
        {"postgres://u:p@h/d?sslmode=verify-full&password=other", true, DatabaseBackend::Postgres,
         "postgres://u:p@h/d?sslmode=verify-full&password=other", "postgres://u:***@h/d?sslmode=verify-full&password=***"},
        {"postgresql:///ibgate?host=/run/postgresql&password=pw", true, DatabaseBackend::Postgres,
         "postgresql:///ibgate?host=/run/postgresql&password=pw", "postgresql:///ibgate?host=/run/postgresql&password=***"},
        {"postgresql://user:pass@", true, DatabaseBackend::Postgres, "postgresql://user:pass@", "postgresql://user:***@"},
        {"postgresql:ibgate", false, DatabaseBackend::Postgres, "", ""},
        {"postgresql://u:pw@h/d with space", false, DatabaseBackend::Postgres, "", ""},
        {"mysql://u:pw@h/d", false, DatabaseBackend::Sqlite, "", ""},
    };
    for (const Row& row : rows) {
        INFO(row.text);
        DatabaseUrl url;
        std::string error;
        bool ok = parse_database_url(row.text, url, error);
        CHECK(ok == row.ok);
        if (!ok) {
            CHECK_FALSE(error.empty());
            CHECK(error.find("pw") == std::string::npos);
            continue;
        }
        CHECK(url.backend == row.backend);
        CHECK((row.backend == DatabaseBackend::Sqlite ? url.sqlite_path : url.conninfo) == row.target);
        CHECK(url.redacted == row.redacted);
    }
}

TEST_CASE("the database flag beats the environment, which beats the data directory's record")
{
    struct Row {
        std::string flag, env, recorded, expected;
    };
    const Row rows[] = {
        {"", "", "", "/d/ibgate.db"},
        {"", "", "postgresql:///rec", "postgresql:///rec"},
        {"", "sqlite:/env.db", "postgresql:///rec", "sqlite:/env.db"},
        {"postgresql:///flag", "sqlite:/env.db", "postgresql:///rec", "postgresql:///flag"},
        {"postgresql:///flag", "", "", "postgresql:///flag"},
    };
    for (const Row& row : rows)
        CHECK(choose_database(row.flag, row.env, row.recorded, "/d") == row.expected);
}

TEST_CASE("database failures are classified: unavailable (503), lost race (run again), constraint")
{
    struct Row {
        std::string sqlstate;
        bool connection_ok;
        bool unavailable, constraint, retry, lost;
    };
    const Row pg[] = {
        {"40001", true, true, false, true, false},    // serialization_failure
        {"40P01", true, true, false, true, false},    // deadlock_detected
        {"23505", true, false, true, false, false},   // unique_violation
        {"23503", true, false, true, false, false},   // foreign_key_violation
        {"57P01", false, true, false, false, true},   // admin_shutdown
        {"57P03", true, true, false, false, true},    // cannot_connect_now
        {"08006", false, true, false, false, true},   // connection_failure
        {"", false, true, false, false, true},        // libpq: server closed the connection
        {"", true, true, false, false, true},
        {"53100", true, true, false, false, false},   // disk_full
        {"53300", true, true, false, false, false},   // too_many_connections
        {"55P03", true, true, false, false, false},   // lock_not_available (lock_timeout)
        {"57014", true, true, false, false, false},   // query_canceled
        {"42P01", true, false, false, false, false},  // undefined_table: a bug, 500
        {"22P02", true, false, false, false, false},  // invalid_text_representation
    };
    for (const Row& row : pg) {
        INFO("SQLSTATE " << row.sqlstate << (row.connection_ok ? "" : ", connection down"));
        StoreFailure f = postgres_failure(row.sqlstate, row.connection_ok);
        CHECK(f.unavailable == row.unavailable);
        CHECK(f.constraint == row.constraint);
        CHECK(f.retry == row.retry);
        CHECK(f.lost == row.lost);
    }

    struct SqliteRow {
        int code;
        bool read_transaction;
        bool unavailable, constraint, retry;
    };
    const SqliteRow lite[] = {
        {SQLITE_BUSY, false, true, false, false},          // BEGIN IMMEDIATE timed out: 503
        {SQLITE_BUSY, true, true, false, true},            // a read cannot start writing: again as Write
        {SQLITE_BUSY_SNAPSHOT, true, true, false, true},
        {SQLITE_BUSY_SNAPSHOT, false, true, false, true},
        {SQLITE_LOCKED, false, true, false, false},
        {SQLITE_FULL, false, true, false, false},
        {SQLITE_IOERR_WRITE, false, true, false, false},
        {SQLITE_READONLY, false, true, false, false},
        {SQLITE_CONSTRAINT_UNIQUE, false, false, true, false},
        {SQLITE_CONSTRAINT_FOREIGNKEY, true, false, true, false},
        {SQLITE_ERROR, false, false, false, false},
        {SQLITE_CORRUPT, false, false, false, false},
    };
    for (const SqliteRow& row : lite) {
        INFO("SQLite code " << row.code << (row.read_transaction ? " in a read" : ""));
        StoreFailure f = sqlite_failure(row.code, row.read_transaction);
        CHECK(f.unavailable == row.unavailable);
        CHECK(f.constraint == row.constraint);
        CHECK(f.retry == row.retry);
        CHECK_FALSE(f.lost);
    }
}

// A data directory made by operator_init, removed afterwards.
struct ScratchDir {
    fs::path dir;
    ScratchDir()
    {
        REQUIRE(secrets_init());
        char name[64];
        std::snprintf(name, sizeof(name), "ibgate-store-%08x%08x", randombytes_random(), randombytes_random());
        dir = fs::temp_directory_path() / name;
    }
    ~ScratchDir()
    {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    std::string data() const { return (dir / "data").string(); }
};

static void init_dir(const ScratchDir& scratch, const std::string& database = "")
{
    InitOptions init;
    init.hash_cost = HashCost::Test;
    init.database = database;
    operator_init(scratch.data(), init, 1700000000);
}

static void sqlite_run(const std::string& path, const char* sql)
{
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
}

static std::string open_error(const std::string& database)
{
    Store store;
    try {
        store_open(store, database, false);
    } catch (const StoreError& e) {
        return e.what();
    }
    return std::string();
}

TEST_CASE("a schema newer than the binary knows is refused, naming both versions")
{
    ScratchDir scratch;
    init_dir(scratch);
    const std::string db = data_paths(scratch.data()).database;
    {
        Store store;
        store_open(store, db, false);
        CHECK(store_schema_version(store) == kStoreSchemaVersion);
    }
    sqlite_run(db, "UPDATE schema_version SET version = 99");
    std::string error = open_error(db);
    CHECK(error.find("schema version 99") != std::string::npos);
    CHECK(error.find("version " + std::to_string(kStoreSchemaVersion) + ")") != std::string::npos);
    CHECK_THROWS_WITH(operator_db_migrate(db), Catch::Matchers::ContainsSubstring("newer than this ibgate knows"));
    CHECK_THROWS_AS(operator_db_copy(db, (scratch.dir / "copy.db").string()), StoreError);
}

TEST_CASE("a database without a schema is refused until migrated; one from before versions counts as version 1")
{
    ScratchDir scratch;
    fs::create_directories(scratch.dir);
    const std::string empty = (scratch.dir / "empty.db").string();
    sqlite_run(empty, "CREATE TABLE unrelated(x INTEGER)");
    CHECK(open_error(empty).find("no ibgate schema") != std::string::npos);
    MigrationResult m = operator_db_migrate(empty);
    CHECK(m.from == 0);
    CHECK(m.to == kStoreSchemaVersion);
    CHECK(open_error(empty).empty());
    CHECK(operator_db_migrate(empty).from == kStoreSchemaVersion);

    // A database from before versions were recorded has version 1's tables only.
    init_dir(scratch);
    const std::string db = data_paths(scratch.data()).database;
    sqlite_run(db, "DROP TABLE schema_version");
    sqlite_run(db, "DROP TABLE enrollment_codes");
    sqlite_run(db, "ALTER TABLE certificates DROP COLUMN replaces");
    CHECK(open_error(db).find("db migrate") != std::string::npos);
    m = operator_db_migrate(db);
    CHECK(m.from == 1);
    CHECK(m.to == kStoreSchemaVersion);
    Store store;
    store_open(store, db, false);
    CHECK(store_schema_version(store) == kStoreSchemaVersion);
}

TEST_CASE("init records a given database URL in the data directory, readable only by its owner")
{
    ScratchDir scratch;
    fs::create_directories(scratch.dir);
    const std::string db = (scratch.dir / "elsewhere.db").string();
    init_dir(scratch, "sqlite:" + db);
    CHECK(read_database_record(scratch.data()) == "sqlite:" + db);
    CHECK(data_paths(scratch.data()).database == "sqlite:" + db);
    const fs::perms mode = fs::status(database_record_path(scratch.data())).permissions() & fs::perms::all;
    CHECK(mode == (fs::perms::owner_read | fs::perms::owner_write));
    CHECK_FALSE(fs::exists(fs::path(scratch.data()) / "ibgate.db"));
    CHECK_THROWS_WITH(init_dir(scratch), Catch::Matchers::ContainsSubstring("already initialised"));
    Store store;
    store_open(store, data_paths(scratch.data()).database, false);
    CHECK(load_settings(store).institution_code == "1234");
}

TEST_CASE("transactions of one store run side by side; a read that cannot start writing is retried")
{
    ScratchDir scratch;
    init_dir(scratch);
    Store store;
    StoreOptions options;
    options.connections = 3;
    options.busy_timeout_ms = 200;
    store_open(store, data_paths(scratch.data()).database, options);

    // No lock of the process: two readers and a writer are open at once (one thread).
    {
        Transaction first(store, TxMode::Read);
        Transaction second(store, TxMode::Read);
        Transaction writer(store, TxMode::Write);
        CHECK(setting_get(first, "institution_code", "") == "1234");
        setting_set(writer, "note", "written");
        CHECK(setting_get(second, "institution_code", "") == "1234");
        CHECK(setting_get(second, "note", "none") == "none");   // not committed yet
        writer.commit();
        // A fourth transaction waits for a free connection, up to the busy timeout.
        CHECK_THROWS_WITH(Transaction(store, TxMode::Read), Catch::Matchers::ContainsSubstring("connections"));
    }

    SECTION("another connection holds the write lock")
    {
        Transaction reader(store, TxMode::Read);
        CHECK(setting_get(reader, "note", "") == "written");
        Transaction writer(store, TxMode::Write);
        setting_set(writer, "note", "second");
        try {
            setting_set(reader, "note", "third");
            FAIL("a read transaction wrote beside a writer");
        } catch (const StoreError& e) {
            CHECK(e.retry);
            CHECK(e.unavailable);
        }
    }
    SECTION("another connection wrote since the read began")
    {
        Transaction reader(store, TxMode::Read);
        CHECK(setting_get(reader, "note", "") == "written");
        {
            Transaction writer(store, TxMode::Write);
            setting_set(writer, "note", "second");
            writer.commit();
        }
        try {
            setting_set(reader, "note", "third");
            FAIL("a read transaction wrote over a newer snapshot");
        } catch (const StoreError& e) {
            CHECK(e.retry);
        }
    }
    SECTION("store_transact runs a lost read again as a write")
    {
        int attempts = 0;
        store_transact(store, TxMode::Read, [&](Transaction& tx) {
            attempts++;
            CHECK(setting_get(tx, "note", "") == (attempts == 1 ? "written" : "second"));
            if (attempts == 1) {
                Transaction writer(store, TxMode::Write);
                setting_set(writer, "note", "second");
                writer.commit();
            }
            setting_set(tx, "note", "third");
        });
        CHECK(attempts == 2);
        Transaction tx(store, TxMode::Read);
        CHECK(setting_get(tx, "note", "") == "third");
    }
    // Statements are prepared once per connection and reused: the same text runs again and again.
    for (int i = 0; i < 100; i++) {
        Transaction tx(store, TxMode::Read);
        CHECK(setting_get(tx, "institution_code", "") == "1234");
        tx.commit();
    }
}

// ---------------------------------------------------------------- db copy
// Every table of the store, every row, rows sorted (collations may order keys differently).
using Dump = std::vector<std::vector<std::vector<std::string>>>;
static Dump dump(const std::string& database)
{
    Store store;
    store_open(store, database, false);
    Dump out;
    for (const std::string& table : store_tables()) {
        auto rows = store_table_rows(store, table);
        std::sort(rows.begin(), rows.end());
        out.push_back(rows);
    }
    return out;
}

// A database that has seen everything: users (one locked), certificates (one revoked),
// tickets, an active and an ended session, the audit log of it all.
static void fill(TestServer& ts)
{
    ClientCert yamada = add_user(ts, "yamada01", kPassword);
    ClientCert suzuki = add_user(ts, "suzuki02", kPassword, api::Role::Administrator);
    ClientCert tanaka = add_user(ts, "tanaka03", kPassword);
    login_ok(ts, yamada, kPassword);
    Session s = login_ok(ts, suzuki, kPassword);
    REQUIRE(session_post(ts, &suzuki, s, "/api/v1/logout").status == 200);
    for (int i = 0; i < ts.options.api.max_failures; i++)
        login(ts, tanaka, identify_ticket(ts, tanaka), "wrong password");
    ClientCert spare = add_cert(ts, "yamada01");
    operator_cert_revoke(ts.store, ts.paths, spare.serial, "key lost", ts.now);
    operator_enroll(ts.store, "tanaka03", kEnrollmentCodeDays, ts.now);
}

static int64_t largest_audit_id(const Dump& d)
{
    int64_t largest = 0;
    for (const auto& row : d.back())   // audit is the last table
        largest = std::max<int64_t>(largest, std::stoll(row[0]));
    return largest;
}

// Appends one audit record to `store`; the id the store gave it.
static int64_t append_audit(Store& store, int64_t now)
{
    Transaction tx(store);
    AuditRecord r;
    r.time = now;
    r.event = "operator";
    r.result = "test";
    audit_add(tx, r);
    std::vector<AuditRecord> newest = audit_list(tx, "", 1);
    tx.commit();
    REQUIRE(newest.size() == 1);
    return newest[0].id;
}

static void check_counts(const std::vector<TableCount>& copied, const Dump& expected)
{
    REQUIRE(copied.size() == expected.size());
    for (size_t i = 0; i < copied.size(); i++) {
        INFO(copied[i].table);
        CHECK(copied[i].rows == static_cast<int64_t>(expected[i].size()));
        CHECK(copied[i].rows > 0);
    }
}

TEST_CASE("db copy preserves every row, SQLite to SQLite, and refuses a target that holds rows")
{
    TestServer ts;
    fill(ts);
    const Dump original = dump(ts.paths.database);
    const std::string target = "sqlite:" + (ts.dir / "copy.db").string();
    std::vector<TableCount> copied = operator_db_copy(ts.paths.database, target);
    check_counts(copied, original);
    CHECK(dump(target) == original);

    // The copy is a working store: the next audit id follows the copied ones.
    {
        Store store;
        store_open(store, target, false);
        CHECK(append_audit(store, ts.now) == largest_audit_id(original) + 1);
    }
    CHECK_THROWS_WITH(operator_db_copy(ts.paths.database, target), Catch::Matchers::ContainsSubstring("is not empty"));
    CHECK_THROWS_WITH(operator_db_copy(ts.paths.database, ts.paths.database),
                      Catch::Matchers::ContainsSubstring("same database"));
}

// A new, empty database on the server $IBGATE_TEST_PG names, dropped again at the end.
struct PgScratchDatabase {
    std::string server;
    std::string name;
    std::string url;
    explicit PgScratchDatabase(const std::string& server_url) : server(server_url)
    {
        char text[40];
        std::snprintf(text, sizeof(text), "ibgate_copy_%08x", randombytes_random());
        name = text;
        run("CREATE DATABASE " + name);
        url = server + (server.find('?') == std::string::npos ? "?" : "&") + "dbname=" + name;
    }
    ~PgScratchDatabase() { run("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); }
    void run(const std::string& sql) const
    {
        PGconn* conn = PQconnectdb(server.c_str());
        PGresult* result = PQexec(conn, sql.c_str());
        bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
        std::string message = PQerrorMessage(conn);
        PQclear(result);
        PQfinish(conn);
        if (!ok)
            FAIL_CHECK(sql << ": " << message);
    }
};

TEST_CASE("db copy preserves every row, SQLite to PostgreSQL and back")
{
    const char* server = std::getenv("IBGATE_TEST_PG");
    if (!server || !*server)
        SKIP("IBGATE_TEST_PG (a PostgreSQL server URL) is not set");
    TestServer ts;
    fill(ts);
    const Dump original = dump(ts.paths.database);
    PgScratchDatabase pg(server);
    check_counts(operator_db_copy(ts.paths.database, pg.url), original);
    CHECK(dump(pg.url) == original);
    const std::string back = "sqlite:" + (ts.dir / "back.db").string();
    check_counts(operator_db_copy(pg.url, back), original);
    CHECK(dump(back) == original);
    CHECK_THROWS_WITH(operator_db_copy(back, pg.url), Catch::Matchers::ContainsSubstring("is not empty"));

    // The copy is a working store: its records read back as the original's.
    Store store;
    store_open(store, pg.url, false);
    {
        Transaction tx(store);
        UserRecord u;
        CHECK(user_find(tx, "yamada01", u));
        tx.commit();
        Transaction source(ts.store);
        UserRecord original_user;
        REQUIRE(user_find(source, "yamada01", original_user));
        CHECK(u.password_hash == original_user.password_hash);
        CHECK(u.company == original_user.company);
        CHECK(append_audit(store, ts.now) == largest_audit_id(original) + 1);   // the identity follows the copied ids
    }
}

// ---------------------------------------------------------------- the command line
// `ibgate --dir <dir>/data ARGS` with `input` on standard input: exit status and all output.
static std::pair<int, std::string> ibgate(const ScratchDir& scratch, const std::string& args,
                                          const std::string& input = "")
{
    const fs::path in = scratch.dir / "stdin.txt";
    std::ofstream(in, std::ios::binary) << input;
    const std::string cmd = std::string(IBGATE_BINARY) + " --dir '" + scratch.data() + "' " + args + " < '"
        + in.string() + "' 2>&1";
    FILE* pipe = popen(cmd.c_str(), "r");
    REQUIRE(pipe);
    std::string output;
    char buf[4096];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0)
        output.append(buf, n);
    int status = pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST_CASE("the command line: --database after the command, the recorded URL, db migrate and db copy")
{
    ScratchDir scratch;
    fs::create_directories(scratch.dir);
    const std::string elsewhere = "sqlite:" + (scratch.dir / "elsewhere.db").string();
    auto [status, out] = ibgate(scratch, "init --hash-cost test --database '" + elsewhere + "'");
    REQUIRE(status == 0);
    CHECK(out.find("recorded in") != std::string::npos);
    CHECK(read_database_record(scratch.data()) == elsewhere);
    std::tie(status, out) = ibgate(scratch, "user add yamada01 --name N --company C --password-stdin",
                                   kPassword + "\n");
    REQUIRE(status == 0);

    std::tie(status, out) = ibgate(scratch, "db migrate");
    CHECK(status == 0);
    CHECK(out.find("nothing to do") != std::string::npos);

    const std::string copy = "sqlite:" + (scratch.dir / "copy.db").string();
    std::tie(status, out) = ibgate(scratch, "db copy --to '" + copy + "'");
    REQUIRE(status == 0);
    CHECK(out.find("users            1 rows") != std::string::npos);
    std::tie(status, out) = ibgate(scratch, "user list --database '" + copy + "'");
    CHECK(status == 0);
    CHECK(out.find("yamada01") != std::string::npos);

    // A URL's password appears nowhere, also when the server cannot be reached.
    std::tie(status, out) = ibgate(scratch, "--database 'postgresql://ibgate:hunter2secret@127.0.0.1:1/ibgate' user list");
    CHECK(status == 1);
    CHECK(out.find("ibgate:***@127.0.0.1:1") != std::string::npos);
    CHECK(out.find("hunter2secret") == std::string::npos);
}
