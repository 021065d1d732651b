/* cli.h - the `loaddensity` front-end: argument parsing and presentation. */
#ifndef LD_CLI_H
#define LD_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "ldcore/exec.h"

/* Exit codes (documented in docs/cli.md). */
enum {
    LD_EXIT_OK = 0,
    LD_EXIT_ACTION_FAILED = 1,  /* an action failed (the run went on) */
    LD_EXIT_BAD_INPUT = 2,      /* usage error, unreadable or invalid file */
    LD_EXIT_SLA_FAILED = 3,     /* an SLA gate failed */
    LD_EXIT_REQUESTS_FAILED = 4, /* --fail-on-request-errors and some failed */
    LD_EXIT_UNAVAILABLE = 69,   /* the subcommand is not available yet */
    LD_EXIT_INTERNAL = 70,      /* internal error (out of memory, bug) */
    LD_EXIT_INTERRUPTED = 130   /* stopped by Ctrl-C / SIGTERM */
};

/* Options shared by the run family. */
typedef struct cli_run_opts {
    unsigned exec_flags;     /* LD_EXEC_* */
    bool json;               /* print the results as JSON on stdout */
    bool fail_on_request_errors;
    const char *vars[64];    /* NAME=VALUE pairs from --var */
    int nvars;
} cli_run_opts_t;

extern volatile sig_atomic_t cli_interrupt;

void cli_install_signals(void);
/* Parse a run option at argv[*i]; returns 1 when consumed, 0 when not an
 * option of ours, -1 on a usage error (message printed). */
int cli_parse_run_opt(int argc, char **argv, int *i, cli_run_opts_t *o);
/* Set up a context honouring the options. */
int cli_ctx_setup(ld_ctx_t *ctx, const cli_run_opts_t *o);
/* Print results and return the process exit code. */
int cli_finish(ld_ctx_t *ctx, const cli_run_opts_t *o, ld_exec_report_t *rep,
               int rc, const ld_diag_t *d);
/* Print a summary (ld_summary_build shape) as a table. */
void cli_print_summary(FILE *out, const json_t *summary);

int cli_cmd_run(int argc, char **argv);
int cli_cmd_run_dir(int argc, char **argv);
int cli_cmd_run_str(int argc, char **argv);
int cli_cmd_init(int argc, char **argv);
int cli_cmd_commands(int argc, char **argv);
int cli_cmd_demo(int argc, char **argv);
int cli_cmd_target(int argc, char **argv);
int cli_cmd_runs(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);
int cli_cmd_sla(int argc, char **argv);
int cli_cmd_import(int argc, char **argv);
int cli_cmd_worker(int argc, char **argv);
int cli_legacy(int argc, char **argv, bool *handled);

/* Create a project skeleton (shared with the legacy -c flag). */
int cli_create_project(const char *path, bool force);

/* The built-in demo document (the seed's example pointed at the target). */
extern const char cli_demo_doc[];

#endif
