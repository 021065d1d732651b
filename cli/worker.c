/* `loaddensity worker`: join a Locust master and run the LD_start_test
 * scenarios of an action file as its users. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "ldcore/cluster.h"

static const char worker_help[] =
    "usage: loaddensity worker [options] FILE\n"
    "\n"
    "Join a Locust master (Locust 2.x, e.g. `locust -f "
    "locust/loaddensity_master.py\n"
    "--master`) and run the LD_start_test actions of FILE as its users:\n"
    "each action is a scenario answering to a Locust user class\n"
    "(user_detail_dict.class_name, else LoadDensityUser, LoadDensityUser2, "
    "...;\n"
    "with one scenario, every class runs it). Runs until the master says "
    "quit.\n"
    "\n"
    "options:\n"
    "  --master-host HOST     the master's address (default 127.0.0.1)\n"
    "  --master-port PORT     the master's port (default 5557)\n"
    "  --threads N            engine threads per scenario (default: one per "
    "core)\n"
    "  --connect-timeout S    give up when no master answers for S seconds\n"
    "                         (default 300)\n"
    "  --drop-records         count requests without keeping them (flat "
    "memory;\n"
    "                         no local summary)\n"
    "  --json                 print the local summary as JSON on stdout\n"
    "  -q, --quiet            no progress lines\n"
    "  --var NAME=VALUE       register a variable before compiling\n"
    "  -h, --help             this help\n";

typedef struct wopts {
    ld_worker_opts_t w;
    bool json, quiet;
    const char *file;
    const char *vars[64];
    int nvars;
} wopts_t;

static int num_arg(int argc, char **argv, int *i, double lo, double hi,
                   double *out)
{
    char *end;
    if (*i + 1 >= argc) {
        fprintf(stderr, "loaddensity worker: %s needs a value\n", argv[*i]);
        return -1;
    }
    *out = strtod(argv[++*i], &end);
    if (*end || end == argv[*i] || !(*out >= lo) || *out > hi) {
        fprintf(stderr, "loaddensity worker: bad value '%s' for %s\n",
                argv[*i], argv[*i - 1]);
        return -1;
    }
    return 0;
}

static int parse(int argc, char **argv, wopts_t *o)
{
    double v;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(worker_help, stdout);
            return 1;
        } else if (!strcmp(a, "--master-host") && i + 1 < argc) {
            o->w.master_host = argv[++i];
        } else if (!strcmp(a, "--master-port")) {
            if (num_arg(argc, argv, &i, 1, 65535, &v))
                return -1;
            o->w.master_port = (int)v;
        } else if (!strcmp(a, "--threads")) {
            if (num_arg(argc, argv, &i, 0, 1024, &v))
                return -1;
            o->w.threads = (unsigned)v;
        } else if (!strcmp(a, "--connect-timeout")) {
            if (num_arg(argc, argv, &i, 0.1, 1e7, &v))
                return -1;
            o->w.connect_timeout_s = v;
        } else if (!strcmp(a, "--drop-records")) {
            o->w.keep_records = false;
        } else if (!strcmp(a, "--json")) {
            o->json = true;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = true;
        } else if (!strcmp(a, "--var") && i + 1 < argc &&
                   strchr(argv[i + 1], '=') && argv[i + 1][0] != '=' &&
                   o->nvars < 64) {
            o->vars[o->nvars++] = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "loaddensity worker: unknown or incomplete "
                            "option '%s'\n\n%s", a, worker_help);
            return -1;
        } else if (o->file) {
            fprintf(stderr, "loaddensity worker: one FILE only\n");
            return -1;
        } else {
            o->file = a;
        }
    }
    if (!o->file) {
        fprintf(stderr, "loaddensity worker: missing FILE\n\n%s", worker_help);
        return -1;
    }
    return 0;
}

static int set_vars(ld_ctx_t *ctx, const wopts_t *o)
{
    for (int i = 0; i < o->nvars; i++) {
        const char *eq = strchr(o->vars[i], '=');
        char name[256];
        int rc;
        snprintf(name, sizeof(name), "%.*s", (int)(eq - o->vars[i]),
                 o->vars[i]);
        if ((rc = ld_params_set_var_str(ctx->params, name, eq + 1)))
            return rc;
    }
    return 0;
}

static void print_result(const wopts_t *o, const ld_ctx_t *ctx)
{
    json_t *sum;
    if (!o->w.keep_records)
        return;
    if (!(sum = ld_summary_build(ctx->records)))
        return;
    if (o->json) {
        json_dumpf(sum, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    } else if (!o->quiet) {
        cli_print_summary(stdout, sum);
    }
    json_decref(sum);
}

int cli_cmd_worker(int argc, char **argv)
{
    wopts_t o;
    ld_ctx_t ctx;
    ld_cluster_scenarios_t sc;
    ld_diag_t d;
    char buf[2048];
    int rc, code;
    memset(&o, 0, sizeof(o));
    memset(&d, 0, sizeof(d));
    o.w.keep_records = true;
    if ((rc = parse(argc, argv, &o)))
        return rc > 0 ? LD_EXIT_OK : LD_EXIT_BAD_INPUT;
    if (ld_ctx_init(&ctx))
        return LD_EXIT_INTERNAL;
    cli_install_signals();
    o.w.interrupt = &cli_interrupt;
    o.w.log = o.quiet ? NULL : stderr;
    if ((rc = set_vars(&ctx, &o)) ||
        (rc = ld_cluster_scenarios_load(o.file, ctx.params, &sc, &d))) {
        if (d.code)
            fprintf(stderr, "%s\n", ld_diag_format(&d, buf, sizeof(buf)));
        ld_ctx_close(&ctx);
        return rc == LD_ENOMEM ? LD_EXIT_INTERNAL : LD_EXIT_BAD_INPUT;
    }
    rc = ld_cluster_worker_run(sc.items, sc.n, &o.w, ctx.records, &d);
    if (rc && d.code)
        fprintf(stderr, "loaddensity worker: %s\n",
                ld_diag_format(&d, buf, sizeof(buf)));
    if (!rc)
        print_result(&o, &ctx);
    code = cli_interrupt      ? LD_EXIT_INTERRUPTED
           : rc == LD_ENOMEM  ? LD_EXIT_INTERNAL
           : rc == LD_EINVAL  ? LD_EXIT_BAD_INPUT
           : rc               ? LD_EXIT_ACTION_FAILED
                              : LD_EXIT_OK;
    ld_cluster_scenarios_free(&sc);
    ld_ctx_close(&ctx);
    return code;
}
