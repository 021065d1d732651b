/*
 * tasks.c - the tasks of LD_start_test: a list, {"mode", "tasks"}, or the
 * legacy {"get": {...}} object keyed by method; each task's fields checked
 * against the registry's task-field table (HTTP user templates only: other
 * templates have their own fields).
 */
#include "lint/lint_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define LD_LINT_MAX_BODY (1024u * 1024u)

static void unknown_field(ld__lint_t *cx, const ld_member_t *m)
{
    const char *names[64];
    size_t n, i;
    const ld_field_t *f = ld_registry_task_fields(&n);
    const char *sug;
    ld_lint_finding_t *fi;

    for (i = 0; i < n && i < 63; i++)
        names[i] = f[i].name;
    names[i] = NULL;
    sug = ld_suggest(m->key, names, i);
    if (!sug) {
        ld__lint_key(cx, LD_RULE_UNKNOWN_TASK_FIELD, m,
                     "unknown task field \"%s\" is ignored", m->key);
        return;
    }
    fi = ld__lint_key(cx, LD_RULE_UNKNOWN_TASK_FIELD, m,
                      "unknown task field \"%s\" is ignored (did you mean "
                      "\"%s\"?)",
                      m->key, sug);
    ld__lint_fix_string(cx, fi, &m->key_pos, &m->key_end, sug);
}

static void weight(ld__lint_t *cx, const ld_node_t *v)
{
    double w = ld_node_number(v);
    ld_lint_finding_t *f;

    if (!ld_node_is_number(v))
        return;
    if (w < 0) {
        ld__lint_node(cx, LD_RULE_NON_POSITIVE_WEIGHT, v,
                      "weight %g is negative: the test refuses to start", w);
    } else if (w < 1 && cx->weighted) {
        /* Python takes int(weight): anything below 1 never runs */
        f = ld__lint_node(cx, LD_RULE_NON_POSITIVE_WEIGHT, v,
                          "weight %g: this task never runs in weighted mode",
                          w);
        if (f)
            f->severity = LD_LINT_WARNING;
    }
}

static void body_size(ld__lint_t *cx, const ld_node_t *v)
{
    size_t n = v->type == LD_TSTRING ? v->u.str.len
               : v->end.line         ? (size_t)(v->end.off - v->pos.off)
                                     : 0;

    if (n > LD_LINT_MAX_BODY)
        ld__lint_node(cx, LD_RULE_OVERSIZE_BODY, v,
                      "the request body is %zu bytes inline; every request "
                      "copies it (keep bodies under 1 MiB)",
                      n);
}

/* One file of "files": text (string, integer, boolean), null, or
   [filename, content, content_type, headers]. Line breaks in names are
   the engine's to report (placeholders may hold them). */
static void upload_file(ld__lint_t *cx, const ld_node_t *f, const char *field)
{
    static const unsigned item[4] = {
        LD_J_STRING | LD_J_NULL, LD_J_STRING | LD_J_INT | LD_J_BOOL | LD_J_NULL,
        LD_J_STRING | LD_J_NULL, LD_J_OBJECT | LD_J_NULL};
    static const char *const part[4] = {" (filename)", " (content)",
                                        " (content type)", " (headers)"};
    ld__label_t what = {"file \"%s\"%s", field, NULL};
    size_t i;

    if (f->type != LD_TARRAY) {
        if (ld__lint_typed(cx, f,
                           LD_J_STRING | LD_J_INT | LD_J_BOOL | LD_J_NULL |
                               LD_J_ARRAY,
                           NULL, false, &what))
            body_size(cx, f);
        return;
    }
    if (f->u.arr.n < 2 || f->u.arr.n > 4) {
        ld__lint_node(cx, LD_RULE_WRONG_TYPE, f,
                      "file \"%s\" as a list must be [filename, content, "
                      "content_type, headers] (2 to 4 items), got %zu",
                      field, f->u.arr.n);
        return;
    }
    for (i = 0; i < f->u.arr.n; i++) {
        what.b = part[i];
        ld__lint_typed(cx, f->u.arr.items[i], item[i], NULL, false, &what);
    }
    body_size(cx, f->u.arr.items[1]);
}

/* "files": {"field": file} or [[field, file], ...]. */
static void upload(ld__lint_t *cx, const ld_node_t *v)
{
    const ld_node_t *data = v->parent ? ld__present(v->parent, "data") : NULL;
    size_t i;

    if (data && data->type != LD_TOBJECT &&
        (v->type == LD_TOBJECT ? v->u.obj.n : v->u.arr.n))
        ld__lint_node(cx, LD_RULE_WRONG_TYPE, data,
                      "\"data\" must be an object when \"files\" is given "
                      "(its fields become form parts)");
    if (v->type == LD_TOBJECT) {
        for (i = 0; i < v->u.obj.n; i++)
            upload_file(cx, v->u.obj.members[i].value, v->u.obj.members[i].key);
        return;
    }
    for (i = 0; i < v->u.arr.n; i++) {
        const ld_node_t *p = v->u.arr.items[i];

        if (p->type != LD_TARRAY || p->u.arr.n != 2 ||
            p->u.arr.items[0]->type != LD_TSTRING)
            ld__lint_node(cx, LD_RULE_WRONG_TYPE, p,
                          "\"files\" as a list takes [field, file] pairs "
                          "(field a string)");
        else
            upload_file(cx, p->u.arr.items[1], p->u.arr.items[0]->u.str.s);
    }
}

static void field_shape(ld__lint_t *cx, const ld_field_t *f, const ld_node_t *v)
{
    const ld_shape_t *s;
    char what[64];

    if (LD__EQ(f->shape, "predicate")) {
        snprintf(what, sizeof(what), "\"%s\"", f->name);
        ld__lint_predicate(cx, v, what);
    } else if (LD__EQ(f->shape, "upload")) {
        upload(cx, v);
    } else if (LD__EQ(f->shape, "auth") && v->type == LD_TARRAY) {
        if (v->u.arr.n != 2)
            ld__lint_node(cx, LD_RULE_WRONG_TYPE, v,
                          "\"auth\" as a list must be [username, password]");
    } else if ((s = ld_shape_find(f->shape)) != NULL) {
        ld__lint_shape(cx, s, v);
    }
}

static void task_field(ld__lint_t *cx, const ld_member_t *m)
{
    const ld_field_t *f = ld__find_field(m->key);
    const ld_node_t *v = m->value;
    ld__label_t what = {"task field \"%s\"%s", m->key, NULL};
    size_t saved;

    if (!f) {
        if (cx->http)
            unknown_field(cx, m);
        return;
    }
    if (v->type == LD_TNULL)
        return; /* Python's None: the field is absent */
    saved = ld__loc_key(cx, m->key);
    if (ld__lint_typed(cx, v, f->types, cx->http ? f->enums : NULL,
                       LD__EQ(f->name, "method"), &what)) {
        if (f->shape)
            field_shape(cx, f, v);
        if (LD__EQ(f->name, "weight"))
            weight(cx, v);
        else if (cx->http &&
                 (LD__EQ(f->name, "request_url") || LD__EQ(f->name, "url")))
            ld__lint_url(cx, v);
        else if (LD__EQ(f->name, "data") || LD__EQ(f->name, "json"))
            body_size(cx, v);
    }
    ld__loc_pop(cx, saved);
}

static void lint_task(ld__lint_t *cx, const ld_node_t *t)
{
    ld_lint_finding_t *f;
    size_t i;

    if (t->type != LD_TOBJECT) {
        ld__lint_node(cx, LD_RULE_WRONG_TYPE, t,
                      "a task must be an object, got %s",
                      ld_type_name(t->type));
        return;
    }
    for (i = 0; i < t->u.obj.n; i++)
        task_field(cx, &t->u.obj.members[i]);
    if (!cx->http || ld__present(t, "request_url") || ld__present(t, "url"))
        return;
    f = ld__lint_node(cx, LD_RULE_MISSING_URL, t,
                      "this task has no \"request_url\"");
    ld__lint_fix_insert_key(cx, f, t, "request_url", "\"/\"");
}

/* {"mode": ..., "tasks": [...]}: check the wrapper, return the list. */
static const ld_node_t *wrapper(ld__lint_t *cx, const ld_node_t *w)
{
    static const char *const keys[] = {"mode", "tasks", NULL};
    static const ld__label_t what = {"\"mode\"%s%s", NULL, NULL};
    const ld_node_t *mode = ld__present(w, "mode");
    size_t i;

    for (i = 0; i < w->u.obj.n; i++) {
        const ld_member_t *m = &w->u.obj.members[i];
        const char *sug;
        ld_lint_finding_t *f;

        if (ld__enum_has(keys, m->key, false))
            continue;
        sug = ld_suggest(m->key, keys, 2);
        f = ld__lint_key(cx, LD_RULE_UNKNOWN_KEY, m,
                         "unknown key \"%s\" is ignored (the tasks object "
                         "takes \"mode\" and \"tasks\")",
                         m->key);
        if (sug)
            ld__lint_fix_string(cx, f, &m->key_pos, &m->key_end, sug);
    }
    if (mode && ld__lint_typed(cx, mode, LD_J_STRING, ld_registry_enum("mode"),
                               true, &what))
        cx->weighted = !strcasecmp(mode->u.str.s, "weighted");
    return ld__get(w, "tasks");
}

static void legacy_key(ld__lint_t *cx, const ld_member_t *m)
{
    const char *const *methods = ld_registry_enum("method");
    const char *sug;
    ld_lint_finding_t *f;

    if (!cx->http || ld__enum_has(methods, m->key, true))
        return;
    sug = ld_suggest(m->key, methods, 7);
    f = ld__lint_key(cx, LD_RULE_INVALID_ENUM, m,
                     "\"%s\" is not an HTTP method (in the {\"get\": {...}} "
                     "form each key is the method)%s%s%s",
                     m->key, sug ? "; did you mean \"" : "", sug ? sug : "",
                     sug ? "\"?" : "");
    if (sug)
        ld__lint_fix_string(cx, f, &m->key_pos, &m->key_end, sug);
}

void ld__lint_tasks(ld__lint_t *cx, const ld_node_t *tasks)
{
    const ld_node_t *list = tasks, *inner;
    size_t i, n, saved = cx->pdepth;
    bool legacy;

    inner = tasks->type == LD_TOBJECT ? ld__present(tasks, "tasks") : NULL;
    if (inner && (inner->type == LD_TARRAY || inner->type == LD_TOBJECT)) {
        list = wrapper(cx, tasks);
        ld__loc_key(cx, "tasks");
    }
    legacy = list->type == LD_TOBJECT;
    n = legacy ? list->u.obj.n : list->type == LD_TARRAY ? list->u.arr.n : 0;
    if (list->type != LD_TOBJECT && list->type != LD_TARRAY) {
        ld__lint_node(cx, LD_RULE_WRONG_TYPE, list,
                      "\"tasks\" must be a list of tasks, got %s",
                      ld_type_name(list->type));
    } else if (n == 0) {
        ld__lint_node(cx, LD_RULE_EMPTY_TASKS, list,
                      "\"tasks\" is empty: the test would have nothing to "
                      "run");
    }
    for (i = 0; i < n && !cx->oom; i++) {
        size_t base = cx->pdepth;

        if (legacy) {
            ld__loc_key(cx, list->u.obj.members[i].key);
            legacy_key(cx, &list->u.obj.members[i]);
            lint_task(cx, list->u.obj.members[i].value);
        } else {
            ld__loc_index(cx, i);
            lint_task(cx, list->u.arr.items[i]);
        }
        ld__loc_pop(cx, base);
    }
    ld__loc_pop(cx, saved);
}
