/* Unit tests for the checks helpers: json paths, equality, header lookup,
   value rendering for messages, status parsing. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "checks/checks_int.h"

static json_t *load(const char *text)
{
    json_error_t err;
    json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);

    assert_non_null(v);
    return v;
}

static const char *BODY =
    "{\"data\": {\"role\": \"admin\", \"items\": [{\"id\": 1}, {\"id\": 2},"
    " {\"id\": 3, \"tags\": [\"a\", \"b\"]}], \"n\": null, \"0\": \"zero\","
    " \"$x\": 7, \"deep\": {\"a\": {\"b\": {\"c\": true}}}}, \"top\": 5}";

static void expect_int(const json_t *root, const char *path, json_int_t want)
{
    const json_t *v = ld__json_path(root, path);

    if (!v || !json_is_integer(v) || json_integer_value(v) != want)
        fail_msg("path %s: expected %lld", path, (long long)want);
}

static void test_paths_nested(void **state)
{
    json_t *root = load(BODY);

    (void)state;
    expect_int(root, "top", 5);
    expect_int(root, "data.items.0.id", 1);
    expect_int(root, "data.items.2.id", 3);
    expect_int(root, "$.data.items[1].id", 2);
    expect_int(root, "data.items[2].id", 3);
    expect_int(root, "data.items.-1.id", 3);
    expect_int(root, "data.items[-3].id", 1);
    expect_int(root, "data..items.0.id", 1);   /* empty segments skipped */
    expect_int(root, ".top.", 5);
    expect_int(root, "data.$x", 7);            /* "$x" is a key */
    assert_string_equal(
        json_string_value(ld__json_path(root, "data.items[2].tags[1]")), "b");
    assert_string_equal(json_string_value(ld__json_path(root, "data.0")),
                        "zero");
    assert_string_equal(json_string_value(ld__json_path(root, "data[0]")),
                        "zero");               /* key lookup on an object */
    assert_true(json_is_true(ld__json_path(root, "data.deep.a.b.c")));
    assert_ptr_equal(ld__json_path(root, ""), root);
    assert_ptr_equal(ld__json_path(root, "$"), root);
    assert_ptr_equal(ld__json_path(root, "$."), root);
    assert_true(json_is_null(ld__json_path(root, "data.n")));
    json_decref(root);
}

static void test_paths_missing(void **state)
{
    json_t *root = load(BODY);
    static const char *const missing[] = {
        "nope", "data.nope", "data.items.3", "data.items.-4",
        "data.items.x", "data.items.0.id.more", "top.x", "data.role.0",
        "data.items[9]", "data.items[0]x", "data.items[", "data.items[a]",
        "data.n.x", "data.items.1e0", "data.items.01x",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(missing) / sizeof(missing[0]); i++)
        if (ld__json_path(root, missing[i]))
            fail_msg("path %s should not be found", missing[i]);
    assert_null(ld__json_path(NULL, "a"));
    json_decref(root);

    root = load("[10, 20]");
    expect_int(root, "1", 20);
    expect_int(root, "[0]", 10);
    expect_int(root, "$[1]", 20);
    json_decref(root);

    root = load("\"text\"");
    assert_null(ld__json_path(root, "0"));
    assert_ptr_equal(ld__json_path(root, ""), root);
    json_decref(root);
}

static void test_path_check(void **state)
{
    static const struct {
        const char *path;
        size_t at;
        const char *why;
    } bad[] = {
        {"a[", 2, "expected an array index after \"[\""},
        {"a[x]", 2, "expected an array index after \"[\""},
        {"a[-]", 2, "expected an array index after \"[\""},
        {"a[1", 3, "expected \"]\""},
        {"a[1]b", 4, "expected \".\" or \"[\" after \"]\""},
        {"$[1)", 3, "expected \"]\""},
    };
    static const char *const good[] = {"", "$", "$.", "a", "a.b.0", "a[0]",
                                       "$[0][1].x", "a..b", "a[-1]", "$x",
                                       "a]b", "a.[0]"};
    const char *why;
    size_t at, i;

    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (!ld__json_path_check(good[i], strlen(good[i]), &why, &at))
            fail_msg("%s should be valid: %s", good[i], why);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        why = NULL;
        at = 99;
        assert_false(ld__json_path_check(bad[i].path, strlen(bad[i].path),
                                         &why, &at));
        assert_string_equal(why, bad[i].why);
        assert_int_equal(at, bad[i].at);
    }
}

static bool eq(const char *a, const char *b)
{
    json_t *x = load(a), *y = load(b);
    bool r = ld__json_equal(x, y);

    assert_int_equal(r, ld__json_equal(y, x)); /* symmetric */
    json_decref(x);
    json_decref(y);
    return r;
}

static void test_equality(void **state)
{
    (void)state;
    assert_true(eq("1", "1"));
    assert_true(eq("1", "1.0"));
    assert_true(eq("-0.0", "0"));
    assert_true(eq("2.5", "2.5"));
    assert_false(eq("1", "1.5"));
    assert_false(eq("\"1\"", "1"));
    assert_false(eq("true", "1"));       /* unlike Python's True == 1 */
    assert_false(eq("false", "0"));
    assert_false(eq("null", "false"));
    assert_true(eq("null", "null"));
    assert_true(eq("true", "true"));
    assert_false(eq("true", "false"));
    assert_true(eq("\"a\\u0000b\"", "\"a\\u0000b\""));
    assert_false(eq("\"a\\u0000b\"", "\"a\\u0000c\""));
    assert_false(eq("\"ab\"", "\"abc\""));
    assert_true(eq("{\"a\": 1, \"b\": [1, 2]}", "{\"b\": [1.0, 2], \"a\": 1}"));
    assert_false(eq("{\"a\": 1}", "{\"a\": 1, \"b\": 2}"));
    assert_false(eq("{\"a\": 1}", "{\"b\": 1}"));
    assert_false(eq("[1, 2]", "[2, 1]"));
    assert_false(eq("[1]", "[1, 1]"));
    assert_false(eq("[]", "{}"));
    /* beyond 2^53 an integer is not rounded to a double */
    assert_false(eq("9007199254740993", "9007199254740992.0"));
    assert_true(eq("9007199254740992", "9007199254740992.0"));
    assert_false(eq("9223372036854775807", "9223372036854775808.0"));
    assert_false(ld__json_equal(NULL, json_null()));
    assert_true(ld__json_equal(NULL, NULL));
}

static void find(const char *h, const char *name, const char *want)
{
    const char *v = NULL;
    size_t n = 0;
    bool found = ld__header_find(h, strlen(h), name, &v, &n);

    if (!want) {
        if (found)
            fail_msg("%s: unexpected %.*s", name, (int)n, v);
        return;
    }
    if (!found)
        fail_msg("%s: not found", name);
    if (n != strlen(want) || memcmp(v, want, n) != 0)
        fail_msg("%s: got '%.*s', want '%s'", name, (int)n, v, want);
}

static void test_headers(void **state)
{
    const char *h =
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: application/json\r\n"
        "X-Request-Id:   abc-123  \r\n"
        "x-dup: one\r\n"
        "X-Dup: two\r\n"
        "X-Empty:\r\n"
        "X-Folded: first\r\n"
        "  continued\r\n"
        "Name With Space : odd\r\n"
        "\r\n";

    (void)state;
    find(h, "content-type", "application/json");
    find(h, "CONTENT-TYPE", "application/json");
    find(h, "X-Request-Id", "abc-123");
    find(h, "X-Dup", "two");              /* the last one wins */
    find(h, "X-Empty", "");
    find(h, "X-Folded", "first");         /* folding is not joined */
    find(h, "X-Missing", NULL);
    find(h, "Content", NULL);             /* no prefix match */
    find(h, "Content-Type-X", NULL);
    find(h, "HTTP/1.1 200 OK", NULL);
    find(h, "continued", NULL);
    find("", "X", NULL);
    assert_false(ld__header_find(NULL, 0, "X", &h, &(size_t){0}));
}

static void test_header_blocks(void **state)
{
    const char *h =
        "HTTP/1.1 100 Continue\r\n\r\n"
        "HTTP/1.1 302 Found\r\n"
        "Location: /next\r\n"
        "X-Id: first\r\n"
        "Set-Cookie: a=1\r\n\r\n"
        "HTTP/2 200\r\n"
        "x-id: second\n"          /* a bare LF is accepted too */
        "Content-Length: 5\r\n"
        "\r\n"
        "X-Trailer: t\r\n";         /* trailers belong to the last block */

    (void)state;
    find(h, "X-Id", "second");
    find(h, "Location", NULL);
    find(h, "Set-Cookie", NULL);
    find(h, "content-length", "5");
    find(h, "X-Trailer", "t");
    /* without a status line the whole text is one block */
    find("A: 1\nB: 2", "b", "2");
    find("A: 1\nB: 2", "a", "1");
    /* not NUL-terminated: the length bounds the search */
    {
        const char raw[] = "X: abc\r\nY: def";
        const char *v;
        size_t n;

        assert_true(ld__header_find(raw, 12, "Y", &v, &n));
        assert_int_equal(n, 1);
        assert_memory_equal(v, "d", 1);
    }
}

static char *show_json_text(const char *json, size_t max)
{
    json_t *v = load(json);
    ld_buf_t b;
    char *s;

    ld_buf_init(&b, 0);
    assert_int_equal(ld__show_json(v, max, &b), 0);
    json_decref(v);
    s = ld_buf_take(&b, NULL);
    return s;
}

static void expect_show(const char *json, size_t max, const char *want)
{
    char *s = show_json_text(json, max);

    assert_string_equal(s, want);
    free(s);
}

static void test_show(void **state)
{
    ld_buf_t b;

    (void)state;
    expect_show("\"admin\"", 64, "\"admin\"");
    expect_show("\"a\\\"b\\\\c\\n\\t\\u0001\"", 64, "\"a\\\"b\\\\c\\n\\t\\u0001\"");
    expect_show("\"h\\u00e9llo\"", 64, "\"h\xc3\xa9llo\"");
    expect_show("\"abcdefgh\"", 4, "\"abcd...\"");
    expect_show("\"\\u00e9\\u00e9\\u00e9\"", 3, "\"\xc3\xa9\xc3\xa9...\"");
    expect_show("12", 64, "12");
    expect_show("-7", 64, "-7");
    expect_show("1.5", 64, "1.5");
    expect_show("100.0", 64, "100.0");
    expect_show("0.1", 64, "0.1");
    expect_show("1e20", 64, "1e+20");
    expect_show("1.5e-7", 64, "1.5e-07");
    expect_show("1e15", 64, "1000000000000000.0");
    expect_show("1e16", 64, "1e+16");
    expect_show("123456.789", 64, "123456.789");
    expect_show("0.0001", 64, "0.0001");
    expect_show("-2.5", 64, "-2.5");
    expect_show("0.1234567890123", 64, "0.1234567890123");
    expect_show("true", 64, "true");
    expect_show("null", 64, "null");
    expect_show("{\"a\":[1,2]}", 64, "{\"a\":[1,2]}");
    expect_show("[1,2,3,4,5,6,7,8,9]", 6, "[1,2,3...");

    ld_buf_init(&b, 0);
    assert_int_equal(ld__show_str("a\xff" "b\xc3", 4, 64, &b), 0);
    assert_string_equal(b.data, "\"a\\xffb\\xc3\"");
    ld_buf_reset(&b);
    assert_int_equal(ld__show_str("", 0, 64, &b), 0);
    assert_string_equal(b.data, "\"\"");
    ld_buf_reset(&b);
    assert_int_equal(ld__show_json(NULL, 64, &b), 0);
    assert_string_equal(b.data, "nothing");
    ld_buf_free(&b);
}

static void test_parse_status(void **state)
{
    int64_t v = 0;

    (void)state;
    assert_true(ld__parse_status("200", 3, &v));
    assert_int_equal(v, 200);
    assert_true(ld__parse_status(" 404 ", 5, &v));
    assert_int_equal(v, 404);
    assert_true(ld__parse_status("+201", 4, &v));
    assert_int_equal(v, 201);
    assert_false(ld__parse_status("", 0, &v));
    assert_false(ld__parse_status("  ", 2, &v));
    assert_false(ld__parse_status("20x", 3, &v));
    assert_false(ld__parse_status("-200", 4, &v));
    assert_false(ld__parse_status("2 00", 4, &v));
    assert_false(ld__parse_status("1234567890", 10, &v));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths_nested),
        cmocka_unit_test(test_paths_missing),
        cmocka_unit_test(test_path_check),
        cmocka_unit_test(test_equality),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_header_blocks),
        cmocka_unit_test(test_show),
        cmocka_unit_test(test_parse_status),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
