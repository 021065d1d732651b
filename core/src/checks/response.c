/*
 * Response helpers for the checks: header lookup in raw header blocks and
 * short, escaped renderings of values for failure messages.
 */
#include "checks/checks_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- headers ---- */

static bool is_ows(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static const char *line_end(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));

    return nl ? nl : end;
}

static bool is_status_line(const char *p, const char *eol)
{
    return eol - p >= 5 && memcmp(p, "HTTP/", 5) == 0;
}

/* With redirects (or a 100 Continue) curl hands over several header blocks;
   the response that counts is the one after the last status line. Trailers
   that follow the last block are part of it. */
static const char *last_block(const char *h, const char *end)
{
    const char *block = h, *p = h;

    while (p < end) {
        const char *eol = line_end(p, end);

        if (is_status_line(p, eol))
            block = p;
        p = eol < end ? eol + 1 : end;
    }
    return block;
}

static bool header_line(const char *p, const char *eol, const char *name,
                        size_t nlen, const char **val, size_t *vlen)
{
    const char *colon, *n_end, *v, *v_end;

    /* Obsolete line folding (a line starting with white space) and the
       status line are not headers. */
    if (p == eol || *p == ' ' || *p == '\t' || is_status_line(p, eol))
        return false;
    colon = memchr(p, ':', (size_t)(eol - p));
    if (!colon)
        return false;
    n_end = colon;
    while (n_end > p && is_ows(n_end[-1]))
        n_end--;
    if ((size_t)(n_end - p) != nlen || strncasecmp(p, name, nlen) != 0)
        return false;
    v = colon + 1;
    v_end = eol;
    while (v < v_end && is_ows(*v))
        v++;
    while (v_end > v && is_ows(v_end[-1]))
        v_end--;
    *val = v;
    *vlen = (size_t)(v_end - v);
    return true;
}

bool ld__header_find(const char *headers, size_t len, const char *name,
                     const char **val, size_t *vlen)
{
    const char *end, *p;
    size_t nlen;
    bool found = false;

    if (!headers || !len || !name)
        return false;
    nlen = strlen(name);
    end = headers + len;
    for (p = last_block(headers, end); p < end;) {
        const char *eol = line_end(p, end);
        const char *v;
        size_t vl;

        if (header_line(p, eol, name, nlen, &v, &vl)) {
            *val = v;   /* keep going: the last occurrence wins */
            *vlen = vl;
            found = true;
        }
        p = eol < end ? eol + 1 : end;
    }
    return found;
}

/* ---- status codes written as text ---- */

bool ld__parse_status(const char *s, size_t len, int64_t *out)
{
    size_t i = 0, digits = 0;
    int64_t v = 0;

    while (len && is_ows(s[len - 1]))
        len--;
    while (i < len && is_ows(s[i]))
        i++;
    if (i < len && s[i] == '+')
        i++;
    for (; i < len; i++, digits++) {
        if (s[i] < '0' || s[i] > '9' || digits >= 9)
            return false;
        v = v * 10 + (s[i] - '0');
    }
    if (!digits)
        return false;
    *out = v;
    return true;
}

/* ---- values in messages ---- */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len, i;
    uint32_t cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2, cp = s[0] & 0x1F;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3, cp = s[0] & 0x0F;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

static int show_byte(unsigned char ch, ld_buf_t *out)
{
    switch (ch) {
    case '"':
        return ld_buf_adds(out, "\\\"");
    case '\\':
        return ld_buf_adds(out, "\\\\");
    case '\n':
        return ld_buf_adds(out, "\\n");
    case '\r':
        return ld_buf_adds(out, "\\r");
    case '\t':
        return ld_buf_adds(out, "\\t");
    default:
        if (ch < 0x20 || ch == 0x7F)
            return ld_buf_printf(out, "\\u%04x", ch);
        if (ch >= 0x80)
            return ld_buf_printf(out, "\\x%02x", ch);
        return ld_buf_addc(out, (char)ch);
    }
}

int ld__show_str(const char *s, size_t len, size_t max, ld_buf_t *out)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    int rc = ld_buf_addc(out, '"');

    while (!rc && i < len) {
        size_t n = utf8_seq(u + i, len - i);

        if (i >= max) {
            rc = ld_buf_adds(out, "...");
            break;
        }
        if (n > 1) {
            rc = ld_buf_add(out, s + i, n);
            i += n;
        } else {
            rc = show_byte(u[i], out);
            i++;
        }
    }
    return rc ? rc : ld_buf_addc(out, '"');
}

void ld__real_text(double d, char *buf, size_t size)
{
    int prec, exp;

    if (d != d || d - d != 0) {
        snprintf(buf, size, "%s", d != d ? "NaN" : d > 0 ? "Infinity"
                                                         : "-Infinity");
        return;
    }
    /* the fewest significant digits that read back exactly */
    for (prec = 1; prec < 17; prec++) {
        snprintf(buf, size, "%.*e", prec - 1, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    snprintf(buf, size, "%.*e", prec - 1, d);
    exp = atoi(strchr(buf, 'e') + 1);
    if (exp < -4 || exp >= 16)
        return;   /* scientific, as Python's repr: "1e+20", "1.5e-07" */
    snprintf(buf, size, "%.*f", prec - 1 - exp > 0 ? prec - 1 - exp : 0, d);
    if (!strchr(buf, '.'))
        snprintf(buf + strlen(buf), size - strlen(buf), ".0");
}

typedef struct capped {
    ld_buf_t *out;
    size_t left;
    bool cut;
    int rc;
} capped_t;

/* json_dump_callback sink that stops once enough has been written. */
static int capped_write(const char *buf, size_t size, void *data)
{
    capped_t *c = data;
    size_t n = size;

    if (n > c->left) {
        n = c->left;
        while (n && ((unsigned char)buf[n] & 0xC0) == 0x80)
            n--;   /* cut at a UTF-8 boundary */
        c->cut = true;
    }
    c->rc = ld_buf_add(c->out, buf, n);
    c->left -= n;
    return c->rc || c->cut ? -1 : 0;
}

int ld__show_json(const json_t *v, size_t max, ld_buf_t *out)
{
    capped_t c = {out, max, false, 0};
    char num[48];

    if (!v)
        return ld_buf_adds(out, "nothing");
    switch (json_typeof(v)) {
    case JSON_STRING:
        return ld__show_str(json_string_value(v), json_string_length(v), max,
                            out);
    case JSON_REAL:
        ld__real_text(json_real_value(v), num, sizeof(num));
        return ld_buf_adds(out, num);
    case JSON_INTEGER:
        return ld_buf_printf(out, "%lld", (long long)json_integer_value(v));
    default:
        break;
    }
    json_dump_callback(v, capped_write, &c,
                       JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
    if (c.rc)
        return c.rc;
    return c.cut ? ld_buf_adds(out, "...") : 0;
}
