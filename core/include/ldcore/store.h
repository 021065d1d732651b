/*
 * ldcore/store.h - SQLite persistence with the seed's exact schema (tables
 * runs and records, indexes idx_records_run_id and idx_records_name), plus
 * extra tables of our own (for example per-run per-name aggregates) that
 * never change the seed tables.
 *
 * Ownership: paths and labels are borrowed; returned jansson values are new
 * references owned by the caller. An ld_stream_t is allocated by
 * ld_stream_open and released by ld_stream_close.
 */
#ifndef LDCORE_STORE_H
#define LDCORE_STORE_H

#include <stdint.h>

#include <jansson.h>

#include "ldcore/common.h"
#include "ldcore/registry.h"
#include "ldcore/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Persist every record of recs as one new run (WAL mode, batched
 * transactions, prepared statements). started_ms/finished_ms are Unix
 * milliseconds (0 = derive from the records); metadata may be NULL.
 * The rows go into `records` grouped by name (in the order recorded within
 * a name); fetch and load give the run back in the order recorded.
 * On success *run_id receives the new id. Errors (not a database, read-only,
 * locked past the busy timeout, disk full) leave the file as it was and
 * fill d with the path and a clear message.
 */
int ld_store_persist(const char *db_path, const ld_records_t *recs,
                     const char *label, const json_t *metadata,
                     int64_t started_ms, int64_t finished_ms,
                     int64_t *run_id, ld_diag_t *d);

/** Newest first: [{"id","label","started_at","finished_at","total",
 *  "failed","metadata"}]. limit <= 0 means 20. */
int ld_store_list_runs(const char *db_path, int limit, json_t **out,
                       ld_diag_t *d);

/** One run's row (same shape as a list entry), or LD_ENOTFOUND. */
int ld_store_get_run(const char *db_path, int64_t run_id, json_t **out,
                     ld_diag_t *d);

/** Every record of a run as seed-shaped dicts (outcome, method, name, url,
 *  status_code, response_time_ms, response_length, error), in the order
 *  recorded; offset/limit page through it (limit <= 0: all). */
int ld_store_fetch_records(const char *db_path, int64_t run_id,
                           int64_t offset, int64_t limit, json_t **out,
                           ld_diag_t *d);

/** Load a stored run back into a record store (for reports and diffs), in
 *  the order recorded, appended to what `into` holds. */
int ld_store_load_records(const char *db_path, int64_t run_id,
                         ld_records_t *into, ld_diag_t *d);

/* ---- streaming during a run ---- */

typedef struct ld_stream ld_stream_t;

/**
 * Open a run for streaming: a writer thread commits queued records about
 * once a second, so a killed process loses at most about a second of
 * records and memory stays flat.
 */
int ld_stream_open(const char *db_path, const char *label,
                   const json_t *metadata, ld_stream_t **out, ld_diag_t *d);
/**
 * Queue records [from, to) of src (copied, strings included, so src may be
 * cleared right after). Thread-safe; blocks only when the writer is more
 * than LD_STREAM_MAX_PENDING records behind. Returns 0, LD_EINVAL for a bad
 * range, LD_ENOMEM, or the writer's sticky error (records pushed after a
 * write error are counted as dropped; ld_stream_close reports the cause).
 */
int ld_stream_push(ld_stream_t *s, const ld_records_t *src, size_t from,
                   size_t to);
/**
 * Flush, fill totals, finished_at and the per-name aggregates, join the
 * writer and free s (always, even on error). *run_id (may be NULL) set.
 */
int ld_stream_close(ld_stream_t *s, int64_t *run_id, ld_diag_t *d);

/** Id of the run being streamed (known from ld_stream_open on). */
int64_t ld_stream_run_id(const ld_stream_t *s);

/** Most records queued before ld_stream_push waits for the writer. */
#define LD_STREAM_MAX_PENDING 500000u

/* ---- settings ---- */

/**
 * Busy timeout, in milliseconds, of every connection the store opens from
 * now on (process-wide; default 5000). A writer waits this long for another
 * connection's lock before giving up with "database is locked".
 */
void ld_store_set_busy_timeout(int ms);
int ld_store_busy_timeout(void);

/* ---- command handlers (registered in the registry) ---- */

/** LD_persist_records(database_path, label=None, metadata=None) -> run id. */
int ld_cmd_persist_records(ld_ctx_t *ctx, const ld_args_t *args,
                           json_t **result, ld_diag_t *d);
/** LD_list_runs(database_path, limit=20) -> [run, ...] newest first. */
int ld_cmd_list_runs(ld_ctx_t *ctx, const ld_args_t *args, json_t **result,
                     ld_diag_t *d);
/** LD_fetch_run_records(database_path, run_id) -> [record, ...]. */
int ld_cmd_fetch_run_records(ld_ctx_t *ctx, const ld_args_t *args,
                             json_t **result, ld_diag_t *d);
/** LD_diff_runs(database_path, baseline_run_id, current_run_id,
 *  tolerance=0.10) -> the ld_diff_runs report. */
int ld_cmd_diff_runs(ld_ctx_t *ctx, const ld_args_t *args, json_t **result,
                     ld_diag_t *d);

#ifdef __cplusplus
}
#endif
#endif
