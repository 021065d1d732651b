/*
 * Command handlers of the report, SLA and annotation commands. They read
 * the context's in-memory records; argument names and defaults follow the
 * Python tool (declared in the registry table).
 */
#include "report/report_int.h"

#include "ldcore/exec.h"

#include <stdlib.h>
#include <string.h>

/* LD_generate_json / _xml / _html return the report in memory; past this
 * many records the caller is pointed at the file-writing variant. */
#define IN_MEMORY_MAX 100000u

/* ---- file reports ---- */

static int write_kind(ld_ctx_t *ctx, const ld_args_t *args,
                      ld_report_kind_t kind, const char *param,
                      const char *dflt, json_t **result, ld_diag_t *d)
{
    json_t *paths = NULL;
    int rc = ld_report_write(kind, ctx->records,
                             ld_args_str(args, param, dflt), &paths, d);

    if (rc)
        return rc;
    if (json_array_size(paths) == 1) {
        *result = json_incref(json_array_get(paths, 0));
        json_decref(paths);
    } else {
        *result = paths;
    }
    return 0;
}

int ld_cmd_generate_html_report(ld_ctx_t *ctx, const ld_args_t *args,
                                json_t **result, ld_diag_t *d)
{
    return write_kind(ctx, args, LD_REPORT_HTML, "html_name", "default_name",
                      result, d);
}

int ld_cmd_generate_json_report(ld_ctx_t *ctx, const ld_args_t *args,
                                json_t **result, ld_diag_t *d)
{
    return write_kind(ctx, args, LD_REPORT_JSON, "json_file_name",
                      "default_name", result, d);
}

int ld_cmd_generate_xml_report(ld_ctx_t *ctx, const ld_args_t *args,
                               json_t **result, ld_diag_t *d)
{
    return write_kind(ctx, args, LD_REPORT_XML, "xml_file_name",
                      "default_name", result, d);
}

int ld_cmd_generate_csv_report(ld_ctx_t *ctx, const ld_args_t *args,
                               json_t **result, ld_diag_t *d)
{
    return write_kind(ctx, args, LD_REPORT_CSV, "csv_name", "default_name",
                      result, d);
}

int ld_cmd_generate_junit_report(ld_ctx_t *ctx, const ld_args_t *args,
                                 json_t **result, ld_diag_t *d)
{
    return write_kind(ctx, args, LD_REPORT_JUNIT, "report_name",
                      "loaddensity-junit", result, d);
}

static json_t *abs_path(const json_t *p)
{
    char *real = realpath(json_string_value(p), NULL);
    json_t *j = real ? ld__json_str(real) : json_deep_copy(p);

    free(real);
    return j;
}

int ld_cmd_generate_chart_report(ld_ctx_t *ctx, const ld_args_t *args,
                                 json_t **result, ld_diag_t *d)
{
    int64_t max = ld_args_int(args, "max_buckets", 10000);
    json_t *paths = NULL;
    int rc = 0;

    if (max < 1)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "max_buckets must be at least 1, got %lld",
                           (long long)max);
    rc = ld_report_write_charts(
        ctx->records, ld_args_str(args, "report_name", "loaddensity-charts"),
        ld_args_num(args, "bucket_size_seconds", 1.0),
        (size_t)(max > 1000000 ? 1000001 : max), &paths, d);
    if (rc)
        return rc;
    *result = json_pack("{s:o,s:o}", "latency",
                        abs_path(json_array_get(paths, 0)), "rps",
                        abs_path(json_array_get(paths, 1)));
    json_decref(paths);
    return *result ? 0 : LD_ENOMEM;
}

/* ---- in-memory reports ---- */

typedef struct mstream {
    FILE *f;
    char *buf;
    size_t len;
} mstream_t;

static int ms_open(mstream_t *m)
{
    m->buf = NULL;
    m->len = 0;
    m->f = open_memstream(&m->buf, &m->len);
    return m->f ? 0 : LD_ENOMEM;
}

/* Close the stream and return its text as a jansson string (or NULL). */
static json_t *ms_string(mstream_t *m)
{
    json_t *j = NULL;

    if (m->f && fclose(m->f) == 0 && m->buf)
        j = json_stringn_nocheck(m->buf, m->len);
    m->f = NULL;
    free(m->buf);
    m->buf = NULL;
    return j;
}

static int in_memory_ok(const ld_ctx_t *ctx, const char *file_cmd,
                        ld_diag_t *d)
{
    size_t n = ld_records_count(ctx->records);

    if (!n)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "no test records: run a test first");
    if (n > IN_MEMORY_MAX)
        return ld_diag_set(d, LD_ETOOBIG, NULL, NULL,
                           "%zu records are too many to return in memory "
                           "(limit %u); use %s to write the report to "
                           "files", n, IN_MEMORY_MAX, file_cmd);
    return 0;
}

/* [part(false), part(true)] where part writes into a stream. */
typedef int (*part_fn)(FILE *f, const ld_records_t *r, bool failures);

static int xml_part(FILE *f, const ld_records_t *r, bool failures)
{
    ld__xml_records(f, r, failures);
    return 0;
}

static json_t *part_json(const ld_records_t *r, part_fn fn, bool failures,
                         bool parse)
{
    mstream_t m;
    json_t *s = NULL;
    json_t *v = NULL;

    if (ms_open(&m))
        return NULL;
    if (fn(m.f, r, failures)) {
        json_decref(ms_string(&m));
        return NULL;
    }
    s = ms_string(&m);
    if (!parse || !s)
        return s;
    v = json_loadb(json_string_value(s), json_string_length(s), 0, NULL);
    json_decref(s);
    return v;
}

static int two_parts(ld_ctx_t *ctx, part_fn fn, bool parse, json_t **result)
{
    json_t *a = part_json(ctx->records, fn, false, parse);
    json_t *b = a ? part_json(ctx->records, fn, true, parse) : NULL;

    if (!b) {
        json_decref(a);
        return LD_ENOMEM;
    }
    *result = json_pack("[o,o]", a, b);
    return *result ? 0 : LD_ENOMEM;
}

int ld_cmd_generate_json(ld_ctx_t *ctx, const ld_args_t *args,
                         json_t **result, ld_diag_t *d)
{
    int rc = in_memory_ok(ctx, "LD_generate_json_report", d);

    return rc ? rc : two_parts(ctx, ld__json_records, true, result);
}

int ld_cmd_generate_xml(ld_ctx_t *ctx, const ld_args_t *args,
                        json_t **result, ld_diag_t *d)
{
    int rc = in_memory_ok(ctx, "LD_generate_xml_report", d);

    return rc ? rc : two_parts(ctx, xml_part, false, result);
}

int ld_cmd_generate_html(ld_ctx_t *ctx, const ld_args_t *args,
                         json_t **result, ld_diag_t *d)
{
    mstream_t ov;
    mstream_t fl;
    json_t *a = NULL;
    json_t *b = NULL;
    int rc = in_memory_ok(ctx, "LD_generate_html_report", d);

    if (rc)
        return rc;
    if (ms_open(&ov))
        return LD_ENOMEM;
    if (ms_open(&fl)) {
        json_decref(ms_string(&ov));
        return LD_ENOMEM;
    }
    rc = ld__html_fragments(ov.f, fl.f, ctx->records, d);
    a = ms_string(&ov);
    b = ms_string(&fl);
    if (!rc && (!a || !b))
        rc = LD_ENOMEM;
    if (!rc)
        *result = json_pack("[[O],[O]]", a, b);
    json_decref(a);
    json_decref(b);
    return rc ? rc : *result ? 0 : LD_ENOMEM;
}

/* ---- SLA ---- */

/* Point d at a node of the action (the rule a shape error is about). */
static int at_node(const ld_args_t *args, const ld_node_t *n, ld_diag_t *d,
                   int rc)
{
    if (d && n) {
        snprintf(d->file, sizeof(d->file), "%s", args->file ? args->file : "");
        d->pos = n->pos;
        d->end = n->end;
    }
    return rc;
}

static int sla_inputs(ld_ctx_t *ctx, const ld_args_t *args, json_t **rules,
                      json_t **summary, ld_diag_t *d)
{
    const ld_node_t *rn = ld_args_get(args, "rules");
    const ld_node_t *sn = ld_args_get(args, "summary");
    int rc = 0;

    *rules = ld_node_to_json(rn);
    *summary = sn && sn->type != LD_TNULL ? ld_node_to_json(sn)
                                          : ld_summary_build(ctx->records);
    if (!*rules || !*summary)
        return LD_ENOMEM;
    for (size_t i = 0; i < json_array_size(*rules) && !rc; i++) {
        rc = ld_sla_rule_check(json_array_get(*rules, i), i, d);
        if (rc)
            at_node(args, ld_node_at(rn, i), d, rc);
    }
    return rc;
}

static int sla_run(ld_ctx_t *ctx, const ld_args_t *args, json_t **verdicts,
                   bool *passed, ld_diag_t *d)
{
    json_t *rules = NULL;
    json_t *summary = NULL;
    int rc = sla_inputs(ctx, args, &rules, &summary, d);

    if (!rc)
        rc = ld_sla_evaluate(rules, summary, verdicts, passed, d);
    json_decref(rules);
    json_decref(summary);
    return rc;
}

int ld_cmd_evaluate_sla(ld_ctx_t *ctx, const ld_args_t *args,
                        json_t **result, ld_diag_t *d)
{
    bool passed = false;

    return sla_run(ctx, args, result, &passed, d);
}

int ld_cmd_assert_sla(ld_ctx_t *ctx, const ld_args_t *args, json_t **result,
                      ld_diag_t *d)
{
    bool passed = false;
    char text[900];
    int rc = sla_run(ctx, args, result, &passed, d);

    if (rc || passed)
        return rc;
    return ld_diag_set(d, LD_ESLA, NULL, NULL, "SLA gates failed: %s",
                       ld_sla_failures_text(*result, text, sizeof(text)));
}

/* ---- annotations ---- */

int ld_cmd_emit_github_annotations(ld_ctx_t *ctx, const ld_args_t *args,
                                   json_t **result, ld_diag_t *d)
{
    int n = ld_emit_github_annotations(ctx->out ? ctx->out : stdout,
                                       ctx->records,
                                       ld_args_str(args, "title",
                                                   "LoadDensity"));

    if (n < 0)
        return ld_diag_set(d, n, NULL, NULL,
                           "cannot write the annotations: %s",
                           ld_strerror(n));
    *result = json_integer(n);
    return *result ? 0 : LD_ENOMEM;
}
