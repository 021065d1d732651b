/*
 * calls.c - tools/call: every call runs on its own detached thread so a long
 * load test never stops the main thread from answering ping, tools/list or
 * a cancellation. The call table holds what notifications/cancelled needs
 * (the request id and the interrupt flag handed to the engine).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mcp.h"

#define SHUTDOWN_WAIT_S 30

size_t mcp_json_size(const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    size_t n = s ? strlen(s) : 0;

    free(s);
    return n;
}

/* Reals keep millisecond precision (or 6 significant digits below 1):
   measurements are not more precise than that, and 17-digit noise such as
   0.44900000000000001 costs the model tokens. */
static const char *fmt_g6(double v)
{
    static __thread char buf[32];

    snprintf(buf, sizeof(buf), "%.6g", v);
    return buf;
}

static double tidy(double v)
{
    double a = fabs(v);

    if (!isfinite(v) || v == 0)
        return v;
    if (a >= 1)
        return a < 1e12 ? round(v * 1000) / 1000 : v;
    return strtod(fmt_g6(v), NULL);
}

static void round_reals(json_t *v, unsigned depth)
{
    const char *k;
    json_t *x;
    size_t i;

    if (depth > 64)
        return;
    if (json_is_real(v))
        json_real_set(v, tidy(json_real_value(v)));
    else if (json_is_array(v))
        json_array_foreach(v, i, x) round_reals(x, depth + 1);
    else if (json_is_object(v))
        json_object_foreach(v, k, x) round_reals(x, depth + 1);
}

static json_t *text_content(const char *text)
{
    return json_pack("[{s:s,s:s}]", "type", "text", "text", text);
}

static json_t *error_result(const ld_diag_t *d)
{
    char msg[1800];

    ld_diag_format(d, msg, sizeof(msg));
    return json_pack("{s:o,s:b}", "content", text_content(msg), "isError", 1);
}

/* The result of a successful call: the JSON as text, and as
   structuredContent for clients that know it (2025-06-18 on). */
static json_t *ok_result(mcp_server_t *s, json_t *out)
{
    json_t *r = NULL;
    ld_diag_t d;
    char *text;

    round_reals(out, 0);
    text = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(15));

    if (!text) {
        json_decref(out);
        ld_diag_set(&d, LD_ENOMEM, NULL, NULL, "out of memory");
        return error_result(&d);
    }
    if (strlen(text) > s->opts.max_result_bytes * 2) {
        ld_diag_set(&d, LD_ETOOBIG, NULL, NULL,
                    "the result is too large to return (%zu bytes of JSON); "
                    "ask for less (a smaller limit, a filter) or write it to "
                    "a file",
                    strlen(text));
        free(text);
        json_decref(out);
        return error_result(&d);
    }
    r = json_pack("{s:o,s:b}", "content", text_content(text), "isError", 0);
    free(text);
    if (r && mcp_version_at_least(s, "2025-06-18"))
        json_object_set(r, "structuredContent", out);
    json_decref(out);
    return r;
}

/* The thread's last act: the slot waits for mcp_calls_reap to join it, so
   its thread-local state is gone before the process exits. */
static void call_release(mcp_call_t *c)
{
    mcp_server_t *s = c->srv;

    pthread_mutex_lock(&s->lock);
    json_decref(c->id);
    json_decref(c->progress_token);
    json_decref(c->args);
    c->id = c->progress_token = c->args = NULL;
    c->finished = true;
    s->running_threads--;
    pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->lock);
}

/* Join the threads of finished calls and free their slots (main thread). */
static void calls_reap(mcp_server_t *s)
{
    pthread_t done[MCP_MAX_CALLS];
    size_t n = 0;

    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < MCP_MAX_CALLS; i++)
        if (s->calls[i].used && s->calls[i].finished) {
            done[n++] = s->calls[i].tid;
            memset(&s->calls[i], 0, sizeof(s->calls[i]));
        }
    pthread_mutex_unlock(&s->lock);
    for (size_t i = 0; i < n; i++)
        pthread_join(done[i], NULL);
}

static void *call_main(void *arg)
{
    mcp_call_t *c = arg;
    mcp_server_t *s = c->srv;
    json_t *out = NULL, *result;
    ld_diag_t d;
    uint64_t t0 = ld_now_ns();
    int rc;

    ld_diag_clear(&d);
    rc = mcp_tool_check_args(c->tool, c->args, &d);
    if (!rc)
        rc = c->tool->fn(c, c->args, &out, &d);
    if (!rc && !json_is_object(out))
        rc = ld_diag_set(&d, LD_EINTERNAL, NULL, NULL,
                         "internal error: %s returned no result",
                         c->tool->name);
    if (rc) {
        json_decref(out);
        if (!d.msg[0])
            ld_diag_set(&d, rc, NULL, NULL, "%s", ld_strerror(rc));
        mcp_log(s, MCP_DEBUG, "%s #%lu failed: %s", c->tool->name,
                c->calls_seq, d.msg);
        result = error_result(&d);
    } else {
        result = ok_result(s, out);
    }
    mcp_log(s, MCP_DEBUG, "%s #%lu done in %.1f ms", c->tool->name,
            c->calls_seq, (double)(ld_now_ns() - t0) / 1e6);
    mcp_reply(s, c->batch, result ? ld_rpc_result(c->id, result)
                                  : ld_rpc_error(c->id, LD_RPC_INTERNAL_ERROR,
                                                 "Internal error: out of "
                                                 "memory",
                                                 NULL));
    call_release(c);
    return NULL;
}

static void unknown_tool(mcp_server_t *s, mcp_batch_t *b, const json_t *id,
                         const char *name)
{
    const char *sug = mcp_tool_suggest(name);
    char msg[400];

    if (sug)
        snprintf(msg, sizeof(msg), "Unknown tool: %.100s (did you mean "
                                   "%s?)",
                 name, sug);
    else
        snprintf(msg, sizeof(msg), "Unknown tool: %.100s (tools/list "
                                   "gives the %zu tools)",
                 name, mcp_tool_count());
    mcp_reply(s, b, ld_rpc_error(id, LD_RPC_INVALID_PARAMS, msg, NULL));
}

/* A free slot, filled; NULL when every slot is busy or we are stopping. */
static mcp_call_t *call_alloc(mcp_server_t *s, const json_t *id,
                              const mcp_tool_t *t, const json_t *args,
                              const json_t *token, mcp_batch_t *b)
{
    mcp_call_t *c = NULL;

    calls_reap(s);
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; !s->stopping && i < MCP_MAX_CALLS && !c; i++)
        if (!s->calls[i].used)
            c = &s->calls[i];
    if (c) {
        memset(c, 0, sizeof(*c));
        c->used = true;
        c->srv = s;
        c->id = json_deep_copy(id);
        c->tool = t;
        c->args = args ? json_deep_copy(args) : json_object();
        c->progress_token = token ? json_deep_copy(token) : NULL;
        c->batch = b;
        c->calls_seq = ++s->seq;
        s->running_threads++;
    }
    pthread_mutex_unlock(&s->lock);
    return c;
}

void mcp_call_start(mcp_server_t *s, const json_t *id, const json_t *params,
                    mcp_batch_t *b)
{
    const char *name = json_string_value(json_object_get(params, "name"));
    const json_t *args = json_object_get(params, "arguments");
    const json_t *tok = json_object_get(json_object_get(params, "_meta"),
                                        "progressToken");
    const mcp_tool_t *t;
    mcp_call_t *c;

    if (!name) {
        mcp_reply(s, b, ld_rpc_error(id, LD_RPC_INVALID_PARAMS,
                                     "Invalid params: tools/call needs "
                                     "\"name\" (a string)",
                                     NULL));
        return;
    }
    if (!(t = mcp_tool_find(name))) {
        unknown_tool(s, b, id, name);
        return;
    }
    if (args && !json_is_object(args) && !json_is_null(args)) {
        mcp_reply(s, b, ld_rpc_error(id, LD_RPC_INVALID_PARAMS,
                                     "Invalid params: \"arguments\" must be "
                                     "an object",
                                     NULL));
        return;
    }
    if (tok && !json_is_string(tok) && !json_is_integer(tok))
        tok = NULL;
    c = call_alloc(s, id, t, json_is_object(args) ? args : NULL, tok, b);
    if (!c) {
        mcp_reply(s, b, ld_rpc_error(id, LD_RPC_INTERNAL_ERROR,
                                     s->stopping ? "Server shutting down"
                                                 : "Too many tool calls in "
                                                   "flight; retry later",
                                     NULL));
        return;
    }
    /* c->tid is written before the thread can finish: the slot is only
       reaped under the lock, which we hold while creating. */
    pthread_mutex_lock(&s->lock);
    if (pthread_create(&c->tid, NULL, call_main, c) != 0) {
        pthread_mutex_unlock(&s->lock);
        mcp_reply(s, b, ld_rpc_error(id, LD_RPC_INTERNAL_ERROR,
                                     "Internal error: cannot start a thread",
                                     NULL));
        call_release(c);
        pthread_mutex_lock(&s->lock);
        memset(c, 0, sizeof(*c));
    }
    pthread_mutex_unlock(&s->lock);
}

void mcp_call_cancel(mcp_server_t *s, const json_t *id, const char *reason)
{
    const char *tool = NULL;

    if (!id)
        return;
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < MCP_MAX_CALLS; i++) {
        mcp_call_t *c = &s->calls[i];

        if (c->used && !c->finished && json_equal(c->id, id)) {
            /* A second cancellation stops at once. The engine reads the
               flag with atomic loads from its collector thread. */
            __atomic_store_n(&c->interrupt, c->interrupt ? 2 : 1,
                             __ATOMIC_RELAXED);
            tool = c->tool->name;
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);
    if (tool)
        mcp_log(s, MCP_INFO, "cancelling %s%s%s", tool,
                reason ? ": " : "", reason ? reason : "");
}

void mcp_calls_shutdown(mcp_server_t *s, int level)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += SHUTDOWN_WAIT_S;
    pthread_mutex_lock(&s->lock);
    s->stopping = 1;
    for (size_t i = 0; i < MCP_MAX_CALLS; i++)
        if (s->calls[i].used && !s->calls[i].finished)
            __atomic_store_n(&s->calls[i].interrupt, level, __ATOMIC_RELAXED);
    while (s->running_threads > 0)
        if (pthread_cond_timedwait(&s->idle, &s->lock, &until) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&s->lock);
    calls_reap(s);
}

void mcp_progress(mcp_call_t *c, double progress, double total,
                  const char *message)
{
    mcp_server_t *s = c->srv;
    json_t *p;

    if (!c->progress_token)
        return;
    /* Progress must increase with every notification. */
    progress = round(progress * 1000) / 1000;
    if (progress <= c->last_progress)
        progress = c->last_progress + 0.001;
    c->last_progress = progress;
    if (total > 0 && total < progress)
        total = progress;   /* the run overshot its test_time a little */
    p = json_pack("{s:O,s:f}", "progressToken", c->progress_token,
                  "progress", progress);
    if (!p)
        return;
    if (total > 0)
        json_object_set_new(p, "total", json_real(total));
    if (message && mcp_version_at_least(s, "2025-03-26"))
        json_object_set_new(p, "message", json_string(message));
    ld_rpc_send(&s->rpc, ld_rpc_notification("notifications/progress", p));
}
