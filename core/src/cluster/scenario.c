/*
 * scenario.c - the scenarios of an action file: each LD_start_test action,
 * compiled as a local plan, with the Locust user class that stands for it.
 * locust/loaddensity_master.py names the classes by the same rule.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster_int.h"
#include "ldcore/doc.h"

static bool py_identifier(const char *s)
{
    if (!s || !(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return false;
    return true;
}

int ld_cluster_class_name(const ld_args_t *args, size_t index, char *buf,
                          size_t size, ld_diag_t *d)
{
    const ld_node_t *u = ld_args_get(args, "user_detail_dict");
    const ld_node_t *n = u && u->type == LD_TOBJECT
                             ? ld_node_get(u, "class_name")
                             : NULL;
    if (n && n->type != LD_TNULL) {
        const char *s = ld_node_str(n);
        if (!py_identifier(s) || strlen(s) >= size || strlen(s) > 200)
            return ld_diag_set(d, LD_EINVAL, args->file, &n->pos,
                               "\"class_name\" must be a Python identifier "
                               "(letters, digits, _) of at most 200 "
                               "characters");
        snprintf(buf, size, "%s", s);
        return 0;
    }
    if (index == 0)
        snprintf(buf, size, "%s", LD_CLUSTER_DEFAULT_CLASS);
    else
        snprintf(buf, size, "%s%zu", LD_CLUSTER_DEFAULT_CLASS, index + 1);
    return 0;
}

int ld_cluster_plan_new(const ld_args_t *args, ld_params_t *params,
                        ld_test_plan_t **out, ld_diag_t *d)
{
    /* The plan compiler refuses any runner_mode but "local": hand it a
       copy of the arguments that says "local" (the rest is the same). */
    ld_node_t local;
    ld_args_t copy = *args;
    const ld_node_t **vals = NULL;
    size_t idx = 0, n = args->cmd ? args->cmd->nparams : 0;
    const ld_param_t *p =
        args->cmd ? ld_command_param(args->cmd, "runner_mode", &idx) : NULL;
    int rc;
    if (!p || idx >= n)
        return ld_test_plan_new(args, params, out, d);
    if (!(vals = calloc(n, sizeof(*vals))))
        return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    memcpy(vals, args->values, n * sizeof(*vals));
    memset(&local, 0, sizeof(local));
    local.type = LD_TSTRING;
    local.u.str.s = "local";
    local.u.str.len = 5;
    if (vals[idx])
        local.pos = vals[idx]->pos;
    vals[idx] = &local;
    copy.values = vals;
    rc = ld_test_plan_new(&copy, params, out, d);
    free(vals);
    return rc;
}

static bool is_start_test(const ld_node_t *action)
{
    const ld_node_t *name = ld_node_at(action, 0);
    const ld_command_t *c = ld_registry_find(ld_node_str(name));
    while (c && c->alias_of)
        c = ld_registry_find(c->alias_of);
    return c && c->fn == ld_cmd_start_test;
}

void ld_cluster_scenarios_free(ld_cluster_scenarios_t *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->items[i].class_name);
        ld_test_plan_free(s->items[i].plan);
    }
    free(s->items);
    ld_doc_free(s->priv);
    memset(s, 0, sizeof(*s));
}

static int add_scenario(ld_cluster_scenarios_t *s, const ld_node_t *action,
                        const char *path, ld_params_t *params, ld_diag_t *d)
{
    ld_args_t args;
    char name[256];
    ld_cluster_scenario_t *it;
    int rc;
    if ((rc = ld_args_bind(action, path, &args, d)))
        return rc;
    it = &s->items[s->n];
    memset(it, 0, sizeof(*it));
    rc = ld_cluster_class_name(&args, s->n, name, sizeof(name), d);
    for (size_t i = 0; !rc && i < s->n; i++)
        if (!strcmp(s->items[i].class_name, name))
            rc = ld_diag_set(d, LD_EINVAL, path, &action->pos,
                             "two scenarios answer to the class \"%s\"; "
                             "give each a distinct "
                             "user_detail_dict.class_name",
                             name);
    if (!rc && !(it->class_name = ld_strdup(name)))
        rc = ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    if (!rc)
        rc = ld_cluster_plan_new(&args, params, &it->plan, d);
    if (!rc)
        s->n++;
    else
        free(it->class_name);
    ld_args_release(&args);
    return rc;
}

int ld_cluster_scenarios_load(const char *path, ld_params_t *params,
                              ld_cluster_scenarios_t *out, ld_diag_t *d)
{
    const ld_node_t *list;
    ld_doc_t *doc;
    int rc = 0;
    memset(out, 0, sizeof(*out));
    if (!(doc = ld_doc_load(path, LD_FMT_AUTO, d)))
        return d && d->code ? d->code : LD_EIO;
    out->priv = doc;
    if (!(list = ld_doc_actions(doc, d))) {
        rc = d && d->code ? d->code : LD_EINVAL;
        goto out;
    }
    if (!(out->items = calloc(list->u.arr.n ? list->u.arr.n : 1,
                              sizeof(*out->items)))) {
        rc = ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < list->u.arr.n && !rc; i++)
        if (is_start_test(list->u.arr.items[i]))
            rc = add_scenario(out, list->u.arr.items[i], path, params, d);
    if (!rc && !out->n)
        rc = ld_diag_set(d, LD_ENOTFOUND, path, NULL,
                         "no LD_start_test action: a worker needs at least "
                         "one scenario");
out:
    if (rc)
        ld_cluster_scenarios_free(out);
    return rc;
}
