/*
 * persist.c - ld_store_persist: one run, all of its records, their exact
 * times and the per-name aggregates, in ONE transaction.
 *
 * Why one transaction and not one per 50k rows: a persist that fails (disk
 * full, read-only, locked, killed) must leave the file exactly as it was,
 * byte for byte, and intermediate commits would leave half a run behind.
 * Prepared statements make the single transaction fast (about a second per
 * million records); streaming (stream.c) is the path that commits as it
 * goes, for runs too long to keep in memory.
 *
 * The write lock is taken first (BEGIN IMMEDIATE, waiting up to the busy
 * timeout) so two processes persisting at once simply take turns. The file
 * is switched to WAL after a successful commit: a fresh file is then bulk
 * loaded without writing every page twice, and a file that fails to persist
 * is never touched, not even its header.
 *
 * A load that outnumbers the rows already stored drops the seed's name
 * index first and builds it again before the commit (a sort beats keeping
 * it row by row, see ld__name_index_defer); a failure rolls that back too.
 */
#include "store/store_int.h"

#include <string.h>

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

static int write_all(sqlite3 *db, const char *path, const ld_records_t *recs,
                     int64_t run_id, ld_diag_t *d)
{
    ld__writer_t w;
    ld__run_stats_t stats;
    size_t n = ld_records_count(recs);
    bool defer = ld__name_index_defer(db, n);
    int rc = defer ? ld__name_index_drop(db, path, d) : 0;

    if (!rc)
        rc = ld__writer_init(&w, db, path, run_id, d);
    if (rc)
        return rc;
    rc = ld__writer_add(&w, recs, 0, n, d);
    if (!rc)
        rc = ld__writer_flush(&w, d);
    ld__writer_close(&w);
    if (!rc && defer)
        rc = ld__name_index_create(db, path, d);
    if (rc)
        return rc;
    rc = ld__stats_of_records(recs, &stats);
    if (!rc)
        rc = ld__stats_save(db, path, run_id, &stats, d);
    ld__run_stats_free(&stats);
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
