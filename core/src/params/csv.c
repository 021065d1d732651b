/*
 * csv.c - CSV sources for ${csv.SOURCE.COL}: an RFC 4180 parser and the
 * shared, lock-free row cursor.
 *
 * Accepted: quoted fields with "" escapes, CRLF, LF or lone CR line ends,
 * newlines inside quoted fields, a UTF-8 BOM, a missing final newline, a
 * quote inside an unquoted field (kept literally, as Python's csv does).
 * Blank lines are skipped (as csv.DictReader does). Ragged rows are accepted:
 * a missing field stays unresolved (DictReader gives None there) and extra
 * fields are ignored. Errors: an unterminated quoted field (reported at its
 * opening quote) and text after a closing quote (Python silently glues it on;
 * here it is almost always a mistake, so it is reported).
 */
#include <stdlib.h>
#include <string.h>

#include "params/params_int.h"

typedef struct csvp {
    const char *t;
    size_t len;
    size_t i;
    size_t body;            /* offset after the BOM */
    ld_buf_t arena;
    ld__field_t *f;
    size_t nf, capf;
    size_t *rec;
    size_t nrec, caprec;
    const char *origin;
    const char *name;
    ld_diag_t *d;
} csvp_t;

static ld_pos_t pos_at(const csvp_t *c, size_t off)
{
    ld_pos_t pos = {1, 1, (uint32_t)off};
    size_t k, ls = c->body;

    for (k = c->body; k < off; k++) {
        if (c->t[k] == '\n' ||
            (c->t[k] == '\r' && (k + 1 >= c->len || c->t[k + 1] != '\n'))) {
            pos.line++;
            ls = k + 1;
        }
    }
    for (k = ls; k < off; k++)
        if (((unsigned char)c->t[k] & 0xc0) != 0x80)
            pos.col++;
    return pos;
}

static int syntax(csvp_t *c, size_t off, const char *what)
{
    ld_pos_t pos = pos_at(c, off);

    return ld_diag_set(c->d, LD_ESYNTAX, c->origin, &pos,
                       "CSV source '%s': %s", c->name, what);
}

static int push_rec(csvp_t *c, size_t first)
{
    if (c->nrec + 1 >= c->caprec) {
        size_t cap = c->caprec ? c->caprec * 2 : 64;
        size_t *p = realloc(c->rec, cap * sizeof(*p));

        if (!p)
            return LD_ENOMEM;
        c->rec = p;
        c->caprec = cap;
    }
    c->rec[c->nrec++] = first;
    return 0;
}

static int push_field(csvp_t *c, size_t off)
{
    int rc;

    if (c->nf == c->capf) {
        size_t cap = c->capf ? c->capf * 2 : 256;
        ld__field_t *p = realloc(c->f, cap * sizeof(*p));

        if (!p)
            return LD_ENOMEM;
        c->f = p;
        c->capf = cap;
    }
    c->f[c->nf].off = off;
    c->f[c->nf].len = c->arena.len - off;
    c->nf++;
    rc = ld_buf_addc(&c->arena, '\0');
    return rc;
}

static bool at_field_end(const csvp_t *c)
{
    return c->i >= c->len || c->t[c->i] == ',' || c->t[c->i] == '\r' ||
           c->t[c->i] == '\n';
}

static int quoted_field(csvp_t *c)
{
    size_t open = c->i++;
    int rc = 0;

    for (;;) {
        const char *q = memchr(c->t + c->i, '"', c->len - c->i);

        if (!q)
            return syntax(c, open, "unterminated quoted field");
        rc = ld_buf_add(&c->arena, c->t + c->i, (size_t)(q - c->t) - c->i);
        if (rc)
            return rc;
        c->i = (size_t)(q - c->t) + 1;
        if (c->i < c->len && c->t[c->i] == '"') {
            rc = ld_buf_addc(&c->arena, '"');
            if (rc)
                return rc;
            c->i++;
            continue;
        }
        break;
    }
    if (!at_field_end(c))
        return syntax(c, c->i, "unexpected character after closing quote");
    return 0;
}

static int field(csvp_t *c)
{
    size_t off = c->arena.len;
    size_t start = c->i;
    int rc;

    if (c->i < c->len && c->t[c->i] == '"') {
        rc = quoted_field(c);
    } else {
        while (!at_field_end(c))
            c->i++;
        rc = ld_buf_add(&c->arena, c->t + start, c->i - start);
    }
    return rc ? rc : push_field(c, off);
}

static void skip_newline(csvp_t *c)
{
    if (c->i < c->len && c->t[c->i] == '\r')
        c->i++;
    if (c->i < c->len && c->t[c->i] == '\n')
        c->i++;
}

static int record(csvp_t *c)
{
    int rc = push_rec(c, c->nf);

    while (!rc) {
        rc = field(c);
        if (rc || c->i >= c->len || c->t[c->i] != ',')
            break;
        c->i++;
    }
    skip_newline(c);
    return rc;
}

static int parse(csvp_t *c)
{
    int rc = 0;

    if (c->len >= 3 && memcmp(c->t, "\xef\xbb\xbf", 3) == 0)
        c->i = c->body = 3;
    /* arena must exist even when every field is empty */
    rc = ld_buf_add(&c->arena, "", 0);
    while (!rc && c->i < c->len) {
        if (c->t[c->i] == '\r' || c->t[c->i] == '\n')
            skip_newline(c);            /* blank line */
        else
            rc = record(c);
    }
    if (!rc)
        rc = push_rec(c, c->nf);        /* end sentinel */
    return rc;
}

int ld__csv_parse(const char *text, size_t len, const char *origin,
                  const char *name, bool cycle, ld__csv_src_t **out,
                  ld_diag_t *d)
{
    csvp_t c;
    ld__csv_src_t *s = NULL;
    int rc;

    memset(&c, 0, sizeof(c));
    c.t = text ? text : "";
    c.len = text ? len : 0;
    c.origin = origin;
    c.name = name;
    c.d = d;
    ld_buf_init(&c.arena, 0);
    *out = NULL;
    rc = parse(&c);
    if (rc)
        goto out;
    s = calloc(1, sizeof(*s));
    if (!s || !(s->name = ld_strdup(name))) {
        rc = LD_ENOMEM;
        goto out;
    }
    s->cycle = cycle;
    s->arena = ld_buf_take(&c.arena, NULL);
    s->fields = c.f;
    s->rec_first = c.rec;
    s->nrec = c.nrec - 1;
    atomic_init(&s->cursor, 0);
    c.f = NULL;
    c.rec = NULL;
    *out = s;
    s = NULL;
out:
    if (rc == LD_ENOMEM)
        ld_diag_set(d, rc, origin, NULL, "out of memory reading CSV source '%s'",
                    name);
    free(s);
    ld_buf_free(&c.arena);
    free(c.f);
    free(c.rec);
    return rc;
}

void ld__csv_free(ld__csv_src_t *s)
{
    if (!s)
        return;
    free(s->name);
    free(s->arena);
    free(s->fields);
    free(s->rec_first);
    free(s);
}

size_t ld__csv_nrows(const ld__csv_src_t *s)
{
    return s->nrec ? s->nrec - 1 : 0;
}

int64_t ld__csv_draw(ld__csv_src_t *s)
{
    size_t n = ld__csv_nrows(s);
    uint64_t k;

    if (!n)
        return -1;
    /* rows are immutable once registered: relaxed ordering is enough */
    k = atomic_fetch_add_explicit(&s->cursor, 1, memory_order_relaxed);
    if (s->cycle)
        return (int64_t)(k % n);
    return k < n ? (int64_t)k : -1;
}

long ld__csv_col(const ld__csv_src_t *s, const char *name, size_t len)
{
    size_t n;

    if (!s->nrec)
        return -1;
    n = s->rec_first[1] - s->rec_first[0];
    while (n--) {
        const ld__field_t *f = &s->fields[n];

        if (f->len == len && memcmp(s->arena + f->off, name, len) == 0)
            return (long)n;
    }
    return -1;
}

bool ld__csv_field(const ld__csv_src_t *s, int64_t row, long col,
                   const char **val, size_t *len)
{
    size_t r = (size_t)row + 1;
    size_t first, n;
    const ld__field_t *f;

    if (row < 0 || col < 0 || r >= s->nrec)
        return false;
    first = s->rec_first[r];
    n = s->rec_first[r + 1] - first;
    if ((size_t)col >= n)
        return false;
    f = &s->fields[first + (size_t)col];
    *val = s->arena + f->off;
    *len = f->len;
    return true;
}
