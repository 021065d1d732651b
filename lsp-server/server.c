/*
 * server.c - the LSP lifecycle and dispatch: initialize / shutdown / exit
 * as the specification orders them, document notifications, and the
 * requests the server answers. Unknown requests get MethodNotFound; bad
 * parameters get InvalidParams; nothing a client sends ends the server but
 * "exit".
 */
#include "lsp.h"

#include <string.h>

static void reply(lsp_server_t *s, const json_t *id, json_t *result)
{
    ld_rpc_send(&s->rpc, ld_rpc_result(id, result ? result : json_null()));
}

static void fail(lsp_server_t *s, const json_t *id, int code, const char *msg)
{
    ld_rpc_send(&s->rpc, ld_rpc_error(id, code, msg, NULL));
}

static bool client_has(const json_t *caps, const char *a, const char *b,
                       const char *c, const char *d)
{
    const json_t *v = json_object_get(caps, a);

    v = json_object_get(v, b);
    v = json_object_get(v, c);
    if (d)
        v = json_object_get(v, d);
    return json_is_true(v);
}

static bool takes_markdown(const json_t *caps)
{
    const json_t *fmts = json_object_get(
        json_object_get(json_object_get(caps, "textDocument"), "hover"),
        "contentFormat");
    size_t i;

    for (i = 0; i < json_array_size(fmts); i++) {
        const char *f = json_string_value(json_array_get(fmts, i));

        if (f && !strcmp(f, "markdown"))
            return true;
    }
    return false;
}

static bool takes_edit_range(const json_t *caps)
{
    const json_t *list = json_object_get(
        json_object_get(json_object_get(json_object_get(caps, "textDocument"),
                                        "completion"),
                        "completionList"),
        "itemDefaults");
    size_t i;

    for (i = 0; i < json_array_size(list); i++) {
        const char *f = json_string_value(json_array_get(list, i));

        if (f && !strcmp(f, "editRange"))
            return true;
    }
    return false;
}

static json_t *capabilities(void)
{
    return json_pack(
        "{s:s,s:{s:b,s:i},s:{s:[s,s,s,s],s:b},s:b,s:{s:[s]},s:b,s:b}",
        "positionEncoding", "utf-16", "textDocumentSync", "openClose", 1,
        "change", 2, "completionProvider", "triggerCharacters", "\"", "$", "{",
        ".", "resolveProvider", 1, "hoverProvider", 1, "codeActionProvider",
        "codeActionKinds", "quickfix", "documentSymbolProvider", 1,
        "definitionProvider", 1);
}

static void initialize(lsp_server_t *s, const json_t *id, const json_t *params)
{
    const json_t *caps = json_object_get(params, "capabilities");

    if (s->initialized) {
        fail(s, id, LD_RPC_INVALID_REQUEST, "initialize was already called");
        return;
    }
    s->snippets = client_has(caps, "textDocument", "completion",
                             "completionItem", "snippetSupport");
    s->markdown = takes_markdown(caps);
    s->item_defaults = takes_edit_range(caps);
    s->initialized = true;
    reply(s, id,
          json_pack("{s:o,s:{s:s,s:s}}", "capabilities", capabilities(),
                    "serverInfo", "name", "loaddensity-lsp", "version",
                    LD_VERSION));
}

/* ---- notifications ---- */

static const char *doc_uri(const json_t *params)
{
    return json_string_value(
        json_object_get(json_object_get(params, "textDocument"), "uri"));
}

static void did_open(lsp_server_t *s, const json_t *params)
{
    const json_t *td = json_object_get(params, "textDocument");
    const json_t *text = json_object_get(td, "text");
    const char *uri = doc_uri(params);
    lsp_doc_t *d;

    if (!uri || !json_is_string(text))
        return;
    d = lsp_doc_open(s, uri, json_string_value(text), json_string_length(text),
                     json_integer_value(json_object_get(td, "version")));
    /* the first diagnostics go out at once */
    if (d && !lsp_doc_lint(d))
        lsp_publish(s, d);
}

static void did_change(lsp_server_t *s, const json_t *params)
{
    lsp_doc_t *d = lsp_doc_find(s, doc_uri(params));
    const json_t *changes = json_object_get(params, "contentChanges");
    const json_t *v =
        json_object_get(json_object_get(params, "textDocument"), "version");
    size_t i;

    if (!d)
        return;
    for (i = 0; i < json_array_size(changes); i++)
        if (lsp_doc_change(d, json_array_get(changes, i)))
            break;
    if (json_is_integer(v))
        d->version = json_integer_value(v);
    d->due_ns = ld_now_ns() + LSP_DEBOUNCE_NS;
}

static void did_close(lsp_server_t *s, const json_t *params)
{
    const char *uri = doc_uri(params);

    if (!uri || !lsp_doc_find(s, uri))
        return;
    lsp_doc_close(s, uri);
    ld_rpc_send(&s->rpc, ld_rpc_notification("textDocument/publishDiagnostics",
                                             json_pack("{s:s,s:[]}", "uri", uri,
                                                       "diagnostics")));
}

static void notification(lsp_server_t *s, const char *method,
                         const json_t *params)
{
    if (!strcmp(method, "exit")) {
        s->exit_now = true;
        s->exit_code = s->shutdown ? 0 : 1;
        return;
    }
    if (!s->initialized || s->shutdown)
        return;
    if (!strcmp(method, "textDocument/didOpen"))
        did_open(s, params);
    else if (!strcmp(method, "textDocument/didChange"))
        did_change(s, params);
    else if (!strcmp(method, "textDocument/didClose"))
        did_close(s, params);
    /* others ($/cancelRequest, initialized, didSave, ...) need nothing */
}

/* ---- requests ---- */

typedef json_t *(*doc_fn)(lsp_server_t *, lsp_doc_t *, const json_t *);

static json_t *symbols(lsp_server_t *s, lsp_doc_t *d, const json_t *p)
{
    (void)p;
    return lsp_symbols(s, d);
}

static const struct {
    const char *method;
    doc_fn fn;
    bool fresh; /* needs the lint of the current text */
} doc_requests[] = {
    {"textDocument/completion", lsp_completion, false},
    {"textDocument/hover", lsp_hover, false},
    {"textDocument/codeAction", lsp_code_actions, true},
    {"textDocument/documentSymbol", symbols, true},
    {"textDocument/definition", lsp_definition, true},
};

static void doc_request(lsp_server_t *s, const json_t *id, size_t k,
                        const json_t *params)
{
    lsp_doc_t *d = lsp_doc_find(s, doc_uri(params));
    bool was_stale;

    if (!d) {
        fail(s, id, LD_RPC_INVALID_PARAMS, "unknown document (not open)");
        return;
    }
    was_stale = !d->lint_ok;
    if (doc_requests[k].fresh && lsp_doc_lint(d)) {
        fail(s, id, LD_RPC_INTERNAL_ERROR, "out of memory");
        return;
    }
    reply(s, id, doc_requests[k].fn(s, d, params));
    if (was_stale && d->lint_ok) /* the lint ran early: publish it */
        lsp_publish(s, d);
}

static void request(lsp_server_t *s, const char *method, const json_t *id,
                    const json_t *params)
{
    size_t k;

    if (!strcmp(method, "initialize")) {
        initialize(s, id, params);
        return;
    }
    if (!s->initialized) {
        fail(s, id, LSP_SERVER_NOT_INITIALIZED, "server not initialized");
        return;
    }
    if (s->shutdown) {
        fail(s, id, LD_RPC_INVALID_REQUEST, "the server is shutting down");
        return;
    }
    if (!strcmp(method, "shutdown")) {
        s->shutdown = true;
        reply(s, id, NULL);
        return;
    }
    if (!strcmp(method, "completionItem/resolve")) {
        reply(s, id, lsp_completion_resolve(s, params));
        return;
    }
    for (k = 0; k < sizeof(doc_requests) / sizeof(doc_requests[0]); k++)
        if (!strcmp(method, doc_requests[k].method)) {
            doc_request(s, id, k, params);
            return;
        }
    fail(s, id, LD_RPC_METHOD_NOT_FOUND, "method not found");
}

void lsp_handle(lsp_server_t *s, const json_t *msg)
{
    const char *method = NULL;
    const json_t *id = NULL, *params = NULL;
    json_t *err = NULL;

    if (ld_rpc_classify(msg, &method, &id, &params, &err)) {
        if (err)
            ld_rpc_send(&s->rpc, err);
        return;
    }
    if (!method)
        return; /* a response to something we never ask */
    if (id)
        request(s, method, id, params);
    else
        notification(s, method, params);
}

uint64_t lsp_tick(lsp_server_t *s, uint64_t now)
{
    uint64_t next = UINT64_MAX;
    lsp_doc_t *d;

    for (d = s->docs; d; d = d->next) {
        if (!d->due_ns)
            continue;
        if (d->due_ns <= now) {
            if (!lsp_doc_lint(d))
                lsp_publish(s, d);
            d->due_ns = 0;
        } else if (d->due_ns - now < next) {
            next = d->due_ns - now;
        }
    }
    return next;
}
