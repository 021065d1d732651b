/*
 * JSON-RPC 2.0 framing and message helpers for the MCP (line-delimited) and
 * LSP (Content-Length) servers. Reading is blocking on a file descriptor; a
 * malformed message never ends the stream: the caller gets a ready error
 * response and reads on.
 */
#include "ldcore/rpc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define RPC_DEFAULT_MAX ((size_t)64 << 20)
#define RPC_HEADER_MAX 8192

int ld_rpc_init(ld_rpc_t *r, int in_fd, int out_fd, ld_rpc_framing_t f)
{
    memset(r, 0, sizeof(*r));
    r->in_fd = in_fd;
    r->out_fd = out_fd;
    r->framing = f;
    r->max_message = RPC_DEFAULT_MAX;
    if (pthread_mutex_init(&r->write_lock, NULL) != 0)
        return LD_ENOMEM;
    return 0;
}

void ld_rpc_close(ld_rpc_t *r)
{
    free(r->buf);
    r->buf = NULL;
    r->len = r->cap = 0;
    pthread_mutex_destroy(&r->write_lock);
}

/* Read more bytes into the buffer; 0, LD_ESTOPPED at EOF, LD_EIO. */
static int fill(ld_rpc_t *r)
{
    ssize_t n;

    if (r->eof)
        return LD_ESTOPPED;
    if (r->cap - r->len < 65536) {
        size_t cap = r->cap ? r->cap * 2 : 131072;
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

/* Set *raw_error to a Parse error response and return code, or LD_ENOMEM
   when the response cannot be built (never code with *raw_error NULL). */
static int parse_error(json_t **raw_error, const char *why, int code)
{
    *raw_error = ld_rpc_error(NULL, LD_RPC_PARSE_ERROR, why, NULL);
    return *raw_error ? code : LD_ENOMEM;
}

static int decode(const char *p, size_t n, json_t **msg, json_t **raw_error)
{
    json_error_t err;
    char text[300];

    *msg = json_loadb(p, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (*msg)
        return 0;
    snprintf(text, sizeof(text), "Parse error: %s (line %d, column %d)",
             err.text, err.line, err.column);
    return parse_error(raw_error, text, LD_ESYNTAX);
}

/* Drop the message handed out by the previous read. */
static void release(ld_rpc_t *r)
{
    if (r->pending) {
        consume(r, r->pending);
        r->pending = 0;
    }
}

/* Hand out n bytes at the start of the buffer; drop = n plus what ends it. */
static int hand_out(ld_rpc_t *r, size_t n, size_t drop, const char **body,
                    size_t *len)
{
    *body = r->buf;
    *len = n;
    r->pending = drop;
    return 0;
}

static int read_line(ld_rpc_t *r, const char **body, size_t *len,
                     json_t **raw_error)
{
    size_t scanned = 0;
    int skipping = 0, rc;

    for (;;) {
        char *nl = r->len > scanned
                       ? memchr(r->buf + scanned, '\n', r->len - scanned)
                       : NULL;

        if (nl) {
            size_t n = (size_t)(nl - r->buf);

            if (skipping) {
                consume(r, n + 1);
                return parse_error(raw_error,
                                   "Parse error: message too large",
                                   LD_ETOOBIG);
            }
            /* Blank lines between messages are tolerated. */
            if (n == 0 || (n == 1 && r->buf[0] == '\r')) {
                consume(r, n + 1);
                scanned = 0;
                continue;
            }
            return hand_out(r, n, n + 1, body, len);
        }
        scanned = r->len;
        if (r->len > r->max_message) {
            /* Drop what we have and keep discarding to the newline. */
            skipping = 1;
            r->len = 0;
            scanned = 0;
        }
        rc = fill(r);
        if (rc == LD_ESTOPPED && r->len && !skipping)
            return hand_out(r, r->len, r->len, body, len); /* no newline */
        if (rc)
            return rc;
    }
}

/* "Content-Length: N" of a header block, or -1 when absent (at most 18
   digits are read, so the value cannot overflow). */
static long long header_length(const char *h, size_t n)
{
    size_t i = 0;

    while (i < n) {
        const char *line = h + i, *end = memchr(line, '\n', n - i);
        size_t len = end ? (size_t)(end - line) : n - i;

        if (len > 15 && strncasecmp(line, "Content-Length:", 15) == 0) {
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

static int read_framed(ld_rpc_t *r, const char **body, size_t *len,
                       json_t **raw_error)
{
    for (;;) {
        char *sep = r->len >= 4 ? memmem(r->buf, r->len, "\r\n\r\n", 4)
                                : NULL;
        int rc;

        if (sep) {
            size_t hlen = (size_t)(sep - r->buf) + 4;
            long long blen = header_length(r->buf, hlen - 4);

            consume(r, hlen);
            if (blen < 0) {
                return parse_error(raw_error, "Parse error: missing "
                                   "Content-Length header", LD_ESYNTAX);
            }
            if ((size_t)blen > r->max_message) {
                if ((rc = skip(r, (size_t)blen)) != 0)
                    return rc;
                return parse_error(raw_error,
                                   "Parse error: message too large",
                                   LD_ETOOBIG);
            }
            while (r->len < (size_t)blen)
                if ((rc = fill(r)) != 0)
                    return rc;
            return hand_out(r, (size_t)blen, (size_t)blen, body, len);
        }
        if (r->len > RPC_HEADER_MAX) {
            r->len = 0;
            return parse_error(raw_error,
                               "Parse error: header block too large",
                               LD_ESYNTAX);
        }
        if ((rc = fill(r)) != 0)
            return rc;
    }
}

int ld_rpc_read_raw(ld_rpc_t *r, const char **body, size_t *len,
                    json_t **raw_error)
{
    *body = NULL;
    *len = 0;
    *raw_error = NULL;
    release(r);
    return r->framing == LD_RPC_LINES ? read_line(r, body, len, raw_error)
                                      : read_framed(r, body, len, raw_error);
}

int ld_rpc_read(ld_rpc_t *r, json_t **msg, json_t **raw_error)
{
    const char *body;
    size_t len;
    int rc = ld_rpc_read_raw(r, &body, &len, raw_error);

    *msg = NULL;
    if (rc)
        return rc;
    rc = decode(body, len, msg, raw_error);
    release(r); /* the decoded value owns its data */
    return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);

        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return LD_EIO;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

int ld_rpc_send_raw(ld_rpc_t *r, const char *body, size_t len)
{
    int rc;

    pthread_mutex_lock(&r->write_lock);
    if (r->framing == LD_RPC_LINES) {
        rc = write_all(r->out_fd, body, len);
        if (!rc)
            rc = write_all(r->out_fd, "\n", 1);
    } else {
        char head[64];
        int hn = snprintf(head, sizeof(head), "Content-Length: %zu\r\n\r\n",
                          len);

        rc = write_all(r->out_fd, head, (size_t)hn);
        if (!rc)
            rc = write_all(r->out_fd, body, len);
    }
    pthread_mutex_unlock(&r->write_lock);
    return rc;
}

int ld_rpc_send(ld_rpc_t *r, json_t *msg)
{
    char *text;
    int rc;

    if (!msg)
        return LD_ENOMEM;
    /* Compact and without raw newlines: one message per line for MCP. */
    text = json_dumps(msg, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(msg);
    if (!text)
        return LD_ENOMEM;
    rc = ld_rpc_send_raw(r, text, strlen(text));
    free(text);
    return rc;
}

json_t *ld_rpc_result(const json_t *id, json_t *result)
{
    json_t *m = json_object();

    if (!m) {
        json_decref(result);
        return NULL;
    }
    json_object_set_new(m, "jsonrpc", json_string("2.0"));
    json_object_set_new(m, "id", id ? json_deep_copy(id) : json_null());
    json_object_set_new(m, "result", result ? result : json_null());
    return m;
}

json_t *ld_rpc_error(const json_t *id, int code, const char *message,
                     json_t *data)
{
    json_t *m = json_object(), *e = json_object();

    if (!m || !e) {
        json_decref(m);
        json_decref(e);
        json_decref(data);
        return NULL;
    }
    json_object_set_new(e, "code", json_integer(code));
    json_object_set_new(e, "message", json_string(message ? message : ""));
    if (data)
        json_object_set_new(e, "data", data);
    json_object_set_new(m, "jsonrpc", json_string("2.0"));
    json_object_set_new(m, "id", id ? json_deep_copy(id) : json_null());
    json_object_set_new(m, "error", e);
    return m;
}

json_t *ld_rpc_notification(const char *method, json_t *params)
{
    json_t *m = json_object();

    if (!m) {
        json_decref(params);
        return NULL;
    }
    json_object_set_new(m, "jsonrpc", json_string("2.0"));
    json_object_set_new(m, "method", json_string(method));
    if (params)
        json_object_set_new(m, "params", params);
    return m;
}

int ld_rpc_classify(const json_t *msg, const char **method, const json_t **id,
                    const json_t **params, json_t **error)
{
    const json_t *m, *i;
    const char *v;

    *method = NULL;
    *id = NULL;
    *params = NULL;
    *error = NULL;
    if (!json_is_object(msg)) {
        *error = ld_rpc_error(NULL, LD_RPC_INVALID_REQUEST,
                              "Invalid Request: a message must be a JSON "
                              "object",
                              NULL);
        return LD_EINVAL;
    }
    i = json_object_get(msg, "id");
    if (i && !json_is_string(i) && !json_is_integer(i) && !json_is_null(i)) {
        *error = ld_rpc_error(NULL, LD_RPC_INVALID_REQUEST,
                              "Invalid Request: id must be a string or an "
                              "integer",
                              NULL);
        return LD_EINVAL;
    }
    *id = i;
    m = json_object_get(msg, "method");
    if (!m && (json_object_get(msg, "result") || json_object_get(msg, "error")))
        return 0; /* a response to one of our requests */
    v = json_string_value(json_object_get(msg, "jsonrpc"));
    if (!v || strcmp(v, "2.0")) {
        *error = ld_rpc_error(i, LD_RPC_INVALID_REQUEST,
                              "Invalid Request: \"jsonrpc\" must be \"2.0\"",
                              NULL);
        return LD_EINVAL;
    }
    if (!m) {
        *error = ld_rpc_error(i, LD_RPC_INVALID_REQUEST,
                              "Invalid Request: no \"method\"", NULL);
        return LD_EINVAL;
    }
    if (!json_is_string(m)) {
        *error = ld_rpc_error(i, LD_RPC_INVALID_REQUEST,
                              "Invalid Request: \"method\" must be a string",
                              NULL);
        return LD_EINVAL;
    }
    *method = json_string_value(m);
    *params = json_object_get(msg, "params");
    if (*params && !json_is_object(*params) && !json_is_array(*params)) {
        *error = ld_rpc_error(i, LD_RPC_INVALID_REQUEST,
                              "Invalid Request: \"params\" must be an object "
                              "or an array",
                              NULL);
        *method = NULL;
        return LD_EINVAL;
    }
    return 0;
}
