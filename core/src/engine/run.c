/*
 * run.c - ld_test_run: start the worker threads, collect their live figures
 * about once a second for the progress callback (the only cross-thread
 * traffic besides throttle buckets: one short mutex per worker), pass the
 * caller's interrupt on as a stop level, then join the workers and move
 * their records into the caller's store.
 */
#include <math.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine_int.h"
#include "proto/ring.h"

#define COLLECT_SLEEP_MS 20
#define PROGRESS_EVERY_NS 1000000000ull

typedef struct collector {
    ld_hist_t interval;
    ld_hist_t total;
    uint64_t last_ns;
    uint64_t last_requests;
    ld__ramp_t ramp;
} collector_t;

static double peak_rate(const ld__arrival_t *a)
{
    double m = 0;
    for (size_t i = 0; i < a->n; i++)
        if (a->rate[i] > m)
            m = a->rate[i];
    return m;
}

static unsigned pick_threads(const ld_test_plan_t *p, const ld_run_opts_t *o)
{
    unsigned n = o && o->threads ? o->threads : p->threads;
    bool explicit = n != 0;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    double cap;
    if (!n)
        n = cores > 0 ? (unsigned)cores : 1;
    /* More threads than users (or, by default, than ~2000 req/s each) only
       cost. */
    cap = p->open ? ceil(peak_rate(&p->arrival) / 2000.0)
                  : ld__shape_peak(&p->shape);
    if ((!p->open || !explicit) && cap < n)
        n = cap < 1 ? 1 : (unsigned)cap;
    return n > 1024 ? 1024 : n;
}

/* Every user (or in-flight request) holds a socket: lift the soft limit on
   open files toward the hard one when the default (often 1024) is short. */
static void raise_nofile(const ld_test_plan_t *p)
{
    struct rlimit rl;
    double need =
        (p->open ? p->max_in_flight : ld__shape_peak(&p->shape)) + 256;
    rlim_t want = need > 1048576 ? 1048576 : (rlim_t)need;
    if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
                      ? rl.rlim_max
                      : want;
    setrlimit(RLIMIT_NOFILE, &rl);
}

static double total_s(const ld_test_plan_t *p)
{
    double t = p->open ? ld__arrival_duration(&p->arrival)
                       : (p->shape.kind == LD__SHAPE_NONE
                              ? INFINITY
                              : ld__shape_duration(&p->shape));
    if (p->test_time >= 0 && p->test_time < t)
        t = p->test_time;
    return isfinite(t) ? t : 0;
}

static void collect(ld__run_t *run, collector_t *c, bool final)
{
    const ld_run_opts_t *o = run->opts;
    ld_progress_t pr;
    uint64_t now = ld_now_ns();
    double dt = (double)(now - c->last_ns) * 1e-9;
    memset(&pr, 0, sizeof(pr));
    for (unsigned i = 0; i < run->nthreads; i++) {
        ld__live_t *l = &run->workers[i].live;
        pthread_mutex_lock(&l->mu);
        pr.requests += l->requests;
        pr.failures += l->failures;
        pr.users += l->users;
        ld_hist_merge(&c->interval, &l->hist);
        ld_hist_reset(&l->hist);
        pthread_mutex_unlock(&l->mu);
    }
    ld_hist_merge(&c->total, &c->interval);
    pr.elapsed_s = (double)(now - run->mono0_ns) * 1e-9;
    pr.total_s = total_s(run->plan);
    if (!run->plan->open) {
        ld__ramp_advance(&c->ramp, &run->plan->shape, pr.elapsed_s);
        pr.target_users = final ? 0 : ld__ramp_users(&c->ramp);
    }
    if (final) {
        pr.rps = pr.elapsed_s > 0 ? (double)pr.requests / pr.elapsed_s : 0;
        pr.p50_ms = (double)ld_hist_percentile(&c->total, 50) / 1000.0;
        pr.p95_ms = (double)ld_hist_percentile(&c->total, 95) / 1000.0;
    } else {
        pr.rps = dt > 0 ? (double)(pr.requests - c->last_requests) / dt : 0;
        pr.p50_ms = (double)ld_hist_percentile(&c->interval, 50) / 1000.0;
        pr.p95_ms = (double)ld_hist_percentile(&c->interval, 95) / 1000.0;
    }
    pr.final = final;
    ld_hist_reset(&c->interval);
    c->last_ns = now;
    c->last_requests = pr.requests;
    if (o && o->progress)
        o->progress(&pr, o->progress_user);
}

static void pass_interrupt(ld__run_t *run)
{
    const ld_run_opts_t *o = run->opts;
    int v, want;
    if (!o || !o->interrupt)
        return;
    /* Set by a signal handler (or another thread): an atomic read. */
    v = __atomic_load_n(o->interrupt, __ATOMIC_RELAXED);
    if (v <= 0)
        return;
    want = v >= 2 ? 2 : 1;
    if (atomic_load(&run->stop) < want)
        atomic_store(&run->stop, want);
}

static void wait_workers(ld__run_t *run, collector_t *c)
{
    struct timespec ts = {0, COLLECT_SLEEP_MS * 1000000L};
    uint64_t next = run->mono0_ns + PROGRESS_EVERY_NS;
    while (atomic_load(&run->done) < run->nthreads) {
        nanosleep(&ts, NULL);
        pass_interrupt(run);
        if (ld_now_ns() >= next) {
            collect(run, c, false);
            next += PROGRESS_EVERY_NS;
        }
    }
}

static uint64_t wall_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int start_threads(ld__run_t *run, ld_diag_t *d)
{
    const ld_test_plan_t *p = run->plan;
    const ld_run_opts_t *o = run->opts;
    double grace = o ? o->grace_s : 0;
    run->mono0_ns = ld_now_ns();
    run->wall0_ns = wall_now_ns();
    run->end_ns =
        p->test_time >= 0 ? run->mono0_ns + (uint64_t)(p->test_time * 1e9) : 0;
    if (grace == 0)
        grace = LD_ENGINE_DEFAULT_GRACE_S;
    run->grace_ns = grace > 0 ? (uint64_t)(grace * 1e9) : 0;
    for (unsigned i = 0; i < run->nthreads; i++) {
        ld__worker_t *w = &run->workers[i];
        if (pthread_create(&w->tid, NULL, ld__worker_main, w)) {
            atomic_store(&run->stop, 2);
            return ld_diag_set(d, LD_EINTERNAL, NULL, NULL,
                               "cannot start worker thread %u", i);
        }
        w->started = true;
    }
    return 0;
}

static int gather(ld__run_t *run, ld_records_t *records, json_t **summary,
                  ld_diag_t *d)
{
    ld_records_t *own = NULL, *dst = records;
    int rc = 0;
    if (!dst || ld_records_count(dst) > 0) {
        if (!(own = ld_records_new()))
            return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
        dst = own;
    }
    for (unsigned i = 0; i < run->nthreads && !rc; i++)
        if (run->workers[i].records)
            rc = ld_records_merge_take(dst, run->workers[i].records);
    if (!rc && summary && !(*summary = ld_summary_build(dst)))
        rc = LD_ENOMEM;
    if (!rc && own && records)
        rc = ld_records_merge_take(records, own);
    ld_records_free(own);
    return rc ? ld_diag_set(d, rc, NULL, NULL, "cannot keep the results: %s",
                            ld_strerror(rc))
              : 0;
}

int ld__io_mode_check(ld_diag_t *d)
{
    ld__io_mode_t io;
    const char *bad = "";
    if (!ld__io_mode(&io, &bad))
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "LOADDENSITY_IO=\"%s\": expected " LD__IO_MODES,
                           bad);
    return 0;
}

int ld_test_run(ld_test_plan_t *plan, const ld_run_opts_t *opts,
                ld_records_t *records, json_t **summary, ld_diag_t *d)
{
    ld__run_t run;
    collector_t c;
    int rc = 0;
    unsigned i;
    if (summary)
        *summary = NULL;
    if ((rc = ld__io_mode_check(d)))
        return rc;
    memset(&run, 0, sizeof(run));
    memset(&c, 0, sizeof(c));
    run.plan = plan;
    run.opts = opts;
    run.seed = ld__seed();
    run.nthreads = pick_threads(plan, opts);
    raise_nofile(plan);
    atomic_init(&run.stop, 0);
    atomic_init(&run.done, 0);
    if (ld_hist_init(&c.interval) || ld_hist_init(&c.total) ||
        !(run.workers = calloc(run.nthreads, sizeof(*run.workers)))) {
        rc = ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
        goto out;
    }
    for (i = 0; i < run.nthreads && !rc; i++)
        if ((rc = ld__worker_init(&run.workers[i], &run, i)))
            ld_diag_set(d, rc, NULL, NULL, "cannot set up worker %u: %s", i,
                        ld_strerror(rc));
    if (!rc)
        rc = start_threads(&run, d);
    c.last_ns = run.mono0_ns;
    if (!rc)
        wait_workers(&run, &c);
    for (i = 0; i < run.nthreads; i++)
        if (run.workers[i].started)
            pthread_join(run.workers[i].tid, NULL);
    if (!rc)
        collect(&run, &c, true);
    for (i = 0; i < run.nthreads && !rc; i++)
        if (run.workers[i].rc)
            rc = ld_diag_set(d, run.workers[i].rc, NULL, NULL,
                             "worker %u failed: %s", i,
                             ld_strerror(run.workers[i].rc));
    if (run.workers) {
        int grc = gather(&run, records, summary, rc ? NULL : d);
        if (!rc)
            rc = grc;
    }
out:
    for (i = 0; run.workers && i < run.nthreads; i++)
        ld__worker_cleanup(&run.workers[i]);
    free(run.workers);
    ld_hist_close(&c.interval);
    ld_hist_close(&c.total);
    return rc;
}
