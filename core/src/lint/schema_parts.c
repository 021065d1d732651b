/*
 * schema_parts.c - JSON Schema pieces derived from the tables: types from
 * LD_J_* masks, enums (case-insensitive ones as an anyOf of the values and a
 * pattern, since the engine compares them so), task fields, the task list
 * forms, and the nested shapes of shapes.c.
 *
 * The schema rejects only what the linter reports as an error: keys the
 * engine ignores are accepted (the linter warns about them).
 */
#include "lint/schema_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* "^(?:[gG][eE][tT]|...)$" */
static json_t *ci_pattern(const char *const *vals)
{
    ld_buf_t b;
    size_t i;
    const char *s;
    json_t *out;

    ld_buf_init(&b, 0);
    ld_buf_adds(&b, "^(?:");
    for (i = 0; vals[i]; i++) {
        if (i)
            ld_buf_addc(&b, '|');
        for (s = vals[i]; *s; s++) {
            if (isalpha((unsigned char)*s))
                ld_buf_printf(&b, "[%c%c]", tolower((unsigned char)*s),
                              toupper((unsigned char)*s));
            else if (strchr(".^$*+?()[]{}|\\-", *s))
                ld_buf_printf(&b, "\\%c", *s);
            else
                ld_buf_addc(&b, *s);
        }
    }
    ld_buf_adds(&b, ")$");
    out = b.data ? json_string(b.data) : NULL;
    ld_buf_free(&b);
    return out;
}

static json_t *enum_array(const char *const *vals, bool nullable)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; vals[i]; i++)
        json_array_append_new(a, json_string(vals[i]));
    if (nullable)
        json_array_append_new(a, json_null());
    return a;
}

json_t *ld__schema_enum(const char *const *vals, bool ci, bool nullable)
{
    json_t *e = json_pack("{s:o}", "enum", enum_array(vals, nullable));

    if (!ci)
        return e;
    return json_pack("{s:[o,{s:s,s:o}]}", "anyOf", e, "type", "string",
                     "pattern", ci_pattern(vals));
}

/* A value: types, enum, and description. */
json_t *ld__schema_typed(unsigned types, const char *const *vals, bool ci,
                         bool nullable, const char *doc)
{
    json_t *o = vals ? ld__schema_enum(vals, ci, nullable) : json_object();
    json_t *t = vals ? NULL : ld_mask_schema_type(types, nullable);

    if (t)
        json_object_set_new(o, "type", t);
    if (doc)
        json_object_set_new(o, "description", json_string(doc));
    return o;
}

json_t *ld__schema_ref(const char *name)
{
    char buf[128];

    snprintf(buf, sizeof(buf), "#/$defs/%s", name);
    return json_pack("{s:s}", "$ref", buf);
}

/* ---- shapes ---- */

static json_t *shape_key(const ld_shape_key_t *k)
{
    const char *const *vals =
        k->enum_name ? ld_registry_enum(k->enum_name) : NULL;
    json_t *o = ld__schema_typed(k->types, vals, ld__enum_ci(k->enum_name),
                                 !k->required, k->doc);
    char name[64];

    if (k->shape) {
        snprintf(name, sizeof(name), "shape.%s", k->shape);
        json_object_del(o, "type");
        json_object_set_new(
            o, "anyOf",
            json_pack("[o,{s:s}]", ld__schema_ref(name), "type", "null"));
    }
    return o;
}

static json_t *shape_object(const ld_shape_t *s)
{
    json_t *props = json_object(), *req = json_array(), *o;
    size_t i;

    for (i = 0; i < s->nkeys; i++) {
        json_object_set_new(props, s->keys[i].name, shape_key(&s->keys[i]));
        if (s->keys[i].required)
            json_array_append_new(req, json_string(s->keys[i].name));
    }
    o = json_pack("{s:s,s:s,s:o}", "type", "object", "description", s->doc,
                  "properties", props);
    if (json_array_size(req))
        json_object_set_new(o, "required", req);
    else
        json_decref(req);
    return o;
}

/* json_path needs "path", header needs "name". */
static void conditional(json_t *o, const char *kind_key, bool dflt_path)
{
    json_t *all = json_array();
    json_t *is_path = json_pack("{s:{s:{s:s}},s:[s]}", "properties", kind_key,
                                "const", "json_path", "required", kind_key);

    if (dflt_path)
        is_path = json_pack("{s:[{s:{s:[s]}},o]}", "anyOf", "not", "required",
                            kind_key, is_path);
    json_array_append_new(all, json_pack("{s:o,s:{s:[s]}}", "if", is_path,
                                         "then", "required", "path"));
    json_array_append_new(all, json_pack("{s:{s:{s:{s:s}},s:[s]},s:{s:[s]}}",
                                         "if", "properties", kind_key, "const",
                                         "header", "required", kind_key, "then",
                                         "required", "name"));
    json_object_set_new(o, "allOf", all);
}

static json_t *shape_def(const ld_shape_t *s)
{
    json_t *obj = shape_object(s);

    if (!strcmp(s->name, "assertions"))
        conditional(obj, "type", false);
    else if (!strcmp(s->name, "extract"))
        conditional(obj, "from", true);
    if (!strcmp(s->name, "think_time"))
        return json_pack("{s:s,s:[{s:s,s:i},o]}", "description", s->doc,
                         "anyOf", "type", "number", "minimum", 0, obj);
    if (!strcmp(s->name, "predicate"))
        return json_pack("{s:s,s:[{s:[s,s,s,s]},o]}", "description", s->doc,
                         "anyOf", "type", "boolean", "number", "string", "null",
                         ld__schema_predicate(obj));
    if (!strcmp(s->name, "auth"))
        return json_pack("{s:s,s:[{s:s,s:i,s:i},o]}", "description", s->doc,
                         "anyOf", "type", "array", "minItems", 2, "maxItems", 2,
                         obj);
    if (s->list)
        return json_pack("{s:s,s:s,s:o}", "type", "array", "description",
                         s->doc, "items", obj);
    return obj;
}

json_t *ld__schema_predicate(json_t *obj)
{
    static const char *const ops[] = {"equals", "not_equals", "in"};
    json_t *props = json_object_get(obj, "properties"), *any = json_array();
    size_t i;

    for (i = 0; i < 3; i++)
        json_object_set_new(props, ops[i],
                            json_pack("{s:s,s:i,s:i}", "type", "array",
                                      "minItems", 2, "maxItems", 2));
    for (i = 0; i < 3; i++)
        json_array_append_new(any, json_pack("{s:[s]}", "required", ops[i]));
    json_array_append_new(any, json_pack("{s:[s]}", "required", "truthy"));
    json_object_set_new(obj, "anyOf", any);
    return obj;
}

/* "files" (the task field): {"field": file} or [[field, file], ...]; a file
   is text, null, or [filename, content, content_type, headers]. */
static void upload_defs(json_t *defs)
{
    json_t *text = json_pack("{s:[s,s,s,s]}", "type", "string", "integer",
                             "boolean", "null");
    json_t *tuple = json_pack(
        "{s:s,s:i,s:i,s:[{s:[s,s]},O,{s:[s,s]},{s:[s,s]}]}", "type", "array",
        "minItems", 2, "maxItems", 4, "prefixItems", "type", "string", "null",
        text, "type", "string", "null", "type", "object", "null");

    json_object_set_new(defs, "shape.upload.file",
                        json_pack("{s:s,s:[o,o]}", "description",
                                  "A file: its content, or [filename, content, "
                                  "content_type, headers].",
                                  "anyOf", text, tuple));
    json_object_set_new(
        defs, "shape.upload",
        json_pack("{s:s,s:[{s:s,s:o},{s:s,s:{s:s,s:i,s:i,s:[{s:s},o]}}]}",
                  "description",
                  "multipart/form-data files: {\"field\": file} or "
                  "[[field, file], ...].",
                  "anyOf", "type", "object", "additionalProperties",
                  ld__schema_ref("shape.upload.file"), "type", "array", "items",
                  "type", "array", "minItems", 2, "maxItems", 2, "prefixItems",
                  "type", "string", ld__schema_ref("shape.upload.file")));
}

void ld__schema_shapes(json_t *defs)
{
    static const char *const names[] = {
        "user_detail_dict", "assertions",  "extract",   "think_time",
        "throttle",         "retry",       "predicate", "auth",
        "sla_rules",        "csv_sources", "stages",    "shape_config"};
    size_t i;
    char key[64];

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const ld_shape_t *s = ld_shape_find(names[i]);

        snprintf(key, sizeof(key), "shape.%s", names[i]);
        if (s)
            json_object_set_new(defs, key, shape_def(s));
    }
    json_object_set_new(defs, "shape.variables",
                        json_pack("{s:s,s:s}", "type", "object", "description",
                                  "Variables: name to value (any JSON)."));
    json_object_set_new(
        defs, "shape.files",
        json_pack("{s:s,s:{s:s}}", "type", "array", "items", "type", "string"));
    upload_defs(defs);
}

/* ---- tasks ---- */

static json_t *field_schema(const ld_field_t *f)
{
    json_t *o = ld__schema_typed(f->types, f->enums, !strcmp(f->name, "method"),
                                 true, f->doc);
    char name[64];

    if (f->shape) {
        snprintf(name, sizeof(name), "shape.%s", f->shape);
        json_object_del(o, "type");
        json_object_set_new(
            o, "anyOf",
            json_pack("[o,{s:s}]", ld__schema_ref(name), "type", "null"));
    }
    if (!strcmp(f->name, "weight"))
        json_object_set_new(o, "minimum", json_integer(0));
    return o;
}

static json_t *task_def(bool http)
{
    size_t n, i;
    const ld_field_t *f = ld_registry_task_fields(&n);
    json_t *props = json_object(), *o;

    for (i = 0; i < n; i++)
        if (http || strcmp(f[i].name, "method"))
            json_object_set_new(props, f[i].name, field_schema(&f[i]));
    o = json_pack("{s:s,s:s,s:o}", "type", "object", "description",
                  http ? "An HTTP task: one request and what to do with its "
                         "response."
                       : "A task of a non-HTTP user template.",
                  "properties", props);
    if (http)
        json_object_set_new(
            o, "anyOf",
            json_pack("[{s:[s],s:{s:{s:s}}},{s:[s],s:{s:{s:s}}}]", "required",
                      "request_url", "properties", "request_url", "type",
                      "string", "required", "url", "properties", "url", "type",
                      "string"));
    return o;
}

static json_t *tasks_def(const char *task)
{
    const char *const *methods = ld_registry_enum("method");
    json_t *list = json_pack("{s:s,s:i,s:o}", "type", "array", "minItems", 1,
                             "items", ld__schema_ref(task));
    json_t *legacy = json_pack(
        "{s:s,s:s,s:i,s:{s:s,s:o},s:o}", "type", "object", "description",
        "Legacy form: {\"get\": {...}, \"post\": {...}}, keyed by method.",
        "minProperties", 1, "propertyNames", "type", "string", "pattern",
        ci_pattern(methods), "additionalProperties", ld__schema_ref(task));
    json_t *wrapped = json_pack(
        "{s:s,s:s,s:[s],s:{s:o,s:{s:[o,o]}}}", "type", "object", "description",
        "{\"mode\": sequence|weighted|conditional, \"tasks\"}", "required",
        "tasks", "properties", "mode",
        ld__schema_enum(ld_registry_enum("mode"), true, true), "tasks", "anyOf",
        json_deep_copy(list), json_deep_copy(legacy));

    /* the engine's own order of tests, as if/then/else (an anyOf would make
       validators check every form) */
    return json_pack(
        "{s:s,s:[s,s],s:{s:s},s:o,s:{s:{s:[s],s:{s:{s:[s,s]}}},s:o,s:o}}",
        "description", "The tasks every user runs.", "type", "array", "object",
        "if", "type", "array", "then", list, "else", "if", "required", "tasks",
        "properties", "tasks", "type", "array", "object", "then", wrapped,
        "else", legacy);
}

void ld__schema_tasks(json_t *defs)
{
    json_object_set_new(defs, "task", task_def(true));
    json_object_set_new(defs, "task.other", task_def(false));
    json_object_set_new(defs, "shape.tasks", tasks_def("task"));
    json_object_set_new(defs, "shape.tasks.other", tasks_def("task.other"));
}
