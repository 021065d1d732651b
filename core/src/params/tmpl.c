/*
 * tmpl.c - compiled templates: a string split once into literal runs and
 * placeholder segments, so rendering on the engine's hot path does no
 * scanning. Placeholders that can never resolve (faker, db, unknown, randint
 * with bad arguments) are folded into the literal runs.
 */
#include <stdlib.h>
#include <string.h>

#include "params/params_int.h"

typedef struct tseg {
    bool ph;
    size_t off, len;        /* literal bytes, or the placeholder's raw text */
    ld__ph_t spec;          /* names point into names[], NUL-terminated */
} tseg_t;

struct ld_tmpl {
    char *text;
    size_t len;
    char *names;            /* NUL-terminated copies of the spec names */
    tseg_t *segs;
    size_t nseg;
    bool literal;
};

static tseg_t *add_seg(ld_tmpl_t *t, size_t *cap)
{
    if (t->nseg == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        tseg_t *v = realloc(t->segs, ncap * sizeof(*v));

        if (!v)
            return NULL;
        t->segs = v;
        *cap = ncap;
    }
    memset(&t->segs[t->nseg], 0, sizeof(tseg_t));
    return &t->segs[t->nseg++];
}

/* Extend the last literal segment, or start one. */
static int add_literal(ld_tmpl_t *t, size_t *cap, size_t off, size_t len)
{
    tseg_t *s;

    if (!len)
        return 0;
    if (t->nseg && !t->segs[t->nseg - 1].ph &&
        t->segs[t->nseg - 1].off + t->segs[t->nseg - 1].len == off) {
        t->segs[t->nseg - 1].len += len;
        return 0;
    }
    s = add_seg(t, cap);
    if (!s)
        return LD_ENOMEM;
    s->off = off;
    s->len = len;
    return 0;
}

static const char *copy_name(ld_tmpl_t *t, size_t *used, const char *s,
                             size_t len)
{
    char *dst = t->names + *used;

    memcpy(dst, s, len);
    dst[len] = '\0';
    *used += len + 1;
    return dst;
}

static int add_placeholder(ld_tmpl_t *t, size_t *cap, size_t *used,
                           const ld_placeholder_t *ph)
{
    ld__ph_t spec;
    tseg_t *s;

    ld__ph_spec(ph, &spec);
    if (!spec.resolvable)
        return add_literal(t, cap, ph->start, ph->end - ph->start);
    s = add_seg(t, cap);
    if (!s)
        return LD_ENOMEM;
    s->ph = true;
    s->off = ph->start;
    s->len = ph->end - ph->start;
    s->spec = spec;
    s->spec.a = copy_name(t, used, spec.a, spec.alen);
    if (spec.b)
        s->spec.b = copy_name(t, used, spec.b, spec.blen);
    t->literal = false;
    return 0;
}

static int compile(ld_tmpl_t *t)
{
    ld_placeholder_t ph;
    size_t at = 0, cap = 0, used = 0;
    int rc = 0;

    while (!rc && ld_placeholder_next(t->text, t->len, at, &ph)) {
        rc = add_literal(t, &cap, at, ph.start - at);
        if (!rc)
            rc = add_placeholder(t, &cap, &used, &ph);
        at = ph.end;
    }
    if (!rc)
        rc = add_literal(t, &cap, at, t->len - at);
    return rc;
}

ld_tmpl_t *ld_tmpl_compile(const char *s, size_t len)
{
    ld_tmpl_t *t;

    if (!s && len)
        return NULL;
    t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->literal = true;
    t->len = len;
    t->text = ld_strndup(s ? s : "", len);
    /* each name is a sub-span of its placeholder's text plus one NUL; a
     * placeholder is at least 4 bytes, so 2 * len + 2 always suffices */
    t->names = malloc(2 * len + 2);
    if (!t->text || !t->names || compile(t)) {
        ld_tmpl_free(t);
        return NULL;
    }
    return t;
}

void ld_tmpl_free(ld_tmpl_t *t)
{
    if (!t)
        return;
    free(t->text);
    free(t->names);
    free(t->segs);
    free(t);
}

bool ld_tmpl_is_literal(const ld_tmpl_t *t)
{
    return !t || t->literal;
}

int ld_tmpl_render(const ld_tmpl_t *t, ld_params_t *p, ld_scope_t *scope,
                   ld_buf_t *out)
{
    ld__pass_t local;
    ld__pass_t *pass;
    size_t i;
    int rc = 0;

    if (!t || !out)
        return LD_EINVAL;
    ld__pass_init(&local);
    pass = ld__scope_pass(scope, &local);
    for (i = 0; !rc && i < t->nseg; i++) {
        const tseg_t *s = &t->segs[i];

        if (s->ph) {
            rc = ld__ph_eval(p, scope, pass, &s->spec, out);
            if (rc == 1) {
                rc = 0;
                continue;
            }
            if (rc)
                break;
        }
        rc = ld_buf_add(out, t->text + s->off, s->len);
    }
    ld__pass_free(&local);
    /* an empty template still leaves out NUL-terminated */
    return rc ? rc : ld_buf_add(out, "", 0);
}
