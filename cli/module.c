/*
 * module.c - entry point of loaddensity-cli.so: every subcommand except the
 * quick ones of main.c (lint, schema), which the `loaddensity` program hands
 * over to this module once it has loaded it.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static int unavailable(const char *name, const char *why)
{
    fprintf(stderr,
            "loaddensity %s: not available yet (%s).\n"
            "See `loaddensity commands` for what this build can do.\n",
            name, why);
    return LD_EXIT_UNAVAILABLE;
}

static const struct {
    const char *name;
    int (*fn)(int, char **);
} subcommands[] = {
    {"run", cli_cmd_run},           {"run-dir", cli_cmd_run_dir},
    {"run-str", cli_cmd_run_str},   {"init", cli_cmd_init},
    {"commands", cli_cmd_commands}, {"demo", cli_cmd_demo},
    {"target", cli_cmd_target},     {"import", cli_cmd_import},
    {"report", cli_cmd_report},     {"sla", cli_cmd_sla},
    {"runs", cli_cmd_runs},         {"worker", cli_cmd_worker},
};

static const struct {
    const char *name;
    const char *why;
} later[] = {
    {"serve", "the control socket arrives later"},
};

/** Run argv[1] (a subcommand or the Python tool's legacy flags); `usage` is
 *  the program's help, printed after an unknown command. */
__attribute__((visibility("default"))) int
ld_cli_module_main(int argc, char **argv, const char *usage);

int ld_cli_module_main(int argc, char **argv, const char *usage)
{
    bool handled = false;
    size_t i;
    int rc;

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
