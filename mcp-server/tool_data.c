/*
 * tool_data.c - the tools over records: summary, generate_reports,
 * persist_records, list_runs, fetch_run, clear_records. Results are kept
 * well under the client's size limit: per-name tables keep the busiest
 * names, fetch_run pages through records and adds a summary of them all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldcore/report.h"
#include "ldcore/store.h"
#include "mcp.h"

#define MAX_PAGE 1000
#define SUMMARY_MAX_RECORDS 5000000

/* ---- summaries that fit ---- */

typedef struct named {
    const char *name;
    double requests;
} named_t;

static int by_requests(const void *a, const void *b)
{
    const named_t *x = a, *y = b;

    if (x->requests != y->requests)
        return x->requests < y->requests ? 1 : -1;
    return strcmp(x->name, y->name);
}

static json_t *top_names(const json_t *per, const named_t *v, size_t keep)
{
    json_t *o = json_object();

    for (size_t i = 0; o && i < keep; i++)
        json_object_set(o, v[i].name, json_object_get(per, v[i].name));
    return o;
}

json_t *mcp_summary_trim(const json_t *sum, size_t max_names, size_t budget)
{
    const json_t *per = json_object_get(sum, "per_name"), *v;
    size_t n = json_object_size(per), i = 0, keep;
    json_t *out = json_copy((json_t *)(uintptr_t)sum);
    named_t *names;
    const char *k;

    if (!out || (n <= max_names && mcp_json_size(out) <= budget))
        return out;
    if (!(names = calloc(n + 1, sizeof(*names)))) {
        json_decref(out);
        return NULL;
    }
    json_object_foreach((json_t *)(uintptr_t)per, k, v) {
        names[i].name = k;
        names[i++].requests = json_number_value(json_object_get(v,
                                                                "requests"));
    }
    qsort(names, n, sizeof(*names), by_requests);
    keep = n < max_names ? n : max_names;
    for (;;) {
        json_object_set_new(out, "per_name", top_names(per, names, keep));
        json_object_set_new(out, "per_name_omitted",
                            json_integer((json_int_t)(n - keep)));
        if (keep == 0 || mcp_json_size(out) <= budget)
            break;
        keep /= 2;
    }
    free(names);
    return out;
}

/* ---- summary, clear_records ---- */

int mcp_tool_summary(mcp_call_t *c, const json_t *args, json_t **out,
                     ld_diag_t *d)
{
    json_int_t max = json_integer_value(json_object_get(args, "max_names"));
    json_t *sum;
    int rc;

    if (!json_is_integer(json_object_get(args, "max_names")))
        max = 100;
    if (max < 0)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "summary: max_names must be >= 0");
    if ((rc = mcp_ctx_begin(c, d)))
        return rc;
    sum = ld_summary_build(c->srv->ctx.records);
    mcp_ctx_end(c);
    if (!sum)
        return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    *out = mcp_summary_trim(sum, (size_t)max, c->srv->opts.max_result_bytes);
    json_decref(sum);
    return *out ? 0 : ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
}

int mcp_tool_clear_records(mcp_call_t *c, const json_t *args, json_t **out,
                           ld_diag_t *d)
{
    size_t n;
    int rc;

    (void)args;
    if ((rc = mcp_ctx_begin(c, d)))
        return rc;
    n = ld_records_count(c->srv->ctx.records);
    ld_records_clear(c->srv->ctx.records);
    json_decref(c->srv->ctx.last_summary);
    c->srv->ctx.last_summary = NULL;
    mcp_ctx_end(c);
    *out = json_pack("{s:s,s:I}", "status", "cleared", "removed",
                     (json_int_t)n);
    return *out ? 0 : LD_ENOMEM;
}

/* ---- generate_reports ---- */

static int format_kind(const char *f, ld_diag_t *d)
{
    static const char *const all[] = {"html", "json", "xml", "csv",
                                      "junit", "summary", "chart"};
    int k = f ? ld_report_kind_parse(f) : -1;
    const char *best = NULL;
    size_t bd = 3;

    if (k >= 0)
        return k;
    for (size_t i = 0; f && i < sizeof(all) / sizeof(all[0]); i++) {
        size_t dd = ld_edit_distance(f, all[i], bd);

        if (dd < bd) {
            bd = dd;
            best = all[i];
        }
    }
    return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                       "generate_reports: unknown format \"%s\"%s%s%s; "
                       "formats: html, json, xml, csv, junit, summary, chart",
                       f ? f : "(not a string)", best ? " (did you mean \""
                                                      : "",
                       best ? best : "", best ? "\"?)" : "");
}

/* The Python tool's names: junit and summary get their own suffix. */
static int report_base(const char *base, const char *fmt, char *out,
                       ld_diag_t *d)
{
    const char *suffix = !strcmp(fmt, "junit")     ? "-junit"
                         : !strcmp(fmt, "summary") ? "-summary"
                         : !strcmp(fmt, "chart")   ? "-charts"
                                                   : "";

    if ((size_t)snprintf(out, PATH_MAX, "%s%s", base, suffix) >= PATH_MAX)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "generate_reports: base_name is too long");
    return 0;
}

static int write_reports(mcp_call_t *c, const json_t *formats,
                         const char *base, json_t *reports, json_t *files,
                         ld_diag_t *d)
{
    const json_t *f;
    size_t i;
    int rc = 0;

    json_array_foreach(formats, i, f) {
        const char *name = json_string_value(f);
        int kind = format_kind(name, d);
        char fbase[PATH_MAX];
        json_t *paths = NULL;

        if (kind < 0)
            return kind;
        if ((rc = report_base(base, name, fbase, d)))
            return rc;
        rc = ld_report_write((ld_report_kind_t)kind, c->srv->ctx.records,
                             fbase, &paths, d);
        if (rc)
            return rc;
        json_array_extend(files, paths);
        json_object_set_new(reports, name, paths);
    }
    return 0;
}

int mcp_tool_generate_reports(mcp_call_t *c, const json_t *args,
                              json_t **out, ld_diag_t *d)
{
    const char *base = json_string_value(json_object_get(args, "base_name"));
    const json_t *formats = json_object_get(args, "formats");
    json_t *deflt = NULL, *reports = json_object(), *files = json_array();
    char real[PATH_MAX];
    int rc;

    if (!base)
        base = "loaddensity";
    if (!json_is_array(formats) || !json_array_size(formats))
        formats = deflt = json_pack("[s,s,s,s,s,s]", "html", "json", "xml",
                                    "csv", "junit", "summary");
    rc = mcp_path_check(c->srv, base, "base_name", real, d);
    if (!rc && !(rc = mcp_ctx_begin(c, d))) {
        if (ld_records_count(c->srv->ctx.records) == 0)
            rc = ld_diag_set(d, LD_EINVAL, NULL, NULL,
                             "generate_reports: there are no records in "
                             "memory; run a test first (run_test or "
                             "run_action_json)");
        else
            rc = write_reports(c, formats, real, reports, files, d);
        mcp_ctx_end(c);
    }
    json_decref(deflt);
    if (!rc)
        *out = json_pack("{s:s,s:O,s:O}", "base_name", base, "files", files,
                         "reports", reports);
    json_decref(reports);
    json_decref(files);
    return rc;
}

/* ---- SQLite ---- */

int mcp_tool_persist_records(mcp_call_t *c, const json_t *args, json_t **out,
                             ld_diag_t *d)
{
    const json_t *meta = json_object_get(args, "metadata");
    char real[PATH_MAX];
    int64_t run_id = 0;
    size_t n = 0;
    int rc;

    rc = mcp_path_check(c->srv, json_string_value(json_object_get(
                                    args, "database_path")),
                        "database_path", real, d);
    if (rc || (rc = mcp_ctx_begin(c, d)))
        return rc;
    n = ld_records_count(c->srv->ctx.records);
    rc = ld_store_persist(real, c->srv->ctx.records,
                          json_string_value(json_object_get(args, "label")),
                          json_is_object(meta) ? meta : NULL, 0, 0, &run_id,
                          d);
    mcp_ctx_end(c);
    if (!rc)
        *out = json_pack("{s:I,s:I,s:s}", "run_id", (json_int_t)run_id,
                         "records", (json_int_t)n, "database_path", real);
    return rc;
}

int mcp_tool_list_runs(mcp_call_t *c, const json_t *args, json_t **out,
                       ld_diag_t *d)
{
    json_int_t limit = json_integer_value(json_object_get(args, "limit"));
    char real[PATH_MAX];
    json_t *runs = NULL;
    int rc;

    if (!json_is_integer(json_object_get(args, "limit")))
        limit = 20;
    if (limit < 1 || limit > MAX_PAGE)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "list_runs: limit must be between 1 and %d",
                           MAX_PAGE);
    rc = mcp_path_check(c->srv, json_string_value(json_object_get(
                                    args, "database_path")),
                        "database_path", real, d);
    if (!rc)
        rc = ld_store_list_runs(real, (int)limit, &runs, d);
    if (rc)
        return rc;
    while (json_array_size(runs) > 1 &&
           mcp_json_size(runs) > c->srv->opts.max_result_bytes)
        json_array_remove(runs, json_array_size(runs) - 1);
    *out = json_pack("{s:o}", "runs", runs);
    return *out ? 0 : LD_ENOMEM;
}

/* ---- fetch_run ---- */

typedef struct page {
    json_int_t offset, limit, total;
    bool with_summary;
} page_t;

/* The run's summary and record count, from every record. */
static int run_summary(const char *db, int64_t id, json_t **sum,
                       json_int_t *count, size_t budget, ld_diag_t *d)
{
    ld_records_t *r = ld_records_new();
    json_t *full;
    int rc;

    if (!r)
        return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    rc = ld_store_load_records(db, id, r, d);
    if (!rc) {
        *count = (json_int_t)ld_records_count(r);
        full = ld_summary_build(r);
        *sum = full ? mcp_summary_trim(full, 20, budget) : NULL;
        json_decref(full);
        if (!*sum)
            rc = ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    }
    ld_records_free(r);
    return rc;
}

static json_t *page_result(json_t *run, json_t *recs, const page_t *p,
                           json_t *sum, size_t budget)
{
    json_int_t next;
    json_t *o;

    while (json_array_size(recs) > 1 && mcp_json_size(recs) > budget)
        json_array_remove(recs, json_array_size(recs) - 1);
    next = p->offset + (json_int_t)json_array_size(recs);
    o = json_pack("{s:o,s:o,s:I,s:I,s:I,s:I,s:o}", "run", run, "records",
                  recs, "offset", p->offset, "limit", p->limit, "returned",
                  (json_int_t)json_array_size(recs), "total", p->total,
                  "next_offset",
                  next < p->total ? json_integer(next) : json_null());
    if (o && sum)
        json_object_set_new(o, "summary", sum);
    else
        json_decref(sum);
    return o;
}

static int read_page(const json_t *args, page_t *p, ld_diag_t *d)
{
    const json_t *off = json_object_get(args, "offset");
    const json_t *lim = json_object_get(args, "limit");
    const json_t *ws = json_object_get(args, "include_summary");

    p->offset = json_is_integer(off) ? json_integer_value(off) : 0;
    p->limit = json_is_integer(lim) ? json_integer_value(lim) : 100;
    p->with_summary = !json_is_false(ws);
    p->total = 0;
    if (p->offset < 0)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "fetch_run: offset must be >= 0");
    if (p->limit < 1 || p->limit > MAX_PAGE)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "fetch_run: limit must be between 1 and %d (page "
                           "with offset / next_offset)",
                           MAX_PAGE);
    return 0;
}

int mcp_tool_fetch_run(mcp_call_t *c, const json_t *args, json_t **out,
                       ld_diag_t *d)
{
    size_t budget = c->srv->opts.max_result_bytes;
    int64_t id = json_integer_value(json_object_get(args, "run_id"));
    json_t *run = NULL, *recs = NULL, *sum = NULL, *tot;
    char real[PATH_MAX];
    page_t p;
    int rc;

    if ((rc = read_page(args, &p, d)) ||
        (rc = mcp_path_check(c->srv, json_string_value(json_object_get(
                                         args, "database_path")),
                             "database_path", real, d)) ||
        (rc = ld_store_get_run(real, id, &run, d)))
        return rc;
    tot = json_object_get(run, "total");
    p.total = json_is_integer(tot) ? json_integer_value(tot) : -1;
    if ((p.with_summary && p.total <= SUMMARY_MAX_RECORDS) || p.total < 0)
        rc = run_summary(real, id, &sum, &p.total, budget / 3, d);
    if (!rc)
        rc = ld_store_fetch_records(real, id, p.offset, p.limit, &recs, d);
    if (rc) {
        json_decref(run);
        json_decref(sum);
        return rc;
    }
    if (!p.with_summary) {
        json_decref(sum);
        sum = NULL;
    }
    *out = page_result(run, recs, &p, sum,
                       budget - (sum ? mcp_json_size(sum) : 0) - 512);
    return *out ? 0 : LD_ENOMEM;
}
