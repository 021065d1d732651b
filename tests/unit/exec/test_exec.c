/* Executor: per-action results, continue-or-stop, nesting, cycles. */
#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ldcore/exec.h"

typedef struct fixture {
    ld_ctx_t ctx;
    ld_exec_report_t rep;
    ld_diag_t d;
    FILE *out;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    assert_int_equal(ld_ctx_init(&f->ctx), 0);
    f->out = tmpfile();
    f->ctx.out = f->out;
    ld_exec_report_init(&f->rep);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;

    ld_exec_report_free(&f->rep);
    ld_ctx_close(&f->ctx);
    fclose(f->out);
    free(f);
    return 0;
}

static int run(fixture_t *f, const char *json)
{
    ld_diag_clear(&f->d);
    return ld_exec_string(&f->ctx, json, "doc.json", &f->rep, &f->d);
}

static char *output(fixture_t *f)
{
    static char buf[4096];
    size_t n;

    fflush(f->out);
    rewind(f->out);
    n = fread(buf, 1, sizeof(buf) - 1, f->out);
    buf[n] = '\0';
    return buf;
}

static void runs_in_order_and_records_values(void **state)
{
    fixture_t *f = *state;
    const json_t *v;

    assert_int_equal(run(f, "{\"load_density\": [\n"
                            "  [\"LD_register_variables\", {\"variables\": "
                            "{\"base\": \"http://x\", \"n\": 3}}],\n"
                            "  [\"print\", [\"hello\", 42, {\"a\": true}]],\n"
                            "  [\"LD_clear_records\"]\n]}"),
                     0);
    assert_int_equal(f->rep.n, 3);
    assert_int_equal(f->rep.failed, 0);
    assert_string_equal(f->rep.items[0].command, "LD_register_variables");
    assert_int_equal(f->rep.items[1].diag.pos.line, 3);
    assert_int_equal(f->rep.items[1].diag.pos.col, 3);
    assert_string_equal(output(f), "hello 42 {\"a\":true}\n");
    v = ld_params_get_var(f->ctx.params, "base");
    assert_string_equal(json_string_value(v), "http://x");
    assert_int_equal(json_integer_value(ld_params_get_var(f->ctx.params,
                                                          "n")),
                     3);
    assert_string_equal(json_string_value(json_object_get(
                            f->rep.items[2].value, "status")),
                        "cleared");
}

static void errors_are_recorded_and_run_goes_on(void **state)
{
    fixture_t *f = *state;

    assert_int_equal(run(f, "[\n  [\"LD_nope\"],\n"
                            "  [\"LD_stop_dashboard\"],\n"
                            "  [\"print\", [\"still here\"]]\n]"),
                     LD_EFAILED);
    assert_int_equal(f->rep.n, 3);
    assert_int_equal(f->rep.failed, 2);
    assert_int_equal(f->rep.items[0].code, LD_ENOTFOUND);
    assert_int_equal(f->rep.items[0].diag.pos.line, 2);
    assert_non_null(strstr(f->rep.items[0].diag.msg, "unknown command"));
    assert_int_equal(f->rep.items[1].code, LD_EUNAVAIL);
    assert_non_null(strstr(f->rep.items[1].diag.msg, "not available yet"));
    assert_int_equal(f->rep.items[2].code, 0);
    assert_string_equal(output(f), "still here\n");
}

static void fail_fast_stops(void **state)
{
    fixture_t *f = *state;

    f->ctx.flags |= LD_EXEC_FAIL_FAST;
    assert_int_equal(run(f, "[[\"LD_nope\"], [\"print\", [\"x\"]]]"),
                     LD_EFAILED);
    assert_int_equal(f->rep.n, 1);
    assert_string_equal(output(f), "");
}

static void interrupt_stops_before_next_action(void **state)
{
    fixture_t *f = *state;
    volatile sig_atomic_t flag = 1;

    f->ctx.interrupt = &flag;
    assert_int_equal(run(f, "[[\"print\", [\"x\"]]]"), LD_ESTOPPED);
    assert_int_equal(f->rep.n, 0);
    assert_non_null(strstr(f->d.msg, "interrupted"));
}

static void bad_documents(void **state)
{
    fixture_t *f = *state;

    assert_int_equal(run(f, "[]"), LD_EINVAL);
    assert_non_null(strstr(f->d.msg, "empty"));
    assert_int_equal(run(f, "{\"other\": []}"), LD_ETYPE);
    assert_int_equal(f->d.pos.line, 1);
    assert_int_equal(run(f, "[[\"print\", [1]],\n  oops]"), LD_ESYNTAX);
    assert_string_equal(f->d.file, "doc.json");
    assert_int_equal(f->d.pos.line, 2);
    assert_int_equal(f->d.pos.col, 3);
    assert_int_equal(f->rep.n, 0);
}

static void nested_actions(void **state)
{
    fixture_t *f = *state;

    assert_int_equal(run(f, "[[\"LD_execute_action\", {\"action_list\": "
                            "[[\"print\", [\"a\"]], [\"LD_nope\"]]}],"
                            " [\"LD_execute_action\", [{\"load_density\": "
                            "[[\"print\", [\"b\"]]]}]]]"),
                     LD_EFAILED);
    /* outer, two nested, outer, one nested */
    assert_int_equal(f->rep.n, 5);
    assert_int_equal(f->rep.items[0].depth, 0);
    assert_int_equal(f->rep.items[1].depth, 1);
    assert_int_equal(f->rep.items[0].code, LD_EFAILED);
    assert_non_null(strstr(f->rep.items[0].diag.msg,
                           "1 of 2 nested actions failed"));
    assert_int_equal(f->rep.items[3].code, 0);
    assert_int_equal(f->rep.items[4].depth, 1);
    assert_string_equal(output(f), "a\nb\n");
}

static void depth_limit(void **state)
{
    fixture_t *f = *state;
    char doc[8192];
    size_t n = 0;
    int i;

    for (i = 0; i < 20; i++)
        n += (size_t)snprintf(doc + n, sizeof(doc) - n,
                              "[[\"LD_execute_action\", [");
    n += (size_t)snprintf(doc + n, sizeof(doc) - n, "[[\"print\", [1]]]");
    for (i = 0; i < 20; i++)
        n += (size_t)snprintf(doc + n, sizeof(doc) - n, "]]]");
    assert_int_equal(run(f, doc), LD_EFAILED);
    assert_string_equal(output(f), "");
    assert_int_equal(f->rep.items[LD_EXEC_MAX_DEPTH].code, LD_EDEPTH);
}

static void files_and_cycles(void **state)
{
    fixture_t *f = *state;
    const char *dir = tu_tmpdir();
    char a[1024], b[1024], doc[4096];

    snprintf(a, sizeof(a), "%s/a.json", dir);
    snprintf(b, sizeof(b), "%s/b.json", dir);
    snprintf(doc, sizeof(doc),
             "[[\"print\", [\"in a\"]], [\"LD_execute_files\", [[\"%s\"]]]]",
             b);
    tu_write(dir, "a.json", doc);
    snprintf(doc, sizeof(doc),
             "[[\"print\", [\"in b\"]], [\"LD_execute_files\", [[\"%s\"]]]]",
             a);
    tu_write(dir, "b.json", doc);
    ld_diag_clear(&f->d);
    assert_int_equal(ld_exec_file(&f->ctx, a, &f->rep, &f->d), LD_EFAILED);
    assert_string_equal(output(f), "in a\nin b\n");
    /* the cycle is reported where b executes a */
    {
        size_t i;
        int found = 0;

        for (i = 0; i < f->rep.n; i++)
            if (f->rep.items[i].code == LD_ECYCLE)
                found = 1;
        assert_true(found);
    }
}

static void run_files_with_a_broken_one(void **state)
{
    fixture_t *f = *state;
    const char *dir = tu_tmpdir();
    char *paths[3];
    char p1[1024], p2[1024], p3[1024];

    snprintf(p1, sizeof(p1), "%s", tu_write(dir, "1.json",
                                            "[[\"print\", [\"one\"]]]"));
    snprintf(p2, sizeof(p2), "%s",
             tu_write(dir, "2.json", "[[\"print\", [\"two\"]\n"));
    snprintf(p3, sizeof(p3), "%s/missing.json", dir);
    paths[0] = p1;
    paths[1] = p2;
    paths[2] = p3;
    ld_diag_clear(&f->d);
    /* the first unusable file's error wins over "an action failed" */
    assert_int_equal(ld_exec_files(&f->ctx, paths, 3, &f->rep, &f->d),
                     LD_ESYNTAX);
    assert_int_equal(f->rep.n, 3);
    assert_int_equal(f->rep.items[1].code, LD_ESYNTAX);
    assert_int_equal(f->rep.items[1].diag.pos.line, 2);
    assert_int_equal(f->rep.items[2].code, LD_EIO);
    assert_string_equal(output(f), "one\n");
}

static void run_dir_sorted(void **state)
{
    fixture_t *f = *state;
    char dir[1100];

    snprintf(dir, sizeof(dir), "%s/d", tu_tmpdir());
    assert_int_equal(mkdir(dir, 0755), 0);
    tu_write(dir, "b.json", "[[\"print\", [\"b\"]]]");
    tu_write(dir, "a.json", "[[\"print\", [\"a\"]]]");
    tu_write(dir, "c.yaml", "- [print, [c]]\n");
    tu_write(dir, "notes.txt", "ignored");
    ld_diag_clear(&f->d);
    assert_int_equal(ld_exec_dir(&f->ctx, dir, &f->rep, &f->d), 0);
    assert_string_equal(output(f), "a\nb\nc\n");
}

static void summary_report_file(void **state)
{
    fixture_t *f = *state;
    char doc[2048], path[1100];
    char *text;
    json_t *j;

    snprintf(path, sizeof(path), "%s/sum", tu_tmpdir());
    ld_records_add_full(f->ctx.records, 1000000000ull, LD_M_GET, "/a",
                        "http://x/a", 200, 1500, 13, NULL);
    ld_records_add_full(f->ctx.records, 1001000000ull, LD_M_GET, "/a",
                        "http://x/a", 0, 2500, 0, "Connection refused");
    snprintf(doc, sizeof(doc),
             "[[\"LD_generate_summary_report\", {\"report_name\": \"%s\"}]]",
             path);
    assert_int_equal(run(f, doc), 0);
    strcat(path, ".json");
    assert_string_equal(json_string_value(f->rep.items[0].value), path);
    text = tu_read(path, NULL);
    assert_non_null(text);
    j = json_loads(text, 0, NULL);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(j, "totals"), "requests")),
                     2);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(j, "totals"), "failures")),
                     1);
    json_decref(j);
    free(text);
}

static void report_json(void **state)
{
    fixture_t *f = *state;
    json_t *j;

    run(f, "[[\"LD_nope\"], [\"LD_clear_resolver\"]]");
    j = ld_exec_report_to_json(&f->rep);
    assert_int_equal(json_array_size(j), 2);
    assert_false(json_is_true(json_object_get(json_array_get(j, 0), "ok")));
    assert_true(json_is_true(json_object_get(json_array_get(j, 1), "ok")));
    assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 0),
                                                        "column")),
                     3);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(runs_in_order_and_records_values,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(errors_are_recorded_and_run_goes_on,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(fail_fast_stops, setup, teardown),
        cmocka_unit_test_setup_teardown(interrupt_stops_before_next_action,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(bad_documents, setup, teardown),
        cmocka_unit_test_setup_teardown(nested_actions, setup, teardown),
        cmocka_unit_test_setup_teardown(depth_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(files_and_cycles, setup, teardown),
        cmocka_unit_test_setup_teardown(run_files_with_a_broken_one, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(run_dir_sorted, setup, teardown),
        cmocka_unit_test_setup_teardown(summary_report_file, setup, teardown),
        cmocka_unit_test_setup_teardown(report_json, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
