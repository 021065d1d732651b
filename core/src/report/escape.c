/*
 * Escaping for every report format. Names, URLs and failure messages come
 * from users and servers: they may hold markup, quotes, control characters
 * and bytes that are not UTF-8. One walker splits the text into characters
 * (an invalid byte becomes U+FFFD, since every output is declared UTF-8)
 * and asks the format how to write each one; runs of plain characters are
 * copied in one go so large reports stay cheap.
 */
#include "report/report_int.h"

#include <string.h>

#define REPL "\xEF\xBF\xBD"       /* U+FFFD */
#define ELLIPSIS "\xE2\x80\xA6"   /* U+2026 */

size_t ld__utf8_seq(const unsigned char *p, size_t avail)
{
    unsigned c = p[0];
    unsigned cp = 0;
    unsigned min = 0;
    size_t n = 0;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, cp = c & 0x1Fu, min = 0x80;
    else if ((c & 0xF0u) == 0xE0)
        n = 3, cp = c & 0x0Fu, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, cp = c & 0x07u, min = 0x10000;
    else
        return 0;
    if (n > avail)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0u) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* ---- the walker ---- */

typedef struct sink {
    FILE *f;
    ld_buf_t *b;
    int err;
} sink_t;

static void sink_put(sink_t *k, const void *p, size_t n)
{
    if (!n || k->err)
        return;
    if (k->f)
        fwrite(p, 1, n, k->f);
    else
        k->err = ld_buf_add(k->b, p, n);
}

static void sink_puts(sink_t *k, const char *s)
{
    sink_put(k, s, strlen(s));
}

/* Replacement text for one valid character, or NULL to copy it as is. */
typedef const char *(*esc_fn)(const unsigned char *p, size_t n);

static void walk(sink_t *k, const char *s, size_t max, esc_fn esc)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t len = strlen((const char *)p);
    size_t i = 0;
    size_t run = 0;

    while (i < len && !(max && i >= max)) {
        size_t n = ld__utf8_seq(p + i, len - i);
        const char *rep = n ? esc(p + i, n) : REPL;

        if (!n)
            n = 1;
        if (rep) {
            sink_put(k, p + run, i - run);
            sink_puts(k, rep);
            run = i + n;
        }
        i += n;
    }
    sink_put(k, p + run, i - run);
    if (i < len)
        sink_puts(k, ELLIPSIS);
}

/* C0 controls other than tab, LF, CR, and DEL. */
static bool bad_control(unsigned c)
{
    return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
}

/* U+0080..U+009F (C1 controls) */
static bool is_c1(const unsigned char *p, size_t n)
{
    return n == 2 && p[0] == 0xC2 && p[1] < 0xA0;
}

/* U+FFFE and U+FFFF are not XML characters. */
static bool xml_nonchar(const unsigned char *p, size_t n)
{
    return n == 3 && p[0] == 0xEF && p[1] == 0xBF && p[2] >= 0xBE;
}

/* ---- formats ---- */

static const char *esc_html(const unsigned char *p, size_t n)
{
    if (n > 1)
        return is_c1(p, n) ? REPL : NULL;
    switch (p[0]) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    case '\r': return "&#13;";
    default: return bad_control(p[0]) ? REPL : NULL;
    }
}

static const char *esc_xml_text(const unsigned char *p, size_t n)
{
    if (n > 1)
        return xml_nonchar(p, n) ? REPL : NULL;
    switch (p[0]) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '\r': return "&#13;";   /* would be normalised to LF otherwise */
    default: return bad_control(p[0]) && p[0] != 0x7F ? REPL : NULL;
    }
}

/* Attribute values are normalised by parsers: whitespace stays only as
 * character references. */
static const char *esc_xml_attr(const unsigned char *p, size_t n)
{
    if (n == 1) {
        switch (p[0]) {
        case '"': return "&quot;";
        case '\t': return "&#9;";
        case '\n': return "&#10;";
        default: break;
        }
    }
    return esc_xml_text(p, n);
}

static const char *esc_csv(const unsigned char *p, size_t n)
{
    return n == 1 && p[0] == '"' ? "\"\"" : NULL;
}

static const char *esc_gh_msg(const unsigned char *p, size_t n)
{
    if (n > 1)
        return NULL;
    switch (p[0]) {
    case '%': return "%25";
    case '\r': return "%0D";
    case '\n': return "%0A";
    default: return NULL;
    }
}

static const char *esc_gh_prop(const unsigned char *p, size_t n)
{
    if (n == 1 && p[0] == ':')
        return "%3A";
    if (n == 1 && p[0] == ',')
        return "%2C";
    return esc_gh_msg(p, n);
}

static const char *esc_none(const unsigned char *p, size_t n)
{
    (void)p;
    (void)n;
    return NULL;
}

void ld__put_html(FILE *f, const char *s, size_t max_bytes)
{
    sink_t k = {f, NULL, 0};

    walk(&k, s, max_bytes, esc_html);
}

void ld__put_xml(FILE *f, const char *s, bool attr, size_t max_bytes)
{
    sink_t k = {f, NULL, 0};

    walk(&k, s, max_bytes, attr ? esc_xml_attr : esc_xml_text);
}

void ld__put_csv(FILE *f, const char *s)
{
    sink_t k = {f, NULL, 0};
    bool quote = s && (strpbrk(s, ",\"\r\n") != NULL || s[0] == ' ' ||
                       (s[0] && s[strlen(s) - 1] == ' '));

    if (quote)
        fputc('"', f);
    walk(&k, s, 0, esc_csv);
    if (quote)
        fputc('"', f);
}

int ld__gh_escape(ld_buf_t *b, const char *s, bool property, size_t max_bytes)
{
    sink_t k = {NULL, b, 0};

    walk(&k, s, max_bytes, property ? esc_gh_prop : esc_gh_msg);
    return k.err;
}

json_t *ld__json_str(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t len = strlen((const char *)p);
    ld_buf_t b;
    sink_t k = {NULL, &b, 0};
    json_t *j = NULL;
    size_t i = 0;

    while (i < len) {
        size_t n = ld__utf8_seq(p + i, len - i);
        if (!n)
            break;
        i += n;
    }
    if (i == len)
        return json_stringn_nocheck((const char *)p, len);
    ld_buf_init(&b, 0);
    walk(&k, (const char *)p, 0, esc_none);
    if (!k.err)
        j = json_stringn_nocheck(b.data ? b.data : "", b.len);
    ld_buf_free(&b);
    return j;
}

int ld__put_json_str(FILE *f, const char *s)
{
    json_t *j = ld__json_str(s);

    if (!j)
        return LD_ENOMEM;
    json_dumpf(j, f, JSON_ENCODE_ANY);
    json_decref(j);
    return 0;
}

void ld__put_ms(FILE *f, uint64_t us)
{
    fprintf(f, "%llu.%03u", (unsigned long long)(us / 1000u),
            (unsigned)(us % 1000u));
}
