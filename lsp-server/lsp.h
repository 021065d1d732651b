/*
 * lsp.h - loaddensity-lsp: a language server for action documents over
 * stdio (Content-Length framing). The front-end keeps the open documents,
 * converts positions (LSP counts UTF-16 code units), and presents what
 * ldcore computes: lint findings, the cursor analysis, the registry.
 */
#ifndef LD_LSP_H
#define LD_LSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ldcore/lint.h"
#include "ldcore/rpc.h"

#define LSP_DEBOUNCE_NS (75u * 1000u * 1000u)

/* LSP error codes beyond JSON-RPC's. */
enum { LSP_SERVER_NOT_INITIALIZED = -32002, LSP_REQUEST_FAILED = -32803 };

typedef struct lsp_doc {
    char *uri;
    char *text; /* NUL-terminated */
    size_t len;
    size_t cap;
    int64_t version;
    ld_doc_format_t fmt;
    /* line starts of the current text (built on demand) */
    size_t *lines;
    size_t nlines;
    size_t lines_cap;
    bool lines_ok;
    /* the last lint: valid for the text when lint_ok */
    ld_doc_t *parsed;
    ld_lint_result_t lint;
    bool lint_ok;
    uint64_t due_ns; /* a debounced lint is due (0: none) */
    /* start offsets of the top-level actions, kept in step with edits so
       that completion can scan from the enclosing action */
    size_t *marks;
    size_t nmarks;
    struct lsp_doc *next;
} lsp_doc_t;

typedef struct lsp_server {
    ld_rpc_t rpc;
    lsp_doc_t *docs;
    bool initialized;
    bool shutdown;
    bool snippets;      /* the client takes snippet completions */
    bool markdown;      /* ... and Markdown in hover/documentation */
    bool item_defaults; /* ... and CompletionList.itemDefaults with
                           editRange (LSP 3.17) */
    bool exit_now;
    int exit_code;
    /* command-name completion lists, built once per variant (whole action,
       action has arguments, inside a string); their items share one range
       object, updated for each request */
    json_t *cmd_items[8];
    json_t *cmd_range[8];
} lsp_server_t;

/* ---- input (frame.c) ---- */

/* ld_rpc_read for Content-Length frames, decoding with the document
   reader (several times faster than jansson on large documents). */
int lsp_read(ld_rpc_t *r, json_t **msg, json_t **raw_error);

/* ---- documents (docs.c) ---- */

lsp_doc_t *lsp_doc_find(lsp_server_t *s, const char *uri);
lsp_doc_t *lsp_doc_open(lsp_server_t *s, const char *uri, const char *text,
                        size_t len, int64_t version);
void lsp_doc_close(lsp_server_t *s, const char *uri);
void lsp_docs_free(lsp_server_t *s);
/* Apply one contentChanges entry (range + text, or the whole text). */
int lsp_doc_change(lsp_doc_t *d, const json_t *change);
/* Lint now if the lint is stale; returns 0 or LD_ENOMEM. */
int lsp_doc_lint(lsp_doc_t *d);
/* Byte offset of an LSP position (clamped), and back. */
size_t lsp_doc_offset(lsp_doc_t *d, const json_t *position);
json_t *lsp_doc_position(lsp_doc_t *d, size_t off);
/* {"start", "end"} of a byte range. */
json_t *lsp_doc_range(lsp_doc_t *d, size_t a, size_t b);
/* The range of a finding or node position pair (byte offsets inside). */
json_t *lsp_doc_pos_range(lsp_doc_t *d, const ld_pos_t *a, const ld_pos_t *b);
/* Where completion may start scanning for offset off. */
size_t lsp_doc_scan_start(const lsp_doc_t *d, size_t off);

/* ---- features ---- */

/* textDocument/publishDiagnostics of d (diagnostics.c). */
int lsp_publish(lsp_server_t *s, lsp_doc_t *d);
json_t *lsp_diagnostic(lsp_doc_t *d, const ld_lint_finding_t *f);

json_t *lsp_completion(lsp_server_t *s, lsp_doc_t *d, const json_t *params);
void lsp_completion_free(lsp_server_t *s);
json_t *lsp_completion_resolve(lsp_server_t *s, const json_t *item);
json_t *lsp_hover(lsp_server_t *s, lsp_doc_t *d, const json_t *params);
json_t *lsp_code_actions(lsp_server_t *s, lsp_doc_t *d, const json_t *params);
json_t *lsp_symbols(lsp_server_t *s, lsp_doc_t *d);
json_t *lsp_definition(lsp_server_t *s, lsp_doc_t *d, const json_t *params);

/* Markdown documentation of a command (hover, completion resolve). */
char *lsp_command_doc(const ld_command_t *c);

/* ---- dispatch (server.c) ---- */

/* Handle one incoming message (borrowed). */
void lsp_handle(lsp_server_t *s, const json_t *msg);
/* Run the debounced lints that are due; returns ns until the next one is
   due, or UINT64_MAX. */
uint64_t lsp_tick(lsp_server_t *s, uint64_t now);

#endif
