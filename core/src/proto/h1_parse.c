/*
 * h1_parse.c - an incremental HTTP/1.1 response parser: status line and
 * headers (parsed in place when the head arrives in one read, else
 * collected first), then a body framed by Content-Length, chunked encoding
 * or the end of the connection. HEAD requests, 1xx, 204 and 304 have no
 * body. Only what the driver needs is looked at: the status, the framing,
 * Connection, Location and Set-Cookie. Error texts follow libcurl's.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/h1_int.h"

enum { HEAD_MORE = 0, HEAD_BODY, HEAD_DONE, HEAD_ERR };

void ld__h1_parse_reset(ld__h1_conn_t *c)
{
    c->pst = H1_P_HEAD;
    c->keep = true;
    c->chunk_hex = false;
    c->left = 0;
    c->got = 0;
    c->status = 0;
    ld_buf_reset(&c->head);
}

static void fail(ld__h1_conn_t *c, const char *msg)
{
    ld__h1_on_conn_error(c, 0, msg);
}

/* Length of the head through its empty line, or 0 when incomplete; the
   scan starts at from (at or before the LF that precedes the empty line). */
static size_t head_end(const char *p, size_t n, size_t from)
{
    const char *nl;
    size_t i = from;
    while (i < n && (nl = memchr(p + i, '\n', n - i))) {
        size_t k = (size_t)(nl - p) + 1;
        if (k < n && p[k] == '\n')
            return k + 1;
        if (k + 1 < n && p[k] == '\r' && p[k + 1] == '\n')
            return k + 2;
        i = k;
    }
    return 0;
}

static bool name_is(const char *p, size_t n, const char *name, size_t len)
{
    return n == len && !strncasecmp(p, name, len);
}

/* The tokens of a comma-separated header value the parser cares about
   (each trimmed, parameters after ';' ignored). */
typedef struct tok_seen {
    bool close, keepalive, chunked;
} tok_seen_t;

static void tokens(const char *v, size_t n, tok_seen_t *seen)
{
    size_t i = 0;
    while (i < n) {
        size_t s, e;
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        s = i;
        while (i < n && v[i] != ',' && v[i] != ';')
            i++;
        e = i;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
            e--;
        if (e - s == 5 && !strncasecmp(v + s, "close", 5))
            seen->close = true;
        else if (e - s == 10 && !strncasecmp(v + s, "keep-alive", 10))
            seen->keepalive = true;
        else if (e - s == 7 && !strncasecmp(v + s, "chunked", 7))
            seen->chunked = true;
        while (i < n && v[i] != ',')
            i++;
    }
}

typedef struct head_info {
    int minor;
    bool has_len;
    tok_seen_t conn; /* Connection tokens */
    tok_seen_t te;   /* Transfer-Encoding tokens */
    uint64_t len;
} head_info_t;

static int status_line(ld__h1_conn_t *c, const char *p, size_t n,
                       head_info_t *h)
{
    if (n < 5 || memcmp(p, "HTTP/", 5)) {
        fail(c, "Received HTTP/0.9 when not allowed");
        return HEAD_ERR;
    }
    if (n < 12 || p[5] != '1' || p[6] != '.' || p[7] < '0' || p[7] > '9' ||
        p[8] != ' ' || p[9] < '1' || p[9] > '9' || p[10] < '0' || p[10] > '9' ||
        p[11] < '0' || p[11] > '9' ||
        (n > 12 && p[12] != ' ' && p[12] != '\r' && p[12] != '\n')) {
        fail(c, "Unsupported HTTP version or status line in response");
        return HEAD_ERR;
    }
    h->minor = p[7] - '0';
    c->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    return HEAD_MORE;
}

static int content_length(ld__h1_conn_t *c, const char *v, size_t n,
                          head_info_t *h)
{
    uint64_t len = 0;
    if (!n)
        goto bad;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9' || len > (UINT64_MAX - 9) / 10)
            goto bad;
        len = len * 10 + (uint64_t)(v[i] - '0');
    }
    if (h->has_len && h->len != len)
        goto bad;
    h->has_len = true;
    h->len = len;
    return HEAD_MORE;
bad:
    fail(c, "Invalid Content-Length: value");
    return HEAD_ERR;
}

static int header(ld__h1_conn_t *c, const char *p, size_t n, head_info_t *h)
{
    const char *colon = memchr(p, ':', n), *v;
    size_t nl, vl;
    if (!colon || colon == p || p[0] == ' ' || p[0] == '\t')
        return HEAD_MORE; /* not a field (or folded): ignored, as curl */
    nl = (size_t)(colon - p);
    v = colon + 1;
    vl = n - nl - 1;
    while (vl && (*v == ' ' || *v == '\t')) {
        v++;
        vl--;
    }
    while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
        vl--;
    switch (p[0] | 0x20) {
    case 'c':
        if (name_is(p, nl, "content-length", 14))
            return content_length(c, v, vl, h);
        if (name_is(p, nl, "connection", 10))
            tokens(v, vl, &h->conn);
        break;
    case 't':
        if (name_is(p, nl, "transfer-encoding", 17))
            tokens(v, vl, &h->te);
        break;
    case 'l':
        if (name_is(p, nl, "location", 8) && c->status >= 300 &&
            c->status < 400)
            ld__h1_on_header(c, p, nl, v, vl);
        break;
    case 's':
        if (name_is(p, nl, "set-cookie", 10))
            ld__h1_on_header(c, p, nl, v, vl);
        break;
    default:
        break;
    }
    return HEAD_MORE;
}

/* Parse one complete head block [p, p + n). */
static int parse_head(ld__h1_conn_t *c, const char *p, size_t n)
{
    head_info_t h;
    const char *e = p + n, *l = p;
    bool first = true;
    memset(&h, 0, sizeof(h));
    while (l < e) {
        const char *nl = memchr(l, '\n', (size_t)(e - l));
        size_t len = nl ? (size_t)(nl - l) : (size_t)(e - l);
        int r;
        if (len && l[len - 1] == '\r')
            len--;
        if (!len && !first)
            break;
        r = first ? status_line(c, l, len, &h) : header(c, l, len, &h);
        if (r == HEAD_ERR)
            return r;
        first = false;
        l = nl ? nl + 1 : e;
    }
    if (c->status < 200 && c->status != 101)
        return HEAD_MORE; /* 100 Continue, 103 Early Hints: the next head */
    ld__h1_on_head(c, p, n);
    c->keep =
        h.minor >= 1 ? !h.conn.close : (h.conn.keepalive && !h.conn.close);
    if (c->status == 101) {
        c->keep = false;
        return HEAD_DONE;
    }
    if (c->status == 204 || c->status == 304 ||
        (c->x && c->x->method[0] == 'H' && !strcmp(c->x->method, "HEAD")))
        return HEAD_DONE;
    if (h.te.chunked) {
        c->pst = H1_P_CSIZE;
        c->left = 0;
        c->chunk_hex = false;
        return HEAD_BODY;
    }
    if (h.has_len) {
        c->pst = H1_P_LEN;
        c->left = h.len;
        return h.len ? HEAD_BODY : HEAD_DONE;
    }
    c->pst = H1_P_EOF;
    c->keep = false;
    return HEAD_BODY;
}

/* The head state: returns bytes consumed, or SIZE_MAX after an error or a
   finished response (the caller stops). */
static size_t feed_head(ld__h1_conn_t *c, const char *p, size_t n)
{
    size_t e, used;
    int r;
    if (!c->head.len && (e = head_end(p, n, 0))) {
        r = parse_head(c, p, e);
        used = e;
    } else {
        size_t old = c->head.len;
        if (old + n > LD_H1_HEAD_MAX) {
            fail(c, "Response headers too large");
            return SIZE_MAX;
        }
        if (ld_buf_add(&c->head, p, n)) {
            ld_buf_init(&c->head, 0);
            fail(c, "out of memory");
            return SIZE_MAX;
        }
        /* Not "HTTP/" from the first byte on (an HTTP/2 server's binary
           SETTINGS frame, say): fail now, as libcurl does, rather than
           wait for a line end that may never come. */
        if (old < 5 && memcmp(c->head.data, "HTTP/",
                              c->head.len < 5 ? c->head.len : 5)) {
            fail(c, "Received HTTP/0.9 when not allowed");
            return SIZE_MAX;
        }
        if (!(e = head_end(c->head.data, c->head.len, old >= 2 ? old - 2 : 0)))
            return n;
        r = parse_head(c, c->head.data, e);
        used = e - old;
        ld_buf_reset(&c->head);
    }
    if (r == HEAD_ERR)
        return SIZE_MAX;
    if (r == HEAD_DONE) {
        ld__h1_on_response(c, n - used);
        return SIZE_MAX;
    }
    return used;
}

static bool chunk_size_end(ld__h1_conn_t *c)
{
    if (!c->chunk_hex) {
        fail(c, "Illegal or missing hexadecimal sequence in chunked-encoding");
        return false;
    }
    /* after the last chunk, left counts the bytes of a trailer line */
    c->pst = c->left ? H1_P_CDATA : H1_P_TRAILER;
    return true;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = (char)(ch | 0x20);
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

/* One byte of chunk framing; false after an error or the last chunk. */
static bool chunk_byte(ld__h1_conn_t *c, char ch, bool *done)
{
    int v;
    switch (c->pst) {
    case H1_P_CSIZE:
        if ((v = hexval(ch)) >= 0) {
            if (c->left > (UINT64_MAX >> 4)) {
                fail(c, "Illegal or missing hexadecimal sequence in "
                        "chunked-encoding");
                return false;
            }
            c->left = c->left * 16 + (uint64_t)v;
            c->chunk_hex = true;
        } else if (ch == '\n') {
            return chunk_size_end(c);
        } else if (ch == ';' || ch == ' ' || ch == '\t' || ch == '\r') {
            c->pst = H1_P_CEXT;
        } else {
            fail(c, "Illegal or missing hexadecimal sequence in "
                    "chunked-encoding");
            return false;
        }
        return true;
    case H1_P_CEXT:
        return ch == '\n' ? chunk_size_end(c) : true;
    case H1_P_CCRLF:
        if (ch == '\n') {
            c->pst = H1_P_CSIZE;
            c->left = 0;
            c->chunk_hex = false;
        } else if (ch != '\r') {
            fail(c, "Illegal or missing hexadecimal sequence in "
                    "chunked-encoding");
            return false;
        }
        return true;
    case H1_P_TRAILER:
        if (ch == '\n') {
            if (!c->left) {
                *done = true;
                return false;
            }
            c->left = 0;
        } else if (ch != '\r') {
            c->left++;
        }
        return true;
    default:
        return false;
    }
}

void ld__h1_parse(ld__h1_conn_t *c, const char *p, size_t n)
{
    c->got += n;
    while (n) {
        size_t take;
        bool done = false;
        switch (c->pst) {
        case H1_P_HEAD:
            take = feed_head(c, p, n);
            if (take == SIZE_MAX)
                return;
            break;
        case H1_P_LEN:
        case H1_P_CDATA:
            take = c->left < n ? (size_t)c->left : n;
            ld__h1_on_body(c, p, take);
            c->left -= take;
            if (!c->left) {
                if (c->pst == H1_P_LEN) {
                    ld__h1_on_response(c, n - take);
                    return;
                }
                c->pst = H1_P_CCRLF;
            }
            break;
        case H1_P_EOF:
            ld__h1_on_body(c, p, n);
            take = n;
            break;
        default:
            take = 0;
            while (take < n) {
                char ch = p[take++];
                if (!chunk_byte(c, ch, &done)) {
                    if (done)
                        ld__h1_on_response(c, n - take);
                    return;
                }
                if (c->pst == H1_P_CDATA)
                    break;
            }
            break;
        }
        p += take;
        n -= take;
    }
}

void ld__h1_parse_eof(ld__h1_conn_t *c)
{
    char msg[96];
    switch (c->pst) {
    case H1_P_EOF:
        ld__h1_on_response(c, 0);
        return;
    case H1_P_HEAD:
        fail(c, c->got ? "Connection closed in the middle of the response "
                         "headers"
                       : "Empty reply from server");
        return;
    case H1_P_LEN:
        snprintf(msg, sizeof(msg),
                 "transfer closed with %llu bytes remaining to read",
                 (unsigned long long)c->left);
        fail(c, msg);
        return;
    default:
        fail(c, "transfer closed with outstanding read data remaining");
        return;
    }
}
