/* JSON strings: a scan for the closing quote (16 bytes at a time with
 * SSE2) that checks UTF-8, control characters and escapes; a string with
 * escapes is decoded in the same pass from its first backslash, \uXXXX with
 * surrogate pairs included, and copied into the arena. */
#include "doc/json_int.h"

#include <stdio.h>
#include <stdlib.h>
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

#if !defined(__SSE2__)
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
#endif

#if defined(__SSE2__)
#include <emmintrin.h>
#define LD_JP_SSE2 1

/* Bit k set when byte k of v needs a look: '"', '\\', < 0x20 or >= 0x80
 * (a signed compare catches both ends). */
static inline unsigned mask16(__m128i v)
{
    __m128i m =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                  _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                     _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));

    return (unsigned)_mm_movemask_epi8(m);
}

static inline unsigned special16(const unsigned char *s)
{
    return mask16(_mm_loadu_si128((const __m128i *)(const void *)s));
}
#endif

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
    ['"'] = '"',  ['\\'] = '\\', ['/'] = '/',  ['b'] = '\b', ['f'] = '\f',
    ['n'] = '\n', ['r'] = '\r',  ['t'] = '\t', ['u'] = 'u'};

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

/* The first byte at or after j that needs a look ('"', '\\', a control
 * character, non-ASCII); s[len] is the NUL that ends the text. */
static size_t skip_plain(const unsigned char *s, size_t j, size_t len)
{
#ifdef LD_JP_SSE2
    while (j + 16 <= len) {
        unsigned m = special16(s + j);

        if (m)
            return j + (size_t)__builtin_ctz(m);
        j += 16;
    }
#else
    uint64_t w;

    while (j + 8 <= len) {
        memcpy(&w, s + j, 8);
        if (word_special(w))
            break;
        j += 8;
    }
#endif
    while (plain_char[s[j]])
        j++;
    return j;
}

/* A non-ASCII character at j: its length, counted for columns; 0 (and the
 * error recorded) when it is not UTF-8. */
static size_t utf8_at(jp_t *p, size_t j)
{
    const unsigned char *s = (const unsigned char *)p->s;
    uint32_t cp;
    size_t n = ld__utf8_decode(s + j, p->len - j, &cp);

    if (!n)
        return ld__jp_fail(p, LD_ESYNTAX, j, j + 1,
                           "invalid UTF-8 in string (byte 0x%02X)", s[j]),
               0;
    p->cont += n - 1;
    return n;
}

/* A string decoded past this size moves to the arena (see reserve). */
#define LONG_STRING ((size_t)64 << 10)

/*
 * Room for need more bytes after o in the decode buffer, by doubling. A
 * string that grows past LONG_STRING (the LSP's didOpen carries a whole
 * document as one, with an escape every few bytes) moves instead to an
 * arena block of its bound, the rest of the text (an escape never decodes
 * to more bytes than it is spelled with): no copy per doubling and none at
 * the end; the untouched end of the block costs no memory. The scratch
 * buffer waits in heap_sbuf.
 */
static int reserve(jp_t *p, size_t o, size_t need)
{
    size_t cap = p->scap ? p->scap : 4096;
    char *b;

    if (o + need <= p->scap)
        return 0;
    if (p->heap_sbuf) /* cannot happen: sbound bounds the string */
        return ld__jp_nomem(p), p->rc;
    if (o + need > LONG_STRING && !p->heap_sbuf && p->sbuf) {
        if (!(b = ld__arena_alloc(&p->doc->arena, p->sbound)))
            return ld__jp_nomem(p), p->rc;
        memcpy(b, p->sbuf, o);
        p->heap_sbuf = p->sbuf;
        p->heap_scap = p->scap;
        p->sbuf = b;
        p->scap = p->sbound;
        return 0;
    }
    while (cap < o + need)
        cap *= 2;
    if (!(b = realloc(p->sbuf, cap)))
        return ld__jp_nomem(p), p->rc;
    p->sbuf = b;
    p->scap = cap;
    return 0;
}

/*
 * The string from its first backslash at j: decoded into p->sbuf in one
 * pass (a JSON document embedded in a JSON string, as in an LSP didOpen,
 * has an escape every few bytes), checking what the scan checks. The plain
 * runs between escapes are copied 16 bytes at a time, stored whole and
 * counted up to the first byte that needs a look.
 */
static int decode_run(jp_t *p, size_t st, size_t j, size_t *outlen)
{
    const unsigned char *s = (const unsigned char *)p->s;
    size_t o = j - st - 1, n = 0;
    uint32_t cp = 0;

    p->sbound = p->len - st + 64;
    if (reserve(p, 0, o + 64))
        return p->rc;
    memcpy(p->sbuf, s + st + 1, o);
    for (;;) {
        unsigned char c, e;

#ifdef LD_JP_SSE2
        while (j + 16 <= p->len) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + j));
            unsigned m, k;
            char x;

            if (o + 32 > p->scap && reserve(p, o, 32))
                return p->rc;
            _mm_storeu_si128((__m128i *)(void *)(p->sbuf + o), v);
            if (!(m = mask16(v))) {
                j += 16;
                o += 16;
                continue;
            }
            k = (unsigned)__builtin_ctz(m);
            j += k;
            o += k;
            /* a one-letter escape: decoded here, without leaving the loop */
            if (s[j] != '\\' || s[j + 1] == 'u' || !(x = escape_byte[s[j + 1]]))
                break;
            p->sbuf[o++] = x;
            j += 2;
        }
#endif
        n = skip_plain(s, j, p->len) - j;
        if (reserve(p, o, n + 16))
            return p->rc;
        memcpy(p->sbuf + o, s + j, n);
        o += n;
        j += n;
        c = s[j];
        if (c == '"')
            break;
        if (j >= p->len || c == '\n' || c == '\r')
            return unterminated(p, st, j), p->rc;
        if (c == '\\') {
            e = s[j + 1];
            if (j + 1 >= p->len || e == '\n' || e == '\r') {
                j++; /* the line break ends the string: unterminated */
                continue;
            }
            if (!escape_byte[e])
                return bad_escape(p, j), p->rc;
            if (e == 'u') {
                if (read_u(p, j, &cp, &n))
                    return p->rc;
                o += ld__utf8_encode(cp, p->sbuf + o);
                j += n;
            } else {
                p->sbuf[o++] = escape_byte[e];
                j += 2;
            }
            continue;
        }
        if (c < 0x20)
            return bad_control(p, j), p->rc;
        if (!(n = utf8_at(p, j)))
            return p->rc;
        memcpy(p->sbuf + o, s + j, n);
        o += n;
        j += n;
    }
    *outlen = o;
    p->i = j + 1;
    return 0;
}

static int decode_from(jp_t *p, size_t st, size_t j, size_t *outlen)
{
    int rc = decode_run(p, st, j, outlen);

    if (rc && p->heap_sbuf) { /* the arena block stays with the arena */
        p->sbuf = p->heap_sbuf;
        p->scap = p->heap_scap;
        p->heap_sbuf = NULL;
    }
    return rc;
}

int ld__jp_string(jp_t *p, const char **out, size_t *outlen)
{
    const unsigned char *s = (const unsigned char *)p->s;
    size_t st = p->i, j = st + 1, n = 0;
    const char *from;
    char *buf;

    for (;;) { /* scan: most strings have no escape and need no decoding */
        j = skip_plain(s, j, p->len);
        if (s[j] == '"' || s[j] == '\\')
            break;
        if (j >= p->len || s[j] == '\n' || s[j] == '\r')
            return unterminated(p, st, j), p->rc;
        if (s[j] < 0x20)
            return bad_control(p, j), p->rc;
        if (!(n = utf8_at(p, j)))
            return p->rc;
        j += n;
    }
    if (s[j] == '"') {
        n = j - st - 1;
        from = p->s + st + 1;
        p->i = j + 1;
    } else {
        if (decode_from(p, st, j, &n))
            return p->rc;
        if (p->heap_sbuf) { /* a long one, decoded in place in the arena */
            p->sbuf[n] = '\0';
            *out = p->sbuf;
            *outlen = n;
            p->sbuf = p->heap_sbuf;
            p->scap = p->heap_scap;
            p->heap_sbuf = NULL;
            return 0;
        }
        from = p->sbuf;
    }
    if (!(buf = ld__arena_alloc(&p->doc->arena, n + 1)))
        return ld__jp_nomem(p), p->rc;
    memcpy(buf, from, n);
    buf[n] = '\0';
    *out = buf;
    *outlen = n;
    return 0;
}
