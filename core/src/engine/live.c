/*
 * live.c - the live engine: the worker threads and virtual users of
 * ld_test_run, driven from outside. One run (ld__run_t) per scenario, each
 * with its own threads; a run in live mode takes its user count from
 * live_users (set at any time) instead of the plan's ramp, never ends by
 * itself, and has each worker count its finished records into a window
 * (live_stats.c) that ld_live_take_stats collects.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "engine/live_int.h"

#define DRAIN_EVERY 5 /* worker ticks (10 ms) between two countings */

struct ld_live {
    size_t n;
    ld__run_t *runs; /* one per scenario */
    ld_run_opts_t run_opts;
    bool keep;
    bool halted;
    unsigned *targets;   /* per scenario */
    uint64_t since_ns;   /* wall: previous take */
    uint64_t active_ns;  /* wall: when users last went from 0 to > 0 */
};

static uint64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void ld__live_tick(ld__worker_t *w)
{
    ld__lagg_t *g = w->lagg;
    if (!g || ++g->ticks < DRAIN_EVERY)
        return;
    g->ticks = 0;
    ld__live_drain(w);
}

/* Users hold sockets and a live worker may get any count: lift the soft
   limit on open files to the hard one. */
static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == rl.rlim_max)
        return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 1048576
                      ? 1048576
                      : rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
}

static unsigned pick_threads(const ld_test_plan_t *p, const ld_live_opts_t *o)
{
    unsigned n = o && o->threads ? o->threads : p->threads;
    long cores;
    if (!n) {
        cores = sysconf(_SC_NPROCESSORS_ONLN);
        n = cores > 0 ? (unsigned)cores : 1;
    }
    return n > 1024 ? 1024 : n;
}

static ld__lagg_t *lagg_new(bool keep)
{
    ld__lagg_t *g = calloc(1, sizeof(*g));
    if (!g)
        return NULL;
    pthread_mutex_init(&g->mu, NULL);
    g->keep = keep;
    return g;
}

static void lagg_free(ld__lagg_t *g)
{
    if (!g)
        return;
    ld__lwin_free(&g->win);
    ld__lmap_free(&g->map);
    pthread_mutex_destroy(&g->mu);
    free(g);
}

static int setup_run(ld_live_t *l, ld__run_t *run, ld_test_plan_t *plan,
                     const ld_live_opts_t *o)
{
    int rc = 0;
    run->plan = plan;
    run->opts = &l->run_opts;
    run->seed = ld__seed();
    run->nthreads = pick_threads(plan, o);
    run->live = true;
    atomic_init(&run->stop, 0);
    atomic_init(&run->done, 0);
    atomic_init(&run->live_users, 0);
    run->mono0_ns = ld_now_ns();
    run->wall0_ns = wall_ns();
    run->grace_ns = (uint64_t)(LD_ENGINE_DEFAULT_GRACE_S * 1e9);
    if (!(run->workers = calloc(run->nthreads, sizeof(*run->workers))))
        return LD_ENOMEM;
    for (unsigned i = 0; i < run->nthreads && !rc; i++) {
        ld__worker_t *w = &run->workers[i];
        rc = ld__worker_init(w, run, i);
        if (!rc && !(w->lagg = lagg_new(l->keep)))
            rc = LD_ENOMEM;
    }
    return rc;
}

static int start_threads(ld__run_t *run)
{
    for (unsigned i = 0; i < run->nthreads; i++) {
        ld__worker_t *w = &run->workers[i];
        if (pthread_create(&w->tid, NULL, ld__worker_main, w))
            return LD_EINTERNAL;
        w->started = true;
    }
    return 0;
}

static void join_run(ld__run_t *run)
{
    for (unsigned i = 0; i < run->nthreads; i++) {
        ld__worker_t *w = &run->workers[i];
        if (w->started) {
            pthread_join(w->tid, NULL);
            w->started = false;
        }
    }
}

static void free_live(ld_live_t *l)
{
    for (size_t s = 0; l->runs && s < l->n; s++) {
        ld__run_t *run = &l->runs[s];
        for (unsigned i = 0; run->workers && i < run->nthreads; i++) {
            ld__worker_cleanup(&run->workers[i]);
            lagg_free(run->workers[i].lagg);
        }
        free(run->workers);
    }
    free(l->runs);
    free(l->targets);
    free(l);
}

static int check_plans(ld_test_plan_t *const *plans, size_t n, ld_diag_t *d)
{
    if (!plans || !n)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL, "no scenario to run");
    for (size_t i = 0; i < n; i++) {
        if (!plans[i])
            return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                               "scenario %zu has no plan", i);
        if (plans[i]->open)
            return ld_diag_set(d, LD_EINVAL, plans[i]->file, NULL,
                               "arrival_rate (the open model) cannot be "
                               "driven by user counts; remove it to run "
                               "as a Locust worker");
    }
    return 0;
}

int ld_live_start(ld_test_plan_t *const *plans, size_t nplans,
                  const ld_live_opts_t *opts, ld_live_t **out, ld_diag_t *d)
{
    ld_live_t *l = NULL;
    int rc;
    size_t s;
    *out = NULL;
    if ((rc = check_plans(plans, nplans, d)) || (rc = ld__io_mode_check(d)))
        return rc;
    if (!(l = calloc(1, sizeof(*l))) ||
        !(l->runs = calloc(nplans, sizeof(*l->runs))) ||
        !(l->targets = calloc(nplans, sizeof(*l->targets)))) {
        if (l)
            free(l->runs);
        free(l);
        return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    }
    l->n = nplans;
    l->keep = opts && opts->keep_records;
    l->since_ns = wall_ns();
    raise_nofile();
    for (s = 0; s < nplans && !rc; s++)
        rc = setup_run(l, &l->runs[s], plans[s], opts);
    for (s = 0; s < nplans && !rc; s++)
        rc = start_threads(&l->runs[s]);
    if (rc) {
        ld_diag_set(d, rc, NULL, NULL, "cannot start the live engine: %s",
                    ld_strerror(rc));
        l->halted = false;
        ld_live_halt(l, 0);
        free_live(l);
        return rc;
    }
    *out = l;
    return 0;
}

static unsigned total_targets(const ld_live_t *l)
{
    unsigned t = 0;
    for (size_t s = 0; s < l->n; s++)
        t += l->targets[s];
    return t;
}

void ld_live_set_users(ld_live_t *l, size_t scenario, unsigned users)
{
    if (!l || scenario >= l->n || l->halted)
        return;
    if (users && !total_targets(l))
        l->active_ns = wall_ns();
    l->targets[scenario] = users;
    atomic_store(&l->runs[scenario].live_users, users);
}

void ld_live_stop_users(ld_live_t *l)
{
    for (size_t s = 0; l && s < l->n; s++)
        ld_live_set_users(l, s, 0);
}

unsigned ld_live_users(const ld_live_t *l, size_t scenario)
{
    const ld__run_t *run;
    unsigned n = 0;
    if (!l || scenario >= l->n)
        return 0;
    run = &l->runs[scenario];
    for (unsigned i = 0; i < run->nthreads; i++) {
        ld__live_t *lv = &run->workers[i].live;
        pthread_mutex_lock(&lv->mu);
        n += lv->users;
        pthread_mutex_unlock(&lv->mu);
    }
    return n;
}

int ld_live_take_stats(ld_live_t *l, ld_live_stats_t *out)
{
    size_t nw = 0, k = 0;
    ld__lwin_t *wins;
    uint64_t since;
    int rc;
    memset(out, 0, sizeof(*out));
    for (size_t s = 0; s < l->n; s++)
        nw += l->runs[s].nthreads;
    if (!(wins = calloc(nw ? nw : 1, sizeof(*wins))))
        return LD_ENOMEM;
    for (size_t s = 0; s < l->n; s++)
        for (unsigned i = 0; i < l->runs[s].nthreads; i++) {
            ld__lagg_t *g = l->runs[s].workers[i].lagg;
            pthread_mutex_lock(&g->mu);
            wins[k++] = g->win;
            memset(&g->win, 0, sizeof(g->win));
            g->win_gen++;
            pthread_mutex_unlock(&g->mu);
        }
    since = l->active_ns > l->since_ns ? l->active_ns : l->since_ns;
    l->since_ns = wall_ns();
    rc = ld__live_merge(wins, nw, since, out);
    for (size_t i = 0; i < nw; i++)
        ld__lwin_free(&wins[i]);
    free(wins);
    return rc;
}

void ld_live_halt(ld_live_t *l, double grace_s)
{
    if (!l || l->halted)
        return;
    l->halted = true;
    for (size_t s = 0; s < l->n; s++) {
        ld__run_t *run = &l->runs[s];
        /* grace_ns is read by a worker only after it sees the stop level */
        run->grace_ns = grace_s > 0 ? (uint64_t)(grace_s * 1e9) : 0;
        atomic_store(&run->stop, grace_s > 0 ? 1 : 2);
    }
    for (size_t s = 0; s < l->n; s++) {
        ld__run_t *run = &l->runs[s];
        join_run(run);
        /* The threads are gone: count what they finished last. */
        for (unsigned i = 0; i < run->nthreads; i++)
            ld__live_drain(&run->workers[i]);
    }
}

int ld_live_close(ld_live_t *l, ld_records_t *records)
{
    int rc = 0;
    if (!l)
        return 0;
    ld_live_halt(l, 0);
    for (size_t s = 0; records && l->keep && s < l->n; s++)
        for (unsigned i = 0; i < l->runs[s].nthreads; i++) {
            ld__worker_t *w = &l->runs[s].workers[i];
            if (w->records && !rc)
                rc = ld_records_merge_take(records, w->records);
        }
    free_live(l);
    return rc;
}
