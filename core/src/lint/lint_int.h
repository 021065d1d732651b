/* lint_int.h - the linter's walking context and helpers (internal). */
#ifndef LD_LINT_INT_H
#define LD_LINT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "ldcore/lint.h"
#include "ldcore/params.h"

/* A set of strings (open addressing; names are copied). */
typedef struct ld__strset {
    char **slots;
    size_t cap; /* power of two, or 0 */
    size_t n;
} ld__strset_t;

int ld__strset_add(ld__strset_t *s, const char *name, size_t len);
bool ld__strset_has(const ld__strset_t *s, const char *name, size_t len);
void ld__strset_clear(ld__strset_t *s);
void ld__strset_free(ld__strset_t *s);

/* A use of ${var.X} not registered when seen: judged at the end, since an
   "extract" anywhere in the document counts as registering X. */
typedef struct ld__pending_var {
    char *name;
    ld_pos_t pos;
    ld_pos_t end;
    char *location;
    bool open; /* see split.c: the earlier part of the document may define it */
} ld__pending_var_t;

/* A finding on a CSV source that the earlier part of the document may
   register (split.c). */
typedef struct ld__open_csv {
    size_t item; /* index in the part's findings */
    char *name;
} ld__open_csv_t;

typedef struct ld__lint {
    ld_lint_result_t *r;
    const ld_lint_opts_t *opts;
    const char *text; /* raw source, or NULL */
    size_t len;
    size_t max;        /* findings cap */
    int oom;           /* LD_ENOMEM once an allocation failed */
    ld__strset_t vars; /* registered so far, in document order */
    ld__strset_t csv;
    ld__strset_t extracted; /* every extract "var" of the document */
    ld__pending_var_t *pending;
    size_t npending;
    size_t pending_cap;
    /* location of the value being linted: a stack of keys (or NULL and an
       index), turned into text only when a finding needs it */
    const char *pkey[64];
    size_t pidx[64];
    size_t pdepth;
    const char *loc_override; /* used instead of the stack when set */
    /* A later part of the document linted on its own thread (split.c):
       until its first LD_clear_resolver (cleared), a lookup that misses may
       be satisfied by the earlier part, and stays open until the merge. */
    bool later;
    bool cleared;
    ld__open_csv_t *open_csv;
    size_t nopen_csv, open_csv_cap;
    bool http;                /* the current test's tasks are HTTP tasks */
    bool weighted;            /* ... in weighted mode */
    unsigned depth;           /* LD_execute_action nesting */
} ld__lint_t;

/* String equality that rejects on the first byte without a call: the
   linter compares many short names. */
#define LD__EQ(a, b) ((a)[0] == (b)[0] && strcmp((a), (b)) == 0)

/* Member value by key (last one wins, as in ld_node_get), NULL when
   absent; LD__PRESENT also treats null as absent (Python's None). */
const ld_node_t *ld__get(const ld_node_t *obj, const char *key);
const ld_node_t *ld__present(const ld_node_t *obj, const char *key);

/* ---- hashed registry lookups (index.c) ---- */

const ld_command_t *ld__find_command(const char *name);
const ld_param_t *ld__find_param(const ld_command_t *c, const char *name,
                                 size_t *idx);
const ld_field_t *ld__find_field(const char *name);

/* ---- findings (lint.c) ---- */

/* Add a finding over [pos, end); returns it (NULL when dropped or OOM). */
ld_lint_finding_t *ld__lint_add(ld__lint_t *cx, ld_lint_rule_id_t rule,
                                const ld_pos_t *pos, const ld_pos_t *end,
                                const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* The same over a node: the whole node when it sits on one line, else its
   first character (a multi-line squiggle hides more than it shows). */
ld_lint_finding_t *ld__lint_node(ld__lint_t *cx, ld_lint_rule_id_t rule,
                                 const ld_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Over an object member's key. */
ld_lint_finding_t *ld__lint_key(ld__lint_t *cx, ld_lint_rule_id_t rule,
                                const ld_member_t *m, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Attach a fix replacing [start, end) with text. */
void ld__lint_fix(ld__lint_t *cx, ld_lint_finding_t *f, size_t start,
                  size_t end, const char *text, const char *title_fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Fix: replace a string node (or key) by another string value. */
void ld__lint_fix_string(ld__lint_t *cx, ld_lint_finding_t *f,
                         const ld_pos_t *pos, const ld_pos_t *end,
                         const char *value);
/* Fix: insert "key": value into obj (an object node). */
void ld__lint_fix_insert_key(ld__lint_t *cx, ld_lint_finding_t *f,
                             const ld_node_t *obj, const char *key,
                             const char *value_json);
int ld__lint_def(ld__lint_t *cx, ld_lint_def_kind_t kind, const char *name,
                 size_t len, const char *detail, const ld_pos_t *pos,
                 const ld_pos_t *end);

/* Location stack: push a ".key" (the key must outlive the lint) or "[i]"
   part, pop back to a saved depth; render as "actions[2].tasks[0]". */
size_t ld__loc_key(ld__lint_t *cx, const char *key);
size_t ld__loc_index(ld__lint_t *cx, size_t i);
void ld__loc_pop(ld__lint_t *cx, size_t saved);
void ld__loc_text(const ld__lint_t *cx, char *buf, size_t size);

/* Lint an action list (the document, or LD_execute_action's); its items
   [from, to) only. */
void ld__lint_actions(ld__lint_t *cx, const ld_node_t *list);
void ld__lint_action_range(ld__lint_t *cx, const ld_node_t *list, size_t from,
                           size_t to);
/* The document's top-level list on two threads, when it is big enough and
   everything went well; false: nothing was done, lint it in one pass. */
bool ld__lint_split(ld__lint_t *cx, const ld_node_t *list);
/* How many lints went through ld__lint_split's merge (for the tests). */
extern size_t ld__lint_splits;
/* Free what a walk keeps besides its findings (sets, pending uses). */
void ld__lint_walk_free(ld__lint_t *cx);

/* ---- values, tasks and shapes (lint_tasks.c, lint_shapes.c) ---- */

/* Did-you-mean, type fit and value text come from the registry:
   ld_suggest, ld_type_fits, ld_value_describe (ldcore/registry.h). */
/* Is s one of the enum's values (ci: ASCII case-insensitively)? */
bool ld__enum_has(const char *const *vals, const char *s, bool ci);
/* Is the named enum compared case-insensitively at run time? */
bool ld__enum_ci(const char *enum_name);
/* What a value is, for messages: fmt with two %s (a, b), rendered only
   when a finding needs it. */
typedef struct ld__label {
    const char *fmt;
    const char *a;
    const char *b;
} ld__label_t;

/* Report a value outside an enum (with did-you-mean and fix). */
void ld__lint_bad_enum(ld__lint_t *cx, const ld_node_t *v,
                       const char *const *vals, const ld__label_t *what);
/* Check v against a type mask and enum; false when it did not fit. */
bool ld__lint_typed(ld__lint_t *cx, const ld_node_t *v, unsigned types,
                    const char *const *vals, bool ci, const ld__label_t *what);

void ld__lint_tasks(ld__lint_t *cx, const ld_node_t *tasks);
void ld__lint_shape(ld__lint_t *cx, const ld_shape_t *s, const ld_node_t *v);
void ld__lint_predicate(ld__lint_t *cx, const ld_node_t *v, const char *what);
/* The user template of an LD_start_test (user_detail_dict.user). */
void ld__lint_user(ld__lint_t *cx, const ld_node_t *udd);

/* ---- strings: placeholders, URLs, positions (lint_strings.c) ---- */

/* Duplicate keys of one object. */
void ld__lint_dupkeys(ld__lint_t *cx, const ld_node_t *obj);
/* Walk a value: duplicate keys and the placeholders of every string. */
void ld__lint_strings(ld__lint_t *cx, const ld_node_t *v);
/* Judge a request URL (malformed-url, hardcoded-url). */
void ld__lint_url(ld__lint_t *cx, const ld_node_t *u);
/* Position range of decoded bytes [a, b) of a string spelled at [pos, end)
   in the source; the whole string when it cannot be mapped. */
void ld__str_range(const ld__lint_t *cx, const ld_pos_t *pos,
                   const ld_pos_t *end, const char *s, size_t len, size_t a,
                   size_t b, ld_pos_t *out_pos, ld_pos_t *out_end);
/* Resolve pending undefined-variable uses (after the whole document). */
void ld__lint_pending(ld__lint_t *cx);

/* The value inserted for a missing key or argument is
   ld_registry_placeholder (ldcore/registry.h). */

#endif
