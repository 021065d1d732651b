/*
 * loaddensity - run LoadDensity action documents from the command line.
 * Subcommand dispatch and help; everything with logic lives in ldcore.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

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
    "  70 internal error, 130 interrupted.\n";

static int unavailable(const char *name, const char *why)
{
    fprintf(stderr,
            "loaddensity %s: not available yet (%s).\n"
            "See `loaddensity commands` for what this build can do.\n",
            name, why);
    return LD_EXIT_UNAVAILABLE;
}

/* cli/lint.c */
int cli_cmd_lint(int argc, char **argv);
int cli_cmd_schema(int argc, char **argv);

static const struct {
    const char *name;
    int (*fn)(int, char **);
} subcommands[] = {
    {"run", cli_cmd_run},           {"run-dir", cli_cmd_run_dir},
    {"run-str", cli_cmd_run_str},   {"init", cli_cmd_init},
    {"commands", cli_cmd_commands}, {"demo", cli_cmd_demo},
    {"target", cli_cmd_target},     {"import", cli_cmd_import},
    {"report", cli_cmd_report},     {"sla", cli_cmd_sla},
    {"runs", cli_cmd_runs},
    {"lint", cli_cmd_lint},         {"schema", cli_cmd_schema},
    {"worker", cli_cmd_worker},
};

static const struct {
    const char *name;
    const char *why;
} later[] = {
    {"serve", "the control socket arrives later"},
};

int main(int argc, char **argv)
{
    bool handled = false;
    size_t i;
    int rc;

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
    for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
        if (!strcmp(argv[1], subcommands[i].name))
            return subcommands[i].fn(argc - 1, argv + 1);
    for (i = 0; i < sizeof(later) / sizeof(later[0]); i++)
        if (!strcmp(argv[1], later[i].name))
            return unavailable(later[i].name, later[i].why);
    rc = cli_legacy(argc, argv, &handled);
    if (handled)
        return rc;
    fprintf(stderr, "loaddensity: unknown command '%s'\n\n%s", argv[1],
            usage);
    return LD_EXIT_BAD_INPUT;
}
