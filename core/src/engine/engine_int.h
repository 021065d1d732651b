/*
 * engine_int.h - the load engine's internals: the compiled plan and its
 * tasks, predicates, throttle buckets, load shapes and arrival schedules,
 * worker threads and virtual users.
 *
 * Threads: the plan is immutable while a run is going, except the throttle
 * buckets (each has its own mutex) and the per-worker live snapshots (each
 * has its own mutex, taken about 4 times a second by its worker and once a
 * second by the collector). Everything else on the hot path belongs to one
 * worker thread.
 */
#ifndef LD_ENGINE_INT_H
#define LD_ENGINE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "checks/checks_int.h"
#include "ldcore/engine.h"
#include "proto/proto_int.h"

/* ---- random numbers (xorshift64*, one state per user or worker) ---- */

static inline uint64_t ld__rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [0, 1). */
static inline double ld__rand01(uint64_t *s)
{
    return (double)(ld__rand(s) >> 11) * (1.0 / 9007199254740992.0);
}

uint64_t ld__seed(void);

/* ---- predicates (run_if / skip_if) ---- */

typedef enum ld__pred_kind {
    LD__PRED_CONST, /* bool or number */
    LD__PRED_STR,   /* "${var.x}": truthy after expansion */
    LD__PRED_EQ,
    LD__PRED_NE,
    LD__PRED_IN,
    LD__PRED_TRUTHY
} ld__pred_kind_t;

typedef struct ld__pred {
    ld__pred_kind_t kind;
    bool value;      /* CONST */
    ld_tmpl_t *tmpl; /* STR */
    json_t *a;       /* EQ/NE/IN: the two operands; TRUTHY: a */
    json_t *b;
} ld__pred_t;

int ld__pred_compile(const ld_node_t *n, const char *field, const char *file,
                     ld__pred_t **out, ld_diag_t *d);
void ld__pred_free(ld__pred_t *p);
bool ld__pred_eval(const ld__pred_t *p, ld_params_t *params, ld_scope_t *scope);
/** Truthiness of a resolved value, as the Python tool sees it (text that
 *  is still a placeholder, "", "false", "0", "no", "none", "null" are
 *  false). */
bool ld__truthy_json(const json_t *v);

/* ---- throttle: token buckets shared by key, across threads ---- */

typedef struct ld__bucket {
    char *key;
    double rps;
    double burst;
    pthread_mutex_t mu;
    double tokens;
    uint64_t last_ns;
} ld__bucket_t;

/** Take one token now or reserve the next one: returns how many ns to wait
 *  before sending (0 = now). */
uint64_t ld__bucket_take(ld__bucket_t *b, uint64_t now_ns);

/* ---- think time, retry ---- */

typedef struct ld__think {
    double min_s;
    double max_s; /* == min_s for a fixed time */
} ld__think_t;

double ld__think_pick(const ld__think_t *t, uint64_t *rng);

enum { LD__RETRY_TRANSIENT, LD__RETRY_FLAKY, LD__RETRY_PERMANENT };

typedef struct ld__retry {
    bool on;
    unsigned budget[3]; /* transient, flaky, permanent */
    double base_s;
    double max_s;
    double factor;
    double jitter;
} ld__retry_t;

/** Delay before retry number attempt (1-based), jitter included. */
double ld__retry_delay(const ld__retry_t *r, unsigned attempt, uint64_t *rng);

/* ---- tasks and the plan ---- */

typedef struct ld__task {
    unsigned index;
    void *spec; /* the protocol driver's compiled fields */
    ld_method_t method;
    const char *url_lit;  /* borrowed from spec, or NULL */
    ld_tmpl_t *name;      /* NULL: records use the URL */
    char *name_lit;       /* name when literal */
    ld__checks_t *checks; /* may be NULL */
    unsigned xf_flags;    /* LD__XF_* the checks need */
    bool has_assertions;
    double weight;
    ld__think_t think;
    ld__bucket_t *bucket; /* shared, owned by the plan */
    ld__retry_t retry;
    ld__pred_t *run_if;
    ld__pred_t *skip_if;
} ld__task_t;

typedef enum ld__mode {
    LD__MODE_SEQUENCE,
    LD__MODE_WEIGHTED,
    LD__MODE_CONDITIONAL
} ld__mode_t;

typedef enum ld__shape_kind {
    LD__SHAPE_NONE, /* user_count at spawn_rate until stopped */
    LD__SHAPE_STAGES,
    LD__SHAPE_SPIKE,
    LD__SHAPE_SOAK
} ld__shape_kind_t;

typedef struct ld__stage {
    double end_s; /* cumulative end of the stage */
    double users;
    double rate; /* users per second toward `users` */
} ld__stage_t;

typedef struct ld__shape {
    ld__shape_kind_t kind;
    ld__stage_t *stages; /* STAGES and SPIKE (as three stages) */
    size_t nstages;
    /* SOAK */
    double users, rate, ramp_s, hold_s, cool_s;
} ld__shape_t;

/** Target users and spawn rate at time t; false when the shape has ended. */
bool ld__shape_at(const ld__shape_t *s, double t, double *users, double *rate);
/** Total duration of a shape (INFINITY for LD__SHAPE_NONE). */
double ld__shape_duration(const ld__shape_t *s);
/** Largest user count the shape ever asks for. */
double ld__shape_peak(const ld__shape_t *s);

/* The user level follows the shape's target at its spawn rate. Every worker
 * advances its own copy in the same fixed steps, so all agree. */
typedef struct ld__ramp {
    double t;     /* time simulated so far */
    double level; /* users that should be running (fractional) */
    bool ended;
} ld__ramp_t;

void ld__ramp_advance(ld__ramp_t *r, const ld__shape_t *s, double t);
/** Users that should be running: ceil(level). */
unsigned ld__ramp_users(const ld__ramp_t *r);

/* Open model: requests per second over time. */
typedef struct ld__arrival {
    double *end_s; /* cumulative stage ends */
    double *rate;
    double *cum; /* arrivals before each stage */
    size_t n;
} ld__arrival_t;

/** Intended time (s from start) of arrival k, or INFINITY when the schedule
 *  ends before it. */
double ld__arrival_time(const ld__arrival_t *a, uint64_t k);
double ld__arrival_rate_at(const ld__arrival_t *a, double t);
double ld__arrival_duration(const ld__arrival_t *a);
void ld__arrival_free(ld__arrival_t *a);

struct ld_test_plan {
    ld_params_t *params; /* borrowed: must outlive the plan */
    char *file;
    const ld__proto_t *proto;
    ld__task_t *tasks;
    size_t ntasks;
    ld__mode_t mode;
    double total_weight;
    unsigned user_count;
    double spawn_rate;
    double test_time; /* < 0: until interrupted */
    ld__shape_t shape;
    bool open; /* arrival_rate given */
    ld__arrival_t arrival;
    unsigned max_in_flight;
    unsigned threads; /* 0 = one per core */
    ld__think_t wait; /* pause between ticks of a user */
    ld__bucket_t **buckets;
    size_t nbuckets;
    ld__proto_defaults_t defs;
    char *host;
    char *http_version;
};

int ld__plan_tasks(ld_test_plan_t *plan, const ld_node_t *tasks,
                   const char *file, ld_diag_t *d);
int ld__plan_shape(ld_test_plan_t *plan, const ld_args_t *args, ld_diag_t *d);
int ld__plan_arrival(ld_test_plan_t *plan, const ld_node_t *n, const char *file,
                     ld_diag_t *d);
int ld__think_compile(const ld_node_t *n, const char *field, const char *file,
                      ld__think_t *out, ld_diag_t *d);
void ld__task_clear(const ld__proto_t *proto, ld__task_t *t);

/* ---- run, workers, users ---- */

typedef struct ld__run ld__run_t;
typedef struct ld__worker ld__worker_t;
typedef struct ld__vuser ld__vuser_t;
typedef struct ld__slot ld__slot_t;

/* What a worker publishes for the collector (under mu). */
typedef struct ld__live {
    pthread_mutex_t mu;
    uint64_t requests;
    uint64_t failures;
    unsigned users;
    ld_hist_t hist; /* latencies since the collector last took */
} ld__live_t;

struct ld__worker {
    unsigned idx;
    ld__run_t *run;
    const ld_test_plan_t *plan;
    pthread_t tid;
    bool started;
    int rc; /* setup error of the thread */
    bool live_ok, hists_ok, loop_ok, closed;
    uv_loop_t loop;
    uv_timer_t tick;
    void *io; /* protocol driver state */
    ld_records_t *records;
    ld_hist_t hist;      /* every latency of this worker */
    ld_hist_t hist_live; /* since the last publish */
    uint64_t requests, failures;
    unsigned published_ticks;
    uint32_t *name_ids; /* per task: interned literal name, 0 = none */
    uint32_t *url_ids;  /* per task: interned literal URL */
    /* closed model */
    ld__vuser_t **users; /* local index -> user (lazily created) */
    size_t nusers;
    size_t want;      /* local users the ramp wants running */
    unsigned running; /* users started and not stopped */
    unsigned in_flight;
    ld__ramp_t ramp;
    /* open model */
    ld__slot_t **slots;
    size_t nslots;
    ld__slot_t *free_slots;
    unsigned slot_cap;
    uint64_t next_k; /* next arrival index of this worker */
    uv_timer_t arrive;
    ld_scope_t *open_scope;
    uint64_t rng;
    /* stopping */
    bool sched_done; /* the shape or arrival schedule has ended */
    int stop;        /* 0 running, 1 draining, 2 done */
    uint64_t grace_end_ns;
    ld__live_t live;
    struct ld__lagg *lagg; /* live engine (live.c): this worker's counts */
    size_t streamed;       /* records already pushed to opts->stream */
};

struct ld__run {
    const ld_test_plan_t *plan;
    const ld_run_opts_t *opts;
    unsigned nthreads;
    ld__worker_t *workers;
    atomic_int stop;  /* 0 run, 1 graceful, 2 now */
    atomic_uint done; /* workers finished */
    uint64_t mono0_ns;
    uint64_t wall0_ns;
    uint64_t end_ns; /* mono deadline, 0 = none */
    uint64_t grace_ns;
    uint64_t seed;
    /* live engine (live.c): users follow live_users, not the plan's ramp */
    bool live;
    atomic_uint live_users;
};

/** LD_EINVAL with a message when LOADDENSITY_IO is not a known value
 *  (run.c; checked before any run, counted or live, starts). */
int ld__io_mode_check(ld_diag_t *d);

int ld__worker_init(ld__worker_t *w, ld__run_t *run, unsigned idx);
void ld__worker_cleanup(ld__worker_t *w);
void *ld__worker_main(void *arg);

/* Shared request plumbing (request.c). */
typedef struct ld__req {
    const ld__task_t *task;
    uint64_t t0_ns; /* mono (intended) send time */
    unsigned attempt;
    unsigned used[3]; /* retries used per class */
} ld__req_t;

/** Outcome of one finished request: records it and updates the live
 *  counters; returns the failure class (or -1 on success). */
int ld__req_finish(ld__worker_t *w, const ld__req_t *q, const ld__result_t *r,
                   ld_scope_t *scope, bool *failed);
/** Record a request that never went out (start error, overflow). */
void ld__req_fail_now(ld__worker_t *w, const ld__task_t *t, uint64_t t0_ns,
                      const char *msg, ld_scope_t *scope);
/** Which task a tick of the weighted mode runs, or NULL. */
const ld__task_t *ld__pick_weighted(const ld_test_plan_t *p, uint64_t *rng);
bool ld__task_allowed(const ld__task_t *t, ld_params_t *params,
                      ld_scope_t *scope);
uint64_t ld__wall_ns(const ld__run_t *run, uint64_t mono_ns);
/** Draining/stop status the worker should act on now. */
int ld__worker_stop_level(ld__worker_t *w, uint64_t now);
void ld__worker_publish(ld__worker_t *w);

/* Closed model (vuser.c). */
void ld__users_tick(ld__worker_t *w, uint64_t now);
void ld__users_stop_all(ld__worker_t *w, bool now);
bool ld__users_idle(const ld__worker_t *w);
void ld__users_free(ld__worker_t *w);

/* Live engine (live.c): count the records finished since the last call. */
void ld__live_tick(ld__worker_t *w);

/* Open model (open.c). */
int ld__open_start(ld__worker_t *w);
void ld__open_stop(ld__worker_t *w, bool now);
bool ld__open_idle(const ld__worker_t *w);
void ld__open_free(ld__worker_t *w);

#endif
