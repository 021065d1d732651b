/*
 * report_int.h - internals of the report subsystem: atomic output files,
 * escaping for every output format, aggregates shared by the formats
 * (failure groups, time buckets, per-name figures) and the format writers.
 */
#ifndef LD_REPORT_INT_H
#define LD_REPORT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "ldcore/report.h"
#include "ldcore/stats.h"

/* ---- atomic output file: written to a temporary name, renamed at commit */

typedef struct ld__rfile {
    FILE *f;
    char *path;     /* final name */
    char *tmp;      /* temporary name in the same directory */
} ld__rfile_t;

/** Create path's temporary file and open it for writing (64 KiB buffer). */
int ld__rfile_open(ld__rfile_t *w, const char *path, ld_diag_t *d);
/** Flush and close; LD_EIO (and the file removed) when a write failed. */
int ld__rfile_close(ld__rfile_t *w, ld_diag_t *d);
/** Rename the closed temporary file onto its final name. */
int ld__rfile_rename(ld__rfile_t *w, ld_diag_t *d);
/** Close (if open), remove the temporary file, release names. */
void ld__rfile_abort(ld__rfile_t *w);
/** Release names after a successful rename. */
void ld__rfile_done(ld__rfile_t *w);

/* ---- escaping (escape.c). Every writer replaces invalid UTF-8 with
 * U+FFFD. max_bytes (0 = no limit) truncates long text on a character
 * boundary and appends an ellipsis. */

/** Length of the valid UTF-8 sequence at p (at most avail bytes), or 0. */
size_t ld__utf8_seq(const unsigned char *p, size_t avail);
/** HTML text or double-quoted attribute value; controls become U+FFFD. */
void ld__put_html(FILE *f, const char *s, size_t max_bytes);
/** XML 1.0 text (attr false) or double-quoted attribute (attr true):
 *  characters XML 1.0 forbids become U+FFFD. */
void ld__put_xml(FILE *f, const char *s, bool attr, size_t max_bytes);
/** One CSV field, quoted per RFC 4180 when needed. */
void ld__put_csv(FILE *f, const char *s);
/** A jansson string of s with invalid UTF-8 replaced; NULL on ENOMEM. */
json_t *ld__json_str(const char *s);
/** A JSON string literal (jansson-encoded) written to f; 0 or LD_ENOMEM. */
int ld__put_json_str(FILE *f, const char *s);
/** GitHub workflow-command escaping: % \r \n, plus : and , when property. */
int ld__gh_escape(ld_buf_t *b, const char *s, bool property, size_t max_bytes);
/** Milliseconds with microsecond precision: "12.345". */
void ld__put_ms(FILE *f, uint64_t us);

/* ---- aggregates (agg.c) ---- */

/** Name key of a record: its name id, else its URL id, else 0 ("unknown"). */
uint32_t ld__name_key(const ld_records_t *r, const ld_record_t *rec);
/** Text of a name key. */
const char *ld__name_text(const ld_records_t *r, uint32_t key);
/** Whether a failure message already starts with "HTTP <status>". */
bool ld__msg_has_status(const char *msg, unsigned status);

typedef struct ld__fgroup {
    uint32_t name_key;
    uint32_t error_id;
    uint16_t status;      /* of the first failure of the group */
    uint8_t method;       /* of the first failure of the group */
    uint64_t count;
} ld__fgroup_t;

typedef struct ld__fgroups {
    ld__fgroup_t *v;      /* ranked: count desc, then name, then message */
    size_t n;
    uint64_t failures;    /* sum of every count */
} ld__fgroups_t;

/** Group the failures by (name, message). 0 or LD_ENOMEM. */
int ld__fgroups_build(const ld_records_t *r, ld__fgroups_t *out);
void ld__fgroups_free(ld__fgroups_t *g);

typedef struct ld__tbucket {
    uint64_t count;
    uint64_t failures;
    uint32_t p50_us;
    uint32_t p95_us;
} ld__tbucket_t;

typedef struct ld__tseries {
    uint64_t t0_ns;       /* start of the first bucket */
    uint64_t width_ns;
    size_t n;
    ld__tbucket_t *b;
} ld__tseries_t;

/**
 * Bucket the records by start time. width_ns 0 picks a round width giving
 * at most about 120 buckets; the width grows when more than max_buckets
 * would be needed. Percentiles are exact nearest-rank values over every
 * request of the bucket. 0 or LD_ENOMEM (an empty store gives n = 0).
 */
int ld__tseries_build(const ld_records_t *r, uint64_t width_ns,
                      size_t max_buckets, ld__tseries_t *out);
void ld__tseries_free(ld__tseries_t *t);

/** Nearest-rank index (0-based) of percentile q among n > 0 sorted values. */
size_t ld__rank_index(size_t n, double q);

/* ---- writers ---- */

/** Self-contained SVG charts; standalone adds the XML declaration. */
void ld__svg_latency(FILE *f, const ld__tseries_t *t, bool standalone);
void ld__svg_rps(FILE *f, const ld__tseries_t *t, bool standalone);

/** The whole HTML document. */
int ld__html_write(FILE *f, const ld_records_t *r, ld_diag_t *d);
/** The two fragments of LD_generate_html: overview and failures. */
int ld__html_fragments(FILE *overview, FILE *failures,
                       const ld_records_t *r, ld_diag_t *d);

/** Seed-shaped success (failure false) or failure records. */
int ld__json_records(FILE *f, const ld_records_t *r, bool failures);
void ld__xml_records(FILE *f, const ld_records_t *r, bool failures);
void ld__csv_records(FILE *f, const ld_records_t *r);
int ld__junit_write(FILE *f, const ld_records_t *r);

#endif
