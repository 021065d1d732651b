/*
 * ldcore/doc.h - action documents read into a tree that keeps the position of
 * every node (JSON, strict RFC 8259; YAML through libfyaml as a bonus).
 *
 * Ownership: an ld_doc_t owns every node, string and member reachable from its
 * root (one arena); nodes are valid until ld_doc_free(). Strings handed in are
 * borrowed and copied.
 */
#ifndef LDCORE_DOC_H
#define LDCORE_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ldcore/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ld_type {
    LD_TNULL = 0,
    LD_TBOOL,
    LD_TINT,    /* a JSON number without fraction or exponent that fits int64 */
    LD_TREAL,   /* any other JSON number */
    LD_TSTRING,
    LD_TARRAY,
    LD_TOBJECT
} ld_type_t;

typedef struct ld_node ld_node_t;

typedef struct ld_member {
    const char *key;     /* NUL-terminated; may contain NUL if key_len says */
    size_t key_len;
    ld_pos_t key_pos;    /* position of the opening quote of the key */
    ld_pos_t key_end;
    ld_node_t *value;
} ld_member_t;

struct ld_node {
    ld_type_t type;
    ld_pos_t pos;        /* first byte of the value */
    ld_pos_t end;        /* one past the last byte of the value */
    ld_node_t *parent;   /* NULL for the root */
    union {
        bool b;
        int64_t i;
        double d;
        struct {
            const char *s;   /* NUL-terminated, decoded UTF-8 */
            size_t len;
        } str;
        struct {
            ld_node_t **items;
            size_t n;
        } arr;
        struct {
            ld_member_t *members;  /* in document order; duplicates kept */
            size_t n;
        } obj;
    } u;
};

typedef enum ld_doc_format {
    LD_FMT_AUTO = 0,   /* by file extension (.yaml/.yml = YAML), else JSON */
    LD_FMT_JSON,
    LD_FMT_YAML
} ld_doc_format_t;

typedef struct ld_doc ld_doc_t;

/**
 * Parse text (len bytes, need not be NUL-terminated) into a document.
 * name is used in diagnostics (a path, or e.g. "<string>"); may be NULL.
 * On error returns NULL and fills d with the code (LD_ESYNTAX, LD_ENOMEM,
 * LD_ETOOBIG), name, line and column and a message saying what was expected.
 * Nesting is limited to 512 levels (LD_EDEPTH beyond). d->pos is the
 * offending character; d->end, when later than d->pos, the end of it.
 * A leading UTF-8 BOM is skipped and takes no column; line breaks are LF,
 * CRLF and a lone CR. JSON is strict RFC 8259 (no comments, no trailing
 * commas, UTF-8 only). YAML: one document, YAML 1.2 core schema for plain
 * scalars, aliases expanded by copying (LD_ETOOBIG past 2^20 copied nodes),
 * keys of any scalar style become strings; complex keys are refused.
 */
ld_doc_t *ld_doc_parse(const char *text, size_t len, const char *name,
                       ld_doc_format_t fmt, ld_diag_t *d);
/** ld_doc_parse without the copy: takes ownership of text (malloc'ed,
 *  len bytes followed by a NUL), which is freed on failure too. */
ld_doc_t *ld_doc_parse_take(char *text, size_t len, const char *name,
                            ld_doc_format_t fmt, ld_diag_t *d);
/** Read and parse a file (format by extension when fmt is LD_FMT_AUTO). */
ld_doc_t *ld_doc_load(const char *path, ld_doc_format_t fmt, ld_diag_t *d);
void ld_doc_free(ld_doc_t *doc);

const ld_node_t *ld_doc_root(const ld_doc_t *doc);
/** The name given at parse time ("" if none). */
const char *ld_doc_name(const ld_doc_t *doc);
/** The source text (NUL-terminated copy) and its length. */
const char *ld_doc_text(const ld_doc_t *doc, size_t *len);

/**
 * The action list of a document: the root itself when it is an array, or the
 * "load_density" member when the root is an object holding one. Otherwise
 * NULL and d explains (LD_ETYPE, with the root's position, or the member's
 * when "load_density" is not an array).
 */
const ld_node_t *ld_doc_actions(const ld_doc_t *doc, ld_diag_t *d);

/* ---- node helpers ---- */

/** "null", "boolean", "integer", "number", "string", "array", "object". */
const char *ld_type_name(ld_type_t t);
/** Object member by key (last one wins on duplicates), or NULL. */
const ld_node_t *ld_node_get(const ld_node_t *obj, const char *key);
const ld_member_t *ld_node_member(const ld_node_t *obj, const char *key);
/** Array item, or NULL when out of range / not an array. */
const ld_node_t *ld_node_at(const ld_node_t *arr, size_t i);
/** True for LD_TINT and LD_TREAL. */
bool ld_node_is_number(const ld_node_t *n);
/** Numeric value as double (0 for non-numbers). */
double ld_node_number(const ld_node_t *n);
/** String value or NULL when not a string. */
const char *ld_node_str(const ld_node_t *n);
/** JSON truthiness in the Python sense (null/false/0/""/[]/{} are false). */
bool ld_node_truthy(const ld_node_t *n);

/**
 * Convert to a new jansson value (NULL on ENOMEM). jansson has no
 * infinities: they become +-DBL_MAX, NaN becomes null.
 */
json_t *ld_node_to_json(const ld_node_t *n);
/**
 * Build a positionless document from a jansson value (for values that arrive
 * as JSON-RPC params); name is used in diagnostics. Every pos/key_pos has
 * line 0 and the text is "". LD_EDEPTH past 512 levels.
 */
ld_doc_t *ld_doc_from_json(const json_t *v, const char *name, ld_diag_t *d);
/**
 * Serialise compactly as JSON into out (appends): no spaces, keys in
 * document order (duplicates kept), non-ASCII as UTF-8, control characters
 * escaped, reals in the shortest form that reads back exactly and always
 * with a '.' or exponent ("1.0"); infinities as 1e999/-1e999, NaN as null.
 * Returns 0 or the ld_buf_add error.
 */
int ld_node_write_json(const ld_node_t *n, ld_buf_t *out);

/**
 * Position helpers: convert a byte offset in text to 1-based line and column
 * (code points), and to an LSP position (0-based line, UTF-16 code units;
 * a character outside the BMP counts 2). Offsets past len are clamped; an
 * offset inside a multi-byte character maps to that character's start.
 * Same line-break and BOM rules as the parser. O(off) per call.
 */
ld_pos_t ld_pos_from_offset(const char *text, size_t len, size_t off);
void ld_pos_to_utf16(const char *text, size_t len, size_t off,
                     uint32_t *line0, uint32_t *char16);
/** Inverse of ld_pos_to_utf16: byte offset of an LSP position (clamped). */
size_t ld_offset_from_utf16(const char *text, size_t len, uint32_t line0,
                            uint32_t char16);

#ifdef __cplusplus
}
#endif
#endif
