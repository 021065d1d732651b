/*
 * ldcore/registry.h - the single source of truth: every LD_* command with its
 * parameters, and every task field, declared once in a table. Dispatch,
 * argument checking, the linter, the JSON Schema, LSP completion, MCP tool
 * schemas and docs/commands.md are all derived from these tables.
 *
 * Ownership: the tables are static and immutable; ld_args_t values point into
 * the action's document (borrowed) or into the registry's parsed defaults.
 */
#ifndef LDCORE_REGISTRY_H
#define LDCORE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "ldcore/common.h"
#include "ldcore/doc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* JSON type masks for parameters and task fields. */
enum {
    LD_J_NULL = 1u << 0,
    LD_J_BOOL = 1u << 1,
    LD_J_INT = 1u << 2,
    LD_J_REAL = 1u << 3,
    LD_J_NUMBER = (1u << 2) | (1u << 3),
    LD_J_STRING = 1u << 4,
    LD_J_ARRAY = 1u << 5,
    LD_J_OBJECT = 1u << 6,
    LD_J_ANY = 0x7fu
};

/** Mask bit of a node type. */
unsigned ld_type_mask(ld_type_t t);
/** Human text of a mask: "string or null", "integer", ... (static buffer per thread). */
const char *ld_mask_text(unsigned mask, char *buf, size_t size);
/** JSON Schema "type" of a mask, as a new value: "string", or an array
 *  such as ["string", "null"] ("number" covers integers; "null" is added
 *  when nullable); NULL when every type fits (no "type" to state). */
json_t *ld_mask_schema_type(unsigned mask, bool nullable);
/** Does v fit the type mask? An integral real (5.0) fits an integer slot.
 *  The one rule used by argument binding, the linter and the engine. */
bool ld_type_fits(const ld_node_t *v, unsigned mask);
/** A value for messages: "string \"abc\"" (cut at 40 bytes), "integer 5",
 *  "number 2.5", "true", "object", ... Writes buf (NUL-terminated) and
 *  returns it. */
const char *ld_value_describe(const ld_node_t *v, char *buf, size_t size);
/** JSON text of a value to insert for a missing argument or key (quick
 *  fixes, completion): a skeleton for the shapes "user_detail_dict" and
 *  "tasks", else an empty value of the first type of the mask ("\"\"",
 *  "{}", "[]", "0", "false"), else "null". Static text. */
const char *ld_registry_placeholder(unsigned types, const char *shape);
/**
 * Did-you-mean: the first of names[0..n) (stopping early at a NULL entry)
 * closest to name, within an edit distance that grows with name's length
 * (1 below 5 bytes, 2 below 10, else 3); NULL when none is that close.
 */
const char *ld_suggest(const char *name, const char *const *names, size_t n);

typedef struct ld_param {
    const char *name;
    unsigned types;            /* LD_J_* mask */
    bool required;
    const char *def;           /* default as JSON text, NULL when none */
    const char *const *enums;  /* NULL-terminated allowed strings, or NULL */
    const char *doc;           /* one or two sentences */
    const char *shape;         /* structured value: "tasks", "user_detail_dict",
                                  "sla_rules", "variables", "csv_sources",
                                  "actions", "files", "shape_config", or NULL */
} ld_param_t;

typedef struct ld_ctx ld_ctx_t;
typedef struct ld_command ld_command_t;

typedef struct ld_args {
    const ld_command_t *cmd;
    const ld_node_t *action;       /* the whole ["cmd", ...] node */
    const char *file;              /* document name, for diagnostics */
    const ld_node_t **values;      /* one per parameter: given or default */
    const bool *given;             /* one per parameter */
    const ld_member_t **extra;     /* unknown kwargs kept (EXTRA_KWARGS) */
    size_t nextra;
} ld_args_t;

/**
 * A command handler. On success returns 0 and may set *result to a new
 * jansson value (NULL means "no value"). On failure returns a negative LD_E*
 * and fills d (its position defaults to the action's when left empty).
 */
typedef int (*ld_command_fn)(ld_ctx_t *ctx, const ld_args_t *args,
                             json_t **result, ld_diag_t *d);

enum {
    LD_CMD_EXTRA_KWARGS = 1u << 0,  /* unknown kwargs are kept, with a lint warning */
    LD_CMD_VARIADIC = 1u << 1       /* positional list may be longer than params */
};

struct ld_command {
    const char *name;
    const char *group;
    const char *summary;
    const char *doc;
    const ld_param_t *params;      /* positional order */
    size_t nparams;
    unsigned flags;
    const char *alias_of;          /* another command's name, or NULL */
    ld_command_fn fn;              /* NULL: declared but not available yet */
    const char *unavailable;       /* why, when fn is NULL */
};

/** Every command, in table order; *n receives the count. */
const ld_command_t *ld_registry_commands(size_t *n);
/** Exact lookup, or NULL. */
const ld_command_t *ld_registry_find(const char *name);
/** The closest command name within a small edit distance, or NULL. */
const char *ld_registry_suggest(const char *name);
bool ld_command_available(const ld_command_t *c);
const ld_param_t *ld_command_param(const ld_command_t *c, const char *name,
                                   size_t *index);

/**
 * Bind an action node (["cmd"], ["cmd", {kwargs}], ["cmd", [args]]) to its
 * command: shape, unknown command (with did-you-mean), missing, unknown and
 * mistyped arguments, enum values. On success fills args (values and given
 * arrays are allocated; release with ld_args_release). file is for messages.
 */
int ld_args_bind(const ld_node_t *action, const char *file, ld_args_t *args,
                 ld_diag_t *d);
void ld_args_release(ld_args_t *args);

/** The value bound to a parameter (given or default), or NULL. */
const ld_node_t *ld_args_get(const ld_args_t *args, const char *name);
bool ld_args_given(const ld_args_t *args, const char *name);
/** Typed getters with a fallback when absent or null. */
int64_t ld_args_int(const ld_args_t *args, const char *name, int64_t dflt);
double ld_args_num(const ld_args_t *args, const char *name, double dflt);
const char *ld_args_str(const ld_args_t *args, const char *name,
                        const char *dflt);
bool ld_args_bool(const ld_args_t *args, const char *name, bool dflt);

/* ---- task fields: one table per user template ---- */

typedef struct ld_field {
    const char *name;
    unsigned types;
    const char *const *enums;
    const char *doc;
    const char *shape;   /* "assertions", "extract", "think_time", "throttle",
                            "retry", "predicate", "auth", "tasks", or NULL */
} ld_field_t;

/** Task fields (HTTP user templates), in table order. */
const ld_field_t *ld_registry_task_fields(size_t *n);
const ld_field_t *ld_registry_task_field(const char *name);
/** Allowed values of named enums: "user", "mode", "load_shape",
 *  "assertion", "extractor", "sla_metric", "sla_op", "runner_mode",
 *  "method", "http_version", "predicate", "auth", "driver".
 *  NULL-terminated; NULL if unknown. */
const char *const *ld_registry_enum(const char *which);
/** The values of enum `which` for a message: "\"a\", \"b\" or \"c\"".
 *  Writes buf (NUL-terminated, cut to size) and returns it. */
const char *ld_registry_enum_text(const char *which, char *buf, size_t size);

/* ---- nested value shapes (the keys of assertions, extractors, ...) ---- */

typedef struct ld_shape_key {
    const char *name;
    unsigned types; /* LD_J_* */
    bool required;
    const char *enum_name; /* ld_registry_enum() name, or NULL */
    const char *shape;     /* nested shape name, or NULL */
    const char *doc;
} ld_shape_key_t;

typedef struct ld_shape {
    const char *name; /* the registry's shape tag: "assertions", ... */
    const char *doc;
    bool list; /* a list of such objects (else one object) */
    bool open; /* other keys are accepted silently */
    const ld_shape_key_t *keys;
    size_t nkeys;
} ld_shape_t;

/**
 * The shapes the registry itself declares ("user_detail_dict"), or NULL for
 * any other name; ld_shape_find (ldcore/lint.h) answers for every shape.
 */
const ld_shape_t *ld_registry_shape(const char *name);

/* ---- user templates (user_detail_dict.user) ---- */

/** The user template of a test that names none. */
#define LD_USER_DEFAULT "fast_http_user"

typedef struct ld_user_template {
    const char *name; /* the Python tool's name, e.g. "fast_http_user" */
    const char *doc;
    const char *protocol; /* the engine's driver family ("http"); NULL: not
                             in this build */
} ld_user_template_t;

/** Every user template an action document may name, in table order (the
 *  "user" enum lists the same names); *n receives the count. */
const ld_user_template_t *ld_registry_users(size_t *n);
/** Exact lookup, or NULL. */
const ld_user_template_t *ld_registry_user(const char *name);
/** Does this build run the template (has the engine a driver for it)? */
bool ld_registry_user_available(const char *name);
/** The templates this build runs, as text: "fast_http_user, http_user".
 *  Writes buf (NUL-terminated, cut to size) and returns it. */
const char *ld_registry_users_available(char *buf, size_t size);

/** Render docs/commands.md from the tables into out. */
int ld_registry_write_markdown(ld_buf_t *out);
/** Describe every command as JSON (for `commands --json` and MCP). */
json_t *ld_registry_to_json(void);

#ifdef __cplusplus
}
#endif
#endif
