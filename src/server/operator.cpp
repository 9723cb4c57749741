#include "server/operator.h"

#include "server/cert_check.h"
#include "server/rules.h"
#include "server/database_url.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

constexpr int64_t kDay = 24 * 3600;
constexpr int64_t kCrlLifetime = kCrlLifetimeDays * kDay;

DataPaths data_paths(const std::string& dir)
{
    DataPaths p;
    p.dir = dir;
    p.database = choose_database("", "", read_database_record(dir), dir);
    p.ca_cert = (fs::path(dir) / "pki" / "ca.pem").string();
    p.ca_key = (fs::path(dir) / "pki" / "ca.key").string();
    p.server_ca_cert = (fs::path(dir) / "pki" / "server-ca.pem").string();
    p.server_ca_key = (fs::path(dir) / "pki" / "server-ca.key").string();
    p.server_ca_crl = (fs::path(dir) / "pki" / "server-ca.crl").string();
    p.server_cert = (fs::path(dir) / "pki" / "server.pem").string();
    p.server_key = (fs::path(dir) / "pki" / "server.key").string();
    p.crl = (fs::path(dir) / "pki" / "crl.pem").string();
    p.issued_dir = (fs::path(dir) / "certs").string();
    return p;
}

std::string choose_database(const std::string& flag, const std::string& env, const std::string& recorded,
                            const std::string& dir)
{
    if (!flag.empty())
        return flag;
    if (!env.empty())
        return env;
    if (!recorded.empty())
        return recorded;
    return (fs::path(dir) / "ibgate.db").string();
}

std::string database_record_path(const std::string& dir)
{
    return (fs::path(dir) / "database").string();
}

constexpr size_t kDatabaseRecordMax = 4096;

std::string read_database_record(const std::string& dir)
{
    const std::string path = database_record_path(dir);
    std::error_code ec;
    if (!fs::exists(path, ec))
        return std::string();
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::string text(kDatabaseRecordMax + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    if (text.size() > kDatabaseRecordMax)
        throw std::runtime_error(path + " is longer than a database URL may be");
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.pop_back();
    size_t start = 0;
    while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start])))
        start++;
    text = text.substr(start);
    if (text.empty())
        throw std::runtime_error(path + " is empty (it names the database: sqlite:PATH or postgresql://...)");
    return text;
}

// Written once by init, readable only by the owner (the URL may hold a password).
static void write_database_record(const std::string& dir, const std::string& url)
{
    const std::string path = database_record_path(dir);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
    std::string text = url + "\n";
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ok = ::close(fd) == 0 && ok;
    if (!ok)
        throw std::runtime_error("cannot write " + path);
}

// A relative SQLite path is made absolute, so the recorded URL works from any directory.
static std::string recordable_url(const std::string& database)
{
    DatabaseUrl url;
    std::string error;
    if (!parse_database_url(database, url, error))
        throw std::runtime_error(error);
    if (url.backend == DatabaseBackend::Sqlite)
        return "sqlite:" + fs::absolute(url.sqlite_path).lexically_normal().string();
    return database;
}

static void audit_operator(Transaction& tx, int64_t now, const std::string& user_id, const std::string& fingerprint,
                           const std::string& action, const std::string& detail = std::string())
{
    AuditRecord r;
    r.time = now;
    r.user_id = user_id;
    r.fingerprint = fingerprint;
    r.source_address = "operator";
    r.event = audit_event_name(AuditEvent::Operator);
    r.result = action;
    r.detail = detail;
    audit_add(tx, r);
}

// A CA certificate spec of the development PKI, valid ten years.
static CertSpec dev_ca_spec(const std::string& common_name, const std::string& organization, int64_t now)
{
    CertSpec spec;
    spec.kind = CertKind::Ca;
    spec.common_name = common_name;
    spec.organization = organization;
    spec.not_before = now - kDay;
    spec.not_after = now + 10 * 365 * kDay;
    return spec;
}

// file:///... of `path`, percent-encoded (a CRL distribution point is a URI).
static std::string file_url(const std::string& path)
{
    static const char kHex[] = "0123456789ABCDEF";
    std::string out = "file://";
    for (unsigned char ch : fs::absolute(path).lexically_normal().string()) {
        bool plain = std::isalnum(ch) || ch == '/' || ch == '-' || ch == '.' || ch == '_' || ch == '~';
        if (plain) {
            out += static_cast<char>(ch);
        } else {
            out += '%';
            out += kHex[ch >> 4];
            out += kHex[ch & 15];
        }
    }
    return out;
}

void operator_server_cert(const DataPaths& paths, const InitOptions& options, int64_t now)
{
    CertPtr server_ca;
    KeyPtr server_ca_key;
    if (fs::exists(paths.server_ca_cert)) {
        server_ca = pki_read_cert(paths.server_ca_cert);
        server_ca_key = pki_read_key(paths.server_ca_key);
    } else {
        server_ca_key = pki_new_key();
        server_ca = pki_make_cert(dev_ca_spec(options.institution_name + " Server CA (development)",
                                              options.institution_name, now),
                                  server_ca_key.get(), nullptr, nullptr);
        pki_write_key(paths.server_ca_key, server_ca_key.get());
        pki_write_cert(paths.server_ca_cert, server_ca.get());
    }

    KeyPtr server_key = pki_new_key();
    CertSpec spec;
    spec.kind = CertKind::Server;
    spec.common_name = options.server_names.empty() ? "localhost" : options.server_names[0];
    spec.organization = options.institution_name;
    spec.not_before = now - kDay;
    spec.not_after = now + 397 * kDay;   // the longest browsers accept
    spec.dns_names = options.server_names;
    spec.ip_addresses = options.server_ips;
    // Revocation information, as every publicly trusted certificate has: the development server
    // CA's CRL lies next to it (an operator's own server certificate names its CA's URL).
    // Nothing is ever revoked, so the CRL lasts as long as the certificate.
    spec.crl_url = file_url(paths.server_ca_crl);
    CrlPtr crl = pki_make_crl(server_ca.get(), server_ca_key.get(), {}, now, spec.not_after);
    pki_write_text(paths.server_ca_crl, pki_crl_der(crl.get()), false);
    CertPtr server = pki_make_cert(spec, server_key.get(), server_ca.get(), server_ca_key.get());
    pki_write_key(paths.server_key, server_key.get());
    pki_write_cert(paths.server_cert, server.get());   // the chain served: no root
}

void operator_check_server_pki(const DataPaths& paths)
{
    if (!fs::exists(paths.server_ca_cert))
        throw std::runtime_error(paths.dir + " was made before the server CA was split from the client CA (no "
                                 + paths.server_ca_cert
                                 + "): run 'ibgate server-cert' once to make a server CA and a new server certificate;"
                                   " users, customer certificates and the CRL are kept");
}

void operator_init(const std::string& dir, const InitOptions& options, int64_t now)
{
    if (!api::is_institution_code(options.institution_code))
        throw std::runtime_error("the institution code must be 4 digits");
    DataPaths paths = data_paths(dir);
    const std::string default_database = choose_database("", "", "", dir);
    for (const std::string& made : {default_database, database_record_path(dir), paths.ca_cert}) {
        if (fs::exists(made))
            throw std::runtime_error(dir + " is already initialised (" + made + " exists)");
    }
    const std::string recorded = options.database.empty() ? std::string() : recordable_url(options.database);
    if (!recorded.empty())
        paths.database = recorded;
    fs::create_directories(fs::path(paths.ca_cert).parent_path());
    fs::create_directories(paths.issued_dir);
    fs::permissions(dir, fs::perms::owner_all);

    // The database first: a shared one that already serves an institution is refused before
    // anything else is made.
    Store store;
    store_open(store, paths.database, true);
    {
        Transaction tx(store);
        std::string existing = setting_get(tx, "institution_code", "");
        if (!existing.empty())
            throw std::runtime_error(store_description(store) + " already holds institution " + existing
                                     + ": initialise with an empty database");
        tx.commit();
    }

    KeyPtr ca_key = pki_new_key();
    CertPtr ca = pki_make_cert(dev_ca_spec(options.institution_name + " Client CA (development)", options.institution_name, now),
                               ca_key.get(), nullptr, nullptr);
    pki_write_key(paths.ca_key, ca_key.get());
    pki_write_cert(paths.ca_cert, ca.get());
    operator_server_cert(paths, options, now);
    CrlPtr crl = pki_make_crl(ca.get(), ca_key.get(), {}, now, now + kCrlLifetime);
    pki_write_crl(paths.crl, crl.get());

    {
        Transaction tx(store);
        setting_set(tx, "institution_code", options.institution_code);
        setting_set(tx, "institution_name", options.institution_name);
        setting_set(tx, "hash_cost", hash_cost_name(options.hash_cost));
        audit_operator(tx, now, "", "", "init", "institution " + options.institution_code);
        tx.commit();
    }
    store_close(store);
    if (!recorded.empty())
        write_database_record(dir, recorded);
}

Settings load_settings(Store& store)
{
    Transaction tx(store);
    Settings s;
    s.institution_code = setting_get(tx, "institution_code", "");
    s.institution_name = setting_get(tx, "institution_name", "");
    if (!hash_cost_from_name(setting_get(tx, "hash_cost", "moderate"), s.hash_cost))
        s.hash_cost = HashCost::Moderate;
    tx.commit();
    if (!api::is_institution_code(s.institution_code))
        throw std::runtime_error("the database has no institution code (was it made by 'ibgate init'?)");
    return s;
}

static HashCost stored_cost(Store& store)
{
    return load_settings(store).hash_cost;
}

void operator_user_add(Store& store, const UserRecord& user, std::string_view password, int64_t now)
{
    if (!is_valid_user_id(user.user_id))
        throw std::runtime_error("a user ID is 1-32 of A-Z a-z 0-9 . _ -");
    if (user.name.empty() || user.company.empty())
        throw std::runtime_error("a user needs a name and a company name");
    std::string hash = password_hash(password, stored_cost(store));
    if (hash.empty())
        throw std::runtime_error("cannot hash the password (out of memory)");
    Transaction tx(store);
    UserRecord existing;
    if (user_find(tx, user.user_id, existing))
        throw std::runtime_error("user " + user.user_id + " already exists");
    UserRecord u = user;
    u.password_hash = hash;
    u.failed_count = 0;
    u.locked_at = 0;
    u.created_at = now;
    user_insert(tx, u);
    audit_operator(tx, now, u.user_id, "", "user_add", api::role_name(u.role));
    tx.commit();
}

void operator_user_passwd(Store& store, const std::string& user_id, std::string_view password, int64_t now)
{
    std::string hash = password_hash(password, stored_cost(store));
    if (hash.empty())
        throw std::runtime_error("cannot hash the password (out of memory)");
    Transaction tx(store);
    UserRecord u;
    if (!user_find(tx, user_id, u))
        throw std::runtime_error("no user " + user_id);
    user_set_password(tx, user_id, hash);
    audit_operator(tx, now, user_id, "", "user_passwd");
    tx.commit();
}

void operator_user_unlock(Store& store, const std::string& user_id, int64_t now)
{
    Transaction tx(store);
    UserRecord u;
    if (!user_find(tx, user_id, u))
        throw std::runtime_error("no user " + user_id);
    user_set_failures(tx, user_id, 0, 0);
    audit_operator(tx, now, user_id, "", "user_unlock",
                   u.locked_at ? "was locked" : "failures reset from " + std::to_string(u.failed_count));
    tx.commit();
}

bool operator_session_end(Store& store, const std::string& user_id, int64_t now)
{
    Transaction tx(store);
    SessionRecord s;
    if (!session_find_active(tx, user_id, s))
        return false;
    session_end(tx, s.digest, now, session_end_reason_name(SessionEndReason::EndedByOperator));
    audit_operator(tx, now, user_id, s.fingerprint, "session_end", "session from " + s.source_address);
    tx.commit();
    return true;
}

CertRecord operator_register_cert(Store& store, X509* cert, const std::string& user_id, int64_t now)
{
    Transaction tx(store);
    UserRecord u;
    if (!user_find(tx, user_id, u))
        throw std::runtime_error("no user " + user_id);
    CertRecord c = pki_cert_record(cert, user_id, now);
    cert_insert(tx, c);
    audit_operator(tx, now, user_id, c.fingerprint, "cert_register", "serial " + c.serial);
    tx.commit();
    return c;
}

IssuedCert operator_cert_issue(Store& store, const DataPaths& paths, const std::string& user_id, int days,
                               const std::string& out_dir, int64_t now)
{
    if (days < 1 || days > 825)
        throw std::runtime_error("a certificate is valid 1 to 825 days");
    Settings settings = load_settings(store);
    UserRecord user;
    {
        Transaction tx(store);
        if (!user_find(tx, user_id, user))
            throw std::runtime_error("no user " + user_id);
        tx.commit();
    }
    CertPtr ca = pki_read_cert(paths.ca_cert);
    KeyPtr ca_key = pki_read_key(paths.ca_key);
    KeyPtr key = pki_new_key();
    CertSpec spec = pki_customer_spec(user.user_id, settings.institution_code, user.company, now, days);
    CertPtr cert = pki_make_cert(spec, key.get(), ca.get(), ca_key.get());

    IssuedCert out;
    out.record = operator_register_cert(store, cert.get(), user_id, now);
    fs::create_directories(out_dir);
    std::string base = (fs::path(out_dir) / (user_id + "-" + out.record.serial.substr(0, 8))).string();
    out.p12_path = base + ".p12";
    out.cert_path = base + ".pem";
    out.key_path = base + ".key";
    out.p12_password = random_readable_password();
    // The friendly name browsers list is the manual's certificate name, "ID + 金融機関コード"
    // (PKCS#12 friendly names from PKCS12_create must be ASCII; user names may be kanji).
    pki_write_p12(out.p12_path, cert.get(), key.get(), ca.get(), spec.common_name, out.p12_password);
    pki_write_cert(out.cert_path, cert.get());
    pki_write_key(out.key_path, key.get());
    return out;
}

// ---------------------------------------------------------------- enrollment codes
IssuedEnrollmentCode operator_enroll(Store& store, const std::string& user_id, int days, int64_t now)
{
    if (days < 1 || days > kMaxEnrollmentCodeDays)
        throw std::runtime_error("an enrollment code is valid 1 to " + std::to_string(kMaxEnrollmentCodeDays) + " days");
    Settings settings = load_settings(store);
    IssuedEnrollmentCode out;
    out.code = random_readable_password(kEnrollmentCodeLength);
    out.record.user_id = user_id;
    out.record.code_hash = password_hash(out.code, settings.hash_cost);
    if (out.record.code_hash.empty())
        throw std::runtime_error("cannot hash the enrollment code (out of memory?)");
    out.record.issued_at = now;
    out.record.expires_at = now + int64_t{days} * kDay;
    Transaction tx(store);
    UserRecord user;
    if (!user_find(tx, user_id, user))
        throw std::runtime_error("no user " + user_id);
    EnrollmentCodeRecord earlier;
    const bool replaced = enrollment_find(tx, user_id, earlier) && enrollment_code_state(earlier, now) == EnrollmentCodeState::Open;
    enrollment_put(tx, out.record);
    audit_operator(tx, now, user_id, std::string(), "enroll_code_issued",
                   "valid until " + pki_time_text(out.record.expires_at) + (replaced ? "; replaces the open code" : ""));
    tx.commit();
    return out;
}

std::vector<EnrollmentCodeRecord> operator_enroll_list(Store& store)
{
    Transaction tx(store, TxMode::Read);
    std::vector<EnrollmentCodeRecord> out = enrollment_list(tx);
    tx.commit();
    return out;
}

void operator_enroll_cancel(Store& store, const std::string& user_id, int64_t now)
{
    Transaction tx(store);
    if (!enrollment_cancel(tx, user_id, now))
        throw std::runtime_error(user_id + " has no open enrollment code");
    audit_operator(tx, now, user_id, std::string(), "enroll_code_cancelled");
    tx.commit();
}

int64_t operator_write_crl(Store& store, const DataPaths& paths, int64_t now, int days)
{
    if (days < 1 || days > 365)
        throw std::runtime_error("a CRL is valid 1 to 365 days");
    std::vector<RevokedSerial> revoked;
    {
        Transaction tx(store);
        revoked = revoked_serials(tx);
        tx.commit();
    }
    CertPtr ca = pki_read_cert(paths.ca_cert);
    KeyPtr ca_key = pki_read_key(paths.ca_key);
    const int64_t next_update = now + days * kDay;
    CrlPtr crl = pki_make_crl(ca.get(), ca_key.get(), revoked, now, next_update);
    pki_write_crl(paths.crl, crl.get());
    return next_update;
}

CertRecord operator_cert_revoke(Store& store, const DataPaths& paths, const std::string& serial_or_fingerprint,
                                const std::string& reason, int64_t now)
{
    CertRecord c;
    {
        Transaction tx(store);
        if (!cert_find_by_serial_or_fingerprint(tx, serial_or_fingerprint, c))
            throw std::runtime_error("no certificate with serial or fingerprint " + serial_or_fingerprint);
        serial_revoke(tx, c.serial, now, reason);
        // A session made with the revoked certificate ends on its next request (api.cpp checks
        // the certificate every time); end it now too, so it does not linger until then.
        SessionRecord s;
        if (session_find_active(tx, c.user_id, s) && s.fingerprint == c.fingerprint)
            session_end(tx, s.digest, now, session_end_reason_name(SessionEndReason::CertRevoked));
        audit_operator(tx, now, c.user_id, c.fingerprint, "cert_revoke", reason);
        tx.commit();
    }
    operator_write_crl(store, paths, now);
    return c;
}

// ---------------------------------------------------------------- the database itself
MigrationResult operator_db_migrate(const std::string& database)
{
    Store store;
    StoreOptions options;
    options.check_schema = false;
    store_open(store, database, options);
    MigrationResult result = store_migrate(store);
    store_close(store);
    return result;
}

std::vector<TableCount> operator_db_copy(const std::string& from, const std::string& to)
{
    DatabaseUrl from_url;
    DatabaseUrl to_url;
    std::string error;
    if (!parse_database_url(from, from_url, error) || !parse_database_url(to, to_url, error))
        throw std::runtime_error(error);
    if (from_url.redacted == to_url.redacted)
        throw std::runtime_error("--from and --to name the same database (" + from_url.redacted + ")");
    Store source;
    store_open(source, from, false);
    Store target;
    StoreOptions options;
    options.create = true;
    options.migrate = true;
    store_open(target, to, options);
    std::vector<TableCount> copied = store_copy(source, target);
    store_close(target);
    store_close(source);
    return copied;
}
