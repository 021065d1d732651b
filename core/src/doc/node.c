/* Node helpers: lookups, truthiness, copies, jansson conversion, JSON output.
 */
#include "doc/doc_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ld_type_name(ld_type_t t)
{
    switch (t) {
    case LD_TNULL:
        return "null";
    case LD_TBOOL:
        return "boolean";
    case LD_TINT:
        return "integer";
    case LD_TREAL:
        return "number";
    case LD_TSTRING:
        return "string";
    case LD_TARRAY:
        return "array";
    case LD_TOBJECT:
        return "object";
    }
    return "unknown";
}

const ld_member_t *ld_node_member(const ld_node_t *obj, const char *key)
{
    size_t klen, i;

    if (!obj || obj->type != LD_TOBJECT || !key)
        return NULL;
    klen = strlen(key);
    for (i = obj->u.obj.n; i-- > 0;) { /* last one wins */
        const ld_member_t *m = &obj->u.obj.members[i];

        if (m->key_len == klen && memcmp(m->key, key, klen) == 0)
            return m;
    }
    return NULL;
}

const ld_node_t *ld_node_get(const ld_node_t *obj, const char *key)
{
    const ld_member_t *m = ld_node_member(obj, key);

    return m ? m->value : NULL;
}

const ld_node_t *ld_node_at(const ld_node_t *arr, size_t i)
{
    if (!arr || arr->type != LD_TARRAY || i >= arr->u.arr.n)
        return NULL;
    return arr->u.arr.items[i];
}

bool ld_node_is_number(const ld_node_t *n)
{
    return n && (n->type == LD_TINT || n->type == LD_TREAL);
}

double ld_node_number(const ld_node_t *n)
{
    if (!n)
        return 0;
    if (n->type == LD_TINT)
        return (double)n->u.i;
    if (n->type == LD_TREAL)
        return n->u.d;
    return 0;
}

const char *ld_node_str(const ld_node_t *n)
{
    return n && n->type == LD_TSTRING ? n->u.str.s : NULL;
}

bool ld_node_truthy(const ld_node_t *n)
{
    if (!n)
        return false;
    switch (n->type) {
    case LD_TNULL:
        return false;
    case LD_TBOOL:
        return n->u.b;
    case LD_TINT:
        return n->u.i != 0;
    case LD_TREAL:
        return n->u.d != 0; /* NaN is truthy, as in Python */
    case LD_TSTRING:
        return n->u.str.len != 0;
    case LD_TARRAY:
        return n->u.arr.n != 0;
    case LD_TOBJECT:
        return n->u.obj.n != 0;
    }
    return false;
}

/* ---- building ---- */

ld_node_t *ld__node_new(ld_doc_t *doc, ld_type_t type, ld_node_t *parent)
{
    ld_node_t *n = ld__arena_alloc(&doc->arena, sizeof(*n));

    if (!n)
        return NULL;
    memset(n, 0, sizeof(*n));
    n->type = type;
    n->parent = parent;
    return n;
}

static int copy_children(ld_doc_t *doc, const ld_node_t *src, ld_node_t *dst,
                         size_t *budget)
{
    size_t i, n;

    if (src->type == LD_TARRAY) {
        n = src->u.arr.n;
        dst->u.arr.items = ld__arena_alloc(&doc->arena, n * sizeof(void *));
        if (!dst->u.arr.items)
            return LD_ENOMEM;
        for (i = 0; i < n; i++) {
            dst->u.arr.items[i] =
                ld__node_copy(doc, src->u.arr.items[i], dst, budget);
            if (!dst->u.arr.items[i])
                return LD_ENOMEM;
        }
        return 0;
    }
    n = src->u.obj.n;
    dst->u.obj.members = ld__arena_alloc(&doc->arena, n * sizeof(ld_member_t));
    if (!dst->u.obj.members)
        return LD_ENOMEM;
    for (i = 0; i < n; i++) {
        ld_member_t *m = &dst->u.obj.members[i];

        *m = src->u.obj.members[i]; /* keys are immutable: shared */
        m->value = ld__node_copy(doc, m->value, dst, budget);
        if (!m->value)
            return LD_ENOMEM;
    }
    return 0;
}

/* Strings and keys are shared with the source: nodes are never mutated once
 * built. budget counts down the nodes still allowed (alias bombs). */
ld_node_t *ld__node_copy(ld_doc_t *doc, const ld_node_t *src, ld_node_t *parent,
                         size_t *budget)
{
    ld_node_t *n;

    if (!*budget)
        return NULL;
    (*budget)--;
    n = ld__arena_alloc(&doc->arena, sizeof(*n));
    if (!n)
        return NULL;
    *n = *src;
    n->parent = parent;
    if ((src->type == LD_TARRAY || src->type == LD_TOBJECT) &&
        copy_children(doc, src, n, budget))
        return NULL;
    return n;
}

/* ---- to jansson ---- */

static json_t *real_to_json(double v)
{
    if (isnan(v))
        return json_null();
    if (isinf(v)) /* jansson refuses infinities: clamp */
        v = v > 0 ? 1.7976931348623157e308 : -1.7976931348623157e308;
    return json_real(v);
}

static json_t *container_to_json(const ld_node_t *n)
{
    json_t *out = n->type == LD_TARRAY ? json_array() : json_object();
    size_t i;

    if (!out)
        return NULL;
    if (n->type == LD_TARRAY) {
        for (i = 0; i < n->u.arr.n; i++)
            if (json_array_append_new(out, ld_node_to_json(n->u.arr.items[i])))
                goto fail;
        return out;
    }
    for (i = 0; i < n->u.obj.n; i++) {
        const ld_member_t *m = &n->u.obj.members[i];

        if (json_object_setn_new(out, m->key, m->key_len,
                                 ld_node_to_json(m->value)))
            goto fail;
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}

json_t *ld_node_to_json(const ld_node_t *n)
{
    if (!n)
        return NULL;
    switch (n->type) {
    case LD_TNULL:
        return json_null();
    case LD_TBOOL:
        return json_boolean(n->u.b);
    case LD_TINT:
        return json_integer((json_int_t)n->u.i);
    case LD_TREAL:
        return real_to_json(n->u.d);
    case LD_TSTRING:
        /* jansson checks UTF-8 a byte at a time (about 5 ms for the 1.5 MB
         * text of a big didOpen); ours skips ASCII a word at a time. */
        return ld__utf8_ok(n->u.str.s, n->u.str.len)
                   ? json_stringn_nocheck(n->u.str.s, n->u.str.len)
                   : NULL;
    case LD_TARRAY:
    case LD_TOBJECT:
        return container_to_json(n);
    }
    return NULL;
}

/* ---- from jansson ---- */

/* jansson's object iteration takes a non-const value; it does not modify it. */
static json_t *unconst(const json_t *v)
{
    return (json_t *)(uintptr_t)v;
}

static ld_node_t *from_json(ld_doc_t *doc, const json_t *v, ld_node_t *parent,
                            int depth, int *rc);

static int array_from_json(ld_doc_t *doc, const json_t *v, ld_node_t *n,
                           int depth)
{
    size_t i, cnt = json_array_size(v);
    int rc = 0;

    n->u.arr.items = ld__arena_alloc(&doc->arena, cnt * sizeof(void *));
    if (!n->u.arr.items)
        return LD_ENOMEM;
    for (i = 0; i < cnt; i++) {
        n->u.arr.items[i] = from_json(doc, json_array_get(v, i), n, depth, &rc);
        if (rc)
            return rc;
    }
    n->u.arr.n = cnt;
    return 0;
}

static int object_from_json(ld_doc_t *doc, const json_t *v, ld_node_t *n,
                            int depth)
{
    size_t cnt = json_object_size(v), i = 0;
    void *it;
    int rc = 0;

    n->u.obj.members = ld__arena_alloc(&doc->arena, cnt * sizeof(ld_member_t));
    if (!n->u.obj.members)
        return LD_ENOMEM;
    memset(n->u.obj.members, 0, cnt * sizeof(ld_member_t));
    for (it = json_object_iter(unconst(v)); it && i < cnt;
         it = json_object_iter_next(unconst(v), it), i++) {
        ld_member_t *m = &n->u.obj.members[i];

        m->key_len = json_object_iter_key_len(it);
        m->key = ld__arena_strndup(&doc->arena, json_object_iter_key(it),
                                   m->key_len);
        if (!m->key)
            return LD_ENOMEM;
        m->value = from_json(doc, json_object_iter_value(it), n, depth, &rc);
        if (rc)
            return rc;
    }
    n->u.obj.n = i;
    return 0;
}

static ld_type_t json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return LD_TOBJECT;
    case JSON_ARRAY:
        return LD_TARRAY;
    case JSON_STRING:
        return LD_TSTRING;
    case JSON_INTEGER:
        return LD_TINT;
    case JSON_REAL:
        return LD_TREAL;
    case JSON_TRUE:
    case JSON_FALSE:
        return LD_TBOOL;
    default:
        return LD_TNULL;
    }
}

static ld_node_t *from_json(ld_doc_t *doc, const json_t *v, ld_node_t *parent,
                            int depth, int *rc)
{
    ld_node_t *n = ld__node_new(doc, json_kind(v), parent);

    if (!n) {
        *rc = LD_ENOMEM;
        return NULL;
    }
    switch (n->type) {
    case LD_TBOOL:
        n->u.b = json_is_true(v);
        break;
    case LD_TINT:
        n->u.i = (int64_t)json_integer_value(v);
        break;
    case LD_TREAL:
        n->u.d = json_real_value(v);
        break;
    case LD_TSTRING:
        n->u.str.len = json_string_length(v);
        n->u.str.s =
            ld__arena_strndup(&doc->arena, json_string_value(v), n->u.str.len);
        if (!n->u.str.s)
            *rc = LD_ENOMEM;
        break;
    case LD_TARRAY:
    case LD_TOBJECT:
        if (depth >= LD__DOC_MAX_DEPTH) {
            *rc = LD_EDEPTH;
            break;
        }
        *rc = n->type == LD_TARRAY ? array_from_json(doc, v, n, depth + 1)
                                   : object_from_json(doc, v, n, depth + 1);
        break;
    case LD_TNULL:
        break;
    }
    return *rc ? NULL : n;
}

ld_doc_t *ld_doc_from_json(const json_t *v, const char *name, ld_diag_t *d)
{
    ld_doc_t *doc;
    char *text = calloc(1, 1);
    int rc = 0;

    ld_diag_clear(d);
    if (!v) {
        free(text);
        ld_diag_set(d, LD_EINVAL, name, NULL, "no JSON value given");
        return NULL;
    }
    doc = text ? ld__doc_new(text, 0, name) : NULL;
    if (!doc) {
        ld_diag_set(d, LD_ENOMEM, name, NULL, "out of memory");
        return NULL;
    }
    doc->root = from_json(doc, v, NULL, 0, &rc);
    if (rc) {
        if (rc == LD_EDEPTH)
            ld_diag_set(d, rc, name, NULL,
                        "nesting too deep: more than %d levels of arrays "
                        "and objects",
                        LD__DOC_MAX_DEPTH);
        else
            ld_diag_set(d, rc, name, NULL, "out of memory");
        ld_doc_free(doc);
        return NULL;
    }
    return doc;
}

/* ---- JSON output ---- */

static int write_string(ld_buf_t *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, run = 0;
    int rc = ld_buf_addc(out, '"');

    for (i = 0; !rc && i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t elen = 2;

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        rc = ld_buf_add(out, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
        }
        if (!rc)
            rc = ld_buf_add(out, esc, elen);
    }
    if (!rc)
        rc = ld_buf_add(out, s + run, len - run);
    return rc ? rc : ld_buf_addc(out, '"');
}

/* Shortest of %.15g..%.17g that reads back exactly; always looks like a
 * real ("1.0", not "1"). Infinities become 1e999 (reads back as inf). */
static int write_real(ld_buf_t *out, double v)
{
    char buf[40];
    int prec;
    char *p;

    if (isnan(v))
        return ld_buf_adds(out, "null");
    if (isinf(v))
        return ld_buf_adds(out, v > 0 ? "1e999" : "-1e999");
    for (prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*g", prec, v);
        for (p = buf; *p; p++)
            if (*p == ',') /* a locale with a decimal comma */
                *p = '.';
        if (ld__strtod(buf, NULL) == v)
            break;
    }
    if (!strpbrk(buf, ".eE"))
        memcpy(buf + strlen(buf), ".0", 3); /* %.17g fits 25 bytes */
    return ld_buf_adds(out, buf);
}

static int write_container(const ld_node_t *n, ld_buf_t *out)
{
    size_t i;
    int rc = ld_buf_addc(out, n->type == LD_TARRAY ? '[' : '{');

    if (n->type == LD_TARRAY) {
        for (i = 0; !rc && i < n->u.arr.n; i++) {
            if (i)
                rc = ld_buf_addc(out, ',');
            if (!rc)
                rc = ld_node_write_json(n->u.arr.items[i], out);
        }
        return rc ? rc : ld_buf_addc(out, ']');
    }
    for (i = 0; !rc && i < n->u.obj.n; i++) {
        const ld_member_t *m = &n->u.obj.members[i];

        if (i)
            rc = ld_buf_addc(out, ',');
        if (!rc)
            rc = write_string(out, m->key, m->key_len);
        if (!rc)
            rc = ld_buf_addc(out, ':');
        if (!rc)
            rc = ld_node_write_json(m->value, out);
    }
    return rc ? rc : ld_buf_addc(out, '}');
}

int ld_node_write_json(const ld_node_t *n, ld_buf_t *out)
{
    if (!n || !out)
        return LD_EINVAL;
    switch (n->type) {
    case LD_TNULL:
        return ld_buf_adds(out, "null");
    case LD_TBOOL:
        return ld_buf_adds(out, n->u.b ? "true" : "false");
    case LD_TINT:
        return ld_buf_printf(out, "%" PRId64, n->u.i);
    case LD_TREAL:
        return write_real(out, n->u.d);
    case LD_TSTRING:
        return write_string(out, n->u.str.s, n->u.str.len);
    case LD_TARRAY:
    case LD_TOBJECT:
        return write_container(n, out);
    }
    return LD_EINVAL;
}
