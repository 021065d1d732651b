/*
 * stream.c - streaming a run into SQLite while it happens.
 *
 * ld_stream_open inserts the run row right away (finished_at NULL) and
 * commits it, then starts a writer thread that owns the connection. Pushers
 * copy records into a queue (an ld_records_t) under a mutex; about once a
 * second (or sooner when the queue holds many records) the writer swaps the
 * queue for an empty one and commits the batch in one transaction, together
 * with the run's running totals. A process killed mid-run therefore leaves a
 * consistent database: the run row, every batch committed so far (at most
 * about a second behind) and finished_at NULL to tell the run is unfinished.
 *
 * Memory stays flat: the queue is emptied every commit, and the per-name
 * aggregates (written at close) are bounded per name (see agg.c).
 */
#include "store/store_int.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

unsigned ld__stream_interval_ms = 1000;

/* A batch this big is committed without waiting for the interval. */
#define EAGER_RECORDS 100000u

struct ld_stream {
    char *path;
    sqlite3 *db;              /* the writer's, once started */
    int64_t run_id;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t wake;      /* writer: work or closing */
    pthread_cond_t room;      /* pushers: the queue drained */
    ld_records_t *queue;      /* guarded by mu */
    bool closing;             /* guarded by mu */
    int err;                  /* sticky writer error, guarded by mu */
    uint64_t dropped;         /* guarded by mu */
    ld_diag_t diag;           /* writer's error detail */
    ld_records_t *batch;      /* writer only */
    ld__agg_t agg;            /* writer only */
    uint64_t total;           /* writer only: records committed */
    uint64_t failed;
};

static const char what[] = "cannot stream the run";

/* ---- writer ---- */

static int commit_batch(ld_stream_t *s, ld_diag_t *d)
{
    ld__writer_t w;
    size_t n = ld_records_count(s->batch);
    int rc = ld__db_begin(s->db, s->path, what, d);

    if (rc)
        return rc;
    rc = ld__writer_init(&w, s->db, s->path, s->run_id, NULL, d);
    if (!rc) {
        rc = ld__writer_add(&w, s->batch, 0, n, d);
        if (!rc)
            rc = ld__writer_flush(&w, d);
        ld__writer_close(&w);
    }
    if (!rc)
        rc = ld__run_update(s->db, s->path, s->run_id, 0,
                            (int64_t)(s->total + n),
                            (int64_t)(s->failed +
                                      ld_records_failed(s->batch)),
                            d);
    if (!rc)
        rc = ld__db_commit(s->db, s->path, what, d);
    if (rc) {
        ld__db_rollback(s->db);
        return rc;
    }
    s->total += n;
    s->failed += ld_records_failed(s->batch);
    return ld__agg_add(&s->agg, s->batch, 0, n);
}

static void add_ms(struct timespec *ts, unsigned ms)
{
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Wait for the next commit time (a fixed cadence: the time spent writing
 * does not push the next commit back), or for a big queue or closing.
 * Called and returns with mu held; the queue is swapped into s->batch.
 * *last tells whether this is the final batch. */
static void take_batch(ld_stream_t *s, struct timespec *next, bool *last)
{
    struct timespec now;
    ld_records_t *t;

    while (!s->closing && ld_records_count(s->queue) < EAGER_RECORDS &&
           pthread_cond_timedwait(&s->wake, &s->mu, next) != ETIMEDOUT)
        ;
    t = s->queue;
    s->queue = s->batch;
    s->batch = t;
    *last = s->closing;
    pthread_cond_broadcast(&s->room);
    add_ms(next, ld__stream_interval_ms);
    clock_gettime(CLOCK_REALTIME, &now);
    if (next->tv_sec < now.tv_sec ||
        (next->tv_sec == now.tv_sec && next->tv_nsec < now.tv_nsec))
        *next = now;   /* behind: commit again as soon as there is work */
}

static void *writer_main(void *arg)
{
    ld_stream_t *s = arg;
    ld_diag_t d;
    struct timespec next;
    bool last = false;
    size_t n = 0;
    int rc = 0;

    clock_gettime(CLOCK_REALTIME, &next);
    add_ms(&next, ld__stream_interval_ms);
    pthread_mutex_lock(&s->mu);
    while (!last) {
        take_batch(s, &next, &last);
        pthread_mutex_unlock(&s->mu);
        ld_diag_clear(&d);
        n = ld_records_count(s->batch);
        rc = n ? commit_batch(s, &d) : 0;
        ld_records_clear(s->batch);
        pthread_mutex_lock(&s->mu);
        if (rc && !s->err) {
            s->err = ld__diag_fallback(&d, rc, s->path, what);
            s->diag = d;
            s->dropped += n;
        }
        if (s->err)
            last = true;   /* stop writing; pushers see the error */
    }
    pthread_cond_broadcast(&s->room);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* ---- open ---- */

static void stream_free(ld_stream_t *s)
{
    if (!s)
        return;
    ld__db_close(s->db);
    ld_records_free(s->queue);
    ld_records_free(s->batch);
    ld__agg_free(&s->agg);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->wake);
    pthread_cond_destroy(&s->room);
    free(s->path);
    free(s);
}

static ld_stream_t *stream_new(const char *path)
{
    ld_stream_t *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->wake, NULL);
    pthread_cond_init(&s->room, NULL);
    s->path = ld_strdup(path);
    s->queue = ld_records_new();
    s->batch = ld_records_new();
    if (ld__agg_init(&s->agg) || !s->path || !s->queue || !s->batch) {
        stream_free(s);
        return NULL;
    }
    return s;
}

/* The run row goes in before the first record, committed on its own. */
static int start_run(ld_stream_t *s, const char *label,
                     const json_t *metadata, ld_diag_t *d)
{
    int rc = ld__db_open(s->path, true, &s->db, d);

    if (rc)
        return rc;
    /* Readers (list, dashboards) keep working while the run streams. */
    ld__db_want_wal(s->db);
    rc = ld__db_begin(s->db, s->path, what, d);
    if (!rc)
        rc = ld__schema_ensure(s->db, s->path, d);
    if (!rc)
        rc = ld__run_insert(s->db, s->path, label, metadata, ld_unix_ms(), 0,
                            0, 0, &s->run_id, d);
    if (!rc)
        rc = ld__db_commit(s->db, s->path, what, d);
    ld__db_rollback(s->db);
    return rc;
}

static int start_thread(ld_stream_t *s)
{
    sigset_t all, old;
    int e;

    /* The writer never handles signals: they stay with the caller. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    e = pthread_create(&s->thread, NULL, writer_main, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    s->started = e == 0;
    return e ? LD_ENOMEM : 0;
}

int ld_stream_open(const char *db_path, const char *label,
                   const json_t *metadata, ld_stream_t **out, ld_diag_t *d)
{
    ld_stream_t *s = NULL;
    int rc = 0;

    *out = NULL;
    if (!db_path || !*db_path)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "no database path given");
    s = stream_new(db_path);
    if (!s)
        return ld_diag_set(d, LD_ENOMEM, db_path, NULL, "out of memory");
    rc = start_run(s, label, metadata, d);
    if (!rc)
        rc = start_thread(s);
    if (rc) {
        stream_free(s);
        return ld__diag_fallback(d, rc, db_path, what);
    }
    *out = s;
    return 0;
}

int64_t ld_stream_run_id(const ld_stream_t *s)
{
    return s ? s->run_id : 0;
}

/* ---- push ---- */

/* Copy [from, to) of src into a private store (outside the lock). */
static int copy_range(const ld_records_t *src, size_t from, size_t to,
                      ld_records_t *dst)
{
    uint32_t *map = calloc(ld_records_nstrings(src) + 1, sizeof(*map));
    int rc = map ? 0 : LD_ENOMEM;

    for (size_t i = from; !rc && i < to; i++) {
        ld_record_t rec = *ld_records_at(src, i);
        uint32_t *ids[3] = {&rec.name_id, &rec.url_id, &rec.error_id};
        for (int k = 0; !rc && k < 3; k++) {
            uint32_t id = *ids[k];
            if (id && !map[id]) {
                const char *str = ld_records_str(src, id);
                map[id] = ld_records_intern(dst, str, strlen(str));
                rc = map[id] ? 0 : LD_ENOMEM;
            }
            *ids[k] = id ? map[id] : 0;
        }
        if (!rc)
            rc = ld_records_add(dst, &rec);
    }
    free(map);
    return rc;
}

int ld_stream_push(ld_stream_t *s, const ld_records_t *src, size_t from,
                   size_t to)
{
    ld_records_t *tmp = NULL;
    int rc = 0;

    if (!s || !src || from > to || to > ld_records_count(src))
        return LD_EINVAL;
    if (from == to)
        return 0;
    tmp = ld_records_new();
    rc = tmp ? copy_range(src, from, to, tmp) : LD_ENOMEM;
    pthread_mutex_lock(&s->mu);
    while (!rc && !s->err && !s->closing &&
           ld_records_count(s->queue) >= LD_STREAM_MAX_PENDING)
        pthread_cond_wait(&s->room, &s->mu);
    if (!rc && (s->err || s->closing))
        rc = s->err ? s->err : LD_EINVAL;
    if (!rc)
        rc = ld_records_merge_take(s->queue, tmp);
    if (rc)
        s->dropped += to - from;
    else if (ld_records_count(s->queue) >= EAGER_RECORDS)
        pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->mu);
    ld_records_free(tmp);
    return rc;
}

/* ---- close ---- */

static int finish_run(ld_stream_t *s, ld_diag_t *d)
{
    ld__run_stats_t stats;
    int rc = ld__db_begin(s->db, s->path, what, d);

    memset(&stats, 0, sizeof(stats));
    if (!rc)
        rc = ld__run_update(s->db, s->path, s->run_id, ld_unix_ms(),
                            (int64_t)s->total, (int64_t)s->failed, d);
    if (!rc && !s->agg.overflow)
        rc = ld__agg_stats(&s->agg, &stats);
    if (!rc)
        rc = ld__stats_save(s->db, s->path, s->run_id, &stats, d);
    if (!rc)
        rc = ld__db_commit(s->db, s->path, what, d);
    ld__db_rollback(s->db);
    ld__run_stats_free(&stats);
    return rc;
}

int ld_stream_close(ld_stream_t *s, int64_t *run_id, ld_diag_t *d)
{
    int rc = 0;

    if (!s)
        return LD_EINVAL;
    pthread_mutex_lock(&s->mu);
    s->closing = true;
    pthread_cond_signal(&s->wake);
    pthread_cond_broadcast(&s->room);
    pthread_mutex_unlock(&s->mu);
    if (s->started)
        pthread_join(s->thread, NULL);
    if (run_id)
        *run_id = s->run_id;
    rc = s->err;
    if (rc) {
        /* The writer stopped at its first error: what it had not written
         * yet is lost, and said so. */
        s->dropped += ld_records_count(s->queue);
        if (d)
            ld_diag_set(d, rc, s->path, NULL, "%s (%llu records not saved)",
                        s->diag.msg, (unsigned long long)s->dropped);
    } else {
        rc = finish_run(s, d);
        ld__diag_fallback(d, rc, s->path, what);
    }
    stream_free(s);
    return rc;
}
