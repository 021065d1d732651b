/*
 * request.c - what happens to every finished request, in either model:
 * checks (assertions, then extractors into the user's scope), the failure
 * class for retries, one record in the worker's store, the worker's
 * histograms and counters.
 */
#include <stdio.h>
#include <string.h>

#include "engine/engine_int.h"

uint64_t ld__wall_ns(const ld__run_t *run, uint64_t mono_ns)
{
    if (mono_ns >= run->mono0_ns)
        return run->wall0_ns + (mono_ns - run->mono0_ns);
    return run->wall0_ns - (run->mono0_ns - mono_ns);
}

bool ld__task_allowed(const ld__task_t *t, ld_params_t *params,
                      ld_scope_t *scope)
{
    if (t->run_if && !ld__pred_eval(t->run_if, params, scope))
        return false;
    if (t->skip_if && ld__pred_eval(t->skip_if, params, scope))
        return false;
    return true;
}

const ld__task_t *ld__pick_weighted(const ld_test_plan_t *p, uint64_t *rng)
{
    double pick = ld__rand01(rng) * p->total_weight, cur = 0;
    if (p->total_weight <= 0)
        return NULL;
    for (size_t i = 0; i < p->ntasks; i++) {
        cur += p->tasks[i].weight;
        if (pick < cur)
            return &p->tasks[i];
    }
    for (size_t i = p->ntasks; i-- > 0;)
        if (p->tasks[i].weight > 0)
            return &p->tasks[i];
    return NULL;
}

static uint32_t name_id(ld__worker_t *w, const ld__task_t *t, ld_scope_t *scope)
{
    ld_buf_t b;
    uint32_t id = 0;
    if (t->name_lit) {
        if (!w->name_ids[t->index])
            w->name_ids[t->index] =
                ld_records_intern(w->records, t->name_lit, strlen(t->name_lit));
        return w->name_ids[t->index];
    }
    if (!t->name)
        return 0;
    ld_buf_init(&b, 1u << 16);
    if (!ld_tmpl_render(t->name, w->plan->params, scope, &b) && b.data)
        id = ld_records_intern(w->records, b.data, b.len);
    ld_buf_free(&b);
    return id;
}

static uint32_t url_id(ld__worker_t *w, const ld__task_t *t, const char *url,
                       size_t len)
{
    if (t->url_lit) {
        if (!w->url_ids[t->index])
            w->url_ids[t->index] =
                ld_records_intern(w->records, t->url_lit, strlen(t->url_lit));
        return w->url_ids[t->index];
    }
    return ld_records_intern(w->records, url ? url : "", url ? len : 0);
}

static void account(ld__worker_t *w, ld_record_t *rec, bool failed)
{
    ld_records_add(w->records, rec);
    ld_hist_record(&w->hist, rec->latency_us);
    ld_hist_record(&w->hist_live, rec->latency_us);
    w->requests++;
    if (failed)
        w->failures++;
}

static uint32_t latency_us(uint64_t t0, uint64_t t1)
{
    uint64_t us = t1 > t0 ? (t1 - t0) / 1000 : 0;
    return us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/* Judge a response: transport error, then assertions (which decide when
   there are any, as in the Python tool), else the status (>= 400 fails,
   as in Locust). Extractors run after the assertions passed. */
static int judge(ld__worker_t *w, const ld__task_t *t, const ld__result_t *r,
                 ld_scope_t *scope, char *msg, size_t size, const char **err)
{
    ld__response_t resp;
    *err = NULL;
    if (r->error) {
        *err = r->error;
        return LD__RETRY_TRANSIENT;
    }
    if (t->checks && !ld__checks_empty(t->checks)) {
        memset(&resp, 0, sizeof(resp));
        resp.status = r->status;
        resp.body = r->body;
        resp.body_len = r->body_len;
        resp.headers = r->headers;
        resp.headers_len = r->headers_len;
        msg[0] = '\0';
        if (ld__checks_run(t->checks, &resp, w->plan->params, scope, msg,
                           size)) {
            *err = msg[0] ? msg : "assertion failed";
            return LD__RETRY_FLAKY;
        }
    }
    if (!t->has_assertions && (r->status >= 400 || r->status < 100)) {
        snprintf(msg, size, "HTTP %d", r->status);
        *err = msg;
        return (r->status >= 500 || r->status == 429) ? LD__RETRY_TRANSIENT
                                                      : LD__RETRY_PERMANENT;
    }
    return -1;
}

int ld__req_finish(ld__worker_t *w, const ld__req_t *q, const ld__result_t *r,
                   ld_scope_t *scope, bool *failed)
{
    const ld__task_t *t = q->task;
    char msg[1024];
    const char *err;
    ld_record_t rec;
    uint64_t now = ld_now_ns();
    int cls = judge(w, t, r, scope, msg, sizeof(msg), &err);
    memset(&rec, 0, sizeof(rec));
    rec.start_ns = ld__wall_ns(w->run, q->t0_ns);
    rec.latency_us = latency_us(q->t0_ns, now);
    rec.resp_len = r->resp_len;
    rec.url_id = url_id(w, t, r->url, r->url_len);
    rec.name_id = name_id(w, t, scope);
    rec.error_id = err ? ld_records_intern(w->records, err, strlen(err)) : 0;
    if (err && !rec.error_id)
        rec.error_id = ld_records_intern(w->records, "failed", 6);
    rec.status = r->error ? 0 : (uint16_t)(r->status > 0 ? r->status : 0);
    rec.method = (uint8_t)t->method;
    rec.flags = q->attempt > 1 ? LD_RECORD_RETRY : 0;
    *failed = err != NULL;
    account(w, &rec, *failed);
    return cls;
}

void ld__req_fail_now(ld__worker_t *w, const ld__task_t *t, uint64_t t0_ns,
                      const char *msg, ld_scope_t *scope)
{
    ld_record_t rec;
    memset(&rec, 0, sizeof(rec));
    rec.start_ns = ld__wall_ns(w->run, t0_ns);
    rec.latency_us = latency_us(t0_ns, ld_now_ns());
    rec.url_id = t->url_lit ? url_id(w, t, NULL, 0) : 0;
    rec.name_id = name_id(w, t, scope);
    rec.error_id = ld_records_intern(w->records, msg, strlen(msg));
    rec.method = (uint8_t)t->method;
    rec.flags = LD_RECORD_NOT_SENT;
    account(w, &rec, true);
}
