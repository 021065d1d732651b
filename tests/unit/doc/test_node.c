/* Node helpers, the action list, jansson conversion, JSON output and the
 * position converters (code points, LSP UTF-16). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "ldcore/doc.h"
#include "doc/doc_int.h"

static ld_doc_t *parse(const char *text)
{
    ld_diag_t d;
    ld_doc_t *doc = ld_doc_parse(text, strlen(text), "n.json", LD_FMT_JSON, &d);

    if (!doc)
        fail_msg("%s: %s", text, d.msg);
    return doc;
}

static char *write_json(const ld_node_t *n)
{
    ld_buf_t b;

    ld_buf_init(&b, 0);
    assert_int_equal(ld_node_write_json(n, &b), 0);
    return ld_buf_take(&b, NULL);
}

static void test_type_names(void **state)
{
    (void)state;
    assert_string_equal(ld_type_name(LD_TNULL), "null");
    assert_string_equal(ld_type_name(LD_TBOOL), "boolean");
    assert_string_equal(ld_type_name(LD_TINT), "integer");
    assert_string_equal(ld_type_name(LD_TREAL), "number");
    assert_string_equal(ld_type_name(LD_TSTRING), "string");
    assert_string_equal(ld_type_name(LD_TARRAY), "array");
    assert_string_equal(ld_type_name(LD_TOBJECT), "object");
}

static void test_accessors(void **state)
{
    ld_doc_t *doc = parse("{\"a\": 1, \"b\": [true, 2.5, \"s\"], \"a\": 3}");
    const ld_node_t *r = ld_doc_root(doc), *b = ld_node_get(r, "b");

    (void)state;
    assert_int_equal(ld_node_get(r, "a")->u.i, 3);
    assert_ptr_equal(ld_node_member(r, "a"), &r->u.obj.members[2]);
    assert_null(ld_node_get(r, "zz"));
    assert_null(ld_node_get(b, "a")); /* not an object */
    assert_null(ld_node_get(NULL, "a"));
    assert_null(ld_node_get(r, NULL));
    assert_true(ld_node_at(b, 0)->u.b);
    assert_null(ld_node_at(b, 3));
    assert_null(ld_node_at(r, 0)); /* not an array */
    assert_null(ld_node_at(NULL, 0));
    assert_true(ld_node_is_number(ld_node_at(b, 1)));
    assert_true(ld_node_is_number(ld_node_get(r, "a")));
    assert_false(ld_node_is_number(ld_node_at(b, 2)));
    assert_false(ld_node_is_number(NULL));
    assert_true(ld_node_number(ld_node_at(b, 1)) == 2.5);
    assert_true(ld_node_number(ld_node_get(r, "a")) == 3.0);
    assert_true(ld_node_number(ld_node_at(b, 2)) == 0.0);
    assert_true(ld_node_number(NULL) == 0.0);
    assert_string_equal(ld_node_str(ld_node_at(b, 2)), "s");
    assert_null(ld_node_str(ld_node_at(b, 1)));
    assert_null(ld_node_str(NULL));
    ld_doc_free(doc);
}

static void test_truthy(void **state)
{
    ld_doc_t *doc = parse("[null, false, true, 0, 1, -1, 0.0, -0.0, 0.5, \"\","
                          " \"0\", [], [0], {}, {\"a\": null}]");
    static const bool want[] = {false, false, true,  false, true,
                                true,  false, false, true,  false,
                                true,  false, true,  false, true};
    const ld_node_t *r = ld_doc_root(doc);
    size_t k;

    (void)state;
    assert_int_equal(r->u.arr.n, sizeof(want) / sizeof(want[0]));
    for (k = 0; k < r->u.arr.n; k++)
        if (ld_node_truthy(ld_node_at(r, k)) != want[k])
            fail_msg("item %zu", k);
    assert_false(ld_node_truthy(NULL));
    ld_doc_free(doc);
}

static void test_actions(void **state)
{
    ld_diag_t d;
    ld_doc_t *doc = parse("[[\"LD_a\"], [\"LD_b\", {}]]");
    const ld_node_t *acts = ld_doc_actions(doc, &d);

    (void)state;
    assert_ptr_equal(acts, ld_doc_root(doc));
    ld_doc_free(doc);

    doc = parse("{\"x\": 1, \"load_density\": [[\"LD_a\"]]}");
    acts = ld_doc_actions(doc, &d);
    assert_ptr_equal(acts, ld_node_get(ld_doc_root(doc), "load_density"));
    assert_int_equal(acts->u.arr.n, 1);
    ld_doc_free(doc);

    doc = parse("{\n  \"load_density\": {\"LD_a\": 1}\n}");
    assert_null(ld_doc_actions(doc, &d));
    assert_int_equal(d.code, LD_ETYPE);
    assert_string_equal(d.file, "n.json");
    assert_int_equal(d.pos.line, 2);
    assert_int_equal(d.pos.col, 19);
    assert_int_equal(d.end.col, 30);
    assert_non_null(strstr(d.msg, "\"load_density\" must be an array of "
                                  "actions, found object"));
    ld_doc_free(doc);

    doc = parse("\n  {\"actions\": []}");
    assert_null(ld_doc_actions(doc, &d));
    assert_int_equal(d.pos.line, 2);
    assert_int_equal(d.pos.col, 3);
    assert_non_null(strstr(d.msg, "expected an action list: a JSON array, or "
                                  "an object with a \"load_density\" array"));
    assert_non_null(strstr(d.msg, "no \"load_density\" member"));
    ld_doc_free(doc);

    doc = parse("\"LD_a\"");
    assert_null(ld_doc_actions(doc, &d));
    assert_non_null(strstr(d.msg, "found string"));
    assert_int_equal(d.pos.col, 1);
    ld_doc_free(doc);

    assert_null(ld_doc_actions(NULL, &d));
    assert_int_equal(d.code, LD_EINVAL);
}

static void test_jansson_round_trip(void **state)
{
    const char *text =
        "{\"load_density\": [[\"LD_start_test\", {\"user_count\": 20, "
        "\"rate\": 0.5, \"neg\": -7, \"big\": 9223372036854775807, "
        "\"ok\": true, \"no\": false, \"nil\": null, \"s\": "
        "\"\\u00e9\\n\\u0000x\","
        " \"nested\": {\"a\": [[], {}, [1, [2, [3]]]]}}]], \"dup\": 1, "
        "\"dup\": 2}";
    ld_doc_t *doc = parse(text), *back;
    json_error_t err;
    json_t *want = json_loads(text, JSON_ALLOW_NUL, &err);
    json_t *got = ld_node_to_json(ld_doc_root(doc)), *again;
    ld_diag_t d;
    char *a, *b;

    (void)state;
    assert_non_null(want);
    assert_non_null(got);
    assert_true(json_equal(want, got));
    assert_int_equal(json_integer_value(json_object_get(got, "dup")), 2);
    assert_int_equal(
        json_string_length(json_object_get(
            json_array_get(
                json_array_get(json_object_get(got, "load_density"), 0), 1),
            "s")),
        5); /* é (2 bytes), newline, NUL, x */
    /* and back: a positionless document with the same content */
    back = ld_doc_from_json(got, "<rpc>", &d);
    assert_non_null(back);
    assert_string_equal(ld_doc_name(back), "<rpc>");
    assert_int_equal(ld_doc_root(back)->pos.line, 0);
    assert_int_equal(ld_doc_root(back)->u.obj.members[0].key_pos.line, 0);
    again = ld_node_to_json(ld_doc_root(back));
    assert_true(json_equal(want, again));
    assert_ptr_equal(ld_node_get(ld_doc_root(back), "load_density")->parent,
                     ld_doc_root(back));
    assert_non_null(ld_doc_actions(back, &d));
    /* same compact JSON both ways, except the dropped duplicate */
    a = write_json(ld_node_get(ld_doc_root(doc), "load_density"));
    b = write_json(ld_node_get(ld_doc_root(back), "load_density"));
    assert_string_equal(a, b);
    free(a);
    free(b);
    json_decref(want);
    json_decref(got);
    json_decref(again);
    ld_doc_free(doc);
    ld_doc_free(back);
}

static void test_to_json_specials(void **state)
{
    ld_doc_t *doc =
        parse("[1e400, -1e400, -0, \"a\\u0000b\", {\"k\\u0000\": 1}]");
    json_t *j = ld_node_to_json(ld_doc_root(doc));
    const char *key;
    size_t klen = 0;
    json_t *v;

    (void)state;
    assert_non_null(j);
    assert_true(json_real_value(json_array_get(j, 0)) == DBL_MAX);
    assert_true(json_real_value(json_array_get(j, 1)) == -DBL_MAX);
    assert_true(json_is_integer(json_array_get(j, 2)));
    assert_int_equal(json_string_length(json_array_get(j, 3)), 3);
    json_object_keylen_foreach(json_array_get(j, 4), key, klen, v)
    {
        assert_int_equal(klen, 2);
        assert_memory_equal(key, "k", 2);
        assert_int_equal(json_integer_value(v), 1);
    }
    assert_null(ld_node_to_json(NULL));
    json_decref(j);
    ld_doc_free(doc);
}

static void test_from_json_depth(void **state)
{
    json_t *root = json_array(), *cur = root;
    ld_diag_t d;
    int k;

    (void)state;
    for (k = 0; k < 600; k++) {
        json_t *inner = json_array();

        json_array_append_new(cur, inner);
        cur = inner;
    }
    assert_null(ld_doc_from_json(root, "deep", &d));
    assert_int_equal(d.code, LD_EDEPTH);
    assert_string_equal(d.file, "deep");
    assert_null(ld_doc_from_json(NULL, "x", &d));
    assert_int_equal(d.code, LD_EINVAL);
    json_decref(root);
}

static void test_from_json_scalars(void **state)
{
    json_t *v = json_pack("{s:i, s:f, s:b, s:n, s:s, s:[]}", "i", 42, "f", 0.25,
                          "b", 1, "n", "s", "t\xc3\xa9", "a");
    ld_diag_t d;
    ld_doc_t *doc = ld_doc_from_json(v, NULL, &d);
    const ld_node_t *r;
    char *out;

    (void)state;
    assert_non_null(doc);
    r = ld_doc_root(doc);
    assert_string_equal(ld_doc_name(doc), "");
    assert_int_equal(ld_node_get(r, "i")->u.i, 42);
    assert_true(ld_node_get(r, "f")->u.d == 0.25);
    assert_true(ld_node_get(r, "b")->u.b);
    assert_int_equal(ld_node_get(r, "n")->type, LD_TNULL);
    assert_string_equal(ld_node_str(ld_node_get(r, "s")), "t\xc3\xa9");
    assert_int_equal(ld_node_get(r, "a")->type, LD_TARRAY);
    out = write_json(r);
    assert_string_equal(out, "{\"i\":42,\"f\":0.25,\"b\":true,\"n\":null,"
                             "\"s\":\"t\xc3\xa9\",\"a\":[]}");
    free(out);
    assert_int_equal(ld_doc_text(doc, NULL)[0], '\0');
    json_decref(v);
    ld_doc_free(doc);
}

static void test_write_json(void **state)
{
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        {"  { \"a\" : [ 1 , 2.5 , -0.0 , true , null ] , \"b\" : { } }",
         "{\"a\":[1,2.5,-0.0,true,null],\"b\":{}}"},
        {"\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u0001 \\u001f \\u007f \\u00e9 "
         "\\ud83d\\ude00\"",
         "\"q\\\" b\\\\ s/ \\b\\f\\n\\r\\t \\u0001 \\u001f \x7f \xc3\xa9 "
         "\xf0\x9f\x98\x80\""},
        {"\"a\\u0000b\"", "\"a\\u0000b\""},
        {"[1.0, 100.0, 1e2, 0.1, 1e300, 1e-7, 123456789.125, "
         "0.30000000000000004, 1e400, -1e400, 9223372036854775808]",
         "[1.0,100.0,100.0,0.1,1e+300,1e-07,123456789.125,"
         "0.30000000000000004,1e999,-1e999,9.223372036854776e+18]"},
        {"[-9223372036854775808, 9223372036854775807, -0]",
         "[-9223372036854775808,9223372036854775807,0]"},
        {"{\"k\\u0000\\n\": []}", "{\"k\\u0000\\n\":[]}"},
    };
    size_t k;

    (void)state;
    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        ld_doc_t *doc = parse(cases[k].in), *again;
        char *out = write_json(ld_doc_root(doc)), *out2;

        assert_string_equal(out, cases[k].out);
        /* the output is valid JSON that reads back to the same output */
        again = parse(out);
        out2 = write_json(ld_doc_root(again));
        assert_string_equal(out, out2);
        free(out);
        free(out2);
        ld_doc_free(doc);
        ld_doc_free(again);
    }
}

static void test_write_json_appends(void **state)
{
    ld_doc_t *doc = parse("[1]");
    ld_buf_t b;

    (void)state;
    ld_buf_init(&b, 0);
    assert_int_equal(ld_buf_adds(&b, "x="), 0);
    assert_int_equal(ld_node_write_json(ld_doc_root(doc), &b), 0);
    assert_string_equal(b.data, "x=[1]");
    assert_int_equal(ld_node_write_json(NULL, &b), LD_EINVAL);
    ld_buf_free(&b);
    ld_doc_free(doc);
}

static void test_doc_text(void **state)
{
    const char src[] = " [1] ";
    ld_doc_t *doc = parse(src);
    size_t len = 0;

    (void)state;
    assert_string_equal(ld_doc_text(doc, &len), src);
    assert_int_equal(len, strlen(src));
    assert_ptr_not_equal(ld_doc_text(doc, NULL), src); /* a copy */
    assert_string_equal(ld_doc_name(doc), "n.json");
    assert_null(ld_doc_root(NULL));
    assert_string_equal(ld_doc_name(NULL), "");
    ld_doc_free(doc);
    ld_doc_free(NULL);
}

static void test_load_errors(void **state)
{
    ld_diag_t d;
    const char *dir = tu_tmpdir();
    const char *path = tu_write(dir, "bad.json", "{\n  \"a\": 1,\n}\n");
    ld_doc_t *doc;

    (void)state;
    assert_null(ld_doc_load("/nonexistent/x.json", LD_FMT_AUTO, &d));
    assert_int_equal(d.code, LD_EIO);
    assert_string_equal(d.file, "/nonexistent/x.json");
    assert_null(ld_doc_load(path, LD_FMT_AUTO, &d));
    assert_int_equal(d.code, LD_ESYNTAX);
    assert_string_equal(d.file, path);
    assert_int_equal(d.pos.line, 2);
    assert_int_equal(d.pos.col, 9);
    assert_non_null(strstr(d.msg, "trailing comma before '}'"));
    /* the same file read as YAML is fine: flow mappings allow it */
    doc = ld_doc_load(path, LD_FMT_YAML, &d);
    assert_non_null(doc);
    assert_int_equal(ld_node_get(ld_doc_root(doc), "a")->u.i, 1);
    ld_doc_free(doc);
}

/* ---- positions ---- */

/* "a😀b\nxé😀": a@0 😀@1..4 b@5 \n@6 x@7 é@8..9 😀@10..13, len 14 */
static const char u16text[] = "a\xf0\x9f\x98\x80"
                              "b\nx\xc3\xa9\xf0\x9f\x98\x80";

static void check_to16(size_t off, uint32_t line, uint32_t ch)
{
    uint32_t l = 99, c = 99;

    ld_pos_to_utf16(u16text, strlen(u16text), off, &l, &c);
    if (l != line || c != ch)
        fail_msg("off %zu: want %u:%u got %u:%u", off, line, ch, l, c);
}

static void check_from16(uint32_t line, uint32_t ch, size_t off)
{
    size_t got = ld_offset_from_utf16(u16text, strlen(u16text), line, ch);

    if (got != off)
        fail_msg("%u:%u: want %zu got %zu", line, ch, off, got);
}

static void test_utf16(void **state)
{
    (void)state;
    assert_int_equal(strlen(u16text), 14);
    check_to16(0, 0, 0);
    check_to16(1, 0, 1);
    check_to16(3, 0, 1); /* inside the emoji: its start */
    check_to16(5, 0, 3); /* the emoji counts 2 */
    check_to16(6, 0, 4);
    check_to16(7, 1, 0);
    check_to16(8, 1, 1);
    check_to16(10, 1, 2);
    check_to16(14, 1, 4);
    check_to16(99, 1, 4); /* clamped */
    check_from16(0, 0, 0);
    check_from16(0, 1, 1);
    check_from16(0, 2, 1); /* between the surrogates: the emoji start */
    check_from16(0, 3, 5);
    check_from16(0, 4, 6);
    check_from16(0, 100, 6); /* clamped to the end of the line */
    check_from16(1, 0, 7);
    check_from16(1, 2, 10);
    check_from16(1, 3, 10);
    check_from16(1, 4, 14);
    check_from16(5, 0, 14); /* past the last line */
}

static void test_utf16_line_breaks(void **state)
{
    const char *t = "ab\r\ncd\re\n\nf";
    uint32_t l, c;

    (void)state;
    ld_pos_to_utf16(t, strlen(t), 4, &l, &c);
    assert_int_equal(l, 1);
    assert_int_equal(c, 0);
    ld_pos_to_utf16(t, strlen(t), 7, &l, &c);
    assert_int_equal(l, 2);
    assert_int_equal(c, 0);
    ld_pos_to_utf16(t, strlen(t), 10, &l, &c);
    assert_int_equal(l, 4);
    assert_int_equal(c, 0);
    assert_int_equal(ld_offset_from_utf16(t, strlen(t), 1, 1), 5);
    assert_int_equal(ld_offset_from_utf16(t, strlen(t), 1, 9), 6);
    assert_int_equal(ld_offset_from_utf16(t, strlen(t), 2, 0), 7);
    assert_int_equal(ld_offset_from_utf16(t, strlen(t), 3, 5), 9);
    assert_int_equal(ld_offset_from_utf16(t, strlen(t), 4, 1), 11);
    /* a BOM takes no column */
    ld_pos_to_utf16("\xef\xbb\xbfx", 4, 3, &l, &c);
    assert_int_equal(c, 0);
    assert_int_equal(ld_offset_from_utf16("\xef\xbb\xbfx", 4, 0, 1), 4);
}

static void test_pos_from_offset(void **state)
{
    ld_pos_t p;

    (void)state;
    p = ld_pos_from_offset(u16text, strlen(u16text), 5);
    assert_int_equal(p.line, 1);
    assert_int_equal(p.col, 3); /* code points: a, 😀, then b */
    assert_int_equal(p.off, 5);
    p = ld_pos_from_offset(u16text, strlen(u16text), 10);
    assert_int_equal(p.line, 2);
    assert_int_equal(p.col, 3);
    p = ld_pos_from_offset(u16text, strlen(u16text), 1000);
    assert_int_equal(p.off, 14);
    assert_int_equal(p.col, 4);
    p = ld_pos_from_offset("", 0, 0);
    assert_int_equal(p.line, 1);
    assert_int_equal(p.col, 1);
    p = ld_pos_from_offset("a\r\nb\rc", 6, 5);
    assert_int_equal(p.line, 3);
    assert_int_equal(p.col, 1);
}

/* A document big enough for the arena's huge-page blocks (several of them,
 * plus a dedicated block for one big array): every node is where it should
 * be, and parse_take owns its text on success and on failure. */
static void test_big_document_take(void **state)
{
    const size_t n = 200000;
    size_t cap = n * 16 + 64, len = 0;
    char *text = malloc(cap);
    const ld_node_t *root, *last;
    ld_doc_t *doc;
    ld_diag_t d;

    (void)state;
    assert_non_null(text);
    len += (size_t)snprintf(text + len, cap - len, "[");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, cap - len, "%s{\"k\":%zu}",
                                i ? ",\n" : "", i);
    len += (size_t)snprintf(text + len, cap - len, "]");
    doc = ld_doc_parse_take(text, len, "big.json", LD_FMT_JSON, &d);
    assert_non_null(doc);
    root = ld_doc_root(doc);
    assert_int_equal(root->type, LD_TARRAY);
    assert_int_equal(root->u.arr.n, n);
    last = root->u.arr.items[n - 1];
    assert_int_equal(last->type, LD_TOBJECT);
    assert_int_equal(last->u.obj.members[0].value->u.i, (int64_t)(n - 1));
    assert_int_equal(last->pos.line, n);
    assert_int_equal(last->pos.col, 1);
    ld_doc_free(doc);

    /* Failure: the text is freed (LeakSanitizer checks). */
    text = malloc(8);
    assert_non_null(text);
    memcpy(text, "[1, 2,", 7);
    assert_null(ld_doc_parse_take(text, 6, "bad.json", LD_FMT_JSON, &d));
    assert_int_equal(d.code, LD_ESYNTAX);
    assert_null(ld_doc_parse_take(NULL, 0, "none.json", LD_FMT_JSON, &d));
    assert_int_equal(d.code, LD_EINVAL);
}

/* The UTF-8 check ld_node_to_json relies on (jansson's is skipped). */
static void test_utf8_ok(void **state)
{
    static const char good[] = "plain ascii text, long enough for words: "
                               "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 end";
    (void)state;
    assert_true(ld__utf8_ok("", 0));
    assert_true(ld__utf8_ok(good, sizeof(good) - 1));
    assert_true(ld__utf8_ok("a\0b", 3));
    assert_false(ld__utf8_ok("0123456789abcdef\xc3", 17));      /* cut */
    assert_false(ld__utf8_ok("0123456789abcdef\xc0\xaf", 18)); /* overlong */
    assert_false(ld__utf8_ok("\xed\xa0\x80", 3));            /* surrogate */
    assert_false(ld__utf8_ok("\xf4\x90\x80\x80", 4));        /* > U+10FFFF */
    assert_false(ld__utf8_ok("abcdefgh\x80" "abcdefgh", 17));   /* stray */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_accessors),
        cmocka_unit_test(test_truthy),
        cmocka_unit_test(test_actions),
        cmocka_unit_test(test_jansson_round_trip),
        cmocka_unit_test(test_to_json_specials),
        cmocka_unit_test(test_from_json_depth),
        cmocka_unit_test(test_from_json_scalars),
        cmocka_unit_test(test_write_json),
        cmocka_unit_test(test_write_json_appends),
        cmocka_unit_test(test_doc_text),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_utf16),
        cmocka_unit_test(test_utf16_line_breaks),
        cmocka_unit_test(test_pos_from_offset),
        cmocka_unit_test(test_big_document_take),
        cmocka_unit_test(test_utf8_ok),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
