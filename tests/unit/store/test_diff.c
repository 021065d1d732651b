/* ld_diff_runs: identical runs, slower p95 beyond the tolerance, tiny
 * samples (within noise), names on one side only, failure rate and
 * throughput, runs without stored aggregates, bad arguments. */
#include "testutil.h"

#include <math.h>
#include <unistd.h>

#include "ldcore/report.h"
#include "store_tu.h"

static const char *db_path(const char *name)
{
    const char *path = st_path(tu_tmpdir(), name);

    unlink(path);
    return path;
}

static json_t *diff(const char *path, int64_t a, int64_t b, double tol)
{
    json_t *out = NULL;
    ld_diag_t d;

    ld_diag_clear(&d);
    if (ld_diff_runs(path, a, b, tol, &out, &d)) {
        fprintf(stderr, "diff failed: %s\n", d.msg);
        fail();
    }
    return out;
}

static const json_t *delta(const json_t *rep, const char *name,
                           const char *metric)
{
    const json_t *v = json_object_get(
        json_object_get(json_object_get(json_object_get(rep, "per_name"),
                                        name),
                        "deltas"),
        metric);

    assert_non_null(v);
    return v;
}

static bool flag(const json_t *o, const char *k)
{
    return json_is_true(json_object_get(o, k));
}

/* Is metric listed for name in list ("regressions" / "within_noise")? */
static bool listed(const json_t *rep, const char *list, const char *name,
                   const char *metric)
{
    size_t i, j;
    const json_t *e, *m;

    json_array_foreach(json_object_get(rep, list), i, e) {
        if (strcmp(json_string_value(json_object_get(e, "name")), name))
            continue;
        json_array_foreach(json_object_get(e, "metrics"), j, m)
            if (!strcmp(json_string_value(m), metric))
                return true;
    }
    return false;
}

static void test_identical_runs(void **state)
{
    const char *path = db_path("same.db");
    ld_records_t *r = st_records(3000, 3);
    int64_t a = st_persist(path, r, "a"), b = st_persist(path, r, "b");
    json_t *rep = diff(path, a, b, 0.10);
    static const char *const keys[] = {"p50_ms", "p95_ms", "p99_ms",
                                       "failure_rate", "mean_ms",
                                       "requests_per_second"};

    (void)state;
    /* The Python shape. */
    assert_int_equal(json_integer_value(json_object_get(rep,
                                                        "baseline_run_id")),
                     a);
    assert_int_equal(json_integer_value(json_object_get(rep,
                                                        "current_run_id")),
                     b);
    assert_true(fabs(json_number_value(json_object_get(rep, "tolerance")) -
                     0.10) < 1e-12);
    assert_false(flag(rep, "has_regressions"));
    assert_int_equal(json_array_size(json_object_get(rep, "regressions")), 0);
    assert_int_equal(json_object_size(json_object_get(rep, "per_name")), 3);
    for (size_t i = 0; i < 6; i++) {
        const json_t *dl = delta(rep, "/api/1", keys[i]);
        assert_true(json_number_value(json_object_get(dl, "abs")) == 0);
        assert_true(json_number_value(json_object_get(dl, "pct")) == 0);
        assert_true(json_number_value(json_object_get(dl, "baseline")) > 0);
        assert_false(flag(dl, "regressed"));
    }
    json_decref(rep);
    ld_records_free(r);
}

static void test_slower_p95_regresses(void **state)
{
    const char *path = db_path("slower.db");
    ld_records_t *base = st_records_ex(3000, 3, 20000, 1.0, 7);
    ld_records_t *cur = st_records_ex(3000, 3, 20000, 1.3, 8);
    int64_t a = st_persist(path, base, "a"), b = st_persist(path, cur, "b");
    json_t *rep = diff(path, a, b, 0.10);
    const json_t *p95 = delta(rep, "/api/0", "p95_ms");

    (void)state;
    assert_true(flag(rep, "has_regressions"));
    assert_true(json_number_value(json_object_get(p95, "pct")) > 0.2);
    assert_true(flag(p95, "regressed"));
    assert_false(flag(p95, "within_noise"));
    for (int k = 0; k < 3; k++) {
        char name[16];
        snprintf(name, sizeof(name), "/api/%d", k);
        assert_true(listed(rep, "regressions", name, "p95_ms"));
        assert_true(listed(rep, "regressions", name, "mean_ms"));
        assert_false(listed(rep, "regressions", name, "failure_rate"));
        assert_false(listed(rep, "regressions", name,
                            "requests_per_second"));
    }
    json_decref(rep);
    /* Faster is never a regression; neither is 30 % under a 50 % tolerance. */
    rep = diff(path, b, a, 0.10);
    assert_false(flag(rep, "has_regressions"));
    json_decref(rep);
    rep = diff(path, a, b, 0.50);
    assert_false(flag(rep, "has_regressions"));
    json_decref(rep);
    ld_records_free(base);
    ld_records_free(cur);
}

static void test_tiny_samples_within_noise(void **state)
{
    const char *path = db_path("tiny.db");
    ld_records_t *base = st_records_ex(10, 1, 20000, 1.0, 1);
    ld_records_t *cur = st_records_ex(10, 1, 20000, 2.0, 2);
    int64_t a = st_persist(path, base, NULL), b = st_persist(path, cur, NULL);
    json_t *rep = diff(path, a, b, 0.10);
    const json_t *p95 = delta(rep, "/api/0", "p95_ms");

    (void)state;
    assert_true(json_number_value(json_object_get(p95, "pct")) > 0.5);
    assert_true(flag(p95, "within_noise"));
    assert_false(flag(p95, "regressed"));
    assert_false(flag(rep, "has_regressions"));
    assert_true(listed(rep, "within_noise", "/api/0", "p95_ms"));
    json_decref(rep);
    ld_records_free(base);
    ld_records_free(cur);
}

static void add_n(ld_records_t *r, const char *name, size_t n, uint32_t us,
                  uint64_t step_ns, size_t fail_every);

/* Small samples that do not overlap at all (U = 0) are not noise: a short
 * smoke run that got ten times slower is caught; 4 + 4 samples are not
 * enough even then. */
static void test_tiny_but_separated(void **state)
{
    const char *path = db_path("separated.db");
    ld_records_t *b10 = ld_records_new(), *c10 = ld_records_new();
    ld_records_t *b4 = ld_records_new(), *c4 = ld_records_new();
    int64_t a, b, a4, c4id;
    json_t *rep;

    (void)state;
    add_n(b10, "/s", 10, 1000, 1000000, 0);    /* 1.0 .. 1.45 ms */
    add_n(c10, "/s", 10, 40000, 1000000, 0);   /* 40 .. 40.45 ms */
    add_n(b4, "/s", 4, 1000, 1000000, 0);
    add_n(c4, "/s", 4, 40000, 1000000, 0);
    a = st_persist(path, b10, NULL);
    b = st_persist(path, c10, NULL);
    a4 = st_persist(path, b4, NULL);
    c4id = st_persist(path, c4, NULL);
    rep = diff(path, a, b, 0.10);
    assert_true(listed(rep, "regressions", "/s", "p95_ms"));
    assert_true(listed(rep, "regressions", "/s", "mean_ms"));
    assert_false(listed(rep, "regressions", "/s", "failure_rate"));
    assert_false(flag(delta(rep, "/s", "requests_per_second"), "regressed"));
    json_decref(rep);
    rep = diff(path, a4, c4id, 0.10);
    assert_false(flag(rep, "has_regressions"));
    assert_true(listed(rep, "within_noise", "/s", "p95_ms"));
    json_decref(rep);
    ld_records_free(b10);
    ld_records_free(c10);
    ld_records_free(b4);
    ld_records_free(c4);
}

static void add_n(ld_records_t *r, const char *name, size_t n, uint32_t us,
                  uint64_t step_ns, size_t fail_every)
{
    for (size_t i = 0; i < n; i++) {
        bool f = fail_every && i % fail_every == 0;
        assert_int_equal(ld_records_add_full(r, ST_T0_NS + i * step_ns,
                                             LD_M_GET, name, "http://h/x",
                                             f ? 500 : 200,
                                             us + (uint32_t)(i % 97) * 50, 10,
                                             f ? "HTTP 500" : NULL),
                         0);
    }
}

static void test_names_on_one_side(void **state)
{
    const char *path = db_path("names.db");
    ld_records_t *base = ld_records_new(), *cur = ld_records_new();
    json_t *rep;
    const json_t *e;
    int64_t a, b;

    (void)state;
    add_n(base, "/kept", 100, 10000, 1000000, 0);
    add_n(base, "/gone", 100, 10000, 1000000, 0);
    add_n(cur, "/kept", 100, 10000, 1000000, 0);
    add_n(cur, "/new", 100, 10000, 1000000, 0);
    a = st_persist(path, base, NULL);
    b = st_persist(path, cur, NULL);
    rep = diff(path, a, b, 0.10);
    assert_false(flag(rep, "has_regressions"));
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(rep, "only_in_baseline"), 0)),
                        "/gone");
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(rep, "only_in_current"), 0)),
                        "/new");
    e = json_object_get(json_object_get(rep, "per_name"), "/new");
    assert_string_equal(json_string_value(json_object_get(e, "only_in")),
                        "current");
    assert_true(json_is_null(json_object_get(delta(rep, "/new", "p95_ms"),
                                             "baseline")));
    assert_true(json_is_null(json_object_get(delta(rep, "/new", "p95_ms"),
                                             "pct")));
    assert_true(json_number_value(json_object_get(
                    delta(rep, "/gone", "p95_ms"), "baseline")) > 0);
    assert_null(json_object_get(json_object_get(json_object_get(rep,
                                                                "per_name"),
                                                "/kept"),
                                "only_in"));
    json_decref(rep);
    ld_records_free(base);
    ld_records_free(cur);
}

static void test_failure_rate_and_throughput(void **state)
{
    const char *path = db_path("rates.db");
    ld_records_t *base = ld_records_new(), *fail10 = ld_records_new();
    ld_records_t *fail_1 = ld_records_new(), *slow_rate = ld_records_new();
    ld_records_t *base1 = ld_records_new();
    int64_t a, b, c, s, a1;
    json_t *rep;

    (void)state;
    add_n(base, "/x", 1000, 10000, 1000000, 0);       /* no failures */
    add_n(fail10, "/x", 1000, 10000, 1000000, 10);    /* 10 % */
    add_n(base1, "/x", 1000, 10000, 1000000, 1000);   /* 1 of 1000 */
    add_n(fail_1, "/x", 1000, 10000, 1000000, 500);   /* 2 of 1000 */
    add_n(slow_rate, "/x", 1000, 10000, 2000000, 0);  /* half the rate */
    a = st_persist(path, base, NULL);
    b = st_persist(path, fail10, NULL);
    a1 = st_persist(path, base1, NULL);
    c = st_persist(path, fail_1, NULL);
    s = st_persist(path, slow_rate, NULL);

    rep = diff(path, a, b, 0.10);     /* 0 -> 10 %: regression */
    assert_true(listed(rep, "regressions", "/x", "failure_rate"));
    assert_true(json_is_null(json_object_get(delta(rep, "/x", "failure_rate"),
                                             "pct")));
    json_decref(rep);
    rep = diff(path, a1, c, 0.10);    /* 0.1 % -> 0.2 %: +100 %, but noise */
    assert_false(listed(rep, "regressions", "/x", "failure_rate"));
    assert_true(listed(rep, "within_noise", "/x", "failure_rate"));
    assert_true(fabs(json_number_value(json_object_get(
                         delta(rep, "/x", "failure_rate"), "pct")) -
                     1.0) < 1e-9);
    json_decref(rep);
    rep = diff(path, a, s, 0.10);     /* throughput halved */
    assert_true(listed(rep, "regressions", "/x", "requests_per_second"));
    assert_false(listed(rep, "regressions", "/x", "p95_ms"));
    json_decref(rep);
    rep = diff(path, s, a, 0.10);     /* throughput doubled: fine */
    assert_false(flag(rep, "has_regressions"));
    json_decref(rep);
    ld_records_free(base);
    ld_records_free(base1);
    ld_records_free(fail10);
    ld_records_free(fail_1);
    ld_records_free(slow_rate);
}

/* The diff of runs a and b from their stored aggregates equals the one
 * computed afresh from their records once the aggregates are gone (and
 * finds the regression built into b); returns the latter. */
static json_t *same_without_aggregates(const char *path, int64_t a,
                                       int64_t b)
{
    json_t *with = diff(path, a, b, 0.10), *without;

    st_exec(path, "DELETE FROM ld_run_names");
    without = diff(path, a, b, 0.10);
    assert_true(json_equal(with, without));
    assert_true(flag(without, "has_regressions"));
    json_decref(with);
    return without;
}

/* Runs without ld_run_names rows (killed streams, other tools) are
 * aggregated from their records, with the same answer. */
static void test_without_aggregates(void **state)
{
    const char *path = db_path("noagg.db");
    ld_records_t *base = st_records_ex(2000, 4, 20000, 1.0, 3);
    ld_records_t *cur = st_records_ex(2000, 4, 20000, 1.25, 4);
    int64_t a = st_persist(path, base, NULL), b = st_persist(path, cur, NULL);
    json_t *without = same_without_aggregates(path, a, b);

    (void)state;
    st_exec(path, "DROP TABLE ld_run_names; DROP TABLE ld_record_times");
    json_decref(without);
    without = diff(path, a, b, 0.10);   /* ms precision now, same verdict */
    assert_true(flag(without, "has_regressions"));
    assert_true(listed(without, "regressions", "/api/2", "p95_ms"));
    json_decref(without);
    ld_records_free(base);
    ld_records_free(cur);
}

/* From 50,000 records on, persist computes the aggregates on a second
 * thread while the rows go in: they must match those computed afresh from
 * the stored records. */
static void test_threaded_aggregates(void **state)
{
    const char *path = db_path("thread.db");
    ld_records_t *base = st_records_ex(60000, 5, 20000, 1.0, 11);
    ld_records_t *cur = st_records_ex(60000, 5, 20000, 1.25, 12);
    int64_t a = st_persist(path, base, NULL), b = st_persist(path, cur, NULL);

    (void)state;
    assert_int_equal(st_int(path, "SELECT count(*) FROM ld_run_names"), 10);
    assert_int_equal(st_int(path, "SELECT sum(requests) FROM ld_run_names"),
                     120000);
    json_decref(same_without_aggregates(path, a, b));
    ld_records_free(base);
    ld_records_free(cur);
}

static void test_bad_arguments(void **state)
{
    const char *path = db_path("bad.db");
    ld_records_t *r = st_records(10, 1);
    json_t *out = NULL;
    ld_diag_t d;
    int64_t a = st_persist(path, r, NULL);

    (void)state;
    ld_diag_clear(&d);
    assert_int_equal(ld_diff_runs(path, a, 42, 0.1, &out, &d), LD_ENOTFOUND);
    assert_null(out);
    assert_non_null(strstr(d.msg, "run 42"));
    assert_string_equal(d.file, path);
    assert_int_equal(ld_diff_runs(path, a, a, -0.5, &out, &d), LD_EINVAL);
    assert_int_equal(ld_diff_runs(path, a, a, NAN, &out, &d), LD_EINVAL);
    assert_int_equal(ld_diff_runs(st_path(tu_tmpdir(), "nope.db"), 1, 2, 0.1,
                                  &out, &d),
                     LD_ENOTFOUND);
    out = diff(path, a, a, 0);   /* zero tolerance, same run: no change */
    assert_false(flag(out, "has_regressions"));
    json_decref(out);
    ld_records_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical_runs),
        cmocka_unit_test(test_slower_p95_regresses),
        cmocka_unit_test(test_tiny_samples_within_noise),
        cmocka_unit_test(test_tiny_but_separated),
        cmocka_unit_test(test_names_on_one_side),
        cmocka_unit_test(test_failure_rate_and_throughput),
        cmocka_unit_test(test_without_aggregates),
        cmocka_unit_test(test_threaded_aggregates),
        cmocka_unit_test(test_bad_arguments),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
