/*
 * The command registry: lookup, did-you-mean, argument binding with typed,
 * positioned errors, and typed getters. The tables live in commands.c and
 * fields.c; everything here is derived from them.
 */
#include "registry/registry_int.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- defaults: parsed once from the JSON text in the tables ---- */

static ld_doc_t **default_docs;   /* one per (command, param), flattened */
static size_t *default_base;      /* index of a command's first param */
static pthread_once_t defaults_once = PTHREAD_ONCE_INIT;

static void defaults_parse(void)
{
    size_t total = 0, i, j, k = 0;

    default_base = calloc(ld__ncommands, sizeof(*default_base));
    for (i = 0; i < ld__ncommands; i++)
        total += ld__commands[i].nparams;
    default_docs = calloc(total ? total : 1, sizeof(*default_docs));
    if (!default_base || !default_docs)
        return;
    for (i = 0; i < ld__ncommands; i++) {
        default_base[i] = k;
        for (j = 0; j < ld__commands[i].nparams; j++, k++) {
            const char *def = ld__commands[i].params[j].def;

            if (def)
                default_docs[k] = ld_doc_parse(def, strlen(def), "<default>",
                                               LD_FMT_JSON, NULL);
        }
    }
}

static const ld_node_t *param_default(const ld_command_t *c, size_t idx)
{
    size_t ci = (size_t)(c - ld__commands);

    if (ci >= ld__ncommands)
        return NULL;
    pthread_once(&defaults_once, defaults_parse);
    if (!default_docs || !default_base)
        return NULL;
    return default_docs[default_base[ci] + idx]
               ? ld_doc_root(default_docs[default_base[ci] + idx])
               : NULL;
}

/* ---- lookup ---- */

const ld_command_t *ld_registry_commands(size_t *n)
{
    if (n)
        *n = ld__ncommands;
    return ld__commands;
}

const ld_command_t *ld_registry_find(const char *name)
{
    size_t i;

    if (!name)
        return NULL;
    for (i = 0; i < ld__ncommands; i++)
        if (strcmp(ld__commands[i].name, name) == 0)
            return &ld__commands[i];
    return NULL;
}

/* Best match among n names found every stride bytes from names (a string
   array, or the name field of a table), within a distance that grows with
   the length of name; a NULL name ends the list early. */
static const char *suggest_from(const char *name, const char *const *names,
                                size_t n, size_t stride)
{
    const char *best = NULL;
    size_t best_d, i;
    size_t len = strlen(name);
    size_t max = len < 5 ? 1 : len < 10 ? 2 : 3;

    best_d = max + 1;
    for (i = 0; i < n; i++) {
        const char *cand = *(const char *const *)((const char *)names +
                                                  i * stride);
        size_t cl, d;

        if (!cand)
            break;
        cl = strlen(cand);
        if (cl > len + max || len > cl + max)
            continue; /* the distance is at least the length gap */
        d = ld_edit_distance(name, cand, max);
        if (d < best_d) {
            best_d = d;
            best = cand;
        }
    }
    return best;
}

const char *ld_suggest(const char *name, const char *const *names, size_t n)
{
    return name && names ? suggest_from(name, names, n, sizeof(*names)) : NULL;
}

const char *ld_registry_suggest(const char *name)
{
    const char *s;
    char buf[128];

    s = suggest_from(name, &ld__commands[0].name, ld__ncommands,
                     sizeof(ld__commands[0]));
    if (s || strncmp(name, "LD_", 3) == 0)
        return s;
    /* "start_test" -> "LD_start_test": the prefix is the usual slip. */
    snprintf(buf, sizeof(buf), "LD_%s", name);
    return suggest_from(buf, &ld__commands[0].name, ld__ncommands,
                        sizeof(ld__commands[0]));
}

/* From the table's data, not from c->fn: a program that does not execute
 * actions (the linter, the language server) links no command function (see
 * impls.h) and must still say the same as the executor. */
bool ld_command_available(const ld_command_t *c)
{
    return c && !c->unavailable;
}

const ld_param_t *ld_command_param(const ld_command_t *c, const char *name,
                                   size_t *index)
{
    size_t i;

    for (i = 0; i < c->nparams; i++) {
        if (strcmp(c->params[i].name, name) == 0) {
            if (index)
                *index = i;
            return &c->params[i];
        }
    }
    return NULL;
}

/* ---- types ---- */

unsigned ld_type_mask(ld_type_t t)
{
    switch (t) {
    case LD_TNULL:
        return LD_J_NULL;
    case LD_TBOOL:
        return LD_J_BOOL;
    case LD_TINT:
        return LD_J_INT;
    case LD_TREAL:
        return LD_J_REAL;
    case LD_TSTRING:
        return LD_J_STRING;
    case LD_TARRAY:
        return LD_J_ARRAY;
    case LD_TOBJECT:
        return LD_J_OBJECT;
    }
    return 0;
}

const char *ld_mask_text(unsigned mask, char *buf, size_t size)
{
    static const struct {
        unsigned bit;
        const char *text;
    } names[] = {
        {LD_J_STRING, "string"}, {LD_J_NUMBER, "number"},
        {LD_J_INT, "integer"},   {LD_J_BOOL, "boolean"},
        {LD_J_OBJECT, "object"}, {LD_J_ARRAY, "array"},
        {LD_J_NULL, "null"},
    };
    size_t i, n = 0;
    unsigned left = mask;

    buf[0] = '\0';
    if ((mask & LD_J_ANY) == LD_J_ANY) {
        snprintf(buf, size, "any value");
        return buf;
    }
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if ((left & names[i].bit) != names[i].bit)
            continue;
        left &= ~names[i].bit;
        n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s",
                              n ? " or " : "", names[i].text);
        if (n >= size)
            break;
    }
    return buf;
}

bool ld_type_fits(const ld_node_t *n, unsigned mask)
{
    if (ld_type_mask(n->type) & mask)
        return true;
    return n->type == LD_TREAL && (mask & LD_J_INT) && isfinite(n->u.d) &&
           n->u.d == floor(n->u.d) && fabs(n->u.d) < 9.0e15;
}

const char *ld_value_describe(const ld_node_t *n, char *buf, size_t size)
{
    switch (n->type) {
    case LD_TSTRING:
        snprintf(buf, size, "string \"%.40s%s\"", n->u.str.s,
                 n->u.str.len > 40 ? "..." : "");
        break;
    case LD_TINT:
        snprintf(buf, size, "integer %lld", (long long)n->u.i);
        break;
    case LD_TREAL:
        snprintf(buf, size, "number %g", n->u.d);
        break;
    case LD_TBOOL:
        snprintf(buf, size, "%s", n->u.b ? "true" : "false");
        break;
    default:
        snprintf(buf, size, "%s", ld_type_name(n->type));
    }
    return buf;
}

const char *ld_registry_placeholder(unsigned types, const char *shape)
{
    if (shape && !strcmp(shape, "user_detail_dict"))
        return "{\"user\": \"" LD_USER_DEFAULT "\"}";
    if (shape && !strcmp(shape, "tasks"))
        return "[{\"method\": \"get\", \"request_url\": \"/\"}]";
    if (types & LD_J_STRING)
        return "\"\"";
    if (types & LD_J_OBJECT)
        return "{}";
    if (types & LD_J_ARRAY)
        return "[]";
    if (types & LD_J_NUMBER)
        return "0";
    if (types & LD_J_BOOL)
        return "false";
    return "null";
}

/* ---- binding ---- */

static void list_params(const ld_command_t *c, char *buf, size_t size)
{
    size_t i, n = 0;

    buf[0] = '\0';
    if (!c->nparams) {
        snprintf(buf, size, "it takes no arguments");
        return;
    }
    n = (size_t)snprintf(buf, size, "accepted: ");
    for (i = 0; i < c->nparams && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "",
                              c->params[i].name);
}

static int check_value(const ld_command_t *c, const ld_param_t *p,
                       const ld_node_t *v, const char *file, ld_diag_t *d)
{
    char want[96], got[96];
    size_t i;

    if (!ld_type_fits(v, p->types)) {
        ld_value_describe(v, got, sizeof(got));
        return ld_diag_set(d, LD_ETYPE, file, &v->pos,
                           "%s: argument '%s' must be %s, got %s", c->name,
                           p->name, ld_mask_text(p->types, want, sizeof(want)),
                           got);
    }
    if (p->enums && v->type == LD_TSTRING) {
        char list[400];
        size_t n = 0;

        for (i = 0; p->enums[i]; i++)
            if (strcmp(p->enums[i], v->u.str.s) == 0)
                return 0;
        list[0] = '\0';
        for (i = 0; p->enums[i] && n < sizeof(list); i++)
            n += (size_t)snprintf(list + n, sizeof(list) - n, "%s\"%s\"",
                                  i ? ", " : "", p->enums[i]);
        return ld_diag_set(d, LD_EINVAL, file, &v->pos,
                           "%s: argument '%s' must be one of %s, got \"%s\"",
                           c->name, p->name, list, v->u.str.s);
    }
    return 0;
}

static int bind_kwargs(const ld_command_t *c, const ld_node_t *kw,
                       const char *file, const ld_node_t **values, bool *given,
                       ld_args_t *args, ld_diag_t *d)
{
    size_t i, idx;

    for (i = 0; i < kw->u.obj.n; i++) {
        const ld_member_t *m = &kw->u.obj.members[i];
        const ld_param_t *p = ld_command_param(c, m->key, &idx);
        int rc;

        if (!p) {
            char acc[600];
            const char *sug;

            if (c->flags & LD_CMD_EXTRA_KWARGS) {
                args->extra[args->nextra++] = m;
                continue;
            }
            sug = c->nparams ? suggest_from(m->key, &c->params[0].name,
                                            c->nparams, sizeof(c->params[0]))
                             : NULL;
            list_params(c, acc, sizeof(acc));
            if (sug)
                return ld_diag_set(d, LD_EINVAL, file, &m->key_pos,
                                   "%s: unknown argument '%s' (did you mean "
                                   "'%s'?)",
                                   c->name, m->key, sug);
            return ld_diag_set(d, LD_EINVAL, file, &m->key_pos,
                               "%s: unknown argument '%s' (%s)", c->name,
                               m->key, acc);
        }
        if (m->value->type == LD_TNULL && !(p->types & LD_J_NULL)) {
            given[idx] = false;   /* None means "use the default" */
            values[idx] = NULL;
            continue;
        }
        rc = check_value(c, p, m->value, file, d);
        if (rc)
            return rc;
        values[idx] = m->value;
        given[idx] = true;
    }
    return 0;
}

static int bind_positional(const ld_command_t *c, const ld_node_t *list,
                           const char *file, const ld_node_t **values,
                           bool *given, ld_diag_t *d)
{
    size_t i;

    if (list->u.arr.n > c->nparams && !(c->flags & LD_CMD_VARIADIC))
        return ld_diag_set(d, LD_EINVAL, file,
                           &list->u.arr.items[c->nparams]->pos,
                           "%s takes at most %zu positional argument%s, got "
                           "%zu",
                           c->name, c->nparams, c->nparams == 1 ? "" : "s",
                           list->u.arr.n);
    for (i = 0; i < list->u.arr.n && i < c->nparams; i++) {
        const ld_node_t *v = list->u.arr.items[i];
        int rc;

        if (v->type == LD_TNULL && !(c->params[i].types & LD_J_NULL))
            continue;
        rc = check_value(c, &c->params[i], v, file, d);
        if (rc)
            return rc;
        values[i] = v;
        given[i] = true;
    }
    return 0;
}

static int bind_shape(const ld_node_t *action, const char *file,
                      const ld_command_t **cmd, ld_diag_t *d)
{
    const ld_node_t *name;
    const char *sug;

    if (action->type != LD_TARRAY)
        return ld_diag_set(d, LD_EINVAL, file, &action->pos,
                           "an action must be an array like [\"LD_command\", "
                           "{...}], got %s",
                           ld_type_name(action->type));
    if (action->u.arr.n == 0 || action->u.arr.n > 2)
        return ld_diag_set(d, LD_EINVAL, file, &action->pos,
                           "an action must have 1 or 2 elements "
                           "([\"command\"], [\"command\", {kwargs}] or "
                           "[\"command\", [args]]), got %zu",
                           action->u.arr.n);
    name = action->u.arr.items[0];
    if (name->type != LD_TSTRING)
        return ld_diag_set(d, LD_EINVAL, file, &name->pos,
                           "the first element of an action must be the "
                           "command name (a string), got %s",
                           ld_type_name(name->type));
    *cmd = ld_registry_find(name->u.str.s);
    if (*cmd)
        return 0;
    sug = ld_registry_suggest(name->u.str.s);
    if (sug)
        return ld_diag_set(d, LD_ENOTFOUND, file, &name->pos,
                           "unknown command \"%s\" (did you mean \"%s\"?)",
                           name->u.str.s, sug);
    return ld_diag_set(d, LD_ENOTFOUND, file, &name->pos,
                       "unknown command \"%s\" (see `loaddensity commands`)",
                       name->u.str.s);
}

int ld_args_bind(const ld_node_t *action, const char *file, ld_args_t *args,
                 ld_diag_t *d)
{
    const ld_command_t *c = NULL;
    const ld_node_t **values = NULL;
    bool *given = NULL;
    const ld_node_t *argn;
    size_t i, nextra;
    int rc;

    memset(args, 0, sizeof(*args));
    rc = bind_shape(action, file, &c, d);
    if (rc)
        return rc;
    argn = action->u.arr.n == 2 ? action->u.arr.items[1] : NULL;
    if (argn && argn->type != LD_TOBJECT && argn->type != LD_TARRAY)
        return ld_diag_set(d, LD_EINVAL, file, &argn->pos,
                           "%s: arguments must be an object of keyword "
                           "arguments or an array of positional ones, got %s",
                           c->name, ld_type_name(argn->type));
    nextra = argn && argn->type == LD_TOBJECT ? argn->u.obj.n : 0;
    values = calloc(c->nparams + 1, sizeof(*values));
    given = calloc(c->nparams + 1, sizeof(*given));
    args->extra = calloc(nextra + 1, sizeof(*args->extra));
    if (!values || !given || !args->extra) {
        rc = ld_diag_set(d, LD_ENOMEM, file, &action->pos, "out of memory");
        goto out;
    }
    args->cmd = c;
    args->action = action;
    args->file = file;
    if (argn && argn->type == LD_TOBJECT)
        rc = bind_kwargs(c, argn, file, values, given, args, d);
    else if (argn)
        rc = bind_positional(c, argn, file, values, given, d);
    if (rc)
        goto out;
    for (i = 0; i < c->nparams; i++) {
        if (given[i])
            continue;
        if (c->params[i].required) {
            char acc[600];

            list_params(c, acc, sizeof(acc));
            rc = ld_diag_set(d, LD_EINVAL, file, &action->pos,
                             "%s: missing required argument '%s' (%s)",
                             c->name, c->params[i].name, acc);
            goto out;
        }
        values[i] = param_default(c, i);
    }
out:
    args->values = values;
    args->given = given;
    if (rc)
        ld_args_release(args);
    return rc;
}

void ld_args_release(ld_args_t *args)
{
    free((void *)args->values);
    free((void *)(uintptr_t)args->given);
    free((void *)args->extra);
    args->values = NULL;
    args->given = NULL;
    args->extra = NULL;
    args->nextra = 0;
}

/* ---- getters ---- */

const ld_node_t *ld_args_get(const ld_args_t *args, const char *name)
{
    size_t idx, i;

    if (args->cmd && ld_command_param(args->cmd, name, &idx))
        return args->values ? args->values[idx] : NULL;
    for (i = 0; i < args->nextra; i++)
        if (strcmp(args->extra[i]->key, name) == 0)
            return args->extra[i]->value;
    return NULL;
}

bool ld_args_given(const ld_args_t *args, const char *name)
{
    size_t idx, i;

    if (args->cmd && ld_command_param(args->cmd, name, &idx))
        return args->given && args->given[idx];
    for (i = 0; i < args->nextra; i++)
        if (strcmp(args->extra[i]->key, name) == 0)
            return true;
    return false;
}

int64_t ld_args_int(const ld_args_t *args, const char *name, int64_t dflt)
{
    const ld_node_t *n = ld_args_get(args, name);

    if (!n)
        return dflt;
    if (n->type == LD_TINT)
        return n->u.i;
    if (n->type == LD_TREAL && isfinite(n->u.d))
        return (int64_t)n->u.d;
    return dflt;
}

double ld_args_num(const ld_args_t *args, const char *name, double dflt)
{
    const ld_node_t *n = ld_args_get(args, name);

    return n && ld_node_is_number(n) ? ld_node_number(n) : dflt;
}

const char *ld_args_str(const ld_args_t *args, const char *name,
                        const char *dflt)
{
    const ld_node_t *n = ld_args_get(args, name);

    return n && n->type == LD_TSTRING ? n->u.str.s : dflt;
}

bool ld_args_bool(const ld_args_t *args, const char *name, bool dflt)
{
    const ld_node_t *n = ld_args_get(args, name);

    return n && n->type == LD_TBOOL ? n->u.b : dflt;
}

/* ---- task fields and enums ---- */

const ld_field_t *ld_registry_task_fields(size_t *n)
{
    if (n)
        *n = ld__ntask_fields;
    return ld__task_fields;
}

const ld_field_t *ld_registry_task_field(const char *name)
{
    size_t i;

    for (i = 0; i < ld__ntask_fields; i++)
        if (strcmp(ld__task_fields[i].name, name) == 0)
            return &ld__task_fields[i];
    return NULL;
}

const char *const *ld_registry_enum(const char *which)
{
    size_t i;

    for (i = 0; i < ld__nenums; i++)
        if (strcmp(ld__enums[i].name, which) == 0)
            return ld__enums[i].values;
    return NULL;
}

const char *ld_registry_enum_text(const char *which, char *buf, size_t size)
{
    const char *const *v = ld_registry_enum(which);
    size_t len = 0;

    if (!size)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; v && v[i] && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s\"%s\"",
                                !i ? "" : v[i + 1] ? ", " : " or ", v[i]);
    return buf;
}
