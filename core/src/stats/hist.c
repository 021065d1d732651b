/*
 * Log-linear latency histogram (HdrHistogram-like, see stats_int.h for the
 * bucket layout). Fixed memory: LD_HIST_BUCKETS 32-bit counters (13 KiB).
 *
 * Percentiles use the nearest-rank definition: the value reported for q is
 * the upper edge of the bucket holding the ceil(q/100 * n)-th smallest value,
 * clamped to [min, max]. It is never below that exact order statistic and at
 * most 1/LD_HIST_SUB (0.78 %) above it.
 */
#include "stats/stats_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(LD_HIST_MAX_US < ((uint64_t)1 << 32),
               "bucket layout assumes values below 2^32");
_Static_assert(LD_HIST_BUCKETS == (32u - LD_HIST_SUB_BITS + 1u) * LD_HIST_SUB,
               "LD_HIST_BUCKETS must cover every value below 2^32");

int ld_hist_init(ld_hist_t *h)
{
    memset(h, 0, sizeof(*h));
    h->counts = calloc((size_t)LD_HIST_BUCKETS, sizeof(*h->counts));
    return h->counts ? 0 : LD_ENOMEM;
}

void ld_hist_close(ld_hist_t *h)
{
    if (!h)
        return;
    free(h->counts);
    memset(h, 0, sizeof(*h));
}

void ld_hist_reset(ld_hist_t *h)
{
    uint32_t *counts = h->counts;

    if (counts)
        memset(counts, 0, (size_t)LD_HIST_BUCKETS * sizeof(*counts));
    memset(h, 0, sizeof(*h));
    h->counts = counts;
}

/* Values above the range are recorded as LD_HIST_MAX_US (so min, max, sum
 * and every percentile stay consistent) and counted in `clamped`. */
void ld_hist_record(ld_hist_t *h, uint64_t us)
{
    unsigned i = 0;

    if (us > LD_HIST_MAX_US) {
        us = LD_HIST_MAX_US;
        h->clamped++;
    }
    i = ld__hist_index(us);
    if (h->counts[i] != UINT32_MAX)
        h->counts[i]++;
    if (!h->total || us < h->min_us)
        h->min_us = us;
    if (!h->total || us > h->max_us)
        h->max_us = us;
    h->total++;
    h->sum_us += us;
}

void ld_hist_merge(ld_hist_t *dst, const ld_hist_t *src)
{
    if (!src->total)
        return;
    for (unsigned i = 0; i < LD_HIST_BUCKETS; i++) {
        uint64_t c = (uint64_t)dst->counts[i] + src->counts[i];
        dst->counts[i] = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
    }
    if (!dst->total || src->min_us < dst->min_us)
        dst->min_us = src->min_us;
    if (!dst->total || src->max_us > dst->max_us)
        dst->max_us = src->max_us;
    dst->total += src->total;
    dst->sum_us += src->sum_us;
    dst->clamped += src->clamped;
}

uint64_t ld__hist_rank(uint64_t n, double q)
{
    double x = q * (double)n / 100.0;
    double r = ceil(x - x * 1e-12);

    if (!(r >= 1.0))
        return 1;
    if (r >= (double)n)
        return n;
    return (uint64_t)r;
}

uint64_t ld_hist_percentile(const ld_hist_t *h, double q)
{
    uint64_t rank = 0;
    uint64_t cum = 0;
    uint64_t v = 0;

    if (!h->total)
        return 0;
    if (!(q > 0.0))
        return h->min_us;
    if (q >= 100.0)
        return h->max_us;
    rank = ld__hist_rank(h->total, q);
    for (unsigned i = 0; i < LD_HIST_BUCKETS; i++) {
        cum += h->counts[i];
        if (cum >= rank) {
            v = ld__hist_upper(i);
            break;
        }
    }
    /* Saturated counters can leave cum short of rank: answer max then. */
    if (cum < rank || v > h->max_us)
        return h->max_us;
    return v < h->min_us ? h->min_us : v;
}

double ld_hist_mean(const ld_hist_t *h)
{
    return h->total ? (double)h->sum_us / (double)h->total : 0.0;
}

size_t ld_hist_memsize(void)
{
    return sizeof(ld_hist_t) + (size_t)LD_HIST_BUCKETS * sizeof(uint32_t);
}
