/*
 * The "files" task field: multipart/form-data bodies compared byte for byte
 * with what python-requests 2.34 (urllib3 2.7) sends for the same task with
 * its boundary fixed to "BOUNDARY" (string and tuple forms, [name, file]
 * pairs, data fields first, quotes in names, None skipped), positioned
 * errors, placeholders, the Content-Type rules of the HTTP compiler, and
 * Python's str() of floats.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "proto/http_int.h"

typedef struct mp_doc {
    ld_doc_t *doc;
    const ld_node_t *files, *data;
} mp_doc_t;

static void parse(mp_doc_t *m, const char *json)
{
    ld_diag_t d;
    m->doc = ld_doc_parse(json, strlen(json), "t.json", LD_FMT_JSON, &d);
    if (!m->doc)
        fail_msg("parse: %s", d.msg);
    m->files = ld_node_get(ld_doc_root(m->doc), "files");
    m->data = ld_node_get(ld_doc_root(m->doc), "data");
    assert_non_null(m->files);
}

/* Compile {"files": ..., "data": ...} with boundary BOUNDARY, render it
   without parameters and compare. */
static void expect_body(const char *json, const char *want)
{
    mp_doc_t m;
    ld__multipart_t *mp = NULL;
    ld_diag_t d;
    ld_buf_t b;
    parse(&m, json);
    if (ld__multipart_compile(m.files, m.data, "BOUNDARY", "t.json", &mp, &d))
        fail_msg("compile: %s", d.msg);
    assert_true(ld__multipart_is_literal(mp));
    assert_string_equal(ld__multipart_boundary(mp), "BOUNDARY");
    ld_buf_init(&b, 0);
    assert_int_equal(ld__multipart_render(mp, NULL, NULL, &b), 0);
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data, want, b.len);
    ld_buf_free(&b);
    ld__multipart_free(mp);
    ld_doc_free(m.doc);
}

/* The compile fails with code at line:col, the message containing msg. */
static void expect_error(const char *json, int code, unsigned line,
                         unsigned col, const char *msg)
{
    mp_doc_t m;
    ld__multipart_t *mp = NULL;
    ld_diag_t d;
    parse(&m, json);
    memset(&d, 0, sizeof(d));
    assert_int_equal(
        ld__multipart_compile(m.files, m.data, "BOUNDARY", "t.json", &mp, &d),
        code);
    assert_null(mp);
    print_message("%s:%u:%u: %s\n", d.file, d.pos.line, d.pos.col, d.msg);
    assert_string_equal(d.file, "t.json");
    assert_int_equal(d.pos.line, line);
    assert_int_equal(d.pos.col, col);
    assert_non_null(strstr(d.msg, msg));
    ld_doc_free(m.doc);
}

static void test_string_form(void **state)
{
    (void)state;
    /* requests: a plain string is the content; the key is the filename */
    expect_body("{\"files\": {\"f\": \"hello\"}}",
                "--BOUNDARY\r\n"
                "Content-Disposition: form-data; name=\"f\"; filename=\"f\"\r\n"
                "\r\n"
                "hello\r\n"
                "--BOUNDARY--\r\n");
}

static void test_tuple_forms(void **state)
{
    (void)state;
    expect_body(
        "{\"files\": {\"a\": [\"a.txt\", \"hi\"],"
        " \"b\": [\"b.txt\", \"hi\", \"text/plain\"],"
        " \"c\": [null, \"x\"], \"d\": [\"d.txt\", \"y\", null],"
        " \"e\": [\"e.txt\", \"z\", \"\", {\"X-A\": \"1\", \"Content-Type\":"
        "  \"zz\", \"X-E\": \"\", \"X-N\": null, \"Content-Location\": \"l\"}],"
        " \"g\": [\"g\", \"w\", \"text/plain\", {\"X-A\": 1, \"X-B\": true}],"
        " \"h\": [\"h.txt\", null], \"i\": null, \"j\": 7, \"k\": false}}",
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"a\"; filename=\"a.txt\"\r\n"
        "\r\n"
        "hi\r\n"
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"b\"; filename=\"b.txt\"\r\n"
        "Content-Type: text/plain\r\n"
        "\r\n"
        "hi\r\n"
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"c\"\r\n"
        "\r\n"
        "x\r\n"
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"d\"; filename=\"d.txt\"\r\n"
        "\r\n"
        "y\r\n"
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"e\"; filename=\"e.txt\"\r\n"
        "X-A: 1\r\n"
        "\r\n"
        "z\r\n"
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"g\"; filename=\"g\"\r\n"
        "Content-Type: text/plain\r\n"
        "X-A: 1\r\n"
        "X-B: True\r\n"
        "\r\n"
        "w\r\n"
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"j\"; filename=\"j\"\r\n"
        "\r\n"
        "7\r\n"
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"k\"; filename=\"k\"\r\n"
        "\r\n"
        "False\r\n"
        "--BOUNDARY--\r\n");
}

static void test_pairs_and_nulls(void **state)
{
    (void)state;
    expect_body("{\"files\": [[\"f\", \"x\"], [\"f\", [\"y.txt\", \"y\"]]]}",
                "--BOUNDARY\r\n"
                "Content-Disposition: form-data; name=\"f\"; filename=\"f\"\r\n"
                "\r\n"
                "x\r\n"
                "--BOUNDARY\r\n"
                "Content-Disposition: form-data; name=\"f\"; "
                "filename=\"y.txt\"\r\n"
                "\r\n"
                "y\r\n"
                "--BOUNDARY--\r\n");
    /* every file None: requests still sends the closing delimiter */
    expect_body("{\"files\": {\"f\": null}}", "--BOUNDARY--\r\n");
}

static void test_data_fields_first(void **state)
{
    (void)state;
    expect_body(
        "{\"files\": {\"f\": \"x\"}, \"data\": {\"a\": \"1\","
        " \"b\": [\"2\", null, \"3\"], \"c\": null, \"d\": 5, \"e\": true,"
        " \"g\": 1.5, \"h\": 0.1, \"i\": 1e16, \"j\": 1e-5}}",
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"b\"\r\n\r\n2\r\n"
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"b\"\r\n\r\n3\r\n"
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"d\"\r\n\r\n5\r\n"
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"e\"\r\n\r\nTrue\r\n"
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"g\"\r\n\r\n1.5\r\n"
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"h\"\r\n\r\n0.1\r\n"
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"i\"\r\n\r\n1e+16\r\n"
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"j\"\r\n\r\n1e-05\r\n"
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"f\"; filename=\"f\"\r\n"
        "\r\nx\r\n"
        "--BOUNDARY--\r\n");
}

static void test_hostile_names(void **state)
{
    (void)state;
    /* urllib3 percent-encodes '"' and keeps backslashes; UTF-8 as is */
    expect_body("{\"files\": {\"q\\\"u\\\\o\": [\"fi\\\"le\\\\.txt\", \"x\"],"
                " \"\\u00fc\": [\"\\u00e9.txt\", \"\\u00fc\"]}}",
                "--BOUNDARY\r\n"
                "Content-Disposition: form-data; name=\"q%22u\\o\"; "
                "filename=\"fi%22le\\.txt\"\r\n"
                "\r\n"
                "x\r\n"
                "--BOUNDARY\r\n"
                "Content-Disposition: form-data; name=\"\xc3\xbc\"; "
                "filename=\"\xc3\xa9.txt\"\r\n"
                "\r\n"
                "\xc3\xbc\r\n"
                "--BOUNDARY--\r\n");
    /* CR or LF in a name, filename, content type or header: refused, at
       the offending key or value */
    expect_error("{\"files\": {\"a\\r\\nX: y\": \"x\"}}", LD_EINVAL, 1, 12,
                 "a field name must not contain a line break");
    expect_error("{\"files\": {\"a\": [\"f\\n.txt\", \"x\"]}}", LD_EINVAL, 1,
                 18, "a filename must not contain a line break");
    expect_error("{\"files\": {\"a\": [\"f\", \"x\", \"text/plain\\r\\n\"]}}",
                 LD_EINVAL, 1, 28, "a content type must not contain");
    expect_error(
        "{\"files\": {\"a\": [\"f\", \"x\", null, {\"X\": \"1\\n\"}]}}",
        LD_EINVAL, 1, 40, "a header value must not contain");
    expect_error("{\"files\": {\"a\": [\"f\", \"x\", null, {\"X:Y\": \"1\"}]}}",
                 LD_EINVAL, 1, 35, "non-empty and without ':'");
    expect_error("{\"files\": [[\"a\\nb\", \"x\"]]}", LD_EINVAL, 1, 13,
                 "a field name must not contain");
    expect_error("{\"files\": {\"f\": \"x\"}, \"data\": {\"k\\r\": \"v\"}}",
                 LD_EINVAL, 1, 32, "a form field name must not contain");
}

static void test_shape_errors(void **state)
{
    (void)state;
    expect_error("{\"files\": \"x\"}", LD_ETYPE, 1, 11,
                 "\"files\" must be an object (field name to file) or a list");
    expect_error("{\"files\": [\"x\"]}", LD_ETYPE, 1, 12, "[name, file] pairs");
    expect_error("{\"files\": [[\"a\", \"b\", \"c\"]]}", LD_ETYPE, 1, 12,
                 "[name, file] pairs");
    expect_error("{\"files\": {\"f\": 1.5}}", LD_ETYPE, 1, 17,
                 "the content of a file must be a string, not number");
    expect_error("{\"files\": {\"f\": {\"a\": 1}}}", LD_ETYPE, 1, 17,
                 "must be a string, not object");
    expect_error("{\"files\": {\"f\": [\"a\", [1]]}}", LD_ETYPE, 1, 23,
                 "must be a string, not array");
    expect_error("{\"files\": {\"f\": [\"a\"]}}", LD_EINVAL, 1, 17,
                 "got 1 items");
    expect_error("{\"files\": {\"f\": [1, 2, 3, 4, 5]}}", LD_EINVAL, 1, 17,
                 "[filename, content, content_type, headers]");
    expect_error("{\"files\": {\"f\": [1, \"x\"]}}", LD_ETYPE, 1, 18,
                 "a filename must be a string or null, not integer");
    expect_error("{\"files\": {\"f\": [\"a\", \"x\", 5]}}", LD_ETYPE, 1, 28,
                 "a content type must be a string or null");
    expect_error("{\"files\": {\"f\": [\"a\", \"x\", null, [1]]}}", LD_ETYPE, 1,
                 34, "the headers of a file must be an object");
    expect_error("{\"files\": {\"f\": \"x\"}, \"data\": {\"a\": {\"b\": 1}}}",
                 LD_ETYPE, 1, 37, "\"data\" value of \"a\"");
    /* a fixed boundary that occurs in a content cannot delimit it */
    expect_error("{\"files\": {\"f\": \"a--BOUNDARY\"}}", LD_EINVAL, 1, 11,
                 "occurs in a file's content");
}

static void test_random_boundary(void **state)
{
    mp_doc_t m;
    ld__multipart_t *a = NULL, *b = NULL;
    ld_diag_t d;
    const char *ba, *bb;
    (void)state;
    parse(&m, "{\"files\": {\"f\": \"x\"}}");
    assert_int_equal(
        ld__multipart_compile(m.files, NULL, NULL, "t.json", &a, &d), 0);
    assert_int_equal(
        ld__multipart_compile(m.files, NULL, NULL, "t.json", &b, &d), 0);
    ba = ld__multipart_boundary(a);
    bb = ld__multipart_boundary(b);
    assert_int_equal(strlen(ba), 32);
    assert_int_equal(strspn(ba, "0123456789abcdef"), 32);
    assert_string_not_equal(ba, bb);
    ld__multipart_free(a);
    ld__multipart_free(b);
    ld_doc_free(m.doc);
}

static void test_placeholders(void **state)
{
    mp_doc_t m;
    ld__multipart_t *mp = NULL;
    ld_params_t *p = ld_params_new();
    ld_diag_t d;
    ld_buf_t b;
    (void)state;
    assert_int_equal(ld_params_set_var_str(p, "fn", "a\"b\r\n.txt"), 0);
    assert_int_equal(ld_params_set_var_str(p, "who", "world"), 0);
    assert_int_equal(ld_params_set_var_str(p, "h", "x\r\ny"), 0);
    parse(&m, "{\"data\": {\"k\": \"${var.who}\"}, \"files\": {\"${var.who}\":"
              " [\"${var.fn}\", \"hello ${var.who}\", \"text/${var.who}\","
              " {\"X-H\": \"${var.h}\"}], \"u\": \"${faker.name}\"}}");
    assert_int_equal(
        ld__multipart_compile(m.files, m.data, "BOUNDARY", "t.json", &mp, &d),
        0);
    assert_false(ld__multipart_is_literal(mp));
    ld_buf_init(&b, 0);
    assert_int_equal(ld__multipart_render(mp, p, NULL, &b), 0);
    /* expanded values are quoted as urllib3 quotes them; CR/LF in a header
       value become spaces; an unknown placeholder stays */
    assert_string_equal(
        b.data, "--BOUNDARY\r\n"
                "Content-Disposition: form-data; name=\"k\"\r\n\r\nworld\r\n"
                "--BOUNDARY\r\n"
                "Content-Disposition: form-data; name=\"world\"; "
                "filename=\"a%22b%0D%0A.txt\"\r\n"
                "Content-Type: text/world\r\n"
                "X-H: x  y\r\n"
                "\r\nhello world\r\n"
                "--BOUNDARY\r\n"
                "Content-Disposition: form-data; name=\"u\"; filename=\"u\"\r\n"
                "\r\n${faker.name}\r\n"
                "--BOUNDARY--\r\n");
    ld_buf_free(&b);
    ld__multipart_free(mp);
    ld_doc_free(m.doc);
    ld_params_free(p);
}

static void test_ct_boundary(void **state)
{
    char b[LD__MP_BOUNDARY_MAX + 1];
    char long_ct[128];
    (void)state;
    assert_int_equal(ld__multipart_ct_boundary(
                         "multipart/form-data; boundary=abc", b, sizeof(b)),
                     1);
    assert_string_equal(b, "abc");
    assert_int_equal(
        ld__multipart_ct_boundary(
            "multipart/form-data;charset=x;BOUNDARY = \"a b\"", b, sizeof(b)),
        1);
    assert_string_equal(b, "a b");
    assert_int_equal(
        ld__multipart_ct_boundary("multipart/form-data;", b, sizeof(b)), 0);
    assert_int_equal(ld__multipart_ct_boundary("text/plain", b, sizeof(b)), 0);
    assert_int_equal(
        ld__multipart_ct_boundary("x; a=\"; boundary=q\"", b, sizeof(b)), 0);
    assert_int_equal(ld__multipart_ct_boundary("x; boundary=", b, sizeof(b)),
                     LD_EINVAL);
    assert_int_equal(ld__multipart_ct_boundary("x; boundary=a{b", b, sizeof(b)),
                     LD_EINVAL);
    assert_int_equal(
        ld__multipart_ct_boundary("x; boundary=\"ab", b, sizeof(b)), LD_EINVAL);
    snprintf(long_ct, sizeof(long_ct), "x; boundary=%071d", 0);
    assert_int_equal(ld__multipart_ct_boundary(long_ct, b, sizeof(b)),
                     LD_EINVAL);
    assert_true(ld__multipart_ct_is_multipart(" Multipart/Mixed"));
    assert_false(ld__multipart_ct_is_multipart("text/multipart"));
}

static void test_py_float(void **state)
{
    static const struct {
        double v;
        const char *s;
    } cases[] = {
        /* repr() of Python 3 */
        {1.5, "1.5"},
        {0.1, "0.1"},
        {1e16, "1e+16"},
        {1e-5, "1e-05"},
        {123.0, "123.0"},
        {1e15, "1000000000000000.0"},
        {-0.0, "-0.0"},
        {0.0001, "0.0001"},
        {1.2345678901234567e-7, "1.2345678901234566e-07"},
        {9.99, "9.99"},
        {12345678901234567.0, "1.2345678901234568e+16"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {5e-324, "5e-324"},
        {100.0, "100.0"},
        {0.3333333333333333, "0.3333333333333333"},
        {2.5e-5, "2.5e-05"},
        {123456789.123, "123456789.123"},
    };
    char buf[64];
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ld__py_float(cases[i].v, buf, sizeof(buf));
        assert_string_equal(buf, cases[i].s);
    }
}

/* ---- through the HTTP compiler ---- */

typedef struct hc {
    ld_doc_t *doc;
    ld__http_spec_t *sp;
    ld_diag_t d;
    int rc;
} hc_t;

static void hc_compile(hc_t *h, const char *task)
{
    void *spec = NULL;
    memset(h, 0, sizeof(*h));
    h->doc = ld_doc_parse(task, strlen(task), "t.json", LD_FMT_JSON, &h->d);
    assert_non_null(h->doc);
    h->rc = ld__http_compile(ld_doc_root(h->doc), NULL, "t.json", &spec, &h->d);
    h->sp = spec;
}

static void hc_free(hc_t *h)
{
    ld__http_spec_free(h->sp);
    ld_doc_free(h->doc);
}

static const char *hc_ct(const hc_t *h)
{
    for (size_t i = 0; i < h->sp->headers.n; i++)
        if (!strcasecmp(h->sp->headers.items[i].ks, "Content-Type"))
            return h->sp->headers.items[i].vs;
    return NULL;
}

#define TASK(extra)                                                            \
    "{\"method\": \"post\", \"request_url\": \"http://127.0.0.1/u\", " extra "}"

static void test_http_content_type(void **state)
{
    hc_t h;
    char want[128];
    const char *b;
    (void)state;
    /* no Content-Type of the task's: ours, with the body's boundary */
    hc_compile(&h, TASK("\"files\": {\"f\": \"x\"}, \"json\": {\"a\": 1}"));
    assert_int_equal(h.rc, 0);
    assert_int_equal(h.sp->body_kind, LD__BODY_LIT);
    assert_false(h.sp->json_ct); /* files win over json, as in requests */
    assert_int_equal(h.sp->headers.n, 1);
    assert_true(h.sp->headers.literal);
    assert_non_null(hc_ct(&h));
    assert_int_equal(strncmp(hc_ct(&h), "multipart/form-data; boundary=", 30),
                     0);
    b = hc_ct(&h) + 30;
    assert_int_equal(strlen(b), 32);
    snprintf(want, sizeof(want), "--%s\r\nContent-Disposition", b);
    assert_int_equal(strncmp(h.sp->body_lit, want, strlen(want)), 0);
    snprintf(want, sizeof(want), "\r\n--%s--\r\n", b);
    assert_string_equal(h.sp->body_lit + h.sp->body_lit_len - strlen(want),
                        want);
    hc_free(&h);

    /* a multipart type without boundary: ours is appended */
    hc_compile(&h, TASK("\"files\": {\"f\": \"x\"}, \"headers\": "
                        "{\"content-type\": \"multipart/form-data;\"}"));
    assert_int_equal(h.rc, 0);
    assert_int_equal(h.sp->headers.n, 1);
    assert_int_equal(strncmp(hc_ct(&h), "multipart/form-data; boundary=", 30),
                     0);
    assert_int_equal(strlen(hc_ct(&h)), 30 + 32);
    assert_int_equal(strncmp(h.sp->body_lit + 2, hc_ct(&h) + 30, 32), 0);
    hc_free(&h);

    /* the task's boundary is used for the body */
    hc_compile(&h, TASK("\"files\": {\"f\": \"x\"}, \"headers\": "
                        "{\"Content-Type\": \"multipart/form-data; "
                        "boundary=\\\"my b\\\"\"}"));
    assert_int_equal(h.rc, 0);
    assert_string_equal(hc_ct(&h), "multipart/form-data; boundary=\"my b\"");
    assert_string_equal(h.sp->body_lit,
                        "--my b\r\nContent-Disposition: form-data; "
                        "name=\"f\"; filename=\"f\"\r\n\r\nx\r\n--my b--\r\n");
    hc_free(&h);

    /* any other type is sent as written (requests does the same) */
    hc_compile(&h, TASK("\"files\": {\"f\": \"x\"}, \"headers\": "
                        "{\"Content-Type\": \"text/plain\"}"));
    assert_int_equal(h.rc, 0);
    assert_string_equal(hc_ct(&h), "text/plain");
    assert_int_equal(strncmp(h.sp->body_lit, "--", 2), 0);
    hc_free(&h);

    /* a bad boundary of the task's: positioned at the header value */
    hc_compile(&h, TASK("\"files\": {\"f\": \"x\"}, \"headers\": "
                        "{\"Content-Type\": \"multipart/form-data; "
                        "boundary=\"}"));
    assert_int_equal(h.rc, LD_EINVAL);
    assert_int_equal(h.d.pos.col, 106);
    assert_non_null(strstr(h.d.msg, "boundary of this Content-Type"));
    hc_free(&h);
}

static void test_http_body_choice(void **state)
{
    hc_t h;
    (void)state;
    /* an empty "files" is no upload (requests: `if files:`) */
    hc_compile(&h, TASK("\"files\": {}, \"data\": \"raw\""));
    assert_int_equal(h.rc, 0);
    assert_int_equal(h.sp->body_kind, LD__BODY_LIT);
    assert_string_equal(h.sp->body_lit, "raw");
    assert_null(hc_ct(&h));
    hc_free(&h);
    hc_compile(&h, TASK("\"files\": [], \"data\": {\"a\": 9.99}"));
    assert_int_equal(h.rc, 0);
    assert_int_equal(h.sp->body_kind, LD__BODY_FORM);
    assert_string_equal(h.sp->form.items[0].vs, "9.99"); /* str(9.99) */
    hc_free(&h);
    /* null is absent */
    hc_compile(&h, TASK("\"files\": null"));
    assert_int_equal(h.rc, 0);
    assert_int_equal(h.sp->body_kind, LD__BODY_NONE);
    hc_free(&h);
    /* requests: "Data must not be a string." */
    hc_compile(&h, TASK("\"files\": {\"f\": \"x\"}, \"data\": \"raw\""));
    assert_int_equal(h.rc, LD_ETYPE);
    assert_non_null(strstr(h.d.msg, "\"data\" must be an object when"));
    assert_int_equal(h.d.pos.col, 86);
    hc_free(&h);
    /* placeholders: rendered per request, our literal Content-Type */
    hc_compile(&h, TASK("\"files\": {\"f\": \"${var.x}\"}"));
    assert_int_equal(h.rc, 0);
    assert_int_equal(h.sp->body_kind, LD__BODY_MULTIPART);
    assert_non_null(h.sp->multipart);
    assert_true(h.sp->headers.literal);
    assert_non_null(strstr(hc_ct(&h), ld__multipart_boundary(h.sp->multipart)));
    hc_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_form),
        cmocka_unit_test(test_tuple_forms),
        cmocka_unit_test(test_pairs_and_nulls),
        cmocka_unit_test(test_data_fields_first),
        cmocka_unit_test(test_hostile_names),
        cmocka_unit_test(test_shape_errors),
        cmocka_unit_test(test_random_boundary),
        cmocka_unit_test(test_placeholders),
        cmocka_unit_test(test_ct_boundary),
        cmocka_unit_test(test_py_float),
        cmocka_unit_test(test_http_content_type),
        cmocka_unit_test(test_http_body_choice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
