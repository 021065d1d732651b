/*
 * YAML reader: libfyaml's event API builds the same positioned ld_node_t
 * tree as the JSON reader. Plain scalars resolve per the YAML 1.2 core
 * schema; aliases are expanded by copying (with a node budget against alias
 * bombs); one document per stream.
 */
#include "doc/doc_int.h"

#include <libfyaml.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALIAS_BUDGET ((size_t)1 << 20)

typedef struct yframe {
    ld_node_t *node;
    size_t base; /* first scratch entry of this container */
    bool is_map;
    bool flow; /* { } or [ ]: the end event has a real position */
    bool have_key;
    ld_member_t key;    /* pending key of a mapping */
    const char *anchor; /* in the arena, or NULL */
} yframe_t;

typedef struct yanchor {
    const char *name;
    ld_node_t *node;
} yanchor_t;

typedef struct yp {
    ld_doc_t *doc;
    ld_diag_t *d;
    ld__poscur_t cur;
    struct fy_parser *fyp;
    struct fy_diag *diag;
    yframe_t *frames;
    size_t nframes, cframes;
    ld_node_t **items;
    size_t nitems, citems;
    ld_member_t *mems;
    size_t nmems, cmems;
    yanchor_t *anchors;
    size_t nanchors, canchors;
    ld_node_t *root;
    ld_pos_t last_end; /* end of the last complete value */
    int ndocs;
    size_t budget;
    int rc;
} yp_t;

__attribute__((format(printf, 4, 5))) static int
yfail(yp_t *y, int code, const ld_pos_t *pos, const char *fmt, ...)
{
    va_list ap;

    if (y->rc)
        return y->rc;
    y->rc = code;
    va_start(ap, fmt);
    ld_diag_vset(y->d, code, y->doc->name, pos, fmt, ap);
    va_end(ap);
    return code;
}

static ld_pos_t mark_pos(yp_t *y, const struct fy_mark *m)
{
    if (!m)
        return y->last_end;
    return ld__poscur_seek(&y->cur, m->input_pos);
}

/* ---- scalar resolution (YAML 1.2 core schema) ---- */

static bool word_in(const char *t, size_t n, const char *const *words)
{
    for (; *words; words++)
        if (strlen(*words) == n && memcmp(*words, t, n) == 0)
            return true;
    return false;
}

static size_t digits(const char *t, size_t n, size_t i, const char *set)
{
    size_t k = i;

    while (k < n && t[k] && strchr(set, t[k]))
        k++;
    return k - i;
}

/* [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+ */
static bool core_int(const char *t, size_t n, int *base)
{
    size_t s = n && (t[0] == '-' || t[0] == '+');

    *base = 10;
    if (n > 2 && t[0] == '0' && (t[1] == 'o' || t[1] == 'x')) {
        *base = t[1] == 'o' ? 8 : 16;
        return digits(t, n, 2,
                      *base == 8 ? "01234567" : "0123456789abcdefABCDEF") ==
               n - 2;
    }
    return n > s && digits(t, n, s, "0123456789") == n - s;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool core_float(const char *t, size_t n)
{
    size_t i = n && (t[0] == '-' || t[0] == '+');
    size_t d1 = digits(t, n, i, "0123456789"), d2 = 0;

    i += d1;
    if (i < n && t[i] == '.') {
        d2 = digits(t, n, i + 1, "0123456789");
        i += 1 + d2;
        if (!d1 && !d2)
            return false;
    } else if (!d1) {
        return false;
    }
    if (i < n && (t[i] == 'e' || t[i] == 'E')) {
        i++;
        i += i < n && (t[i] == '-' || t[i] == '+');
        d1 = digits(t, n, i, "0123456789");
        if (!d1)
            return false;
        i += d1;
    }
    return i == n;
}

static unsigned digit_val(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned)(c - '0');
    return (unsigned)((c | 0x20) - 'a' + 10);
}

/* Text already matched core_int: int64 when it fits, else a real. */
static void set_int(ld_node_t *nd, const char *t, size_t n, int base)
{
    size_t i = base == 10 ? (n && (t[0] == '-' || t[0] == '+')) : 2;
    bool neg = t[0] == '-', over = false;
    uint64_t u = 0;
    double dv = 0;
    char buf[128];

    for (; i < n; i++) {
        unsigned dig = digit_val(t[i]);

        dv = dv * base + dig;
        if (u > (UINT64_MAX - dig) / (unsigned)base)
            over = true;
        else
            u = u * (unsigned)base + dig;
    }
    if (!over && u <= (uint64_t)INT64_MAX + neg) {
        nd->type = LD_TINT;
        nd->u.i = neg ? (u > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)u)
                      : (int64_t)u;
        return;
    }
    nd->type = LD_TREAL;
    nd->u.d = neg ? -dv : dv;
    if (base == 10 && n < sizeof(buf)) { /* correctly rounded */
        memcpy(buf, t, n);
        buf[n] = '\0';
        nd->u.d = ld__strtod(buf, NULL);
    }
}

/* Text already matched core_float. */
static void set_float(ld_node_t *nd, const char *t, size_t n)
{
    char buf[512];
    char *heap = NULL;
    const char *src = buf;

    nd->type = LD_TREAL;
    if (n < sizeof(buf)) {
        memcpy(buf, t, n);
        buf[n] = '\0';
    } else {
        heap = ld_strndup(t, n);
        if (!heap) { /* keep going with a prefix: value is approximate */
            memcpy(buf, t, sizeof(buf) - 1);
            buf[sizeof(buf) - 1] = '\0';
        } else {
            src = heap;
        }
    }
    nd->u.d = ld__strtod(src, NULL);
    free(heap);
}

static const char *const null_words[] = {"~", "null", "Null", "NULL", NULL};
static const char *const true_words[] = {"true", "True", "TRUE", NULL};
static const char *const false_words[] = {"false", "False", "FALSE", NULL};
static const char *const inf_words[] = {".inf", ".Inf", ".INF", NULL};
static const char *const nan_words[] = {".nan", ".NaN", ".NAN", NULL};

/* Resolve a plain scalar; false when it is just a string. */
static bool resolve_plain(ld_node_t *nd, const char *t, size_t n)
{
    int base;

    if (!n || word_in(t, n, null_words)) {
        nd->type = LD_TNULL;
    } else if (word_in(t, n, true_words) || word_in(t, n, false_words)) {
        nd->type = LD_TBOOL;
        nd->u.b = word_in(t, n, true_words);
    } else if (core_int(t, n, &base)) {
        set_int(nd, t, n, base);
    } else if (core_float(t, n)) {
        set_float(nd, t, n);
    } else if (word_in(t, n, inf_words) || ((t[0] == '-' || t[0] == '+') &&
                                            word_in(t + 1, n - 1, inf_words))) {
        nd->type = LD_TREAL;
        nd->u.d = t[0] == '-' ? -HUGE_VAL : HUGE_VAL;
    } else if (word_in(t, n, nan_words)) {
        nd->type = LD_TREAL;
        nd->u.d = NAN;
    } else {
        return false;
    }
    return true;
}

/* ---- building ---- */

static int set_string(yp_t *y, ld_node_t *nd, const char *t, size_t n)
{
    nd->type = LD_TSTRING;
    nd->u.str.s = ld__arena_strndup(&y->doc->arena, t, n);
    nd->u.str.len = n;
    return nd->u.str.s ? 0 : LD_ENOMEM;
}

static const char *tag_of(struct fy_token *tag)
{
    static const char core[] = "tag:yaml.org,2002:";
    const char *t;
    size_t n;

    if (!tag)
        return NULL;
    t = fy_token_get_text(tag, &n);
    if (!t || n <= sizeof(core) - 1 || memcmp(t, core, sizeof(core) - 1) != 0)
        return NULL; /* local or unknown tags are ignored */
    return t + sizeof(core) - 1;
}

/* Explicit core tags: !!str forces a string; !!int/!!float/!!bool/!!null
 * must match what the text resolves to. */
static int apply_tag(yp_t *y, ld_node_t *nd, const char *tag, const char *t,
                     size_t n)
{
    bool ok;

    if (!strncmp(tag, "str", 3))
        return set_string(y, nd, t, n);
    ok = resolve_plain(nd, t, n);
    if (!strncmp(tag, "int", 3))
        ok = ok && nd->type == LD_TINT;
    else if (!strncmp(tag, "float", 5))
        ok = ok && (nd->type == LD_TREAL || nd->type == LD_TINT);
    else if (!strncmp(tag, "bool", 4))
        ok = ok && nd->type == LD_TBOOL;
    else if (!strncmp(tag, "null", 4))
        ok = ok && nd->type == LD_TNULL;
    else
        return ok ? 0 : set_string(y, nd, t, n);
    if (!ok)
        return yfail(y, LD_ESYNTAX, &nd->pos,
                     "'%.*s' is not a valid !!%s value", (int)(n > 60 ? 60 : n),
                     t, tag);
    if (!strncmp(tag, "float", 5) && nd->type == LD_TINT) {
        nd->type = LD_TREAL;
        nd->u.d = (double)nd->u.i;
    }
    return 0;
}

static ld_node_t *top_node(yp_t *y)
{
    return y->nframes ? y->frames[y->nframes - 1].node : NULL;
}

static bool expecting_key(yp_t *y)
{
    return y->nframes && y->frames[y->nframes - 1].is_map &&
           !y->frames[y->nframes - 1].have_key;
}

/* Attach a finished value to the open container (or make it the root). */
static int add_value(yp_t *y, ld_node_t *nd)
{
    yframe_t *f;
    ld_member_t m;

    y->last_end = nd->end;
    if (!y->nframes) {
        y->root = nd;
        return 0;
    }
    f = &y->frames[y->nframes - 1];
    if (!f->is_map) {
        if (ld_grow((void **)&y->items, &y->citems, y->nitems + 1,
                    sizeof(void *)))
            return yfail(y, LD_ENOMEM, NULL, "out of memory");
        y->items[y->nitems++] = nd;
        return 0;
    }
    m = f->key;
    m.value = nd;
    f->have_key = false;
    if (ld_grow((void **)&y->mems, &y->cmems, y->nmems + 1, sizeof(m)))
        return yfail(y, LD_ENOMEM, NULL, "out of memory");
    y->mems[y->nmems++] = m;
    return 0;
}

static const char *copy_anchor(yp_t *y, struct fy_token *anchor)
{
    const char *t;
    size_t n;

    if (!anchor)
        return NULL;
    t = fy_token_get_text(anchor, &n);
    return t ? ld__arena_strndup(&y->doc->arena, t, n) : NULL;
}

static int add_anchor(yp_t *y, const char *name, ld_node_t *nd)
{
    if (!name)
        return 0;
    if (ld_grow((void **)&y->anchors, &y->canchors, y->nanchors + 1,
                sizeof(yanchor_t)))
        return yfail(y, LD_ENOMEM, NULL, "out of memory");
    y->anchors[y->nanchors].name = name;
    y->anchors[y->nanchors++].node = nd;
    return 0;
}

/* ---- events ---- */

/* Span of a scalar token; quoted scalars include their quotes, as in JSON. */
static void scalar_span(yp_t *y, struct fy_token *tok, ld_pos_t *pos,
                        ld_pos_t *end)
{
    const struct fy_mark *sm = fy_token_start_mark(tok);
    const struct fy_mark *em = fy_token_end_mark(tok);
    enum fy_scalar_style style = fy_token_scalar_style(tok);
    const char *s = y->doc->text;
    size_t a, b, len = y->doc->len;

    if (!sm || !em) {
        *pos = *end = y->last_end;
        return;
    }
    a = sm->input_pos;
    b = em->input_pos;
    if (style == FYSS_SINGLE_QUOTED || style == FYSS_DOUBLE_QUOTED) {
        char q = style == FYSS_SINGLE_QUOTED ? '\'' : '"';

        if (a > 0 && a <= len && s[a - 1] == q)
            a--;
        if (b < len && s[b] == q)
            b++;
    }
    *pos = ld__poscur_seek(&y->cur, a);
    *end = ld__poscur_seek(&y->cur, b);
}

static int set_key(yp_t *y, const char *t, size_t n, ld_pos_t pos, ld_pos_t end)
{
    yframe_t *f = &y->frames[y->nframes - 1];

    f->key.key = ld__arena_strndup(&y->doc->arena, t, n);
    if (!f->key.key)
        return yfail(y, LD_ENOMEM, NULL, "out of memory");
    f->key.key_len = n;
    f->key.key_pos = pos;
    f->key.key_end = end;
    f->key.value = NULL;
    f->have_key = true;
    y->last_end = end;
    return 0;
}

static int on_scalar(yp_t *y, struct fy_event *ev)
{
    struct fy_token *tok = ev->scalar.value;
    const char *t, *tag;
    size_t n = 0;
    ld_pos_t pos, end;
    ld_node_t *nd;
    int rc;

    t = fy_token_get_text(tok, &n);
    if (!t) {
        t = "";
        n = 0;
    }
    scalar_span(y, tok, &pos, &end);
    if (expecting_key(y)) /* keys are strings, whatever they look like */
        return set_key(y, t, n, pos, end);
    nd = ld__node_new(y->doc, LD_TSTRING, top_node(y));
    if (!nd)
        return yfail(y, LD_ENOMEM, NULL, "out of memory");
    nd->pos = pos;
    nd->end = end;
    tag = tag_of(ev->scalar.tag);
    if (tag)
        rc = apply_tag(y, nd, tag, t, n);
    else if (fy_token_scalar_style(tok) == FYSS_PLAIN &&
             resolve_plain(nd, t, n))
        rc = 0;
    else
        rc = set_string(y, nd, t, n);
    if (rc)
        return yfail(y, rc, NULL, "out of memory");
    if (add_anchor(y, copy_anchor(y, ev->scalar.anchor), nd))
        return y->rc;
    return add_value(y, nd);
}

static const ld_node_t *find_anchor(yp_t *y, const char *name, size_t n)
{
    size_t i;

    for (i = y->nanchors; i-- > 0;)
        if (strlen(y->anchors[i].name) == n &&
            memcmp(y->anchors[i].name, name, n) == 0)
            return y->anchors[i].node;
    return NULL;
}

static bool anchor_is_open(yp_t *y, const char *name, size_t n)
{
    size_t i;

    for (i = 0; i < y->nframes; i++) {
        const char *a = y->frames[i].anchor;

        if (a && strlen(a) == n && memcmp(a, name, n) == 0)
            return true;
    }
    return false;
}

static int on_alias(yp_t *y, struct fy_event *ev)
{
    const struct fy_mark *sm = fy_event_start_mark(ev);
    ld_pos_t pos = mark_pos(y, sm);
    ld_pos_t end = mark_pos(y, fy_event_end_mark(ev));
    const ld_node_t *src;
    ld_node_t *nd;
    size_t n = 0;
    const char *name = fy_token_get_text(ev->alias.anchor, &n);

    if (!name)
        return yfail(y, LD_ENOMEM, NULL, "out of memory");
    if (sm && sm->input_pos > 0 && sm->input_pos <= y->doc->len &&
        y->doc->text[sm->input_pos - 1] == '*') /* the mark skips the '*' */
        pos = ld__poscur_seek(&y->cur, sm->input_pos - 1);
    if (expecting_key(y))
        return yfail(y, LD_ESYNTAX, &pos,
                     "aliases cannot be used as mapping keys");
    src = find_anchor(y, name, n);
    if (!src && anchor_is_open(y, name, n))
        return yfail(y, LD_ESYNTAX, &pos,
                     "alias '*%.*s' refers to a node that contains it "
                     "(recursive aliases are not supported)",
                     (int)n, name);
    if (!src)
        return yfail(y, LD_ESYNTAX, &pos,
                     "unknown anchor '%.*s' (an alias must refer to an "
                     "earlier &%.*s)",
                     (int)n, name, (int)n, name);
    nd = ld__node_copy(y->doc, src, top_node(y), &y->budget);
    if (!nd && !y->budget)
        return yfail(y, LD_ETOOBIG, &pos,
                     "aliases expand to too many nodes (limit %zu)",
                     ALIAS_BUDGET);
    if (!nd)
        return yfail(y, LD_ENOMEM, NULL, "out of memory");
    nd->pos = pos;
    nd->end = end;
    return add_value(y, nd);
}

static int on_start(yp_t *y, struct fy_event *ev, bool is_map)
{
    struct fy_token *tok = is_map ? ev->mapping_start.mapping_start
                                  : ev->sequence_start.sequence_start;
    struct fy_token *anchor =
        is_map ? ev->mapping_start.anchor : ev->sequence_start.anchor;
    const struct fy_mark *sm = tok ? fy_token_start_mark(tok) : NULL;
    ld_pos_t pos = mark_pos(y, sm ? sm : fy_event_start_mark(ev));
    yframe_t *f;
    ld_node_t *nd;

    if (expecting_key(y))
        return yfail(y, LD_ESYNTAX, &pos,
                     "a %s cannot be used as a mapping key (keys must be "
                     "scalars)",
                     is_map ? "mapping" : "sequence");
    if (y->nframes >= LD__DOC_MAX_DEPTH)
        return yfail(y, LD_EDEPTH, &pos,
                     "nesting too deep: more than %d levels of sequences "
                     "and mappings",
                     LD__DOC_MAX_DEPTH);
    nd = ld__node_new(y->doc, is_map ? LD_TOBJECT : LD_TARRAY, top_node(y));
    if (!nd || ld_grow((void **)&y->frames, &y->cframes, y->nframes + 1,
                       sizeof(yframe_t)))
        return yfail(y, LD_ENOMEM, NULL, "out of memory");
    nd->pos = pos;
    f = &y->frames[y->nframes++];
    memset(f, 0, sizeof(*f));
    f->node = nd;
    f->is_map = is_map;
    f->base = is_map ? y->nmems : y->nitems;
    f->flow =
        pos.off < y->doc->len && y->doc->text[pos.off] == (is_map ? '{' : '[');
    f->anchor = copy_anchor(y, anchor);
    return 0;
}

static int on_end(yp_t *y, struct fy_event *ev)
{
    yframe_t f = y->frames[--y->nframes];
    ld_node_t *nd = f.node;
    size_t cnt = (f.is_map ? y->nmems : y->nitems) - f.base;
    size_t sz = f.is_map ? sizeof(ld_member_t) : sizeof(void *);
    void *dst = NULL;

    if (cnt) {
        dst = ld__arena_alloc(&y->doc->arena, cnt * sz);
        if (!dst)
            return yfail(y, LD_ENOMEM, NULL, "out of memory");
        memcpy(dst,
               f.is_map ? (void *)(y->mems + f.base)
                        : (void *)(y->items + f.base),
               cnt * sz);
    }
    if (f.is_map) {
        nd->u.obj.members = dst;
        nd->u.obj.n = cnt;
        y->nmems = f.base;
    } else {
        nd->u.arr.items = dst;
        nd->u.arr.n = cnt;
        y->nitems = f.base;
    }
    /* A block collection ends where its last value ends. */
    nd->end = f.flow ? mark_pos(y, fy_event_end_mark(ev))
                     : (cnt ? y->last_end : nd->pos);
    if (add_anchor(y, f.anchor, nd))
        return y->rc;
    return add_value(y, nd);
}

static int on_event(yp_t *y, struct fy_event *ev)
{
    ld_pos_t pos;

    switch (ev->type) {
    case FYET_DOCUMENT_START:
        if (++y->ndocs == 1)
            return 0;
        pos = mark_pos(y, fy_event_start_mark(ev));
        return yfail(y, LD_ESYNTAX, &pos,
                     "only one YAML document is allowed (found a second "
                     "document)");
    case FYET_SCALAR:
        return on_scalar(y, ev);
    case FYET_ALIAS:
        return on_alias(y, ev);
    case FYET_MAPPING_START:
    case FYET_SEQUENCE_START:
        return on_start(y, ev, ev->type == FYET_MAPPING_START);
    case FYET_MAPPING_END:
    case FYET_SEQUENCE_END:
        return on_end(y, ev);
    default:
        return 0;
    }
}

/* ---- libfyaml diagnostics ---- */

static void diag_silent(struct fy_diag *diag, void *user, const char *buf,
                        size_t len)
{
    (void)diag;
    (void)user;
    (void)buf;
    (void)len;
}

/* libfyaml reports 1-based line and column (code points) in its collected
 * errors (its marks are 0-based). */
static ld_pos_t linecol_pos(yp_t *y, int line, int col)
{
    const char *s = y->doc->text;
    size_t len = y->doc->len, off, n;
    uint32_t cp;

    if (line <= 0)
        return y->last_end;
    off = ld_offset_from_utf16(s, len, (uint32_t)(line - 1), 0);
    for (; col > 1 && off < len && s[off] != '\n' && s[off] != '\r'; col--) {
        n = ld__utf8_decode((const unsigned char *)s + off, len - off, &cp);
        off += n ? n : 1;
    }
    return ld_pos_from_offset(s, len, off);
}

static int fy_errors(yp_t *y)
{
    void *it = NULL;
    struct fy_diag_error *e;
    ld_pos_t pos;

    while ((e = fy_diag_errors_iterate(y->diag, &it)))
        if (e->type >= FYET_ERROR)
            break;
    if (!e)
        return yfail(y, LD_ESYNTAX, &y->last_end, "invalid YAML");
    pos = linecol_pos(y, e->line, e->column);
    return yfail(y, LD_ESYNTAX, &pos, "%s",
                 e->msg && e->msg[0] ? e->msg : "invalid YAML");
}

/* libfyaml passes invalid UTF-8 through into scalars: refuse it first.
   Control characters too (YAML 1.2 c-printable allows only TAB, LF and CR):
   libfyaml 0.7.12 hands back uninitialised bytes for a block scalar holding
   a NUL (found by fuzz/fuzz_doc). */
static int check_utf8(yp_t *y)
{
    const unsigned char *s = (const unsigned char *)y->doc->text;
    size_t i = 0, len = y->doc->len, n;
    uint32_t cp;
    ld_pos_t pos;

    while (i < len) {
        if ((s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r') ||
            s[i] == 0x7F) {
            pos = ld_pos_from_offset(y->doc->text, len, i);
            return yfail(y, LD_ESYNTAX, &pos,
                         "control character 0x%02X is not allowed in YAML",
                         s[i]);
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        n = ld__utf8_decode(s + i, len - i, &cp);
        if (!n) {
            pos = ld_pos_from_offset(y->doc->text, len, i);
            return yfail(y, LD_ESYNTAX, &pos,
                         "invalid UTF-8 (byte 0x%02X): YAML documents must "
                         "be UTF-8",
                         s[i]);
        }
        i += n;
    }
    return 0;
}

static int run(yp_t *y)
{
    struct fy_event *ev;
    ld_pos_t pos;
    int rc = 0;

    while (!rc && (ev = fy_parser_parse(y->fyp)) != NULL) {
        rc = on_event(y, ev);
        fy_parser_event_free(y->fyp, ev);
    }
    if (!rc && fy_parser_get_stream_error(y->fyp))
        rc = fy_errors(y);
    if (!rc && !y->root) {
        pos = ld__poscur_seek(&y->cur, y->doc->len);
        rc = yfail(y, LD_ESYNTAX, &pos, "empty document");
    }
    return rc;
}

static int open_parser(yp_t *y)
{
    struct fy_diag_cfg dc;
    struct fy_parse_cfg cfg;

    fy_diag_cfg_default(&dc);
    dc.fp = NULL; /* never print: errors are collected and translated */
    dc.output_fn = diag_silent;
    dc.colorize = false;
    y->diag = fy_diag_create(&dc);
    if (!y->diag)
        return yfail(y, LD_ENOMEM, NULL, "out of memory");
    fy_diag_set_collect_errors(y->diag, true);
    memset(&cfg, 0, sizeof(cfg));
    cfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG | FYPCF_DEFAULT_VERSION_1_2 |
                FYPCF_JSON_NONE;
    cfg.diag = y->diag;
    y->fyp = fy_parser_create(&cfg);
    if (!y->fyp || fy_parser_set_string(y->fyp, y->doc->text, y->doc->len))
        return yfail(y, LD_ENOMEM, NULL, "out of memory");
    return 0;
}

int ld__yaml_parse(ld_doc_t *doc, ld_diag_t *d)
{
    yp_t y;
    int rc;

    memset(&y, 0, sizeof(y));
    y.doc = doc;
    y.d = d;
    y.budget = ALIAS_BUDGET;
    ld__poscur_init(&y.cur, doc->text, doc->len);
    y.last_end = ld__poscur_seek(&y.cur, 0);
    rc = check_utf8(&y);
    if (!rc)
        rc = open_parser(&y);
    if (!rc)
        rc = run(&y);
    if (y.fyp)
        fy_parser_destroy(y.fyp);
    if (y.diag)
        fy_diag_destroy(y.diag);
    free(y.frames);
    free(y.items);
    free(y.mems);
    free(y.anchors);
    if (rc)
        return rc;
    doc->root = y.root;
    return 0;
}
