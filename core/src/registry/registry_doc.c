/*
 * Documentation derived from the registry: docs/commands.md and the JSON
 * description used by `loaddensity commands --json` and MCP.
 */
#include "registry/registry_int.h"

#include <string.h>

json_t *ld_mask_schema_type(unsigned mask, bool nullable)
{
    json_t *a;
    int bad = 0;

    if ((mask & LD_J_ANY) == LD_J_ANY)
        return NULL;
    if (!(a = json_array()))
        return NULL;
    /* json_array_append_new fails (-1) when json_string ran out of memory */
    if (mask & LD_J_STRING)
        bad |= json_array_append_new(a, json_string("string"));
    if ((mask & LD_J_NUMBER) == LD_J_NUMBER || (mask & LD_J_REAL))
        bad |= json_array_append_new(a, json_string("number"));
    else if (mask & LD_J_INT)
        bad |= json_array_append_new(a, json_string("integer"));
    if (mask & LD_J_BOOL)
        bad |= json_array_append_new(a, json_string("boolean"));
    if (mask & LD_J_OBJECT)
        bad |= json_array_append_new(a, json_string("object"));
    if (mask & LD_J_ARRAY)
        bad |= json_array_append_new(a, json_string("array"));
    if ((mask & LD_J_NULL) || nullable)
        bad |= json_array_append_new(a, json_string("null"));
    if (bad) {
        json_decref(a);
        return NULL;
    }
    if (json_array_size(a) == 1) {
        json_t *one = json_incref(json_array_get(a, 0));

        json_decref(a);
        return one;
    }
    return a;
}

/* The types of a parameter as a list, every type named. */
static json_t *mask_to_json(unsigned mask)
{
    json_t *t = ld_mask_schema_type(mask & ~LD_J_NULL, mask & LD_J_NULL), *a;

    if (!t && (mask & ~LD_J_NULL & LD_J_ANY) != LD_J_ANY)
        return NULL; /* ENOMEM, not "any type" */
    if (!json_is_string(t))
        return t ? t : json_array();
    if ((a = json_array()) && json_array_append_new(a, t)) {
        json_decref(a);
        a = NULL;
    } else if (!a) {
        json_decref(t);
    }
    return a;
}

static json_t *param_to_json(const ld_param_t *p)
{
    json_t *o = json_object();
    size_t i;
    int bad = 0;

    if (!o)
        return NULL;
    /* every json_*_set_new / append_new below fails on a NULL value */
    bad |= json_object_set_new(o, "name", json_string(p->name));
    bad |= json_object_set_new(o, "types", mask_to_json(p->types));
    bad |= json_object_set_new(o, "required", json_boolean(p->required));
    if (p->def)
        bad |= json_object_set_new(o, "default",
                                   json_loads(p->def, JSON_DECODE_ANY, NULL));
    if (p->enums) {
        json_t *e = json_array();

        for (i = 0; e && !bad && p->enums[i]; i++)
            bad |= json_array_append_new(e, json_string(p->enums[i]));
        bad |= json_object_set_new(o, "enum", e);
    }
    if (p->shape)
        bad |= json_object_set_new(o, "shape", json_string(p->shape));
    bad |= json_object_set_new(o, "doc", json_string(p->doc ? p->doc : ""));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *ld_registry_to_json(void)
{
    json_t *arr = json_array();
    size_t i, j;
    int bad = 0;

    for (i = 0; arr && !bad && i < ld__ncommands; i++) {
        const ld_command_t *c = &ld__commands[i];
        json_t *o = json_object(), *ps = json_array();

        if (!o || !ps) {
            json_decref(o);
            json_decref(ps);
            json_decref(arr);
            return NULL;
        }
        bad |= json_object_set_new(o, "name", json_string(c->name));
        bad |= json_object_set_new(o, "group", json_string(c->group));
        bad |= json_object_set_new(o, "summary", json_string(c->summary));
        bad |= json_object_set_new(o, "doc",
                                   json_string(c->doc ? c->doc : ""));
        bad |= json_object_set_new(o, "available",
                                   json_boolean(c->fn != NULL));
        if (!c->fn && c->unavailable)
            bad |= json_object_set_new(o, "unavailable_reason",
                                       json_string(c->unavailable));
        if (c->alias_of)
            bad |= json_object_set_new(o, "alias_of",
                                       json_string(c->alias_of));
        bad |= json_object_set_new(o, "extra_kwargs",
                                   json_boolean(c->flags & LD_CMD_EXTRA_KWARGS));
        for (j = 0; j < c->nparams && !bad; j++)
            bad |= json_array_append_new(ps, param_to_json(&c->params[j]));
        bad |= json_object_set_new(o, "params", ps);
        bad |= json_array_append_new(arr, o);
    }
    if (bad) { /* ENOMEM part-way: never hand out a partial description */
        json_decref(arr);
        return NULL;
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

static int md_enum(ld_buf_t *out, const char *const *vals)
{
    int rc = 0;

    for (size_t j = 0; !rc && vals && vals[j]; j++)
        rc = ld_buf_printf(out, "%s`%s`", j ? ", " : " One of: ", vals[j]);
    return rc;
}

static int md_param(ld_buf_t *out, const ld_param_t *p)
{
    char types[96];
    int rc;

    rc = ld_buf_printf(out, "| `%s` | %s | %s | ", p->name,
                       ld_mask_text(p->types, types, sizeof(types)),
                       p->required ? "yes" : "no");
    /* not `a || b || c`: that turned LD_ENOMEM into 1 */
    if (!rc && p->def)
        rc = ld_buf_adds(out, "`");
    if (!rc && p->def)
        rc = md_cell(out, p->def);
    if (!rc && p->def)
        rc = ld_buf_adds(out, "`");
    if (!rc)
        rc = ld_buf_adds(out, " | ");
    if (!rc)
        rc = md_cell(out, p->doc);
    if (!rc)
        rc = md_enum(out, p->enums);
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
    size_t i;
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
        if (!rc)
            rc = md_enum(out, f->enums);
        if (!rc)
            rc = ld_buf_adds(out, " |\n");
    }
    return rc;
}

/* user_detail_dict: its keys, then the user templates (users.c). */
static int md_users(ld_buf_t *out)
{
    const ld_shape_t *s = ld_registry_shape("user_detail_dict");
    const ld_user_template_t *u;
    char types[96];
    size_t i, n;
    int rc;

    rc = ld_buf_printf(out, "\n## `user_detail_dict`\n\n%s Other keys are "
                            "ignored (the linter warns).\n\n| key | type | "
                            "description |\n|---|---|---|\n",
                       s->doc);
    for (i = 0; !rc && i < s->nkeys; i++) {
        const ld_shape_key_t *k = &s->keys[i];

        rc = ld_buf_printf(out, "| `%s` | %s | ", k->name,
                           ld_mask_text(k->types, types, sizeof(types)));
        if (!rc)
            rc = md_cell(out, k->doc);
        if (!rc && k->enum_name && strcmp(k->enum_name, "user"))
            rc = md_enum(out, ld_registry_enum(k->enum_name));
        if (!rc)
            rc = ld_buf_adds(out, " |\n");
    }
    if (!rc)
        rc = ld_buf_adds(out, "\nUser templates (`user`):\n\n| template | "
                              "description |\n|---|---|\n");
    u = ld_registry_users(&n);
    for (i = 0; !rc && i < n; i++) {
        rc = ld_buf_printf(out, "| `%s` | ", u[i].name) ||
             md_cell(out, u[i].doc);
        if (!rc && !ld_registry_user_available(u[i].name))
            rc = ld_buf_adds(out, " **(not available yet)**");
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
    if (!rc)
        rc = md_fields(out);
    return rc ? rc : md_users(out);
}
