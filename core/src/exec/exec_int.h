/* exec_int.h - executor internals shared by exec.c and commands.c. */
#ifndef LD_EXEC_INT_H
#define LD_EXEC_INT_H

#include "ldcore/exec.h"

/* Sorted list of *.json / *.yaml / *.yml paths in dir (free with
 * ld__free_list). */
int ld__list_dir(const char *dir, char ***out, size_t *n, ld_diag_t *d);
void ld__free_list(char **list, size_t n);
/* Write text to path atomically (temporary file + rename). */
int ld__write_file_atomic(const char *path, const char *text, size_t len,
                          ld_diag_t *d);

#endif
