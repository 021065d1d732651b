/* Helpers shared by the cmocka tests: fixtures, temp dirs, files. */
#ifndef LD_TESTUTIL_H
#define LD_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/** Path of tests/fixtures/<rel> (static buffer). */
const char *tu_fixture(const char *rel);
/** Create a fresh temporary directory (static buffer; removed at exit). */
const char *tu_tmpdir(void);
/** Write text to dir/name and return the full path (static ring buffer). */
const char *tu_write(const char *dir, const char *name, const char *text);
/** Read a whole file (malloc'd, NUL-terminated) or NULL. */
char *tu_read(const char *path, size_t *len);
/** Path of the built CLI (from $LOADDENSITY). */
const char *tu_cli(void);

#endif
