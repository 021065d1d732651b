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

/* ---- regression diff ---- */

/**
 * Compare two stored runs per name (p95, mean, failure rate, throughput).
 * *out receives {"baseline_run_id","current_run_id","tolerance","per_name",
 * "regressions":[...],"has_regressions"}; small samples are flagged as
 * "within noise" rather than regressions.
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

#ifdef __cplusplus
}
#endif
#endif
