/*
 * lint.c - findings and their fixes, the location path, and the entry
 * points: document, action list, action. Arguments are checked here against
 * the registry (all problems are reported, where ld_args_bind stops at the
 * first); values with a shape go to lint_tasks.c and lint_shapes.c.
 */
#include "lint/lint_int.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LD_LINT_DEFAULT_MAX 10000

/* ---- findings ---- */

void ld_lint_result_init(ld_lint_result_t *r)
{
    memset(r, 0, sizeof(*r));
}

void ld_lint_result_free(ld_lint_result_t *r)
{
    size_t i, j;

    for (i = 0; i < r->n; i++) {
        for (j = 0; j < r->items[i].nfixes; j++) {
            free(r->items[i].fixes[j].title);
            free(r->items[i].fixes[j].text);
        }
        free(r->items[i].fixes);
        free(r->items[i].message);
        free(r->items[i].location);
    }
    for (i = 0; i < r->ndefs; i++) {
        free(r->defs[i].name);
        free(r->defs[i].detail);
    }
    free(r->items);
    free(r->defs);
    free((void *)r->actions);
    ld_lint_result_init(r);
}

static ld_lint_finding_t *vadd(ld__lint_t *cx, ld_lint_rule_id_t rule,
                               const ld_pos_t *pos, const ld_pos_t *end,
                               const char *fmt, va_list ap)
{
    ld_lint_result_t *r = cx->r;
    ld_lint_finding_t *f;
    char msg[1024], loc[512];

    if (cx->oom || r->n >= cx->max)
        return NULL;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        ld_lint_finding_t *p = realloc(r->items, cap * sizeof(*p));

        if (!p) {
            cx->oom = LD_ENOMEM;
            return NULL;
        }
        r->items = p;
        r->cap = cap;
    }
    vsnprintf(msg, sizeof(msg), fmt, ap);
    ld__loc_text(cx, loc, sizeof(loc));
    f = &r->items[r->n];
    memset(f, 0, sizeof(*f));
    f->rule = &ld_lint_rules(NULL)[rule];
    f->severity = f->rule->severity;
    if (pos)
        f->pos = *pos;
    if (end)
        f->end = *end;
    f->message = ld_strdup(msg);
    f->location = ld_strdup(loc);
    if (!f->message || !f->location) {
        free(f->message);
        free(f->location);
        cx->oom = LD_ENOMEM;
        return NULL;
    }
    r->n++;
    return f;
}

ld_lint_finding_t *ld__lint_add(ld__lint_t *cx, ld_lint_rule_id_t rule,
                                const ld_pos_t *pos, const ld_pos_t *end,
                                const char *fmt, ...)
{
    ld_lint_finding_t *f;
    va_list ap;

    va_start(ap, fmt);
    f = vadd(cx, rule, pos, end, fmt, ap);
    va_end(ap);
    return f;
}

/* A multi-line node is marked by its first character only. */
static ld_pos_t head_end(const ld_node_t *n)
{
    ld_pos_t e = n->pos;

    if (n->end.line == n->pos.line)
        return n->end;
    e.col++;
    e.off++;
    return e;
}

ld_lint_finding_t *ld__lint_node(ld__lint_t *cx, ld_lint_rule_id_t rule,
                                 const ld_node_t *n, const char *fmt, ...)
{
    ld_lint_finding_t *f;
    ld_pos_t e = head_end(n);
    va_list ap;

    va_start(ap, fmt);
    f = vadd(cx, rule, &n->pos, &e, fmt, ap);
    va_end(ap);
    return f;
}

ld_lint_finding_t *ld__lint_key(ld__lint_t *cx, ld_lint_rule_id_t rule,
                                const ld_member_t *m, const char *fmt, ...)
{
    ld_lint_finding_t *f;
    va_list ap;

    va_start(ap, fmt);
    f = vadd(cx, rule, &m->key_pos, &m->key_end, fmt, ap);
    va_end(ap);
    return f;
}

void ld__lint_fix(ld__lint_t *cx, ld_lint_finding_t *f, size_t start,
                  size_t end, const char *text, const char *title_fmt, ...)
{
    ld_lint_fix_t *p;
    char title[256];
    va_list ap;

    if (!f || !cx->text || end < start || end > cx->len)
        return;
    p = realloc(f->fixes, (f->nfixes + 1) * sizeof(*p));
    if (!p) {
        cx->oom = LD_ENOMEM;
        return;
    }
    f->fixes = p;
    va_start(ap, title_fmt);
    vsnprintf(title, sizeof(title), title_fmt, ap);
    va_end(ap);
    p = &f->fixes[f->nfixes];
    p->start = start;
    p->end = end;
    p->title = ld_strdup(title);
    p->text = ld_strdup(text);
    if (!p->title || !p->text) {
        free(p->title);
        free(p->text);
        cx->oom = LD_ENOMEM;
        return;
    }
    f->nfixes++;
}

/* JSON string literal of s (quotes and escapes), into buf. */
static void quote(const char *s, char *buf, size_t size)
{
    size_t n = 0;

    buf[n++] = '"';
    for (; *s && n + 8 < size; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\') {
            buf[n++] = '\\';
            buf[n++] = (char)c;
        } else if (c < 0x20) {
            n += (size_t)snprintf(buf + n, size - n, "\\u%04x", c);
        } else {
            buf[n++] = (char)c;
        }
    }
    buf[n++] = '"';
    buf[n] = '\0';
}

void ld__lint_fix_string(ld__lint_t *cx, ld_lint_finding_t *f,
                         const ld_pos_t *pos, const ld_pos_t *end,
                         const char *value)
{
    char q[300];

    if (!cx->text || !pos->line || end->off > cx->len)
        return;
    if (cx->text[pos->off] == '"')
        quote(value, q, sizeof(q));
    else /* a YAML plain scalar */
        snprintf(q, sizeof(q), "%s", value);
    ld__lint_fix(cx, f, pos->off, end->off, q, "Change to \"%s\"", value);
}

void ld__lint_fix_insert_key(ld__lint_t *cx, ld_lint_finding_t *f,
                             const ld_node_t *obj, const char *key,
                             const char *value_json)
{
    char ins[400], q[200];
    size_t at;

    if (!cx->text || !obj->pos.line || obj->end.off == 0 ||
        obj->end.off > cx->len || cx->text[obj->pos.off] != '{' ||
        cx->text[obj->end.off - 1] != '}')
        return;
    quote(key, q, sizeof(q));
    at = obj->end.off - 1;
    snprintf(ins, sizeof(ins), "%s%s: %s", obj->u.obj.n ? ", " : "", q,
             value_json);
    ld__lint_fix(cx, f, at, at, ins, "Add \"%s\"", key);
}

int ld__lint_def(ld__lint_t *cx, ld_lint_def_kind_t kind, const char *name,
                 size_t len, const char *detail, const ld_pos_t *pos,
                 const ld_pos_t *end)
{
    ld_lint_result_t *r = cx->r;
    ld_lint_def_t *d;

    if (r->ndefs == r->defs_cap) {
        size_t cap = r->defs_cap ? r->defs_cap * 2 : 16;
        ld_lint_def_t *p = realloc(r->defs, cap * sizeof(*p));

        if (!p)
            return cx->oom = LD_ENOMEM;
        r->defs = p;
        r->defs_cap = cap;
    }
    d = &r->defs[r->ndefs];
    memset(d, 0, sizeof(*d));
    d->kind = kind;
    d->name = ld_strndup(name, len);
    d->detail = detail ? ld_strdup(detail) : NULL;
    d->pos = *pos;
    d->end = *end;
    if (!d->name || (detail && !d->detail)) {
        free(d->name);
        free(d->detail);
        return cx->oom = LD_ENOMEM;
    }
    r->ndefs++;
    return 0;
}

/* ---- location path ---- */

size_t ld__loc_key(ld__lint_t *cx, const char *key)
{
    size_t saved = cx->pdepth;

    if (cx->pdepth < 64) {
        cx->pkey[cx->pdepth] = key;
        cx->pidx[cx->pdepth] = 0;
    }
    cx->pdepth++;
    return saved;
}

size_t ld__loc_index(ld__lint_t *cx, size_t i)
{
    size_t saved = cx->pdepth;

    if (cx->pdepth < 64) {
        cx->pkey[cx->pdepth] = NULL;
        cx->pidx[cx->pdepth] = i;
    }
    cx->pdepth++;
    return saved;
}

void ld__loc_pop(ld__lint_t *cx, size_t saved)
{
    cx->pdepth = saved;
}

void ld__loc_text(const ld__lint_t *cx, char *buf, size_t size)
{
    size_t i, n = 0;

    buf[0] = '\0';
    if (cx->loc_override) {
        snprintf(buf, size, "%s", cx->loc_override);
        return;
    }
    for (i = 0; i < cx->pdepth && i < 64 && n < size; i++) {
        int k = cx->pkey[i] ? snprintf(buf + n, size - n, "%s%s", n ? "." : "",
                                       cx->pkey[i])
                            : snprintf(buf + n, size - n, "[%zu]", cx->pidx[i]);

        if (k < 0)
            break;
        n += (size_t)k;
    }
}

/* ---- entry points ---- */

static int cmp_findings(const void *a, const void *b)
{
    const ld_lint_finding_t *x = a, *y = b;

    if (x->pos.off != y->pos.off)
        return x->pos.off < y->pos.off ? -1 : 1;
    if (x->pos.line != y->pos.line)
        return x->pos.line < y->pos.line ? -1 : 1;
    return x->rule->rule < y->rule->rule ? -1 : x->rule->rule > y->rule->rule;
}

static void count(ld_lint_result_t *r)
{
    size_t i;

    r->errors = r->warnings = 0;
    for (i = 0; i < r->n; i++) {
        if (r->items[i].severity == LD_LINT_ERROR)
            r->errors++;
        else if (r->items[i].severity == LD_LINT_WARNING)
            r->warnings++;
    }
}

static void lint_top(ld__lint_t *cx, const ld_node_t *list)
{
    if (!ld__lint_split(cx, list))
        ld__lint_actions(cx, list);
}

static void lint_root(ld__lint_t *cx, const ld_node_t *root)
{
    const ld_member_t *m;

    if (root->type == LD_TARRAY) {
        lint_top(cx, root);
        return;
    }
    m = root->type == LD_TOBJECT ? ld_node_member(root, "load_density") : NULL;
    if (!m) {
        ld__lint_node(cx, LD_RULE_SHAPE, root,
                      "an action document must be a list of actions or "
                      "{\"load_density\": [...]}, got %s",
                      ld_type_name(root->type));
        return;
    }
    ld__lint_dupkeys(cx, root);
    if (m->value->type != LD_TARRAY) {
        ld__lint_node(cx, LD_RULE_SHAPE, m->value,
                      "\"load_density\" must be a list of actions, got %s",
                      ld_type_name(m->value->type));
        return;
    }
    lint_top(cx, m->value);
}

static int record_actions(ld__lint_t *cx, const ld_node_t *root)
{
    const ld_node_t *list = root;
    size_t i;

    if (root->type == LD_TOBJECT)
        list = ld_node_get(root, "load_density");
    if (!list || list->type != LD_TARRAY || !list->u.arr.n)
        return 0;
    cx->r->actions = calloc(list->u.arr.n, sizeof(*cx->r->actions));
    if (!cx->r->actions)
        return cx->oom = LD_ENOMEM;
    for (i = 0; i < list->u.arr.n; i++)
        cx->r->actions[i] = list->u.arr.items[i];
    cx->r->nactions = list->u.arr.n;
    return 0;
}

void ld__lint_walk_free(ld__lint_t *cx)
{
    size_t i;

    ld__strset_free(&cx->vars);
    ld__strset_free(&cx->csv);
    ld__strset_free(&cx->extracted);
    for (i = 0; i < cx->npending; i++) {
        free(cx->pending[i].name);
        free(cx->pending[i].location);
    }
    free(cx->pending);
    cx->pending = NULL;
    cx->npending = cx->pending_cap = 0;
    for (i = 0; i < cx->nopen_csv; i++)
        free(cx->open_csv[i].name);
    free(cx->open_csv);
    cx->open_csv = NULL;
    cx->nopen_csv = cx->open_csv_cap = 0;
}

int ld_lint_node(const ld_node_t *root, const char *text, size_t len,
                 const char *name, const ld_lint_opts_t *opts,
                 ld_lint_result_t *r)
{
    ld__lint_t cx;
    int rc;

    memset(&cx, 0, sizeof(cx));
    cx.r = r;
    cx.opts = opts;
    cx.text = text;
    cx.len = len;
    cx.max =
        opts && opts->max_findings ? opts->max_findings : LD_LINT_DEFAULT_MAX;
    cx.max += r->n;
    if (name)
        snprintf(r->file, sizeof(r->file), "%s", name);
    if (root) {
        record_actions(&cx, root);
        lint_root(&cx, root);
        ld__lint_pending(&cx);
    }
    rc = cx.oom;
    ld__lint_walk_free(&cx);
    if (r->n > 1)
        qsort(r->items, r->n, sizeof(*r->items), cmp_findings);
    count(r);
    return rc;
}

int ld_lint_doc(const ld_doc_t *doc, const ld_lint_opts_t *opts,
                ld_lint_result_t *r)
{
    size_t len = 0;
    const char *text = ld_doc_text(doc, &len);

    return ld_lint_node(ld_doc_root(doc), text, len, ld_doc_name(doc), opts, r);
}

/* Lint a document that owns `text` (taken, freed here on every path). */
static int lint_take(char *text, size_t len, const char *name,
                     ld_doc_format_t fmt, const ld_lint_opts_t *opts,
                     ld_lint_result_t *r, ld_doc_t **doc_out)
{
    ld__lint_t cx;
    ld_diag_t d;
    ld_doc_t *doc;
    int rc;

    if (doc_out)
        *doc_out = NULL;
    if (fmt == LD_FMT_AUTO && name) {
        size_t n = strlen(name);

        fmt = (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
                      (n > 4 && !strcmp(name + n - 4, ".yml"))
                  ? LD_FMT_YAML
                  : LD_FMT_JSON;
    }
    doc = ld_doc_parse_take(text, len, name,
                            fmt == LD_FMT_AUTO ? LD_FMT_JSON : fmt, &d);
    if (!doc) {
        if (d.code == LD_ENOMEM)
            return LD_ENOMEM;
        memset(&cx, 0, sizeof(cx));
        cx.r = r;
        cx.max = (size_t)-1;
        if (name)
            snprintf(r->file, sizeof(r->file), "%s", name);
        if (d.end.line == 0 || d.end.off <= d.pos.off)
            d.end = d.pos;
        ld__lint_add(&cx, LD_RULE_SYNTAX, &d.pos, &d.end, "%s", d.msg);
        count(r);
        return cx.oom;
    }
    rc = ld_lint_doc(doc, opts, r);
    if (doc_out && !rc)
        *doc_out = doc;
    else
        ld_doc_free(doc);
    return rc;
}

int ld_lint_text(const char *text, size_t len, const char *name,
                 ld_doc_format_t fmt, const ld_lint_opts_t *opts,
                 ld_lint_result_t *r, ld_doc_t **doc_out)
{
    char *copy;

    if (doc_out)
        *doc_out = NULL;
    if (!text && len) /* reported as the parser reports it */
        return lint_take(NULL, 0, name, fmt, opts, r, doc_out);
    if (len > SIZE_MAX - 1 || !(copy = malloc(len + 1)))
        return LD_ENOMEM;
    if (len)
        memcpy(copy, text, len);
    copy[len] = '\0';
    return lint_take(copy, len, name, fmt, opts, r, doc_out);
}

int ld_lint_file(const char *path, const ld_lint_opts_t *opts,
                 ld_lint_result_t *r, ld_diag_t *d)
{
    char *text = NULL;
    size_t len = 0;
    int rc = ld_read_file(path, &text, &len, d);

    /* The document takes the buffer: no second copy of a big file. */
    return rc ? rc : lint_take(text, len, path, LD_FMT_AUTO, opts, r, NULL);
}
