/*
 * Strict RFC 8259 JSON reader producing the positioned ld_node_t tree.
 *
 * Written by hand (not libfyaml's JSON mode) for two reasons: error messages
 * that say what was expected at the exact spot, and speed (one pass, nodes
 * bump-allocated, children gathered on a scratch stack and copied once).
 * The text is the document's own NUL-terminated copy, so s[len] == '\0' is a
 * sentinel that stops every scanning loop without a bounds check.
 */
#include "doc/json_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- whitespace ---- */

static void skip_ws_slow(jp_t *p)
{
    const char *s = p->s;
    size_t i = p->i;

    for (;;) {
        char c = s[i];

        if (c == ' ' || c == '\t') {
            i++;
        } else if (c == '\n') {
            i++;
            p->cur.line++;
            p->cur.line_start = i;
            p->cont_line = p->cont;
        } else if (c == '\r') {
            i++;
            if (s[i] != '\n') { /* CRLF counts once, at the LF */
                p->cur.line++;
                p->cur.line_start = i;
                p->cont_line = p->cont;
            }
        } else {
            break;
        }
    }
    p->i = i;
}

/* Most calls find a token right away: keep that check inline. */
static inline void skip_ws(jp_t *p)
{
    if ((unsigned char)p->s[p->i] > ' ')
        return;
    skip_ws_slow(p);
}

/* ---- scratch stacks ---- */

int ld__jp_push_item(jp_t *p, ld_node_t *v)
{
    if (p->nitems == p->citems) {
        size_t cap = p->citems ? p->citems * 2 : 256;
        ld_node_t **n = realloc(p->items, cap * sizeof(*n));

        if (!n)
            return LD_ENOMEM;
        p->items = n;
        p->citems = cap;
    }
    p->items[p->nitems++] = v;
    return 0;
}

/* Reserve the next member slot (filled in place: building a member in a
 * local and copying it costs a store-forwarding stall per member). Nested
 * objects stack their members after it and pop back to it. */
static int reserve_member(jp_t *p, size_t *k)
{
    if (p->nmems == p->cmems) {
        size_t cap = p->cmems ? p->cmems * 2 : 128;
        ld_member_t *n = realloc(p->mems, cap * sizeof(*n));

        if (!n)
            return LD_ENOMEM;
        p->mems = n;
        p->cmems = cap;
    }
    *k = p->nmems++;
    return 0;
}

static ld_node_t *new_node(jp_t *p, ld_type_t type, ld_node_t *parent)
{
    ld_node_t *n = ld__node_new(p->doc, type, parent);

    if (!n)
        return ld__jp_nomem(p);
    n->pos = ld__jp_pos_at(p, p->i);
    return n;
}

static ld_node_t *parse_string_node(jp_t *p, ld_node_t *parent)
{
    ld_node_t *n = new_node(p, LD_TSTRING, parent);

    if (!n || ld__jp_string(p, &n->u.str.s, &n->u.str.len))
        return NULL;
    n->end = ld__jp_pos_at(p, p->i);
    return n;
}

/* ---- numbers and literals ---- */

static const double pow10_exact[] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* s[0, n) is a valid JSON number with a fraction or exponent (or too big
 * for int64). Exact fast path when mantissa and power of ten are both exact
 * doubles (Clinger); otherwise strtod. */
static double parse_real(const char *s, size_t n)
{
    uint64_t mant = 0;
    int digits = 0, exp10 = 0, eval = 0, esign = 1;
    bool neg = *s == '-', frac = false;
    size_t k = neg;
    char buf[64];
    double v;

    for (; k < n && (ld__jp_is_digit(s[k]) || s[k] == '.'); k++) {
        if (s[k] == '.') {
            frac = true;
            continue;
        }
        if (mant || s[k] != '0')
            digits++;
        mant = mant * 10 + (uint64_t)(s[k] - '0');
        exp10 -= frac;
        if (digits > 15)
            goto slow;
    }
    if (k < n) { /* exponent */
        k++;
        if (s[k] == '-' || s[k] == '+')
            esign = s[k++] == '-' ? -1 : 1;
        for (; k < n && eval < 1000; k++)
            eval = eval * 10 + (s[k] - '0');
        exp10 += esign * eval;
    }
    if (exp10 < -22 || exp10 > 22)
        goto slow;
    v = exp10 < 0 ? (double)mant / pow10_exact[-exp10]
                  : (double)mant * pow10_exact[exp10];
    return neg ? -v : v;
slow:
    if (n < sizeof(buf)) {
        memcpy(buf, s, n);
        buf[n] = '\0';
        return ld__strtod(buf, NULL);
    }
    return ld__strtod(s, NULL); /* strtod stops where the JSON number does */
}

/* Digits from s[i]; returns the offset after them. */
static size_t skip_digits(const char *s, size_t i)
{
    while (ld__jp_is_digit(s[i]))
        i++;
    return i;
}

/* Report "expected <what>" at offset i; returns 0 for scan_number. */
static size_t number_error(jp_t *p, size_t i, const char *what)
{
    p->i = i;
    ld__jp_unexpected(p, what, NULL, NULL);
    return 0;
}

/*
 * Check the number grammar from p->i (at '-' or a digit). Returns the end
 * offset, or 0 after an error. *mag is the integer part's magnitude and
 * *isint whether there is neither fraction nor exponent; *big when the
 * magnitude does not fit 64 bits.
 */
static size_t scan_number(jp_t *p, uint64_t *mag, bool *isint, bool *big)
{
    const char *s = p->s;
    size_t i = p->i + (s[p->i] == '-');

    if (s[i] == '0' && ld__jp_is_digit(s[i + 1])) {
        ld__jp_fail(p, LD_ESYNTAX, i, i + 1,
                    "numbers must not have leading zeros");
        return 0;
    }
    if (!ld__jp_is_digit(s[i]))
        return number_error(p, i, "expected a digit after '-'");
    for (; ld__jp_is_digit(s[i]); i++) {
        if (*mag > (UINT64_MAX - 9) / 10)
            *big = true;
        else
            *mag = *mag * 10 + (uint64_t)(s[i] - '0');
    }
    if (s[i] == '.') {
        *isint = false;
        if (!ld__jp_is_digit(s[++i]))
            return number_error(p, i,
                                "expected a digit after the decimal point");
        i = skip_digits(s, i);
    }
    if (s[i] == 'e' || s[i] == 'E') {
        *isint = false;
        i += 1 + (s[i + 1] == '+' || s[i + 1] == '-');
        if (!ld__jp_is_digit(s[i]))
            return number_error(p, i, "expected a digit in the exponent");
        i = skip_digits(s, i);
    }
    return i;
}

static ld_node_t *parse_number(jp_t *p, ld_node_t *parent)
{
    size_t st = p->i, end;
    bool neg = p->s[st] == '-', isint = true, big = false;
    uint64_t mag = 0;
    ld_node_t *n;

    end = scan_number(p, &mag, &isint, &big);
    if (!end)
        return NULL;
    n = new_node(p, LD_TINT, parent);
    if (!n)
        return NULL;
    if (isint && !big && mag <= (uint64_t)INT64_MAX + neg) {
        n->u.i = neg ? (mag > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)mag)
                     : (int64_t)mag;
    } else {
        n->type = LD_TREAL;
        n->u.d = parse_real(p->s + st, end - st);
    }
    p->i = end;
    n->end = ld__jp_pos_at(p, end);
    return n;
}

static ld_node_t *parse_literal(jp_t *p, ld_node_t *parent)
{
    const char *w = p->s + p->i;
    ld_type_t t = LD_TNULL;
    bool b = false;
    size_t n = 4;
    ld_node_t *node;

    if (strncmp(w, "true", 4) == 0) {
        t = LD_TBOOL;
        b = true;
    } else if (strncmp(w, "false", 5) == 0) {
        t = LD_TBOOL;
        n = 5;
    } else if (strncmp(w, "null", 4) != 0) {
        return ld__jp_bad_value(p, parent);
    }
    if (ld__jp_is_word(w[n]))
        return ld__jp_bad_value(p, parent);
    node = new_node(p, t, parent);
    if (!node)
        return NULL;
    node->u.b = b;
    p->i += n;
    node->end = ld__jp_pos_at(p, p->i);
    return node;
}

/* ---- containers ---- */

static ld_node_t *parse_value(jp_t *p, ld_node_t *parent);

static ld_node_t *open_container(jp_t *p, ld_type_t t, ld_node_t *parent)
{
    ld_node_t *n;

    if (p->depth >= LD__DOC_MAX_DEPTH)
        return ld__jp_fail(
            p, LD_EDEPTH, p->i, p->i + 1,
            "nesting too deep: more than %d levels of arrays and "
            "objects",
            LD__DOC_MAX_DEPTH);
    n = new_node(p, t, parent);
    if (!n)
        return NULL;
    p->depth++;
    p->i++;
    skip_ws(p);
    return n;
}

static ld_node_t *close_container(jp_t *p, ld_node_t *n)
{
    p->depth--;
    p->i++;
    n->end = ld__jp_pos_at(p, p->i);
    return n;
}

static ld_node_t *finish_array(jp_t *p, ld_node_t *n, size_t base)
{
    size_t cnt = p->nitems - base;

    if (cnt) {
        n->u.arr.items = ld__arena_alloc(&p->doc->arena, cnt * sizeof(void *));
        if (!n->u.arr.items)
            return ld__jp_nomem(p);
        memcpy(n->u.arr.items, p->items + base, cnt * sizeof(void *));
    }
    n->u.arr.n = cnt;
    p->nitems = base;
    return close_container(p, n);
}

static ld_node_t *parse_array(jp_t *p, ld_node_t *parent)
{
    ld_node_t *n = open_container(p, LD_TARRAY, parent), *v;
    size_t base = p->nitems, comma;

    if (!n)
        return NULL;
    if (p->s[p->i] == ']')
        return finish_array(p, n, base);
    for (;;) {
        if (p->later && ld__jp_split_take(p, n))
            return p->rc ? NULL : finish_array(p, n, base);
        v = parse_value(p, n);
        if (!v)
            return NULL;
        if (ld__jp_push_item(p, v))
            return ld__jp_nomem(p);
        skip_ws(p);
        if (p->s[p->i] == ']')
            return finish_array(p, n, base);
        if (p->s[p->i] != ',')
            return ld__jp_unexpected(p, "expected ',' or ']' after array item",
                                     n, NULL);
        comma = p->i++;
        skip_ws(p);
        if (p->s[p->i] == ']')
            return ld__jp_fail(p, LD_ESYNTAX, comma, comma + 1,
                               "trailing comma before ']'");
    }
}

static ld_node_t *finish_object(jp_t *p, ld_node_t *n, size_t base)
{
    size_t cnt = p->nmems - base;

    if (cnt) {
        n->u.obj.members =
            ld__arena_alloc(&p->doc->arena, cnt * sizeof(ld_member_t));
        if (!n->u.obj.members)
            return ld__jp_nomem(p);
        memcpy(n->u.obj.members, p->mems + base, cnt * sizeof(ld_member_t));
    }
    n->u.obj.n = cnt;
    p->nmems = base;
    return close_container(p, n);
}

static void *bad_key(jp_t *p, const ld_node_t *obj, bool after_comma)
{
    char c = p->s[p->i];
    size_t e = p->i + 1;

    if (c == '\'' || ld__jp_is_word(c)) {
        while (c != '\'' && ld__jp_is_word(p->s[e]))
            e++;
        return ld__jp_fail(p, LD_ESYNTAX, p->i, e,
                           "object keys must be strings in double quotes");
    }
    return ld__jp_unexpected(p,
                             after_comma
                                 ? "expected a string key after ','"
                                 : "expected a string key or '}' after '{'",
                             obj, NULL);
}

/* One "key": value member, built in place on the scratch stack. */
static int parse_member(jp_t *p, ld_node_t *obj, bool after_comma)
{
    ld_member_t *m;
    ld_node_t *v;
    size_t k;

    if (p->s[p->i] != '"')
        return bad_key(p, obj, after_comma), p->rc;
    if (reserve_member(p, &k))
        return ld__jp_nomem(p), p->rc;
    m = &p->mems[k];
    m->key_pos = ld__jp_pos_at(p, p->i);
    if (ld__jp_string(p, &m->key, &m->key_len))
        return p->rc;
    m->key_end = ld__jp_pos_at(p, p->i);
    skip_ws(p);
    if (p->s[p->i] != ':')
        return ld__jp_unexpected(p, "expected ':' after object key", obj, NULL),
               p->rc;
    p->i++;
    skip_ws(p);
    v = parse_value(p, obj);
    if (!v)
        return p->rc;
    p->mems[k].value = v; /* the stack may have moved meanwhile */
    return 0;
}

static ld_node_t *parse_object(jp_t *p, ld_node_t *parent)
{
    ld_node_t *n = open_container(p, LD_TOBJECT, parent);
    size_t base = p->nmems, comma;
    bool after_comma = false;

    if (!n)
        return NULL;
    if (p->s[p->i] == '}')
        return finish_object(p, n, base);
    for (;;) {
        if (parse_member(p, n, after_comma))
            return NULL;
        skip_ws(p);
        if (p->s[p->i] == '}')
            return finish_object(p, n, base);
        if (p->s[p->i] != ',')
            return ld__jp_unexpected(
                p, "expected ',' or '}' after object member", n, NULL);
        comma = p->i++;
        skip_ws(p);
        if (p->s[p->i] == '}')
            return ld__jp_fail(p, LD_ESYNTAX, comma, comma + 1,
                               "trailing comma before '}'");
        after_comma = true;
    }
}

static ld_node_t *parse_value(jp_t *p, ld_node_t *parent)
{
    switch (p->s[p->i]) {
    case '{':
        return parse_object(p, parent);
    case '[':
        return parse_array(p, parent);
    case '"':
        return parse_string_node(p, parent);
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        return parse_number(p, parent);
    case 't':
    case 'f':
    case 'n':
        return parse_literal(p, parent);
    default:
        return ld__jp_bad_value(p, parent);
    }
}

int ld__jp_items(jp_t *p, const bool *cancel)
{
    ld_node_t *v;
    size_t comma;

    for (;;) {
        if (__atomic_load_n(cancel, __ATOMIC_RELAXED))
            return LD_ESYNTAX; /* not an answer: the caller gave up */
        if (!(v = parse_value(p, NULL)))
            return p->rc;
        if (ld__jp_push_item(p, v))
            return ld__jp_nomem(p), p->rc;
        skip_ws(p);
        if (p->s[p->i] == ']')
            return 0;
        if (p->s[p->i] != ',')
            return ld__jp_unexpected(p, "expected ',' or ']' after array item",
                                     NULL, NULL),
                   p->rc;
        comma = p->i++;
        skip_ws(p);
        if (p->s[p->i] == ']')
            return ld__jp_fail(p, LD_ESYNTAX, comma, comma + 1,
                               "trailing comma before ']'"),
                   p->rc;
    }
}

int ld__json_parse(ld_doc_t *doc, ld_diag_t *d)
{
    jp_t p;
    ld_node_t *root = NULL;

    memset(&p, 0, sizeof(p));
    p.doc = doc;
    p.s = doc->text;
    p.len = doc->len;
    p.d = d;
    ld__poscur_init(&p.cur, p.s, p.len);
    p.i = p.cur.line_start; /* past a BOM */
    skip_ws(&p);
    if (p.i >= p.len) {
        ld__jp_fail(&p, LD_ESYNTAX, p.i, p.i, "empty document");
    } else {
        ld__jp_split_start(&p);
        root = parse_value(&p, NULL);
        if (root) {
            skip_ws(&p);
            if (p.i < p.len)
                ld__jp_unexpected(&p, "unexpected content after the document",
                                  NULL, NULL);
        }
    }
    ld__jp_split_end(&p);
    free(p.items);
    free(p.mems);
    free(p.sbuf);
    if (p.rc)
        return p.rc;
    doc->root = root;
    return 0;
}
