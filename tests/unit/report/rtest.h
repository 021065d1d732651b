/*
 * rtest.h - shared by the report tests: hostile record stores, shell
 * helpers (xmllint and python3 are the independent parsers) and a small
 * RFC 4180 CSV reader. Header-only; every function is static.
 */
#ifndef LD_RTEST_H
#define LD_RTEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "ldcore/stats.h"

/* Markup, quotes, CSV and workflow-command metacharacters, C0 controls, CR
 * LF, invalid UTF-8 (stray bytes and a truncated sequence), U+FFFE (not an
 * XML character), a CDATA terminator, an entity lookalike and an emoji. */
#define RT_NAME "<script>alert(\"x&y\")</script> 'q', a:b"
#define RT_URL "/a?b=1&c=<2>,\"3\""
#define RT_ERR "bad\x01" "ctl\x1f \r\n line2 % 100%, a:b \xff\xfe" \
               " inv \xc3\x28 ]]> &amp; \xef\xbf\xbe \xf0\x9f\x92\xa5"
/* RT_ERR as every format must read it back: invalid bytes -> U+FFFD. */
#define RT_ERR_JSON "bad\x01" "ctl\x1f \r\n line2 % 100%, a:b " \
                    "\xef\xbf\xbd\xef\xbf\xbd inv \xef\xbf\xbd( ]]> &amp; " \
                    "\xef\xbf\xbe \xf0\x9f\x92\xa5"
/* ... and as XML must (controls and U+FFFE are not XML characters). */
#define RT_ERR_XML "bad\xef\xbf\xbd" "ctl\xef\xbf\xbd \r\n line2 % 100%, " \
                   "a:b \xef\xbf\xbd\xef\xbf\xbd inv \xef\xbf\xbd( ]]> " \
                   "&amp; \xef\xbf\xbd \xf0\x9f\x92\xa5"

#define RT_T0 1700000000000000000ull   /* ns */

/* 3 successes named RT_NAME, 2 failures with RT_ERR, 1 plain failure. */
static inline ld_records_t *rt_hostile(void)
{
    ld_records_t *r = ld_records_new();

    if (!r)
        return NULL;
    for (int i = 0; i < 3; i++)
        ld_records_add_full(r, RT_T0 + (uint64_t)i * 100000000u, LD_M_GET,
                            RT_NAME, RT_URL, 200, 1000u * (uint32_t)(i + 1),
                            10, NULL);
    for (int i = 0; i < 2; i++)
        ld_records_add_full(r, RT_T0 + 300000000u, LD_M_POST, RT_NAME, RT_URL,
                            500, 2500, 0, RT_ERR);
    ld_records_add_full(r, RT_T0 + 400000000u, LD_M_DELETE, "plain", "/p", 0,
                        4000, 0, "timeout");
    return r;
}

/* Run a shell command; its exit status (or -1). */
static inline int rt_sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    int st = 0;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    st = system(cmd);
    return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

/* Standard output of a shell command (malloc'd) or NULL. */
static inline char *rt_out(const char *fmt, ...)
{
    char cmd[4096];
    char *buf = NULL;
    size_t len = 0;
    size_t cap = 0;
    va_list ap;
    FILE *p = NULL;
    int c = 0;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    p = popen(cmd, "r");
    if (!p)
        return NULL;
    while ((c = fgetc(p)) != EOF) {
        if (len + 2 > cap) {
            cap = cap ? cap * 2 : 256;
            buf = realloc(buf, cap);
        }
        buf[len++] = (char)c;
    }
    if (!buf)
        buf = calloc(1, 1);
    else
        buf[len] = '\0';
    pclose(p);
    return buf;
}

static inline bool rt_have(const char *prog)
{
    return rt_sh("command -v %s >/dev/null 2>&1", prog) == 0;
}

/* xmllint is the independent XML parser (Debian libxml2-utils). */
static inline int rt_xml_ok(const char *path)
{
    if (!rt_have("xmllint")) {
        fprintf(stderr, "xmllint missing: install libxml2-utils "
                        "(scripts/install-deps.sh)\n");
        return -1;
    }
    return rt_sh("xmllint --noout --nonet '%s'", path);
}

/* ---- a careful RFC 4180 reader: fields of every row, in order ---- */

typedef struct rt_csv {
    char **cell;     /* row-major */
    size_t *row_len; /* cells per row */
    size_t rows;
    size_t cells;
} rt_csv_t;

static inline void rt_csv_free(rt_csv_t *c)
{
    for (size_t i = 0; i < c->cells; i++)
        free(c->cell[i]);
    free(c->cell);
    free(c->row_len);
    memset(c, 0, sizeof(*c));
}

static inline void rt_csv_push(rt_csv_t *c, const char *s, size_t n)
{
    c->cell = realloc(c->cell, (c->cells + 1) * sizeof(*c->cell));
    c->cell[c->cells] = malloc(n + 1);
    memcpy(c->cell[c->cells], s, n);
    c->cell[c->cells++][n] = '\0';
    c->row_len[c->rows]++;
}

/* 0, or -1 on malformed input (bare quote, missing CRLF, ...). */
static inline int rt_csv_parse(const char *t, rt_csv_t *c)
{
    char *f = malloc(strlen(t) + 1);
    size_t fl = 0;

    memset(c, 0, sizeof(*c));
    while (*t) {
        c->row_len = realloc(c->row_len, (c->rows + 1) * sizeof(size_t));
        c->row_len[c->rows] = 0;
        for (;;) {
            fl = 0;
            if (*t == '"') {
                for (t++;; t++) {
                    if (!*t)
                        goto bad;
                    if (*t == '"' && t[1] == '"')
                        f[fl++] = *t++;
                    else if (*t == '"')
                        break;
                    else
                        f[fl++] = *t;
                }
                t++;
            } else {
                while (*t && *t != ',' && *t != '\r' && *t != '\n') {
                    if (*t == '"')
                        goto bad;
                    f[fl++] = *t++;
                }
            }
            rt_csv_push(c, f, fl);
            if (*t == ',') {
                t++;
                continue;
            }
            if (t[0] == '\r' && t[1] == '\n') {
                t += 2;
                break;
            }
            goto bad;
        }
        c->rows++;
    }
    free(f);
    return 0;
bad:
    free(f);
    c->rows++;
    return -1;
}

/* Cell (row, col) or NULL. */
static inline const char *rt_csv_at(const rt_csv_t *c, size_t row, size_t col)
{
    size_t k = 0;

    if (row >= c->rows || col >= c->row_len[row])
        return NULL;
    for (size_t i = 0; i < row; i++)
        k += c->row_len[i];
    return c->cell[k + col];
}

#endif
