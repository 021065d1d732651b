/*
 * h1_compile.c - compile a task for the dispatcher: the libcurl driver's
 * spec, then, when the native path may send the task, its request template
 * (request line, Host, the default lines curl would send, custom headers,
 * and the whole request as one string when nothing varies). The lines and
 * their order are the ones libcurl 7.88 sends for the same options, so both
 * paths put the same bytes on the wire.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/h1_int.h"

static int oom(ld_diag_t *d)
{
    return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
}

/* ---- URLs ---- */

static bool host_char(unsigned char c, bool v6)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_')
        return true;
    return v6 && (c == ':' || c == '%');
}

static bool has_dot_segment(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '/' || i + 1 >= n || p[i + 1] != '.')
            continue;
        size_t j = i + 2;
        if (j < n && p[j] == '.')
            j++;
        if (j == n || p[j] == '/')
            return true;
    }
    return false;
}

static bool parse_port(const char *p, size_t n, uint16_t *port)
{
    unsigned v = 0;
    if (n == 0) {
        *port = 80;
        return true;
    }
    if (n > 5)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    if (v == 0 || v > 65535)
        return false;
    *port = (uint16_t)v;
    return true;
}

/* host, [v6], port of the authority [a, ae); no credentials. */
static bool parse_authority(const char *a, const char *ae, ld__h1_url_t *u)
{
    const char *pp = NULL;
    if (memchr(a, '@', (size_t)(ae - a)))
        return false;
    if (*a == '[') {
        const char *rb = memchr(a, ']', (size_t)(ae - a));
        if (!rb || (rb + 1 < ae && rb[1] != ':'))
            return false;
        u->host = a + 1;
        u->host_len = (size_t)(rb - a - 1);
        u->ipv6 = true;
        if (rb + 1 < ae)
            pp = rb + 2;
    } else {
        const char *c = memchr(a, ':', (size_t)(ae - a));
        u->host = a;
        u->host_len = (size_t)((c ? c : ae) - a);
        if (c)
            pp = c + 1;
    }
    if (!u->host_len)
        return false;
    for (size_t i = 0; i < u->host_len; i++)
        if (!host_char((unsigned char)u->host[i], u->ipv6))
            return false;
    return parse_port(pp ? pp : ae, pp ? (size_t)(ae - pp) : 0, &u->port);
}

bool ld__h1_url_parse(const char *s, size_t len, ld__h1_url_t *u, char *hp,
                      size_t hpsz)
{
    const char *a, *end = s + len, *ae, *pe;
    size_t hl;
    int n;
    memset(u, 0, sizeof(*u));
    if (len < 8 || strncasecmp(s, "http://", 7))
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return false;
    a = s + 7;
    for (ae = a; ae < end && *ae != '/' && *ae != '?' && *ae != '#'; ae++)
        ;
    if (ae < end && *ae == '?')
        return false; /* "http://h?q": the path is not one span */
    if (!parse_authority(a, ae, u))
        return false;
    pe = memchr(ae, '#', (size_t)(end - ae));
    if (!pe)
        pe = end;
    if (ae == pe) {
        u->path = "/";
        u->path_len = 1;
    } else {
        const char *q = memchr(ae, '?', (size_t)(pe - ae));
        u->path = ae;
        u->path_len = (size_t)(pe - ae);
        if (has_dot_segment(ae, (size_t)((q ? q : pe) - ae)))
            return false;
    }
    hl = u->host_len;
    if (u->port != 80)
        n = snprintf(hp, hpsz, "%s%.*s%s:%u", u->ipv6 ? "[" : "", (int)hl,
                     u->host, u->ipv6 ? "]" : "", (unsigned)u->port);
    else
        n = snprintf(hp, hpsz, "%s%.*s%s", u->ipv6 ? "[" : "", (int)hl, u->host,
                     u->ipv6 ? "]" : "");
    if (n < 0 || (size_t)n >= hpsz)
        return false;
    u->hostport = hp;
    u->hostport_len = (size_t)n;
    return true;
}

/* ---- eligibility ---- */

static bool env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v;
}

/* libcurl takes a proxy from the environment; the native path has none. */
static bool proxy_in_env(void)
{
    return env_set("http_proxy") || env_set("all_proxy") ||
           env_set("ALL_PROXY");
}

static bool header_is(const ld__kv_t *kv, const char *name)
{
    return !strcasecmp(kv->ks, name);
}

/* Why the native path cannot send this task, or NULL. */
static const char *curl_only(const ld__http_spec_t *hs)
{
    if (hs->http_version != CURL_HTTP_VERSION_1_1 &&
        hs->http_version != CURL_HTTP_VERSION_2TLS)
        return "its http_version needs libcurl";
    if (hs->method == LD_M_HEAD && hs->body_kind != LD__BODY_NONE)
        return "a HEAD request with a body needs libcurl";
    for (size_t i = 0; i < hs->headers.n; i++) {
        const ld__kv_t *kv = &hs->headers.items[i];
        if (!ld_tmpl_is_literal(kv->k))
            return "a header name with placeholders needs libcurl";
        if (header_is(kv, "Expect") || header_is(kv, "Transfer-Encoding"))
            return "an Expect or Transfer-Encoding header needs libcurl";
        if (header_is(kv, "Host") && (!ld_tmpl_is_literal(kv->v) || !kv->vs[0]))
            return "a Host header with placeholders needs libcurl";
    }
    return NULL;
}

/* ---- the template ---- */

static int base64(ld_buf_t *out, const char *s, size_t n)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i += 3) {
        unsigned v = (unsigned)(unsigned char)s[i] << 16;
        char q[4];
        if (i + 1 < n)
            v |= (unsigned)(unsigned char)s[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)s[i + 2];
        q[0] = tab[(v >> 18) & 63];
        q[1] = tab[(v >> 12) & 63];
        q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        q[3] = i + 2 < n ? tab[v & 63] : '=';
        rc = ld_buf_add(out, q, 4);
    }
    return rc;
}

int ld__h1_basic_line(ld_buf_t *out, const char *user, size_t ul,
                      const char *pass, size_t pl)
{
    ld_buf_t up;
    int rc;
    ld_buf_init(&up, 0);
    rc = ld_buf_add(&up, user, ul);
    if (!rc)
        rc = ld_buf_addc(&up, ':');
    if (!rc)
        rc = ld_buf_add(&up, pass, pl);
    if (!rc)
        rc = ld_buf_adds(out, "Authorization: Basic ");
    if (!rc)
        rc = base64(out, up.data, up.len);
    if (!rc)
        rc = ld_buf_add(out, "\r\n", 2);
    ld_buf_free(&up);
    return rc;
}

static char *take(ld_buf_t *b)
{
    char *s = ld_buf_take(b, NULL);
    return s ? s : ld_strdup("");
}

static int c_flags(ld__h1_spec_t *sp)
{
    const ld__http_spec_t *hs = sp->http;
    bool ua = false, accept = false, ct = false;
    ld_buf_t b;
    ld_buf_init(&b, 0);
    for (size_t i = 0; i < hs->headers.n; i++) {
        const ld__kv_t *kv = &hs->headers.items[i];
        if (hs->bearer && header_is(kv, "Authorization"))
            continue;
        if (header_is(kv, "Host") && !sp->custom_host) {
            const char *v = kv->vs, *e;
            sp->custom_host = true;
            if (ld_buf_printf(&b, "Host: %s\r\n", v) ||
                !(sp->host_lit = take(&b)))
                return LD_ENOMEM;
            e = v[0] == '[' ? strchr(v, ']') : strchr(v, ':');
            if (v[0] == '[' && e)
                v++;
            sp->cookie_host = e ? ld_strndup(v, (size_t)(e - v)) : ld_strdup(v);
            if (!sp->cookie_host)
                return LD_ENOMEM;
        }
        sp->custom_cl |= header_is(kv, "Content-Length");
        sp->custom_cookie |= header_is(kv, "Cookie");
        ua |= header_is(kv, "User-Agent");
        accept |= header_is(kv, "Accept");
        ct |= header_is(kv, "Content-Type");
    }
    sp->method = hs->method_name;
    sp->has_body = hs->body_kind != LD__BODY_NONE || hs->method == LD_M_POST;
    sp->form_ct = sp->has_body && !hs->json_ct && !ct;
    if ((!ua &&
         ld_buf_adds(&b, "User-Agent: loaddensity/" LD_VERSION "\r\n")) ||
        (!accept && ld_buf_adds(&b, "Accept: */*\r\n")))
        return LD_ENOMEM;
    sp->ua = take(&b);
    return sp->ua ? 0 : LD_ENOMEM;
}

static bool has_custom_auth(const ld__http_spec_t *hs)
{
    for (size_t i = 0; i < hs->headers.n; i++)
        if (header_is(&hs->headers.items[i], "Authorization"))
            return true;
    return false;
}

static int c_auth(ld__h1_spec_t *sp)
{
    const ld__http_spec_t *hs = sp->http;
    ld_buf_t u, p, line;
    int rc = 0;
    if (!hs->basic_user || has_custom_auth(hs))
        return 0;
    if (!ld_tmpl_is_literal(hs->basic_user) ||
        !ld_tmpl_is_literal(hs->basic_pass)) {
        sp->auth_dyn = true;
        return 0;
    }
    ld_buf_init(&u, 0);
    ld_buf_init(&p, 0);
    ld_buf_init(&line, 0);
    rc = ld_tmpl_render(hs->basic_user, NULL, NULL, &u);
    if (!rc)
        rc = ld_tmpl_render(hs->basic_pass, NULL, NULL, &p);
    if (!rc)
        rc = ld__h1_basic_line(&line, u.data, u.len, p.data, p.len);
    if (!rc && !(sp->auth_lit = take(&line)))
        rc = LD_ENOMEM;
    ld_buf_free(&u);
    ld_buf_free(&p);
    ld_buf_free(&line);
    return rc;
}

/* Custom header lines as libcurl sends them: "Name: value", "Name:" for an
   empty value, the bearer token, the JSON content type. */
static int c_headers(ld__h1_spec_t *sp)
{
    const ld__http_spec_t *hs = sp->http;
    ld_buf_t b;
    int rc = 0;
    sp->hdr_dyn = hs->hdr_dynamic;
    if (sp->hdr_dyn)
        return 0;
    ld_buf_init(&b, 0);
    for (size_t i = 0; i < hs->headers.n && !rc; i++) {
        const ld__kv_t *kv = &hs->headers.items[i];
        if ((hs->bearer && header_is(kv, "Authorization")) ||
            header_is(kv, "Host"))
            continue;
        rc = kv->vs[0] ? ld_buf_printf(&b, "%s: %s\r\n", kv->ks, kv->vs)
                       : ld_buf_printf(&b, "%s:\r\n", kv->ks);
    }
    if (!rc && hs->bearer) {
        rc = ld_buf_adds(&b, "Authorization: Bearer ");
        if (!rc)
            rc = ld_tmpl_render(hs->bearer, NULL, NULL, &b);
        if (!rc)
            rc = ld_buf_add(&b, "\r\n", 2);
    }
    if (!rc && hs->json_ct)
        rc = ld_buf_adds(&b, "Content-Type: application/json\r\n");
    if (!rc && !(sp->hdr_lit = take(&b)))
        rc = LD_ENOMEM;
    ld_buf_free(&b);
    return rc;
}

static int c_url(ld__h1_spec_t *sp, const char **why)
{
    const ld__http_spec_t *hs = sp->http;
    ld__h1_url_t u;
    char hp[300];
    if (!hs->url_lit)
        return 0; /* decided per request */
    if (!ld__h1_url_parse(hs->url_lit, strlen(hs->url_lit), &u, hp,
                          sizeof(hp))) {
        *why = "its URL is not a plain http:// URL";
        return 0;
    }
    sp->url_fixed = true;
    sp->host = ld_strndup(u.host, u.host_len);
    sp->hostport = ld_strndup(u.hostport, u.hostport_len);
    sp->path = ld_strndup(u.path, u.path_len);
    sp->port = u.port;
    return sp->host && sp->hostport && sp->path ? 0 : LD_ENOMEM;
}

/* The whole request, when nothing in it varies. */
static int c_full(ld__h1_spec_t *sp)
{
    const ld__http_spec_t *hs = sp->http;
    ld_buf_t b;
    int rc = 0;
    if (!sp->url_fixed || sp->auth_dyn || sp->hdr_dyn ||
        (hs->cookies.n && !hs->cookies.literal) ||
        (hs->body_kind != LD__BODY_NONE && hs->body_kind != LD__BODY_LIT))
        return 0;
    ld_buf_init(&b, 0);
    rc = ld_buf_printf(&b, "%s %s HTTP/1.1\r\n", sp->method, sp->path);
    if (!rc)
        rc = sp->custom_host ? ld_buf_adds(&b, sp->host_lit)
                             : ld_buf_printf(&b, "Host: %s\r\n", sp->hostport);
    if (!rc && sp->auth_lit)
        rc = ld_buf_adds(&b, sp->auth_lit);
    if (!rc)
        rc = ld_buf_adds(&b, sp->ua);
    if (!rc && hs->cookie_lit && !sp->custom_cookie)
        rc = ld_buf_printf(&b, "Cookie: %s\r\n", hs->cookie_lit);
    if (!rc)
        rc = ld_buf_adds(&b, sp->hdr_lit);
    if (!rc && sp->has_body && !sp->custom_cl)
        rc = ld_buf_printf(&b, "Content-Length: %zu\r\n", hs->body_lit_len);
    if (!rc && sp->form_ct)
        rc = ld_buf_adds(&b,
                         "Content-Type: application/x-www-form-urlencoded\r\n");
    if (!rc)
        rc = ld_buf_add(&b, "\r\n", 2);
    if (!rc && hs->body_kind == LD__BODY_LIT)
        rc = ld_buf_add(&b, hs->body_lit, hs->body_lit_len);
    if (!rc)
        sp->full = ld_buf_take(&b, &sp->full_len);
    ld_buf_free(&b);
    return rc ? rc : (sp->full ? 0 : LD_ENOMEM);
}

int ld__h1_compile(const ld_node_t *task, const ld__proto_defaults_t *defs,
                   const char *file, void **out, ld_diag_t *d)
{
    ld__h1_spec_t *sp = calloc(1, sizeof(*sp));
    ld__driver_t drv = defs ? defs->driver : LD__DRIVER_AUTO;
    const char *why = NULL;
    void *hs = NULL;
    int rc;
    *out = NULL;
    if (!sp)
        return oom(d);
    if ((rc = ld__http_compile(task, defs, file, &hs, d)))
        goto fail;
    sp->http = hs;
    if (drv == LD__DRIVER_CURL)
        goto done;
    if (!(why = curl_only(sp->http)) && (rc = c_url(sp, &why)))
        goto nomem;
    if (!why && drv == LD__DRIVER_AUTO && proxy_in_env())
        why = "a proxy is set in the environment";
    if (why) {
        if (drv == LD__DRIVER_NATIVE) {
            rc = ld__diag_node(d, LD_EUNAVAIL, file, task,
                               "the native HTTP/1.1 driver cannot send this "
                               "task: %s (use \"driver\": \"auto\" or "
                               "\"curl\")",
                               why);
            goto fail;
        }
        goto done;
    }
    sp->native = true;
    sp->forced = drv == LD__DRIVER_NATIVE;
    if ((rc = c_flags(sp)) || (rc = c_auth(sp)) || (rc = c_headers(sp)) ||
        (rc = c_full(sp)))
        goto nomem;
done:
    *out = sp;
    return 0;
nomem:
    rc = oom(d);
fail:
    ld__h1_spec_free(sp);
    return rc;
}

void ld__h1_spec_free(void *spec)
{
    ld__h1_spec_t *sp = spec;
    if (!sp)
        return;
    ld__http_spec_free(sp->http);
    free(sp->host);
    free(sp->hostport);
    free(sp->path);
    free(sp->auth_lit);
    free(sp->host_lit);
    free(sp->cookie_host);
    free(sp->ua);
    free(sp->hdr_lit);
    free(sp->full);
    free(sp);
}
