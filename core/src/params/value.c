/*
 * value.c - writing variable values into expanded text, UTF-8 repair, and
 * the built-in function now() (uuid() and randint(a,b) are in random.c, the
 * one place that needs OpenSSL, so that the linter links without it).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "params/params_int.h"

/* ---- compact JSON (our own writer: shortest round-trip reals) ---- */

static int write_real(double v, ld_buf_t *out)
{
    char tmp[40];
    int prec;
    int rc;

    if (!isfinite(v))
        return ld_buf_adds(out, "null");   /* JSON has no NaN/Infinity */
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    rc = ld_buf_adds(out, tmp);
    if (rc)
        return rc;
    /* keep it recognisably a real, like Python's str(3.0) */
    return strpbrk(tmp, ".eE") ? 0 : ld_buf_adds(out, ".0");
}

static int write_jstring(const char *s, size_t len, ld_buf_t *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, run = 0;
    int rc = ld_buf_addc(out, '"');

    for (i = 0; !rc && i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
        const char *rep = NULL;

        if (c == '"')
            rep = "\\\"";
        else if (c == '\\')
            rep = "\\\\";
        else if (c == '\n')
            rep = "\\n";
        else if (c == '\r')
            rep = "\\r";
        else if (c == '\t')
            rep = "\\t";
        else if (c < 0x20 || c == 0x7f)
            rep = esc;
        if (!rep)
            continue;
        rc = ld_buf_add(out, s + run, i - run);
        if (!rc)
            rc = ld_buf_adds(out, rep);
        run = i + 1;
    }
    if (!rc)
        rc = ld_buf_add(out, s + run, len - run);
    if (!rc)
        rc = ld_buf_addc(out, '"');
    return rc;
}

static int write_json(const json_t *v, ld_buf_t *out);

static int write_object(const json_t *v, ld_buf_t *out)
{
    const char *key;
    size_t klen;
    json_t *item;
    bool first = true;
    int rc = ld_buf_addc(out, '{');

    json_object_keylen_foreach((json_t *)(uintptr_t)v, key, klen, item) {
        if (rc)
            break;
        if (!first)
            rc = ld_buf_addc(out, ',');
        first = false;
        if (!rc)
            rc = write_jstring(key, klen, out);
        if (!rc)
            rc = ld_buf_addc(out, ':');
        if (!rc)
            rc = write_json(item, out);
    }
    return rc ? rc : ld_buf_addc(out, '}');
}

static int write_array(const json_t *v, ld_buf_t *out)
{
    size_t i;
    int rc = ld_buf_addc(out, '[');

    for (i = 0; !rc && i < json_array_size(v); i++) {
        if (i)
            rc = ld_buf_addc(out, ',');
        if (!rc)
            rc = write_json(json_array_get(v, i), out);
    }
    return rc ? rc : ld_buf_addc(out, ']');
}

static int write_json(const json_t *v, ld_buf_t *out)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return write_object(v, out);
    case JSON_ARRAY:
        return write_array(v, out);
    case JSON_STRING:
        return write_jstring(json_string_value(v), json_string_length(v), out);
    case JSON_INTEGER:
        return ld_buf_printf(out, "%" JSON_INTEGER_FORMAT,
                             json_integer_value(v));
    case JSON_REAL:
        return write_real(json_real_value(v), out);
    case JSON_TRUE:
        return ld_buf_adds(out, "true");
    case JSON_FALSE:
        return ld_buf_adds(out, "false");
    case JSON_NULL:
    default:
        return ld_buf_adds(out, "null");
    }
}

int ld__write_value(const json_t *v, ld_buf_t *out)
{
    if (json_is_string(v))
        return ld_buf_add(out, json_string_value(v), json_string_length(v));
    return write_json(v, out);
}

/* ---- UTF-8 ---- */

/* Length of the valid UTF-8 sequence at s, or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
    size_t n, i;
    uint32_t cp;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        n = 2, cp = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        n = 3, cp = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        n = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (n > len)
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

bool ld__utf8_valid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;

    while (i < len) {
        size_t n = utf8_seq(u + i, len - i);

        if (!n)
            return false;
        i += n;
    }
    return true;
}

int ld__utf8_lossy(const char *s, size_t len, ld_buf_t *out)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run = 0;
    int rc = 0;

    while (!rc && i < len) {
        size_t n = utf8_seq(u + i, len - i);

        if (n) {
            i += n;
            continue;
        }
        rc = ld_buf_add(out, s + run, i - run);
        if (!rc)
            rc = ld_buf_add(out, "\xef\xbf\xbd", 3);
        run = ++i;
    }
    if (!rc)
        rc = ld_buf_add(out, s + run, len - run);
    return rc;
}

json_t *ld__json_string(const char *s, size_t len)
{
    ld_buf_t b;
    json_t *j;

    if (ld__utf8_valid(s, len))
        return json_stringn_nocheck(s, len);
    ld_buf_init(&b, 0);
    if (ld__utf8_lossy(s, len, &b))
        return NULL;
    j = json_stringn_nocheck(b.data ? b.data : "", b.len);
    ld_buf_free(&b);
    return j;
}

/* ---- built-in functions ---- */

void ld__now_iso(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;

    if (!localtime_r(&t, &tm) ||
        !strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm))
        snprintf(out, 32, "1970-01-01T00:00:00");
}

bool ld__parse_int(const char *s, size_t len, int64_t *out)
{
    uint64_t v = 0;
    uint64_t limit = (uint64_t)INT64_MAX;
    bool neg = false, digit = false;
    size_t i = 0;

    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (neg)
        limit += 1;
    for (; i < len; i++) {
        if (s[i] == '_' && digit && i + 1 < len && s[i + 1] >= '0' &&
            s[i + 1] <= '9')
            continue;
        if (s[i] < '0' || s[i] > '9')
            return false;
        if (v > (limit - (uint64_t)(s[i] - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
        digit = true;
    }
    if (!digit)
        return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}
