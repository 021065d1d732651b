/*
 * ldcore/lint.h - the linter of action documents, the JSON Schema export and
 * the cursor analysis the language server completes from. Rules, shapes and
 * the schema are derived from the command registry (registry.h); rule ids are
 * stable, kebab-case and documented in docs/lint.md (generated from the rule
 * table below).
 *
 * Ownership: an ld_lint_result_t owns its findings, messages and definitions
 * until ld_lint_result_free(); documents and texts passed in are borrowed and
 * not referenced after the call returns (except by ld_lint_def_t.name, which
 * is copied).
 */
#ifndef LDCORE_LINT_H
#define LDCORE_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "ldcore/common.h"
#include "ldcore/doc.h"
#include "ldcore/registry.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Severities use the LSP numbering (DiagnosticSeverity). */
typedef enum ld_lint_severity {
    LD_LINT_ERROR = 1,   /* the document fails at run time */
    LD_LINT_WARNING = 2, /* suspicious: probably not what was meant */
    LD_LINT_INFO = 3     /* style hint */
} ld_lint_severity_t;

/*
 * The rule table: enum suffix, id, default severity, summary, and an example
 * document that triggers the rule (docs/lint.md shows it; a unit test lints
 * every example and checks that its rule fires).
 */
/* clang-format off */
#define LD_LINT_RULES(XX)                                                     \
    XX(SYNTAX, "syntax-error", ERROR,                                         \
       "The text is not valid JSON (or YAML for .yaml/.yml files).",          \
       "[[\"LD_summary\"],]")                                                 \
    XX(SHAPE, "invalid-shape", ERROR,                                         \
       "The document is not an action list, or an action is not "             \
       "[\"command\"], [\"command\", {kwargs}] or [\"command\", [args]].",    \
       "{\"load_density\": [[\"LD_summary\", {}, 1]]}")                       \
    XX(UNKNOWN_COMMAND, "unknown-command", ERROR,                             \
       "The command is not in the registry (with a did-you-mean).",           \
       "[[\"LD_sumary\"]]")                                                   \
    XX(NOT_AVAILABLE, "not-available", WARNING,                               \
       "The command, user template or runner mode is declared but this "      \
       "build cannot run it yet.",                                            \
       "[[\"LD_add_package_to_executor\", {\"package\": \"os\"}]]")           \
    XX(MISSING_ARGUMENT, "missing-argument", ERROR,                           \
       "A required argument of the command is missing.",                      \
       "[[\"LD_register_variable\", {\"name\": \"base\"}]]")                  \
    XX(UNKNOWN_ARGUMENT, "unknown-argument", ERROR,                           \
       "The command has no argument of that name (with a did-you-mean).",     \
       "[[\"LD_generate_summary_report\", {\"report\": \"x\"}]]")             \
    XX(EXTRA_ARGUMENT, "extra-argument", WARNING,                             \
       "An unknown keyword argument of a command that passes extra "          \
       "keywords on (LD_start_test): accepted, but probably a typo.",         \
       "[[\"LD_start_test\", {\"user_detail_dict\": {}, \"tasks\": "          \
       "[{\"request_url\": \"/\"}], \"user_cout\": 5}]]")                     \
    XX(TOO_MANY_ARGUMENTS, "too-many-arguments", ERROR,                       \
       "More positional arguments than the command takes.",                   \
       "[[\"LD_summary\", [1]]]")                                             \
    XX(WRONG_TYPE, "wrong-type", ERROR,                                       \
       "An argument, task field or nested value has the wrong JSON type.",    \
       "[[\"LD_register_csv_source\", {\"name\": \"u\", \"file_path\": 3}]]") \
    XX(INVALID_ENUM, "invalid-enum", ERROR,                                   \
       "A value outside its allowed set: user template, mode, load shape, "   \
       "HTTP method, assertion type, extractor source, SLA op, runner mode, " \
       "HTTP version, predicate or auth type.",                               \
       "[[\"LD_start_test\", {\"user_detail_dict\": {\"user\": "              \
       "\"fast_user\"}, \"tasks\": [{\"request_url\": \"/\"}]}]]")            \
    XX(MISSING_FIELD, "missing-field", ERROR,                                 \
       "A structured value lacks a key it needs (an assertion's \"type\" or " \
       "\"value\", an extractor's \"var\", a throttle's \"rps\", a CSV "      \
       "source's \"file_path\", an SLA rule's \"value\", ...).",              \
       "[[\"LD_start_test\", {\"user_detail_dict\": {}, \"tasks\": "          \
       "[{\"request_url\": \"/\", \"extract\": [{\"from\": \"header\", "      \
       "\"name\": \"X-Id\"}]}]}]]")                                           \
    XX(UNKNOWN_TASK_FIELD, "unknown-task-field", WARNING,                     \
       "An HTTP task has a field the engine ignores (with a did-you-mean).",  \
       "[[\"LD_start_test\", {\"user_detail_dict\": {}, \"tasks\": "          \
       "[{\"request_url\": \"/\", \"header\": {}}]}]]")                       \
    XX(UNKNOWN_KEY, "unknown-key", WARNING,                                   \
       "A key that a nested value (assertion, extractor, think time, "        \
       "throttle, retry, auth, SLA rule, CSV source, {\"mode\", \"tasks\"}) " \
       "does not use; it is ignored (with a did-you-mean).",                  \
       "[[\"LD_start_test\", {\"user_detail_dict\": {}, \"tasks\": "          \
       "[{\"request_url\": \"/\", \"retry\": {\"transiant\": 3}}]}]]")        \
    XX(MISSING_TASKS, "missing-tasks", ERROR,                                 \
       "LD_start_test without \"tasks\": there is nothing to run.",           \
       "[[\"LD_start_test\", {\"user_detail_dict\": {}}]]")                   \
    XX(EMPTY_TASKS, "empty-tasks", ERROR,                                     \
       "The task list of LD_start_test is empty.",                            \
       "[[\"LD_start_test\", {\"user_detail_dict\": {}, \"tasks\": []}]]")    \
    XX(MISSING_URL, "missing-url", ERROR,                                     \
       "An HTTP task has no \"request_url\" (or \"url\").",                   \
       "[[\"LD_start_test\", {\"user_detail_dict\": {}, \"tasks\": "          \
       "[{\"method\": \"get\"}]}]]")                                          \
    XX(MALFORMED_URL, "malformed-url", ERROR,                                 \
       "A request URL that cannot work: empty, whitespace or control "        \
       "characters, a scheme other than http/https, or no host after "        \
       "\"://\" (placeholders are not judged).",                              \
       "[[\"LD_start_test\", {\"user_detail_dict\": {}, \"tasks\": "          \
       "[{\"request_url\": \"htp://example.com/\"}]}]]")                      \
    XX(HARDCODED_URL, "hardcoded-url", INFO,                                  \
       "An absolute URL without placeholder; a ${var.base} variable makes "   \
       "the document reusable across environments.",                          \
       "[[\"LD_start_test\", {\"user_detail_dict\": {}, \"tasks\": "          \
       "[{\"request_url\": \"http://example.com/\"}]}]]")                     \
    XX(NON_POSITIVE_WEIGHT, "non-positive-weight", ERROR,                     \
       "A task weight below zero (refused at run time: error) or zero (the "  \
       "task never runs in weighted mode: warning).",                         \
       "[[\"LD_start_test\", {\"user_detail_dict\": {}, \"tasks\": "          \
       "{\"mode\": \"weighted\", \"tasks\": [{\"request_url\": \"/\", "       \
       "\"weight\": -1}]}}]]")                                                \
    XX(UNDEFINED_VARIABLE, "undefined-variable", WARNING,                     \
       "${var.X} is used but X is not registered earlier in the document "    \
       "(LD_register_variable(s), LD_start_test variables) nor extracted by " \
       "any \"extract\" entry; it stays unexpanded unless set another way "   \
       "(--var).",                                                            \
       "[[\"LD_start_test\", {\"user_detail_dict\": {}, \"tasks\": "          \
       "[{\"request_url\": \"${var.base}/\"}]}]]")                            \
    XX(UNDEFINED_CSV_SOURCE, "undefined-csv-source", WARNING,                 \
       "${csv.SOURCE.COLUMN} names a source not registered earlier in the "   \
       "document.",                                                           \
       "[[\"LD_start_test\", {\"user_detail_dict\": {}, \"tasks\": "          \
       "[{\"request_url\": \"/u/${csv.users.id}\"}]}]]")                      \
    XX(UNKNOWN_PLACEHOLDER, "unknown-placeholder", WARNING,                   \
       "A ${...} placeholder with an unknown prefix or function; it is left " \
       "in place verbatim.",                                                  \
       "[[\"print\", [\"${vars.base}\"]]]")                                   \
    XX(UNSUPPORTED_PLACEHOLDER, "unsupported-placeholder", WARNING,           \
       "${faker.*} and ${db.*} are recognised but not resolved by this "      \
       "build; they stay verbatim.",                                          \
       "[[\"print\", [\"${faker.name}\"]]]")                                  \
    XX(UNKNOWN_SLA_METRIC, "unknown-sla-metric", ERROR,                       \
       "An SLA rule on a metric that does not exist.",                        \
       "[[\"LD_assert_sla\", {\"rules\": [{\"type\": \"latency_p42\", "       \
       "\"value\": 100}]}]]")                                                 \
    XX(OVERSIZE_BODY, "oversize-body", WARNING,                               \
       "A request body over 1 MiB written inline; every request copies it.",  \
       NULL)                                                                  \
    XX(DUPLICATE_KEY, "duplicate-key", WARNING,                               \
       "The same key twice in one object: the last one wins.",                \
       "[[\"LD_generate_summary_report\", {\"report_name\": \"a\", "          \
       "\"report_name\": \"b\"}]]")

/* clang-format on */

typedef enum ld_lint_rule_id {
#define XX(e, id, sev, summary, example) LD_RULE_##e,
    LD_LINT_RULES(XX)
#undef XX
        LD_RULE__COUNT
} ld_lint_rule_id_t;

typedef struct ld_lint_rule {
    ld_lint_rule_id_t rule;
    const char *id;              /* "unknown-command" */
    ld_lint_severity_t severity; /* default severity */
    const char *summary;
    const char *example; /* a document that triggers it, or NULL */
} ld_lint_rule_t;

/** Every rule, in table order; *n receives the count. */
const ld_lint_rule_t *ld_lint_rules(size_t *n);
/** Rule by id ("unknown-command"), or NULL. */
const ld_lint_rule_t *ld_lint_rule_find(const char *id);
/** "error", "warning" or "info". */
const char *ld_lint_severity_name(ld_lint_severity_t s);

/** A text edit that fixes a finding: replace [start, end) (byte offsets in
 *  the linted text) with text. */
typedef struct ld_lint_fix {
    char *title; /* "Change to \"LD_summary\"" */
    size_t start;
    size_t end;
    char *text;
} ld_lint_fix_t;

typedef struct ld_lint_finding {
    const ld_lint_rule_t *rule;
    ld_lint_severity_t severity; /* the rule's, or lower for mild cases */
    ld_pos_t pos;                /* start (line 0: no position known) */
    ld_pos_t end;                /* end, exclusive */
    char *message;
    char *location;       /* JSON-path-like: "actions[2].tasks[0]" */
    ld_lint_fix_t *fixes; /* quick fixes, may be NULL */
    size_t nfixes;
} ld_lint_finding_t;

/* What a definition registers, for go-to-definition and completion. */
typedef enum ld_lint_def_kind {
    LD_DEF_VAR,     /* LD_register_variable(s), start_test variables */
    LD_DEF_EXTRACT, /* an "extract" entry's "var" (per user at run time) */
    LD_DEF_CSV      /* a CSV source name; detail is its file_path */
} ld_lint_def_kind_t;

typedef struct ld_lint_def {
    ld_lint_def_kind_t kind;
    char *name;
    char *detail; /* CSV file path, or NULL */
    ld_pos_t pos; /* the node that names it */
    ld_pos_t end;
} ld_lint_def_t;

typedef struct ld_lint_result {
    ld_lint_finding_t *items;
    size_t n;
    size_t cap;
    size_t errors;
    size_t warnings;
    ld_lint_def_t *defs;
    size_t ndefs;
    size_t defs_cap;
    const ld_node_t **actions; /* top-level action nodes (borrowed from the
                                  linted document; valid while it lives) */
    size_t nactions;
    char file[512]; /* name given, for output */
} ld_lint_result_t;

typedef struct ld_lint_opts {
    const char *const *known_commands; /* extra names to accept, or NULL */
    size_t nknown;
    size_t max_findings; /* 0 = 10000; later findings are dropped */
    /* Documents with at least this many top-level actions are linted on
       two threads (same findings as one); 0 = 2000, SIZE_MAX = never. */
    size_t split_min;
} ld_lint_opts_t;

void ld_lint_result_init(ld_lint_result_t *r);
void ld_lint_result_free(ld_lint_result_t *r);

/**
 * Lint a parsed document (positions from its text). opts may be NULL.
 * Returns 0 (findings in r, which must be initialised) or LD_ENOMEM.
 */
int ld_lint_doc(const ld_doc_t *doc, const ld_lint_opts_t *opts,
                ld_lint_result_t *r);
/**
 * Lint a tree without its own document (e.g. a value inside another
 * document); text may be NULL (placeholders are then located by their whole
 * string). name is for output.
 */
int ld_lint_node(const ld_node_t *root, const char *text, size_t len,
                 const char *name, const ld_lint_opts_t *opts,
                 ld_lint_result_t *r);
/**
 * Parse and lint a text: a syntax error becomes one "syntax-error" finding.
 * *doc_out (may be NULL) receives the parsed document (caller frees; NULL
 * on a syntax error), which r->actions points into.
 */
int ld_lint_text(const char *text, size_t len, const char *name,
                 ld_doc_format_t fmt, const ld_lint_opts_t *opts,
                 ld_lint_result_t *r, ld_doc_t **doc_out);
/** Read, parse and lint a file. LD_EIO (d says why) when it cannot be read. */
int ld_lint_file(const char *path, const ld_lint_opts_t *opts,
                 ld_lint_result_t *r, ld_diag_t *d);

/** Findings as the Python tool's list of {"rule", "severity", "message",
 *  "location"} plus "file", "line", "column", "end_line", "end_column". */
json_t *ld_lint_result_to_json(const ld_lint_result_t *r);

typedef enum ld_lint_format {
    LD_LINT_FMT_TEXT,  /* file:line:col: severity: message [rule] */
    LD_LINT_FMT_GITHUB /* ::error file=...,line=...::message */
} ld_lint_format_t;

/** Append the findings of r in a text format to out. */
int ld_lint_format(const ld_lint_result_t *r, ld_lint_format_t fmt,
                   ld_buf_t *out);

/** The rule reference of docs/lint.md (a Markdown table and examples). */
int ld_lint_rules_markdown(ld_buf_t *out);

/* ---- JSON Schema (draft 2020-12) ---- */

/**
 * Build the JSON Schema of action documents from the registry: commands and
 * their arguments (kwargs and positional forms), task fields, nested shapes,
 * enums, defaults, and docs as descriptions. known_commands adds names
 * accepted with any arguments. Returns a new value, or NULL on ENOMEM.
 */
json_t *ld_schema_build(const char *const *known_commands, size_t nknown);
/** Build and write the schema to path (pretty-printed). */
int ld_schema_write(const char *path, const char *const *known_commands,
                    size_t nknown, ld_diag_t *d);

/* ---- handlers of LD_lint_action, LD_lint_action_file, LD_export_schema --- */

int ld_cmd_lint_action(ld_ctx_t *ctx, const ld_args_t *args, json_t **result,
                       ld_diag_t *d);
int ld_cmd_lint_action_file(ld_ctx_t *ctx, const ld_args_t *args,
                            json_t **result, ld_diag_t *d);
int ld_cmd_export_schema(ld_ctx_t *ctx, const ld_args_t *args, json_t **result,
                         ld_diag_t *d);

/* ---- nested value shapes (the keys of assertions, extractors, ...) ---- */

/* ld_shape_key_t and ld_shape_t are declared in ldcore/registry.h (the
   keys of user_detail_dict are a registry table). */

/** The object shape a registry shape tag describes, or NULL (for "tasks",
 *  "actions", "variables" and "files", which are not keyed objects). */
const ld_shape_t *ld_shape_find(const char *name);
const ld_shape_key_t *ld_shape_key(const ld_shape_t *s, const char *key);

/* ---- cursor analysis for completion (tolerant of broken text) ---- */

typedef enum ld_cursor_kind {
    LD_CUR_NONE = 0,
    LD_CUR_ACTION,      /* where a new action may start (action list) */
    LD_CUR_COMMAND,     /* the command name of an action */
    LD_CUR_ARG_KEY,     /* a keyword argument name; cmd set */
    LD_CUR_ARG_VALUE,   /* an argument value; cmd and param set */
    LD_CUR_TASK_KEY,    /* a task field name */
    LD_CUR_TASK_VALUE,  /* a task field value; field set */
    LD_CUR_TASKS_KEY,   /* a key of {"mode", "tasks"} */
    LD_CUR_SHAPE_KEY,   /* a key of a nested shape; shape set */
    LD_CUR_SHAPE_VALUE, /* a value in a nested shape; shape, skey set */
    LD_CUR_VALUE        /* some other value (inside a string, placeholders
                           still complete) */
} ld_cursor_kind_t;

typedef struct ld_cursor {
    ld_cursor_kind_t kind;
    const ld_command_t *cmd;    /* enclosing command, when known */
    const ld_param_t *param;    /* for ARG_VALUE */
    const ld_field_t *field;    /* for TASK_VALUE */
    const ld_shape_t *shape;    /* for SHAPE_KEY / SHAPE_VALUE */
    const ld_shape_key_t *skey; /* for SHAPE_VALUE */
    const char *enum_name;      /* values to offer (ld_registry_enum), or
                                   NULL (param/field enums are in param /
                                   field) */
    bool in_string;             /* the cursor is inside a string literal */
    size_t tok_start;           /* byte offset of the token under the
                                   cursor (its opening quote), or the
                                   cursor when there is none */
    size_t tok_end;             /* one past the token (closing quote
                                   included when present) */
    bool in_placeholder;        /* inside "${..." (not closed before the
                                   cursor) */
    size_t ph_start;            /* offset just after "${" */
    bool action_has_args;       /* for COMMAND: the action already has a
                                   second element */
    size_t container_start;     /* offset of the innermost { or [ */
    char present[32][48];       /* keys already present in the innermost
                                   object (up to 32) */
    size_t npresent;
} ld_cursor_t;

/**
 * Analyse text around byte offset off: scan from start (an offset where an
 * action of the top-level action list begins, or 0 for the document start;
 * when start is not 0 the scanner assumes it is inside the action list) up
 * to off, tolerating unfinished input, and say what may be typed there.
 * O(off - start) plus the rest of the innermost object's keys.
 */
void ld_cursor_at(const char *text, size_t len, size_t start, size_t off,
                  ld_cursor_t *c);

#ifdef __cplusplus
}
#endif
#endif
