/*
 * resolve.c - resolving whole values (a document node or a jansson value):
 * every string and object key is expanded; a string that is exactly one
 * ${var.X} of a non-string variable becomes a copy of that value. Without
 * a scope the whole call is one pass (one CSV row per source), as Python's
 * resolve() is.
 */
#include <string.h>

#include "params/params_int.h"

typedef struct rctx {
    ld_params_t *p;
    ld_scope_t *scope;
    ld__pass_t *pass;
    ld_buf_t tmp;       /* expansion of the current string */
    ld_buf_t fix;       /* its UTF-8 repair, when needed */
} rctx_t;

/* The non-string variable that s consists of exactly, or NULL. */
static const json_t *whole_var(const rctx_t *c, const char *s, size_t len)
{
    ld_placeholder_t ph;
    const json_t *v;

    if (!ld_placeholder_next(s, len, 0, &ph) || ph.start != 0 ||
        ph.end != len || ph.kind != LD_PH_VAR)
        return NULL;
    v = ld__var_lookup(c->p, c->scope, ph.arg, ph.arg_len);
    if (!v || json_is_null(v) || json_is_string(v))
        return NULL;
    return v;
}

/* Expand s into c->tmp; out and out_len give valid UTF-8 (tmp or fix). */
static int expand_utf8(rctx_t *c, const char *s, size_t len,
                       const char **out, size_t *out_len)
{
    int rc;

    ld_buf_reset(&c->tmp);
    rc = ld__expand(c->p, c->scope, c->pass, s, len, &c->tmp);
    if (rc)
        return rc;
    *out = c->tmp.data ? c->tmp.data : "";
    *out_len = c->tmp.len;
    if (ld__utf8_valid(*out, *out_len))
        return 0;
    ld_buf_reset(&c->fix);
    rc = ld__utf8_lossy(*out, *out_len, &c->fix);
    if (rc)
        return rc;
    *out = c->fix.data ? c->fix.data : "";
    *out_len = c->fix.len;
    return 0;
}

static json_t *resolve_string(rctx_t *c, const char *s, size_t len)
{
    const json_t *v = whole_var(c, s, len);
    const char *e;
    size_t elen;

    if (v)
        return json_deep_copy(v);
    if (expand_utf8(c, s, len, &e, &elen))
        return NULL;
    return json_stringn_nocheck(e, elen);
}

/* Add key (expanded) -> val to obj; val is consumed. */
static int add_member(rctx_t *c, json_t *obj, const char *key, size_t klen,
                      json_t *val)
{
    const char *e;
    size_t elen;

    if (!val)
        return LD_ENOMEM;
    if (expand_utf8(c, key, klen, &e, &elen)) {
        json_decref(val);
        return LD_ENOMEM;
    }
    /* duplicate keys: the last one wins, as in a Python dict */
    return json_object_setn_new_nocheck(obj, e, elen, val) ? LD_ENOMEM : 0;
}

static json_t *node_value(rctx_t *c, const ld_node_t *n);

static json_t *node_object(rctx_t *c, const ld_node_t *n)
{
    json_t *obj = json_object();
    size_t i;

    for (i = 0; obj && i < n->u.obj.n; i++) {
        const ld_member_t *m = &n->u.obj.members[i];

        if (add_member(c, obj, m->key, m->key_len, node_value(c, m->value))) {
            json_decref(obj);
            obj = NULL;
        }
    }
    return obj;
}

static json_t *node_array(rctx_t *c, const ld_node_t *n)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr && i < n->u.arr.n; i++) {
        if (json_array_append_new(arr, node_value(c, n->u.arr.items[i]))) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

static json_t *node_value(rctx_t *c, const ld_node_t *n)
{
    if (!n)
        return json_null();
    switch (n->type) {
    case LD_TBOOL:
        return json_boolean(n->u.b);
    case LD_TINT:
        return json_integer((json_int_t)n->u.i);
    case LD_TREAL:
        return json_real(n->u.d);
    case LD_TSTRING:
        return resolve_string(c, n->u.str.s ? n->u.str.s : "", n->u.str.len);
    case LD_TARRAY:
        return node_array(c, n);
    case LD_TOBJECT:
        return node_object(c, n);
    case LD_TNULL:
    default:
        return json_null();
    }
}

static json_t *json_value(rctx_t *c, const json_t *v);

static json_t *json_object_value(rctx_t *c, const json_t *v)
{
    json_t *obj = json_object();
    const char *key;
    size_t klen;
    json_t *item;

    json_object_keylen_foreach((json_t *)(uintptr_t)v, key, klen, item) {
        if (!obj)
            break;
        if (add_member(c, obj, key, klen, json_value(c, item))) {
            json_decref(obj);
            obj = NULL;
        }
    }
    return obj;
}

static json_t *json_array_value(rctx_t *c, const json_t *v)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr && i < json_array_size(v); i++) {
        if (json_array_append_new(arr, json_value(c, json_array_get(v, i)))) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

static json_t *json_value(rctx_t *c, const json_t *v)
{
    if (!v)
        return json_null();
    switch (json_typeof(v)) {
    case JSON_STRING:
        return resolve_string(c, json_string_value(v), json_string_length(v));
    case JSON_ARRAY:
        return json_array_value(c, v);
    case JSON_OBJECT:
        return json_object_value(c, v);
    default:
        return json_deep_copy(v);
    }
}

static void ctx_init(rctx_t *c, ld_params_t *p, ld_scope_t *scope,
                     ld__pass_t *local)
{
    c->p = p;
    c->scope = scope;
    c->pass = ld__scope_pass(scope, local);
    ld_buf_init(&c->tmp, 0);
    ld_buf_init(&c->fix, 0);
}

static void ctx_done(rctx_t *c, ld__pass_t *local)
{
    ld_buf_free(&c->tmp);
    ld_buf_free(&c->fix);
    ld__pass_free(local);
}

json_t *ld_params_resolve_node(ld_params_t *p, ld_scope_t *scope,
                               const ld_node_t *n)
{
    ld__pass_t local;
    rctx_t c;
    json_t *out;

    ld__pass_init(&local);
    ctx_init(&c, p, scope, &local);
    out = node_value(&c, n);
    ctx_done(&c, &local);
    return out;
}

json_t *ld_params_resolve_json(ld_params_t *p, ld_scope_t *scope,
                               const json_t *v)
{
    ld__pass_t local;
    rctx_t c;
    json_t *out;

    ld__pass_init(&local);
    ctx_init(&c, p, scope, &local);
    out = json_value(&c, v);
    ctx_done(&c, &local);
    return out;
}
