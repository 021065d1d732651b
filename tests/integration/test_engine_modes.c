/*
 * Scenario features of the closed model: weighted and conditional modes,
 * think time, throttle shared across threads, retry budgets, spawn rate
 * ramp, load shapes (stages, spike, soak) and per-user extractor scopes.
 */
#include "test_engine_util.h"

#include <math.h>

static void test_weighted_proportions(void **state)
{
    te_run_t r;
    double a, b, frac;
    (void)state;
    te_start_target(&r);
    te_run(&r, "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
               " \"user_count\": 4, \"spawn_rate\": 1000, \"test_time\": 1,"
               " \"threads\": 2, \"host\": \"http://127.0.0.1:PORT\","
               " \"tasks\": {\"mode\": \"weighted\", \"tasks\": ["
               "  {\"name\": \"A\", \"request_url\": \"/\", \"weight\": 3},"
               "  {\"name\": \"B\", \"request_url\": \"/json\", \"weight\": 1},"
               "  {\"name\": \"Z\", \"request_url\": \"/\", \"weight\": 0}]}}");
    a = (double)te_count(&r, "A", NULL);
    b = (double)te_count(&r, "B", NULL);
    frac = a / (a + b);
    print_message("A=%.0f B=%.0f frac=%.3f\n", a, b, frac);
    assert_true(a + b > 1000);
    /* binomial sd at n >= 1000 is < 0.014: allow ~4 sd */
    assert_true(fabs(frac - 0.75) < 0.05);
    assert_int_equal(te_count(&r, "Z", NULL), 0);
    assert_int_equal(ld_records_count(r.records), ld_target_requests(r.target));
    te_free(&r);
}

static void test_conditional_predicates(void **state)
{
    te_run_t r;
    (void)state;
    te_start_target(&r);
    te_run(&r,
           "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
           " \"user_count\": 2, \"spawn_rate\": 1000, \"test_time\": 0.4,"
           " \"host\": \"http://127.0.0.1:PORT\","
           " \"variables\": {\"flag\": \"yes\", \"off\": false, \"n\": 3},"
           " \"tasks\": {\"mode\": \"conditional\", \"tasks\": ["
           "  {\"name\": \"on\", \"request_url\": \"/\","
           "   \"run_if\": \"${var.flag}\"},"
           "  {\"name\": \"off\", \"request_url\": \"/\","
           "   \"run_if\": \"${var.off}\"},"
           "  {\"name\": \"unset\", \"request_url\": \"/\","
           "   \"run_if\": \"${var.nobody}\"},"
           "  {\"name\": \"skipped\", \"request_url\": \"/\","
           "   \"skip_if\": {\"equals\": [\"${var.flag}\", \"yes\"]}},"
           "  {\"name\": \"in\", \"request_url\": \"/\","
           "   \"run_if\": {\"in\": [\"${var.flag}\", [\"yes\", \"no\"]]}},"
           "  {\"name\": \"num\", \"request_url\": \"/\","
           "   \"run_if\": {\"equals\": [\"${var.n}\", 3.0]}},"
           "  {\"name\": \"neq\", \"request_url\": \"/\","
           "   \"run_if\": {\"not_equals\": [1, 2]}},"
           "  {\"name\": \"truthy\", \"request_url\": \"/\","
           "   \"run_if\": {\"truthy\": \"${var.off}\"}},"
           "  {\"name\": \"never\", \"request_url\": \"/\", \"run_if\": false}"
           "]}}");
    assert_true(te_count(&r, "on", NULL) > 10);
    assert_true(te_count(&r, "in", NULL) > 10);
    assert_true(te_count(&r, "num", NULL) > 10);
    assert_true(te_count(&r, "neq", NULL) > 10);
    assert_int_equal(te_count(&r, "off", NULL), 0);
    assert_int_equal(te_count(&r, "unset", NULL), 0);
    assert_int_equal(te_count(&r, "skipped", NULL), 0);
    assert_int_equal(te_count(&r, "truthy", NULL), 0);
    assert_int_equal(te_count(&r, "never", NULL), 0);
    te_free(&r);
}

static void test_think_time(void **state)
{
    te_run_t r;
    size_t fixed, range;
    (void)state;
    te_start_target(&r);
    te_run(
        &r,
        "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
        " \"user_count\": 2, \"spawn_rate\": 1000, \"test_time\": 1,"
        " \"host\": \"http://127.0.0.1:PORT\","
        " \"tasks\": ["
        "  {\"name\": \"fixed\", \"request_url\": \"/\", \"think_time\": 0.05},"
        "  {\"name\": \"range\", \"request_url\": \"/\","
        "   \"think_time\": {\"min\": 0.02, \"max\": 0.08}}]}");
    fixed = te_count(&r, "fixed", NULL);
    range = te_count(&r, "range", NULL);
    print_message("fixed=%zu range=%zu\n", fixed, range);
    /* a tick takes ~0.1 s: about 10 ticks per user, plus the first at t=0
     * and the one in flight at test_time, which the grace period records */
    assert_true(fixed >= 16 && fixed <= 24);
    assert_true(range >= 14 && range <= 26);
    te_free(&r);

    /* user_detail_dict.wait_time pauses between ticks */
    te_start_target(&r);
    te_run(&r, "{\"user_detail_dict\": {\"user\": \"fast_http_user\","
               "                      \"wait_time\": 0.1},"
               " \"user_count\": 1, \"test_time\": 0.55,"
               " \"tasks\": [{\"url\": \"http://127.0.0.1:PORT/\"}]}");
    fixed = ld_records_count(r.records);
    print_message("wait_time 0.1 s over 0.55 s: %zu requests\n", fixed);
    assert_true(fixed >= 5 && fixed <= 7);
    te_free(&r);
}

static void test_throttle_shared(void **state)
{
    te_run_t r;
    size_t n;
    (void)state;
    te_start_target(&r);
    te_run(&r,
           "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
           " \"user_count\": 6, \"spawn_rate\": 1000, \"test_time\": 1.5,"
           " \"threads\": 2, \"host\": \"http://127.0.0.1:PORT\","
           " \"tasks\": ["
           "  {\"name\": \"a\", \"request_url\": \"/\","
           "   \"throttle\": {\"key\": \"k\", \"rps\": 20, \"burst\": 1}},"
           "  {\"name\": \"b\", \"request_url\": \"/json\","
           "   \"throttle\": {\"key\": \"k\", \"rps\": 20, \"burst\": 1}}]}");
    n = ld_records_count(r.records);
    print_message("throttled requests: %zu (expected ~31)\n", n);
    /* 1 token at start + 20/s over 1.5 s, shared by both tasks and threads */
    assert_true(n >= 27 && n <= 34);
    te_free(&r);
}

static void test_retry_budgets(void **state)
{
    te_run_t r;
    size_t it = 0, first = 0, retries = 0, perm_retries = 0, flaky = 0;
    const ld_record_t *rec;
    (void)state;
    te_start_target(&r);
    te_run(&r,
           "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
           " \"user_count\": 1, \"test_time\": 0.5,"
           " \"host\": \"http://127.0.0.1:PORT\","
           " \"tasks\": ["
           "  {\"name\": \"t503\", \"request_url\": \"/status/503\","
           "   \"retry\": {\"transient\": 2, \"base_delay\": 0.01,"
           "              \"max_delay\": 0.02, \"jitter\": 0}},"
           "  {\"name\": \"t404\", \"request_url\": \"/status/404\","
           "   \"retry\": {\"transient\": 2, \"base_delay\": 0.01}},"
           "  {\"name\": \"flaky\", \"request_url\": \"/json\","
           "   \"assertions\": [{\"type\": \"contains\", \"value\": \"nope\"}],"
           "   \"retry\": {\"flaky\": 1, \"base_delay\": 0.01}}]}");
    while ((rec = ld_records_next(r.records, &it))) {
        const char *name = ld_records_str(r.records, rec->name_id);
        bool retry = rec->flags & LD_RECORD_RETRY;
        assert_true(rec->error_id != 0);
        if (!strcmp(name, "t503")) {
            first += !retry;
            retries += retry;
        } else if (!strcmp(name, "t404")) {
            perm_retries += retry;
        } else if (retry) {
            flaky++;
        }
    }
    print_message("503: first=%zu retries=%zu; 404 retries=%zu; flaky=%zu\n",
                  first, retries, perm_retries, flaky);
    assert_true(first >= 3);
    assert_true(retries + 2 >= 2 * first && retries <= 2 * first);
    assert_int_equal(perm_retries, 0);
    assert_true(flaky + 1 >= first && flaky <= first);
    te_free(&r);
}

/* Offsets (s) of every record's start from the first one, sorted. */
static size_t start_offsets(const te_run_t *r, double *out, size_t max)
{
    size_t n = 0, it = 0;
    const ld_record_t *rec;
    uint64_t t0 = UINT64_MAX;
    while ((rec = ld_records_next(r->records, &it)))
        if (rec->start_ns < t0)
            t0 = rec->start_ns;
    it = 0;
    while ((rec = ld_records_next(r->records, &it)) && n < max)
        out[n++] = (double)(rec->start_ns - t0) * 1e-9;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
            double t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return n;
}

static void test_spawn_rate_ramp(void **state)
{
    te_run_t r;
    double off[16];
    size_t n;
    (void)state;
    te_start_target(&r);
    /* each user sends one request when it starts, then thinks for long */
    te_run(&r, "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
               " \"user_count\": 5, \"spawn_rate\": 10, \"test_time\": 0.7,"
               " \"threads\": 2, \"host\": \"http://127.0.0.1:PORT\","
               " \"tasks\": [{\"request_url\": \"/\", \"think_time\": 30}]}");
    n = start_offsets(&r, off, 16);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++) {
        print_message("user %zu started at %.3f s\n", i, off[i]);
        assert_true(fabs(off[i] - 0.1 * (double)i) < 0.05);
    }
    assert_true(r.elapsed_s < 1.3); /* thinking users stop at once */
    te_free(&r);
}

static void test_shape_stages(void **state)
{
    te_run_t r;
    double off[16];
    size_t n;
    (void)state;
    te_start_target(&r);
    te_run(&r, "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
               " \"host\": \"http://127.0.0.1:PORT\","
               " \"load_shape\": \"stages\", \"shape_config\": {\"stages\": ["
               "   {\"duration\": 0.4, \"users\": 2, \"spawn_rate\": 1000},"
               "   {\"duration\": 0.4, \"users\": 5, \"spawn_rate\": 1000}]},"
               " \"tasks\": [{\"request_url\": \"/\", \"think_time\": 30}]}");
    n = start_offsets(&r, off, 16);
    assert_int_equal(n, 5);
    assert_true(off[1] < 0.05);
    for (size_t i = 2; i < 5; i++)
        assert_true(fabs(off[i] - 0.4) < 0.06);
    /* the shape's end ends the run (the default test_time does not apply) */
    assert_true(r.elapsed_s > 0.75 && r.elapsed_s < 1.6);
    te_free(&r);
}

static void test_shape_spike_and_soak(void **state)
{
    te_run_t r;
    double off[16];
    size_t n;
    (void)state;
    te_start_target(&r);
    te_run(&r,
           "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
           " \"host\": \"http://127.0.0.1:PORT\","
           " \"load_shape\": \"spike\", \"shape_config\": {"
           "   \"baseline_users\": 1, \"spike_users\": 3, \"spawn_rate\": 1000,"
           "   \"pre_seconds\": 0.3, \"spike_seconds\": 0.3,"
           "   \"post_seconds\": 0.3},"
           " \"tasks\": [{\"request_url\": \"/\", \"think_time\": 30}]}");
    n = start_offsets(&r, off, 16);
    assert_int_equal(n, 3);
    assert_true(fabs(off[1] - 0.3) < 0.06 && fabs(off[2] - 0.3) < 0.06);
    assert_true(r.elapsed_s > 0.85 && r.elapsed_s < 1.7);
    te_free(&r);

    te_start_target(&r);
    te_run(&r, "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
               " \"host\": \"http://127.0.0.1:PORT\","
               " \"load_shape\": \"soak\", \"shape_config\": {"
               "   \"users\": 4, \"spawn_rate\": 1000, \"ramp_seconds\": 0.4,"
               "   \"hold_seconds\": 0.2, \"cooldown_seconds\": 0.2},"
               " \"tasks\": [{\"request_url\": \"/\", \"think_time\": 30}]}");
    n = start_offsets(&r, off, 16);
    assert_int_equal(n, 4);
    /* users = max(1, floor(4 t / 0.4)): 1 at 0, then at 0.2, 0.3, 0.4 */
    assert_true(fabs(off[1] - 0.2) < 0.06);
    assert_true(fabs(off[2] - 0.3) < 0.06);
    assert_true(fabs(off[3] - 0.4) < 0.06);
    assert_true(r.elapsed_s > 0.75 && r.elapsed_s < 1.6);
    te_free(&r);
}

static void test_extractors_are_per_user(void **state)
{
    te_run_t r;
    size_t failed;
    (void)state;
    te_start_target(&r);
    /* Each user logs in only while it has no token of its own; users start
       100 ms apart, so a shared scope would log in once, not 5 times. The
       echo assertion checks each user sends its own token back. */
    te_run(&r,
           "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
           " \"user_count\": 5, \"spawn_rate\": 10, \"test_time\": 0.8,"
           " \"threads\": 2, \"host\": \"http://127.0.0.1:PORT\","
           " \"tasks\": ["
           "  {\"name\": \"login\", \"method\": \"post\","
           "   \"request_url\": \"/login\", \"run_if\": {\"truthy\": \"x\"},"
           "   \"skip_if\": \"${var.tok}\","
           "   \"extract\": [{\"var\": \"tok\", \"from\": \"json_path\","
           "                  \"path\": \"data.token\"}]},"
           "  {\"name\": \"echo\", \"method\": \"post\", \"request_url\": "
           "\"/echo\","
           "   \"data\": \"mine=${var.tok}\","
           "   \"assertions\": [{\"type\": \"contains\","
           "                     \"value\": \"mine=${var.tok}\"}]}]}");
    assert_int_equal(te_count(&r, "login", &failed), 5);
    assert_int_equal(failed, 0);
    assert_true(te_count(&r, "echo", &failed) > 20);
    assert_int_equal(failed, 0);
    te_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weighted_proportions),
        cmocka_unit_test(test_conditional_predicates),
        cmocka_unit_test(test_think_time),
        cmocka_unit_test(test_throttle_shared),
        cmocka_unit_test(test_retry_budgets),
        cmocka_unit_test(test_spawn_rate_ramp),
        cmocka_unit_test(test_shape_stages),
        cmocka_unit_test(test_shape_spike_and_soak),
        cmocka_unit_test(test_extractors_are_per_user),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
