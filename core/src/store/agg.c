/*
 * agg.c - per-name aggregates of a run (requests, failures, and latency
 * figures of the successful requests), computed while records are written
 * and kept in ld_run_names so that a diff never has to reload millions of
 * records.
 *
 * A name is the record's name, else its URL, else "unknown" (as the summary
 * and the Python diff). Latencies of a name are kept as raw values until
 * AGG_SMALL of them, then folded into an HDR histogram (13 KiB), so many
 * rarely used names stay cheap and busy ones stay bounded. Mean and standard
 * deviation come from Welford's running update (exact, no overflow).
 */
#include "store/store_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define AGG_SMALL 2048u

struct ld__agg_ent {
    uint64_t requests;
    uint64_t failures;
    uint64_t ok;
    double mean_us;
    double m2;
    uint32_t min_us;
    uint32_t max_us;
    uint32_t *vals;      /* until AGG_SMALL successes */
    uint32_t nvals;
    uint32_t capvals;
    ld_hist_t hist;      /* counts != NULL once large */
};

int ld__agg_init(ld__agg_t *a)
{
    memset(a, 0, sizeof(*a));
    a->names = ld_records_new();
    return a->names ? 0 : LD_ENOMEM;
}

void ld__agg_free(ld__agg_t *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->ents[i].vals);
        ld_hist_close(&a->ents[i].hist);
    }
    free(a->ents);
    ld_records_free(a->names);
    memset(a, 0, sizeof(*a));
}

/* ---- folding records in ---- */

static int to_hist(ld__agg_ent_t *e)
{
    if (ld_hist_init(&e->hist))
        return LD_ENOMEM;
    for (uint32_t i = 0; i < e->nvals; i++)
        ld_hist_record(&e->hist, e->vals[i]);
    free(e->vals);
    e->vals = NULL;
    e->nvals = e->capvals = 0;
    return 0;
}

static int add_ok(ld__agg_ent_t *e, uint32_t us)
{
    double delta = (double)us - e->mean_us;

    e->ok++;
    e->mean_us += delta / (double)e->ok;
    e->m2 += delta * ((double)us - e->mean_us);
    if (e->ok == 1 || us < e->min_us)
        e->min_us = us;
    if (us > e->max_us)
        e->max_us = us;
    if (!e->hist.counts && e->nvals == AGG_SMALL && to_hist(e))
        return LD_ENOMEM;
    if (e->hist.counts) {
        ld_hist_record(&e->hist, us);
        return 0;
    }
    if (e->nvals == e->capvals) {
        uint32_t cap = e->capvals ? e->capvals * 2 : 16;
        uint32_t *v = realloc(e->vals, cap * sizeof(*v));
        if (!v)
            return LD_ENOMEM;
        e->vals = v;
        e->capvals = cap;
    }
    e->vals[e->nvals++] = us;
    return 0;
}

/* The entry of a name string; NULL with *rc = 0 when past the name cap. */
static ld__agg_ent_t *entry_for(ld__agg_t *a, const char *s, int *rc)
{
    uint32_t id = ld_records_intern(a->names, s, strlen(s));

    *rc = 0;
    if (!id) {
        *rc = LD_ENOMEM;
        return NULL;
    }
    if (id <= a->n)
        return &a->ents[id - 1];
    if (a->n >= LD__AGG_MAX_NAMES) {
        a->overflow = true;
        return NULL;
    }
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        ld__agg_ent_t *v = realloc(a->ents, cap * sizeof(*v));
        if (!v) {
            *rc = LD_ENOMEM;
            return NULL;
        }
        a->ents = v;
        a->cap = cap;
    }
    memset(&a->ents[a->n], 0, sizeof(a->ents[0]));
    return &a->ents[a->n++];
}

static uint32_t key_of(const ld_records_t *r, const ld_record_t *rec)
{
    if (rec->name_id && *ld_records_str(r, rec->name_id))
        return rec->name_id;
    if (rec->url_id && *ld_records_str(r, rec->url_id))
        return rec->url_id;
    return 0;
}

static void add_span(ld__agg_t *a, const ld_record_t *rec)
{
    uint64_t end = rec->start_ns + (uint64_t)rec->latency_us * 1000u;

    if (!a->any || rec->start_ns < a->first_ns)
        a->first_ns = rec->start_ns;
    if (!a->any || end > a->last_end_ns)
        a->last_end_ns = end;
    a->any = true;
}

/* cache[key] = entry index + 1 (per call: ids belong to r). */
static int add_one(ld__agg_t *a, const ld_records_t *r,
                   const ld_record_t *rec, uint32_t *cache)
{
    uint32_t key = key_of(r, rec);
    ld__agg_ent_t *e = NULL;
    int rc = 0;

    add_span(a, rec);
    if (!cache[key]) {
        e = entry_for(a, key ? ld_records_str(r, key) : "unknown", &rc);
        if (!e)
            return rc;
        cache[key] = (uint32_t)(e - a->ents) + 1;
    }
    e = &a->ents[cache[key] - 1];
    e->requests++;
    if (rec->error_id) {
        e->failures++;
        return 0;
    }
    return add_ok(e, rec->latency_us);
}

int ld__agg_add(ld__agg_t *a, const ld_records_t *r, size_t from, size_t to)
{
    uint32_t *cache = NULL;
    int rc = 0;

    if (a->overflow || from >= to)
        return 0;
    cache = calloc(ld_records_nstrings(r) + 1, sizeof(*cache));
    if (!cache)
        return LD_ENOMEM;
    for (size_t i = from; !rc && !a->overflow && i < to; i++)
        rc = add_one(a, r, ld_records_at(r, i), cache);
    free(cache);
    return rc;
}

/* ---- final figures ---- */

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

    return (a > b) - (a < b);
}

static int cmp_stats(const void *x, const void *y)
{
    return strcmp(((const ld__name_stats_t *)x)->name,
                  ((const ld__name_stats_t *)y)->name);
}

/* Nearest rank of q (0..100) among n sorted values. */
static size_t rank_of(size_t n, double q)
{
    double r = ceil(q * (double)n / 100.0 - 1e-9);

    if (r < 1)
        return 1;
    return r > (double)n ? n : (size_t)r;
}

static int percentiles(const ld__agg_ent_t *e, double out_ms[4])
{
    static const double qs[4] = {50, 90, 95, 99};
    uint32_t *v = NULL;

    if (!e->ok)
        return 0;
    if (e->hist.counts) {
        for (int i = 0; i < 4; i++)
            out_ms[i] = (double)ld_hist_percentile(&e->hist, qs[i]) / 1000.0;
        return 0;
    }
    v = malloc(e->nvals * sizeof(*v));
    if (!v)
        return LD_ENOMEM;
    memcpy(v, e->vals, e->nvals * sizeof(*v));
    qsort(v, e->nvals, sizeof(*v), cmp_u32);
    for (int i = 0; i < 4; i++)
        out_ms[i] = (double)v[rank_of(e->nvals, qs[i]) - 1] / 1000.0;
    free(v);
    return 0;
}

static int fill(const ld__agg_t *a, size_t i, double dur,
                ld__name_stats_t *s)
{
    const ld__agg_ent_t *e = &a->ents[i];
    double p[4] = {0, 0, 0, 0};
    int rc = percentiles(e, p);

    if (rc)
        return rc;
    s->name = ld_strdup(ld_records_str(a->names, (uint32_t)i + 1));
    if (!s->name)
        return LD_ENOMEM;
    s->requests = (double)e->requests;
    s->failures = (double)e->failures;
    s->successes = (double)e->ok;
    s->mean_ms = e->mean_us / 1000.0;
    s->stddev_ms = e->ok > 1 && e->m2 > 0
                       ? sqrt(e->m2 / (double)(e->ok - 1)) / 1000.0
                       : 0.0;
    s->min_ms = (double)e->min_us / 1000.0;
    s->max_ms = (double)e->max_us / 1000.0;
    s->p50_ms = p[0];
    s->p90_ms = p[1];
    s->p95_ms = p[2];
    s->p99_ms = p[3];
    s->duration_s = dur;
    return 0;
}

int ld__agg_stats(const ld__agg_t *a, ld__run_stats_t *out)
{
    double dur = a->any ? (double)(a->last_end_ns - a->first_ns) / 1e9 : 0;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (!a->n)
        return 0;
    out->v = calloc(a->n, sizeof(*out->v));
    if (!out->v)
        return LD_ENOMEM;
    out->n = a->n;
    for (size_t i = 0; !rc && i < a->n; i++)
        rc = fill(a, i, dur, &out->v[i]);
    if (rc) {
        ld__run_stats_free(out);
        return rc;
    }
    qsort(out->v, out->n, sizeof(*out->v), cmp_stats);
    return 0;
}

void ld__run_stats_free(ld__run_stats_t *s)
{
    for (size_t i = 0; s->v && i < s->n; i++)
        free(s->v[i].name);
    free(s->v);
    memset(s, 0, sizeof(*s));
}

const ld__name_stats_t *ld__run_stats_find(const ld__run_stats_t *s,
                                           const char *name)
{
    ld__name_stats_t key;

    memset(&key, 0, sizeof(key));
    key.name = (char *)(uintptr_t)name;
    if (!s->n)
        return NULL;
    return bsearch(&key, s->v, s->n, sizeof(key), cmp_stats);
}

int ld__stats_of_records(const ld_records_t *r, ld__run_stats_t *out)
{
    ld__agg_t a;
    int rc = ld__agg_init(&a);

    memset(out, 0, sizeof(*out));
    if (!rc)
        rc = ld__agg_add(&a, r, 0, ld_records_count(r));
    if (!rc)
        rc = ld__agg_stats(&a, out);
    ld__agg_free(&a);
    return rc;
}

/* ---- ld_run_names ---- */

static const char save_sql[] =
    "INSERT OR REPLACE INTO ld_run_names (run_id, name, requests, failures,"
    " successes, mean_ms, stddev_ms, min_ms, p50_ms, p90_ms, p95_ms, p99_ms,"
    " max_ms, duration_s) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
    "?13,?14)";

static int save_one(sqlite3_stmt *st, const ld__name_stats_t *s)
{
    const double f[] = {s->mean_ms, s->stddev_ms, s->min_ms, s->p50_ms,
                        s->p90_ms, s->p95_ms, s->p99_ms, s->max_ms,
                        s->duration_s};
    int src;

    sqlite3_bind_text(st, 2, s->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)s->requests);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)s->failures);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)s->successes);
    for (int i = 0; i < 9; i++)
        sqlite3_bind_double(st, 6 + i, f[i]);
    src = sqlite3_step(st);
    sqlite3_reset(st);
    return src;
}

int ld__stats_save(sqlite3 *db, const char *path, int64_t run_id,
                   const ld__run_stats_t *s, ld_diag_t *d)
{
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(db, save_sql, -1, &st, NULL);

    if (src == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, run_id);
        src = SQLITE_DONE;
        for (size_t i = 0; src == SQLITE_DONE && i < s->n; i++)
            src = save_one(st, &s->v[i]);
    }
    sqlite3_finalize(st);
    return src == SQLITE_DONE
               ? 0
               : ld__db_fail(db, src, path, "cannot write the aggregates", d);
}

static int load_row(sqlite3_stmt *st, ld__name_stats_t *s)
{
    double *f[] = {&s->requests, &s->failures, &s->successes, &s->mean_ms,
                   &s->stddev_ms, &s->min_ms, &s->p50_ms, &s->p90_ms,
                   &s->p95_ms, &s->p99_ms, &s->max_ms, &s->duration_s};
    const unsigned char *name = sqlite3_column_text(st, 0);

    s->name = ld_strdup(name ? (const char *)name : "");
    if (!s->name)
        return LD_ENOMEM;
    for (int i = 0; i < 12; i++)
        *f[i] = sqlite3_column_double(st, 1 + i);
    return 0;
}

static int grow(ld__run_stats_t *s, size_t *cap)
{
    ld__name_stats_t *v;
    size_t c = *cap ? *cap * 2 : 16;

    if (s->n < *cap)
        return 0;
    v = realloc(s->v, c * sizeof(*v));
    if (!v)
        return LD_ENOMEM;
    s->v = v;
    *cap = c;
    return 0;
}

int ld__stats_load(sqlite3 *db, const char *path, int64_t run_id,
                   ld__run_stats_t *s, bool *found, ld_diag_t *d)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int rc = 0, src;

    memset(s, 0, sizeof(*s));
    *found = false;
    if (!ld__db_has_table(db, "ld_run_names"))
        return 0;
    src = sqlite3_prepare_v2(db,
                             "SELECT name, requests, failures, successes, "
                             "mean_ms, stddev_ms, min_ms, p50_ms, p90_ms, "
                             "p95_ms, p99_ms, max_ms, duration_s FROM "
                             "ld_run_names WHERE run_id=?1",
                             -1, &st, NULL);
    if (src)
        return ld__db_fail(db, src, path, "cannot read the aggregates", d);
    sqlite3_bind_int64(st, 1, run_id);
    while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
        rc = grow(s, &cap);
        if (!rc)
            rc = load_row(st, &s->v[s->n]);
        if (!rc)
            s->n++;
    }
    if (!rc && src != SQLITE_DONE)
        rc = ld__db_fail(db, src, path, "cannot read the aggregates", d);
    sqlite3_finalize(st);
    if (rc) {
        ld__run_stats_free(s);
        return rc;
    }
    *found = s->n > 0;
    if (s->n)
        qsort(s->v, s->n, sizeof(*s->v), cmp_stats);
    return 0;
}
