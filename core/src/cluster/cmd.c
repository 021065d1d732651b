/*
 * cmd.c - LD_start_test with runner_mode "worker" (this action is the one
 * scenario of a Locust worker, which runs until the master says quit) or
 * "master" (Locust's master with the shipped locustfile; the result is the
 * master's statistics).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/cluster_int.h"

static FILE *log_of(const ld_ctx_t *ctx)
{
    if (ctx->flags & LD_EXEC_QUIET)
        return NULL;
    return ctx->err ? ctx->err : stderr;
}

static int keep_summary(ld_ctx_t *ctx, json_t *summary, const char *mode,
                        json_t **result)
{
    if (!summary)
        return LD_ENOMEM;
    json_object_set_new(summary, "runner_mode", json_string(mode));
    json_decref(ctx->last_summary);
    ctx->last_summary = summary;
    *result = json_incref(summary);
    return 0;
}

static int worker_mode(ld_ctx_t *ctx, const ld_args_t *args, json_t **result,
                       ld_diag_t *d)
{
    ld_cluster_scenario_t sc;
    ld_worker_opts_t o;
    ld_records_t *own = NULL;
    char name[256];
    int rc;
    memset(&sc, 0, sizeof(sc));
    if ((rc = ld_cluster_class_name(args, 0, name, sizeof(name), d)) ||
        (rc = ld_cluster_plan_new(args, ctx->params, &sc.plan, d)))
        return rc;
    sc.class_name = name;
    memset(&o, 0, sizeof(o));
    o.master_host = ld_args_str(args, "master_host", "127.0.0.1");
    o.master_port = (int)ld_args_int(args, "master_port", 5557);
    o.keep_records = true;
    o.interrupt = ctx->interrupt;
    o.log = log_of(ctx);
    if (!(own = ld_records_new())) {
        rc = ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
        goto out;
    }
    if ((rc = ld_cluster_worker_run(&sc, 1, &o, own, d)))
        goto out;
    rc = keep_summary(ctx, ld_summary_build(own), "worker", result);
    if (!rc && ctx->records)
        rc = ld_records_merge_take(ctx->records, own);
    if (rc)
        ld_diag_set(d, rc, NULL, NULL, "cannot keep the results: %s",
                    ld_strerror(rc));
out:
    ld_records_free(own);
    ld_test_plan_free(sc.plan);
    return rc;
}

static void master_web(const ld_args_t *args, ld_master_opts_t *o)
{
    const ld_node_t *w = ld_args_get(args, "web_ui_dict");
    const ld_node_t *h, *p;
    if (!w || w->type != LD_TOBJECT)
        return;
    h = ld_node_get(w, "host");
    p = ld_node_get(w, "port");
    o->web_host = ld_node_str(h) ? ld_node_str(h) : "127.0.0.1";
    o->web_port = ld_node_is_number(p) ? (int)ld_node_number(p) : 8089;
}

static void remove_csvs(const char *dir)
{
    static const char *const tails[] = {"_stats.csv", "_stats_history.csv",
                                        "_failures.csv", "_exceptions.csv"};
    char path[600];
    for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
        snprintf(path, sizeof(path), "%s/ld%s", dir, tails[i]);
        unlink(path);
    }
    rmdir(dir);
}

static int master_result(ld_ctx_t *ctx, const char *dir, int code,
                         unsigned workers, json_t **result, ld_diag_t *d)
{
    char path[600];
    json_t *sum, *req;
    snprintf(path, sizeof(path), "%s/ld_stats.csv", dir);
    if (code != 0 && code != 1) /* 1: requests failed, which is data */
        return ld_diag_set(d, LD_EFAILED, NULL, NULL,
                           "the Locust master exited with status %d", code);
    if (!(sum = ld_cluster_summary_from_csv(path, d)))
        return ld_diag_set(d, LD_EFAILED, NULL, NULL,
                           "the Locust master (status %d) left no "
                           "statistics",
                           code);
    req = json_object_get(json_object_get(sum, "totals"), "requests");
    if (code == 1 && workers && !json_integer_value(req)) {
        json_decref(sum); /* "Gave up waiting for workers to connect" */
        return ld_diag_set(d, LD_EFAILED, NULL, NULL,
                           "the Locust master ran no test (did %u worker%s "
                           "connect within %d s?)",
                           workers, workers == 1 ? "" : "s",
                           LD_CLUSTER_EXPECT_WAIT_S);
    }
    json_object_set_new(sum, "locust_exit_code", json_integer(code));
    return keep_summary(ctx, sum, "master", result);
}

static int master_mode(ld_ctx_t *ctx, const ld_args_t *args, json_t **result,
                       ld_diag_t *d)
{
    ld_master_opts_t o;
    ld_test_plan_t *plan = NULL;
    char name[256], classes[300], dir[] = "/tmp/ld-master.XXXXXX",
                                  prefix[sizeof(dir) + 4];
    const ld_node_t *tt = ld_args_get(args, "test_time");
    int rc, code = -1;
    /* The master runs no task, but a bad action should fail here, with
       its position, rather than on every worker. */
    if ((rc = ld_cluster_class_name(args, 0, name, sizeof(name), d)) ||
        (rc = ld_cluster_plan_new(args, ctx->params, &plan, d)))
        return rc;
    ld_test_plan_free(plan);
    memset(&o, 0, sizeof(o));
    o.bind_host = ld_args_str(args, "master_bind_host", "*");
    o.bind_port = (int)ld_args_int(args, "master_bind_port", 5557);
    o.users = (unsigned)ld_args_int(args, "user_count", 50);
    o.spawn_rate = ld_args_num(args, "spawn_rate", 10);
    o.run_time_s = tt && ld_node_is_number(tt) ? ld_node_number(tt) : -1;
    o.expected_workers = (unsigned)ld_args_int(args, "expected_workers", 0);
    o.interrupt = ctx->interrupt;
    o.log = log_of(ctx);
    master_web(args, &o);
    if (args->file && *args->file && !access(args->file, R_OK)) {
        o.action_file = args->file;
    } else {
        snprintf(classes, sizeof(classes), "%s:1", name);
        o.classes = classes;
    }
    if (!mkdtemp(dir))
        return ld_diag_set(d, LD_EIO, NULL, NULL,
                           "cannot make a directory for the statistics");
    snprintf(prefix, sizeof(prefix), "%s/ld", dir);
    o.csv_prefix = prefix;
    if (!(rc = ld_cluster_master_run(&o, &code, d)))
        rc = master_result(ctx, dir, code, o.expected_workers, result, d);
    remove_csvs(dir);
    return rc;
}

int ld_cluster_start_test(ld_ctx_t *ctx, const ld_args_t *args,
                          json_t **result, ld_diag_t *d)
{
    const char *mode = ld_args_str(args, "runner_mode", "local");
    *result = NULL;
    if (!strcmp(mode, "worker"))
        return worker_mode(ctx, args, result, d);
    if (!strcmp(mode, "master"))
        return master_mode(ctx, args, result, d);
    return ld_diag_set(d, LD_EINVAL, args->file, NULL,
                       "runner_mode \"%s\" is not a cluster mode", mode);
}
