/* commands, init, demo, target and the summary table. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ldcore/project.h"
#include "ldcore/registry.h"
#include "ldcore/target.h"

#define DEMO_PORT 18089

/* The seed's example document with its URL pointed at the embedded target
 * and a shorter test_time. */
const char cli_demo_doc[] =
    "{\"load_density\": [\n"
    "  [\"LD_register_variables\", {\"variables\": {\"base\": "
    "\"http://127.0.0.1:%d\"}}],\n"
    "  [\"LD_start_test\", {\n"
    "    \"user_detail_dict\": {\"user\": \"fast_http_user\"},\n"
    "    \"user_count\": 20, \"spawn_rate\": 10, \"test_time\": %d,\n"
    "    \"tasks\": [\n"
    "      {\"method\": \"get\",  \"request_url\": \"${var.base}/get\"},\n"
    "      {\"method\": \"post\", \"request_url\": \"${var.base}/post\",\n"
    "       \"json\": {\"hello\": \"world\"}}\n"
    "    ]\n"
    "  }],\n"
    "  [\"LD_generate_summary_report\", {\"report_name\": \"smoke\"}]\n"
    "]}\n";

/* ---- summary table ---- */

static double num(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

void cli_print_summary(FILE *out, const json_t *summary)
{
    const json_t *totals = json_object_get(summary, "totals");
    const json_t *lat = json_object_get(summary, "latency_overall");
    const json_t *per = json_object_get(summary, "per_name");
    const char *name;
    const json_t *v;

    fprintf(out, "    %-34s %9s %7s %9s %8s %8s %8s %8s\n", "name",
            "requests", "fails", "req/s", "p50 ms", "p95 ms", "p99 ms",
            "max ms");
    json_object_foreach((json_t *)(uintptr_t)per, name, v) {
        fprintf(out, "    %-34.34s %9.0f %7.0f %9.1f %8.2f %8.2f %8.2f %8.2f\n",
                name, num(v, "requests"), num(v, "failures"),
                num(v, "requests_per_second"), num(v, "p50_ms"),
                num(v, "p95_ms"), num(v, "p99_ms"), num(v, "max_ms"));
    }
    fprintf(out, "    %-34s %9.0f %7.0f %9.1f %8.2f %8.2f %8.2f %8.2f\n",
            "TOTAL", num(totals, "requests"), num(totals, "failures"),
            num(totals, "requests_per_second"), num(lat, "p50_ms"),
            num(lat, "p95_ms"), num(lat, "p99_ms"), num(lat, "max_ms"));
}

/* ---- commands ---- */

int cli_cmd_commands(int argc, char **argv)
{
    size_t n, i;
    const ld_command_t *c = ld_registry_commands(&n);

    if (argc > 1 && !strcmp(argv[1], "--json")) {
        json_t *j = ld_registry_to_json();

        json_dumpf(j, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(j);
        return LD_EXIT_OK;
    }
    if (argc > 1 && !strcmp(argv[1], "--markdown")) {
        ld_buf_t b;

        ld_buf_init(&b, 0);
        if (ld_registry_write_markdown(&b)) {
            fprintf(stderr, "loaddensity: out of memory\n");
            return LD_EXIT_INTERNAL;
        }
        fwrite(b.data, 1, b.len, stdout);
        ld_buf_free(&b);
        return LD_EXIT_OK;
    }
    if (argc > 1) {
        printf("usage: loaddensity commands [--json | --markdown]\n\n"
               "List every command an action document can use, and whether "
               "this build\nimplements it yet. --json describes every "
               "argument; --markdown writes\nthe reference "
               "(docs/commands.md).\n");
        return strcmp(argv[1], "-h") && strcmp(argv[1], "--help")
                   ? LD_EXIT_BAD_INPUT
                   : LD_EXIT_OK;
    }
    for (i = 0; i < n; i++)
        printf("%-34s %-11s %s%s\n", c[i].name, c[i].group,
               c[i].fn ? "" : "[not available yet] ", c[i].summary);
    return LD_EXIT_OK;
}

/* ---- init ---- */

/* An existing file stops init unless --force is given. */
static bool on_file(void *user, const char *path, bool created)
{
    (void)user;
    if (created) {
        printf("  created %s\n", path);
        return true;
    }
    fprintf(stderr, "loaddensity init: %s already exists (use --force to "
                    "overwrite)\n",
            path);
    return false;
}

int cli_create_project(const char *path, bool force)
{
    ld_diag_t d;
    int rc;

    ld_diag_clear(&d);
    rc = ld_project_create(path, force ? LD_PROJECT_FORCE : 0, on_file, NULL,
                           &d);
    if (rc == LD_ESTOPPED)
        return LD_EXIT_BAD_INPUT;
    if (rc) {
        fprintf(stderr, "loaddensity init: %s\n", d.msg);
        return LD_EXIT_BAD_INPUT;
    }
    printf("project ready: try `loaddensity demo %s/" LD_PROJECT_DIR
           "/keyword/keyword1.json`\n",
           path);
    return LD_EXIT_OK;
}

int cli_cmd_init(int argc, char **argv)
{
    const char *path = NULL;
    bool force = false;
    int i;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--force")) {
            force = true;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: loaddensity init [--force] PATH\n\n"
                   "Create PATH/LoadDensity with keyword/ (two example "
                   "action files) and\nexecutor/run_all.sh, as the Python "
                   "tool's init does. Existing files are\nkept unless "
                   "--force is given.\n");
            return LD_EXIT_OK;
        } else if (!path && argv[i][0] != '-') {
            path = argv[i];
        } else {
            fprintf(stderr, "usage: loaddensity init [--force] PATH\n");
            return LD_EXIT_BAD_INPUT;
        }
    }
    if (!path) {
        fprintf(stderr, "usage: loaddensity init [--force] PATH\n");
        return LD_EXIT_BAD_INPUT;
    }
    return cli_create_project(path, force);
}

/* ---- target and demo ---- */

static int parse_port(const char *s, int *port)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v < 0 || v > 65535) {
        fprintf(stderr, "loaddensity: invalid port '%s'\n", s);
        return -1;
    }
    *port = (int)v;
    return 0;
}

static int start_target(const char *host, int port, ld_target_t **t)
{
    ld_diag_t d;
    char buf[1200];

    ld_diag_clear(&d);
    if (ld_target_start(host, port, t, &d) == 0)
        return 0;
    fprintf(stderr, "loaddensity: cannot start the target on %s:%d: %s\n",
            host, port, ld_diag_format(&d, buf, sizeof(buf)));
    if (port)
        fprintf(stderr, "(choose another port with --port N)\n");
    return -1;
}

int cli_cmd_target(int argc, char **argv)
{
    const char *host = "127.0.0.1";
    int port = DEMO_PORT, i;
    ld_target_t *t;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc) {
            if (parse_port(argv[++i], &port))
                return LD_EXIT_BAD_INPUT;
        } else if (!strcmp(argv[i], "--host") && i + 1 < argc) {
            host = argv[++i];
        } else {
            printf("usage: loaddensity target [--host 127.0.0.1|::1] "
                   "[--port N]\n\nServe the embedded HTTP target (routes: /, "
                   "/get, /post, /json, /login, /auth,\n/delay/MS, "
                   "/status/NNN, /bytes/N, /echo, /headers, /close, /reset) "
                   "until\ninterrupted. Default port %d; 0 picks a free "
                   "one.\n",
                   DEMO_PORT);
            return strcmp(argv[i], "-h") && strcmp(argv[i], "--help")
                       ? LD_EXIT_BAD_INPUT
                       : LD_EXIT_OK;
        }
    }
    cli_install_signals();
    if (start_target(host, port, &t))
        return LD_EXIT_BAD_INPUT;
    printf("listening on http://%s%s%s:%d (Ctrl-C to stop)\n",
           strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "",
           ld_target_port(t));
    fflush(stdout);
    while (!cli_interrupt)
        pause();
    printf("served %llu requests on %llu connections\n",
           (unsigned long long)ld_target_requests(t),
           (unsigned long long)ld_target_connections(t));
    ld_target_stop(t);
    return LD_EXIT_OK;
}

int cli_cmd_demo(int argc, char **argv)
{
    cli_run_opts_t o;
    ld_exec_report_t rep;
    ld_ctx_t ctx;
    ld_diag_t d;
    ld_target_t *t;
    const char *file = NULL;
    int port = DEMO_PORT, seconds = 10, i, rc;
    char doc[sizeof(cli_demo_doc) + 32];

    memset(&o, 0, sizeof(o));
    for (i = 1; i < argc; i++) {
        rc = cli_parse_run_opt(argc, argv, &i, &o);
        if (rc < 0)
            return LD_EXIT_BAD_INPUT;
        if (rc)
            continue;
        if (!strcmp(argv[i], "--port") && i + 1 < argc) {
            if (parse_port(argv[++i], &port))
                return LD_EXIT_BAD_INPUT;
        } else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
            seconds = atoi(argv[++i]);
            if (seconds < 1 || seconds > 3600) {
                fprintf(stderr, "loaddensity demo: --seconds must be 1..3600"
                                "\n");
                return LD_EXIT_BAD_INPUT;
            }
        } else if (argv[i][0] != '-' && !file) {
            file = argv[i];
        } else {
            printf("usage: loaddensity demo [--port N] [--seconds S] "
                   "[run options] [FILE]\n\n"
                   "Start the embedded HTTP target on 127.0.0.1:%d and run "
                   "FILE against it\n(default: the seed's example document "
                   "pointed at the target, for S\nseconds, default 10). FILE "
                   "must use http://127.0.0.1:PORT as its target.\n",
                   DEMO_PORT);
            return strcmp(argv[i], "-h") && strcmp(argv[i], "--help")
                       ? LD_EXIT_BAD_INPUT
                       : LD_EXIT_OK;
        }
    }
    cli_install_signals();
    if (start_target("127.0.0.1", port, &t))
        return LD_EXIT_BAD_INPUT;
    fprintf(stderr, "embedded target listening on http://127.0.0.1:%d\n",
            ld_target_port(t));
    if (cli_ctx_setup(&ctx, &o)) {
        ld_target_stop(t);
        return LD_EXIT_INTERNAL;
    }
    ld_exec_report_init(&rep);
    ld_diag_clear(&d);
    if (file) {
        rc = ld_exec_file(&ctx, file, &rep, &d);
    } else {
        snprintf(doc, sizeof(doc), cli_demo_doc, ld_target_port(t), seconds);
        rc = ld_exec_string(&ctx, doc, "<demo>", &rep, &d);
    }
    fprintf(stderr, "target served %llu requests\n",
            (unsigned long long)ld_target_requests(t));
    ld_target_stop(t);
    return cli_finish(&ctx, &o, &rep, rc, &d);
}
