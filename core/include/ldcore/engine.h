/*
 * ldcore/engine.h - the load engine: virtual users as small state machines on
 * libuv loops (one loop, one curl multi handle, one record store and one
 * histogram set per worker thread), merged by a collector about once a
 * second for live progress.
 *
 * Ownership: ld_test_plan_t is built from an LD_start_test argument set by
 * ld_test_plan_new and released with ld_test_plan_free; it borrows nothing
 * from the document after it is built. Results are appended to the caller's
 * ld_records_t.
 */
#ifndef LDCORE_ENGINE_H
#define LDCORE_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "ldcore/common.h"
#include "ldcore/exec.h"
#include "ldcore/params.h"
#include "ldcore/registry.h"
#include "ldcore/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ld_test_plan ld_test_plan_t;

/** Grace period used when ld_run_opts_t.grace_s is 0 (negative: none). */
#define LD_ENGINE_DEFAULT_GRACE_S 5.0

/* The engine sets LD_RECORD_RETRY and LD_RECORD_NOT_SENT (stats.h) in
   ld_record_t.flags; the open model's overflow is NOT_SENT. */

/**
 * Compile LD_start_test arguments (user_detail_dict, user_count, spawn_rate,
 * test_time, tasks, variables, csv_sources, load_shape, shape_config, ...)
 * into a plan: every task field checked, every string compiled to a template.
 * Errors carry the file, line and column of the offending field.
 *
 * params is borrowed and must outlive the plan; "variables" and
 * "csv_sources" are registered into it (globally, as the Python tool does)
 * once everything else compiled. Tasks: a list, the legacy {"get": {...}}
 * object keyed by method, or {"mode": "sequence"|"weighted"|"conditional",
 * "tasks": ...}. Relative URLs join "host" (argument, else
 * user_detail_dict.host, else http://localhost). A task's name defaults to
 * its URL as written. user_detail_dict may also give "http_version" and
 * "wait_time" (pause between a user's ticks: seconds or {"min","max"};
 * default none, where the Python tool's FastHttpUser waits 0.1-0.2 s).
 * With a load shape, or a finite arrival_rate schedule, test_time only
 * applies when given explicitly.
 *
 * Outcome of a request: a transport error fails it (status 0, curl's message
 * such as "Failed to connect: Connection refused" or "Operation timed out
 * after 1000 ms"); else the assertions decide when there are any; else a
 * status >= 400 fails ("HTTP 404"). Retry classes: transport errors, 5xx
 * and 429 are "transient", assertion failures "flaky", other statuses
 * "permanent"; every attempt is a record (retries flagged).
 */
int ld_test_plan_new(const ld_args_t *args, ld_params_t *params,
                     ld_test_plan_t **out, ld_diag_t *d);
void ld_test_plan_free(ld_test_plan_t *plan);

/** Live figures handed to a progress callback about once a second. */
typedef struct ld_progress {
    double elapsed_s;
    double total_s;           /* 0 when unbounded */
    unsigned users;
    unsigned target_users;
    uint64_t requests;
    uint64_t failures;
    double rps;               /* over the last interval */
    double p50_ms;            /* over the last interval */
    double p95_ms;
    bool final;               /* last call, after the run */
} ld_progress_t;

typedef void (*ld_progress_cb)(const ld_progress_t *p, void *user);

typedef struct ld_run_opts {
    unsigned threads;                   /* 0 = the plan's "threads", else one
                                           per core (never more than users) */
    volatile sig_atomic_t *interrupt;   /* 1 = stop gracefully, 2 = now */
    double grace_s;                     /* wait for in-flight on stop (and at
                                           test_time); 0 = default, < 0 = no
                                           wait */
    ld_progress_cb progress;            /* may be NULL */
    void *progress_user;
    struct ld_stream *stream;           /* SQLite stream (store.h) fed about
                                           once a second, or NULL */
} ld_run_opts_t;

/**
 * Run a plan to completion (test_time, interrupt, or load shape end); every
 * request is appended to records. summary (may be NULL) receives the run's
 * summary (ld_summary_build of this run's records only).
 * Returns 0, or an LD_E* for setup errors (request failures are data).
 *
 * Stopping (test_time, shape end, *interrupt == 1): no new requests; those in
 * flight finish and are recorded until the grace period ends, then dropped.
 * *interrupt == 2 drops in-flight requests at once (not recorded). Records
 * of completed requests are never lost. The plan is not modified and may be
 * run again.
 *
 * Open model (arrival_rate): arrival k goes out at its intended time t_k
 * whatever earlier ones do, and its latency is measured from t_k
 * (coordinated omission); arrivals beyond max_in_flight are recorded as
 * failures "dropped: too many in flight" (LD_RECORD_NOT_SENT). Each arrival
 * runs one task (in turn, or by weight); think_time, throttle and retry do
 * not apply.
 */
int ld_test_run(ld_test_plan_t *plan, const ld_run_opts_t *opts,
                ld_records_t *records, json_t **summary, ld_diag_t *d);

/* ---- the live engine (what a Locust worker drives) ----
 *
 * A live engine runs one or more plans ("scenarios") on the same worker
 * threads and virtual users as ld_test_run, but nothing is planned ahead:
 * it starts with 0 users, the caller sets each scenario's user count at any
 * time (absolute counts, applied at once), takes statistics deltas in
 * Locust's shape whenever it likes, and stops when told. test_time,
 * spawn_rate and load shapes of the plans are not used; open-model plans
 * (arrival_rate) are refused.
 *
 * Threads: every ld_live_* call comes from one controlling thread. Ownership:
 * the plans are borrowed and must outlive the engine; ld_live_close frees
 * it. Stats are ld_live_stats_t values the caller frees with
 * ld_live_stats_free. */

typedef struct ld_live ld_live_t;

typedef struct ld_live_opts {
    unsigned threads;  /* per scenario; 0 = the plan's "threads", else one
                          per core */
    bool keep_records; /* keep every record for ld_live_close; otherwise a
                          record is dropped once it is counted, so memory
                          stays flat however long the engine runs */
} ld_live_opts_t;

/** One (key, count) pair of a statistics map. */
typedef struct ld_live_kv {
    int64_t key;
    uint64_t count;
} ld_live_kv_t;

/** Locust's StatsEntry over one window (a delta), for one (name, method)
 *  or for every request (the total). Times in ms, timestamps in Unix
 *  seconds. */
typedef struct ld_live_entry {
    char *name;            /* request name ("Aggregated" for the total) */
    const char *method;    /* "GET", ... ("" for the total); static */
    uint64_t requests;     /* failures included */
    uint64_t failures;
    double total_ms;
    double min_ms;         /* meaningful only when requests > 0 */
    double max_ms;         /* 0 when no request */
    uint64_t content_length;
    double last_ts;        /* completion of the last request; 0 when none */
    ld_live_kv_t *buckets; /* ld_live_bucket(ms) -> count, ascending */
    size_t nbuckets;
    ld_live_kv_t *rps;     /* Unix second of completion -> requests */
    size_t nrps;
    ld_live_kv_t *fps;     /* Unix second of completion -> failures */
    size_t nfps;
} ld_live_entry_t;

/** Failures of one window grouped by (method, name, error). */
typedef struct ld_live_error {
    char *name;
    const char *method; /* static */
    char *error;
    uint64_t occurrences;
} ld_live_error_t;

/** Everything counted since the previous ld_live_take_stats. */
typedef struct ld_live_stats {
    double start_ts;          /* Unix s when this window's activity began:
                                 the previous take, or the first user start
                                 after it; "now" for an empty window */
    ld_live_entry_t *entries; /* sorted by (name, method) */
    size_t n;
    ld_live_entry_t total;
    ld_live_error_t *errors;  /* sorted by (method, name, error) */
    size_t nerrors;
} ld_live_stats_t;

/**
 * Locust 2.x's response-time bucket of a time in ms (StatsEntry's rounding:
 * below 100 ms to the nearest ms, then to 10, 100 and 1000 ms, ties to even
 * as Python's round does; the range is chosen on the unrounded value).
 */
int64_t ld_live_bucket(double ms);

/**
 * Start a live engine over nplans scenarios (plan i is scenario i) with 0
 * users. Returns 0, LD_EINVAL (no plan, or an arrival_rate plan), LD_ENOMEM
 * or LD_EINTERNAL (a thread could not start); d says why.
 */
int ld_live_start(ld_test_plan_t *const *plans, size_t nplans,
                  const ld_live_opts_t *opts, ld_live_t **out, ld_diag_t *d);
/** Run `users` users of a scenario from now on (starting or retiring users
 *  at once; a retired user finishes its request in flight first). */
void ld_live_set_users(ld_live_t *live, size_t scenario, unsigned users);
/** Retire every user of every scenario (ld_live_set_users(.., 0)). */
void ld_live_stop_users(ld_live_t *live);
/** Users of a scenario still running (a retiring user counts until its
 *  request in flight is done); updated a few times a second. */
unsigned ld_live_users(const ld_live_t *live, size_t scenario);
/** The delta since the previous take (the first take: since the start).
 *  Every finished request is in exactly one window. 0 or LD_ENOMEM. */
int ld_live_take_stats(ld_live_t *live, ld_live_stats_t *out);
void ld_live_stats_free(ld_live_stats_t *s);
/**
 * Stop for good: no new requests; those in flight may finish (and be
 * counted) for up to grace_s seconds (<= 0: dropped at once), then the
 * threads end. A take after this returns the rest. Idempotent.
 */
void ld_live_halt(ld_live_t *live, double grace_s);
/** Halt (grace 0) if needed, move the kept records into records (may be
 *  NULL) and free the engine. 0, or LD_ENOMEM when records could not be
 *  moved. NULL is fine. */
int ld_live_close(ld_live_t *live, ld_records_t *records);

/** The LD_start_test command handler (registered in the registry). */
int ld_cmd_start_test(ld_ctx_t *ctx, const ld_args_t *args, json_t **result,
                      ld_diag_t *d);

/** Progress printers used by the CLI: a bar on a terminal, plain lines
 *  otherwise. user is a FILE*. */
void ld_progress_print_tty(const ld_progress_t *p, void *user);
void ld_progress_print_plain(const ld_progress_t *p, void *user);

#ifdef __cplusplus
}
#endif
#endif
