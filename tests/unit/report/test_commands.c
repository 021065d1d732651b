/*
 * The report, SLA and annotation commands run through the executor, as an
 * action document would run them: argument names and defaults, result
 * values, error codes and positions.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ldcore/exec.h"
#include "ldcore/report.h"
#include "rtest.h"

typedef struct fx {
    ld_ctx_t ctx;
    ld_exec_report_t rep;
    char *out;
    size_t outlen;
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof(*f));
    ld_records_t *h = rt_hostile();

    if (!f || !h || ld_ctx_init(&f->ctx))
        return -1;
    ld_records_merge_take(f->ctx.records, h);
    ld_records_free(h);
    f->ctx.flags |= LD_EXEC_QUIET;
    f->ctx.out = open_memstream(&f->out, &f->outlen);
    ld_exec_report_init(&f->rep);
    *state = f;
    return chdir(tu_tmpdir());
}

static int teardown(void **state)
{
    fx_t *f = *state;

    fclose(f->ctx.out);
    free(f->out);
    ld_exec_report_free(&f->rep);
    ld_ctx_close(&f->ctx);
    free(f);
    return 0;
}

/* Run a document; the result of its only action. */
static const ld_action_result_t *run1(fx_t *f, const char *doc)
{
    ld_diag_t d;

    ld_exec_report_free(&f->rep);
    ld_exec_report_init(&f->rep);
    ld_exec_string(&f->ctx, doc, "doc.json", &f->rep, &d);
    assert_int_equal(f->rep.n, 1);
    return &f->rep.items[0];
}

static void test_file_reports(void **state)
{
    fx_t *f = *state;
    const ld_action_result_t *r = NULL;

    r = run1(f, "[[\"LD_generate_html_report\", {\"html_name\": \"rep\"}]]");
    assert_int_equal(r->code, 0);
    assert_string_equal(json_string_value(r->value), "rep.html");
    assert_int_equal(access("rep.html", R_OK), 0);
    r = run1(f, "[[\"LD_generate_json_report\", [\"rep\"]]]");
    assert_int_equal(r->code, 0);
    assert_string_equal(json_string_value(json_array_get(r->value, 0)),
                        "rep_success.json");
    assert_string_equal(json_string_value(json_array_get(r->value, 1)),
                        "rep_failure.json");
    r = run1(f, "[[\"LD_generate_xml_report\", {\"xml_file_name\": \"rep\"}]]");
    assert_string_equal(json_string_value(json_array_get(r->value, 1)),
                        "rep_failure.xml");
    r = run1(f, "[[\"LD_generate_csv_report\"]]");
    assert_string_equal(json_string_value(r->value), "default_name.csv");
    r = run1(f, "[[\"LD_generate_junit_report\"]]");
    assert_string_equal(json_string_value(r->value), "loaddensity-junit.xml");
    assert_int_equal(rt_xml_ok("loaddensity-junit.xml"), 0);
    r = run1(f, "[[\"LD_generate_chart_report\", {\"report_name\": \"ch\", "
                "\"bucket_size_seconds\": 0.1}]]");
    assert_int_equal(r->code, 0);
    assert_true(json_string_value(json_object_get(r->value, "latency"))[0] ==
                '/');
    assert_non_null(strstr(json_string_value(json_object_get(r->value, "rps")),
                           "/ch-rps.svg"));
    r = run1(f, "[[\"LD_generate_chart_report\", {\"max_buckets\": 0}]]");
    assert_int_equal(r->code, LD_EINVAL);
}

static void test_memory_reports(void **state)
{
    fx_t *f = *state;
    const ld_action_result_t *r = NULL;

    r = run1(f, "[[\"LD_generate_json\"]]");
    assert_int_equal(r->code, 0);
    assert_int_equal(json_object_size(json_array_get(r->value, 0)), 3);
    assert_int_equal(json_object_size(json_array_get(r->value, 1)), 3);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_array_get(r->value, 1), "Failure_Test1"),
            "error")),
        RT_ERR_JSON);
    r = run1(f, "[[\"LD_generate_xml\"]]");
    assert_int_equal(r->code, 0);
    assert_non_null(strstr(json_string_value(json_array_get(r->value, 0)),
                           "<Success_Test3>"));
    r = run1(f, "[[\"LD_generate_html\"]]");
    assert_int_equal(r->code, 0);
    assert_non_null(strstr(json_string_value(json_array_get(
                               json_array_get(r->value, 0), 0)),
                           "<svg"));
    assert_non_null(strstr(json_string_value(json_array_get(
                               json_array_get(r->value, 1), 0)),
                           "Top failures"));
}

static void test_empty_records(void **state)
{
    fx_t *f = *state;
    ld_ctx_t saved = f->ctx;
    ld_records_t *empty = ld_records_new();
    const ld_action_result_t *r = NULL;

    f->ctx.records = empty;
    r = run1(f, "[[\"LD_generate_json\"]]");
    assert_int_equal(r->code, LD_EINVAL);
    assert_non_null(strstr(r->diag.msg, "no test records"));
    r = run1(f, "[[\"LD_generate_html_report\", {\"html_name\": \"none\"}]]");
    assert_int_equal(r->code, LD_EINVAL);
    assert_int_equal(access("none.html", F_OK), -1);
    f->ctx.records = saved.records;
    ld_records_free(empty);
}

static void test_sla(void **state)
{
    fx_t *f = *state;
    const ld_action_result_t *r = NULL;

    /* default summary: the context's records (6 requests, 3 failed) */
    r = run1(f, "[[\"LD_evaluate_sla\", {\"rules\": ["
                "{\"type\": \"requests\", \"value\": 6, \"op\": \"gte\"},"
                "{\"type\": \"failure_rate\", \"value\": 0.1}]}]]");
    assert_int_equal(r->code, 0);
    assert_int_equal(json_array_size(r->value), 2);
    assert_true(json_is_true(json_object_get(json_array_get(r->value, 0),
                                             "passed")));
    assert_false(json_is_true(json_object_get(json_array_get(r->value, 1),
                                              "passed")));
    r = run1(f, "[[\"LD_assert_sla\", {\"rules\": ["
                "{\"type\": \"failure_rate\", \"value\": 0.1}]}]]");
    assert_int_equal(r->code, LD_ESLA);
    assert_string_equal(r->diag.msg, "SLA gates failed: failure_rate "
                                     "(overall) is 0.5, not lte 0.1");
    assert_int_equal(json_array_size(r->value), 1);
    r = run1(f, "[[\"LD_assert_sla\", {\"rules\": ["
                "{\"type\": \"requests\", \"value\": 1, \"op\": \"gte\"}]}]]");
    assert_int_equal(r->code, 0);
    /* an explicit summary wins over the records */
    r = run1(f, "[[\"LD_assert_sla\", {\"rules\": [{\"type\": \"requests\", "
                "\"value\": 5}], \"summary\": {\"totals\": {\"requests\": 9},"
                " \"latency_overall\": {}}}]]");
    assert_int_equal(r->code, LD_ESLA);
}

static void test_sla_error_position(void **state)
{
    fx_t *f = *state;
    const ld_action_result_t *r = NULL;

    r = run1(f, "[[\"LD_assert_sla\", {\"rules\": [\n"
                "  {\"type\": \"requests\", \"value\": 1},\n"
                "  {\"type\": \"latency_p59\", \"value\": 1}]}]]");
    assert_int_equal(r->code, LD_EINVAL);
    assert_non_null(strstr(r->diag.msg, "rules[1]: unknown metric "
                                        "'latency_p59'"));
    assert_int_equal(r->diag.pos.line, 3);
    assert_int_equal(r->diag.pos.col, 3);
    assert_string_equal(r->diag.file, "doc.json");
    r = run1(f, "[[\"LD_evaluate_sla\", {\"rules\": [{\"type\": \"requests\","
                " \"value\": 1, \"name\": \"nope\"}]}]]");
    assert_int_equal(r->code, LD_EINVAL);
    assert_non_null(strstr(r->diag.msg, "no request named 'nope'"));
}

static void test_annotations(void **state)
{
    fx_t *f = *state;
    const ld_action_result_t *r = NULL;

    fflush(f->ctx.out);
    r = run1(f, "[[\"LD_emit_github_annotations\", {\"title\": \"CI\"}]]");
    assert_int_equal(r->code, 0);
    assert_int_equal(json_integer_value(r->value), 2);
    fflush(f->ctx.out);
    assert_non_null(strstr(f->out, "::error title=CI::POST "));
    assert_non_null(strstr(f->out, "::error title=CI::DELETE plain: timeout "
                                   "(1 failure)\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_file_reports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_reports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sla, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sla_error_position, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_annotations, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
