/*
 * The HTTP driver test suite, run once per driver ("curl": libcurl, and
 * "native": the HTTP/1.1 path for plain http://) against the embedded
 * target: methods, query parameters, JSON and form bodies, headers, basic
 * and bearer auth, cookies, status codes, HEAD, large bodies, keep-alive
 * reuse, closed and reset connections, refused connections, timeouts,
 * assertions and extractors. Every run checks that the records match the
 * requests the server received, one for one.
 */
#include "test_engine_util.h"

#define USERKW(drv)                                                            \
    "\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0,"   \
    " \"driver\": \"" drv "\"}"

/* kwargs with DRIVER replaced by the test's driver, then run; the records
   must match the requests the server saw, except those named unseen. */
static void dr_run_unseen(te_run_t *r, void **state, const char *kw,
                          const char *unseen)
{
    const char *drv = te_driver(*state);
    ld_buf_t b;
    const char *p = kw, *q;
    ld_buf_init(&b, 0);
    while ((q = strstr(p, "DRIVER"))) {
        ld_buf_add(&b, p, (size_t)(q - p));
        ld_buf_adds(&b, drv);
        p = q + 6;
    }
    ld_buf_adds(&b, p);
    te_run(r, b.data);
    ld_buf_free(&b);
    print_message("%s: %zu records, %llu requests at the server\n",
                  (const char *)*state,
                  ld_records_count(r->records),
                  (unsigned long long)ld_target_requests(r->target));
    /* one record per request the server saw */
    assert_int_equal(ld_records_count(r->records) -
                         (unseen ? te_count(r, unseen, NULL) : 0),
                     ld_target_requests(r->target));
}

static void dr_run(te_run_t *r, void **state, const char *kw)
{
    dr_run_unseen(r, state, kw, NULL);
}

static void expect_ok(te_run_t *r, const char *name)
{
    size_t failed, n = te_count(r, name, &failed);
    if (failed)
        print_error("%s: %s\n", name, te_first_error(r, name));
    assert_true(n > 0);
    assert_int_equal(failed, 0);
}

/* Every record of name has this status and response length. */
static void expect_resp(te_run_t *r, const char *name, int status, uint32_t len)
{
    size_t it = 0, n = 0;
    const ld_record_t *rec;
    while ((rec = ld_records_next(r->records, &it)))
        if (!strcmp(ld_records_str(r->records, rec->name_id), name)) {
            assert_int_equal(rec->status, status);
            assert_int_equal(rec->resp_len, len);
            n++;
        }
    assert_true(n > 0);
}

static void test_methods_and_bodies(void **state)
{
    te_run_t r;
    te_start_target(&r);
    dr_run(&r, state,
           "{" USERKW(
               "DRIVER") ", \"user_count\": 2, \"spawn_rate\": 100,"
                         " \"test_time\": 0.4, \"host\": "
                         "\"http://127.0.0.1:PORT\","
                         " \"variables\": {\"v\": \"tmpl\"},"
                         " \"tasks\": ["
                         "  {\"name\": \"get\", \"request_url\": \"/get\","
                         "   \"params\": {\"a\": \"1\", \"b\": \"x y\", \"c\": "
                         "\"${var.v}\"},"
                         "   \"assertions\": ["
                         "    {\"type\": \"json_path\", \"path\": \"method\", "
                         "\"value\": \"GET\"},"
                         "    {\"type\": \"json_path\", \"path\": \"query\","
                         "     \"value\": \"a=1&b=x+y&c=tmpl\"}]},"
                         "  {\"name\": \"post\", \"method\": \"post\", "
                         "\"request_url\": \"/post\","
                         "   \"json\": {\"k\": [1, 2], \"t\": \"${var.v}\"},"
                         "   \"assertions\": ["
                         "    {\"type\": \"json_path\", \"path\": "
                         "\"json.k.1\", \"value\": 2},"
                         "    {\"type\": \"json_path\", \"path\": \"json.t\", "
                         "\"value\": \"tmpl\"}]},"
                         "  {\"name\": \"put\", \"method\": \"put\", "
                         "\"request_url\": \"/put\","
                         "   \"data\": {\"f\": \"v w\", \"g\": [\"1\", \"2\"]},"
                         "   \"assertions\": [{\"type\": \"json_path\", "
                         "\"path\": \"data\","
                         "    \"value\": \"f=v+w&g=1&g=2\"}]},"
                         "  {\"name\": \"patch\", \"method\": \"patch\", "
                         "\"request_url\": \"/patch\","
                         "   \"data\": \"raw ${var.v}\","
                         "   \"assertions\": [{\"type\": \"json_path\", "
                         "\"path\": \"length\","
                         "    \"value\": 8}]},"
                         "  {\"name\": \"delete\", \"method\": \"delete\","
                         "   \"request_url\": \"/delete\","
                         "   \"assertions\": [{\"type\": \"json_path\", "
                         "\"path\": \"method\","
                         "    \"value\": \"DELETE\"}]},"
                         "  {\"name\": \"head\", \"method\": \"head\", "
                         "\"request_url\": \"/get\"},"
                         "  {\"name\": \"options\", \"method\": \"options\","
                         "   \"request_url\": \"/anything\","
                         "   \"assertions\": [{\"type\": \"contains\","
                         "    \"value\": \"\\\"OPTIONS\\\"\"}]},"
                         "  {\"name\": \"post-empty\", \"method\": \"post\","
                         "   \"request_url\": \"/post\","
                         "   \"assertions\": [{\"type\": \"json_path\", "
                         "\"path\": \"length\","
                         "    \"value\": 0}]}"
                         "]}");
    expect_ok(&r, "get");
    expect_ok(&r, "post");
    expect_ok(&r, "put");
    expect_ok(&r, "patch");
    expect_ok(&r, "delete");
    expect_ok(&r, "options");
    expect_ok(&r, "post-empty");
    expect_ok(&r, "head");
    expect_resp(&r, "head", 200, 0); /* HEAD: no body despite the length */
    te_free(&r);
}

static void test_headers_auth_cookies(void **state)
{
    te_run_t r;
    te_start_target(&r);
    dr_run(
        &r, state,
        "{" USERKW(
            "DRIVER") ", \"user_count\": 1, \"test_time\": 0.3,"
                      " \"host\": \"http://127.0.0.1:PORT\", \"variables\": "
                      "{\"who\": \"me\"},"
                      " \"tasks\": ["
                      "  {\"name\": \"hdr\", \"request_url\": \"/headers\","
                      "   \"headers\": {\"X-Custom\": \"v1\", \"X-Tmpl\": "
                      "\"${var.who}\","
                      "                 \"X-Empty\": \"\"},"
                      "   \"assertions\": ["
                      "    {\"type\": \"json_path\", \"path\": \"x-custom\", "
                      "\"value\": \"v1\"},"
                      "    {\"type\": \"json_path\", \"path\": \"x-tmpl\", "
                      "\"value\": \"me\"},"
                      "    {\"type\": \"json_path\", \"path\": \"x-empty\", "
                      "\"value\": \"\"},"
                      "    {\"type\": \"json_path\", \"path\": \"accept\", "
                      "\"value\": \"*/*\"},"
                      "    {\"type\": \"json_path\", \"path\": \"user-agent\","
                      "     \"value\": \"loaddensity/" LD_VERSION "\"}]},"
                      "  {\"name\": \"basic\", \"request_url\": \"/headers\","
                      "   \"auth\": [\"u\", \"p\"],"
                      "   \"assertions\": [{\"type\": \"json_path\", \"path\": "
                      "\"authorization\","
                      "    \"value\": \"Basic dTpw\"}]},"
                      "  {\"name\": \"basic-tmpl\", \"request_url\": "
                      "\"/headers\","
                      "   \"auth\": {\"type\": \"basic\", \"username\": "
                      "\"${var.who}\","
                      "              \"password\": \"pw\"},"
                      "   \"assertions\": [{\"type\": \"json_path\", \"path\": "
                      "\"authorization\","
                      "    \"value\": \"Basic bWU6cHc=\"}]},"
                      "  {\"name\": \"bearer\", \"request_url\": \"/headers\","
                      "   \"auth\": {\"type\": \"bearer\", \"token\": "
                      "\"T-${var.who}\"},"
                      "   \"assertions\": [{\"type\": \"json_path\", \"path\": "
                      "\"authorization\","
                      "    \"value\": \"Bearer T-me\"}]},"
                      "  {\"name\": \"cookies\", \"request_url\": \"/headers\","
                      "   \"cookies\": {\"c1\": \"v1\", \"c2\": "
                      "\"${var.who}\"},"
                      "   \"assertions\": [{\"type\": \"json_path\", \"path\": "
                      "\"cookie\","
                      "    \"value\": \"c1=v1; c2=me\"}]},"
                      "  {\"name\": \"ua\", \"request_url\": \"/headers\","
                      "   \"headers\": {\"User-Agent\": \"mine\", \"Accept\": "
                      "\"text/plain\"},"
                      "   \"assertions\": ["
                      "    {\"type\": \"json_path\", \"path\": \"user-agent\", "
                      "\"value\": \"mine\"},"
                      "    {\"type\": \"json_path\", \"path\": \"accept\","
                      "     \"value\": \"text/plain\"}]}"
                      "]}");
    expect_ok(&r, "hdr");
    expect_ok(&r, "basic");
    expect_ok(&r, "basic-tmpl");
    expect_ok(&r, "bearer");
    expect_ok(&r, "cookies");
    expect_ok(&r, "ua");
    te_free(&r);
}

static void test_status_codes(void **state)
{
    te_run_t r;
    te_start_target(&r);
    dr_run(
        &r, state,
        "{" USERKW(
            "DRIVER") ", \"user_count\": 1, \"test_time\": 0.3,"
                      " \"host\": \"http://127.0.0.1:PORT\", \"tasks\": ["
                      "  {\"name\": \"404\", \"request_url\": \"/status/404\"},"
                      "  {\"name\": \"503\", \"request_url\": \"/status/503\"},"
                      "  {\"name\": \"204\", \"request_url\": \"/status/204\"},"
                      "  {\"name\": \"304\", \"request_url\": \"/status/304\"},"
                      "  {\"name\": \"201\", \"method\": \"post\","
                      "   \"request_url\": \"/status/201\", \"data\": \"x\"},"
                      "  {\"name\": \"asserted\", \"request_url\": "
                      "\"/status/418\","
                      "   \"assertions\": [{\"type\": \"status_code\", "
                      "\"value\": 418}]}"
                      "]}");
    te_expect_failed(&r, "404", "HTTP 404", 404);
    te_expect_failed(&r, "503", "HTTP 503", 503);
    expect_ok(&r, "204");
    expect_resp(&r, "204", 204, 0);
    expect_ok(&r, "304");
    expect_resp(&r, "304", 304, 0);
    expect_ok(&r, "201");
    expect_resp(&r, "201", 201, 0);
    expect_ok(&r, "asserted");
    te_free(&r);
}

static void test_large_bodies(void **state)
{
    te_run_t r;
    te_start_target(&r);
    dr_run(&r, state,
           "{" USERKW("DRIVER") ", \"user_count\": 2, \"test_time\": 0.4,"
                                " \"spawn_rate\": 100, \"host\": "
                                "\"http://127.0.0.1:PORT\","
                                " \"tasks\": ["
                                "  {\"name\": \"big\", \"request_url\": "
                                "\"/bytes/1000000\","
                                "   \"assertions\": [{\"type\": \"contains\", "
                                "\"value\": \"xxxx\"}]},"
                                "  {\"name\": \"big-uncheck\", "
                                "\"request_url\": \"/bytes/300000\"},"
                                "  {\"name\": \"echo\", \"method\": \"post\", "
                                "\"request_url\": \"/echo\","
                                "   \"data\": \"${var.big}\","
                                "   \"assertions\": [{\"type\": \"contains\", "
                                "\"value\": \"zzzz\"}]}],"
                                " \"variables\": {\"big\": "
                                "\"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
                                "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
                                "zzzzzzzzzzzzzzzzz\"}}");
    expect_ok(&r, "big");
    expect_resp(&r, "big", 200, 1000000);
    expect_ok(&r, "big-uncheck");
    expect_resp(&r, "big-uncheck", 200, 300000);
    expect_ok(&r, "echo");
    expect_resp(&r, "echo", 200, 103);
    te_free(&r);
}

static void test_keep_alive_reuse(void **state)
{
    te_run_t r;
    te_start_target(&r);
    dr_run(&r, state,
           "{" USERKW(
               "DRIVER") ", \"user_count\": 5, \"spawn_rate\": 1000,"
                         " \"test_time\": 0.5, \"threads\": 1,"
                         " \"tasks\": [{\"name\": \"root\","
                         "   \"request_url\": \"http://127.0.0.1:PORT/\"}]}");
    print_message("%zu requests over %llu connections\n",
                  ld_records_count(r.records),
                  (unsigned long long)ld_target_connections(r.target));
    expect_ok(&r, "root");
    expect_resp(&r, "root", 200, 13);
    assert_true(ld_records_count(r.records) > 200);
    /* one connection per user, kept for every request */
    assert_int_equal(ld_target_connections(r.target), 5);
    te_free(&r);
}

static void test_closed_connection(void **state)
{
    te_run_t r;
    te_start_target(&r);
    dr_run(&r, state,
           "{" USERKW("DRIVER") ", \"user_count\": 1, \"test_time\": 0.3,"
                                " \"host\": \"http://127.0.0.1:PORT\","
                                " \"tasks\": [{\"name\": \"closed\", "
                                "\"request_url\": \"/close\"}]}");
    te_expect_failed(&r, "closed", "Empty reply from server", 0);
    /* the server hangs up every time: one connection per request */
    assert_int_equal(ld_target_connections(r.target),
                     ld_records_count(r.records));
    te_free(&r);
}

static void test_reset_connection(void **state)
{
    te_run_t r;
    te_start_target(&r);
    dr_run(&r, state,
           "{" USERKW("DRIVER") ", \"user_count\": 1, \"test_time\": 0.3,"
                                " \"host\": \"http://127.0.0.1:PORT\","
                                " \"tasks\": [{\"name\": \"reset\", "
                                "\"request_url\": \"/reset\"}]}");
    te_expect_failed(&r, "reset", "Recv failure: Connection reset by peer", 0);
    te_free(&r);
}

static void test_refused_and_timeout(void **state)
{
    te_run_t r;
    char kw[1024];
    te_start_target(&r);
    snprintf(
        kw, sizeof(kw),
        "{" USERKW(
            "DRIVER") ", \"user_count\": 1, \"test_time\": 0.5,"
                      " \"host\": \"http://127.0.0.1:PORT\", \"tasks\": ["
                      "  {\"name\": \"refused\", \"request_url\": "
                      "\"http://127.0.0.1:%d/\"},"
                      "  {\"name\": \"timeout\", \"request_url\": "
                      "\"/delay/3000\","
                      "   \"timeout\": 0.2},"
                      "  {\"name\": \"fine\", \"request_url\": \"/delay/10\","
                      "   \"timeout\": 1}]}",
        te_closed_port());
    dr_run_unseen(&r, state, kw, "refused");
    te_expect_failed(&r, "refused", "Failed to connect: Connection refused", 0);
    te_expect_failed(&r, "timeout", "Operation timed out after 200 ms", 0);
    expect_ok(&r, "fine");
    /* each tick: refused, then a 200 ms timeout, then 10 ms */
    assert_true(te_count(&r, "fine", NULL) + 1 >=
                te_count(&r, "timeout", NULL));
    assert_true(te_count(&r, "fine", NULL) >= 1);
    te_free(&r);
}

static void test_extract_and_assert(void **state)
{
    te_run_t r;
    te_start_target(&r);
    dr_run(&r, state,
           "{" USERKW(
               "DRIVER") ", \"user_count\": 3, \"spawn_rate\": 1000,"
                         " \"test_time\": 0.5, \"threads\": 2,"
                         " \"host\": \"http://127.0.0.1:PORT\", \"tasks\": ["
                         "  {\"name\": \"login\", \"method\": \"post\", "
                         "\"request_url\": \"/login\","
                         "   \"json\": {\"u\": \"x\"},"
                         "   \"assertions\": [{\"type\": \"header\", \"name\": "
                         "\"Content-Type\","
                         "    \"value\": \"application/json\"}],"
                         "   \"extract\": [{\"var\": \"token\", \"from\": "
                         "\"json_path\","
                         "    \"path\": \"data.token\"},"
                         "    {\"var\": \"rid\", \"from\": \"header\", "
                         "\"name\": \"X-Request-Id\"}]},"
                         "  {\"name\": \"auth\", \"request_url\": \"/auth\","
                         "   \"headers\": {\"Authorization\": \"Bearer "
                         "${var.token}\","
                         "                 \"X-Rid\": \"${var.rid}\"},"
                         "   \"assertions\": [{\"type\": \"status_code\", "
                         "\"value\": 200}]},"
                         "  {\"name\": \"noauth\", \"request_url\": \"/auth\","
                         "   \"assertions\": [{\"type\": \"status_code\", "
                         "\"value\": 200}]}"
                         "]}");
    expect_ok(&r, "login");
    expect_ok(&r, "auth");
    te_expect_failed(&r, "noauth", "401", 401);
    te_free(&r);
}

static void test_many_users(void **state)
{
    te_run_t r;
    size_t failed;
    te_start_target(&r);
    dr_run(&r, state,
           "{" USERKW("DRIVER") ", \"user_count\": 300, \"spawn_rate\": 100000,"
                                " \"test_time\": 0.6, \"threads\": 2,"
                                " \"tasks\": [{\"request_url\": "
                                "\"http://127.0.0.1:PORT/\"}]}");
    assert_int_equal(te_count(&r, NULL, &failed), ld_target_requests(r.target));
    assert_int_equal(failed, 0);
    assert_true(ld_records_count(r.records) > 1000);
    assert_true(ld_target_connections(r.target) >= 280);
    assert_true(ld_target_connections(r.target) <= 320);
    te_free(&r);
}

/* Driver selection: a task the native path cannot send is a compile error
   with driver "native"; an unknown driver too. */
static void test_driver_choice(void **state)
{
    te_run_t r;
    (void)state;
    te_start_target(&r);
    assert_int_equal(
        te_compile(
            &r,
            "{" USERKW(
                "native") ", \"tasks\": ["
                          " {\"request_url\": \"https://127.0.0.1:PORT/\"}]}"),
        LD_EUNAVAIL);
    print_message("%s\n", r.diag.msg);
    assert_non_null(strstr(r.diag.msg, "native HTTP/1.1 driver"));
    te_free(&r);
    te_start_target(&r);
    assert_int_equal(
        te_compile(
            &r, "{" USERKW(
                    "native") ", \"tasks\": ["
                              " {\"request_url\": \"http://127.0.0.1:PORT/\","
                              "  \"http_version\": \"2-prior-knowledge\"}]}"),
        LD_EUNAVAIL);
    te_free(&r);
    te_start_target(&r);
    assert_int_equal(
        te_compile(
            &r, "{" USERKW(
                    "fast") ", \"tasks\": ["
                            " {\"request_url\": \"http://127.0.0.1:PORT/\"}]}"),
        LD_EINVAL);
    assert_non_null(strstr(r.diag.msg, "\"driver\""));
    te_free(&r);
    /* a URL with placeholders is checked when it is rendered */
    te_start_target(&r);
    te_run(
        &r,
        "{" USERKW(
            "native") ", \"user_count\": 1,"
                      " \"test_time\": 0.2, \"variables\": {\"s\": \"https\"},"
                      " \"tasks\": [{\"name\": \"t\","
                      "  \"request_url\": \"${var.s}://127.0.0.1:PORT/\"}]}");
    assert_true(te_count(&r, "t", NULL) > 0);
    assert_non_null(strstr(te_first_error(&r, "t"), "only sends plain http"));
    assert_int_equal(ld_target_requests(r.target), 0);
    te_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_methods_and_bodies),
        BOTH(test_headers_auth_cookies),
        BOTH(test_status_codes),
        BOTH(test_large_bodies),
        BOTH(test_keep_alive_reuse),
        BOTH(test_closed_connection),
        BOTH(test_reset_connection),
        BOTH(test_refused_and_timeout),
        BOTH(test_extract_and_assert),
        BOTH(test_many_users),
        cmocka_unit_test(test_driver_choice),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
