/*
 * live_stats.c - the live engine's counting in Locust's terms: per (name,
 * method) requests, failures, response-time buckets with Locust's rounding,
 * min/max/total, content length, requests and failures per Unix second, and
 * failures grouped by (method, name, error). Worker threads count into
 * their own windows; the controlling thread merges the windows it takes.
 *
 * A request is named as in the summary: its name, else its URL, else
 * "unknown". Its second is the one it finished in, as Locust logs it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/live_int.h"

int64_t ld_live_bucket(double ms)
{
    double unit;
    if (!(ms > 0))
        return 0;
    if (ms < 100)
        return (int64_t)nearbyint(ms);
    unit = ms < 1000 ? 10 : ms < 10000 ? 100 : 1000;
    if (ms > 9e15)
        return (int64_t)9e15;
    return (int64_t)(nearbyint(ms / unit) * unit);
}

static int dense_index(int64_t key)
{
    if (key < 100)
        return (int)key;
    if (key < 1000)
        return 100 + (int)((key - 100) / 10);
    if (key < 10000)
        return 190 + (int)((key - 1000) / 100);
    return -1;
}

static int64_t dense_key(int i)
{
    if (i < 100)
        return i;
    if (i < 190)
        return 100 + (int64_t)(i - 100) * 10;
    return 1000 + (int64_t)(i - 190) * 100;
}

/* ---- the worker's id map ---- */

static uint64_t mix(uint64_t a, uint32_t b)
{
    uint64_t x = a ^ ((uint64_t)b * 0x9E3779B97F4A7C15ULL);
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 29;
    return x;
}

static ld__lslot_t *map_find(const ld__lmap_t *m, uint64_t a, uint32_t b)
{
    size_t i;
    if (!m->cap)
        return NULL;
    for (i = mix(a, b) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        ld__lslot_t *s = &m->s[i];
        if (!s->v || (s->a == a && s->b == b))
            return s;
    }
}

static int map_grow(ld__lmap_t *m)
{
    size_t cap = m->cap ? m->cap * 2 : 64;
    ld__lslot_t *old = m->s, *s = calloc(cap, sizeof(*s));
    size_t ocap = m->cap;
    if (!s)
        return LD_ENOMEM;
    m->s = s;
    m->cap = cap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].v)
            *map_find(m, old[i].a, old[i].b) = old[i];
    free(old);
    return 0;
}

static void map_clear(ld__lmap_t *m)
{
    if (m->s)
        memset(m->s, 0, m->cap * sizeof(*m->s));
    m->n = 0;
}

void ld__lmap_free(ld__lmap_t *m)
{
    free(m->s);
    memset(m, 0, sizeof(*m));
}

/* The slot for (a, b), inserted empty (v == 0) when new; NULL on ENOMEM. */
static ld__lslot_t *map_slot(ld__lmap_t *m, uint64_t a, uint32_t b)
{
    ld__lslot_t *s;
    if ((m->n + 1) * 2 > m->cap && map_grow(m))
        return NULL;
    s = map_find(m, a, b);
    if (!s->v) {
        s->a = a;
        s->b = b;
    }
    return s;
}

/* ---- windows ---- */

static void lent_free(ld__lent_t *e)
{
    if (!e)
        return;
    free(e->name);
    free(e->sparse);
    free(e->secs);
    free(e);
}

void ld__lwin_free(ld__lwin_t *win)
{
    for (size_t i = 0; i < win->n; i++)
        lent_free(win->ents[i]);
    for (size_t i = 0; i < win->nerr; i++) {
        free(win->errs[i].name);
        free(win->errs[i].error);
    }
    free(win->ents);
    free(win->errs);
    memset(win, 0, sizeof(*win));
}

static ld__lent_t *lent_new(const char *name, uint8_t method)
{
    ld__lent_t *e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    if (!(e->name = ld_strdup(name))) {
        free(e);
        return NULL;
    }
    e->method = method;
    e->min_us = UINT64_MAX;
    e->first_start_ns = UINT64_MAX;
    return e;
}

static int add_sparse(ld__lent_t *e, int64_t key, uint64_t n)
{
    for (size_t i = 0; i < e->nsparse; i++)
        if (e->sparse[i].key == key) {
            e->sparse[i].count += n;
            return 0;
        }
    if (e->nsparse == e->capsparse) {
        size_t cap = e->capsparse ? e->capsparse * 2 : 8;
        ld_live_kv_t *v = realloc(e->sparse, cap * sizeof(*v));
        if (!v)
            return LD_ENOMEM;
        e->sparse = v;
        e->capsparse = cap;
    }
    e->sparse[e->nsparse].key = key;
    e->sparse[e->nsparse++].count = n;
    return 0;
}

static int add_sec(ld__lent_t *e, int64_t sec, uint64_t reqs, uint64_t fails)
{
    /* Seconds come almost in order: look from the end. */
    for (size_t i = e->nsecs; i-- > 0;) {
        if (e->secs[i].sec == sec) {
            e->secs[i].reqs += reqs;
            e->secs[i].fails += fails;
            return 0;
        }
        if (e->nsecs - i > 4)
            break;
    }
    if (e->nsecs == e->capsecs) {
        size_t cap = e->capsecs ? e->capsecs * 2 : 8;
        ld__lsec_t *v = realloc(e->secs, cap * sizeof(*v));
        if (!v)
            return LD_ENOMEM;
        e->secs = v;
        e->capsecs = cap;
    }
    e->secs[e->nsecs].sec = sec;
    e->secs[e->nsecs].reqs = reqs;
    e->secs[e->nsecs++].fails = fails;
    return 0;
}

static int add_bucket(ld__lent_t *e, int64_t key, uint64_t n)
{
    int i = dense_index(key);
    if (i >= 0) {
        e->dense[i] += (uint32_t)n;
        return 0;
    }
    return add_sparse(e, key, n);
}

static int win_push(ld__lwin_t *win, ld__lent_t *e)
{
    if (win->n == win->cap) {
        size_t cap = win->cap ? win->cap * 2 : 8;
        ld__lent_t **v = realloc(win->ents, cap * sizeof(*v));
        if (!v)
            return LD_ENOMEM;
        win->ents = v;
        win->cap = cap;
    }
    win->ents[win->n++] = e;
    return 0;
}

static int win_push_err(ld__lwin_t *win, const char *name, uint8_t method,
                        const char *error)
{
    ld__lerr_t *x;
    if (win->nerr == win->caperr) {
        size_t cap = win->caperr ? win->caperr * 2 : 8;
        ld__lerr_t *v = realloc(win->errs, cap * sizeof(*v));
        if (!v)
            return LD_ENOMEM;
        win->errs = v;
        win->caperr = cap;
    }
    x = &win->errs[win->nerr];
    memset(x, 0, sizeof(*x));
    x->method = method;
    x->name = ld_strdup(name);
    x->error = ld_strdup(error);
    if (!x->name || !x->error) {
        free(x->name);
        free(x->error);
        return LD_ENOMEM;
    }
    win->nerr++;
    return 0;
}

/* ---- counting one record (worker thread) ---- */

static const char *rec_name(const ld_records_t *st, const ld_record_t *rec,
                            uint64_t *a)
{
    const char *s = ld_records_str(st, rec->name_id);
    uint64_t which = 0, id = rec->name_id;
    if (!*s) {
        s = ld_records_str(st, rec->url_id);
        id = rec->url_id;
        which = 1;
    }
    if (!*s) {
        s = "unknown";
        id = 0;
        which = 2;
    }
    *a = (id << 10) | (which << 8) | rec->method;
    return s;
}

static ld__lent_t *entry_for(ld__lagg_t *g, const ld_records_t *st,
                             const ld_record_t *rec, uint64_t *a)
{
    const char *name = rec_name(st, rec, a);
    ld__lslot_t *s = map_slot(&g->map, *a, 0);
    ld__lent_t *e;
    if (!s)
        return NULL;
    if (s->v)
        return g->win.ents[s->v - 1];
    if (!(e = lent_new(name, rec->method)))
        return NULL;
    if (win_push(&g->win, e)) {
        lent_free(e);
        return NULL;
    }
    s->v = (uint32_t)g->win.n;
    g->map.n++;
    return e;
}

static void count_error(ld__lagg_t *g, const ld_records_t *st,
                        const ld_record_t *rec, const ld__lent_t *e,
                        uint64_t a)
{
    ld__lslot_t *s = map_slot(&g->map, a, rec->error_id);
    if (!s)
        return;
    if (!s->v) {
        if (win_push_err(&g->win, e->name, rec->method,
                         ld_records_str(st, rec->error_id)))
            return;
        s->v = (uint32_t)g->win.nerr;
        g->map.n++;
    }
    g->win.errs[s->v - 1].n++;
}

static void count_one(ld__lagg_t *g, const ld_records_t *st,
                      const ld_record_t *rec)
{
    uint64_t a, us = rec->latency_us;
    uint64_t end = rec->start_ns + us * 1000u;
    bool failed = rec->error_id != 0;
    ld__lent_t *e = entry_for(g, st, rec, &a);
    if (!e) {
        g->lost++;
        return;
    }
    e->requests++;
    e->failures += failed;
    e->content += rec->resp_len;
    e->total_us += us;
    if (us < e->min_us)
        e->min_us = us;
    if (us > e->max_us)
        e->max_us = us;
    if (rec->start_ns < e->first_start_ns)
        e->first_start_ns = rec->start_ns;
    if (end > e->last_end_ns)
        e->last_end_ns = end;
    if (add_bucket(e, ld_live_bucket((double)us / 1000.0), 1) ||
        add_sec(e, (int64_t)(end / 1000000000u), 1, failed))
        g->lost++;
    if (failed)
        count_error(g, st, rec, e, a);
}

void ld__live_drain(ld__worker_t *w)
{
    ld__lagg_t *g = w->lagg;
    size_t count;
    if (!g || !w->records)
        return;
    count = ld_records_count(w->records);
    if (g->it >= count)
        return;
    pthread_mutex_lock(&g->mu);
    if (g->map_gen != g->win_gen) { /* the window was taken: new slots */
        map_clear(&g->map);
        g->map_gen = g->win_gen;
    }
    while (g->it < count)
        count_one(g, w->records, ld_records_at(w->records, g->it++));
    if (!g->keep) {
        /* The store's ids die with it: so do the cached ones. */
        ld_records_clear(w->records);
        if (w->plan->ntasks) {
            memset(w->name_ids, 0, w->plan->ntasks * sizeof(*w->name_ids));
            memset(w->url_ids, 0, w->plan->ntasks * sizeof(*w->url_ids));
        }
        g->it = 0;
        map_clear(&g->map);
    }
    pthread_mutex_unlock(&g->mu);
}

/* ---- merging windows (controlling thread) ---- */

static int cmp_ent(const void *x, const void *y)
{
    const ld__lent_t *a = *(ld__lent_t *const *)x, *b = *(ld__lent_t *const *)y;
    int c = strcmp(a->name, b->name);
    return c ? c : (int)a->method - (int)b->method;
}

static int cmp_err(const void *x, const void *y)
{
    const ld__lerr_t *a = x, *b = y;
    int c = (int)a->method - (int)b->method;
    if (c)
        return c;
    c = strcmp(a->name, b->name);
    return c ? c : strcmp(a->error, b->error);
}

static int cmp_kv(const void *x, const void *y)
{
    const ld_live_kv_t *a = x, *b = y;
    return a->key < b->key ? -1 : a->key > b->key;
}

static int cmp_sec(const void *x, const void *y)
{
    const ld__lsec_t *a = x, *b = y;
    return a->sec < b->sec ? -1 : a->sec > b->sec;
}

static int lent_merge(ld__lent_t *dst, const ld__lent_t *src)
{
    dst->requests += src->requests;
    dst->failures += src->failures;
    dst->content += src->content;
    dst->total_us += src->total_us;
    if (src->min_us < dst->min_us)
        dst->min_us = src->min_us;
    if (src->max_us > dst->max_us)
        dst->max_us = src->max_us;
    if (src->first_start_ns < dst->first_start_ns)
        dst->first_start_ns = src->first_start_ns;
    if (src->last_end_ns > dst->last_end_ns)
        dst->last_end_ns = src->last_end_ns;
    for (int i = 0; i < LD__LIVE_DENSE; i++)
        dst->dense[i] += src->dense[i];
    for (size_t i = 0; i < src->nsparse; i++)
        if (add_sparse(dst, src->sparse[i].key, src->sparse[i].count))
            return LD_ENOMEM;
    for (size_t i = 0; i < src->nsecs; i++)
        if (add_sec(dst, src->secs[i].sec, src->secs[i].reqs,
                    src->secs[i].fails))
            return LD_ENOMEM;
    return 0;
}

/* Seconds in order, each once, into the rps/fps maps of out. */
static int secs_out(ld__lent_t *e, ld_live_entry_t *out)
{
    size_t n = 0;
    if (e->nsecs > 1)
        qsort(e->secs, e->nsecs, sizeof(*e->secs), cmp_sec);
    for (size_t i = 0; i < e->nsecs; i++) {
        if (n && e->secs[n - 1].sec == e->secs[i].sec) {
            e->secs[n - 1].reqs += e->secs[i].reqs;
            e->secs[n - 1].fails += e->secs[i].fails;
        } else {
            e->secs[n++] = e->secs[i];
        }
    }
    out->rps = calloc(n ? n : 1, sizeof(*out->rps));
    out->fps = calloc(n ? n : 1, sizeof(*out->fps));
    if (!out->rps || !out->fps)
        return LD_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        out->rps[out->nrps].key = e->secs[i].sec;
        out->rps[out->nrps++].count = e->secs[i].reqs;
        if (e->secs[i].fails) {
            out->fps[out->nfps].key = e->secs[i].sec;
            out->fps[out->nfps++].count = e->secs[i].fails;
        }
    }
    return 0;
}

static int lent_out(ld__lent_t *e, const char *name, const char *method,
                    ld_live_entry_t *out)
{
    size_t nb = e->nsparse;
    memset(out, 0, sizeof(*out));
    out->method = method;
    if (!(out->name = ld_strdup(name)))
        return LD_ENOMEM;
    out->requests = e->requests;
    out->failures = e->failures;
    out->total_ms = (double)e->total_us / 1000.0;
    out->min_ms = e->requests ? (double)e->min_us / 1000.0 : 0;
    out->max_ms = (double)e->max_us / 1000.0;
    out->content_length = e->content;
    out->last_ts = e->requests ? (double)e->last_end_ns / 1e9 : 0;
    for (int i = 0; i < LD__LIVE_DENSE; i++)
        nb += e->dense[i] != 0;
    if (!(out->buckets = calloc(nb ? nb : 1, sizeof(*out->buckets))))
        return LD_ENOMEM;
    for (int i = 0; i < LD__LIVE_DENSE; i++)
        if (e->dense[i]) {
            out->buckets[out->nbuckets].key = dense_key(i);
            out->buckets[out->nbuckets++].count = e->dense[i];
        }
    if (e->nsparse > 1)
        qsort(e->sparse, e->nsparse, sizeof(*e->sparse), cmp_kv);
    for (size_t i = 0; i < e->nsparse; i++)
        out->buckets[out->nbuckets++] = e->sparse[i];
    return secs_out(e, out);
}

static void entry_free(ld_live_entry_t *e)
{
    free(e->name);
    free(e->buckets);
    free(e->rps);
    free(e->fps);
}

void ld_live_stats_free(ld_live_stats_t *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        entry_free(&s->entries[i]);
    entry_free(&s->total);
    for (size_t i = 0; i < s->nerrors; i++) {
        free(s->errors[i].name);
        free(s->errors[i].error);
    }
    free(s->entries);
    free(s->errors);
    memset(s, 0, sizeof(*s));
}

/* All entries of all windows, sorted by (name, method). */
static ld__lent_t **gather_ents(ld__lwin_t *wins, size_t n, size_t *count)
{
    size_t total = 0, k = 0;
    ld__lent_t **all;
    for (size_t i = 0; i < n; i++)
        total += wins[i].n;
    if (!(all = calloc(total ? total : 1, sizeof(*all))))
        return NULL;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < wins[i].n; j++)
            all[k++] = wins[i].ents[j];
    if (total > 1)
        qsort(all, total, sizeof(*all), cmp_ent);
    *count = total;
    return all;
}

static int merge_entries(ld__lwin_t *wins, size_t n, ld_live_stats_t *out,
                         ld__lent_t *total)
{
    size_t count = 0, i = 0;
    ld__lent_t **all = gather_ents(wins, n, &count);
    int rc = 0;
    if (!all || !(out->entries = calloc(count ? count : 1,
                                        sizeof(*out->entries)))) {
        free(all);
        return LD_ENOMEM;
    }
    while (i < count && !rc) {
        size_t j = i + 1;
        for (; j < count && !cmp_ent(&all[i], &all[j]); j++)
            if (!rc)
                rc = lent_merge(all[i], all[j]);
        if (!rc)
            rc = lent_merge(total, all[i]);
        if (!rc)
            rc = lent_out(all[i], all[i]->name,
                          ld_method_name((ld_method_t)all[i]->method),
                          &out->entries[out->n++]);
        i = j;
    }
    free(all);
    return rc;
}

static int merge_errors(ld__lwin_t *wins, size_t n, ld_live_stats_t *out)
{
    size_t total = 0, k = 0;
    ld__lerr_t *all;
    for (size_t i = 0; i < n; i++)
        total += wins[i].nerr;
    if (!(all = calloc(total ? total : 1, sizeof(*all))) ||
        !(out->errors = calloc(total ? total : 1, sizeof(*out->errors)))) {
        free(all);
        return LD_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < wins[i].nerr; j++)
            all[k++] = wins[i].errs[j]; /* borrowed: the windows own them */
    if (total > 1)
        qsort(all, total, sizeof(*all), cmp_err);
    for (size_t i = 0; i < total;) {
        ld_live_error_t *e = &out->errors[out->nerrors];
        size_t j = i;
        e->occurrences = 0;
        for (; j < total && !cmp_err(&all[i], &all[j]); j++)
            e->occurrences += all[j].n;
        e->method = ld_method_name((ld_method_t)all[i].method);
        e->name = ld_strdup(all[i].name);
        e->error = ld_strdup(all[i].error);
        out->nerrors++;
        if (!e->name || !e->error) {
            free(all);
            return LD_ENOMEM;
        }
        i = j;
    }
    free(all);
    return 0;
}

int ld__live_merge(ld__lwin_t *wins, size_t n, uint64_t since_ns,
                   ld_live_stats_t *out)
{
    ld__lent_t *total = lent_new("Aggregated", 0);
    struct timespec ts;
    int rc;
    memset(out, 0, sizeof(*out));
    if (!total)
        return LD_ENOMEM;
    rc = merge_entries(wins, n, out, total);
    if (!rc)
        rc = merge_errors(wins, n, out);
    if (!rc)
        rc = lent_out(total, "Aggregated", "", &out->total);
    if (total->requests) {
        uint64_t s = since_ns < total->first_start_ns ? since_ns
                                                      : total->first_start_ns;
        out->start_ts = (double)s / 1e9;
    } else {
        clock_gettime(CLOCK_REALTIME, &ts);
        out->start_ts = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    }
    lent_free(total);
    if (rc)
        ld_live_stats_free(out);
    return rc;
}
