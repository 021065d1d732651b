/*
 * split.c - the top-level actions of a big document linted on two threads:
 * the earlier part on the caller's, the later part on a new one, then
 * merged into what one pass finds.
 *
 * The rules look at one action at a time, except for what earlier actions
 * registered: variables and CSV sources (LD_register_*, LD_start_test
 * "variables", dropped by LD_clear_resolver). The later part starts with
 * none registered, so a lookup that misses there before its own first
 * LD_clear_resolver stays open: a ${var.X} use is kept pending with a mark,
 * a ${csv.S.C} finding is noted. At the merge, those naming what the
 * earlier part ended with are dropped. Findings, definitions and pending
 * uses are then appended in document order, as one pass makes them (the
 * unit test unit.lint.split compares both on every example and test
 * document). When a part reaches the findings cap (kept in document order)
 * or memory runs out, nothing is merged and the caller lints the whole
 * list again in one pass.
 */
#include "lint/lint_int.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SPLIT_MIN_DEFAULT 2000

size_t ld__lint_splits;

typedef struct part {
    ld__lint_t cx;
    ld_lint_result_t r;
    const ld_node_t *list;
    size_t from;
} part_t;

static void *lint_later(void *arg)
{
    part_t *pt = arg;

    ld__lint_action_range(&pt->cx, pt->list, pt->from, pt->list->u.arr.n);
    return NULL;
}

/* The first action that starts in the second half of the list's bytes
   (by count when the nodes have no positions). */
static size_t middle(const ld_node_t *list)
{
    size_t n = list->u.arr.n, lo = 1, hi = n - 1;
    uint32_t a = list->u.arr.items[0]->pos.off;
    uint32_t b = list->u.arr.items[n - 1]->pos.off, mid;

    if (b <= a)
        return n / 2;
    mid = a + (b - a) / 2;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;

        if (list->u.arr.items[m]->pos.off < mid)
            lo = m + 1;
        else
            hi = m;
    }
    return lo;
}

static void free_finding(ld_lint_finding_t *f)
{
    size_t j;

    for (j = 0; j < f->nfixes; j++) {
        free(f->fixes[j].title);
        free(f->fixes[j].text);
    }
    free(f->fixes);
    free(f->message);
    free(f->location);
}

/* Is finding k of the later part about a CSV source the earlier part
   registered? */
static bool csv_resolved(const ld__lint_t *a, const part_t *b, size_t k,
                         size_t *next)
{
    while (*next < b->cx.nopen_csv && b->cx.open_csv[*next].item < k)
        (*next)++;
    if (*next >= b->cx.nopen_csv || b->cx.open_csv[*next].item != k)
        return false;
    return ld__strset_has(&a->csv, b->cx.open_csv[*next].name,
                          strlen(b->cx.open_csv[*next].name));
}

/* Room for everything the later part brings; then nothing can fail. */
static int reserve(ld__lint_t *a, part_t *b)
{
    ld_lint_result_t *r = a->r;

    if (ld_grow((void **)&r->items, &r->cap, r->n + b->r.n,
                sizeof(*r->items)) ||
        ld_grow((void **)&r->defs, &r->defs_cap, r->ndefs + b->r.ndefs,
                sizeof(*r->defs)) ||
        ld_grow((void **)&a->pending, &a->pending_cap,
                a->npending + b->cx.npending, sizeof(*a->pending)))
        return LD_ENOMEM;
    return 0;
}

static int merge(ld__lint_t *a, part_t *b)
{
    ld_lint_result_t *r = a->r;
    size_t k, next = 0;

    if (reserve(a, b))
        return LD_ENOMEM;
    for (k = 0; k < b->cx.extracted.cap; k++)
        if (b->cx.extracted.slots[k] &&
            ld__strset_add(&a->extracted, b->cx.extracted.slots[k],
                           strlen(b->cx.extracted.slots[k])))
            return LD_ENOMEM;
    for (k = 0; k < b->r.n; k++) {
        if (csv_resolved(a, b, k, &next))
            free_finding(&b->r.items[k]);
        else
            r->items[r->n++] = b->r.items[k];
    }
    b->r.n = 0;
    if (b->r.ndefs) { /* (memcpy takes no NULL, even for 0 bytes) */
        memcpy(r->defs + r->ndefs, b->r.defs, b->r.ndefs * sizeof(*r->defs));
        r->ndefs += b->r.ndefs;
        b->r.ndefs = 0;
    }
    for (k = 0; k < b->cx.npending; k++) {
        ld__pending_var_t *v = &b->cx.pending[k];

        if (v->open && ld__strset_has(&a->vars, v->name, strlen(v->name))) {
            free(v->name);
            free(v->location);
            continue;
        }
        v->open = false;
        a->pending[a->npending++] = *v;
    }
    b->cx.npending = 0;
    return 0;
}

/* Back to the state before the split: findings and definitions added by
   the earlier part go, and so do its sets and pending uses. */
static void undo(ld__lint_t *a, size_t n0, size_t ndefs0)
{
    ld_lint_result_t *r = a->r;

    while (r->n > n0)
        free_finding(&r->items[--r->n]);
    while (r->ndefs > ndefs0) {
        r->ndefs--;
        free(r->defs[r->ndefs].name);
        free(r->defs[r->ndefs].detail);
    }
    ld__lint_walk_free(a);
    a->cleared = false;
    a->oom = 0;
}

bool ld__lint_split(ld__lint_t *cx, const ld_node_t *list)
{
    const ld_lint_opts_t *o = cx->opts;
    size_t min = o && o->split_min ? o->split_min : SPLIT_MIN_DEFAULT;
    size_t n0 = cx->r->n, ndefs0 = cx->r->ndefs;
    pthread_t th;
    part_t b;
    bool ok;

    if (list->u.arr.n < 2 || list->u.arr.n < min || cx->depth || cx->pdepth ||
        cx->npending || cx->vars.n || cx->csv.n || cx->extracted.n || cx->oom)
        return false;
    memset(&b, 0, sizeof(b));
    ld_lint_result_init(&b.r);
    b.cx.r = &b.r;
    b.cx.opts = cx->opts;
    b.cx.text = cx->text;
    b.cx.len = cx->len;
    b.cx.max = cx->max - n0;
    b.cx.later = true;
    b.list = list;
    b.from = middle(list);
    if (pthread_create(&th, NULL, lint_later, &b))
        return false;
    ld__lint_action_range(cx, list, 0, b.from);
    pthread_join(th, NULL);
    /* the cap: one pass would have stopped inside one of the parts */
    ok = !cx->oom && !b.cx.oom && b.r.n < b.cx.max &&
         cx->r->n + b.r.n < cx->max && !merge(cx, &b);
    if (ok)
        __atomic_add_fetch(&ld__lint_splits, 1, __ATOMIC_RELAXED);
    else
        undo(cx, n0, ndefs0);
    ld__lint_walk_free(&b.cx);
    ld_lint_result_free(&b.r);
    return ok;
}
