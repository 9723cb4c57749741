#pragma once
// Which database ibgate uses, as one string (the --database option, $IBGATE_DATABASE and the
// data directory's `database` file):
//     sqlite:PATH                     SQLite file (also sqlite:///abs/path)
//     PATH                            the same: a plain file path is SQLite
//     postgresql://[user[:password]@][host][:port][/dbname][?param=value&...]
//     postgres://...                  libpq's URI form, handed to libpq as it is
// A URL may hold a password: only `redacted` may appear in log lines, messages and listings.

#include <string>

enum class DatabaseBackend { Sqlite, Postgres };

struct DatabaseUrl {
    DatabaseBackend backend = DatabaseBackend::Sqlite;
    std::string sqlite_path;   // Sqlite: the file
    std::string conninfo;      // Postgres: the URI for PQconnectdb
    std::string redacted;      // the URL with any password replaced by ***
};

// Pure. False with a one-line reason (which never contains the password) in `error`.
bool parse_database_url(const std::string& text, DatabaseUrl& out, std::string& error);

// The text with any password (user:PASSWORD@ or password=... in the query) replaced by ***;
// text that is no URL is returned as it is.
std::string redact_database_url(const std::string& text);
