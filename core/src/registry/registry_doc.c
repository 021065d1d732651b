/*
 * Documentation derived from the registry: docs/commands.md and the JSON
 * description used by `loaddensity commands --json` and MCP.
 */
#include "registry/registry_int.h"

#include <string.h>

static json_t *mask_to_json(unsigned mask)
{
    static const struct {
        unsigned bit;
        const char *name;
    } t[] = {
        {LD_J_STRING, "string"}, {LD_J_INT, "integer"}, {LD_J_REAL, "number"},
        {LD_J_BOOL, "boolean"},  {LD_J_OBJECT, "object"},
        {LD_J_ARRAY, "array"},   {LD_J_NULL, "null"},
    };
    json_t *a = json_array();
    size_t i;

    for (i = 0; a && i < sizeof(t) / sizeof(t[0]); i++) {
        if (!(mask & t[i].bit))
            continue;
        /* "number" already covers integers. */
        if (t[i].bit == LD_J_INT && (mask & LD_J_REAL))
            continue;
        json_array_append_new(a, json_string(t[i].name));
    }
    return a;
}

static json_t *param_to_json(const ld_param_t *p)
{
    json_t *o = json_object();
    size_t i;

    if (!o)
        return NULL;
    json_object_set_new(o, "name", json_string(p->name));
    json_object_set_new(o, "types", mask_to_json(p->types));
    json_object_set_new(o, "required", json_boolean(p->required));
    if (p->def)
        json_object_set_new(o, "default",
                            json_loads(p->def, JSON_DECODE_ANY, NULL));
    if (p->enums) {
        json_t *e = json_array();

        for (i = 0; e && p->enums[i]; i++)
            json_array_append_new(e, json_string(p->enums[i]));
        json_object_set_new(o, "enum", e);
    }
    if (p->shape)
        json_object_set_new(o, "shape", json_string(p->shape));
    json_object_set_new(o, "doc", json_string(p->doc ? p->doc : ""));
    return o;
}

json_t *ld_registry_to_json(void)
{
    json_t *arr = json_array();
    size_t i, j;

    for (i = 0; arr && i < ld__ncommands; i++) {
        const ld_command_t *c = &ld__commands[i];
        json_t *o = json_object(), *ps = json_array();

        if (!o || !ps) {
            json_decref(o);
            json_decref(ps);
            json_decref(arr);
            return NULL;
        }
        json_object_set_new(o, "name", json_string(c->name));
        json_object_set_new(o, "group", json_string(c->group));
        json_object_set_new(o, "summary", json_string(c->summary));
        json_object_set_new(o, "doc", json_string(c->doc ? c->doc : ""));
        json_object_set_new(o, "available", json_boolean(c->fn != NULL));
        if (!c->fn && c->unavailable)
            json_object_set_new(o, "unavailable_reason",
                                json_string(c->unavailable));
        if (c->alias_of)
            json_object_set_new(o, "alias_of", json_string(c->alias_of));
        json_object_set_new(o, "extra_kwargs",
                            json_boolean(c->flags & LD_CMD_EXTRA_KWARGS));
        for (j = 0; j < c->nparams; j++)
            json_array_append_new(ps, param_to_json(&c->params[j]));
        json_object_set_new(o, "params", ps);
        json_array_append_new(arr, o);
    }
    return arr;
}

/* Markdown table cells cannot hold '|' or newlines. */
static int md_cell(ld_buf_t *out, const char *s)
{
    int rc = 0;

    for (; s && *s && !rc; s++) {
        if (*s == '|')
            rc = ld_buf_adds(out, "\\|");
        else if (*s == '\n')
            rc = ld_buf_addc(out, ' ');
        else
            rc = ld_buf_addc(out, *s);
    }
    return rc;
}

static int md_param(ld_buf_t *out, const ld_param_t *p)
{
    char types[96];
    size_t i;
    int rc;

    rc = ld_buf_printf(out, "| `%s` | %s | %s | ", p->name,
                       ld_mask_text(p->types, types, sizeof(types)),
                       p->required ? "yes" : "no");
    if (!rc && p->def)
        rc = ld_buf_adds(out, "`") || md_cell(out, p->def) ||
             ld_buf_adds(out, "`");
    if (!rc)
        rc = ld_buf_adds(out, " | ");
    if (!rc)
        rc = md_cell(out, p->doc);
    for (i = 0; !rc && p->enums && p->enums[i]; i++)
        rc = ld_buf_printf(out, "%s`%s`", i ? ", " : " One of: ",
                           p->enums[i]);
    return rc ? rc : ld_buf_adds(out, " |\n");
}

static int md_command(ld_buf_t *out, const ld_command_t *c)
{
    size_t j;
    int rc;

    rc = ld_buf_printf(out, "### `%s`\n\n%s%s\n\n", c->name, c->summary,
                       c->fn ? "" : " **(not available yet)**");
    if (!rc && c->doc && c->doc[0])
        rc = ld_buf_printf(out, "%s\n\n", c->doc);
    if (!rc && !c->fn && c->unavailable)
        rc = ld_buf_printf(out, "Status: %s\n\n", c->unavailable);
    if (!rc && c->alias_of)
        rc = ld_buf_printf(out, "Alias of `%s`.\n\n", c->alias_of);
    if (rc || !c->nparams)
        return rc ? rc : ld_buf_adds(out, "Takes no arguments.\n\n");
    rc = ld_buf_adds(out, "| argument | type | required | default | "
                          "description |\n|---|---|---|---|---|\n");
    for (j = 0; !rc && j < c->nparams; j++)
        rc = md_param(out, &c->params[j]);
    if (!rc && (c->flags & LD_CMD_EXTRA_KWARGS))
        rc = ld_buf_adds(out, "\nOther keyword arguments are accepted and "
                              "passed through (the linter warns).\n");
    return rc ? rc : ld_buf_adds(out, "\n");
}

static int md_fields(ld_buf_t *out)
{
    char types[96];
    size_t i, j;
    int rc;

    rc = ld_buf_adds(out, "## Task fields\n\nFields of one task in "
                          "`LD_start_test`'s `tasks` (HTTP user "
                          "templates).\n\n| field | type | description "
                          "|\n|---|---|---|\n");
    for (i = 0; !rc && i < ld__ntask_fields; i++) {
        const ld_field_t *f = &ld__task_fields[i];

        rc = ld_buf_printf(out, "| `%s` | %s | ", f->name,
                           ld_mask_text(f->types, types, sizeof(types)));
        if (!rc)
            rc = md_cell(out, f->doc);
        for (j = 0; !rc && f->enums && f->enums[j]; j++)
            rc = ld_buf_printf(out, "%s`%s`", j ? ", " : " One of: ",
                               f->enums[j]);
        if (!rc)
            rc = ld_buf_adds(out, " |\n");
    }
    return rc;
}

int ld_registry_write_markdown(ld_buf_t *out)
{
    const char *group = "";
    size_t i;
    int rc;

    rc = ld_buf_adds(out,
                     "<!-- Generated by `loaddensity commands --markdown` "
                     "from the command registry\n     "
                     "(core/src/registry/). Do not edit: a test fails when "
                     "this file is stale. -->\n\n"
                     "# Command reference\n\n"
                     "Every action is `[\"LD_command\"]`, "
                     "`[\"LD_command\", {kwargs}]` or "
                     "`[\"LD_command\", [positional args]]`; positional "
                     "arguments follow the order of the tables below.\n\n");
    for (i = 0; !rc && i < ld__ncommands; i++) {
        const ld_command_t *c = &ld__commands[i];

        if (strcmp(group, c->group) != 0) {
            group = c->group;
            rc = ld_buf_printf(out, "## %s\n\n", group);
        }
        if (!rc)
            rc = md_command(out, c);
    }
    return rc ? rc : md_fields(out);
}
