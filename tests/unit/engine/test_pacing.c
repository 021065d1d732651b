/*
 * Pacing: throttle token buckets (with a simulated clock, and shared by
 * threads), think time picks, retry backoff with jitter, the random helpers.
 */
#include "testutil.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#include "engine/engine_int.h"

#define MS 1000000ull

static void bucket_init(ld__bucket_t *b, double rps, double burst)
{
    memset(b, 0, sizeof(*b));
    b->rps = rps;
    b->burst = burst;
    b->tokens = burst;
    b->last_ns = 1000 * MS;
    pthread_mutex_init(&b->mu, NULL);
}

static void test_bucket_burst_then_rate(void **state)
{
    ld__bucket_t b;
    uint64_t t = 1000 * MS;
    (void)state;
    bucket_init(&b, 10, 3);
    /* the burst goes at once */
    assert_int_equal(ld__bucket_take(&b, t), 0);
    assert_int_equal(ld__bucket_take(&b, t), 0);
    assert_int_equal(ld__bucket_take(&b, t), 0);
    /* then reservations queue up 100 ms apart */
    assert_true(llabs((long long)ld__bucket_take(&b, t) - 100 * (long long)MS) <
                1000);
    assert_true(llabs((long long)ld__bucket_take(&b, t) - 200 * (long long)MS) <
                1000);
    /* 1 s later the debt is repaid and the bucket is full again (never
       more than the burst) */
    t += 1000 * MS;
    for (int i = 0; i < 3; i++)
        assert_int_equal(ld__bucket_take(&b, t), 0);
    assert_true(ld__bucket_take(&b, t) > 0);
    pthread_mutex_destroy(&b.mu);
}

typedef struct taker {
    ld__bucket_t *b;
    unsigned now_count;
} taker_t;

static void *take_many(void *arg)
{
    taker_t *tk = arg;
    for (int i = 0; i < 1000; i++)
        if (ld__bucket_take(tk->b, 1000 * MS) == 0)
            tk->now_count++;
    return NULL;
}

static void test_bucket_shared_by_threads(void **state)
{
    ld__bucket_t b;
    pthread_t th[4];
    taker_t tk[4];
    unsigned total = 0;
    (void)state;
    bucket_init(&b, 5, 7);
    for (int i = 0; i < 4; i++) {
        tk[i].b = &b;
        tk[i].now_count = 0;
        assert_int_equal(pthread_create(&th[i], NULL, take_many, &tk[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        total += tk[i].now_count;
    }
    /* exactly the burst went without waiting; the last of 4000 waits
       (4000 - 7) / 5 seconds */
    assert_int_equal(total, 7);
    assert_true(fabs((double)ld__bucket_take(&b, 1000 * MS) / 1e9 -
                     (4001.0 - 7.0) / 5.0) < 1e-3);
    pthread_mutex_destroy(&b.mu);
}

static void test_think_pick(void **state)
{
    ld__think_t fixed = {0.5, 0.5}, range = {1, 2}, none = {0, 0};
    uint64_t rng = 42;
    double lo = 9, hi = 0, sum = 0;
    (void)state;
    assert_true(ld__think_pick(&fixed, &rng) == 0.5);
    assert_true(ld__think_pick(&none, &rng) == 0);
    for (int i = 0; i < 10000; i++) {
        double v = ld__think_pick(&range, &rng);
        assert_true(v >= 1 && v < 2);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        sum += v;
    }
    assert_true(lo < 1.01 && hi > 1.99);
    assert_true(fabs(sum / 10000 - 1.5) < 0.02);
}

static void test_retry_delay(void **state)
{
    ld__retry_t r;
    uint64_t rng = 7;
    (void)state;
    memset(&r, 0, sizeof(r));
    r.base_s = 0.1;
    r.max_s = 0.5;
    r.factor = 2;
    r.jitter = 0;
    assert_true(fabs(ld__retry_delay(&r, 1, &rng) - 0.1) < 1e-12);
    assert_true(fabs(ld__retry_delay(&r, 2, &rng) - 0.2) < 1e-12);
    assert_true(fabs(ld__retry_delay(&r, 3, &rng) - 0.4) < 1e-12);
    assert_true(fabs(ld__retry_delay(&r, 4, &rng) - 0.5) < 1e-12); /* cap */
    r.jitter = 0.25;
    for (int i = 0; i < 1000; i++) {
        double v = ld__retry_delay(&r, 2, &rng);
        assert_true(v >= 0.2 && v < 0.25 + 1e-12);
    }
}

static void test_random(void **state)
{
    uint64_t s = ld__seed(), s2 = s;
    (void)state;
    assert_true(s != 0);
    assert_true(ld__rand(&s) == ld__rand(&s2)); /* deterministic */
    for (int i = 0; i < 1000; i++) {
        double v = ld__rand01(&s);
        assert_true(v >= 0 && v < 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bucket_burst_then_rate),
        cmocka_unit_test(test_bucket_shared_by_threads),
        cmocka_unit_test(test_think_pick),
        cmocka_unit_test(test_retry_delay),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
