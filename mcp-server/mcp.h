/*
 * mcp.h - loaddensity-mcp internals: the session, in-flight tool calls, the
 * tool table and the safety policy. Transport framing is ldcore's rpc.h;
 * everything with logic (runs, reports, stores, importers) is ldcore's.
 *
 * Threads: the main thread reads stdin and answers everything but
 * tools/call; each tools/call runs on its own detached thread and sends its
 * own response (ld_rpc_send serialises writers). srv->lock guards the call
 * table, roots, log level and live figures; srv->ctx_lock guards the ldcore
 * context (records, variables) that runs and report tools share.
 */
#ifndef LD_MCP_H
#define LD_MCP_H

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "ldcore/common.h"
#include "ldcore/engine.h"
#include "ldcore/exec.h"
#include "ldcore/registry.h"
#include "ldcore/rpc.h"

#define MCP_SERVER_NAME "loaddensity"
#define MCP_MAX_CALLS 32
#define MCP_MAX_ROOTS 64
#define MCP_LATEST_VERSION "2025-11-25"

/* ---- options ---- */

typedef struct mcp_opts {
    const char *allow[64];       /* extra host patterns (--allow-host, env) */
    size_t nallow;
    bool no_default_hosts;       /* --no-loopback: only the given patterns */
    unsigned max_users;
    double max_duration_s;
    double max_spawn_rate;
    double max_rate;             /* open-model requests per second */
    const char *roots[MCP_MAX_ROOTS];  /* --root DIR */
    size_t nroots;
    size_t page_size;            /* tools/list page; 0 = everything */
    size_t max_result_bytes;     /* budget of one tool result's JSON */
    int verbose;                 /* stderr: 0 info, 1 debug */
} mcp_opts_t;

/* ---- batches (JSON-RPC arrays; accepted from 2025-03-26 clients) ---- */

typedef struct mcp_batch mcp_batch_t;

/* ---- calls ---- */

typedef struct mcp_server mcp_server_t;
typedef struct mcp_tool mcp_tool_t;

typedef struct mcp_call {
    mcp_server_t *srv;
    bool used;                   /* running, or finished and not joined */
    bool finished;               /* the thread is about to exit */
    pthread_t tid;
    json_t *id;                  /* request id (own copy) */
    json_t *progress_token;      /* or NULL */
    json_t *args;                /* arguments object (own reference) */
    const mcp_tool_t *tool;
    mcp_batch_t *batch;          /* or NULL */
    volatile sig_atomic_t interrupt;   /* set by notifications/cancelled */
    double last_progress;        /* last progress value sent */
    double progress_base;        /* seconds of earlier tests (run_action_json) */
    double progress_total;       /* expected seconds, 0 = unknown */
    unsigned long calls_seq;     /* sequence number (for logs) */
} mcp_call_t;

/* ---- the session ---- */

struct mcp_server {
    ld_rpc_t rpc;
    mcp_opts_t opts;
    char cwd[PATH_MAX];
    pthread_mutex_t lock;
    pthread_cond_t idle;         /* signalled when a call thread ends */
    unsigned running_threads;
    mcp_call_t calls[MCP_MAX_CALLS];
    unsigned long seq;
    char version[16];            /* negotiated protocol version */
    bool initialized;
    bool client_has_roots;
    char *client_roots[MCP_MAX_ROOTS];   /* realpaths */
    size_t nclient_roots;
    long roots_request;          /* id of our pending roots/list, or 0 */
    long next_request;
    int log_level;               /* client's minimum (0 debug .. 7 emerg) */
    volatile sig_atomic_t stopping;
    /* The ldcore context shared by every tool call. */
    pthread_mutex_t ctx_lock;
    ld_ctx_t ctx;
    bool run_active;             /* a run holds ctx_lock */
    ld_progress_t live;          /* latest figures of that run */
    char run_tool[32];
};

/* ---- options (opts.c) and initialize (init.c), shared with the
   launcher ---- */

/** Parse options and environment: 0, 1 (help/version printed: exit 0),
 *  or an exit code (message printed). */
int mcp_opts_parse(int argc, char **argv, mcp_opts_t *o);
void mcp_opts_free(void);
/** The initialize result for these params; version receives the
 *  negotiated protocol version, *client_roots whether the client offers
 *  roots. NULL on ENOMEM. */
json_t *mcp_initialize_result(const json_t *params, char *version,
                              size_t vsize, bool *client_roots);

/**
 * What the launcher hands the server module: the protocol descriptor, the
 * bytes it read past the first message (or including it, when it did not
 * answer it) and the outcome of the initialize it answered.
 */
typedef struct mcp_handoff {
    int out_fd;
    char *pending;           /* malloc'd; the module takes it */
    size_t npending;
    bool answered;           /* the first message was initialize */
    char version[16];
    bool client_roots;
} mcp_handoff_t;

/** The server module's entry point (dlsym'd by the launcher). */
int mcp_module_main(int argc, char **argv, mcp_handoff_t *h);

/* ---- protocol (proto.c) ---- */

/** Handle one incoming message (object or batch). */
void mcp_handle(mcp_server_t *s, json_t *msg);
/** Send a response: straight out, or into its batch. Steals msg. */
void mcp_reply(mcp_server_t *s, mcp_batch_t *b, json_t *msg);
/** Free the serialised tools/list pages. */
void mcp_list_cache_free(void);
/** True when the negotiated version is at least v ("2025-06-18"). */
bool mcp_version_at_least(mcp_server_t *s, const char *v);

/* ---- logging (log.c) ---- */

enum { MCP_DEBUG, MCP_INFO, MCP_NOTICE, MCP_WARNING, MCP_ERROR };
/** Log to stderr and, at or above the client's level, as
 *  notifications/message. */
void mcp_log(mcp_server_t *s, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** Level by name ("debug" .. "emergency"), -1 when unknown. */
int mcp_log_level_parse(const char *name);

/* ---- calls (calls.c) ---- */

/** Start a tools/call on its own thread (or answer at once on error). */
void mcp_call_start(mcp_server_t *s, const json_t *id, const json_t *params,
                    mcp_batch_t *b);
/** notifications/cancelled: ask the call with this id to stop. */
void mcp_call_cancel(mcp_server_t *s, const json_t *id, const char *reason);
/** Stop every call (level 1 graceful, 2 now) and wait for their threads. */
void mcp_calls_shutdown(mcp_server_t *s, int level);
/** Send notifications/progress for a call that asked for it. */
void mcp_progress(mcp_call_t *c, double progress, double total,
                  const char *message);

/* ---- tools (tools.c) ---- */

enum {
    MCP_HINT_READONLY = 1u << 0,
    MCP_HINT_DESTRUCTIVE = 1u << 1,
    MCP_HINT_IDEMPOTENT = 1u << 2,
    MCP_HINT_OPENWORLD = 1u << 3
};
enum {
    MCP_TOOL_CTX = 1u << 0,      /* uses the shared context */
    MCP_TOOL_RUN = 1u << 1       /* a load test: long, cancellable */
};

/**
 * A tool handler: on success returns 0 and sets *out to the structured
 * result (an object); otherwise returns an LD_E* code with d->msg saying
 * what to do about it (the model reads it).
 */
typedef int (*mcp_tool_fn)(mcp_call_t *c, const json_t *args, json_t **out,
                           ld_diag_t *d);

struct mcp_tool {
    const char *name;
    const char *title;
    const char *description;
    const char *command;          /* registry command giving arguments */
    const char *const *skip;      /* its parameters not exposed */
    const ld_param_t *extra;      /* tool-only arguments */
    size_t nextra;
    const char *output_schema;    /* JSON text */
    unsigned hints;
    unsigned flags;
    mcp_tool_fn fn;
};

/** Build the schemas (once, at start-up). 0 or LD_ENOMEM. */
int mcp_tools_init(void);
void mcp_tools_free(void);
const mcp_tool_t *mcp_tool_find(const char *name);
/** Closest tool name for a did-you-mean, or NULL. */
const char *mcp_tool_suggest(const char *name);
size_t mcp_tool_count(void);
/** The tools/list entry of tool i for the negotiated version. */
json_t *mcp_tool_describe(mcp_server_t *s, size_t i);
/** Check arguments against the tool's parameters. */
int mcp_tool_check_args(const mcp_tool_t *t, const json_t *args,
                        ld_diag_t *d);
/** The JSON Schema of one registry parameter (schema.c). */
json_t *mcp_param_schema(const ld_param_t *p);
/** JSON Schema of a tool's input, from its parameters (schema.c). */
json_t *mcp_input_schema(const ld_param_t *const *ps, size_t n);

/* Handlers (tool_run.c, tool_data.c, tool_misc.c). */
int mcp_tool_run_test(mcp_call_t *, const json_t *, json_t **, ld_diag_t *);
int mcp_tool_run_action_json(mcp_call_t *, const json_t *, json_t **,
                             ld_diag_t *);
int mcp_tool_create_project(mcp_call_t *, const json_t *, json_t **,
                            ld_diag_t *);
int mcp_tool_list_commands(mcp_call_t *, const json_t *, json_t **,
                           ld_diag_t *);
int mcp_tool_import_har(mcp_call_t *, const json_t *, json_t **, ld_diag_t *);
int mcp_tool_generate_reports(mcp_call_t *, const json_t *, json_t **,
                              ld_diag_t *);
int mcp_tool_summary(mcp_call_t *, const json_t *, json_t **, ld_diag_t *);
int mcp_tool_persist_records(mcp_call_t *, const json_t *, json_t **,
                             ld_diag_t *);
int mcp_tool_list_runs(mcp_call_t *, const json_t *, json_t **, ld_diag_t *);
int mcp_tool_fetch_run(mcp_call_t *, const json_t *, json_t **, ld_diag_t *);
int mcp_tool_clear_records(mcp_call_t *, const json_t *, json_t **,
                           ld_diag_t *);

/**
 * Take the shared context for a short tool (summary, reports, ...):
 * refused with a message naming the running test while one runs.
 */
int mcp_ctx_begin(mcp_call_t *c, ld_diag_t *d);
void mcp_ctx_end(mcp_call_t *c);
/**
 * A copy of a summary whose per_name keeps at most max_names names (the
 * busiest) and fits in budget bytes; "per_name_omitted" counts the rest.
 */
json_t *mcp_summary_trim(const json_t *sum, size_t max_names, size_t budget);

/** Bytes of v as compact JSON (for result budgets). */
size_t mcp_json_size(const json_t *v);

/* ---- policy (policy.c, scan.c) ---- */

/** Is this host (name or IP literal, brackets allowed) allowed? */
bool mcp_host_allowed(mcp_server_t *s, const char *host);
/** Text of the allowlist for messages. */
void mcp_allowlist_text(mcp_server_t *s, char *buf, size_t size);
/**
 * Resolve path (relative to the working directory) into real (PATH_MAX)
 * and check it lies under an allowed directory; '..' components and
 * symlinks leading outside are refused. what names the argument.
 */
int mcp_path_check(mcp_server_t *s, const char *path, const char *what,
                   char *real, ld_diag_t *d);
/** Replace the client's roots (array of {"uri": "file://..."}). */
void mcp_roots_set(mcp_server_t *s, const json_t *roots);

/** A copy of the session's variables (caller holds ctx_lock), or NULL. */
ld_params_t *mcp_vars_snapshot(mcp_server_t *s);
/**
 * Check a bound LD_start_test action against the caps and the host
 * allowlist; vars holds the variables known at that point (its
 * "variables" are added to it, as the engine registers them globally).
 * *test_time receives its duration in seconds.
 */
int mcp_check_start_test(mcp_server_t *s, const ld_args_t *args,
                         ld_params_t *vars, double *test_time, ld_diag_t *d);
/**
 * Check every action of a document (nested ones and files run by
 * LD_execute_files included) before running it: load tests against the
 * caps and hosts, paths against the allowed directories, URLs and hosts of
 * other commands against the allowlist. *total_s receives the summed
 * test_time of its load tests.
 */
int mcp_scan_document(mcp_server_t *s, const ld_node_t *actions,
                      const char *file, double *total_s, ld_diag_t *d);

#endif
