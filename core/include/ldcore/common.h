/*
 * ldcore/common.h - error codes, diagnostics, positions and growable buffers
 * shared by every subsystem of ldcore.
 *
 * Ownership: an ld_diag_t is plain storage owned by the caller; ld_buf_t owns
 * its bytes until ld_buf_take() hands them over or ld_buf_free() releases them.
 */
#ifndef LDCORE_COMMON_H
#define LDCORE_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* X-macro table of error codes: name, value, text. */
#define LD_ERRNO_MAP(XX)                                                      \
    XX(ENOMEM, -1, "out of memory")                                           \
    XX(EINVAL, -2, "invalid argument")                                        \
    XX(EIO, -3, "input/output error")                                         \
    XX(ESYNTAX, -4, "syntax error")                                           \
    XX(ENOTFOUND, -5, "not found")                                            \
    XX(EUNAVAIL, -6, "not available yet")                                     \
    XX(ETYPE, -7, "wrong type")                                               \
    XX(EDEPTH, -8, "nesting too deep")                                        \
    XX(ECYCLE, -9, "cycle detected")                                          \
    XX(EFAILED, -10, "action failed")                                         \
    XX(ETOOBIG, -11, "too big")                                               \
    XX(ESTOPPED, -12, "stopped")                                              \
    XX(ESLA, -13, "SLA gate failed")                                          \
    XX(EINTERNAL, -14, "internal error")

enum ld_errno {
    LD_OK = 0,
#define XX(name, val, text) LD_##name = (val),
    LD_ERRNO_MAP(XX)
#undef XX
};

/** Human-readable text of an LD_E* code (0 gives "ok"); never NULL. */
const char *ld_strerror(int code);
/** Symbolic name of an LD_E* code, e.g. "EINVAL"; never NULL. */
const char *ld_err_name(int code);

/**
 * A position in a source text. Lines and columns are 1-based; columns count
 * Unicode code points (not bytes). off is the byte offset from the start of
 * the text. A zero line means "no position known".
 */
typedef struct ld_pos {
    uint32_t line;
    uint32_t col;
    uint32_t off;
} ld_pos_t;

/**
 * A user-facing diagnostic: the same struct feeds CLI messages, lint findings,
 * LSP diagnostics and MCP tool errors. Fixed buffers: no ownership to manage.
 */
typedef struct ld_diag {
    int code;           /* LD_E* or 0 */
    char file[512];     /* empty when not from a file */
    ld_pos_t pos;       /* start; line 0 when unknown */
    ld_pos_t end;       /* end (exclusive); line 0 when unknown */
    char msg[1024];
} ld_diag_t;

/** Reset a diagnostic to "no error". d may be NULL. */
void ld_diag_clear(ld_diag_t *d);

/**
 * Fill a diagnostic (if d is not NULL) and return code, so callers can write
 * `return ld_diag_set(d, LD_EINVAL, file, pos, "expected %s", what);`.
 * file may be NULL; pos may be NULL.
 */
int ld_diag_set(ld_diag_t *d, int code, const char *file, const ld_pos_t *pos,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int ld_diag_vset(ld_diag_t *d, int code, const char *file, const ld_pos_t *pos,
                 const char *fmt, va_list ap);

/**
 * Format a diagnostic as "file:line:col: error: message" (parts omitted when
 * unknown) into buf; returns buf.
 */
const char *ld_diag_format(const ld_diag_t *d, char *buf, size_t size);

/* ---- growable byte buffer with a hard cap (curl dynbuf style) ---- */

typedef struct ld_buf {
    char *data;   /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    size_t max;   /* 0 = default cap (1 GiB) */
} ld_buf_t;

void ld_buf_init(ld_buf_t *b, size_t max);

/**
 * Make room in a malloc'd array (*arr, *cap elements of elem bytes) for at
 * least need elements, doubling the capacity. 0, or LD_ENOMEM with the
 * array unchanged.
 */
int ld_grow(void **arr, size_t *cap, size_t need, size_t elem);
void ld_buf_free(ld_buf_t *b);
void ld_buf_reset(ld_buf_t *b);
/** Append; on failure the buffer is freed and LD_ENOMEM/LD_ETOOBIG returned. */
int ld_buf_add(ld_buf_t *b, const void *p, size_t n);
int ld_buf_adds(ld_buf_t *b, const char *s);
int ld_buf_addc(ld_buf_t *b, char c);
int ld_buf_printf(ld_buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/** Hand the bytes over (caller frees with free()); the buffer is reset. */
char *ld_buf_take(ld_buf_t *b, size_t *len);

/* ---- small helpers ---- */

/** Monotonic clock in nanoseconds. */
uint64_t ld_now_ns(void);
/** Wall clock as an ISO-8601 UTC string "YYYY-MM-DDTHH:MM:SS.mmmZ". */
void ld_utc_iso8601(char *out, size_t size, int64_t unix_ms);
int64_t ld_unix_ms(void);
/** Read a whole file (NUL-terminated, max 256 MiB). */
int ld_read_file(const char *path, char **out, size_t *len, ld_diag_t *d);
/** strdup that returns NULL on failure (ldcore never aborts on OOM). */
char *ld_strdup(const char *s);
char *ld_strndup(const char *s, size_t n);
/** Levenshtein distance, capped at max+1 (for did-you-mean). */
size_t ld_edit_distance(const char *a, const char *b, size_t max);

#ifdef __cplusplus
}
#endif
#endif
