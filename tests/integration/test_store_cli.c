/* `loaddensity runs list|show|diff` on a real database: output, --json,
 * exit codes (0 ok, 1 regressions, 2 bad input) and error messages. */
#include "testutil.h"

#include <sys/wait.h>
#include <unistd.h>

#include "../unit/store/store_tu.h"

static char out_buf[1 << 16];
static char err_buf[1 << 14];

static void slurp(const char *path, char *buf, size_t cap)
{
    size_t n = 0;
    char *t = tu_read(path, &n);

    if (n >= cap)
        n = cap - 1;
    memcpy(buf, t ? t : "", t ? n : 0);
    buf[t ? n : 0] = '\0';
    free(t);
}

/* Run the CLI with args (a shell-quoted string); returns its exit code. */
static int cli(const char *args)
{
    char cmd[4096];
    const char *o = st_path(tu_tmpdir(), "cli.out");
    const char *e = st_path(tu_tmpdir(), "cli.err");
    int st;

    snprintf(cmd, sizeof(cmd), "'%s' %s >'%s' 2>'%s'", tu_cli(), args, o, e);
    st = system(cmd);
    slurp(o, out_buf, sizeof(out_buf));
    slurp(e, err_buf, sizeof(err_buf));
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static char db[1024];

static int setup(void **state)
{
    ld_records_t *base = st_records_ex(3000, 3, 20000, 1.0, 5);
    ld_records_t *slow = st_records_ex(3000, 3, 20000, 1.4, 6);

    (void)state;
    snprintf(db, sizeof(db), "%s", st_path(tu_tmpdir(), "cli.db"));
    unlink(db);
    st_persist(db, base, "baseline run");
    st_persist(db, slow, "slower run");
    ld_records_free(base);
    ld_records_free(slow);
    return 0;
}

static void test_list(void **state)
{
    char args[1200];
    json_t *j;

    (void)state;
    snprintf(args, sizeof(args), "runs list '%s'", db);
    assert_int_equal(cli(args), 0);
    assert_non_null(strstr(out_buf, "baseline run"));
    assert_true(strstr(out_buf, "slower run") < strstr(out_buf,
                                                       "baseline run"));
    snprintf(args, sizeof(args), "runs list '%s' --limit 1 --json", db);
    assert_int_equal(cli(args), 0);
    j = json_loads(out_buf, 0, NULL);
    assert_non_null(j);
    assert_int_equal(json_array_size(j), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 0),
                                                        "total")),
                     3000);
    json_decref(j);
}

static void test_show(void **state)
{
    char args[1200];
    json_t *j;

    (void)state;
    snprintf(args, sizeof(args), "runs show '%s' 1 --records 2", db);
    assert_int_equal(cli(args), 0);
    assert_non_null(strstr(out_buf, "baseline run"));
    assert_non_null(strstr(out_buf, "/api/2"));
    assert_non_null(strstr(out_buf, "TOTAL"));
    snprintf(args, sizeof(args), "runs show '%s' 2 --json --records 5", db);
    assert_int_equal(cli(args), 0);
    j = json_loads(out_buf, 0, NULL);
    assert_non_null(j);
    assert_int_equal(json_array_size(json_object_get(j, "records")), 5);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_object_get(j, "summary"),
                                         "totals"),
                         "requests")),
                     3000);
    json_decref(j);
    snprintf(args, sizeof(args), "runs show '%s' 7", db);
    assert_int_equal(cli(args), 2);
    assert_non_null(strstr(err_buf, "run 7 not found"));
}

static void test_diff(void **state)
{
    char args[1200];
    json_t *j;

    (void)state;
    snprintf(args, sizeof(args), "runs diff '%s' 1 2", db);
    assert_int_equal(cli(args), 1);
    assert_non_null(strstr(out_buf, "REGRESSED"));
    assert_non_null(strstr(out_buf, "regressions found"));
    snprintf(args, sizeof(args), "runs diff '%s' 2 1", db);
    assert_int_equal(cli(args), 0);
    assert_non_null(strstr(out_buf, "no regression"));
    snprintf(args, sizeof(args), "runs diff '%s' 1 2 --tolerance 0.6", db);
    assert_int_equal(cli(args), 0);
    snprintf(args, sizeof(args), "runs diff '%s' 1 2 --json", db);
    assert_int_equal(cli(args), 1);
    j = json_loads(out_buf, 0, NULL);
    assert_non_null(j);
    assert_true(json_is_true(json_object_get(j, "has_regressions")));
    json_decref(j);
    snprintf(args, sizeof(args), "runs diff '%s' 1 99", db);
    assert_int_equal(cli(args), 2);
    assert_non_null(strstr(err_buf, "run 99 not found"));
    assert_non_null(strstr(err_buf, db));
}

static void test_bad_input(void **state)
{
    const char *txt = tu_write(tu_tmpdir(), "notes.txt", "hello\n");
    char args[1200];

    (void)state;
    snprintf(args, sizeof(args), "runs list '%s'", txt);
    assert_int_equal(cli(args), 2);
    assert_non_null(strstr(err_buf, "not a SQLite database"));
    assert_non_null(strstr(err_buf, txt));
    assert_int_equal(cli("runs list /nonexistent/x.db"), 2);
    assert_non_null(strstr(err_buf, "No such file"));
    assert_int_equal(cli("runs"), 2);
    assert_int_equal(cli("runs frobnicate x.db"), 2);
    assert_int_equal(cli("runs list"), 2);
    snprintf(args, sizeof(args), "runs diff '%s' 1 two", db);
    assert_int_equal(cli(args), 2);
    snprintf(args, sizeof(args), "runs diff '%s' 1 2 --tolerance -1", db);
    assert_int_equal(cli(args), 2);
    snprintf(args, sizeof(args), "runs list '%s' --bogus", db);
    assert_int_equal(cli(args), 2);
    assert_int_equal(cli("runs --help"), 0);
    assert_non_null(strstr(out_buf, "runs diff DB BASE CUR"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_show),
        cmocka_unit_test(test_diff),
        cmocka_unit_test(test_bad_input),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
