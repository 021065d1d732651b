/*
 * store_int.h - internals of the SQLite store: connections and error
 * messages, the schema (seed tables + our own), the record writer shared by
 * ld_store_persist and the streaming writer, and the per-name aggregates
 * behind run diffs.
 */
#ifndef LD_STORE_INT_H
#define LD_STORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "ldcore/store.h"

/* Test knob: when > 0 every write connection gets PRAGMA max_page_count=N,
 * which makes SQLite fail with SQLITE_FULL like a full disk. */
extern int ld__store_max_pages;

/* Test knob: commit interval of the streaming writer (default 1000 ms). */
extern unsigned ld__stream_interval_ms;

/* Schema version written to ld_schema_version. */
#define LD__STORE_SCHEMA_VERSION 1

/* ---- connections (db.c) ---- */

/**
 * Open path for reading (must exist, opened read-only) or writing (created
 * when missing). Sets the busy timeout and extended result codes and checks
 * that the file is a database. On error *out is NULL and d names the file.
 */
int ld__db_open(const char *path, bool write, sqlite3 **out, ld_diag_t *d);
void ld__db_close(sqlite3 *db);

/**
 * Turn a SQLite failure into an LD_E* code and a clear message:
 * "<what>: <cause>" with d->file = path. src is the SQLite result code.
 */
int ld__db_fail(sqlite3 *db, int src, const char *path, const char *what,
                ld_diag_t *d);

/** Run SQL text without results; on error ld__db_fail(what). */
int ld__db_exec(sqlite3 *db, const char *sql, const char *path,
                const char *what, ld_diag_t *d);

/** Does a table of that name exist? (false on error) */
bool ld__db_has_table(sqlite3 *db, const char *name);

/**
 * Create the seed tables and ours when missing (inside the caller's
 * transaction) and check that existing seed tables have the seed's columns.
 */
int ld__schema_ensure(sqlite3 *db, const char *path, ld_diag_t *d);

/** Check existing seed tables only (for readers). */
int ld__schema_check(sqlite3 *db, const char *path, ld_diag_t *d);

/** Switch to WAL (best effort; needs a moment of exclusive access). */
void ld__db_want_wal(sqlite3 *db);

/** "BEGIN IMMEDIATE" / "COMMIT"; rollback is silent and safe to repeat. */
int ld__db_begin(sqlite3 *db, const char *path, const char *what,
                 ld_diag_t *d);
int ld__db_commit(sqlite3 *db, const char *path, const char *what,
                  ld_diag_t *d);
void ld__db_rollback(sqlite3 *db);

/** Make sure a failure carries a message (out of memory has none yet). */
static inline int ld__diag_fallback(ld_diag_t *d, int rc, const char *path,
                                    const char *what)
{
    if (rc && d && !d->code)
        ld_diag_set(d, rc, path, NULL, "%s: %s", what, ld_strerror(rc));
    return rc;
}

/* ---- record writer (write.c) ---- */

typedef struct ld__writer {
    sqlite3 *db;
    const char *path;
    int64_t run_id;
    sqlite3_stmt *ins;        /* INSERT INTO records ... FROM temp.ld_rows */
    sqlite3_stmt *ins_times;  /* INSERT INTO ld_record_times */
    sqlite3_stmt *ins_order;  /* INSERT INTO ld_record_order (w->order) */
    unsigned char *times;     /* packed start_ns/latency/flags of a chunk */
    unsigned char *seq;       /* packed positions as recorded (w->order) */
    size_t ntimes;            /* records in the chunk */
    int64_t first_id;         /* records.id of the chunk's first record */
    const uint32_t *order;    /* write r[order[i]] for i (NULL: r[i]) */
} ld__writer_t;

/* ---- records as a virtual table (rowsrc.c) ---- */

/* Record i of a write in the given order (order[i] of r; NULL: r[i]). */
static inline const ld_record_t *ld__ordered_at(const ld_records_t *r,
                                                const uint32_t *order,
                                                size_t i)
{
    return ld_records_at(r, order ? order[i] : i);
}

/* Virtual table (temp.ld_rows, one per writing connection) yielding
 * records [from, to) of r (through order when set) as `records` rows:
 * outcome, method, name, url, status_code, response_time_ms,
 * response_length, error; the source is its hidden column src, given as
 * `src = ?` with a pointer bound by sqlite3_bind_pointer. */
#define LD__ROWSRC_NAME "ld_rows"
#define LD__ROWSRC_TYPE "ld_rowsrc"

typedef struct ld__rowsrc {
    const ld_records_t *r;
    const uint32_t *order;    /* row i is r[order[i]] (NULL: r[i]) */
    size_t from;
    size_t to;
} ld__rowsrc_t;

/** Register the module and create temp.ld_rows on a connection (SQLite
 * result code). */
int ld__rowsrc_register(sqlite3 *db);

/* Bulk loads of at least this many rows may rebuild the name index. */
#define LD__DEFER_MIN_ROWS 20000u

/** Whether a bulk load of `incoming` rows should drop the seed's name
 *  index and build it again afterwards (inside the same transaction).
 *  Never for an empty table: rows written in name order append to it. */
bool ld__name_index_defer(sqlite3 *db, size_t incoming);
/** The order persist writes records in: grouped by name in the name
 *  index's order (no name first, then bytewise), the given order within a
 *  name. *order receives a malloc'ed array of ld_records_count(r) indexes,
 *  or NULL when there is nothing to reorder. 0 or LD_ENOMEM. */
int ld__name_order(const ld_records_t *r, uint32_t **order);
int ld__name_index_drop(sqlite3 *db, const char *path, ld_diag_t *d);
/** Create it again with the seed's exact statement. */
int ld__name_index_create(sqlite3 *db, const char *path, ld_diag_t *d);

/** Prepare the statements (inside a transaction, after schema_ensure).
 *  order (NULL: as given) is the order to write records in, kept until
 *  close; with it, each row's index is stored in ld_record_order. */
int ld__writer_init(ld__writer_t *w, sqlite3 *db, const char *path,
                    int64_t run_id, const uint32_t *order, ld_diag_t *d);
void ld__writer_close(ld__writer_t *w);
/** Insert records [from, to) of r (and their exact times); through
 *  w->order when set. */
int ld__writer_add(ld__writer_t *w, const ld_records_t *r, size_t from,
                   size_t to, ld_diag_t *d);
/** Write the pending chunk of exact times. */
int ld__writer_flush(ld__writer_t *w, ld_diag_t *d);

/** Insert the run row; *run_id receives its id. finished_ms 0 = NULL. */
int ld__run_insert(sqlite3 *db, const char *path, const char *label,
                   const json_t *metadata, int64_t started_ms,
                   int64_t finished_ms, int64_t total, int64_t failed,
                   int64_t *run_id, ld_diag_t *d);
/** Update totals (and finished_at when finished_ms != 0). */
int ld__run_update(sqlite3 *db, const char *path, int64_t run_id,
                   int64_t finished_ms, int64_t total, int64_t failed,
                   ld_diag_t *d);

/* Bytes of one packed time entry: start_ns (8), latency_us (4), flags (1). */
#define LD__TIME_BYTES 13u
/* Bytes of one ld_record_order entry. */
#define LD__ORDER_BYTES 4u

/* ---- per-name aggregates (agg.c) ---- */

/* Figures of one name; latency figures cover its successful requests. */
typedef struct ld__name_stats {
    char *name;
    double requests;
    double failures;
    double successes;
    double mean_ms;
    double stddev_ms;
    double min_ms;
    double p50_ms;
    double p90_ms;
    double p95_ms;
    double p99_ms;
    double max_ms;
    double duration_s;   /* the run's duration (first start .. last end) */
} ld__name_stats_t;

typedef struct ld__run_stats {
    ld__name_stats_t *v;  /* sorted by name (bytewise) */
    size_t n;
} ld__run_stats_t;

void ld__run_stats_free(ld__run_stats_t *s);
/** Find a name (binary search), or NULL. */
const ld__name_stats_t *ld__run_stats_find(const ld__run_stats_t *s,
                                           const char *name);

typedef struct ld__agg_ent ld__agg_ent_t;

/* Running per-name aggregation over batches of records. */
typedef struct ld__agg {
    ld_records_t *names;   /* interning only: name id - 1 = entry index */
    ld__agg_ent_t *ents;
    size_t n;
    size_t cap;
    uint64_t first_ns;
    uint64_t last_end_ns;
    bool any;
    bool overflow;         /* too many names: aggregates are not kept */
} ld__agg_t;

/* Beyond this many distinct names the aggregates are skipped (diffs then
 * compute them from the records). */
#define LD__AGG_MAX_NAMES 100000u

int ld__agg_init(ld__agg_t *a);
void ld__agg_free(ld__agg_t *a);
/** Fold records [from, to) of r in. 0 or LD_ENOMEM. */
int ld__agg_add(ld__agg_t *a, const ld_records_t *r, size_t from, size_t to);
/** Final figures. 0 or LD_ENOMEM. */
int ld__agg_stats(const ld__agg_t *a, ld__run_stats_t *out);

/** Save figures of a run into ld_run_names (inside a transaction). */
int ld__stats_save(sqlite3 *db, const char *path, int64_t run_id,
                   const ld__run_stats_t *s, ld_diag_t *d);
/** Load them; *found false when the run has no aggregates stored. */
int ld__stats_load(sqlite3 *db, const char *path, int64_t run_id,
                   ld__run_stats_t *s, bool *found, ld_diag_t *d);

/** Aggregate a whole record store (for persist and for old runs). */
int ld__stats_of_records(const ld_records_t *r, ld__run_stats_t *out);

/* ---- queries (query.c) ---- */

/** Does run_id exist? LD_ENOTFOUND with a message when not. */
int ld__run_exists(sqlite3 *db, const char *path, int64_t run_id,
                   ld_diag_t *d);
/** ld_store_load_records on an open connection. */
int ld__load_records(sqlite3 *db, const char *path, int64_t run_id,
                     ld_records_t *into, ld_diag_t *d);

/** Parse "YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM]" into Unix ms; -1 if bad. */
int64_t ld__iso_to_ms(const char *s);

#endif
