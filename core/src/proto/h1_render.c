/*
 * h1_render.c - the native path's per-request work before sending: the URL
 * (when it has placeholders), the templated parts (basic auth, header
 * values, cookies, body), the request bytes (or the precompiled request when
 * nothing varies), and redirect targets.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/h1_int.h"

static int render_kv(ld_buf_t *out, const ld__kv_t *kv, ld_params_t *p,
                     ld_scope_t *s, ld_buf_t *tmp, bool encode)
{
    int rc;
    ld_buf_reset(tmp);
    if ((rc = ld_tmpl_render(kv->k, p, s, tmp)))
        return rc;
    rc = encode ? ld__url_encode(out, tmp->data, tmp->len)
                : ld_buf_add(out, tmp->data, tmp->len);
    if (!rc)
        rc = ld_buf_addc(out, '=');
    ld_buf_reset(tmp);
    if (!rc)
        rc = ld_tmpl_render(kv->v, p, s, tmp);
    if (!rc)
        rc = encode ? ld__url_encode(out, tmp->data, tmp->len)
                    : ld_buf_add(out, tmp->data, tmp->len);
    return rc;
}

/* The URL as the libcurl driver builds it: template, joined to host, then
   the query parameters. */
static int render_url(ld__h1_xfer_t *x, const ld__http_spec_t *hs)
{
    int rc;
    ld_buf_reset(&x->url);
    ld_buf_reset(&x->tmp);
    if ((rc = ld_tmpl_render(hs->url, x->params, x->scope, &x->tmp)) ||
        (rc = ld__url_join(&x->url, hs->host, x->tmp.data, x->tmp.len)))
        return rc;
    for (size_t i = 0; i < hs->params.n && !rc; i++) {
        rc = ld_buf_addc(&x->url,
                         (i == 0 && !strchr(x->url.data, '?')) ? '?' : '&');
        if (!rc)
            rc = render_kv(&x->url, &hs->params.items[i], x->params, x->scope,
                           &x->body, true);
    }
    return rc;
}

static int render_auth(ld__h1_xfer_t *x, const ld__http_spec_t *hs)
{
    ld_buf_t pass;
    int rc;
    ld_buf_reset(&x->auth);
    ld_buf_reset(&x->tmp);
    ld_buf_init(&pass, 1u << 20);
    rc = ld_tmpl_render(hs->basic_user, x->params, x->scope, &x->tmp);
    if (!rc)
        rc = ld_tmpl_render(hs->basic_pass, x->params, x->scope, &pass);
    if (!rc)
        rc = ld__h1_basic_line(&x->auth, x->tmp.data, x->tmp.len, pass.data,
                               pass.len);
    ld_buf_free(&pass);
    return rc;
}

/* Header values must not break the request: CR/LF become spaces. */
static void sanitize(ld_buf_t *b, size_t from)
{
    for (size_t i = from; i < b->len; i++)
        if (b->data[i] == '\r' || b->data[i] == '\n')
            b->data[i] = ' ';
}

static int render_headers(ld__h1_xfer_t *x, const ld__http_spec_t *hs)
{
    int rc = 0;
    ld_buf_reset(&x->hdrs);
    for (size_t i = 0; i < hs->headers.n && !rc; i++) {
        const ld__kv_t *kv = &hs->headers.items[i];
        if ((hs->bearer && !strcasecmp(kv->ks, "Authorization")) ||
            !strcasecmp(kv->ks, "Host"))
            continue;
        ld_buf_reset(&x->tmp);
        if ((rc = ld_tmpl_render(kv->v, x->params, x->scope, &x->tmp)))
            break;
        sanitize(&x->tmp, 0);
        rc = ld_buf_adds(&x->hdrs, kv->ks);
        if (!rc)
            rc = x->tmp.len ? ld_buf_add(&x->hdrs, ": ", 2)
                            : ld_buf_addc(&x->hdrs, ':');
        if (!rc)
            rc = ld_buf_add(&x->hdrs, x->tmp.data, x->tmp.len);
        if (!rc)
            rc = ld_buf_add(&x->hdrs, "\r\n", 2);
    }
    if (!rc && hs->bearer) {
        size_t at;
        rc = ld_buf_adds(&x->hdrs, "Authorization: Bearer ");
        at = x->hdrs.len;
        if (!rc)
            rc = ld_tmpl_render(hs->bearer, x->params, x->scope, &x->hdrs);
        if (!rc) {
            sanitize(&x->hdrs, at);
            rc = ld_buf_add(&x->hdrs, "\r\n", 2);
        }
    }
    if (!rc && hs->json_ct)
        rc = ld_buf_adds(&x->hdrs, "Content-Type: application/json\r\n");
    return rc;
}

static int render_cookies(ld__h1_xfer_t *x, const ld__http_spec_t *hs)
{
    int rc = 0;
    ld_buf_reset(&x->ck);
    for (size_t i = 0; i < hs->cookies.n && !rc; i++) {
        if (i)
            rc = ld_buf_add(&x->ck, "; ", 2);
        if (!rc)
            rc = render_kv(&x->ck, &hs->cookies.items[i], x->params, x->scope,
                           &x->tmp, false);
    }
    return rc;
}

static int render_body(ld__h1_xfer_t *x, const ld__http_spec_t *hs)
{
    int rc = 0;
    ld_buf_reset(&x->body);
    x->body_p = "";
    x->body_n = 0;
    switch (hs->body_kind) {
    case LD__BODY_NONE:
        return 0;
    case LD__BODY_LIT:
        x->body_p = hs->body_lit;
        x->body_n = hs->body_lit_len;
        return 0;
    case LD__BODY_TMPL:
        rc = ld_tmpl_render(hs->body_tmpl, x->params, x->scope, &x->body);
        break;
    case LD__BODY_JSON: {
        json_t *v = ld_params_resolve_json(x->params, x->scope, hs->body_json);
        char *txt = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        rc = txt ? ld_buf_adds(&x->body, txt) : LD_ENOMEM;
        free(txt);
        json_decref(v);
        break;
    }
    case LD__BODY_FORM:
        for (size_t i = 0; i < hs->form.n && !rc; i++) {
            if (i)
                rc = ld_buf_addc(&x->body, '&');
            if (!rc)
                rc = render_kv(&x->body, &hs->form.items[i], x->params,
                               x->scope, &x->tmp, true);
        }
        break;
    case LD__BODY_MULTIPART:
        rc = ld__multipart_render(hs->multipart, x->params, x->scope, &x->body);
        break;
    }
    if (!rc && x->body.data) {
        x->body_p = x->body.data;
        x->body_n = x->body.len;
    }
    return rc;
}

static void target_from_spec(ld__h1_xfer_t *x, const ld__h1_spec_t *sp)
{
    x->host = sp->host;
    x->host_len = strlen(sp->host);
    x->hostport = sp->hostport;
    x->hostport_len = strlen(sp->hostport);
    x->path = sp->path;
    x->path_len = strlen(sp->path);
    x->port = sp->port;
}

static void target_from_url(ld__h1_xfer_t *x, const ld__h1_url_t *u)
{
    x->host = u->host;
    x->host_len = u->host_len;
    x->hostport = u->hostport;
    x->hostport_len = u->hostport_len;
    x->path = u->path;
    x->path_len = u->path_len;
    x->port = u->port;
}

int ld__h1_render(ld__h1_xfer_t *x, const ld__h1_spec_t *sp, bool *native)
{
    const ld__http_spec_t *hs = sp->http;
    int rc = 0;
    *native = true;
    x->method = sp->method;
    x->send_body = sp->has_body;
    if (sp->full && (!x->jar || !x->jar->n)) {
        target_from_spec(x, sp);
        x->body_p = hs->body_kind == LD__BODY_LIT ? hs->body_lit : "";
        x->body_n = hs->body_kind == LD__BODY_LIT ? hs->body_lit_len : 0;
        x->req = sp->full;
        x->req_len = sp->full_len;
        return 0;
    }
    if (sp->url_fixed) {
        target_from_spec(x, sp);
    } else {
        ld__h1_url_t u;
        if ((rc = render_url(x, hs)))
            return rc;
        if (!ld__h1_url_parse(x->url.data, x->url.len, &u, x->hp,
                              sizeof(x->hp))) {
            *native = false;
            return 0;
        }
        target_from_url(x, &u);
    }
    if ((sp->auth_dyn && (rc = render_auth(x, hs))) ||
        (sp->hdr_dyn && (rc = render_headers(x, hs))) ||
        (hs->cookies.n && !hs->cookies.literal &&
         (rc = render_cookies(x, hs))) ||
        (rc = render_body(x, hs)))
        return rc;
    return ld__h1_assemble(x);
}

static int cookie_line(ld__h1_xfer_t *x, ld_buf_t *b)
{
    const ld__h1_spec_t *sp = x->sp;
    const ld__http_spec_t *hs = sp->http;
    const char *task = NULL, *q;
    size_t at = b->len, plen;
    int n = 0, rc;
    if (!sp->custom_cookie && hs->cookies.n)
        task = hs->cookies.literal ? hs->cookie_lit : x->ck.data;
    if ((rc = ld_buf_adds(b, "Cookie: ")))
        return rc;
    q = memchr(x->path, '?', x->path_len);
    plen = q ? (size_t)(q - x->path) : x->path_len;
    if (x->jar && x->jar->n &&
        (n = sp->cookie_host
                 ? ld__h1_jar_render(x->jar, b, sp->cookie_host,
                                     strlen(sp->cookie_host), x->path, plen)
                 : ld__h1_jar_render(x->jar, b, x->host, x->host_len, x->path,
                                     plen)) < 0)
        return n;
    if (task && *task) {
        if (n && (rc = ld_buf_add(b, "; ", 2)))
            return rc;
        if ((rc = ld_buf_adds(b, task)))
            return rc;
        n++;
    }
    if (!n) { /* nothing to send: drop "Cookie: " */
        b->len = at;
        b->data[at] = '\0';
        return 0;
    }
    return ld_buf_add(b, "\r\n", 2);
}

int ld__h1_assemble(ld__h1_xfer_t *x)
{
    const ld__h1_spec_t *sp = x->sp;
    ld_buf_t *b = &x->rq;
    int rc;
    ld_buf_reset(b);
    rc = ld_buf_adds(b, x->method);
    if (!rc)
        rc = ld_buf_addc(b, ' ');
    if (!rc)
        rc = ld_buf_add(b, x->path, x->path_len);
    if (!rc)
        rc = ld_buf_add(b, " HTTP/1.1\r\n", 11);
    if (!rc && sp->custom_host) {
        rc = ld_buf_adds(b, sp->host_lit);
    } else if (!rc) {
        rc = ld_buf_add(b, "Host: ", 6);
        if (!rc)
            rc = ld_buf_add(b, x->hostport, x->hostport_len);
        if (!rc)
            rc = ld_buf_add(b, "\r\n", 2);
    }
    if (!rc && (sp->auth_lit || sp->auth_dyn))
        rc = sp->auth_lit ? ld_buf_adds(b, sp->auth_lit)
                          : ld_buf_add(b, x->auth.data, x->auth.len);
    if (!rc)
        rc = ld_buf_adds(b, sp->ua);
    if (!rc)
        rc = cookie_line(x, b);
    if (!rc)
        rc = sp->hdr_dyn ? ld_buf_add(b, x->hdrs.data, x->hdrs.len)
                         : ld_buf_adds(b, sp->hdr_lit);
    if (!rc && x->send_body && !sp->custom_cl)
        rc = ld_buf_printf(b, "Content-Length: %zu\r\n", x->body_n);
    if (!rc && x->send_body && sp->form_ct)
        rc = ld_buf_adds(b,
                         "Content-Type: application/x-www-form-urlencoded\r\n");
    if (!rc)
        rc = ld_buf_add(b, "\r\n", 2);
    if (!rc && x->send_body)
        rc = ld_buf_add(b, x->body_p, x->body_n);
    x->req = b->data;
    x->req_len = b->len;
    return rc;
}

/* ---- redirects ---- */

static bool has_scheme(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n &&
           ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
            (i > 0 && ((s[i] >= '0' && s[i] <= '9') || s[i] == '+' ||
                       s[i] == '-' || s[i] == '.'))))
        i++;
    return i > 0 && i < n && s[i] == ':';
}

/* Absolute form of loc relative to the current hop, into out. */
static int absolute(ld__h1_xfer_t *x, const char *loc, size_t n, ld_buf_t *out)
{
    const char *q = memchr(x->path, '?', x->path_len);
    size_t plen = q ? (size_t)(q - x->path) : x->path_len, dir = plen;
    int rc;
    if (has_scheme(loc, n))
        return ld_buf_add(out, loc, n);
    if (n >= 2 && loc[0] == '/' && loc[1] == '/') {
        rc = ld_buf_add(out, "http:", 5);
        return rc ? rc : ld_buf_add(out, loc, n);
    }
    rc = ld_buf_add(out, "http://", 7);
    if (!rc)
        rc = ld_buf_add(out, x->hostport, x->hostport_len);
    if (rc || (n && loc[0] == '/'))
        return rc ? rc : ld_buf_add(out, loc, n);
    if (n && (loc[0] == '?' || loc[0] == '#')) {
        rc = ld_buf_add(out, x->path, loc[0] == '?' ? plen : x->path_len);
        return rc ? rc : ld_buf_add(out, loc, n);
    }
    while (dir > 0 && x->path[dir - 1] != '/')
        dir--;
    rc = ld_buf_add(out, x->path, dir);
    return rc ? rc : ld_buf_add(out, loc, n);
}

int ld__h1_redirect_target(ld__h1_xfer_t *x, const char *loc, size_t n,
                           bool *same)
{
    ld__h1_url_t u;
    char hp[sizeof(x->hp)];
    ld_buf_t t;
    int rc;
    *same = false;
    while (n && (*loc == ' ' || *loc == '\t')) {
        loc++;
        n--;
    }
    while (n && (loc[n - 1] == ' ' || loc[n - 1] == '\t' ||
                 loc[n - 1] == '\r' || loc[n - 1] == '\n'))
        n--;
    ld_buf_init(&t, 1u << 20);
    if ((rc = absolute(x, loc, n, &t)) || (rc = ld_buf_add(&t, "", 0))) {
        ld_buf_free(&t);
        return rc;
    }
    if (ld__h1_url_parse(t.data, t.len, &u, hp, sizeof(hp)) &&
        u.port == x->port && u.host_len == x->host_len &&
        !strncasecmp(u.host, x->host, u.host_len)) {
        *same = true;
        memcpy(x->hp, hp, u.hostport_len + 1);
        u.hostport = x->hp;
    }
    /* the old target may point into loc: swap only now */
    ld_buf_free(&x->loc);
    x->loc = t;
    if (*same)
        target_from_url(x, &u); /* spans into loc's bytes, which moved */
    return 0;
}
