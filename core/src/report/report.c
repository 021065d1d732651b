/*
 * ld_report_write: file names per kind, the empty-store policy, and the
 * all-or-nothing write of the one or two files of a report (every file is
 * written under a temporary name and renamed only when all of them are
 * complete).
 */
#include "report/report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILES 2

static const char *const kind_names[] = {
    [LD_REPORT_HTML] = "html",   [LD_REPORT_JSON] = "json",
    [LD_REPORT_XML] = "xml",     [LD_REPORT_CSV] = "csv",
    [LD_REPORT_JUNIT] = "junit", [LD_REPORT_SUMMARY] = "summary",
    [LD_REPORT_CHART] = "chart",
};
#define NKINDS (sizeof(kind_names) / sizeof(kind_names[0]))

int ld_report_kind_parse(const char *name)
{
    for (size_t i = 0; name && i < NKINDS; i++)
        if (!strcmp(name, kind_names[i]))
            return (int)i;
    return -1;
}

const char *ld_report_kind_name(ld_report_kind_t kind)
{
    return (unsigned)kind < NKINDS ? kind_names[kind] : "unknown";
}

/* ---- bodies: write file number `part` of a report ---- */

typedef int (*body_fn)(FILE *f, const ld_records_t *r, int part,
                       const void *arg, ld_diag_t *d);

static int body_html(FILE *f, const ld_records_t *r, int part,
                     const void *arg, ld_diag_t *d)
{
    return ld__html_write(f, r, d);
}

static int body_json(FILE *f, const ld_records_t *r, int part,
                     const void *arg, ld_diag_t *d)
{
    return ld__json_records(f, r, part == 1);
}

static int body_xml(FILE *f, const ld_records_t *r, int part,
                    const void *arg, ld_diag_t *d)
{
    ld__xml_records(f, r, part == 1);
    return 0;
}

static int body_csv(FILE *f, const ld_records_t *r, int part,
                    const void *arg, ld_diag_t *d)
{
    ld__csv_records(f, r);
    return 0;
}

static int body_junit(FILE *f, const ld_records_t *r, int part,
                      const void *arg, ld_diag_t *d)
{
    return ld__junit_write(f, r);
}

static int body_summary(FILE *f, const ld_records_t *r, int part,
                        const void *arg, ld_diag_t *d)
{
    json_t *sum = ld_summary_build(r);
    int rc = 0;

    if (!sum)
        return LD_ENOMEM;
    if (json_dumpf(sum, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)))
        rc = LD_ENOMEM;
    fputc('\n', f);
    json_decref(sum);
    return rc;
}

static int body_chart(FILE *f, const ld_records_t *r, int part,
                      const void *arg, ld_diag_t *d)
{
    if (part == 0)
        ld__svg_latency(f, arg, true);
    else
        ld__svg_rps(f, arg, true);
    return 0;
}

/* ---- writing one or two files together ---- */

typedef struct spec {
    const char *suffix[MAX_FILES];
    size_t n;
    body_fn body;
    bool need_records;
    const char *what;      /* for the empty-store message */
} spec_t;

static const spec_t specs[] = {
    [LD_REPORT_HTML] = {{".html"}, 1, body_html, true, "an HTML report"},
    [LD_REPORT_JSON] = {{"_success.json", "_failure.json"}, 2, body_json,
                        true, "a JSON report"},
    [LD_REPORT_XML] = {{"_success.xml", "_failure.xml"}, 2, body_xml, true,
                       "an XML report"},
    [LD_REPORT_CSV] = {{".csv"}, 1, body_csv, false, NULL},
    [LD_REPORT_JUNIT] = {{".xml"}, 1, body_junit, false, NULL},
    [LD_REPORT_SUMMARY] = {{".json"}, 1, body_summary, false, NULL},
    [LD_REPORT_CHART] = {{"-latency.svg", "-rps.svg"}, 2, body_chart, true,
                         "charts"},
};

static char *path_of(const char *base, const char *suffix)
{
    size_t a = strlen(base);
    size_t b = strlen(suffix);
    char *p = malloc(a + b + 1);

    if (p) {
        memcpy(p, base, a);
        memcpy(p + a, suffix, b + 1);
    }
    return p;
}

static void abort_all(ld__rfile_t *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ld__rfile_abort(&w[i]);
}

static int open_and_write(const spec_t *s, const ld_records_t *r,
                          const char *base, const void *arg, ld__rfile_t *w,
                          ld_diag_t *d)
{
    int rc = 0;

    for (size_t i = 0; i < s->n && !rc; i++) {
        char *p = path_of(base, s->suffix[i]);
        rc = p ? ld__rfile_open(&w[i], p, d) : LD_ENOMEM;
        free(p);
        if (!rc)
            rc = s->body(w[i].f, r, (int)i, arg, d);
    }
    for (size_t i = 0; i < s->n && !rc; i++)
        rc = ld__rfile_close(&w[i], d);
    return rc;
}

static int write_spec(const spec_t *s, const ld_records_t *r,
                      const char *base, const void *arg, json_t *paths,
                      ld_diag_t *d)
{
    ld__rfile_t w[MAX_FILES];
    int rc = 0;

    memset(w, 0, sizeof(w));
    rc = open_and_write(s, r, base, arg, w, d);
    for (size_t i = 0; i < s->n && !rc; i++) {
        if (json_array_append_new(paths, ld__json_str(w[i].path)))
            rc = LD_ENOMEM;
        else
            rc = ld__rfile_rename(&w[i], d);
    }
    abort_all(w, MAX_FILES);
    return rc;
}

static int check_args(const ld_records_t *recs, const char *base,
                      ld_diag_t *d)
{
    if (!recs)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL, "no record store");
    if (!base || !*base)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "empty report name");
    return 0;
}

static int empty_store(const spec_t *s, ld_diag_t *d)
{
    return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                       "no test records: run a test before generating %s",
                       s->what);
}

int ld_report_write(ld_report_kind_t kind, const ld_records_t *recs,
                    const char *base, json_t **paths, ld_diag_t *d)
{
    const spec_t *s = NULL;
    int rc = 0;

    *paths = NULL;
    if ((unsigned)kind >= NKINDS)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "unknown report kind %d", (int)kind);
    if (kind == LD_REPORT_CHART)
        return ld_report_write_charts(recs, base, 1.0, 10000, paths, d);
    s = &specs[kind];
    rc = check_args(recs, base, d);
    if (!rc && s->need_records && !ld_records_count(recs))
        rc = empty_store(s, d);
    if (rc)
        return rc;
    *paths = json_array();
    if (!*paths)
        return LD_ENOMEM;
    rc = write_spec(s, recs, base, NULL, *paths, d);
    if (rc) {
        json_decref(*paths);
        *paths = NULL;
    }
    return rc;
}

int ld_report_write_charts(const ld_records_t *recs, const char *base,
                           double bucket_s, size_t max_buckets,
                           json_t **paths, ld_diag_t *d)
{
    const spec_t *s = &specs[LD_REPORT_CHART];
    ld__tseries_t t;
    int rc = check_args(recs, base, d);

    *paths = NULL;
    if (!rc && !(isfinite(bucket_s) && bucket_s >= 0.001))
        rc = ld_diag_set(d, LD_EINVAL, NULL, NULL,
                         "bucket_size_seconds must be at least 0.001, "
                         "got %g", bucket_s);
    if (!rc && (max_buckets < 1 || max_buckets > 1000000))
        rc = ld_diag_set(d, LD_EINVAL, NULL, NULL,
                         "max_buckets must be between 1 and 1000000, "
                         "got %zu", max_buckets);
    if (!rc && !ld_records_count(recs))
        rc = empty_store(s, d);
    if (rc)
        return rc;
    rc = ld__tseries_build(recs, (uint64_t)(bucket_s * 1e9), max_buckets,
                           &t);
    if (rc)
        return rc;
    *paths = json_array();
    rc = *paths ? write_spec(s, recs, base, &t, *paths, d) : LD_ENOMEM;
    ld__tseries_free(&t);
    if (rc) {
        json_decref(*paths);
        *paths = NULL;
    }
    return rc;
}
