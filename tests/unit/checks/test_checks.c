/* Unit tests for assertions and extractors: compile, run, messages, scopes,
   placeholders and compile errors with positions. The bulk of the
   assertion cases is data: tests/fixtures/checks/cases.json. */
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks/checks_int.h"
#include "ldcore/registry.h"

#define DEFAULT_HEADERS \
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"

/* ---- helpers ---- */

static ld_doc_t *parse(const char *text)
{
    ld_diag_t d;
    ld_doc_t *doc = ld_doc_parse(text, strlen(text), "task.json",
                                 LD_FMT_JSON, &d);

    if (!doc)
        fail_msg("cannot parse %s: %s", text, d.msg);
    return doc;
}

/* Compile from JSON text (either may be NULL); fails the test on error. */
static ld__checks_t *compile(const char *assertions, const char *extract)
{
    ld_doc_t *a = assertions ? parse(assertions) : NULL;
    ld_doc_t *x = extract ? parse(extract) : NULL;
    ld__checks_t *c = NULL;
    ld_diag_t d;
    int rc;

    ld_diag_clear(&d);
    rc = ld__checks_compile(a ? ld_doc_root(a) : NULL,
                            x ? ld_doc_root(x) : NULL, "task.json", &c, &d);
    /* the compiled checks borrow nothing from the documents */
    ld_doc_free(a);
    ld_doc_free(x);
    if (rc)
        fail_msg("compile failed: %s", d.msg);
    assert_non_null(c);
    return c;
}

static ld__response_t response(int status, const char *headers,
                               const char *body)
{
    ld__response_t r;

    r.status = status;
    r.headers = headers;
    r.headers_len = headers ? strlen(headers) : 0;
    r.body = body;
    r.body_len = body ? strlen(body) : 0;
    return r;
}

/* Run and compare the message ("" when every assertion passes). */
static void expect_run(const ld__checks_t *c, const ld__response_t *r,
                       ld_params_t *p, ld_scope_t *s, const char *want)
{
    char msg[512];
    int rc = ld__checks_run(c, r, p, s, msg, sizeof(msg));

    if (want[0] == '\0' && rc != 0)
        fail_msg("expected a pass, got rc %d: %s", rc, msg);
    if (want[0] != '\0' && rc != LD_EFAILED)
        fail_msg("expected \"%s\", got rc %d", want, rc);
    assert_string_equal(msg, want);
}

static const char *scope_str(const ld_scope_t *s, const char *name)
{
    const json_t *v = ld_scope_get(s, name);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- the data-driven cases ---- */

static int fixture_response(const ld_node_t *cs, ld_buf_t *body,
                            ld__response_t *r)
{
    const ld_node_t *status = ld_node_get(cs, "status");
    const ld_node_t *bj = ld_node_get(cs, "body_json");
    const char *headers = ld_node_str(ld_node_get(cs, "headers"));
    const ld_node_t *b = ld_node_get(cs, "body");

    r->status = status ? (int)status->u.i : 200;
    r->headers = headers ? headers : DEFAULT_HEADERS;
    r->headers_len = strlen(r->headers);
    r->body = NULL;
    r->body_len = 0;
    if (bj) {
        if (ld_node_write_json(bj, body))
            return -1;
        r->body = body->data;
        r->body_len = body->len;
    } else if (b) {
        r->body = b->u.str.s;
        r->body_len = b->u.str.len;
    }
    return 0;
}

static void fixture_vars(const ld_node_t *cs, ld_scope_t *s)
{
    const ld_node_t *vars = ld_node_get(cs, "vars");
    size_t i;

    for (i = 0; vars && i < vars->u.obj.n; i++) {
        json_t *v = ld_node_to_json(vars->u.obj.members[i].value);

        assert_int_equal(ld_scope_set(s, vars->u.obj.members[i].key, v), 0);
        json_decref(v);
    }
}

static void run_case(const ld_node_t *cs, const char *file,
                     ld_params_t *p)
{
    const char *name = ld_node_str(ld_node_get(cs, "name"));
    const char *want = ld_node_str(ld_node_get(cs, "expect"));
    ld_scope_t *s = ld_scope_new(p);
    ld__checks_t *c = NULL;
    ld__response_t r;
    ld_buf_t body;
    ld_diag_t d;
    char msg[512];
    int rc;

    assert_non_null(s);
    ld_buf_init(&body, 0);
    fixture_vars(cs, s);
    rc = ld__checks_compile(ld_node_get(cs, "assertions"),
                            ld_node_get(cs, "extract"), file, &c, &d);
    if (rc)
        fail_msg("%s: compile: %s", name, d.msg);
    assert_int_equal(fixture_response(cs, &body, &r), 0);
    rc = ld__checks_run(c, &r, p, s, msg, sizeof(msg));
    if (strcmp(msg, want) != 0 || (rc != 0) != (want[0] != '\0'))
        fail_msg("case \"%s\": rc %d, message \"%s\", expected \"%s\"", name,
                 rc, msg, want);
    ld__checks_free(c);
    ld_buf_free(&body);
    ld_scope_free(s);
}

static void test_fixture_cases(void **state)
{
    const char *file = tu_fixture("checks/cases.json");
    ld_params_t *p = ld_params_new();
    ld_diag_t d;
    ld_doc_t *doc = ld_doc_load(file, LD_FMT_JSON, &d);
    const ld_node_t *root;
    size_t i;

    (void)state;
    if (!doc)
        fail_msg("%s: %s", file, d.msg);
    root = ld_doc_root(doc);
    assert_int_equal(root->type, LD_TARRAY);
    assert_true(root->u.arr.n >= 40);
    for (i = 0; i < root->u.arr.n; i++)
        run_case(root->u.arr.items[i], file, p);
    ld_doc_free(doc);
    ld_params_free(p);
}

/* ---- extractors ---- */

static const char *EXTRACT =
    "[{\"var\": \"token\", \"from\": \"json_path\", \"path\": \"data.token\"},"
    " {\"var\": \"rid\", \"from\": \"header\", \"name\": \"x-request-id\"},"
    " {\"var\": \"code\", \"from\": \"status_code\"},"
    " {\"var\": \"obj\", \"path\": \"data.obj\"},"
    " {\"var\": \"n\", \"from\": \"JSON_PATH\", \"path\": \"data.n\"},"
    " {\"var\": \"nul\", \"path\": \"data.nul\"},"
    " {\"var\": \"none\", \"path\": \"data.none\"}]";

static const char *EXTRACT_BODY =
    "{\"data\": {\"token\": \"t0k\", \"obj\": {\"k\": [1, 2]}, \"n\": 7,"
    " \"nul\": null}}";

static const char *EXTRACT_HEADERS =
    "HTTP/1.1 201 Created\r\nX-Request-Id: rid-9\r\n\r\n";

static void test_extract_into_one_scope(void **state)
{
    ld_params_t *p = ld_params_new();
    ld_scope_t *a = ld_scope_new(p), *b = ld_scope_new(p);
    ld__checks_t *c = compile(NULL, EXTRACT);
    ld__response_t r = response(201, EXTRACT_HEADERS, EXTRACT_BODY);
    const json_t *v;

    (void)state;
    assert_false(ld__checks_empty(c));
    expect_run(c, &r, p, a, "");
    assert_string_equal(scope_str(a, "token"), "t0k");
    assert_string_equal(scope_str(a, "rid"), "rid-9");
    v = ld_scope_get(a, "code");
    assert_true(json_is_integer(v));
    assert_int_equal(json_integer_value(v), 201);
    v = ld_scope_get(a, "n");
    assert_true(json_is_integer(v));     /* kept as JSON, not text */
    assert_int_equal(json_integer_value(v), 7);
    v = ld_scope_get(a, "obj");
    assert_true(json_is_object(v));
    assert_int_equal(json_integer_value(ld__json_path(v, "k.1")), 2);
    assert_null(ld_scope_get(a, "nul"));  /* null is not stored */
    assert_null(ld_scope_get(a, "none"));
    /* nothing leaks to the other user or to the globals */
    assert_null(ld_scope_get(b, "token"));
    assert_null(ld_scope_get(b, "rid"));
    assert_null(ld_scope_get(b, "code"));
    assert_null(ld_params_get_var(p, "token"));
    ld__checks_free(c);
    ld_scope_free(a);
    ld_scope_free(b);
    ld_params_free(p);
}

static void test_extract_policy(void **state)
{
    ld_params_t *p = ld_params_new();
    ld_scope_t *a = ld_scope_new(p);
    ld__checks_t *c = compile("[{\"type\": \"status_code\", \"value\": 201}]",
                              EXTRACT);
    ld__response_t r = response(500, EXTRACT_HEADERS, EXTRACT_BODY);

    (void)state;
    /* a failed assertion: no extractor runs */
    expect_run(c, &r, p, a, "status_code: expected 201, got 500");
    assert_null(ld_scope_get(a, "token"));
    assert_null(ld_scope_get(a, "rid"));
    /* passes: values stored */
    r.status = 201;
    expect_run(c, &r, p, a, "");
    assert_string_equal(scope_str(a, "token"), "t0k");
    /* a body that is not JSON: json_path extractors find nothing, the old
       value stays, the header extractor still works, no failure */
    r = response(201, "HTTP/1.1 201 Created\r\nX-Request-Id: rid-10\r\n\r\n",
                 "not json");
    expect_run(c, &r, p, a, "");
    assert_string_equal(scope_str(a, "token"), "t0k");
    assert_string_equal(scope_str(a, "rid"), "rid-10");
    /* a missing header leaves the variable as it was */
    r = response(201, "HTTP/1.1 201 Created\r\n\r\n",
                 "{\"data\": {\"token\": \"t1\"}}");
    expect_run(c, &r, p, a, "");
    assert_string_equal(scope_str(a, "token"), "t1");
    assert_string_equal(scope_str(a, "rid"), "rid-10");
    ld__checks_free(c);
    ld_scope_free(a);
    ld_params_free(p);
}

static void test_extract_without_scope(void **state)
{
    ld_params_t *p = ld_params_new();
    ld__checks_t *c = compile(NULL, EXTRACT);
    ld__response_t r = response(201, EXTRACT_HEADERS, EXTRACT_BODY);
    const json_t *v;

    (void)state;
    /* with no user scope (a single request outside a load test) the values
       go to the global variables */
    expect_run(c, &r, p, NULL, "");
    v = ld_params_get_var(p, "token");
    assert_string_equal(json_string_value(v), "t0k");
    assert_string_equal(json_string_value(ld_params_get_var(p, "rid")),
                        "rid-9");
    /* and with neither, extraction is a no-op */
    expect_run(c, &r, NULL, NULL, "");
    ld__checks_free(c);
    ld_params_free(p);
}

static void test_extract_status_without_response(void **state)
{
    ld_params_t *p = ld_params_new();
    ld_scope_t *a = ld_scope_new(p);
    ld__checks_t *c = compile(NULL, "[{\"var\": \"code\", \"from\": "
                                    "\"status_code\"}]");
    ld__response_t r = response(0, NULL, NULL);

    (void)state;
    expect_run(c, &r, p, a, "");
    assert_null(ld_scope_get(a, "code"));
    ld__checks_free(c);
    ld_scope_free(a);
    ld_params_free(p);
}

/* ---- placeholders in expected values ---- */

static void test_extract_then_assert(void **state)
{
    ld_params_t *p = ld_params_new();
    ld_scope_t *a = ld_scope_new(p), *b = ld_scope_new(p);
    ld__checks_t *login = compile(
        "[{\"type\": \"status_code\", \"value\": 200}]",
        "[{\"var\": \"token\", \"path\": \"token\"},"
        " {\"var\": \"id\", \"path\": \"user.id\"}]");
    ld__checks_t *profile = compile(
        "[{\"type\": \"json_path\", \"path\": \"user.token\","
        "  \"value\": \"${var.token}\"},"
        " {\"type\": \"json_path\", \"path\": \"user.id\","
        "  \"value\": \"${var.id}\"},"
        " {\"type\": \"header\", \"name\": \"X-Echo\","
        "  \"value\": \"Bearer ${var.token}\"},"
        " {\"type\": \"contains\", \"value\": \"id=${var.id};\"},"
        " {\"type\": \"json_path\", \"path\": \"user\","
        "  \"value\": {\"token\": \"${var.token}\", \"id\": \"${var.id}\"}}]",
        NULL);
    ld__response_t r1 = response(200, DEFAULT_HEADERS,
                                 "{\"token\": \"t0k\", \"user\": {\"id\": 42}}");
    ld__response_t r2 = response(
        200, "HTTP/1.1 200 OK\r\nX-Echo: Bearer t0k\r\n\r\n",
        "{\"user\": {\"token\": \"t0k\", \"id\": 42}, \"s\": \"id=42;\"}");

    (void)state;
    expect_run(login, &r1, p, a, "");
    /* user a extracted the token: its assertions resolve */
    expect_run(profile, &r2, p, a, "");
    /* user b never logged in: the placeholder stays verbatim */
    expect_run(profile, &r2, p, b,
               "json_path user.token: expected \"${var.token}\", got \"t0k\"");
    ld__checks_free(login);
    ld__checks_free(profile);
    ld_scope_free(a);
    ld_scope_free(b);
    ld_params_free(p);
}

static void test_typed_placeholder(void **state)
{
    ld_params_t *p = ld_params_new();
    ld_scope_t *a = ld_scope_new(p);
    json_t *id = json_integer(42);
    ld__checks_t *c = compile("[{\"type\": \"json_path\", \"path\": \"id\","
                              "  \"value\": \"${var.id}\"}]",
                              NULL);
    ld__response_t num = response(200, NULL, "{\"id\": 42}");
    ld__response_t str = response(200, NULL, "{\"id\": \"42\"}");

    (void)state;
    assert_int_equal(ld_scope_set(a, "id", id), 0);
    /* exactly one ${var.X} of a number is compared as that number */
    expect_run(c, &num, p, a, "");
    expect_run(c, &str, p, a, "json_path id: expected 42, got \"42\"");
    /* a string variable is compared as a string */
    assert_int_equal(ld_scope_set_str(a, "id", "42", 2), 0);
    expect_run(c, &str, p, a, "");
    expect_run(c, &num, p, a, "json_path id: expected \"42\", got 42");
    json_decref(id);
    ld__checks_free(c);
    ld_scope_free(a);
    ld_params_free(p);
}

static void test_placeholders_in_path_and_name(void **state)
{
    ld_params_t *p = ld_params_new();
    ld_scope_t *a = ld_scope_new(p);
    ld__checks_t *c = compile(
        "[{\"type\": \"json_path\", \"path\": \"items.${var.idx}.id\","
        "  \"value\": 2},"
        " {\"type\": \"header\", \"name\": \"${var.hdr}\", \"value\": \"v\"}]",
        "[{\"var\": \"got\", \"path\": \"items[${var.idx}]\"}]");
    ld__response_t r = response(200, "HTTP/1.1 200 OK\r\nX-Mine: v\r\n\r\n",
                                "{\"items\": [{\"id\": 1}, {\"id\": 2}]}");

    (void)state;
    /* a global variable seen through the user's scope */
    assert_int_equal(ld_params_set_var_str(p, "idx", "1"), 0);
    assert_int_equal(ld_params_set_var_str(p, "hdr", "x-mine"), 0);
    expect_run(c, &r, p, a, "");
    assert_int_equal(json_integer_value(ld__json_path(ld_scope_get(a, "got"),
                                                      "id")),
                     2);
    /* a rendered path that is not valid says so */
    assert_int_equal(ld_scope_set_str(a, "idx", "[x", 2), 0);
    expect_run(c, &r, p, a,
               "json_path: bad path \"items.[x.id\": expected an array index "
               "after \"[\" (at character 8)");
    ld__checks_free(c);
    ld_scope_free(a);
    ld_params_free(p);
}

/* ---- messages ---- */

static void test_message_limits(void **state)
{
    ld__checks_t *c = compile(
        "[{\"type\": \"json_path\", \"path\": \"s\", \"value\": "
        "\"0123456789012345678901234567890123456789012345678901234567890123"
        "456789\"}]",
        NULL);
    ld__response_t r = response(200, NULL, "{\"s\": \"short\"}");
    char small[16];
    char msg[256];

    (void)state;
    expect_run(c, &r, NULL, NULL,
               "json_path s: expected \"0123456789012345678901234567890123456"
               "789012345678901234567890123...\", got \"short\"");
    memset(small, 'x', sizeof(small));
    assert_int_equal(ld__checks_run(c, &r, NULL, NULL, small, sizeof(small)),
                     LD_EFAILED);
    assert_string_equal(small, "json_path s: ex");
    /* a NULL message buffer is allowed */
    assert_int_equal(ld__checks_run(c, &r, NULL, NULL, NULL, 0), LD_EFAILED);
    /* a pass clears the message */
    r = response(200, NULL, "{\"s\": \"0123456789012345678901234567890123456"
                            "789012345678901234567890123456789\"}");
    strcpy(msg, "stale");
    assert_int_equal(ld__checks_run(c, &r, NULL, NULL, msg, sizeof(msg)), 0);
    assert_string_equal(msg, "");
    ld__checks_free(c);
}

static void test_binary_body(void **state)
{
    ld__checks_t *c = compile("[{\"type\": \"contains\", \"value\": \"tail\"},"
                              " {\"type\": \"not_contains\", \"value\": \"x\"}]",
                              NULL);
    ld__checks_t *j = compile("[{\"type\": \"json_path\", \"path\": \"s\","
                              "  \"value\": \"a\\u0000b\"}]",
                              NULL);
    static const char bin[] = "head\0\xff\xfetail";
    static const char nul[] = "{\"s\": \"a\\u0000b\"}";
    ld__response_t r = response(200, NULL, NULL);

    (void)state;
    /* the body is searched as bytes, past NUL and invalid UTF-8 */
    r.body = bin;
    r.body_len = sizeof(bin) - 1;
    expect_run(c, &r, NULL, NULL, "");
    r.body_len = 5;
    expect_run(c, &r, NULL, NULL,
               "contains: \"tail\" not found in body (5 bytes)");
    /* a NUL inside a JSON string compares like any other character */
    r.body = nul;
    r.body_len = sizeof(nul) - 1;
    expect_run(j, &r, NULL, NULL, "");
    ld__checks_free(c);
    ld__checks_free(j);
}

/* ---- one compiled set shared by threads, one scope each ---- */

typedef struct worker {
    const ld__checks_t *c;
    ld_params_t *p;
    ld_scope_t *s;
    int id;
    int fails;
} worker_t;

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    char body[128], headers[128], msg[256];
    ld__response_t r;
    int i;

    for (i = 0; i < 500; i++) {
        snprintf(body, sizeof(body),
                 "{\"me\": \"u%d-%d\", \"o\": {\"a\": [1, 2]}}", w->id, i);
        snprintf(headers, sizeof(headers), "HTTP/1.1 200 OK\r\nX-U: u%d\r\n\r\n",
                 w->id);
        r = response(200, headers, body);
        if (ld__checks_run(w->c, &r, w->p, w->s, msg, sizeof(msg)) != 0)
            w->fails++;
        snprintf(body, sizeof(body), "u%d-%d", w->id, i);
        if (!scope_str(w->s, "me") || strcmp(scope_str(w->s, "me"), body))
            w->fails++;
    }
    return NULL;
}

static void test_shared_by_threads(void **state)
{
    ld_params_t *p = ld_params_new();
    ld__checks_t *c = compile(
        "[{\"type\": \"json_path\", \"path\": \"o\", \"value\": {\"a\": [1, 2]}},"
        " {\"type\": \"header\", \"name\": \"X-U\", \"value\": \"${var.who}\"}]",
        "[{\"var\": \"me\", \"path\": \"me\"}]");
    worker_t w[4];
    pthread_t th[4];
    char who[8];
    int i;

    (void)state;
    for (i = 0; i < 4; i++) {
        w[i] = (worker_t){c, p, ld_scope_new(p), i, 0};
        snprintf(who, sizeof(who), "u%d", i);
        assert_int_equal(ld_scope_set_str(w[i].s, "who", who, strlen(who)), 0);
    }
    for (i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    for (i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].fails, 0);
        ld_scope_free(w[i].s);
    }
    ld__checks_free(c);
    ld_params_free(p);
}

/* ---- need_body / empty ---- */

static bool need_body(const char *assertions, const char *extract)
{
    ld__checks_t *c = compile(assertions, extract);
    bool r = ld__checks_need_body(c);

    ld__checks_free(c);
    return r;
}

static void test_need_body(void **state)
{
    ld__checks_t *c;

    (void)state;
    assert_false(need_body("[{\"type\": \"status_code\", \"value\": 200},"
                           " {\"type\": \"header\", \"name\": \"A\","
                           "  \"value\": \"b\"}]",
                           "[{\"var\": \"h\", \"from\": \"header\","
                           "  \"name\": \"A\"},"
                           " {\"var\": \"s\", \"from\": \"status_code\"}]"));
    assert_true(need_body("[{\"type\": \"contains\", \"value\": \"x\"}]",
                          NULL));
    assert_true(need_body("[{\"type\": \"not_contains\", \"value\": \"x\"}]",
                          NULL));
    assert_true(need_body("[{\"type\": \"json_path\", \"path\": \"a\","
                          "  \"value\": 1}]",
                          NULL));
    assert_true(need_body(NULL, "[{\"var\": \"v\", \"path\": \"a\"}]"));
    assert_true(need_body("[{\"type\": \"status_code\", \"value\": 200}]",
                          "[{\"var\": \"v\", \"path\": \"a\"}]"));

    c = compile(NULL, NULL);
    assert_true(ld__checks_empty(c));
    assert_false(ld__checks_need_body(c));
    ld__checks_free(c);
    c = compile("[]", "null");
    assert_true(ld__checks_empty(c));
    ld__checks_free(c);
    assert_true(ld__checks_empty(NULL));
    assert_false(ld__checks_need_body(NULL));
    ld__checks_free(NULL);
}

/* ---- compile errors ---- */

typedef struct err_case {
    const char *assertions;
    const char *extract;
    int code;
    uint32_t line, col;
    const char *msg;
} err_case_t;

static const err_case_t ERRS[] = {
    {"[\n  {\"type\": \"status_code\", \"value\": 200},\n"
     "  {\"type\": \"staus_code\", \"value\": 200}\n]",
     NULL, LD_EINVAL, 3, 12,
     "assertions[1]: unknown assertion type \"staus_code\" (did you mean "
     "\"status_code\"?)"},
    {"[{\"type\": \"regex\", \"value\": \"x\"}]", NULL, LD_EINVAL, 1, 11,
     "assertions[0]: unknown assertion type \"regex\" (expected one of "
     "status_code, contains, not_contains, json_path, header)"},
    {"[{\"type\": \"JsonPath\", \"path\": \"a\", \"value\": 1}]", NULL,
     LD_EINVAL, 1, 11,
     "assertions[0]: unknown assertion type \"JsonPath\" (did you mean "
     "\"json_path\"?)"},
    {"[{\"type\": \"status_code\"}]", NULL, LD_EINVAL, 1, 2,
     "assertions[0] (status_code): missing \"value\""},
    {"[{\"type\": \"status_code\", \"value\": true}]", NULL, LD_ETYPE, 1, 35,
     "assertions[0] (status_code): \"value\" must be an integer status code, "
     "got boolean"},
    {"[{\"type\": \"status_code\", \"value\": \"abc\"}]", NULL, LD_EINVAL, 1,
     35,
     "assertions[0] (status_code): \"value\" must be an integer status code, "
     "got \"abc\""},
    {"[{\"type\": \"status_code\", \"value\": 2.5}]", NULL, LD_ETYPE, 1, 35,
     "assertions[0] (status_code): \"value\" must be an integer status code, "
     "got number"},
    {"[{\"type\": \"json_path\", \"value\": 1}]", NULL, LD_EINVAL, 1, 2,
     "assertions[0] (json_path): missing \"path\""},
    {"[{\"type\": \"json_path\", \"path\": \"a\"}]", NULL, LD_EINVAL, 1, 2,
     "assertions[0] (json_path): missing \"value\""},
    {"[{\"type\": \"json_path\", \"path\": 3, \"value\": 1}]", NULL, LD_ETYPE,
     1, 32, "assertions[0] (json_path): \"path\" must be a string, got integer"},
    {"[{\"type\": \"json_path\", \"path\": \"data.items[x]\", \"value\": 1}]",
     NULL, LD_ESYNTAX, 1, 44,
     "assertions[0] (json_path): bad path \"data.items[x]\": expected an "
     "array index after \"[\" (at character 12)"},
    {"[{\"type\": \"header\", \"value\": \"x\"}]", NULL, LD_EINVAL, 1, 2,
     "assertions[0] (header): missing \"name\""},
    {"[{\"type\": \"header\", \"name\": \"\", \"value\": \"x\"}]", NULL,
     LD_EINVAL, 1, 29, "assertions[0] (header): \"name\" must not be empty"},
    {"[{\"type\": \"header\", \"name\": \"A\", \"value\": {}}]", NULL,
     LD_ETYPE, 1, 43,
     "assertions[0] (header): \"value\" must be a string or a number, got "
     "object"},
    {"[{\"type\": \"contains\", \"value\": null}]", NULL, LD_ETYPE, 1, 32,
     "assertions[0] (contains): \"value\" must be a string or a number, got "
     "null"},
    {"[{\"value\": 1}]", NULL, LD_EINVAL, 1, 2,
     "assertions[0]: missing \"type\""},
    {"[{\"type\": 5}]", NULL, LD_ETYPE, 1, 11,
     "assertions[0]: \"type\" must be a string, got integer"},
    {"[\"status_code\"]", NULL, LD_ETYPE, 1, 2,
     "assertions[0]: expected an object, got string"},
    {"{\"type\": \"status_code\", \"value\": 200}", NULL, LD_ETYPE, 1, 1,
     "\"assertions\" must be an array, got object"},
    {NULL, "{}", LD_ETYPE, 1, 1, "\"extract\" must be an array, got object"},
    {NULL, "[{\"from\": \"header\", \"name\": \"A\"}]", LD_EINVAL, 1, 2,
     "extract[0]: missing \"var\""},
    {NULL, "[{\"var\": \"\", \"path\": \"a\"}]", LD_EINVAL, 1, 10,
     "extract[0]: \"var\" must be a non-empty name"},
    {NULL, "[{\"var\": 1, \"path\": \"a\"}]", LD_ETYPE, 1, 10,
     "extract[0]: \"var\" must be a string, got integer"},
    {NULL, "[{\"var\": \"v\", \"from\": \"jsonpath\", \"path\": \"a\"}]",
     LD_EINVAL, 1, 23,
     "extract[0]: unknown extractor source \"jsonpath\" (did you mean "
     "\"json_path\"?)"},
    {NULL, "[{\"var\": \"v\", \"from\": \"body\"}]", LD_EINVAL, 1, 23,
     "extract[0]: unknown extractor source \"body\" (expected one of "
     "json_path, header, status_code)"},
    {NULL, "[{\"var\": \"v\", \"from\": []}]", LD_ETYPE, 1, 23,
     "extract[0]: \"from\" must be a string, got array"},
    {NULL, "[{\"var\": \"v\"}]", LD_EINVAL, 1, 2,
     "extract[0] (json_path): missing \"path\""},
    {NULL, "[{\"var\": \"v\", \"from\": \"header\"}]", LD_EINVAL, 1, 2,
     "extract[0] (header): missing \"name\""},
    {NULL,
     "[{\"var\": \"a\", \"path\": \"x\"},\n {\"var\": \"b\", \"path\": "
     "\"x[1\"}]",
     LD_ESYNTAX, 2, 27,
     "extract[1] (json_path): bad path \"x[1\": expected \"]\" (at character "
     "4)"},
    /* the error is in the extractors even when the assertions are fine */
    {"[{\"type\": \"status_code\", \"value\": 200}]", "[5]", LD_ETYPE, 1, 2,
     "extract[0]: expected an object, got integer"},
};

static void test_compile_errors(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(ERRS) / sizeof(ERRS[0]); i++) {
        const err_case_t *e = &ERRS[i];
        ld_doc_t *a = e->assertions ? parse(e->assertions) : NULL;
        ld_doc_t *x = e->extract ? parse(e->extract) : NULL;
        ld__checks_t *c = (ld__checks_t *)1;
        ld_diag_t d;
        int rc;

        ld_diag_clear(&d);
        rc = ld__checks_compile(a ? ld_doc_root(a) : NULL,
                                x ? ld_doc_root(x) : NULL, "task.json", &c,
                                &d);
        if (rc != e->code || strcmp(d.msg, e->msg) != 0 ||
            d.pos.line != e->line || d.pos.col != e->col)
            fail_msg("case %zu: rc %d at %u:%u \"%s\"; expected %d at %u:%u "
                     "\"%s\"", i, rc, d.pos.line, d.pos.col, d.msg, e->code,
                     e->line, e->col, e->msg);
        assert_null(c);
        assert_int_equal(d.code, e->code);
        assert_string_equal(d.file, "task.json");
        ld_doc_free(a);
        ld_doc_free(x);
    }
}

static void test_compile_error_format(void **state)
{
    ld_doc_t *a = parse("[{\"type\": \"contain\", \"value\": \"x\"}]");
    ld__checks_t *c = NULL;
    ld_diag_t d;
    char buf[1024];

    (void)state;
    assert_int_equal(ld__checks_compile(ld_doc_root(a), NULL, "t/x.json", &c,
                                        &d),
                     LD_EINVAL);
    assert_string_equal(ld_diag_format(&d, buf, sizeof(buf)),
                        "t/x.json:1:11: error: assertions[0]: unknown "
                        "assertion type \"contain\" (did you mean "
                        "\"contains\"?)");
    ld_doc_free(a);
}

/* Every name the registry lists (linter, schema, completion) compiles. */
static void test_registry_in_sync(void **state)
{
    const char *const *names = ld_registry_enum("assertion");
    char text[256];
    size_t n;

    (void)state;
    assert_non_null(names);
    for (n = 0; names[n]; n++) {
        ld__checks_t *c;

        snprintf(text, sizeof(text),
                 "[{\"type\": \"%s\", \"value\": \"200\", \"path\": \"a\","
                 " \"name\": \"A\"}]", names[n]);
        c = compile(text, NULL);
        ld__checks_free(c);
    }
    assert_int_equal(n, 5);
    names = ld_registry_enum("extractor");
    assert_non_null(names);
    for (n = 0; names[n]; n++) {
        ld__checks_t *c;

        snprintf(text, sizeof(text),
                 "[{\"var\": \"v\", \"from\": \"%s\", \"path\": \"a\","
                 " \"name\": \"A\"}]", names[n]);
        c = compile(NULL, text);
        ld__checks_free(c);
    }
    assert_int_equal(n, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_cases),
        cmocka_unit_test(test_extract_into_one_scope),
        cmocka_unit_test(test_extract_policy),
        cmocka_unit_test(test_extract_without_scope),
        cmocka_unit_test(test_extract_status_without_response),
        cmocka_unit_test(test_extract_then_assert),
        cmocka_unit_test(test_typed_placeholder),
        cmocka_unit_test(test_placeholders_in_path_and_name),
        cmocka_unit_test(test_message_limits),
        cmocka_unit_test(test_binary_body),
        cmocka_unit_test(test_shared_by_threads),
        cmocka_unit_test(test_need_body),
        cmocka_unit_test(test_compile_errors),
        cmocka_unit_test(test_compile_error_format),
        cmocka_unit_test(test_registry_in_sync),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
