/*
 * scan.c - checks an action document before it runs: every load test
 * against the caps and the host allowlist (task URLs resolved with the
 * variables registered up to that point, so ${var.base} counts), every path
 * a command reads or writes against the allowed directories, every URL or
 * host another command talks to against the allowlist. Nested documents
 * (LD_execute_action, LD_execute_files) are followed. Actions that do not
 * bind are skipped: the executor refuses them anyway.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp.h"

#define HIDDEN '\x01'   /* stands for a value only known at run time */

typedef struct scan {
    mcp_server_t *s;
    ld_params_t *vars;
    double total;
    unsigned depth;
} scan_t;

/* ---- caps ---- */

static int over(const char *what, double v, double cap, const char *unit,
                const char *opt, ld_diag_t *d)
{
    return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                       "%s %g is over this server's cap of %g %s; use at "
                       "most %g (the user can raise the cap by starting "
                       "loaddensity-mcp with %s)",
                       what, v, cap, unit, cap, opt);
}

/* Users and rates anywhere inside shape_config / arrival_rate. */
static int walk_caps(mcp_server_t *s, const ld_node_t *n, unsigned depth,
                     ld_diag_t *d)
{
    const mcp_opts_t *o = &s->opts;
    int rc;

    if (!n || depth > 8)
        return 0;
    if (n->type == LD_TARRAY)
        for (size_t i = 0; i < n->u.arr.n; i++)
            if ((rc = walk_caps(s, n->u.arr.items[i], depth + 1, d)))
                return rc;
    if (n->type != LD_TOBJECT)
        return 0;
    for (size_t i = 0; i < n->u.obj.n; i++) {
        const char *k = n->u.obj.members[i].key;
        const ld_node_t *v = n->u.obj.members[i].value;
        double x = ld_node_number(v);

        if (!ld_node_is_number(v)) {
            if ((rc = walk_caps(s, v, depth + 1, d)))
                return rc;
            continue;
        }
        if ((!strcmp(k, "users") || !strcmp(k, "baseline_users") ||
             !strcmp(k, "spike_users") || !strcmp(k, "user_count")) &&
            x > o->max_users)
            return over(k, x, o->max_users, "users", "--max-users N", d);
        if (!strcmp(k, "spawn_rate") && x > o->max_spawn_rate)
            return over(k, x, o->max_spawn_rate, "users per second",
                        "--max-spawn-rate R", d);
        if (!strcmp(k, "rate") && x > o->max_rate)
            return over("arrival rate", x, o->max_rate, "requests per second",
                        "--max-rate R", d);
    }
    return 0;
}

static int check_caps(mcp_server_t *s, const ld_args_t *a, double *secs,
                      ld_diag_t *d)
{
    const mcp_opts_t *o = &s->opts;
    const ld_node_t *tt = ld_args_get(a, "test_time");
    const ld_node_t *ar = ld_args_get(a, "arrival_rate");
    double users = ld_args_num(a, "user_count", 50);
    double rate = ld_args_num(a, "spawn_rate", 10);
    int rc;

    if (!tt || tt->type == LD_TNULL)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "test_time is null (run until stopped), which "
                           "this server does not allow; give a number of "
                           "seconds, at most %g",
                           o->max_duration_s);
    *secs = ld_node_number(tt);
    if (*secs > o->max_duration_s)
        return over("test_time", *secs, o->max_duration_s, "seconds",
                    "--max-duration S", d);
    if (users > o->max_users)
        return over("user_count", users, o->max_users, "users",
                    "--max-users N", d);
    if (rate > o->max_spawn_rate)
        return over("spawn_rate", rate, o->max_spawn_rate,
                    "users per second", "--max-spawn-rate R", d);
    if (ar && ld_node_is_number(ar) && ld_node_number(ar) > o->max_rate)
        return over("arrival_rate", ld_node_number(ar), o->max_rate,
                    "requests per second", "--max-rate R", d);
    if ((rc = walk_caps(s, ar, 0, d)))
        return rc;
    return walk_caps(s, ld_args_get(a, "shape_config"), 0, d);
}

/* ---- URLs ---- */

/* Expand ${var.*} and ${env.*}; anything else (csv, uuid(), randint(),
   per-user extracted values...) becomes HIDDEN. */
static int expand_fixed(ld_params_t *vars, const char *in, ld_buf_t *out)
{
    size_t len = strlen(in), from = 0;
    ld_placeholder_t ph;
    int rc = 0;

    while (!rc && ld_placeholder_next(in, len, from, &ph)) {
        rc = ld_buf_add(out, in + from, ph.start - from);
        if (!rc && (ph.kind == LD_PH_VAR || ph.kind == LD_PH_ENV))
            rc = ld_params_expand(vars, NULL, in + ph.start,
                                  ph.end - ph.start, out);
        else if (!rc)
            rc = ld_buf_addc(out, HIDDEN);
        from = ph.end;
    }
    if (!rc)
        rc = ld_buf_add(out, in + from, len - from);
    if (!rc && !out->data)
        rc = ld_buf_adds(out, "");
    return rc;
}

/* The host of an absolute URL into host (empty when relative). */
static void url_host(const char *url, char *host, size_t size)
{
    const char *p = strstr(url, "://"), *end, *at, *h;
    size_t n;

    host[0] = '\0';
    if (!p || strcspn(url, "/?#") < (size_t)(p - url))
        return;
    p += 3;
    end = p + strcspn(p, "/?#");
    for (at = p, h = p; at < end; at++)
        if (*at == '@')
            h = at + 1;
    if (*h == '[') {
        const char *rb = memchr(h, ']', (size_t)(end - h));

        n = rb ? (size_t)(rb - h) + 1 : (size_t)(end - h);
    } else {
        const char *colon = NULL;

        for (at = h; at < end; at++)
            if (*at == ':')
                colon = at;
        n = (size_t)((colon ? colon : end) - h);
    }
    snprintf(host, size, "%.*s", (int)n, h);
    if (!host[0])
        snprintf(host, size, "%c", HIDDEN);   /* "http://" alone */
}

static int host_refused(mcp_server_t *s, const char *host, const char *what,
                        const char *url, ld_diag_t *d)
{
    char list[600];

    if (strchr(host, HIDDEN) || strstr(host, "${"))
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "cannot check the host of %s '%.300s' before the "
                           "run: it depends on a value known only while "
                           "the test runs; write the host literally or in a "
                           "variable registered before the test",
                           what, url);
    if (mcp_host_allowed(s, host))
        return 0;
    mcp_allowlist_text(s, list, sizeof(list));
    return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                       "host '%.200s' of %s '%.300s' is not on this server's "
                       "allowlist (%.500s); test a local server, or ask the "
                       "user to start loaddensity-mcp with --allow-host "
                       "%.200s (or to set LOADDENSITY_MCP_ALLOW_HOSTS)",
                       host, what, url, list, host);
}

/* Check a URL template; a relative one is joined to base. */
static int check_url(mcp_server_t *s, ld_params_t *vars, const char *tmpl,
                     const char *base, const char *what, ld_diag_t *d)
{
    ld_buf_t b;
    char host[300];
    int rc;

    ld_buf_init(&b, 1 << 20);
    if ((rc = expand_fixed(vars, tmpl, &b))) {
        ld_buf_free(&b);
        return ld_diag_set(d, rc, NULL, NULL, "out of memory");
    }
    url_host(b.data, host, sizeof(host));
    if (!host[0] && base) {
        ld_buf_reset(&b);
        if (!(rc = expand_fixed(vars, base, &b)))
            url_host(b.data, host, sizeof(host));
        if (!host[0])
            snprintf(host, sizeof(host), "%c", HIDDEN);
        what = "host";
        tmpl = base;
    }
    rc = host[0] ? host_refused(s, host, what, tmpl, d) : 0;
    ld_buf_free(&b);
    return rc;
}

/* ---- paths ---- */

static int check_path_node(scan_t *sc, const ld_node_t *n, const char *what,
                           ld_diag_t *d)
{
    char real[PATH_MAX];
    ld_buf_t b;
    int rc;

    if (!n || n->type != LD_TSTRING)
        return 0;
    if ((rc = mcp_path_check(sc->s, n->u.str.s, what, real, d)))
        return rc;
    if (!strstr(n->u.str.s, "${"))
        return 0;
    ld_buf_init(&b, 1 << 16);
    rc = expand_fixed(sc->vars, n->u.str.s, &b);
    if (!rc)
        rc = mcp_path_check(sc->s, b.data, what, real, d);
    ld_buf_free(&b);
    return rc;
}

static int check_sources(scan_t *sc, const ld_node_t *list, ld_diag_t *d)
{
    int rc;

    for (size_t i = 0; list && list->type == LD_TARRAY && i < list->u.arr.n;
         i++)
        if ((rc = check_path_node(sc, ld_node_get(list->u.arr.items[i],
                                                  "file_path"),
                                  "file_path", d)))
            return rc;
    return 0;
}

/* ---- one load test ---- */

static int check_task(scan_t *sc, const ld_node_t *t, const char *base,
                      ld_diag_t *d)
{
    const ld_node_t *u, *cert;
    int rc;

    if (!t || t->type != LD_TOBJECT)
        return 0;
    u = ld_node_get(t, "request_url");
    if (!u)
        u = ld_node_get(t, "url");
    if (u && u->type == LD_TSTRING &&
        (rc = check_url(sc->s, sc->vars, u->u.str.s, base, "request_url", d)))
        return rc;
    if ((rc = check_path_node(sc, ld_node_get(t, "verify"), "verify", d)))
        return rc;
    cert = ld_node_get(t, "cert");
    if (cert && cert->type == LD_TARRAY) {
        for (size_t i = 0; i < cert->u.arr.n; i++)
            if ((rc = check_path_node(sc, cert->u.arr.items[i], "cert", d)))
                return rc;
        return 0;
    }
    return check_path_node(sc, cert, "cert", d);
}

static int check_tasks(scan_t *sc, const ld_node_t *tasks, const char *base,
                       ld_diag_t *d)
{
    const ld_node_t *list = tasks, *inner;
    int rc;

    if (!tasks)
        return 0;
    if (tasks->type == LD_TOBJECT && (inner = ld_node_get(tasks, "tasks")) &&
        (inner->type == LD_TARRAY || inner->type == LD_TOBJECT))
        list = inner;
    if (list->type == LD_TARRAY) {
        for (size_t i = 0; i < list->u.arr.n; i++)
            if ((rc = check_task(sc, list->u.arr.items[i], base, d)))
                return rc;
    } else if (list->type == LD_TOBJECT) {   /* legacy {"get": {...}} */
        for (size_t i = 0; i < list->u.obj.n; i++)
            if ((rc = check_task(sc, list->u.obj.members[i].value, base, d)))
                return rc;
    }
    return 0;
}

/* The base URL relative request_urls join; *given tells whether the
   document set it (the engine's default is http://localhost). */
static const char *base_url(const ld_args_t *a, bool *given)
{
    const ld_node_t *n = ld_args_get(a, "host");
    const ld_node_t *u = ld_args_get(a, "user_detail_dict");

    if ((!n || n->type != LD_TSTRING) && u && u->type == LD_TOBJECT)
        n = ld_node_get(u, "host");
    *given = n && n->type == LD_TSTRING;
    return *given ? n->u.str.s : "http://localhost";
}

static int add_vars(ld_params_t *vars, const ld_node_t *obj)
{
    for (size_t i = 0; obj && obj->type == LD_TOBJECT && i < obj->u.obj.n;
         i++) {
        json_t *v = ld_node_to_json(obj->u.obj.members[i].value);
        int rc = v ? ld_params_set_var(vars, obj->u.obj.members[i].key, v)
                   : LD_ENOMEM;

        json_decref(v);
        if (rc)
            return rc;
    }
    return 0;
}

static int start_test(scan_t *sc, const ld_args_t *a, double *secs,
                      ld_diag_t *d)
{
    bool given;
    const char *base = base_url(a, &given);
    int rc;

    if ((rc = check_caps(sc->s, a, secs, d)))
        return rc;
    /* The engine registers "variables" globally before the tasks run. */
    if ((rc = add_vars(sc->vars, ld_args_get(a, "variables"))))
        return ld_diag_set(d, rc, NULL, NULL, "out of memory");
    if ((given && (rc = check_url(sc->s, sc->vars, base, NULL, "host", d))) ||
        (rc = check_tasks(sc, ld_args_get(a, "tasks"), base, d)) ||
        (rc = check_sources(sc, ld_args_get(a, "csv_sources"), d)))
        return rc;
    return check_path_node(sc, ld_args_get(a, "database"), "database", d);
}

int mcp_check_start_test(mcp_server_t *s, const ld_args_t *args,
                         ld_params_t *vars, double *test_time, ld_diag_t *d)
{
    scan_t sc = {s, vars, 0, 0};

    *test_time = 0;
    return start_test(&sc, args, test_time, d);
}

/* ---- other commands ---- */

static bool in(const char *name, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(name, list[i]))
            return true;
    return false;
}

/* Paths, URLs and hosts in the arguments of any command but LD_start_test.
   Defaults count too: a report's default name lands in the working
   directory. */
static int check_params(scan_t *sc, const ld_args_t *a, ld_diag_t *d)
{
    static const char *const paths[] = {
        "file_path", "database_path", "path",        "html_name",
        "json_file_name", "xml_file_name", "csv_name", "report_name", NULL};
    static const char *const urls[] = {"webhook_url", "url", "endpoint",
                                       NULL};
    static const char *const hosts[] = {"host", "addr", NULL};
    const ld_command_t *c = a->cmd;
    int rc = 0;

    for (size_t i = 0; !rc && i < c->nparams; i++) {
        const char *p = c->params[i].name;
        const ld_node_t *v = a->values[i];

        if (!v || v->type != LD_TSTRING)
            rc = !strcmp(p, "sources") ? check_sources(sc, v, d) : 0;
        else if (in(p, paths))
            rc = check_path_node(sc, v, p, d);
        else if (in(p, urls))
            rc = check_url(sc->s, sc->vars, v->u.str.s, NULL, p, d);
        else if (in(p, hosts))
            rc = host_refused(sc->s, v->u.str.s, p, v->u.str.s, d);
    }
    return rc;
}

static int scan_actions(scan_t *sc, const ld_node_t *actions,
                        const char *file, ld_diag_t *d);

static int execute_files(scan_t *sc, const ld_node_t *list, ld_diag_t *d)
{
    char real[PATH_MAX];
    int rc = 0;

    for (size_t i = 0; !rc && list && list->type == LD_TARRAY &&
                       i < list->u.arr.n;
         i++) {
        const ld_node_t *f = list->u.arr.items[i];
        ld_doc_t *doc;
        ld_diag_t ignore;

        if (f->type != LD_TSTRING)
            continue;
        if ((rc = mcp_path_check(sc->s, f->u.str.s, "execute_files_list",
                                 real, d)))
            break;
        if (!(doc = ld_doc_load(real, LD_FMT_AUTO, &ignore)))
            continue;   /* the executor reports it */
        rc = scan_actions(sc, ld_doc_actions(doc, &ignore), real, d);
        ld_doc_free(doc);
    }
    return rc;
}

static int scan_action(scan_t *sc, const ld_args_t *a, ld_diag_t *d)
{
    const char *name = a->cmd->alias_of ? a->cmd->alias_of : a->cmd->name;
    const ld_node_t *v;
    double secs = 0;
    int rc;

    if (!strcmp(name, "LD_start_test")) {
        rc = start_test(sc, a, &secs, d);
        sc->total += secs;
        return rc;
    }
    if (!strcmp(name, "LD_register_variable")) {
        json_t *j = ld_node_to_json(ld_args_get(a, "value"));

        rc = j ? ld_params_set_var(sc->vars, ld_args_str(a, "name", ""), j)
               : LD_ENOMEM;
        json_decref(j);
        return rc ? ld_diag_set(d, rc, NULL, NULL, "out of memory") : 0;
    }
    if (!strcmp(name, "LD_register_variables"))
        return add_vars(sc->vars, ld_args_get(a, "variables"))
                   ? ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory")
                   : 0;
    if (!strcmp(name, "LD_clear_resolver")) {
        ld_params_clear(sc->vars);
        return 0;
    }
    if (!strcmp(name, "LD_execute_action")) {
        v = ld_args_get(a, "action_list");
        if (v && v->type == LD_TOBJECT)
            v = ld_node_get(v, "load_density");
        return scan_actions(sc, v, a->file, d);
    }
    if (!strcmp(name, "LD_execute_files"))
        return execute_files(sc, ld_args_get(a, "execute_files_list"), d);
    return check_params(sc, a, d);
}

static int scan_actions(scan_t *sc, const ld_node_t *actions,
                        const char *file, ld_diag_t *d)
{
    int rc = 0;

    if (!actions || actions->type != LD_TARRAY)
        return 0;
    if (++sc->depth > LD_EXEC_MAX_DEPTH) {
        sc->depth--;
        return 0;   /* the executor refuses deeper nesting */
    }
    for (size_t i = 0; !rc && i < actions->u.arr.n; i++) {
        ld_args_t a;
        ld_diag_t ignore;

        if (ld_args_bind(actions->u.arr.items[i], file, &a, &ignore))
            continue;
        rc = scan_action(sc, &a, d);
        if (rc && d && !d->pos.line)
            d->pos = actions->u.arr.items[i]->pos;
        ld_args_release(&a);
    }
    sc->depth--;
    return rc;
}

ld_params_t *mcp_vars_snapshot(mcp_server_t *s)
{
    ld_params_t *v = ld_params_new();
    json_t *names = v ? ld_params_var_names(s->ctx.params) : NULL;
    int rc = v && names ? 0 : LD_ENOMEM;

    for (size_t i = 0; !rc && i < json_array_size(names); i++) {
        const char *n = json_string_value(json_array_get(names, i));

        rc = ld_params_set_var(v, n, ld_params_get_var(s->ctx.params, n));
    }
    json_decref(names);
    if (rc) {
        ld_params_free(v);
        return NULL;
    }
    return v;
}

int mcp_scan_document(mcp_server_t *s, const ld_node_t *actions,
                      const char *file, double *total_s, ld_diag_t *d)
{
    scan_t sc = {s, NULL, 0, 0};
    int rc;

    *total_s = 0;
    if (!(sc.vars = mcp_vars_snapshot(s)))
        return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    rc = scan_actions(&sc, actions, file, d);
    *total_s = sc.total;
    ld_params_free(sc.vars);
    return rc;
}
