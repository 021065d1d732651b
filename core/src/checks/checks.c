/*
 * Assertions and extractors: compiling a task's "assertions" and "extract"
 * lists once into small structs (running them is in checks_run.c).
 *
 * Behaviour follows the Python tool's request executor; deliberate
 * differences, each because the Python behaviour hides mistakes:
 *
 *  - An unknown assertion "type" or extractor "from", or a missing "value",
 *    "path", "name" or "var", is a compile error with file/line/column and a
 *    did-you-mean; Python silently skips or compares with None. Type names
 *    stay case-insensitive, and "from" still defaults to "json_path".
 *  - json_path: a missing path (or a body that is not JSON) is always a
 *    failure ("not found" / "response is not JSON"). Python returns None for
 *    both, so {"value": null} passed on a missing path; here null only
 *    matches an actual JSON null.
 *  - json_path equality is Python's ==, except that a boolean only equals a
 *    boolean (Python has True == 1). 1 == 1.0 holds; "1" != 1 as in Python;
 *    objects compare without regard to key order.
 *  - An expected string that is exactly one ${var.NAME} of a non-string
 *    variable (say an id extracted as a number) is compared as that value,
 *    the way ld_params_resolve_node keeps such placeholders typed. Python
 *    always turned it into text, so it could never equal a number.
 *  - header: a number as "value" is compared as its text (Python compared a
 *    str with an int, which never matched). Duplicate headers: the last one
 *    wins (requests joins them with ", "). The value is trimmed.
 *  - status_code: "value" must be an integer or a numeric string (Python's
 *    int() also took 200.0); a templated value that does not render to a
 *    number fails the request with a clear message.
 *  - contains / not_contains: the body is searched as bytes (Python decoded
 *    it to text first); a number as "value" is searched as its text.
 *  - Extracted values go to the virtual user's own scope, never to the
 *    global variables (Python registered them globally, so users raced).
 *    A json_path that finds nothing, or finds null, leaves the variable as it
 *    was (as in Python). A status_code extractor stores nothing when there
 *    was no response (status 0).
 *  - Only the first failing assertion is reported, and extractors run only
 *    when every assertion passed: both as in Python.
 *  - Placeholders in "path" and header "name" are expanded per response, as
 *    Python resolved the whole task; a literal path is syntax-checked here.
 */
#include "checks/checks_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const akind_names[] = {"status_code", "contains",
                                          "not_contains", "json_path",
                                          "header"};
static const char *const xkind_names[] = {"json_path", "header",
                                          "status_code"};

#define NAKIND (sizeof(akind_names) / sizeof(akind_names[0]))
#define NXKIND (sizeof(xkind_names) / sizeof(xkind_names[0]))

/* Where we are, for messages: "assertions[2] (json_path): ...". */
typedef struct cctx {
    const char *file;
    ld_diag_t *d;
    const char *list;
    size_t idx;
    const char *kind;
} cctx_t;

__attribute__((format(printf, 4, 5)))
static int fail(const cctx_t *cx, int code, const ld_node_t *at,
                const char *fmt, ...)
{
    char what[768];
    char where[96];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (cx->kind)
        snprintf(where, sizeof(where), "%s[%zu] (%s)", cx->list, cx->idx,
                 cx->kind);
    else
        snprintf(where, sizeof(where), "%s[%zu]", cx->list, cx->idx);
    return ld_diag_set(cx->d, code, cx->file, at ? &at->pos : NULL, "%s: %s",
                       where, what);
}

/* ---- strings and templates ---- */

static void text_free(ld__text_t *t)
{
    free(t->s);
    if (t->tmpl)
        ld_tmpl_free(t->tmpl);
    t->s = NULL;
    t->tmpl = NULL;
}

static int text_init(ld__text_t *t, const char *s, size_t len)
{
    t->s = ld_strndup(s, len);
    t->len = len;
    t->tmpl = t->s ? ld_tmpl_compile(s, len) : NULL;
    if (!t->tmpl) {
        text_free(t);
        return LD_ENOMEM;
    }
    if (ld_tmpl_is_literal(t->tmpl)) {
        ld_tmpl_free(t->tmpl);
        t->tmpl = NULL;
    }
    return 0;
}

static bool str_has_placeholder(const char *s, size_t len, int *rc)
{
    ld_tmpl_t *t = ld_tmpl_compile(s, len);
    bool lit;

    if (!t) {
        *rc = LD_ENOMEM;
        return false;
    }
    lit = ld_tmpl_is_literal(t);
    ld_tmpl_free(t);
    return !lit;
}

/* True when some string (or key) inside v holds a placeholder. */
static bool json_has_placeholder(const json_t *v, int *rc)
{
    const char *key;
    size_t klen, i;
    json_t *m;

    if (json_is_string(v))
        return str_has_placeholder(json_string_value(v),
                                   json_string_length(v), rc);
    if (json_is_array(v)) {
        for (i = 0; i < json_array_size(v) && !*rc; i++)
            if (json_has_placeholder(json_array_get(v, i), rc))
                return true;
        return false;
    }
    if (json_is_object(v)) {
        json_object_keylen_foreach((json_t *)(uintptr_t)v, key, klen, m) {
            if (str_has_placeholder(key, klen, rc) ||
                json_has_placeholder(m, rc))
                return true;
            if (*rc)
                return false;
        }
    }
    return false;
}

/* ---- field access ---- */

static int need(const cctx_t *cx, const ld_node_t *obj, const char *key,
                const ld_node_t **out)
{
    *out = ld_node_get(obj, key);
    if (!*out)
        return fail(cx, LD_EINVAL, obj, "missing \"%s\"", key);
    return 0;
}

static int need_string(const cctx_t *cx, const ld_node_t *obj,
                       const char *key, const ld_node_t **out)
{
    int rc = need(cx, obj, key, out);

    if (rc)
        return rc;
    if ((*out)->type != LD_TSTRING)
        return fail(cx, LD_ETYPE, *out, "\"%s\" must be a string, got %s",
                    key, ld_type_name((*out)->type));
    return 0;
}

/* ASCII-lowercase copy of a type name; false when it cannot be one. */
static bool lower_name(const ld_node_t *n, char *buf, size_t size)
{
    size_t i;

    if (n->u.str.len >= size)
        return false;
    for (i = 0; i < n->u.str.len; i++) {
        char ch = n->u.str.s[i];

        if (ch == '\0')
            return false;
        buf[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
    }
    buf[i] = '\0';
    return true;
}

static int unknown_kind(const cctx_t *cx, const ld_node_t *n,
                        const char *what, const char *const *names,
                        size_t count, const char *lowered)
{
    size_t i, best = 4, bi = 0;
    char list[160] = "";

    for (i = 0; lowered && i < count; i++) {
        size_t dist = ld_edit_distance(lowered, names[i], 3);

        if (dist < best) {
            best = dist;
            bi = i;
        }
    }
    if (best <= 3)
        return fail(cx, LD_EINVAL, n, "unknown %s \"%s\" (did you mean "
                    "\"%s\"?)", what, n->u.str.s, names[bi]);
    for (i = 0; i < count; i++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
                 i ? ", " : "", names[i]);
    return fail(cx, LD_EINVAL, n, "unknown %s \"%s\" (expected one of %s)",
                what, n->u.str.s, list);
}

static int find_kind(const cctx_t *cx, const ld_node_t *n, const char *what,
                     const char *const *names, size_t count, int *kind)
{
    char low[64];
    size_t i;

    if (!lower_name(n, low, sizeof(low)))
        return unknown_kind(cx, n, what, names, count, NULL);
    for (i = 0; i < count; i++) {
        if (strcmp(low, names[i]) == 0) {
            *kind = (int)i;
            return 0;
        }
    }
    return unknown_kind(cx, n, what, names, count, low);
}

/* ---- paths ---- */

/* Position of byte `at` inside a string node, when the source spelled the
   string without escapes on one line; else the node's own position. */
static ld_pos_t pos_in_string(const ld_node_t *n, size_t at)
{
    ld_pos_t p = n->pos;
    size_t i, cps = 0;

    if (!p.line || n->end.line != p.line ||
        n->end.off - p.off != n->u.str.len + 2)
        return p;
    for (i = 0; i < at && i < n->u.str.len; i++)
        if (((unsigned char)n->u.str.s[i] & 0xC0) != 0x80)
            cps++;
    p.col += 1 + (uint32_t)cps;
    p.off += 1 + (uint32_t)at;
    return p;
}

static int compile_path(const cctx_t *cx, const ld_node_t *obj,
                        ld__text_t *out)
{
    const ld_node_t *n;
    const char *why;
    size_t at;
    ld_pos_t pos;
    int rc = need_string(cx, obj, "path", &n);

    if (rc)
        return rc;
    rc = text_init(out, n->u.str.s, n->u.str.len);
    if (rc || out->tmpl || ld__json_path_check(out->s, out->len, &why, &at))
        return rc;
    pos = pos_in_string(n, at);
    fail(cx, LD_ESYNTAX, n, "bad path \"%s\": %s (at character %zu)",
         n->u.str.s, why, at + 1);
    if (cx->d)
        cx->d->pos = cx->d->end = pos;
    return LD_ESYNTAX;
}

static int compile_name(const cctx_t *cx, const ld_node_t *obj,
                        ld__text_t *out)
{
    const ld_node_t *n;
    int rc = need_string(cx, obj, "name", &n);

    if (rc)
        return rc;
    if (n->u.str.len == 0)
        return fail(cx, LD_EINVAL, n, "\"name\" must not be empty");
    return text_init(out, n->u.str.s, n->u.str.len);
}

/* ---- expected values ---- */

/* "value" of contains / not_contains / header: a string or a number. */
static int compile_text_value(const cctx_t *cx, const ld_node_t *obj,
                              ld__text_t *out)
{
    const ld_node_t *n;
    char num[48];
    int rc = need(cx, obj, "value", &n);

    if (rc)
        return rc;
    switch (n->type) {
    case LD_TSTRING:
        return text_init(out, n->u.str.s, n->u.str.len);
    case LD_TINT:
        snprintf(num, sizeof(num), "%lld", (long long)n->u.i);
        break;
    case LD_TREAL:
        ld__real_text(n->u.d, num, sizeof(num));
        break;
    default:
        return fail(cx, LD_ETYPE, n,
                    "\"value\" must be a string or a number, got %s",
                    ld_type_name(n->type));
    }
    return text_init(out, num, strlen(num));
}

static int compile_status(const cctx_t *cx, const ld_node_t *obj,
                          ld__assert_t *a)
{
    const ld_node_t *n;
    int rc = need(cx, obj, "value", &n);

    if (rc)
        return rc;
    if (n->type == LD_TINT) {
        a->status = n->u.i;
        return 0;
    }
    if (n->type != LD_TSTRING)
        return fail(cx, LD_ETYPE, n,
                    "\"value\" must be an integer status code, got %s",
                    ld_type_name(n->type));
    rc = text_init(&a->want, n->u.str.s, n->u.str.len);
    if (rc || a->want.tmpl)
        return rc;
    if (!ld__parse_status(n->u.str.s, n->u.str.len, &a->status))
        return fail(cx, LD_EINVAL, n,
                    "\"value\" must be an integer status code, got \"%s\"",
                    n->u.str.s);
    return 0;
}

/* The variable name when s is exactly one ${var.NAME} placeholder. */
static int single_var(const char *s, size_t len, char **out)
{
    ld_placeholder_t ph;

    *out = NULL;
    if (!ld_placeholder_next(s, len, 0, &ph) || ph.kind != LD_PH_VAR ||
        ph.start != 0 || ph.end != len)
        return 0;
    *out = ld_strndup(ph.arg, ph.arg_len);
    return *out ? 0 : LD_ENOMEM;
}

static int compile_json_value(const cctx_t *cx, const ld_node_t *obj,
                              ld__assert_t *a)
{
    ld_buf_t shown;
    const ld_node_t *n;
    int rc = need(cx, obj, "value", &n);

    if (rc)
        return rc;
    if (n->type == LD_TSTRING) {
        a->want_is_text = true;
        rc = text_init(&a->want, n->u.str.s, n->u.str.len);
        if (!rc && a->want.tmpl)
            rc = single_var(a->want.s, a->want.len, &a->want_var);
        return rc;
    }
    a->want_json = ld_node_to_json(n);
    if (!a->want_json)
        return LD_ENOMEM;
    a->want_resolve = json_has_placeholder(a->want_json, &rc);
    if (rc || a->want_resolve)
        return rc;
    /* rendered once here, so running never touches the shared value's
       internals beyond reading it */
    ld_buf_init(&shown, 0);
    rc = ld__show_json(a->want_json, LD__SHOW_MAX, &shown);
    if (!rc)
        a->want_shown = ld_buf_take(&shown, NULL);
    return rc ? rc : a->want_shown ? 0 : LD_ENOMEM;
}

/* ---- assertions ---- */

static int compile_assert(cctx_t *cx, const ld_node_t *item, ld__assert_t *a)
{
    const ld_node_t *type;
    int kind = 0;
    int rc;

    if (item->type != LD_TOBJECT)
        return fail(cx, LD_ETYPE, item, "expected an object, got %s",
                    ld_type_name(item->type));
    rc = need_string(cx, item, "type", &type);
    if (!rc)
        rc = find_kind(cx, type, "assertion type", akind_names, NAKIND,
                       &kind);
    if (rc)
        return rc;
    a->kind = (ld__akind_t)kind;
    cx->kind = akind_names[kind];
    switch (a->kind) {
    case LD__A_STATUS:
        return compile_status(cx, item, a);
    case LD__A_CONTAINS:
    case LD__A_NOT_CONTAINS:
        return compile_text_value(cx, item, &a->want);
    case LD__A_JSON_PATH:
        rc = compile_path(cx, item, &a->arg);
        return rc ? rc : compile_json_value(cx, item, a);
    case LD__A_HEADER:
        rc = compile_name(cx, item, &a->arg);
        return rc ? rc : compile_text_value(cx, item, &a->want);
    }
    return LD_EINTERNAL;
}

/* ---- extractors ---- */

static int compile_extract(cctx_t *cx, const ld_node_t *item,
                           ld__extract_t *x)
{
    const ld_node_t *var, *from;
    int kind = LD__X_JSON_PATH;
    int rc;

    if (item->type != LD_TOBJECT)
        return fail(cx, LD_ETYPE, item, "expected an object, got %s",
                    ld_type_name(item->type));
    rc = need_string(cx, item, "var", &var);
    if (rc)
        return rc;
    if (var->u.str.len == 0 || memchr(var->u.str.s, '\0', var->u.str.len))
        return fail(cx, LD_EINVAL, var, "\"var\" must be a non-empty name");
    from = ld_node_get(item, "from");
    if (from && from->type != LD_TSTRING)
        return fail(cx, LD_ETYPE, from, "\"from\" must be a string, got %s",
                    ld_type_name(from->type));
    if (from && (rc = find_kind(cx, from, "extractor source", xkind_names,
                                NXKIND, &kind)) != 0)
        return rc;
    x->kind = (ld__xkind_t)kind;
    cx->kind = xkind_names[kind];
    x->var = ld_strndup(var->u.str.s, var->u.str.len);
    if (!x->var)
        return LD_ENOMEM;
    if (x->kind == LD__X_JSON_PATH)
        return compile_path(cx, item, &x->arg);
    if (x->kind == LD__X_HEADER)
        return compile_name(cx, item, &x->arg);
    return 0;
}

/* ---- the list ---- */

static int check_list(const ld_node_t *list, const char *name,
                      const char *file, size_t *n, ld_diag_t *d)
{
    *n = 0;
    if (!list || list->type == LD_TNULL)
        return 0;
    if (list->type != LD_TARRAY)
        return ld_diag_set(d, LD_ETYPE, file, &list->pos,
                           "\"%s\" must be an array, got %s", name,
                           ld_type_name(list->type));
    *n = list->u.arr.n;
    return 0;
}

static void assert_free(ld__assert_t *a)
{
    text_free(&a->arg);
    text_free(&a->want);
    free(a->want_var);
    free(a->want_shown);
    json_decref(a->want_json);
}

void ld__checks_free(ld__checks_t *c)
{
    size_t i;

    if (!c)
        return;
    for (i = 0; i < c->nasserts; i++)
        assert_free(&c->asserts[i]);
    for (i = 0; i < c->nextracts; i++) {
        free(c->extracts[i].var);
        text_free(&c->extracts[i].arg);
    }
    free(c->asserts);
    free(c->extracts);
    free(c);
}

static int compile_all(ld__checks_t *c, const ld_node_t *assertions,
                       const ld_node_t *extract, cctx_t *cx)
{
    size_t i;
    int rc = 0;

    cx->list = "assertions";
    for (i = 0; i < c->nasserts && !rc; i++) {
        cx->idx = i;
        cx->kind = NULL;
        rc = compile_assert(cx, assertions->u.arr.items[i], &c->asserts[i]);
        if (c->asserts[i].kind != LD__A_STATUS &&
            c->asserts[i].kind != LD__A_HEADER)
            c->need_body = true;
    }
    cx->list = "extract";
    for (i = 0; i < c->nextracts && !rc; i++) {
        cx->idx = i;
        cx->kind = NULL;
        rc = compile_extract(cx, extract->u.arr.items[i], &c->extracts[i]);
        if (c->extracts[i].kind == LD__X_JSON_PATH)
            c->need_body = true;
    }
    return rc;
}

int ld__checks_compile(const ld_node_t *assertions, const ld_node_t *extract,
                       const char *file, ld__checks_t **out, ld_diag_t *d)
{
    cctx_t cx = {file, d, NULL, 0, NULL};
    ld__checks_t *c = NULL;
    size_t na, nx;
    int rc;

    *out = NULL;
    rc = check_list(assertions, "assertions", file, &na, d);
    if (!rc)
        rc = check_list(extract, "extract", file, &nx, d);
    if (rc)
        return rc;
    c = calloc(1, sizeof(*c));
    if (!c)
        return ld_diag_set(d, LD_ENOMEM, file, NULL, "out of memory");
    c->asserts = na ? calloc(na, sizeof(*c->asserts)) : NULL;
    c->extracts = nx ? calloc(nx, sizeof(*c->extracts)) : NULL;
    c->nasserts = na;
    c->nextracts = nx;
    if ((na && !c->asserts) || (nx && !c->extracts))
        rc = LD_ENOMEM;
    else
        rc = compile_all(c, assertions, extract, &cx);
    if (rc == LD_ENOMEM && d && d->code != LD_ENOMEM)
        ld_diag_set(d, LD_ENOMEM, file, NULL, "out of memory");
    if (rc) {
        ld__checks_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

bool ld__checks_empty(const ld__checks_t *c)
{
    return !c || (c->nasserts == 0 && c->nextracts == 0);
}

bool ld__checks_need_body(const ld__checks_t *c)
{
    return c && c->need_body;
}
