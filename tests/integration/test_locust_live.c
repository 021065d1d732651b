/*
 * The live engine (what a Locust worker drives) against the embedded target
 * on 127.0.0.1: user counts set from outside, Locust-shaped deltas whose
 * sums match the records and the target's own count, stop and halt.
 */
#include "test_engine_util.h"

#include <time.h>

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

typedef struct sums {
    uint64_t requests, failures, buckets, rps, fps, content, errors;
    uint64_t total_requests, total_failures;
    double total_ms;
} sums_t;

/* Check one window's inner consistency and add it up. */
static void add_window(sums_t *s, const ld_live_stats_t *st)
{
    uint64_t req = 0, fail = 0, b = 0, r = 0, f = 0, errs = 0;
    assert_true(st->start_ts > 1.6e9);
    for (size_t i = 0; i < st->n; i++) {
        const ld_live_entry_t *e = &st->entries[i];
        uint64_t eb = 0, er = 0;
        assert_true(e->requests > 0);
        assert_true(e->min_ms <= e->max_ms);
        assert_true(e->last_ts >= st->start_ts - 1);
        for (size_t k = 0; k < e->nbuckets; k++) {
            eb += e->buckets[k].count;
            assert_int_equal(e->buckets[k].key,
                             ld_live_bucket((double)e->buckets[k].key));
            if (k)
                assert_true(e->buckets[k].key > e->buckets[k - 1].key);
        }
        for (size_t k = 0; k < e->nrps; k++)
            er += e->rps[k].count;
        assert_int_equal(eb, e->requests);
        assert_int_equal(er, e->requests);
        for (size_t k = 0; k < e->nfps; k++)
            f += e->fps[k].count;
        req += e->requests;
        fail += e->failures;
        b += eb;
        r += er;
        s->content += e->content_length;
        if (i)
            assert_true(strcmp(st->entries[i - 1].name, e->name) <= 0);
    }
    for (size_t i = 0; i < st->nerrors; i++)
        errs += st->errors[i].occurrences;
    assert_int_equal(req, st->total.requests);
    assert_int_equal(fail, st->total.failures);
    assert_int_equal(f, fail);
    assert_int_equal(errs, fail);
    s->requests += req;
    s->failures += fail;
    s->buckets += b;
    s->rps += r;
    s->errors += errs;
    s->total_requests += st->total.requests;
    s->total_failures += st->total.failures;
    s->total_ms += st->total.total_ms;
}

static void take(ld_live_t *l, sums_t *s)
{
    ld_live_stats_t st;
    assert_int_equal(ld_live_take_stats(l, &st), 0);
    add_window(s, &st);
    ld_live_stats_free(&st);
}

static unsigned wait_users(ld_live_t *l, size_t sc, unsigned want)
{
    unsigned n = 0;
    for (int i = 0; i < 100 && (n = ld_live_users(l, sc)) != want; i++)
        sleep_ms(20);
    return n;
}

static void test_buckets(void **state)
{
    (void)state;
    /* Locust 2.12's rounding: ranges on the unrounded value, halves to
       even. */
    assert_int_equal(ld_live_bucket(0), 0);
    assert_int_equal(ld_live_bucket(2.5), 2);
    assert_int_equal(ld_live_bucket(3.5), 4);
    assert_int_equal(ld_live_bucket(99.6), 100);
    assert_int_equal(ld_live_bucket(145), 140);
    assert_int_equal(ld_live_bucket(147), 150);
    assert_int_equal(ld_live_bucket(155), 160);
    assert_int_equal(ld_live_bucket(999), 1000);
    assert_int_equal(ld_live_bucket(1250), 1200);
    assert_int_equal(ld_live_bucket(1350), 1400);
    assert_int_equal(ld_live_bucket(3432), 3400);
    assert_int_equal(ld_live_bucket(9950), 10000);
    assert_int_equal(ld_live_bucket(10500), 10000);
    assert_int_equal(ld_live_bucket(11500), 12000);
    assert_int_equal(ld_live_bucket(58760), 59000);
    /* Every integer ms against the reference rule of the protocol notes. */
    for (long ms = 0; ms < 300000; ms++) {
        long unit = ms < 1000 ? 10 : ms < 10000 ? 100 : 1000, q, r;
        long want = ms;
        if (ms >= 100) {
            q = ms / unit;
            r = ms % unit;
            if (2 * r > unit || (2 * r == unit && (q & 1)))
                q++;
            want = q * unit;
        }
        if (ld_live_bucket((double)ms) != want)
            fail_msg("bucket(%ld) = %lld, want %ld", ms,
                     (long long)ld_live_bucket((double)ms), want);
    }
}

static const char *const kw_one =
    "{\"user_detail_dict\": {\"wait_time\": 0.005},"
    " \"host\": \"http://127.0.0.1:PORT\","
    " \"tasks\": [{\"method\": \"get\", \"request_url\": \"/\"},"
    "            {\"method\": \"get\", \"request_url\": \"/status/503\","
    "             \"name\": \"bad\"}]}";

static void test_users_and_deltas(void **state)
{
    te_run_t r;
    ld_live_t *l = NULL;
    ld_live_opts_t o = {2, true};
    sums_t s;
    ld_diag_t d;
    (void)state;
    memset(&s, 0, sizeof(s));
    te_start_target(&r);
    assert_int_equal(te_compile(&r, kw_one), 0);
    assert_int_equal(ld_live_start(&r.plan, 1, &o, &l, &d), 0);
    sleep_ms(150);
    take(l, &s);
    assert_int_equal(s.requests, 0); /* no user yet */
    ld_live_set_users(l, 0, 3);
    assert_int_equal(wait_users(l, 0, 3), 3);
    sleep_ms(300);
    take(l, &s);
    assert_true(s.requests > 10);
    assert_true(s.failures > 0 && s.failures < s.requests);
    ld_live_set_users(l, 0, 1);
    assert_int_equal(wait_users(l, 0, 1), 1);
    sleep_ms(200);
    take(l, &s);
    ld_live_stop_users(l);
    assert_int_equal(wait_users(l, 0, 0), 0);
    ld_live_halt(l, 1.0);
    take(l, &s);
    /* Every request in exactly one window, as the target saw them. */
    assert_int_equal(s.requests, ld_target_requests(r.target));
    assert_int_equal(s.buckets, s.requests);
    assert_int_equal(s.rps, s.requests);
    assert_int_equal(s.errors, s.failures);
    assert_int_equal(s.content, 13 * (s.requests - s.failures));
    assert_int_equal(ld_live_close(l, r.records), 0);
    assert_int_equal(ld_records_count(r.records), s.requests);
    assert_int_equal(ld_records_failed(r.records), s.failures);
    te_free(&r);
}

static void test_two_scenarios_dropping_records(void **state)
{
    te_run_t a, b;
    ld_test_plan_t *plans[2];
    ld_live_t *l = NULL;
    ld_live_opts_t o = {1, false};
    ld_live_stats_t st;
    ld_diag_t d;
    uint64_t total = 0, on_a = 0, on_b = 0;
    (void)state;
    te_start_target(&a);
    te_start_target(&b);
    assert_int_equal(te_compile(&a, "{\"user_detail_dict\": {\"wait_time\": "
                                    "0.01}, \"host\": \"http://127.0.0.1:PORT\","
                                    " \"tasks\": [{\"request_url\": \"/a\","
                                    " \"name\": \"A\"}]}"),
                     0);
    assert_int_equal(te_compile(&b, "{\"user_detail_dict\": {\"wait_time\": "
                                    "0.01}, \"host\": \"http://127.0.0.1:PORT\","
                                    " \"tasks\": [{\"request_url\": \"/b\","
                                    " \"name\": \"B\"}]}"),
                     0);
    plans[0] = a.plan;
    plans[1] = b.plan;
    assert_int_equal(ld_live_start(plans, 2, &o, &l, &d), 0);
    ld_live_set_users(l, 0, 2);
    assert_int_equal(wait_users(l, 0, 2), 2);
    assert_int_equal(ld_live_users(l, 1), 0);
    sleep_ms(200);
    ld_live_set_users(l, 1, 1);
    sleep_ms(300);
    ld_live_halt(l, 1.0);
    assert_int_equal(ld_live_take_stats(l, &st), 0);
    for (size_t i = 0; i < st.n; i++) {
        if (!strcmp(st.entries[i].name, "A"))
            on_a = st.entries[i].requests;
        if (!strcmp(st.entries[i].name, "B"))
            on_b = st.entries[i].requests;
        assert_string_equal(st.entries[i].method, "GET");
    }
    total = st.total.requests;
    assert_string_equal(st.total.name, "Aggregated");
    ld_live_stats_free(&st);
    assert_true(on_a > 0 && on_b > 0);
    assert_int_equal(on_a + on_b, total);
    assert_int_equal(on_a, ld_target_requests(a.target));
    assert_int_equal(on_b, ld_target_requests(b.target));
    /* Dropped once counted: nothing to hand over. */
    assert_int_equal(ld_live_close(l, a.records), 0);
    assert_int_equal(ld_records_count(a.records), 0);
    te_free(&a);
    te_free(&b);
}

/* ld_live_start refuses the plan of json: LD_EINVAL, no engine, a message
 * that says want. */
static void assert_live_refuses(const char *json, const char *want)
{
    te_run_t r;
    ld_live_t *l = NULL;
    ld_diag_t d;
    te_start_target(&r);
    assert_int_equal(te_compile(&r, json), 0);
    assert_int_equal(ld_live_start(&r.plan, 1, NULL, &l, &d), LD_EINVAL);
    assert_null(l);
    assert_non_null(strstr(d.msg, want));
    te_free(&r);
}

static void test_refuses_open_model(void **state)
{
    (void)state;
    assert_live_refuses("{\"user_detail_dict\": {}, \"arrival_rate\": 5, "
                        "\"tasks\": [{\"request_url\": \"/\"}]}",
                        "arrival_rate");
}

/* A bad LOADDENSITY_IO is refused before a live run starts, as before a
 * counted one (it used to fall back to epoll silently). */
static void test_refuses_bad_io_mode(void **state)
{
    (void)state;
    setenv("LOADDENSITY_IO", "uring", 1);
    assert_live_refuses("{\"user_detail_dict\": {}, "
                        "\"tasks\": [{\"request_url\": \"/\"}]}",
                        "LOADDENSITY_IO=\"uring\"");
    unsetenv("LOADDENSITY_IO");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buckets),
        cmocka_unit_test(test_refuses_bad_io_mode),
        cmocka_unit_test(test_users_and_deltas),
        cmocka_unit_test(test_two_scenarios_dropping_records),
        cmocka_unit_test(test_refuses_open_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
