/*
 * Handlers of the commands the executor owns: nesting, parameters, record
 * housekeeping, the summary and the Python-compatible print.
 */
#include "exec/exec_int.h"
#include "registry/registry_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- nesting ---- */

static int nest_enter(ld_ctx_t *ctx, const ld_args_t *args, ld_diag_t *d)
{
    if (ctx->depth >= LD_EXEC_MAX_DEPTH)
        return ld_diag_set(d, LD_EDEPTH, args->file, &args->action->pos,
                           "%s: nesting deeper than %d levels",
                           args->cmd->name, LD_EXEC_MAX_DEPTH);
    ctx->depth++;
    return 0;
}

static json_t *nested_value(const ld_exec_report_t *r, size_t first)
{
    size_t i, failed = 0;

    for (i = first; i < r->n; i++)
        if (r->items[i].code)
            failed++;
    return json_pack("{s:I,s:I}", "actions", (json_int_t)(r->n - first),
                     "failed", (json_int_t)failed);
}

static int nested_result(const ld_exec_report_t *r, size_t first, int rc,
                         const ld_args_t *args, json_t **result, ld_diag_t *d)
{
    json_t *v = nested_value(r, first);

    if (rc == LD_EFAILED) {
        json_int_t failed = json_integer_value(json_object_get(v, "failed"));

        ld_diag_set(d, LD_EFAILED, args->file, &args->action->pos,
                    "%s: %lld of %lld nested actions failed",
                    args->cmd->name, (long long)failed,
                    (long long)json_integer_value(
                        json_object_get(v, "actions")));
    }
    *result = v;
    return rc;
}

int ld__cmd_execute_action(ld_ctx_t *ctx, const ld_args_t *args,
                           json_t **result, ld_diag_t *d)
{
    ld_exec_report_t *r = ctx->report;
    size_t first;
    int rc;

    if (!r)
        return ld_diag_set(d, LD_EINTERNAL, args->file, &args->action->pos,
                           "no report to append nested results to");
    rc = nest_enter(ctx, args, d);
    if (rc)
        return rc;
    first = r->n;
    rc = ld_exec_actions(ctx, ld_args_get(args, "action_list"), args->file,
                         r, d);
    ctx->depth--;
    ctx->report = r;
    return nested_result(r, first, rc, args, result, d);
}

int ld__cmd_execute_files(ld_ctx_t *ctx, const ld_args_t *args,
                          json_t **result, ld_diag_t *d)
{
    const ld_node_t *list = ld_args_get(args, "execute_files_list");
    ld_exec_report_t *r = ctx->report;
    char **paths;
    size_t i, first;
    int rc = 0;

    if (!r)
        return ld_diag_set(d, LD_EINTERNAL, args->file, &args->action->pos,
                           "no report to append nested results to");
    for (i = 0; i < list->u.arr.n; i++) {
        if (list->u.arr.items[i]->type != LD_TSTRING)
            return ld_diag_set(d, LD_ETYPE, args->file,
                               &list->u.arr.items[i]->pos,
                               "%s: every file must be a path (string), "
                               "got %s",
                               args->cmd->name,
                               ld_type_name(list->u.arr.items[i]->type));
    }
    paths = calloc(list->u.arr.n + 1, sizeof(*paths));
    if (!paths)
        return LD_ENOMEM;
    for (i = 0; i < list->u.arr.n; i++)
        paths[i] = (char *)(uintptr_t)list->u.arr.items[i]->u.str.s;
    rc = nest_enter(ctx, args, d);
    if (!rc) {
        first = r->n;
        rc = ld_exec_files(ctx, paths, list->u.arr.n, r, d);
        ctx->depth--;
        ctx->report = r;
        if (rc == LD_EFAILED || rc == 0)
            rc = nested_result(r, first, rc, args, result, d);
    }
    free(paths);
    return rc;
}

/* ---- print (Python's built-in, kept for old documents) ---- */

static void print_value(FILE *out, const ld_node_t *v)
{
    ld_buf_t b;

    if (v->type == LD_TSTRING) {
        fwrite(v->u.str.s, 1, v->u.str.len, out);
        return;
    }
    ld_buf_init(&b, 0);
    if (ld_node_write_json(v, &b) == 0 && b.data)
        fwrite(b.data, 1, b.len, out);
    ld_buf_free(&b);
}

int ld__cmd_print(ld_ctx_t *ctx, const ld_args_t *args, json_t **result,
                  ld_diag_t *d)
{
    const ld_node_t *a = args->action->u.arr.n == 2
                             ? args->action->u.arr.items[1]
                             : NULL;
    FILE *out = ctx->out ? ctx->out : stdout;
    size_t i;

    if (a && a->type == LD_TARRAY) {
        for (i = 0; i < a->u.arr.n; i++) {
            if (i)
                fputc(' ', out);
            print_value(out, a->u.arr.items[i]);
        }
    } else if (ld_args_get(args, "value")) {
        print_value(out, ld_args_get(args, "value"));
    }
    fputc('\n', out);
    fflush(out);
    return 0;
}

/* ---- parameters ---- */

int ld__cmd_register_variable(ld_ctx_t *ctx, const ld_args_t *args,
                              json_t **result, ld_diag_t *d)
{
    json_t *v = ld_node_to_json(ld_args_get(args, "value"));
    int rc;

    if (!v)
        return LD_ENOMEM;
    rc = ld_params_set_var(ctx->params, ld_args_str(args, "name", ""), v);
    json_decref(v);
    return rc;
}

int ld__cmd_register_variables(ld_ctx_t *ctx, const ld_args_t *args,
                               json_t **result, ld_diag_t *d)
{
    const ld_node_t *vars = ld_args_get(args, "variables");
    size_t i;
    int rc = 0;

    for (i = 0; !rc && i < vars->u.obj.n; i++) {
        json_t *v = ld_node_to_json(vars->u.obj.members[i].value);

        if (!v)
            return LD_ENOMEM;
        rc = ld_params_set_var(ctx->params, vars->u.obj.members[i].key, v);
        json_decref(v);
    }
    return rc;
}

int ld__cmd_register_csv_source(ld_ctx_t *ctx, const ld_args_t *args,
                                json_t **result, ld_diag_t *d)
{
    int rc = ld_params_add_csv(ctx->params, ld_args_str(args, "name", ""),
                               ld_args_str(args, "file_path", ""),
                               ld_args_bool(args, "cycle", true), d);

    if (rc && d && !d->pos.line) {
        const ld_node_t *fp = ld_args_get(args, "file_path");

        /* Point at the path in the document when the CSV cannot be read. */
        if (fp && rc == LD_EIO) {
            char msg[sizeof(d->msg)];

            snprintf(msg, sizeof(msg), "%.200s: %.800s", fp->u.str.s, d->msg);
            ld_diag_set(d, rc, args->file, &fp->pos, "%s", msg);
        }
    }
    return rc;
}

int ld__cmd_register_csv_sources(ld_ctx_t *ctx, const ld_args_t *args,
                                 json_t **result, ld_diag_t *d)
{
    const ld_node_t *list = ld_args_get(args, "sources");
    size_t i;
    int rc;

    for (i = 0; i < list->u.arr.n; i++) {
        const ld_node_t *src = list->u.arr.items[i];
        const char *name = ld_node_str(ld_node_get(src, "name"));
        const char *path = ld_node_str(ld_node_get(src, "file_path"));
        const ld_node_t *cyc = ld_node_get(src, "cycle");

        if (src->type != LD_TOBJECT || !name || !path)
            return ld_diag_set(d, LD_EINVAL, args->file, &src->pos,
                               "%s: each source needs \"name\" and "
                               "\"file_path\" strings",
                               args->cmd->name);
        rc = ld_params_add_csv(ctx->params, name, path,
                               !(cyc && cyc->type == LD_TBOOL && !cyc->u.b),
                               d);
        if (rc)
            return rc;
    }
    return 0;
}

int ld__cmd_clear_resolver(ld_ctx_t *ctx, const ld_args_t *args,
                           json_t **result, ld_diag_t *d)
{
    ld_params_clear(ctx->params);
    *result = json_pack("{s:s}", "status", "cleared");
    return 0;
}

/* ---- records and summary ---- */

int ld__cmd_clear_records(ld_ctx_t *ctx, const ld_args_t *args,
                          json_t **result, ld_diag_t *d)
{
    ld_records_clear(ctx->records);
    *result = json_pack("{s:s}", "status", "cleared");
    return 0;
}

int ld__cmd_summary(ld_ctx_t *ctx, const ld_args_t *args, json_t **result,
                    ld_diag_t *d)
{
    *result = ld_summary_build(ctx->records);
    return *result ? 0 : LD_ENOMEM;
}

int ld__write_file_atomic(const char *path, const char *text, size_t len,
                          ld_diag_t *d)
{
    char tmp[4096];
    FILE *f;
    int ok;

    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path,
                         (long)getpid()) >= sizeof(tmp))
        return ld_diag_set(d, LD_EINVAL, path, NULL, "path too long");
    f = fopen(tmp, "wb");
    if (!f)
        return ld_diag_set(d, LD_EIO, path, NULL, "cannot write: %s",
                           strerror(errno));
    ok = fwrite(text, 1, len, f) == len;
    ok = (fflush(f) == 0) && ok;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        int err = errno;

        unlink(tmp);
        return ld_diag_set(d, LD_EIO, path, NULL, "cannot write: %s",
                           strerror(err));
    }
    return 0;
}

int ld__cmd_generate_summary_report(ld_ctx_t *ctx, const ld_args_t *args,
                                    json_t **result, ld_diag_t *d)
{
    json_t *summary = ld_summary_build(ctx->records);
    char path[4096];
    char *text;
    int rc;

    if (!summary)
        return LD_ENOMEM;
    snprintf(path, sizeof(path), "%s.json",
             ld_args_str(args, "report_name", "loaddensity-summary"));
    text = json_dumps(summary, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    json_decref(summary);
    if (!text)
        return LD_ENOMEM;
    rc = ld__write_file_atomic(path, text, strlen(text), d);
    free(text);
    if (rc)
        return rc;
    *result = json_string(path);
    return 0;
}
