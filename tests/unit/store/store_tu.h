/* Helpers shared by the store tests (unit and integration): deterministic
 * record sets and direct SQLite look-ups. Include after testutil.h. */
#ifndef LD_STORE_TU_H
#define LD_STORE_TU_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "ldcore/stats.h"
#include "ldcore/store.h"

/* 2020-01-01T00:00:00Z in ns. */
#define ST_T0_NS 1577836800000000000ull

static inline uint32_t st_rand(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

/*
 * n records over `names` names ("/api/0" ...), one URL per name, 1 ms
 * apart; every 50th fails (status 500, or 0 = not sent every 150th);
 * latencies lat_us +- 50 % (never a whole millisecond), scaled by `slow`.
 */
static inline ld_records_t *st_records_ex(size_t n, unsigned names,
                                          uint32_t lat_us, double slow,
                                          uint64_t seed)
{
    ld_records_t *r = ld_records_new();
    char name[32], url[96];
    uint64_t s = seed ? seed : 1;

    assert_non_null(r);
    for (size_t i = 0; i < n; i++) {
        unsigned k = (unsigned)(i % names);
        uint32_t lat = lat_us / 2 + st_rand(&s) % (lat_us ? lat_us : 1);
        bool fail = i % 50 == 49;
        int status = fail ? (i % 150 == 149 ? 0 : 500) : 200;
        snprintf(name, sizeof(name), "/api/%u", k);
        snprintf(url, sizeof(url), "http://127.0.0.1:8080/api/%u?x=1", k);
        lat = (uint32_t)((double)lat * slow) | 1u;
        assert_int_equal(ld_records_add_full(
                             r, ST_T0_NS + (uint64_t)i * 1000000u,
                             (ld_method_t)(i % 3), name, url, status, lat,
                             (uint32_t)(100 + i % 900),
                             fail ? (status ? "HTTP 500" : "connection refused")
                                  : NULL),
                         0);
    }
    return r;
}

static inline ld_records_t *st_records(size_t n, unsigned names)
{
    return st_records_ex(n, names, 20000, 1.0, 42);
}

/* First column of the first row of sql as an integer (-1 on error). */
static inline long long st_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* Run SQL on a file (read-write); asserts success. */
static inline void st_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    char *err = NULL;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "sql failed: %s\n", err ? err : "?");
        fail();
    }
    sqlite3_close(db);
}

/* dir/name into a static ring of paths. */
static inline const char *st_path(const char *dir, const char *name)
{
    static char ring[8][1024];
    static int k;
    char *p = ring[k++ % 8];

    snprintf(p, 1024, "%s/%s", dir, name);
    return p;
}

static inline int64_t st_persist(const char *path, const ld_records_t *r,
                                 const char *label)
{
    ld_diag_t d;
    int64_t id = 0;

    ld_diag_clear(&d);
    if (ld_store_persist(path, r, label, NULL, 0, 0, &id, &d)) {
        fprintf(stderr, "persist failed: %s\n", d.msg);
        fail();
    }
    return id;
}

#endif
