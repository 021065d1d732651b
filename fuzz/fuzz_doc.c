/*
 * libFuzzer target: the document reader. The input is parsed as JSON and as
 * YAML; whatever parses is walked through the node helpers and written back
 * as JSON, which must read back (ld_node_write_json promises valid JSON).
 * JSON is also parsed with the two-thread split forced (json_split.c),
 * which must give the same tree, positions included, or the same error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldcore/doc.h"
#include "doc/json_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_roundtrip(const ld_doc_t *doc)
{
    ld_buf_t out;
    ld_doc_t *again;
    ld_diag_t d;

    ld_buf_init(&out, 0);
    if (ld_node_write_json(ld_doc_root(doc), &out) != 0)
        return; /* buffer already freed on failure */
    again = ld_doc_parse(out.data, out.len, "<roundtrip>", LD_FMT_JSON, &d);
    if (!again && d.code != LD_ENOMEM && d.code != LD_EDEPTH) {
        fprintf(stderr, "written JSON does not read back: %s\n%s\n", d.msg,
                out.data);
        abort();
    }
    ld_doc_free(again);
    ld_buf_free(&out);
}

static bool same_pos(const ld_pos_t *a, const ld_pos_t *b)
{
    return a->line == b->line && a->col == b->col && a->off == b->off;
}

static bool same_tree(const ld_node_t *a, const ld_node_t *b)
{
    size_t i;

    if (a->type != b->type || !same_pos(&a->pos, &b->pos) ||
        !same_pos(&a->end, &b->end))
        return false;
    if (a->type == LD_TARRAY) {
        if (a->u.arr.n != b->u.arr.n)
            return false;
        for (i = 0; i < a->u.arr.n; i++)
            if (a->u.arr.items[i]->parent != a ||
                b->u.arr.items[i]->parent != b ||
                !same_tree(a->u.arr.items[i], b->u.arr.items[i]))
                return false;
    } else if (a->type == LD_TOBJECT) {
        if (a->u.obj.n != b->u.obj.n)
            return false;
        for (i = 0; i < a->u.obj.n; i++) {
            const ld_member_t *x = &a->u.obj.members[i];
            const ld_member_t *y = &b->u.obj.members[i];

            if (x->key_len != y->key_len ||
                memcmp(x->key, y->key, x->key_len) ||
                !same_pos(&x->key_pos, &y->key_pos) ||
                !same_pos(&x->key_end, &y->key_end) ||
                !same_tree(x->value, y->value))
                return false;
        }
    } else if (a->type == LD_TSTRING) {
        if (a->u.str.len != b->u.str.len ||
            memcmp(a->u.str.s, b->u.str.s, a->u.str.len))
            return false;
    } else if (a->type == LD_TINT || a->type == LD_TBOOL) {
        if (a->type == LD_TINT ? a->u.i != b->u.i : a->u.b != b->u.b)
            return false;
    } else if (a->type == LD_TREAL) {
        if (memcmp(&a->u.d, &b->u.d, sizeof(double)))
            return false;
    }
    return true;
}

static void split_check(const uint8_t *data, size_t size)
{
    ld_diag_t d1, d2;
    ld_doc_t *one, *two;
    size_t min = ld__json_split_min;

    ld__json_split_min = (size_t)-1;
    one = ld_doc_parse((const char *)data, size, "<fuzz>", LD_FMT_JSON, &d1);
    ld__json_split_min = 1;
    two = ld_doc_parse((const char *)data, size, "<fuzz>", LD_FMT_JSON, &d2);
    ld__json_split_min = min;
    if (one && two ? !same_tree(ld_doc_root(one), ld_doc_root(two))
        : one || two ? d1.code != LD_ENOMEM && d2.code != LD_ENOMEM
                     : d1.code != d2.code || strcmp(d1.msg, d2.msg) ||
                           !same_pos(&d1.pos, &d2.pos)) {
        fprintf(stderr, "the split parse differs from one pass\n");
        abort();
    }
    ld_doc_free(one);
    ld_doc_free(two);
}

static void one(const uint8_t *data, size_t size, ld_doc_format_t fmt)
{
    ld_diag_t d;
    ld_doc_t *doc;
    json_t *j;

    doc = ld_doc_parse((const char *)data, size, "<fuzz>", fmt, &d);
    if (!doc)
        return;
    (void)ld_doc_actions(doc, &d);
    (void)ld_node_truthy(ld_doc_root(doc));
    j = ld_node_to_json(ld_doc_root(doc));
    if (j) {
        ld_doc_t *back = ld_doc_from_json(j, "<json>", &d);

        ld_doc_free(back);
        json_decref(j);
    }
    check_roundtrip(doc);
    ld_doc_free(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(data, size, LD_FMT_JSON);
    one(data, size, LD_FMT_YAML);
    split_check(data, size);
    return 0;
}
