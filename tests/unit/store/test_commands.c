/* The persistence commands through the executor: LD_persist_records (kwargs
 * and positional), LD_list_runs, LD_fetch_run_records, LD_diff_runs, and
 * their errors pointing at the action with the database named. */
#include "testutil.h"

#include <unistd.h>

#include "ldcore/exec.h"
#include "store_tu.h"

typedef struct fixture {
    ld_ctx_t ctx;
    ld_exec_report_t rep;
    ld_diag_t d;
    FILE *out;
    char db[1024];
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    static int k;
    char name[32];

    assert_non_null(f);
    assert_int_equal(ld_ctx_init(&f->ctx), 0);
    f->out = tmpfile();
    f->ctx.out = f->out;
    f->ctx.err = f->out;
    ld_exec_report_init(&f->rep);
    snprintf(name, sizeof(name), "cmd%d.db", k++);
    snprintf(f->db, sizeof(f->db), "%s", st_path(tu_tmpdir(), name));
    unlink(f->db);
    for (int i = 0; i < 200; i++)
        assert_int_equal(ld_records_add_full(f->ctx.records,
                                             ST_T0_NS + (uint64_t)i * 1000000,
                                             LD_M_GET, i % 2 ? "/a" : "/b",
                                             "http://127.0.0.1/x",
                                             i % 20 ? 200 : 500, 5000 + i, 3,
                                             i % 20 ? NULL : "HTTP 500"),
                         0);
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

/* Run a document whose text has every %s replaced by the database path. */
static int run(fixture_t *f, const char *tmpl)
{
    char doc[4096], *p = doc;
    const char *s;

    for (s = tmpl; *s && p < doc + sizeof(doc) - 1100; s++) {
        if (s[0] == '%' && s[1] == 's') {
            p += snprintf(p, 1100, "%s", f->db);
            s++;
        } else {
            *p++ = *s;
        }
    }
    *p = '\0';
    ld_diag_clear(&f->d);
    return ld_exec_string(&f->ctx, doc, "doc.json", &f->rep, &f->d);
}

static const json_t *value(fixture_t *f, size_t i)
{
    assert_true(i < f->rep.n);
    if (f->rep.items[i].code)
        fprintf(stderr, "action %zu: %s\n", i, f->rep.items[i].diag.msg);
    assert_int_equal(f->rep.items[i].code, 0);
    return f->rep.items[i].value;
}

static void test_persist_list_fetch_diff(void **state)
{
    fixture_t *f = *state;
    const json_t *v;

    assert_int_equal(
        run(f, "{\"load_density\": [\n"
               " [\"LD_persist_records\", {\"database_path\": \"%s\",\n"
               "   \"label\": \"nightly\", \"metadata\": {\"branch\": \"dev\"}}],\n"
               " [\"LD_persist_records\", [\"%s\"]],\n"
               " [\"LD_list_runs\", {\"database_path\": \"%s\", \"limit\": 1}],\n"
               " [\"LD_list_runs\", [\"%s\"]],\n"
               " [\"LD_fetch_run_records\", {\"database_path\": \"%s\",\n"
               "   \"run_id\": 1}],\n"
               " [\"LD_diff_runs\", {\"database_path\": \"%s\",\n"
               "   \"baseline_run_id\": 1, \"current_run_id\": 2}],\n"
               " [\"LD_diff_runs\", [\"%s\", 1, 2, 0.5]]\n"
               "]}"),
        0);
    assert_int_equal(f->rep.n, 7);
    assert_int_equal(json_integer_value(value(f, 0)), 1);
    assert_int_equal(json_integer_value(value(f, 1)), 2);
    v = value(f, 2);
    assert_int_equal(json_array_size(v), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(v, 0),
                                                        "id")),
                     2);
    assert_true(json_is_null(json_object_get(json_array_get(v, 0), "label")));
    v = value(f, 3);
    assert_int_equal(json_array_size(v), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(v, 1), "metadata"),
                            "branch")),
                        "dev");
    v = value(f, 4);
    assert_int_equal(json_array_size(v), 200);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(v, 0), "outcome")),
                        "failure");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(v, 0), "status_code")),
                        "500");
    v = value(f, 5);
    assert_false(json_is_true(json_object_get(v, "has_regressions")));
    assert_int_equal(json_object_size(json_object_get(v, "per_name")), 2);
    v = value(f, 6);
    assert_true(json_number_value(json_object_get(v, "tolerance")) == 0.5);
}

static void test_errors_point_at_the_action(void **state)
{
    fixture_t *f = *state;
    const ld_action_result_t *it;

    assert_int_equal(
        run(f, "[\n"
               " [\"LD_persist_records\", {\"database_path\": \"%s\"}],\n"
               " [\"LD_fetch_run_records\", {\"database_path\": \"%s\",\n"
               "   \"run_id\": 99}],\n"
               " [\"LD_list_runs\", {\"database_path\": \"%s\", \"limit\": 0}],\n"
               " [\"LD_diff_runs\", [\"%s\", 1, 1, -1]],\n"
               " [\"LD_list_runs\", [\"%s.missing\"]]\n"
               "]"),
        LD_EFAILED);
    assert_int_equal(f->rep.n, 5);
    assert_int_equal(f->rep.items[0].code, 0);
    it = &f->rep.items[1];
    assert_int_equal(it->code, LD_ENOTFOUND);
    assert_string_equal(it->diag.file, "doc.json");
    assert_int_equal(it->diag.pos.line, 3);
    assert_non_null(strstr(it->diag.msg, "LD_fetch_run_records"));
    assert_non_null(strstr(it->diag.msg, f->db));
    assert_non_null(strstr(it->diag.msg, "run 99 not found"));
    it = &f->rep.items[2];
    assert_int_equal(it->code, LD_EINVAL);
    assert_non_null(strstr(it->diag.msg, "limit"));
    assert_int_equal(it->diag.pos.line, 5);
    it = &f->rep.items[3];
    assert_int_equal(it->code, LD_EINVAL);
    assert_non_null(strstr(it->diag.msg, "tolerance"));
    it = &f->rep.items[4];
    assert_int_equal(it->code, LD_ENOTFOUND);
    assert_non_null(strstr(it->diag.msg, ".missing"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_persist_list_fetch_diff, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_errors_point_at_the_action,
                                        setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
