/*
 * worker.c - one worker thread: its own uv loop, protocol state (a curl
 * multi handle), records and histograms. A 10 ms control tick spawns and
 * retires users along the ramp, notices the end of the run (test_time, the
 * shape or schedule ending, the collector's stop level) and publishes live
 * figures for the collector a few times a second.
 *
 * Stopping: level 1 stops new requests and lets in-flight ones finish (and
 * be recorded) until the grace period ends; level 2, or the end of grace,
 * drops whatever is still in flight without recording it. When nothing is
 * left, every handle is closed and the loop runs out.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "proto/ring.h"
#include "ldcore/store.h"

#define TICK_MS 10
#define PUBLISH_EVERY 25 /* ticks: ~4 times a second */

static void close_all(ld__worker_t *w);

int ld__worker_stop_level(ld__worker_t *w, uint64_t now)
{
    int s = atomic_load(&w->run->stop);
    if (s < 1 && ((w->run->end_ns && now >= w->run->end_ns) || w->sched_done))
        s = 1;
    return s;
}

void ld__worker_publish(ld__worker_t *w)
{
    bool any = w->hist_live.total > 0;
    pthread_mutex_lock(&w->live.mu);
    w->live.requests = w->requests;
    w->live.failures = w->failures;
    w->live.users = w->plan->open ? w->in_flight : w->running;
    if (any)
        ld_hist_merge(&w->live.hist, &w->hist_live);
    pthread_mutex_unlock(&w->live.mu);
    if (any)
        ld_hist_reset(&w->hist_live);
    /* The worker owns its store, so pushing a copy races with nothing;
     * the final publish at worker exit pushes the rest. */
    if (w->run->opts && w->run->opts->stream) {
        size_t n = ld_records_count(w->records);

        if (n > w->streamed &&
            ld_stream_push(w->run->opts->stream, w->records, w->streamed,
                           n) == 0)
            w->streamed = n;
    }
}

static void stop_all(ld__worker_t *w, bool now)
{
    if (w->plan->open)
        ld__open_stop(w, now);
    else
        ld__users_stop_all(w, now);
}

static bool idle(const ld__worker_t *w)
{
    return w->plan->open ? ld__open_idle(w) : ld__users_idle(w);
}

static void tick_cb(uv_timer_t *h)
{
    ld__worker_t *w = h->data;
    uint64_t now = ld_now_ns();
    int lvl = ld__worker_stop_level(w, now);
    if (w->stop == 0 && lvl >= 1) {
        w->stop = 1;
        w->grace_end_ns = now + w->run->grace_ns;
        stop_all(w, lvl >= 2 || w->run->grace_ns == 0);
    } else if (w->stop == 1 && (lvl >= 2 || now >= w->grace_end_ns)) {
        stop_all(w, true);
    }
    if (w->stop == 0 && !w->plan->open) {
        ld__users_tick(w, now);
        if (w->ramp.ended)
            w->sched_done = true;
    }
    if (w->run->live)
        ld__live_tick(w);
    if (++w->published_ticks >= PUBLISH_EVERY) {
        w->published_ticks = 0;
        ld__worker_publish(w);
    }
    if (w->stop && idle(w))
        close_all(w);
}

static unsigned max_conns(const ld__worker_t *w)
{
    const ld_test_plan_t *p = w->plan;
    unsigned n = w->run->nthreads;
    double peak = p->open ? p->max_in_flight : ld__shape_peak(&p->shape);
    if (w->run->live) /* any count may come: size for many users */
        peak = 65536.0 * n;
    double per = ceil(peak / n) + 16;
    return per > 65536 ? 65536u : (unsigned)per;
}

int ld__worker_init(ld__worker_t *w, ld__run_t *run, unsigned idx)
{
    const ld_test_plan_t *p = run->plan;
    w->idx = idx;
    w->run = run;
    w->plan = p;
    w->rng = run->seed ^ (0xD1B54A32D192ED03ULL * (idx + 1));
    pthread_mutex_init(&w->live.mu, NULL);
    w->live_ok = true;
    if (ld_hist_init(&w->hist) || ld_hist_init(&w->hist_live) ||
        ld_hist_init(&w->live.hist))
        return LD_ENOMEM;
    w->hists_ok = true;
    w->records = ld_records_new();
    w->name_ids = calloc(p->ntasks, sizeof(uint32_t));
    w->url_ids = calloc(p->ntasks, sizeof(uint32_t));
    if (!w->records || !w->name_ids || !w->url_ids)
        return LD_ENOMEM;
    if (uv_loop_init(&w->loop))
        return LD_EINTERNAL;
    w->loop_ok = true;
    uv_timer_init(&w->loop, &w->tick);
    uv_timer_init(&w->loop, &w->arrive);
    w->tick.data = w;
    w->arrive.data = w;
    return p->proto->io_init(&w->loop, max_conns(w), &w->io);
}

static void close_all(ld__worker_t *w)
{
    if (w->closed)
        return;
    w->closed = true;
    if (w->plan->open)
        ld__open_free(w);
    else
        ld__users_free(w);
    if (w->io)
        w->plan->proto->io_close(w->io);
    w->io = NULL;
    uv_close((uv_handle_t *)&w->tick, NULL);
    uv_close((uv_handle_t *)&w->arrive, NULL);
}

void *ld__worker_main(void *arg)
{
    ld__worker_t *w = arg;
    int rc = 0;
    if (w->plan->open)
        rc = ld__open_start(w);
    if (rc) {
        w->rc = rc;
        close_all(w);
    } else {
        uv_timer_start(&w->tick, tick_cb, 0, TICK_MS);
    }
    ld__loop_run(&w->loop); /* through an io_uring once sockets ask */
    uv_loop_close(&w->loop);
    w->loop_ok = false;
    ld__worker_publish(w);
    atomic_fetch_add(&w->run->done, 1);
    return NULL;
}

void ld__worker_cleanup(ld__worker_t *w)
{
    if (w->loop_ok) { /* the thread never ran */
        close_all(w);
        uv_run(&w->loop, UV_RUN_DEFAULT);
        uv_loop_close(&w->loop);
        w->loop_ok = false;
    }
    ld_records_free(w->records);
    w->records = NULL;
    free(w->name_ids);
    free(w->url_ids);
    if (w->hists_ok) {
        ld_hist_close(&w->hist);
        ld_hist_close(&w->hist_live);
        ld_hist_close(&w->live.hist);
    }
    if (w->live_ok)
        pthread_mutex_destroy(&w->live.mu);
}
