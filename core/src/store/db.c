/*
 * db.c - connections, error messages and the schema.
 *
 * The seed tables (runs, records and their two indexes) are created with the
 * seed's exact text; our own tables carry an ld_ prefix and never change the
 * seed's. Everything is created inside the writer's transaction, so a
 * persist that fails leaves a fresh file as empty as it was.
 */
#include "store/store_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

int ld__store_max_pages;

static atomic_int busy_ms = 5000;

void ld_store_set_busy_timeout(int ms)
{
    atomic_store(&busy_ms, ms < 0 ? 0 : ms);
}

int ld_store_busy_timeout(void)
{
    return atomic_load(&busy_ms);
}

/* ---- errors ---- */

static const char *sys_text(sqlite3 *db)
{
    int e = db ? sqlite3_system_errno(db) : 0;

    return e ? strerror(e) : NULL;
}

/* The directory part of path ("." when none). */
static void dir_of(const char *path, char *dir, size_t n)
{
    char *slash;

    snprintf(dir, n, "%s", path ? path : ".");
    slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, n, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
}

/* SQLite's errno is not always kept (its unix VFS reads errno late), so a
 * failed write is explained from what can still be observed: free space
 * and the process's file size limit. */
static const char *write_cause(const char *path, char *buf, size_t n)
{
    char dir[4096];
    struct statvfs vfs;
    struct rlimit rl;

    dir_of(path, dir, sizeof(dir));
    if (statvfs(dir, &vfs) == 0 &&
        (unsigned long long)vfs.f_bavail * vfs.f_frsize < (1ull << 20))
        return "the disk is full";
    if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        snprintf(buf, n, "the file size limit of this process (ulimit -f: "
                         "%llu bytes) was reached",
                 (unsigned long long)rl.rlim_cur);
        return buf;
    }
    return NULL;
}

static int io_fail(sqlite3 *db, int src, const char *path, const char *what,
                   ld_diag_t *d)
{
    int e = db ? sqlite3_system_errno(db) : 0;
    char buf[160];
    const char *cause = NULL;

    if (e == ENOSPC || e == EFBIG || e == EDQUOT)
        return ld_diag_set(d, LD_EIO, path, NULL,
                           "%s: the disk is full or a file size limit was "
                           "reached (%s); nothing was written",
                           what, strerror(e));
    if (src == SQLITE_IOERR_WRITE || src == SQLITE_IOERR_FSYNC ||
        src == SQLITE_IOERR_TRUNCATE || src == SQLITE_IOERR_SHMSIZE)
        cause = write_cause(path, buf, sizeof(buf));
    if (cause)
        return ld_diag_set(d, LD_EIO, path, NULL,
                           "%s: writing failed: %s; nothing was written",
                           what, cause);
    return ld_diag_set(d, LD_EIO, path, NULL, "%s: I/O error: %s%s%s", what,
                       db ? sqlite3_errmsg(db) : "disk I/O error",
                       e ? ": " : "", e ? strerror(e) : "");
}

/* Why a file cannot be written: the file itself, or its directory (where
 * SQLite must create the -wal, -shm or -journal file). NULL if neither. */
static const char *perm_cause(const char *path)
{
    char dir[4096];

    if (!path || access(path, F_OK) != 0)
        return NULL;
    if (access(path, W_OK) != 0)
        return "the file is read-only";
    dir_of(path, dir, sizeof(dir));
    if (access(dir, W_OK) != 0)
        return "its directory is not writable (SQLite creates the -wal/-shm "
               "or -journal file next to the database)";
    return NULL;
}

int ld__db_fail(sqlite3 *db, int src, const char *path, const char *what,
                ld_diag_t *d)
{
    const char *sys = sys_text(db);
    const char *perm = NULL;

    switch (src & 0xff) {
    case SQLITE_NOMEM:
        return ld_diag_set(d, LD_ENOMEM, path, NULL, "%s: out of memory",
                           what);
    case SQLITE_NOTADB:
        return ld_diag_set(d, LD_EINVAL, path, NULL,
                           "%s: the file is not a SQLite database", what);
    case SQLITE_CORRUPT:
        return ld_diag_set(d, LD_EIO, path, NULL,
                           "%s: the database file is corrupt (%s)", what,
                           db ? sqlite3_errmsg(db) : "malformed");
    case SQLITE_READONLY:
        perm = perm_cause(path);
        return ld_diag_set(d, LD_EIO, path, NULL,
                           "%s: the database is read-only: %s", what,
                           perm ? perm
                                : "the file and its directory must be "
                                  "writable");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ld_diag_set(d, LD_EIO, path, NULL,
                           "%s: the database is locked by another "
                           "connection (gave up after waiting %d ms)",
                           what, ld_store_busy_timeout());
    case SQLITE_FULL:
        return ld_diag_set(d, LD_EIO, path, NULL,
                           "%s: the disk or the database is full; nothing "
                           "was written",
                           what);
    case SQLITE_CANTOPEN:
        perm = perm_cause(path);
        return ld_diag_set(d, LD_EIO, path, NULL,
                           "%s: cannot open the database file%s%s", what,
                           perm || sys ? ": " : "", perm ? perm
                                                    : sys ? sys : "");
    case SQLITE_IOERR:
        return io_fail(db, src, path, what, d);
    default:
        return ld_diag_set(d, LD_EIO, path, NULL, "%s: %s", what,
                           db ? sqlite3_errmsg(db) : sqlite3_errstr(src));
    }
}

int ld__db_exec(sqlite3 *db, const char *sql, const char *path,
                const char *what, ld_diag_t *d)
{
    int src = sqlite3_exec(db, sql, NULL, NULL, NULL);

    return src == SQLITE_OK ? 0 : ld__db_fail(db, src, path, what, d);
}

/* ---- open / close ---- */

static int check_path(const char *path, bool write, ld_diag_t *d)
{
    struct stat st;

    if (!path || !*path)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "no database path given");
    if (stat(path, &st) != 0) {
        if (write && errno == ENOENT)
            return 0;
        return ld_diag_set(d, errno == ENOENT ? LD_ENOTFOUND : LD_EIO, path,
                           NULL, "cannot open the database: %s",
                           strerror(errno));
    }
    if (S_ISDIR(st.st_mode))
        return ld_diag_set(d, LD_EINVAL, path, NULL,
                           "cannot open the database: it is a directory");
    return 0;
}

/* Reading the schema fails with SQLITE_NOTADB on anything but a database. */
static int probe(sqlite3 *db, const char *path, ld_diag_t *d)
{
    return ld__db_exec(db, "SELECT count(*) FROM sqlite_master", path,
                       "cannot read the database", d);
}

static int set_pragmas(sqlite3 *db, bool write, const char *path,
                       ld_diag_t *d)
{
    char sql[96];
    int rc = 0;

    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, ld_store_busy_timeout());
    if (!write)
        return 0;
    /* 16 KiB pages (fresh files only; a no-op on an existing one): a
     * quarter of the page splits and write calls of 4 KiB pages in a bulk
     * load of the seed's rows (about 140 bytes each). A bigger page cache
     * (16 MiB) keeps the index pages of a bulk insert in memory; a WAL file
     * left between writers is cut back to 64 MiB. Debian builds SQLite with
     * secure_delete on: every cell moved by a B-tree rebalance has its old
     * place zeroed (2 % of a bulk insert). This connection deletes nothing
     * but a dropped name index, whose content stays in the table anyway. */
    rc = ld__db_exec(db,
                     "PRAGMA page_size=16384;"
                     "PRAGMA cache_size=-16384;"
                     "PRAGMA secure_delete=OFF;"
                     "PRAGMA journal_size_limit=67108864",
                     path, "cannot configure the database", d);
    if (!rc && ld__store_max_pages > 0) {
        snprintf(sql, sizeof(sql), "PRAGMA max_page_count=%d",
                 ld__store_max_pages);
        rc = ld__db_exec(db, sql, path, "cannot configure the database", d);
    }
    return rc;
}

/* Memory statistics cost a global mutex on every SQLite allocation (about
 * 7 % of a bulk insert); nothing here reads them. Only possible before
 * SQLite initialises: a no-op (SQLITE_MISUSE) if someone was first. */
static void sqlite_setup(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int ld__db_open(const char *path, bool write, sqlite3 **out, ld_diag_t *d)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    int flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                      : SQLITE_OPEN_READONLY;
    sqlite3 *db = NULL;
    int rc = 0, src;

    *out = NULL;
    pthread_once(&once, sqlite_setup);
    rc = check_path(path, write, d);
    if (rc)
        return rc;
    src = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (src != SQLITE_OK) {
        rc = db ? ld__db_fail(db, src, path, "cannot open the database", d)
                : ld_diag_set(d, LD_ENOMEM, path, NULL, "out of memory");
        goto out;
    }
    rc = set_pragmas(db, write, path, d);
    if (!rc)
        rc = probe(db, path, d);
    /* The writer's rows come from temp.ld_rows (rowsrc.c); created once the
     * file is known to be a database (any statement reads its schema). */
    if (!rc && write && (src = ld__rowsrc_register(db)) != SQLITE_OK)
        rc = ld__db_fail(db, src, path, "cannot configure the database", d);
out:
    if (rc)
        ld__db_close(db);
    else
        *out = db;
    return rc;
}

void ld__db_close(sqlite3 *db)
{
    if (db)
        sqlite3_close_v2(db);
}

/* ---- transactions ---- */

int ld__db_begin(sqlite3 *db, const char *path, const char *what,
                 ld_diag_t *d)
{
    /* IMMEDIATE takes the write lock up front (waiting up to the busy
     * timeout) so a reader never has to upgrade and fail mid-way. */
    return ld__db_exec(db, "BEGIN IMMEDIATE", path, what, d);
}

int ld__db_commit(sqlite3 *db, const char *path, const char *what,
                  ld_diag_t *d)
{
    int rc = ld__db_exec(db, "COMMIT", path, what, d);

    if (rc)
        ld__db_rollback(db);
    return rc;
}

void ld__db_rollback(sqlite3 *db)
{
    if (db && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

void ld__db_want_wal(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    bool wal = false;

    /* Switching needs a moment alone with the file: do not wait long for
     * it (the next writer tries again). */
    sqlite3_busy_timeout(db, 100);
    if (sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *m = sqlite3_column_text(st, 0);
        wal = m && !strcmp((const char *)m, "wal");
    }
    sqlite3_finalize(st);
    sqlite3_busy_timeout(db, ld_store_busy_timeout());
    /* WAL makes fsync at commit unnecessary for consistency. */
    if (wal)
        sqlite3_exec(db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
}

/* ---- schema ---- */

/* The seed's text, verbatim (comments included). */
static const char seed_sql[] =
    "CREATE TABLE IF NOT EXISTS runs (\n"
    "    id           INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    label        TEXT,\n"
    "    started_at   TEXT,\n"
    "    finished_at  TEXT,\n"
    "    total        INTEGER,\n"
    "    failed       INTEGER,\n"
    "    metadata     TEXT  -- JSON blob\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS records (\n"
    "    id                INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    run_id            INTEGER NOT NULL REFERENCES runs(id),\n"
    "    outcome           TEXT NOT NULL,            -- 'success' | "
    "'failure'\n"
    "    method            TEXT,\n"
    "    name              TEXT,\n"
    "    url               TEXT,\n"
    "    status_code       TEXT,\n"
    "    response_time_ms  INTEGER,\n"
    "    response_length   INTEGER,\n"
    "    error             TEXT\n"
    ");\n"
    "CREATE INDEX IF NOT EXISTS idx_records_run_id ON records(run_id);\n"
    "CREATE INDEX IF NOT EXISTS idx_records_name   ON records(name);\n";

/* The seed's name index on its own, for a bulk load that rebuilds it. */
static const char name_index_sql[] =
    "CREATE INDEX IF NOT EXISTS idx_records_name   ON records(name);\n";

/* Ours: exact per-record times (the seed keeps whole milliseconds and no
 * start time) in packed chunks, the order a run was recorded in when
 * persist stored it grouped by name, per-run per-name aggregates, the
 * version. */
static const char ours_sql[] =
    "CREATE TABLE IF NOT EXISTS ld_schema_version (\n"
    "    version INTEGER NOT NULL\n"
    ");\n"
    "INSERT INTO ld_schema_version (version) SELECT 1\n"
    "    WHERE NOT EXISTS (SELECT 1 FROM ld_schema_version);\n"
    "CREATE TABLE IF NOT EXISTS ld_record_times (\n"
    "    run_id    INTEGER NOT NULL,\n"
    "    first_id  INTEGER NOT NULL,  -- records.id of the first entry\n"
    "    n         INTEGER NOT NULL,  -- entries (consecutive record ids)\n"
    "    data      BLOB NOT NULL,     -- n x (start_ns u64, latency_us u32,"
    " flags u8), little-endian\n"
    "    PRIMARY KEY (run_id, first_id)\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS ld_record_order (\n"
    "    run_id    INTEGER NOT NULL,\n"
    "    first_id  INTEGER NOT NULL,  -- records.id of the first entry\n"
    "    n         INTEGER NOT NULL,  -- entries (consecutive record ids)\n"
    "    data      BLOB NOT NULL,     -- n x position in the run as recorded"
    " (u32), little-endian\n"
    "    PRIMARY KEY (run_id, first_id)\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS ld_run_names (\n"
    "    run_id      INTEGER NOT NULL,\n"
    "    name        TEXT NOT NULL,\n"
    "    requests    INTEGER NOT NULL,\n"
    "    failures    INTEGER NOT NULL,\n"
    "    successes   INTEGER NOT NULL,\n"
    "    mean_ms     REAL, stddev_ms REAL, min_ms REAL,\n"
    "    p50_ms      REAL, p90_ms REAL, p95_ms REAL, p99_ms REAL,\n"
    "    max_ms      REAL,\n"
    "    duration_s  REAL NOT NULL,\n"
    "    PRIMARY KEY (run_id, name)\n"
    ");\n";

bool ld__db_has_table(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st = NULL;
    bool found = false;

    if (sqlite3_prepare_v2(db,
                           "SELECT 1 FROM sqlite_master WHERE type='table' "
                           "AND name=?1",
                           -1, &st, NULL))
        return false;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

static const char *const runs_cols[] = {
    "id", "label", "started_at", "finished_at", "total", "failed",
    "metadata", NULL};
static const char *const records_cols[] = {
    "id", "run_id", "outcome", "method", "name", "url", "status_code",
    "response_time_ms", "response_length", "error", NULL};

/* Every seed column must be there (extra columns are tolerated). */
static int check_cols(sqlite3 *db, const char *table,
                      const char *const *cols, const char *path,
                      ld_diag_t *d)
{
    char sql[64];
    sqlite3_stmt *st = NULL;
    unsigned seen = 0, want = 0;
    int src;

    snprintf(sql, sizeof(sql), "PRAGMA table_info(%s)", table);
    src = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (src)
        return ld__db_fail(db, src, path, "cannot read the schema", d);
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        const char *c = (const char *)sqlite3_column_text(st, 1);
        for (unsigned i = 0; c && cols[i]; i++)
            if (!strcmp(c, cols[i]))
                seen |= 1u << i;
    }
    sqlite3_finalize(st);
    if (src != SQLITE_DONE)
        return ld__db_fail(db, src, path, "cannot read the schema", d);
    for (unsigned i = 0; cols[i]; i++)
        want |= 1u << i;
    if (seen != want)
        return ld_diag_set(d, LD_EINVAL, path, NULL,
                           "table '%s' exists but lacks the LoadDensity "
                           "columns (is this another program's database?)",
                           table);
    return 0;
}

int ld__schema_check(sqlite3 *db, const char *path, ld_diag_t *d)
{
    int rc = 0;

    if (ld__db_has_table(db, "runs"))
        rc = check_cols(db, "runs", runs_cols, path, d);
    if (!rc && ld__db_has_table(db, "records"))
        rc = check_cols(db, "records", records_cols, path, d);
    return rc;
}

int ld__schema_ensure(sqlite3 *db, const char *path, ld_diag_t *d)
{
    int rc = ld__schema_check(db, path, d);

    if (!rc)
        rc = ld__db_exec(db, seed_sql, path, "cannot create the tables", d);
    if (!rc)
        rc = ld__db_exec(db, ours_sql, path, "cannot create the tables", d);
    return rc;
}

/* Rebuilding costs a sort of every row in the table; keeping it costs a
 * B-tree descent into one of a few hot spots per new row, about four times
 * a sorted build per row here (1M rows: 3.6 s kept, 0.9 s rebuilt). So
 * rebuild while the file holds fewer than twice the new rows (the sort
 * then covers at most three times as many rows as kept row by row). */
bool ld__name_index_defer(sqlite3 *db, size_t incoming)
{
    sqlite3_stmt *st = NULL;
    int64_t have = 0;

    if (incoming < LD__DEFER_MIN_ROWS)
        return false;
    /* max(id) is one B-tree lookup and bounds the row count from above. */
    if (sqlite3_prepare_v2(db, "SELECT coalesce(max(id), 0) FROM records", -1,
                           &st, NULL))
        return false;
    if (sqlite3_step(st) == SQLITE_ROW)
        have = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    /* An empty table gets its rows in name order (ld__name_order): every
     * entry of the index is then an append, cheaper than any rebuild. */
    return have > 0 && have / 2 < (int64_t)incoming;
}

int ld__name_index_drop(sqlite3 *db, const char *path, ld_diag_t *d)
{
    return ld__db_exec(db, "DROP INDEX IF EXISTS idx_records_name", path,
                       "cannot write the run", d);
}

int ld__name_index_create(sqlite3 *db, const char *path, ld_diag_t *d)
{
    return ld__db_exec(db, name_index_sql, path, "cannot write the run", d);
}
