#pragma once
// What the operator commands do (main.cpp parses the command line and prints; the tests call
// these directly): the data directory, the development PKI, users and certificates.
// Every function throws std::runtime_error (or StoreError / PkiError) with a one-line reason.

#include "server/pki.h"
#include "server/secrets.h"
#include "server/store.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// Everything `ibgate init` creates lives in one directory.
struct DataPaths {
    std::string dir;
    std::string database;         // the database URL (database_url.h): the data directory's
                                  // `database` file when it has one, else ibgate.db in it
    std::string ca_cert;          // pki/ca.pem         the credit union's client CA: signs customer
                                  //                    certificates; its name is the one in the
                                  //                    certificate request
    std::string ca_key;           // pki/ca.key
    std::string server_ca_cert;   // pki/server-ca.pem  the server CA: signs only the server certificate;
                                  //                    what browsers and tools trust for both origins
    std::string server_ca_key;    // pki/server-ca.key
    std::string server_ca_crl;    // pki/server-ca.crl  the server CA's CRL (DER), named in the server certificate
    std::string server_cert;      // pki/server.pem     the chain served: the server certificate, no root
    std::string server_key;       // pki/server.key
    std::string crl;           // pki/crl.pem
    std::string issued_dir;    // certs/         issued customer certificates
};
DataPaths data_paths(const std::string& dir);

// Which database a command uses, most specific first: the --database flag, $IBGATE_DATABASE,
// the URL `ibgate init --database` recorded in the data directory, ibgate.db in it. Pure;
// "" means not given.
std::string choose_database(const std::string& flag, const std::string& env, const std::string& recorded,
                            const std::string& dir);
// <dir>/database: the recorded URL (mode 0600: it may hold a password).
std::string database_record_path(const std::string& dir);
// The recorded URL, "" when the data directory has none. Throws when the file cannot be read.
std::string read_database_record(const std::string& dir);

struct InitOptions {
    std::string institution_code = "1234";
    std::string institution_name = "サンプル信用金庫";
    HashCost hash_cost = HashCost::Moderate;
    std::vector<std::string> server_names = {"localhost"};
    std::vector<std::string> server_ips = {"127.0.0.1", "::1"};
    std::string database;   // URL; "" = ibgate.db in the directory. Recorded in <dir>/database.
};
// Creates the directory, client CA, server CA, server certificate, empty CRL and database (its
// schema migrated to the current version). Refuses when the directory is already initialised
// or the database already holds an institution.
void operator_init(const std::string& dir, const InitOptions& options, int64_t now);

// A new server key and certificate (397 days, for options.server_names / server_ips) signed by
// the server CA, which is made first when the directory has none - a data directory made before
// the server CA was split from the client CA. Users, customer certificates and the CRL stay.
void operator_server_cert(const DataPaths& paths, const InitOptions& options, int64_t now);
// Throws, naming the command that fixes it, when the data directory has no server CA.
void operator_check_server_pki(const DataPaths& paths);

struct Settings {
    std::string institution_code;
    std::string institution_name;
    HashCost hash_cost = HashCost::Moderate;
};
Settings load_settings(Store& store);

// `password` is hashed here and never stored or printed.
void operator_user_add(Store& store, const UserRecord& user, std::string_view password, int64_t now);
void operator_user_passwd(Store& store, const std::string& user_id, std::string_view password, int64_t now);
void operator_user_unlock(Store& store, const std::string& user_id, int64_t now);

// Ends the user's active session (the customer's next request is told session_expired).
// False when the user holds none.
bool operator_session_end(Store& store, const std::string& user_id, int64_t now);

// Registers an existing certificate to a user (its fingerprint is what identify looks up).
CertRecord operator_register_cert(Store& store, X509* cert, const std::string& user_id, int64_t now);

struct IssuedCert {
    CertRecord record;
    std::string p12_path;      // for the browser
    std::string cert_path;     // PEM, for tests and tools
    std::string key_path;      // PEM
    std::string p12_password;  // import password of the PKCS#12 file
};
// A new client certificate for the user, signed by the CA and registered.
IssuedCert operator_cert_issue(Store& store, const DataPaths& paths, const std::string& user_id, int days,
                               const std::string& out_dir, int64_t now);
// Revokes by serial or fingerprint and rewrites the CRL file.
CertRecord operator_cert_revoke(Store& store, const DataPaths& paths, const std::string& serial_or_fingerprint,
                                const std::string& reason, int64_t now);
// Rewrites the CRL from the revoked-serial table, valid `days` (1 to 365) from now; also makes
// it when it is missing. The running server reads the new file at its next request. Returns
// the new CRL's nextUpdate.
constexpr int kCrlLifetimeDays = 30;
int64_t operator_write_crl(Store& store, const DataPaths& paths, int64_t now, int days = kCrlLifetimeDays);

// ---------------------------------------------------------------- 取得用パスワード (enrollment codes)
// A customer obtains a certificate in the browser (電子証明書取得) with the user ID and a one-time
// code the credit union sends (docs/api.md "Certificates").
constexpr int kEnrollmentCodeDays = 80;     // default validity
constexpr int kMaxEnrollmentCodeDays = 90;
constexpr size_t kEnrollmentCodeLength = 12;   // of the readable alphabet: about 69 bits

struct IssuedEnrollmentCode {
    EnrollmentCodeRecord record;
    std::string code;   // printed once; only its Argon2id hash is stored
};
// A new code for the user, valid `days` (1 to kMaxEnrollmentCodeDays); it replaces (cancels)
// any earlier code of the user. Hashed at the data directory's hash cost.
IssuedEnrollmentCode operator_enroll(Store& store, const std::string& user_id, int days, int64_t now);
std::vector<EnrollmentCodeRecord> operator_enroll_list(Store& store);
// Throws when the user has no open code.
void operator_enroll_cancel(Store& store, const std::string& user_id, int64_t now);

// ---------------------------------------------------------------- the database itself
// `ibgate db migrate`: brings the database's schema to this binary's version.
MigrationResult operator_db_migrate(const std::string& database);
// `ibgate db copy`: every row of `from` (at the current schema) into `to`, which is migrated
// first and must hold no rows. Returns the rows copied per table (verified in `to` afterwards).
std::vector<TableCount> operator_db_copy(const std::string& from, const std::string& to);
