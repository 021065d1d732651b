/*
 * commands.c - handlers of the persistence commands: LD_persist_records,
 * LD_list_runs, LD_fetch_run_records and LD_diff_runs. Arguments were
 * checked by the registry (names, types, defaults); what is left is value
 * checking and the diagnostic position.
 */
#include "store/store_int.h"

#include "ldcore/exec.h"
#include "ldcore/report.h"

#include <stdio.h>

/* Point the diagnostic at the action (the executor reports it against the
 * document) and keep the database path in the message. */
static int fail(const ld_args_t *args, int rc, ld_diag_t *d)
{
    char msg[sizeof(d->msg) + sizeof(d->file) + 64];

    if (!d)
        return rc;
    if (d->file[0] && d->msg[0])
        snprintf(msg, sizeof(msg), "%s: %s: %s", args->cmd->name, d->file,
                 d->msg);
    else
        snprintf(msg, sizeof(msg), "%s: %s", args->cmd->name,
                 d->msg[0] ? d->msg : ld_strerror(rc));
    return ld_diag_set(d, rc, args->file, &args->action->pos, "%s", msg);
}

static int bad_arg(const ld_args_t *args, const char *name, const char *why,
                   ld_diag_t *d)
{
    const ld_node_t *n = ld_args_get(args, name);

    return ld_diag_set(d, LD_EINVAL, args->file,
                       n ? &n->pos : &args->action->pos, "%s: %s %s",
                       args->cmd->name, name, why);
}

int ld_cmd_persist_records(ld_ctx_t *ctx, const ld_args_t *args,
                           json_t **result, ld_diag_t *d)
{
    const ld_node_t *meta_node = ld_args_get(args, "metadata");
    json_t *meta = NULL;
    int64_t run_id = 0;
    int rc = 0;

    if (meta_node && meta_node->type != LD_TNULL) {
        meta = ld_node_to_json(meta_node);
        if (!meta)
            return LD_ENOMEM;
    }
    rc = ld_store_persist(ld_args_str(args, "database_path", NULL),
                          ctx->records, ld_args_str(args, "label", NULL),
                          meta, 0, 0, &run_id, d);
    json_decref(meta);
    if (rc)
        return fail(args, rc, d);
    *result = json_integer(run_id);
    return *result ? 0 : LD_ENOMEM;
}

int ld_cmd_list_runs(ld_ctx_t *ctx, const ld_args_t *args, json_t **result,
                     ld_diag_t *d)
{
    int64_t limit = ld_args_int(args, "limit", 20);
    int rc;

    (void)ctx;
    if (limit < 1 || limit > 1000000)
        return bad_arg(args, "limit", "must be between 1 and 1000000", d);
    rc = ld_store_list_runs(ld_args_str(args, "database_path", NULL),
                            (int)limit, result, d);
    return rc ? fail(args, rc, d) : 0;
}

int ld_cmd_fetch_run_records(ld_ctx_t *ctx, const ld_args_t *args,
                             json_t **result, ld_diag_t *d)
{
    int rc;

    (void)ctx;
    rc = ld_store_fetch_records(ld_args_str(args, "database_path", NULL),
                                ld_args_int(args, "run_id", 0), 0, 0, result,
                                d);
    return rc ? fail(args, rc, d) : 0;
}

int ld_cmd_diff_runs(ld_ctx_t *ctx, const ld_args_t *args, json_t **result,
                     ld_diag_t *d)
{
    double tol = ld_args_num(args, "tolerance", 0.10);
    int rc;

    (void)ctx;
    if (!(tol >= 0) || tol > 1e6)
        return bad_arg(args, "tolerance", "must be a number >= 0 (0.1 = 10 %)",
                       d);
    rc = ld_diff_runs(ld_args_str(args, "database_path", NULL),
                      ld_args_int(args, "baseline_run_id", 0),
                      ld_args_int(args, "current_run_id", 0), tol, result, d);
    return rc ? fail(args, rc, d) : 0;
}
