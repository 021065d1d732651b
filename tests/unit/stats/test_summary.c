/* Summary: data-driven cases from tests/fixtures/stats/summary_cases.json,
 * the full shape, the empty store, and the per-name paths (sorted small
 * groups, histogram for big ones) agreeing with each other. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldcore/stats.h"
#include "stats/stats_int.h"

static const char *const totals_keys[] = {
    "requests", "successes", "failures", "failure_rate", "duration_s",
    "requests_per_second", NULL};
static const char *const overall_keys[] = {
    "count", "p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms", "min_ms",
    "mean_ms", "p99_9_ms", NULL};
static const char *const name_keys[] = {
    "count", "min_ms", "max_ms", "mean_ms", "p50_ms", "p90_ms", "p95_ms",
    "p99_ms", "p99_9_ms", "failures", "requests", "failure_rate",
    "requests_per_second", NULL};

static const char *opt_str(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

static ld_records_t *load_records(json_t *arr)
{
    ld_records_t *r = ld_records_new();
    size_t i = 0;
    json_t *x = NULL;

    assert_non_null(r);
    json_array_foreach(arr, i, x) {
        int rc = ld_records_add_full(
            r, (uint64_t)json_integer_value(json_object_get(x, "start_ns")),
            ld_method_parse(opt_str(x, "method")), opt_str(x, "name"),
            opt_str(x, "url"), (int)json_integer_value(json_object_get(x, "status")),
            (uint32_t)json_integer_value(json_object_get(x, "latency_us")),
            (uint32_t)json_integer_value(json_object_get(x, "len")),
            opt_str(x, "error"));
        assert_int_equal(rc, 0);
    }
    return r;
}

/* Every key of want must be in got with the same value; integers stay
 * integers, reals stay reals (1e-9 relative tolerance). */
static void expect_subset(const char *where, json_t *want, json_t *got)
{
    const char *k = NULL;
    json_t *w = NULL;

    if (json_is_object(want)) {
        if (!json_is_object(got))
            fail_msg("%s: not an object", where);
        json_object_foreach(want, k, w) {
            char sub[512];
            snprintf(sub, sizeof(sub), "%s.%s", where, k);
            if (!json_object_get(got, k))
                fail_msg("%s: missing", sub);
            expect_subset(sub, w, json_object_get(got, k));
        }
    } else if (json_is_integer(want)) {
        if (!json_is_integer(got) || json_integer_value(got) != json_integer_value(want))
            fail_msg("%s: want integer %lld", where, (long long)json_integer_value(want));
    } else if (json_is_real(want)) {
        double a = json_real_value(want);
        double b = json_is_real(got) ? json_real_value(got) : NAN;
        if (!(fabs(a - b) <= 1e-9 * fmax(1.0, fabs(a))))
            fail_msg("%s: want real %.12g, got %.12g", where, a, b);
    } else {
        assert_true(json_equal(want, got));
    }
}

static void check_keys(json_t *o, const char *const *keys)
{
    assert_true(json_is_object(o));
    for (int i = 0; keys[i]; i++)
        if (!json_object_get(o, keys[i]))
            fail_msg("missing key %s", keys[i]);
    for (int i = 0; keys[i]; i++) {
        json_t *v = json_object_get(o, keys[i]);
        /* counts are integers, everything else a finite real */
        if (!strcmp(keys[i], "count") || !strcmp(keys[i], "requests") ||
            !strcmp(keys[i], "successes") || !strcmp(keys[i], "failures")) {
            assert_true(json_is_integer(v));
        } else {
            assert_true(json_is_real(v));
            assert_true(isfinite(json_real_value(v)));
        }
    }
}

static void check_shape(json_t *s)
{
    const char *k = NULL;
    json_t *v = NULL;

    assert_int_equal(json_object_size(s), 3);
    check_keys(json_object_get(s, "totals"), totals_keys);
    check_keys(json_object_get(s, "latency_overall"), overall_keys);
    assert_true(json_is_object(json_object_get(s, "per_name")));
    json_object_foreach(json_object_get(s, "per_name"), k, v)
        check_keys(v, name_keys);
}

static void test_fixture_cases(void **state)
{
    json_error_t err;
    json_t *cases = json_load_file(tu_fixture("stats/summary_cases.json"), 0, &err);
    size_t i = 0;
    json_t *c = NULL;

    (void)state;
    if (!cases)
        fail_msg("fixture: %s (line %d)", err.text, err.line);
    assert_true(json_array_size(cases) >= 3);
    json_array_foreach(cases, i, c) {
        const char *name = json_string_value(json_object_get(c, "name"));
        ld_records_t *r = load_records(json_object_get(c, "records"));
        json_t *s = ld_summary_build(r);
        json_t *order = json_object_get(c, "per_name_order");
        json_t *per = json_object_get(s, "per_name");
        void *iter = json_object_iter(per);
        size_t j = 0;
        json_t *want = NULL;

        assert_non_null(s);
        check_shape(s);
        expect_subset(name, json_object_get(c, "expect"), s);
        assert_int_equal(json_object_size(per), json_array_size(order));
        json_array_foreach(order, j, want) {   /* first-seen order */
            assert_non_null(iter);
            assert_string_equal(json_object_iter_key(iter), json_string_value(want));
            iter = json_object_iter_next(per, iter);
        }
        json_decref(s);
        ld_records_free(r);
    }
    json_decref(cases);
}

static void test_empty(void **state)
{
    ld_records_t *r = ld_records_new();
    json_t *s = ld_summary_build(r);
    json_t *t = NULL, *o = NULL;
    char *text = NULL;

    (void)state;
    assert_non_null(s);
    check_shape(s);
    t = json_object_get(s, "totals");
    o = json_object_get(s, "latency_overall");
    assert_int_equal(json_integer_value(json_object_get(t, "requests")), 0);
    assert_true(json_real_value(json_object_get(t, "failure_rate")) == 0.0);
    assert_true(json_real_value(json_object_get(t, "duration_s")) == 0.0);
    assert_true(json_real_value(json_object_get(t, "requests_per_second")) == 0.0);
    assert_int_equal(json_integer_value(json_object_get(o, "count")), 0);
    for (int i = 1; overall_keys[i]; i++)
        assert_true(json_real_value(json_object_get(o, overall_keys[i])) == 0.0);
    assert_int_equal(json_object_size(json_object_get(s, "per_name")), 0);
    text = json_dumps(s, 0);   /* jansson refuses NaN/inf: this must work */
    assert_non_null(text);
    free(text);
    json_decref(s);
    ld_records_free(r);
    s = ld_summary_build(NULL);
    assert_non_null(s);
    check_shape(s);
    json_decref(s);
}

static uint64_t rng_state = 99;

static uint32_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return (x > y) - (x < y);
}

static void test_paths_agree(void **state)
{
    static const size_t sizes[] = {1, 2, 3, 7, 10, 99, 100, 101, 1000, 2047, 2048, 5000};
    uint32_t *v = malloc(5000 * sizeof(*v));
    ld_hist_t h;

    (void)state;
    assert_int_equal(ld_hist_init(&h), 0);
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        ld__lat_t a, b;
        ld_hist_reset(&h);
        for (size_t i = 0; i < sizes[k]; i++) {
            v[i] = rnd() % (k & 1 ? 300000000u : 20000u);
            ld_hist_record(&h, v[i]);
        }
        qsort(v, sizes[k], sizeof(*v), cmp_u32);
        ld__lat_from_hist(&h, &a);
        ld__lat_from_sorted(v, sizes[k], &b);
        assert_int_equal(a.count, b.count);
        assert_int_equal(a.min_us, b.min_us);
        assert_int_equal(a.max_us, b.max_us);
        assert_true(fabs(a.mean_us - b.mean_us) < 1e-6);
        for (int p = 0; p < 5; p++)
            assert_int_equal(a.p_us[p], b.p_us[p]);
    }
    ld_hist_close(&h);
    free(v);
}

/* With one name and no failures, per_name equals latency_overall, whichever
 * path the group takes (sorted below 2048 successes, histogram above). */
static void test_single_name_matches_overall(void **state)
{
    static const size_t sizes[] = {500, 6000};

    (void)state;
    for (int k = 0; k < 2; k++) {
        ld_records_t *r = ld_records_new();
        json_t *s = NULL, *o = NULL, *n = NULL;
        for (size_t i = 0; i < sizes[k]; i++)
            assert_int_equal(ld_records_add_full(r, 1000 + i, LD_M_GET, "only", "u", 200,
                                                 100 + rnd() % 900000, 1, NULL), 0);
        s = ld_summary_build(r);
        o = json_object_get(s, "latency_overall");
        n = json_object_get(json_object_get(s, "per_name"), "only");
        for (int i = 0; overall_keys[i]; i++)
            assert_true(json_equal(json_object_get(o, overall_keys[i]),
                                   json_object_get(n, overall_keys[i])));
        assert_int_equal(json_integer_value(json_object_get(n, "requests")), sizes[k]);
        json_decref(s);
        ld_records_free(r);
    }
}

static void test_many_names(void **state)
{
    ld_records_t *r = ld_records_new();
    json_t *s = NULL, *per = NULL, *e = NULL;
    char url[64];

    (void)state;
    for (int i = 0; i < 60000; i++) {
        snprintf(url, sizeof(url), "http://127.0.0.1/u/%d", i % 20000);
        assert_int_equal(ld_records_add_full(r, (uint64_t)i * 1000, LD_M_GET, NULL, url,
                                             i % 4 ? 200 : 503, (uint32_t)(i % 20000) + 1,
                                             0, i % 4 ? NULL : "HTTP 503"), 0);
    }
    s = ld_summary_build(r);
    assert_non_null(s);
    per = json_object_get(s, "per_name");
    assert_int_equal(json_object_size(per), 20000);
    e = json_object_get(per, "http://127.0.0.1/u/7");
    assert_non_null(e);
    assert_int_equal(json_integer_value(json_object_get(e, "requests")), 3);
    assert_true(json_real_value(json_object_get(e, "min_ms")) == 0.008);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "totals"),
                                                        "failures")), 15000);
    json_decref(s);
    ld_records_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_cases),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_paths_agree),
        cmocka_unit_test(test_single_name_matches_overall),
        cmocka_unit_test(test_many_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
