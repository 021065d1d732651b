/* import_int.h - shared pieces of the importers (internal). */
#ifndef LD_IMPORT_INT_H
#define LD_IMPORT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "ldcore/import.h"

/* A compiled list of regular expressions (PCRE2), searched anywhere in a
   subject like Python's re.search. */
typedef struct ld__relist ld__relist_t;

/**
 * Compile n patterns; what ("include", "exclude") names the list in
 * messages. *out is NULL when n is 0. LD_EINVAL names the bad pattern, its
 * index and the offset of the problem.
 */
int ld__relist_compile(const char *const *pats, size_t n, const char *what,
                       ld__relist_t **out, ld_diag_t *d);
void ld__relist_free(ld__relist_t *l);
/**
 * Does any pattern match somewhere in s? 1 yes, 0 no, or LD_EINVAL when a
 * pattern hits the backtracking limit (d names it).
 */
int ld__relist_search(const ld__relist_t *l, const char *s, size_t len,
                      ld_diag_t *d);

/** Python's "METHOD /path" naming: the path (with query) of an absolute
 *  URL, "/" when it has none, the URL itself when it is not absolute.
 *  Appends to out. */
int ld__har_path_only(const char *url, ld_buf_t *out);

#endif
