/* YAML reader (libfyaml events): same tree as JSON, core schema, positions,
 * aliases, errors with positions and nothing printed to stderr. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "ldcore/doc.h"

static ld_doc_t *yaml_ok(const char *text)
{
    ld_diag_t d;
    char msg[1600];
    ld_doc_t *doc = ld_doc_parse(text, strlen(text), "t.yaml", LD_FMT_YAML, &d);

    if (!doc)
        fail_msg("unexpected error: %s", ld_diag_format(&d, msg, sizeof(msg)));
    return doc;
}

static void yaml_err(const char *text, int code, uint32_t line, uint32_t col,
                     const char *frag)
{
    ld_diag_t d;
    ld_doc_t *doc =
        ld_doc_parse(text, strlen(text), "bad.yaml", LD_FMT_YAML, &d);

    if (doc)
        fail_msg("parsed but expected '%s' for: %s", frag, text);
    if (d.code != code || d.pos.line != line || d.pos.col != col ||
        !strstr(d.msg, frag))
        fail_msg("input %s\n  want %d %u:%u '%s'\n  got  %d %u:%u '%s'", text,
                 code, line, col, frag, d.code, d.pos.line, d.pos.col, d.msg);
    assert_string_equal(d.file, "bad.yaml");
}

static char *compact(const ld_doc_t *doc)
{
    ld_buf_t b;

    ld_buf_init(&b, 0);
    assert_int_equal(ld_node_write_json(ld_doc_root(doc), &b), 0);
    return ld_buf_take(&b, NULL);
}

static void test_seed_yaml_equals_json(void **state)
{
    ld_diag_t d;
    ld_doc_t *j =
        ld_doc_load(tu_fixture("doc/seed_actions.json"), LD_FMT_AUTO, &d);
    ld_doc_t *y =
        ld_doc_load(tu_fixture("doc/seed_actions.yaml"), LD_FMT_AUTO, &d);
    ld_doc_t *yml =
        ld_doc_load(tu_fixture("doc/seed_actions.yml"), LD_FMT_AUTO, &d);
    char *want = tu_read(tu_fixture("doc/seed_actions.compact.json"), NULL);
    char *a, *b, *c;

    (void)state;
    assert_non_null(j);
    assert_non_null(y);
    assert_non_null(yml);
    a = compact(j);
    b = compact(y);
    c = compact(yml);
    assert_string_equal(a, want);
    assert_string_equal(b, want);
    assert_string_equal(c, want);
    assert_int_equal(ld_doc_actions(y, NULL)->u.arr.n, 3);
    free(a);
    free(b);
    free(c);
    free(want);
    ld_doc_free(j);
    ld_doc_free(y);
    ld_doc_free(yml);
}

static void test_auto_by_name(void **state)
{
    ld_diag_t d;
    const char *text = "a: 1\n";
    ld_doc_t *doc =
        ld_doc_parse(text, strlen(text), "dir/x.YML", LD_FMT_AUTO, &d);

    (void)state;
    assert_non_null(doc);
    assert_int_equal(ld_node_get(ld_doc_root(doc), "a")->u.i, 1);
    ld_doc_free(doc);
    assert_null(ld_doc_parse(text, strlen(text), "x.json", LD_FMT_AUTO, &d));
    assert_int_equal(d.code, LD_ESYNTAX);
    assert_null(ld_doc_parse(text, strlen(text), NULL, LD_FMT_AUTO, &d));
    /* JSON is YAML too */
    doc = ld_doc_parse("{\"a\": [1, \"x\"]}", 15, "x.yaml", LD_FMT_AUTO, &d);
    assert_non_null(doc);
    assert_string_equal(
        ld_node_str(ld_node_at(ld_node_get(ld_doc_root(doc), "a"), 1)), "x");
    ld_doc_free(doc);
}

static void test_core_schema(void **state)
{
    static const struct {
        ld_type_t t;
        double v;      /* numbers and booleans */
        const char *s; /* strings */
    } want[] = {
        {LD_TNULL, 0, NULL}, /* ~ */
        {LD_TNULL, 0, NULL}, /* null */
        {LD_TNULL, 0, NULL}, /* Null */
        {LD_TNULL, 0, NULL}, /* NULL */
        {LD_TBOOL, 1, NULL}, /* true */
        {LD_TBOOL, 1, NULL}, /* True */
        {LD_TBOOL, 0, NULL}, /* FALSE */
        {LD_TINT, 12, NULL},
        {LD_TINT, -3, NULL},
        {LD_TINT, 4, NULL},  /* +4 */
        {LD_TINT, 15, NULL}, /* 0o17 */
        {LD_TINT, 31, NULL}, /* 0x1F */
        {LD_TINT, 7, NULL},  /* 007 */
        {LD_TREAL, 1.5, NULL},
        {LD_TREAL, 0.5, NULL},  /* .5 */
        {LD_TREAL, -1, NULL},   /* -1. */
        {LD_TREAL, 1000, NULL}, /* 1e3 */
        {LD_TREAL, 0.02, NULL}, /* 2E-2 */
        {LD_TREAL, HUGE_VAL, NULL},
        {LD_TREAL, -HUGE_VAL, NULL},
        {LD_TREAL, NAN, NULL},
        {LD_TSTRING, 0, "12"}, /* "12" */
        {LD_TSTRING, 0, "12"}, /* '12' */
        {LD_TSTRING, 0, "abc"},
        {LD_TREAL, 9223372036854775808.0, NULL},
        {LD_TINT, (double)INT64_MIN, NULL},
        {LD_TSTRING, 0, "yes"}, /* YAML 1.1 booleans are strings */
        {LD_TSTRING, 0, "on"},
        {LD_TSTRING, 0, "0x"},
        {LD_TSTRING, 0, "1_000"},
        {LD_TSTRING, 0, "12"},                      /* !!str 12 */
        {LD_TREAL, 3, NULL},                        /* !!float 3 */
        {LD_TBOOL, 1, NULL},                        /* !!bool true */
        {LD_TNULL, 0, NULL},                        /* !!null ~ */
        {LD_TSTRING, 0, ""},                        /* "" */
        {LD_TREAL, 4722366482869645213696.0, NULL}, /* 0x1000000000000000000 */
        {LD_TSTRING, 0, "1.2.3"},
        {LD_TSTRING, 0, "a b"},
    };
    ld_doc_t *doc = yaml_ok(
        "[~, null, Null, NULL, true, True, FALSE, 12, -3, +4, 0o17, 0x1F, 007,"
        " 1.5, .5, -1., 1e3, 2E-2, .inf, -.Inf, .nan, \"12\", '12', abc,"
        " 9223372036854775808, -9223372036854775808, yes, on, 0x, 1_000,"
        " !!str 12, !!float 3, !!bool true, !!null ~, \"\","
        " 0x1000000000000000000, 1.2.3, a b]");
    const ld_node_t *r = ld_doc_root(doc);
    size_t k;

    (void)state;
    assert_int_equal(r->u.arr.n, sizeof(want) / sizeof(want[0]));
    for (k = 0; k < r->u.arr.n; k++) {
        const ld_node_t *n = ld_node_at(r, k);

        if (n->type != want[k].t)
            fail_msg("item %zu: type %s", k, ld_type_name(n->type));
        if (n->type == LD_TINT && (double)n->u.i != want[k].v)
            fail_msg("item %zu: %lld", k, (long long)n->u.i);
        if (n->type == LD_TREAL &&
            !(isnan(want[k].v) ? isnan(n->u.d) : n->u.d == want[k].v))
            fail_msg("item %zu: %.17g", k, n->u.d);
        if (n->type == LD_TBOOL && n->u.b != (want[k].v != 0))
            fail_msg("item %zu: bool", k);
        if (n->type == LD_TSTRING)
            assert_string_equal(n->u.str.s, want[k].s);
        assert_ptr_equal(n->parent, r);
    }
    ld_doc_free(doc);
}

static void test_block_scalars_and_keys(void **state)
{
    ld_doc_t *doc = yaml_ok("lit: |\n  a\n  b\nfold: >\n  a\n  b\n"
                            "1: int key\ntrue: bool key\n~: null key\n"
                            "\"q\": quoted key\nempty:\n");
    const ld_node_t *r = ld_doc_root(doc);

    (void)state;
    assert_string_equal(ld_node_str(ld_node_get(r, "lit")), "a\nb\n");
    assert_string_equal(ld_node_str(ld_node_get(r, "fold")), "a b\n");
    assert_string_equal(ld_node_str(ld_node_get(r, "1")), "int key");
    assert_string_equal(ld_node_str(ld_node_get(r, "true")), "bool key");
    assert_string_equal(ld_node_str(ld_node_get(r, "~")), "null key");
    assert_string_equal(ld_node_str(ld_node_get(r, "q")), "quoted key");
    assert_int_equal(ld_node_get(r, "empty")->type, LD_TNULL);
    ld_doc_free(doc);
}

static void assert_pos(ld_pos_t p, uint32_t line, uint32_t col)
{
    if (p.line != line || p.col != col)
        fail_msg("want %u:%u got %u:%u", line, col, p.line, p.col);
}

static void test_positions(void **state)
{
    const char *text = "name: \xe5\x90\x8d\xe5\x89\x8d\n"
                       "list:\n"
                       "  - \"x\"\n"
                       "  - 42\n"
                       "map: {k: 'v'}\n";
    ld_doc_t *doc = yaml_ok(text);
    const ld_node_t *r = ld_doc_root(doc), *list, *map;
    const ld_member_t *m;

    (void)state;
    assert_pos(r->pos, 1, 1);
    assert_int_equal(r->pos.off, 0);
    assert_pos(r->end, 5, 14);
    m = ld_node_member(r, "name");
    assert_pos(m->key_pos, 1, 1);
    assert_pos(m->key_end, 1, 5);
    assert_pos(m->value->pos, 1, 7);
    assert_pos(m->value->end, 1, 9);
    assert_int_equal(m->value->pos.off, 6);
    assert_int_equal(m->value->end.off, 12);
    m = ld_node_member(r, "list");
    assert_pos(m->key_pos, 2, 1);
    list = m->value;
    assert_pos(list->pos, 3, 3);
    assert_pos(list->end, 4, 7);
    assert_pos(ld_node_at(list, 0)->pos, 3, 5); /* quotes included */
    assert_pos(ld_node_at(list, 0)->end, 3, 8);
    assert_pos(ld_node_at(list, 1)->pos, 4, 5);
    assert_pos(ld_node_at(list, 1)->end, 4, 7);
    assert_int_equal(ld_node_at(list, 1)->type, LD_TINT);
    assert_ptr_equal(ld_node_at(list, 1)->parent, list);
    assert_ptr_equal(list->parent, r);
    map = ld_node_get(r, "map");
    assert_pos(map->pos, 5, 6);
    assert_pos(map->end, 5, 14);
    m = ld_node_member(map, "k");
    assert_pos(m->key_pos, 5, 7);
    assert_pos(m->key_end, 5, 8);
    assert_pos(m->value->pos, 5, 10);
    assert_pos(m->value->end, 5, 13);
    ld_doc_free(doc);
}

static void test_bom_crlf(void **state)
{
    ld_doc_t *doc = yaml_ok("\xef\xbb\xbf"
                            "a: 1\r\nb: [x]\r\n");
    const ld_node_t *r = ld_doc_root(doc);

    (void)state;
    assert_pos(r->u.obj.members[0].key_pos, 1, 1);
    assert_int_equal(r->u.obj.members[0].key_pos.off, 3);
    assert_pos(r->u.obj.members[1].key_pos, 2, 1);
    assert_pos(ld_node_get(r, "b")->pos, 2, 4);
    ld_doc_free(doc);
}

static void test_aliases(void **state)
{
    ld_doc_t *doc = yaml_ok("base: &b {x: 1, y: [1, 2]}\n"
                            "copy: *b\n"
                            "s: &s hello\n"
                            "t: *s\n");
    const ld_node_t *r = ld_doc_root(doc), *base, *copy;
    ld_buf_t b1, b2;

    (void)state;
    base = ld_node_get(r, "base");
    copy = ld_node_get(r, "copy");
    assert_ptr_not_equal(base, copy);
    assert_ptr_equal(copy->parent, r);
    assert_ptr_equal(ld_node_get(copy, "y")->parent, copy);
    assert_pos(copy->pos, 2, 7); /* the alias itself */
    ld_buf_init(&b1, 0);
    ld_buf_init(&b2, 0);
    assert_int_equal(ld_node_write_json(base, &b1), 0);
    assert_int_equal(ld_node_write_json(copy, &b2), 0);
    assert_string_equal(b1.data, b2.data);
    assert_string_equal(b1.data, "{\"x\":1,\"y\":[1,2]}");
    assert_string_equal(ld_node_str(ld_node_get(r, "t")), "hello");
    ld_buf_free(&b1);
    ld_buf_free(&b2);
    ld_doc_free(doc);
}

static void test_alias_bomb(void **state)
{
    const char *text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                       "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                       "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                       "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
    ld_diag_t d;

    (void)state;
    assert_null(ld_doc_parse(text, strlen(text), "bomb.yaml", LD_FMT_YAML, &d));
    assert_int_equal(d.code, LD_ETOOBIG);
    assert_non_null(strstr(d.msg, "aliases expand to too many nodes"));
    assert_true(d.pos.line >= 6);
}

static void test_errors(void **state)
{
    (void)state;
    yaml_err("a: \"abc\\q\"\n", LD_ESYNTAX, 1, 8, "invalid escape");
    yaml_err("a: [1, 2\nb: 3\n", LD_ESYNTAX, 3, 1,
             "flow sequence without a closing bracket");
    yaml_err("a:\n\t- 1\n", LD_ESYNTAX, 2, 1, "tab character");
    yaml_err("list:\n  - a\n - b\n", LD_ESYNTAX, 3, 2, "");
    yaml_err("a: *nope\n", LD_ESYNTAX, 1, 4, "unknown anchor 'nope'");
    yaml_err("a: 1\n---\nb: 2\n", LD_ESYNTAX, 2, 1,
             "only one YAML document is allowed");
    yaml_err("? [a]\n: 1\n", LD_ESYNTAX, 1, 3,
             "a sequence cannot be used as a mapping key");
    yaml_err("a: !!int abc\n", LD_ESYNTAX, 1, 10,
             "'abc' is not a valid !!int value");
    yaml_err("- &x [1, *x]\n", LD_ESYNTAX, 1, 10,
             "alias '*x' refers to a node that contains it");
    yaml_err("", LD_ESYNTAX, 1, 1, "empty document");
    yaml_err("# only a comment\n", LD_ESYNTAX, 2, 1, "empty document");
    yaml_err("k: \xe5\x90\x8d\n\"x\": [1, 2\n", LD_ESYNTAX, 3, 1,
             "flow sequence without a closing bracket");
}

static void test_invalid_utf8(void **state)
{
    ld_diag_t d;
    const char *text = "a: b\nc: \xff\xfe\n";

    (void)state;
    assert_null(ld_doc_parse(text, strlen(text), "u.yaml", LD_FMT_YAML, &d));
    assert_int_equal(d.code, LD_ESYNTAX);
    assert_int_equal(d.pos.line, 2);
    assert_int_equal(d.pos.col, 4);
    assert_non_null(strstr(d.msg, "invalid UTF-8 (byte 0xFF)"));
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

static void test_depth(void **state)
{
    char *ok = nested(512), *bad = nested(513);
    ld_doc_t *doc = yaml_ok(ok);

    (void)state;
    ld_doc_free(doc);
    yaml_err(bad, LD_EDEPTH, 1, 513, "nesting too deep");
    free(ok);
    free(bad);
}

/* libfyaml must never print: errors reach the caller only through ld_diag_t. */
static void test_silent_stderr(void **state)
{
    static const char *const bad[] = {
        "a: \"abc\\q\"\n", "a: [1, 2\nb: 3\n",       "a:\n\t- 1\n",
        "{a: 1, a: }}\n",  "%YAML 9.9\n---\na: 1\n", "a: b: c\n",
        "- a\nb: c\n",
    };
    const char *dir = tu_tmpdir();
    char path[512];
    int saved, fd;
    size_t k;
    struct stat st;
    ld_diag_t d;

    (void)state;
    snprintf(path, sizeof(path), "%s/stderr.txt", dir);
    fflush(stderr);
    saved = dup(2);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);
    for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        ld_doc_t *doc =
            ld_doc_parse(bad[k], strlen(bad[k]), "s.yaml", LD_FMT_YAML, &d);

        ld_doc_free(doc);
    }
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_yaml_equals_json),
        cmocka_unit_test(test_auto_by_name),
        cmocka_unit_test(test_core_schema),
        cmocka_unit_test(test_block_scalars_and_keys),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_bom_crlf),
        cmocka_unit_test(test_aliases),
        cmocka_unit_test(test_alias_bomb),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_silent_stderr),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
