/*
 * loaddensity - run LoadDensity action documents from the command line.
 * Help, version, the quick commands (lint, schema) and the hand-over of
 * every other command to loaddensity-cli.so; everything with logic lives
 * in ldcore.
 */
#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ldcore/module.h"

static const char usage[] =
    "usage: loaddensity <command> [options] [args]\n"
    "\n"
    "Run load tests described in action documents (JSON or YAML).\n"
    "\n"
    "commands:\n"
    "  run FILE...         execute action files in order\n"
    "  run-dir DIR         execute every *.json / *.yaml file in DIR (sorted)\n"
    "  run-str JSON        execute an inline action document\n"
    "  demo [FILE]         start the embedded target on loopback and run FILE\n"
    "                      (default: a built-in smoke test) against it\n"
    "  target              serve the embedded HTTP target until interrupted\n"
    "  init PATH           create a project skeleton in PATH/LoadDensity\n"
    "  commands            list every LD_* command and whether it is available\n"
    "  import har FILE     turn a HAR recording into an action document\n"
    "  report --db DB --run ID [--format LIST] [--out BASE]\n"
    "                      write reports of a stored run\n"
    "  sla RULES.json (--summary FILE | --db DB --run ID) [--json]\n"
    "                      judge SLA rules (exit 3 when one fails)\n"
    "  runs list|show|diff DB ...\n"
    "                      stored runs of a SQLite database (runs --help)\n"
    "  lint FILE...        check action files without running them\n"
    "  schema [-o FILE]    write the JSON Schema of action documents\n"
    "  worker [--master-host H] [--master-port P] FILE\n"
    "                      join a Locust master and run FILE's scenarios\n"
    "  serve               not available yet (see `loaddensity commands`)\n"
    "\n"
    "options:\n"
    "  -h, --help          show help (also `loaddensity <command> --help`)\n"
    "  -V, --version       print the version\n"
    "\n"
    "legacy flags (Python LoadDensity): -e FILE, -d DIR, -c PATH,\n"
    "  --execute_file FILE, --execute_dir DIR, --create_project PATH,\n"
    "  --execute_str JSON\n"
    "\n"
    "exit codes: 0 ok, 1 an action failed, 2 bad input, 3 SLA failed,\n"
    "  4 requests failed (with --fail-on-request-errors), 69 not available,\n"
    "  70 internal error, 130 interrupted.\n"
    "\n"
    "environment: LOADDENSITY_IO=auto|epoll|io_uring  how the native HTTP/1.1\n"
    "  driver waits for its sockets (auto: io_uring when the kernel allows).\n";

/* cli/lint.c */
int cli_cmd_lint(int argc, char **argv);
int cli_cmd_schema(int argc, char **argv);

/* Commands that run in this program: the ones an editor, a pre-commit hook
 * or a CI step call many times, which must start fast. Every other command
 * runs in loaddensity-cli.so (cli/module.c), loaded on demand: it links
 * the engine and with it libcurl, OpenSSL, SQLite and ZeroMQ, some forty
 * shared libraries that take about 10 ms to load. */
static const struct {
    const char *name;
    int (*fn)(int, char **);
} quick[] = {
    {"lint", cli_cmd_lint},
    {"schema", cli_cmd_schema},
};

typedef int (*module_main_fn)(int, char **, const char *);

static int run_module(int argc, char **argv)
{
    char err[PATH_MAX + 256];
    module_main_fn entry;

    *(void **)&entry = ld_module_symbol("loaddensity-cli.so",
                                        "LOADDENSITY_CLI_MODULE",
                                        "ld_cli_module_main", err,
                                        sizeof(err));
    if (!entry) {
        fprintf(stderr,
                "loaddensity: %s\n"
                "(the program is installed incompletely; set "
                "LOADDENSITY_CLI_MODULE to the module's path)\n",
                err);
        return LD_EXIT_INTERNAL;
    }
    return entry(argc, argv, usage);
}

int main(int argc, char **argv)
{
    size_t i;

    if (argc < 2) {
        fputs(usage, stderr);
        return LD_EXIT_BAD_INPUT;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "help")) {
        fputs(usage, stdout);
        return LD_EXIT_OK;
    }
    if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
        printf("loaddensity %s\n", LD_VERSION);
        return LD_EXIT_OK;
    }
    for (i = 0; i < sizeof(quick) / sizeof(quick[0]); i++)
        if (!strcmp(argv[1], quick[i].name))
            return quick[i].fn(argc - 1, argv + 1);
    return run_module(argc, argv);
}
