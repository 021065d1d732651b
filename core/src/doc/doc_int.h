/* Private interface of the document reader (core/src/doc). */
#ifndef LD_DOC_INT_H
#define LD_DOC_INT_H

#include "ldcore/doc.h"

#include <stddef.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits shared by both readers. */
#define LD__DOC_MAX_DEPTH 512
#define LD__DOC_MAX_LEN ((size_t)256 << 20)

/* ---- bump arena: big blocks, freed all at once ---- */

typedef struct ld__arena_blk ld__arena_blk_t;

struct ld__arena_blk {
    ld__arena_blk_t *next;
    size_t cap;
    size_t used;
    size_t mapped;         /* bytes mmap'ed for it, 0 = malloc'ed */
    max_align_t data[];
};

typedef struct ld__arena {
    ld__arena_blk_t *head; /* block being filled */
    size_t next_size;      /* size of the next regular block */
} ld__arena_t;

#define LD__ARENA_ALIGN ((size_t)8)

/** first: size hint for the first block (0 = default). */
void ld__arena_init(ld__arena_t *a, size_t first);
/* Out-of-line part of ld__arena_alloc (n already rounded). */
void *ld__arena_alloc_slow(ld__arena_t *a, size_t n);
/** NUL-terminated copy of n bytes; NULL on ENOMEM. */
char *ld__arena_strndup(ld__arena_t *a, const char *s, size_t n);
void ld__arena_free(ld__arena_t *a);

/** n bytes aligned for any node/member field; NULL on ENOMEM. */
static inline void *ld__arena_alloc(ld__arena_t *a, size_t n)
{
    ld__arena_blk_t *b = a->head;
    void *p;

    if (n > SIZE_MAX / 2)
        return NULL;
    n = n ? (n + LD__ARENA_ALIGN - 1) & ~(LD__ARENA_ALIGN - 1)
          : LD__ARENA_ALIGN;
    if (b && b->cap - b->used >= n) {
        p = (unsigned char *)b->data + b->used;
        b->used += n;
        return p;
    }
    return ld__arena_alloc_slow(a, n);
}

struct ld_doc {
    ld__arena_t arena;
    ld_node_t *root;
    const char *name; /* in the arena; "" when none */
    char *text;       /* malloc'd, NUL-terminated copy of the source */
    size_t len;
};

/* New empty document owning text (malloc'd, len bytes + NUL; freed on
 * failure too); NULL on ENOMEM. */
ld_doc_t *ld__doc_new(char *text, size_t len, const char *name);

/* Readers: parse doc->text/doc->len into doc->root (nodes in doc->arena). */
int ld__json_parse(ld_doc_t *doc, ld_diag_t *d);
int ld__yaml_parse(ld_doc_t *doc, ld_diag_t *d);

/* Fresh node in the arena (zeroed, type and parent set); NULL on ENOMEM. */
ld_node_t *ld__node_new(ld_doc_t *doc, ld_type_t type, ld_node_t *parent);
/* Deep copy of src under parent (used for YAML aliases); NULL on ENOMEM. */
ld_node_t *ld__node_copy(ld_doc_t *doc, const ld_node_t *src, ld_node_t *parent,
                         size_t *budget);

/* Locale-independent strtod (always '.' as the decimal point). */
double ld__strtod(const char *s, char **end);

/* ---- UTF-8 and positions ---- */

/**
 * Length of the well-formed UTF-8 sequence at p (at most avail bytes), with
 * its code point in *cp; 0 when the bytes are not well-formed UTF-8
 * (overlong forms, surrogates and values above U+10FFFF are rejected).
 */
size_t ld__utf8_decode(const unsigned char *p, size_t avail, uint32_t *cp);
/** Is s[0, len) valid UTF-8 (NUL bytes allowed)? ASCII runs are skipped
 *  eight bytes at a time. */
bool ld__utf8_ok(const char *s, size_t len);
/** Encode cp (<= U+10FFFF) into out (4 bytes room); returns the length. */
size_t ld__utf8_encode(uint32_t cp, char *out);
/** 3 when text starts with a UTF-8 byte order mark, else 0. */
size_t ld__bom_len(const char *text, size_t len);

/*
 * A position cursor over one text. Line breaks are LF, CRLF and a lone CR;
 * a leading BOM is not counted. Lookups in increasing order cost amortised
 * O(1) per byte; a lookup behind the cursor's line restarts from the top.
 */
typedef struct ld__poscur {
    const char *text;
    size_t len;
    uint32_t line;     /* line of line_start */
    size_t line_start; /* offset of the first byte of that line */
    size_t off;        /* cursor offset (>= line_start) */
    uint32_t col;      /* column at off */
} ld__poscur_t;

void ld__poscur_init(ld__poscur_t *c, const char *text, size_t len);
/** Position of byte offset off (clamped to len), any order. */
ld_pos_t ld__poscur_seek(ld__poscur_t *c, size_t off);

#endif
