/*
 * plan.c - LD_start_test arguments to a plan: user template, variables and
 * CSV sources (registered globally, as the Python tool does), user_count,
 * spawn_rate, test_time, load shape, arrival rate, threads, http_version,
 * and the compiled tasks.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/engine_int.h"

#define LD__DEFAULT_WAIT_MIN_S 0.1
#define LD__DEFAULT_WAIT_MAX_S 0.2

#define LD_DEFAULT_MAX_IN_FLIGHT 10000u

static int oom(ld_diag_t *d)
{
    return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
}

static const ld_node_t *arg(const ld_args_t *args, const char *name)
{
    const ld_node_t *n = ld_args_get(args, name);
    return (n && n->type != LD_TNULL) ? n : NULL;
}

/* An unknown kwarg kept by the binder (e.g. "host"), or NULL. */
static const ld_node_t *extra(const ld_args_t *args, const char *name)
{
    for (size_t i = 0; i < args->nextra; i++)
        if (args->extra[i] && !strcmp(args->extra[i]->key, name))
            return args->extra[i]->value;
    return NULL;
}

/* user_detail_dict.user: a name of the registry's user table that this
   build has a driver for. */
static int c_template(ld_test_plan_t *p, const ld_args_t *args,
                      const ld_node_t *n, ld_diag_t *d)
{
    const char *user = ld_node_str(n), *sug;
    char avail[256];
    if (!user)
        return ld__diag_node(d, LD_ETYPE, args->file, n,
                             "\"user\" must be a string");
    ld_registry_users_available(avail, sizeof(avail));
    if (!ld_registry_user(user)) {
        sug = ld_suggest(user, ld_registry_enum("user"), SIZE_MAX);
        if (sug)
            return ld__diag_node(d, LD_EINVAL, args->file, n,
                                 "unknown user template \"%s\" (did you "
                                 "mean \"%s\"?)",
                                 user, sug);
        return ld__diag_node(d, LD_EINVAL, args->file, n,
                             "unknown user template \"%s\" (available: %s)",
                             user, avail);
    }
    if (!(p->proto = ld__proto_for_user(user)))
        return ld__diag_node(d, LD_EUNAVAIL, args->file, n,
                             "user template \"%s\" is not supported yet "
                             "(available: %s)",
                             user, avail);
    return 0;
}

static int c_user(ld_test_plan_t *p, const ld_args_t *args, ld_diag_t *d)
{
    const ld_node_t *u = arg(args, "user_detail_dict"), *n;
    const char *host = NULL;
    int rc;
    if (u && u->type != LD_TOBJECT)
        return ld__diag_node(d, LD_ETYPE, args->file, u,
                             "\"user_detail_dict\" must be an object like "
                             "{\"user\": \"" LD_USER_DEFAULT "\"}");
    if (u && (n = ld_node_get(u, "user")) && n->type != LD_TNULL &&
        (rc = c_template(p, args, n, d)))
        return rc;
    if (!p->proto)
        p->proto = ld__proto_for_user(LD_USER_DEFAULT);
    n = arg(args, "host");
    if (!n)
        n = extra(args, "host");
    if (!n && u)
        n = ld_node_get(u, "host");
    if (n && n->type != LD_TNULL && !(host = ld_node_str(n)))
        return ld__diag_node(d, LD_ETYPE, args->file, n,
                             "\"host\" must be a string like "
                             "\"http://127.0.0.1:8080\"");
    if (!(p->host = ld_strdup(host ? host : "http://localhost")))
        return oom(d);
    p->defs.host = p->host;
    p->defs.timeout_s = 60.0;
    if (u && (n = ld_node_get(u, "http_version")) && n->type != LD_TNULL) {
        const char *s = ld_node_str(n);
        char vals[128];
        long ver;
        if (!s || !ld__http_version_parse(s, &ver))
            return ld__diag_node(
                d, LD_EINVAL, args->file, n, "\"http_version\" must be %s",
                ld_registry_enum_text("http_version", vals, sizeof(vals)));
        if (!(p->http_version = ld_strdup(s)))
            return oom(d);
        p->defs.http_version = p->http_version;
    }
    if (u && (n = ld_node_get(u, "driver")) && n->type != LD_TNULL) {
        const char *s = ld_node_str(n);
        char vals[128];
        if (!s || !ld__driver_parse(s, &p->defs.driver))
            return ld__diag_node(
                d, LD_EINVAL, args->file, n, "\"driver\" must be %s",
                ld_registry_enum_text("driver", vals, sizeof(vals)));
    }
    /* Between ticks a user waits like the Python tool's templates
     * (Locust's between(0.1, 0.2)) unless user_detail_dict says otherwise;
     * "wait_time": 0 runs flat out. */
    p->wait.min_s = LD__DEFAULT_WAIT_MIN_S;
    p->wait.max_s = LD__DEFAULT_WAIT_MAX_S;
    if (u && (n = ld_node_get(u, "wait_time")))
        return ld__think_compile(n, "wait_time", args->file, &p->wait, d);
    return 0;
}

static int c_params(ld_test_plan_t *p, const ld_args_t *args, ld_diag_t *d)
{
    const ld_node_t *v = arg(args, "variables"), *c = arg(args, "csv_sources");
    if (v && v->type != LD_TOBJECT)
        return ld__diag_node(d, LD_ETYPE, args->file, v,
                             "\"variables\" must be an object");
    for (size_t i = 0; v && i < v->u.obj.n; i++) {
        json_t *j = ld_node_to_json(v->u.obj.members[i].value);
        int rc = j ? ld_params_set_var(p->params, v->u.obj.members[i].key, j)
                   : LD_ENOMEM;
        json_decref(j);
        if (rc)
            return oom(d);
    }
    if (c && c->type != LD_TARRAY)
        return ld__diag_node(d, LD_ETYPE, args->file, c,
                             "\"csv_sources\" must be a list of "
                             "{\"name\", \"file_path\"}");
    for (size_t i = 0; c && i < c->u.arr.n; i++) {
        const ld_node_t *s = c->u.arr.items[i];
        const char *name = ld_node_str(ld_node_get(s, "name"));
        const char *path = ld_node_str(ld_node_get(s, "file_path"));
        const ld_node_t *cyc = ld_node_get(s, "cycle");
        int rc;
        if (s->type != LD_TOBJECT || !name || !path)
            return ld__diag_node(d, LD_EINVAL, args->file, s,
                                 "a CSV source needs \"name\" and "
                                 "\"file_path\" strings");
        rc = ld_params_add_csv(p->params, name, path,
                               cyc ? ld_node_truthy(cyc) : true, d);
        if (rc) {
            if (d && !d->pos.line)
                ld__diag_node(d, rc, args->file, s, "%s", d->msg);
            return rc;
        }
    }
    return 0;
}

static int c_counts(ld_test_plan_t *p, const ld_args_t *args, ld_diag_t *d)
{
    const ld_node_t *n;
    double v;
    if ((n = arg(args, "user_count"))) {
        v = ld_node_number(n);
        if (!ld_node_is_number(n) || !(v >= 0) || v > 10000000)
            return ld__diag_node(d, LD_EINVAL, args->file, n,
                                 "\"user_count\" must be between 0 and "
                                 "10000000");
        p->user_count = (unsigned)v;
    } else {
        p->user_count = 50;
    }
    p->spawn_rate = 10;
    if ((n = arg(args, "spawn_rate"))) {
        v = ld_node_number(n);
        if (!ld_node_is_number(n) || !(v > 0) || v > 1e7)
            return ld__diag_node(d, LD_EINVAL, args->file, n,
                                 "\"spawn_rate\" must be > 0 users per "
                                 "second");
        p->spawn_rate = v;
    }
    p->test_time = -1;
    if ((n = arg(args, "test_time"))) {
        v = ld_node_number(n);
        if (!ld_node_is_number(n) || !(v >= 0) || v > 31536000)
            return ld__diag_node(d, LD_EINVAL, args->file, n,
                                 "\"test_time\" must be a number of seconds "
                                 "(or null to run until interrupted)");
        p->test_time = v;
    }
    if ((n = arg(args, "threads"))) {
        v = ld_node_number(n);
        if (!ld_node_is_number(n) || !(v >= 0) || v > 1024)
            return ld__diag_node(d, LD_EINVAL, args->file, n,
                                 "\"threads\" must be between 0 (one per "
                                 "core) and 1024");
        p->threads = (unsigned)v;
    }
    return 0;
}

static int c_misc(ld_test_plan_t *p, const ld_args_t *args, ld_diag_t *d)
{
    const ld_node_t *n;
    const char *s;
    char vals[128];
    long ver;
    if ((n = arg(args, "runner_mode")) && (s = ld_node_str(n)) &&
        strcmp(s, "local") != 0)
        return ld__diag_node(d, LD_EUNAVAIL, args->file, n,
                             "runner_mode \"%s\" is not supported yet; use "
                             "\"local\"",
                             s);
    /* The command's http_version (when given) wins over user_detail_dict's;
       a task's own wins over both. */
    if ((n = arg(args, "http_version")) &&
        (ld_args_given(args, "http_version") || !p->http_version)) {
        if (!(s = ld_node_str(n)) || !ld__http_version_parse(s, &ver))
            return ld__diag_node(
                d, LD_EINVAL, args->file, n, "\"http_version\" must be %s",
                ld_registry_enum_text("http_version", vals, sizeof(vals)));
        free(p->http_version);
        if (!(p->http_version = ld_strdup(s)))
            return oom(d);
        p->defs.http_version = p->http_version;
    }
    p->max_in_flight = LD_DEFAULT_MAX_IN_FLIGHT;
    if ((n = arg(args, "max_in_flight"))) {
        double v = ld_node_number(n);
        if (!ld_node_is_number(n) || !(v >= 1) || v > 10000000)
            return ld__diag_node(d, LD_EINVAL, args->file, n,
                                 "\"max_in_flight\" must be between 1 and "
                                 "10000000");
        p->max_in_flight = (unsigned)v;
    }
    if ((n = arg(args, "arrival_rate"))) {
        int rc = ld__plan_arrival(p, n, args->file, d);
        if (rc)
            return rc;
        p->open = true;
    }
    return 0;
}

int ld_test_plan_new(const ld_args_t *args, ld_params_t *params,
                     ld_test_plan_t **out, ld_diag_t *d)
{
    int rc = 0;
    ld_test_plan_t *p = calloc(1, sizeof(*p));
    *out = NULL;
    if (!p)
        return oom(d);
    p->params = params;
    if (!(p->file = ld_strdup(args->file ? args->file : ""))) {
        rc = oom(d);
        goto out;
    }
    /* Variables and CSV sources are registered last, so a plan with an
       error leaves the global scope as it was. */
    if ((rc = c_user(p, args, d)) || (rc = c_counts(p, args, d)) ||
        (rc = c_misc(p, args, d)) ||
        (rc = ld__plan_tasks(p, ld_args_get(args, "tasks"), args->file, d)) ||
        (rc = ld__plan_shape(p, args, d)) || (rc = c_params(p, args, d)))
        goto out;
    /* With a load shape the shape decides when the run ends; test_time
       still cuts it short when it was given explicitly. */
    if (!ld_args_given(args, "test_time") &&
        ((p->shape.kind != LD__SHAPE_NONE && !p->open) ||
         (p->open && isfinite(ld__arrival_duration(&p->arrival)))))
        p->test_time = -1;
    *out = p;
    return 0;
out:
    ld_test_plan_free(p);
    return rc;
}

void ld_test_plan_free(ld_test_plan_t *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->ntasks; i++)
        ld__task_clear(p->proto, &p->tasks[i]);
    free(p->tasks);
    for (size_t i = 0; i < p->nbuckets; i++) {
        pthread_mutex_destroy(&p->buckets[i]->mu);
        free(p->buckets[i]->key);
        free(p->buckets[i]);
    }
    free(p->buckets);
    free(p->shape.stages);
    ld__arrival_free(&p->arrival);
    free(p->host);
    free(p->http_version);
    free(p->file);
    free(p);
}
