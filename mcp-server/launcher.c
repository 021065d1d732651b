/*
 * launcher.c - main() of loaddensity-mcp. The server proper lives in
 * loaddensity-mcp-core.so, which links the engine and so libcurl,
 * OpenSSL, SQLite and their dependency trees: loading those takes several
 * milliseconds. The launcher (libc and jansson only) starts loading the
 * module on a thread, answers the client's first message - initialize -
 * meanwhile, then hands the connection over: the client gets its
 * initialize result in about the time a process takes to start, and the
 * rest of the server is ready by the time its next request arrives.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ldcore/module.h"
#include "mcp.h"

#define MODULE_NAME "loaddensity-mcp-core.so"
#define FIRST_MAX ((size_t)1 << 20)   /* answer a first message up to 1 MiB */

typedef int (*module_main_fn)(int, char **, mcp_handoff_t *);

typedef struct loader {
    pthread_t tid;
    module_main_fn entry;
    char error[PATH_MAX + 256];
} loader_t;

/* The module: $LOADDENSITY_MCP_CORE, next to this program, or in
   ../lib/loaddensity/ (the installed layout). */
static void *load_module(loader_t *l)
{
    *(void **)&l->entry =
        ld_module_symbol(MODULE_NAME, "LOADDENSITY_MCP_CORE",
                         "mcp_module_main", l->error, sizeof(l->error));
    return NULL;
}

static void *loader_main(void *arg)
{
    return load_module(arg);
}

/* stdout carries the protocol only: keep a private descriptor for it and
   point fd 1 at stderr, so a stray printf anywhere cannot corrupt it. */
static int protocol_fd(void)
{
    int fd = dup(STDOUT_FILENO);

    if (fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
        return -1;
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);

        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Read until the first newline (or FIRST_MAX bytes, or the end). */
static char *read_first(size_t *len, size_t *line)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap), *nl = NULL;

    while (buf && !nl && n < FIRST_MAX) {
        ssize_t k;

        if (cap - n < 4096) {
            char *p = realloc(buf, cap * 2);

            if (!p)
                break;
            buf = p;
            cap *= 2;
        }
        k = read(STDIN_FILENO, buf + n, cap - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        nl = memchr(buf + n, '\n', (size_t)k);
        n += (size_t)k;
    }
    *len = n;
    *line = nl ? (size_t)(nl - buf) + 1 : 0;
    return buf;
}

/* Answer the first message if it is an initialize request. */
static bool answer_initialize(int out_fd, const char *text, size_t len,
                              mcp_handoff_t *h)
{
    json_t *msg = json_loadb(text, len, 0, NULL), *res = NULL, *resp;
    const json_t *id = json_object_get(msg, "id");
    const json_t *params = json_object_get(msg, "params");
    const char *method = json_string_value(json_object_get(msg, "method"));
    char *out;
    bool ok = false;

    if (json_is_object(msg) && (json_is_string(id) || json_is_integer(id)) &&
        method && !strcmp(method, "initialize") &&
        (!params || json_is_object(params)))
        res = mcp_initialize_result(params, h->version, sizeof(h->version),
                                    &h->client_roots);
    if (res) {
        resp = json_pack("{s:s,s:O,s:o}", "jsonrpc", "2.0", "id", id,
                         "result", res);
        out = resp ? json_dumps(resp, JSON_COMPACT) : NULL;
        if (out) {
            ok = write_all(out_fd, out, strlen(out)) == 0 &&
                 write_all(out_fd, "\n", 1) == 0;
            free(out);
        }
        json_decref(resp);
    }
    json_decref(msg);
    return ok;
}

int main(int argc, char **argv)
{
    mcp_opts_t opts;
    mcp_handoff_t h;
    loader_t l;
    size_t len = 0, line = 0;
    int rc;

    memset(&opts, 0, sizeof(opts));
    rc = mcp_opts_parse(argc, argv, &opts);   /* help, version, errors */
    mcp_opts_free();
    if (rc)
        return rc == 1 ? 0 : rc;
    signal(SIGPIPE, SIG_IGN);
    memset(&h, 0, sizeof(h));
    memset(&l, 0, sizeof(l));
    if ((h.out_fd = protocol_fd()) < 0 ||
        pthread_create(&l.tid, NULL, loader_main, &l) != 0) {
        fprintf(stderr, "loaddensity-mcp: cannot start: %s\n",
                strerror(errno));
        return 70;
    }
    h.pending = read_first(&len, &line);
    h.npending = len;
    if (h.pending && line &&
        answer_initialize(h.out_fd, h.pending, line, &h)) {
        h.answered = true;
        memmove(h.pending, h.pending + line, len - line);
        h.npending = len - line;
    }
    pthread_join(l.tid, NULL);
    if (!l.entry) {
        fprintf(stderr, "loaddensity-mcp: %s\n", l.error);
        free(h.pending);
        return 70;
    }
    rc = l.entry(argc, argv, &h);
    free(h.pending);
    return rc;
}
