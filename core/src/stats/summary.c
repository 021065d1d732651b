/*
 * ld_summary_build: the seed's build_summary shape computed from a record
 * store.
 *
 * Differences from the Python tool, on purpose:
 * - Percentiles. Python interpolates linearly between the two order
 *   statistics around rank q/100*(n-1). Ours are nearest-rank values read
 *   from the histogram (upper edge of the bucket, clamped to [min, max]): the
 *   ceil(q/100*n)-th smallest value, which is always one of Python's two
 *   neighbours, reported at most 0.78 % above it. min, max and mean are exact.
 * - per_name also lists names whose requests all failed (count 0 and zero
 *   latency figures) since it now carries "requests" and "failures".
 * - Latencies above one hour count as one hour (histogram clamp).
 *
 * Per-name figures: one pass over the records counts requests per name
 * (name id -> group through a direct id-indexed table) and fills the overall
 * histogram; a second pass drops each success latency into its group's slice
 * of one array (4 bytes per success). Large groups then go through one
 * reused histogram; small ones are sorted, which gives the very same numbers
 * without a 13 KiB histogram per name when there are many names.
 */
#include "stats/stats_int.h"

#include <stdlib.h>
#include <string.h>

#define NPCT 5
#define SORT_BELOW 2048u   /* groups smaller than this are sorted */

static const double pcts[NPCT] = {50.0, 90.0, 95.0, 99.0, 99.9};
static const char *const pct_keys[NPCT] = {
    "p50_ms", "p90_ms", "p95_ms", "p99_ms", "p99_9_ms",
};

typedef struct grp {
    uint32_t key;          /* string id of the name; 0 = "unknown" */
    size_t requests;
    size_t failures;
    size_t n_ok;
    size_t off;            /* slice of summ.vals */
    size_t fill;
} grp_t;

typedef struct summ {
    ld_hist_t all;
    ld_hist_t tmp;
    uint32_t *gidx;        /* string id -> group index + 1 */
    grp_t *grps;
    size_t ngrps;
    size_t grps_cap;
    uint32_t *vals;
    uint32_t unknown;      /* id of "unknown" if interned, else 0 */
    size_t failures;
    uint64_t first_ns;
    uint64_t last_ns;      /* latest start ... */
    uint64_t last_end_ns;  /* ... plus its latency */
} summ_t;

void ld__lat_from_hist(const ld_hist_t *h, ld__lat_t *l)
{
    memset(l, 0, sizeof(*l));
    l->count = h->total;
    if (!h->total)
        return;
    l->min_us = h->min_us;
    l->max_us = h->max_us;
    l->mean_us = ld_hist_mean(h);
    for (int i = 0; i < NPCT; i++)
        l->p_us[i] = ld_hist_percentile(h, pcts[i]);
}

/* Same answers as recording v[] into a histogram (v sorted, clamped). */
void ld__lat_from_sorted(const uint32_t *v, size_t n, ld__lat_t *l)
{
    uint64_t sum = 0;

    memset(l, 0, sizeof(*l));
    l->count = n;
    if (!n)
        return;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    l->min_us = v[0];
    l->max_us = v[n - 1];
    l->mean_us = (double)sum / (double)n;
    for (int i = 0; i < NPCT; i++) {
        uint64_t x = v[ld__hist_rank(n, pcts[i]) - 1];
        uint64_t u = ld__hist_upper(ld__hist_index(x));
        l->p_us[i] = u > l->max_us ? l->max_us : u;
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a;
    uint32_t y = *(const uint32_t *)b;

    return (x > y) - (x < y);
}

static int lat_of_group(summ_t *s, const grp_t *g, ld__lat_t *l)
{
    uint32_t *v = s->vals + g->off;

    if (g->n_ok < SORT_BELOW) {
        qsort(v, g->n_ok, sizeof(*v), cmp_u32);
        ld__lat_from_sorted(v, g->n_ok, l);
        return 0;
    }
    if (!s->tmp.counts && ld_hist_init(&s->tmp))
        return LD_ENOMEM;
    ld_hist_reset(&s->tmp);
    for (size_t i = 0; i < g->n_ok; i++)
        ld_hist_record(&s->tmp, v[i]);
    ld__lat_from_hist(&s->tmp, l);
    return 0;
}

/* ---- pass 1: counts, overall histogram, time span ---- */

static uint32_t key_of(const ld_records_t *r, const ld_record_t *rec,
                       uint32_t unknown)
{
    if (*ld_records_str(r, rec->name_id))
        return rec->name_id;
    if (*ld_records_str(r, rec->url_id))
        return rec->url_id;
    return unknown;
}

static grp_t *group_of(summ_t *s, uint32_t key)
{
    grp_t *g = NULL;

    if (s->gidx[key])
        return &s->grps[s->gidx[key] - 1];
    if (s->ngrps == s->grps_cap) {
        size_t cap = s->grps_cap ? s->grps_cap * 2 : 16;
        grp_t *grps = realloc(s->grps, cap * sizeof(*grps));
        if (!grps)
            return NULL;
        s->grps = grps;
        s->grps_cap = cap;
    }
    g = &s->grps[s->ngrps++];
    memset(g, 0, sizeof(*g));
    g->key = key;
    s->gidx[key] = (uint32_t)s->ngrps;
    return g;
}

static void note_span(summ_t *s, const ld_record_t *rec, int first)
{
    uint64_t end = rec->start_ns + (uint64_t)rec->latency_us * 1000u;

    if (first || rec->start_ns < s->first_ns)
        s->first_ns = rec->start_ns;
    if (first || rec->start_ns > s->last_ns ||
        (rec->start_ns == s->last_ns && end > s->last_end_ns)) {
        s->last_ns = rec->start_ns;
        s->last_end_ns = end;
    }
}

static int scan(const ld_records_t *r, summ_t *s)
{
    size_t it = 0;
    const ld_record_t *rec = NULL;

    if (ld_hist_init(&s->all))
        return LD_ENOMEM;
    s->gidx = calloc(ld_records_nstrings(r) + 1, sizeof(*s->gidx));
    if (!s->gidx)
        return LD_ENOMEM;
    s->unknown = ld_records_find(r, "unknown", 7);
    while ((rec = ld_records_next(r, &it))) {
        grp_t *g = group_of(s, key_of(r, rec, s->unknown));
        if (!g)
            return LD_ENOMEM;
        ld_hist_record(&s->all, rec->latency_us);
        note_span(s, rec, it == 1);
        g->requests++;
        if (rec->error_id) {
            g->failures++;
            s->failures++;
        } else {
            g->n_ok++;
        }
    }
    return 0;
}

/* ---- pass 2: success latencies grouped by name ---- */

static int fill_values(const ld_records_t *r, summ_t *s)
{
    size_t off = 0;
    size_t it = 0;
    const ld_record_t *rec = NULL;

    for (size_t i = 0; i < s->ngrps; i++) {
        s->grps[i].off = off;
        off += s->grps[i].n_ok;
    }
    s->vals = malloc((off ? off : 1) * sizeof(*s->vals));
    if (!s->vals)
        return LD_ENOMEM;
    while ((rec = ld_records_next(r, &it))) {
        grp_t *g = NULL;
        if (rec->error_id)
            continue;
        g = &s->grps[s->gidx[key_of(r, rec, s->unknown)] - 1];
        s->vals[g->off + g->fill++] = (uint32_t)ld__hist_clamp(rec->latency_us);
    }
    return 0;
}

/* ---- JSON ---- */

static double ms(uint64_t us)
{
    return (double)us / 1000.0;
}

static double ratio(double a, double b)
{
    return b > 0.0 ? a / b : 0.0;
}

static int set_real(json_t *o, const char *k, double v)
{
    return json_object_set_new(o, k, json_real(v));
}

static int set_int(json_t *o, const char *k, uint64_t v)
{
    return json_object_set_new(o, k, json_integer((json_int_t)v));
}

static int set_pcts(json_t *o, const ld__lat_t *l, int n)
{
    int bad = 0;

    for (int i = 0; i < n; i++)
        bad |= set_real(o, pct_keys[i], ms(l->p_us[i]));
    return bad;
}

static json_t *totals_json(const ld_records_t *r, const summ_t *s, double dur)
{
    json_t *o = json_object();
    size_t n = ld_records_count(r);
    int bad = !o;

    if (bad)
        return NULL;
    bad |= set_int(o, "requests", n);
    bad |= set_int(o, "successes", n - s->failures);
    bad |= set_int(o, "failures", s->failures);
    bad |= set_real(o, "failure_rate", ratio((double)s->failures, (double)n));
    bad |= set_real(o, "duration_s", dur);
    bad |= set_real(o, "requests_per_second", ratio((double)n, dur));
    if (bad)
        json_decref(o);
    return bad ? NULL : o;
}

static json_t *overall_json(const summ_t *s)
{
    json_t *o = json_object();
    ld__lat_t l;
    int bad = !o;

    if (bad)
        return NULL;
    ld__lat_from_hist(&s->all, &l);
    bad |= set_int(o, "count", l.count);
    bad |= set_pcts(o, &l, NPCT - 1);
    bad |= set_real(o, "max_ms", ms(l.max_us));
    bad |= set_real(o, "min_ms", ms(l.min_us));
    bad |= set_real(o, "mean_ms", l.mean_us / 1000.0);
    bad |= set_real(o, pct_keys[NPCT - 1], ms(l.p_us[NPCT - 1]));
    if (bad)
        json_decref(o);
    return bad ? NULL : o;
}

static json_t *name_json(summ_t *s, const grp_t *g, double dur)
{
    json_t *o = json_object();
    ld__lat_t l;
    int bad = !o;

    if (bad || lat_of_group(s, g, &l)) {
        json_decref(o);
        return NULL;
    }
    bad |= set_int(o, "count", l.count);
    bad |= set_real(o, "min_ms", ms(l.min_us));
    bad |= set_real(o, "max_ms", ms(l.max_us));
    bad |= set_real(o, "mean_ms", l.mean_us / 1000.0);
    bad |= set_pcts(o, &l, NPCT);
    bad |= set_int(o, "failures", g->failures);
    bad |= set_int(o, "requests", g->requests);
    bad |= set_real(o, "failure_rate", ratio((double)g->failures, (double)g->requests));
    bad |= set_real(o, "requests_per_second", ratio((double)g->requests, dur));
    if (bad)
        json_decref(o);
    return bad ? NULL : o;
}

static json_t *per_name_json(const ld_records_t *r, summ_t *s, double dur)
{
    json_t *o = json_object();

    for (size_t i = 0; o && i < s->ngrps; i++) {
        const grp_t *g = &s->grps[i];
        json_t *key = ld__json_text(g->key ? ld_records_str(r, g->key) : "unknown");
        json_t *v = key ? name_json(s, g, dur) : NULL;
        if (!v || json_object_set_new_nocheck(o, json_string_value(key), v)) {
            json_decref(o);
            o = NULL;
        }
        json_decref(key);
    }
    return o;
}

static json_t *emit(const ld_records_t *r, summ_t *s)
{
    double dur = ld_records_count(r) ?
        (double)(s->last_end_ns - s->first_ns) / 1e9 : 0.0;
    json_t *out = json_object();
    int bad = !out;

    if (bad)
        return NULL;
    bad |= json_object_set_new(out, "totals", totals_json(r, s, dur));
    bad |= json_object_set_new(out, "latency_overall", overall_json(s));
    bad |= json_object_set_new(out, "per_name", per_name_json(r, s, dur));
    if (bad) {
        json_decref(out);
        return NULL;
    }
    return out;
}

json_t *ld_summary_build(const ld_records_t *r)
{
    summ_t s;
    json_t *out = NULL;
    ld_records_t *empty = NULL;

    memset(&s, 0, sizeof(s));
    if (!r)
        r = empty = ld_records_new();
    if (r && !scan(r, &s) && !fill_values(r, &s))
        out = emit(r, &s);
    ld_hist_close(&s.all);
    ld_hist_close(&s.tmp);
    free(s.gidx);
    free(s.grps);
    free(s.vals);
    ld_records_free(empty);
    return out;
}
