/*
 * tool_run.c - run_test and run_action_json: checked against the policy,
 * run on the call's thread with the call's interrupt flag (so
 * notifications/cancelled stops them gracefully and the partial results
 * come back), progress sent about once a second.
 *
 * run_test drives the engine directly (ld_test_plan_new + ld_test_run with
 * a progress callback). run_action_json goes through the executor, whose
 * LD_start_test prints plain progress lines to ctx->err: that stream is a
 * cookie FILE here that turns those lines into progress notifications and
 * everything else into log messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mcp.h"

/* ---- sharing the context ---- */

static void busy_text(mcp_server_t *s, char *buf, size_t size)
{
    const ld_progress_t *p = &s->live;

    snprintf(buf, size,
             "%s is running (%.0f s of %.0f s, %llu requests, %.0f req/s, "
             "%llu failures)",
             s->run_tool, p->elapsed_s, p->total_s,
             (unsigned long long)p->requests, p->rps,
             (unsigned long long)p->failures);
}

int mcp_ctx_begin(mcp_call_t *c, ld_diag_t *d)
{
    mcp_server_t *s = c->srv;
    char busy[300];

    for (;;) {
        pthread_mutex_lock(&s->lock);
        if (s->run_active) {
            busy_text(s, busy, sizeof(busy));
            pthread_mutex_unlock(&s->lock);
            return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                               "%s: a load test is running: %s; wait for "
                               "its result (or cancel it) and call %s again",
                               c->tool->name, busy, c->tool->name);
        }
        pthread_mutex_unlock(&s->lock);
        if (pthread_mutex_trylock(&s->ctx_lock) == 0)
            return 0;
        usleep(1000);
    }
}

void mcp_ctx_end(mcp_call_t *c)
{
    pthread_mutex_unlock(&c->srv->ctx_lock);
}

static int run_begin(mcp_call_t *c, ld_diag_t *d)
{
    mcp_server_t *s = c->srv;
    char busy[300];

    pthread_mutex_lock(&s->lock);
    if (s->run_active) {
        busy_text(s, busy, sizeof(busy));
        pthread_mutex_unlock(&s->lock);
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "%s: another load test is running: %s; one runs "
                           "at a time: wait for it or cancel it",
                           c->tool->name, busy);
    }
    s->run_active = true;
    memset(&s->live, 0, sizeof(s->live));
    snprintf(s->run_tool, sizeof(s->run_tool), "%s", c->tool->name);
    pthread_mutex_unlock(&s->lock);
    pthread_mutex_lock(&s->ctx_lock);
    return 0;
}

static void run_end(mcp_call_t *c)
{
    mcp_server_t *s = c->srv;

    pthread_mutex_unlock(&s->ctx_lock);
    pthread_mutex_lock(&s->lock);
    s->run_active = false;
    pthread_mutex_unlock(&s->lock);
}

/* ---- progress ---- */

static void report_progress(mcp_call_t *c, const ld_progress_t *p)
{
    mcp_server_t *s = c->srv;
    double total = c->progress_total > 0 ? c->progress_total : p->total_s;
    double at = c->progress_base + p->elapsed_s;
    char head[80], msg[300];

    pthread_mutex_lock(&s->lock);
    s->live = *p;
    s->live.elapsed_s = at;
    s->live.total_s = total;
    pthread_mutex_unlock(&s->lock);
    if (total > 0)
        snprintf(head, sizeof(head), "%.0f s of %.0f s", at, total);
    else
        snprintf(head, sizeof(head), "%.0f s", at);
    snprintf(msg, sizeof(msg),
             "%s: %.0f req/s, p95 %.1f ms, %llu failures (%llu requests, "
             "%u users)%s",
             head, p->rps, p->p95_ms, (unsigned long long)p->failures,
             (unsigned long long)p->requests, p->users,
             p->final ? ", done" : "");
    mcp_progress(c, c->progress_base + p->elapsed_s, total, msg);
}

static void on_progress(const ld_progress_t *p, void *user)
{
    report_progress(user, p);
}

/* ---- run_test ---- */

static json_t *run_result(mcp_call_t *c, const json_t *summary,
                          double elapsed)
{
    const json_t *tot = json_object_get(summary, "totals");
    json_t *trimmed = mcp_summary_trim(summary, 100,
                                       c->srv->opts.max_result_bytes - 512);

    return json_pack("{s:s,s:o,s:I,s:I,s:f,s:I}", "status",
                     __atomic_load_n(&c->interrupt, __ATOMIC_RELAXED)
                         ? "cancelled" : "completed",
                     "summary",
                     trimmed, "requests",
                     (json_int_t)json_number_value(
                         json_object_get(tot, "requests")),
                     "failures",
                     (json_int_t)json_number_value(
                         json_object_get(tot, "failures")),
                     "elapsed_s", elapsed, "records_in_memory",
                     (json_int_t)ld_records_count(c->srv->ctx.records));
}

static int run_plan(mcp_call_t *c, const ld_args_t *a, double secs,
                    json_t **out, ld_diag_t *d)
{
    mcp_server_t *s = c->srv;
    ld_test_plan_t *plan = NULL;
    ld_run_opts_t opts;
    json_t *summary = NULL;
    uint64_t t0;
    int rc;

    if ((rc = ld_test_plan_new(a, s->ctx.params, &plan, d)))
        return rc;
    memset(&opts, 0, sizeof(opts));
    opts.interrupt = &c->interrupt;
    opts.grace_s = s->ctx.grace_s;
    opts.progress = on_progress;
    opts.progress_user = c;
    c->progress_total = secs;
    mcp_log(s, MCP_INFO, "run_test: %lld users for %g s",
            (long long)ld_args_int(a, "user_count", 50), secs);
    t0 = ld_now_ns();
    rc = ld_test_run(plan, &opts, s->ctx.records, &summary, d);
    ld_test_plan_free(plan);
    if (!rc) {
        json_decref(s->ctx.last_summary);
        s->ctx.last_summary = json_incref(summary);
        *out = run_result(c, summary, (double)(ld_now_ns() - t0) / 1e9);
        rc = *out ? 0 : ld_diag_set(d, LD_ENOMEM, NULL, NULL,
                                    "out of memory");
    }
    json_decref(summary);
    return rc;
}

int mcp_tool_run_test(mcp_call_t *c, const json_t *args, json_t **out,
                      ld_diag_t *d)
{
    mcp_server_t *s = c->srv;
    json_t *action = json_pack("[s,O]", "LD_start_test", args);
    ld_doc_t *doc = action ? ld_doc_from_json(action, "run_test", d) : NULL;
    ld_params_t *vars = NULL;
    ld_args_t a;
    double secs = 0;
    int rc;

    json_decref(action);
    if (!doc)
        return d->code ? d->code : LD_ENOMEM;
    if ((rc = ld_args_bind(ld_doc_root(doc), "run_test", &a, d))) {
        ld_doc_free(doc);
        return rc;
    }
    if ((rc = run_begin(c, d)))
        goto out;
    if (!(vars = mcp_vars_snapshot(s)))
        rc = ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    if (!rc)
        rc = mcp_check_start_test(s, &a, vars, &secs, d);
    if (!rc)
        rc = run_plan(c, &a, secs, out, d);
    run_end(c);
out:
    ld_params_free(vars);
    ld_args_release(&a);
    ld_doc_free(doc);
    return rc;
}

/* ---- run_action_json: the executor's output streams ---- */

typedef struct sink {
    mcp_call_t *c;
    int level;
    char line[2048];
    size_t n;
    double last;      /* elapsed of the current test */
} sink_t;

/* "[12.0s] users=.. requests=.. failures=.. rps=.. p50=..ms p95=..ms" */
static bool progress_line(sink_t *k, const char *line)
{
    ld_progress_t p;
    char when[32];
    unsigned long long req, fail;
    const char *t;

    memset(&p, 0, sizeof(p));
    if (sscanf(line, "[%31[^]]] users=%u requests=%llu failures=%llu "
                     "rps=%lf p50=%lfms p95=%lfms",
               when, &p.users, &req, &fail, &p.rps, &p.p50_ms,
               &p.p95_ms) != 7)
        return false;
    p.final = !strncmp(when, "done ", 5);
    t = p.final ? when + 5 : when;
    p.elapsed_s = strtod(t, NULL);
    p.requests = req;
    p.failures = fail;
    if (p.elapsed_s + 0.5 < k->last) {   /* a new test started */
        k->c->progress_base += k->last;
        k->last = 0;
    }
    k->last = p.elapsed_s;
    report_progress(k->c, &p);
    if (p.final) {
        k->c->progress_base += p.elapsed_s;
        k->last = 0;
    }
    return true;
}

static void sink_line(sink_t *k)
{
    k->line[k->n] = '\0';
    if (k->n && !progress_line(k, k->line))
        mcp_log(k->c->srv, k->level, "%s", k->line);
    k->n = 0;
}

static ssize_t sink_write(void *cookie, const char *buf, size_t size)
{
    sink_t *k = cookie;

    for (size_t i = 0; i < size; i++) {
        if (buf[i] == '\n' || buf[i] == '\r' || k->n == sizeof(k->line) - 1)
            sink_line(k);
        else
            k->line[k->n++] = buf[i];
    }
    return (ssize_t)size;
}

static int sink_close(void *cookie)
{
    sink_line(cookie);
    return 0;
}

static FILE *sink_open(sink_t *k, mcp_call_t *c, int level)
{
    cookie_io_functions_t io = {NULL, sink_write, NULL, sink_close};
    FILE *f;

    memset(k, 0, sizeof(*k));
    k->c = c;
    k->level = level;
    f = fopencookie(k, "w", io);
    if (f)
        setvbuf(f, NULL, _IOLBF, 0);
    return f;
}

/* ---- run_action_json ---- */

static ld_doc_t *load_actions(mcp_call_t *c, const json_t *args,
                              ld_diag_t *d)
{
    const json_t *acts = json_object_get(args, "actions");
    const char *file = json_string_value(json_object_get(args, "file"));
    char real[PATH_MAX], *text;
    ld_doc_t *doc;

    if ((acts && !json_is_null(acts)) == (file != NULL)) {
        ld_diag_set(d, LD_EINVAL, NULL, NULL,
                    "run_action_json: give either 'actions' (the document) "
                    "or 'file' (a path), not %s",
                    file ? "both" : "neither");
        return NULL;
    }
    if (file)
        return mcp_path_check(c->srv, file, "file", real, d)
                   ? NULL : ld_doc_load(real, LD_FMT_AUTO, d);
    if (json_is_string(acts))
        return ld_doc_parse(json_string_value(acts),
                            json_string_length(acts), "actions",
                            LD_FMT_JSON, d);
    /* Re-read as indented text so messages carry useful lines. */
    text = json_dumps(acts, JSON_INDENT(1));
    if (!text) {
        ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
        return NULL;
    }
    doc = ld_doc_parse(text, strlen(text), "actions", LD_FMT_JSON, d);
    free(text);
    return doc;
}

/* Keep every result's value within its share of the budget. */
static json_t *trim_results(json_t *results, size_t budget, size_t *omitted)
{
    size_t n = json_array_size(results), share, i;
    json_t *r;

    *omitted = 0;
    share = n ? budget / n : budget;
    if (share < 1024)
        share = 1024;
    json_array_foreach(results, i, r) {
        json_t *v = json_object_get(r, "value");
        size_t sz;

        if (!v || json_is_null(v) || (sz = mcp_json_size(v)) <= share)
            continue;
        if (json_object_get(v, "per_name") &&
            json_object_get(v, "totals")) {
            json_t *t = mcp_summary_trim(v, 20, share);

            if (t && mcp_json_size(t) <= share) {
                json_object_set_new(r, "value", t);
                continue;
            }
            json_decref(t);
        }
        json_object_set_new(r, "value",
                            json_pack("{s:b,s:I,s:s}", "omitted", 1, "bytes",
                                      (json_int_t)sz, "note",
                                      "value too large to return here; use "
                                      "summary, fetch_run or a file"));
        (*omitted)++;
    }
    return results;
}

static json_t *action_result(mcp_call_t *c, const ld_exec_report_t *rep,
                             int rc, const ld_diag_t *d)
{
    size_t omitted = 0;
    json_t *results = trim_results(ld_exec_report_to_json(rep),
                                   c->srv->opts.max_result_bytes - 1024,
                                   &omitted);
    const char *status = __atomic_load_n(&c->interrupt, __ATOMIC_RELAXED) ||
                                 rc == LD_ESTOPPED
                             ? "cancelled"
                         : rc ? "failed" : "completed";
    json_t *o = json_pack("{s:s,s:I,s:I,s:o}", "status", status, "actions",
                          (json_int_t)rep->n, "failed",
                          (json_int_t)rep->failed, "results", results);

    if (o && omitted)
        json_object_set_new(o, "values_omitted", json_integer((json_int_t)
                                                              omitted));
    if (o && rc && d->msg[0])
        json_object_set_new(o, "error", json_string(d->msg));
    return o;
}

static int exec_doc(mcp_call_t *c, const ld_doc_t *doc, bool fail_fast,
                    json_t **out, ld_diag_t *d)
{
    mcp_server_t *s = c->srv;
    ld_exec_report_t rep;
    sink_t ko, ke;
    FILE *fo = sink_open(&ko, c, MCP_INFO), *fe = sink_open(&ke, c,
                                                             MCP_NOTICE);
    int rc;

    if (!fo || !fe) {
        if (fo)
            fclose(fo);
        if (fe)
            fclose(fe);
        return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    }
    s->ctx.out = fo;
    s->ctx.err = fe;
    s->ctx.flags = fail_fast ? LD_EXEC_FAIL_FAST : 0;
    s->ctx.interrupt = &c->interrupt;
    ld_exec_report_init(&rep);
    rc = ld_exec_doc(&s->ctx, doc, &rep, d);
    s->ctx.interrupt = NULL;
    s->ctx.out = stderr;
    s->ctx.err = stderr;
    s->ctx.flags = LD_EXEC_QUIET;
    fclose(fo);
    fclose(fe);
    if (rc && rc != LD_EFAILED && rc != LD_ESTOPPED && rep.n == 0) {
        ld_exec_report_free(&rep);
        return rc;   /* the document itself is unusable */
    }
    *out = action_result(c, &rep, rc, d);
    ld_exec_report_free(&rep);
    return *out ? 0 : ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
}

int mcp_tool_run_action_json(mcp_call_t *c, const json_t *args,
                             json_t **out, ld_diag_t *d)
{
    mcp_server_t *s = c->srv;
    ld_doc_t *doc = load_actions(c, args, d);
    const ld_node_t *actions;
    double total = 0;
    int rc;

    if (!doc)
        return d->code ? d->code : LD_ENOMEM;
    if (!(actions = ld_doc_actions(doc, d))) {
        ld_doc_free(doc);
        return d->code ? d->code : LD_EINVAL;
    }
    if ((rc = run_begin(c, d)))
        goto out;
    rc = mcp_scan_document(s, actions, ld_doc_name(doc), &total, d);
    if (!rc) {
        c->progress_total = total;
        rc = exec_doc(c, doc, json_is_true(json_object_get(args,
                                                           "fail_fast")),
                      out, d);
    }
    run_end(c);
out:
    ld_doc_free(doc);
    return rc;
}
