/*
 * h1_xfer.c - the dispatching HTTP driver: per-thread state, one transfer
 * object per virtual user, and the life of a native request (render, pick
 * or open the connection, send, parse, follow same-origin redirects, time
 * out, resend once when a reused connection died before answering, report).
 * Tasks (or rendered URLs) the native path cannot send go to the libcurl
 * driver through the user's own libcurl transfer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/h1_int.h"

static ld__h1_xfer_t *X(ld__xfer_t *x)
{
    return (ld__h1_xfer_t *)(void *)x;
}

/* ---- per-thread state ---- */

static int h1_io_init(uv_loop_t *loop, unsigned max_conns, void **out)
{
    ld__h1_io_t *io = calloc(1, sizeof(*io));
    int rc;
    *out = NULL;
    if (!io)
        return LD_ENOMEM;
    io->loop = loop;
    if ((rc = ld__proto_http.io_init(loop, max_conns, &io->curl_io))) {
        free(io);
        return rc;
    }
    *out = io;
    return 0;
}

static void h1_io_close(void *p)
{
    ld__h1_io_t *io = p;
    if (!io)
        return;
    ld__proto_http.io_close(io->curl_io);
    ld__h1_dns_close_all(io);
    free(io);
}

/* ---- finishing ---- */

static void finish(ld__h1_xfer_t *x, int status, const char *err)
{
    ld__xfer_cb cb = x->cb;
    const char *lit = x->sp ? x->sp->http->url_lit : NULL;
    ld__result_t r;
    x->busy = false;
    x->cb = NULL;
    x->pending = false;
    if (x->cur) {
        x->cur->in_use = false;
        x->cur = NULL;
    }
    memset(&r, 0, sizeof(r));
    r.status = status;
    r.error = err;
    r.body = x->rbody.data;
    r.body_len = x->rbody.len;
    r.headers = x->rhdr.data;
    r.headers_len = x->rhdr.len;
    r.resp_len = x->rbytes > UINT32_MAX ? UINT32_MAX : (uint32_t)x->rbytes;
    r.url = lit ? lit : (x->url.data ? x->url.data : "");
    r.url_len = strlen(r.url);
    if (cb)
        cb(x->user, &r); /* may start the next request on x */
}

static void set_err(ld__h1_xfer_t *x, const char *msg)
{
    if (msg != x->err)
        snprintf(x->err, sizeof(x->err), "%s", msg);
}

void ld__h1_fail(ld__h1_xfer_t *x, const char *msg)
{
    set_err(x, msg);
    if (x->cur)
        ld__h1_conn_close(x->cur);
    finish(x, 0, x->err);
}

/* ---- the deadline timer ---- */

static void on_timer(uv_timer_t *t);

/* Make sure the timer fires no later than at (loop ms). Left armed after a
   request, it fires once, finds a later deadline and re-arms: keep-alive
   requests seldom touch it. */
static void arm(ld__h1_xfer_t *x, uint64_t at)
{
    uint64_t now = uv_now(x->io->loop);
    if (x->due && x->due <= at)
        return;
    uv_timer_start(&x->timer, on_timer, at > now ? at - now : 0, 0);
    x->due = at;
}

void ld__h1_fail_async(ld__h1_xfer_t *x, const char *msg)
{
    set_err(x, msg);
    x->pending = true;
    x->due = 0;
    arm(x, uv_now(x->io->loop));
}

static void on_timer(uv_timer_t *t)
{
    ld__h1_xfer_t *x = t->data;
    const ld__http_spec_t *hs;
    uint64_t now, dl;
    bool connecting;
    x->due = 0;
    if (x->pending) {
        finish(x, 0, x->err);
        return;
    }
    if (!x->busy || x->via_curl)
        return;
    hs = x->sp->http;
    now = uv_now(x->io->loop);
    dl = x->deadline;
    connecting = x->cdeadline && (!x->cur || x->cur->state != H1_C_OPEN);
    if (connecting && x->cdeadline < dl)
        dl = x->cdeadline;
    if (now < dl) {
        arm(x, dl);
        return;
    }
    if (connecting && now >= x->cdeadline)
        snprintf(x->err, sizeof(x->err), "Connection timed out after %ld ms",
                 hs->connect_timeout_ms);
    else
        snprintf(x->err, sizeof(x->err), "Operation timed out after %ld ms",
                 hs->timeout_ms);
    ld__h1_fail(x, x->err);
}

/* ---- one hop: a connection and the request on it ---- */

static ld__h1_conn_t *find_conn(ld__h1_xfer_t *x)
{
    for (int i = 0; i < LD_H1_MAX_CONNS; i++) {
        ld__h1_conn_t *c = x->conns[i];
        if (c && c->port == x->port && c->state != H1_C_CLOSING &&
            !strncasecmp(c->host, x->host, x->host_len) &&
            !c->host[x->host_len])
            return c;
    }
    return NULL;
}

/* Send x's request on a kept or new connection. Errors come back as a
   message (the caller reports it); a send on a reused connection that
   fails is tried once more on a fresh one. */
static int begin_hop(ld__h1_xfer_t *x, char *msg, size_t msz)
{
    ld__h1_conn_t *c;
    char eb[96];
    bool reused;
    int r;
    ld_buf_reset(&x->lochdr);
    x->cdeadline = 0;
    if (!(c = find_conn(x)) && ld__h1_conn_open(x, &c, msg, msz))
        return -1;
    x->cur = c;
    c->in_use = true;
    ld__h1_parse_reset(c);
    if (c->state != H1_C_OPEN) {
        if (x->sp->http->connect_timeout_ms) {
            x->cdeadline =
                uv_now(x->io->loop) + (uint64_t)x->sp->http->connect_timeout_ms;
            arm(x, x->cdeadline);
        }
        return 0;
    }
    if (!(r = ld__h1_conn_send(c)))
        return 0;
    reused = c->served > 0;
    ld__h1_conn_close(c);
    if (reused && !x->retried) {
        x->retried = true;
        return begin_hop(x, msg, msz);
    }
    snprintf(msg, msz, "Send failure: %s", strerror_r(-r, eb, sizeof(eb)));
    return -1;
}

void ld__h1_on_connected(ld__h1_conn_t *c)
{
    ld__h1_xfer_t *x = c->x;
    char msg[160], eb[96];
    int r;
    if (!x || !c->in_use || !x->busy)
        return;
    if ((r = ld__h1_conn_send(c))) {
        snprintf(msg, sizeof(msg), "Send failure: %s",
                 strerror_r(-r, eb, sizeof(eb)));
        ld__h1_on_conn_error(c, r, msg);
    }
}

void ld__h1_on_conn_error(ld__h1_conn_t *c, int uverr, const char *msg)
{
    ld__h1_xfer_t *x = c->x;
    char m2[256];
    bool retry;
    (void)uverr;
    if (!x || !c->in_use || !x->busy) {
        ld__h1_conn_close(c);
        return;
    }
    retry = c->served > 0 && c->got == 0 && !x->retried;
    set_err(x, msg);
    ld__h1_conn_close(c);
    if (retry) {
        x->retried = true;
        if (!begin_hop(x, m2, sizeof(m2)))
            return;
        set_err(x, m2);
    }
    finish(x, 0, x->err);
}

/* ---- response events ---- */

void ld__h1_on_head(ld__h1_conn_t *c, const char *head, size_t len)
{
    ld__h1_xfer_t *x = c->x;
    if (!(x->flags & LD__XF_HEADERS))
        return;
    ld_buf_reset(&x->rhdr);
    if (len <= LD_H1_HEAD_MAX && ld_buf_add(&x->rhdr, head, len))
        ld_buf_init(&x->rhdr, 0);
}

void ld__h1_on_header(ld__h1_conn_t *c, const char *name, size_t nlen,
                      const char *v, size_t vlen)
{
    ld__h1_xfer_t *x = c->x;
    const char *q;
    (void)nlen;
    if ((name[0] | 0x20) == 'l') {
        ld_buf_reset(&x->lochdr);
        if (ld_buf_add(&x->lochdr, v, vlen))
            ld_buf_init(&x->lochdr, 1u << 20);
        return;
    }
    q = memchr(x->path, '?', x->path_len);
    if (x->sp->cookie_host) /* curl keeps cookies for the Host header's name */
        ld__h1_jar_set(&x->jar, v, vlen, x->sp->cookie_host,
                       strlen(x->sp->cookie_host), x->path,
                       q ? (size_t)(q - x->path) : x->path_len);
    else
        ld__h1_jar_set(&x->jar, v, vlen, x->host, x->host_len, x->path,
                       q ? (size_t)(q - x->path) : x->path_len);
}

void ld__h1_on_body(ld__h1_conn_t *c, const char *p, size_t n)
{
    ld__h1_xfer_t *x = c->x;
    x->rbytes += n;
    if ((x->flags & LD__XF_BODY) && x->rbody.len + n <= LD_H1_BODY_CAP &&
        ld_buf_add(&x->rbody, p, n))
        ld_buf_init(&x->rbody, 0);
}

static void on_handoff_done(void *user, const ld__result_t *r)
{
    ld__h1_xfer_t *x = user;
    ld__xfer_cb cb = x->cb;
    const char *lit = x->sp->http->url_lit;
    ld__result_t rr = *r;
    x->busy = false;
    x->via_curl = false;
    x->cb = NULL;
    rr.url = lit ? lit : (x->url.data ? x->url.data : "");
    rr.url_len = strlen(rr.url);
    if (cb)
        cb(x->user, &rr);
}

/* A redirect that leaves the origin (or plain http) goes on in libcurl. */
static void handoff(ld__h1_xfer_t *x, bool as_get)
{
    char msg[256];
    int rc;
    if (!x->curl && ld__proto_http.xfer_new(x->io->curl_io, &x->curl)) {
        ld__h1_fail(x, "out of memory");
        return;
    }
    x->via_curl = true;
    rc = ld__http_start_url(x->curl, x->sp->http, x->params, x->scope, x->flags,
                            x->loc.data, as_get, on_handoff_done, x, msg,
                            sizeof(msg));
    if (rc) {
        x->via_curl = false;
        ld__h1_fail(x, msg);
    }
}

static void redirect(ld__h1_xfer_t *x, int status)
{
    bool same, get;
    char msg[256];
    if (++x->redirs > LD_H1_MAX_REDIRS) {
        ld__h1_fail(x, "Maximum (30) redirects followed");
        return;
    }
    get = (status == 303 && strcmp(x->method, "HEAD")) ||
          ((status == 301 || status == 302) && !strcmp(x->method, "POST"));
    if (ld__h1_redirect_target(x, x->lochdr.data, x->lochdr.len, &same)) {
        ld__h1_fail(x, "out of memory");
        return;
    }
    if (get) {
        x->method = "GET";
        x->send_body = false;
    }
    x->rbytes = 0;
    x->retried = false;
    ld_buf_reset(&x->rbody);
    ld_buf_reset(&x->rhdr);
    if (!same) {
        handoff(x, get);
        return;
    }
    if (ld__h1_assemble(x)) {
        ld__h1_fail(x, "out of memory");
        return;
    }
    if (begin_hop(x, msg, sizeof(msg)))
        ld__h1_fail(x, msg);
}

void ld__h1_on_response(ld__h1_conn_t *c, size_t extra)
{
    ld__h1_xfer_t *x = c->x;
    int status = c->status;
    if (!x)
        return;
    c->served++;
    c->in_use = false;
    x->cur = NULL;
    if (!c->keep || extra || c->writing)
        ld__h1_conn_close(c); /* also when it sent more than one response */
    else
        ld__h1_parse_reset(c);
    if (x->lochdr.len && x->sp->http->redirects && status >= 300 &&
        status < 400 && status != 304 && status != 305) {
        redirect(x, status);
        return;
    }
    finish(x, status, NULL);
}

/* ---- the driver ---- */

static int curl_start(ld__h1_xfer_t *x, const ld__h1_spec_t *sp, ld_params_t *p,
                      ld_scope_t *s, unsigned flags, ld__xfer_cb cb, void *user,
                      char *err, size_t errsz)
{
    int rc;
    if (!x->curl && (rc = ld__proto_http.xfer_new(x->io->curl_io, &x->curl))) {
        snprintf(err, errsz, "cannot start the request: %s", ld_strerror(rc));
        return rc;
    }
    return ld__proto_http.start(x->curl, sp->http, p, s, flags, cb, user, err,
                                errsz);
}

static int h1_start(ld__xfer_t *xf, const void *spec, ld_params_t *p,
                    ld_scope_t *s, unsigned flags, ld__xfer_cb cb, void *user,
                    char *err, size_t errsz)
{
    ld__h1_xfer_t *x = X(xf);
    const ld__h1_spec_t *sp = spec;
    char msg[256];
    bool native;
    int rc;
    if (x->busy) {
        snprintf(err, errsz, "internal error: transfer slot busy");
        return LD_EINTERNAL;
    }
    if (!sp->native)
        return curl_start(x, sp, p, s, flags, cb, user, err, errsz);
    x->sp = sp;
    x->params = p;
    x->scope = s;
    x->flags = flags;
    if ((rc = ld__h1_render(x, sp, &native))) {
        snprintf(err, errsz, "cannot build the request: %s", ld_strerror(rc));
        return rc;
    }
    if (!native) {
        if (!sp->forced)
            return curl_start(x, sp, p, s, flags, cb, user, err, errsz);
        snprintf(err, errsz,
                 "the native HTTP/1.1 driver only sends plain http:// URLs, "
                 "not \"%.120s\"",
                 x->url.data ? x->url.data : "");
        return LD_EUNAVAIL;
    }
    x->cb = cb;
    x->user = user;
    x->busy = true;
    x->via_curl = false;
    x->pending = false;
    x->retried = false;
    x->redirs = 0;
    x->rbytes = 0;
    ld_buf_reset(&x->rbody);
    ld_buf_reset(&x->rhdr);
    x->deadline = uv_now(x->io->loop) + (uint64_t)sp->http->timeout_ms;
    if (begin_hop(x, msg, sizeof(msg))) {
        ld__h1_fail_async(x, msg);
        return 0;
    }
    arm(x, x->deadline);
    return 0;
}

static void h1_cancel(ld__xfer_t *xf)
{
    ld__h1_xfer_t *x = X(xf);
    if (!x)
        return;
    if (x->curl)
        ld__proto_http.cancel(x->curl);
    if (!x->busy)
        return;
    if (x->cur)
        ld__h1_conn_close(x->cur); /* its response may still come */
    x->busy = false;
    x->via_curl = false;
    x->pending = false;
    x->cb = NULL;
}

static int h1_xfer_new(void *io, ld__xfer_t **out)
{
    ld__h1_xfer_t *x = calloc(1, sizeof(*x));
    *out = NULL;
    if (!x)
        return LD_ENOMEM;
    x->io = io;
    uv_timer_init(x->io->loop, &x->timer);
    x->timer.data = x;
    ld_buf_init(&x->rq, 512u << 20);
    ld_buf_init(&x->url, 1u << 20);
    ld_buf_init(&x->loc, 1u << 20);
    ld_buf_init(&x->lochdr, 1u << 20);
    ld_buf_init(&x->tmp, 1u << 20);
    ld_buf_init(&x->hdrs, 16u << 20);
    ld_buf_init(&x->body, 256u << 20);
    ld_buf_init(&x->auth, 1u << 20);
    ld_buf_init(&x->ck, 1u << 20);
    ld_buf_init(&x->rbody, 0);
    ld_buf_init(&x->rhdr, 0);
    *out = (ld__xfer_t *)(void *)x;
    return 0;
}

static void xfer_free_cb(uv_handle_t *h)
{
    free(h->data);
}

static void h1_xfer_free(ld__xfer_t *xf)
{
    ld__h1_xfer_t *x = X(xf);
    if (!x)
        return;
    h1_cancel(xf);
    if (x->curl)
        ld__proto_http.xfer_free(x->curl);
    for (int i = 0; i < LD_H1_MAX_CONNS; i++)
        if (x->conns[i])
            ld__h1_conn_close(x->conns[i]);
    ld_buf_free(&x->rq);
    ld_buf_free(&x->url);
    ld_buf_free(&x->loc);
    ld_buf_free(&x->lochdr);
    ld_buf_free(&x->tmp);
    ld_buf_free(&x->hdrs);
    ld_buf_free(&x->body);
    ld_buf_free(&x->auth);
    ld_buf_free(&x->ck);
    ld_buf_free(&x->rbody);
    ld_buf_free(&x->rhdr);
    ld__h1_jar_free(x->jar);
    uv_timer_stop(&x->timer);
    uv_close((uv_handle_t *)&x->timer, xfer_free_cb);
}

static ld_method_t h1_spec_method(const void *spec)
{
    return ld__http_spec_method(((const ld__h1_spec_t *)spec)->http);
}

static const char *h1_spec_literal_url(const void *spec)
{
    return ld__http_spec_literal_url(((const ld__h1_spec_t *)spec)->http);
}

const ld__proto_t ld__proto_h1 = {
    .name = "http",
    .compile = ld__h1_compile,
    .spec_free = ld__h1_spec_free,
    .spec_method = h1_spec_method,
    .spec_literal_url = h1_spec_literal_url,
    .io_init = h1_io_init,
    .io_close = h1_io_close,
    .xfer_new = h1_xfer_new,
    .xfer_free = h1_xfer_free,
    .start = h1_start,
    .cancel = h1_cancel,
};
