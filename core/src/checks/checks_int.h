/*
 * checks_int.h - assertions and extractors run on each response (internal to
 * ldcore; used by the engine).
 *
 * Assertions: {"type": "status_code"|"contains"|"not_contains"|"json_path"|
 *              "header", ...} as in the seed; extractors: {"var": NAME,
 * "from": "json_path"|"header"|"status_code", "path"/"name": ...}.
 * Strings in expected values may hold placeholders: they are compiled to
 * templates and rendered per response with the user's scope, so a value
 * extracted earlier can be asserted later.
 *
 * Ownership: ld__checks_t is built by ld__checks_compile and owned by the
 * caller until ld__checks_free; it borrows nothing from the document.
 * A response view borrows everything it points to.
 */
#ifndef LD_CHECKS_INT_H
#define LD_CHECKS_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "ldcore/common.h"
#include "ldcore/doc.h"
#include "ldcore/params.h"

typedef struct ld__checks ld__checks_t;

/** A received response, as the checks see it. */
typedef struct ld__response {
    int status;                 /* 0 when no response */
    const char *body;           /* may be NULL when body_len is 0 */
    size_t body_len;
    /* Raw response header block ("Name: value\r\n" lines, status line
       allowed first); lookups are case-insensitive; last one wins. */
    const char *headers;
    size_t headers_len;
} ld__response_t;

/**
 * Compile the "assertions" and "extract" nodes of a task (either may be
 * NULL). Errors (unknown type, missing field, bad json path) name the
 * file/line/column of the offending node.
 */
int ld__checks_compile(const ld_node_t *assertions, const ld_node_t *extract,
                       const char *file, ld__checks_t **out, ld_diag_t *d);
void ld__checks_free(ld__checks_t *c);
bool ld__checks_empty(const ld__checks_t *c);
/** True when some assertion or extractor needs the response body. */
bool ld__checks_need_body(const ld__checks_t *c);

/**
 * Run the assertions, then (when all pass) the extractors, which write into
 * scope. Returns 0 when every assertion passed, else LD_EFAILED with a
 * message in msg such as "status_code: expected 200, got 500" or
 * "json_path data.role: expected \"admin\", got \"user\"".
 * An extractor that finds nothing leaves the variable unset (and is not a
 * failure); see the implementation notes for the exact policy.
 * With scope NULL, extracted values go to the global variables of params
 * (for single requests outside a load test; not thread-safe). Other errors:
 * LD_ENOMEM / LD_ETOOBIG, with ld_strerror's text in msg. msg may be NULL
 * when msg_size is 0; it is "" on success. c may be shared by threads.
 */
int ld__checks_run(const ld__checks_t *c, const ld__response_t *resp,
                   ld_params_t *params, ld_scope_t *scope, char *msg,
                   size_t msg_size);

/**
 * Evaluate a dotted json path ("data.items.0.id", also "$.data.items[0].id")
 * against a parsed body. Returns a borrowed value or NULL.
 */
const json_t *ld__json_path(const json_t *root, const char *path);

/** Case-insensitive header lookup in a raw header block; value trimmed.
 *  Returns true and sets *val and *vlen when found (last occurrence). */
bool ld__header_find(const char *headers, size_t len, const char *name,
                     const char **val, size_t *vlen);

/* ---- private to the files of core/src/checks ---- */

/** Python-like equality of two JSON values: numbers compare by value
 *  (1 == 1.0), a boolean only equals a boolean, objects ignore key order,
 *  strings compare byte for byte (embedded NUL included). */
bool ld__json_equal(const json_t *a, const json_t *b);

/**
 * Check the syntax of a json path. Returns true when valid; otherwise sets
 * *why to a static reason and *at to the byte offset of the problem.
 */
bool ld__json_path_check(const char *path, size_t len, const char **why,
                         size_t *at);

/** Bytes of a value shown in a failure message. */
#define LD__SHOW_MAX 64

/** Append v to out as a short, readable value for a failure message:
 *  compact JSON, strings quoted and escaped, cut after about max bytes
 *  with "..." (at a UTF-8 boundary). */
int ld__show_json(const json_t *v, size_t max, ld_buf_t *out);
/** The same for raw bytes shown as a quoted string (invalid UTF-8 as \xNN). */
int ld__show_str(const char *s, size_t len, size_t max, ld_buf_t *out);

typedef enum ld__akind {
    LD__A_STATUS = 0,
    LD__A_CONTAINS,
    LD__A_NOT_CONTAINS,
    LD__A_JSON_PATH,
    LD__A_HEADER
} ld__akind_t;

typedef enum ld__xkind {
    LD__X_JSON_PATH = 0,
    LD__X_HEADER,
    LD__X_STATUS
} ld__xkind_t;

/** A string of the document: the literal text, plus a template when it holds
 *  a placeholder the resolver could expand (tmpl NULL otherwise). */
typedef struct ld__text {
    char *s;
    size_t len;
    ld_tmpl_t *tmpl;
} ld__text_t;

typedef struct ld__assert {
    ld__akind_t kind;
    ld__text_t arg;        /* json_path: path; header: name */
    ld__text_t want;       /* expected text (string values) */
    bool want_is_text;     /* json_path: the expected value is a string */
    char *want_var;        /* json_path: want is exactly ${var.NAME} */
    json_t *want_json;     /* json_path: expected non-string value */
    bool want_resolve;     /* want_json holds placeholders */
    char *want_shown;      /* want_json as messages show it (no placeholder) */
    int64_t status;        /* status_code with a literal value */
} ld__assert_t;

typedef struct ld__extract {
    ld__xkind_t kind;
    char *var;
    ld__text_t arg;        /* json_path: path; header: name */
} ld__extract_t;

struct ld__checks {
    ld__assert_t *asserts;
    size_t nasserts;
    ld__extract_t *extracts;
    size_t nextracts;
    bool need_body;
};

/** The shortest text that reads back as d, Python style ("1.5", "100.0",
 *  "1e+20"); size of at least 32. */
void ld__real_text(double d, char *buf, size_t size);

/** Parse a status code written as text ("200", " 200 "); false if not one. */
bool ld__parse_status(const char *s, size_t len, int64_t *out);

#endif
