/*
 * diagnostics.c - lint findings as LSP diagnostics. The rule id is the
 * diagnostic code; quick fixes travel in "data" so that a client can hand
 * them back in codeAction requests.
 */
#include "lsp.h"

static json_t *fixes_json(lsp_doc_t *d, const ld_lint_finding_t *f)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; a && i < f->nfixes; i++)
        json_array_append_new(
            a, json_pack("{s:s,s:o,s:s}", "title", f->fixes[i].title, "range",
                         lsp_doc_range(d, f->fixes[i].start, f->fixes[i].end),
                         "newText", f->fixes[i].text));
    return a;
}

json_t *lsp_diagnostic(lsp_doc_t *d, const ld_lint_finding_t *f)
{
    json_t *o = json_pack("{s:o,s:i,s:s,s:s,s:s}", "range",
                          lsp_doc_pos_range(d, &f->pos, &f->end), "severity",
                          (int)f->severity, "code", f->rule->id, "source",
                          "loaddensity", "message", f->message);

    if (o && f->nfixes)
        json_object_set_new(o, "data",
                            json_pack("{s:o}", "fixes", fixes_json(d, f)));
    return o;
}

int lsp_publish(lsp_server_t *s, lsp_doc_t *d)
{
    json_t *list = json_array(), *params;
    size_t i;

    if (!list)
        return LD_ENOMEM;
    for (i = 0; i < d->lint.n; i++)
        json_array_append_new(list, lsp_diagnostic(d, &d->lint.items[i]));
    params = json_pack("{s:s,s:I,s:o}", "uri", d->uri, "version",
                       (json_int_t)d->version, "diagnostics", list);
    return ld_rpc_send(&s->rpc, ld_rpc_notification(
                                    "textDocument/publishDiagnostics", params));
}
