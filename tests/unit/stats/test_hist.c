/* Histogram: bucket layout, accuracy against exact percentiles, merge,
 * min/max/mean, clamping, empty and reset. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ldcore/stats.h"
#include "stats/stats_int.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64*: deterministic across platforms */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static double rnd01(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;   /* [0, 1) */
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a;
    uint64_t y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

/* Exact nearest-rank percentile: the ceil(q/100*n)-th smallest value. */
static uint64_t exact_pct(const uint64_t *sorted, size_t n, double q)
{
    double x = q * (double)n / 100.0;
    size_t r = (size_t)ceil(x - x * 1e-12);

    if (r < 1)
        r = 1;
    if (r > n)
        r = n;
    return sorted[r - 1];
}

static void check_accuracy(uint64_t *v, size_t n, const char *what)
{
    static const double qs[] = {0, 0.1, 1, 5, 10, 25, 33.3, 50, 66.6, 75,
                                90, 95, 99, 99.5, 99.9, 99.99, 100};
    ld_hist_t h;
    uint64_t sum = 0;

    assert_int_equal(ld_hist_init(&h), 0);
    for (size_t i = 0; i < n; i++) {
        ld_hist_record(&h, v[i]);
        sum += v[i];
    }
    qsort(v, n, sizeof(*v), cmp_u64);
    assert_int_equal(h.total, n);
    assert_int_equal(h.min_us, v[0]);
    assert_int_equal(h.max_us, v[n - 1]);
    assert_int_equal(h.sum_us, sum);
    for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
        uint64_t e = exact_pct(v, n, qs[k]);
        uint64_t got = ld_hist_percentile(&h, qs[k]);
        /* Python's linear interpolation brackets: our value stays within 1 %
         * of the interval it interpolates over. */
        double rank = qs[k] / 100.0 * (double)(n - 1);
        size_t lo = (size_t)rank;
        size_t hi = lo + 1 < n ? lo + 1 : n - 1;

        if (got < e || (double)(got - e) > (double)e / 100.0)
            fail_msg("%s q=%g: hist %llu vs exact %llu", what, qs[k],
                     (unsigned long long)got, (unsigned long long)e);
        assert_true((double)got >= (double)v[lo] * 0.99);
        assert_true((double)got <= (double)v[hi] * 1.01);
    }
    ld_hist_close(&h);
}

static void test_layout(void **state)
{
    (void)state;
    /* Every value maps into a bucket whose upper edge is >= it and < 1/128
     * above it; buckets tile the range without gaps. */
    for (unsigned i = 0; i + 1 < LD_HIST_BUCKETS; i++) {
        uint64_t u = ld__hist_upper(i);
        assert_int_equal(ld__hist_index(u), i);
        assert_int_equal(ld__hist_index(u + 1), i + 1);
    }
    for (uint64_t v = 0; v < 256; v++)
        assert_int_equal(ld__hist_upper(ld__hist_index(v)), v);
    assert_true(ld__hist_index(LD_HIST_MAX_US) < LD_HIST_BUCKETS);
    assert_int_equal(ld__hist_index(0xFFFFFFFFull), LD_HIST_BUCKETS - 1);
    rng_state = 42;
    for (int k = 0; k < 200000; k++) {
        uint64_t v = rnd() % (LD_HIST_MAX_US + 1);
        uint64_t u = ld__hist_upper(ld__hist_index(v));
        assert_true(u >= v);
        assert_true((double)(u - v) < (double)v / LD_HIST_SUB + 1e-9);
    }
}

static void test_accuracy_uniform(void **state)
{
    size_t n = 100000;
    uint64_t *v = malloc(n * sizeof(*v));

    (void)state;
    rng_state = 1;
    for (size_t i = 0; i < n; i++)
        v[i] = 1 + rnd() % 2000000;
    check_accuracy(v, n, "uniform");
    /* small sets too: the ranks matter more there */
    for (size_t m = 1; m <= 40; m++) {
        for (size_t i = 0; i < m; i++)
            v[i] = 1 + rnd() % 500000;
        check_accuracy(v, m, "uniform-small");
    }
    free(v);
}

static void test_accuracy_exponential(void **state)
{
    size_t n = 100000;
    uint64_t *v = malloc(n * sizeof(*v));

    (void)state;
    rng_state = 2;
    for (size_t i = 0; i < n; i++)
        v[i] = (uint64_t)(-log(1.0 - rnd01()) * 50000.0);   /* mean 50 ms */
    check_accuracy(v, n, "exponential");
    free(v);
}

static void test_accuracy_bimodal(void **state)
{
    size_t n = 100000;
    uint64_t *v = malloc(n * sizeof(*v));

    (void)state;
    rng_state = 3;
    for (size_t i = 0; i < n; i++) {
        double base = (rnd() % 10) < 7 ? 2000.0 : 800000.0;   /* 2 ms / 800 ms */
        v[i] = (uint64_t)(base * (0.8 + 0.4 * rnd01()));
    }
    check_accuracy(v, n, "bimodal");
    free(v);
}

static void test_accuracy_wide(void **state)
{
    size_t n = 50000;
    uint64_t *v = malloc(n * sizeof(*v));

    (void)state;
    rng_state = 4;
    for (size_t i = 0; i < n; i++)   /* log-uniform over 1 us .. 1 h */
        v[i] = (uint64_t)exp(rnd01() * log((double)LD_HIST_MAX_US));
    check_accuracy(v, n, "log-uniform");
    free(v);
}

static void test_merge(void **state)
{
    ld_hist_t parts[4], merged, one;

    (void)state;
    assert_int_equal(ld_hist_init(&merged), 0);
    assert_int_equal(ld_hist_init(&one), 0);
    for (int p = 0; p < 4; p++)
        assert_int_equal(ld_hist_init(&parts[p]), 0);
    rng_state = 5;
    for (int i = 0; i < 40000; i++) {
        uint64_t v = rnd() % 5000000000ull;   /* some above 1 h */
        ld_hist_record(&parts[rnd() % 3], v);   /* parts[3] stays empty */
        ld_hist_record(&one, v);
    }
    for (int p = 0; p < 4; p++)
        ld_hist_merge(&merged, &parts[p]);
    assert_int_equal(merged.total, one.total);
    assert_int_equal(merged.sum_us, one.sum_us);
    assert_int_equal(merged.min_us, one.min_us);
    assert_int_equal(merged.max_us, one.max_us);
    assert_int_equal(merged.clamped, one.clamped);
    assert_true(one.clamped > 0);
    assert_memory_equal(merged.counts, one.counts, LD_HIST_BUCKETS * sizeof(uint32_t));
    for (double q = 0; q <= 100; q += 2.5)
        assert_int_equal(ld_hist_percentile(&merged, q), ld_hist_percentile(&one, q));
    /* merging into an empty histogram copies min and max */
    ld_hist_reset(&merged);
    ld_hist_merge(&merged, &parts[1]);
    assert_int_equal(merged.min_us, parts[1].min_us);
    assert_int_equal(merged.max_us, parts[1].max_us);
    for (int p = 0; p < 4; p++)
        ld_hist_close(&parts[p]);
    ld_hist_close(&merged);
    ld_hist_close(&one);
}

static void test_min_max_mean(void **state)
{
    ld_hist_t h;

    (void)state;
    assert_int_equal(ld_hist_init(&h), 0);
    ld_hist_record(&h, 1000);
    ld_hist_record(&h, 3000);
    ld_hist_record(&h, 123457);
    ld_hist_record(&h, 0);
    assert_int_equal(h.min_us, 0);
    assert_int_equal(h.max_us, 123457);
    assert_true(fabs(ld_hist_mean(&h) - 127457.0 / 4) < 1e-9);
    assert_int_equal(ld_hist_percentile(&h, 0), 0);
    assert_int_equal(ld_hist_percentile(&h, 100), 123457);
    /* the top bucket's upper edge is clamped to the exact max */
    assert_int_equal(ld_hist_percentile(&h, 99.9), 123457);
    assert_int_equal(ld_hist_percentile(&h, 25), 0);
    assert_int_equal(h.counts[0], 1);   /* zero lands in the lowest bucket */
    ld_hist_close(&h);
}

static void test_clamp(void **state)
{
    ld_hist_t h;

    (void)state;
    assert_int_equal(ld_hist_init(&h), 0);
    ld_hist_record(&h, 10);
    ld_hist_record(&h, LD_HIST_MAX_US);
    ld_hist_record(&h, LD_HIST_MAX_US + 1);
    ld_hist_record(&h, UINT64_MAX);
    assert_int_equal(h.clamped, 2);
    assert_int_equal(h.total, 4);
    assert_int_equal(h.max_us, LD_HIST_MAX_US);
    assert_int_equal(h.sum_us, 10 + 3 * LD_HIST_MAX_US);
    assert_int_equal(ld_hist_percentile(&h, 100), LD_HIST_MAX_US);
    assert_int_equal(ld_hist_percentile(&h, 50), LD_HIST_MAX_US);
    assert_int_equal(ld_hist_percentile(&h, 25), 10);
    ld_hist_close(&h);
}

static void test_empty_and_reset(void **state)
{
    ld_hist_t h;

    (void)state;
    assert_int_equal(ld_hist_init(&h), 0);
    assert_int_equal(ld_hist_percentile(&h, 50), 0);
    assert_int_equal(ld_hist_percentile(&h, 0), 0);
    assert_int_equal(ld_hist_percentile(&h, 100), 0);
    assert_true(ld_hist_mean(&h) == 0.0);
    ld_hist_record(&h, 777);
    assert_int_equal(ld_hist_percentile(&h, 50), 777);
    ld_hist_reset(&h);
    assert_non_null(h.counts);
    assert_int_equal(h.total, 0);
    assert_int_equal(h.min_us, 0);
    assert_int_equal(h.max_us, 0);
    assert_int_equal(ld_hist_percentile(&h, 50), 0);
    for (unsigned i = 0; i < LD_HIST_BUCKETS; i++)
        assert_int_equal(h.counts[i], 0);
    ld_hist_record(&h, 5);
    assert_int_equal(h.min_us, 5);
    ld_hist_close(&h);
    assert_null(h.counts);
    ld_hist_close(&h);   /* twice is harmless */
    assert_true(ld_hist_memsize() >= LD_HIST_BUCKETS * sizeof(uint32_t));
    assert_true(ld_hist_memsize() < 16 * 1024);
}

static void test_rank(void **state)
{
    (void)state;
    assert_int_equal(ld__hist_rank(10, 90), 9);
    assert_int_equal(ld__hist_rank(10, 91), 10);
    assert_int_equal(ld__hist_rank(10, 50), 5);
    assert_int_equal(ld__hist_rank(4, 90), 4);
    assert_int_equal(ld__hist_rank(1000, 99.9), 999);
    assert_int_equal(ld__hist_rank(100, 29), 29);
    assert_int_equal(ld__hist_rank(100, 57), 57);
    assert_int_equal(ld__hist_rank(3000, 1.1), 33);   /* 1.1*3000/100 = 33.000...01 */
    assert_int_equal(ld__hist_rank(7, 0), 1);
    assert_int_equal(ld__hist_rank(7, 100), 7);
    assert_int_equal(ld__hist_rank(7, 150), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_rank),
        cmocka_unit_test(test_accuracy_uniform),
        cmocka_unit_test(test_accuracy_exponential),
        cmocka_unit_test(test_accuracy_bimodal),
        cmocka_unit_test(test_accuracy_wide),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_min_max_mean),
        cmocka_unit_test(test_clamp),
        cmocka_unit_test(test_empty_and_reset),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
