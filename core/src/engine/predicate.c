/*
 * predicate.c - run_if / skip_if: true/false or a number, "${var.x}"
 * (truthy after expansion), {"equals": [a, b]}, {"not_equals": [a, b]},
 * {"in": [needle, haystack]}, {"truthy": v}. Operands are resolved against
 * the user's scope each time, so values extracted earlier count.
 *
 * Unlike the Python tool, which silently treats an unknown operator or a
 * malformed operand list as false, these are compile errors with a position.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/engine_int.h"

static const char *const ops[] = {"equals", "not_equals", "in", "truthy", NULL};

static int op_index(const char *key)
{
    for (int i = 0; ops[i]; i++)
        if (!strcasecmp(key, ops[i]))
            return i;
    return -1;
}

static int compile_op(ld__pred_t *p, int op, const ld_node_t *arg,
                      const char *field, const char *file, ld_diag_t *d)
{
    if (op == 3) {
        p->kind = LD__PRED_TRUTHY;
        p->a = ld_node_to_json(arg);
        return p->a ? 0
                    : ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    }
    if (arg->type != LD_TARRAY || arg->u.arr.n != 2)
        return ld__diag_node(d, LD_EINVAL, file, arg,
                             "%s: \"%s\" takes a list of two values", field,
                             ops[op]);
    p->kind = op == 0 ? LD__PRED_EQ : op == 1 ? LD__PRED_NE : LD__PRED_IN;
    p->a = ld_node_to_json(arg->u.arr.items[0]);
    p->b = ld_node_to_json(arg->u.arr.items[1]);
    if (!p->a || !p->b)
        return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    return 0;
}

int ld__pred_compile(const ld_node_t *n, const char *field, const char *file,
                     ld__pred_t **out, ld_diag_t *d)
{
    int rc = 0;
    ld__pred_t *p = calloc(1, sizeof(*p));
    *out = NULL;
    if (!p)
        return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    switch (n->type) {
    case LD_TBOOL:
    case LD_TINT:
    case LD_TREAL:
    case LD_TNULL:
        p->kind = LD__PRED_CONST;
        p->value = ld_node_truthy(n);
        break;
    case LD_TSTRING:
        p->kind = LD__PRED_STR;
        if (!(p->tmpl = ld_tmpl_compile(n->u.str.s, n->u.str.len)))
            rc = ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
        break;
    case LD_TOBJECT: {
        const ld_member_t *m = NULL;
        int op = -1;
        for (size_t i = 0; i < n->u.obj.n && op < 0; i++) {
            m = &n->u.obj.members[i];
            op = op_index(m->key);
        }
        if (op < 0) {
            rc = ld__diag_node(d, LD_EINVAL, file, n,
                               "%s needs one of \"equals\", \"not_equals\", "
                               "\"in\", \"truthy\"",
                               field);
            break;
        }
        rc = compile_op(p, op, m->value, field, file, d);
        break;
    }
    default:
        rc = ld__diag_node(d, LD_ETYPE, file, n,
                           "%s must be a boolean, a string or an object like "
                           "{\"equals\": [a, b]}",
                           field);
    }
    if (rc) {
        ld__pred_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void ld__pred_free(ld__pred_t *p)
{
    if (!p)
        return;
    ld_tmpl_free(p->tmpl);
    json_decref(p->a);
    json_decref(p->b);
    free(p);
}

static bool text_truthy(const char *s, size_t len)
{
    static const char *const no[] = {"false", "0", "no", "none", "null", NULL};
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == 0)
        return false;
    if (len >= 3 && s[0] == '$' && s[1] == '{' && s[len - 1] == '}')
        return false; /* still a placeholder: the value is unknown */
    for (int i = 0; no[i]; i++)
        if (strlen(no[i]) == len && !strncasecmp(s, no[i], len))
            return false;
    return true;
}

bool ld__truthy_json(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return text_truthy(json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        return json_integer_value(v) != 0;
    case JSON_REAL:
        return json_real_value(v) != 0.0;
    case JSON_TRUE:
        return true;
    case JSON_ARRAY:
        return json_array_size(v) > 0;
    case JSON_OBJECT:
        return json_object_size(v) > 0;
    default:
        return false;
    }
}

/* Equality as Python sees it: 1 == 1.0, otherwise same type and value. */
static bool values_equal(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b);
    return json_equal(a, b) != 0;
}

static bool contains(const json_t *needle, const json_t *hay)
{
    size_t i;
    json_t *item;
    if (json_is_array(hay)) {
        json_array_foreach(hay, i,
                           item) if (values_equal(needle, item)) return true;
        return false;
    }
    if (json_is_string(hay) && json_is_string(needle))
        return strstr(json_string_value(hay), json_string_value(needle)) !=
               NULL;
    if (json_is_object(hay) && json_is_string(needle))
        return json_object_get(hay, json_string_value(needle)) != NULL;
    return false;
}

bool ld__pred_eval(const ld__pred_t *p, ld_params_t *params, ld_scope_t *scope)
{
    bool res = false;
    json_t *a = NULL, *b = NULL;
    if (!p)
        return true;
    switch (p->kind) {
    case LD__PRED_CONST:
        return p->value;
    case LD__PRED_STR: {
        ld_buf_t buf;
        ld_buf_init(&buf, 0);
        if (!ld_tmpl_render(p->tmpl, params, scope, &buf))
            res = buf.data && text_truthy(buf.data, buf.len);
        ld_buf_free(&buf);
        return res;
    }
    default:
        break;
    }
    a = ld_params_resolve_json(params, scope, p->a);
    if (p->b)
        b = ld_params_resolve_json(params, scope, p->b);
    if (a && (b || p->kind == LD__PRED_TRUTHY)) {
        switch (p->kind) {
        case LD__PRED_EQ:
            res = values_equal(a, b);
            break;
        case LD__PRED_NE:
            res = !values_equal(a, b);
            break;
        case LD__PRED_IN:
            res = contains(a, b);
            break;
        default:
            res = ld__truthy_json(a);
        }
    }
    json_decref(a);
    json_decref(b);
    return res;
}
