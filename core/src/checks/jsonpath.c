/*
 * JSON paths over parsed response bodies, and the equality the json_path
 * assertion uses.
 *
 * Path syntax (a superset of the Python tool's dotted paths):
 *   data.items.0.id      dotted keys; a numeric segment indexes an array
 *   $.data.items[0].id   optional leading "$" / "$."; [n] brackets
 *   items.-1 / items[-1] negative indexes count from the end (as Python)
 *   ""  or  "$"          the whole body
 * Empty segments ("a..b", a leading or trailing ".") are skipped, as the
 * Python tool does. A key that contains "." or "[" cannot be expressed (there
 * is no quoting). A segment applied to an object is always a key lookup, so
 * "[0]" on an object looks up the key "0".
 */
#include "checks/checks_int.h"

#include <stdint.h>
#include <string.h>

typedef struct seg {
    const char *s;
    size_t len;
} seg_t;

typedef struct pcur {
    const char *start;
    const char *p;
    const char *end;
    const char *why;
    size_t at;
} pcur_t;

static void pcur_init(pcur_t *c, const char *path, size_t len)
{
    c->start = path;
    c->p = path;
    c->end = path + len;
    c->why = NULL;
    c->at = 0;
    /* "$" is the root only when followed by ".", "[" or nothing; "$foo" stays
       a key, as it is for the Python tool. */
    if (len && path[0] == '$' && (len == 1 || path[1] == '.' || path[1] == '['))
        c->p++;
}

static int pcur_error(pcur_t *c, const char *at, const char *why)
{
    c->why = why;
    c->at = (size_t)(at - c->start);
    return -1;
}

static int bracket_seg(pcur_t *c, seg_t *seg)
{
    const char *q = ++c->p;

    if (q < c->end && *q == '-')
        q++;
    if (q >= c->end || *q < '0' || *q > '9')
        return pcur_error(c, c->p, "expected an array index after \"[\"");
    while (q < c->end && *q >= '0' && *q <= '9')
        q++;
    if (q >= c->end || *q != ']')
        return pcur_error(c, q, "expected \"]\"");
    seg->s = c->p;
    seg->len = (size_t)(q - c->p);
    c->p = q + 1;
    if (c->p < c->end && *c->p != '.' && *c->p != '[')
        return pcur_error(c, c->p, "expected \".\" or \"[\" after \"]\"");
    return 1;
}

/* 1 with a segment, 0 at the end, -1 on a syntax error (c->why, c->at). */
static int next_seg(pcur_t *c, seg_t *seg)
{
    const char *q;

    while (c->p < c->end && *c->p == '.')
        c->p++;
    if (c->p >= c->end)
        return 0;
    if (*c->p == '[')
        return bracket_seg(c, seg);
    q = c->p;
    while (q < c->end && *q != '.' && *q != '[')
        q++;
    seg->s = c->p;
    seg->len = (size_t)(q - c->p);
    c->p = q;
    return 1;
}

bool ld__json_path_check(const char *path, size_t len, const char **why,
                         size_t *at)
{
    pcur_t c;
    seg_t seg;
    int r;

    pcur_init(&c, path, len);
    while ((r = next_seg(&c, &seg)) > 0)
        ;
    if (r == 0)
        return true;
    if (why)
        *why = c.why;
    if (at)
        *at = c.at;
    return false;
}

/* An array index: optional '-', then digits (at most 18, no overflow). */
static bool seg_index(const seg_t *seg, int64_t *out)
{
    size_t i = 0;
    int64_t v = 0;
    bool neg = false;

    if (seg->len && seg->s[0] == '-') {
        neg = true;
        i = 1;
    }
    if (i >= seg->len || seg->len - i > 18)
        return false;
    for (; i < seg->len; i++) {
        if (seg->s[i] < '0' || seg->s[i] > '9')
            return false;
        v = v * 10 + (seg->s[i] - '0');
    }
    *out = neg ? -v : v;
    return true;
}

static const json_t *step(const json_t *cur, const seg_t *seg)
{
    if (json_is_array(cur)) {
        int64_t i;
        int64_t n = (int64_t)json_array_size(cur);

        if (!seg_index(seg, &i))
            return NULL;
        if (i < 0)
            i += n;
        if (i < 0 || i >= n)
            return NULL;
        return json_array_get(cur, (size_t)i);
    }
    if (json_is_object(cur))
        return json_object_getn(cur, seg->s, seg->len);
    return NULL;
}

const json_t *ld__json_path(const json_t *root, const char *path)
{
    pcur_t c;
    seg_t seg;
    int r;

    if (!root)
        return NULL;
    if (!path)
        return root;
    pcur_init(&c, path, strlen(path));
    while (root && (r = next_seg(&c, &seg)) != 0) {
        if (r < 0)
            return NULL;
        root = step(root, &seg);
    }
    return root;
}

/* ---- equality ---- */

/* Exact comparison of an integer with a real (no rounding through double
   for integers beyond 2^53). */
static bool int_eq_real(json_int_t i, double d)
{
    if (d != d || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
        return false;
    if ((double)(json_int_t)d != d)
        return false;
    return (json_int_t)d == i;
}

static bool number_equal(const json_t *a, const json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b))
        return json_integer_value(a) == json_integer_value(b);
    if (json_is_real(a) && json_is_real(b))
        return json_real_value(a) == json_real_value(b);
    if (json_is_integer(a))
        return int_eq_real(json_integer_value(a), json_real_value(b));
    return int_eq_real(json_integer_value(b), json_real_value(a));
}

static bool object_equal(const json_t *a, const json_t *b)
{
    const char *key;
    size_t klen;
    json_t *va;

    if (json_object_size(a) != json_object_size(b))
        return false;
    json_object_keylen_foreach((json_t *)(uintptr_t)a, key, klen, va) {
        const json_t *vb = json_object_getn(b, key, klen);

        if (!vb || !ld__json_equal(va, vb))
            return false;
    }
    return true;
}

static bool array_equal(const json_t *a, const json_t *b)
{
    size_t i, n = json_array_size(a);

    if (n != json_array_size(b))
        return false;
    for (i = 0; i < n; i++)
        if (!ld__json_equal(json_array_get(a, i), json_array_get(b, i)))
            return false;
    return true;
}

bool ld__json_equal(const json_t *a, const json_t *b)
{
    if (!a || !b)
        return a == b;
    if (json_is_number(a) && json_is_number(b))
        return number_equal(a, b);
    if (json_typeof(a) != json_typeof(b))
        return false;
    switch (json_typeof(a)) {
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b),
                      json_string_length(a)) == 0;
    case JSON_OBJECT:
        return object_equal(a, b);
    case JSON_ARRAY:
        return array_equal(a, b);
    default:
        return true; /* true, false, null: the type says it all */
    }
}
