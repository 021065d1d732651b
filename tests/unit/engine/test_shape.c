/*
 * Load shapes, the user ramp every worker follows, and the open model's
 * arrival schedule.
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"

static ld__shape_t stages(const ld__stage_t *st, size_t n)
{
    ld__shape_t s;
    memset(&s, 0, sizeof(s));
    s.kind = LD__SHAPE_STAGES;
    s.stages = malloc(n * sizeof(*st));
    memcpy(s.stages, st, n * sizeof(*st));
    s.nstages = n;
    return s;
}

static void test_plain_ramp(void **state)
{
    ld__stage_t st[] = {{INFINITY, 5, 10}};
    ld__shape_t s = stages(st, 1);
    ld__ramp_t r;
    (void)state;
    memset(&r, 0, sizeof(r));
    s.kind = LD__SHAPE_NONE;
    ld__ramp_advance(&r, &s, 0.0);
    assert_int_equal(ld__ramp_users(&r), 0);
    ld__ramp_advance(&r, &s, 0.002);
    assert_int_equal(ld__ramp_users(&r), 1); /* the first user at once */
    ld__ramp_advance(&r, &s, 0.099);
    assert_int_equal(ld__ramp_users(&r), 1);
    ld__ramp_advance(&r, &s, 0.102);
    assert_int_equal(ld__ramp_users(&r), 2);
    ld__ramp_advance(&r, &s, 0.45);
    assert_int_equal(ld__ramp_users(&r), 5);
    ld__ramp_advance(&r, &s, 100);
    assert_int_equal(ld__ramp_users(&r), 5);
    assert_false(r.ended);
    assert_true(isinf(ld__shape_duration(&s)));
    assert_true(ld__shape_peak(&s) == 5);
    free(s.stages);
}

static void test_stages_up_and_down(void **state)
{
    ld__stage_t st[] = {{1, 4, 100}, {2, 1, 2}};
    ld__shape_t s = stages(st, 2);
    ld__ramp_t r;
    double u, rate;
    (void)state;
    memset(&r, 0, sizeof(r));
    assert_true(ld__shape_at(&s, 0.5, &u, &rate));
    assert_true(u == 4 && rate == 100);
    assert_true(ld__shape_at(&s, 1.5, &u, &rate));
    assert_true(u == 1 && rate == 2);
    assert_false(ld__shape_at(&s, 2.0, &u, &rate));
    ld__ramp_advance(&r, &s, 0.5);
    assert_int_equal(ld__ramp_users(&r), 4);
    /* down at 2 users/s from t = 1: 3 at 1.5 s */
    ld__ramp_advance(&r, &s, 1.5);
    assert_int_equal(ld__ramp_users(&r), 3);
    ld__ramp_advance(&r, &s, 2.5);
    assert_true(r.ended);
    assert_true(ld__shape_duration(&s) == 2);
    assert_true(ld__shape_peak(&s) == 4);
    free(s.stages);
}

static void test_soak(void **state)
{
    ld__shape_t s;
    double u, rate;
    (void)state;
    memset(&s, 0, sizeof(s));
    s.kind = LD__SHAPE_SOAK;
    s.users = 10;
    s.rate = 5;
    s.ramp_s = 10;
    s.hold_s = 5;
    s.cool_s = 10;
    assert_true(ld__shape_at(&s, 0, &u, &rate));
    assert_true(u == 1 && rate == 5); /* max(1, ...) */
    assert_true(ld__shape_at(&s, 5, &u, &rate) && u == 5);
    assert_true(ld__shape_at(&s, 12, &u, &rate) && u == 10);
    assert_true(ld__shape_at(&s, 20, &u, &rate) && u == 5);
    assert_false(ld__shape_at(&s, 25, &u, &rate));
    assert_true(ld__shape_duration(&s) == 25);
    assert_true(ld__shape_peak(&s) == 10);
}

static void test_arrivals(void **state)
{
    ld__arrival_t a;
    double e[] = {1, 3}, rt[] = {10, 5}, cum[] = {0, 10};
    (void)state;
    a.end_s = e;
    a.rate = rt;
    a.cum = cum;
    a.n = 2;
    assert_true(fabs(ld__arrival_time(&a, 0) - 0.0) < 1e-12);
    assert_true(fabs(ld__arrival_time(&a, 9) - 0.9) < 1e-12);
    assert_true(fabs(ld__arrival_time(&a, 10) - 1.0) < 1e-12);
    assert_true(fabs(ld__arrival_time(&a, 11) - 1.2) < 1e-12);
    assert_true(fabs(ld__arrival_time(&a, 19) - 2.8) < 1e-9);
    assert_true(isinf(ld__arrival_time(&a, 20)));
    assert_true(ld__arrival_rate_at(&a, 2) == 5);
    assert_true(ld__arrival_rate_at(&a, 4) == 0);
    assert_true(ld__arrival_duration(&a) == 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_ramp),
        cmocka_unit_test(test_stages_up_and_down),
        cmocka_unit_test(test_soak),
        cmocka_unit_test(test_arrivals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
