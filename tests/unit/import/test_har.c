/* HAR importer: data-driven conversions, filters, errors, the commands. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import_int.h"
#include "ldcore/exec.h"
#include "ldcore/import.h"

static json_t *load_fixture(const char *rel)
{
    json_error_t err;
    json_t *j = json_load_file(tu_fixture(rel), 0, &err);

    if (!j)
        fail_msg("%s: %s (line %d)", rel, err.text, err.line);
    return j;
}

static const char **strings(const json_t *arr, size_t *n)
{
    const char **v = calloc(json_array_size(arr) + 1, sizeof(*v));
    size_t i;
    json_t *it;

    assert_non_null(v);
    json_array_foreach(arr, i, it)
        v[i] = json_string_value(it);
    *n = json_array_size(arr);
    return v;
}

static json_t *stats_json(const ld_har_stats_t *s)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:I}", "entries", (json_int_t)s->entries,
                     "tasks", (json_int_t)s->tasks, "filtered",
                     (json_int_t)s->filtered, "invalid", (json_int_t)s->invalid,
                     "unsupported", (json_int_t)s->unsupported);
}

static void run_case(const json_t *c)
{
    const char *name = json_string_value(json_object_get(c, "name"));
    char path[512];
    ld_har_opts_t o;
    ld_har_stats_t st;
    ld_diag_t d;
    json_t *har = NULL, *tasks = NULL, *want, *got;
    const char **inc, **exc;

    snprintf(path, sizeof(path), "import/%s",
             json_string_value(json_object_get(c, "har")));
    snprintf(path, sizeof(path), "%s", tu_fixture(path));
    ld_diag_clear(&d);
    assert_int_equal(ld_har_load(path, &har, &d), 0);
    ld_har_opts_init(&o);
    inc = strings(json_object_get(c, "include"), &o.ninclude);
    exc = strings(json_object_get(c, "exclude"), &o.nexclude);
    o.include = inc;
    o.exclude = exc;
    if (ld_har_to_tasks(har, &o, &tasks, &st, &d) != 0)
        fail_msg("%s: %s", name, d.msg);
    snprintf(path, sizeof(path), "import/%s",
             json_string_value(json_object_get(c, "expected")));
    want = load_fixture(path);
    got = json_pack("{s:o,s:O}", "stats", stats_json(&st), "tasks", tasks);
    if (!json_equal(want, got)) {
        char *g = json_dumps(got, JSON_INDENT(1));

        fprintf(stderr, "case %s: got\n%s\n", name, g);
        free(g);
        fail_msg("case %s differs from %s", name, path);
    }
    json_decref(want);
    json_decref(got);
    json_decref(tasks);
    json_decref(har);
    free(inc);
    free(exc);
}

static void test_cases(void **state)
{
    json_t *cases = load_fixture("import/cases.json"), *c;
    size_t i;

    (void)state;
    assert_true(json_array_size(cases) >= 3);
    json_array_foreach(cases, i, c)
        run_case(c);
    json_decref(cases);
}

static void test_action_json(void **state)
{
    ld_har_opts_t o;
    ld_diag_t d;
    json_t *har = NULL, *doc = NULL, *kw;
    ld_har_stats_t st;

    (void)state;
    assert_int_equal(ld_har_load(tu_fixture("import/recording.har"), &har, &d),
                     0);
    ld_har_opts_init(&o);
    o.user = "http_user";
    o.user_count = 20;
    o.spawn_rate = 10;
    o.test_time = 2.5;
    assert_int_equal(ld_har_to_action_json(har, &o, &doc, &st, &d), 0);
    kw = json_array_get(json_array_get(json_object_get(doc, "load_density"),
                                       0), 1);
    assert_string_equal(json_string_value(json_array_get(json_array_get(
                            json_object_get(doc, "load_density"), 0), 0)),
                        "LD_start_test");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(kw, "user_detail_dict"), "user")),
                        "http_user");
    assert_true(json_is_integer(json_object_get(kw, "user_count")));
    assert_int_equal(json_integer_value(json_object_get(kw, "user_count")), 20);
    assert_true(json_is_integer(json_object_get(kw, "spawn_rate")));
    assert_true(json_is_real(json_object_get(kw, "test_time")));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(kw, "tasks"), "mode")),
                        "sequence");
    assert_int_equal(json_array_size(json_object_get(
                         json_object_get(kw, "tasks"), "tasks")),
                     8);
    assert_int_equal(st.tasks, 8);
    json_decref(doc);
    /* Defaults: the Python tool's 10 users, 5/s, 60 s. */
    assert_int_equal(ld_har_to_action_json(har, NULL, &doc, NULL, &d), 0);
    kw = json_array_get(json_array_get(json_object_get(doc, "load_density"),
                                       0), 1);
    assert_int_equal(json_integer_value(json_object_get(kw, "user_count")), 10);
    assert_int_equal(json_integer_value(json_object_get(kw, "spawn_rate")), 5);
    assert_int_equal(json_integer_value(json_object_get(kw, "test_time")), 60);
    json_decref(doc);
    json_decref(har);
}

static void test_bad_regex(void **state)
{
    const char *inc[] = {"ok", "(unclosed"};
    ld_har_opts_t o;
    ld_diag_t d;
    json_t *har = json_pack("{s:{s:[]}}", "log", "entries"), *t = NULL;

    (void)state;
    ld_har_opts_init(&o);
    o.include = inc;
    o.ninclude = 2;
    ld_diag_clear(&d);
    assert_int_equal(ld_har_to_tasks(har, &o, &t, NULL, &d), LD_EINVAL);
    assert_null(t);
    assert_non_null(strstr(d.msg, "include[1]"));
    assert_non_null(strstr(d.msg, "(unclosed"));
    assert_non_null(strstr(d.msg, "offset"));
    json_decref(har);
}

static void test_backtracking_is_bounded(void **state)
{
    const char *exc[] = {"(a+)+$"};
    char url[200];
    ld_har_opts_t o;
    ld_diag_t d;
    json_t *har, *t = NULL;
    int rc;

    (void)state;
    snprintf(url, sizeof(url), "http://h/%s!",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    har = json_pack("{s:{s:[{s:{s:s,s:s}}]}}", "log", "entries", "request",
                    "method", "GET", "url", url);
    ld_har_opts_init(&o);
    o.exclude = exc;
    o.nexclude = 1;
    rc = ld_har_to_tasks(har, &o, &t, NULL, &d);
    /* Either PCRE2 sees through it or the limit stops it: no hang. */
    assert_true(rc == 0 || (rc == LD_EINVAL && strstr(d.msg, "backtracking")));
    json_decref(t);
    json_decref(har);
}

static void test_not_a_har(void **state)
{
    const char *dir = tu_tmpdir();
    ld_diag_t d;
    json_t *har = (json_t *)1, *t;

    (void)state;
    assert_int_equal(ld_har_load(tu_write(dir, "a.har", "{\"log\": {}}"),
                                 &har, &d),
                     LD_EINVAL);
    assert_null(har);
    assert_non_null(strstr(d.msg, "not a HAR"));
    assert_int_equal(ld_har_load(tu_write(dir, "b.har", "{\n \"log\": [\n}"),
                                 &har, &d),
                     LD_ESYNTAX);
    assert_int_equal(d.pos.line, 3);
    assert_non_null(strstr(d.file, "b.har"));
    assert_int_equal(ld_har_load("/nonexistent/x.har", &har, &d), LD_EIO);
    /* A BOM (Python's utf-8-sig) is fine. */
    assert_int_equal(ld_har_load(tu_write(dir, "c.har",
                                          "\xEF\xBB\xBF{\"log\": "
                                          "{\"entries\": []}}"),
                                 &har, &d),
                     0);
    json_decref(har);
    t = json_array();
    assert_int_equal(ld_har_to_tasks(t, NULL, &har, NULL, &d), LD_EINVAL);
    assert_non_null(strstr(d.msg, "not a HAR"));
    json_decref(t);
}

static void check_path(const char *url, const char *want)
{
    ld_buf_t b;

    ld_buf_init(&b, 0);
    assert_int_equal(ld__har_path_only(url, &b), 0);
    assert_string_equal(b.data, want);
    ld_buf_free(&b);
}

static void test_path_only(void **state)
{
    (void)state;
    check_path("http://h", "/");
    check_path("https://h:8443/a/b?c=d#e", "/a/b?c=d#e");
    check_path("http://h?x=1", "/");
    check_path("http:///x", "http:///x");
    check_path("relative/x", "relative/x");
    check_path("1http://h/x", "1http://h/x");
    check_path("http://h/a\nb", "http://h/a\nb");
    check_path("http://h/a\n", "/a");
}

static void test_commands(void **state)
{
    ld_ctx_t ctx;
    ld_exec_report_t rep;
    ld_diag_t d;
    char doc[1024];
    const json_t *v;

    (void)state;
    assert_int_equal(ld_ctx_init(&ctx), 0);
    ld_exec_report_init(&rep);
    snprintf(doc, sizeof(doc),
             "[[\"LD_load_har\", {\"file_path\": \"%s\"}],"
             " [\"LD_har_to_tasks\", {\"har\": {\"log\": {\"entries\": [{"
             "\"request\": {\"method\": \"GET\", \"url\": "
             "\"http://127.0.0.1/x\"}, \"response\": {\"status\": 200}}]}},"
             " \"include\": [\"127\"]}],"
             " [\"LD_har_to_action_json\", {\"har\": {\"log\": {\"entries\": "
             "[]}}, \"user_count\": 3}],"
             " [\"LD_har_to_tasks\", {\"har\": {\"log\": {\"entries\": []}},"
             " \"exclude\": [1]}]]",
             tu_fixture("import/recording.har"));
    assert_int_equal(ld_exec_string(&ctx, doc, "doc.json", &rep, &d),
                     LD_EFAILED);
    assert_int_equal(rep.n, 4);
    assert_int_equal(rep.items[0].code, 0);
    assert_int_equal(json_array_size(json_object_get(
                         json_object_get(rep.items[0].value, "log"),
                         "entries")),
                     11);
    assert_int_equal(rep.items[1].code, 0);
    v = json_array_get(rep.items[1].value, 0);
    assert_string_equal(json_string_value(json_object_get(v, "name")),
                        "GET /x");
    assert_int_equal(rep.items[2].code, 0);
    v = json_array_get(json_array_get(json_object_get(rep.items[2].value,
                                                      "load_density"),
                                      0),
                       1);
    assert_int_equal(json_integer_value(json_object_get(v, "user_count")), 3);
    assert_int_equal(rep.items[3].code, LD_ETYPE);
    assert_non_null(strstr(rep.items[3].diag.msg, "exclude"));
    assert_true(rep.items[3].diag.pos.line > 0);
    ld_exec_report_free(&rep);
    ld_ctx_close(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_action_json),
        cmocka_unit_test(test_bad_regex),
        cmocka_unit_test(test_backtracking_is_bounded),
        cmocka_unit_test(test_not_a_har),
        cmocka_unit_test(test_path_only),
        cmocka_unit_test(test_commands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
