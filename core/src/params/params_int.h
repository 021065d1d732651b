/*
 * params_int.h - internals of the parameter resolver shared by the files of
 * core/src/params/ (not part of the public API).
 */
#ifndef LD_PARAMS_INT_H
#define LD_PARAMS_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ldcore/common.h"
#include "ldcore/params.h"

/* ---- CSV sources (csv.c) ---- */

typedef struct ld__field {
    size_t off;   /* into the source's arena; the bytes are NUL-terminated */
    size_t len;
} ld__field_t;

typedef struct ld__csv_src {
    char *name;
    uint64_t id;            /* unique within one ld_params_t, never reused */
    bool cycle;
    char *arena;            /* every field's bytes, each followed by NUL */
    ld__field_t *fields;    /* header fields first, then each row's */
    size_t *rec_first;      /* nrec + 1 entries: record r is fields[rf[r]..rf[r+1]) */
    size_t nrec;            /* header + rows (0 for an empty text) */
    _Atomic uint64_t cursor; /* next row to hand out; shared by every thread */
} ld__csv_src_t;

/** Parse text into a new source; errors name origin, line and column. */
int ld__csv_parse(const char *text, size_t len, const char *origin,
                  const char *name, bool cycle, ld__csv_src_t **out,
                  ld_diag_t *d);
void ld__csv_free(ld__csv_src_t *s);
/** Number of data rows (the header excluded). */
size_t ld__csv_nrows(const ld__csv_src_t *s);
/** Draw the next row index from the shared cursor; -1 when none is left. */
int64_t ld__csv_draw(ld__csv_src_t *s);
/** Index of column name[0..len) (the last one on duplicates), or -1. */
long ld__csv_col(const ld__csv_src_t *s, const char *name, size_t len);
/** Field col of data row row; false when the row is too short. */
bool ld__csv_field(const ld__csv_src_t *s, int64_t row, long col,
                   const char **val, size_t *len);

/* ---- one "pass": the CSV row chosen per source (params.c) ---- */

typedef struct ld__pick {
    uint64_t src_id;
    int64_t row;            /* -1: the source had no row left */
} ld__pick_t;

#define LD__PASS_INLINE 4

typedef struct ld__pass {
    ld__pick_t inl[LD__PASS_INLINE];
    ld__pick_t *heap;
    size_t n;
    size_t cap;             /* capacity of heap (0 while inline) */
} ld__pass_t;

void ld__pass_init(ld__pass_t *ps);
void ld__pass_reset(ld__pass_t *ps);
void ld__pass_free(ld__pass_t *ps);

/* ---- a placeholder split into what evaluation needs (placeholder.c) ---- */

typedef struct ld__ph {
    ld_ph_kind_t kind;
    const char *a;          /* VAR/ENV: name; CSV: source */
    size_t alen;
    const char *b;          /* CSV: column */
    size_t blen;
    int64_t lo, hi;         /* RANDINT bounds */
    bool resolvable;        /* false: can never resolve (left in place) */
} ld__ph_t;

/** Derive the evaluation spec of a scanned placeholder. */
void ld__ph_spec(const ld_placeholder_t *ph, ld__ph_t *spec);

/* ---- evaluation (params.c) ---- */

/**
 * Append the value of spec to out. Returns 1 when resolved, 0 when the
 * placeholder stays in place (nothing appended), or a negative LD_E* code.
 */
int ld__ph_eval(ld_params_t *p, ld_scope_t *scope, ld__pass_t *pass,
                const ld__ph_t *spec, ld_buf_t *out);
/** Variable lookup: the scope first, then the globals; NULL if unknown. */
const json_t *ld__var_lookup(const ld_params_t *p, const ld_scope_t *scope,
                             const char *name, size_t len);
/** The pass to use: the scope's own, or fallback when scope is NULL. */
ld__pass_t *ld__scope_pass(ld_scope_t *scope, ld__pass_t *fallback);
/** Expand in[0..len) with an explicit pass. */
int ld__expand(ld_params_t *p, ld_scope_t *scope, ld__pass_t *pass,
               const char *in, size_t len, ld_buf_t *out);

/* ---- values and built-in functions (value.c) ---- */

/** Write a variable's value: strings raw, others as compact JSON. */
int ld__write_value(const json_t *v, ld_buf_t *out);
/** A jansson string from bytes, invalid UTF-8 replaced by U+FFFD. */
json_t *ld__json_string(const char *s, size_t len);
/** Append s with invalid UTF-8 replaced by U+FFFD. */
int ld__utf8_lossy(const char *s, size_t len, ld_buf_t *out);
bool ld__utf8_valid(const char *s, size_t len);
/** A random UUID v4, 36 characters plus NUL; false if the RNG failed. */
bool ld__uuid4(char out[37]);
/** Local time as "YYYY-MM-DDTHH:MM:SS". */
void ld__now_iso(char out[32]);
/** Parse a Python-style int literal (sign, digits, single '_' between). */
bool ld__parse_int(const char *s, size_t len, int64_t *out);
/** Uniform integer in [lo, hi] (lo <= hi); false if the RNG failed. */
bool ld__randint(int64_t lo, int64_t hi, int64_t *out);

#endif
