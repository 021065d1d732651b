/*
 * frame.c - reading Content-Length frames on the ld_rpc_t of the server,
 * with the contract of ld_rpc_read (same errors, same Parse error answers),
 * but decoding bodies with ldcore's document reader instead of jansson's:
 * a didOpen of a 1.8 MB document takes jansson about 45 ms to decode and
 * the document reader about 9 ms, which is most of the budget for the
 * first diagnostics. Writing still goes through ld_rpc_send.
 */
#include "lsp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define HEADER_MAX 8192

static int fill(ld_rpc_t *r)
{
    ssize_t n;

    if (r->eof)
        return LD_ESTOPPED;
    if (r->cap - r->len < 65536) {
        size_t cap = r->cap ? r->cap * 2 : 262144;
        char *p = realloc(r->buf, cap);

        if (!p)
            return LD_ENOMEM;
        r->buf = p;
        r->cap = cap;
    }
    do {
        n = read(r->in_fd, r->buf + r->len, r->cap - r->len);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return LD_EIO;
    if (n == 0) {
        r->eof = 1;
        return LD_ESTOPPED;
    }
    r->len += (size_t)n;
    return 0;
}

static void consume(ld_rpc_t *r, size_t n)
{
    memmove(r->buf, r->buf + n, r->len - n);
    r->len -= n;
}

static json_t *parse_error(const char *why)
{
    return ld_rpc_error(NULL, LD_RPC_PARSE_ERROR, why, NULL);
}

/* "Content-Length: N" of a header block, or -1. */
static long long content_length(const char *h, size_t n)
{
    size_t i = 0;

    while (i < n) {
        const char *line = h + i, *end = memchr(line, '\n', n - i);
        size_t len = end ? (size_t)(end - line) : n - i;

        if (len > 15 && !strncasecmp(line, "Content-Length:", 15)) {
            long long v = 0;
            size_t k = 15;
            int digits = 0;

            while (k < len && (line[k] == ' ' || line[k] == '\t'))
                k++;
            for (; k < len && line[k] >= '0' && line[k] <= '9' && digits < 18;
                 k++, digits++)
                v = v * 10 + (line[k] - '0');
            return digits ? v : -1;
        }
        i += len + 1;
    }
    return -1;
}

static int decode(const char *p, size_t n, json_t **msg, json_t **raw_error)
{
    ld_diag_t d;
    ld_doc_t *doc = ld_doc_parse(p, n, "message", LD_FMT_JSON, &d);
    char text[1300];

    if (!doc) {
        if (d.code == LD_ENOMEM)
            return LD_ENOMEM;
        snprintf(text, sizeof(text), "Parse error: %s (line %u, column %u)",
                 d.msg, d.pos.line, d.pos.col);
        *raw_error = parse_error(text);
        return LD_ESYNTAX;
    }
    *msg = ld_node_to_json(ld_doc_root(doc));
    ld_doc_free(doc);
    return *msg ? 0 : LD_ENOMEM;
}

/* Skip a body too large to keep, as it streams by. */
static int skip(ld_rpc_t *r, size_t left)
{
    int rc;

    while (left) {
        size_t k = left < r->len ? left : r->len;

        consume(r, k);
        left -= k;
        if (left && (rc = fill(r)) != 0)
            return rc;
    }
    return 0;
}

int lsp_read(ld_rpc_t *r, json_t **msg, json_t **raw_error)
{
    *msg = NULL;
    *raw_error = NULL;
    for (;;) {
        char *sep = r->len >= 4 ? memmem(r->buf, r->len, "\r\n\r\n", 4) : NULL;
        int rc;

        if (sep) {
            size_t hlen = (size_t)(sep - r->buf) + 4;
            long long blen = content_length(r->buf, hlen - 4);

            consume(r, hlen);
            if (blen < 0) {
                *raw_error = parse_error("Parse error: missing "
                                         "Content-Length header");
                return LD_ESYNTAX;
            }
            if ((size_t)blen > r->max_message) {
                if ((rc = skip(r, (size_t)blen)) != 0)
                    return rc;
                *raw_error = parse_error("Parse error: message too large");
                return LD_ETOOBIG;
            }
            while (r->len < (size_t)blen)
                if ((rc = fill(r)) != 0)
                    return rc;
            rc = decode(r->buf, (size_t)blen, msg, raw_error);
            consume(r, (size_t)blen);
            return rc;
        }
        if (r->len > HEADER_MAX) {
            r->len = 0;
            *raw_error = parse_error("Parse error: header block too large");
            return LD_ESYNTAX;
        }
        if ((rc = fill(r)) != 0)
            return rc;
    }
}
