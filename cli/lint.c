/*
 * loaddensity lint / schema - the linter and the JSON Schema export from the
 * command line. Argument parsing and presentation only; ldcore/lint.h does
 * the work.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "ldcore/lint.h"

int cli_cmd_lint(int argc, char **argv);
int cli_cmd_schema(int argc, char **argv);

#define MAX_KNOWN 256

static const char lint_usage[] =
    "usage: loaddensity lint [options] FILE...\n"
    "\n"
    "Check action documents without running them: unknown commands and\n"
    "arguments, types, enum values, task fields, placeholders, URLs, ...\n"
    "(every rule is described in docs/lint.md).\n"
    "\n"
    "options:\n"
    "  -f, --format FMT      text (default), json, or github (workflow\n"
    "                        commands that annotate pull requests)\n"
    "  --known-command NAME  accept NAME as a command (repeatable)\n"
    "  --strict              warnings fail too (exit 1)\n"
    "  -q, --quiet           no summary line on stderr\n"
    "  --rules               list the rules (--rules --markdown: the\n"
    "                        reference of docs/lint.md)\n"
    "\n"
    "exit codes: 0 no errors, 1 errors found (or warnings with --strict),\n"
    "  2 usage error or unreadable file.\n";

static const char schema_usage[] =
    "usage: loaddensity schema [-o FILE] [--known-command NAME]...\n"
    "\n"
    "Write the JSON Schema (draft 2020-12) of action documents, derived from\n"
    "the command registry, to FILE or standard output.\n";

typedef struct lint_opts {
    const char *format;
    const char *known[MAX_KNOWN];
    size_t nknown;
    bool strict, quiet, rules, markdown;
} lint_opts_t;

static int list_rules(bool markdown)
{
    ld_buf_t b;
    size_t n, i;
    const ld_lint_rule_t *r = ld_lint_rules(&n);

    if (!markdown) {
        for (i = 0; i < n; i++)
            printf("%-24s %-8s %s\n", r[i].id,
                   ld_lint_severity_name(r[i].severity), r[i].summary);
        return LD_EXIT_OK;
    }
    ld_buf_init(&b, 0);
    if (ld_lint_rules_markdown(&b)) {
        ld_buf_free(&b);
        return LD_EXIT_INTERNAL;
    }
    fputs(b.data ? b.data : "", stdout);
    ld_buf_free(&b);
    return LD_EXIT_OK;
}

/* Returns the index of the first file, or -1 on a usage error, or 0 when
   the command is fully handled (help). */
static int parse(int argc, char **argv, lint_opts_t *o)
{
    int i;

    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i];

        if (!strcmp(a, "--")) {
            return i + 1;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(lint_usage, stdout);
            return 0;
        } else if ((!strcmp(a, "-f") || !strcmp(a, "--format")) &&
                   i + 1 < argc) {
            o->format = argv[++i];
        } else if (!strncmp(a, "--format=", 9)) {
            o->format = a + 9;
        } else if (!strcmp(a, "--known-command") && i + 1 < argc) {
            if (o->nknown < MAX_KNOWN)
                o->known[o->nknown++] = argv[++i];
        } else if (!strcmp(a, "--strict")) {
            o->strict = true;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = true;
        } else if (!strcmp(a, "--rules")) {
            o->rules = true;
        } else if (!strcmp(a, "--markdown")) {
            o->markdown = true;
        } else {
            fprintf(stderr, "loaddensity lint: unknown option '%s'\n\n%s", a,
                    lint_usage);
            return -1;
        }
    }
    if (strcmp(o->format, "text") && strcmp(o->format, "json") &&
        strcmp(o->format, "github")) {
        fprintf(stderr,
                "loaddensity lint: unknown format '%s' (text, json "
                "or github)\n",
                o->format);
        return -1;
    }
    return i;
}

/* Lint one file, print it (text/github) or add it to all (json). */
static int lint_one(const char *path, const lint_opts_t *o, json_t *all,
                    size_t *errors, size_t *warnings)
{
    ld_lint_opts_t lo = {.known_commands = o->known, .nknown = o->nknown};
    ld_lint_result_t r;
    ld_diag_t d;
    ld_buf_t out;
    char msg[1600];
    int rc;

    ld_lint_result_init(&r);
    rc = ld_lint_file(path, &lo, &r, &d);
    if (rc && rc != LD_ENOMEM) {
        fprintf(stderr, "%s\n", ld_diag_format(&d, msg, sizeof(msg)));
        ld_lint_result_free(&r);
        return LD_EXIT_BAD_INPUT;
    }
    if (rc) {
        ld_lint_result_free(&r);
        return LD_EXIT_INTERNAL;
    }
    *errors += r.errors;
    *warnings += r.warnings;
    if (all) {
        json_t *a = ld_lint_result_to_json(&r);

        rc = a ? json_array_extend(all, a) : -1;
        json_decref(a);
    } else {
        ld_buf_init(&out, 0);
        rc = ld_lint_format(&r,
                            strcmp(o->format, "github") ? LD_LINT_FMT_TEXT
                                                        : LD_LINT_FMT_GITHUB,
                            &out);
        if (!rc && out.data)
            fputs(out.data, stdout);
        ld_buf_free(&out);
    }
    ld_lint_result_free(&r);
    return rc ? LD_EXIT_INTERNAL : LD_EXIT_OK;
}

int cli_cmd_lint(int argc, char **argv)
{
    lint_opts_t o;
    size_t errors = 0, warnings = 0;
    json_t *all = NULL;
    int first, i, rc = LD_EXIT_OK;

    memset(&o, 0, sizeof(o));
    o.format = "text";
    first = parse(argc, argv, &o);
    if (first <= 0)
        return first == 0 ? LD_EXIT_OK : LD_EXIT_BAD_INPUT;
    if (o.rules)
        return list_rules(o.markdown);
    if (first >= argc) {
        fprintf(stderr, "loaddensity lint: no file given\n\n%s", lint_usage);
        return LD_EXIT_BAD_INPUT;
    }
    if (!strcmp(o.format, "json") && !(all = json_array()))
        return LD_EXIT_INTERNAL;
    for (i = first; i < argc; i++) {
        int r = lint_one(argv[i], &o, all, &errors, &warnings);

        if (r > rc)
            rc = r;
    }
    if (all) {
        char *s = json_dumps(all, JSON_INDENT(2));

        if (s)
            printf("%s\n", s);
        free(s);
        json_decref(all);
    }
    if (!o.quiet)
        fprintf(stderr, "%zu error%s, %zu warning%s in %d file%s\n", errors,
                errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s",
                argc - first, argc - first == 1 ? "" : "s");
    if (rc)
        return rc;
    return errors || (o.strict && warnings) ? LD_EXIT_ACTION_FAILED
                                            : LD_EXIT_OK;
}

int cli_cmd_schema(int argc, char **argv)
{
    const char *known[MAX_KNOWN], *out = NULL;
    size_t nknown = 0;
    ld_diag_t d;
    char msg[1600];
    json_t *s;
    int i;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(schema_usage, stdout);
            return LD_EXIT_OK;
        } else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) &&
                   i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "--known-command") && i + 1 < argc) {
            if (nknown < MAX_KNOWN)
                known[nknown++] = argv[++i];
        } else {
            fprintf(stderr, "loaddensity schema: unexpected '%s'\n\n%s",
                    argv[i], schema_usage);
            return LD_EXIT_BAD_INPUT;
        }
    }
    if (out) {
        if (ld_schema_write(out, known, nknown, &d)) {
            fprintf(stderr, "%s\n", ld_diag_format(&d, msg, sizeof(msg)));
            return LD_EXIT_BAD_INPUT;
        }
        return LD_EXIT_OK;
    }
    if (!(s = ld_schema_build(known, nknown)))
        return LD_EXIT_INTERNAL;
    if (json_dumpf(s, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) ||
        fputc('\n', stdout) == EOF) {
        json_decref(s);
        return LD_EXIT_INTERNAL;
    }
    json_decref(s);
    return LD_EXIT_OK;
}
