/* JSON strings: a fast scan for the closing quote that checks UTF-8,
 * control characters and escape letters, then decoding of escapes
 * (\uXXXX with surrogate pairs) straight into the arena. */
#include "doc/json_int.h"

#include <stdio.h>
#include <string.h>

/* ---- character classes ---- */

#define Z16 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define P16 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1

/* Bytes that a string scan can pass over without a second look. */
/* clang-format off */
static const unsigned char plain_char[256] = {
    Z16, Z16,
    1, 1, 0 /* " */, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    P16, P16,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0 /* \ */, 1, 1, 1,
    P16, P16,
    Z16, Z16, Z16, Z16, Z16, Z16, Z16, Z16};
/* clang-format on */

/* Does any of the 8 bytes in w need a look: '"', '\\', < 0x20, >= 0x80? */
static bool word_special(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL;
    const uint64_t high = 0x8080808080808080ULL;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');

    return (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) |
            w) &
           high;
}

/* ---- strings ---- */

static int hex4(const char *s, uint32_t *v)
{
    uint32_t r = 0;
    int k;

    for (k = 0; k < 4; k++) {
        char c = s[k];

        r <<= 4;
        if (ld__jp_is_digit(c))
            r |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            r |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            r |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *v = r;
    return 0;
}

/* The \u escape at s[i] (the backslash): code point in *cp, escape length
 * (6, or 12 for a surrogate pair) in *n. */
static int read_u(jp_t *p, size_t i, uint32_t *cp, size_t *n)
{
    const char *s = p->s;
    uint32_t hi, lo;

    if (hex4(s + i + 2, &hi))
        return ld__jp_fail(
                   p, LD_ESYNTAX, i, i + 2,
                   "invalid \\u escape in string: expected 4 hex digits"),
               p->rc;
    if (hi >= 0xDC00 && hi <= 0xDFFF)
        return ld__jp_fail(
                   p, LD_ESYNTAX, i, i + 6,
                   "lone surrogate \\u%04X in string (a low surrogate must "
                   "follow a high surrogate \\uD800-\\uDBFF)",
                   (unsigned)hi),
               p->rc;
    if (hi < 0xD800 || hi > 0xDBFF) {
        *cp = hi;
        *n = 6;
        return 0;
    }
    if (s[i + 6] != '\\' || s[i + 7] != 'u' || hex4(s + i + 8, &lo) ||
        lo < 0xDC00 || lo > 0xDFFF)
        return ld__jp_fail(
                   p, LD_ESYNTAX, i, i + 6,
                   "lone surrogate \\u%04X in string (a high surrogate must "
                   "be followed by a low surrogate \\uDC00-\\uDFFF)",
                   (unsigned)hi),
               p->rc;
    *cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
    *n = 12;
    return 0;
}

/* What a one-letter escape stands for, by its letter: 0 = not a valid
 * escape, 'u' = \uXXXX (decoded apart); '"', '\\' and '/' stand for
 * themselves. A table: a JSON document embedded in a JSON string (an LSP
 * didOpen) has an escape every few bytes. */
static const char escape_byte[256] = {
    ['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b', ['f'] = '\f',
    ['n'] = '\n', ['r'] = '\r', ['t'] = '\t', ['u'] = 'u'};

static char unescape(char e)
{
    return escape_byte[(unsigned char)e];
}

/* Decode s[from, to) (escapes already checked for their letter) into buf. */
static int decode_escapes(jp_t *p, size_t from, size_t to, char *buf,
                          size_t *outlen)
{
    const char *s = p->s;
    size_t i = from, o = 0, n = 0;
    uint32_t cp = 0;

    while (i < to) {
        const char *bs = memchr(s + i, '\\', to - i);
        size_t run = bs ? (size_t)(bs - (s + i)) : to - i;

        memcpy(buf + o, s + i, run);
        o += run;
        i += run;
        if (i >= to)
            break;
        if (s[i + 1] == 'u') {
            if (read_u(p, i, &cp, &n))
                return p->rc;
            o += ld__utf8_encode(cp, buf + o);
            i += n;
            continue;
        }
        buf[o++] = unescape(s[i + 1]);
        i += 2;
    }
    buf[o] = '\0';
    *outlen = o;
    return 0;
}

static void *bad_escape(jp_t *p, size_t j)
{
    const unsigned char *e = (const unsigned char *)p->s + j + 1;
    uint32_t cp;
    size_t n = *e >= 0x80 ? ld__utf8_decode(e, p->len - j - 1, &cp) : 0;

    if (*e >= 0x20 && *e < 0x7F)
        return ld__jp_fail(
            p, LD_ESYNTAX, j, j + 2,
            "invalid escape '\\%c' in string (valid escapes: \\\" "
            "\\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)",
            *e);
    if (n)
        return ld__jp_fail(p, LD_ESYNTAX, j, j + 1 + n,
                           "invalid escape '\\%.*s' in string", (int)n,
                           (const char *)e);
    return ld__jp_fail(p, LD_ESYNTAX, j, j + 2,
                       "invalid escape in string: '\\' followed by %s 0x%02X",
                       *e < 0x80 ? "control character" : "invalid UTF-8 byte",
                       *e);
}

static void *bad_control(jp_t *p, size_t j)
{
    unsigned char c = (unsigned char)p->s[j];
    const char *as = c == '\t'   ? "\\t"
                     : c == '\b' ? "\\b"
                     : c == '\f' ? "\\f"
                                 : NULL;
    char esc[8];

    if (!as) {
        snprintf(esc, sizeof(esc), "\\u%04X", c);
        as = esc;
    }
    return ld__jp_fail(p, LD_ESYNTAX, j, j + 1,
                       "control character U+%04X in string (write it as %s)", c,
                       as);
}

static void *unterminated(jp_t *p, size_t start, size_t j)
{
    ld_pos_t sp = ld_pos_from_offset(p->s, p->len, start);

    return ld__jp_fail(p, LD_ESYNTAX, j, j,
                       "unterminated string (started at line %u, column %u)",
                       sp.line, sp.col);
}

/*
 * Pass 1: find the closing quote, checking UTF-8, control characters and
 * escape letters. Returns the offset of the closing quote, or 0 on error
 * (offset 0 can never be a closing quote). *esc says whether pass 2 (decode)
 * is needed.
 */
static size_t scan_string(jp_t *p, bool *esc)
{
    const unsigned char *s = (const unsigned char *)p->s;
    size_t st = p->i, j = st + 1;
    uint32_t cp;
    size_t n;

    for (;;) {
        uint64_t w;

        while (j + 8 <= p->len) {
            memcpy(&w, s + j, 8);
            if (word_special(w))
                break;
            j += 8;
        }
        while (plain_char[s[j]])
            j++;
        if (s[j] == '"')
            return j;
        if (j >= p->len || s[j] == '\n' || s[j] == '\r')
            return unterminated(p, st, j), 0;
        if (s[j] == '\\') {
            *esc = true;
            if (j + 1 >= p->len || s[j + 1] == '\n' || s[j + 1] == '\r') {
                j++;
                continue;
            }
            if (!escape_byte[s[j + 1]])
                return bad_escape(p, j), 0;
            j += 2;
            continue;
        }
        if (s[j] < 0x20)
            return bad_control(p, j), 0;
        n = ld__utf8_decode(s + j, p->len - j, &cp);
        if (!n)
            return ld__jp_fail(p, LD_ESYNTAX, j, j + 1,
                               "invalid UTF-8 in string (byte 0x%02X)", s[j]),
                   0;
        p->cont += n - 1;
        j += n;
    }
}

int ld__jp_string(jp_t *p, const char **out, size_t *outlen)
{
    bool esc = false;
    size_t q = scan_string(p, &esc), raw;
    char *buf;

    if (!q)
        return p->rc;
    raw = q - p->i - 1;
    buf = ld__arena_alloc(&p->doc->arena, raw + 1);
    if (!buf)
        return ld__jp_nomem(p), p->rc;
    if (esc) {
        if (decode_escapes(p, p->i + 1, q, buf, outlen))
            return p->rc;
    } else {
        memcpy(buf, p->s + p->i + 1, raw);
        buf[raw] = '\0';
        *outlen = raw;
    }
    *out = buf;
    p->i = q + 1;
    return 0;
}
