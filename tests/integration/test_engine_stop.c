/*
 * Failures and stopping: connection refused, timeouts, resets and closed
 * connections become failure records with a message and status 0; a run
 * stopped by test_time or interrupt == 1 keeps every completed request and
 * waits for in-flight ones (up to the grace period); interrupt == 2 drops
 * in-flight requests at once without recording them.
 */
#include "test_engine_util.h"

#include <pthread.h>
#include <time.h>

static void test_transport_failures(void **state)
{
    te_run_t r;
    char kw[2048];
    (void)state;
    te_start_target(&r);
    snprintf(kw, sizeof(kw),
             "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
             " \"user_count\": 1, \"test_time\": 1,"
             " \"host\": \"http://127.0.0.1:PORT\","
             " \"tasks\": ["
             "  {\"name\": \"refused\","
             "   \"request_url\": \"http://127.0.0.1:%d/\"},"
             "  {\"name\": \"timeout\", \"request_url\": \"/delay/3000\","
             "   \"timeout\": 0.2},"
             "  {\"name\": \"reset\", \"request_url\": \"/reset\"},"
             "  {\"name\": \"closed\", \"request_url\": \"/close\"},"
             "  {\"name\": \"fine\", \"request_url\": \"/\"}]}",
             te_closed_port());
    te_run(&r, kw);
    te_expect_failed(&r, "refused", "Connection refused", 0);
    te_expect_failed(&r, "timeout", "timed out after 200 ms", 0);
    te_expect_failed(&r, "reset", "reset", 0);
    te_expect_failed(&r, "closed", "Empty reply", 0);
    /* one tick runs every task in order: the counts differ by at most 1 */
    assert_true(te_count(&r, "refused", NULL) <=
                te_count(&r, "fine", NULL) + 1);
    assert_true(te_count(&r, "fine", NULL) >= 2);
    te_free(&r);
}

static void test_test_time_waits_for_in_flight(void **state)
{
    te_run_t r;
    size_t failed;
    (void)state;
    te_start_target(&r);
    te_run(&r, "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
               " \"user_count\": 3, \"spawn_rate\": 100, \"test_time\": 0.5,"
               " \"tasks\": [{\"request_url\": "
               "\"http://127.0.0.1:PORT/delay/300\"}]}");
    te_print(&r);
    /* 2 rounds of 3 requests; the second finishes after test_time */
    assert_int_equal(te_count(&r, NULL, &failed), 6);
    assert_int_equal(failed, 0);
    assert_int_equal(ld_target_requests(r.target), 6);
    assert_true(r.elapsed_s >= 0.6 && r.elapsed_s < 1.5);
    te_free(&r);
}

typedef struct poke {
    volatile sig_atomic_t *flag;
    int value;
    int after_ms;
} poke_t;

static void *poke_main(void *arg)
{
    poke_t *p = arg;
    struct timespec ts = {p->after_ms / 1000, (p->after_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    __atomic_store_n(p->flag, p->value, __ATOMIC_RELAXED);
    return NULL;
}

static void run_interrupted(te_run_t *r, const char *kw, int value,
                            int after_ms, double grace)
{
    volatile sig_atomic_t flag = 0;
    poke_t p = {&flag, value, after_ms};
    pthread_t th;
    ld_run_opts_t o;
    assert_int_equal(te_compile(r, kw), 0);
    memset(&o, 0, sizeof(o));
    o.interrupt = &flag;
    o.grace_s = grace;
    assert_int_equal(pthread_create(&th, NULL, poke_main, &p), 0);
    assert_int_equal(te_run_opts(r, &o), 0);
    pthread_join(th, NULL);
    te_print(r);
}

static void test_interrupt_graceful(void **state)
{
    te_run_t r;
    size_t failed;
    (void)state;
    te_start_target(&r);
    run_interrupted(&r,
                    "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
                    " \"user_count\": 4, \"spawn_rate\": 1000,"
                    " \"test_time\": null, \"threads\": 2,"
                    " \"tasks\": [{\"request_url\":"
                    "   \"http://127.0.0.1:PORT/delay/200\"}]}",
                    1, 500, 0);
    /* requests in flight at the interrupt finish and are recorded */
    assert_int_equal(te_count(&r, NULL, &failed), ld_target_requests(r.target));
    assert_int_equal(failed, 0);
    assert_true(ld_records_count(r.records) >= 8);
    assert_true(r.elapsed_s < 1.3);
    te_free(&r);
}

static void test_interrupt_now_drops_in_flight(void **state)
{
    te_run_t r;
    (void)state;
    te_start_target(&r);
    run_interrupted(&r,
                    "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
                    " \"user_count\": 4, \"spawn_rate\": 1000,"
                    " \"test_time\": null,"
                    " \"tasks\": [{\"request_url\":"
                    "   \"http://127.0.0.1:PORT/delay/2000\"}]}",
                    2, 300, 0);
    assert_int_equal(ld_records_count(r.records), 0);
    assert_int_equal(ld_target_requests(r.target), 4);
    assert_true(r.elapsed_s < 1.0);
    te_free(&r);
}

static void test_grace_expires(void **state)
{
    te_run_t r;
    (void)state;
    te_start_target(&r);
    run_interrupted(&r,
                    "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
                    " \"user_count\": 2, \"spawn_rate\": 1000,"
                    " \"test_time\": null,"
                    " \"tasks\": [{\"name\": \"fast\", \"request_url\":"
                    "   \"http://127.0.0.1:PORT/\"},"
                    "  {\"name\": \"slow\", \"request_url\":"
                    "   \"http://127.0.0.1:PORT/delay/3000\"}]}",
                    1, 300, 0.3);
    /* the fast requests completed; the slow ones were cut at grace end */
    assert_int_equal(te_count(&r, "fast", NULL), 2);
    assert_int_equal(te_count(&r, "slow", NULL), 0);
    assert_true(r.elapsed_s > 0.55 && r.elapsed_s < 1.3);
    te_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transport_failures),
        cmocka_unit_test(test_test_time_waits_for_in_flight),
        cmocka_unit_test(test_interrupt_graceful),
        cmocka_unit_test(test_interrupt_now_drops_in_flight),
        cmocka_unit_test(test_grace_expires),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
