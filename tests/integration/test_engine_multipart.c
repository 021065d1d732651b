/*
 * The "files" task field through the engine, once per driver ("curl" and
 * "native") against the embedded target: its /multipart route parses the
 * body with the boundary of the request's Content-Type and answers the
 * parts as JSON, which the tasks' assertions check; /echo returns the body,
 * compared byte for byte when the task fixes its boundary. A task whose
 * assertion must fail shows the checks are live.
 */
#include "test_engine_util.h"

#define USERKW                                                                 \
    "\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0,"   \
    " \"driver\": \"%s\"}"

#define JP(path, val)                                                          \
    "{\"type\": \"json_path\", \"path\": \"" path "\", \"value\": " val "}"

/* The body of the "echo" task, as requests would send it. */
#define ECHO_BODY                                                              \
    "--XyZ-123\r\nContent-Disposition: form-data; name=\"k\"\r\n\r\nv\r\n"     \
    "--XyZ-123\r\nContent-Disposition: form-data; name=\"f\"; "                \
    "filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n"          \
    "--XyZ-123--\r\n"
/* ... and written inside a JSON string */
#define ECHO_BODY_JSON                                                         \
    "--XyZ-123\\r\\nContent-Disposition: form-data; "                          \
    "name=\\\"k\\\"\\r\\n\\r\\n"                                               \
    "v\\r\\n--XyZ-123\\r\\nContent-Disposition: form-data; name=\\\"f\\\"; "   \
    "filename=\\\"a.txt\\\"\\r\\nContent-Type: text/plain\\r\\n\\r\\nhello"    \
    "\\r\\n--XyZ-123--\\r\\n"

/* The tasks, in two halves around the expected length of the echo. */
/* clang-format off */
static const char tasks_a[] =
    "\"variables\": {\"who\": \"world\", \"fn\": \"q\\\"x.txt\","
    " \"fld\": \"up\"},"
    " \"tasks\": ["
    /* literal: data fields first, tuple and string forms */
    "  {\"name\": \"lit\", \"method\": \"post\", \"request_url\": "
    "\"/multipart\","
    "   \"data\": {\"a\": \"1\", \"n\": [2, 3]},"
    "   \"files\": {\"f\": [\"a.txt\", \"hello\", \"text/plain\"],"
    "              \"g\": \"plain\", \"h\": [null, \"no name\"]},"
    "   \"assertions\": [{\"type\": \"status_code\", \"value\": 200},"
    "    " JP("parts.0.name", "\"a\"") ", " JP("parts.0.filename", "null")
    ","
    "    " JP("parts.0.data", "\"1\"") ", " JP("parts.1.name", "\"n\"") ","
    "    " JP("parts.2.data", "\"3\"") ", " JP("parts.3.name", "\"f\"") ","
    "    " JP("parts.3.filename", "\"a.txt\"") ","
    "    " JP("parts.3.content_type", "\"text/plain\"") ","
    "    " JP("parts.3.data", "\"hello\"") ", " JP("parts.3.length", "5")
    ","
    "    " JP("parts.4.name", "\"g\"") ", " JP("parts.4.filename", "\"g\"")
    ","
    "    " JP("parts.4.content_type", "null") ","
    "    " JP("parts.4.data", "\"plain\"") ", " JP("parts.5.name", "\"h\"")
    ","
    "    " JP("parts.5.filename", "null") ","
    "    " JP("parts.5.data", "\"no name\"") "]},"
    /* placeholders, rendered per request; a quote in a filename */
    "  {\"name\": \"tmpl\", \"method\": \"post\", \"request_url\": "
    "\"/multipart\","
    "   \"files\": [[\"${var.fld}\", [\"${var.fn}\", \"hi ${var.who}\"]],"
    "              [\"${var.fld}\", \"${uuid()}\"]],"
    "   \"assertions\": [" JP("parts.0.name", "\"up\"") ","
    "    " JP("parts.0.filename", "\"q%22x.txt\"") ","
    "    " JP("parts.0.data", "\"hi world\"") ","
    "    " JP("parts.1.name", "\"up\"") ", " JP("parts.1.length", "36")
    "]},"
    /* the task's multipart type without a boundary gets one */
    "  {\"name\": \"ct\", \"method\": \"put\", \"request_url\": "
    "\"/multipart\","
    "   \"headers\": {\"Content-Type\": \"multipart/form-data\"},"
    "   \"files\": {\"f\": \"x\"},"
    "   \"assertions\": [" JP("parts.0.data", "\"x\"") "]},"
    /* the task's boundary is used, and the bytes are requests' */
    "  {\"name\": \"own\", \"method\": \"post\", \"request_url\": "
    "\"/multipart\","
    "   \"headers\": {\"Content-Type\": \"multipart/form-data; "
    "boundary=XyZ-123\"},"
    "   \"files\": {\"f\": \"x\"},"
    "   \"assertions\": [" JP("boundary", "\"XyZ-123\"") "]},"
    "  {\"name\": \"echo\", \"method\": \"post\", \"request_url\": \"/echo\","
    "   \"headers\": {\"Content-Type\": \"multipart/form-data; "
    "boundary=XyZ-123\"},"
    "   \"data\": {\"k\": \"v\"},"
    "   \"files\": {\"f\": [\"a.txt\", \"hello\", \"text/plain\"]},"
    "   \"assertions\": [{\"type\": \"header\", \"name\": \"X-Echo-Length\","
    "    \"value\": \"";
/* clang-format on */

static const char tasks_b[] =
    "\"}, {\"type\": \"contains\", \"value\": \"" ECHO_BODY_JSON "\"}]},"
    /* control: an assertion that must fail */
    "  {\"name\": \"control\", \"method\": \"post\", \"request_url\": "
    "\"/multipart\","
    "   \"files\": {\"f\": \"x\"},"
    "   \"assertions\": [" JP("parts.0.data", "\"WRONG\"") "]}"
                                                           "]";

static void expect_ok(te_run_t *r, const char *name)
{
    size_t failed, n = te_count(r, name, &failed);
    if (failed)
        print_error("%s: %s\n", name, te_first_error(r, name));
    assert_true(n > 0);
    assert_int_equal(failed, 0);
}

static void test_upload(void **state)
{
    const char *drv = te_driver(*state);
    char kw[8192];
    size_t failed, n;
    te_run_t r;
    snprintf(kw, sizeof(kw),
             "{" USERKW ", \"user_count\": 2, \"spawn_rate\": 100,"
             " \"test_time\": 0.4, \"host\": \"http://127.0.0.1:PORT\","
             " %s%zu%s}",
             drv, tasks_a, strlen(ECHO_BODY), tasks_b);
    te_start_target(&r);
    te_run(&r, kw);
    te_print(&r);
    /* one record per request the server saw */
    assert_int_equal(ld_records_count(r.records), ld_target_requests(r.target));
    expect_ok(&r, "lit");
    expect_ok(&r, "tmpl");
    expect_ok(&r, "ct");
    expect_ok(&r, "own");
    expect_ok(&r, "echo");
    n = te_count(&r, "control", &failed);
    assert_true(n > 0);
    assert_int_equal(failed, n);
    assert_non_null(strstr(te_first_error(&r, "control"), "WRONG"));
    te_free(&r);
}

/* A document error is reported before anything runs, with its position. */
static void test_compile_error(void **state)
{
    const char *drv = te_driver(*state);
    char kw[1024];
    te_run_t r;
    snprintf(kw, sizeof(kw),
             "{" USERKW ", \"user_count\": 1, \"test_time\": 0.2,"
             " \"host\": \"http://127.0.0.1:PORT\", \"tasks\": [{"
             "\"method\": \"post\", \"request_url\": \"/multipart\","
             " \"files\": {\"f\": [\"a\\r\\nb\", \"x\"]}}]}",
             drv);
    te_start_target(&r);
    assert_int_equal(te_compile(&r, kw), LD_EINVAL);
    print_message("%u:%u: %s\n", r.diag.pos.line, r.diag.pos.col, r.diag.msg);
    assert_non_null(strstr(r.diag.msg, "a filename must not contain"));
    assert_int_equal(r.diag.pos.line, 1);
    assert_true(r.diag.pos.col > 1);
    assert_int_equal(ld_target_requests(r.target), 0);
    te_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_upload),
        BOTH(test_compile_error),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
