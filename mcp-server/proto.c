/*
 * proto.c - the MCP lifecycle and every method but tools/call: initialize
 * with version negotiation, ping, tools/list with cursors, logging/setLevel,
 * the notifications, responses to our roots/list requests, and JSON-RPC
 * batches (2025-03-26 allowed them; answering them costs little).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp.h"

struct mcp_batch {
    pthread_mutex_t mu;
    json_t *responses;
    size_t pending;
    bool sealed;
};

bool mcp_version_at_least(mcp_server_t *s, const char *v)
{
    return strcmp(s->version, v) >= 0;
}

static void batch_flush(mcp_server_t *s, mcp_batch_t *b)
{
    if (json_array_size(b->responses))
        ld_rpc_send(&s->rpc, json_incref(b->responses));
    json_decref(b->responses);
    pthread_mutex_destroy(&b->mu);
    free(b);
}

void mcp_reply(mcp_server_t *s, mcp_batch_t *b, json_t *msg)
{
    bool done;

    if (!b) {
        if (msg && ld_rpc_send(&s->rpc, msg) == LD_EIO)
            mcp_log(s, MCP_DEBUG, "cannot write a response (client gone?)");
        return;
    }
    pthread_mutex_lock(&b->mu);
    if (msg)
        json_array_append_new(b->responses, msg);
    b->pending--;
    done = b->sealed && b->pending == 0;
    pthread_mutex_unlock(&b->mu);
    if (done)
        batch_flush(s, b);
}

static void reply_error(mcp_server_t *s, mcp_batch_t *b, const json_t *id,
                        int code, const char *msg)
{
    mcp_reply(s, b, ld_rpc_error(id, code, msg, NULL));
}

/* ---- initialize ---- */

static json_t *on_initialize(mcp_server_t *s, const json_t *params)
{
    const json_t *client = json_object_get(params, "clientInfo");
    const char *name = json_string_value(json_object_get(client, "name"));
    char version[16];
    bool roots;
    json_t *r = mcp_initialize_result(params, version, sizeof(version),
                                      &roots);

    pthread_mutex_lock(&s->lock);
    snprintf(s->version, sizeof(s->version), "%s", version);
    s->client_has_roots = roots;
    pthread_mutex_unlock(&s->lock);
    mcp_log(s, MCP_DEBUG, "initialize from %s: protocol %s",
            name ? name : "?", version);
    return r;
}

/* ---- tools/list ---- */

/* The list never changes during a session, so each page is serialised
   once per protocol version and then written as bytes. */
typedef struct list_cache {
    char version[16];
    size_t from;
    char *text;            /* the "result" object as JSON */
} list_cache_t;

static list_cache_t cache[8];

/* Send {"jsonrpc","id","result": <text>} without re-serialising text. */
static int send_cached(mcp_server_t *s, const json_t *id, const char *text)
{
    char *ids = json_dumps(id, JSON_ENCODE_ANY | JSON_COMPACT);
    ld_buf_t b;
    int rc;

    if (!ids)
        return LD_ENOMEM;
    ld_buf_init(&b, 0);
    rc = ld_buf_printf(&b, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":",
                       ids);
    if (!rc)
        rc = ld_buf_adds(&b, text);
    if (!rc)
        rc = ld_buf_addc(&b, '}');
    free(ids);
    if (!rc)
        rc = ld_rpc_send_raw(&s->rpc, b.data, b.len);
    ld_buf_free(&b);
    return rc;
}

static const char *cached_page(mcp_server_t *s, size_t from)
{
    for (size_t i = 0; i < sizeof(cache) / sizeof(cache[0]); i++)
        if (cache[i].text && cache[i].from == from &&
            !strcmp(cache[i].version, s->version))
            return cache[i].text;
    return NULL;
}

static void cache_page(mcp_server_t *s, size_t from, const json_t *r)
{
    for (size_t i = 0; i < sizeof(cache) / sizeof(cache[0]); i++)
        if (!cache[i].text) {
            cache[i].text = json_dumps(r, JSON_COMPACT);
            cache[i].from = from;
            snprintf(cache[i].version, sizeof(cache[i].version), "%s",
                     s->version);
            return;
        }
}

void mcp_list_cache_free(void)
{
    for (size_t i = 0; i < sizeof(cache) / sizeof(cache[0]); i++) {
        free(cache[i].text);
        cache[i].text = NULL;
    }
}

/* The first tool of the page a cursor names; -1 when it is not ours. */
static long page_start(const json_t *params)
{
    const json_t *cur = json_object_get(params, "cursor");
    const char *c;
    char *end;
    unsigned long v;

    if (!cur || json_is_null(cur))
        return 0;
    c = json_string_value(cur);
    if (!c || c[0] != 't')
        return -1;
    v = strtoul(c + 1, &end, 10);
    if (end == c + 1 || *end || v == 0 || v >= mcp_tool_count())
        return -1;
    return (long)v;
}

static json_t *tools_page(mcp_server_t *s, size_t from)
{
    size_t n = mcp_tool_count(), to;
    json_t *tools = json_array(), *r;

    to = s->opts.page_size ? from + s->opts.page_size : n;
    if (to > n)
        to = n;
    for (size_t i = from; tools && i < to; i++)
        json_array_append_new(tools, mcp_tool_describe(s, i));
    r = json_pack("{s:o}", "tools", tools);
    if (r && to < n) {
        char next[32];

        snprintf(next, sizeof(next), "t%zu", to);
        json_object_set_new(r, "nextCursor", json_string(next));
    }
    return r;
}

static void on_tools_list(mcp_server_t *s, mcp_batch_t *b, const json_t *id,
                          const json_t *params)
{
    long from = page_start(params);
    const char *text;
    json_t *r;

    if (from < 0) {
        reply_error(s, b, id, LD_RPC_INVALID_PARAMS,
                    "Invalid params: unknown cursor (pass back the "
                    "nextCursor of the previous page, or none)");
        return;
    }
    if (!b && (text = cached_page(s, (size_t)from)) != NULL &&
        send_cached(s, id, text) == 0)
        return;
    if (!(r = tools_page(s, (size_t)from))) {
        reply_error(s, b, id, LD_RPC_INTERNAL_ERROR,
                    "Internal error: out of memory");
        return;
    }
    if (!cached_page(s, (size_t)from))
        cache_page(s, (size_t)from, r);
    mcp_reply(s, b, ld_rpc_result(id, r));
}

/* ---- requests ---- */

static void request_roots(mcp_server_t *s)
{
    json_t *m;
    long id;

    pthread_mutex_lock(&s->lock);
    id = s->client_has_roots ? ++s->next_request : 0;
    if (id)
        s->roots_request = id;
    pthread_mutex_unlock(&s->lock);
    if (!id)
        return;
    m = json_pack("{s:s,s:I,s:s}", "jsonrpc", "2.0", "id", (json_int_t)id,
                  "method", "roots/list");
    ld_rpc_send(&s->rpc, m);
}

static void on_set_level(mcp_server_t *s, mcp_batch_t *b, const json_t *id,
                         const json_t *params)
{
    int level = mcp_log_level_parse(
        json_string_value(json_object_get(params, "level")));

    if (level < 0) {
        reply_error(s, b, id, LD_RPC_INVALID_PARAMS,
                    "Invalid params: \"level\" must be one of debug, info, "
                    "notice, warning, error, critical, alert, emergency");
        return;
    }
    pthread_mutex_lock(&s->lock);
    s->log_level = level;
    pthread_mutex_unlock(&s->lock);
    mcp_reply(s, b, ld_rpc_result(id, json_object()));
}

static void on_request(mcp_server_t *s, mcp_batch_t *b, const char *method,
                       const json_t *id, const json_t *params)
{
    char msg[200];
    json_t *r;

    if (!strcmp(method, "tools/call")) {
        mcp_call_start(s, id, params, b);
        return;
    }
    if (!strcmp(method, "ping")) {
        r = json_object();
    } else if (!strcmp(method, "initialize")) {
        r = on_initialize(s, params);
    } else if (!strcmp(method, "tools/list")) {
        on_tools_list(s, b, id, params);
        return;
    } else if (!strcmp(method, "logging/setLevel")) {
        on_set_level(s, b, id, params);
        return;
    } else {
        snprintf(msg, sizeof(msg), "Method not found: %.100s", method);
        reply_error(s, b, id, LD_RPC_METHOD_NOT_FOUND, msg);
        return;
    }
    if (!r)
        reply_error(s, b, id, LD_RPC_INTERNAL_ERROR, "Internal error: out "
                                                     "of memory");
    else
        mcp_reply(s, b, ld_rpc_result(id, r));
}

static void on_notification(mcp_server_t *s, const char *method,
                            const json_t *params)
{
    if (!strcmp(method, "notifications/initialized")) {
        pthread_mutex_lock(&s->lock);
        s->initialized = true;
        pthread_mutex_unlock(&s->lock);
        request_roots(s);
    } else if (!strcmp(method, "notifications/cancelled")) {
        mcp_call_cancel(s, json_object_get(params, "requestId"),
                        json_string_value(json_object_get(params, "reason")));
    } else if (!strcmp(method, "notifications/roots/list_changed")) {
        request_roots(s);
    } else {
        mcp_log(s, MCP_DEBUG, "ignoring notification %s", method);
    }
}

/* A response to one of our requests (roots/list). */
static void on_response(mcp_server_t *s, const json_t *msg, const json_t *id)
{
    bool ours;

    pthread_mutex_lock(&s->lock);
    ours = json_is_integer(id) && s->roots_request &&
           json_integer_value(id) == s->roots_request;
    if (ours)
        s->roots_request = 0;
    pthread_mutex_unlock(&s->lock);
    if (!ours)
        return;
    if (json_object_get(msg, "error")) {
        mcp_log(s, MCP_WARNING, "the client refused roots/list: %s",
                json_string_value(json_object_get(
                    json_object_get(msg, "error"), "message")));
        return;
    }
    mcp_roots_set(s, json_object_get(json_object_get(msg, "result"),
                                     "roots"));
}

/* Whether a message will be answered (for batch accounting): a request,
   or anything ld_rpc_classify rejects. */
static bool wants_reply(const json_t *msg)
{
    const char *method;
    const json_t *id, *params;
    json_t *error = NULL;

    if (ld_rpc_classify(msg, &method, &id, &params, &error)) {
        json_decref(error);
        return true;
    }
    return method && id;
}

static void handle_one(mcp_server_t *s, mcp_batch_t *b, const json_t *msg)
{
    const char *method;
    const json_t *id, *params;
    json_t *error;

    if (ld_rpc_classify(msg, &method, &id, &params, &error)) {
        mcp_reply(s, b, error);
        return;
    }
    if (!method) {
        on_response(s, msg, id);
        return;
    }
    if (!id) {
        on_notification(s, method, params);
        return;
    }
    if (json_is_null(id)) {
        reply_error(s, b, NULL, LD_RPC_INVALID_REQUEST,
                    "Invalid Request: MCP request ids must be strings or "
                    "integers, not null");
        return;
    }
    if (params && !json_is_object(params)) {
        reply_error(s, b, id, LD_RPC_INVALID_PARAMS,
                    "Invalid params: MCP params must be an object");
        return;
    }
    on_request(s, b, method, id, params);
}

static void handle_batch(mcp_server_t *s, const json_t *arr)
{
    mcp_batch_t *b;
    size_t i;
    bool done;

    if (!json_array_size(arr)) {
        reply_error(s, NULL, NULL, LD_RPC_INVALID_REQUEST,
                    "Invalid Request: empty batch");
        return;
    }
    b = calloc(1, sizeof(*b));
    if (!b || !(b->responses = json_array())) {
        free(b);
        reply_error(s, NULL, NULL, LD_RPC_INTERNAL_ERROR,
                    "Internal error: out of memory");
        return;
    }
    pthread_mutex_init(&b->mu, NULL);
    for (i = 0; i < json_array_size(arr); i++)
        if (wants_reply(json_array_get(arr, i)))
            b->pending++;
    for (i = 0; i < json_array_size(arr); i++) {
        const json_t *m = json_array_get(arr, i);

        if (json_is_array(m))
            mcp_reply(s, b, ld_rpc_error(NULL, LD_RPC_INVALID_REQUEST,
                                         "Invalid Request: nested batch",
                                         NULL));
        else
            handle_one(s, wants_reply(m) ? b : NULL, m);
    }
    pthread_mutex_lock(&b->mu);
    b->sealed = true;
    done = b->pending == 0;
    pthread_mutex_unlock(&b->mu);
    if (done)
        batch_flush(s, b);
}

void mcp_handle(mcp_server_t *s, json_t *msg)
{
    if (json_is_array(msg))
        handle_batch(s, msg);
    else
        handle_one(s, NULL, msg);
}
