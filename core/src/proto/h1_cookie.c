/*
 * h1_cookie.c - the native path's per-user cookie jar: Set-Cookie values
 * kept with their domain (host-only or Domain=), path, expiry (Max-Age,
 * Expires) and Secure flag, sent back as one Cookie line to matching
 * requests, longest path first, as libcurl's jar does. Secure cookies never
 * go over plain http.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "proto/h1_int.h"

#define JAR_MAX 300

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static void cookie_free(ld__h1_cookie_t *c)
{
    free(c->name);
    free(c->value);
    free(c->domain);
    free(c->path);
}

static char *lower_dup(const char *s, size_t n)
{
    char *d = ld_strndup(s, n);
    for (size_t i = 0; d && i < n; i++)
        d[i] = (char)tolower((unsigned char)d[i]);
    return d;
}

static bool domain_match(const char *host, size_t hl, const char *dom)
{
    size_t dl = strlen(dom);
    if (hl == dl)
        return !strncasecmp(host, dom, hl);
    return hl > dl && host[hl - dl - 1] == '.' &&
           !strncasecmp(host + hl - dl, dom, dl);
}

static bool path_match(const char *p, size_t pl, const char *cp)
{
    size_t cl = strlen(cp);
    if (pl < cl || strncmp(p, cp, cl))
        return false;
    return pl == cl || cp[cl - 1] == '/' || p[cl] == '/';
}

typedef struct attrs {
    const char *domain, *path, *expires;
    size_t dl, pl, el;
    bool secure, has_max_age;
    long long max_age;
} attrs_t;

static void parse_attrs(const char *s, size_t n, attrs_t *a)
{
    while (n) {
        const char *semi = memchr(s, ';', n), *eq;
        size_t len = semi ? (size_t)(semi - s) : n, kl, vl;
        const char *k = s, *v;
        eq = memchr(s, '=', len);
        kl = eq ? (size_t)(eq - s) : len;
        v = eq ? eq + 1 : s + len;
        vl = eq ? len - kl - 1 : 0;
        trim(&k, &kl);
        trim(&v, &vl);
        if (kl == 6 && !strncasecmp(k, "domain", 6) && vl) {
            while (vl && *v == '.') {
                v++;
                vl--;
            }
            a->domain = v;
            a->dl = vl;
        } else if (kl == 4 && !strncasecmp(k, "path", 4)) {
            a->path = v;
            a->pl = vl;
        } else if (kl == 7 && !strncasecmp(k, "max-age", 7) && vl) {
            char buf[32];
            size_t m = vl < sizeof(buf) - 1 ? vl : sizeof(buf) - 1;
            memcpy(buf, v, m);
            buf[m] = '\0';
            a->max_age = strtoll(buf, NULL, 10);
            a->has_max_age = true;
        } else if (kl == 7 && !strncasecmp(k, "expires", 7)) {
            a->expires = v;
            a->el = vl;
        } else if (kl == 6 && !strncasecmp(k, "secure", 6)) {
            a->secure = true;
        }
        if (!semi)
            break;
        n -= len + 1;
        s = semi + 1;
    }
}

static int64_t expiry(const attrs_t *a, int64_t now)
{
    if (a->has_max_age)
        return a->max_age <= 0 ? -1 : now + a->max_age;
    if (a->expires) {
        char *e = ld_strndup(a->expires, a->el);
        time_t t = e ? curl_getdate(e, NULL) : -1;
        free(e);
        if (t != -1)
            return (int64_t)t <= now ? -1 : (int64_t)t;
    }
    return 0;
}

static ld__h1_cookie_t *find(ld__h1_jar_t *j, const ld__h1_cookie_t *c)
{
    for (size_t i = 0; i < j->n; i++)
        if (!strcmp(j->c[i].name, c->name) &&
            !strcmp(j->c[i].domain, c->domain) &&
            !strcmp(j->c[i].path, c->path))
            return &j->c[i];
    return NULL;
}

static void jar_remove(ld__h1_jar_t *j, ld__h1_cookie_t *c)
{
    size_t i = (size_t)(c - j->c);
    cookie_free(c);
    memmove(&j->c[i], &j->c[i + 1], (j->n - i - 1) * sizeof(*c));
    j->n--;
}

static int jar_store(ld__h1_jar_t **jp, ld__h1_cookie_t *c, bool drop)
{
    ld__h1_jar_t *j = *jp;
    ld__h1_cookie_t *old, *v;
    if (!j && !(j = *jp = calloc(1, sizeof(*j))))
        return LD_ENOMEM;
    if ((old = find(j, c)))
        jar_remove(j, old);
    if (drop) {
        cookie_free(c);
        return 0;
    }
    if (j->n >= JAR_MAX)
        jar_remove(j, &j->c[0]);
    if (!(v = realloc(j->c, (j->n + 1) * sizeof(*v)))) {
        cookie_free(c);
        return LD_ENOMEM;
    }
    j->c = v;
    j->c[j->n++] = *c;
    return 0;
}

int ld__h1_jar_set(ld__h1_jar_t **jar, const char *v, size_t vlen,
                   const char *host, size_t host_len, const char *path,
                   size_t path_len)
{
    const char *semi = memchr(v, ';', vlen), *eq, *name = v, *val;
    size_t pair = semi ? (size_t)(semi - v) : vlen, nl, vl;
    ld__h1_cookie_t c;
    attrs_t a;
    int64_t now = (int64_t)time(NULL), exp;
    memset(&c, 0, sizeof(c));
    memset(&a, 0, sizeof(a));
    if (!(eq = memchr(v, '=', pair)))
        return 0; /* no name=value: ignored */
    nl = (size_t)(eq - v);
    val = eq + 1;
    vl = pair - nl - 1;
    trim(&name, &nl);
    trim(&val, &vl);
    if (!nl)
        return 0;
    if (semi)
        parse_attrs(semi + 1, vlen - pair - 1, &a);
    c.host_only = !a.domain || !a.dl;
    c.domain =
        c.host_only ? lower_dup(host, host_len) : lower_dup(a.domain, a.dl);
    if (c.domain && !c.host_only && !domain_match(host, host_len, c.domain)) {
        free(c.domain);
        return 0; /* a cookie for another domain: rejected */
    }
    if (a.path && a.pl && a.path[0] == '/') {
        c.path = ld_strndup(a.path, a.pl);
    } else { /* the default path: the request path's directory */
        size_t d = path_len;
        while (d > 0 && path[d - 1] != '/')
            d--;
        c.path = d > 1 ? ld_strndup(path, d - 1) : ld_strdup("/");
    }
    c.name = ld_strndup(name, nl);
    c.value = ld_strndup(val, vl);
    c.secure = a.secure;
    exp = expiry(&a, now);
    c.expires = exp > 0 ? exp : 0;
    if (!c.domain || !c.path || !c.name || !c.value) {
        cookie_free(&c);
        return LD_ENOMEM;
    }
    return jar_store(jar, &c, exp < 0);
}

int ld__h1_jar_render(const ld__h1_jar_t *jar, ld_buf_t *out, const char *host,
                      size_t host_len, const char *path, size_t path_len)
{
    int64_t now = (int64_t)time(NULL);
    size_t done = 0, maxp = 0;
    int n = 0, rc = 0;
    if (!jar)
        return 0;
    for (size_t i = 0; i < jar->n; i++) {
        size_t pl = strlen(jar->c[i].path);
        if (pl > maxp)
            maxp = pl;
    }
    /* longest path first, then in the order they were set */
    for (size_t want = maxp + 1; want-- > 0 && done < jar->n;) {
        for (size_t i = 0; i < jar->n && !rc; i++) {
            const ld__h1_cookie_t *c = &jar->c[i];
            if (strlen(c->path) != want)
                continue;
            done++;
            if (c->secure || (c->expires && c->expires <= now) ||
                !path_match(path, path_len, c->path))
                continue;
            if (c->host_only ? (host_len != strlen(c->domain) ||
                                strncasecmp(host, c->domain, host_len))
                             : !domain_match(host, host_len, c->domain))
                continue;
            if (n)
                rc = ld_buf_add(out, "; ", 2);
            if (!rc)
                rc = ld_buf_printf(out, "%s=%s", c->name, c->value);
            n++;
        }
    }
    return rc ? rc : n;
}

void ld__h1_jar_free(ld__h1_jar_t *jar)
{
    if (!jar)
        return;
    for (size_t i = 0; i < jar->n; i++)
        cookie_free(&jar->c[i]);
    free(jar->c);
    free(jar);
}
