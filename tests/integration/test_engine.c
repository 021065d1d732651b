/*
 * The engine's closed model end to end against the embedded target: exact
 * request counts, test_time stop, records and summary, assertions,
 * extraction from /login into a header for /auth with several users, the
 * LD_start_test command through an executor context.
 */
#include "test_engine_util.h"

#include "ldcore/exec.h"

static void progress_cb(const ld_progress_t *p, void *user)
{
    struct {
        unsigned calls, finals;
        ld_progress_t last;
    } *seen = user;
    seen->calls++;
    seen->finals += p->final;
    if (!p->final)
        assert_int_equal(p->target_users, 3);
    assert_true(p->users <= 3);
    seen->last = *p;
}

static void test_count_matches_server(void **state)
{
    te_run_t r;
    size_t failed;
    (void)state;
    te_start_target(&r);
    te_run(&r, "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
               " \"user_count\": 8, \"spawn_rate\": 1000, \"test_time\": 1,"
               " \"threads\": 2,"
               " \"tasks\": [{\"method\": \"get\","
               "   \"request_url\": \"http://127.0.0.1:PORT/\"}]}");
    te_print(&r);
    assert_true(ld_records_count(r.records) > 100);
    assert_int_equal(ld_records_count(r.records), ld_target_requests(r.target));
    assert_int_equal(te_count(&r, NULL, &failed), ld_records_count(r.records));
    assert_int_equal(failed, 0);
    /* the run ends within test_time + 1 s */
    assert_true(r.elapsed_s >= 0.95);
    assert_true(r.elapsed_s < 2.0);
    /* a plan can run again; its records are appended */
    {
        size_t before = ld_records_count(r.records);
        ld_run_opts_t o;
        json_t *first = r.summary;
        memset(&o, 0, sizeof(o));
        r.summary = NULL;
        assert_int_equal(te_run_opts(&r, &o), 0);
        assert_true(ld_records_count(r.records) > before);
        assert_int_equal(ld_records_count(r.records),
                         ld_target_requests(r.target));
        assert_int_equal(json_integer_value(json_object_get(
                             json_object_get(r.summary, "totals"), "requests")),
                         (json_int_t)(ld_records_count(r.records) - before));
        json_decref(first);
    }
    te_free(&r);
}

static void test_many_users_keep_alive(void **state)
{
    te_run_t r;
    size_t failed;
    (void)state;
    te_start_target(&r);
    /* 300 users on one thread span two curl multi handles */
    te_run(&r,
           "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
           " \"user_count\": 300, \"spawn_rate\": 100000, \"test_time\": 0.7,"
           " \"threads\": 1,"
           " \"tasks\": [{\"request_url\": \"http://127.0.0.1:PORT/\"}]}");
    print_message("%zu requests over %llu connections\n",
                  ld_records_count(r.records),
                  (unsigned long long)ld_target_connections(r.target));
    assert_int_equal(te_count(&r, NULL, &failed), ld_target_requests(r.target));
    assert_int_equal(failed, 0);
    assert_true(ld_records_count(r.records) > 1000);
    /* keep-alive: about one connection per user, not one per request */
    assert_true(ld_target_connections(r.target) >= 250);
    assert_true(ld_target_connections(r.target) <= 320);
    te_free(&r);
}

static void test_records_and_summary(void **state)
{
    te_run_t r;
    const ld_record_t *rec;
    json_t *tot, *pn;
    (void)state;
    te_start_target(&r);
    te_run(&r, "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
               " \"user_count\": 2, \"spawn_rate\": 100, \"test_time\": 0.5,"
               " \"host\": \"http://127.0.0.1:PORT\","
               " \"tasks\": [{\"method\": \"get\", \"request_url\": \"/\"},"
               "   {\"method\": \"post\", \"request_url\": \"/echo\","
               "    \"name\": \"echo\", \"json\": {\"a\": [1, 2]}}]}");
    assert_int_equal(ld_records_count(r.records), ld_target_requests(r.target));
    rec = ld_records_at(r.records, 0);
    assert_non_null(rec);
    assert_true(te_count(&r, "/", NULL) > 5);
    assert_true(te_count(&r, "echo", NULL) > 5);
    for (size_t i = 0; i < ld_records_count(r.records); i++) {
        rec = ld_records_at(r.records, i);
        assert_int_equal(rec->status, 200);
        assert_int_equal(rec->error_id, 0);
        if (!strcmp(ld_records_str(r.records, rec->name_id), "/")) {
            assert_int_equal(rec->method, LD_M_GET);
            assert_int_equal(rec->resp_len, 13);
            char url[64];
            snprintf(url, sizeof(url), "http://127.0.0.1:%d/", r.port);
            assert_string_equal(ld_records_str(r.records, rec->url_id), url);
        } else {
            assert_int_equal(rec->method, LD_M_POST);
            assert_int_equal(rec->resp_len, strlen("{\"a\":[1,2]}"));
        }
    }
    tot = json_object_get(r.summary, "totals");
    assert_non_null(tot);
    assert_int_equal(json_integer_value(json_object_get(tot, "requests")),
                     (json_int_t)ld_records_count(r.records));
    assert_int_equal(json_integer_value(json_object_get(tot, "failures")), 0);
    pn = json_object_get(r.summary, "per_name");
    assert_non_null(json_object_get(pn, "/"));
    assert_non_null(json_object_get(pn, "echo"));
    te_free(&r);
}

static void test_assertion_failures(void **state)
{
    te_run_t r;
    size_t failed, n;
    (void)state;
    te_start_target(&r);
    te_run(
        &r,
        "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
        " \"user_count\": 2, \"spawn_rate\": 100, \"test_time\": 0.5,"
        " \"host\": \"http://127.0.0.1:PORT\","
        " \"tasks\": ["
        "  {\"name\": \"bad\", \"request_url\": \"/status/500\","
        "   \"assertions\": [{\"type\": \"status_code\", \"value\": 200}]},"
        "  {\"name\": \"good\", \"request_url\": \"/json\","
        "   \"assertions\": [{\"type\": \"contains\", \"value\": \"token\"},"
        "                    {\"type\": \"json_path\", \"path\": \"data.role\","
        "                     \"value\": \"admin\"}]},"
        "  {\"name\": \"nomatch\", \"request_url\": \"/json\","
        "   \"assertions\": [{\"type\": \"json_path\", \"path\": \"data.role\","
        "                     \"value\": \"user\"}]},"
        "  {\"name\": \"plain404\", \"request_url\": \"/nothing-here\"},"
        "  {\"name\": \"asserted404\", \"request_url\": \"/status/404\","
        "   \"assertions\": [{\"type\": \"status_code\", \"value\": 404}]}"
        "]}");
    assert_int_equal(ld_records_count(r.records), ld_target_requests(r.target));
    n = te_count(&r, "bad", &failed);
    assert_true(n > 0);
    assert_int_equal(failed, n);
    print_message("bad: %s\n", te_first_error(&r, "bad"));
    assert_non_null(strstr(te_first_error(&r, "bad"), "500"));
    n = te_count(&r, "good", &failed);
    assert_true(n > 0);
    assert_int_equal(failed, 0);
    n = te_count(&r, "nomatch", &failed);
    assert_int_equal(failed, n);
    print_message("nomatch: %s\n", te_first_error(&r, "nomatch"));
    assert_non_null(strstr(te_first_error(&r, "nomatch"), "admin"));
    /* without assertions a status >= 400 fails, as in Locust */
    n = te_count(&r, "plain404", &failed);
    assert_int_equal(failed, n);
    assert_string_equal(te_first_error(&r, "plain404"), "HTTP 404");
    /* an explicit status assertion decides */
    n = te_count(&r, "asserted404", &failed);
    assert_true(n > 0);
    assert_int_equal(failed, 0);
    te_free(&r);
}

static void test_extract_login_then_auth(void **state)
{
    te_run_t r;
    size_t failed, nl, na;
    (void)state;
    te_start_target(&r);
    te_run(&r,
           "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
           " \"user_count\": 6, \"spawn_rate\": 1000, \"test_time\": 1,"
           " \"threads\": 2, \"host\": \"http://127.0.0.1:PORT\","
           " \"tasks\": ["
           "  {\"method\": \"post\", \"request_url\": \"/login\","
           "   \"name\": \"login\","
           "   \"json\": {\"user\": \"u${randint(1,9)}\"},"
           "   \"extract\": [{\"var\": \"token\", \"from\": \"json_path\","
           "                  \"path\": \"data.token\"}]},"
           "  {\"method\": \"get\", \"request_url\": \"/auth\","
           "   \"name\": \"auth\","
           "   \"headers\": {\"Authorization\": \"Bearer ${var.token}\"},"
           "   \"assertions\": [{\"type\": \"status_code\", \"value\": 200}]}"
           "]}");
    te_print(&r);
    assert_int_equal(ld_records_count(r.records), ld_target_requests(r.target));
    nl = te_count(&r, "login", &failed);
    assert_int_equal(failed, 0);
    na = te_count(&r, "auth", &failed);
    assert_int_equal(failed, 0);
    assert_true(nl > 50);
    assert_true(na + 6 >= nl && na <= nl);
    te_free(&r);
}

static void test_auth_without_token_fails(void **state)
{
    te_run_t r;
    size_t failed, n;
    (void)state;
    te_start_target(&r);
    /* the bearer field uses a variable nobody extracted: 401 */
    te_run(
        &r,
        "{\"user_detail_dict\": {\"user\": \"http_user\", \"wait_time\": 0},"
        " \"user_count\": 1, \"test_time\": 0.3,"
        " \"host\": \"http://127.0.0.1:PORT\","
        " \"tasks\": [{\"request_url\": \"/auth\","
        "   \"auth\": {\"type\": \"bearer\", \"token\": \"${var.none}\"}}]}");
    n = te_count(&r, NULL, &failed);
    assert_true(n > 0);
    assert_int_equal(failed, n);
    assert_string_equal(te_first_error(&r, NULL), "HTTP 401");
    te_free(&r);
}

static void test_request_shapes(void **state)
{
    te_run_t r;
    size_t failed, n;
    (void)state;
    te_start_target(&r);
    te_run(
        &r,
        "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
        " \"user_count\": 1, \"test_time\": 0.3,"
        " \"host\": \"http://127.0.0.1:PORT\", \"variables\": {\"v\": \"val\"},"
        " \"tasks\": ["
        "  {\"name\": \"put-form\", \"method\": \"put\", \"request_url\": "
        "\"/echo\","
        "   \"data\": {\"a\": 1, \"b\": \"x y\"},"
        "   \"assertions\": ["
        "    {\"type\": \"header\", \"name\": \"X-Echo-Method\", \"value\": "
        "\"PUT\"},"
        "    {\"type\": \"contains\", \"value\": \"a=1&b=x+y\"}]},"
        "  {\"name\": \"delete\", \"method\": \"delete\", \"request_url\": "
        "\"/echo\","
        "   \"assertions\": [{\"type\": \"header\", \"name\": "
        "\"X-Echo-Method\","
        "                    \"value\": \"DELETE\"}]},"
        "  {\"name\": \"patch-json\", \"method\": \"patch\", \"request_url\": "
        "\"/echo\","
        "   \"json\": {\"k\": \"${var.v}\", \"n\": [1]},"
        "   \"assertions\": ["
        "    {\"type\": \"header\", \"name\": \"Content-Type\","
        "     \"value\": \"application/json\"},"
        "    {\"type\": \"contains\", \"value\": "
        "\"{\\\"k\\\":\\\"val\\\",\\\"n\\\":[1]}\"}]},"
        "  {\"name\": \"query\", \"request_url\": \"/echo?x=${var.v}\","
        "   \"params\": {\"q\": \"1 2\", \"r\": [\"a\", \"${var.v}\"]},"
        "   \"assertions\": [{\"type\": \"header\", \"name\": \"X-Echo-Query\","
        "                    \"value\": \"x=val&q=1+2&r=a&r=val\"}]},"
        "  {\"name\": \"head\", \"method\": \"head\", \"request_url\": \"/\"},"
        "  {\"name\": \"options\", \"method\": \"options\", \"request_url\": "
        "\"/echo\","
        "   \"assertions\": [{\"type\": \"header\", \"name\": "
        "\"X-Echo-Method\","
        "                    \"value\": \"OPTIONS\"}]},"
        "  {\"name\": \"empty-post\", \"method\": \"post\", \"request_url\": "
        "\"/echo\","
        "   \"assertions\": [{\"type\": \"header\", \"name\": "
        "\"X-Echo-Length\","
        "                    \"value\": \"0\"}]},"
        "  {\"name\": \"headers\", \"request_url\": \"/headers\","
        "   \"headers\": {\"X-One\": \"${var.v}\", \"X-Two\": \"2\"},"
        "   \"cookies\": {\"c\": \"v\"}, \"auth\": [\"u\", \"p\"],"
        "   \"assertions\": ["
        "    {\"type\": \"json_path\", \"path\": \"x-one\", \"value\": "
        "\"val\"},"
        "    {\"type\": \"json_path\", \"path\": \"x-two\", \"value\": \"2\"},"
        "    {\"type\": \"json_path\", \"path\": \"cookie\", \"value\": "
        "\"c=v\"},"
        "    {\"type\": \"json_path\", \"path\": \"authorization\","
        "     \"value\": \"Basic dTpw\"}]},"
        "  {\"name\": \"literal-headers\", \"request_url\": \"/headers\","
        "   \"headers\": {\"X-Lit\": \"a\"}, \"auth\": {\"type\": \"bearer\","
        "   \"token\": \"tok-1\"}, \"json\": {},"
        "   \"assertions\": ["
        "    {\"type\": \"json_path\", \"path\": \"x-lit\", \"value\": \"a\"},"
        "    {\"type\": \"json_path\", \"path\": \"authorization\","
        "     \"value\": \"Bearer tok-1\"},"
        "    {\"type\": \"json_path\", \"path\": \"content-type\","
        "     \"value\": \"application/json\"}]}"
        "]}");
    n = te_count(&r, NULL, &failed);
    print_message("%zu requests, first error: %s\n", n,
                  te_first_error(&r, NULL));
    assert_true(n >= 20);
    assert_int_equal(failed, 0);
    assert_int_equal(n, ld_target_requests(r.target));
    te_free(&r);
}

static void test_progress_callback(void **state)
{
    te_run_t r;
    ld_run_opts_t o;
    struct {
        unsigned calls, finals;
        ld_progress_t last;
    } seen;
    (void)state;
    memset(&seen, 0, sizeof(seen));
    te_start_target(&r);
    assert_int_equal(
        te_compile(&r, "{\"user_detail_dict\": {\"wait_time\": 0},"
                       " \"user_count\": 3, \"spawn_rate\": 100,"
                       " \"test_time\": 1.3,"
                       " \"tasks\": [{\"url\": \"http://127.0.0.1:PORT/\","
                       "  \"think_time\": 0.01}]}"),
        0);
    memset(&o, 0, sizeof(o));
    o.progress = progress_cb;
    o.progress_user = &seen;
    assert_int_equal(te_run_opts(&r, &o), 0);
    assert_int_equal(seen.finals, 1);
    assert_true(seen.calls >= 2);
    assert_true(seen.last.final);
    assert_int_equal(seen.last.requests, ld_records_count(r.records));
    assert_int_equal(seen.last.failures, 0);
    assert_true(seen.last.total_s == 1.3);
    assert_true(seen.last.rps > 100);
    assert_true(seen.last.p50_ms > 0);
    /* the printers accept any state */
    ld_progress_print_plain(&seen.last, stderr);
    ld_progress_print_tty(&seen.last, stderr);
    te_free(&r);
}

static void test_command_handler(void **state)
{
    ld_ctx_t ctx;
    ld_target_t *t = NULL;
    ld_diag_t d;
    ld_exec_report_t rep;
    char *doc;
    json_t *first;
    (void)state;
    assert_int_equal(ld_target_start("127.0.0.1", 0, &t, &d), 0);
    assert_int_equal(ld_ctx_init(&ctx), 0);
    ctx.flags |= LD_EXEC_QUIET;
    ld_exec_report_init(&rep);
    doc = te_subst(
        "[[\"LD_start_test\", {\"user_detail_dict\": {\"user\":"
        " \"fast_http_user\"}, \"user_count\": 2, \"test_time\": 0.3,"
        " \"tasks\": {\"get\": {\"request_url\":"
        " \"http://127.0.0.1:PORT/\"}}}],"
        " [\"LD_start_test\", {\"user_detail_dict\": {\"user\":"
        " \"fast_http_user\"}, \"user_count\": 1, \"test_time\": 0.2,"
        " \"tasks\": [{\"request_url\": \"http://127.0.0.1:PORT/json\"}]}]]",
        ld_target_port(t));
    assert_int_equal(ld_exec_string(&ctx, doc, "cmd.json", &rep, &d), 0);
    assert_int_equal(rep.n, 2);
    first = rep.items[0].value;
    assert_non_null(first);
    assert_non_null(json_object_get(first, "totals"));
    assert_non_null(ctx.last_summary);
    /* records of both runs are kept; the summary is of the last run only */
    assert_int_equal(ld_records_count(ctx.records), ld_target_requests(t));
    assert_true(json_integer_value(json_object_get(
                    json_object_get(ctx.last_summary, "totals"), "requests")) <
                (json_int_t)ld_records_count(ctx.records));
    free(doc);
    ld_exec_report_free(&rep);
    ld_ctx_close(&ctx);
    ld_target_stop(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count_matches_server),
        cmocka_unit_test(test_many_users_keep_alive),
        cmocka_unit_test(test_records_and_summary),
        cmocka_unit_test(test_assertion_failures),
        cmocka_unit_test(test_extract_login_then_auth),
        cmocka_unit_test(test_auth_without_token_fails),
        cmocka_unit_test(test_request_shapes),
        cmocka_unit_test(test_progress_callback),
        cmocka_unit_test(test_command_handler),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
