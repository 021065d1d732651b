/*
 * opts.c - command-line options and environment of loaddensity-mcp, shared
 * by the launcher (which checks them before answering anything) and the
 * server module (which uses them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp.h"

#define DEFAULT_MAX_USERS 100
#define DEFAULT_MAX_DURATION 300.0
#define DEFAULT_MAX_SPAWN_RATE 100.0
#define DEFAULT_MAX_RATE 2000.0
#define DEFAULT_RESULT_BYTES 24576

static const char usage[] =
    "usage: loaddensity-mcp [options]\n"
    "\n"
    "MCP server over stdio (JSON-RPC 2.0, one message per line) so Claude\n"
    "and other MCP clients can run LoadDensity load tests. Logs go to\n"
    "stderr. Tools: run_test, run_action_json, create_project,\n"
    "list_executor_commands, import_har, generate_reports, summary,\n"
    "persist_records, list_runs, fetch_run, clear_records.\n"
    "\n"
    "safety:\n"
    "  --allow-host PATTERN   also allow this target host: a name, a glob\n"
    "                         (*.example.com), an IP, a CIDR (10.0.0.0/8)\n"
    "                         or * (anything); repeatable. Default: loopback\n"
    "                         only (localhost, *.localhost, 127.0.0.0/8, ::1)\n"
    "  --no-default-hosts     do not allow loopback unless listed\n"
    "  --max-users N          cap on users of one test (default 100)\n"
    "  --max-duration S       cap on test_time in seconds (default 300)\n"
    "  --max-spawn-rate R     cap on users started per second (default 100)\n"
    "  --max-rate R           cap on open-model requests/s (default 2000)\n"
    "  --root DIR             directory tools may read and write (repeatable;\n"
    "                         default: the working directory). The first one\n"
    "                         becomes the working directory. The client's\n"
    "                         roots are added when it offers them.\n"
    "other:\n"
    "  --page-size N          tools per tools/list page (default: all)\n"
    "  --max-result-bytes N   size budget of one tool result (default "
    "24576)\n"
    "  -v, --verbose          debug logs on stderr\n"
    "  -V, --version          print the version\n"
    "  -h, --help             this help\n"
    "\n"
    "environment: LOADDENSITY_MCP_ALLOW_HOSTS (comma-separated patterns),\n"
    "LOADDENSITY_MCP_MAX_USERS, LOADDENSITY_MCP_MAX_DURATION,\n"
    "LOADDENSITY_MCP_MAX_SPAWN_RATE, LOADDENSITY_MCP_MAX_RATE,\n"
    "LOADDENSITY_MCP_ROOTS (colon-separated directories).\n";

static char *env_copies[2];

static int bad(const char *opt, const char *why)
{
    fprintf(stderr, "loaddensity-mcp: %s: %s\n(see --help)\n", opt, why);
    return 2;
}

static int number(const char *opt, const char *s, double *out)
{
    char *end;

    errno = 0;
    *out = s ? strtod(s, &end) : 0;
    if (!s || !*s || *end || errno || !(*out > 0) || *out > 1e9)
        return bad(opt, "needs a positive number");
    return 0;
}

/* Split a list from the environment into the option arrays. */
static void env_list(const char *var, const char *seps, const char **arr,
                     size_t *n, size_t cap, int slot)
{
    const char *v = getenv(var);
    char *save = NULL, *tok;

    if (!v || !*v || !(env_copies[slot] = strdup(v)))
        return;
    for (tok = strtok_r(env_copies[slot], seps, &save); tok && *n < cap;
         tok = strtok_r(NULL, seps, &save))
        arr[(*n)++] = tok;
}

static int env_number(const char *var, double *out)
{
    const char *v = getenv(var);

    return v && *v ? number(var, v, out) : 0;
}

static int parse_env(mcp_opts_t *o)
{
    double users = o->max_users;
    int rc;

    env_list("LOADDENSITY_MCP_ALLOW_HOSTS", ", ", o->allow, &o->nallow,
             sizeof(o->allow) / sizeof(o->allow[0]), 0);
    env_list("LOADDENSITY_MCP_ROOTS", ":", o->roots, &o->nroots,
             MCP_MAX_ROOTS, 1);
    if ((rc = env_number("LOADDENSITY_MCP_MAX_USERS", &users)) ||
        (rc = env_number("LOADDENSITY_MCP_MAX_DURATION", &o->max_duration_s))
        || (rc = env_number("LOADDENSITY_MCP_MAX_SPAWN_RATE",
                            &o->max_spawn_rate)) ||
        (rc = env_number("LOADDENSITY_MCP_MAX_RATE", &o->max_rate)))
        return rc;
    o->max_users = (unsigned)users;
    return 0;
}

/* One option; returns 0, 1 to exit successfully, or an exit code > 1. */
static int parse_opt(int argc, char **argv, int *i, mcp_opts_t *o)
{
    const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    double x;

    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
        fputs(usage, stdout);
        return 1;
    }
    if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
        printf("loaddensity-mcp %s\n", LD_VERSION);
        return 1;
    }
    if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
        o->verbose = 1;
        return 0;
    }
    if (!strcmp(a, "--no-default-hosts")) {
        o->no_default_hosts = true;
        return 0;
    }
    if (!v)
        return bad(a, strncmp(a, "--", 2) ? "unknown option"
                                          : "unknown option or missing value");
    ++*i;
    if (!strcmp(a, "--allow-host") && o->nallow < 64) {
        o->allow[o->nallow++] = v;
    } else if (!strcmp(a, "--root") && o->nroots < MCP_MAX_ROOTS) {
        o->roots[o->nroots++] = v;
    } else if (!strcmp(a, "--max-users")) {
        if (number(a, v, &x))
            return 2;
        o->max_users = (unsigned)x;
    } else if (!strcmp(a, "--max-duration")) {
        return number(a, v, &o->max_duration_s);
    } else if (!strcmp(a, "--max-spawn-rate")) {
        return number(a, v, &o->max_spawn_rate);
    } else if (!strcmp(a, "--max-rate")) {
        return number(a, v, &o->max_rate);
    } else if (!strcmp(a, "--page-size") || !strcmp(a, "--max-result-bytes")) {
        if (number(a, v, &x))
            return 2;
        if (a[2] == 'p')
            o->page_size = (size_t)x;
        else
            o->max_result_bytes = x < 4096 ? 4096 : (size_t)x;
    } else {
        return bad(a, "unknown option");
    }
    return 0;
}

int mcp_opts_parse(int argc, char **argv, mcp_opts_t *o)
{
    int rc;

    o->max_users = DEFAULT_MAX_USERS;
    o->max_duration_s = DEFAULT_MAX_DURATION;
    o->max_spawn_rate = DEFAULT_MAX_SPAWN_RATE;
    o->max_rate = DEFAULT_MAX_RATE;
    o->max_result_bytes = DEFAULT_RESULT_BYTES;
    if ((rc = parse_env(o)))
        return rc;
    for (int i = 1; i < argc; i++)
        if ((rc = parse_opt(argc, argv, &i, o)))
            return rc;
    return 0;
}

void mcp_opts_free(void)
{
    free(env_copies[0]);
    free(env_copies[1]);
    env_copies[0] = env_copies[1] = NULL;
}
