/*
 * actions.c - one action: its shape, its command (did-you-mean), and every
 * argument checked against the registry: unknown, missing, mistyped, bad
 * enum values, and the values with a shape. Commands that register
 * variables and CSV sources record definitions, in document order.
 */
#include "lint/lint_int.h"

#include <stdio.h>
#include <string.h>

#define MAX_PARAMS 64

typedef struct bound {
    const ld_command_t *cmd;
    const ld_node_t *action;
    const ld_node_t *name; /* the command name node */
    const ld_node_t *argn; /* kwargs object, positional list, or NULL */
    const ld_node_t *vals[MAX_PARAMS];
} bound_t;

static bool known_extra(const ld__lint_t *cx, const char *name)
{
    size_t i;

    if (!cx->opts || !cx->opts->known_commands)
        return false;
    for (i = 0; i < cx->opts->nknown; i++)
        if (cx->opts->known_commands[i] &&
            !strcmp(cx->opts->known_commands[i], name))
            return true;
    return false;
}

static void unknown_command(ld__lint_t *cx, const ld_node_t *name)
{
    const char *sug = ld_registry_suggest(name->u.str.s);
    ld_lint_finding_t *f;

    if (!sug) {
        ld__lint_node(cx, LD_RULE_UNKNOWN_COMMAND, name,
                      "unknown command \"%s\" (see `loaddensity commands`)",
                      name->u.str.s);
        return;
    }
    f = ld__lint_node(cx, LD_RULE_UNKNOWN_COMMAND, name,
                      "unknown command \"%s\" (did you mean \"%s\"?)",
                      name->u.str.s, sug);
    ld__lint_fix_string(cx, f, &name->pos, &name->end, sug);
}

/* ---- binding ---- */

static void param_names(const ld_command_t *c, const char **names)
{
    size_t i;

    for (i = 0; i < c->nparams && i < MAX_PARAMS; i++)
        names[i] = c->params[i].name;
}

static void unknown_kwarg(ld__lint_t *cx, const bound_t *b,
                          const ld_member_t *m)
{
    const char *names[MAX_PARAMS];
    const char *sug;
    ld_lint_finding_t *f;
    bool extra = b->cmd->flags & LD_CMD_EXTRA_KWARGS;

    param_names(b->cmd, names);
    sug = ld_suggest(m->key, names, b->cmd->nparams);
    if (extra)
        f = ld__lint_key(cx, LD_RULE_EXTRA_ARGUMENT, m,
                         "%s: unknown keyword argument '%s' is passed on "
                         "unused%s%s%s",
                         b->cmd->name, m->key, sug ? " (did you mean '" : "",
                         sug ? sug : "", sug ? "'?)" : "");
    else if (sug)
        f = ld__lint_key(cx, LD_RULE_UNKNOWN_ARGUMENT, m,
                         "%s: unknown argument '%s' (did you mean '%s'?)",
                         b->cmd->name, m->key, sug);
    else
        f = ld__lint_key(cx, LD_RULE_UNKNOWN_ARGUMENT, m,
                         "%s: unknown argument '%s'%s", b->cmd->name, m->key,
                         b->cmd->nparams ? "" : " (it takes no arguments)");
    if (sug)
        ld__lint_fix_string(cx, f, &m->key_pos, &m->key_end, sug);
}

static void bind_kwargs(ld__lint_t *cx, bound_t *b)
{
    size_t i, idx;

    ld__lint_dupkeys(cx, b->argn);
    for (i = 0; i < b->argn->u.obj.n; i++) {
        const ld_member_t *m = &b->argn->u.obj.members[i];
        const ld_param_t *p = ld__find_param(b->cmd, m->key, &idx);

        if (!p) {
            unknown_kwarg(cx, b, m);
            continue;
        }
        if (idx >= MAX_PARAMS ||
            (m->value->type == LD_TNULL && !(p->types & LD_J_NULL)))
            continue; /* null means "the default" */
        b->vals[idx] = m->value;
    }
}

static void bind_positional(ld__lint_t *cx, bound_t *b)
{
    const ld_command_t *c = b->cmd;
    size_t i;

    for (i = 0; i < b->argn->u.arr.n; i++) {
        const ld_node_t *v = b->argn->u.arr.items[i];

        if (i >= c->nparams) {
            if (!(c->flags & LD_CMD_VARIADIC))
                ld__lint_node(cx, LD_RULE_TOO_MANY_ARGUMENTS, v,
                              "%s takes at most %zu positional argument%s, "
                              "got %zu",
                              c->name, c->nparams, c->nparams == 1 ? "" : "s",
                              b->argn->u.arr.n);
            continue;
        }
        if (i < MAX_PARAMS &&
            !(v->type == LD_TNULL && !(c->params[i].types & LD_J_NULL)))
            b->vals[i] = v;
    }
}

static void missing(ld__lint_t *cx, const bound_t *b, const ld_param_t *p)
{
    const char *val = ld_registry_placeholder(p->types, p->shape);
    ld_lint_finding_t *f;
    char ins[300];

    f = ld__lint_node(cx, LD_RULE_MISSING_ARGUMENT, b->name,
                      "%s: missing required argument '%s'%s%s", b->cmd->name,
                      p->name, p->doc ? ": " : "", p->doc ? p->doc : "");
    if (!f)
        return;
    if (b->argn && b->argn->type == LD_TOBJECT) {
        ld__lint_fix_insert_key(cx, f, b->argn, p->name, val);
    } else if (!b->argn && cx->text && b->name->end.line &&
               cx->text[b->name->pos.off] == '"') {
        snprintf(ins, sizeof(ins), ", {\"%s\": %s}", p->name, val);
        ld__lint_fix(cx, f, b->name->end.off, b->name->end.off, ins,
                     "Add \"%s\"", p->name);
    }
}

/* ---- definitions ---- */

static void def_variables(ld__lint_t *cx, const ld_node_t *v)
{
    size_t i;

    if (v->type != LD_TOBJECT)
        return;
    for (i = 0; i < v->u.obj.n; i++) {
        const ld_member_t *m = &v->u.obj.members[i];

        ld__strset_add(&cx->vars, m->key, m->key_len);
        ld__lint_def(cx, LD_DEF_VAR, m->key, m->key_len, NULL, &m->key_pos,
                     &m->key_end);
    }
}

static void def_csv(ld__lint_t *cx, const ld_node_t *name,
                    const ld_node_t *path)
{
    if (!name || name->type != LD_TSTRING)
        return;
    ld__strset_add(&cx->csv, name->u.str.s, name->u.str.len);
    ld__lint_def(cx, LD_DEF_CSV, name->u.str.s, name->u.str.len,
                 path ? ld_node_str(path) : NULL, &name->pos, &name->end);
}

static void def_csv_list(ld__lint_t *cx, const ld_node_t *v)
{
    size_t i;

    for (i = 0; v->type == LD_TARRAY && i < v->u.arr.n; i++) {
        const ld_node_t *s = v->u.arr.items[i];

        if (s->type == LD_TOBJECT)
            def_csv(cx, ld__get(s, "name"), ld__get(s, "file_path"));
    }
}

/* ---- values ---- */

static void nested_actions(ld__lint_t *cx, const ld_node_t *v)
{
    const ld_node_t *list = v;

    if (v->type == LD_TOBJECT) {
        list = ld__get(v, "load_density");
        if (!list || list->type != LD_TARRAY) {
            ld__lint_node(cx, LD_RULE_SHAPE, v,
                          "nested actions must be a list or "
                          "{\"load_density\": [...]}");
            return;
        }
    }
    if (cx->depth >= 16)
        return;
    cx->depth++;
    ld__lint_actions(cx, list);
    cx->depth--;
}

static void files_list(ld__lint_t *cx, const ld_node_t *v)
{
    size_t i;

    for (i = 0; v->type == LD_TARRAY && i < v->u.arr.n; i++)
        if (v->u.arr.items[i]->type != LD_TSTRING)
            ld__lint_node(cx, LD_RULE_WRONG_TYPE, v->u.arr.items[i],
                          "a file path must be a string, got %s",
                          ld_type_name(v->u.arr.items[i]->type));
}

static void shaped(ld__lint_t *cx, const bound_t *b, const ld_param_t *p,
                   const ld_node_t *v)
{
    const ld_shape_t *s;

    if (LD__EQ(p->shape, "tasks")) {
        ld__lint_tasks(cx, v);
    } else if (LD__EQ(p->shape, "actions")) {
        if (LD__EQ(b->cmd->name + 3, "execute_action"))
            nested_actions(cx, v);
    } else if (LD__EQ(p->shape, "variables")) {
        /* registered by lint_args, before the other arguments */
    } else if (LD__EQ(p->shape, "files")) {
        files_list(cx, v);
    } else if ((s = ld_shape_find(p->shape)) != NULL) {
        if (LD__EQ(p->shape, "user_detail_dict"))
            ld__lint_user(cx, v);
        ld__lint_shape(cx, s, v);
        if (LD__EQ(p->shape, "csv_sources"))
            def_csv_list(cx, v);
    }
}

static void check_param(ld__lint_t *cx, const bound_t *b, const ld_param_t *p,
                        const ld_node_t *v)
{
    size_t saved = ld__loc_key(cx, p->name);
    ld__label_t what = {"%s: argument '%s'", b->cmd->name, p->name};

    if (ld__lint_typed(cx, v, p->types, p->enums, false, &what) && p->shape)
        shaped(cx, b, p, v);
    if (!p->shape || !LD__EQ(p->shape, "actions"))
        ld__lint_strings(cx, v);
    ld__loc_pop(cx, saved);
}

static const ld_node_t *val(const bound_t *b, const char *name)
{
    size_t idx;

    return ld__find_param(b->cmd, name, &idx) && idx < MAX_PARAMS ? b->vals[idx]
                                                                  : NULL;
}

/* What a command means beyond its arguments' types. */
static void semantics(ld__lint_t *cx, const bound_t *b)
{
    /* every command name starts with "LD_": compare what follows */
    const char *name = strncmp(b->cmd->name, "LD_", 3) ? "" : b->cmd->name + 3;

    if (LD__EQ(name, "start_test") && !val(b, "tasks")) {
        ld_lint_finding_t *f = ld__lint_node(
            cx, LD_RULE_MISSING_TASKS, b->name,
            "LD_start_test has no \"tasks\": there is nothing to run");

        if (f && b->argn && b->argn->type == LD_TOBJECT)
            ld__lint_fix_insert_key(cx, f, b->argn, "tasks",
                                    ld_registry_placeholder(0, "tasks"));
    } else if (LD__EQ(name, "register_variable")) {
        const ld_node_t *n = val(b, "name");

        if (n && n->type == LD_TSTRING) {
            ld__strset_add(&cx->vars, n->u.str.s, n->u.str.len);
            ld__lint_def(cx, LD_DEF_VAR, n->u.str.s, n->u.str.len, NULL,
                         &n->pos, &n->end);
        }
    } else if (LD__EQ(name, "register_csv_source")) {
        def_csv(cx, val(b, "name"), val(b, "file_path"));
    } else if (LD__EQ(name, "clear_resolver")) {
        ld__strset_clear(&cx->vars);
        ld__strset_clear(&cx->csv);
        cx->cleared = true;
    }
}

static void lint_args(ld__lint_t *cx, bound_t *b)
{
    const ld_command_t *c = b->cmd;
    size_t i;

    if (b->argn && b->argn->type == LD_TOBJECT)
        bind_kwargs(cx, b);
    else if (b->argn)
        bind_positional(cx, b);
    for (i = 0; i < c->nparams && i < MAX_PARAMS; i++)
        if (!b->vals[i] && c->params[i].required)
            missing(cx, b, &c->params[i]);
    cx->http = true;
    cx->weighted = false;
    /* Variables of LD_start_test are registered before its tasks run. */
    for (i = 0; i < c->nparams && i < MAX_PARAMS; i++)
        if (b->vals[i] && c->params[i].shape &&
            LD__EQ(c->params[i].shape, "variables"))
            def_variables(cx, b->vals[i]);
    for (i = 0; i < c->nparams && i < MAX_PARAMS; i++)
        if (b->vals[i])
            check_param(cx, b, &c->params[i], b->vals[i]);
    /* print takes any number of values */
    for (i = c->nparams; b->argn && b->argn->type == LD_TARRAY &&
                         (c->flags & LD_CMD_VARIADIC) && i < b->argn->u.arr.n;
         i++)
        ld__lint_strings(cx, b->argn->u.arr.items[i]);
    semantics(cx, b);
}

static bool action_shape(ld__lint_t *cx, const ld_node_t *a)
{
    size_t i;

    if (a->type != LD_TARRAY) {
        ld__lint_node(cx, LD_RULE_SHAPE, a,
                      "an action must be an array like [\"LD_command\", "
                      "{...}], got %s",
                      ld_type_name(a->type));
        return false;
    }
    if (a->u.arr.n == 0) {
        ld__lint_node(cx, LD_RULE_SHAPE, a,
                      "an empty action: write [\"LD_command\"] or "
                      "[\"LD_command\", {...}]");
        return false;
    }
    for (i = 2; i < a->u.arr.n; i++)
        ld__lint_node(cx, LD_RULE_SHAPE, a->u.arr.items[i],
                      "an action has at most 2 elements: the command and "
                      "its arguments ({kwargs} or [args])");
    if (a->u.arr.items[0]->type != LD_TSTRING) {
        ld__lint_node(cx, LD_RULE_SHAPE, a->u.arr.items[0],
                      "the first element of an action must be the command "
                      "name (a string), got %s",
                      ld_type_name(a->u.arr.items[0]->type));
        return false;
    }
    return true;
}

static void lint_action(ld__lint_t *cx, const ld_node_t *a)
{
    bound_t b;

    if (!action_shape(cx, a))
        return;
    memset(&b, 0, sizeof(b));
    b.action = a;
    b.name = a->u.arr.items[0];
    b.argn = a->u.arr.n >= 2 ? a->u.arr.items[1] : NULL;
    b.cmd = ld__find_command(b.name->u.str.s);
    if (!b.cmd) {
        if (!known_extra(cx, b.name->u.str.s))
            unknown_command(cx, b.name);
        return;
    }
    if (!ld_command_available(b.cmd))
        ld__lint_node(cx, LD_RULE_NOT_AVAILABLE, b.name,
                      "%s is not available in this build yet (%s)", b.cmd->name,
                      b.cmd->unavailable ? b.cmd->unavailable : "later");
    if (b.argn && b.argn->type != LD_TOBJECT && b.argn->type != LD_TARRAY) {
        ld__lint_node(cx, LD_RULE_SHAPE, b.argn,
                      "%s: arguments must be an object of keyword arguments "
                      "or an array of positional ones, got %s",
                      b.cmd->name, ld_type_name(b.argn->type));
        return;
    }
    lint_args(cx, &b);
}

void ld__lint_action_range(ld__lint_t *cx, const ld_node_t *list, size_t from,
                           size_t to)
{
    size_t saved = cx->pdepth ? cx->pdepth : ld__loc_key(cx, "actions");
    size_t base = cx->pdepth, i;

    for (i = from; i < to && i < list->u.arr.n && !cx->oom; i++) {
        ld__loc_index(cx, i);
        lint_action(cx, list->u.arr.items[i]);
        ld__loc_pop(cx, base);
    }
    ld__loc_pop(cx, saved);
}

void ld__lint_actions(ld__lint_t *cx, const ld_node_t *list)
{
    ld__lint_action_range(cx, list, 0, list->u.arr.n);
}
