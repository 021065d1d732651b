/*
 * params.c - the parameter resolver: global variables and CSV sources,
 * per-virtual-user scopes, passes, and placeholder expansion.
 *
 * Behaviour follows the Python tool's ParameterResolver
 * (je_load_density/utils/parameterization/parameter_resolver.py):
 *   - a placeholder is "${" + one or more characters other than "}" + "}";
 *     the first "}" closes it, so "${a${b}}" is the placeholder "${a${b}"
 *     (unknown, left in place) followed by "}". Nothing is expanded twice.
 *   - the content is stripped of surrounding whitespace: "${ var.x }" works.
 *   - NAME(ARGS) is a function call; uuid, now and randint are known, names
 *     are case-insensitive; any other call is left in place.
 *   - a content without a dot is a variable: "${base}" == "${var.base}".
 *   - otherwise PREFIX.REST with a case-insensitive prefix; REST is taken
 *     verbatim (so "${var.a.b}" names the variable "a.b", and
 *     "${csv.S.COL}" splits at the first dot after S).
 *   - a variable holding null, a missing env var, an unknown CSV source or
 *     column, an exhausted non-cycling source: left in place, verbatim.
 *   - the CSV row of a source is drawn once per pass (Python: once per
 *     resolve() call); separate passes take successive rows.
 *
 * Deliberate differences from the Python tool:
 *   - non-string values are written as compact JSON (true, {"a":1}) where
 *     Python writes str(value) (True, {'a': 1}); reals use the shortest text
 *     that round-trips.
 *   - randint with bad arguments (not two integers, low > high, outside
 *     int64) is left in place; Python raises and aborts the resolve.
 *   - object keys are expanded too (Python expands values only).
 *   - a string that is exactly one ${var.X} of a non-string variable keeps
 *     the variable's JSON type in ld_params_resolve_node/_json.
 *   - ${faker.*} and ${db.*} are recognised but not resolved yet;
 *     ${session.*} (a late addition to the Python tool) is not recognised:
 *     per-user values live in ld_scope_t and are read through ${var.*}.
 *   - CSV: a UTF-8 BOM is skipped (Python keeps it in the first column's
 *     name); text after a closing quote is an error with its line and
 *     column (Python glues it on); see csv.c.
 *   - CSV cursors are lock-free atomics rather than one lock per source.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params/params_int.h"

struct ld_params {
    json_t *vars;               /* object: name -> value (our own copies) */
    ld__csv_src_t **srcs;
    size_t nsrcs, capsrcs;
    uint64_t next_src_id;
};

struct ld_scope {
    ld_params_t *global;
    json_t *vars;
    ld__pass_t pass;
};

/* ---- global params ---- */

ld_params_t *ld_params_new(void)
{
    ld_params_t *p = calloc(1, sizeof(*p));

    if (!p)
        return NULL;
    p->vars = json_object();
    if (!p->vars) {
        free(p);
        return NULL;
    }
    p->next_src_id = 1;
    return p;
}

static void drop_sources(ld_params_t *p)
{
    size_t i;

    for (i = 0; i < p->nsrcs; i++)
        ld__csv_free(p->srcs[i]);
    free(p->srcs);
    p->srcs = NULL;
    p->nsrcs = p->capsrcs = 0;
}

void ld_params_free(ld_params_t *p)
{
    if (!p)
        return;
    drop_sources(p);
    json_decref(p->vars);
    free(p);
}

void ld_params_clear(ld_params_t *p)
{
    if (!p)
        return;
    drop_sources(p);
    json_object_clear(p->vars);
}

static int set_var_new(json_t *obj, const char *name, json_t *v)
{
    if (!v)
        return LD_ENOMEM;
    /* set_new takes the reference even when it fails */
    return json_object_set_new(obj, name, v) ? LD_ENOMEM : 0;
}

int ld_params_set_var(ld_params_t *p, const char *name, const json_t *value)
{
    if (!p || !name || !*name || !ld__utf8_valid(name, strlen(name)))
        return LD_EINVAL;
    /* a deep copy: later changes by the caller never reach running users */
    return set_var_new(p->vars, name,
                       value ? json_deep_copy(value) : json_null());
}

int ld_params_set_var_str(ld_params_t *p, const char *name, const char *value)
{
    if (!p || !name || !*name || !ld__utf8_valid(name, strlen(name)))
        return LD_EINVAL;
    if (!value)
        return set_var_new(p->vars, name, json_null());
    return set_var_new(p->vars, name, ld__json_string(value, strlen(value)));
}

const json_t *ld_params_get_var(const ld_params_t *p, const char *name)
{
    if (!p || !name)
        return NULL;
    return json_object_get(p->vars, name);
}

json_t *ld_params_var_names(const ld_params_t *p)
{
    json_t *arr = json_array();
    const char *key;
    size_t klen;
    json_t *v;

    if (!arr || !p)
        return arr;
    json_object_keylen_foreach(p->vars, key, klen, v) {
        if (json_array_append_new(arr, json_stringn_nocheck(key, klen))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* ---- CSV sources ---- */

static ld__csv_src_t *find_src(const ld_params_t *p, const char *name,
                               size_t len)
{
    size_t i;

    for (i = 0; i < p->nsrcs; i++)
        if (strlen(p->srcs[i]->name) == len &&
            memcmp(p->srcs[i]->name, name, len) == 0)
            return p->srcs[i];
    return NULL;
}

static int install_src(ld_params_t *p, ld__csv_src_t *s)
{
    size_t i;

    for (i = 0; i < p->nsrcs; i++) {
        if (strcmp(p->srcs[i]->name, s->name) == 0) {
            ld__csv_free(p->srcs[i]);      /* re-registering replaces */
            p->srcs[i] = s;
            return 0;
        }
    }
    if (p->nsrcs == p->capsrcs) {
        size_t cap = p->capsrcs ? p->capsrcs * 2 : 4;
        ld__csv_src_t **v = realloc(p->srcs, cap * sizeof(ld__csv_src_t *));

        if (!v)
            return LD_ENOMEM;
        p->srcs = v;
        p->capsrcs = cap;
    }
    p->srcs[p->nsrcs++] = s;
    return 0;
}

static int check_src_name(const char *name, const char *origin, ld_diag_t *d)
{
    if (!name || !*name)
        return ld_diag_set(d, LD_EINVAL, origin, NULL,
                           "CSV source needs a non-empty name");
    if (strpbrk(name, ".}"))
        return ld_diag_set(d, LD_EINVAL, origin, NULL,
                           "CSV source name '%s' must not contain '.' or '}' "
                           "(it could never be referenced as "
                           "${csv.SOURCE.COLUMN})", name);
    return 0;
}

int ld_params_add_csv_text(ld_params_t *p, const char *name, const char *text,
                           size_t len, bool cycle, const char *origin,
                           ld_diag_t *d)
{
    ld__csv_src_t *s = NULL;
    int rc;

    if (!p)
        return ld_diag_set(d, LD_EINVAL, origin, NULL, "no params");
    rc = check_src_name(name, origin, d);
    if (rc)
        return rc;
    rc = ld__csv_parse(text, len, origin, name, cycle, &s, d);
    if (rc)
        return rc;
    s->id = p->next_src_id++;
    rc = install_src(p, s);
    if (rc) {
        ld__csv_free(s);
        return ld_diag_set(d, rc, origin, NULL, "out of memory");
    }
    return 0;
}

int ld_params_add_csv(ld_params_t *p, const char *name, const char *path,
                      bool cycle, ld_diag_t *d)
{
    char *text = NULL;
    size_t len = 0;
    int rc;

    if (!path)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "CSV source '%s' needs a file path",
                           name ? name : "");
    rc = check_src_name(name, path, d);
    if (rc)
        return rc;
    rc = ld_read_file(path, &text, &len, d);
    if (rc)
        return rc;
    rc = ld_params_add_csv_text(p, name, text, len, cycle, path, d);
    free(text);
    return rc;
}

bool ld_params_has_csv(const ld_params_t *p, const char *name)
{
    return p && name && find_src(p, name, strlen(name)) != NULL;
}

json_t *ld_params_csv_columns(const ld_params_t *p, const char *name)
{
    const ld__csv_src_t *s = p && name ? find_src(p, name, strlen(name)) : NULL;
    json_t *arr;
    size_t i, n;

    if (!s)
        return NULL;
    arr = json_array();
    n = s->nrec ? s->rec_first[1] - s->rec_first[0] : 0;
    for (i = 0; arr && i < n; i++) {
        const ld__field_t *f = &s->fields[i];

        if (json_array_append_new(arr, ld__json_string(s->arena + f->off,
                                                       f->len))) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

size_t ld_params_csv_rows(const ld_params_t *p, const char *name)
{
    const ld__csv_src_t *s = p && name ? find_src(p, name, strlen(name)) : NULL;

    return s ? ld__csv_nrows(s) : 0;
}

/* ---- passes ---- */

void ld__pass_init(ld__pass_t *ps)
{
    ps->heap = NULL;
    ps->n = 0;
    ps->cap = 0;
}

void ld__pass_reset(ld__pass_t *ps)
{
    ps->n = 0;
}

void ld__pass_free(ld__pass_t *ps)
{
    free(ps->heap);
    ld__pass_init(ps);
}

static ld__pick_t *pass_items(ld__pass_t *ps)
{
    return ps->cap ? ps->heap : ps->inl;
}

static int pass_push(ld__pass_t *ps, ld__pick_t pick)
{
    if (!ps->cap && ps->n < LD__PASS_INLINE) {
        ps->inl[ps->n++] = pick;
        return 0;
    }
    if (!ps->cap || ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : (size_t)LD__PASS_INLINE * 4;
        ld__pick_t *v = realloc(ps->heap, cap * sizeof(*v));

        if (!v)
            return LD_ENOMEM;
        if (!ps->cap)
            memcpy(v, ps->inl, ps->n * sizeof(*v));
        ps->heap = v;
        ps->cap = cap;
    }
    ps->heap[ps->n++] = pick;
    return 0;
}

/* The row of src for this pass, drawn from the shared cursor on first use. */
static int pass_row(ld__pass_t *ps, ld__csv_src_t *src, int64_t *row)
{
    ld__pick_t *items = pass_items(ps);
    ld__pick_t pick;
    size_t i;
    int rc;

    for (i = 0; i < ps->n; i++) {
        if (items[i].src_id == src->id) {
            *row = items[i].row;
            return 0;
        }
    }
    pick.src_id = src->id;
    pick.row = ld__csv_draw(src);
    rc = pass_push(ps, pick);
    if (rc)
        return rc;
    *row = pick.row;
    return 0;
}

/* ---- scopes ---- */

ld_scope_t *ld_scope_new(ld_params_t *global)
{
    ld_scope_t *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    s->vars = json_object();
    if (!s->vars) {
        free(s);
        return NULL;
    }
    s->global = global;
    ld__pass_init(&s->pass);
    return s;
}

void ld_scope_free(ld_scope_t *s)
{
    if (!s)
        return;
    json_decref(s->vars);
    ld__pass_free(&s->pass);
    free(s);
}

int ld_scope_set(ld_scope_t *s, const char *name, const json_t *value)
{
    if (!s || !name || !*name || !ld__utf8_valid(name, strlen(name)))
        return LD_EINVAL;
    return set_var_new(s->vars, name,
                       value ? json_deep_copy(value) : json_null());
}

int ld_scope_set_str(ld_scope_t *s, const char *name, const char *value,
                     size_t len)
{
    if (!s || !name || !*name || !ld__utf8_valid(name, strlen(name)))
        return LD_EINVAL;
    if (!value)
        return set_var_new(s->vars, name, json_null());
    return set_var_new(s->vars, name, ld__json_string(value, len));
}

const json_t *ld_scope_get(const ld_scope_t *s, const char *name)
{
    const json_t *v;

    if (!s || !name)
        return NULL;
    v = json_object_get(s->vars, name);
    return v ? v : ld_params_get_var(s->global, name);
}

void ld_scope_begin_pass(ld_scope_t *s)
{
    if (s)
        ld__pass_reset(&s->pass);
}

ld__pass_t *ld__scope_pass(ld_scope_t *scope, ld__pass_t *fallback)
{
    return scope ? &scope->pass : fallback;
}

const json_t *ld__var_lookup(const ld_params_t *p, const ld_scope_t *scope,
                             const char *name, size_t len)
{
    const json_t *v = NULL;

    if (scope)
        v = json_object_getn(scope->vars, name, len);
    if (!v && p)
        v = json_object_getn(p->vars, name, len);
    return v;
}

/* ---- evaluation ---- */

static int eval_env(const ld__ph_t *spec, ld_buf_t *out)
{
    char small[256];
    char *name = small;
    const char *v;
    int rc = 0;

    if (!spec->alen || memchr(spec->a, '\0', spec->alen))
        return 0;
    if (spec->a[spec->alen] == '\0') {
        name = (char *)(uintptr_t)spec->a;  /* already terminated (templates) */
    } else if (spec->alen < sizeof(small)) {
        memcpy(small, spec->a, spec->alen);
        small[spec->alen] = '\0';
    } else if (!(name = ld_strndup(spec->a, spec->alen))) {
        return LD_ENOMEM;
    }
    v = getenv(name);
    if (v)
        rc = ld_buf_adds(out, v);
    if (name != small && name != spec->a)
        free(name);
    return rc ? rc : v != NULL;
}

static int eval_csv(ld_params_t *p, ld__pass_t *pass, const ld__ph_t *spec,
                    ld_buf_t *out)
{
    ld__csv_src_t *src = p ? find_src(p, spec->a, spec->alen) : NULL;
    int64_t row;
    const char *val;
    size_t len;
    int rc;

    if (!src)
        return 0;
    rc = pass_row(pass, src, &row);
    if (rc)
        return rc;
    if (row < 0 ||
        !ld__csv_field(src, row, ld__csv_col(src, spec->b, spec->blen), &val,
                       &len))
        return 0;
    rc = ld_buf_add(out, val, len);
    return rc ? rc : 1;
}

static int eval_func(const ld__ph_t *spec, ld_buf_t *out)
{
    char tmp[40];
    int64_t v;
    int rc;

    switch (spec->kind) {
    case LD_PH_UUID:
        if (!ld__uuid4(tmp))
            return 0;
        break;
    case LD_PH_NOW:
        ld__now_iso(tmp);
        break;
    case LD_PH_RANDINT:
        if (!ld__randint(spec->lo, spec->hi, &v))
            return 0;
        snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
        break;
    default:
        return 0;
    }
    rc = ld_buf_adds(out, tmp);
    return rc ? rc : 1;
}

int ld__ph_eval(ld_params_t *p, ld_scope_t *scope, ld__pass_t *pass,
                const ld__ph_t *spec, ld_buf_t *out)
{
    const json_t *v;
    int rc;

    if (!spec->resolvable)
        return 0;
    switch (spec->kind) {
    case LD_PH_VAR:
        v = ld__var_lookup(p, scope, spec->a, spec->alen);
        if (!v || json_is_null(v))
            return 0;
        rc = ld__write_value(v, out);
        return rc ? rc : 1;
    case LD_PH_ENV:
        return eval_env(spec, out);
    case LD_PH_CSV:
        return eval_csv(p, pass, spec, out);
    case LD_PH_UUID:
    case LD_PH_NOW:
    case LD_PH_RANDINT:
        return eval_func(spec, out);
    default:
        return 0;
    }
}

int ld__expand(ld_params_t *p, ld_scope_t *scope, ld__pass_t *pass,
               const char *in, size_t len, ld_buf_t *out)
{
    ld_placeholder_t ph;
    ld__ph_t spec;
    size_t at = 0;
    int rc = 0;

    while (!rc && ld_placeholder_next(in, len, at, &ph)) {
        rc = ld_buf_add(out, in + at, ph.start - at);
        if (rc)
            break;
        ld__ph_spec(&ph, &spec);
        rc = ld__ph_eval(p, scope, pass, &spec, out);
        if (rc == 0)
            rc = ld_buf_add(out, in + ph.start, ph.end - ph.start);
        else if (rc == 1)
            rc = 0;
        at = ph.end;
    }
    if (!rc)
        rc = ld_buf_add(out, in + at, len - at);
    return rc;
}

int ld_params_expand(ld_params_t *p, ld_scope_t *scope, const char *in,
                     size_t len, ld_buf_t *out)
{
    ld__pass_t local;
    int rc;

    if (!out || (!in && len))
        return LD_EINVAL;
    ld__pass_init(&local);
    rc = ld__expand(p, scope, ld__scope_pass(scope, &local), in ? in : "",
                    len, out);
    ld__pass_free(&local);
    return rc;
}
