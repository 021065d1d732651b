/*
 * JSON strings from recorded text. URLs, names and failure messages come from
 * users and servers and may hold bytes that are not UTF-8; jansson refuses
 * those, so such bytes are replaced by U+FFFD rather than losing the record.
 */
#include "stats/stats_int.h"

#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p, or 0 when it is invalid
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_seq(const unsigned char *p)
{
    unsigned c = p[0];
    unsigned cp = 0;
    unsigned min = 0;
    size_t n = 0;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, cp = c & 0x1Fu, min = 0x80;
    } else if ((c & 0xF0u) == 0xE0) {
        n = 3, cp = c & 0x0Fu, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, cp = c & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0u) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static json_t *sanitized(const unsigned char *s, size_t len)
{
    char *buf = malloc(len * 3 + 1);
    size_t o = 0;
    json_t *j = NULL;

    if (!buf)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq(s + i);
        if (n) {
            memcpy(buf + o, s + i, n);
            o += n;
            i += n;
        } else {
            buf[o++] = (char)0xEF;   /* U+FFFD */
            buf[o++] = (char)0xBF;
            buf[o++] = (char)0xBD;
            i++;
        }
    }
    j = json_stringn_nocheck(buf, o);
    free(buf);
    return j;
}

json_t *ld__json_text(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s);

    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq(p + i);
        if (!n)
            return sanitized(p, len);
        i += n;
    }
    return json_stringn_nocheck(s, len);
}
