/*
 * Incremental HTTP/1.x request parser of the embedded target.
 *
 * The head is scanned line by line as bytes arrive (bare LF accepted) and
 * parsed in one pass once the blank line is seen; the body is framed by
 * Content-Length or decoded from chunked in place. Anything malformed is an
 * error status (400, 413, 431, 501, 505), never undefined behaviour: every
 * access is bounded by len and every number is range-checked.
 */
#include "target/target_int.h"

#include <string.h>

enum { CS_SIZE = 0, CS_DATA, CS_DATA_END, CS_TRAILER };

static int is_tchar(unsigned char ch)
{
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
        (ch >= '0' && ch <= '9'))
        return 1;
    return ch != 0 && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

static int lower(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
}

static int span_ieq(const char *p, ld__span_t s, const char *lit)
{
    size_t n = strlen(lit);

    if (s.len != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)p[s.off + i]) != lit[i])
            return 0;
    return 1;
}

static int set_error(ld__treq_t *r, int status)
{
    r->status = status;
    return LD__P_ERROR;
}

/* Bytes of the request line so far: printable ASCII only (this rejects
 * binary garbage such as a TLS hello long before the head limit). */
static int reqline_ok(const char *p, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        unsigned char ch = (unsigned char)p[i];
        if ((ch < 0x20 || ch > 0x7e) && ch != '\r')
            return 0;
    }
    return 1;
}

static int parse_version(ld__treq_t *r, const char *v, size_t n)
{
    if (n == 8 && memcmp(v, "HTTP/1.", 7) == 0 &&
        (v[7] == '0' || v[7] == '1')) {
        r->minor = v[7] - '0';
        return 0;
    }
    if (n == 8 && memcmp(v, "HTTP/", 5) == 0 && v[5] >= '0' &&
        v[5] <= '9' && v[6] == '.' && v[7] >= '0' && v[7] <= '9')
        return 505;
    return 400;
}

static int parse_reqline(ld__treq_t *r, const char *p, size_t n)
{
    size_t i = 0, t0;

    while (i < n && is_tchar((unsigned char)p[i]))
        i++;
    if (i == 0 || i > 64 || i >= n || p[i] != ' ')
        return 400;
    r->method = (ld__span_t){0, (uint32_t)i};
    t0 = ++i;
    while (i < n && p[i] > 0x20 && p[i] < 0x7f)
        i++;
    if (i == t0 || i >= n || p[i] != ' ')
        return 400;
    r->target = (ld__span_t){(uint32_t)t0, (uint32_t)(i - t0)};
    i++;
    r->is_head = r->method.len == 4 && memcmp(p, "HEAD", 4) == 0;
    return parse_version(r, p + i, n - i);
}

int ld__treq_header(const char *p, size_t head_len, size_t *pos,
                    ld__span_t *name, ld__span_t *value)
{
    size_t i = *pos, end, n0, v0;
    const char *nl = memchr(p + i, '\n', head_len - i);

    if (!nl)
        return -1;
    end = (size_t)(nl - p);
    *pos = end + 1;
    if (end > i && p[end - 1] == '\r')
        end--;
    if (end == i)
        return 0;
    n0 = i;
    while (i < end && is_tchar((unsigned char)p[i]))
        i++;
    if (i == n0 || i >= end || p[i] != ':')
        return -1; /* also obs-fold and space before the colon */
    *name = (ld__span_t){(uint32_t)n0, (uint32_t)(i - n0)};
    i++;
    while (i < end && (p[i] == ' ' || p[i] == '\t'))
        i++;
    v0 = i;
    for (; i < end; i++) {
        unsigned char ch = (unsigned char)p[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
            return -1;
    }
    while (end > v0 && (p[end - 1] == ' ' || p[end - 1] == '\t'))
        end--;
    *value = (ld__span_t){(uint32_t)v0, (uint32_t)(end - v0)};
    return 1;
}

/* Content-Length: digits only; huge values saturate (they become 413). */
static int parse_clen(ld__treq_t *r, const char *p, ld__span_t v)
{
    uint64_t n = 0;

    if (v.len == 0)
        return 400;
    for (uint32_t i = 0; i < v.len; i++) {
        char ch = p[v.off + i];
        if (ch < '0' || ch > '9')
            return 400;
        if (n < ((uint64_t)1 << 40))
            n = n * 10 + (uint64_t)(ch - '0');
    }
    if (r->ncl++ && n != r->clen)
        return 400;
    r->clen = n;
    return 0;
}

/* Does the comma-separated list v contain token tok (lowercase)? */
static int has_token(const char *p, ld__span_t v, const char *tok)
{
    size_t i = v.off, end = (size_t)v.off + v.len;

    while (i < end) {
        size_t s, e;
        while (i < end && (p[i] == ',' || p[i] == ' ' || p[i] == '\t'))
            i++;
        s = i;
        while (i < end && p[i] != ',')
            i++;
        e = i;
        while (e > s && (p[e - 1] == ' ' || p[e - 1] == '\t'))
            e--;
        if (span_ieq(p, (ld__span_t){(uint32_t)s, (uint32_t)(e - s)}, tok))
            return 1;
    }
    return 0;
}

static int on_header(ld__treq_t *r, const char *p, ld__span_t nm,
                     ld__span_t v, int *close, int *keep)
{
    switch (nm.len) {
    case 6:
        if (span_ieq(p, nm, "expect") && span_ieq(p, v, "100-continue"))
            r->expect100 = 1;
        break;
    case 10:
        if (span_ieq(p, nm, "connection")) {
            *close |= has_token(p, v, "close");
            *keep |= has_token(p, v, "keep-alive");
        }
        break;
    case 12:
        if (span_ieq(p, nm, "content-type") && !r->ctype.len)
            r->ctype = v;
        break;
    case 13:
        if (span_ieq(p, nm, "authorization") && !r->authz.len)
            r->authz = v;
        break;
    case 14:
        if (span_ieq(p, nm, "content-length"))
            return parse_clen(r, p, v);
        break;
    case 17:
        if (span_ieq(p, nm, "transfer-encoding")) {
            if (r->nte++)
                return 400;
            if (!span_ieq(p, v, "chunked"))
                r->status = 501;
            r->chunked = 1;
        }
        break;
    default:
        break;
    }
    return 0;
}

/* The whole head is here: request line, headers, framing. */
static int parse_head(ld__treq_t *r, const char *p)
{
    int st, close = 0, keep = 0, got;
    size_t pos = r->reqline_end;
    ld__span_t nm, v;

    while ((got = ld__treq_header(p, r->head_len, &pos, &nm, &v)) == 1) {
        st = on_header(r, p, nm, v, &close, &keep);
        if (st)
            return set_error(r, st);
    }
    if (got < 0)
        return set_error(r, 400);
    if (r->ncl && r->nte)
        return set_error(r, 400);
    r->keepalive = r->minor == 1 ? !close : (keep && !close);
    if (!r->status && !r->chunked && r->clen > LD__T_BODY_MAX)
        r->status = 413;
    r->phase = 1;
    r->cpos = r->head_len;
    return LD__P_HEAD;
}

/* Look for the blank line ending the head, resuming where the last call
 * stopped. */
static int scan_head(ld__treq_t *r, char *p, size_t len)
{
    size_t lim = len < LD__T_HEAD_MAX ? len : LD__T_HEAD_MAX;
    size_t pos = r->scan;

    while (pos < lim) {
        const char *nl = memchr(p + pos, '\n', lim - pos);
        size_t ls = r->line, eol;

        if (!nl) {
            if (ls == 0 && !reqline_ok(p, pos, lim))
                return set_error(r, 400);
            pos = lim;
            break;
        }
        eol = (size_t)(nl - p);
        pos = eol + 1;
        r->line = (uint32_t)pos;
        if (ls == 0) {
            size_t n = eol > 0 && p[eol - 1] == '\r' ? eol - 1 : eol;
            int st;
            if (!reqline_ok(p, r->scan, eol) || memchr(p, '\r', n))
                return set_error(r, 400);
            st = parse_reqline(r, p, n);
            if (st)
                return set_error(r, st);
            r->reqline_end = (uint32_t)pos;
            continue;
        }
        if (eol == ls || (eol == ls + 1 && p[ls] == '\r')) {
            r->head_len = (uint32_t)pos;
            return parse_head(r, p);
        }
    }
    r->scan = (uint32_t)pos;
    if (lim == LD__T_HEAD_MAX)
        return set_error(r, 431);
    return LD__P_MORE;
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = lower(ch);
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

/* One chunk-size line [s, e): hex size, optional extensions. */
static int chunk_size(ld__treq_t *r, const char *p, size_t s, size_t e)
{
    uint64_t v = 0;
    size_t i = s;

    if (e > s && p[e - 1] == '\r')
        e--;
    for (; i < e && hexval((unsigned char)p[i]) >= 0; i++) {
        v = v * 16 + (uint64_t)hexval((unsigned char)p[i]);
        if (v > LD__T_BODY_MAX)
            return 413;
    }
    if (i == s)
        return 400;
    while (i < e && (p[i] == ' ' || p[i] == '\t'))
        i++;
    if (i < e && p[i] != ';')
        return 400;
    for (; i < e; i++) {
        unsigned char ch = (unsigned char)p[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
            return 400;
    }
    if (r->body_len + v > LD__T_BODY_MAX)
        return 413;
    r->cleft = v;
    return 0;
}

static int chunk_line(ld__treq_t *r, char *p, size_t len, int *st)
{
    size_t pos = r->cpos;
    const char *nl = memchr(p + pos, '\n', len - pos);

    *st = 0;
    if (!nl) {
        if (len - pos > LD__T_CHUNK_LINE_MAX)
            *st = 400;
        return 0;
    }
    r->cpos = (size_t)(nl - p) + 1;
    if (r->cstate == CS_TRAILER) {
        size_t n = (size_t)(nl - p) - pos;
        if (n == 0 || (n == 1 && p[pos] == '\r')) {
            r->total = r->cpos;
            r->phase = 2;
        }
        return 1;
    }
    *st = chunk_size(r, p, pos, (size_t)(nl - p));
    if (!*st)
        r->cstate = r->cleft ? CS_DATA : CS_TRAILER;
    return 1;
}

static int chunk_data(ld__treq_t *r, char *p, size_t len)
{
    size_t avail = len - r->cpos;
    size_t n = avail < r->cleft ? avail : (size_t)r->cleft;

    memmove(p + r->head_len + r->body_len, p + r->cpos, n);
    r->body_len += n;
    r->cpos += n;
    r->cleft -= n;
    if (r->cleft)
        return 0;
    r->cstate = CS_DATA_END;
    return 1;
}

static int chunk_end(ld__treq_t *r, const char *p, size_t len, int *st)
{
    size_t pos = r->cpos;

    *st = 0;
    if (pos >= len)
        return 0;
    if (p[pos] == '\n') {
        r->cpos = pos + 1;
    } else if (p[pos] == '\r') {
        if (pos + 1 >= len)
            return 0;
        if (p[pos + 1] != '\n') {
            *st = 400;
            return 0;
        }
        r->cpos = pos + 2;
    } else {
        *st = 400;
        return 0;
    }
    r->cstate = CS_SIZE;
    return 1;
}

static int parse_chunked(ld__treq_t *r, char *p, size_t len)
{
    int st = 0, go = 1;

    if (len > LD__T_RAW_MAX)
        return set_error(r, 413);
    while (go && r->phase == 1) {
        switch (r->cstate) {
        case CS_SIZE:
        case CS_TRAILER:
            go = chunk_line(r, p, len, &st);
            break;
        case CS_DATA:
            go = chunk_data(r, p, len);
            break;
        default:
            go = chunk_end(r, p, len, &st);
            break;
        }
        if (st)
            return set_error(r, st);
    }
    return r->phase == 2 ? LD__P_DONE : LD__P_MORE;
}

int ld__treq_parse(ld__treq_t *r, char *p, size_t len)
{
    if (r->phase == 0)
        return scan_head(r, p, len);
    if (r->phase == 2)
        return LD__P_DONE;
    if (r->chunked)
        return parse_chunked(r, p, len);
    if (len - r->head_len < r->clen)
        return LD__P_MORE;
    r->body_len = (size_t)r->clen;
    r->total = r->head_len + (size_t)r->clen;
    r->phase = 2;
    return LD__P_DONE;
}
