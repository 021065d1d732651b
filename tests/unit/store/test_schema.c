/* Schema: the seed tables and indexes exactly as the seed writes them
 * (PRAGMA table_info / index_list / index_info compared with a database made
 * from the seed's own text), lazy creation on a missing or empty file, our
 * extra tables, WAL after a persist, and databases made by others. */
#include "testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include "store_tu.h"

/* Rows of a PRAGMA as one text block, for comparison. */
static char *pragma_text(const char *path, const char *pragma)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    size_t cap = 8192, len = 0;
    char *out = calloc(1, cap);

    assert_non_null(out);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, pragma, -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const unsigned char *t = sqlite3_column_text(st, i);
            len += (size_t)snprintf(out + len, cap - len, "%s|",
                                    t ? (const char *)t : "NULL");
            assert_true(len < cap);
        }
        len += (size_t)snprintf(out + len, cap - len, "\n");
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

static void assert_same_pragma(const char *a, const char *b,
                               const char *pragma)
{
    char *x = pragma_text(a, pragma), *y = pragma_text(b, pragma);

    if (strcmp(x, y)) {
        fprintf(stderr, "%s differs:\nseed:\n%s\nours:\n%s", pragma, x, y);
        fail();
    }
    assert_true(strlen(x) > 0);
    free(x);
    free(y);
}

static const char *seed_db(void)
{
    const char *path = st_path(tu_tmpdir(), "seed.db");
    char *sql = tu_read(tu_fixture("store/seed_schema.sql"), NULL);

    unlink(path);
    assert_non_null(sql);
    st_exec(path, sql);
    free(sql);
    return path;
}

static void check_seed_schema(const char *ours)
{
    const char *seed = seed_db();
    static const char *const pragmas[] = {
        "PRAGMA table_info(runs)",
        "PRAGMA table_info(records)",
        "PRAGMA index_list(records)",
        "PRAGMA index_info(idx_records_run_id)",
        "PRAGMA index_info(idx_records_name)",
        "PRAGMA foreign_key_list(records)",
        "SELECT name FROM sqlite_master WHERE type='index' AND "
        "tbl_name IN ('runs','records') ORDER BY name",
    };

    for (size_t i = 0; i < sizeof(pragmas) / sizeof(pragmas[0]); i++)
        assert_same_pragma(seed, ours, pragmas[i]);
}

static void test_schema_on_missing_file(void **state)
{
    const char *path = st_path(tu_tmpdir(), "fresh.db");
    ld_records_t *r = st_records(10, 2);

    (void)state;
    unlink(path);
    assert_int_equal(st_persist(path, r, "first"), 1);
    check_seed_schema(path);
    ld_records_free(r);
}

static void test_schema_on_empty_file(void **state)
{
    const char *path = tu_write(tu_tmpdir(), "empty.db", "");
    ld_records_t *r = st_records(10, 2);

    (void)state;
    assert_int_equal(st_persist(path, r, NULL), 1);
    assert_int_equal(st_persist(path, r, NULL), 2);
    check_seed_schema(path);
    /* Our own tables, next to the seed's. */
    assert_int_equal(st_int(path, "SELECT version FROM ld_schema_version"), 1);
    assert_int_equal(st_int(path, "SELECT count(*) FROM ld_schema_version"),
                     1);
    assert_int_equal(st_int(path, "SELECT count(*) FROM ld_run_names "
                                  "WHERE run_id=2"),
                     2);
    assert_int_equal(st_int(path, "SELECT sum(n) FROM ld_record_times "
                                  "WHERE run_id=1"),
                     10);
    ld_records_free(r);
}

static void test_wal_after_persist(void **state)
{
    const char *path = st_path(tu_tmpdir(), "wal.db");
    ld_records_t *r = st_records(5, 1);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;

    (void)state;
    unlink(path);
    st_persist(path, r, NULL);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st,
                                        NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
    ld_records_free(r);
}

/* A database made from the seed's text (as another tool would) is used as
 * it is: our tables are added, its rows stay. */
static void test_existing_seed_database(void **state)
{
    const char *path = seed_db();
    ld_records_t *r = st_records(20, 3);

    (void)state;
    st_exec(path, "INSERT INTO runs (label, total, failed) VALUES "
                  "('python', 1, 0);"
                  "INSERT INTO records (run_id, outcome, method, name, url,"
                  " status_code, response_time_ms, response_length) VALUES "
                  "(1, 'success', 'GET', '/py', 'http://x/py', '200', 12, "
                  "5);");
    assert_int_equal(st_persist(path, r, "ours"), 2);
    assert_int_equal(st_int(path, "SELECT count(*) FROM records"), 21);
    assert_int_equal(st_int(path, "SELECT count(*) FROM records WHERE "
                                  "run_id=1"),
                     1);
    check_seed_schema(path);
    ld_records_free(r);
}

/* Another program's "runs" table: refused, file untouched. */
static void test_foreign_runs_table(void **state)
{
    const char *path = st_path(tu_tmpdir(), "foreign.db");
    ld_records_t *r = st_records(3, 1);
    ld_diag_t d;
    int64_t id = 0;
    size_t n1 = 0, n2 = 0;
    char *before, *after;

    (void)state;
    unlink(path);
    st_exec(path, "CREATE TABLE runs (x INTEGER, y TEXT);"
                  "INSERT INTO runs VALUES (1, 'a');");
    before = tu_read(path, &n1);
    ld_diag_clear(&d);
    assert_int_equal(ld_store_persist(path, r, NULL, NULL, 0, 0, &id, &d),
                     LD_EINVAL);
    assert_non_null(strstr(d.msg, "'runs'"));
    assert_string_equal(d.file, path);
    after = tu_read(path, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(before, after, n1);
    assert_int_equal(st_int(path, "SELECT count(*) FROM sqlite_master WHERE "
                                  "name='records'"),
                     0);
    free(before);
    free(after);
    ld_records_free(r);
}

/* A table of the file named like the writer's virtual table (ld_rows, in
 * the connection's temp schema) neither hides it nor gets written. */
static void test_table_named_ld_rows(void **state)
{
    const char *path = st_path(tu_tmpdir(), "ld_rows.db");
    ld_records_t *r = st_records(300, 2);

    (void)state;
    unlink(path);
    st_exec(path, "CREATE TABLE ld_rows (a, b);"
                  "INSERT INTO ld_rows VALUES (1, 'mine');");
    assert_int_equal(st_persist(path, r, "x"), 1);
    assert_int_equal(st_persist(path, r, "y"), 2);
    assert_int_equal(st_int(path, "SELECT count(*) FROM records"), 600);
    assert_int_equal(st_int(path, "SELECT count(*) FROM ld_rows"), 1);
    assert_int_equal(st_int(path, "SELECT count(*) FROM sqlite_master "
                                  "WHERE sql LIKE '%VIRTUAL%'"),
                     0);
    ld_records_free(r);
}

/* sqlite_master's text of an object ("" when absent); caller frees. */
static char *master_sql(const char *path, const char *name)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char *out = NULL;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT sql FROM sqlite_master "
                                        "WHERE name=?1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    out = strdup(sqlite3_step(st) == SQLITE_ROW
                     ? (const char *)sqlite3_column_text(st, 0)
                     : "");
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_non_null(out);
    return out;
}

static void check_name_index(const char *path, long long per_name)
{
    char *want = master_sql(seed_db(), "idx_records_name");
    char *got = master_sql(path, "idx_records_name");

    assert_string_equal(got, want);
    free(want);
    free(got);
    check_seed_schema(path);
    assert_int_equal(st_int(path, "SELECT count(*) FROM records INDEXED BY "
                                  "idx_records_name WHERE name='/api/3'"),
                     per_name);
    assert_int_equal(st_int(path, "SELECT count(*) FROM records INDEXED BY "
                                  "idx_records_name WHERE name>''"),
                     st_int(path, "SELECT count(*) FROM records"));
    assert_int_equal(st_int(path, "SELECT count(*) FROM pragma_integrity_check"
                                  " WHERE integrity_check<>'ok'"),
                     0);
}

/* A bulk load into an empty table appends to the seed's name index (the
 * rows go in name order); one larger than what the file holds rebuilds it
 * in the same transaction; a smaller one keeps it up to date row by row.
 * Each way it keeps the seed's definition, complete and consistent. Fresh
 * files get 16 KiB pages. */
static void test_bulk_load_name_index(void **state)
{
    char path[1024];
    ld_records_t *big = st_records(40000, 8);
    ld_records_t *small = st_records(24000, 8);

    (void)state;
    /* Our own copy: st_path's ring of names wraps during the checks. */
    snprintf(path, sizeof(path), "%s", st_path(tu_tmpdir(), "bulk.db"));
    unlink(path);
    assert_int_equal(st_persist(path, big, NULL), 1);
    assert_int_equal(st_int(path, "PRAGMA page_size"), 16384);
    check_name_index(path, 5000);
    assert_int_equal(st_persist(path, small, NULL), 2);
    check_name_index(path, 8000);
    assert_int_equal(st_persist(path, big, NULL), 3);
    check_name_index(path, 13000);
    assert_int_equal(st_persist(path, small, NULL), 4);
    check_name_index(path, 16000);
    ld_records_free(big);
    ld_records_free(small);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_on_missing_file),
        cmocka_unit_test(test_schema_on_empty_file),
        cmocka_unit_test(test_wal_after_persist),
        cmocka_unit_test(test_existing_seed_database),
        cmocka_unit_test(test_foreign_runs_table),
        cmocka_unit_test(test_table_named_ld_rows),
        cmocka_unit_test(test_bulk_load_name_index),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
