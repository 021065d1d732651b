/*
 * stats_int.h - internals shared by the stats sources: histogram bucket
 * arithmetic (also used by the summary's small-group path so both give the
 * same answers) and the interned-string table behind ld_records_t.
 */
#ifndef LD_STATS_INT_H
#define LD_STATS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "ldcore/stats.h"

/*
 * Bucket layout: values 0 .. 2*SUB-1 have one bucket each (exact). Above that,
 * the values [2^e, 2^(e+1)) (e >= SUB_BITS+1) are split into SUB buckets of
 * width 2^(e-SUB_BITS); group g = e - SUB_BITS + 1 holds them at indexes
 * g*SUB .. g*SUB+SUB-1. A bucket's upper edge U and any value v in it satisfy
 * 0 <= U - v < v / SUB, hence the < 0.8 % relative error for SUB = 128.
 * LD_HIST_MAX_US < 2^32, so e <= 31 and the top index is 26*SUB - 1.
 */
static inline unsigned ld__hist_index(uint64_t v)
{
    unsigned e = 0;
    unsigned shift = 0;

    if (v < LD_HIST_SUB)
        return (unsigned)v;
    e = 63u - (unsigned)__builtin_clzll(v);
    shift = e - LD_HIST_SUB_BITS;
    return (shift + 1u) * LD_HIST_SUB + (unsigned)((v >> shift) - LD_HIST_SUB);
}

/** Largest value that falls into bucket i. */
static inline uint64_t ld__hist_upper(unsigned i)
{
    unsigned g = i / LD_HIST_SUB;
    unsigned sub = i % LD_HIST_SUB;
    unsigned shift = 0;

    if (g == 0)
        return i;
    shift = g - 1u;
    return (((uint64_t)LD_HIST_SUB + sub) << shift) + (((uint64_t)1 << shift) - 1u);
}

/** Clamp a raw latency the way ld_hist_record does. */
static inline uint64_t ld__hist_clamp(uint64_t us)
{
    return us > LD_HIST_MAX_US ? LD_HIST_MAX_US : us;
}

/**
 * Nearest rank (1-based) of percentile q in a set of n > 0 values: the
 * smallest r with r >= q/100 * n, clamped to [1, n]. A tiny relative slack
 * keeps 90 % of 10 values at rank 9 despite floating-point noise.
 */
uint64_t ld__hist_rank(uint64_t n, double q);

/* Latency figures of one group, in microseconds; p_us holds p50, p90, p95,
 * p99 and p99.9. */
typedef struct ld__lat {
    uint64_t count;
    uint64_t min_us;
    uint64_t max_us;
    double mean_us;
    uint64_t p_us[5];
} ld__lat_t;

void ld__lat_from_hist(const ld_hist_t *h, ld__lat_t *l);
/** The same figures from sorted, already clamped values (no histogram). */
void ld__lat_from_sorted(const uint32_t *v, size_t n, ld__lat_t *l);

/* ---- interned strings: open addressing over an id array, bytes in an arena */

typedef struct ld__str_ent {
    const char *s;
    uint32_t len;
    uint32_t hash;
} ld__str_ent_t;

typedef struct ld__arena_blk ld__arena_blk_t;

typedef struct ld__strtab {
    ld__str_ent_t *ents;     /* ents[id - 1] */
    uint32_t n;              /* strings interned */
    uint32_t ents_cap;
    uint32_t *slots;         /* ids, 0 = empty; power-of-two size */
    uint32_t nslots;
    ld__arena_blk_t *blk;    /* newest block first */
    size_t arena_bytes;      /* bytes allocated for blocks */
} ld__strtab_t;

void ld__strtab_init(ld__strtab_t *t);
void ld__strtab_free(ld__strtab_t *t);
/** Id (>= 1) of s, inserting it if new; 0 on ENOMEM or id exhaustion. */
uint32_t ld__strtab_intern(ld__strtab_t *t, const char *s, size_t len);
/** Id of s, or 0 when not interned. */
uint32_t ld__strtab_find(const ld__strtab_t *t, const char *s, size_t len);
/** The string of id, or NULL for 0 or unknown ids. */
const char *ld__strtab_get(const ld__strtab_t *t, uint32_t id, uint32_t *len);
size_t ld__strtab_memsize(const ld__strtab_t *t);

/** A JSON string of s; invalid UTF-8 bytes become U+FFFD. NULL on ENOMEM. */
json_t *ld__json_text(const char *s);

#endif
