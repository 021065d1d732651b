/*
 * values.c - typed values, enums and the structured values described in
 * shapes.c (assertions, extractors, throttle, SLA rules, ...), and the user
 * template of a test.
 */
#include "lint/lint_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>


bool ld__enum_has(const char *const *vals, const char *s, bool ci)
{
    size_t i;

    for (i = 0; vals && vals[i]; i++)
        if (ci ? !strcasecmp(vals[i], s) : LD__EQ(vals[i], s))
            return true;
    return false;
}

bool ld__enum_ci(const char *enum_name)
{
    static const char *const ci[] = {"method",    "mode",      "assertion",
                                     "extractor", "predicate", NULL};

    return enum_name && ld__enum_has(ci, enum_name, false);
}

static size_t enum_count(const char *const *vals)
{
    size_t n = 0;

    while (vals && vals[n])
        n++;
    return n;
}

static void label(const ld__label_t *l, char *buf, size_t size)
{
    snprintf(buf, size, l->fmt, l->a ? l->a : "", l->b ? l->b : "");
}

void ld__lint_bad_enum(ld__lint_t *cx, const ld_node_t *v,
                       const char *const *vals, const ld__label_t *wl)
{
    char list[400], what[200];
    size_t i, n = 0;
    const char *sug = ld_suggest(v->u.str.s, vals, enum_count(vals));
    ld_lint_finding_t *f;

    label(wl, what, sizeof(what));
    list[0] = '\0';
    for (i = 0; vals[i] && n < sizeof(list); i++)
        n += (size_t)snprintf(list + n, sizeof(list) - n, "%s\"%s\"",
                              i ? ", " : "", vals[i]);
    if (sug)
        f = ld__lint_node(cx, LD_RULE_INVALID_ENUM, v,
                          "%s must be one of %s, got \"%s\" (did you mean "
                          "\"%s\"?)",
                          what, list, v->u.str.s, sug);
    else
        f = ld__lint_node(cx, LD_RULE_INVALID_ENUM, v,
                          "%s must be one of %s, got \"%s\"", what, list,
                          v->u.str.s);
    if (sug)
        ld__lint_fix_string(cx, f, &v->pos, &v->end, sug);
}

bool ld__lint_typed(ld__lint_t *cx, const ld_node_t *v, unsigned types,
                    const char *const *vals, bool ci, const ld__label_t *wl)
{
    char want[96], got[96], what[200];

    if (!ld_type_fits(v, types)) {
        label(wl, what, sizeof(what));
        ld_value_describe(v, got, sizeof(got));
        ld__lint_node(cx, LD_RULE_WRONG_TYPE, v, "%s must be %s, got %s", what,
                      ld_mask_text(types, want, sizeof(want)), got);
        return false;
    }
    if (vals && v->type == LD_TSTRING && !ld__enum_has(vals, v->u.str.s, ci)) {
        ld__lint_bad_enum(cx, v, vals, wl);
        return false;
    }
    return true;
}

/* ---- the user template ---- */

void ld__lint_user(ld__lint_t *cx, const ld_node_t *udd)
{
    const ld_node_t *u = ld__get(udd, "user");
    char avail[256];

    /* a name outside the table is an invalid-enum error of the shape */
    if (!u || u->type != LD_TSTRING || !ld_registry_user(u->u.str.s) ||
        ld_registry_user_available(u->u.str.s))
        return;
    cx->http = false; /* its tasks have other fields */
    ld__lint_node(cx, LD_RULE_NOT_AVAILABLE, u,
                  "user template \"%s\" is not supported by this build yet "
                  "(available: %s)",
                  u->u.str.s,
                  ld_registry_users_available(avail, sizeof(avail)));
}

/* ---- shapes ---- */

static const char *const *key_names(const ld_shape_t *s, const char **buf,
                                    size_t cap)
{
    size_t i;

    for (i = 0; i < s->nkeys && i + 1 < cap; i++)
        buf[i] = s->keys[i].name;
    buf[i] = NULL;
    return buf;
}

static void unknown_key(ld__lint_t *cx, const ld_shape_t *s,
                        const ld_member_t *m)
{
    const char *names[32];
    const char *sug = ld_suggest(m->key, key_names(s, names, 32), s->nkeys);
    ld_lint_finding_t *f;

    if (sug) {
        f = ld__lint_key(cx, LD_RULE_UNKNOWN_KEY, m,
                         "unknown key \"%s\" is ignored (did you mean "
                         "\"%s\"?)",
                         m->key, sug);
        ld__lint_fix_string(cx, f, &m->key_pos, &m->key_end, sug);
    } else {
        ld__lint_key(cx, LD_RULE_UNKNOWN_KEY, m,
                     "unknown key \"%s\" is ignored", m->key);
    }
}

static void need_key(ld__lint_t *cx, const ld_node_t *obj, const char *key,
                     const char *why, unsigned types)
{
    ld_lint_finding_t *f;

    if (ld__present(obj, key))
        return;
    f = ld__lint_node(cx, LD_RULE_MISSING_FIELD, obj, "missing \"%s\"%s%s", key,
                      why ? " " : "", why ? why : "");
    ld__lint_fix_insert_key(cx, f, obj, key,
                            ld_registry_placeholder(types, NULL));
}

static void sla_metric(ld__lint_t *cx, const ld_node_t *v)
{
    const char *const *vals = ld_registry_enum("sla_metric");
    const char *sug;
    ld_lint_finding_t *f;

    if (v->type != LD_TSTRING || ld__enum_has(vals, v->u.str.s, false))
        return;
    sug = ld_suggest(v->u.str.s, vals, enum_count(vals));
    f = ld__lint_node(cx, LD_RULE_UNKNOWN_SLA_METRIC, v,
                      "unknown SLA metric \"%s\"%s%s%s", v->u.str.s,
                      sug ? " (did you mean \""
                          : " (expected latency_p50, "
                            "latency_p90, latency_p95, "
                            "latency_p99, latency_mean, "
                            "failure_rate or requests)",
                      sug ? sug : "", sug ? "\"?)" : "");
    if (sug)
        ld__lint_fix_string(cx, f, &v->pos, &v->end, sug);
}

static void key_value(ld__lint_t *cx, const ld_shape_t *s,
                      const ld_shape_key_t *k, const ld_node_t *v)
{
    const char *const *vals =
        k->enum_name ? ld_registry_enum(k->enum_name) : NULL;
    const ld_shape_t *sub;
    ld__label_t what = {"\"%s\"%s", k->name, NULL};

    if (k->enum_name && LD__EQ(k->enum_name, "sla_metric")) {
        if (ld__lint_typed(cx, v, k->types, NULL, false, &what))
            sla_metric(cx, v);
        return;
    }
    if (!ld__lint_typed(cx, v, k->types, vals, ld__enum_ci(k->enum_name),
                        &what))
        return;
    sub = k->shape ? ld_shape_find(k->shape) : NULL;
    if (sub && (sub->list ? v->type == LD_TARRAY : v->type == LD_TOBJECT))
        ld__lint_shape(cx, sub, v);
    (void)s;
}

/* Keys that only some kinds need: json_path needs "path", header "name". */
static void conditional_keys(ld__lint_t *cx, const ld_shape_t *s,
                             const ld_node_t *obj)
{
    const char *kind;
    bool is_assert = LD__EQ(s->name, "assertions");

    if (!is_assert && !LD__EQ(s->name, "extract"))
        return;
    kind = ld_node_str(ld__present(obj, is_assert ? "type" : "from"));
    if (!kind && is_assert)
        return;
    if (!kind || !strcasecmp(kind, "json_path"))
        need_key(cx, obj, "path", "(json_path reads a dotted path)",
                 LD_J_STRING);
    else if (!strcasecmp(kind, "header"))
        need_key(cx, obj, "name", "(the header to read)", LD_J_STRING);
}

static void extracted(ld__lint_t *cx, const ld_node_t *obj)
{
    const ld_node_t *v = ld__present(obj, "var");

    if (!v || v->type != LD_TSTRING || !v->u.str.len)
        return;
    ld__strset_add(&cx->extracted, v->u.str.s, v->u.str.len);
    ld__lint_def(cx, LD_DEF_EXTRACT, v->u.str.s, v->u.str.len, NULL, &v->pos,
                 &v->end);
}

static void shape_obj(ld__lint_t *cx, const ld_shape_t *s, const ld_node_t *obj)
{
    size_t i, saved;

    for (i = 0; i < obj->u.obj.n; i++) {
        const ld_member_t *m = &obj->u.obj.members[i];
        const ld_shape_key_t *k = ld_shape_key(s, m->key);

        if (!k) {
            if (!s->open)
                unknown_key(cx, s, m);
            continue;
        }
        if (m->value->type == LD_TNULL && !(k->types & LD_J_NULL))
            continue;
        saved = ld__loc_key(cx, m->key);
        key_value(cx, s, k, m->value);
        ld__loc_pop(cx, saved);
    }
    for (i = 0; i < s->nkeys; i++)
        if (s->keys[i].required)
            need_key(cx, obj, s->keys[i].name, NULL, s->keys[i].types);
    conditional_keys(cx, s, obj);
    if (LD__EQ(s->name, "extract"))
        extracted(cx, obj);
}

void ld__lint_shape(ld__lint_t *cx, const ld_shape_t *s, const ld_node_t *v)
{
    size_t i, saved;

    if (!s->list) {
        if (v->type == LD_TOBJECT)
            shape_obj(cx, s, v);
        return;
    }
    for (i = 0; v->type == LD_TARRAY && i < v->u.arr.n; i++) {
        const ld_node_t *item = v->u.arr.items[i];

        saved = ld__loc_index(cx, i);
        if (item->type != LD_TOBJECT)
            ld__lint_node(cx, LD_RULE_WRONG_TYPE, item,
                          "each item of \"%s\" must be an object, got %s",
                          s->name, ld_type_name(item->type));
        else
            shape_obj(cx, s, item);
        ld__loc_pop(cx, saved);
    }
}

void ld__lint_predicate(ld__lint_t *cx, const ld_node_t *v, const char *what)
{
    static const char *const ops[] = {"equals", "not_equals", "in", "truthy",
                                      NULL};
    const ld_member_t *m = NULL;
    size_t i;

    if (v->type == LD_TARRAY) {
        ld__lint_node(cx, LD_RULE_WRONG_TYPE, v,
                      "%s must be a boolean, a string or an object like "
                      "{\"equals\": [a, b]}, got an array",
                      what);
        return;
    }
    if (v->type != LD_TOBJECT)
        return;
    for (i = 0; i < v->u.obj.n && !m; i++)
        if (ld__enum_has(ops, v->u.obj.members[i].key, true))
            m = &v->u.obj.members[i];
    if (!m) {
        const char *sug =
            v->u.obj.n ? ld_suggest(v->u.obj.members[0].key, ops, 4) : NULL;
        ld_lint_finding_t *f =
            ld__lint_node(cx, LD_RULE_INVALID_ENUM, v,
                          "%s needs one of \"equals\", \"not_equals\", \"in\", "
                          "\"truthy\"%s%s%s",
                          what, sug ? " (did you mean \"" : "", sug ? sug : "",
                          sug ? "\"?)" : "");

        if (sug)
            ld__lint_fix_string(cx, f, &v->u.obj.members[0].key_pos,
                                &v->u.obj.members[0].key_end, sug);
        return;
    }
    if (strcasecmp(m->key, "truthy") &&
        (m->value->type != LD_TARRAY || m->value->u.arr.n != 2))
        ld__lint_node(cx, LD_RULE_WRONG_TYPE, m->value,
                      "%s: \"%s\" takes a list of two values", what, m->key);
}
