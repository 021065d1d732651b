/*
 * query.c - reading stored runs: list, one run, its records as seed-shaped
 * dicts (paged), and back into a record store.
 *
 * Readers open the file read-only and never create tables: a database
 * without the seed tables simply has no runs. Text comes back as stored;
 * invalid UTF-8 becomes U+FFFD in JSON (never a failure).
 */
#include "store/store_int.h"
#include "stats/stats_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- column helpers ---- */

static json_t *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);

    if (sqlite3_column_type(st, i) == SQLITE_NULL || !s)
        return json_null();
    return ld__json_text((const char *)s);
}

static json_t *col_num(sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        return json_null();
    case SQLITE_FLOAT:
        return json_real(sqlite3_column_double(st, i));
    default:
        return json_integer(sqlite3_column_int64(st, i));
    }
}

/* metadata is JSON text: returned parsed when it parses, else as text. */
static json_t *col_json(sqlite3_stmt *st, int i)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    json_t *v = s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;

    return v ? v : col_text(st, i);
}

static int set_all(json_t *o, const char *const *keys, json_t **vals,
                   size_t n)
{
    int bad = 0;

    for (size_t i = 0; i < n; i++)
        bad |= json_object_set_new(o, keys[i], vals[i]);
    return bad ? LD_ENOMEM : 0;
}

/* ---- runs ---- */

static const char run_cols[] =
    "SELECT id, label, started_at, finished_at, total, failed, metadata "
    "FROM runs ";

static json_t *run_row(sqlite3_stmt *st)
{
    static const char *const keys[] = {"id", "label", "started_at",
                                       "finished_at", "total", "failed",
                                       "metadata"};
    json_t *vals[7];
    json_t *o = json_object();

    vals[0] = col_num(st, 0);
    for (int i = 1; i < 4; i++)
        vals[i] = col_text(st, i);
    vals[4] = col_num(st, 4);
    vals[5] = col_num(st, 5);
    vals[6] = col_json(st, 6);
    if (!o || set_all(o, keys, vals, 7)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Step st to the end, appending rows made by fn to a new array. */
static int collect(sqlite3 *db, sqlite3_stmt *st, json_t *(*fn)(sqlite3_stmt *),
                   const char *path, json_t **out, ld_diag_t *d)
{
    json_t *arr = json_array();
    int rc = arr ? 0 : LD_ENOMEM, src = SQLITE_DONE;

    while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row = fn(st);
        if (!row || json_array_append_new(arr, row))
            rc = LD_ENOMEM;
    }
    if (!rc && src != SQLITE_DONE)
        rc = ld__db_fail(db, src, path, "cannot read the database", d);
    if (rc)
        json_decref(arr);
    else
        *out = arr;
    return rc;
}

static int open_read(const char *path, sqlite3 **db, ld_diag_t *d)
{
    int rc = ld__db_open(path, false, db, d);

    if (!rc)
        rc = ld__schema_check(*db, path, d);
    if (rc) {
        ld__db_close(*db);
        *db = NULL;
    }
    return rc;
}

int ld_store_list_runs(const char *db_path, int limit, json_t **out,
                       ld_diag_t *d)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char sql[160];
    int rc = open_read(db_path, &db, d), src;

    *out = NULL;
    if (rc)
        return rc;
    if (!ld__db_has_table(db, "runs")) {
        *out = json_array();
        rc = *out ? 0 : LD_ENOMEM;
        goto out;
    }
    snprintf(sql, sizeof(sql), "%sORDER BY id DESC LIMIT ?1", run_cols);
    src = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (src) {
        rc = ld__db_fail(db, src, db_path, "cannot list the runs", d);
        goto out;
    }
    sqlite3_bind_int(st, 1, limit <= 0 ? 20 : limit);
    rc = collect(db, st, run_row, db_path, out, d);
out:
    sqlite3_finalize(st);
    ld__db_close(db);
    return ld__diag_fallback(d, rc, db_path, "cannot list the runs");
}

int ld__run_exists(sqlite3 *db, const char *path, int64_t run_id,
                   ld_diag_t *d)
{
    sqlite3_stmt *st = NULL;
    int src;

    if (!ld__db_has_table(db, "runs"))
        return ld_diag_set(d, LD_ENOTFOUND, path, NULL,
                           "run %lld not found: the database has no runs",
                           (long long)run_id);
    src = sqlite3_prepare_v2(db, "SELECT 1 FROM runs WHERE id=?1", -1, &st,
                             NULL);
    if (src)
        return ld__db_fail(db, src, path, "cannot read the runs", d);
    sqlite3_bind_int64(st, 1, run_id);
    src = sqlite3_step(st);
    sqlite3_finalize(st);
    if (src == SQLITE_ROW)
        return 0;
    if (src != SQLITE_DONE)
        return ld__db_fail(db, src, path, "cannot read the runs", d);
    return ld_diag_set(d, LD_ENOTFOUND, path, NULL,
                       "run %lld not found (see `loaddensity runs list`)",
                       (long long)run_id);
}

static int get_run(sqlite3 *db, const char *path, int64_t run_id,
                   json_t **out, ld_diag_t *d)
{
    sqlite3_stmt *st = NULL;
    char sql[160];
    int rc = ld__run_exists(db, path, run_id, d), src;

    if (rc)
        return rc;
    snprintf(sql, sizeof(sql), "%sWHERE id=?1", run_cols);
    src = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (src)
        return ld__db_fail(db, src, path, "cannot read the run", d);
    sqlite3_bind_int64(st, 1, run_id);
    src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
        *out = run_row(st);
        rc = *out ? 0 : LD_ENOMEM;
    } else {
        rc = ld__db_fail(db, src, path, "cannot read the run", d);
    }
    sqlite3_finalize(st);
    return rc;
}

int ld_store_get_run(const char *db_path, int64_t run_id, json_t **out,
                     ld_diag_t *d)
{
    sqlite3 *db = NULL;
    int rc = open_read(db_path, &db, d);

    *out = NULL;
    if (!rc)
        rc = get_run(db, db_path, run_id, out, d);
    ld__db_close(db);
    return ld__diag_fallback(d, rc, db_path, "cannot read the run");
}

/* ---- chunks of our own tables ---- */

/* Reads chunks of ld_record_times or ld_record_order (entries of `width`
 * bytes for consecutive record ids) along with the records, in id order. */
typedef struct chunk_cur {
    sqlite3_stmt *st;      /* NULL when the run has no such chunks */
    unsigned width;
    int64_t first;
    int64_t n;
    const unsigned char *data;
} chunk_cur_t;

static void chunk_next(chunk_cur_t *c)
{
    if (c->st && sqlite3_step(c->st) == SQLITE_ROW) {
        c->first = sqlite3_column_int64(c->st, 0);
        c->n = sqlite3_column_int64(c->st, 1);
        c->data = sqlite3_column_blob(c->st, 2);
        if (c->n < 0 ||
            sqlite3_column_bytes(c->st, 2) < c->n * (int64_t)c->width)
            c->n = 0;   /* damaged chunk: ignore */
        return;
    }
    c->n = 0;
    c->data = NULL;
    c->first = INT64_MAX;
}

/* The entry of record id, or NULL. */
static const unsigned char *chunk_entry(chunk_cur_t *c, int64_t id)
{
    while (c->data && id >= c->first + c->n)
        chunk_next(c);
    if (!c->data || id < c->first)
        return NULL;
    return c->data + (id - c->first) * c->width;
}

static uint64_t get_le(const unsigned char *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = n; i-- > 0;)
        v = (v << 8) | p[i];
    return v;
}

static int open_chunks(sqlite3 *db, const char *table, unsigned width,
                       int64_t run_id, chunk_cur_t *c)
{
    char sql[128];

    memset(c, 0, sizeof(*c));
    c->width = width;
    if (ld__db_has_table(db, table)) {
        int src;

        snprintf(sql, sizeof(sql),
                 "SELECT first_id, n, data FROM %s WHERE run_id=?1 "
                 "ORDER BY first_id",
                 table);
        src = sqlite3_prepare_v2(db, sql, -1, &c->st, NULL);
        if (src)
            return src;
        sqlite3_bind_int64(c->st, 1, run_id);
    }
    chunk_next(c);
    return SQLITE_OK;
}

/* Where record id goes in the run as recorded; false when not stored. */
static bool order_for(chunk_cur_t *c, int64_t id, uint32_t *pos)
{
    const unsigned char *p = chunk_entry(c, id);

    if (p)
        *pos = (uint32_t)get_le(p, LD__ORDER_BYTES);
    return p != NULL;
}

/* ---- records as dicts ---- */

static json_t *record_row(sqlite3_stmt *st)
{
    static const char *const keys[] = {"outcome", "method", "name", "url",
                                       "status_code", "response_time_ms",
                                       "response_length", "error"};
    json_t *vals[8];
    json_t *o = json_object();

    for (int i = 0; i < 5; i++)
        vals[i] = col_text(st, i);
    vals[5] = col_num(st, 5);
    vals[6] = col_num(st, 6);
    vals[7] = col_text(st, 7);
    if (!o || set_all(o, keys, vals, 8)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Ids of the records at positions [offset, offset + limit) of the run as
 * recorded (limit <= 0: to the end), from ld_record_order, and in *total
 * the number of positions stored. *ids stays NULL when the run has none or
 * they do not add up (damaged): its rows are then read in id order. */
static int recorded_ids(sqlite3 *db, int64_t run_id, int64_t offset,
                        int64_t limit, int64_t **ids, size_t *n,
                        int64_t *total_out)
{
    sqlite3_stmt *st = NULL;
    chunk_cur_t c;
    int64_t total = 0, want, filled = 0;
    int64_t *out = NULL;
    bool ok = true;

    *ids = NULL;
    *n = 0;
    if (!ld__db_has_table(db, "ld_record_order"))
        return 0;
    if (sqlite3_prepare_v2(db, "SELECT coalesce(sum(n), 0) FROM "
                           "ld_record_order WHERE run_id=?1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, run_id);
        if (sqlite3_step(st) == SQLITE_ROW)
            total = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (total <= 0 || total > UINT32_MAX)
        return 0;
    offset = offset > 0 ? offset : 0;
    want = offset >= total ? 0 : total - offset;
    if (limit > 0 && limit < want)
        want = limit;
    out = calloc((size_t)want + 1, sizeof(*out));
    if (!out)
        return LD_ENOMEM;
    if (open_chunks(db, "ld_record_order", LD__ORDER_BYTES, run_id, &c)) {
        free(out);
        return 0;
    }
    for (; ok && c.data; chunk_next(&c)) {
        for (int64_t k = 0; ok && k < c.n; k++) {
            int64_t pos = (int64_t)get_le(c.data + k * LD__ORDER_BYTES,
                                          LD__ORDER_BYTES);
            ok = pos < total;
            if (!ok || pos < offset || pos >= offset + want)
                continue;
            ok = out[pos - offset] == 0;
            out[pos - offset] = c.first + k;
            filled++;
        }
    }
    sqlite3_finalize(c.st);
    if (!ok || filled != want) {
        free(out);
        return 0;
    }
    *ids = out;
    *n = (size_t)want;
    *total_out = total;
    return 0;
}

#define RECORD_COLS                                                        \
    "SELECT outcome, method, name, url, status_code, response_time_ms, " \
    "response_length, error "

/* Rows [offset, offset + n) as recorded, for a big window: one pass over
 * the run's rows in id order, each put in its place by its position (the
 * positions were checked by recorded_ids). LD_ENOTFOUND when a place stays
 * empty. */
static int fetch_scan(sqlite3 *db, int64_t run_id, int64_t offset, size_t n,
                      const char *path, json_t **out, ld_diag_t *d)
{
    sqlite3_stmt *st = NULL;
    chunk_cur_t oc;
    json_t **slot = calloc(n + 1, sizeof(*slot));
    json_t *arr = NULL;
    int rc = slot ? 0 : LD_ENOMEM, src = SQLITE_OK;

    memset(&oc, 0, sizeof(oc));
    if (!rc)
        src = open_chunks(db, "ld_record_order", LD__ORDER_BYTES, run_id, &oc);
    if (!rc && src == SQLITE_OK)
        src = sqlite3_prepare_v2(db, RECORD_COLS ", id FROM records WHERE "
                                 "run_id=?1 ORDER BY id",
                                 -1, &st, NULL);
    if (!rc && src == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, run_id);
        while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
            uint32_t pos;
            if (!order_for(&oc, sqlite3_column_int64(st, 8), &pos) ||
                pos < offset || pos - offset >= (int64_t)n ||
                slot[pos - offset])
                continue;
            if (!(slot[pos - offset] = record_row(st)))
                rc = LD_ENOMEM;
        }
        if (src == SQLITE_DONE)
            src = SQLITE_OK;
    }
    if (!rc && src != SQLITE_OK)
        rc = ld__db_fail(db, src, path, "cannot read the records", d);
    if (!rc && !(arr = json_array()))
        rc = LD_ENOMEM;
    for (size_t i = 0; !rc && i < n; i++) {
        json_t *row = slot[i];

        slot[i] = NULL;   /* the array takes it (and frees it on failure) */
        if (!row)
            rc = LD_ENOTFOUND;
        else if (json_array_append_new(arr, row))
            rc = LD_ENOMEM;
    }
    for (size_t i = 0; slot && i < n; i++)
        json_decref(slot[i]);
    free(slot);
    sqlite3_finalize(st);
    sqlite3_finalize(oc.st);
    if (rc)
        json_decref(arr);
    else
        *out = arr;
    return rc;
}

/* The rows of ids, in that order; LD_ENOTFOUND when one is missing. */
static int fetch_ids(sqlite3 *db, int64_t run_id, const int64_t *ids,
                     size_t n, const char *path, json_t **out, ld_diag_t *d)
{
    sqlite3_stmt *st = NULL;
    json_t *arr = json_array();
    int rc = arr ? 0 : LD_ENOMEM, src = SQLITE_OK;

    if (!rc)
        src = sqlite3_prepare_v2(db,
                                 RECORD_COLS "FROM records WHERE id=?1 AND "
                                 "run_id=?2",
                                 -1, &st, NULL);
    if (!rc && src == SQLITE_OK)
        sqlite3_bind_int64(st, 2, run_id);
    for (size_t i = 0; !rc && src == SQLITE_OK && i < n; i++) {
        json_t *row;

        sqlite3_bind_int64(st, 1, ids[i]);
        src = sqlite3_step(st);
        if (src == SQLITE_DONE)
            rc = LD_ENOTFOUND;
        if (src != SQLITE_ROW)
            break;
        src = SQLITE_OK;
        row = record_row(st);
        if (!row || json_array_append_new(arr, row))
            rc = LD_ENOMEM;
        sqlite3_reset(st);
    }
    if (!rc && src != SQLITE_OK)
        rc = ld__db_fail(db, src, path, "cannot read the records", d);
    sqlite3_finalize(st);
    if (rc)
        json_decref(arr);
    else
        *out = arr;
    return rc;
}

int ld_store_fetch_records(const char *db_path, int64_t run_id,
                           int64_t offset, int64_t limit, json_t **out,
                           ld_diag_t *d)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t *ids = NULL, total = 0;
    size_t n = 0;
    int rc = open_read(db_path, &db, d), src;

    *out = NULL;
    if (!rc)
        rc = ld__run_exists(db, db_path, run_id, d);
    if (!rc)
        rc = recorded_ids(db, run_id, offset, limit, &ids, &n, &total);
    /* Grouped by name on disk (persist): back in the order recorded. */
    if (!rc && ids) {
        /* A few rows: look each up; many: one pass (lookups cost about
         * three times a row read in order). */
        rc = n < (size_t)total / 8
                 ? fetch_ids(db, run_id, ids, n, db_path, out, d)
                 : fetch_scan(db, run_id, offset > 0 ? offset : 0, n,
                              db_path, out, d);
        if (rc != LD_ENOTFOUND)
            goto out;
        rc = 0;     /* positions pointing nowhere: id order below */
    }
    if (rc)
        goto out;
    src = sqlite3_prepare_v2(db,
                             RECORD_COLS "FROM records WHERE run_id=?1 "
                             "ORDER BY id "
                             "LIMIT ?2 OFFSET ?3",
                             -1, &st, NULL);
    if (src) {
        rc = ld__db_fail(db, src, db_path, "cannot read the records", d);
        goto out;
    }
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
    sqlite3_bind_int64(st, 3, offset > 0 ? offset : 0);
    rc = collect(db, st, record_row, db_path, out, d);
out:
    free(ids);
    sqlite3_finalize(st);
    ld__db_close(db);
    return ld__diag_fallback(d, rc, db_path, "cannot read the records");
}

/* ---- ISO-8601 ---- */

static int digits(const char **p, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9')
            return -1;
        v = v * 10 + (**p - '0');
    }
    return v;
}

static int64_t zone_offset_ms(const char *p)
{
    int sign, hh, mm;

    if (*p == 'Z' || *p == 'z' || !*p)
        return 0;
    if (*p != '+' && *p != '-')
        return INT64_MIN;
    sign = *p++ == '-' ? -1 : 1;
    hh = digits(&p, 2);
    if (*p == ':')
        p++;
    mm = digits(&p, 2);
    if (hh < 0 || mm < 0)
        return INT64_MIN;
    return sign * ((int64_t)hh * 3600 + mm * 60) * 1000;
}

int64_t ld__iso_to_ms(const char *s)
{
    struct tm tm;
    const char *p = s;
    int64_t ms = 0, scale = 100, off;

    if (!s)
        return -1;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = digits(&p, 4) - 1900;
    if (*p++ != '-' || (tm.tm_mon = digits(&p, 2) - 1) < 0 || *p++ != '-' ||
        (tm.tm_mday = digits(&p, 2)) < 1 || (*p != 'T' && *p != ' '))
        return -1;
    p++;
    if ((tm.tm_hour = digits(&p, 2)) < 0 || *p++ != ':' ||
        (tm.tm_min = digits(&p, 2)) < 0 || *p++ != ':' ||
        (tm.tm_sec = digits(&p, 2)) < 0 || tm.tm_year < 0)
        return -1;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
            ms += (*p - '0') * scale;
    off = zone_offset_ms(p);
    if (off == INT64_MIN)
        return -1;
    return (int64_t)timegm(&tm) * 1000 + ms - off;
}

/* ---- back into a record store ---- */

/* Exact times of record id, when stored. */
static bool times_for(chunk_cur_t *c, int64_t id, ld_record_t *rec)
{
    const unsigned char *p = chunk_entry(c, id);

    if (!p)
        return false;
    rec->start_ns = get_le(p, 8);
    rec->latency_us = (uint32_t)get_le(p + 8, 4);
    rec->flags = p[12];
    return true;
}

static uint32_t intern_col(ld_records_t *r, sqlite3_stmt *st, int i, int *rc)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    uint32_t id;

    if (!s || sqlite3_column_type(st, i) == SQLITE_NULL)
        return 0;
    id = ld_records_intern(r, s, (size_t)sqlite3_column_bytes(st, i));
    if (!id)
        *rc = LD_ENOMEM;
    return id;
}

static uint32_t clamp_u32(double v)
{
    if (!(v > 0))
        return 0;
    return v >= 4294967295.0 ? UINT32_MAX : (uint32_t)llround(v);
}

/* Columns: id, outcome, method, name, url, status_code, response_time_ms,
 * response_length, error. */
static int load_row(ld_records_t *r, sqlite3_stmt *st, chunk_cur_t *tc,
                    uint64_t start_ns)
{
    ld_record_t rec;
    const char *outcome = (const char *)sqlite3_column_text(st, 1);
    int64_t status = sqlite3_column_int64(st, 5);
    int rc = 0;

    memset(&rec, 0, sizeof(rec));
    rec.method = (uint8_t)ld_method_parse((const char *)
                                          sqlite3_column_text(st, 2));
    rec.name_id = intern_col(r, st, 3, &rc);
    rec.url_id = intern_col(r, st, 4, &rc);
    rec.status = status > 0 && status <= UINT16_MAX ? (uint16_t)status : 0;
    rec.resp_len = clamp_u32((double)sqlite3_column_int64(st, 7));
    if (outcome && !strcmp(outcome, "failure")) {
        rec.error_id = intern_col(r, st, 8, &rc);
        if (!rec.error_id && !rc)
            rec.error_id = ld_records_intern(r, "failure", 7);
        if (!rec.error_id)
            rc = LD_ENOMEM;
    }
    if (!times_for(tc, sqlite3_column_int64(st, 0), &rec)) {
        rec.start_ns = start_ns;
        rec.latency_us = clamp_u32(sqlite3_column_double(st, 6) * 1000.0);
    }
    return rc ? rc : ld_records_add(r, &rec);
}

/* Start of the run for records without exact times. */
static uint64_t run_start_ns(sqlite3 *db, int64_t run_id)
{
    sqlite3_stmt *st = NULL;
    int64_t ms = -1;

    if (sqlite3_prepare_v2(db, "SELECT started_at FROM runs WHERE id=?1", -1,
                           &st, NULL))
        return 0;
    sqlite3_bind_int64(st, 1, run_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        ms = ld__iso_to_ms((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return ms > 0 ? (uint64_t)ms * 1000000u : 0;
}

/* Positions as recorded of the rows loaded so far (ld_record_order). */
typedef struct order_acc {
    uint32_t *pos;
    size_t n;
    size_t cap;
    bool ok;        /* every row had one */
} order_acc_t;

static int order_add(order_acc_t *o, chunk_cur_t *c, int64_t id)
{
    uint32_t pos;

    if (!o->ok)
        return 0;
    if (!c->st || !order_for(c, id, &pos)) {
        o->ok = false;
        return 0;
    }
    if (o->n == o->cap && ld_grow((void **)&o->pos, &o->cap, o->n + 1,
                                  sizeof(*o->pos)))
        return LD_ENOMEM;
    o->pos[o->n++] = pos;
    return 0;
}

static int load_into(sqlite3 *db, const char *path, int64_t run_id,
                     ld_records_t *r, ld_diag_t *d)
{
    sqlite3_stmt *st = NULL;
    chunk_cur_t tc, oc;
    order_acc_t order = {NULL, 0, 0, true};
    uint64_t start_ns = run_start_ns(db, run_id);
    size_t base = ld_records_count(r);
    int rc = 0;
    int src = open_chunks(db, "ld_record_times", LD__TIME_BYTES, run_id, &tc);

    memset(&oc, 0, sizeof(oc));
    if (src == SQLITE_OK)
        src = open_chunks(db, "ld_record_order", LD__ORDER_BYTES, run_id,
                          &oc);
    if (src == SQLITE_OK)
        src = sqlite3_prepare_v2(db,
                                 "SELECT id, outcome, method, name, url, "
                                 "status_code, response_time_ms, "
                                 "response_length, error FROM records WHERE "
                                 "run_id=?1 ORDER BY id",
                                 -1, &st, NULL);
    if (src == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, run_id);
        while (!rc && (src = sqlite3_step(st)) == SQLITE_ROW) {
            rc = load_row(r, st, &tc, start_ns);
            if (!rc)
                rc = order_add(&order, &oc, sqlite3_column_int64(st, 0));
        }
        if (src == SQLITE_DONE)
            src = SQLITE_OK;
    }
    if (!rc && src != SQLITE_OK)
        rc = ld__db_fail(db, src, path, "cannot read the records", d);
    /* Back in the order recorded; rows in id order are what there is when
     * the positions are missing or damaged (LD_EINVAL). */
    if (!rc && order.ok && order.n &&
        ld_records_reorder(r, base, order.pos) == LD_ENOMEM)
        rc = LD_ENOMEM;
    free(order.pos);
    sqlite3_finalize(st);
    sqlite3_finalize(tc.st);
    sqlite3_finalize(oc.st);
    return rc;
}

int ld__load_records(sqlite3 *db, const char *path, int64_t run_id,
                     ld_records_t *into, ld_diag_t *d)
{
    ld_records_t *tmp = NULL;
    int rc = ld__run_exists(db, path, run_id, d);

    if (rc)
        return rc;
    /* All or nothing: an empty store is filled in place (and cleared on
     * error); otherwise through a temporary store. */
    if (!ld_records_count(into) && !ld_records_nstrings(into)) {
        rc = load_into(db, path, run_id, into, d);
        if (rc)
            ld_records_clear(into);
        return rc;
    }
    tmp = ld_records_new();
    if (!tmp)
        return LD_ENOMEM;
    rc = load_into(db, path, run_id, tmp, d);
    if (!rc)
        rc = ld_records_merge_take(into, tmp);
    ld_records_free(tmp);
    return rc;
}

int ld_store_load_records(const char *db_path, int64_t run_id,
                          ld_records_t *into, ld_diag_t *d)
{
    sqlite3 *db = NULL;
    int rc = into ? open_read(db_path, &db, d) : LD_EINVAL;

    if (!rc)
        rc = ld__load_records(db, db_path, run_id, into, d);
    ld__db_close(db);
    return ld__diag_fallback(d, rc, db_path, "cannot load the run");
}
