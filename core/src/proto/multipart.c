/*
 * multipart.c - the "files" task field: a multipart/form-data body laid out
 * byte for byte as python-requests (urllib3) lays it out: the form fields of
 * "data" first, then one part per file; Content-Disposition, then the
 * part's Content-Type, then its extra headers. Compiled once per plan into
 * literal runs and templates; a body without placeholders becomes one
 * literal run, rendered once by the caller.
 */
#include <math.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "proto/http_int.h"

typedef enum seg_kind {
    SEG_LIT,   /* literal bytes */
    SEG_RAW,   /* a template rendered as is (part contents) */
    SEG_PARAM, /* a template inside name="..." or filename="..." */
    SEG_HDR    /* a template in a part header line */
} seg_kind_t;

typedef struct seg {
    seg_kind_t kind;
    char *lit;
    size_t len;
    ld_tmpl_t *t;
} seg_t;

struct ld__multipart {
    char boundary[LD__MP_BOUNDARY_MAX + 1];
    seg_t *segs;
    size_t n;
    bool literal;
};

/* Compile-time state. */
typedef struct mp_cx {
    ld__multipart_t *mp;
    ld_buf_t cur; /* literal bytes not yet in a segment */
    bool collide; /* a literal value contains the boundary */
    const char *file;
    ld_diag_t *d;
} mp_cx_t;

#define MP_COLLIDE 1 /* compile_once: retry with another boundary */

static const char *const replaced[] = {"Content-Disposition", "Content-Type",
                                       "Content-Location", NULL};

/* ---- Python's str() of scalars ---- */

static size_t put_exp(char *o, int exp)
{
    return (size_t)sprintf(o, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
}

void ld__py_float(double v, char *buf, size_t size)
{
    char e[48], dg[24], o[64];
    size_t nd = 0, k = 0;
    const char *p = e;
    int prec, exp;
    if (isnan(v) || isinf(v)) {
        snprintf(buf, size, "%s", isnan(v) ? "nan" : v < 0 ? "-inf" : "inf");
        return;
    }
    for (prec = 0; prec < 16; prec++) { /* the shortest that round-trips */
        snprintf(e, sizeof(e), "%.*e", prec, v);
        if (strtod(e, NULL) == v)
            break;
    }
    snprintf(e, sizeof(e), "%.*e", prec, v);
    if (*p == '-')
        o[k++] = *p++;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            dg[nd++] = *p;
    exp = atoi(p + 1);
    while (nd > 1 && dg[nd - 1] == '0')
        nd--;
    if (exp < -4 || exp >= 16) { /* 1e+16, 1.5e-05 */
        o[k++] = dg[0];
        if (nd > 1) {
            o[k++] = '.';
            memcpy(o + k, dg + 1, nd - 1);
            k += nd - 1;
        }
        k += put_exp(o + k, exp);
    } else if (exp < 0) { /* 0.00123 */
        o[k++] = '0';
        o[k++] = '.';
        for (int i = -1; i > exp; i--)
            o[k++] = '0';
        memcpy(o + k, dg, nd);
        k += nd;
    } else { /* 123.0, 1.25 */
        for (size_t i = 0; i <= (size_t)exp; i++)
            o[k++] = i < nd ? dg[i] : '0';
        o[k++] = '.';
        if (nd > (size_t)exp + 1) {
            memcpy(o + k, dg + exp + 1, nd - (size_t)exp - 1);
            k += nd - (size_t)exp - 1;
        } else {
            o[k++] = '0';
        }
    }
    o[k] = '\0';
    snprintf(buf, size, "%s", o);
}

bool ld__py_text(const ld_node_t *n, char *buf, size_t size, const char **s,
                 size_t *len)
{
    switch (n->type) {
    case LD_TSTRING:
        *s = n->u.str.s;
        *len = n->u.str.len;
        return true;
    case LD_TINT:
        snprintf(buf, size, "%" PRId64, n->u.i);
        break;
    case LD_TREAL:
        ld__py_float(n->u.d, buf, size);
        break;
    case LD_TBOOL:
        snprintf(buf, size, "%s", n->u.b ? "True" : "False");
        break;
    default:
        return false;
    }
    *s = buf;
    *len = strlen(buf);
    return true;
}

/* ---- building ---- */

static int fail(mp_cx_t *cx, int code, const ld_node_t *n,
                const ld_member_t *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* A positioned error at a value node, or at an object key. */
static int fail(mp_cx_t *cx, int code, const ld_node_t *n,
                const ld_member_t *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ld_diag_vset(cx->d, code, cx->file,
                 key ? &key->key_pos
                 : n ? &n->pos
                     : NULL,
                 fmt, ap);
    va_end(ap);
    if (cx->d && (key || n))
        cx->d->end = key ? key->key_end : n->end;
    return code;
}

static int seg_push(ld__multipart_t *mp, seg_kind_t kind, char *lit, size_t len,
                    ld_tmpl_t *t)
{
    seg_t *v = realloc(mp->segs, (mp->n + 1) * sizeof(*v));
    if (!v)
        return LD_ENOMEM;
    mp->segs = v;
    v[mp->n++] = (seg_t){kind, lit, len, t};
    return 0;
}

static int flush(mp_cx_t *cx)
{
    size_t len;
    char *s;
    if (!cx->cur.len)
        return 0;
    if (!(s = ld_buf_take(&cx->cur, &len)))
        return LD_ENOMEM;
    if (seg_push(cx->mp, SEG_LIT, s, len, NULL)) {
        free(s);
        return LD_ENOMEM;
    }
    return 0;
}

static int lit(mp_cx_t *cx, const char *s)
{
    return ld_buf_adds(&cx->cur, s);
}

/* urllib3 quotes a name or filename with '"', CR and LF percent-encoded;
   a header line cannot hold CR or LF either (they become spaces). */
static int add_kind(ld_buf_t *out, seg_kind_t kind, const char *s, size_t n)
{
    int rc = 0;
    size_t i, from = 0;
    if (kind == SEG_RAW || kind == SEG_LIT)
        return ld_buf_add(out, s, n);
    for (i = 0; i < n && !rc; i++) {
        const char *rep = NULL;
        if (s[i] == '"' && kind == SEG_PARAM)
            rep = "%22";
        else if (s[i] == '\r')
            rep = kind == SEG_PARAM ? "%0D" : " ";
        else if (s[i] == '\n')
            rep = kind == SEG_PARAM ? "%0A" : " ";
        if (!rep)
            continue;
        rc = ld_buf_add(out, s + from, i - from);
        if (!rc)
            rc = ld_buf_adds(out, rep);
        from = i + 1;
    }
    return rc ? rc : ld_buf_add(out, s + from, n - from);
}

/* A value that may hold placeholders: escaped into the literal run now, or
   a template segment rendered per request. */
static int value(mp_cx_t *cx, seg_kind_t kind, const char *s, size_t n)
{
    ld_placeholder_t ph;
    ld_tmpl_t *t = NULL;
    if (ld_placeholder_next(s, n, 0, &ph)) {
        if (!(t = ld_tmpl_compile(s, n)))
            return LD_ENOMEM;
        if (ld_tmpl_is_literal(t)) {
            ld_tmpl_free(t);
            t = NULL;
        }
    }
    if (!t) {
        const char *b = cx->mp->boundary;
        if (kind == SEG_RAW && memmem(s, n, b, strlen(b)))
            cx->collide = true;
        return add_kind(&cx->cur, kind, s, n);
    }
    if (flush(cx) || seg_push(cx->mp, kind, NULL, 0, t)) {
        ld_tmpl_free(t);
        return LD_ENOMEM;
    }
    cx->mp->literal = false;
    return 0;
}

/* CR, LF or NUL would end a part header line early: refused (requests
   percent-encodes CR and LF in names; a header value it sends broken). */
static int check_line(mp_cx_t *cx, const ld_node_t *n, const ld_member_t *key,
                      const char *what, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\r' || s[i] == '\n' || s[i] == '\0')
            return fail(cx, LD_EINVAL, n, key,
                        "\"files\": %s must not contain a line break (CR or "
                        "LF) or a NUL byte",
                        what);
    return 0;
}

/* The boundary line and Content-Disposition of a part; fn NULL: no
   filename parameter. */
static int part_head(mp_cx_t *cx, const char *name, size_t nl, const char *fn,
                     size_t fl)
{
    int rc = lit(cx, "--");
    if (!rc)
        rc = lit(cx, cx->mp->boundary);
    if (!rc)
        rc = lit(cx, "\r\nContent-Disposition: form-data; name=\"");
    if (!rc)
        rc = value(cx, SEG_PARAM, name, nl);
    if (!rc && fn) {
        rc = lit(cx, "\"; filename=\"");
        if (!rc)
            rc = value(cx, SEG_PARAM, fn, fl);
    }
    return rc ? rc : lit(cx, "\"\r\n");
}

/* The blank line, the content and the CRLF that ends a part. */
static int part_body(mp_cx_t *cx, const char *s, size_t n)
{
    int rc = lit(cx, "\r\n");
    if (!rc)
        rc = value(cx, SEG_RAW, s, n);
    return rc ? rc : lit(cx, "\r\n");
}

static int header_line(mp_cx_t *cx, const char *k, size_t kl, const char *v,
                       size_t vl)
{
    int rc = value(cx, SEG_HDR, k, kl);
    if (!rc)
        rc = lit(cx, ": ");
    if (!rc)
        rc = value(cx, SEG_HDR, v, vl);
    return rc ? rc : lit(cx, "\r\n");
}

/* One form field of "data": a scalar, or a list of scalars (one part per
   item); null is skipped, as requests skips None. */
static int data_field(mp_cx_t *cx, const ld_member_t *m)
{
    const ld_node_t *v = m->value;
    size_t cnt = v->type == LD_TARRAY ? v->u.arr.n : 1;
    char num[64];
    int rc;
    if ((rc = check_line(cx, NULL, m, "a form field name", m->key, m->key_len)))
        return rc;
    for (size_t j = 0; j < cnt && !rc; j++) {
        const ld_node_t *it = v->type == LD_TARRAY ? v->u.arr.items[j] : v;
        const char *s;
        size_t len;
        if (it->type == LD_TNULL)
            continue;
        if (!ld__py_text(it, num, sizeof(num), &s, &len))
            return fail(cx, LD_ETYPE, it, NULL,
                        "\"data\" value of \"%s\" must be a string or a "
                        "number, not %s",
                        m->key, ld_type_name(it->type));
        rc = part_head(cx, m->key, m->key_len, NULL, 0);
        if (!rc)
            rc = part_body(cx, s, len);
    }
    return rc;
}

static bool is_replaced(const char *k)
{
    for (size_t i = 0; replaced[i]; i++)
        if (!strcmp(k, replaced[i]))
            return true;
    return false;
}

/* The fourth item of a file tuple: extra part headers. requests drops
   empty values and the three headers it sets itself (exact spelling). */
static int extra_headers(mp_cx_t *cx, const ld_node_t *h)
{
    char num[64];
    int rc = 0;
    if (h->type == LD_TNULL)
        return 0;
    if (h->type != LD_TOBJECT)
        return fail(cx, LD_ETYPE, h, NULL,
                    "\"files\": the headers of a file must be an object, "
                    "not %s",
                    ld_type_name(h->type));
    for (size_t i = 0; i < h->u.obj.n && !rc; i++) {
        const ld_member_t *m = &h->u.obj.members[i];
        const char *s;
        size_t len;
        if (!m->key_len || memchr(m->key, ':', m->key_len))
            return fail(cx, LD_EINVAL, NULL, m,
                        "\"files\": a header name must be non-empty and "
                        "without ':'");
        if ((rc = check_line(cx, NULL, m, "a header name", m->key, m->key_len)))
            return rc;
        if (m->value->type == LD_TNULL || is_replaced(m->key))
            continue;
        if (!ld__py_text(m->value, num, sizeof(num), &s, &len))
            return fail(cx, LD_ETYPE, m->value, NULL,
                        "\"files\": header \"%s\" must be a string or a "
                        "number, not %s",
                        m->key, ld_type_name(m->value->type));
        if ((rc = check_line(cx, m->value, NULL, "a header value", s, len)))
            return rc;
        if (len)
            rc = header_line(cx, m->key, m->key_len, s, len);
    }
    return rc;
}

/* File content: a string, an integer or a boolean (requests writes str()
   of an int; a float or a structure makes it fail). */
static int content_of(mp_cx_t *cx, const ld_node_t *c, char *num, size_t size,
                      const char **s, size_t *len)
{
    if (c->type == LD_TSTRING || c->type == LD_TINT || c->type == LD_TBOOL) {
        ld__py_text(c, num, size, s, len);
        return 0;
    }
    return fail(cx, LD_ETYPE, c, NULL,
                "\"files\": the content of a file must be a string, not %s",
                ld_type_name(c->type));
}

/* [filename, content], [filename, content, content_type] or
   [filename, content, content_type, headers]. */
static int file_tuple(mp_cx_t *cx, const char *name, size_t nl,
                      const ld_node_t *v)
{
    const ld_node_t *fn = NULL, *c, *ct = NULL;
    char num[64];
    const char *s = NULL;
    size_t len = 0;
    int rc;
    if (v->u.arr.n < 2 || v->u.arr.n > 4)
        return fail(cx, LD_EINVAL, v, NULL,
                    "\"files\": a file given as a list must be [filename, "
                    "content], [filename, content, content_type] or "
                    "[filename, content, content_type, headers], got %zu "
                    "items",
                    v->u.arr.n);
    fn = v->u.arr.items[0];
    c = v->u.arr.items[1];
    if (v->u.arr.n > 2)
        ct = v->u.arr.items[2];
    if (fn->type != LD_TSTRING && fn->type != LD_TNULL)
        return fail(cx, LD_ETYPE, fn, NULL,
                    "\"files\": a filename must be a string or null, not %s",
                    ld_type_name(fn->type));
    if (fn->type == LD_TSTRING && (rc = check_line(cx, fn, NULL, "a filename",
                                                   fn->u.str.s, fn->u.str.len)))
        return rc;
    if (ct && ct->type != LD_TSTRING && ct->type != LD_TNULL)
        return fail(cx, LD_ETYPE, ct, NULL,
                    "\"files\": a content type must be a string or null, "
                    "not %s",
                    ld_type_name(ct->type));
    if (ct && ct->type == LD_TSTRING &&
        (rc = check_line(cx, ct, NULL, "a content type", ct->u.str.s,
                         ct->u.str.len)))
        return rc;
    if (c->type == LD_TNULL) /* requests skips a file whose content is None */
        return 0;
    if ((rc = content_of(cx, c, num, sizeof(num), &s, &len)))
        return rc;
    rc = part_head(cx, name, nl, fn->type == LD_TSTRING ? fn->u.str.s : NULL,
                   fn->type == LD_TSTRING ? fn->u.str.len : 0);
    if (!rc && ct && ct->type == LD_TSTRING && ct->u.str.len)
        rc = header_line(cx, "Content-Type", 12, ct->u.str.s, ct->u.str.len);
    if (!rc && v->u.arr.n == 4)
        rc = extra_headers(cx, v->u.arr.items[3]);
    return rc ? rc : part_body(cx, s, len);
}

/* One file: its field name (key, or a string node) and its value. */
static int file_entry(mp_cx_t *cx, const ld_member_t *key,
                      const ld_node_t *name_node, const ld_node_t *v)
{
    const char *name = key ? key->key : name_node->u.str.s;
    size_t nl = key ? key->key_len : name_node->u.str.len;
    char num[64];
    const char *s = NULL;
    size_t len = 0;
    int rc;
    if ((rc = check_line(cx, name_node, key, "a field name", name, nl)))
        return rc;
    if (v->type == LD_TNULL)
        return 0;
    if (v->type == LD_TARRAY)
        return file_tuple(cx, name, nl, v);
    if ((rc = content_of(cx, v, num, sizeof(num), &s, &len)))
        return rc;
    /* a plain string: requests uses the field name as the filename */
    rc = part_head(cx, name, nl, name, nl);
    return rc ? rc : part_body(cx, s, len);
}

static int files_list(mp_cx_t *cx, const ld_node_t *files)
{
    int rc = 0;
    for (size_t i = 0; i < files->u.arr.n && !rc; i++) {
        const ld_node_t *it = files->u.arr.items[i];
        if (it->type != LD_TARRAY || it->u.arr.n != 2 ||
            it->u.arr.items[0]->type != LD_TSTRING)
            return fail(cx, LD_ETYPE, it, NULL,
                        "\"files\" as a list takes [name, file] pairs (name "
                        "a string)");
        rc = file_entry(cx, NULL, it->u.arr.items[0], it->u.arr.items[1]);
    }
    return rc;
}

static int compile_once(mp_cx_t *cx, const ld_node_t *files,
                        const ld_node_t *data)
{
    int rc = 0;
    for (size_t i = 0; data && i < data->u.obj.n && !rc; i++)
        if (data->u.obj.members[i].value->type != LD_TNULL)
            rc = data_field(cx, &data->u.obj.members[i]);
    if (rc)
        return rc;
    if (files->type == LD_TARRAY)
        rc = files_list(cx, files);
    else if (files->type == LD_TOBJECT)
        for (size_t i = 0; i < files->u.obj.n && !rc; i++)
            rc = file_entry(cx, &files->u.obj.members[i], NULL,
                            files->u.obj.members[i].value);
    else
        return fail(cx, LD_ETYPE, files, NULL,
                    "\"files\" must be an object (field name to file) or a "
                    "list of [name, file] pairs, not %s",
                    ld_type_name(files->type));
    if (!rc)
        rc = lit(cx, "--");
    if (!rc)
        rc = lit(cx, cx->mp->boundary);
    if (!rc)
        rc = lit(cx, "--\r\n");
    if (!rc)
        rc = flush(cx);
    if (!rc && cx->collide)
        rc = MP_COLLIDE;
    return rc;
}

/* 32 hex digits, as urllib3's choose_boundary. */
static void random_boundary(char *out)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[16];
    if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
        uint64_t x = ld_now_ns() ^ (uint64_t)(uintptr_t)out;
        for (size_t i = 0; i < sizeof(r); i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            r[i] = (unsigned char)(x >> 56);
        }
    }
    for (size_t i = 0; i < sizeof(r); i++) {
        out[2 * i] = hex[r[i] >> 4];
        out[2 * i + 1] = hex[r[i] & 15];
    }
    out[2 * sizeof(r)] = '\0';
}

int ld__multipart_compile(const ld_node_t *files, const ld_node_t *data,
                          const char *boundary, const char *file,
                          ld__multipart_t **out, ld_diag_t *d)
{
    mp_cx_t cx = {.file = file, .d = d};
    int rc = 0;
    *out = NULL;
    if (data && data->type != LD_TOBJECT)
        data = NULL; /* the caller has refused anything else */
    for (int attempt = 0; attempt < 8; attempt++) {
        if (!(cx.mp = calloc(1, sizeof(*cx.mp))))
            return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
        cx.mp->literal = true;
        cx.collide = false;
        if (boundary)
            snprintf(cx.mp->boundary, sizeof(cx.mp->boundary), "%s", boundary);
        else
            random_boundary(cx.mp->boundary);
        ld_buf_init(&cx.cur, 0);
        rc = compile_once(&cx, files, data);
        ld_buf_free(&cx.cur);
        if (!rc) {
            *out = cx.mp;
            return 0;
        }
        ld__multipart_free(cx.mp);
        if (rc != MP_COLLIDE)
            break;
        if (boundary)
            return fail(&cx, LD_EINVAL, files, NULL,
                        "\"files\": the boundary \"%s\" of the Content-Type "
                        "header occurs in a file's content",
                        boundary);
    }
    if (rc == LD_ENOMEM || rc == MP_COLLIDE)
        return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    return rc;
}

void ld__multipart_free(ld__multipart_t *mp)
{
    if (!mp)
        return;
    for (size_t i = 0; i < mp->n; i++) {
        free(mp->segs[i].lit);
        ld_tmpl_free(mp->segs[i].t);
    }
    free(mp->segs);
    free(mp);
}

bool ld__multipart_is_literal(const ld__multipart_t *mp)
{
    return mp->literal;
}

const char *ld__multipart_boundary(const ld__multipart_t *mp)
{
    return mp->boundary;
}

int ld__multipart_render(const ld__multipart_t *mp, ld_params_t *p,
                         ld_scope_t *s, ld_buf_t *out)
{
    ld_buf_t tmp;
    int rc = 0;
    ld_buf_init(&tmp, out->max);
    for (size_t i = 0; i < mp->n && !rc; i++) {
        const seg_t *g = &mp->segs[i];
        if (g->kind == SEG_LIT) {
            rc = ld_buf_add(out, g->lit, g->len);
        } else if (g->kind == SEG_RAW) {
            rc = ld_tmpl_render(g->t, p, s, out);
        } else {
            ld_buf_reset(&tmp);
            rc = ld_tmpl_render(g->t, p, s, &tmp);
            if (!rc)
                rc = add_kind(out, g->kind, tmp.data, tmp.len);
        }
    }
    ld_buf_free(&tmp);
    return rc ? rc : ld_buf_add(out, "", 0);
}

/* ---- the Content-Type header ---- */

static bool bchar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') || strchr("'()+_,-./:=? ", c);
}

/* RFC 2046: 1 to 70 bchars, not ending in a space. */
static int valid_boundary(const char *s, size_t n)
{
    if (n == 0 || n > LD__MP_BOUNDARY_MAX || s[n - 1] == ' ')
        return LD_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!s[i] || !bchar(s[i]))
            return LD_EINVAL;
    return 0;
}

/* The value of the parameter starting at p (after "boundary="): a token,
   or a quoted string with backslash escapes. */
static int param_value(const char *p, char *out, size_t size)
{
    size_t n = 0;
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1])
                p++;
            if (n + 1 >= size)
                return LD_EINVAL;
            out[n++] = *p;
        }
        if (*p != '"')
            return LD_EINVAL;
    } else {
        for (; *p && *p != ';' && *p != ' ' && *p != '\t'; p++) {
            if (n + 1 >= size)
                return LD_EINVAL;
            out[n++] = *p;
        }
    }
    out[n] = '\0';
    return valid_boundary(out, n) ? LD_EINVAL : 1;
}

int ld__multipart_ct_boundary(const char *ct, char *out, size_t size)
{
    bool quoted = false;
    for (const char *p = ct; *p; p++) {
        const char *q = p + 1;
        if (*p == '"')
            quoted = !quoted;
        if (quoted || *p != ';')
            continue;
        while (*q == ' ' || *q == '\t')
            q++;
        if (strncasecmp(q, "boundary", 8))
            continue;
        q += 8;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q != '=')
            continue;
        q++;
        while (*q == ' ' || *q == '\t')
            q++;
        return param_value(q, out, size);
    }
    return 0;
}

bool ld__multipart_ct_is_multipart(const char *ct)
{
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return !strncasecmp(ct, "multipart/", 10);
}
