/*
 * The open model (arrival_rate): exact arrival counts, intended send times
 * in the records (coordinated omission), staged rates, the in-flight cap;
 * and HTTP version selection against the HTTP/1.1-only target.
 *
 * Not tested yet: h2c with prior knowledge and h2 over TLS/ALPN need an
 * HTTP/2 server on loopback (the embedded target speaks HTTP/1.1 only).
 */
#include "test_engine_util.h"

#include <math.h>

static void test_constant_rate(void **state)
{
    te_run_t r;
    size_t failed, it = 0, n = 0;
    const ld_record_t *rec;
    uint64_t t0 = UINT64_MAX;
    (void)state;
    te_start_target(&r);
    te_run(&r, "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
               " \"arrival_rate\": 200, \"test_time\": 1, \"threads\": 2,"
               " \"host\": \"http://127.0.0.1:PORT\","
               " \"tasks\": [{\"name\": \"a\", \"request_url\": \"/\"},"
               "             {\"name\": \"b\", \"request_url\": \"/json\"}]}");
    te_print(&r);
    assert_int_equal(te_count(&r, NULL, &failed), 200);
    assert_int_equal(failed, 0);
    assert_int_equal(ld_target_requests(r.target), 200);
    assert_int_equal(te_count(&r, "a", NULL), 100);
    assert_int_equal(te_count(&r, "b", NULL), 100);
    /* every record starts at its intended time k / rate, or up to 1 ms
       before it (then timed from the actual send) */
    while ((rec = ld_records_next(r.records, &it)))
        if (rec->start_ns < t0)
            t0 = rec->start_ns;
    it = 0;
    while ((rec = ld_records_next(r.records, &it))) {
        double off = (double)(rec->start_ns - t0) * 1e-9;
        double grid = ceil(off * 200.0 - 1e-6) / 200.0;
        assert_true(grid - off >= -1e-6 && grid - off < 1.1e-3);
        n++;
    }
    assert_int_equal(n, 200);
    assert_true(r.elapsed_s < 2.0);
    te_free(&r);
}

static void test_staged_rate(void **state)
{
    te_run_t r;
    (void)state;
    te_start_target(&r);
    te_run(
        &r,
        "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
        " \"arrival_rate\": {\"stages\": [{\"duration\": 0.3, \"rate\": 100},"
        "                                {\"duration\": 0.3, \"rate\": 300}]},"
        " \"host\": \"http://127.0.0.1:PORT\","
        " \"tasks\": [{\"request_url\": \"/\"}]}");
    assert_int_equal(ld_records_count(r.records), 120);
    assert_int_equal(ld_target_requests(r.target), 120);
    /* the schedule's end ends the run */
    assert_true(r.elapsed_s > 0.55 && r.elapsed_s < 1.6);
    te_free(&r);
}

static void test_latency_from_intended_time(void **state)
{
    te_run_t r;
    size_t it = 0;
    const ld_record_t *rec;
    (void)state;
    te_start_target(&r);
    /* slow responses do not slow the schedule: 25 arrivals in 0.5 s */
    te_run(&r, "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
               " \"arrival_rate\": 50, \"test_time\": 0.5,"
               " \"host\": \"http://127.0.0.1:PORT\","
               " \"tasks\": [{\"request_url\": \"/delay/300\"}]}");
    assert_int_equal(ld_records_count(r.records), 25);
    while ((rec = ld_records_next(r.records, &it))) {
        assert_int_equal(rec->error_id, 0);
        assert_true(rec->latency_us >= 298000 && rec->latency_us < 1000000);
    }
    te_free(&r);
}

static void test_in_flight_cap(void **state)
{
    te_run_t r;
    size_t failed, it = 0, dropped = 0;
    const ld_record_t *rec;
    (void)state;
    te_start_target(&r);
    te_run(&r,
           "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
           " \"arrival_rate\": 100, \"max_in_flight\": 5, \"test_time\": 0.5,"
           " \"threads\": 1, \"host\": \"http://127.0.0.1:PORT\","
           " \"tasks\": [{\"request_url\": \"/delay/1000\"}]}");
    assert_int_equal(te_count(&r, NULL, &failed), 50);
    assert_int_equal(failed, 45);
    assert_int_equal(ld_target_requests(r.target), 5);
    while ((rec = ld_records_next(r.records, &it)))
        if (rec->error_id) {
            assert_string_equal(ld_records_str(r.records, rec->error_id),
                                "dropped: too many in flight");
            assert_true(rec->flags & LD_RECORD_NOT_SENT);
            assert_int_equal(rec->status, 0);
            dropped++;
        }
    assert_int_equal(dropped, 45);
    te_free(&r);
}

static void test_http2_falls_back_on_cleartext(void **state)
{
    te_run_t r;
    size_t failed;
    (void)state;
    te_start_target(&r);
    /* "2" means HTTP/2 over TLS (ALPN); on http:// it is plain HTTP/1.1 */
    te_run(&r, "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0,"
               "                      \"http_version\": \"2\"},"
               " \"user_count\": 2, \"test_time\": 0.3,"
               " \"host\": \"http://127.0.0.1:PORT\","
               " \"tasks\": [{\"request_url\": \"/\"},"
               "             {\"request_url\": \"/json\", \"http_version\": "
               "\"1.1\"}]}");
    assert_true(te_count(&r, NULL, &failed) > 10);
    assert_int_equal(failed, 0);
    assert_int_equal(ld_records_count(r.records), ld_target_requests(r.target));
    te_free(&r);
}

static void test_h2c_against_http1_fails_cleanly(void **state)
{
    te_run_t r;
    size_t failed, n;
    (void)state;
    te_start_target(&r);
    te_run(&r, "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
               " \"user_count\": 1, \"test_time\": 0.3,"
               " \"host\": \"http://127.0.0.1:PORT\", \"http_version\":"
               " \"2-prior-knowledge\","
               " \"tasks\": [{\"request_url\": \"/\", \"timeout\": 0.2}]}");
    n = te_count(&r, NULL, &failed);
    print_message("h2c vs HTTP/1.1: %zu records, error \"%s\"\n", n,
                  te_first_error(&r, NULL));
    assert_true(n > 0);
    assert_int_equal(failed, n);
    te_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_rate),
        cmocka_unit_test(test_staged_rate),
        cmocka_unit_test(test_latency_from_intended_time),
        cmocka_unit_test(test_in_flight_cap),
        cmocka_unit_test(test_http2_falls_back_on_cleartext),
        cmocka_unit_test(test_h2c_against_http1_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
