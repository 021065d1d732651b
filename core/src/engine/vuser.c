/*
 * vuser.c - the closed model: virtual users as small state machines on the
 * worker's loop. A user runs ticks: in sequence/conditional mode every task
 * in order (each passing its run_if/skip_if), in weighted mode one task
 * picked by weight. For each task: throttle token -> request -> checks and
 * record -> retry with backoff if the failure class has budget left ->
 * think time -> next task. Each user has its own transfer slot (easy handle,
 * cookie jar), its own scope for extracted values and its own random state.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"

#define IDLE_TICK_S 0.05 /* a tick that ran nothing waits this long */

typedef enum { VU_OFF = 0, VU_WAIT, VU_FLIGHT } vu_state_t;
typedef enum { AFTER_NEXT, AFTER_SEND } vu_after_t;

struct ld__vuser {
    ld__worker_t *w;
    unsigned gidx; /* global user index */
    ld__xfer_t *xfer;
    ld_scope_t *scope;
    uv_timer_t timer;
    uint64_t rng;
    vu_state_t state;
    vu_after_t after;
    bool active; /* wanted running by the ramp */
    bool ran;    /* some task ran in this tick */
    size_t pos;
    ld__req_t req;
};

static void vu_step(ld__vuser_t *u);
static void vu_send(ld__vuser_t *u);

static void vu_off(ld__vuser_t *u)
{
    if (u->state == VU_OFF)
        return;
    uv_timer_stop(&u->timer);
    u->state = VU_OFF;
    u->active = false;
    u->w->running--;
}

static void timer_cb(uv_timer_t *t)
{
    ld__vuser_t *u = t->data;
    if (u->state != VU_WAIT)
        return;
    if (u->after == AFTER_SEND)
        vu_send(u);
    else
        vu_step(u);
}

static void vu_wait(ld__vuser_t *u, vu_after_t after, double seconds)
{
    uint64_t ms = (uint64_t)ceil(seconds * 1000.0);
    u->state = VU_WAIT;
    u->after = after;
    uv_timer_start(&u->timer, timer_cb, ms, 0);
}

static bool vu_go(const ld__vuser_t *u)
{
    return u->active && u->w->stop == 0;
}

static void after_task(ld__vuser_t *u, double min_wait)
{
    double think = ld__think_pick(&u->req.task->think, &u->rng);
    if (!vu_go(u)) {
        vu_off(u);
        return;
    }
    if (think < min_wait)
        think = min_wait;
    if (think > 0)
        vu_wait(u, AFTER_NEXT, think);
    else
        vu_step(u);
}

static void on_done(void *user, const ld__result_t *r)
{
    ld__vuser_t *u = user;
    ld__worker_t *w = u->w;
    const ld__task_t *t = u->req.task;
    bool failed = false;
    int cls;
    w->in_flight--;
    u->state = VU_WAIT; /* no timer armed: a step follows right away */
    cls = ld__req_finish(w, &u->req, r, u->scope, &failed);
    if (failed && t->retry.on && cls >= 0 && vu_go(u) &&
        u->req.used[cls] < t->retry.budget[cls]) {
        u->req.used[cls]++;
        vu_wait(u, AFTER_SEND,
                ld__retry_delay(&t->retry, u->req.attempt, &u->rng));
        return;
    }
    after_task(u, 0);
}

static void vu_send(ld__vuser_t *u)
{
    ld__worker_t *w = u->w;
    const ld__task_t *t = u->req.task;
    char err[256];
    if (!vu_go(u)) {
        vu_off(u);
        return;
    }
    u->req.t0_ns = ld_now_ns();
    u->req.attempt++;
    if (w->plan->proto->start(u->xfer, t->spec, w->plan->params, u->scope,
                              t->xf_flags, on_done, u, err, sizeof(err))) {
        ld__req_fail_now(w, t, u->req.t0_ns, err, u->scope);
        after_task(u, 0.001); /* never spin on a request that cannot start */
        return;
    }
    u->state = VU_FLIGHT;
    w->in_flight++;
}

/* The next task of the current tick, or NULL at the end of the tick. */
static const ld__task_t *next_task(ld__vuser_t *u)
{
    const ld_test_plan_t *p = u->w->plan;
    if (p->mode == LD__MODE_WEIGHTED) {
        if (u->pos++ > 0)
            return NULL;
        return ld__pick_weighted(p, &u->rng);
    }
    if (u->pos >= p->ntasks)
        return NULL;
    return &p->tasks[u->pos++];
}

static void vu_step(ld__vuser_t *u)
{
    const ld_test_plan_t *p = u->w->plan;
    for (size_t guard = 0; guard <= p->ntasks + 1; guard++) {
        const ld__task_t *t;
        if (!vu_go(u)) {
            vu_off(u);
            return;
        }
        if (!(t = next_task(u))) {
            double wait = ld__think_pick(&p->wait, &u->rng);
            if (!u->ran && wait < IDLE_TICK_S)
                wait = IDLE_TICK_S;
            u->pos = 0;
            u->ran = false;
            if (wait > 0) {
                vu_wait(u, AFTER_NEXT, wait);
                return;
            }
            continue;
        }
        ld_scope_begin_pass(u->scope);
        if (!ld__task_allowed(t, p->params, u->scope))
            continue;
        u->ran = true;
        memset(&u->req, 0, sizeof(u->req));
        u->req.task = t;
        if (t->bucket) {
            uint64_t ns = ld__bucket_take(t->bucket, ld_now_ns());
            if (ns > 0) {
                vu_wait(u, AFTER_SEND, (double)ns * 1e-9);
                return;
            }
        }
        vu_send(u);
        return;
    }
    vu_wait(u, AFTER_NEXT, IDLE_TICK_S);
}

static ld__vuser_t *vu_new(ld__worker_t *w, unsigned gidx)
{
    ld__vuser_t *u = calloc(1, sizeof(*u));
    if (!u)
        return NULL;
    u->w = w;
    u->gidx = gidx;
    u->rng = w->run->seed ^ (0x9E3779B97F4A7C15ULL * (gidx + 1));
    if (!u->rng)
        u->rng = 1;
    if (w->plan->proto->xfer_new(w->io, &u->xfer)) {
        free(u);
        return NULL;
    }
    uv_timer_init(&w->loop, &u->timer);
    u->timer.data = u;
    return u;
}

/* Start (or keep) local user j running. */
static int vu_begin(ld__worker_t *w, size_t j)
{
    ld__vuser_t *u = w->users[j];
    if (!u) {
        u = vu_new(w, (unsigned)(j * w->run->nthreads + w->idx));
        if (!u)
            return LD_ENOMEM;
        w->users[j] = u;
    }
    u->active = true;
    if (u->state != VU_OFF)
        return 0;            /* still finishing a request: keeps going */
    ld_scope_free(u->scope); /* a new user starts with a fresh scope */
    if (!(u->scope = ld_scope_new(w->plan->params)))
        return LD_ENOMEM;
    u->pos = 0;
    u->ran = false;
    u->state = VU_WAIT;
    w->running++;
    vu_step(u);
    return 0;
}

static void vu_end(ld__vuser_t *u, bool now)
{
    if (!u)
        return;
    u->active = false;
    if (u->state == VU_WAIT) {
        vu_off(u);
    } else if (u->state == VU_FLIGHT && now) {
        u->w->plan->proto->cancel(u->xfer);
        u->w->in_flight--;
        vu_off(u);
    }
}

static size_t mine(const ld__worker_t *w, unsigned total)
{
    unsigned n = w->run->nthreads;
    return total > w->idx ? (total - w->idx + n - 1) / n : 0;
}

void ld__users_tick(ld__worker_t *w, uint64_t now)
{
    double t = (double)(now - w->run->mono0_ns) * 1e-9;
    size_t want, j;
    if (w->run->live) {
        want = mine(w, atomic_load(&w->run->live_users));
    } else {
        ld__ramp_advance(&w->ramp, &w->plan->shape, t);
        want = mine(w, ld__ramp_users(&w->ramp));
    }
    if (want > w->nusers) {
        ld__vuser_t **v = realloc(w->users, want * sizeof(*v));
        if (!v)
            return; /* try again next tick */
        memset(v + w->nusers, 0, (want - w->nusers) * sizeof(*v));
        w->users = v;
        w->nusers = want;
    }
    /* Only the users between the old and the new level change. */
    for (j = w->want; j < want; j++)
        if (vu_begin(w, j))
            break;
    if (j < want)
        want = j;
    for (j = want; j < w->want; j++)
        vu_end(w->users[j], false);
    w->want = want;
}

void ld__users_stop_all(ld__worker_t *w, bool now)
{
    for (size_t j = 0; j < w->nusers; j++)
        vu_end(w->users[j], now);
}

bool ld__users_idle(const ld__worker_t *w)
{
    return w->running == 0;
}

static void vu_free_cb(uv_handle_t *h)
{
    free(h->data);
}

void ld__users_free(ld__worker_t *w)
{
    for (size_t j = 0; j < w->nusers; j++) {
        ld__vuser_t *u = w->users[j];
        if (!u)
            continue;
        vu_end(u, true);
        w->plan->proto->xfer_free(u->xfer);
        ld_scope_free(u->scope);
        uv_close((uv_handle_t *)&u->timer, vu_free_cb);
    }
    free(w->users);
    w->users = NULL;
    w->nusers = 0;
}
