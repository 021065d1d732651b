/*
 * schema.c - JSON Schemas of tool inputs, derived from the command registry:
 * the parameter table's JSON types, defaults, enums and docs, and for the
 * structured values ("tasks", "user_detail_dict", "csv_sources", ...) the
 * registry's task-field table. Nothing here restates a command's arguments.
 */
#include <string.h>

#include "ldcore/report.h"
#include "mcp.h"

static void set_type(json_t *o, unsigned mask)
{
    json_t *t = ld_mask_schema_type(mask, false);

    if (t)
        json_object_set_new(o, "type", t);
}

static json_t *enum_of(const char *const *values, bool with_null)
{
    json_t *e = json_array();

    for (size_t i = 0; e && values && values[i]; i++)
        json_array_append_new(e, json_string(values[i]));
    if (e && with_null)
        json_array_append_new(e, json_null());
    return e;
}

/* One task object: every field of the registry's task table. */
static json_t *task_schema(void)
{
    size_t n, i;
    const ld_field_t *f = ld_registry_task_fields(&n);
    json_t *props = json_object(), *o;

    for (i = 0; props && i < n; i++) {
        json_t *p = json_object();

        if (!p)
            break;
        set_type(p, f[i].types);
        if (f[i].enums)
            json_object_set_new(p, "enum", enum_of(f[i].enums, false));
        json_object_set_new(p, "description", json_string(f[i].doc));
        json_object_set_new(props, f[i].name, p);
    }
    o = json_pack("{s:s,s:o,s:s}", "type", "object", "properties", props,
                  "description",
                  "One request: method and request_url, optional headers, "
                  "json/data body, assertions, extract, think_time, ...");
    return o;
}

static json_t *user_detail_schema(void)
{
    return json_pack(
        "{s:s,s:{s:{s:s,s:o,s:s},s:{s:s,s:s},s:{s:s,s:o}},s:b}", "type",
        "object", "properties", "user", "type", "string", "enum",
        enum_of(ld_registry_enum("user"), false), "description",
        "User template (the C engine runs fast_http_user and http_user).",
        "host", "type", "string", "description",
        "Base URL that relative request_url values are joined to.",
        "http_version", "type", "string", "enum",
        enum_of(ld_registry_enum("http_version"), false),
        "additionalProperties", 1);
}

static json_t *csv_sources_schema(void)
{
    return json_pack("{s:{s:s,s:{s:{s:s},s:{s:s},s:{s:s}},s:[s,s]}}",
                     "items", "type", "object", "properties", "name", "type",
                     "string", "file_path", "type", "string", "cycle", "type",
                     "boolean", "required", "name", "file_path");
}

/* Extra keywords for a parameter's structured shape. */
static void add_shape(json_t *o, const ld_param_t *p)
{
    const char *sh = p->shape;

    if (!sh) {
        if ((p->types & LD_J_ARRAY) && !strcmp(p->name, "include"))
            json_object_set_new(o, "items", json_pack("{s:s}", "type",
                                                      "string"));
        if ((p->types & LD_J_ARRAY) && !strcmp(p->name, "exclude"))
            json_object_set_new(o, "items", json_pack("{s:s}", "type",
                                                      "string"));
        return;
    }
    if (!strcmp(sh, "strings")) {
        json_object_set_new(o, "items", json_pack("{s:s}", "type", "string"));
    } else if (!strcmp(sh, "report_formats")) {
        json_t *e = json_array();

        for (int k = LD_REPORT_HTML; e && k <= LD_REPORT_CHART; k++)
            json_array_append_new(e, json_string(ld_report_kind_name(
                                         (ld_report_kind_t)k)));
        json_object_set_new(o, "items", json_pack("{s:s,s:o}", "type",
                                                  "string", "enum", e));
    } else if (!strcmp(sh, "tasks")) {
        json_object_set_new(o, "items", task_schema());
        json_object_set_new(
            o, "properties",
            json_pack("{s:{s:s,s:o},s:{s:s,s:s}}", "mode", "type", "string",
                      "enum", enum_of(ld_registry_enum("mode"), false),
                      "tasks", "type", "array", "description",
                      "The tasks (objects as in the list form)."));
    } else if (!strcmp(sh, "user_detail_dict")) {
        json_t *u = user_detail_schema();

        json_object_update(o, u);
        json_decref(u);
    } else if (!strcmp(sh, "csv_sources")) {
        json_t *c = csv_sources_schema();

        json_object_update(o, c);
        json_decref(c);
    } else if (!strcmp(sh, "variables")) {
        json_object_set_new(o, "additionalProperties", json_true());
    } else if (!strcmp(sh, "actions")) {
        json_object_set_new(o, "items", json_pack("{s:s}", "type", "array"));
    }
}

json_t *mcp_param_schema(const ld_param_t *p)
{
    json_t *o = json_object();

    if (!o)
        return NULL;
    set_type(o, p->types);
    if (p->enums)
        json_object_set_new(o, "enum",
                            enum_of(p->enums, (p->types & LD_J_NULL) != 0));
    if (p->def) {
        json_t *v = json_loads(p->def, JSON_DECODE_ANY, NULL);

        if (v)
            json_object_set_new(o, "default", v);
    }
    if (p->doc)
        json_object_set_new(o, "description", json_string(p->doc));
    add_shape(o, p);
    return o;
}

json_t *mcp_input_schema(const ld_param_t *const *ps, size_t n)
{
    json_t *props = json_object(), *req = json_array(), *o;

    for (size_t i = 0; props && req && i < n; i++) {
        json_object_set_new(props, ps[i]->name, mcp_param_schema(ps[i]));
        if (ps[i]->required)
            json_array_append_new(req, json_string(ps[i]->name));
    }
    o = json_pack("{s:s,s:o,s:b}", "type", "object", "properties", props,
                  "additionalProperties", 0);
    if (o && json_array_size(req))
        json_object_set_new(o, "required", req);
    else
        json_decref(req);
    return o;
}
