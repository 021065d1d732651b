/*
 * Aggregates the report formats share, computed in a few passes over the
 * record store without one allocation per record:
 * - failure groups: failures counted per (name, message) in an open-address
 *   table keyed by the two interned ids, then ranked;
 * - time buckets: records counted per start-time bucket, their latencies
 *   laid out bucket by bucket in one array (4 bytes per record) and each
 *   slice sorted for exact nearest-rank p50/p95.
 */
#include "report/report_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

uint32_t ld__name_key(const ld_records_t *r, const ld_record_t *rec)
{
    if (*ld_records_str(r, rec->name_id))
        return rec->name_id;
    if (*ld_records_str(r, rec->url_id))
        return rec->url_id;
    return 0;
}

const char *ld__name_text(const ld_records_t *r, uint32_t key)
{
    return key ? ld_records_str(r, key) : "unknown";
}

bool ld__msg_has_status(const char *msg, unsigned status)
{
    char prefix[16];
    size_t n = (size_t)snprintf(prefix, sizeof(prefix), "HTTP %u", status);

    return !strncmp(msg, prefix, n) && (msg[n] < '0' || msg[n] > '9');
}

size_t ld__rank_index(size_t n, double q)
{
    double x = ceil(q / 100.0 * (double)n - 1e-9);
    size_t rank = x < 1.0 ? 1 : (size_t)x;

    return (rank > n ? n : rank) - 1;
}

/* ---- failure groups ---- */

typedef struct ftab {
    ld__fgroup_t *v;   /* slots; count 0 = empty */
    size_t cap;        /* power of two */
    size_t n;
} ftab_t;

static size_t slot_of(uint32_t a, uint32_t b, size_t mask)
{
    uint64_t h = ((uint64_t)a << 32 | b) * 0x9E3779B97F4A7C15ull;

    return (size_t)(h >> 17) & mask;
}

static ld__fgroup_t *ftab_find(ftab_t *t, uint32_t name, uint32_t err)
{
    size_t mask = t->cap - 1;
    size_t i = slot_of(name, err, mask);

    while (t->v[i].count &&
           (t->v[i].name_key != name || t->v[i].error_id != err))
        i = (i + 1) & mask;
    return &t->v[i];
}

static int ftab_grow(ftab_t *t)
{
    ftab_t nt = {NULL, t->cap ? t->cap * 2 : 64, t->n};

    nt.v = calloc(nt.cap, sizeof(*nt.v));
    if (!nt.v)
        return LD_ENOMEM;
    for (size_t i = 0; i < t->cap; i++)
        if (t->v[i].count)
            *ftab_find(&nt, t->v[i].name_key, t->v[i].error_id) = t->v[i];
    free(t->v);
    *t = nt;
    return 0;
}

static int ftab_add(ftab_t *t, const ld_records_t *r, const ld_record_t *rec)
{
    uint32_t name = ld__name_key(r, rec);
    ld__fgroup_t *g = NULL;

    if ((t->n + 1) * 2 > t->cap && ftab_grow(t))
        return LD_ENOMEM;
    g = ftab_find(t, name, rec->error_id);
    if (!g->count) {
        g->name_key = name;
        g->error_id = rec->error_id;
        g->status = rec->status;
        g->method = rec->method;
        t->n++;
    }
    g->count++;
    return 0;
}

/* glibc qsort_r: the comparison gets the store to read names from. */
static int cmp_group(const void *a, const void *b, void *ctx)
{
    const ld_records_t *sort_recs = ctx;
    const ld__fgroup_t *x = a;
    const ld__fgroup_t *y = b;
    int c = 0;

    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    c = strcmp(ld__name_text(sort_recs, x->name_key),
               ld__name_text(sort_recs, y->name_key));
    if (c)
        return c;
    return strcmp(ld_records_str(sort_recs, x->error_id),
                  ld_records_str(sort_recs, y->error_id));
}

int ld__fgroups_build(const ld_records_t *r, ld__fgroups_t *out)
{
    ftab_t t = {NULL, 0, 0};
    const ld_record_t *rec = NULL;
    size_t it = 0;
    size_t k = 0;

    memset(out, 0, sizeof(*out));
    while ((rec = ld_records_next(r, &it))) {
        if (!rec->error_id)
            continue;
        if (ftab_add(&t, r, rec)) {
            free(t.v);
            return LD_ENOMEM;
        }
        out->failures++;
    }
    for (size_t i = 0; i < t.cap; i++)   /* compact in place */
        if (t.v[i].count)
            t.v[k++] = t.v[i];
    out->v = t.v;
    out->n = k;
    if (k > 1)
        qsort_r(out->v, k, sizeof(*out->v), cmp_group, (void *)(uintptr_t)r);
    return 0;
}

void ld__fgroups_free(ld__fgroups_t *g)
{
    free(g->v);
    memset(g, 0, sizeof(*g));
}

/* ---- time buckets ---- */

#define AUTO_BUCKETS 120u

/* The smallest 1-2-5 step (from 100 ms) giving at most AUTO_BUCKETS. */
static uint64_t auto_width(uint64_t span_ns)
{
    static const unsigned steps[] = {1, 2, 5};
    uint64_t scale = 100000000ull;   /* 100 ms */

    for (;;) {
        for (size_t i = 0; i < 3; i++) {
            uint64_t w = steps[i] * scale;
            if (span_ns / w < AUTO_BUCKETS)
                return w;
        }
        scale *= 10u;
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a;
    uint32_t y = *(const uint32_t *)b;

    return (x > y) - (x < y);
}

static void span_of(const ld_records_t *r, uint64_t *lo, uint64_t *hi)
{
    const ld_record_t *rec = NULL;
    size_t it = 0;

    *lo = UINT64_MAX;
    *hi = 0;
    while ((rec = ld_records_next(r, &it))) {
        if (rec->start_ns < *lo)
            *lo = rec->start_ns;
        if (rec->start_ns > *hi)
            *hi = rec->start_ns;
    }
}

/* Fill each bucket's slice of vals with its latencies, then sort it. */
static int fill_buckets(const ld_records_t *r, ld__tseries_t *t)
{
    size_t *off = calloc(t->n + 1, sizeof(*off));
    uint32_t *vals = malloc((ld_records_count(r) + 1) * sizeof(*vals));
    const ld_record_t *rec = NULL;
    size_t it = 0;

    if (!off || !vals) {
        free(off);
        free(vals);
        return LD_ENOMEM;
    }
    for (size_t i = 0; i < t->n; i++)
        off[i + 1] = off[i] + t->b[i].count;
    while ((rec = ld_records_next(r, &it))) {
        size_t i = (size_t)((rec->start_ns - t->t0_ns) / t->width_ns);
        vals[off[i]++] = rec->latency_us;
    }
    for (size_t i = 0, start = 0; i < t->n; start = off[i], i++) {
        size_t n = (size_t)t->b[i].count;
        uint32_t *v = vals + start;
        if (!n)
            continue;
        qsort(v, n, sizeof(*v), cmp_u32);
        t->b[i].p50_us = v[ld__rank_index(n, 50.0)];
        t->b[i].p95_us = v[ld__rank_index(n, 95.0)];
    }
    free(off);
    free(vals);
    return 0;
}

int ld__tseries_build(const ld_records_t *r, uint64_t width_ns,
                      size_t max_buckets, ld__tseries_t *out)
{
    const ld_record_t *rec = NULL;
    uint64_t lo = 0;
    uint64_t hi = 0;
    size_t it = 0;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (!ld_records_count(r))
        return 0;
    if (!max_buckets)
        max_buckets = 1;
    span_of(r, &lo, &hi);
    if (!width_ns)
        width_ns = auto_width(hi - lo);
    if ((hi - lo) / width_ns >= max_buckets)
        width_ns = (hi - lo) / max_buckets + 1;
    out->t0_ns = lo;
    out->width_ns = width_ns;
    out->n = (size_t)((hi - lo) / width_ns) + 1;
    out->b = calloc(out->n, sizeof(*out->b));
    if (!out->b)
        return LD_ENOMEM;
    while ((rec = ld_records_next(r, &it))) {
        ld__tbucket_t *b = &out->b[(rec->start_ns - lo) / width_ns];
        b->count++;
        b->failures += rec->error_id != 0;
    }
    rc = fill_buckets(r, out);
    if (rc)
        ld__tseries_free(out);
    return rc;
}

void ld__tseries_free(ld__tseries_t *t)
{
    free(t->b);
    memset(t, 0, sizeof(*t));
}
