/* report and sla: reports and SLA gates from stored runs or summaries. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ldcore/report.h"
#include "ldcore/store.h"

static const char report_help[] =
    "usage: loaddensity report --db DB --run ID [--format LIST] [--out BASE]\n"
    "\n"
    "Write reports of a run stored in a SQLite database.\n"
    "\n"
    "  --db DB          the database (written by LD_persist_records)\n"
    "  --run ID         the run id (see `loaddensity runs`)\n"
    "  --format LIST    comma-separated: html, json, xml, csv, junit,\n"
    "                   summary, chart (default: html)\n"
    "  --out BASE       output name without extension (default:\n"
    "                   loaddensity-run<ID>)\n"
    "  -h, --help       this help\n"
    "\n"
    "Prints the files written, one per line.\n";

static const char sla_help[] =
    "usage: loaddensity sla RULES.json (--summary SUMMARY.json | --db DB "
    "--run ID) [--json]\n"
    "\n"
    "Judge SLA rules ([{\"type\", \"value\", \"op\", \"name\"}], or\n"
    "{\"rules\": [...]}) against a summary file or a stored run.\n"
    "\n"
    "  --summary FILE   a summary (LD_summary / LD_generate_summary_report)\n"
    "  --db DB --run ID a run stored in a SQLite database\n"
    "  --json           print {\"passed\", \"verdicts\"} as JSON\n"
    "  -h, --help       this help\n"
    "\n"
    "exit codes: 0 every rule passed, 3 a rule failed, 2 bad input.\n";

static int exit_of(int rc)
{
    if (rc == LD_ENOMEM || rc == LD_EINTERNAL)
        return LD_EXIT_INTERNAL;
    return LD_EXIT_BAD_INPUT;
}

static int fail(const char *cmd, int rc, const ld_diag_t *d)
{
    char buf[2048];

    if (d && d->msg[0])
        fprintf(stderr, "loaddensity %s: %s\n", cmd,
                ld_diag_format(d, buf, sizeof(buf)));
    else
        fprintf(stderr, "loaddensity %s: %s\n", cmd, ld_strerror(rc));
    return exit_of(rc);
}

static int usage_error(const char *cmd, const char *msg, const char *help)
{
    fprintf(stderr, "loaddensity %s: %s\n\n%s", cmd, msg, help);
    return LD_EXIT_BAD_INPUT;
}

/* Value of an option at argv[*i] (--opt VALUE or --opt=VALUE), or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name,
                             bool *bad)
{
    size_t n = strlen(name);

    if (strncmp(argv[*i], name, n))
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n])
        return NULL;
    if (*i + 1 >= argc) {
        *bad = true;
        return NULL;
    }
    return argv[++*i];
}

static int parse_run_id(const char *s, int64_t *id)
{
    char *end = NULL;
    long long v = 0;

    errno = 0;
    v = s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || errno || v < 1)
        return -1;
    *id = v;
    return 0;
}

static int load_run(const char *cmd, const char *db, const char *run,
                    ld_records_t **out)
{
    ld_diag_t d;
    int64_t id = 0;
    int rc = 0;

    ld_diag_clear(&d);
    *out = NULL;
    if (parse_run_id(run, &id))
        return usage_error(cmd, "--run needs a positive run id",
                           !strcmp(cmd, "sla") ? sla_help : report_help);
    *out = ld_records_new();
    if (!*out)
        return LD_EXIT_INTERNAL;
    rc = ld_store_load_records(db, id, *out, &d);
    if (rc) {
        ld_records_free(*out);
        *out = NULL;
        return fail(cmd, rc, &d);
    }
    return LD_EXIT_OK;
}

/* ---- report ---- */

typedef struct report_opts {
    const char *db;
    const char *run;
    const char *format;
    const char *out;
} report_opts_t;

static int report_args(int argc, char **argv, report_opts_t *o)
{
    for (int i = 1; i < argc; i++) {
        bool bad = false;
        const char *v = NULL;

        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(report_help, stdout);
            return -1;
        }
        if ((v = opt_value(argc, argv, &i, "--db", &bad)))
            o->db = v;
        else if ((v = opt_value(argc, argv, &i, "--run", &bad)))
            o->run = v;
        else if ((v = opt_value(argc, argv, &i, "--format", &bad)))
            o->format = v;
        else if ((v = opt_value(argc, argv, &i, "--out", &bad)))
            o->out = v;
        else if (bad)
            return usage_error("report", "missing option value",
                               report_help);
        else
            return usage_error("report", "unexpected argument", report_help);
        if (bad)
            return usage_error("report", "missing option value",
                               report_help);
    }
    if (!o->db || !o->run)
        return usage_error("report", "--db and --run are required",
                           report_help);
    return 0;
}

/* Check every format before writing anything. */
static int check_formats(const char *list)
{
    char buf[256];
    char *save = NULL;

    snprintf(buf, sizeof(buf), "%s", list);
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (ld_report_kind_parse(t) < 0) {
            fprintf(stderr, "loaddensity report: unknown format '%s' (html, "
                            "json, xml, csv, junit, summary, chart)\n", t);
            return LD_EXIT_BAD_INPUT;
        }
    return 0;
}

static int write_formats(const ld_records_t *recs, const char *list,
                         const char *base)
{
    char buf[256];
    char *save = NULL;

    snprintf(buf, sizeof(buf), "%s", list);
    for (char *t = strtok_r(buf, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        json_t *paths = NULL;
        ld_diag_t d;
        size_t i = 0;
        json_t *p = NULL;
        int rc = 0;

        ld_diag_clear(&d);
        rc = ld_report_write((ld_report_kind_t)ld_report_kind_parse(t), recs,
                             base, &paths, &d);
        if (rc)
            return fail("report", rc, &d);
        json_array_foreach(paths, i, p)
            printf("%s\n", json_string_value(p));
        json_decref(paths);
    }
    return LD_EXIT_OK;
}

int cli_cmd_report(int argc, char **argv)
{
    report_opts_t o = {NULL, NULL, "html", NULL};
    ld_records_t *recs = NULL;
    char base[64];
    int rc = report_args(argc, argv, &o);

    if (rc)
        return rc < 0 ? LD_EXIT_OK : rc;
    if (strlen(o.format) >= 256 || (rc = check_formats(o.format)))
        return rc ? rc : usage_error("report", "--format too long",
                                     report_help);
    rc = load_run("report", o.db, o.run, &recs);
    if (rc)
        return rc;
    if (!o.out) {
        snprintf(base, sizeof(base), "loaddensity-run%s", o.run);
        o.out = base;
    }
    rc = write_formats(recs, o.format, o.out);
    ld_records_free(recs);
    return rc;
}

/* ---- sla ---- */

typedef struct sla_opts {
    const char *rules;
    const char *summary;
    const char *db;
    const char *run;
    bool json;
} sla_opts_t;

static int sla_args(int argc, char **argv, sla_opts_t *o)
{
    for (int i = 1; i < argc; i++) {
        bool bad = false;
        const char *v = NULL;

        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(sla_help, stdout);
            return -1;
        }
        if (!strcmp(argv[i], "--json"))
            o->json = true;
        else if ((v = opt_value(argc, argv, &i, "--summary", &bad)))
            o->summary = v;
        else if ((v = opt_value(argc, argv, &i, "--db", &bad)))
            o->db = v;
        else if ((v = opt_value(argc, argv, &i, "--run", &bad)))
            o->run = v;
        else if (!bad && argv[i][0] != '-' && !o->rules)
            o->rules = argv[i];
        else
            bad = true;
        if (bad)
            return usage_error("sla", "bad or missing argument", sla_help);
    }
    if (!o->rules)
        return usage_error("sla", "RULES.json is required", sla_help);
    if (!o->summary == !(o->db || o->run) || (o->db && !o->run) ||
        (o->run && !o->db))
        return usage_error("sla", "give either --summary FILE or --db DB "
                                  "--run ID", sla_help);
    return 0;
}

static json_t *load_json(const char *path)
{
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);

    if (!j)
        fprintf(stderr, "loaddensity sla: %s:%d:%d: error: %s\n", path,
                e.line, e.column, e.text);
    return j;
}

static json_t *load_rules(const char *path)
{
    json_t *j = load_json(path);
    json_t *rules = NULL;

    if (!j)
        return NULL;
    rules = json_is_object(j) ? json_incref(json_object_get(j, "rules"))
                              : json_incref(j);
    json_decref(j);
    if (!json_is_array(rules)) {
        fprintf(stderr, "loaddensity sla: %s: error: expected an array of "
                        "rules or {\"rules\": [...]}\n", path);
        json_decref(rules);
        return NULL;
    }
    return rules;
}

static int sla_summary(const sla_opts_t *o, json_t **summary)
{
    ld_records_t *recs = NULL;
    int rc = 0;

    if (o->summary) {
        *summary = load_json(o->summary);
        return *summary ? LD_EXIT_OK : LD_EXIT_BAD_INPUT;
    }
    rc = load_run("sla", o->db, o->run, &recs);
    if (rc)
        return rc;
    *summary = ld_summary_build(recs);
    ld_records_free(recs);
    return *summary ? LD_EXIT_OK : LD_EXIT_INTERNAL;
}

static void print_verdicts(const json_t *verdicts, bool passed)
{
    size_t i = 0;
    size_t failed = 0;
    json_t *v = NULL;

    json_array_foreach((json_t *)(uintptr_t)verdicts, i, v) {
        const json_t *rule = json_object_get(v, "rule");
        const char *name = json_string_value(json_object_get(rule, "name"));
        const json_t *op = json_object_get(rule, "op");
        const json_t *actual = json_object_get(v, "actual");
        bool ok = json_is_true(json_object_get(v, "passed"));

        failed += !ok;
        printf("%s  %s%s%s %s %g: ", ok ? "PASS" : "FAIL",
               json_string_value(json_object_get(rule, "type")),
               name && *name ? " of " : "", name && *name ? name : "",
               json_is_string(op) ? json_string_value(op) : "lte",
               json_number_value(json_object_get(rule, "value")));
        if (json_is_number(actual))
            printf("actual %g", json_number_value(actual));
        else
            printf("%s", json_string_value(json_object_get(v, "reason")));
        putchar('\n');
    }
    printf("SLA %s: %zu rules, %zu failed\n", passed ? "passed" : "FAILED",
           json_array_size(verdicts), failed);
}

int cli_cmd_sla(int argc, char **argv)
{
    sla_opts_t o = {NULL, NULL, NULL, NULL, false};
    json_t *rules = NULL;
    json_t *summary = NULL;
    json_t *verdicts = NULL;
    bool passed = false;
    ld_diag_t d;
    int rc = sla_args(argc, argv, &o);

    if (rc)
        return rc < 0 ? LD_EXIT_OK : rc;
    ld_diag_clear(&d);
    rules = load_rules(o.rules);
    rc = rules ? sla_summary(&o, &summary) : LD_EXIT_BAD_INPUT;
    if (!rc) {
        int e = ld_sla_evaluate(rules, summary, &verdicts, &passed, &d);
        rc = e ? fail("sla", e, &d) : LD_EXIT_OK;
    }
    if (!rc && o.json) {
        json_t *out = json_pack("{s:b,s:O}", "passed", passed, "verdicts",
                                verdicts);
        json_dumpf(out, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
        fputc('\n', stdout);
        json_decref(out);
    } else if (!rc) {
        print_verdicts(verdicts, passed);
    }
    if (!rc && !passed)
        rc = LD_EXIT_SLA_FAILED;
    json_decref(rules);
    json_decref(summary);
    json_decref(verdicts);
    return rc;
}
