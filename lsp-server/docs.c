/*
 * docs.c - the open documents: text kept per URI, full and incremental
 * changes, a line index for LSP positions (UTF-16 code units within a
 * line; line breaks LF, CRLF and lone CR, as in the specification), the
 * lint of the current text, and the action marks completion scans from.
 */
#include "lsp.h"

#include <stdlib.h>
#include <string.h>

lsp_doc_t *lsp_doc_find(lsp_server_t *s, const char *uri)
{
    lsp_doc_t *d;

    for (d = s->docs; d && uri; d = d->next)
        if (!strcmp(d->uri, uri))
            return d;
    return NULL;
}

static void doc_free(lsp_doc_t *d)
{
    free(d->uri);
    free(d->text);
    free(d->lines);
    free(d->marks);
    ld_lint_result_free(&d->lint);
    ld_doc_free(d->parsed);
    free(d);
}

static int set_text(lsp_doc_t *d, const char *text, size_t len)
{
    if (len + 1 > d->cap) {
        size_t cap = len + 1 + len / 4;
        char *p = realloc(d->text, cap);

        if (!p)
            return LD_ENOMEM;
        d->text = p;
        d->cap = cap;
    }
    memcpy(d->text, text, len);
    d->text[len] = '\0';
    d->len = len;
    d->lines_ok = false;
    d->lint_ok = false;
    return 0;
}

static ld_doc_format_t format_of(const char *uri)
{
    size_t n = strlen(uri);

    if ((n > 5 && !strcmp(uri + n - 5, ".yaml")) ||
        (n > 4 && !strcmp(uri + n - 4, ".yml")))
        return LD_FMT_YAML;
    return LD_FMT_JSON;
}

lsp_doc_t *lsp_doc_open(lsp_server_t *s, const char *uri, const char *text,
                        size_t len, int64_t version)
{
    lsp_doc_t *d = lsp_doc_find(s, uri);

    if (!d) {
        if (!(d = calloc(1, sizeof(*d))) || !(d->uri = ld_strdup(uri))) {
            free(d);
            return NULL;
        }
        ld_lint_result_init(&d->lint);
        d->next = s->docs;
        s->docs = d;
    }
    d->version = version;
    d->fmt = format_of(uri);
    d->nmarks = 0;
    if (set_text(d, text, len))
        return NULL;
    return d;
}

void lsp_doc_close(lsp_server_t *s, const char *uri)
{
    lsp_doc_t **pp;

    for (pp = &s->docs; *pp; pp = &(*pp)->next) {
        if (!strcmp((*pp)->uri, uri)) {
            lsp_doc_t *d = *pp;

            *pp = d->next;
            doc_free(d);
            return;
        }
    }
}

void lsp_docs_free(lsp_server_t *s)
{
    while (s->docs) {
        lsp_doc_t *d = s->docs;

        s->docs = d->next;
        doc_free(d);
    }
}

/* ---- lines and positions ---- */

static int add_line(lsp_doc_t *d, size_t *n, size_t start)
{
    if (*n >= d->lines_cap) {
        size_t cap = d->lines_cap ? d->lines_cap * 2 : 1024;
        size_t *p = realloc(d->lines, cap * sizeof(*p));

        if (!p)
            return LD_ENOMEM;
        d->lines = p;
        d->lines_cap = cap;
    }
    d->lines[(*n)++] = start;
    return 0;
}

static int build_lines(lsp_doc_t *d)
{
    const char *t = d->text, *nl;
    size_t i, n = 0;

    if (d->lines_ok)
        return 0;
    if (add_line(d, &n, 0))
        return LD_ENOMEM;
    if (!memchr(t, '\r', d->len)) { /* the usual case: memchr for LF */
        for (i = 0; (nl = memchr(t + i, '\n', d->len - i)) != NULL;
             i = (size_t)(nl - t) + 1)
            if (add_line(d, &n, (size_t)(nl - t) + 1))
                return LD_ENOMEM;
    } else {
        for (i = 0; i < d->len; i++) {
            if (t[i] != '\n' && t[i] != '\r')
                continue;
            if (t[i] == '\r' && i + 1 < d->len && t[i + 1] == '\n')
                i++;
            if (add_line(d, &n, i + 1))
                return LD_ENOMEM;
        }
    }
    d->nlines = n;
    d->lines_ok = true;
    return 0;
}

static size_t line_end(const lsp_doc_t *d, size_t line)
{
    size_t e = line + 1 < d->nlines ? d->lines[line + 1] : d->len;

    while (e > d->lines[line] &&
           (d->text[e - 1] == '\n' || d->text[e - 1] == '\r'))
        e--;
    return e;
}

/* Byte length of the UTF-8 sequence starting with c (1 for bad bytes). */
static size_t seq_len(unsigned char c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF8 ? 4 : 1;
}

static size_t offset_at(lsp_doc_t *d, size_t line, size_t ch16)
{
    size_t i, e, units = 0;

    if (build_lines(d))
        return 0;
    if (line >= d->nlines)
        return d->len;
    i = d->lines[line];
    e = line_end(d, line);
    while (i < e && units < ch16) {
        size_t k = seq_len((unsigned char)d->text[i]);

        units += k == 4 ? 2 : 1;
        i += k;
    }
    return i > e ? e : i;
}

size_t lsp_doc_offset(lsp_doc_t *d, const json_t *position)
{
    json_int_t line = json_integer_value(json_object_get(position, "line"));
    json_int_t ch = json_integer_value(json_object_get(position, "character"));

    return offset_at(d, line < 0 ? 0 : (size_t)line, ch < 0 ? 0 : (size_t)ch);
}

static size_t line_of(const lsp_doc_t *d, size_t off)
{
    size_t lo = 0, hi = d->nlines;

    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;

        if (d->lines[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

json_t *lsp_doc_position(lsp_doc_t *d, size_t off)
{
    size_t line, i, units = 0;

    if (build_lines(d))
        return NULL;
    if (off > d->len)
        off = d->len;
    line = line_of(d, off);
    for (i = d->lines[line]; i < off;) {
        size_t k = seq_len((unsigned char)d->text[i]);

        units += k == 4 ? 2 : 1;
        i += k;
    }
    return json_pack("{s:I,s:I}", "line", (json_int_t)line, "character",
                     (json_int_t)units);
}

json_t *lsp_doc_range(lsp_doc_t *d, size_t a, size_t b)
{
    return json_pack("{s:o,s:o}", "start", lsp_doc_position(d, a), "end",
                     lsp_doc_position(d, b < a ? a : b));
}

json_t *lsp_doc_pos_range(lsp_doc_t *d, const ld_pos_t *a, const ld_pos_t *b)
{
    size_t s = a->line ? a->off : 0;
    size_t e = b->line ? b->off : s;

    return lsp_doc_range(d, s, e);
}

/* ---- changes ---- */

static void shift_marks(lsp_doc_t *d, size_t a, size_t b, size_t n)
{
    size_t i, k = 0;

    for (i = 0; i < d->nmarks; i++) {
        size_t m = d->marks[i];

        if (m >= a && m < b)
            continue; /* inside the replaced range: gone */
        if (m >= b)
            m = m - (b - a) + n;
        d->marks[k++] = m;
    }
    d->nmarks = k;
}

int lsp_doc_change(lsp_doc_t *d, const json_t *change)
{
    const json_t *range = json_object_get(change, "range");
    const json_t *jt = json_object_get(change, "text");
    const char *text = json_string_value(jt);
    size_t n = json_string_length(jt), a, b;

    if (!text)
        return LD_EINVAL;
    if (!json_is_object(range)) {
        d->nmarks = 0;
        return set_text(d, text, n);
    }
    a = lsp_doc_offset(d, json_object_get(range, "start"));
    b = lsp_doc_offset(d, json_object_get(range, "end"));
    if (b < a) {
        size_t t = a;

        a = b;
        b = t;
    }
    if (d->len - (b - a) + n + 1 > d->cap) {
        size_t cap = d->len - (b - a) + n + 1;
        char *p;

        cap += cap / 4;
        if (!(p = realloc(d->text, cap)))
            return LD_ENOMEM;
        d->text = p;
        d->cap = cap;
    }
    memmove(d->text + a + n, d->text + b, d->len - b);
    memcpy(d->text + a, text, n);
    d->len = d->len - (b - a) + n;
    d->text[d->len] = '\0';
    d->lines_ok = false;
    d->lint_ok = false;
    shift_marks(d, a, b, n);
    return 0;
}

/* ---- lint ---- */

static void set_marks(lsp_doc_t *d)
{
    size_t i;
    size_t *m;

    d->nmarks = 0;
    if (!d->lint.nactions)
        return;
    m = realloc(d->marks, d->lint.nactions * sizeof(*m));
    if (!m)
        return;
    d->marks = m;
    for (i = 0; i < d->lint.nactions; i++)
        if (d->lint.actions[i]->pos.line)
            d->marks[d->nmarks++] = d->lint.actions[i]->pos.off;
}

int lsp_doc_lint(lsp_doc_t *d)
{
    ld_doc_t *doc = NULL;
    int rc;

    if (d->lint_ok)
        return 0;
    ld_lint_result_free(&d->lint);
    ld_doc_free(d->parsed);
    d->parsed = NULL;
    rc = ld_lint_text(d->text, d->len, d->uri, d->fmt, NULL, &d->lint, &doc);
    if (rc)
        return rc;
    d->parsed = doc;
    d->lint_ok = true;
    d->due_ns = 0;
    if (doc) /* keep the old marks (shifted by edits) on a syntax error */
        set_marks(d);
    return 0;
}

size_t lsp_doc_scan_start(const lsp_doc_t *d, size_t off)
{
    size_t lo = 0, hi = d->nmarks;

    if (d->fmt != LD_FMT_JSON)
        return 0;
    /* the last mark at or before off that still starts an action */
    while (hi > lo) {
        size_t mid = lo + (hi - lo) / 2;

        if (d->marks[mid] <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    while (lo > 0) {
        size_t m = d->marks[--lo];

        if (m < d->len && d->text[m] == '[')
            return m;
    }
    return 0;
}
