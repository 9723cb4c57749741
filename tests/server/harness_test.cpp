// The harness's own pure parts.
#include "harness.h"

#include <catch_amalgamated.hpp>

TEST_CASE("harness: a PostgreSQL URL names the test's own database")
{
    struct Row {
        const char* url;
        const char* expected;
    };
    const Row rows[] = {
        {"postgresql:///postgres?host=/tmp/ibank-pg.x&user=postgres",
         "postgresql:///ibgate_test_1?host=/tmp/ibank-pg.x&user=postgres"},
        {"postgresql://u:p@127.0.0.1:5433/postgres", "postgresql://u:p@127.0.0.1:5433/ibgate_test_1"},
        {"postgresql://127.0.0.1:5433", "postgresql://127.0.0.1:5433/ibgate_test_1"},
        {"postgres://h?sslmode=disable", "postgres://h/ibgate_test_1?sslmode=disable"},
        {"postgresql://h/", "postgresql://h/ibgate_test_1"},
        {"postgresql://h/db#x", "postgresql://h/ibgate_test_1#x"},
    };
    for (const Row& row : rows) {
        INFO(row.url);
        CHECK(pg_url_with_database(row.url, "ibgate_test_1") == row.expected);
    }
}
