/*
 * module.c - the server module of loaddensity-mcp (loaddensity-mcp-core.so):
 * set-up, the read loop and shutdown. The launcher (launcher.c) loads it
 * while it answers the first initialize; the protocol is in proto.c, the
 * tools in tool_*.c, the safety policy in policy.c and scan.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mcp.h"

#define DEFAULT_MAX_MESSAGE ((size_t)16 << 20)

static mcp_server_t server;

static void on_signal(int sig)
{
    (void)sig;
    server.stopping = 1;
    close(STDIN_FILENO);   /* the main loop sees the end of input */
}

/* Resolve --root directories; the first becomes the working directory. */
static int setup_roots(mcp_server_t *s)
{
    static char real[MCP_MAX_ROOTS][PATH_MAX];

    for (size_t i = 0; i < s->opts.nroots; i++) {
        if (!realpath(s->opts.roots[i], real[i])) {
            fprintf(stderr, "loaddensity-mcp: --root %s: %s\n",
                    s->opts.roots[i], strerror(errno));
            return 2;
        }
        s->opts.roots[i] = real[i];
    }
    if (s->opts.nroots && chdir(s->opts.roots[0]) != 0) {
        fprintf(stderr, "loaddensity-mcp: cannot enter %s: %s\n",
                s->opts.roots[0], strerror(errno));
        return 2;
    }
    if (!getcwd(s->cwd, sizeof(s->cwd)))
        snprintf(s->cwd, sizeof(s->cwd), "/");
    return 0;
}

static void install_signals(void)
{
    struct sigaction sa;

    signal(SIGPIPE, SIG_IGN);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int setup(mcp_server_t *s, int out_fd)
{
    int rc;

    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->ctx_lock, NULL);
    pthread_cond_init(&s->idle, NULL);
    snprintf(s->version, sizeof(s->version), "%s", MCP_LATEST_VERSION);
    s->log_level = MCP_INFO;
    if ((rc = ld_rpc_init(&s->rpc, STDIN_FILENO, out_fd, LD_RPC_LINES)) ||
        (rc = mcp_tools_init()) || (rc = ld_ctx_init(&s->ctx)))
        return rc;
    s->rpc.max_message = DEFAULT_MAX_MESSAGE;
    s->ctx.out = stderr;
    s->ctx.err = stderr;
    s->ctx.flags = LD_EXEC_QUIET;
    return 0;
}

static void serve(mcp_server_t *s)
{
    for (;;) {
        json_t *msg = NULL, *raw = NULL;
        int rc = ld_rpc_read(&s->rpc, &msg, &raw);

        if (rc == 0) {
            mcp_handle(s, msg);
            json_decref(msg);
        } else if (rc == LD_ESYNTAX || rc == LD_ETOOBIG) {
            mcp_log(s, MCP_DEBUG, "bad message: %s",
                    json_string_value(json_object_get(
                        json_object_get(raw, "error"), "message")));
            if (ld_rpc_send(&s->rpc, raw) == LD_EIO)
                break;
        } else if (rc == LD_ENOMEM) {
            mcp_log(s, MCP_ERROR, "out of memory reading a message");
            ld_rpc_send(&s->rpc, ld_rpc_error(NULL, LD_RPC_INTERNAL_ERROR,
                                              "Internal error: out of "
                                              "memory",
                                              NULL));
        } else {
            break;   /* end of input (or a read error): shut down */
        }
    }
}

static void teardown(mcp_server_t *s)
{
    mcp_calls_shutdown(s, 2);
    ld_ctx_close(&s->ctx);
    mcp_tools_free();
    mcp_list_cache_free();
    ld_rpc_close(&s->rpc);
    for (size_t i = 0; i < s->nclient_roots; i++)
        free(s->client_roots[i]);
    mcp_opts_free();
}

/* Take over what the launcher read and answered. */
static int resume(mcp_server_t *s, mcp_handoff_t *h)
{
    if (h->answered) {
        snprintf(s->version, sizeof(s->version), "%s", h->version);
        s->client_has_roots = h->client_roots;
    }
    if (!h->npending) {
        free(h->pending);
        h->pending = NULL;
        return 0;
    }
    /* The reader's buffer starts with those bytes. */
    free(s->rpc.buf);
    s->rpc.buf = h->pending;
    s->rpc.len = h->npending;
    s->rpc.cap = h->npending;
    h->pending = NULL;
    return 0;
}

__attribute__((visibility("default"))) int
mcp_module_main(int argc, char **argv, mcp_handoff_t *h)
{
    mcp_server_t *s = &server;
    int rc;

    if ((rc = mcp_opts_parse(argc, argv, &s->opts)))
        return rc == 1 ? 0 : rc;
    if ((rc = setup_roots(s)))
        return rc;
    install_signals();
    if ((rc = setup(s, h->out_fd)) || (rc = resume(s, h))) {
        fprintf(stderr, "loaddensity-mcp: cannot start: %s\n",
                ld_strerror(rc));
        return 70;
    }
    mcp_log(s, MCP_DEBUG, "ready (working directory %s)", s->cwd);
    serve(s);
    mcp_log(s, MCP_DEBUG, "end of input: stopping");
    teardown(s);
    close(h->out_fd);
    return 0;
}
