/*
 * SLA gates: every metric and op, boundary equality, per-name rules, rules
 * that cannot be judged (errors, never silent passes) and summaries with
 * nothing to judge.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "ldcore/registry.h"
#include "ldcore/report.h"

static const char summary_text[] =
    "{\"totals\": {\"requests\": 1000, \"successes\": 980, \"failures\": 20,"
    "  \"failure_rate\": 0.02},"
    " \"latency_overall\": {\"count\": 1000, \"p50_ms\": 100, \"p90_ms\": 500,"
    "  \"p95_ms\": 800, \"p99_ms\": 1200, \"mean_ms\": 150, \"max_ms\": 3000},"
    " \"per_name\": {"
    "  \"/checkout\": {\"count\": 90, \"requests\": 100, \"failures\": 10,"
    "   \"failure_rate\": 0.1, \"p50_ms\": 200, \"p90_ms\": 400,"
    "   \"p95_ms\": 500, \"p99_ms\": 700, \"mean_ms\": 250},"
    "  \"/all-fail\": {\"count\": 0, \"requests\": 5, \"failures\": 5,"
    "   \"failure_rate\": 1.0, \"p50_ms\": 0, \"p90_ms\": 0, \"p95_ms\": 0,"
    "   \"p99_ms\": 0, \"mean_ms\": 0}}}";

static json_t *summary;

static int setup(void **state)
{
    summary = json_loads(summary_text, 0, NULL);
    return summary ? 0 : -1;
}

static int teardown(void **state)
{
    json_decref(summary);
    return 0;
}

/* Evaluate one rule (JSON text); returns the rc, fills *v with the verdict. */
static int one(const char *rule_text, json_t **v, ld_diag_t *d)
{
    char buf[512];
    json_t *rules = NULL;
    json_t *verdicts = NULL;
    bool all = false;
    int rc = 0;

    snprintf(buf, sizeof(buf), "[%s]", rule_text);
    rules = json_loads(buf, 0, NULL);
    assert_non_null(rules);
    ld_diag_clear(d);
    rc = ld_sla_evaluate(rules, summary, &verdicts, &all, d);
    if (!rc) {
        *v = json_incref(json_array_get(verdicts, 0));
        assert_int_equal(all, json_is_true(json_object_get(*v, "passed")));
    }
    json_decref(verdicts);
    json_decref(rules);
    return rc;
}

static bool passes(const char *rule_text)
{
    ld_diag_t d;
    json_t *v = NULL;
    bool p = false;

    assert_int_equal(one(rule_text, &v, &d), 0);
    p = json_is_true(json_object_get(v, "passed"));
    json_decref(v);
    return p;
}

static void error_like(const char *rule_text, const char *want)
{
    ld_diag_t d;
    json_t *v = NULL;

    assert_int_equal(one(rule_text, &v, &d), LD_EINVAL);
    if (!strstr(d.msg, want))
        fail_msg("message '%s' lacks '%s'", d.msg, want);
}

static void test_ops_at_boundary(void **state)
{
    assert_true(passes("{\"type\": \"latency_p95\", \"value\": 800}"));
    assert_true(passes("{\"type\": \"latency_p95\", \"value\": 800, "
                       "\"op\": \"lte\"}"));
    assert_false(passes("{\"type\": \"latency_p95\", \"value\": 800, "
                        "\"op\": \"lt\"}"));
    assert_true(passes("{\"type\": \"latency_p95\", \"value\": 800, "
                       "\"op\": \"gte\"}"));
    assert_false(passes("{\"type\": \"latency_p95\", \"value\": 800, "
                        "\"op\": \"gt\"}"));
    assert_true(passes("{\"type\": \"latency_p95\", \"value\": 800.5, "
                       "\"op\": \"lt\"}"));
    assert_true(passes("{\"type\": \"latency_p95\", \"value\": 799.5, "
                       "\"op\": \"gt\"}"));
    assert_false(passes("{\"type\": \"latency_p95\", \"value\": 799.5}"));
    assert_true(passes("{\"type\": \"latency_p95\", \"value\": 800, "
                       "\"op\": \"LT\", \"name\": null}") == false);
    assert_true(passes("{\"type\": \"requests\", \"value\": 1000, "
                       "\"op\": \"gte\"}"));
    assert_false(passes("{\"type\": \"requests\", \"value\": 1001, "
                        "\"op\": \"gte\"}"));
}

static void test_every_metric(void **state)
{
    static const struct {
        const char *type;
        double overall;
        double checkout;
    } want[] = {
        {"latency_p50", 100, 200},  {"latency_p90", 500, 400},
        {"latency_p95", 800, 500},  {"latency_p99", 1200, 700},
        {"latency_mean", 150, 250}, {"failure_rate", 0.02, 0.1},
        {"requests", 1000, 100},
    };
    const char *const *reg = ld_registry_enum("sla_metric");
    size_t nreg = 0;
    char rule[200];
    ld_diag_t d;
    json_t *v = NULL;

    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        snprintf(rule, sizeof(rule), "{\"type\": \"%s\", \"value\": 1e9}",
                 want[i].type);
        assert_int_equal(one(rule, &v, &d), 0);
        assert_true(json_real_value(json_object_get(v, "actual")) ==
                    want[i].overall);
        json_decref(v);
        snprintf(rule, sizeof(rule), "{\"type\": \"%s\", \"value\": 1e9, "
                 "\"name\": \"/checkout\"}", want[i].type);
        assert_int_equal(one(rule, &v, &d), 0);
        assert_true(json_real_value(json_object_get(v, "actual")) ==
                    want[i].checkout);
        json_decref(v);
    }
    /* the registry (linter, schema, completion) lists the same metrics */
    assert_non_null(reg);
    for (; reg[nreg]; nreg++) {
        bool found = false;
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
            found |= !strcmp(reg[nreg], want[i].type);
        assert_true(found);
    }
    assert_int_equal(nreg, sizeof(want) / sizeof(want[0]));
    for (reg = ld_registry_enum("sla_op"); *reg; reg++) {
        snprintf(rule, sizeof(rule), "{\"type\": \"requests\", \"value\": 1,"
                 " \"op\": \"%s\"}", *reg);
        (void)passes(rule);
    }
}

static void test_verdict_shape(void **state)
{
    ld_diag_t d;
    json_t *v = NULL;
    json_t *rule = NULL;

    assert_int_equal(one("{\"type\": \"latency_p95\", \"value\": 400, "
                         "\"name\": \"/checkout\"}", &v, &d), 0);
    assert_false(json_is_true(json_object_get(v, "passed")));
    assert_true(json_real_value(json_object_get(v, "actual")) == 500.0);
    assert_string_equal(json_string_value(json_object_get(v, "reason")),
                        "latency_p95 of /checkout is 500, not lte 400");
    rule = json_object_get(v, "rule");
    assert_string_equal(json_string_value(json_object_get(rule, "name")),
                        "/checkout");
    json_decref(v);
    assert_int_equal(one("{\"type\": \"failure_rate\", \"value\": 0.05}", &v,
                         &d), 0);
    assert_true(json_is_true(json_object_get(v, "passed")));
    assert_string_equal(json_string_value(json_object_get(v, "reason")), "");
    json_decref(v);
}

static void test_errors(void **state)
{
    error_like("{\"type\": \"latency_p96\", \"value\": 1}",
               "rules[0]: unknown metric 'latency_p96' (did you mean");
    error_like("{\"type\": \"latency_p95\", \"value\": 1, \"op\": \"le\"}",
               "rules[0]: unknown op 'le'");
    error_like("{\"type\": \"latency_p95\", \"value\": 1, \"op\": 3}",
               "\"op\" must be a string");
    error_like("{\"type\": \"latency_p95\"}", "missing \"value\"");
    error_like("{\"type\": \"latency_p95\", \"value\": null}",
               "missing \"value\"");
    error_like("{\"type\": \"latency_p95\", \"value\": \"800\"}",
               "\"value\" must be a number");
    error_like("{\"type\": \"latency_p95\", \"value\": true}",
               "\"value\" must be a number");
    error_like("{\"value\": 1}", "missing \"type\"");
    error_like("{\"type\": 5, \"value\": 1}", "\"type\" must be a string");
    error_like("{\"type\": \"latency_p95\", \"value\": 1, \"nmae\": \"/x\"}",
               "unknown key 'nmae' (did you mean 'name'?)");
    error_like("{\"type\": \"latency_p95\", \"value\": 1, \"name\": 3}",
               "\"name\" must be a string");
    error_like("{\"type\": \"latency_p95\", \"value\": 1, "
               "\"name\": \"/chekout\"}",
               "no request named '/chekout' in the summary (did you mean "
               "'/checkout'?)");
    error_like("{\"type\": \"latency_p95\", \"value\": 1, "
               "\"name\": \"/nowhere/at/all\"}", "(the summary has 2 names)");
    error_like("42", "rules[0]: expected an object");
}

static void test_error_index_and_shapes(void **state)
{
    json_t *rules = json_loads("[{\"type\": \"requests\", \"value\": 1},"
                               " {\"type\": \"bogus\", \"value\": 1}]", 0,
                               NULL);
    json_t *bad = json_loads("{\"totals\": {}}", 0, NULL);
    json_t *verdicts = NULL;
    bool all = true;
    ld_diag_t d;

    assert_int_equal(ld_sla_evaluate(rules, summary, &verdicts, &all, &d),
                     LD_EINVAL);
    assert_non_null(strstr(d.msg, "rules[1]"));
    assert_null(verdicts);
    assert_false(all);
    assert_int_equal(ld_sla_evaluate(summary, summary, &verdicts, &all, &d),
                     LD_EINVAL);
    assert_int_equal(ld_sla_evaluate(rules,
                                     bad, &verdicts, &all, &d), LD_EINVAL);
    assert_non_null(strstr(d.msg, "LD_summary shape"));
    json_decref(rules);
    /* no rules: nothing failed */
    rules = json_array();
    assert_int_equal(ld_sla_evaluate(rules, summary, &verdicts, &all, &d), 0);
    assert_true(all);
    assert_int_equal(json_array_size(verdicts), 0);
    json_decref(verdicts);
    json_decref(rules);
    json_decref(bad);
}

static void test_nothing_to_judge(void **state)
{
    ld_records_t *r = ld_records_new();
    json_t *empty = ld_summary_build(r);
    json_t *saved = summary;
    ld_diag_t d;
    json_t *v = NULL;

    summary = empty;
    assert_int_equal(one("{\"type\": \"latency_p95\", \"value\": 800}", &v,
                         &d), 0);
    assert_false(json_is_true(json_object_get(v, "passed")));
    assert_true(json_is_null(json_object_get(v, "actual")));
    assert_string_equal(json_string_value(json_object_get(v, "reason")),
                        "no requests recorded");
    json_decref(v);
    assert_false(passes("{\"type\": \"failure_rate\", \"value\": 0.5}"));
    assert_false(passes("{\"type\": \"requests\", \"value\": 1, "
                        "\"op\": \"gte\"}"));
    assert_true(passes("{\"type\": \"requests\", \"value\": 10}"));
    error_like("{\"type\": \"requests\", \"value\": 1, \"name\": \"/x\"}",
               "(the summary has 0 names)");
    summary = saved;
    /* a name whose requests all failed has no latency to judge */
    assert_int_equal(one("{\"type\": \"latency_p99\", \"value\": 1, "
                         "\"name\": \"/all-fail\"}", &v, &d), 0);
    assert_false(json_is_true(json_object_get(v, "passed")));
    assert_true(json_is_null(json_object_get(v, "actual")));
    json_decref(v);
    assert_false(passes("{\"type\": \"failure_rate\", \"value\": 0.5, "
                        "\"name\": \"/all-fail\"}"));
    json_decref(empty);
    ld_records_free(r);
}

static void test_real_summary_and_text(void **state)
{
    ld_records_t *r = ld_records_new();
    json_t *s = NULL;
    json_t *rules = json_loads(
        "[{\"type\": \"latency_p95\", \"value\": 5, \"name\": \"/a\"},"
        " {\"type\": \"failure_rate\", \"value\": 0.1},"
        " {\"type\": \"requests\", \"value\": 4, \"op\": \"gte\"}]", 0, NULL);
    json_t *verdicts = NULL;
    bool all = true;
    char text[300];
    ld_diag_t d;

    for (int i = 0; i < 3; i++)
        ld_records_add_full(r, 1000000000ull * (uint64_t)i, LD_M_GET, "/a",
                            "/a", 200, 10000, 1, NULL);
    ld_records_add_full(r, 0, LD_M_GET, "/a", "/a", 500, 1000, 1, "HTTP 500");
    s = ld_summary_build(r);
    assert_int_equal(ld_sla_evaluate(rules, s, &verdicts, &all, &d), 0);
    assert_false(all);
    assert_string_equal(ld_sla_failures_text(verdicts, text, sizeof(text)),
                        "latency_p95 of /a is 10, not lte 5; failure_rate "
                        "(overall) is 0.25, not lte 0.1");
    assert_true(json_is_true(json_object_get(json_array_get(verdicts, 2),
                                             "passed")));
    /* a small buffer never overflows */
    ld_sla_failures_text(verdicts, text, 10);
    assert_true(strlen(text) < 10);
    json_decref(verdicts);
    json_decref(rules);
    json_decref(s);
    ld_records_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ops_at_boundary),
        cmocka_unit_test(test_every_metric),
        cmocka_unit_test(test_verdict_shape),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_error_index_and_shapes),
        cmocka_unit_test(test_nothing_to_judge),
        cmocka_unit_test(test_real_summary_and_text),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
