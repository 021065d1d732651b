/*
 * bench_lsp_floor: the floor of bench/lsp/bench.mjs's "first diagnostics".
 * A stand-in language server that reads each message whole, as a real one
 * must, but decodes nothing: it answers requests with null (initialize with
 * empty capabilities) and a didOpen with one diagnostic at once. What the
 * bench measures against it is the client (serialising the message) and
 * the pipe, which every server pays before its own work starts.
 *
 *   node bench.mjs --ld-bin DIR --vs FLOORDIR
 *   (FLOORDIR holds this program named loaddensity-lsp)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int read_full(char *p, size_t n)
{
    while (n) {
        ssize_t k = read(0, p, n);

        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static void send_msg(const char *body)
{
    printf("Content-Length: %zu\r\n\r\n%s", strlen(body), body);
    fflush(stdout);
}

/* The value after "key": in body, copied (a string without its quotes, or
   a number), into out. */
static int field(const char *body, const char *key, char *out, size_t size)
{
    char pat[64];
    const char *v, *e;

    snprintf(pat, sizeof(pat), "\"%s\":", key);
    if (!(v = strstr(body, pat)))
        return -1;
    v += strlen(pat);
    while (*v == ' ')
        v++;
    if (*v == '"')
        e = strchr(++v, '"');
    else
        for (e = v; *e && *e != ',' && *e != '}'; e++)
            ;
    if (!e || (size_t)(e - v) >= size)
        return -1;
    memcpy(out, v, (size_t)(e - v));
    out[e - v] = '\0';
    return 0;
}

int main(void)
{
    char head[256], id[64], uri[1024], reply[2048];
    size_t cap = 0;
    char *body = NULL;

    for (;;) {
        size_t n = 0, len = 0;

        while (n + 1 < sizeof(head)) { /* header, byte by byte: it is short */
            if (read(0, head + n, 1) != 1)
                return 0;
            n++;
            if (n >= 4 && !memcmp(head + n - 4, "\r\n\r\n", 4))
                break;
        }
        head[n] = '\0';
        if (sscanf(head, "Content-Length: %zu", &len) != 1)
            return 1;
        if (len + 1 > cap && !(body = realloc(body, cap = len + 1)))
            return 1;
        if (read_full(body, len))
            return 0;
        body[len] = '\0';
        if (strstr(body, "\"method\":\"exit\""))
            return 0;
        if (strstr(body, "\"method\":\"textDocument/didOpen\"") &&
            !field(body, "uri", uri, sizeof(uri))) {
            snprintf(reply, sizeof(reply),
                     "{\"jsonrpc\":\"2.0\",\"method\":"
                     "\"textDocument/publishDiagnostics\",\"params\":{\"uri\":"
                     "\"%s\",\"diagnostics\":[{\"range\":{\"start\":{\"line\":"
                     "0,\"character\":0},\"end\":{\"line\":0,\"character\":1}},"
                     "\"message\":\"floor\"}]}}",
                     uri);
            send_msg(reply);
        } else if (!field(body, "id", id, sizeof(id))) {
            snprintf(reply, sizeof(reply),
                     "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":%s}", id,
                     strstr(body, "\"method\":\"initialize\"")
                         ? "{\"capabilities\":{}}"
                         : "null");
            send_msg(reply);
        }
    }
}
