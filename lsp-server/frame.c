/*
 * frame.c - reading messages on the ld_rpc_t of the server: the frames
 * come from ld_rpc_read_raw (Content-Length framing, limits and Parse error
 * answers of ldcore's JSON-RPC layer), and the bodies are decoded with
 * ldcore's document reader instead of jansson's: a didOpen of a 1.8 MB
 * document takes jansson about 45 ms to decode and the document reader
 * about 9 ms, which is most of the budget for the first diagnostics.
 * Writing goes through ld_rpc_send.
 */
#include "lsp.h"

#include <stdio.h>

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
        *raw_error = ld_rpc_error(NULL, LD_RPC_PARSE_ERROR, text, NULL);
        return LD_ESYNTAX;
    }
    *msg = ld_node_to_json(ld_doc_root(doc));
    ld_doc_free(doc);
    return *msg ? 0 : LD_ENOMEM;
}

int lsp_read(ld_rpc_t *r, json_t **msg, json_t **raw_error)
{
    const char *body;
    size_t len;
    int rc = ld_rpc_read_raw(r, &body, &len, raw_error);

    *msg = NULL;
    return rc ? rc : decode(body, len, msg, raw_error);
}
