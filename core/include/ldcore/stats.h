/*
 * ldcore/stats.h - HDR-style latency histograms (1 us to 1 h, <= 1 % relative
 * error, fixed memory, mergeable) and the request record store: every request
 * becomes one compact 32-byte record, names and messages interned, kept in
 * chunked memory.
 *
 * Ownership: ld_hist_t is caller storage (init/close). ld_records_t is
 * allocated by the library (new/free) and owns its chunks and interned
 * strings; string pointers it returns live as long as the store (until
 * ld_records_clear or ld_records_free).
 *
 * Threads: a histogram or a record store is used by one thread at a time;
 * merge per-thread instances with ld_hist_merge / ld_records_merge_take.
 */
#ifndef LDCORE_STATS_H
#define LDCORE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ldcore/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- histogram ---- */

/*
 * Log-linear buckets: values in microseconds, 1 us .. 3.6e9 us (1 h); larger
 * values are clamped into the top bucket (and counted in `clamped`).
 * 128 sub-buckets per power of two gives < 0.8 % relative error.
 */
#define LD_HIST_SUB_BITS 7
#define LD_HIST_SUB (1u << LD_HIST_SUB_BITS)
#define LD_HIST_MAX_US 3600000000ull
#define LD_HIST_BUCKETS (LD_HIST_SUB * 26)

typedef struct ld_hist {
    uint32_t *counts;     /* LD_HIST_BUCKETS entries */
    uint64_t total;
    uint64_t sum_us;
    uint64_t min_us;
    uint64_t max_us;
    uint64_t clamped;
} ld_hist_t;

int ld_hist_init(ld_hist_t *h);
void ld_hist_close(ld_hist_t *h);
void ld_hist_reset(ld_hist_t *h);
void ld_hist_record(ld_hist_t *h, uint64_t us);
/** Add every count of src into dst. */
void ld_hist_merge(ld_hist_t *dst, const ld_hist_t *src);
/** Value at percentile q in [0,100] (upper edge of the bucket, clamped to
 *  max); 0 when empty. */
uint64_t ld_hist_percentile(const ld_hist_t *h, double q);
double ld_hist_mean(const ld_hist_t *h);
/** Bytes of memory one histogram holds. */
size_t ld_hist_memsize(void);

/* ---- records ---- */

typedef enum ld_method {
    LD_M_GET = 0, LD_M_POST, LD_M_PUT, LD_M_PATCH, LD_M_DELETE, LD_M_HEAD,
    LD_M_OPTIONS, LD_M_TRACE, LD_M_CONNECT, LD_M_OTHER
} ld_method_t;

const char *ld_method_name(ld_method_t m);     /* "GET", ... */
ld_method_t ld_method_parse(const char *s);    /* case-insensitive */

/* A single request. 32 bytes. */
typedef struct ld_record {
    uint64_t start_ns;     /* wall time of the (intended) send, ns since the
                              Unix epoch */
    uint32_t latency_us;   /* saturated at UINT32_MAX */
    uint32_t resp_len;     /* body bytes, saturated */
    uint32_t name_id;      /* interned request name */
    uint32_t url_id;       /* interned URL */
    uint32_t error_id;     /* 0 = success, else interned failure message */
    uint16_t status;       /* 0 = no response */
    uint8_t method;        /* ld_method_t */
    uint8_t flags;
} ld_record_t;

/* ld_record_t.flags bits (the store keeps them as given). */
#define LD_RECORD_RETRY 0x01u     /**< not the first attempt of this request */
#define LD_RECORD_NOT_SENT 0x02u  /**< failed before anything was sent */

typedef struct ld_records ld_records_t;

ld_records_t *ld_records_new(void);
void ld_records_free(ld_records_t *r);
/** Drop every record and interned string. */
void ld_records_clear(ld_records_t *r);

/** Intern a string (returns its id >= 1, or 0 on ENOMEM). */
uint32_t ld_records_intern(ld_records_t *r, const char *s, size_t len);
/** The string of an id ("" for 0 or unknown). */
const char *ld_records_str(const ld_records_t *r, uint32_t id);
/** Id of an already interned string, or 0 when absent (never inserts). */
uint32_t ld_records_find(const ld_records_t *r, const char *s, size_t len);
/** Number of interned strings (ids run from 1 to this). */
size_t ld_records_nstrings(const ld_records_t *r);

/** Append a record (ids must come from this store). 0 or LD_ENOMEM. */
int ld_records_add(ld_records_t *r, const ld_record_t *rec);
/** Convenience: intern the strings and append. error NULL = success. */
int ld_records_add_full(ld_records_t *r, uint64_t start_ns, ld_method_t m,
                        const char *name, const char *url, int status,
                        uint32_t latency_us, uint32_t resp_len,
                        const char *error);

size_t ld_records_count(const ld_records_t *r);
size_t ld_records_failed(const ld_records_t *r);
/** The i-th record in insertion order (i < count), or NULL. */
const ld_record_t *ld_records_at(const ld_records_t *r, size_t i);

/** Iterate in insertion order: *it starts at 0. Returns NULL at the end. */
const ld_record_t *ld_records_next(const ld_records_t *r, size_t *it);

/** Move record from + i to from + to[i], for every record from `from` on
 *  (to is used up). 0; LD_EINVAL (to is not a permutation of 0..n-1) or
 *  LD_ENOMEM with nothing moved. */
int ld_records_reorder(ld_records_t *r, size_t from, uint32_t *to);

/**
 * Move every record of src into dst (re-interning its strings); src is left
 * empty. Used to merge per-thread stores.
 */
int ld_records_merge_take(ld_records_t *dst, ld_records_t *src);

/** Seed-shaped dict of one record: Method, test_url, name, status_code,
 *  response_time_ms, response_length, error. */
json_t *ld_record_to_json(const ld_records_t *r, const ld_record_t *rec);

/** Memory held by the store, in bytes (records + strings + indexes). */
size_t ld_records_memsize(const ld_records_t *r);

/* ---- summary ---- */

/**
 * The seed's summary shape (build_summary of the Python tool), plus extras:
 * {"totals": {"requests", "successes", "failures", "failure_rate",
 *             + "duration_s", "requests_per_second"},
 *  "latency_overall": {"count", "p50_ms", "p90_ms", "p95_ms", "p99_ms",
 *             "max_ms", + "min_ms", "mean_ms", "p99_9_ms"},   (all requests)
 *  "per_name": {NAME: {"count", "min_ms", "max_ms", "mean_ms", "p50_ms",
 *             "p90_ms", "p95_ms", "p99_ms", + "p99_9_ms", "failures",
 *             "requests", "failure_rate", "requests_per_second"}}}
 * As in the seed, per_name latency figures (count, min..p99) cover the
 * successful requests of that name; "requests"/"failures" count all.
 * NAME is the record's name, else its URL, else "unknown".
 * Percentiles are nearest-rank values at histogram precision (see
 * ld_hist_percentile; Python interpolates); min/max/mean are exact. Names
 * whose requests all failed appear with count 0 and zero latencies.
 * duration_s = (latest start + its latency) - earliest start.
 * Returns a new value, or NULL on ENOMEM.
 */
json_t *ld_summary_build(const ld_records_t *r);

#ifdef __cplusplus
}
#endif
#endif
