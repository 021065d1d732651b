/*
 * csv.c - a Locust master's `<prefix>_stats.csv` read back into a summary
 * of ld_summary_build's shape, so an action file in master mode gets a
 * result SLA rules and reports understand. Locust computes it from every
 * request (failures included) and its percentiles are bucket values.
 */
#include <stdlib.h>
#include <string.h>

#include "cluster/cluster_int.h"

#define MAX_COLS 40

typedef struct row {
    char *f[MAX_COLS];
    size_t n;
} row_t;

/* One CSV record (RFC 4180 quoting, as Python's csv module writes) from
   *p; fields point into buf, which is modified in place. */
static bool next_row(char **p, row_t *r)
{
    char *s = *p, *out;
    r->n = 0;
    if (!*s)
        return false;
    for (;;) {
        char *field = s;
        out = s;
        if (*s == '"') {
            s++;
            for (;;) {
                if (!*s)
                    break;
                if (*s == '"' && s[1] == '"') {
                    *out++ = '"';
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    *out++ = *s++;
                }
            }
        }
        while (*s && *s != ',' && *s != '\n' && *s != '\r')
            *out++ = *s++;
        if (r->n < MAX_COLS)
            r->f[r->n++] = field;
        if (*s == ',') {
            *out = '\0';
            s++;
            continue;
        }
        if (*s == '\r')
            *s++ = '\0';
        if (*s == '\n')
            *s++ = '\0';
        *out = '\0';
        break;
    }
    *p = s;
    return true;
}

static int col(const row_t *head, const char *name)
{
    for (size_t i = 0; i < head->n; i++)
        if (!strcmp(head->f[i], name))
            return (int)i;
    return -1;
}

static double num(const row_t *r, const row_t *head, const char *name)
{
    int i = col(head, name);
    char *end;
    double v;
    if (i < 0 || (size_t)i >= r->n)
        return 0;
    v = strtod(r->f[i], &end);
    return end == r->f[i] ? 0 : v;
}

static json_t *latency(const row_t *r, const row_t *h)
{
    return json_pack(
        "{s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:f}", "count",
        num(r, h, "Request Count"), "p50_ms", num(r, h, "50%"), "p90_ms",
        num(r, h, "90%"), "p95_ms", num(r, h, "95%"), "p99_ms",
        num(r, h, "99%"), "max_ms", num(r, h, "Max Response Time"), "min_ms",
        num(r, h, "Min Response Time"), "mean_ms",
        num(r, h, "Average Response Time"), "p99_9_ms", num(r, h, "99.9%"));
}

static json_t *name_entry(const row_t *r, const row_t *h)
{
    double req = num(r, h, "Request Count"), fail = num(r, h, "Failure Count");
    json_t *e = latency(r, h);
    int t = col(h, "Type");
    if (!e)
        return NULL;
    json_object_set_new(e, "requests", json_integer((json_int_t)req));
    json_object_set_new(e, "failures", json_integer((json_int_t)fail));
    json_object_set_new(e, "failure_rate", json_real(req > 0 ? fail / req : 0));
    json_object_set_new(e, "requests_per_second",
                        json_real(num(r, h, "Requests/s")));
    json_object_set_new(e, "method",
                        json_string(t >= 0 && (size_t)t < r->n ? r->f[t] : ""));
    return e;
}

static json_t *totals(const row_t *r, const row_t *h)
{
    double req = num(r, h, "Request Count"), fail = num(r, h, "Failure Count");
    return json_pack("{s:I,s:I,s:I,s:f,s:f}", "requests", (json_int_t)req,
                     "successes", (json_int_t)(req - fail), "failures",
                     (json_int_t)fail, "failure_rate", req > 0 ? fail / req : 0,
                     "requests_per_second", num(r, h, "Requests/s"));
}

static int add_row(json_t *sum, json_t *per, const row_t *r, const row_t *h)
{
    int ni = col(h, "Name"), ti = col(h, "Type");
    const char *name = ni >= 0 && (size_t)ni < r->n ? r->f[ni] : "";
    char key[1024];
    if (!strcmp(name, "Aggregated") &&
        (ti < 0 || (size_t)ti >= r->n || !r->f[ti][0])) {
        json_object_set_new(sum, "totals", totals(r, h));
        json_object_set_new(sum, "latency_overall", latency(r, h));
        return 0;
    }
    snprintf(key, sizeof(key), "%s", name);
    if (json_object_get(per, key) && ti >= 0 && (size_t)ti < r->n)
        snprintf(key, sizeof(key), "%s %s", r->f[ti], name);
    return json_object_set_new(per, key, name_entry(r, h)) ? LD_ENOMEM : 0;
}

json_t *ld_cluster_summary_from_csv(const char *path, ld_diag_t *d)
{
    char *text = NULL, *p;
    size_t len = 0;
    row_t head, r;
    json_t *sum = NULL, *per;
    if (ld_read_file(path, &text, &len, d))
        return NULL;
    p = text;
    if (!next_row(&p, &head) || col(&head, "Request Count") < 0) {
        ld_diag_set(d, LD_ESYNTAX, path, NULL,
                    "not a Locust statistics file (no \"Request Count\")");
        free(text);
        return NULL;
    }
    sum = json_object();
    per = json_object();
    if (!sum || !per || json_object_set_new(sum, "per_name", per)) {
        json_decref(sum);
        free(text);
        ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
        return NULL;
    }
    while (next_row(&p, &r))
        if (r.n > 1 && add_row(sum, per, &r, &head)) {
            json_decref(sum);
            sum = NULL;
            ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
            break;
        }
    free(text);
    return sum;
}
