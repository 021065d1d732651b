/*
 * features.c - hover (a command's documentation, an argument's, a task
 * field's), code actions (the linter's quick fixes: did-you-mean, add a
 * missing argument or key), document symbols (one per action) and
 * go-to-definition from ${var.X} / ${csv.S.C} to where it is registered.
 */
#include "lsp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- documentation text ---- */

static void param_line(ld_buf_t *b, const ld_param_t *p)
{
    char types[96];
    size_t i;

    ld_buf_printf(b, "- `%s` (%s%s%s%s)", p->name,
                  ld_mask_text(p->types, types, sizeof(types)),
                  p->required ? ", required" : "", p->def ? ", default " : "",
                  p->def ? p->def : "");
    if (p->doc)
        ld_buf_printf(b, ": %s", p->doc);
    for (i = 0; p->enums && p->enums[i]; i++)
        ld_buf_printf(b, "%s`%s`", i ? ", " : " One of ", p->enums[i]);
    ld_buf_adds(b, "\n");
}

char *lsp_command_doc(const ld_command_t *c)
{
    ld_buf_t b;
    size_t i;

    ld_buf_init(&b, 0);
    ld_buf_printf(&b, "**%s** - %s\n\n", c->name, c->summary);
    if (c->doc)
        ld_buf_printf(&b, "%s\n\n", c->doc);
    if (!ld_command_available(c))
        ld_buf_printf(&b, "*Not available in this build: %s.*\n\n",
                      c->unavailable ? c->unavailable : "later");
    if (c->nparams)
        ld_buf_adds(&b, "Arguments (keyword, or positional in this "
                        "order):\n\n");
    else
        ld_buf_adds(&b, "No arguments.\n");
    for (i = 0; i < c->nparams; i++)
        param_line(&b, &c->params[i]);
    return ld_buf_take(&b, NULL);
}

static json_t *markup(lsp_server_t *s, const char *text)
{
    return json_pack("{s:s,s:s}", "kind",
                     s->markdown ? "markdown" : "plaintext", "value", text);
}

/* ---- hover ---- */

/* The text of the string token under the cursor (quotes dropped). */
static void token_text(const lsp_doc_t *d, const ld_cursor_t *c, char *buf,
                       size_t size)
{
    size_t a = c->tok_start + 1, b = c->tok_end;

    if (b > a && d->text[b - 1] == '"')
        b--;
    snprintf(buf, size, "%.*s", (int)(b > a ? b - a : 0), d->text + a);
}

static char *key_doc(const ld_cursor_t *c, const char *key)
{
    ld_buf_t b;
    const ld_param_t *p;
    const ld_field_t *f;
    const ld_shape_key_t *k;
    char types[96];

    ld_buf_init(&b, 0);
    if (c->kind == LD_CUR_ARG_KEY && c->cmd &&
        (p = ld_command_param(c->cmd, key, NULL)) != NULL) {
        ld_buf_printf(&b, "%s argument:\n\n", c->cmd->name);
        param_line(&b, p);
    } else if (c->kind == LD_CUR_TASK_KEY &&
               (f = ld_registry_task_field(key)) != NULL) {
        ld_buf_printf(&b, "task field `%s` (%s): %s\n", f->name,
                      ld_mask_text(f->types, types, sizeof(types)),
                      f->doc ? f->doc : "");
    } else if (c->kind == LD_CUR_SHAPE_KEY &&
               (k = ld_shape_key(c->shape, key)) != NULL) {
        ld_buf_printf(&b, "`%s` (%s%s): %s\n", k->name,
                      ld_mask_text(k->types, types, sizeof(types)),
                      k->required ? ", required" : "", k->doc ? k->doc : "");
    }
    return ld_buf_take(&b, NULL);
}

json_t *lsp_hover(lsp_server_t *s, lsp_doc_t *d, const json_t *params)
{
    size_t off;
    ld_cursor_t c;
    const ld_command_t *cmd;
    char tok[256], *doc = NULL;
    json_t *out;

    if (d->fmt != LD_FMT_JSON)
        return json_null();
    off = lsp_doc_offset(d, json_object_get(params, "position"));
    ld_cursor_at(d->text, d->len, lsp_doc_scan_start(d, off), off, &c);
    if (!c.in_string)
        return json_null();
    token_text(d, &c, tok, sizeof(tok));
    if (c.kind == LD_CUR_COMMAND || c.kind == LD_CUR_ACTION) {
        if ((cmd = ld_registry_find(tok)) != NULL)
            doc = lsp_command_doc(cmd);
    } else {
        doc = key_doc(&c, tok);
    }
    if (!doc || !*doc) {
        free(doc);
        return json_null();
    }
    out = json_pack("{s:o,s:o}", "contents", markup(s, doc), "range",
                    lsp_doc_range(d, c.tok_start, c.tok_end));
    free(doc);
    return out;
}

/* ---- code actions ---- */

json_t *lsp_code_actions(lsp_server_t *s, lsp_doc_t *d, const json_t *params)
{
    const json_t *range = json_object_get(params, "range");
    size_t a = lsp_doc_offset(d, json_object_get(range, "start"));
    size_t b = lsp_doc_offset(d, json_object_get(range, "end"));
    json_t *out = json_array();
    size_t i, j;

    (void)s;
    for (i = 0; out && i < d->lint.n; i++) {
        const ld_lint_finding_t *f = &d->lint.items[i];
        size_t fa = f->pos.off, fb = f->end.line ? f->end.off : fa;

        if (!f->nfixes || fb < a || fa > b)
            continue;
        for (j = 0; j < f->nfixes; j++) {
            json_t *edit =
                json_pack("[{s:o,s:s}]", "range",
                          lsp_doc_range(d, f->fixes[j].start, f->fixes[j].end),
                          "newText", f->fixes[j].text);
            json_t *act = json_pack(
                "{s:s,s:s,s:[o],s:b,s:{s:{s:o}}}", "title", f->fixes[j].title,
                "kind", "quickfix", "diagnostics", lsp_diagnostic(d, f),
                "isPreferred", f->nfixes == 1, "edit", "changes", d->uri, edit);

            json_array_append_new(out, act);
        }
    }
    return out;
}

/* ---- symbols ---- */

static json_t *symbol(lsp_doc_t *d, const ld_node_t *a)
{
    const ld_node_t *name = ld_node_at(a, 0);
    const char *label =
        name && name->type == LD_TSTRING ? name->u.str.s : "(invalid action)";
    const ld_command_t *c = ld_registry_find(label);
    json_t *o;

    if (!name)
        name = a;
    o = json_pack("{s:s,s:i,s:o,s:o}", "name", *label ? label : "(empty)",
                  "kind", 12, "range", lsp_doc_pos_range(d, &a->pos, &a->end),
                  "selectionRange",
                  lsp_doc_pos_range(d, &name->pos, &name->end));
    if (o && c)
        json_object_set_new(o, "detail", json_string(c->summary));
    return o;
}

json_t *lsp_symbols(lsp_server_t *s, lsp_doc_t *d)
{
    json_t *out = json_array();
    size_t i;

    (void)s;
    for (i = 0; out && i < d->lint.nactions; i++)
        if (d->lint.actions[i]->pos.line)
            json_array_append_new(out, symbol(d, d->lint.actions[i]));
    return out;
}

/* ---- definition ---- */

/* The placeholder "${...}" around off inside the string token; its body
   (trimmed) in buf. */
static bool placeholder_at(const lsp_doc_t *d, const ld_cursor_t *c, size_t off,
                           char *buf, size_t size)
{
    size_t i, open = 0, close;
    bool found = false;

    for (i = c->tok_start + 1; i + 1 < c->tok_end && i < off + 1; i++)
        if (d->text[i] == '$' && d->text[i + 1] == '{') {
            open = i + 2;
            found = true;
        }
    if (!found || off < open - 2)
        return false;
    for (close = open; close < c->tok_end && d->text[close] != '}'; close++)
        ;
    if (close >= c->tok_end || off > close)
        return false;
    while (open < close && d->text[open] == ' ')
        open++;
    while (close > open && d->text[close - 1] == ' ')
        close--;
    snprintf(buf, size, "%.*s", (int)(close - open), d->text + open);
    return true;
}

static const ld_lint_def_t *best_def(const lsp_doc_t *d, const char *name,
                                     bool csv, size_t off)
{
    const ld_lint_def_t *best = NULL;
    size_t i;

    for (i = 0; i < d->lint.ndefs; i++) {
        const ld_lint_def_t *def = &d->lint.defs[i];

        if ((def->kind == LD_DEF_CSV) != csv || strcmp(def->name, name))
            continue;
        /* the last registration before the use, else the first one */
        if (!best || (def->pos.off < off && def->kind != LD_DEF_EXTRACT))
            best = def;
    }
    return best;
}

json_t *lsp_definition(lsp_server_t *s, lsp_doc_t *d, const json_t *params)
{
    size_t off;
    ld_cursor_t c;
    char body[256], *name = body, *dot;
    bool csv = false;
    const ld_lint_def_t *def;

    (void)s;
    if (d->fmt != LD_FMT_JSON)
        return json_null();
    off = lsp_doc_offset(d, json_object_get(params, "position"));
    ld_cursor_at(d->text, d->len, lsp_doc_scan_start(d, off), off, &c);
    if (!c.in_string || !placeholder_at(d, &c, off, body, sizeof(body)))
        return json_null();
    if (!strncmp(body, "var.", 4)) {
        name = body + 4;
    } else if (!strncmp(body, "csv.", 4)) {
        name = body + 4;
        csv = true;
        if ((dot = strchr(name, '.')) != NULL)
            *dot = '\0';
    } else if (strchr(body, '.') || strchr(body, '(')) {
        return json_null();
    }
    if (!(def = best_def(d, name, csv, off)))
        return json_null();
    return json_pack("{s:s,s:o}", "uri", d->uri, "range",
                     lsp_doc_pos_range(d, &def->pos, &def->end));
}
