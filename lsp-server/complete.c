/*
 * complete.c - textDocument/completion from the cursor analysis of ldcore:
 * command names (with a snippet of the required arguments), argument keys
 * of the command under the cursor, enum values, task fields, nested keys,
 * and placeholders after "${" (variables registered in the document, env.,
 * CSV sources and their columns, functions). Long documentation is left to
 * completionItem/resolve so lists stay small.
 */
#include "lsp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    K_FUNCTION = 3,
    K_VARIABLE = 6,
    K_PROPERTY = 10,
    K_VALUE = 12,
    K_ENUM_MEMBER = 20
};

typedef struct cc {
    lsp_server_t *s;
    lsp_doc_t *d;
    ld_cursor_t c;
    size_t off;
    json_t *items;
    json_t *range; /* the token's range, shared by the items */
    bool quoted;   /* the token is a string: the range starts after
                      its opening quote */
} cc_t;

/* Escape text for a snippet ($, } and \ are special). */
static void snip_esc(ld_buf_t *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '$' || *s == '}' || *s == '\\')
            ld_buf_addc(b, '\\');
        ld_buf_addc(b, *s);
    }
}

/* One item. Inside a string the range starts after the opening quote, so
   what was typed matches the label; text then drops its own quote. */
static void add(cc_t *cc, const char *label, int kind, const char *detail,
                const char *sort, const char *text, bool snippet)
{
    json_t *it;

    if (cc->quoted && text[0] == '"')
        text++;
    if (cc->s->item_defaults) /* the range goes once, in itemDefaults */
        it = json_pack("{s:s,s:i,s:s}", "label", label, "kind", kind,
                       "textEditText", text);
    else
        it = json_pack("{s:s,s:i,s:{s:O,s:s}}", "label", label, "kind", kind,
                       "textEdit", "range", cc->range, "newText", text);
    if (!it)
        return;
    if (snippet)
        json_object_set_new(it, "insertTextFormat", json_integer(2));
    if (detail)
        json_object_set_new(it, "detail", json_string(detail));
    if (sort)
        json_object_set_new(it, "sortText", json_string(sort));
    json_array_append_new(cc->items, it);
}

static bool present(const ld_cursor_t *c, const char *key)
{
    size_t i;

    for (i = 0; i < c->npresent; i++)
        if (!strcmp(c->present[i], key))
            return true;
    return false;
}

/* A colon already follows the token: complete the key alone. */
static bool colon_follows(const cc_t *cc)
{
    size_t i = cc->c.tok_end;

    while (i < cc->d->len && (cc->d->text[i] == ' ' || cc->d->text[i] == '\t'))
        i++;
    return i < cc->d->len && cc->d->text[i] == ':';
}

/* A value for a key: an enum choice, the default, or by type; with
   snippets, tab stop `stop` sits on it. */
static void value_snippet(ld_buf_t *b, unsigned types, const char *const *vals,
                          const char *def, const char *shape, bool snippets,
                          int stop)
{
    size_t i, n;
    const char *v;

    if (vals && vals[0]) {
        if (!snippets) {
            ld_buf_printf(b, "\"%s\"", vals[0]);
            return;
        }
        ld_buf_printf(b, "\"${%d|", stop);
        for (i = 0; vals[i]; i++)
            ld_buf_printf(b, "%s%s", i ? "," : "", vals[i]);
        ld_buf_adds(b, "|}\"");
        return;
    }
    if (def && strcmp(def, "null")) {
        n = strlen(def);
        if (!snippets) {
            ld_buf_adds(b, def);
        } else if (def[0] == '"' && n >= 2) {
            char inner[256];

            snprintf(inner, sizeof(inner), "%.*s", (int)(n - 2), def + 1);
            ld_buf_printf(b, "\"${%d:", stop);
            snip_esc(b, inner);
            ld_buf_adds(b, "}\"");
        } else {
            ld_buf_printf(b, "${%d:", stop);
            snip_esc(b, def);
            ld_buf_adds(b, "}");
        }
        return;
    }
    if (snippets && shape && !strcmp(shape, "user_detail_dict")) {
        ld_buf_printf(b, "{\"user\": \"${%d:" LD_USER_DEFAULT "}\"}", stop);
        return;
    }
    if (snippets && shape && !strcmp(shape, "tasks")) {
        ld_buf_printf(b,
                      "[{\"method\": \"get\", \"request_url\": "
                      "\"${%d:/}\"}]",
                      stop);
        return;
    }
    v = ld_registry_placeholder(types, shape);
    if (!snippets || strlen(v) > 2)
        ld_buf_adds(b, v);
    else if (v[0] == '"' || v[0] == '{' || v[0] == '[')
        ld_buf_printf(b, "%c$%d%c", v[0], stop, v[1]);
    else
        ld_buf_printf(b, "${%d:%s}", stop, v);
}

static void key_item(cc_t *cc, const char *name, unsigned types,
                     const char *const *vals, const char *def,
                     const char *shape, const char *detail, const char *sort)
{
    ld_buf_t b;
    bool snip = cc->s->snippets;

    if (present(&cc->c, name))
        return;
    ld_buf_init(&b, 0);
    ld_buf_printf(&b, "\"%s\"", name);
    if (!colon_follows(cc)) {
        ld_buf_adds(&b, ": ");
        value_snippet(&b, types, vals, def, shape, snip, 1);
    }
    if (b.data)
        add(cc, name, K_PROPERTY, detail, sort, b.data,
            snip && strchr(b.data, '$'));
    ld_buf_free(&b);
}

/* ---- commands ---- */

static void args_snippet(ld_buf_t *b, const ld_command_t *c, bool snippets)
{
    size_t i;
    int n = 0;

    for (i = 0; i < c->nparams; i++) {
        const ld_param_t *p = &c->params[i];

        if (!p->required)
            continue;
        ld_buf_adds(b, n++ ? ", " : ", {");
        ld_buf_printf(b, "\"%s\": ", p->name);
        value_snippet(b, p->types, p->enums, p->def, p->shape, snippets, n);
    }
    if (n)
        ld_buf_adds(b, "}");
}

static void build_commands(cc_t *cc, bool whole_action)
{
    size_t n, i;
    const ld_command_t *c = ld_registry_commands(&n);
    bool snip = cc->s->snippets;
    char sort[128], detail[300];

    for (i = 0; i < n; i++) {
        ld_buf_t b;
        bool avail = ld_command_available(&c[i]);

        ld_buf_init(&b, 0);
        ld_buf_printf(&b, "%s\"%s\"", whole_action ? "[" : "", c[i].name);
        if (whole_action || !cc->c.action_has_args)
            args_snippet(&b, &c[i], snip);
        if (whole_action)
            ld_buf_adds(&b, "]");
        /* the summary and documentation come with completionItem/resolve;
           commands this build cannot run sort last */
        snprintf(sort, sizeof(sort), "~%s", c[i].name);
        snprintf(detail, sizeof(detail), "%s (not available in this build)",
                 c[i].summary);
        if (b.data)
            add(cc, c[i].name, K_FUNCTION, avail ? NULL : detail,
                avail ? NULL : sort, b.data, snip && strchr(b.data, '$'));
        ld_buf_free(&b);
    }
}

/* The 80-odd command items are the same for every request of a variant
   but for their range: build them once, then only move the range. */
static void command_items(cc_t *cc, bool whole_action)
{
    int k = (whole_action ? 4 : 0) | (cc->c.action_has_args ? 2 : 0) |
            (cc->quoted ? 1 : 0);
    lsp_server_t *s = cc->s;
    json_t *mine = cc->range;

    if (!s->cmd_items[k]) {
        cc->range = json_deep_copy(mine);
        build_commands(cc, whole_action);
        s->cmd_items[k] = json_incref(cc->items);
        s->cmd_range[k] = cc->range;
        cc->range = mine;
        return;
    }
    json_object_set(s->cmd_range[k], "start", json_object_get(mine, "start"));
    json_object_set(s->cmd_range[k], "end", json_object_get(mine, "end"));
    json_decref(cc->items);
    cc->items = json_incref(s->cmd_items[k]);
}

void lsp_completion_free(lsp_server_t *s)
{
    size_t i;

    for (i = 0; i < 8; i++) {
        json_decref(s->cmd_items[i]);
        json_decref(s->cmd_range[i]);
        s->cmd_items[i] = s->cmd_range[i] = NULL;
    }
}

static void param_keys(cc_t *cc)
{
    const ld_command_t *c = cc->c.cmd;
    char sort[32], detail[200], types[96];
    size_t i;

    for (i = 0; c && i < c->nparams; i++) {
        const ld_param_t *p = &c->params[i];

        snprintf(sort, sizeof(sort), "%d%03zu", p->required ? 0 : 1, i);
        snprintf(detail, sizeof(detail), "%s%s",
                 ld_mask_text(p->types, types, sizeof(types)),
                 p->required ? " (required)" : "");
        key_item(cc, p->name, p->types, p->enums, p->def, p->shape, detail,
                 sort);
    }
}

/* ---- values ---- */

/* Enum values; user templates carry their description from the registry
   (and whether this build runs them). */
static void enum_items(cc_t *cc, const char *const *vals, const char *detail)
{
    bool users = vals && vals == ld_registry_enum("user");
    char text[200], sort[32], doc[300];
    size_t i;

    for (i = 0; vals && vals[i]; i++) {
        const ld_user_template_t *u = users ? ld_registry_user(vals[i]) : NULL;

        snprintf(text, sizeof(text), "\"%s\"", vals[i]);
        snprintf(sort, sizeof(sort), "%03zu", i);
        if (u)
            snprintf(doc, sizeof(doc), "%s%s", u->doc,
                     ld_registry_user_available(u->name)
                         ? ""
                         : " (not available in this build yet)");
        add(cc, vals[i], K_ENUM_MEMBER, u ? doc : detail, sort, text, false);
    }
}

static void typed_values(cc_t *cc, unsigned types, const char *const *vals,
                         const char *def, const char *shape)
{
    ld_buf_t b;

    enum_items(cc, vals, NULL);
    if (cc->c.in_string)
        return;
    if (types & LD_J_BOOL) {
        add(cc, "true", K_VALUE, NULL, "1", "true", false);
        add(cc, "false", K_VALUE, NULL, "1", "false", false);
    }
    if (def && !vals) {
        add(cc, def, K_VALUE, "default", "0", def, false);
    } else if (shape && (!strcmp(shape, "tasks") ||
                         !strcmp(shape, "user_detail_dict"))) {
        ld_buf_init(&b, 0);
        value_snippet(&b, types, NULL, NULL, shape, false, 1);
        if (b.data)
            add(cc, b.data, K_VALUE, "skeleton", "0", b.data, false);
        ld_buf_free(&b);
    }
}

static void field_keys(cc_t *cc)
{
    size_t n, i;
    const ld_field_t *f = ld_registry_task_fields(&n);
    char sort[32];

    for (i = 0; i < n; i++) {
        snprintf(sort, sizeof(sort), "%03zu", i);
        key_item(cc, f[i].name, f[i].types, f[i].enums, NULL, f[i].shape, NULL,
                 sort);
    }
}

static void shape_keys(cc_t *cc)
{
    const ld_shape_t *s = cc->c.shape;
    char sort[32];
    size_t i;

    for (i = 0; s && i < s->nkeys; i++) {
        const ld_shape_key_t *k = &s->keys[i];

        snprintf(sort, sizeof(sort), "%d%03zu", k->required ? 0 : 1, i);
        key_item(cc, k->name, k->types,
                 k->enum_name ? ld_registry_enum(k->enum_name) : NULL, NULL,
                 k->shape, k->required ? "(required)" : NULL, sort);
    }
}

/* ---- placeholders ---- */

/* The columns of a CSV file's header row (path relative to the document's
   directory when the document is a file:// URI). */
static void csv_columns(cc_t *cc, const ld_lint_def_t *def, bool close)
{
    char path[4096], line[4096], label[600], text[610];
    const char *uri = cc->d->uri, *slash;
    FILE *f = NULL;
    char *tok, *save = NULL;

    if (!def->detail)
        return;
    if (def->detail[0] == '/' || strncmp(uri, "file://", 7))
        snprintf(path, sizeof(path), "%s", def->detail);
    else if ((slash = strrchr(uri + 7, '/')) != NULL)
        snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - uri - 7), uri + 7,
                 def->detail);
    if (!(f = fopen(path, "r")))
        return;
    if (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        for (tok = strtok_r(line, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save)) {
            size_t n = strlen(tok);

            if (n >= 2 && tok[0] == '"' && tok[n - 1] == '"') {
                tok[n - 1] = '\0';
                tok++;
            }
            snprintf(label, sizeof(label), "csv.%s.%s", def->name, tok);
            snprintf(text, sizeof(text), "%s%s", label, close ? "}" : "");
            add(cc, label, K_VARIABLE, def->detail, "1", text, false);
        }
    }
    fclose(f);
}

static void placeholder_items(cc_t *cc)
{
    const ld_lint_result_t *r = &cc->d->lint;
    size_t i, end = cc->off;
    bool close;
    char text[600], label[610];
    json_t *seen;

    while (end < cc->d->len &&
           strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
                  "KLMNOPQRSTUVWXYZ0123456789_.(),",
                  cc->d->text[end]) &&
           cc->d->text[end])
        end++;
    close = !(end < cc->d->len && cc->d->text[end] == '}');
    json_decref(cc->range);
    cc->range = lsp_doc_range(cc->d, cc->c.ph_start, end);
    cc->quoted = false;
    seen = json_object();
    for (i = 0; seen && i < r->ndefs; i++) {
        const ld_lint_def_t *def = &r->defs[i];

        snprintf(text, sizeof(text), "%s.%s",
                 def->kind == LD_DEF_CSV ? "csv" : "var", def->name);
        if (json_object_get(seen, text))
            continue;
        json_object_set_new(seen, text, json_true());
        if (def->kind == LD_DEF_CSV) {
            csv_columns(cc, def, close);
            snprintf(label, sizeof(label), "%s.", text);
            add(cc, label, K_VARIABLE, def->detail, "2", label, false);
            continue;
        }
        snprintf(label, sizeof(label), "%s%s", text, close ? "}" : "");
        add(cc, text, K_VARIABLE,
            def->kind == LD_DEF_EXTRACT ? "extracted from a response"
                                        : "registered variable",
            "0", label, false);
    }
    json_decref(seen);
    add(cc, "env.", K_VARIABLE, "environment variable", "3", "env.", false);
    add(cc, "uuid()", K_FUNCTION, "a random UUID v4", "4",
        close ? "uuid()}" : "uuid()", false);
    add(cc, "now()", K_FUNCTION, "the current time, ISO 8601", "4",
        close ? "now()}" : "now()", false);
    if (cc->s->snippets)
        add(cc, "randint(a,b)", K_FUNCTION, "a random integer in [a, b]", "4",
            close ? "randint(${1:1},${2:100})\\}" : "randint(${1:1},${2:100})",
            true);
    else
        add(cc, "randint(a,b)", K_FUNCTION, "a random integer in [a, b]", "4",
            close ? "randint(1,100)}" : "randint(1,100)", false);
}

/* ---- entry ---- */

static void by_kind(cc_t *cc)
{
    const ld_cursor_t *c = &cc->c;

    switch (c->kind) {
    case LD_CUR_ACTION:
        command_items(cc, true);
        break;
    case LD_CUR_COMMAND:
        command_items(cc, false);
        break;
    case LD_CUR_ARG_KEY:
        param_keys(cc);
        break;
    case LD_CUR_ARG_VALUE:
        typed_values(cc, c->param->types, c->param->enums, c->param->def,
                     c->param->shape);
        break;
    case LD_CUR_TASK_KEY:
        field_keys(cc);
        break;
    case LD_CUR_TASK_VALUE:
        typed_values(cc, c->field->types, c->field->enums, NULL, NULL);
        break;
    case LD_CUR_TASKS_KEY:
        key_item(cc, "mode", LD_J_STRING, ld_registry_enum("mode"), NULL, NULL,
                 "sequence, weighted or conditional", "0");
        key_item(cc, "tasks", LD_J_ARRAY, NULL, NULL, NULL, "the task list",
                 "1");
        break;
    case LD_CUR_SHAPE_KEY:
        shape_keys(cc);
        break;
    case LD_CUR_SHAPE_VALUE:
        typed_values(cc, c->skey->types,
                     c->enum_name ? ld_registry_enum(c->enum_name) : NULL, NULL,
                     NULL);
        break;
    case LD_CUR_VALUE:
        if (c->enum_name)
            enum_items(cc, ld_registry_enum(c->enum_name), NULL);
        break;
    default:
        break;
    }
}

json_t *lsp_completion(lsp_server_t *s, lsp_doc_t *d, const json_t *params)
{
    cc_t cc;
    json_t *out;

    memset(&cc, 0, sizeof(cc));
    cc.s = s;
    cc.d = d;
    cc.items = json_array();
    if (d->fmt == LD_FMT_JSON) {
        cc.off = lsp_doc_offset(d, json_object_get(params, "position"));
        ld_cursor_at(d->text, d->len, lsp_doc_scan_start(d, cc.off), cc.off,
                     &cc.c);
        cc.quoted = cc.c.in_string;
        cc.range = lsp_doc_range(d, cc.c.tok_start + (cc.quoted ? 1 : 0),
                                 cc.c.tok_end);
        if (cc.c.in_placeholder)
            placeholder_items(&cc);
        else
            by_kind(&cc);
    }
    if (s->item_defaults && cc.range)
        out = json_pack("{s:b,s:{s:O},s:o}", "isIncomplete", 0, "itemDefaults",
                        "editRange", cc.range, "items", cc.items);
    else
        out = json_pack("{s:b,s:o}", "isIncomplete", 0, "items", cc.items);
    json_decref(cc.range);
    return out;
}

json_t *lsp_completion_resolve(lsp_server_t *s, const json_t *item)
{
    const char *name = json_string_value(json_object_get(item, "label"));
    const ld_command_t *c = name ? ld_registry_find(name) : NULL;
    json_t *out = json_deep_copy(item);
    char *doc;

    if (!out)
        return NULL;
    if (c && !json_object_get(out, "detail"))
        json_object_set_new(out, "detail", json_string(c->summary));
    if (c && (doc = lsp_command_doc(c)) != NULL) {
        json_object_set_new(out, "documentation",
                            json_pack("{s:s,s:s}", "kind",
                                      s->markdown ? "markdown" : "plaintext",
                                      "value", doc));
        free(doc);
    }
    return out;
}
