/*
 * cmd.c - the LD_start_test handler and the progress printers.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine_int.h"
#include "ldcore/store.h"
#include "ldcore/cluster.h"

#define BAR_WIDTH 20

void ld_progress_print_tty(const ld_progress_t *p, void *user)
{
    FILE *f = user ? user : stderr;
    char bar[BAR_WIDTH + 1], total[32] = "";
    double frac = p->total_s > 0 ? p->elapsed_s / p->total_s : 0;
    int fill;
    if (frac > 1 || p->final)
        frac = p->total_s > 0 || p->final ? 1 : 0;
    fill = (int)(frac * BAR_WIDTH + 0.5);
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    if (p->total_s > 0)
        snprintf(total, sizeof(total), "/%gs", p->total_s);
    fprintf(f, "\r\033[K%6.1fs%s [%s] users %u", p->elapsed_s, total, bar,
            p->users);
    if (p->target_users)
        fprintf(f, "/%u", p->target_users);
    fprintf(f, "  req %llu  fail %llu  %.0f req/s  p50 %.2f ms  p95 %.2f ms",
            (unsigned long long)p->requests, (unsigned long long)p->failures,
            p->rps, p->p50_ms, p->p95_ms);
    if (p->final)
        fputc('\n', f);
    fflush(f);
}

void ld_progress_print_plain(const ld_progress_t *p, void *user)
{
    FILE *f = user ? user : stderr;
    fprintf(f,
            "[%s%.1fs] users=%u requests=%llu failures=%llu rps=%.1f "
            "p50=%.2fms p95=%.2fms\n",
            p->final ? "done " : "", p->elapsed_s, p->users,
            (unsigned long long)p->requests, (unsigned long long)p->failures,
            p->rps, p->p50_ms, p->p95_ms);
    fflush(f);
}

static void note_ignored(ld_ctx_t *ctx, const ld_args_t *args, FILE *err)
{
    const ld_node_t *n = ld_args_get(args, "web_ui_dict");
    if (ctx->flags & LD_EXEC_QUIET)
        return;
    if (n && n->type != LD_TNULL)
        fprintf(err,
                "%s:%u:%u: note: web_ui_dict is ignored (no web UI "
                "yet; progress is printed here)\n",
                args->file ? args->file : "", n->pos.line, n->pos.col);
}

/* "database": stream records into SQLite while the test runs, so a killed
 * process loses at most about a second of them (store.h). */
static int open_stream(const ld_args_t *args, ld_run_opts_t *opts,
                       ld_diag_t *d)
{
    const char *db = ld_args_str(args, "database", NULL);
    int rc;

    if (!db)
        return 0;
    rc = ld_stream_open(db, NULL, NULL, &opts->stream, d);
    if (rc && d && !d->pos.line) {
        const ld_node_t *n = ld_args_get(args, "database");
        char msg[sizeof(d->msg)];

        /* Point at the argument, and name the database in the message. */
        snprintf(msg, sizeof(msg), "database %.300s: %.700s", db, d->msg);
        ld_diag_set(d, rc, args->file ? args->file : "", &n->pos, "%s", msg);
    }
    return rc;
}

static int close_stream(ld_run_opts_t *opts, int run_rc, json_t *summary,
                        ld_diag_t *d)
{
    ld_diag_t sd;
    int64_t run_id = 0;
    int rc;

    if (!opts->stream)
        return run_rc;
    ld_diag_clear(&sd);
    rc = ld_stream_close(opts->stream, &run_id, &sd);
    opts->stream = NULL;
    if (!run_rc && summary && !rc)
        json_object_set_new(summary, "run_id", json_integer(run_id));
    if (run_rc)
        return run_rc;
    if (rc && d)
        *d = sd;
    return rc;
}

int ld_cmd_start_test(ld_ctx_t *ctx, const ld_args_t *args, json_t **result,
                      ld_diag_t *d)
{
    ld_test_plan_t *plan = NULL;
    json_t *summary = NULL;
    ld_run_opts_t opts;
    FILE *err = ctx->err ? ctx->err : stderr;
    int rc;
    const char *mode = ld_args_str(args, "runner_mode", "local");
    *result = NULL;
    if (!strcmp(mode, "worker") || !strcmp(mode, "master"))
        return ld_cluster_start_test(ctx, args, result, d);
    if ((rc = ld_test_plan_new(args, ctx->params, &plan, d)))
        return rc;
    note_ignored(ctx, args, err);
    memset(&opts, 0, sizeof(opts));
    opts.interrupt = ctx->interrupt;
    opts.grace_s = ctx->grace_s;
    if (!(ctx->flags & LD_EXEC_QUIET)) {
        bool tty = (ctx->flags & LD_EXEC_PROGRESS_TTY) || isatty(fileno(err));
        opts.progress = tty ? ld_progress_print_tty : ld_progress_print_plain;
        opts.progress_user = err;
    }
    if ((rc = open_stream(args, &opts, d))) {
        ld_test_plan_free(plan);
        return rc;
    }
    rc = ld_test_run(plan, &opts, ctx->records, &summary, d);
    ld_test_plan_free(plan);
    rc = close_stream(&opts, rc, summary, d);
    if (rc) {
        json_decref(summary);
        return rc;
    }
    json_decref(ctx->last_summary);
    ctx->last_summary = summary;
    *result = json_incref(summary);
    return 0;
}
