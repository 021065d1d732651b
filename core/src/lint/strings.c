/*
 * strings.c - what the linter finds inside strings: placeholders (unknown
 * prefixes, variables and CSV sources not registered before use), request
 * URLs, duplicate keys; and the mapping from a byte of a decoded string back
 * to its line and column in the source, so a finding marks the placeholder
 * itself rather than the whole string.
 */
#include "lint/lint_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- string set ---- */

static uint64_t hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    size_t i;

    for (i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static bool slot_eq(const char *slot, const char *s, size_t len)
{
    return strncmp(slot, s, len) == 0 && slot[len] == '\0';
}

static int grow(ld__strset_t *s)
{
    size_t cap = s->cap ? s->cap * 2 : 64, i;
    char **slots = calloc(cap, sizeof(*slots));

    if (!slots)
        return LD_ENOMEM;
    for (i = 0; i < s->cap; i++) {
        size_t j;

        if (!s->slots[i])
            continue;
        j = hash(s->slots[i], strlen(s->slots[i])) & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = s->slots[i];
    }
    free(s->slots);
    s->slots = slots;
    s->cap = cap;
    return 0;
}

int ld__strset_add(ld__strset_t *s, const char *name, size_t len)
{
    size_t j;

    if (ld__strset_has(s, name, len))
        return 0;
    if ((s->n + 1) * 2 > s->cap && grow(s))
        return LD_ENOMEM;
    j = hash(name, len) & (s->cap - 1);
    while (s->slots[j])
        j = (j + 1) & (s->cap - 1);
    if (!(s->slots[j] = ld_strndup(name, len)))
        return LD_ENOMEM;
    s->n++;
    return 0;
}

bool ld__strset_has(const ld__strset_t *s, const char *name, size_t len)
{
    size_t j;

    if (!s->cap)
        return false;
    j = hash(name, len) & (s->cap - 1);
    for (; s->slots[j]; j = (j + 1) & (s->cap - 1))
        if (slot_eq(s->slots[j], name, len))
            return true;
    return false;
}

void ld__strset_clear(ld__strset_t *s)
{
    size_t i;

    for (i = 0; i < s->cap; i++) {
        free(s->slots[i]);
        s->slots[i] = NULL;
    }
    s->n = 0;
}

void ld__strset_free(ld__strset_t *s)
{
    ld__strset_clear(s);
    free(s->slots);
    memset(s, 0, sizeof(*s));
}

/* ---- positions inside strings ---- */

static unsigned hexval(char c)
{
    return c >= '0' && c <= '9'   ? (unsigned)(c - '0')
           : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
           : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                  : 0;
}

static unsigned hex4(const char *p)
{
    return hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 |
           hexval(p[3]);
}

/* Advance over one source unit of a JSON string at raw[i]; returns the
   raw bytes consumed and sets *dec to the decoded bytes it yields. */
static size_t json_unit(const char *raw, size_t i, size_t lim, size_t *dec)
{
    unsigned cp;

    *dec = 1;
    if (raw[i] != '\\' || i + 1 >= lim)
        return 1;
    if (raw[i + 1] != 'u' || i + 6 > lim)
        return 2;
    cp = hex4(raw + i + 2);
    if (cp >= 0xD800 && cp < 0xDC00 && i + 12 <= lim && raw[i + 6] == '\\' &&
        raw[i + 7] == 'u') {
        *dec = 4;
        return 12;
    }
    *dec = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
    return 6;
}

static bool cont_byte(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

/* Source position of decoded byte `at` of a JSON string starting at p. */
static ld_pos_t json_pos(const char *text, size_t lim, const ld_pos_t *p,
                         size_t at)
{
    ld_pos_t r = *p;
    size_t i = p->off + 1, dec_done = 0, d;

    r.col++;
    r.off++;
    while (dec_done < at && i < lim && text[i] != '"') {
        size_t k = json_unit(text, i, lim, &d), j;

        for (j = 0; j < k; j++)
            if (!cont_byte(text[i + j]))
                r.col++;
        i += k;
        dec_done += d;
    }
    r.off = (uint32_t)i;
    return r;
}

void ld__str_range(const ld__lint_t *cx, const ld_pos_t *pos,
                   const ld_pos_t *end, const char *s, size_t len, size_t a,
                   size_t b, ld_pos_t *out_pos, ld_pos_t *out_end)
{
    size_t i;

    *out_pos = *pos;
    *out_end = *end;
    if (!cx->text || !pos->line || end->off > cx->len ||
        end->line != pos->line || a > b || b > len)
        return;
    if (cx->text[pos->off] == '"') {
        *out_pos = json_pos(cx->text, end->off, pos, a);
        *out_end = json_pos(cx->text, end->off, pos, b);
        return;
    }
    /* a YAML plain scalar spelled exactly as its value */
    if (end->off - pos->off != len || memcmp(cx->text + pos->off, s, len))
        return;
    *out_pos = *pos;
    for (i = 0; i < a; i++)
        if (!cont_byte(s[i]))
            out_pos->col++;
    out_pos->off = pos->off + (uint32_t)a;
    *out_end = *out_pos;
    for (i = a; i < b; i++)
        if (!cont_byte(s[i]))
            out_end->col++;
    out_end->off = pos->off + (uint32_t)b;
}

/* ---- placeholders ---- */

static void pending(ld__lint_t *cx, const char *name, size_t len,
                    const ld_pos_t *p, const ld_pos_t *e)
{
    ld__pending_var_t *v;
    char loc[512];

    if (ld_grow((void **)&cx->pending, &cx->pending_cap, cx->npending + 1,
                sizeof(*cx->pending))) {
        cx->oom = LD_ENOMEM;
        return;
    }
    v = &cx->pending[cx->npending];
    v->name = ld_strndup(name, len);
    ld__loc_text(cx, loc, sizeof(loc));
    v->location = ld_strdup(loc);
    v->pos = *p;
    v->end = *e;
    v->open = cx->later && !cx->cleared;
    if (!v->name || !v->location) {
        free(v->name);
        free(v->location);
        cx->oom = LD_ENOMEM;
        return;
    }
    cx->npending++;
}

/* Names registered anywhere in the document, for did-you-mean. */
static size_t var_names(const ld_lint_result_t *r, const char **names,
                        size_t cap)
{
    size_t i, n = 0;

    for (i = 0; i < r->ndefs && n + 1 < cap; i++)
        if (r->defs[i].kind != LD_DEF_CSV)
            names[n++] = r->defs[i].name;
    names[n] = NULL;
    return n;
}

/* Where name is registered (first time), or NULL. */
static const ld_lint_def_t *def_of(const ld_lint_result_t *r, const char *name)
{
    size_t i;

    for (i = 0; i < r->ndefs; i++)
        if (r->defs[i].kind == LD_DEF_VAR && LD__EQ(r->defs[i].name, name))
            return &r->defs[i];
    return NULL;
}

static void undefined(ld__lint_t *cx, const ld__pending_var_t *v,
                      const char *const *names, size_t n)
{
    const ld_lint_def_t *def = def_of(cx->r, v->name);
    const char *sug = def ? NULL : ld_suggest(v->name, names, n);
    ld_lint_finding_t *f;
    char fix[300];

    cx->loc_override = v->location;
    if (def)
        f = ld__lint_add(cx, LD_RULE_UNDEFINED_VARIABLE, &v->pos, &v->end,
                         "variable \"%s\" is not registered at this point "
                         "(it is registered on line %u, or was dropped by "
                         "LD_clear_resolver)",
                         v->name, def->pos.line);
    else
        f = ld__lint_add(cx, LD_RULE_UNDEFINED_VARIABLE, &v->pos, &v->end,
                         "variable \"%s\" is not registered before this use "
                         "(LD_register_variable, LD_register_variables or "
                         "LD_start_test \"variables\") nor extracted%s%s%s",
                         v->name, sug ? "; did you mean \"" : "",
                         sug ? sug : "", sug ? "\"?" : "");
    cx->loc_override = NULL;
    if (!sug || !cx->text || v->end.off > cx->len ||
        v->end.off < v->pos.off + 2 || strncmp(cx->text + v->pos.off, "${", 2))
        return;
    snprintf(fix, sizeof(fix), "${var.%s}", sug);
    ld__lint_fix(cx, f, v->pos.off, v->end.off, fix, "Change to %s", fix);
}

void ld__lint_pending(ld__lint_t *cx)
{
    size_t i, n;
    const char *names[512];

    if (!cx->npending)
        return;
    n = var_names(cx->r, names, 512);
    for (i = 0; i < cx->npending; i++)
        if (!ld__strset_has(&cx->extracted, cx->pending[i].name,
                            strlen(cx->pending[i].name)))
            undefined(cx, &cx->pending[i], names, n);
}

/* Note a finding on CSV source name[0, len) that an earlier part of the
   document may make void (split.c). */
static void open_csv(ld__lint_t *cx, const ld_lint_finding_t *f,
                     const char *name, size_t len)
{
    ld__open_csv_t *o;

    if (!f || !cx->later || cx->cleared)
        return;
    if (ld_grow((void **)&cx->open_csv, &cx->open_csv_cap, cx->nopen_csv + 1,
                sizeof(*cx->open_csv))) {
        cx->oom = LD_ENOMEM;
        return;
    }
    o = &cx->open_csv[cx->nopen_csv];
    o->item = (size_t)(f - cx->r->items);
    if (!(o->name = ld_strndup(name, len))) {
        cx->oom = LD_ENOMEM;
        return;
    }
    cx->nopen_csv++;
}

static void trim(const char **s, size_t *len)
{
    while (*len && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

static void placeholder(ld__lint_t *cx, const ld_placeholder_t *ph,
                        const ld_pos_t *p, const ld_pos_t *e)
{
    const char *arg = ph->arg, *dot;
    size_t len = ph->arg_len;

    switch (ph->kind) {
    case LD_PH_VAR:
        trim(&arg, &len);
        if (!ld__strset_has(&cx->vars, arg, len))
            pending(cx, arg, len, p, e);
        break;
    case LD_PH_CSV:
        trim(&arg, &len);
        dot = memchr(arg, '.', len);
        len = dot ? (size_t)(dot - arg) : len;
        if (!ld__strset_has(&cx->csv, arg, len))
            open_csv(cx,
                     ld__lint_add(cx, LD_RULE_UNDEFINED_CSV_SOURCE, p, e,
                                  "CSV source \"%.*s\" is not registered "
                                  "before this use",
                                  (int)len, arg),
                     arg, len);
        break;
    case LD_PH_FAKER:
    case LD_PH_DB:
        ld__lint_add(cx, LD_RULE_UNSUPPORTED_PLACEHOLDER, p, e,
                     "${%s.*} placeholders are not resolved by this build "
                     "yet; the text stays as written",
                     ph->kind == LD_PH_FAKER ? "faker" : "db");
        break;
    case LD_PH_UNKNOWN:
        ld__lint_add(cx, LD_RULE_UNKNOWN_PLACEHOLDER, p, e,
                     "unknown placeholder: expected ${var.NAME}, "
                     "${env.NAME}, ${csv.SOURCE.COLUMN}, ${uuid()}, "
                     "${now()} or ${randint(a,b)}; it stays as written");
        break;
    default:
        break;
    }
}

static void scan(ld__lint_t *cx, const char *s, size_t len, const ld_pos_t *pos,
                 const ld_pos_t *end)
{
    ld_placeholder_t ph;
    size_t from = 0;

    if (!memchr(s, '$', len))
        return;
    while (from < len && ld_placeholder_next(s, len, from, &ph)) {
        ld_pos_t p, e;

        ld__str_range(cx, pos, end, s, len, ph.start, ph.end, &p, &e);
        placeholder(cx, &ph, &p, &e);
        from = ph.end > from ? ph.end : from + 1;
    }
}

void ld__lint_dupkeys(ld__lint_t *cx, const ld_node_t *obj)
{
    ld__strset_t seen;
    size_t i, j;

    if (obj->type != LD_TOBJECT || obj->u.obj.n < 2)
        return;
    if (obj->u.obj.n <= 16) {
        for (i = 1; i < obj->u.obj.n; i++)
            for (j = 0; j < i; j++)
                if (obj->u.obj.members[i].key_len ==
                        obj->u.obj.members[j].key_len &&
                    LD__EQ(obj->u.obj.members[i].key,
                           obj->u.obj.members[j].key)) {
                    ld__lint_key(cx, LD_RULE_DUPLICATE_KEY,
                                 &obj->u.obj.members[i],
                                 "duplicate key \"%s\": this value replaces "
                                 "the earlier one",
                                 obj->u.obj.members[i].key);
                    break;
                }
        return;
    }
    memset(&seen, 0, sizeof(seen));
    for (i = 0; i < obj->u.obj.n && !cx->oom; i++) {
        const ld_member_t *m = &obj->u.obj.members[i];

        if (ld__strset_has(&seen, m->key, strlen(m->key)))
            ld__lint_key(cx, LD_RULE_DUPLICATE_KEY, m,
                         "duplicate key \"%s\": this value replaces the "
                         "earlier one",
                         m->key);
        else if (ld__strset_add(&seen, m->key, strlen(m->key)))
            cx->oom = LD_ENOMEM;
    }
    ld__strset_free(&seen);
}

void ld__lint_strings(ld__lint_t *cx, const ld_node_t *v)
{
    size_t i;

    switch (v->type) {
    case LD_TSTRING:
        scan(cx, v->u.str.s, v->u.str.len, &v->pos, &v->end);
        break;
    case LD_TARRAY:
        for (i = 0; i < v->u.arr.n && !cx->oom; i++) {
            size_t saved = ld__loc_index(cx, i);

            ld__lint_strings(cx, v->u.arr.items[i]);
            ld__loc_pop(cx, saved);
        }
        break;
    case LD_TOBJECT:
        ld__lint_dupkeys(cx, v);
        for (i = 0; i < v->u.obj.n && !cx->oom; i++) {
            const ld_member_t *m = &v->u.obj.members[i];

            size_t saved = ld__loc_key(cx, m->key);

            scan(cx, m->key, m->key_len, &m->key_pos, &m->key_end);
            ld__lint_strings(cx, m->value);
            ld__loc_pop(cx, saved);
        }
        break;
    default:
        break;
    }
}

/* ---- URLs ---- */

static bool bad_char(unsigned char c)
{
    return c <= 0x20 || c == 0x7f;
}

/* The first space or control character outside placeholders, or len. */
static size_t first_bad(const char *s, size_t len)
{
    ld_placeholder_t ph;
    size_t i = 0, stop;

    while (i < len) {
        bool more = ld_placeholder_next(s, len, i, &ph);

        stop = more ? ph.start : len;
        for (; i < stop; i++)
            if (bad_char((unsigned char)s[i]))
                return i;
        if (!more)
            break;
        i = ph.end;
    }
    return len;
}

void ld__lint_url(ld__lint_t *cx, const ld_node_t *u)
{
    const char *s = u->u.str.s, *sep;
    size_t len = u->u.str.len, lit, bad;
    ld_placeholder_t ph;
    bool has_ph = ld_placeholder_next(s, len, 0, &ph);

    lit = has_ph ? ph.start : len; /* literal prefix */
    if (len == 0) {
        ld__lint_node(cx, LD_RULE_MALFORMED_URL, u, "the request URL is empty");
        return;
    }
    if ((bad = first_bad(s, len)) < len) {
        ld_pos_t p, e;

        ld__str_range(cx, &u->pos, &u->end, s, len, bad, bad + 1, &p, &e);
        ld__lint_add(cx, LD_RULE_MALFORMED_URL, &p, &e,
                     "the request URL contains %s (encode it as %%%02X)",
                     s[bad] == ' ' ? "a space" : "a control character",
                     (unsigned char)s[bad]);
        return;
    }
    sep = lit >= 3 ? memmem(s, lit, "://", 3) : NULL;
    if (sep) {
        size_t sl = (size_t)(sep - s), after = sl + 3;

        if (!((sl == 4 && !strncasecmp(s, "http", 4)) ||
              (sl == 5 && !strncasecmp(s, "https", 5)))) {
            ld__lint_node(cx, LD_RULE_MALFORMED_URL, u,
                          "unsupported URL scheme \"%.*s\" (expected http or "
                          "https)",
                          (int)sl, s);
            return;
        }
        if (after >= len || (after < lit && strchr("/?#", s[after]))) {
            ld__lint_node(cx, LD_RULE_MALFORMED_URL, u,
                          "the request URL has no host after \"%.*s\"",
                          (int)after, s);
            return;
        }
    }
    if (!has_ph && sep)
        ld__lint_node(cx, LD_RULE_HARDCODED_URL, u,
                      "hard-coded URL; a ${var.base} variable makes the "
                      "document reusable across environments");
}
