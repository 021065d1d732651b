/*
 * live_int.h - the live engine's counting (live.c, live_stats.c).
 *
 * Each worker thread counts the records it finished, about 20 times a
 * second, into its own window (ld__lagg_t.win, under its mutex); the
 * controlling thread takes every window at once (ld_live_take_stats), merges
 * them by (name, method) and hands Locust-shaped deltas to the caller. The
 * id map that finds a record's window entry belongs to the worker thread.
 */
#ifndef LD_ENGINE_LIVE_INT_H
#define LD_ENGINE_LIVE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/engine_int.h"

/* Buckets below 10 s are dense: 0..99 ms by 1, 100..990 by 10,
   1000..9900 by 100. */
#define LD__LIVE_DENSE 280

typedef struct ld__lsec {
    int64_t sec;
    uint64_t reqs, fails;
} ld__lsec_t;

/* One (name, method) of one window. */
typedef struct ld__lent {
    char *name;
    uint8_t method;
    uint64_t requests, failures, content;
    uint64_t total_us, min_us, max_us;
    uint64_t first_start_ns, last_end_ns; /* wall clock */
    uint32_t dense[LD__LIVE_DENSE];
    ld_live_kv_t *sparse; /* buckets >= 10 s */
    size_t nsparse, capsparse;
    ld__lsec_t *secs;
    size_t nsecs, capsecs;
} ld__lent_t;

typedef struct ld__lerr {
    char *name;
    char *error;
    uint8_t method;
    uint64_t n;
} ld__lerr_t;

typedef struct ld__lwin {
    ld__lent_t **ents;
    size_t n, cap;
    ld__lerr_t *errs;
    size_t nerr, caperr;
} ld__lwin_t;

/* Worker-private map from the record store's ids to window slots. */
typedef struct ld__lslot {
    uint64_t a; /* name or URL id, which, method */
    uint32_t b; /* error id, 0 for an entry */
    uint32_t v; /* slot index + 1; 0 = empty */
} ld__lslot_t;

typedef struct ld__lmap {
    ld__lslot_t *s;
    size_t cap, n;
} ld__lmap_t;

struct ld__lagg {
    pthread_mutex_t mu;
    ld__lwin_t win;    /* under mu */
    unsigned win_gen;  /* bumped by every take (under mu) */
    unsigned map_gen;  /* the win_gen the map was built for */
    ld__lmap_t map;    /* worker thread (or after the join) */
    size_t it;         /* next record of the worker's store to count */
    unsigned ticks;
    bool keep;         /* keep records (else cleared once counted) */
    uint64_t lost;     /* records not counted for lack of memory */
};

typedef struct ld__lagg ld__lagg_t;

/** Count the worker's new records into its window (worker thread, or any
 *  thread once the worker thread has ended). */
void ld__live_drain(ld__worker_t *w);
void ld__lwin_free(ld__lwin_t *win);
void ld__lmap_free(ld__lmap_t *m);
/** Merge windows into Locust-shaped stats. 0 or LD_ENOMEM. */
int ld__live_merge(ld__lwin_t *wins, size_t n, uint64_t since_ns,
                   ld_live_stats_t *out);

#endif
