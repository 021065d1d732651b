/*
 * The embedded target's routes, driven with plain sockets from the test
 * thread: /, /bytes, /status, the method routes, JSON login and auth,
 * header echo. Connection behaviour is in test_target_conn.c.
 */
#include "testutil.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldcore/target.h"
#include "tclient.h"
#include "target_tu.h"

static void test_root(void **state)
{
    ld_target_t *t = start4();
    tc_t c;
    tc_rsp_t r;

    (void)state;
    conn4(t, &c);
    assert_int_equal(tc_get(&c, "/", &r), 200);
    assert_string_equal(r.body, "Hello, world!");
    assert_string_equal(tc_hdr(&r, "Content-Length"), "13");
    assert_string_equal(tc_hdr(&r, "Content-Type"), "text/plain");
    assert_null(tc_hdr(&r, "Connection"));
    tc_rsp_free(&r);
    /* a query string is ignored for routing; HEAD gets no body */
    expect_get(&c, "/?a=1&b=2", 200, "Hello, world!");
    assert_int_equal(tc_sends(&c, "HEAD / HTTP/1.1\r\n\r\n"), 0);
    assert_int_equal(tc_read(&c, &r, 1), 0);
    assert_string_equal(tc_hdr(&r, "Content-Length"), "13");
    tc_rsp_free(&r);
    expect_get(&c, "/nope", 404, NULL);
    expect_get(&c, "/json/", 404, NULL);
    expect_get(&c, "http://example/?q", 200, "Hello, world!");
    tc_close(&c);
    ld_target_stop(t);
}

static void test_bytes_status(void **state)
{
    ld_target_t *t = start4();
    tc_t c;
    tc_rsp_t r;
    static const size_t sizes[] = {0, 1, 4096, 4097, 65536, 200001,
                                   16u * 1024u * 1024u};

    (void)state;
    conn4(t, &c);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char path[64];
        snprintf(path, sizeof(path), "/bytes/%zu", sizes[i]);
        assert_int_equal(tc_get(&c, path, &r), 200);
        assert_int_equal(r.blen, sizes[i]);
        for (size_t k = 0; k < r.blen; k++)
            if (r.body[k] != 'x')
                fail_msg("byte %zu of %s is %d", k, path, r.body[k]);
        tc_rsp_free(&r);
    }
    expect_get(&c, "/bytes/16777217", 400, NULL);
    expect_get(&c, "/bytes/abc", 400, NULL);
    expect_get(&c, "/bytes/", 400, NULL);
    expect_get(&c, "/status/201", 201, "");
    expect_get(&c, "/status/503", 503, "");
    expect_get(&c, "/status/599", 599, "");
    assert_int_equal(tc_get(&c, "/status/204", &r), 204);
    assert_null(tc_hdr(&r, "Content-Length"));
    tc_rsp_free(&r);
    expect_get(&c, "/status/99", 400, NULL);
    expect_get(&c, "/status/600", 400, NULL);
    expect_get(&c, "/delay/60001", 400, NULL);
    expect_get(&c, "/delay/5", 200, "ok");
    expect_get(&c, "/", 200, "Hello, world!"); /* still in step */
    tc_close(&c);
    ld_target_stop(t);
}

/* httpbin-style method routes used by the seed's example document. */
static void test_method_routes(void **state)
{
    ld_target_t *t = start4();
    tc_t c;
    tc_rsp_t r;
    json_t *j;

    (void)state;
    conn4(t, &c);
    assert_int_equal(tc_get(&c, "/get?a=1", &r), 200);
    j = json_body(&r);
    assert_string_equal(json_string_value(json_object_get(j, "method")),
                        "GET");
    assert_string_equal(json_string_value(json_object_get(j, "query")), "a=1");
    json_decref(j);
    tc_rsp_free(&r);
    assert_int_equal(tc_sends(&c, "POST /post HTTP/1.1\r\n"
                                  "Content-Type: application/json\r\n"
                                  "Content-Length: 17\r\n\r\n"
                                  "{\"hello\":\"world\"}"), 0);
    assert_int_equal(tc_read(&c, &r, 0), 0);
    assert_int_equal(r.status, 200);
    j = json_body(&r);
    assert_string_equal(json_string_value(json_object_get(
        json_object_get(j, "json"), "hello")), "world");
    assert_int_equal(json_integer_value(json_object_get(j, "length")), 17);
    json_decref(j);
    tc_rsp_free(&r);
    /* the wrong method is refused, /anything takes any */
    assert_int_equal(tc_sends(&c, "DELETE /post HTTP/1.1\r\n\r\n"), 0);
    assert_int_equal(tc_read(&c, &r, 0), 0);
    assert_int_equal(r.status, 405);
    tc_rsp_free(&r);
    assert_int_equal(tc_sends(&c, "PATCH /anything HTTP/1.1\r\n"
                                  "Content-Length: 3\r\n\r\na=b"), 0);
    assert_int_equal(tc_read(&c, &r, 0), 0);
    assert_int_equal(r.status, 200);
    j = json_body(&r);
    assert_string_equal(json_string_value(json_object_get(j, "data")), "a=b");
    json_decref(j);
    tc_rsp_free(&r);
    assert_int_equal(ld_target_requests(t), 4);
    tc_close(&c);
    ld_target_stop(t);
}

static void test_json_login_auth(void **state)
{
    ld_target_t *t = start4();
    tc_t c;
    tc_rsp_t r;
    json_t *j;
    char tok[64];

    (void)state;
    conn4(t, &c);
    expect_get(&c, "/", 200, NULL); /* request 1 */
    assert_int_equal(tc_get(&c, "/json", &r), 200);
    assert_string_equal(tc_hdr(&r, "Content-Type"), "application/json");
    j = json_body(&r);
    assert_true(json_is_true(json_object_get(j, "ok")));
    assert_int_equal(json_integer_value(json_object_get(j, "n")), 2);
    assert_string_equal(json_string_value(json_object_get(
        json_object_get(j, "data"), "token")), "t-2");
    assert_string_equal(json_string_value(json_object_get(
        json_object_get(j, "data"), "role")), "admin");
    assert_int_equal(json_array_size(json_object_get(
        json_object_get(j, "data"), "items")), 3);
    json_decref(j);
    tc_rsp_free(&r);

    assert_int_equal(tc_get(&c, "/login", &r), 200);
    assert_string_equal(tc_hdr(&r, "X-Request-Id"), "3");
    j = json_body(&r);
    snprintf(tok, sizeof(tok), "%s", json_string_value(json_object_get(
        json_object_get(j, "data"), "token")));
    assert_string_equal(tok, "tok-3");
    json_decref(j);
    tc_rsp_free(&r);

    expect_get(&c, "/auth", 401, "{\"ok\":false}");
    assert_int_equal(tc_sends(&c, "GET /auth HTTP/1.1\r\n"
                                  "Authorization: Bearer tok-3\r\n\r\n"), 0);
    assert_int_equal(tc_read(&c, &r, 0), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"ok\":true}");
    tc_rsp_free(&r);
    assert_int_equal(tc_sends(&c, "GET /auth HTTP/1.1\r\n"
                                  "Authorization: Basic tok-3\r\n\r\n"), 0);
    assert_int_equal(tc_read(&c, &r, 0), 0);
    assert_int_equal(r.status, 401);
    tc_rsp_free(&r);
    assert_int_equal(tc_sends(&c, "GET /auth HTTP/1.1\r\n"
                                  "Authorization: Bearer tok-\r\n\r\n"), 0);
    assert_int_equal(tc_read(&c, &r, 0), 0);
    assert_int_equal(r.status, 401);
    tc_rsp_free(&r);
    tc_close(&c);
    ld_target_stop(t);
}

static void test_headers_echo(void **state)
{
    ld_target_t *t = start4();
    tc_t c;
    tc_rsp_t r;
    json_t *j;

    (void)state;
    conn4(t, &c);
    assert_int_equal(tc_sends(&c, "GET /headers?x HTTP/1.1\r\nHost: h:1\r\n"
                                  "X-Custom-Thing:  Some Value \r\n"
                                  "X-Rep: a\r\nx-rep: b\r\n"
                                  "Quote: \"\\\r\n\r\n"), 0);
    assert_int_equal(tc_read(&c, &r, 0), 0);
    assert_int_equal(r.status, 200);
    j = json_body(&r);
    assert_string_equal(json_string_value(json_object_get(j, "host")), "h:1");
    assert_string_equal(json_string_value(
        json_object_get(j, "x-custom-thing")), "Some Value");
    assert_string_equal(json_string_value(json_object_get(j, "x-rep")),
                        "a, b");
    assert_string_equal(json_string_value(json_object_get(j, "quote")),
                        "\"\\");
    assert_int_equal(json_object_size(j), 4);
    json_decref(j);
    tc_rsp_free(&r);

    assert_int_equal(tc_sends(&c, "POST /echo?k=v HTTP/1.1\r\n"
                                  "Content-Type: application/json\r\n"
                                  "Content-Length: 11\r\n\r\n{\"a\":[1,2]}"), 0);
    assert_int_equal(tc_read(&c, &r, 0), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"a\":[1,2]}");
    assert_string_equal(tc_hdr(&r, "Content-Type"), "application/json");
    assert_string_equal(tc_hdr(&r, "X-Echo-Method"), "POST");
    assert_string_equal(tc_hdr(&r, "X-Echo-Path"), "/echo");
    assert_string_equal(tc_hdr(&r, "X-Echo-Query"), "k=v");
    tc_rsp_free(&r);
    /* no body, no content type */
    assert_int_equal(tc_get(&c, "/echo", &r), 200);
    assert_int_equal(r.blen, 0);
    assert_string_equal(tc_hdr(&r, "X-Echo-Method"), "GET");
    tc_rsp_free(&r);
    tc_close(&c);
    ld_target_stop(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root),
        cmocka_unit_test(test_bytes_status),
        cmocka_unit_test(test_json_login_auth),
        cmocka_unit_test(test_method_routes),
        cmocka_unit_test(test_headers_echo),
    };

    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
