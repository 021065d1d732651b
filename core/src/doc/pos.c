/* UTF-8 helpers and position conversions (code points, LSP UTF-16). */
#include "doc/doc_int.h"

#include <string.h>

size_t ld__utf8_decode(const unsigned char *p, size_t avail, uint32_t *cp)
{
    unsigned char c = p[0];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t n, i;
    uint32_t v;

    if (!avail)
        return 0;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0Fu;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong forms */
        else if (c == 0xED)
            hi = 0x9F; /* no UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07u;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3Fu);
    }
    *cp = v;
    return n;
}

bool ld__utf8_ok(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    uint32_t cp;

    while (i < len) {
        uint64_t w;

        while (i + 8 <= len) {
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        while (i < len && p[i] < 0x80)
            i++;
        if (i < len) {
            size_t n = ld__utf8_decode(p + i, len - i, &cp);

            if (!n)
                return false;
            i += n;
        }
    }
    return true;
}

size_t ld__utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;

    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t ld__bom_len(const char *text, size_t len)
{
    return len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* ---- cursor ---- */

void ld__poscur_init(ld__poscur_t *c, const char *text, size_t len)
{
    c->text = text;
    c->len = len;
    c->line = 1;
    c->line_start = ld__bom_len(text, len);
    c->off = c->line_start;
    c->col = 1;
}

ld_pos_t ld__poscur_seek(ld__poscur_t *c, size_t off)
{
    const unsigned char *s = (const unsigned char *)c->text;
    ld_pos_t p;

    if (off > c->len)
        off = c->len;
    if (off < c->line_start) {
        ld__poscur_init(c, c->text, c->len);
        if (off < c->line_start) { /* inside the BOM */
            p.line = 1;
            p.col = 1;
            p.off = (uint32_t)off;
            return p;
        }
    }
    if (off < c->off) {
        c->off = c->line_start;
        c->col = 1;
    }
    while (c->off < off) {
        unsigned char ch = s[c->off++];

        if (ch == '\n' ||
            (ch == '\r' && (c->off >= c->len || s[c->off] != '\n'))) {
            c->line++;
            c->line_start = c->off;
            c->col = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c->col++;
        }
    }
    p.line = c->line;
    p.col = c->col;
    p.off = (uint32_t)off;
    return p;
}

ld_pos_t ld_pos_from_offset(const char *text, size_t len, size_t off)
{
    ld__poscur_t c;

    ld__poscur_init(&c, text, len);
    return ld__poscur_seek(&c, off);
}

/* UTF-16 code units of the code point starting at text[i]; *n its bytes. */
static uint32_t utf16_units(const char *text, size_t len, size_t i, size_t *n)
{
    uint32_t cp;

    *n = ld__utf8_decode((const unsigned char *)text + i, len - i, &cp);
    if (!*n) {
        *n = 1; /* a stray byte counts as one replacement character */
        return 1;
    }
    return cp >= 0x10000 ? 2 : 1;
}

void ld_pos_to_utf16(const char *text, size_t len, size_t off, uint32_t *line0,
                     uint32_t *char16)
{
    ld__poscur_t c;
    ld_pos_t p;
    size_t i, n;
    uint32_t units = 0;

    ld__poscur_init(&c, text, len);
    p = ld__poscur_seek(&c, off);
    off = p.off;
    i = off < c.line_start ? off : c.line_start;
    while (i < off) {
        uint32_t u = utf16_units(text, len, i, &n);

        if (i + n > off)
            break; /* off points inside a multi-byte sequence */
        units += u;
        i += n;
    }
    *line0 = p.line - 1;
    *char16 = units;
}

/* Offset just past the line break that ends the line starting at i, or len. */
static size_t next_line(const char *text, size_t len, size_t i)
{
    while (i < len) {
        char ch = text[i++];

        if (ch == '\n')
            return i;
        if (ch == '\r')
            return i < len && text[i] == '\n' ? i + 1 : i;
    }
    return len;
}

size_t ld_offset_from_utf16(const char *text, size_t len, uint32_t line0,
                            uint32_t char16)
{
    size_t i = ld__bom_len(text, len), n;
    uint32_t line, units = 0;

    for (line = 0; line < line0; line++) {
        i = next_line(text, len, i);
        if (i >= len)
            return len;
    }
    while (i < len && text[i] != '\n' && text[i] != '\r') {
        uint32_t u = utf16_units(text, len, i, &n);

        if (units + u > char16)
            break;
        units += u;
        i += n;
    }
    return i;
}
