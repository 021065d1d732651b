/*
 * open.c - the open model: requests start on a schedule (arrival_rate),
 * whether or not earlier ones finished. Arrival k of the whole run is sent
 * by worker k % nthreads at its intended time t_k; its latency is measured
 * from t_k, so a stalled server or a late loop shows up in the figures
 * instead of silently lowering the rate (coordinated omission, as in wrk2).
 * At most max_in_flight requests run at once (split over the workers); an
 * arrival beyond that is recorded as a failure "dropped: too many in
 * flight". Each arrival runs one task: the next one in order (skipping those
 * whose run_if/skip_if say no) or, in weighted mode, one picked by weight.
 * Think time, throttle and retry are closed-model features and not applied;
 * extracted values go to one scope per worker.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"

#define MAX_BATCH 100000

struct ld__slot {
    ld__worker_t *w;
    ld__xfer_t *xfer;
    ld__req_t req;
    ld__slot_t *next;
    bool busy;
};

static void slot_put(ld__worker_t *w, ld__slot_t *s)
{
    s->busy = false;
    s->next = w->free_slots;
    w->free_slots = s;
}

static void slot_done(void *user, const ld__result_t *r)
{
    ld__slot_t *s = user;
    ld__worker_t *w = s->w;
    bool failed;
    w->in_flight--;
    ld__req_finish(w, &s->req, r, w->open_scope, &failed);
    slot_put(w, s);
}

static ld__slot_t *slot_get(ld__worker_t *w)
{
    ld__slot_t *s = w->free_slots, **v;
    if (s) {
        w->free_slots = s->next;
        return s;
    }
    v = realloc(w->slots, (w->nslots + 1) * sizeof(*v));
    if (!v)
        return NULL;
    w->slots = v;
    if (!(s = calloc(1, sizeof(*s))))
        return NULL;
    if (w->plan->proto->xfer_new(w->io, &s->xfer)) {
        free(s);
        return NULL;
    }
    s->w = w;
    w->slots[w->nslots++] = s;
    return s;
}

static const ld__task_t *open_task(ld__worker_t *w, uint64_t *rr)
{
    const ld_test_plan_t *p = w->plan;
    const ld__task_t *t;
    if (p->mode == LD__MODE_WEIGHTED) {
        t = ld__pick_weighted(p, &w->rng);
        ld_scope_begin_pass(w->open_scope);
        return t && ld__task_allowed(t, p->params, w->open_scope) ? t : NULL;
    }
    for (size_t i = 0; i < p->ntasks; i++) {
        t = &p->tasks[(*rr)++ % p->ntasks];
        ld_scope_begin_pass(w->open_scope);
        if (ld__task_allowed(t, p->params, w->open_scope))
            return t;
    }
    return NULL;
}

static void launch(ld__worker_t *w, uint64_t k, uint64_t t0)
{
    const ld__task_t *t = open_task(w, &k);
    ld__slot_t *s;
    char err[256];
    if (!t)
        return;
    if (w->in_flight >= w->slot_cap) {
        ld__req_fail_now(w, t, t0, "dropped: too many in flight",
                         w->open_scope);
        return;
    }
    if (!(s = slot_get(w))) {
        ld__req_fail_now(w, t, t0, "dropped: out of memory", w->open_scope);
        return;
    }
    memset(&s->req, 0, sizeof(s->req));
    s->req.task = t;
    s->req.t0_ns = t0;
    s->req.attempt = 1;
    if (w->plan->proto->start(s->xfer, t->spec, w->plan->params, w->open_scope,
                              t->xf_flags, slot_done, s, err, sizeof(err))) {
        ld__req_fail_now(w, t, t0, err, w->open_scope);
        slot_put(w, s);
        return;
    }
    s->busy = true;
    w->in_flight++;
}

/* uv timers have millisecond resolution: rather than sending up to 1 ms
   late (a systematic bias in every latency), a timer is armed to fire
   early and an arrival may go out up to EARLY_NS before its intended
   time; it is then timed from when it was actually sent, so latencies are
   never understated. A late send is timed from its intended time. */
#define EARLY_NS 1000000ull

static void arrive_cb(uv_timer_t *h)
{
    ld__worker_t *w = h->data;
    const ld__run_t *run = w->run;
    uint64_t now = ld_now_ns();
    if (w->stop)
        return;
    for (unsigned b = 0; b < MAX_BATCH; b++) {
        double tk = ld__arrival_time(&w->plan->arrival, w->next_k);
        uint64_t t0 = run->mono0_ns + (uint64_t)(tk * 1e9);
        if (isinf(tk) || (run->end_ns && t0 >= run->end_ns)) {
            w->sched_done = true;
            return;
        }
        if (t0 > now + EARLY_NS) {
            uv_timer_start(h, arrive_cb, (t0 - now) / 1000000ull, 0);
            return;
        }
        /* The task order follows the global arrival index, so all
           workers together send the tasks in turn. */
        launch(w, w->next_k, t0 < now ? t0 : now);
        w->next_k += run->nthreads;
        if (b % 64 == 63)
            now = ld_now_ns();
    }
    uv_timer_start(h, arrive_cb, 0, 0); /* let completions in */
}

int ld__open_start(ld__worker_t *w)
{
    unsigned n = w->run->nthreads;
    if (!(w->open_scope = ld_scope_new(w->plan->params)))
        return LD_ENOMEM;
    w->slot_cap = (w->plan->max_in_flight + n - 1) / n;
    if (w->slot_cap < 1)
        w->slot_cap = 1;
    w->next_k = w->idx;
    uv_timer_start(&w->arrive, arrive_cb, 0, 0);
    return 0;
}

void ld__open_stop(ld__worker_t *w, bool now)
{
    uv_timer_stop(&w->arrive);
    if (!now)
        return;
    for (size_t i = 0; i < w->nslots; i++) {
        ld__slot_t *s = w->slots[i];
        if (!s->busy)
            continue;
        w->plan->proto->cancel(s->xfer);
        w->in_flight--;
        slot_put(w, s);
    }
}

bool ld__open_idle(const ld__worker_t *w)
{
    return w->in_flight == 0;
}

void ld__open_free(ld__worker_t *w)
{
    ld__open_stop(w, true);
    for (size_t i = 0; i < w->nslots; i++) {
        w->plan->proto->xfer_free(w->slots[i]->xfer);
        free(w->slots[i]);
    }
    free(w->slots);
    w->slots = NULL;
    w->nslots = 0;
    w->free_slots = NULL;
    ld_scope_free(w->open_scope);
    w->open_scope = NULL;
}
