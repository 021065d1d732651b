/*
 * schema.c - the JSON Schema (draft 2020-12) of action documents, derived
 * from the command registry: one definition per command with its keyword
 * and positional forms, selected by the command name with if/then so that
 * validators report the error of the command actually written.
 */
#include "lint/schema_int.h"

#include <stdio.h>
#include <string.h>


#define LD_SCHEMA_DIALECT "https://json-schema.org/draft/2020-12/schema"

static json_t *with_null(json_t *schema, bool nullable)
{
    if (!nullable)
        return schema;
    return json_pack("{s:[o,{s:s}]}", "anyOf", schema, "type", "null");
}

static json_t *param_schema(const ld_command_t *c, const ld_param_t *p)
{
    bool nullable = !p->required;
    json_t *o = ld__schema_typed(p->types, p->enums, false, nullable, p->doc);
    json_t *def;
    char name[64];

    if (p->def && (def = json_loads(p->def, JSON_DECODE_ANY, NULL)))
        json_object_set_new(o, "default", def);
    if (!p->shape || !strcmp(p->shape, "tasks"))
        return o; /* tasks: chosen by the user template, see tasks_rule */
    if (!strcmp(p->shape, "actions")) {
        if (strcmp(c->name, "LD_execute_action"))
            return o; /* data for another command, not run */
        snprintf(name, sizeof(name), "nested");
    } else {
        snprintf(name, sizeof(name), "shape.%s", p->shape);
    }
    json_object_del(o, "type");
    if (nullable || (p->types & LD_J_NULL))
        json_object_set_new(
            o, "anyOf",
            json_pack("[o,{s:s}]", ld__schema_ref(name), "type", "null"));
    else
        json_object_set_new(o, "anyOf", json_pack("[o]", ld__schema_ref(name)));
    return o;
}

/* Non-HTTP user templates: their tasks have other fields. */
static json_t *other_users(void)
{
    size_t n, i;
    const ld_user_template_t *u = ld_registry_users(&n);
    json_t *a = json_array();

    for (i = 0; i < n; i++)
        if (!ld_registry_user_available(u[i].name))
            json_array_append_new(a, json_string(u[i].name));
    return a;
}

static json_t *tasks_rule(void)
{
    json_t *when = json_pack("{s:[s],s:{s:{s:[s],s:{s:{s:o}}}}}", "required",
                             "user_detail_dict", "properties",
                             "user_detail_dict", "required", "user",
                             "properties", "user", "enum", other_users());

    return json_pack(
        "{s:o,s:{s:{s:o}},s:{s:{s:o}}}", "if", when, "then", "properties",
        "tasks", with_null(ld__schema_ref("shape.tasks.other"), true), "else",
        "properties", "tasks", with_null(ld__schema_ref("shape.tasks"), true));
}

static json_t *kwargs_form(const ld_command_t *c)
{
    json_t *props = json_object(), *req = json_array(), *o;
    bool tasks = false;
    size_t i;

    for (i = 0; i < c->nparams; i++) {
        json_object_set_new(props, c->params[i].name,
                            param_schema(c, &c->params[i]));
        if (c->params[i].required)
            json_array_append_new(req, json_string(c->params[i].name));
        if (c->params[i].shape && !strcmp(c->params[i].shape, "tasks"))
            tasks = true;
    }
    o = json_pack("{s:s,s:o,s:b}", "type", "object", "properties", props,
                  "additionalProperties",
                  (c->flags & LD_CMD_EXTRA_KWARGS) != 0);
    if (json_array_size(req))
        json_object_set_new(o, "required", req);
    else
        json_decref(req);
    if (tasks)
        json_object_set_new(o, "allOf", json_pack("[o]", tasks_rule()));
    return o;
}

static json_t *positional_form(const ld_command_t *c)
{
    json_t *items = json_array(), *o;
    size_t i, min = 0;

    for (i = 0; i < c->nparams; i++) {
        json_t *p = param_schema(c, &c->params[i]);

        if (c->params[i].shape && !strcmp(c->params[i].shape, "tasks"))
            json_object_set_new(
                p, "anyOf",
                json_pack("[o,o,{s:s}]", ld__schema_ref("shape.tasks"),
                          ld__schema_ref("shape.tasks.other"), "type", "null"));
        json_array_append_new(items, p);
        if (c->params[i].required)
            min = i + 1;
    }
    o = json_pack("{s:s,s:o,s:b}", "type", "array", "prefixItems", items,
                  "items", (c->flags & LD_CMD_VARIADIC) != 0);
    if (min)
        json_object_set_new(o, "minItems", json_integer((json_int_t)min));
    return o;
}

static json_t *command_def(const ld_command_t *c)
{
    json_t *args, *o;
    bool required = false;
    size_t i;
    char desc[2048];

    for (i = 0; i < c->nparams; i++)
        required = required || c->params[i].required;
    if (c->nparams)
        /* if/then/else rather than anyOf: validators then check one form */
        args = json_pack("{s:[s,s],s:{s:s},s:o,s:o}", "type", "object", "array",
                         "if", "type", "object", "then", kwargs_form(c), "else",
                         positional_form(c));
    else
        args = json_pack("{s:[s,s],s:i,s:i}", "type", "object", "array",
                         "maxProperties", 0, "maxItems", 0);
    snprintf(desc, sizeof(desc), "%s%s%s", c->summary, c->doc ? "\n\n" : "",
             c->doc ? c->doc : "");
    o = json_pack("{s:s,s:[b,o]}", "description", desc, "prefixItems", 1, args);
    if (required)
        json_object_set_new(o, "minItems", json_integer(2));
    return o;
}

/* A plain enum: editors evaluate every branch of an anyOf of consts for
   each action, which costs more than all the rest of the validation. The
   summaries are the descriptions of the cmd.* definitions. */
static json_t *command_names(const char *const *known, size_t nknown)
{
    size_t n, i;
    const ld_command_t *c = ld_registry_commands(&n);
    json_t *names = json_array();

    for (i = 0; i < n; i++)
        json_array_append_new(names, json_string(c[i].name));
    for (i = 0; known && i < nknown; i++)
        if (known[i] && !ld_registry_find(known[i]))
            json_array_append_new(names, json_string(known[i]));
    return json_pack("{s:s,s:s,s:o}", "type", "string", "description",
                     "The command to run.", "enum", names);
}

/* Commands are grouped by the letter after "LD_": a validator tests one
   "if" per group and then one per command of the matching group, instead
   of one per command (about 80) for every action of a document. */
static char group_of(const char *name)
{
    return strncmp(name, "LD_", 3) ? name[0] : name[3];
}

static json_t *group_rule(json_t *defs, const ld_command_t *c, size_t n, char g)
{
    json_t *names = json_array(), *all = json_array();
    char name[128];
    size_t i;

    for (i = 0; i < n; i++) {
        if (group_of(c[i].name) != g)
            continue;
        snprintf(name, sizeof(name), "cmd.%s", c[i].name);
        json_object_set_new(defs, name, command_def(&c[i]));
        json_array_append_new(names, json_string(c[i].name));
        json_array_append_new(all, json_pack("{s:{s:[{s:s}]},s:o}", "if",
                                             "prefixItems", "const", c[i].name,
                                             "then", ld__schema_ref(name)));
    }
    return json_pack("{s:{s:[{s:o}]},s:{s:o}}", "if", "prefixItems", "enum",
                     names, "then", "allOf", all);
}

static json_t *action_def(json_t *defs)
{
    size_t n, i, j;
    const ld_command_t *c = ld_registry_commands(&n);
    json_t *groups = json_array();

    for (i = 0; i < n; i++) {
        char g = group_of(c[i].name);

        for (j = 0; j < i && group_of(c[j].name) != g; j++)
            ;
        if (j == i) /* first command of its group */
            json_array_append_new(groups, group_rule(defs, c, n, g));
    }
    return json_pack("{s:s,s:s,s:i,s:i,s:[o],s:o}", "description",
                     "An action: [\"command\"], [\"command\", {kwargs}] or "
                     "[\"command\", [args]].",
                     "type", "array", "minItems", 1, "maxItems", 2,
                     "prefixItems", ld__schema_ref("command"), "allOf", groups);
}

/* An action list, or {"load_density": [...]}, without an anyOf. */
static json_t *document_def(const char *desc)
{
    json_t *o =
        json_pack("{s:[s,s],s:o,s:{s:o},s:{s:s},s:{s:[s]}}", "type", "array",
                  "object", "items", ld__schema_ref("action"), "properties",
                  "load_density", ld__schema_ref("actions"), "if", "type",
                  "object", "then", "required", "load_density");

    if (o && desc)
        json_object_set_new(o, "description", json_string(desc));
    return o;
}

json_t *ld_schema_build(const char *const *known, size_t nknown)
{
    json_t *defs = json_object(), *root, *doc;

    if (!defs)
        return NULL;
    json_object_set_new(defs, "command", command_names(known, nknown));
    json_object_set_new(defs, "action", action_def(defs));
    json_object_set_new(defs, "actions",
                        json_pack("{s:s,s:s,s:o}", "description",
                                  "A list of actions, run in order.", "type",
                                  "array", "items", ld__schema_ref("action")));
    /* No anyOf at the top: editors validate every alternative of an anyOf
       against the whole value, which on a large document makes each
       completion a full validation. */
    json_object_set_new(defs, "nested", document_def(NULL));
    ld__schema_shapes(defs);
    ld__schema_tasks(defs);
    doc = document_def(
        "A list of LD_* actions, or {\"load_density\": [...]}. Generated "
        "from the command registry of loaddensity " LD_VERSION ".");
    root = json_pack("{s:s,s:s}", "$schema", LD_SCHEMA_DIALECT, "title",
                     "LoadDensity action document");
    if (!doc || !root || json_object_update(root, doc)) {
        json_decref(defs);
        json_decref(root);
        root = NULL;
    } else if (json_object_set_new(root, "$defs", defs)) {
        json_decref(root);
        root = NULL;
    }
    json_decref(doc);
    return root;
}

int ld_schema_write(const char *path, const char *const *known, size_t nknown,
                    ld_diag_t *d)
{
    json_t *s = ld_schema_build(known, nknown);
    int rc;

    if (!s)
        return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    rc = json_dump_file(s, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(s);
    if (rc)
        return ld_diag_set(d, LD_EIO, path, NULL, "cannot write the schema");
    return 0;
}
