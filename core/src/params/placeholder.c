/*
 * placeholder.c - the placeholder scanner shared by the resolver, the linter
 * and the LSP. Syntax follows the Python tool's pattern: "${" then at least
 * one character other than "}" then "}" (the first "}" closes), the content
 * stripped of whitespace before it is classified. See params.c for the list
 * of deliberate differences.
 */
#include <string.h>

#include "params/params_int.h"

static bool is_space(char c)
{
    /* ASCII characters Python's str.strip() removes */
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
           c == '\r' || (c >= 0x1c && c <= 0x1f);
}

static bool is_ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident(char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool ieq(const char *s, size_t len, const char *lit)
{
    size_t i;

    if (strlen(lit) != len)
        return false;
    for (i = 0; i < len; i++) {
        char c = s[i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != lit[i])
            return false;
    }
    return true;
}

/*
 * NAME(ARGS) covering the whole token, ARGS without a newline (Python's "."
 * does not match one). On success *name_len and the args span are set.
 */
static bool match_function(const char *t, size_t len, size_t *name_len,
                           const char **args, size_t *args_len)
{
    size_t i = 0;

    if (!len || !is_ident_start(t[0]) || t[len - 1] != ')')
        return false;
    while (i < len && is_ident(t[i]))
        i++;
    if (i >= len || t[i] != '(' || i + 1 > len - 1)
        return false;
    if (memchr(t + i + 1, '\n', len - 1 - (i + 1)))
        return false;
    *name_len = i;
    *args = t + i + 1;
    *args_len = len - 1 - (i + 1);
    return true;
}

static ld_ph_kind_t function_kind(const char *name, size_t len)
{
    if (ieq(name, len, "uuid"))
        return LD_PH_UUID;
    if (ieq(name, len, "now"))
        return LD_PH_NOW;
    if (ieq(name, len, "randint"))
        return LD_PH_RANDINT;
    return LD_PH_UNKNOWN;
}

static ld_ph_kind_t prefix_kind(const char *pre, size_t len)
{
    static const struct {
        const char *name;
        ld_ph_kind_t kind;
    } map[] = {
        {"var", LD_PH_VAR},     {"env", LD_PH_ENV}, {"csv", LD_PH_CSV},
        {"faker", LD_PH_FAKER}, {"db", LD_PH_DB},
    };
    size_t i;

    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (ieq(pre, len, map[i].name))
            return map[i].kind;
    return LD_PH_UNKNOWN;
}

static void classify(const char *t, size_t len, ld_placeholder_t *ph)
{
    size_t name_len = 0;
    const char *args = NULL;
    size_t args_len = 0;
    const char *dot;

    ph->kind = LD_PH_UNKNOWN;
    ph->arg = t;
    ph->arg_len = len;
    if (!len)
        return;
    if (match_function(t, len, &name_len, &args, &args_len)) {
        ph->kind = function_kind(t, name_len);
        if (ph->kind != LD_PH_UNKNOWN) {
            ph->arg = args;
            ph->arg_len = args_len;
        }
        return;
    }
    dot = memchr(t, '.', len);
    if (!dot) {
        ph->kind = LD_PH_VAR;       /* bare ${NAME} is a variable, as in Python */
        return;
    }
    ph->kind = prefix_kind(t, (size_t)(dot - t));
    if (ph->kind != LD_PH_UNKNOWN) {
        ph->arg = dot + 1;
        ph->arg_len = len - (size_t)(dot + 1 - t);
    }
}

bool ld_placeholder_next(const char *s, size_t len, size_t from,
                         ld_placeholder_t *ph)
{
    size_t i = from;

    if (!s)
        return false;
    while (i + 1 < len) {
        const char *dollar = memchr(s + i, '$', len - i - 1);
        const char *close;
        size_t a, b;

        if (!dollar)
            return false;
        i = (size_t)(dollar - s);
        if (s[i + 1] != '{') {
            i++;
            continue;
        }
        close = memchr(s + i + 2, '}', len - i - 2);
        if (!close)
            return false;   /* no "}" anywhere after: nothing more to find */
        if (close == s + i + 2) {
            i++;            /* "${}" is not a placeholder */
            continue;
        }
        a = i + 2;
        b = (size_t)(close - s);
        while (a < b && is_space(s[a]))
            a++;
        while (b > a && is_space(s[b - 1]))
            b--;
        ph->start = i;
        ph->end = (size_t)(close - s) + 1;
        classify(s + a, b - a, ph);
        return true;
    }
    return false;
}

const char *ld_ph_kind_name(ld_ph_kind_t k)
{
    switch (k) {
    case LD_PH_VAR:
        return "var";
    case LD_PH_ENV:
        return "env";
    case LD_PH_CSV:
        return "csv";
    case LD_PH_FAKER:
        return "faker";
    case LD_PH_DB:
        return "db";
    case LD_PH_UUID:
        return "uuid()";
    case LD_PH_NOW:
        return "now()";
    case LD_PH_RANDINT:
        return "randint(a,b)";
    case LD_PH_UNKNOWN:
    default:
        return "unknown";
    }
}

/* "a,b" with whitespace around each: exactly two Python-style integers. */
static bool parse_bounds(const char *s, size_t len, int64_t *lo, int64_t *hi)
{
    const char *comma = memchr(s, ',', len);
    const char *a = s, *b;
    size_t alen, blen;

    if (!comma || memchr(comma + 1, ',', len - (size_t)(comma + 1 - s)))
        return false;
    alen = (size_t)(comma - s);
    b = comma + 1;
    blen = len - (size_t)(b - s);
    while (alen && is_space(*a))
        a++, alen--;
    while (alen && is_space(a[alen - 1]))
        alen--;
    while (blen && is_space(*b))
        b++, blen--;
    while (blen && is_space(b[blen - 1]))
        blen--;
    return ld__parse_int(a, alen, lo) && ld__parse_int(b, blen, hi) &&
           *lo <= *hi;
}

void ld__ph_spec(const ld_placeholder_t *ph, ld__ph_t *spec)
{
    const char *dot;

    memset(spec, 0, sizeof(*spec));
    spec->kind = ph->kind;
    spec->a = ph->arg;
    spec->alen = ph->arg_len;
    spec->resolvable = true;
    switch (ph->kind) {
    case LD_PH_CSV:
        /* SOURCE.COL: the source ends at the first dot (as in Python) */
        dot = memchr(ph->arg, '.', ph->arg_len);
        if (dot) {
            spec->alen = (size_t)(dot - ph->arg);
            spec->b = dot + 1;
            spec->blen = ph->arg_len - spec->alen - 1;
        } else {
            spec->b = ph->arg + ph->arg_len;
        }
        break;
    case LD_PH_RANDINT:
        spec->resolvable = parse_bounds(ph->arg, ph->arg_len, &spec->lo,
                                        &spec->hi);
        break;
    case LD_PH_FAKER:
    case LD_PH_DB:
    case LD_PH_UNKNOWN:
        spec->resolvable = false;
        break;
    default:
        break;
    }
}
