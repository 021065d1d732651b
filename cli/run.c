/* The run family: run, run-dir, run-str and the legacy single flags. */
#include "cli.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ldcore/engine.h"

volatile sig_atomic_t cli_interrupt;

static void on_signal(int sig)
{
    static const char msg1[] =
        "\nloaddensity: stopping (waiting for in-flight requests; press "
        "Ctrl-C again to stop now)\n";
    static const char msg2[] = "\nloaddensity: stopping now\n";

    (void)sig;
    if (cli_interrupt < 2)
        cli_interrupt++;
    if (cli_interrupt == 1) {
        if (write(STDERR_FILENO, msg1, sizeof(msg1) - 1) < 0)
            return;
    } else if (write(STDERR_FILENO, msg2, sizeof(msg2) - 1) < 0) {
        return;
    }
}

void cli_install_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static const char run_opts_help[] =
    "options:\n"
    "  --fail-fast               stop at the first failed action\n"
    "  -q, --quiet               no progress display\n"
    "  --json                    print the per-action results as JSON\n"
    "  --var NAME=VALUE          register a variable before running\n"
    "  --fail-on-request-errors  exit 4 when any request failed\n"
    "  -h, --help                this help\n";

int cli_parse_run_opt(int argc, char **argv, int *i, cli_run_opts_t *o)
{
    const char *a = argv[*i];

    if (!strcmp(a, "--fail-fast")) {
        o->exec_flags |= LD_EXEC_FAIL_FAST;
    } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
        o->exec_flags |= LD_EXEC_QUIET;
    } else if (!strcmp(a, "--json")) {
        o->json = true;
    } else if (!strcmp(a, "--fail-on-request-errors")) {
        o->fail_on_request_errors = true;
    } else if (!strcmp(a, "--var") || !strncmp(a, "--var=", 6)) {
        const char *v = a[5] == '=' ? a + 6 : NULL;

        if (!v) {
            if (*i + 1 >= argc) {
                fprintf(stderr, "loaddensity: --var needs NAME=VALUE\n");
                return -1;
            }
            v = argv[++*i];
        }
        if (!strchr(v, '=') || v[0] == '=' ||
            o->nvars >= (int)(sizeof(o->vars) / sizeof(o->vars[0]))) {
            fprintf(stderr, "loaddensity: --var expects NAME=VALUE, got "
                            "'%s'\n",
                    v);
            return -1;
        }
        o->vars[o->nvars++] = v;
    } else {
        return 0;
    }
    return 1;
}

int cli_ctx_setup(ld_ctx_t *ctx, const cli_run_opts_t *o)
{
    int i, rc;

    rc = ld_ctx_init(ctx);
    if (rc)
        return rc;
    ctx->flags = o->exec_flags;
    if (!(ctx->flags & LD_EXEC_QUIET) && isatty(STDERR_FILENO))
        ctx->flags |= LD_EXEC_PROGRESS_TTY;
    ctx->interrupt = &cli_interrupt;
    if (o->json)
        ctx->out = stderr;   /* keep stdout for the JSON document */
    for (i = 0; i < o->nvars; i++) {
        const char *eq = strchr(o->vars[i], '=');
        char name[256];

        snprintf(name, sizeof(name), "%.*s", (int)(eq - o->vars[i]),
                 o->vars[i]);
        rc = ld_params_set_var_str(ctx->params, name, eq + 1);
        if (rc)
            return rc;
    }
    return 0;
}

static void print_result(FILE *out, const ld_action_result_t *r)
{
    char where[700];

    if (r->diag.pos.line)
        snprintf(where, sizeof(where), "%s:%u:%u", r->diag.file,
                 r->diag.pos.line, r->diag.pos.col);
    else
        snprintf(where, sizeof(where), "%s", r->diag.file);
    fprintf(out, "%*s%s %s %s", (int)(2 * r->depth), "",
            r->code ? "[FAIL]" : "[ok]  ",
            r->command[0] ? r->command : "(action)", where);
    if (r->code)
        fprintf(out, "\n%*s       %s", (int)(2 * r->depth), "", r->diag.msg);
    else if (json_is_string(r->value))
        fprintf(out, " -> %s", json_string_value(r->value));
    fputc('\n', out);
}

int cli_finish(ld_ctx_t *ctx, const cli_run_opts_t *o, ld_exec_report_t *rep,
               int rc, const ld_diag_t *d)
{
    FILE *out = o->json ? stderr : stdout;
    char buf[2048];
    size_t i;
    int code;

    if (o->json) {
        json_t *j = json_pack("{s:o,s:b,s:o}", "results",
                              ld_exec_report_to_json(rep), "ok", rc == 0,
                              "summary",
                              ctx->last_summary ? json_incref(ctx->last_summary)
                                                : json_null());
        if (j)
            json_dumpf(j, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(j);
    } else {
        for (i = 0; i < rep->n; i++) {
            print_result(out, &rep->items[i]);
            if (!rep->items[i].code && rep->items[i].value &&
                json_object_get(rep->items[i].value, "latency_overall"))
                cli_print_summary(out, rep->items[i].value);
        }
    }
    for (i = 0; i < rep->n; i++) {
        if (rep->items[i].code)
            fprintf(stderr, "%s\n", ld_diag_format(&rep->items[i].diag, buf,
                                                   sizeof(buf)));
    }
    if (rc && rc != LD_EFAILED && d && d->code)
        fprintf(stderr, "%s\n", ld_diag_format(d, buf, sizeof(buf)));
    if (rep->n)
        fprintf(out, "%zu action%s: %zu ok, %zu failed\n", rep->n,
                rep->n == 1 ? "" : "s", rep->n - rep->failed, rep->failed);
    bool sla_failed = false;

    for (i = 0; i < rep->n; i++)
        if (rep->items[i].code == LD_ESLA)
            sla_failed = true;
    if (cli_interrupt)
        code = LD_EXIT_INTERRUPTED;
    else if (rc == LD_EFAILED && sla_failed)
        code = LD_EXIT_SLA_FAILED;
    else if (rc == LD_ENOMEM || rc == LD_EINTERNAL)
        code = LD_EXIT_INTERNAL;
    else if (rc == LD_EFAILED)
        code = LD_EXIT_ACTION_FAILED;
    else if (rc)
        code = LD_EXIT_BAD_INPUT;
    else if (o->fail_on_request_errors && ld_records_failed(ctx->records))
        code = LD_EXIT_REQUESTS_FAILED;
    else
        code = LD_EXIT_OK;
    ld_exec_report_free(rep);
    ld_ctx_close(ctx);
    return code;
}

/* Common driver: parse options, then call fn with the positional args. */
typedef int (*run_fn)(ld_ctx_t *, char **, int, ld_exec_report_t *,
                      ld_diag_t *);

static int run_common(int argc, char **argv, const char *synopsis,
                      int min_args, int max_args, run_fn fn)
{
    cli_run_opts_t o;
    ld_exec_report_t rep;
    ld_diag_t d;
    ld_ctx_t ctx;
    char **pos = calloc((size_t)argc + 1, sizeof(*pos));
    int npos = 0, i, rc;

    memset(&o, 0, sizeof(o));
    if (!pos)
        return LD_EXIT_INTERNAL;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: loaddensity %s\n\n%s", synopsis, run_opts_help);
            free(pos);
            return LD_EXIT_OK;
        }
        if (!strcmp(argv[i], "--")) {
            while (++i < argc)
                pos[npos++] = argv[i];
            break;
        }
        rc = cli_parse_run_opt(argc, argv, &i, &o);
        if (rc < 0 || (rc == 0 && argv[i][0] == '-' && argv[i][1])) {
            if (rc == 0)
                fprintf(stderr, "loaddensity %s: unknown option '%s'\n",
                        argv[0], argv[i]);
            fprintf(stderr, "usage: loaddensity %s\n", synopsis);
            free(pos);
            return LD_EXIT_BAD_INPUT;
        }
        if (rc == 0)
            pos[npos++] = argv[i];
    }
    if (npos < min_args || (max_args >= 0 && npos > max_args)) {
        fprintf(stderr, "usage: loaddensity %s\n", synopsis);
        free(pos);
        return LD_EXIT_BAD_INPUT;
    }
    cli_install_signals();
    if (cli_ctx_setup(&ctx, &o)) {
        fprintf(stderr, "loaddensity: out of memory\n");
        free(pos);
        return LD_EXIT_INTERNAL;
    }
    ld_exec_report_init(&rep);
    ld_diag_clear(&d);
    rc = fn(&ctx, pos, npos, &rep, &d);
    free(pos);
    return cli_finish(&ctx, &o, &rep, rc, &d);
}

static int do_run(ld_ctx_t *ctx, char **pos, int n, ld_exec_report_t *rep,
                  ld_diag_t *d)
{
    return ld_exec_files(ctx, pos, (size_t)n, rep, d);
}

static int do_run_dir(ld_ctx_t *ctx, char **pos, int n, ld_exec_report_t *rep,
                      ld_diag_t *d)
{
    return ld_exec_dir(ctx, pos[0], rep, d);
}

static int do_run_str(ld_ctx_t *ctx, char **pos, int n, ld_exec_report_t *rep,
                      ld_diag_t *d)
{
    return ld_exec_string(ctx, pos[0], "<run-str>", rep, d);
}

int cli_cmd_run(int argc, char **argv)
{
    return run_common(argc, argv, "run [options] FILE...", 1, -1, do_run);
}

int cli_cmd_run_dir(int argc, char **argv)
{
    return run_common(argc, argv, "run-dir [options] DIR", 1, 1, do_run_dir);
}

int cli_cmd_run_str(int argc, char **argv)
{
    return run_common(argc, argv, "run-str [options] JSON", 1, 1,
                      do_run_str);
}

/* -e FILE, -d DIR, -c PATH, --execute_str JSON (and long spellings). */
int cli_legacy(int argc, char **argv, bool *handled)
{
    static const struct {
        const char *s, *l;
        const char *sub;
    } map[] = {
        {"-e", "--execute_file", "run"},
        {"-d", "--execute_dir", "run-dir"},
        {"-c", "--create_project", "init"},
        {NULL, "--execute_str", "run-str"},
    };
    size_t k;

    *handled = false;
    for (k = 0; k < sizeof(map) / sizeof(map[0]); k++) {
        if ((map[k].s && !strcmp(argv[1], map[k].s)) ||
            !strcmp(argv[1], map[k].l)) {
            char *sub[3];

            *handled = true;
            if (argc != 3) {
                fprintf(stderr, "usage: loaddensity %s VALUE\n", argv[1]);
                return LD_EXIT_BAD_INPUT;
            }
            sub[0] = (char *)(uintptr_t)map[k].sub;
            sub[1] = argv[2];
            sub[2] = NULL;
            if (!strcmp(map[k].sub, "run"))
                return cli_cmd_run(2, sub);
            if (!strcmp(map[k].sub, "run-dir"))
                return cli_cmd_run_dir(2, sub);
            if (!strcmp(map[k].sub, "run-str"))
                return cli_cmd_run_str(2, sub);
            return cli_cmd_init(2, sub);
        }
    }
    return 0;
}
