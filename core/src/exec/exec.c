/*
 * The action executor. Each action is bound against the registry (so only
 * registered commands are dispatchable), run, and turned into one result.
 * Errors are data: by default a failed action is recorded and the run goes
 * on, as in the Python tool; LD_EXEC_FAIL_FAST stops at the first failure.
 */
#include "exec/exec_int.h"
#include "registry/registry_int.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- context ---- */

int ld_ctx_init(ld_ctx_t *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->params = ld_params_new();
    ctx->records = ld_records_new();
    ctx->out = stdout;
    ctx->err = stderr;
    ctx->grace_s = 5.0;
    if (!ctx->params || !ctx->records) {
        ld_ctx_close(ctx);
        return LD_ENOMEM;
    }
    return 0;
}

void ld_ctx_close(ld_ctx_t *ctx)
{
    ld_params_free(ctx->params);
    ld_records_free(ctx->records);
    json_decref(ctx->last_summary);
    ctx->params = NULL;
    ctx->records = NULL;
    ctx->last_summary = NULL;
}

/* ---- report ---- */

void ld_exec_report_init(ld_exec_report_t *r)
{
    memset(r, 0, sizeof(*r));
}

void ld_exec_report_free(ld_exec_report_t *r)
{
    size_t i;

    for (i = 0; i < r->n; i++)
        json_decref(r->items[i].value);
    free(r->items);
    memset(r, 0, sizeof(*r));
}

static ld_action_result_t *report_push(ld_exec_report_t *r)
{
    ld_action_result_t *item;

    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        ld_action_result_t *p = realloc(r->items, cap * sizeof(*p));

        if (!p)
            return NULL;
        r->items = p;
        r->cap = cap;
    }
    item = &r->items[r->n++];
    memset(item, 0, sizeof(*item));
    return item;
}

json_t *ld_exec_report_to_json(const ld_exec_report_t *r)
{
    json_t *arr = json_array();
    size_t i;

    for (i = 0; arr && i < r->n; i++) {
        const ld_action_result_t *it = &r->items[i];
        json_t *o = json_object();

        if (!o)
            break;
        json_object_set_new(o, "command", json_string(it->command));
        json_object_set_new(o, "ok", json_boolean(it->code == 0));
        json_object_set_new(o, "value",
                            it->value ? json_incref(it->value) : json_null());
        json_object_set_new(o, "error", it->code ? json_string(it->diag.msg)
                                                 : json_null());
        json_object_set_new(o, "file", json_string(it->diag.file));
        json_object_set_new(o, "line", json_integer(it->diag.pos.line));
        json_object_set_new(o, "column", json_integer(it->diag.pos.col));
        json_object_set_new(o, "depth", json_integer(it->depth));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* ---- running one action ---- */

static bool interrupted(const ld_ctx_t *ctx)
{
    return ctx->interrupt && *ctx->interrupt > 0;
}

static int run_bound(ld_ctx_t *ctx, const ld_args_t *args, json_t **value,
                     ld_diag_t *d)
{
    const ld_command_t *c = args->cmd;

    if (c->unavailable)
        return ld_diag_set(d, LD_EUNAVAIL, NULL, NULL,
                           "%s is not available yet (%s)", c->name,
                           c->unavailable);
    /* The call also links every command function into any program that
     * runs actions (registry/impls.h): c->fn is then never NULL here. */
    if (!c->fn)
        return ld_diag_set(d, LD_EINTERNAL, NULL, NULL,
                           "%s has no function in this program (%zu "
                           "bound)",
                           c->name, ld__command_impls_linked());
    return c->fn(ctx, args, value, d);
}

static int run_action(ld_ctx_t *ctx, const ld_node_t *action,
                      const char *file, ld_exec_report_t *report)
{
    ld_action_result_t *res = report_push(report);
    ld_args_t args;
    ld_diag_t d;
    json_t *value = NULL;
    int rc;

    if (!res)
        return LD_ENOMEM;
    res->depth = ctx->depth;
    ld_diag_clear(&d);
    if (action->type == LD_TARRAY && action->u.arr.n > 0 &&
        action->u.arr.items[0]->type == LD_TSTRING)
        snprintf(res->command, sizeof(res->command), "%s",
                 action->u.arr.items[0]->u.str.s);
    rc = ld_args_bind(action, file, &args, &d);
    if (!rc) {
        /* Nested results land after this one, so keep its index. */
        size_t idx = (size_t)(res - report->items);

        rc = run_bound(ctx, &args, &value, &d);
        ld_args_release(&args);
        res = &report->items[idx];
    }
    res->code = rc;
    res->value = value;
    res->diag = d;
    if (!res->diag.file[0] && file)
        snprintf(res->diag.file, sizeof(res->diag.file), "%s", file);
    if (!res->diag.pos.line) {
        res->diag.pos = action->pos;
        res->diag.end = action->end;
    }
    if (rc && !res->diag.msg[0])
        snprintf(res->diag.msg, sizeof(res->diag.msg), "%s",
                 ld_strerror(rc));
    if (rc)
        res->diag.code = rc;
    return rc;
}

int ld_exec_actions(ld_ctx_t *ctx, const ld_node_t *actions, const char *file,
                    ld_exec_report_t *report, ld_diag_t *d)
{
    ld_exec_report_t *saved = ctx->report;
    size_t i, failed = 0;
    int rc = 0;

    if (actions->type == LD_TOBJECT) {
        const ld_node_t *inner = ld_node_get(actions, "load_density");

        if (!inner)
            return ld_diag_set(d, LD_EINVAL, file, &actions->pos,
                               "expected an action list: an array, or an "
                               "object with a \"load_density\" array");
        actions = inner;
    }
    if (actions->type != LD_TARRAY)
        return ld_diag_set(d, LD_EINVAL, file, &actions->pos,
                           "expected an action list (array), got %s",
                           ld_type_name(actions->type));
    if (actions->u.arr.n == 0)
        return ld_diag_set(d, LD_EINVAL, file, &actions->pos,
                           "the action list is empty");
    ctx->report = report;
    for (i = 0; i < actions->u.arr.n; i++) {
        if (interrupted(ctx)) {
            rc = ld_diag_set(d, LD_ESTOPPED, file,
                             &actions->u.arr.items[i]->pos,
                             "interrupted: %zu action%s not run",
                             actions->u.arr.n - i,
                             actions->u.arr.n - i == 1 ? "" : "s");
            break;
        }
        rc = run_action(ctx, actions->u.arr.items[i], file, report);
        if (rc == LD_ENOMEM)
            break;
        if (rc) {
            failed++;
            report->failed++;
            rc = 0;
            if (ctx->flags & LD_EXEC_FAIL_FAST)
                break;
        }
    }
    ctx->report = saved;
    if (rc)
        return rc;
    return failed ? LD_EFAILED : 0;
}

int ld_exec_doc(ld_ctx_t *ctx, const ld_doc_t *doc, ld_exec_report_t *report,
                ld_diag_t *d)
{
    const ld_node_t *actions = ld_doc_actions(doc, d);

    if (!actions)
        return d && d->code ? d->code : LD_EINVAL;
    return ld_exec_actions(ctx, actions, ld_doc_name(doc), report, d);
}

int ld_exec_string(ld_ctx_t *ctx, const char *json, const char *name,
                   ld_exec_report_t *report, ld_diag_t *d)
{
    ld_doc_t *doc = ld_doc_parse(json, strlen(json), name ? name : "<string>",
                                 LD_FMT_JSON, d);
    int rc;

    if (!doc)
        return d && d->code ? d->code : LD_ESYNTAX;
    rc = ld_exec_doc(ctx, doc, report, d);
    ld_doc_free(doc);
    return rc;
}

/* ---- files, with cycle detection ---- */

static int push_file(ld_ctx_t *ctx, const char *path, char *real,
                     ld_diag_t *d)
{
    unsigned i;

    if (!realpath(path, real))
        return ld_diag_set(d, LD_EIO, path, NULL, "cannot open: %s",
                           strerror(errno));
    for (i = 0; i < ctx->depth && i < LD_EXEC_MAX_DEPTH; i++) {
        if (ctx->file_stack[i] && strcmp(ctx->file_stack[i], real) == 0)
            return ld_diag_set(d, LD_ECYCLE, path, NULL,
                               "cycle: %s executes itself (through "
                               "LD_execute_files)",
                               path);
    }
    return 0;
}

int ld_exec_file(ld_ctx_t *ctx, const char *path, ld_exec_report_t *report,
                 ld_diag_t *d)
{
    char real[PATH_MAX];
    ld_doc_t *doc;
    int rc;

    rc = push_file(ctx, path, real, d);
    if (rc)
        return rc;
    doc = ld_doc_load(path, LD_FMT_AUTO, d);
    if (!doc)
        return d && d->code ? d->code : LD_EIO;
    if (ctx->depth <= LD_EXEC_MAX_DEPTH)
        ctx->file_stack[ctx->depth] = real;
    rc = ld_exec_doc(ctx, doc, report, d);
    if (ctx->depth <= LD_EXEC_MAX_DEPTH)
        ctx->file_stack[ctx->depth] = NULL;
    ld_doc_free(doc);
    return rc;
}

static int has_doc_ext(const char *name)
{
    const char *dot = strrchr(name, '.');

    return dot && (strcmp(dot, ".json") == 0 || strcmp(dot, ".yaml") == 0 ||
                   strcmp(dot, ".yml") == 0);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int ld__list_dir(const char *dir, char ***out, size_t *n, ld_diag_t *d)
{
    DIR *dh = opendir(dir);
    struct dirent *e;
    char **list = NULL;
    size_t cnt = 0, cap = 0;

    *out = NULL;
    *n = 0;
    if (!dh)
        return ld_diag_set(d, LD_EIO, dir, NULL, "cannot open directory: %s",
                           strerror(errno));
    while ((e = readdir(dh)) != NULL) {
        char *p;

        if (e->d_name[0] == '.' || !has_doc_ext(e->d_name))
            continue;
        if (cnt == cap) {
            char **nl = realloc(list, (cap ? cap * 2 : 16) * sizeof(*nl));

            if (!nl)
                goto oom;
            list = nl;
            cap = cap ? cap * 2 : 16;
        }
        p = malloc(strlen(dir) + strlen(e->d_name) + 2);
        if (!p)
            goto oom;
        sprintf(p, "%s/%s", dir, e->d_name);
        list[cnt++] = p;
    }
    closedir(dh);
    if (cnt)
        qsort(list, cnt, sizeof(*list), cmp_str);
    *out = list;
    *n = cnt;
    return 0;
oom:
    closedir(dh);
    ld__free_list(list, cnt);
    return ld_diag_set(d, LD_ENOMEM, dir, NULL, "out of memory");
}

void ld__free_list(char **list, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

/*
 * Run every file; a file that cannot be read or parsed becomes a failed
 * result of its own (with the file's position) and the others still run.
 */
int ld_exec_files(ld_ctx_t *ctx, char *const *paths, size_t n,
                   ld_exec_report_t *report, ld_diag_t *d)
{
    size_t i, failed = 0;
    int rc, load_rc = 0;

    for (i = 0; i < n; i++) {
        ld_diag_t fd;

        if (interrupted(ctx))
            return ld_diag_set(d, LD_ESTOPPED, paths[i], NULL,
                               "interrupted");
        ld_diag_clear(&fd);
        rc = ld_exec_file(ctx, paths[i], report, &fd);
        if (rc == LD_EFAILED) {
            failed++;
        } else if (rc) {
            ld_action_result_t *res = report_push(report);

            if (!res)
                return LD_ENOMEM;
            res->code = rc;
            res->depth = ctx->depth;
            res->diag = fd;
            if (!res->diag.file[0])
                snprintf(res->diag.file, sizeof(res->diag.file), "%s",
                         paths[i]);
            report->failed++;
            failed++;
            if (!load_rc)
                load_rc = rc;
            if (d && !d->code)
                *d = fd;
        }
        if (failed && (ctx->flags & LD_EXEC_FAIL_FAST))
            break;
    }
    /* An unusable file outranks failed actions: the input was bad. */
    if (load_rc)
        return load_rc;
    return failed ? LD_EFAILED : 0;
}

int ld_exec_dir(ld_ctx_t *ctx, const char *dir, ld_exec_report_t *report,
                ld_diag_t *d)
{
    char **list;
    size_t n;
    int rc;

    rc = ld__list_dir(dir, &list, &n, d);
    if (rc)
        return rc;
    if (n == 0)
        rc = ld_diag_set(d, LD_ENOTFOUND, dir, NULL,
                         "no action files (*.json, *.yaml, *.yml) in this "
                         "directory");
    else
        rc = ld_exec_files(ctx, list, n, report, d);
    ld__free_list(list, n);
    return rc;
}
