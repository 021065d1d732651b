/*
 * ldcore/params.h - the parameter resolver: ${var.NAME}, ${env.NAME},
 * ${csv.SOURCE.COL}, ${uuid()}, ${now()}, ${randint(a,b)}; ${faker.*} and
 * ${db.*} are recognised (so the linter knows them) but not yet resolved.
 * Unknown placeholders stay in place, verbatim.
 *
 * Scopes: one global ld_params_t (variables registered by LD_register_*,
 * CSV sources) plus, during a load test, one ld_scope_t per virtual user that
 * shadows it (values extracted from that user's responses). A value written to
 * a user scope is never seen by another user.
 *
 * CSV rows: within one "pass" (ld_scope_begin_pass, e.g. one task of one
 * user) every ${csv.S.*} reference reads the same row of S; the next pass
 * takes the next row. Without a scope, each expand call is its own pass.
 *
 * Threads: while a test runs, the global params are only read, except the CSV
 * cursors, which are atomic; variables must not be registered concurrently
 * with a run. A scope belongs to one thread.
 *
 * Ownership: strings passed in are copied; jansson values passed in are
 * borrowed (copied or incref'd inside).
 */
#ifndef LDCORE_PARAMS_H
#define LDCORE_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "ldcore/common.h"
#include "ldcore/doc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ld_params ld_params_t;
typedef struct ld_scope ld_scope_t;

ld_params_t *ld_params_new(void);
void ld_params_free(ld_params_t *p);

/** Register a variable; a non-string value is kept as JSON. */
int ld_params_set_var(ld_params_t *p, const char *name, const json_t *value);
int ld_params_set_var_str(ld_params_t *p, const char *name, const char *value);
/** Borrowed value of a global variable, or NULL. */
const json_t *ld_params_get_var(const ld_params_t *p, const char *name);
/** Names of registered variables, for completion (a new array; NULL on OOM). */
json_t *ld_params_var_names(const ld_params_t *p);

/**
 * Register a CSV source read from path (RFC 4180: quoted fields, "" escapes,
 * CRLF or LF, embedded newlines; the first row is the header). With cycle the
 * rows repeat; without, references past the last row stay unresolved.
 * Errors name the file, line and column.
 */
int ld_params_add_csv(ld_params_t *p, const char *name, const char *path,
                      bool cycle, ld_diag_t *d);
/** The same, from text in memory (name of the source, text, length). */
int ld_params_add_csv_text(ld_params_t *p, const char *name, const char *text,
                           size_t len, bool cycle, const char *origin,
                           ld_diag_t *d);
bool ld_params_has_csv(const ld_params_t *p, const char *name);
/**
 * Column names of CSV source name, in header order (a new array of strings,
 * for completion and lint), or NULL when there is no such source or on ENOMEM.
 */
json_t *ld_params_csv_columns(const ld_params_t *p, const char *name);
/** Number of data rows (header excluded) of CSV source name; 0 if unknown. */
size_t ld_params_csv_rows(const ld_params_t *p, const char *name);

/** Drop every variable and CSV source. */
void ld_params_clear(ld_params_t *p);

/* ---- per-virtual-user scopes ---- */

ld_scope_t *ld_scope_new(ld_params_t *global);
void ld_scope_free(ld_scope_t *s);
/** Set a value in this scope only (shadows the global variable). */
int ld_scope_set(ld_scope_t *s, const char *name, const json_t *value);
int ld_scope_set_str(ld_scope_t *s, const char *name, const char *value,
                     size_t len);
/** Lookup: this scope first, then the global variables; NULL if unknown. */
const json_t *ld_scope_get(const ld_scope_t *s, const char *name);
/** Start a new pass: the next ${csv.*} reference advances to a new row. */
void ld_scope_begin_pass(ld_scope_t *s);

/* ---- expansion ---- */

/**
 * Expand every placeholder of in[0..len) into out (appending). scope may be
 * NULL (global variables only). Values that are not strings are written as
 * compact JSON. Returns 0 or LD_ENOMEM/LD_ETOOBIG.
 */
int ld_params_expand(ld_params_t *p, ld_scope_t *scope, const char *in,
                     size_t len, ld_buf_t *out);

/**
 * Resolve a whole value: every string (object keys included) is expanded.
 * A string that is exactly one placeholder of a non-string variable becomes
 * that value (so "${var.count}" can stay a number in a JSON body).
 * Returns a new jansson value, or NULL on ENOMEM.
 */
json_t *ld_params_resolve_node(ld_params_t *p, ld_scope_t *scope,
                               const ld_node_t *n);
json_t *ld_params_resolve_json(ld_params_t *p, ld_scope_t *scope,
                               const json_t *v);

/**
 * A compiled template: a string split once into literal and placeholder
 * segments, so the hot path does no parsing.
 */
typedef struct ld_tmpl ld_tmpl_t;
ld_tmpl_t *ld_tmpl_compile(const char *s, size_t len);
void ld_tmpl_free(ld_tmpl_t *t);
/** True when the template has no placeholder it could resolve. */
bool ld_tmpl_is_literal(const ld_tmpl_t *t);
int ld_tmpl_render(const ld_tmpl_t *t, ld_params_t *p, ld_scope_t *scope,
                   ld_buf_t *out);

/* ---- placeholder syntax, shared with the linter and the LSP ---- */

typedef enum ld_ph_kind {
    LD_PH_VAR,
    LD_PH_ENV,
    LD_PH_CSV,
    LD_PH_FAKER,   /* declared, not resolved yet */
    LD_PH_DB,      /* declared, not resolved yet */
    LD_PH_UUID,
    LD_PH_NOW,
    LD_PH_RANDINT,
    LD_PH_UNKNOWN  /* ${something} the resolver does not know: left in place */
} ld_ph_kind_t;

typedef struct ld_placeholder {
    ld_ph_kind_t kind;
    size_t start;       /* byte offset of "${" in the scanned string */
    size_t end;         /* one past the closing "}" */
    const char *arg;    /* points into the scanned string: NAME, SOURCE.COL, */
    size_t arg_len;     /* METHOD, or "a,b" for randint */
} ld_placeholder_t;

/**
 * Find the next placeholder in s[from..len). Returns true and fills ph, or
 * false when there is none. An unterminated "${" is not a placeholder.
 */
bool ld_placeholder_next(const char *s, size_t len, size_t from,
                         ld_placeholder_t *ph);
/** "var", "env", "csv", "faker", "db", "uuid()", "now()", "randint(a,b)". */
const char *ld_ph_kind_name(ld_ph_kind_t k);

#ifdef __cplusplus
}
#endif
#endif
