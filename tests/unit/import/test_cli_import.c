/* `loaddensity import har`: the built CLI on the fixture recording. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <jansson.h>

/* Run a shell command; returns the exit status. */
static int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    int st;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_import_to_file(void **state)
{
    const char *dir = tu_tmpdir();
    char out[1024], err[1024];
    json_t *doc, *kw, *tasks;
    char *msg;

    (void)state;
    snprintf(out, sizeof(out), "%s/out.json", dir);
    snprintf(err, sizeof(err), "%s/err.txt", dir);
    assert_int_equal(sh("'%s' import har '%s' --include 'api\\.example\\.com' "
                        "--exclude '\\.svg$' --user http_user --user-count 3 "
                        "--spawn-rate 1.5 --test-time 2 -o '%s' 2>'%s'",
                        tu_cli(), tu_fixture("import/recording.har"), out,
                        err),
                     0);
    doc = json_load_file(out, 0, NULL);
    assert_non_null(doc);
    kw = json_array_get(json_array_get(json_object_get(doc, "load_density"),
                                       0), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(kw, "user_detail_dict"), "user")),
                        "http_user");
    assert_int_equal(json_integer_value(json_object_get(kw, "user_count")), 3);
    assert_true(json_real_value(json_object_get(kw, "spawn_rate")) == 1.5);
    tasks = json_object_get(json_object_get(kw, "tasks"), "tasks");
    assert_int_equal(json_array_size(tasks), 7);
    json_decref(doc);
    msg = tu_read(err, NULL);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "7 of 11 entries became tasks (3 filtered "
                                "out, 1 not http(s)"));
    free(msg);
}

static void test_import_errors(void **state)
{
    const char *dir = tu_tmpdir();
    char err[1024];
    char *msg;

    (void)state;
    snprintf(err, sizeof(err), "%s/err2.txt", dir);
    assert_int_equal(sh("'%s' import har '%s' --include '(' >/dev/null "
                        "2>'%s'",
                        tu_cli(), tu_fixture("import/recording.har"), err),
                     2);
    msg = tu_read(err, NULL);
    assert_non_null(strstr(msg, "include[0]: invalid regular expression"));
    free(msg);
    assert_int_equal(sh("'%s' import har /nonexistent.har >/dev/null "
                        "2>/dev/null",
                        tu_cli()),
                     2);
    assert_int_equal(sh("'%s' import postman x.json >/dev/null 2>/dev/null",
                        tu_cli()),
                     2);
    assert_int_equal(sh("'%s' import har --user-count many x >/dev/null "
                        "2>/dev/null",
                        tu_cli()),
                     2);
    assert_int_equal(sh("'%s' import --help >/dev/null", tu_cli()), 0);
    /* To stdout by default: valid JSON. */
    assert_int_equal(sh("'%s' import har '%s' 2>/dev/null | python3 -c "
                        "'import json,sys; d=json.load(sys.stdin); "
                        "assert len(d[\"load_density\"][0][1][\"tasks\"]"
                        "[\"tasks\"]) == 8'",
                        tu_cli(), tu_fixture("import/recording.har")),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_to_file),
        cmocka_unit_test(test_import_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
