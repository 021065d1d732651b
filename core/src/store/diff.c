/*
 * diff.c - ld_diff_runs: compare two stored runs per name.
 *
 * Shape and metric names follow the Python diff_runs (p50_ms, p95_ms,
 * p99_ms, failure_rate, mean_ms; pct relative to the baseline; a metric
 * regresses when it grows by more than the tolerance). Additions:
 * requests_per_second (regresses when it drops by more than the tolerance),
 * latency figures of successful requests only (a failing service must not
 * look faster), and a noise rule so that small samples and changes the
 * sample sizes cannot resolve never count as regressions:
 *
 *   - fewer than MIN_SAMPLES samples on either side (successful requests
 *     for latency metrics, requests for the others): within noise, except
 *     for latency metrics when both sides have at least MIN_SEPARATED
 *     samples and do not overlap at all (every current latency above every
 *     baseline latency, or below): that is a Mann-Whitney U of 0, p < 1 %
 *     already at 5 + 5 samples, so a tenfold slowdown of a short smoke run
 *     is still caught;
 *   - percentiles: the 95 % confidence band of the quantile on each side
 *     (ranks q +- 1.96 sqrt(q(1-q)/n), read off the stored min, p50, p90,
 *     p95, p99, max by linear interpolation) overlap: within noise;
 *   - mean: |difference| <= 1.96 sqrt(s1^2/n1 + s2^2/n2) (Welch);
 *   - failure rate: |difference| <= 1.96 standard errors of the pooled
 *     two-proportion test;
 *   - throughput: |difference| <= 1.96 sqrt(n1/T1^2 + n2/T2^2) (Poisson
 *     counts over the run durations; unknown durations: within noise).
 *
 * Figures come from ld_run_names, or are computed from the records for runs
 * stored without them (killed streams, files written by other tools).
 */
#include "store/store_int.h"

#include "ldcore/report.h"

#include <math.h>
#include <string.h>

#define MIN_SAMPLES 30.0
#define MIN_SEPARATED 5.0
#define Z95 1.96

typedef enum kind { K_QUANT, K_MEAN, K_FAIL, K_RPS } kind_t;

typedef struct metric {
    const char *key;
    kind_t kind;
    double q;   /* percentile for K_QUANT */
} metric_t;

static const metric_t metrics[] = {
    {"p50_ms", K_QUANT, 50},     {"p95_ms", K_QUANT, 95},
    {"p99_ms", K_QUANT, 99},     {"failure_rate", K_FAIL, 0},
    {"mean_ms", K_MEAN, 0},      {"requests_per_second", K_RPS, 0},
};
#define NMETRICS (sizeof(metrics) / sizeof(metrics[0]))

/* ---- figures ---- */

static double value_of(const ld__name_stats_t *s, const metric_t *m)
{
    switch (m->kind) {
    case K_QUANT:
        return m->q == 50 ? s->p50_ms : m->q == 95 ? s->p95_ms : s->p99_ms;
    case K_MEAN:
        return s->mean_ms;
    case K_FAIL:
        return s->requests > 0 ? s->failures / s->requests : 0;
    default:
        return s->duration_s > 0 ? s->requests / s->duration_s : 0;
    }
}

static double samples_of(const ld__name_stats_t *s, const metric_t *m)
{
    return m->kind == K_QUANT || m->kind == K_MEAN ? s->successes
                                                   : s->requests;
}

/* Piecewise-linear quantile function through the stored points. */
static double quantile_at(const ld__name_stats_t *s, double f)
{
    const double xs[6] = {0, 0.5, 0.9, 0.95, 0.99, 1};
    const double ys[6] = {s->min_ms, s->p50_ms, s->p90_ms,
                          s->p95_ms, s->p99_ms, s->max_ms};
    int i = 0;

    if (f <= 0)
        return ys[0];
    if (f >= 1)
        return ys[5];
    while (i < 4 && f > xs[i + 1])
        i++;
    return ys[i] + (ys[i + 1] - ys[i]) * (f - xs[i]) / (xs[i + 1] - xs[i]);
}

static void quantile_band(const ld__name_stats_t *s, double q, double *lo,
                          double *hi)
{
    double f = q / 100.0;
    double h = Z95 * sqrt(f * (1 - f) / s->successes);

    *lo = quantile_at(s, f - h);
    *hi = quantile_at(s, f + h);
}

/* Small samples: latency samples that do not overlap at all. */
static bool separated(const ld__name_stats_t *b, const ld__name_stats_t *c,
                      const metric_t *m)
{
    if (m->kind != K_QUANT && m->kind != K_MEAN)
        return false;
    if (b->successes < MIN_SEPARATED || c->successes < MIN_SEPARATED)
        return false;
    return c->min_ms > b->max_ms || c->max_ms < b->min_ms;
}

static bool within_noise(const ld__name_stats_t *b, const ld__name_stats_t *c,
                         const metric_t *m)
{
    double nb = samples_of(b, m), nc = samples_of(c, m);
    double diff = fabs(value_of(c, m) - value_of(b, m));
    double lo1, hi1, lo2, hi2, p, se;

    if (nb < MIN_SAMPLES || nc < MIN_SAMPLES)
        return !separated(b, c, m);
    switch (m->kind) {
    case K_QUANT:
        quantile_band(b, m->q, &lo1, &hi1);
        quantile_band(c, m->q, &lo2, &hi2);
        return lo1 <= hi2 && lo2 <= hi1;
    case K_MEAN:
        se = sqrt(b->stddev_ms * b->stddev_ms / nb +
                  c->stddev_ms * c->stddev_ms / nc);
        return diff <= Z95 * se;
    case K_FAIL:
        p = (b->failures + c->failures) / (nb + nc);
        se = sqrt(p * (1 - p) * (1 / nb + 1 / nc));
        return diff <= Z95 * se;
    default:
        if (b->duration_s <= 0 || c->duration_s <= 0)
            return true;
        se = sqrt(nb / (b->duration_s * b->duration_s) +
                  nc / (c->duration_s * c->duration_s));
        return diff <= Z95 * se;
    }
}

/* Beyond the tolerance in the bad direction? */
static bool worse(const metric_t *m, double base, double cur, double tol)
{
    if (m->kind == K_RPS)
        return base > 0 && (cur - base) / base < -tol;
    if (base > 0)
        return (cur - base) / base > tol;
    /* From no failures to some: an unbounded relative increase. */
    return m->kind == K_FAIL && cur > 0;
}

/* ---- JSON ---- */

static json_t *num_or_null(const ld__name_stats_t *s, const metric_t *m)
{
    return s ? json_real(value_of(s, m)) : json_null();
}

static json_t *delta_json(const ld__name_stats_t *b,
                          const ld__name_stats_t *c, const metric_t *m,
                          bool noise, bool regressed)
{
    json_t *pct = json_null(), *abs_v = json_null();

    if (b && c) {
        double vb = value_of(b, m), vc = value_of(c, m);
        abs_v = json_real(vc - vb);
        if (vb > 0)
            pct = json_real((vc - vb) / vb);
        else if (vc == vb)
            pct = json_real(0);
    }
    return json_pack("{s:o,s:o,s:o,s:o,s:b,s:b}", "baseline",
                     num_or_null(b, m), "current", num_or_null(c, m), "abs",
                     abs_v, "pct", pct, "within_noise", noise, "regressed",
                     regressed);
}

/* Lists of {name, metrics} for regressions and suppressed changes. */
typedef struct acc {
    json_t *regressions;
    json_t *noisy;
    json_t *only_base;
    json_t *only_cur;
} acc_t;

static int add_flagged(json_t *list, const char *name, json_t *metric_names)
{
    if (!json_array_size(metric_names)) {
        json_decref(metric_names);
        return 0;
    }
    return json_array_append_new(list, json_pack("{s:s,s:o}", "name", name,
                                                 "metrics", metric_names))
               ? LD_ENOMEM
               : 0;
}

static json_t *samples_json(const ld__name_stats_t *b,
                            const ld__name_stats_t *c)
{
    return json_pack("{s:o,s:o}", "baseline",
                     b ? json_integer((json_int_t)b->requests) : json_null(),
                     "current",
                     c ? json_integer((json_int_t)c->requests) : json_null());
}

/* One name; b or c is NULL when the name is missing on that side. */
static int diff_name(const char *name, const ld__name_stats_t *b,
                     const ld__name_stats_t *c, double tol, json_t *per_name,
                     acc_t *acc)
{
    json_t *deltas = json_object(), *entry, *reg = json_array(),
           *noisy = json_array();
    int rc = 0;

    for (size_t i = 0; i < NMETRICS && deltas && reg && noisy; i++) {
        const metric_t *m = &metrics[i];
        bool noise = b && c && within_noise(b, c, m);
        bool bad = b && c && worse(m, value_of(b, m), value_of(c, m), tol);
        json_object_set_new(deltas, m->key,
                            delta_json(b, c, m, noise, bad && !noise));
        if (bad)
            json_array_append_new(noise ? noisy : reg, json_string(m->key));
    }
    entry = json_pack("{s:o,s:o}", "deltas", deltas, "samples",
                      samples_json(b, c));
    if (entry && !(b && c))
        json_object_set_new(entry, "only_in",
                            json_string(b ? "baseline" : "current"));
    if (!entry || json_object_set_new(per_name, name, entry))
        rc = LD_ENOMEM;
    if (!rc && !(b && c))
        rc = json_array_append_new(b ? acc->only_base : acc->only_cur,
                                   json_string(name))
                 ? LD_ENOMEM
                 : 0;
    if (!rc)
        rc = add_flagged(acc->regressions, name, json_incref(reg));
    if (!rc)
        rc = add_flagged(acc->noisy, name, json_incref(noisy));
    json_decref(reg);
    json_decref(noisy);
    return rc;
}

/* Walk both sorted name lists together. */
static int diff_all(const ld__run_stats_t *b, const ld__run_stats_t *c,
                    double tol, json_t *per_name, acc_t *acc)
{
    size_t i = 0, j = 0;
    int rc = 0;

    while (!rc && (i < b->n || j < c->n)) {
        int cmp = i >= b->n   ? 1
                  : j >= c->n ? -1
                              : strcmp(b->v[i].name, c->v[j].name);
        if (cmp == 0)
            rc = diff_name(b->v[i].name, &b->v[i], &c->v[j], tol, per_name,
                           acc);
        else if (cmp < 0)
            rc = diff_name(b->v[i].name, &b->v[i], NULL, tol, per_name, acc);
        else
            rc = diff_name(c->v[j].name, NULL, &c->v[j], tol, per_name, acc);
        i += cmp <= 0;
        j += cmp >= 0;
    }
    return rc;
}

/* ---- loading ---- */

static int run_stats(sqlite3 *db, const char *path, int64_t run_id,
                     ld__run_stats_t *s, ld_diag_t *d)
{
    ld_records_t *r = NULL;
    bool found = false;
    int rc = ld__run_exists(db, path, run_id, d);

    if (!rc)
        rc = ld__stats_load(db, path, run_id, s, &found, d);
    if (rc || found)
        return rc;
    r = ld_records_new();
    if (!r)
        return LD_ENOMEM;
    rc = ld__load_records(db, path, run_id, r, d);
    if (!rc)
        rc = ld__stats_of_records(r, s);
    ld_records_free(r);
    return rc;
}

static json_t *report_new(int64_t base, int64_t cur, double tol,
                          json_t *per_name, acc_t *acc)
{
    return json_pack("{s:I,s:I,s:f,s:o,s:O,s:b,s:O,s:O,s:O,s:f}",
                     "baseline_run_id", (json_int_t)base, "current_run_id",
                     (json_int_t)cur, "tolerance", tol, "per_name", per_name,
                     "regressions", acc->regressions, "has_regressions",
                     json_array_size(acc->regressions) > 0, "within_noise",
                     acc->noisy, "only_in_baseline", acc->only_base,
                     "only_in_current", acc->only_cur, "min_samples",
                     MIN_SAMPLES);
}

static int diff_db(sqlite3 *db, const char *path, int64_t base, int64_t cur,
                   double tol, json_t **out, ld_diag_t *d)
{
    ld__run_stats_t sb, sc;
    acc_t acc = {json_array(), json_array(), json_array(), json_array()};
    json_t *per_name = json_object();
    int rc = 0;

    memset(&sb, 0, sizeof(sb));
    memset(&sc, 0, sizeof(sc));
    if (!acc.regressions || !acc.noisy || !acc.only_base || !acc.only_cur ||
        !per_name)
        rc = LD_ENOMEM;
    if (!rc)
        rc = run_stats(db, path, base, &sb, d);
    if (!rc)
        rc = run_stats(db, path, cur, &sc, d);
    if (!rc)
        rc = diff_all(&sb, &sc, tol, per_name, &acc);
    if (!rc) {
        *out = report_new(base, cur, tol, json_incref(per_name), &acc);
        rc = *out ? 0 : LD_ENOMEM;
    }
    json_decref(per_name);
    json_decref(acc.regressions);
    json_decref(acc.noisy);
    json_decref(acc.only_base);
    json_decref(acc.only_cur);
    ld__run_stats_free(&sb);
    ld__run_stats_free(&sc);
    return rc;
}

int ld_diff_runs(const char *db_path, int64_t baseline, int64_t current,
                 double tolerance, json_t **out, ld_diag_t *d)
{
    sqlite3 *db = NULL;
    int rc = 0;

    *out = NULL;
    if (!isfinite(tolerance) || tolerance < 0)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "tolerance must be a number >= 0 (0.10 = 10 %%)");
    rc = ld__db_open(db_path, false, &db, d);
    if (!rc)
        rc = ld__schema_check(db, db_path, d);
    if (!rc)
        rc = diff_db(db, db_path, baseline, current, tolerance, out, d);
    ld__db_close(db);
    return ld__diag_fallback(d, rc, db_path, "cannot diff the runs");
}
