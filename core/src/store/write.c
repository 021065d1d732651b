/*
 * write.c - rows of the seed tables, written inside the caller's transaction
 * with one INSERT ... SELECT per batch from the ld_rows virtual table
 * (rowsrc.c: no value is bound, SQLite reads the records), plus the
 * exact times the seed has no column for: every record's start time (ns),
 * latency (us) and flags, packed into chunks of ld_record_times keyed by the
 * records.id of their first record. When the rows go in another order than
 * the records were recorded in (persist groups them by name), each row's
 * position as recorded goes into ld_record_order, in the same chunks, so a
 * load puts the run back exactly as it was.
 */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#define TIMES_CHUNK 16384u

/* One statement per batch: the rows come from the ld_rows virtual table
 * (rowsrc.c), ?2 pointing at the batch; ?1 is the run id. */
static const char ins_sql[] =
    "INSERT INTO records (run_id, outcome, method, name, url, status_code, "
    "response_time_ms, response_length, error) "
    "SELECT ?1, outcome, method, name, url, status_code, response_time_ms, "
    "response_length, error FROM temp." LD__ROWSRC_NAME " WHERE src = ?2";

static const char ins_times_sql[] =
    "INSERT INTO ld_record_times (run_id, first_id, n, data) "
    "VALUES (?1, ?2, ?3, ?4)";
static const char ins_order_sql[] =
    "INSERT INTO ld_record_order (run_id, first_id, n, data) "
    "VALUES (?1, ?2, ?3, ?4)";

static int prep(sqlite3 *db, const char *sql, sqlite3_stmt **st,
                const char *path, ld_diag_t *d)
{
    int src = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
                                 NULL);

    return src ? ld__db_fail(db, src, path, "cannot prepare a statement", d)
               : 0;
}

int ld__writer_init(ld__writer_t *w, sqlite3 *db, const char *path,
                    int64_t run_id, const uint32_t *order, ld_diag_t *d)
{
    int rc = 0;

    memset(w, 0, sizeof(*w));
    w->db = db;
    w->path = path;
    w->run_id = run_id;
    w->order = order;
    w->times = malloc((size_t)TIMES_CHUNK * LD__TIME_BYTES);
    if (order)
        w->seq = malloc((size_t)TIMES_CHUNK * LD__ORDER_BYTES);
    if (!w->times || (order && !w->seq)) {
        ld__writer_close(w);
        return LD_ENOMEM;
    }
    rc = prep(db, ins_sql, &w->ins, path, d);
    /* run_id never changes: bound once, kept across resets. */
    if (!rc)
        sqlite3_bind_int64(w->ins, 1, run_id);
    if (!rc)
        rc = prep(db, ins_times_sql, &w->ins_times, path, d);
    if (!rc)
        sqlite3_bind_int64(w->ins_times, 1, run_id);
    if (!rc && order)
        rc = prep(db, ins_order_sql, &w->ins_order, path, d);
    if (!rc && order)
        sqlite3_bind_int64(w->ins_order, 1, run_id);
    if (rc)
        ld__writer_close(w);
    return rc;
}

void ld__writer_close(ld__writer_t *w)
{
    sqlite3_finalize(w->ins);
    sqlite3_finalize(w->ins_times);
    sqlite3_finalize(w->ins_order);
    free(w->times);
    free(w->seq);
    memset(w, 0, sizeof(*w));
}

static void put_le(unsigned char *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static int put_chunk(ld__writer_t *w, sqlite3_stmt *st,
                     const unsigned char *data, size_t width)
{
    int src;

    sqlite3_bind_int64(st, 2, w->first_id);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)w->ntimes);
    sqlite3_bind_blob(st, 4, data, (int)(w->ntimes * width), SQLITE_STATIC);
    src = sqlite3_step(st);
    sqlite3_reset(st);
    return src;
}

int ld__writer_flush(ld__writer_t *w, ld_diag_t *d)
{
    int src;

    if (!w->ntimes)
        return 0;
    src = put_chunk(w, w->ins_times, w->times, LD__TIME_BYTES);
    if (src == SQLITE_DONE && w->order)
        src = put_chunk(w, w->ins_order, w->seq, LD__ORDER_BYTES);
    w->ntimes = 0;
    return src == SQLITE_DONE
               ? 0
               : ld__db_fail(w->db, src, w->path, "cannot write the run", d);
}

/* Chunks cover consecutive ids; a gap (never seen inside one transaction,
 * but cheap to guard) starts a new chunk. */
static int add_time(ld__writer_t *w, const ld_records_t *r, int64_t id,
                    size_t i, ld_diag_t *d)
{
    const ld_record_t *rec;
    unsigned char *p;
    int rc = 0;

    if (w->ntimes && (id != w->first_id + (int64_t)w->ntimes ||
                      w->ntimes == TIMES_CHUNK))
        rc = ld__writer_flush(w, d);
    if (rc)
        return rc;
    if (!w->ntimes)
        w->first_id = id;
    rec = ld__ordered_at(r, w->order, i);
    p = w->times + w->ntimes * LD__TIME_BYTES;
    put_le(p, rec->start_ns, 8);
    put_le(p + 8, rec->latency_us, 4);
    p[12] = rec->flags;
    if (w->order)
        put_le(w->seq + w->ntimes * LD__ORDER_BYTES, w->order[i],
               LD__ORDER_BYTES);
    w->ntimes++;
    return 0;
}

/* Insert records [from, to) with one statement; within it the ids are
 * consecutive (AUTOINCREMENT never reuses or skips one inside a statement
 * of our write transaction), so the last one gives them all. */
int ld__writer_add(ld__writer_t *w, const ld_records_t *r, size_t from,
                   size_t to, ld_diag_t *d)
{
    ld__rowsrc_t rs = {r, w->order, from, to};
    int64_t first;
    int rc = 0, src;

    if (from >= to)
        return 0;
    src = sqlite3_bind_pointer(w->ins, 2, &rs, LD__ROWSRC_TYPE, NULL);
    if (src == SQLITE_OK)
        src = sqlite3_step(w->ins);
    sqlite3_reset(w->ins);
    sqlite3_bind_null(w->ins, 2);
    if (src != SQLITE_DONE)
        return ld__db_fail(w->db, src, w->path, "cannot write the run", d);
    first = sqlite3_last_insert_rowid(w->db) - (int64_t)(to - from - 1);
    for (size_t i = from; !rc && i < to; i++)
        rc = add_time(w, r, first + (int64_t)(i - from), i, d);
    return rc;
}

/* ---- the run row ---- */

static void bind_time(sqlite3_stmt *st, int i, int64_t ms)
{
    char iso[40];

    if (ms <= 0) {
        sqlite3_bind_null(st, i);
        return;
    }
    ld_utc_iso8601(iso, sizeof(iso), ms);
    sqlite3_bind_text(st, i, iso, -1, SQLITE_TRANSIENT);
}

static char *metadata_text(const json_t *metadata)
{
    /* As the Python tool: no metadata is stored as "{}". */
    if (!metadata)
        return ld_strdup("{}");
    return json_dumps(metadata, JSON_COMPACT | JSON_ENCODE_ANY);
}

int ld__run_insert(sqlite3 *db, const char *path, const char *label,
                   const json_t *metadata, int64_t started_ms,
                   int64_t finished_ms, int64_t total, int64_t failed,
                   int64_t *run_id, ld_diag_t *d)
{
    sqlite3_stmt *st = NULL;
    char *meta = metadata_text(metadata);
    int rc = 0, src;

    if (!meta)
        return LD_ENOMEM;
    src = sqlite3_prepare_v2(db,
                             "INSERT INTO runs (label, started_at, "
                             "finished_at, total, failed, metadata) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                             -1, &st, NULL);
    if (src == SQLITE_OK) {
        if (label)
            sqlite3_bind_text(st, 1, label, -1, SQLITE_STATIC);
        bind_time(st, 2, started_ms);
        bind_time(st, 3, finished_ms);
        sqlite3_bind_int64(st, 4, total);
        sqlite3_bind_int64(st, 5, failed);
        sqlite3_bind_text(st, 6, meta, -1, SQLITE_STATIC);
        src = sqlite3_step(st);
    }
    if (src != SQLITE_DONE)
        rc = ld__db_fail(db, src, path, "cannot write the run", d);
    else
        *run_id = sqlite3_last_insert_rowid(db);
    sqlite3_finalize(st);
    free(meta);
    return rc;
}

int ld__run_update(sqlite3 *db, const char *path, int64_t run_id,
                   int64_t finished_ms, int64_t total, int64_t failed,
                   ld_diag_t *d)
{
    sqlite3_stmt *st = NULL;
    int src;

    src = sqlite3_prepare_v2(db,
                             "UPDATE runs SET total=?2, failed=?3, "
                             "finished_at=coalesce(?4, finished_at) "
                             "WHERE id=?1",
                             -1, &st, NULL);
    if (src == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, run_id);
        sqlite3_bind_int64(st, 2, total);
        sqlite3_bind_int64(st, 3, failed);
        bind_time(st, 4, finished_ms);
        src = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return src == SQLITE_DONE
               ? 0
               : ld__db_fail(db, src, path, "cannot update the run", d);
}
