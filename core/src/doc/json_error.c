/* JSON reader diagnostics: what was found, what was expected, and hints
 * for the usual mistakes (comments, Python literals, single quotes). */
#include "doc/json_int.h"

#include <locale.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- locale-independent strtod ---- */

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

double ld__strtod(const char *s, char **end)
{
    pthread_once(&c_locale_once, c_locale_init);
    if (c_locale)
        return strtod_l(s, end, c_locale);
    return strtod(s, end);
}

/* Record the first error (positions computed from scratch: errors are rare
 * and may point behind the cursor). Returns NULL for `return ld__jp_fail(...)`.
 */
void *ld__jp_fail(jp_t *p, int code, size_t off, size_t end, const char *fmt,
                  ...)
{
    ld_pos_t pos;
    va_list ap;

    if (p->rc)
        return NULL;
    p->rc = code;
    pos = ld_pos_from_offset(p->s, p->len, off);
    va_start(ap, fmt);
    ld_diag_vset(p->d, code, p->doc->name, &pos, fmt, ap);
    va_end(ap);
    if (p->d && end > off)
        p->d->end = ld_pos_from_offset(p->s, p->len, end);
    return NULL;
}

void *ld__jp_nomem(jp_t *p)
{
    return ld__jp_fail(p, LD_ENOMEM, p->i, p->i, "out of memory");
}

/* Describe what sits at off ("'x'", "'word'", "U+0007", "end of input")
 * into buf; returns the offset just past it. */
static size_t describe(const jp_t *p, size_t off, char *buf, size_t size)
{
    const unsigned char *s = (const unsigned char *)p->s;
    uint32_t cp;
    size_t n = 0;

    if (off >= p->len) {
        snprintf(buf, size, "end of input");
        return off;
    }
    if (ld__jp_is_word((char)s[off])) {
        while (off + n < p->len && ld__jp_is_word((char)s[off + n]) && n < 40)
            n++;
        snprintf(buf, size, "'%.*s'%s", (int)n, p->s + off,
                 ld__jp_is_word((char)s[off + n]) ? "..." : "");
        return off + n;
    }
    if (s[off] >= 0x20 && s[off] < 0x7F) {
        snprintf(buf, size, "'%c'", s[off]);
        return off + 1;
    }
    if (s[off] < 0x80) {
        snprintf(buf, size, "U+%04X", s[off]);
        return off + 1;
    }
    n = ld__utf8_decode(s + off, p->len - off, &cp);
    if (!n) {
        snprintf(buf, size, "invalid UTF-8 (byte 0x%02X)", s[off]);
        return off + 1;
    }
    snprintf(buf, size, "'%.*s' (U+%04X)", (int)n, p->s + off, (unsigned)cp);
    return off + n;
}

/* "<expected>, found <what><hint>" at the current offset. open is the
 * enclosing array/object, named when the input ends inside it. */
void *ld__jp_unexpected(jp_t *p, const char *expected, const ld_node_t *open,
                        const char *hint)
{
    const char *s = p->s;
    size_t i = p->i, wend;
    char what[96];

    if (i < p->len && s[i] == '/' && (s[i + 1] == '/' || s[i + 1] == '*'))
        return ld__jp_fail(p, LD_ESYNTAX, i, i + 2,
                           "comments are not allowed in JSON");
    if (i >= p->len && open)
        return ld__jp_fail(p, LD_ESYNTAX, i, i,
                           "%s, found end of input (the %s opened at line %u, "
                           "column %u is not closed)",
                           expected,
                           open->type == LD_TARRAY ? "array" : "object",
                           open->pos.line, open->pos.col);
    wend = describe(p, i, what, sizeof(what));
    return ld__jp_fail(p, LD_ESYNTAX, i, wend, "%s, found %s%s", expected, what,
                       hint ? hint : "");
}

static const char *value_hint(const jp_t *p)
{
    const char *w = p->s + p->i;
    static const struct {
        const char *word;
        const char *hint;
    } words[] = {
        {"True", " (JSON uses lowercase true and false)"},
        {"False", " (JSON uses lowercase true and false)"},
        {"TRUE", " (JSON uses lowercase true and false)"},
        {"FALSE", " (JSON uses lowercase true and false)"},
        {"None", " (JSON uses null)"},
        {"NULL", " (JSON uses null)"},
        {"Null", " (JSON uses null)"},
        {"nil", " (JSON uses null)"},
        {"undefined", " (JSON uses null)"},
        {"NaN", " (NaN and Infinity are not valid JSON numbers)"},
        {"Infinity", " (NaN and Infinity are not valid JSON numbers)"},
    };
    size_t k, n;

    if (*w == '\'')
        return " (JSON strings use double quotes)";
    if (*w == '+')
        return " (JSON numbers cannot start with '+')";
    if (*w == '.')
        return " (JSON numbers need a digit before the decimal point)";
    for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
        n = strlen(words[k].word);
        if (strncmp(w, words[k].word, n) == 0 && !ld__jp_is_word(w[n]))
            return words[k].hint;
    }
    return NULL;
}

void *ld__jp_bad_value(jp_t *p, const ld_node_t *open)
{
    return ld__jp_unexpected(p, "expected a value", open, value_hint(p));
}
