/* `loaddensity import har FILE ...`: a HAR recording to an action document. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ldcore/import.h"

#define MAX_PATTERNS 64

static const char import_usage[] =
    "usage: loaddensity import har FILE [--include RE]... [--exclude RE]...\n"
    "           [--user U] [--user-count N] [--spawn-rate R] [--test-time T]\n"
    "           [-o OUT]\n"
    "\n"
    "Turn a HAR 1.2 recording (browser DevTools, mitmproxy, Charles, ...) into\n"
    "an action document with one task per request, in recording order, each\n"
    "asserting the recorded status code. --include keeps only URLs matching\n"
    "one of the regular expressions, --exclude then drops matching ones\n"
    "(Python re syntax, searched anywhere in the URL). Entries that are not\n"
    "http(s) (data:, ws:, ...) are skipped. Defaults: --user fast_http_user,\n"
    "--user-count 10, --spawn-rate 5, --test-time 60. The document goes to\n"
    "OUT (written atomically) or to stdout; counts go to stderr.\n";

typedef struct import_args {
    const char *file;
    const char *out;
    const char *inc[MAX_PATTERNS];
    const char *exc[MAX_PATTERNS];
    ld_har_opts_t o;
} import_args_t;

static int bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "loaddensity import: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see `loaddensity import --help`)\n");
    return LD_EXIT_BAD_INPUT;
}

static int number(const char *opt, const char *s, double lo, double *v)
{
    char *end;

    errno = 0;
    *v = strtod(s, &end);
    if (*s == '\0' || *end != '\0' || errno || !(*v >= lo) || *v > 1e9) {
        fprintf(stderr, "loaddensity import: %s needs a number >= %g, got "
                        "'%s'\n",
                opt, lo, s);
        return -1;
    }
    return 0;
}

/* One option at argv[*i]; 0 consumed, 1 help, LD_EXIT_BAD_INPUT on error. */
static int parse_opt(int argc, char **argv, int *i, import_args_t *a)
{
    const char *o = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    double num;

    if (!strcmp(o, "-h") || !strcmp(o, "--help"))
        return 1;
    if (o[0] != '-' || !o[1]) {
        if (a->file)
            return bad("unexpected argument '%s'", o);
        a->file = o;
        return 0;
    }
    if (!v)
        return bad("%s needs a value", o);
    ++*i;
    if (!strcmp(o, "--include") || !strcmp(o, "--exclude")) {
        bool inc = o[2] == 'i';
        size_t *n = inc ? &a->o.ninclude : &a->o.nexclude;

        if (*n >= MAX_PATTERNS)
            return bad("too many %s patterns", o);
        (inc ? a->inc : a->exc)[(*n)++] = v;
    } else if (!strcmp(o, "--user")) {
        a->o.user = v;
    } else if (!strcmp(o, "-o") || !strcmp(o, "--output")) {
        a->out = v;
    } else if (!strcmp(o, "--user-count")) {
        if (number(o, v, 0, &num))
            return LD_EXIT_BAD_INPUT;
        a->o.user_count = (int64_t)num;
    } else if (!strcmp(o, "--spawn-rate")) {
        if (number(o, v, 0, &a->o.spawn_rate))
            return LD_EXIT_BAD_INPUT;
    } else if (!strcmp(o, "--test-time")) {
        if (number(o, v, 0, &a->o.test_time))
            return LD_EXIT_BAD_INPUT;
    } else {
        return bad("unknown option '%s'", o);
    }
    return 0;
}

static int write_out(const char *out, const json_t *doc)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
    size_t n = text ? strlen(text) : 0;
    char tmp[4200];
    FILE *f;
    int ok;

    if (!text) {
        fprintf(stderr, "loaddensity import: out of memory\n");
        return LD_EXIT_INTERNAL;
    }
    if (!out) {
        ok = fwrite(text, 1, n, stdout) == n && fputc('\n', stdout) != EOF &&
             fflush(stdout) == 0;
        free(text);
        return ok ? LD_EXIT_OK : LD_EXIT_INTERNAL;
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp", out);
    f = fopen(tmp, "w");
    ok = f && fwrite(text, 1, n, f) == n && fputc('\n', f) != EOF;
    ok = f && fclose(f) == 0 && ok;
    free(text);
    if (!ok || rename(tmp, out) != 0) {
        fprintf(stderr, "loaddensity import: cannot write %s: %s\n", out,
                strerror(errno));
        remove(tmp);
        return LD_EXIT_BAD_INPUT;
    }
    return LD_EXIT_OK;
}

static int import_har(import_args_t *a)
{
    ld_har_stats_t st;
    ld_diag_t d;
    json_t *har = NULL, *doc = NULL;
    char msg[1700];
    int rc;

    ld_diag_clear(&d);
    a->o.include = a->inc;
    a->o.exclude = a->exc;
    rc = ld_har_load(a->file, &har, &d);
    if (!rc)
        rc = ld_har_to_action_json(har, &a->o, &doc, &st, &d);
    json_decref(har);
    if (rc) {
        fprintf(stderr, "loaddensity import: %s\n",
                ld_diag_format(&d, msg, sizeof(msg)));
        return rc == LD_ENOMEM ? LD_EXIT_INTERNAL : LD_EXIT_BAD_INPUT;
    }
    fprintf(stderr,
            "%s: %zu of %zu entries became tasks (%zu filtered out, %zu not "
            "http(s), %zu without method or URL)\n",
            a->file, st.tasks, st.entries, st.filtered, st.unsupported,
            st.invalid);
    rc = write_out(a->out, doc);
    json_decref(doc);
    if (!rc && a->out)
        fprintf(stderr, "wrote %s\n", a->out);
    return rc;
}

int cli_cmd_import(int argc, char **argv)
{
    import_args_t a;
    int i, rc;

    memset(&a, 0, sizeof(a));
    ld_har_opts_init(&a.o);
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(import_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? LD_EXIT_BAD_INPUT : LD_EXIT_OK;
    }
    if (strcmp(argv[1], "har") != 0) {
        fprintf(stderr, "loaddensity import: unknown format '%s' (this build "
                        "imports: har)\n",
                argv[1]);
        return LD_EXIT_BAD_INPUT;
    }
    for (i = 2; i < argc; i++) {
        rc = parse_opt(argc, argv, &i, &a);
        if (rc == 1) {
            fputs(import_usage, stdout);
            return LD_EXIT_OK;
        }
        if (rc)
            return rc;
    }
    if (!a.file)
        return bad("%s", "missing the HAR FILE");
    return import_har(&a);
}
