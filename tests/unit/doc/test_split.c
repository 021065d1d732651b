/*
 * A big JSON document parsed on two threads (core/src/doc/json_split.c)
 * gives the tree one pass gives: every node's type, value, position and
 * parent, every key and its position; and the same error, at the same
 * place, for a broken one. The split threshold is lowered so that small
 * generated documents are split; whether the later part was used (only
 * when the guess was right) is counted by ld__json_splits.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldcore/doc.h"
#include "doc/json_int.h"

static void same_pos(const ld_pos_t *a, const ld_pos_t *b, const char *what)
{
    if (a->line != b->line || a->col != b->col || a->off != b->off)
        fail_msg("%s: %u:%u@%u vs %u:%u@%u", what, a->line, a->col, a->off,
                 b->line, b->col, b->off);
}

static void same_tree(const ld_node_t *a, const ld_node_t *b,
                      const ld_node_t *pa, const ld_node_t *pb)
{
    size_t i;

    assert_int_equal(a->type, b->type);
    same_pos(&a->pos, &b->pos, "pos");
    same_pos(&a->end, &b->end, "end");
    assert_true(a->parent == pa);
    assert_true(b->parent == pb);
    switch (a->type) {
    case LD_TBOOL:
        assert_int_equal(a->u.b, b->u.b);
        break;
    case LD_TINT:
        assert_true(a->u.i == b->u.i);
        break;
    case LD_TREAL:
        assert_memory_equal(&a->u.d, &b->u.d, sizeof(double));
        break;
    case LD_TSTRING:
        assert_int_equal(a->u.str.len, b->u.str.len);
        assert_memory_equal(a->u.str.s, b->u.str.s, a->u.str.len + 1);
        break;
    case LD_TARRAY:
        assert_int_equal(a->u.arr.n, b->u.arr.n);
        for (i = 0; i < a->u.arr.n; i++)
            same_tree(a->u.arr.items[i], b->u.arr.items[i], a, b);
        break;
    case LD_TOBJECT:
        assert_int_equal(a->u.obj.n, b->u.obj.n);
        for (i = 0; i < a->u.obj.n; i++) {
            const ld_member_t *x = &a->u.obj.members[i];
            const ld_member_t *y = &b->u.obj.members[i];

            assert_int_equal(x->key_len, y->key_len);
            assert_memory_equal(x->key, y->key, x->key_len + 1);
            same_pos(&x->key_pos, &y->key_pos, "key_pos");
            same_pos(&x->key_end, &y->key_end, "key_end");
            same_tree(x->value, y->value, a, b);
        }
        break;
    default:
        break;
    }
}

/* Parse text once in one pass and once split; compare. Returns whether
   the split was used. */
static bool check(const char *text)
{
    size_t len = strlen(text), before;
    ld_diag_t d1, d2;
    ld_doc_t *one, *two;
    bool used;

    ld__json_split_min = (size_t)-1;
    one = ld_doc_parse(text, len, "t.json", LD_FMT_JSON, &d1);
    before = ld__json_splits;
    ld__json_split_min = 1;
    two = ld_doc_parse(text, len, "t.json", LD_FMT_JSON, &d2);
    ld__json_split_min = (size_t)256 << 10;
    assert_true(!one == !two);
    if (!one) {
        assert_int_equal(d1.code, d2.code);
        assert_string_equal(d1.msg, d2.msg);
        same_pos(&d1.pos, &d2.pos, "error pos");
        same_pos(&d1.end, &d2.end, "error end");
        return ld__json_splits > before;
    }
    same_tree(ld_doc_root(one), ld_doc_root(two), NULL, NULL);
    used = ld__json_splits > before;
    ld_doc_free(one);
    ld_doc_free(two);
    return used;
}

/* An action document: n actions, one per line, with non-ASCII text,
   escapes and nested values; root is an array or {"load_density": ...}. */
static char *actions(int n, bool object, const char *inject, int at)
{
    ld_buf_t b;
    int i;

    ld_buf_init(&b, 0);
    ld_buf_adds(&b, object ? "{\"load_density\": [\n" : "[\n");
    for (i = 0; i < n; i++) {
        if (i == at && inject)
            ld_buf_adds(&b, inject);
        ld_buf_printf(
            &b,
            "  [\"LD_start_test\", {\"user_count\": %d, \"spawn_rate\": %d.5,"
            " \"tasks\": [{\"method\": \"get\", \"request_url\": "
            "\"http://127.0.0.1/é/%d?q=\\\"x\\\"\\u00e9\\ud83d\\ude00\", "
            "\"headers\": {\"X-Ü\": \"ß\"}, \"ok\": true, \"n\": null}, "
            "[1, [2, [3]]]]}]%s\n",
            i, i, i, i + 1 < n ? "," : "");
    }
    ld_buf_adds(&b, object ? "]}\n" : "]\n");
    return ld_buf_take(&b, NULL);
}

static void split_documents(void **state)
{
    char *t;

    (void)state;
    t = actions(200, true, NULL, -1);
    assert_true(check(t));
    free(t);
    t = actions(200, false, NULL, -1);
    assert_true(check(t));
    free(t);
    t = actions(3, true, NULL, -1);
    assert_true(check(t));
    free(t);
}

/* Errors anywhere give the one-pass error. */
static void broken_documents(void **state)
{
    static const char *const bad[] = {
        "  [\"LD_x\", {\"a\": 1,}],\n",  /* trailing comma */
        "  [\"LD_x\", {\"a\": tru}],\n", /* bad literal */
        "  [\"LD_x\", \"\\q\"],\n",      /* bad escape */
        "  [\"LD_x\" {}],\n",            /* missing comma */
        "  [\"LD_x\", \"\xff\"],\n",     /* bad UTF-8 */
    };
    size_t i;
    int at;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        for (at = 10; at < 200; at += 80) { /* early, middle, late */
            char *t = actions(200, at > 100, bad[i], at);

            assert_false(check(t));
            free(t);
        }
}

/* Guesses that are wrong: the line looks like an item but belongs to a
   deeper array, or to an object; the later part is not used. */
static void wrong_guesses(void **state)
{
    ld_buf_t b;
    char *t;
    int i;

    (void)state;
    /* one action whose argument holds a long array, one item per line */
    ld_buf_init(&b, 0);
    ld_buf_adds(&b, "[[\"LD_x\", {\"list\": [\n");
    for (i = 0; i < 300; i++)
        ld_buf_printf(&b, "  [%d, \"é\"],\n", i);
    ld_buf_adds(&b, "  [0]\n]}]]\n");
    t = ld_buf_take(&b, NULL);
    assert_false(check(t));
    free(t);
    /* a deep nesting limit reached in the later part only */
    ld_buf_init(&b, 0);
    ld_buf_adds(&b, "[\n");
    for (i = 0; i < 50; i++)
        ld_buf_adds(&b, "  [1],\n");
    for (i = 0; i < 520; i++)
        ld_buf_adds(&b, "[");
    for (i = 0; i < 520; i++)
        ld_buf_adds(&b, "]");
    ld_buf_adds(&b, "\n]\n");
    t = ld_buf_take(&b, NULL);
    assert_false(check(t));
    free(t);
    /* CR line ends: not split (lines would be miscounted), same tree */
    t = actions(50, true, NULL, -1);
    for (i = 0; t[i]; i++)
        if (t[i] == '\n' && i % 3 == 0)
            t[i] = '\r';
    check(t);
    free(t);
}

/* A string of hundreds of KiB with escapes (an LSP didOpen) is decoded
   straight into the arena: same bytes as jansson decodes, and an error deep
   inside it is reported where it is. */
static void long_strings(void **state)
{
    ld_buf_t b;
    char *t;
    json_t *j;
    ld_doc_t *doc;
    ld_diag_t d;
    const ld_node_t *v;
    int i;

    (void)state;
    ld_buf_init(&b, 0);
    ld_buf_adds(&b, "{\"text\": \"");
    for (i = 0; i < 20000; i++)
        ld_buf_adds(&b, "[\\\"LD_x\\\", {\\\"é\\\": \\\"\\u00e9\\ud83d\\ude00"
                        "\\\\\\/\\n\\t\\b\\f\\r\\\"}],\\n  ");
    ld_buf_adds(&b, "\", \"after\": [1]}");
    t = ld_buf_take(&b, NULL);
    j = json_loads(t, 0, NULL);
    assert_non_null(j);
    doc = ld_doc_parse(t, strlen(t), "long.json", LD_FMT_JSON, &d);
    assert_non_null(doc);
    v = ld_node_get(ld_doc_root(doc), "text");
    assert_non_null(v);
    assert_int_equal(v->u.str.len,
                     json_string_length(json_object_get(j, "text")));
    assert_memory_equal(v->u.str.s,
                        json_string_value(json_object_get(j, "text")),
                        v->u.str.len + 1);
    v = ld_node_get(ld_doc_root(doc), "after");
    assert_non_null(v);
    assert_int_equal(v->pos.line, 1);
    /* columns count the source's code points: each é (two bytes) is one */
    assert_int_equal(v->pos.col,
                     (unsigned)(strchr(strstr(t, "\"after\""), '[') - t) + 1 -
                         20000u);
    ld_doc_free(doc);
    json_decref(j);
    /* a bad escape three quarters in */
    t[strlen(t) * 3 / 4] = '\\';
    t[strlen(t) * 3 / 4 + 1] = 'q';
    doc = ld_doc_parse(t, strlen(t), "long.json", LD_FMT_JSON, &d);
    assert_null(doc);
    assert_non_null(strstr(d.msg, "invalid escape"));
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(split_documents),
        cmocka_unit_test(broken_documents),
        cmocka_unit_test(wrong_guesses),
        cmocka_unit_test(long_strings),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
