/* Error codes, diagnostics, buffers and small helpers shared by ldcore. */
#include "ldcore/common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

const char *ld_strerror(int code)
{
    switch (code) {
    case LD_OK:
        return "ok";
#define XX(name, val, text) \
    case LD_##name:         \
        return text;
        LD_ERRNO_MAP(XX)
#undef XX
    default:
        return "unknown error";
    }
}

const char *ld_err_name(int code)
{
    switch (code) {
    case LD_OK:
        return "OK";
#define XX(name, val, text) \
    case LD_##name:         \
        return #name;
        LD_ERRNO_MAP(XX)
#undef XX
    default:
        return "EUNKNOWN";
    }
}

void ld_diag_clear(ld_diag_t *d)
{
    if (d)
        memset(d, 0, sizeof(*d));
}

int ld_diag_vset(ld_diag_t *d, int code, const char *file, const ld_pos_t *pos,
                 const char *fmt, va_list ap)
{
    if (!d)
        return code;
    d->code = code;
    if (file)
        snprintf(d->file, sizeof(d->file), "%s", file);
    if (pos) {
        d->pos = *pos;
        d->end = *pos;
    }
    vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
    return code;
}

int ld_diag_set(ld_diag_t *d, int code, const char *file, const ld_pos_t *pos,
                const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    ld_diag_vset(d, code, file, pos, fmt, ap);
    va_end(ap);
    return code;
}

const char *ld_diag_format(const ld_diag_t *d, char *buf, size_t size)
{
    int n = 0;

    if (!size)
        return buf;
    buf[0] = '\0';
    if (d->file[0])
        n = snprintf(buf, size, "%s:", d->file);
    if (n >= 0 && (size_t)n < size && d->pos.line)
        n += snprintf(buf + n, size - (size_t)n, "%u:%u:", d->pos.line,
                      d->pos.col);
    if (n >= 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, "%serror: %s", n ? " " : "",
                 d->msg[0] ? d->msg : ld_strerror(d->code));
    return buf;
}

/* ---- ld_buf_t ---- */

#define LD_BUF_DEFAULT_MAX ((size_t)1 << 30)

void ld_buf_init(ld_buf_t *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : LD_BUF_DEFAULT_MAX;
}

void ld_buf_free(ld_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void ld_buf_reset(ld_buf_t *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

int ld_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    size_t c = *cap ? *cap : 16;
    void *p;

    if (need <= *cap)
        return 0;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            return LD_ENOMEM;
        c *= 2;
    }
    if (elem && c > SIZE_MAX / elem)
        return LD_ENOMEM;
    if (!(p = realloc(*arr, c * elem)))
        return LD_ENOMEM;
    *arr = p;
    *cap = c;
    return 0;
}

static int buf_grow(ld_buf_t *b, size_t need)
{
    size_t max = b->max ? b->max : LD_BUF_DEFAULT_MAX;
    size_t cap;
    char *p;

    if (need > max || b->len + need + 1 > max) {
        ld_buf_free(b);
        return LD_ETOOBIG;
    }
    if (b->len + need + 1 <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < b->len + need + 1)
        cap *= 2;
    if (cap > max)
        cap = max;
    p = realloc(b->data, cap);
    if (!p) {
        ld_buf_free(b);
        return LD_ENOMEM;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int ld_buf_add(ld_buf_t *b, const void *p, size_t n)
{
    int rc = buf_grow(b, n);

    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int ld_buf_adds(ld_buf_t *b, const char *s)
{
    return ld_buf_add(b, s, strlen(s));
}

int ld_buf_addc(ld_buf_t *b, char c)
{
    return ld_buf_add(b, &c, 1);
}

int ld_buf_printf(ld_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    int rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return LD_EINVAL;
    rc = buf_grow(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

char *ld_buf_take(ld_buf_t *b, size_t *len)
{
    char *p = b->data;

    if (!p) {
        p = calloc(1, 1);
        if (len)
            *len = 0;
    } else if (len) {
        *len = b->len;
    }
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

/* ---- time ---- */

uint64_t ld_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int64_t ld_unix_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ld_utc_iso8601(char *out, size_t size, int64_t unix_ms)
{
    time_t secs = (time_t)(unix_ms / 1000);
    struct tm tm;

    gmtime_r(&secs, &tm);
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, (int)(unix_ms % 1000));
}

/* ---- files and strings ---- */

#define LD_MAX_FILE ((size_t)256 << 20)

int ld_read_file(const char *path, char **out, size_t *len, ld_diag_t *d)
{
    FILE *f;
    struct stat st;
    char *buf = NULL;
    size_t n;
    int rc = 0;

    *out = NULL;
    f = fopen(path, "rb");
    if (!f)
        return ld_diag_set(d, LD_EIO, path, NULL, "cannot open: %s",
                           strerror(errno));
    if (fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
        rc = ld_diag_set(d, LD_EIO, path, NULL, "%s",
                         S_ISDIR(st.st_mode) ? "is a directory"
                                             : strerror(errno));
        goto out;
    }
    if ((size_t)st.st_size > LD_MAX_FILE) {
        rc = ld_diag_set(d, LD_ETOOBIG, path, NULL,
                         "file too big (%lld bytes, limit 256 MiB)",
                         (long long)st.st_size);
        goto out;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        rc = ld_diag_set(d, LD_ENOMEM, path, NULL, "out of memory");
        goto out;
    }
    n = fread(buf, 1, (size_t)st.st_size, f);
    if (ferror(f)) {
        rc = ld_diag_set(d, LD_EIO, path, NULL, "read error: %s",
                         strerror(errno));
        goto out;
    }
    buf[n] = '\0';
    *out = buf;
    buf = NULL;
    if (len)
        *len = n;
out:
    free(buf);
    fclose(f);
    return rc;
}

char *ld_strdup(const char *s)
{
    return s ? ld_strndup(s, strlen(s)) : NULL;
}

char *ld_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);

    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

size_t ld_edit_distance(const char *a, const char *b, size_t max)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[64 + 1];
    size_t i, j;

    if (la > 64 || lb > 64)
        return max + 1;
    if ((la > lb ? la - lb : lb - la) > max)
        return max + 1;
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        size_t prev = row[0], best;

        row[0] = i;
        best = row[0];
        for (j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t v = prev + cost;

            if (row[j] + 1 < v)
                v = row[j] + 1;
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            row[j] = v;
            prev = cur;
            if (v < best)
                best = v;
        }
        if (best > max)
            return max + 1;
    }
    return row[lb] > max ? max + 1 : row[lb];
}
