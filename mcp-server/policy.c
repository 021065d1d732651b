/*
 * policy.c - what a model may point the server at. Hosts: an allowlist of
 * names, globs and CIDR ranges (loopback by default), matched on the URL's
 * host as written - no DNS lookup, so a name only passes when it is listed.
 * Paths: resolved with realpath (symlinks followed) and kept under the
 * working directory, the --root directories or the client's roots.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp.h"

static const char *const loopback[] = {"localhost", "*.localhost",
                                       "127.0.0.0/8", "::1", NULL};

/* ---- hosts ---- */

typedef struct ipaddr {
    int family;              /* AF_INET or AF_INET6 */
    unsigned char b[16];
} ipaddr_t;

/* Parse an IP literal the way the resolver would (inet_aton forms such as
   127.1 included); IPv4-mapped IPv6 addresses become IPv4. */
static bool parse_ip(const char *s, ipaddr_t *ip)
{
    struct in_addr a4;

    memset(ip, 0, sizeof(*ip));
    if (inet_pton(AF_INET6, s, ip->b) == 1) {
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0,
                                                 0, 0, 0, 0, 0xff, 0xff};

        ip->family = AF_INET6;
        if (!memcmp(ip->b, mapped, 12)) {
            memmove(ip->b, ip->b + 12, 4);
            ip->family = AF_INET;
        }
        return true;
    }
    if (inet_aton(s, &a4)) {
        ip->family = AF_INET;
        memcpy(ip->b, &a4.s_addr, 4);
        return true;
    }
    return false;
}

static bool prefix_equal(const unsigned char *a, const unsigned char *b,
                         long bits)
{
    long full = bits / 8, rest = bits % 8;

    if (memcmp(a, b, (size_t)full))
        return false;
    if (!rest)
        return true;
    return ((a[full] ^ b[full]) & (0xff << (8 - rest))) == 0;
}

static bool cidr_match(const char *pat, const ipaddr_t *ip)
{
    char addr[64];
    const char *slash = strchr(pat, '/');
    size_t n = (size_t)(slash - pat);
    char *end;
    long bits = strtol(slash + 1, &end, 10);
    ipaddr_t net;

    if (n >= sizeof(addr) || *end || end == slash + 1)
        return false;
    memcpy(addr, pat, n);
    addr[n] = '\0';
    if (!parse_ip(addr, &net) || net.family != ip->family)
        return false;
    if (bits < 0 || bits > (net.family == AF_INET ? 32 : 128))
        return false;
    return prefix_equal(net.b, ip->b, bits);
}

static bool pattern_match(const char *pat, const char *host,
                          const ipaddr_t *ip)
{
    char p[300];
    size_t n;
    ipaddr_t pip;

    if (!strcmp(pat, "*"))
        return true;
    if (strchr(pat, '/'))
        return ip && cidr_match(pat, ip);
    n = strlen(pat);
    if (n >= 2 && pat[0] == '[' && pat[n - 1] == ']')
        snprintf(p, sizeof(p), "%.*s", (int)(n - 2), pat + 1);
    else
        snprintf(p, sizeof(p), "%s", pat);
    if (ip && parse_ip(p, &pip))
        return pip.family == ip->family &&
               !memcmp(pip.b, ip->b, ip->family == AF_INET ? 4 : 16);
    return fnmatch(p, host, FNM_CASEFOLD) == 0;
}

bool mcp_host_allowed(mcp_server_t *s, const char *raw)
{
    char host[300];
    size_t n = strlen(raw);
    ipaddr_t ip;
    bool is_ip;

    if (n >= 2 && raw[0] == '[' && raw[n - 1] == ']')
        snprintf(host, sizeof(host), "%.*s", (int)(n - 2), raw + 1);
    else
        snprintf(host, sizeof(host), "%s", raw);
    n = strlen(host);
    while (n > 1 && host[n - 1] == '.')
        host[--n] = '\0';
    for (size_t i = 0; i < n; i++)
        host[i] = (char)tolower((unsigned char)host[i]);
    if (!n)
        return false;
    is_ip = parse_ip(host, &ip);
    for (size_t i = 0; !s->opts.no_default_hosts && loopback[i]; i++)
        if (pattern_match(loopback[i], host, is_ip ? &ip : NULL))
            return true;
    for (size_t i = 0; i < s->opts.nallow; i++)
        if (pattern_match(s->opts.allow[i], host, is_ip ? &ip : NULL))
            return true;
    return false;
}

void mcp_allowlist_text(mcp_server_t *s, char *buf, size_t size)
{
    size_t n = 0;

    buf[0] = '\0';
    for (size_t i = 0; !s->opts.no_default_hosts && loopback[i]; i++)
        n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s",
                              n ? ", " : "", loopback[i]);
    for (size_t i = 0; i < s->opts.nallow && n < size; i++)
        n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s",
                              n ? ", " : "", s->opts.allow[i]);
    if (!n)
        snprintf(buf, size, "(nothing)");
}

/* ---- paths ---- */

static bool has_dotdot(const char *p)
{
    for (const char *c = p; (c = strstr(c, "..")) != NULL; c += 2) {
        bool start = c == p || c[-1] == '/';
        bool end = c[2] == '\0' || c[2] == '/';

        if (start && end)
            return true;
    }
    return false;
}

/* realpath of a path that may not exist yet: its deepest existing
   ancestor, resolved, plus the rest (which cannot hold symlinks). */
static int resolve(const char *full, char *real)
{
    char head[PATH_MAX], tail[PATH_MAX] = "";
    char *slash;

    if (realpath(full, real))
        return 0;
    if (errno != ENOENT && errno != ENOTDIR)
        return -errno;
    snprintf(head, sizeof(head), "%s", full);
    while ((slash = strrchr(head, '/')) != NULL) {
        char t[PATH_MAX];

        snprintf(t, sizeof(t), "%s%s%s", slash + 1, tail[0] ? "/" : "", tail);
        snprintf(tail, sizeof(tail), "%s", t);
        if (slash == head) {
            head[1] = '\0';
        } else {
            *slash = '\0';
        }
        if (realpath(head, real)) {
            size_t n = strlen(real);

            if (n + 1 + strlen(tail) >= PATH_MAX)
                return -ENAMETOOLONG;
            snprintf(real + n, PATH_MAX - n, "%s%s",
                     real[n - 1] == '/' ? "" : "/", tail);
            return 0;
        }
        if (errno != ENOENT && errno != ENOTDIR)
            return -errno;
        if (slash == head)
            break;
    }
    return -ENOENT;
}

static bool under(const char *real, const char *dir)
{
    size_t n = strlen(dir);

    if (!strcmp(dir, "/"))
        return true;
    return !strncmp(real, dir, n) && (real[n] == '\0' || real[n] == '/');
}

static bool allowed_dir(mcp_server_t *s, const char *real, char *list,
                        size_t size)
{
    size_t n = 0;
    bool ok = false;

    list[0] = '\0';
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->opts.nroots; i++) {
        ok = ok || under(real, s->opts.roots[i]);
        n += (size_t)snprintf(list + n, n < size ? size - n : 0, "%s%s",
                              n ? ", " : "", s->opts.roots[i]);
    }
    if (!s->opts.nroots && strcmp(s->cwd, "/") != 0) {
        ok = ok || under(real, s->cwd);
        n += (size_t)snprintf(list + n, n < size ? size - n : 0, "%s",
                              s->cwd);
    }
    for (size_t i = 0; i < s->nclient_roots; i++) {
        ok = ok || under(real, s->client_roots[i]);
        n += (size_t)snprintf(list + n, n < size ? size - n : 0, "%s%s",
                              n ? ", " : "", s->client_roots[i]);
    }
    pthread_mutex_unlock(&s->lock);
    if (!n)
        snprintf(list, size, "none: start loaddensity-mcp with --root DIR");
    return ok;
}

int mcp_path_check(mcp_server_t *s, const char *path, const char *what,
                   char *real, ld_diag_t *d)
{
    char full[PATH_MAX], list[1024];
    int err;

    if (!path || !*path)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL, "%s is empty", what);
    if (has_dotdot(path))
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "%s '%.300s': '..' is not allowed in paths; give "
                           "a path inside the working directory %s",
                           what, path, s->cwd);
    if ((size_t)snprintf(full, sizeof(full), "%s%s%s",
                         path[0] == '/' ? "" : s->cwd,
                         path[0] == '/' || !strcmp(s->cwd, "/") ? "" : "/",
                         path) >= sizeof(full))
        return ld_diag_set(d, LD_EINVAL, NULL, NULL, "%s: path too long",
                           what);
    if ((err = resolve(full, real)) != 0)
        return ld_diag_set(d, LD_EIO, NULL, NULL, "%s '%.300s': %s", what,
                           path, strerror(-err));
    if (!allowed_dir(s, real, list, sizeof(list)))
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "%s '%.200s' (%.200s) is outside the directories "
                           "this server may use (%.400s); use a path under "
                           "one of them",
                           what, path, real, list);
    return 0;
}

/* ---- client roots ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* file:///a%20b -> /a b; NULL for other schemes or hosts. */
static bool uri_path(const char *uri, char *out, size_t size)
{
    const char *p;
    size_t n = 0;

    if (strncmp(uri, "file://", 7) != 0)
        return false;
    p = uri + 7;
    if (!strncmp(p, "localhost/", 10))
        p += 9;
    if (*p != '/')
        return false;
    for (; *p && n + 1 < size; p++) {
        if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
            out[n++] = (char)(hexval(p[1]) * 16 + hexval(p[2]));
            p += 2;
        } else {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
    return n > 0 && !memchr(out, '\0', n);
}

void mcp_roots_set(mcp_server_t *s, const json_t *roots)
{
    char *paths[MCP_MAX_ROOTS];
    size_t n = 0, i;
    const json_t *r;

    json_array_foreach(roots, i, r) {
        const char *uri = json_string_value(json_object_get(r, "uri"));
        char p[PATH_MAX], real[PATH_MAX];

        if (n >= MCP_MAX_ROOTS || !uri || !uri_path(uri, p, sizeof(p)) ||
            !realpath(p, real)) {
            mcp_log(s, MCP_WARNING, "ignoring root %s", uri ? uri : "?");
            continue;
        }
        if ((paths[n] = strdup(real)) != NULL)
            n++;
    }
    pthread_mutex_lock(&s->lock);
    for (i = 0; i < s->nclient_roots; i++)
        free(s->client_roots[i]);
    memcpy(s->client_roots, paths, n * sizeof(paths[0]));
    s->nclient_roots = n;
    pthread_mutex_unlock(&s->lock);
    mcp_log(s, MCP_DEBUG, "%zu client root(s)", n);
}
