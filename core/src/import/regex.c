/*
 * regex.c - include / exclude filters on PCRE2. Python's re and PCRE share
 * their syntax for everything a URL filter needs ((?i), \d, (?P<name>),
 * lookarounds); UTF and UCP make \w and \d Unicode-aware as in Python 3.
 * A backtracking limit keeps a pathological pattern from hanging an import.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdlib.h>
#include <string.h>

#include "import/import_int.h"

#define MATCH_LIMIT 1000000u
#define DEPTH_LIMIT 10000u

struct ld__relist {
    size_t n;
    pcre2_code **codes;
    char **pats;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
};

void ld__relist_free(ld__relist_t *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        pcre2_code_free(l->codes[i]);
        free(l->pats[i]);
    }
    free(l->codes);
    free(l->pats);
    pcre2_match_data_free(l->md);
    pcre2_match_context_free(l->mctx);
    free(l);
}

static int compile_one(ld__relist_t *l, size_t i, const char *pat,
                       const char *what, ld_diag_t *d)
{
    int err = 0;
    PCRE2_SIZE off = 0;
    PCRE2_UCHAR msg[256];

    l->codes[i] = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
                                PCRE2_UTF | PCRE2_UCP |
                                    PCRE2_MATCH_INVALID_UTF,
                                &err, &off, NULL);
    if (l->codes[i]) {
        l->pats[i] = ld_strdup(pat);
        return l->pats[i] ? 0 : ld_diag_set(d, LD_ENOMEM, NULL, NULL,
                                            "out of memory");
    }
    if (err == PCRE2_ERROR_NOMEMORY)
        return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    pcre2_get_error_message(err, msg, sizeof(msg));
    return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                       "%s[%zu]: invalid regular expression \"%.200s\": %s "
                       "(at offset %zu)",
                       what, i, pat, (const char *)msg, (size_t)off);
}

int ld__relist_compile(const char *const *pats, size_t n, const char *what,
                       ld__relist_t **out, ld_diag_t *d)
{
    ld__relist_t *l;
    int rc = 0;

    *out = NULL;
    if (!n)
        return 0;
    l = calloc(1, sizeof(*l));
    if (!l)
        return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    l->codes = calloc(n, sizeof(*l->codes));
    l->pats = calloc(n, sizeof(*l->pats));
    l->md = pcre2_match_data_create(1, NULL);
    l->mctx = pcre2_match_context_create(NULL);
    if (!l->codes || !l->pats || !l->md || !l->mctx) {
        free(l->codes);
        free(l->pats);
        l->codes = NULL;
        l->pats = NULL;
        rc = ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
        goto out;
    }
    l->n = n;
    pcre2_set_match_limit(l->mctx, MATCH_LIMIT);
    pcre2_set_depth_limit(l->mctx, DEPTH_LIMIT);
    for (size_t i = 0; i < n && !rc; i++)
        rc = compile_one(l, i, pats[i] ? pats[i] : "", what, d);
out:
    if (rc)
        ld__relist_free(l);
    else
        *out = l;
    return rc;
}

int ld__relist_search(const ld__relist_t *l, const char *s, size_t len,
                      ld_diag_t *d)
{
    for (size_t i = 0; l && i < l->n; i++) {
        int r = pcre2_match(l->codes[i], (PCRE2_SPTR)s, len, 0, 0, l->md,
                            l->mctx);

        if (r >= 0)
            return 1;
        if (r == PCRE2_ERROR_NOMATCH)
            continue;
        if (r == PCRE2_ERROR_NOMEMORY)
            return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "regular expression \"%.200s\" gave up on URL "
                           "\"%.200s\" (too much backtracking); simplify it",
                           l->pats[i], s);
    }
    return 0;
}
