/*
 * ldcore/import.h - importers that turn recorded or described traffic into
 * action JSON. HAR 1.2 (browser DevTools, mitmproxy, Charles, ...) first:
 * one task per request, in recording order, filtered by include / exclude
 * regular expressions (PCRE2, searched anywhere in the URL like Python's
 * re.search), with a status_code assertion taken from each response.
 *
 * Ownership: const arguments are borrowed; every json_t ** output receives a
 * new reference owned by the caller. Nothing is kept between calls.
 */
#ifndef LDCORE_IMPORT_H
#define LDCORE_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ldcore/common.h"
#include "ldcore/registry.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest HAR file ld_har_load reads (bytes). */
#define LD_HAR_MAX_BYTES ((size_t)256 << 20)

/** Filters and load settings of a HAR conversion. NULL arrays = none. */
typedef struct ld_har_opts {
    const char *const *include;  /* keep only URLs matching one of these */
    size_t ninclude;
    const char *const *exclude;  /* then drop URLs matching any of these */
    size_t nexclude;
    const char *user;            /* NULL = "fast_http_user" */
    int64_t user_count;          /* the defaults of LD_har_to_action_json: */
    double spawn_rate;           /* 10 users, 5 per second, 60 seconds; */
    double test_time;            /* set by ld_har_opts_init */
} ld_har_opts_t;

/** Counts of a conversion, for messages ("kept 12 of 40 entries"). */
typedef struct ld_har_stats {
    size_t entries;       /* entries in log.entries */
    size_t tasks;         /* tasks produced */
    size_t filtered;      /* dropped by include / exclude */
    size_t invalid;       /* no method or URL */
    size_t unsupported;   /* not http(s): data:, blob:, ws:, ... */
} ld_har_stats_t;

/** Fill o with the defaults (no filters, fast_http_user, 10, 5, 60). */
void ld_har_opts_init(ld_har_opts_t *o);

/**
 * Read a HAR file (UTF-8, a leading BOM is skipped). The document must be an
 * object whose "log" holds an "entries" array; otherwise LD_EINVAL, and a
 * JSON syntax error is LD_ESYNTAX with the line and column. Files over
 * LD_HAR_MAX_BYTES are LD_ETOOBIG.
 */
int ld_har_load(const char *path, json_t **har, ld_diag_t *d);
/** The same, from text in memory; name is used in messages. */
int ld_har_parse(const char *text, size_t len, const char *name,
                 json_t **har, ld_diag_t *d);

/**
 * Convert the entries of a HAR document into a JSON array of tasks:
 * {"method", "request_url", "name": "METHOD /path?query", "headers",
 *  "json" | "data", "assertions": [{"type": "status_code", "value": N}]}.
 * Host, Content-Length, Connection, HTTP/2 pseudo headers and other
 * hop-by-hop headers are dropped. A bad regular expression is LD_EINVAL
 * naming it and the offset of the problem. stats may be NULL.
 */
int ld_har_to_tasks(const json_t *har, const ld_har_opts_t *o,
                    json_t **tasks, ld_har_stats_t *stats, ld_diag_t *d);

/**
 * Convert a HAR document into a complete action document:
 * {"load_density": [["LD_start_test", {"user_detail_dict": {"user"},
 *   "tasks": {"mode": "sequence", "tasks": [...]}, "user_count",
 *   "spawn_rate", "test_time"}]]}.
 */
int ld_har_to_action_json(const json_t *har, const ld_har_opts_t *o,
                          json_t **doc, ld_har_stats_t *stats, ld_diag_t *d);

/* Command handlers registered in the registry. */
/** LD_load_har(file_path): the HAR document. */
int ld_cmd_load_har(ld_ctx_t *ctx, const ld_args_t *args, json_t **result,
                    ld_diag_t *d);
/** LD_har_to_tasks(har, include, exclude): the task list. */
int ld_cmd_har_to_tasks(ld_ctx_t *ctx, const ld_args_t *args,
                        json_t **result, ld_diag_t *d);
/** LD_har_to_action_json(har, user, user_count, spawn_rate, test_time,
 *  include, exclude): the action document. */
int ld_cmd_har_to_action_json(ld_ctx_t *ctx, const ld_args_t *args,
                              json_t **result, ld_diag_t *d);

#ifdef __cplusplus
}
#endif
#endif
