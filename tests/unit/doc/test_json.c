/* JSON reader: valid documents, numbers, escapes, positions, errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "ldcore/doc.h"

static ld_doc_t *parse_ok(const char *text, size_t len)
{
    ld_diag_t d;
    char msg[1600];
    ld_doc_t *doc = ld_doc_parse(text, len, "<t>", LD_FMT_JSON, &d);

    if (!doc)
        fail_msg("unexpected error: %s", ld_diag_format(&d, msg, sizeof(msg)));
    assert_int_equal(d.code, 0);
    return doc;
}

static ld_doc_t *parse_str(const char *text)
{
    return parse_ok(text, strlen(text));
}

/* Parse must fail at line:col with msg containing frag. */
static void expect_error_len(const char *text, size_t len, int code,
                             uint32_t line, uint32_t col, const char *frag)
{
    ld_diag_t d;
    ld_doc_t *doc = ld_doc_parse(text, len, "bad.json", LD_FMT_JSON, &d);

    if (doc)
        fail_msg("parsed but expected '%s' for: %s", frag, text);
    if (d.code != code || d.pos.line != line || d.pos.col != col ||
        !strstr(d.msg, frag))
        fail_msg("input %s\n  want %d %u:%u '%s'\n  got  %d %u:%u '%s'", text,
                 code, line, col, frag, d.code, d.pos.line, d.pos.col, d.msg);
    assert_string_equal(d.file, "bad.json");
}

static void expect_error(const char *text, uint32_t line, uint32_t col,
                         const char *frag)
{
    expect_error_len(text, strlen(text), LD_ESYNTAX, line, col, frag);
}

/* ---- valid documents ---- */

static void test_seed_example(void **state)
{
    ld_diag_t d;
    ld_doc_t *doc =
        ld_doc_load(tu_fixture("doc/seed_actions.json"), LD_FMT_AUTO, &d);
    const ld_node_t *acts, *start, *tasks;

    (void)state;
    assert_non_null(doc);
    acts = ld_doc_actions(doc, &d);
    assert_non_null(acts);
    assert_int_equal(acts->u.arr.n, 3);
    start = ld_node_at(ld_node_at(acts, 1), 1);
    assert_string_equal(ld_node_str(ld_node_at(ld_node_at(acts, 1), 0)),
                        "LD_start_test");
    assert_int_equal(ld_node_get(start, "user_count")->u.i, 20);
    tasks = ld_node_get(start, "tasks");
    assert_int_equal(tasks->type, LD_TARRAY);
    assert_string_equal(
        ld_node_str(ld_node_get(ld_node_at(tasks, 1), "request_url")),
        "${var.base}/post");
    assert_string_equal(
        ld_node_str(
            ld_node_get(ld_node_get(ld_node_at(tasks, 1), "json"), "hello")),
        "world");
    /* positions: "tasks" key is on line 4, column 5 */
    assert_int_equal(ld_node_member(start, "tasks")->key_pos.line, 4);
    assert_int_equal(ld_node_member(start, "tasks")->key_pos.col, 5);
    assert_string_equal(ld_doc_name(doc), tu_fixture("doc/seed_actions.json"));
    ld_doc_free(doc);
}

static void test_literals_and_nesting(void **state)
{
    ld_doc_t *doc = parse_str(
        " {\"t\": true, \"f\": false, \"n\": null, \"e\": [], \"o\": {},"
        " \"deep\": [[[{\"x\": [1, [2, {\"y\": \"z\"}]]}]]]} \n\t\r\n");
    const ld_node_t *r = ld_doc_root(doc), *deep, *y;

    (void)state;
    assert_int_equal(r->type, LD_TOBJECT);
    assert_int_equal(r->u.obj.n, 6);
    assert_null(r->parent);
    assert_int_equal(ld_node_get(r, "t")->type, LD_TBOOL);
    assert_true(ld_node_get(r, "t")->u.b);
    assert_false(ld_node_get(r, "f")->u.b);
    assert_int_equal(ld_node_get(r, "n")->type, LD_TNULL);
    assert_int_equal(ld_node_get(r, "e")->u.arr.n, 0);
    assert_int_equal(ld_node_get(r, "o")->u.obj.n, 0);
    deep = ld_node_get(r, "deep");
    y = ld_node_get(
        ld_node_at(
            ld_node_at(
                ld_node_get(ld_node_at(ld_node_at(ld_node_at(deep, 0), 0), 0),
                            "x"),
                1),
            1),
        "y");
    assert_string_equal(ld_node_str(y), "z");
    /* parent chain back to the root */
    {
        int hops = 0;
        const ld_node_t *n = y;

        while (n->parent) {
            n = n->parent;
            hops++;
        }
        assert_ptr_equal(n, r);
        assert_int_equal(hops, 8);
    }
    ld_doc_free(doc);
}

static void test_escapes(void **state)
{
    const char *text = "[\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\u20AC "
                       "\\ud83d\\ude00 \xc3\xa9 \\u0000!\", \"plain\"]";
    const char want[] = "q\" b\\ s/ \b\f\n\r\t \xc3\xa9 \xe2\x82\xac "
                        "\xf0\x9f\x98\x80 \xc3\xa9 \0!";
    ld_doc_t *doc = parse_str(text);
    const ld_node_t *s = ld_node_at(ld_doc_root(doc), 0);

    (void)state;
    assert_int_equal(s->type, LD_TSTRING);
    assert_int_equal(s->u.str.len, sizeof(want) - 1);
    assert_memory_equal(s->u.str.s, want, sizeof(want) - 1);
    assert_int_equal(s->u.str.s[s->u.str.len], '\0');
    assert_string_equal(ld_node_str(ld_node_at(ld_doc_root(doc), 1)), "plain");
    ld_doc_free(doc);
}

static void test_key_with_nul_and_duplicates(void **state)
{
    ld_doc_t *doc = parse_str("{\"a\\u0000b\": 1, \"k\": 1, \"k\": 2}");
    const ld_node_t *r = ld_doc_root(doc);

    (void)state;
    assert_int_equal(r->u.obj.n, 3); /* duplicates kept */
    assert_int_equal(r->u.obj.members[0].key_len, 3);
    assert_memory_equal(r->u.obj.members[0].key, "a\0b", 4);
    assert_int_equal(ld_node_get(r, "k")->u.i, 2); /* last one wins */
    assert_null(ld_node_get(r, "a"));
    ld_doc_free(doc);
}

static void test_numbers(void **state)
{
    static const struct {
        const char *text;
        ld_type_t type;
        int64_t i;
        double d;
    } cases[] = {
        {"0", LD_TINT, 0, 0},
        {"-0", LD_TINT, 0, 0},
        {"7", LD_TINT, 7, 0},
        {"-12", LD_TINT, -12, 0},
        {"9223372036854775807", LD_TINT, INT64_MAX, 0},
        {"-9223372036854775808", LD_TINT, INT64_MIN, 0},
        {"9223372036854775808", LD_TREAL, 0, 9223372036854775808.0},
        {"-9223372036854775809", LD_TREAL, 0, -9223372036854775809.0},
        {"123456789012345678901234567890", LD_TREAL, 0,
         123456789012345678901234567890.0},
        {"1.5", LD_TREAL, 0, 1.5},
        {"-0.0", LD_TREAL, 0, -0.0},
        {"1E2", LD_TREAL, 0, 100.0},
        {"1e-2", LD_TREAL, 0, 0.01},
        {"2.5e+3", LD_TREAL, 0, 2500.0},
        {"0.1", LD_TREAL, 0, 0.1},
        {"0.30000000000000004", LD_TREAL, 0, 0.30000000000000004},
        {"1.7976931348623157e308", LD_TREAL, 0, 1.7976931348623157e308},
        {"4.9e-324", LD_TREAL, 0, 4.9e-324},
        {"123456.789e-5", LD_TREAL, 0, 123456.789e-5},
        {"3.141592653589793238462643383279", LD_TREAL, 0,
         3.141592653589793238462643383279},
        {"1e400", LD_TREAL, 0, HUGE_VAL},
        {"-1e400", LD_TREAL, 0, -HUGE_VAL},
        {"1e-400", LD_TREAL, 0, 0.0},
    };
    size_t k;

    (void)state;
    for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        ld_doc_t *doc = parse_str(cases[k].text);
        const ld_node_t *n = ld_doc_root(doc);

        if (n->type != cases[k].type)
            fail_msg("%s: type %s", cases[k].text, ld_type_name(n->type));
        if (n->type == LD_TINT && n->u.i != cases[k].i)
            fail_msg("%s: got %lld", cases[k].text, (long long)n->u.i);
        if (n->type == LD_TREAL && memcmp(&n->u.d, &cases[k].d, sizeof(double)))
            fail_msg("%s: got %.17g", cases[k].text, n->u.d);
        assert_int_equal(n->end.off, strlen(cases[k].text));
        ld_doc_free(doc);
    }
}

static void test_bom_and_line_breaks(void **state)
{
    ld_doc_t *doc = parse_str("\xef\xbb\xbf{\r\n\"a\": 1,\r\"b\":\n 2}");
    const ld_node_t *r = ld_doc_root(doc);
    const ld_member_t *b = ld_node_member(r, "b");

    (void)state;
    assert_int_equal(r->pos.line, 1);
    assert_int_equal(r->pos.col, 1); /* the BOM takes no column */
    assert_int_equal(r->pos.off, 3);
    assert_int_equal(ld_node_member(r, "a")->key_pos.line, 2);
    assert_int_equal(b->key_pos.line, 3); /* lone CR ends a line */
    assert_int_equal(b->key_pos.col, 1);
    assert_int_equal(b->value->pos.line, 4);
    assert_int_equal(b->value->pos.col, 2);
    ld_doc_free(doc);
}

/* ---- positions ---- */

static void assert_pos(ld_pos_t p, uint32_t line, uint32_t col, size_t off)
{
    if (p.line != line || p.col != col || p.off != off)
        fail_msg("want %u:%u@%zu got %u:%u@%u", line, col, off, p.line, p.col,
                 p.off);
}

static void test_positions(void **state)
{
    const char *text = "{\n"
                       "  \"\xe5\x90\x8d\xe5\x89\x8d\": \"\xe5\x80\xa4\",\n"
                       "  \"emoji\xf0\x9f\x98\x80\": [1, {\"k\": true}]\n"
                       "}";
    ld_doc_t *doc = parse_str(text);
    const ld_node_t *r = ld_doc_root(doc), *arr, *obj;
    const ld_member_t *m0, *m1, *k;
    size_t l3 = (size_t)(strstr(text, "  \"emoji") - text);

    (void)state;
    assert_pos(r->pos, 1, 1, 0);
    assert_pos(r->end, 4, 2, strlen(text));
    m0 = &r->u.obj.members[0];
    assert_pos(m0->key_pos, 2, 3, 4);
    assert_pos(m0->key_end, 2, 7, 12);
    assert_pos(m0->value->pos, 2, 9, 14);
    assert_pos(m0->value->end, 2, 12, 19);
    m1 = &r->u.obj.members[1];
    assert_pos(m1->key_pos, 3, 3, l3 + 2);
    assert_pos(m1->key_end, 3, 11, l3 + 13);
    arr = m1->value;
    assert_pos(arr->pos, 3, 13, l3 + 15);
    assert_pos(arr->end, 3, 29, l3 + 31);
    assert_pos(ld_node_at(arr, 0)->pos, 3, 14, l3 + 16);
    assert_pos(ld_node_at(arr, 0)->end, 3, 15, l3 + 17);
    obj = ld_node_at(arr, 1);
    assert_pos(obj->pos, 3, 17, l3 + 19);
    assert_pos(obj->end, 3, 28, l3 + 30);
    k = &obj->u.obj.members[0];
    assert_pos(k->key_pos, 3, 18, l3 + 20);
    assert_pos(k->key_end, 3, 21, l3 + 23);
    assert_pos(k->value->pos, 3, 23, l3 + 25);
    assert_pos(k->value->end, 3, 27, l3 + 29);
    assert_ptr_equal(k->value->parent, obj);
    assert_ptr_equal(obj->parent, arr);
    /* the same numbers from the standalone helper */
    assert_pos(ld_pos_from_offset(text, strlen(text), l3 + 25), 3, 23, l3 + 25);
    ld_doc_free(doc);
}

/* ---- errors ---- */

/* Cases start with a line "--- name"; the input runs to the line before
 * "=== line:col fragment". Lines before the first case are comments. */
static void test_error_fixtures(void **state)
{
    char *all = tu_read(tu_fixture("doc/json_errors.txt"), NULL);
    char *p, *name, *input, *sep, *exp, *nl;
    unsigned line, col;
    int count = 0, used;

    (void)state;
    assert_non_null(all);
    p = strstr(all, "\n--- ");
    while (p) {
        name = p + 5;
        nl = strchr(name, '\n');
        assert_non_null(nl);
        *nl = '\0';
        input = nl + 1;
        sep = strncmp(input, "=== ", 4) == 0 ? input : strstr(input, "\n=== ");
        assert_non_null(sep);
        exp = sep == input ? sep + 4 : sep + 5;
        *sep = '\0';
        nl = strchr(exp, '\n');
        if (nl)
            *nl = '\0';
        used = 0;
        if (sscanf(exp, "%u:%u %n", &line, &col, &used) != 2 || !used)
            fail_msg("bad expectation in case '%s'", name);
        expect_error(input, line, col, exp + used);
        count++;
        if (nl && strncmp(nl + 1, "--- ", 4) == 0)
            p = nl; /* nl was the newline before the next case */
        else
            p = nl ? strstr(nl + 1, "\n--- ") : NULL;
    }
    assert_int_equal(count, 43);
    free(all);
}

static void test_errors_binary(void **state)
{
    (void)state;
    expect_error("[\"a\tb\"]", 1, 4,
                 "control character U+0009 in string (write it as \\t)");
    expect_error("[\"a\x01\"]", 1, 4, "control character U+0001");
    expect_error("[\"\xff\"]", 1, 3, "invalid UTF-8 in string (byte 0xFF)");
    expect_error("[\"\xc3\x28\"]", 1, 3, "invalid UTF-8 in string");
    expect_error("[\"\xed\xa0\x80\"]", 1, 3, "invalid UTF-8"); /* surrogate */
    expect_error("[\"\xc0\xaf\"]", 1, 3, "invalid UTF-8");     /* overlong */
    expect_error("[1] \xc3\x28", 1, 5,
                 "unexpected content after the document, found invalid "
                 "UTF-8 (byte 0xC3)");
    expect_error("\xef\xbb\xbf[1,]", 1, 3, "trailing comma before ']'");
    expect_error("{\r\n\"a\": 1\r\n\"b\": 2}", 3, 1,
                 "expected ',' or '}' after object member");
    expect_error("[1,\r2 3]", 2, 3, "expected ',' or ']' after array item");
    expect_error("[\"\\\xc3\xa9\"]", 1, 3, "invalid escape '\\\xc3\xa9'");
    expect_error("[\"abc\\\n\"]", 1, 7, "unterminated string");
    expect_error_len("[1]\0", 4, LD_ESYNTAX, 1, 4,
                     "unexpected content after the document, found U+0000");
    expect_error_len("[\"a\0\"]", 6, LD_ESYNTAX, 1, 4,
                     "control character U+0000");
    expect_error("[\xe2\x80\x8b]", 1, 2, "found '\xe2\x80\x8b' (U+200B)");
}

static void test_error_end_and_file(void **state)
{
    ld_diag_t d;
    char buf[2048];

    (void)state;
    assert_null(
        ld_doc_parse("{\"a\": \"x\\q\"}", 12, "actions.json", LD_FMT_AUTO, &d));
    assert_int_equal(d.code, LD_ESYNTAX);
    assert_int_equal(d.pos.col, 9);
    assert_int_equal(d.end.col, 11); /* the escape spans two characters */
    ld_diag_format(&d, buf, sizeof(buf));
    assert_non_null(strstr(buf, "actions.json:1:9: error: invalid escape"));
    /* NULL name gives an empty file */
    assert_null(ld_doc_parse("[", 1, NULL, LD_FMT_JSON, &d));
    assert_string_equal(d.file, "");
    assert_int_equal(d.pos.line, 1);
    assert_int_equal(d.pos.col, 2);
}

static char *nested(int depth)
{
    char *s = malloc((size_t)depth * 2 + 1);
    int k;

    for (k = 0; k < depth; k++) {
        s[k] = '[';
        s[depth * 2 - 1 - k] = ']';
    }
    s[depth * 2] = '\0';
    return s;
}

static void test_depth_limit(void **state)
{
    char *ok = nested(512), *bad = nested(513), *huge = nested(200000);
    ld_doc_t *doc = parse_str(ok);
    const ld_node_t *n = ld_doc_root(doc);
    int depth = 1;

    (void)state;
    while (n->u.arr.n) {
        n = ld_node_at(n, 0);
        depth++;
    }
    assert_int_equal(depth, 512);
    ld_doc_free(doc);
    expect_error_len(bad, strlen(bad), LD_EDEPTH, 1, 513, "nesting too deep");
    expect_error_len(huge, strlen(huge), LD_EDEPTH, 1, 513, "nesting too deep");
    free(ok);
    free(bad);
    free(huge);
}

static void test_big_document(void **state)
{
    /* 10,000 actions (about 1.5 MB): must parse, every node positioned. */
    ld_buf_t b;
    ld_doc_t *doc;
    const ld_node_t *acts, *last;
    int k;

    (void)state;
    ld_buf_init(&b, 0);
    assert_int_equal(ld_buf_adds(&b, "{\"load_density\": [\n"), 0);
    for (k = 0; k < 10000; k++)
        assert_int_equal(
            ld_buf_printf(
                &b,
                "  [\"LD_start_test\", {\"user_count\": %d, "
                "\"spawn_rate\": 10.5, \"tasks\": [{\"method\": "
                "\"get\", \"request_url\": \"${var.base}/get/%d\"}, "
                "{\"method\": \"post\", \"json\": {\"h\": \"w\"}}]}]%s\n",
                k, k, k < 9999 ? "," : ""),
            0);
    assert_int_equal(ld_buf_adds(&b, "]}\n"), 0);
    doc = parse_ok(b.data, b.len);
    acts = ld_doc_actions(doc, NULL);
    assert_int_equal(acts->u.arr.n, 10000);
    last = ld_node_at(acts, 9999);
    assert_int_equal(last->pos.line, 10001);
    assert_int_equal(last->pos.col, 3);
    assert_int_equal(ld_node_get(ld_node_at(last, 1), "user_count")->u.i, 9999);
    ld_doc_free(doc);
    ld_buf_free(&b);
}

static void test_too_big(void **state)
{
    ld_diag_t d;
    char c = '[';

    (void)state;
    assert_null(
        ld_doc_parse(&c, ((size_t)256 << 20) + 1, "x", LD_FMT_JSON, &d));
    assert_int_equal(d.code, LD_ETOOBIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_example),
        cmocka_unit_test(test_literals_and_nesting),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_key_with_nul_and_duplicates),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_bom_and_line_breaks),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_error_fixtures),
        cmocka_unit_test(test_errors_binary),
        cmocka_unit_test(test_error_end_and_file),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_big_document),
        cmocka_unit_test(test_too_big),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
