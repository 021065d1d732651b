/*
 * ldcore/exec.h - the action executor: runs a document action by action and
 * returns one structured result per action. Only registered commands can be
 * dispatched. By default an error in one action is recorded and the run goes
 * on (as in the Python tool); LD_EXEC_FAIL_FAST stops at the first error.
 * LD_execute_action and LD_execute_files nest, up to LD_EXEC_MAX_DEPTH, and a
 * file that (indirectly) executes itself is refused as a cycle.
 *
 * Ownership: ld_ctx_t is caller storage set up by ld_ctx_init and released by
 * ld_ctx_close; it owns its params and records. An ld_exec_report_t owns its
 * results (values are jansson references) until ld_exec_report_free.
 */
#ifndef LDCORE_EXEC_H
#define LDCORE_EXEC_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "ldcore/common.h"
#include "ldcore/doc.h"
#include "ldcore/params.h"
#include "ldcore/registry.h"
#include "ldcore/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LD_EXEC_MAX_DEPTH 16

enum {
    LD_EXEC_FAIL_FAST = 1u << 0,
    LD_EXEC_QUIET = 1u << 1,      /* no progress display, no chatter */
    LD_EXEC_PROGRESS_TTY = 1u << 2 /* progress bar (else plain lines) */
};

typedef struct ld_action_result {
    int code;                 /* 0 ok, else LD_E* */
    unsigned depth;           /* 0 for top-level actions */
    char command[96];         /* "" when the action had no valid name */
    ld_diag_t diag;           /* file/position always set; message on error */
    json_t *value;            /* handler's result, or NULL */
} ld_action_result_t;

typedef struct ld_exec_report {
    ld_action_result_t *items;
    size_t n;
    size_t cap;
    size_t failed;
} ld_exec_report_t;

void ld_exec_report_init(ld_exec_report_t *r);
void ld_exec_report_free(ld_exec_report_t *r);
/** Results as a JSON array of {"command","ok","value","error","file",
 *  "line","column","depth"} objects. */
json_t *ld_exec_report_to_json(const ld_exec_report_t *r);

struct ld_ctx {
    ld_params_t *params;       /* global parameter scope */
    ld_records_t *records;     /* in-memory records of every test run */
    unsigned flags;            /* LD_EXEC_* */
    FILE *out;                 /* human output (stdout by default) */
    FILE *err;                 /* messages (stderr by default) */
    volatile sig_atomic_t *interrupt; /* > 0 when the user asked to stop
                                         (1 = graceful, 2 = now), or NULL */
    double grace_s;            /* wait for in-flight requests on stop */
    json_t *last_summary;      /* summary of the last test run, or NULL */
    /* nesting state (private to the executor) */
    unsigned depth;
    const char *file_stack[LD_EXEC_MAX_DEPTH + 1];
    ld_exec_report_t *report;  /* where nested results go */
    void *user;                /* front-end data */
};

/** Set up a context with fresh params and records. 0 or LD_ENOMEM. */
int ld_ctx_init(ld_ctx_t *ctx);
void ld_ctx_close(ld_ctx_t *ctx);

/**
 * Execute every action of a document, appending one result per action
 * (nested ones too) to report. Returns 0 when every action succeeded,
 * LD_EFAILED when some failed, or another LD_E* when the document itself is
 * not an action list (then d says why, with a position).
 */
int ld_exec_doc(ld_ctx_t *ctx, const ld_doc_t *doc, ld_exec_report_t *report,
                ld_diag_t *d);
/** Read, parse and execute a file (JSON or YAML). */
int ld_exec_file(ld_ctx_t *ctx, const char *path, ld_exec_report_t *report,
                 ld_diag_t *d);
/** Parse and execute a JSON string (name used in messages). */
int ld_exec_string(ld_ctx_t *ctx, const char *json, const char *name,
                   ld_exec_report_t *report, ld_diag_t *d);
/** Execute a list of action nodes (used by LD_execute_action). */
int ld_exec_actions(ld_ctx_t *ctx, const ld_node_t *actions, const char *file,
                    ld_exec_report_t *report, ld_diag_t *d);
/**
 * Execute several files in order. A file that cannot be read or parsed
 * becomes one failed result (with its file and position) and the others
 * still run (unless LD_EXEC_FAIL_FAST). Returns 0, LD_EFAILED when an
 * action failed, or the error of the first file that could not be used
 * (which takes precedence, so front-ends can report bad input).
 */
int ld_exec_files(ld_ctx_t *ctx, char *const *paths, size_t n,
                  ld_exec_report_t *report, ld_diag_t *d);
/** Every .json, .yaml and .yml file in dir, sorted by name. */
int ld_exec_dir(ld_ctx_t *ctx, const char *dir, ld_exec_report_t *report,
                ld_diag_t *d);

#ifdef __cplusplus
}
#endif
#endif
