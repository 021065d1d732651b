/*
 * persist.c - ld_store_persist: one run, all of its records, their exact
 * times and the per-name aggregates, in ONE transaction.
 *
 * Why one transaction and not one per 50k rows: a persist that fails (disk
 * full, read-only, locked, killed) must leave the file exactly as it was,
 * byte for byte, and intermediate commits would leave half a run behind.
 * One INSERT ... SELECT per batch makes the single transaction fast (1.1 to
 * 1.9 s per million records on the development VM, docs/internals/STORE.md);
 * streaming (stream.c) is the path that commits as it goes, for runs too
 * long to keep in memory.
 *
 * The write lock is taken first (BEGIN IMMEDIATE, waiting up to the busy
 * timeout) so two processes persisting at once simply take turns. The file
 * is switched to WAL after a successful commit: a fresh file is then bulk
 * loaded without writing every page twice, and a file that fails to persist
 * is never touched, not even its header.
 *
 * The rows go in grouped by name, in the order of the seed's name index
 * (ld__name_order), so that into an empty table every index entry is an
 * append; ld_record_order keeps where each was in the run as recorded. A
 * load that outnumbers half of the rows already stored drops the name
 * index first and builds it again before the commit (a sort beats keeping
 * it row by row, see ld__name_index_defer); a failure rolls that back too.
 * Meanwhile a second thread computes the per-name aggregates from the
 * same (read-only) records; they are written last.
 */
#include "store/store_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* From this many records on, the per-name aggregates are computed by a
 * second thread while this one inserts the rows (about 4 % of a persist;
 * below it, starting a thread costs more than it saves). */
#define STATS_THREAD_MIN 50000u

typedef struct stats_job {
    const ld_records_t *recs;
    ld__run_stats_t stats;
    int rc;
    bool threaded;
    pthread_t tid;
} stats_job_t;

static void *stats_main(void *arg)
{
    stats_job_t *j = arg;

    j->rc = ld__stats_of_records(j->recs, &j->stats);
    return NULL;
}

/* Starts the aggregates (on a thread when worth it and possible). */
static void stats_start(stats_job_t *j, const ld_records_t *recs, size_t n)
{
    memset(j, 0, sizeof(*j));
    j->recs = recs;
    j->threaded = n >= STATS_THREAD_MIN &&
                  pthread_create(&j->tid, NULL, stats_main, j) == 0;
}

/* Their result; computed here when no thread did. */
static int stats_finish(stats_job_t *j)
{
    if (j->threaded)
        pthread_join(j->tid, NULL);
    else
        stats_main(j);
    return j->rc;
}

static void derive_times(const ld_records_t *recs, int64_t *started_ms,
                         int64_t *finished_ms)
{
    uint64_t first = UINT64_MAX, last = 0;
    size_t it = 0;
    const ld_record_t *rec;
    int64_t now = ld_unix_ms();

    while ((rec = ld_records_next(recs, &it)) != NULL) {
        uint64_t end = rec->start_ns + (uint64_t)rec->latency_us * 1000u;
        if (rec->start_ns < first)
            first = rec->start_ns;
        if (end > last)
            last = end;
    }
    if (!*started_ms)
        *started_ms = first == UINT64_MAX ? now : (int64_t)(first / 1000000u);
    if (!*finished_ms)
        *finished_ms = last ? (int64_t)((last + 999999u) / 1000000u)
                            : *started_ms;
    if (*finished_ms < *started_ms)
        *finished_ms = *started_ms;
}

typedef struct name_key {
    const char *s;
    uint32_t id;
} name_key_t;

/* The name index's order: NULL (id 0) first, then SQLite's BINARY
 * collation, which for strings without NUL is strcmp's (unsigned bytes). */
static int cmp_name(const void *a, const void *b)
{
    const name_key_t *x = a, *y = b;

    if (!x->id || !y->id)
        return (x->id != 0) - (y->id != 0);
    return strcmp(x->s, y->s);
}

int ld__name_order(const ld_records_t *r, uint32_t **order)
{
    size_t n = ld_records_count(r), ns = ld_records_nstrings(r);
    size_t nk = 0, it = 0, i = 0;
    uint32_t *at = NULL, *out = NULL, pos = 0;
    name_key_t *keys = NULL;
    const ld_record_t *rec;
    int rc = 0;

    *order = NULL;
    if (n < 2 || n > UINT32_MAX)
        return 0;
    /* Counting sort on the interned name ids: at[id] first counts, then
     * holds where the next record of that name goes. */
    at = calloc(ns + 1, sizeof(*at));
    if (!at)
        return LD_ENOMEM;
    while ((rec = ld_records_next(r, &it)) != NULL) {
        if (rec->name_id > ns) {    /* not from this store: keep as given */
            nk = 0;
            break;
        }
        if (at[rec->name_id]++ == 0)
            nk++;
    }
    if (nk < 2)     /* one name: already in order */
        goto out;
    keys = malloc(nk * sizeof(*keys));
    out = malloc(n * sizeof(*out));
    if (!keys || !out) {
        rc = LD_ENOMEM;
        goto out;
    }
    nk = 0;
    for (uint32_t id = 0; id <= ns; id++)
        if (at[id])
            keys[nk++] = (name_key_t){ld_records_str(r, id), id};
    qsort(keys, nk, sizeof(*keys), cmp_name);
    for (size_t k = 0; k < nk; k++) {
        uint32_t c = at[keys[k].id];
        at[keys[k].id] = pos;
        pos += c;
    }
    it = 0;
    while ((rec = ld_records_next(r, &it)) != NULL)
        out[at[rec->name_id]++] = (uint32_t)i++;
    *order = out;
    out = NULL;
out:
    free(out);
    free(keys);
    free(at);
    return rc;
}

static int write_all(sqlite3 *db, const char *path, const ld_records_t *recs,
                     int64_t run_id, ld_diag_t *d)
{
    ld__writer_t w;
    stats_job_t job;
    uint32_t *order = NULL;
    size_t n = ld_records_count(recs);
    bool defer = ld__name_index_defer(db, n);
    int rc = defer ? ld__name_index_drop(db, path, d) : 0;

    if (!rc)
        rc = ld__name_order(recs, &order);
    if (!rc)
        rc = ld__writer_init(&w, db, path, run_id, order, d);
    if (rc) {
        free(order);
        return rc;
    }
    /* The records are only read from here on, by both threads. */
    stats_start(&job, recs, n);
    rc = ld__writer_add(&w, recs, 0, n, d);
    if (!rc)
        rc = ld__writer_flush(&w, d);
    ld__writer_close(&w);
    free(order);
    if (!rc && defer)
        rc = ld__name_index_create(db, path, d);
    if (stats_finish(&job) && !rc)
        rc = job.rc;
    if (!rc)
        rc = ld__stats_save(db, path, run_id, &job.stats, d);
    ld__run_stats_free(&job.stats);
    return rc;
}

int ld_store_persist(const char *db_path, const ld_records_t *recs,
                     const char *label, const json_t *metadata,
                     int64_t started_ms, int64_t finished_ms,
                     int64_t *run_id, ld_diag_t *d)
{
    static const char what[] = "cannot persist the run";
    sqlite3 *db = NULL;
    int64_t id = 0;
    int rc = 0;

    if (!recs || !run_id)
        return ld_diag_set(d, LD_EINVAL, db_path, NULL,
                           "%s: no records given", what);
    derive_times(recs, &started_ms, &finished_ms);
    rc = ld__db_open(db_path, true, &db, d);
    if (!rc)
        rc = ld__db_begin(db, db_path, what, d);
    if (!rc)
        rc = ld__schema_ensure(db, db_path, d);
    if (!rc)
        rc = ld__run_insert(db, db_path, label, metadata, started_ms,
                            finished_ms, (int64_t)ld_records_count(recs),
                            (int64_t)ld_records_failed(recs), &id, d);
    if (!rc)
        rc = write_all(db, db_path, recs, id, d);
    if (!rc)
        rc = ld__db_commit(db, db_path, what, d);
    if (rc)
        goto out;
    ld__db_want_wal(db);
    *run_id = id;
out:
    ld__db_rollback(db);
    ld__db_close(db);
    return ld__diag_fallback(d, rc, db_path, what);
}
