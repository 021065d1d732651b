/*
 * ldcore/report.h - reports from a record store (in memory, or loaded from a
 * stored run): HTML (one self-contained file with inline SVG charts), JSON
 * and XML (success/failure split as in the Python tool), CSV, JUnit XML,
 * summary JSON, SVG charts; SLA gates, run diffs and GitHub annotations.
 *
 * Ownership: paths are borrowed; every function writing a file writes it
 * atomically (temporary file + rename) so a failure leaves nothing half
 * written. Returned jansson values are new references.
 */
#ifndef LDCORE_REPORT_H
#define LDCORE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "ldcore/common.h"
#include "ldcore/registry.h"
#include "ldcore/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ld_report_kind {
    LD_REPORT_HTML,     /* <base>.html */
    LD_REPORT_JSON,     /* <base>_success.json + <base>_failure.json */
    LD_REPORT_XML,      /* <base>_success.xml + <base>_failure.xml */
    LD_REPORT_CSV,      /* <base>.csv */
    LD_REPORT_JUNIT,    /* <base>.xml */
    LD_REPORT_SUMMARY,  /* <base>.json */
    LD_REPORT_CHART     /* <base>-latency.svg + <base>-rps.svg */
} ld_report_kind_t;

/**
 * Write one report. *paths receives a JSON array of the files written.
 * Empty stores are an error for the kinds the Python tool refuses (HTML,
 * JSON, XML), with a clear message.
 */
int ld_report_write(ld_report_kind_t kind, const ld_records_t *recs,
                    const char *base, json_t **paths, ld_diag_t *d);
/** "html", "json", ... -> kind; -1 when unknown. */
int ld_report_kind_parse(const char *name);
/** kind -> "html", "json", ...; "unknown" when out of range. */
const char *ld_report_kind_name(ld_report_kind_t kind);

/**
 * The chart report with explicit bucketing: <base>-latency.svg (p50 and
 * p95 per bucket) and <base>-rps.svg (requests and failures per second).
 * bucket_s >= 0.001; when more than max_buckets (1 .. 1000000) buckets
 * would be needed the bucket widens. An empty store is an error.
 * ld_report_write(LD_REPORT_CHART) uses 1 s and 10000.
 */
int ld_report_write_charts(const ld_records_t *recs, const char *base,
                           double bucket_s, size_t max_buckets,
                           json_t **paths, ld_diag_t *d);

/* ---- SLA gates ---- */

/**
 * Judge rules ({"type","value","op","name"}) against a summary
 * (ld_summary_build shape). *verdicts receives [{"rule","passed","actual",
 * "reason"}]. A rule naming an unknown metric or request name, or a bad op,
 * is an error (LD_EINVAL with the rule's index in the message), not a pass.
 * *all_passed tells whether every rule passed.
 */
int ld_sla_evaluate(const json_t *rules, const json_t *summary,
                    json_t **verdicts, bool *all_passed, ld_diag_t *d);

/**
 * Check the shape of one rule without a summary: an object with a known
 * "type" (metric), a numeric "value", an optional known "op" and an
 * optional string "name", and no other key. index is used in the message
 * ("rules[2]: ..."). 0 or LD_EINVAL (with did-you-mean where it helps).
 */
int ld_sla_rule_check(const json_t *rule, size_t index, ld_diag_t *d);

/**
 * One line per failed verdict ("latency_p95 of /x is 812.5, not lte 500;
 * ...") into buf; returns buf.
 */
const char *ld_sla_failures_text(const json_t *verdicts, char *buf,
                                 size_t size);

/* ---- regression diff ---- */

/**
 * Compare two stored runs per name (p50/p95/p99, mean, failure rate,
 * throughput; latency figures of successful requests). *out receives the
 * Python diff_runs shape plus extras:
 *   {"baseline_run_id", "current_run_id", "tolerance",
 *    "per_name": {NAME: {"deltas": {METRIC: {"baseline", "current", "abs",
 *                 "pct", + "within_noise", "regressed"}},
 *               + "samples": {"baseline", "current"},
 *               + "only_in": "baseline"|"current" (name on one side only)}},
 *    "regressions": [{"name", "metrics": [METRIC...]}], "has_regressions",
 *    + "within_noise": [{"name", "metrics"}] (beyond the tolerance but not
 *      resolvable from the sample sizes), + "only_in_baseline": [NAME...],
 *    + "only_in_current": [NAME...], + "min_samples"}
 * METRIC: p50_ms, p95_ms, p99_ms, failure_rate, mean_ms (regress when they
 * grow by more than tolerance, relative to the baseline), and
 * requests_per_second (regresses when it drops by more than tolerance).
 * pct is null when the baseline is 0 and the current value is not; values
 * of the missing side are null. A change is "within_noise" when either
 * side has fewer than 30 samples (unless the latency samples, 5 or more a
 * side, do not overlap at all) or the change is inside the 95 % noise band
 * of the sample sizes (docs/internals/STORE.md); such a change is never a
 * regression. Errors: LD_ENOTFOUND (unknown run), LD_EINVAL (bad
 * tolerance, not a database), LD_EIO.
 */
int ld_diff_runs(const char *db_path, int64_t baseline, int64_t current,
                 double tolerance, json_t **out, ld_diag_t *d);

/* ---- GitHub annotations ---- */

/**
 * Write ::error workflow commands for failures grouped by name and message,
 * ranked by count, at most 10, then a line saying how many were folded.
 * Returns the number of annotation lines written (>= 0) or an LD_E* code.
 */
int ld_emit_github_annotations(FILE *out, const ld_records_t *recs,
                               const char *title);

/* ---- command handlers (registered in the command table) ---- */

/** LD_generate_html: [[overview fragment], [failures fragment]]. */
int ld_cmd_generate_html(ld_ctx_t *ctx, const ld_args_t *args,
                         json_t **result, ld_diag_t *d);
/** LD_generate_html_report: writes <html_name>.html, returns its path. */
int ld_cmd_generate_html_report(ld_ctx_t *ctx, const ld_args_t *args,
                                json_t **result, ld_diag_t *d);
/** LD_generate_json: [success_dict, failure_dict] (capped run size). */
int ld_cmd_generate_json(ld_ctx_t *ctx, const ld_args_t *args,
                         json_t **result, ld_diag_t *d);
/** LD_generate_json_report: [success_path, failure_path]. */
int ld_cmd_generate_json_report(ld_ctx_t *ctx, const ld_args_t *args,
                                json_t **result, ld_diag_t *d);
/** LD_generate_xml: [success_xml, failure_xml] strings (capped run size). */
int ld_cmd_generate_xml(ld_ctx_t *ctx, const ld_args_t *args,
                        json_t **result, ld_diag_t *d);
/** LD_generate_xml_report: [success_path, failure_path]. */
int ld_cmd_generate_xml_report(ld_ctx_t *ctx, const ld_args_t *args,
                               json_t **result, ld_diag_t *d);
/** LD_generate_csv_report: writes <csv_name>.csv, returns its path. */
int ld_cmd_generate_csv_report(ld_ctx_t *ctx, const ld_args_t *args,
                               json_t **result, ld_diag_t *d);
/** LD_generate_junit_report: writes <report_name>.xml, returns its path. */
int ld_cmd_generate_junit_report(ld_ctx_t *ctx, const ld_args_t *args,
                                 json_t **result, ld_diag_t *d);
/** LD_generate_chart_report: {"latency": abs path, "rps": abs path}. */
int ld_cmd_generate_chart_report(ld_ctx_t *ctx, const ld_args_t *args,
                                 json_t **result, ld_diag_t *d);
/** LD_evaluate_sla: the verdicts. */
int ld_cmd_evaluate_sla(ld_ctx_t *ctx, const ld_args_t *args,
                        json_t **result, ld_diag_t *d);
/** LD_assert_sla: the verdicts, or LD_ESLA listing the failed rules. */
int ld_cmd_assert_sla(ld_ctx_t *ctx, const ld_args_t *args, json_t **result,
                      ld_diag_t *d);
/** LD_emit_github_annotations: prints to ctx->out, returns the count. */
int ld_cmd_emit_github_annotations(ld_ctx_t *ctx, const ld_args_t *args,
                                   json_t **result, ld_diag_t *d);

#ifdef __cplusplus
}
#endif
#endif
