/*
 * The HTML report: one self-contained file (inline CSS and SVG, no script,
 * no external resource) made of aggregates only, so its size does not grow
 * with the number of requests: totals, latency and throughput charts, one
 * row per request name (at most MAX_NAME_ROWS) and the most frequent
 * failure groups (at most MAX_FAIL_ROWS). The per-request data belongs in
 * the CSV, JSON and XML reports.
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#define MAX_NAME_ROWS 500
#define MAX_FAIL_ROWS 100
#define NAME_BYTES 300     /* longer names and messages are cut */
#define MSG_BYTES 600
/* Colour thresholds (documented in docs/internals/REPORTS.md). */
#define LAT_WARN_MS 500.0
#define LAT_BAD_MS 1000.0
#define FAIL_BAD_RATE 0.05

static const char css[] =
    "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;"
    "margin:24px;color:#222;background:#fafafa}"
    "h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.2em;margin:28px 0 8px}"
    ".meta{color:#666;margin:0 0 16px}"
    ".cards{display:flex;flex-wrap:wrap;gap:10px}"
    ".card{background:#fff;border:1px solid #ddd;border-radius:6px;"
    "padding:8px 14px;min-width:110px}"
    ".card b{display:block;font-size:1.3em}"
    ".card span{color:#666;font-size:.85em}"
    "table{border-collapse:collapse;background:#fff;font-size:.9em}"
    "th,td{border:1px solid #ddd;padding:4px 8px;text-align:right}"
    "th{background:#f0f0f0}td.t{text-align:left;max-width:40em;"
    "overflow-wrap:anywhere}"
    ".ok{background:#e6f4ea}.warn{background:#fff4d6}.bad{background:#fde2e1}"
    "svg.chart{max-width:100%;height:auto;border:1px solid #ddd;"
    "margin:0 10px 10px 0}"
    ".note{color:#666;font-size:.85em}";

/* ---- small formatters ---- */

static double num(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

static const char *lat_class(double ms, bool any)
{
    if (!any)
        return "";
    return ms >= LAT_BAD_MS ? "bad" : ms >= LAT_WARN_MS ? "warn" : "ok";
}

static const char *fail_class(double rate)
{
    return rate >= FAIL_BAD_RATE ? "bad" : rate > 0.0 ? "warn" : "ok";
}

static void card(FILE *f, const char *cls, const char *label,
                 const char *fmt, double v)
{
    fprintf(f, "<div class=\"card %s\"><span>%s</span><b>", cls, label);
    fprintf(f, fmt, v);
    fputs("</b></div>\n", f);
}

/* ---- sections ---- */

static void write_head(FILE *f)
{
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
               "<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, "
               "initial-scale=1\">\n<title>LoadDensity report</title>\n"
               "<style>%s</style>\n</head>\n<body>\n", css);
}

static void write_title(FILE *f, const ld__tseries_t *t, size_t n)
{
    char when[40];
    char first[40];

    ld_utc_iso8601(when, sizeof(when), ld_unix_ms());
    ld_utc_iso8601(first, sizeof(first), (int64_t)(t->t0_ns / 1000000u));
    fprintf(f, "<h1>LoadDensity report</h1>\n<p class=\"meta\">%zu "
               "requests from %s; generated %s by LoadDensity %s.</p>\n",
            n, first, when, LD_VERSION);
}

static void write_cards(FILE *f, const json_t *sum)
{
    const json_t *tot = json_object_get(sum, "totals");
    const json_t *lat = json_object_get(sum, "latency_overall");
    double rate = num(tot, "failure_rate");
    bool any = num(tot, "requests") > 0;

    fputs("<h2>Summary</h2>\n<div class=\"cards\">\n", f);
    card(f, "", "requests", "%.0f", num(tot, "requests"));
    card(f, fail_class(rate), "failures", "%.0f", num(tot, "failures"));
    card(f, fail_class(rate), "failure rate", "%.2f %%", rate * 100.0);
    card(f, "", "duration", "%.1f s", num(tot, "duration_s"));
    card(f, "", "throughput", "%.1f req/s", num(tot, "requests_per_second"));
    card(f, "", "mean", "%.2f ms", num(lat, "mean_ms"));
    card(f, lat_class(num(lat, "p50_ms"), any), "p50", "%.2f ms",
         num(lat, "p50_ms"));
    card(f, lat_class(num(lat, "p95_ms"), any), "p95", "%.2f ms",
         num(lat, "p95_ms"));
    card(f, lat_class(num(lat, "p99_ms"), any), "p99", "%.2f ms",
         num(lat, "p99_ms"));
    card(f, lat_class(num(lat, "max_ms"), any), "max", "%.2f ms",
         num(lat, "max_ms"));
    fputs("</div>\n<p class=\"note\">Latency over every request, failures "
          "included; percentiles at histogram precision (under 1 %).</p>\n",
          f);
}

static void write_charts(FILE *f, const ld__tseries_t *t)
{
    fputs("<h2>Over time</h2>\n<div>\n", f);
    ld__svg_latency(f, t, false);
    ld__svg_rps(f, t, false);
    fputs("</div>\n", f);
}

/* ---- per-name table ---- */

typedef struct row {
    const char *name;
    const json_t *v;
} row_t;

static int cmp_row(const void *a, const void *b)
{
    const row_t *x = a;
    const row_t *y = b;
    double rx = num(x->v, "requests");
    double ry = num(y->v, "requests");

    if (rx != ry)
        return rx > ry ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void name_row(FILE *f, const row_t *r)
{
    static const char *const pk[] = {"p50_ms", "p90_ms", "p95_ms", "p99_ms",
                                     "max_ms"};
    double rate = num(r->v, "failure_rate");
    bool any = num(r->v, "count") > 0;

    fputs("<tr><td class=\"t\">", f);
    ld__put_html(f, r->name, NAME_BYTES);
    fprintf(f, "</td><td>%.0f</td><td class=\"%s\">%.0f</td>"
               "<td class=\"%s\">%.2f %%</td><td>%.2f</td>",
            num(r->v, "requests"), fail_class(rate), num(r->v, "failures"),
            fail_class(rate), rate * 100.0, num(r->v, "requests_per_second"));
    for (size_t i = 0; i < sizeof(pk) / sizeof(pk[0]); i++) {
        double v = num(r->v, pk[i]);
        if (any)
            fprintf(f, "<td class=\"%s\">%.2f</td>", lat_class(v, true), v);
        else
            fputs("<td>-</td>", f);
    }
    fputs("</tr>\n", f);
}

static int write_names(FILE *f, const json_t *sum)
{
    const json_t *per = json_object_get(sum, "per_name");
    size_t n = json_object_size(per);
    row_t *rows = malloc((n ? n : 1) * sizeof(*rows));
    const char *k = NULL;
    const json_t *v = NULL;
    size_t i = 0;

    if (!rows)
        return LD_ENOMEM;
    json_object_foreach((json_t *)(uintptr_t)per, k, v)
        rows[i++] = (row_t){k, v};
    qsort(rows, n, sizeof(*rows), cmp_row);
    fputs("<h2>Requests by name</h2>\n<table>\n<tr><th>name</th>"
          "<th>requests</th><th>failures</th><th>failure rate</th>"
          "<th>req/s</th><th>p50 ms</th><th>p90 ms</th><th>p95 ms</th>"
          "<th>p99 ms</th><th>max ms</th></tr>\n", f);
    for (i = 0; i < n && i < MAX_NAME_ROWS; i++)
        name_row(f, &rows[i]);
    fputs("</table>\n", f);
    if (n > MAX_NAME_ROWS)
        fprintf(f, "<p class=\"note\">%zu more names not shown (see the CSV "
                   "or JSON report).</p>\n", n - MAX_NAME_ROWS);
    fputs("<p class=\"note\">Latency columns cover the successful requests "
          "of each name. Colours: failure rate 0 green, above 0 amber, "
          "5 % or more red; latency under 500 ms green, under 1000 ms "
          "amber, else red.</p>\n", f);
    free(rows);
    return 0;
}

/* ---- failures ---- */

static void failure_row(FILE *f, const ld_records_t *r, const ld__fgroup_t *g,
                        uint64_t total)
{
    fprintf(f, "<tr><td>%llu</td><td>%.1f %%</td><td class=\"t\">",
            (unsigned long long)g->count,
            total ? 100.0 * (double)g->count / (double)total : 0.0);
    ld__put_html(f, ld__name_text(r, g->name_key), NAME_BYTES);
    fputs("</td><td>", f);
    if (g->status)
        fprintf(f, "%u", (unsigned)g->status);
    else
        fputs("-", f);
    fputs("</td><td class=\"t\">", f);
    ld__put_html(f, ld_records_str(r, g->error_id), MSG_BYTES);
    fputs("</td></tr>\n", f);
}

static int write_failures(FILE *f, const ld_records_t *r)
{
    ld__fgroups_t g;
    uint64_t shown = 0;
    size_t i = 0;

    if (ld__fgroups_build(r, &g))
        return LD_ENOMEM;
    fputs("<h2>Top failures</h2>\n", f);
    if (!g.n)
        fputs("<p class=\"ok\">No failures.</p>\n", f);
    else
        fputs("<table>\n<tr><th>count</th><th>share</th><th>name</th>"
              "<th>status</th><th>message</th></tr>\n", f);
    for (i = 0; i < g.n && i < MAX_FAIL_ROWS; i++) {
        failure_row(f, r, &g.v[i], g.failures);
        shown += g.v[i].count;
    }
    if (g.n)
        fputs("</table>\n", f);
    if (g.n > MAX_FAIL_ROWS)
        fprintf(f, "<p class=\"note\">%zu more failure groups (%llu "
                   "failures) not shown.</p>\n", g.n - MAX_FAIL_ROWS,
                (unsigned long long)(g.failures - shown));
    ld__fgroups_free(&g);
    return 0;
}

/* ---- documents ---- */

static int overview(FILE *f, const ld_records_t *r, bool title)
{
    json_t *sum = ld_summary_build(r);
    ld__tseries_t t;
    int rc = 0;

    if (!sum)
        return LD_ENOMEM;
    rc = ld__tseries_build(r, 0, 1000, &t);
    if (!rc) {
        if (title)
            write_title(f, &t, ld_records_count(r));
        write_cards(f, sum);
        write_charts(f, &t);
        rc = write_names(f, sum);
        ld__tseries_free(&t);
    }
    json_decref(sum);
    return rc;
}

static int need_records(const ld_records_t *r, ld_diag_t *d)
{
    if (ld_records_count(r))
        return 0;
    return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                       "no test records: run a test before generating an "
                       "HTML report");
}

int ld__html_write(FILE *f, const ld_records_t *r, ld_diag_t *d)
{
    int rc = need_records(r, d);

    if (rc)
        return rc;
    write_head(f);
    rc = overview(f, r, true);
    if (!rc)
        rc = write_failures(f, r);
    fputs("</body>\n</html>\n", f);
    return rc;
}

int ld__html_fragments(FILE *ov, FILE *failures, const ld_records_t *r,
                       ld_diag_t *d)
{
    int rc = need_records(r, d);

    if (!rc)
        rc = overview(ov, r, false);
    if (!rc)
        rc = write_failures(failures, r);
    return rc;
}
