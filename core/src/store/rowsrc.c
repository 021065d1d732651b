/*
 * rowsrc.c - temp.ld_rows, a virtual table that yields records of an
 * in-memory ld_records_t as rows of the seed's `records` table, so the
 * writer inserts a whole batch with ONE statement:
 *
 *   INSERT INTO records (run_id, ...)
 *   SELECT ?1, ... FROM temp.ld_rows WHERE src = ?2
 *
 * with ?2 a pointer (sqlite3_bind_pointer, type LD__ROWSRC_TYPE) to an
 * ld__rowsrc_t. Against 128-row multi-VALUES statements this saves binding
 * every value (the values go straight from the records into the registers
 * SQLite builds the rows from), the per-statement work (setup, the
 * AUTOINCREMENT bookkeeping of sqlite_sequence) and the VALUES co-routine.
 * Text values are the store's own strings (SQLITE_STATIC: they outlive the
 * statement); the status code's decimal text lives in the cursor until the
 * next row. The table lives in the connection's temp schema: nothing is
 * written to the file, and no table of the file can hide it.
 */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

enum {
    COL_OUTCOME,
    COL_METHOD,
    COL_NAME,
    COL_URL,
    COL_STATUS,
    COL_TIME_MS,
    COL_LENGTH,
    COL_ERROR,
    COL_SRC     /* hidden: the pointer argument */
};

typedef struct rows_cur {
    sqlite3_vtab_cursor base;
    const ld__rowsrc_t *src;
    size_t i;                 /* position in [src->from, src->to) */
    const ld_record_t *rec;   /* record at i (NULL at eof) */
    char status[8];           /* decimal status code of rec */
} rows_cur_t;

static int rows_connect(sqlite3 *db, void *aux, int argc,
                        const char *const *argv, sqlite3_vtab **out,
                        char **err)
{
    sqlite3_vtab *vt;
    int src;

    (void)aux;
    (void)argc;
    (void)argv;
    (void)err;
    src = sqlite3_declare_vtab(db,
                               "CREATE TABLE x(outcome, method, name, url, "
                               "status_code, response_time_ms, "
                               "response_length, error, src HIDDEN)");
    if (src != SQLITE_OK)
        return src;
#ifdef SQLITE_VTAB_DIRECTONLY
    /* Not from a trigger or view of a (possibly hostile) schema. */
    sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
#endif
    vt = sqlite3_malloc(sizeof(*vt));
    if (!vt)
        return SQLITE_NOMEM;
    memset(vt, 0, sizeof(*vt));
    *out = vt;
    return SQLITE_OK;
}

/* A distinct function from xConnect: the module is not eponymous, so the
 * name exists only where we create it (temp). */
static int rows_create(sqlite3 *db, void *aux, int argc,
                       const char *const *argv, sqlite3_vtab **out,
                       char **err)
{
    return rows_connect(db, aux, argc, argv, out, err);
}

static int rows_disconnect(sqlite3_vtab *vt)
{
    sqlite3_free(vt);
    return SQLITE_OK;
}

/* The only plan: the source pointer given as `src = ?`. */
static int rows_best_index(sqlite3_vtab *vt, sqlite3_index_info *ii)
{
    (void)vt;
    for (int k = 0; k < ii->nConstraint; k++) {
        const struct sqlite3_index_constraint *c = &ii->aConstraint[k];
        if (c->iColumn == COL_SRC && c->op == SQLITE_INDEX_CONSTRAINT_EQ &&
            c->usable) {
            ii->aConstraintUsage[k].argvIndex = 1;
            ii->aConstraintUsage[k].omit = 1;
            ii->estimatedCost = 1.0;
            return SQLITE_OK;
        }
    }
    return SQLITE_CONSTRAINT;
}

static int rows_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
    rows_cur_t *c = sqlite3_malloc(sizeof(*c));

    (void)vt;
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof(*c));
    *out = &c->base;
    return SQLITE_OK;
}

static int rows_close(sqlite3_vtab_cursor *cur)
{
    sqlite3_free(cur);
    return SQLITE_OK;
}

static void rows_load(rows_cur_t *c)
{
    const ld__rowsrc_t *s = c->src;

    c->rec = NULL;
    if (s && c->i < s->to)
        c->rec = ld__ordered_at(s->r, s->order, c->i);
}

static int rows_filter(sqlite3_vtab_cursor *cur, int idx_num,
                       const char *idx_str, int argc, sqlite3_value **argv)
{
    rows_cur_t *c = (rows_cur_t *)cur;

    (void)idx_num;
    (void)idx_str;
    c->src = argc == 1 ? sqlite3_value_pointer(argv[0], LD__ROWSRC_TYPE)
                       : NULL;
    c->i = c->src ? c->src->from : 0;
    rows_load(c);
    return SQLITE_OK;
}

static int rows_next(sqlite3_vtab_cursor *cur)
{
    rows_cur_t *c = (rows_cur_t *)cur;

    c->i++;
    rows_load(c);
    return SQLITE_OK;
}

static int rows_eof(sqlite3_vtab_cursor *cur)
{
    return ((const rows_cur_t *)cur)->rec == NULL;
}

static int rows_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
    *rowid = (sqlite3_int64)((const rows_cur_t *)cur)->i;
    return SQLITE_OK;
}

/* A string of the store, NULL for id 0 (the register starts out NULL). */
static void put_str(sqlite3_context *ctx, const ld_records_t *r, uint32_t id)
{
    if (id)
        sqlite3_result_text(ctx, ld_records_str(r, id), -1, SQLITE_STATIC);
}

/* Status codes as text without snprintf; NULL when 0 (no response). */
static void put_status(sqlite3_context *ctx, rows_cur_t *c, uint16_t status)
{
    char *end = c->status + sizeof(c->status) - 1, *p = end;
    unsigned v = status;

    if (!status)
        return;
    *p = '\0';
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sqlite3_result_text(ctx, p, (int)(end - p), SQLITE_STATIC);
}

static int rows_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx,
                       int col)
{
    rows_cur_t *c = (rows_cur_t *)cur;
    const ld_record_t *rec = c->rec;
    const ld_records_t *r = c->src->r;

    switch (col) {
    case COL_OUTCOME:
        sqlite3_result_text(ctx, rec->error_id ? "failure" : "success", 7,
                            SQLITE_STATIC);
        break;
    case COL_METHOD:
        sqlite3_result_text(ctx, ld_method_name((ld_method_t)rec->method),
                            -1, SQLITE_STATIC);
        break;
    case COL_NAME:
        put_str(ctx, r, rec->name_id);
        break;
    case COL_URL:
        put_str(ctx, r, rec->url_id);
        break;
    case COL_STATUS:
        put_status(ctx, c, rec->status);
        break;
    case COL_TIME_MS:
        sqlite3_result_int64(ctx, ((int64_t)rec->latency_us + 500) / 1000);
        break;
    case COL_LENGTH:
        sqlite3_result_int64(ctx, (sqlite3_int64)rec->resp_len);
        break;
    case COL_ERROR:
        put_str(ctx, r, rec->error_id);
        break;
    default:
        break;
    }
    return SQLITE_OK;
}

static const sqlite3_module rows_module = {
    .iVersion = 0,
    .xCreate = rows_create,
    .xConnect = rows_connect,
    .xBestIndex = rows_best_index,
    .xDisconnect = rows_disconnect,
    .xDestroy = rows_disconnect,
    .xOpen = rows_open,
    .xClose = rows_close,
    .xFilter = rows_filter,
    .xNext = rows_next,
    .xEof = rows_eof,
    .xColumn = rows_column,
    .xRowid = rows_rowid,
};

int ld__rowsrc_register(sqlite3 *db)
{
    int src = sqlite3_create_module_v2(db, LD__ROWSRC_NAME, &rows_module,
                                       NULL, NULL);

    if (src == SQLITE_OK)
        src = sqlite3_exec(db,
                           "CREATE VIRTUAL TABLE IF NOT EXISTS temp."
                           LD__ROWSRC_NAME " USING " LD__ROWSRC_NAME,
                           NULL, NULL, NULL);
    return src;
}
