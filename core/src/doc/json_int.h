/* Private interface of the JSON reader (json_*.c in core/src/doc). */
#ifndef LD_JSON_INT_H
#define LD_JSON_INT_H

#include "doc/doc_int.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct jp {
    ld_doc_t *doc;
    const char *s;
    size_t len;
    size_t i; /* current offset */
    ld_diag_t *d;
    ld__poscur_t cur; /* skip_ws keeps cur.line and cur.line_start */
    size_t cont;      /* UTF-8 continuation bytes scanned so far */
    size_t cont_line; /* cont at cur.line_start */
    int depth;
    int rc;
    ld_node_t **items; /* scratch stack of array items */
    size_t nitems, citems;
    ld_member_t *mems; /* scratch stack of object members */
    size_t nmems, cmems;
    char *sbuf; /* scratch for decoding strings with escapes */
    size_t scap;
    size_t sbound;    /* bound of the string being decoded */
    char *heap_sbuf;  /* sbuf while a long string is decoded in the arena */
    size_t heap_scap;
    struct ld__jp_later *later; /* json_split.c: the later part, or NULL */
} jp_t;

static inline bool ld__jp_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static inline bool ld__jp_is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           ld__jp_is_digit(c) || c == '_' || c == '$';
}

/* ---- positions and errors ---- */

/*
 * Position of off, in O(1). A newline can only occur in whitespace (skip_ws
 * counts lines) and a non-ASCII byte only inside a string (scan_string
 * counts continuation bytes), and the parser only asks for offsets at or
 * just before its scan point with nothing but ASCII in between, so the
 * column is the byte distance from the line start minus the continuation
 * bytes seen since.
 */
static inline ld_pos_t ld__jp_pos_at(const jp_t *p, size_t off)
{
    ld_pos_t pos;

    if (off < p->cur.line_start)
        return ld_pos_from_offset(p->s, p->len, off);
    pos.line = p->cur.line;
    pos.col =
        (uint32_t)(1 + (off - p->cur.line_start) - (p->cont - p->cont_line));
    pos.off = (uint32_t)off;
    return pos;
}

/* Record the first error at byte off (end: exclusive end of the culprit);
 * returns NULL so callers can `return ld__jp_fail(...)`. */
void *ld__jp_fail(jp_t *p, int code, size_t off, size_t end, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));
void *ld__jp_nomem(jp_t *p);
/* "<expected>, found <what><hint>" at p->i; open names the enclosing
 * container when the input ends inside it. */
void *ld__jp_unexpected(jp_t *p, const char *expected, const ld_node_t *open,
                        const char *hint);
/* "expected a value, found ..." with a hint for common mistakes. */
void *ld__jp_bad_value(jp_t *p, const ld_node_t *open);
/* String at p->i: decoded copy in the arena; p->i moves past the quote. */
int ld__jp_string(jp_t *p, const char **out, size_t *outlen);

/* ---- parsing a big array on two threads (json_split.c) ---- */

/* The items of an array from p->i (at an item) up to its closing ']' (not
   consumed), gathered on p's scratch stack; 0 or the error code. */
int ld__jp_items(jp_t *p, const bool *cancel);
/* Push an item on p's scratch stack. */
int ld__jp_push_item(jp_t *p, ld_node_t *v);
/* Documents from this size on are split (tests lower it). */
extern size_t ld__json_split_min;
/* How many later parts were taken (for the tests). */
extern size_t ld__json_splits;
/* Start parsing the later part of the document's biggest array on another
   thread, when the document is big enough (p->later set). */
void ld__jp_split_start(jp_t *p);
/* p->i is at an item of array n: when the later part starts there and was
   parsed well, take its items (on the scratch stack) and move p to the
   closing ']'; true then. */
bool ld__jp_split_take(jp_t *p, ld_node_t *n);
/* Stop and forget the later part if it was not taken. */
void ld__jp_split_end(jp_t *p);

#endif
