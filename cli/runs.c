/*
 * runs - stored runs in a SQLite database: list them, show one (summary and
 * records), diff two. Presentation only; everything else is ldcore/store.
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ldcore/report.h"
#include "ldcore/store.h"

static const char runs_usage[] =
    "usage: loaddensity runs list DB [--limit N] [--json]\n"
    "       loaddensity runs show DB ID [--records N] [--json]\n"
    "       loaddensity runs diff DB BASE CUR [--tolerance 0.1] [--json]\n"
    "\n"
    "Runs stored by LD_persist_records (or a streamed test) in the SQLite\n"
    "file DB. `diff` compares per name p50/p95/p99, mean, failure rate and\n"
    "throughput; a change beyond the tolerance that the sample sizes can\n"
    "resolve is a regression.\n"
    "\n"
    "exit codes: 0 ok (diff: no regression), 1 regressions, 2 bad input\n"
    "  (usage, missing file, not a database, unknown run), 70 internal.\n";

typedef struct runs_opts {
    const char *pos[4];
    int npos;
    bool json;
    long long limit;
    long long records;
    double tolerance;
} runs_opts_t;

static int usage_error(const char *fmt, const char *arg)
{
    fputs("loaddensity runs: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n", stderr);
    fputs(runs_usage, stderr);
    return LD_EXIT_BAD_INPUT;
}

static bool parse_ll(const char *s, long long *out)
{
    char *end = NULL;

    errno = 0;
    *out = strtoll(s, &end, 10);
    return s[0] && !*end && !errno;
}

static bool parse_num(const char *s, double *out)
{
    char *end = NULL;

    errno = 0;
    *out = strtod(s, &end);
    return s[0] && !*end && !errno && isfinite(*out);
}

/* An option with a value at argv[*i]; 1 consumed, 0 not ours, -1 error. */
static int parse_valued(int argc, char **argv, int *i, runs_opts_t *o)
{
    const char *a = argv[*i];
    bool ok = true;

    if (strcmp(a, "--limit") && strcmp(a, "--records") &&
        strcmp(a, "--tolerance"))
        return 0;
    if (*i + 1 >= argc) {
        usage_error("%s needs a value", a);
        return -1;
    }
    (*i)++;
    if (!strcmp(a, "--limit"))
        ok = parse_ll(argv[*i], &o->limit) && o->limit > 0;
    else if (!strcmp(a, "--records"))
        ok = parse_ll(argv[*i], &o->records) && o->records >= 0;
    else
        ok = parse_num(argv[*i], &o->tolerance) && o->tolerance >= 0;
    if (!ok) {
        usage_error("bad value for %s", a);
        return -1;
    }
    return 1;
}

static int parse(int argc, char **argv, runs_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    o->limit = 20;
    o->tolerance = 0.10;
    for (int i = 2; i < argc; i++) {
        int r = parse_valued(argc, argv, &i, o);
        if (r < 0)
            return LD_EXIT_BAD_INPUT;
        if (r)
            continue;
        if (!strcmp(argv[i], "--json"))
            o->json = true;
        else if (argv[i][0] == '-' && argv[i][1])
            return usage_error("unknown option '%s'", argv[i]);
        else if (o->npos < 4)
            o->pos[o->npos++] = argv[i];
        else
            return usage_error("unexpected argument '%s'", argv[i]);
    }
    return 0;
}

static int store_error(int rc, const ld_diag_t *d)
{
    char buf[2048];

    fprintf(stderr, "loaddensity runs: %s\n",
            ld_diag_format(d, buf, sizeof(buf)));
    return rc == LD_ENOMEM ? LD_EXIT_INTERNAL : LD_EXIT_BAD_INPUT;
}

static void print_json(const json_t *v)
{
    json_dumpf(v, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
    fputc('\n', stdout);
}

/* Stored text comes from test documents and servers: never send its
 * control characters (escape sequences) to the terminal. Ring of buffers. */
static const char *printable(const char *s)
{
    static char ring[8][256];
    static unsigned k;
    char *out = ring[k++ % 8];
    size_t i = 0;

    for (; s && *s && i < sizeof(ring[0]) - 1; s++)
        out[i++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
    out[i] = '\0';
    return out;
}

static const char *str_or(const json_t *o, const char *k, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s ? printable(s) : dflt;
}

static long long int_of(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

/* ---- list ---- */

static int cmd_list(const runs_opts_t *o)
{
    ld_diag_t d;
    json_t *runs = NULL, *r;
    size_t i;
    int rc;

    ld_diag_clear(&d);
    if (o->npos != 1)
        return usage_error("%s", "list takes one database path");
    rc = ld_store_list_runs(o->pos[0], (int)(o->limit > 1000000 ? 1000000
                                                                 : o->limit),
                            &runs, &d);
    if (rc)
        return store_error(rc, &d);
    if (o->json) {
        print_json(runs);
    } else {
        printf("%6s  %-28s %-24s %-24s %9s %7s\n", "id", "label",
               "started_at", "finished_at", "total", "failed");
        json_array_foreach(runs, i, r)
            printf("%6lld  %-28.28s %-24.24s %-24.24s %9lld %7lld\n",
                   int_of(r, "id"), str_or(r, "label", "-"),
                   str_or(r, "started_at", "-"),
                   str_or(r, "finished_at", "(unfinished)"),
                   int_of(r, "total"), int_of(r, "failed"));
        if (!json_array_size(runs))
            printf("(no runs in %s)\n", o->pos[0]);
    }
    json_decref(runs);
    return LD_EXIT_OK;
}

/* ---- show ---- */

static void print_record(const json_t *rec)
{
    const json_t *status = json_object_get(rec, "status_code");
    const json_t *ms = json_object_get(rec, "response_time_ms");

    printf("    %-7s %-6s %4s %8.0f  %-24.24s %s%s%s\n",
           str_or(rec, "outcome", "?"), str_or(rec, "method", "-"),
           json_is_string(status) ? json_string_value(status) : "-",
           json_number_value(ms), str_or(rec, "name", "-"),
           str_or(rec, "url", "-"),
           json_is_string(json_object_get(rec, "error")) ? "  " : "",
           str_or(rec, "error", ""));
}

static void print_show(const json_t *run, const json_t *summary,
                       const json_t *records)
{
    size_t i;
    const json_t *rec;
    char *meta = json_dumps(json_object_get(run, "metadata"),
                            JSON_COMPACT | JSON_ENCODE_ANY);

    printf("run %lld  %s\n", int_of(run, "id"), str_or(run, "label", "-"));
    printf("  started   %s\n  finished  %s\n  requests  %lld (%lld failed)\n"
           "  metadata  %s\n\n",
           str_or(run, "started_at", "-"),
           str_or(run, "finished_at", "(unfinished)"), int_of(run, "total"),
           int_of(run, "failed"), meta ? meta : "null");
    free(meta);
    cli_print_summary(stdout, summary);
    if (!records)
        return;
    printf("\n  first %zu records:\n", json_array_size(records));
    json_array_foreach(records, i, rec)
        print_record(rec);
}

static int show_loaded(const runs_opts_t *o, long long id, json_t *run,
                       ld_diag_t *d)
{
    ld_records_t *recs = ld_records_new();
    json_t *summary = NULL, *records = NULL;
    int rc = recs ? ld_store_load_records(o->pos[0], id, recs, d) : LD_ENOMEM;

    if (!rc && !(summary = ld_summary_build(recs)))
        rc = LD_ENOMEM;
    if (!rc && o->records > 0)
        rc = ld_store_fetch_records(o->pos[0], id, 0, o->records, &records,
                                    d);
    if (!rc && o->json) {
        json_t *all = json_pack("{s:O,s:O}", "run", run, "summary", summary);
        if (all && records)
            json_object_set(all, "records", records);
        if (all)
            print_json(all);
        json_decref(all);
    } else if (!rc) {
        print_show(run, summary, records);
    }
    json_decref(records);
    json_decref(summary);
    ld_records_free(recs);
    return rc;
}

static int cmd_show(const runs_opts_t *o)
{
    ld_diag_t d;
    json_t *run = NULL;
    long long id = 0;
    int rc;

    ld_diag_clear(&d);
    if (o->npos != 2)
        return usage_error("%s", "show takes a database path and a run id");
    if (!parse_ll(o->pos[1], &id))
        return usage_error("bad run id '%s'", o->pos[1]);
    rc = ld_store_get_run(o->pos[0], id, &run, &d);
    if (!rc)
        rc = show_loaded(o, id, run, &d);
    json_decref(run);
    return rc ? store_error(rc, &d) : LD_EXIT_OK;
}

/* ---- diff ---- */

static void fmt_change(char *buf, size_t n, const json_t *delta)
{
    const json_t *pct = json_object_get(delta, "pct");

    if (json_is_number(pct))
        snprintf(buf, n, "%+.1f%%", json_number_value(pct) * 100.0);
    else
        snprintf(buf, n, "n/a");
}

static void print_verdict(const json_t *entry)
{
    const json_t *deltas = json_object_get(entry, "deltas");
    const char *key, *only = str_or(entry, "only_in", NULL);
    const json_t *v;
    int bad = 0, noisy = 0;

    if (only) {
        printf("only in the %s run", only);
        return;
    }
    json_object_foreach((json_t *)(uintptr_t)deltas, key, v)
        if (json_is_true(json_object_get(v, "regressed")))
            printf("%s%s", bad++ ? ", " : "REGRESSED: ", key);
    json_object_foreach((json_t *)(uintptr_t)deltas, key, v)
        if (json_is_true(json_object_get(v, "within_noise")) &&
            !json_is_true(json_object_get(v, "regressed")) &&
            fabs(json_number_value(json_object_get(v, "abs"))) > 0)
            noisy++;
    if (!bad)
        printf(noisy ? "ok (changes within noise)" : "ok");
}

static void print_diff(const json_t *rep)
{
    static const char *const cols[] = {"p95_ms", "mean_ms", "failure_rate",
                                       "requests_per_second"};
    const json_t *per = json_object_get(rep, "per_name");
    const char *name;
    const json_t *e;
    char cell[4][24];

    printf("baseline run %lld, current run %lld, tolerance %.1f%%\n\n",
           int_of(rep, "baseline_run_id"), int_of(rep, "current_run_id"),
           json_number_value(json_object_get(rep, "tolerance")) * 100.0);
    printf("    %-34s %9s %9s %9s %9s  %s\n", "name", "p95", "mean",
           "fail rate", "req/s", "verdict");
    json_object_foreach((json_t *)(uintptr_t)per, name, e) {
        const json_t *deltas = json_object_get(e, "deltas");
        for (int i = 0; i < 4; i++)
            fmt_change(cell[i], sizeof(cell[i]),
                       json_object_get(deltas, cols[i]));
        printf("    %-34.34s %9s %9s %9s %9s  ", printable(name), cell[0],
               cell[1], cell[2], cell[3]);
        print_verdict(e);
        putchar('\n');
    }
    printf("\n%s\n", json_is_true(json_object_get(rep, "has_regressions"))
                         ? "regressions found"
                         : "no regression");
}

static int cmd_diff(const runs_opts_t *o)
{
    ld_diag_t d;
    json_t *rep = NULL;
    long long base = 0, cur = 0;
    int rc;

    ld_diag_clear(&d);
    if (o->npos != 3)
        return usage_error("%s", "diff takes a database path and two run ids");
    if (!parse_ll(o->pos[1], &base) || !parse_ll(o->pos[2], &cur))
        return usage_error("%s", "run ids must be integers");
    rc = ld_diff_runs(o->pos[0], base, cur, o->tolerance, &rep, &d);
    if (rc)
        return store_error(rc, &d);
    if (o->json)
        print_json(rep);
    else
        print_diff(rep);
    rc = json_is_true(json_object_get(rep, "has_regressions"))
             ? LD_EXIT_ACTION_FAILED
             : LD_EXIT_OK;
    json_decref(rep);
    return rc;
}

int cli_cmd_runs(int argc, char **argv)
{
    runs_opts_t o;
    int rc;

    if (argc < 2) {
        fputs(runs_usage, stderr);
        return LD_EXIT_BAD_INPUT;
    }
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(runs_usage, stdout);
            return LD_EXIT_OK;
        }
    rc = parse(argc, argv, &o);
    if (rc)
        return rc;
    if (!strcmp(argv[1], "list"))
        return cmd_list(&o);
    if (!strcmp(argv[1], "show"))
        return cmd_show(&o);
    if (!strcmp(argv[1], "diff"))
        return cmd_diff(&o);
    return usage_error("unknown subcommand '%s'", argv[1]);
}
