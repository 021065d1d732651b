/*
 * http_xfer.c - the HTTP driver at run time: one reusable easy handle per
 * transfer slot (keep-alive connections live in the thread's multi handle),
 * a request rendered from the compiled spec, the response captured only as
 * far as the checks need it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/http_int.h"

#define LD_HTTP_BODY_CAP (16u << 20) /* kept for the checks; rest counted */
#define LD_HTTP_HDR_CAP (256u << 10)

/* ---- helpers shared with the compiler ---- */

int ld__url_encode(ld_buf_t *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;
    for (size_t i = 0; i < len && !rc; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
            c == '~') {
            rc = ld_buf_addc(out, (char)c);
        } else if (c == ' ') {
            rc = ld_buf_addc(out, '+');
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = ld_buf_add(out, e, 3);
        }
    }
    return rc;
}

static bool is_absolute(const char *u, size_t len)
{
    return (len >= 7 && !strncasecmp(u, "http://", 7)) ||
           (len >= 8 && !strncasecmp(u, "https://", 8));
}

int ld__url_join(ld_buf_t *out, const char *host, const char *url, size_t len)
{
    int rc = 0;
    if (!is_absolute(url, len)) {
        rc = ld_buf_adds(out, host);
        if (!rc && (len == 0 || url[0] != '/'))
            rc = ld_buf_addc(out, '/');
    }
    return rc ? rc : ld_buf_add(out, url, len);
}

/* ---- per-thread state ---- */

static void on_curl_done(void *priv, int code);

/* The CA bundle curl uses when none is set (to restore it after a task
   with "verify": "/path"). */
static char *default_cainfo(void)
{
    CURL *e = curl_easy_init();
    char *p = NULL, *s = NULL;
    if (!e)
        return NULL;
    if (curl_easy_getinfo(e, CURLINFO_CAINFO, &p) == CURLE_OK && p)
        s = ld_strdup(p);
    curl_easy_cleanup(e);
    return s;
}

/* libcurl 7.88.x breaks h2c with prior knowledge on a reused connection:
   every request after the first on a connection fails with "Error in the
   HTTP2 framing layer" (curl issue 10634, fixed in 8.0.0). With those
   versions such a request on an http:// URL gets a connection of its own
   (https negotiates h2 with ALPN and reuses connections fine). */
static bool h2c_reuse_broken(void)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    return v && v->version_num >= 0x075800 && v->version_num < 0x080000;
}

static int http_io_init(uv_loop_t *loop, unsigned max_conns, void **out)
{
    ld__http_io_t *io = calloc(1, sizeof(*io));
    *out = NULL;
    if (!io)
        return LD_ENOMEM;
    io->loop = loop;
    io->max_conns = max_conns;
    io->cainfo_default = default_cainfo();
    io->h2c_fresh = h2c_reuse_broken();
    *out = io;
    return 0;
}

/* The multi handle of the next slot. Slots are spread over multi handles
   of LD_HTTP_SHARD slots each: finding a reusable connection and removing
   a finished transfer walk the multi's whole connection cache, which with
   thousands of connections in one multi costs more than the requests. */
static ld__curl_uv_t *shard_for_new_slot(ld__http_io_t *io)
{
    size_t k = io->nslots / LD_HTTP_SHARD;
    unsigned conns =
        io->max_conns < LD_HTTP_SHARD + 16 ? io->max_conns : LD_HTTP_SHARD + 16;
    if (k >= io->nshards) {
        ld__curl_uv_t **v = realloc(io->shards, (k + 1) * sizeof(*v));
        if (!v)
            return NULL;
        io->shards = v;
        if (ld__curl_uv_new(io->loop, conns, on_curl_done, &v[k]))
            return NULL;
        io->nshards = k + 1;
    }
    io->nslots++;
    return io->shards[k];
}

static void http_io_close(void *p)
{
    ld__http_io_t *io = p;
    if (!io)
        return;
    for (size_t i = 0; i < io->nshards; i++)
        ld__curl_uv_free(io->shards[i]);
    free(io->shards);
    free(io->cainfo_default);
    free(io);
}

/* ---- transfer slots ---- */

static size_t write_cb(char *p, size_t sz, size_t n, void *ud)
{
    ld__xfer_t *x = ud;
    size_t len = sz * n;
    x->rbytes += len;
    if ((x->flags & LD__XF_BODY) && x->rbody.len + len <= LD_HTTP_BODY_CAP)
        ld_buf_add(&x->rbody, p, len);
    return len;
}

static size_t header_cb(char *p, size_t sz, size_t n, void *ud)
{
    ld__xfer_t *x = ud;
    size_t len = sz * n;
    if (!(x->flags & LD__XF_HEADERS))
        return len;
    if (len >= 5 && !memcmp(p, "HTTP/", 5))
        ld_buf_reset(&x->rhdr); /* a new response (redirect, 100) */
    if (x->rhdr.len + len <= LD_HTTP_HDR_CAP)
        ld_buf_add(&x->rhdr, p, len);
    return len;
}

static void setup_once(ld__xfer_t *x);

static int http_xfer_new(void *p, ld__xfer_t **out)
{
    ld__xfer_t *x = calloc(1, sizeof(*x));
    *out = NULL;
    if (!x)
        return LD_ENOMEM;
    x->io = p;
    x->cu = shard_for_new_slot(x->io);
    x->easy = x->cu ? curl_easy_init() : NULL;
    if (!x->easy) {
        free(x);
        return LD_ENOMEM;
    }
    ld_buf_init(&x->url, 1u << 20);
    ld_buf_init(&x->body, 256u << 20);
    ld_buf_init(&x->tmp, 1u << 20);
    ld_buf_init(&x->rbody, 0);
    ld_buf_init(&x->rhdr, 0);
    setup_once(x);
    *out = x;
    return 0;
}

static void http_cancel(ld__xfer_t *x)
{
    if (!x || !x->busy)
        return;
    ld__curl_uv_remove(x->cu, x->easy);
    x->busy = false;
    x->cb = NULL;
}

static void http_xfer_free(ld__xfer_t *x)
{
    if (!x)
        return;
    http_cancel(x);
    curl_easy_cleanup(x->easy);
    curl_slist_free_all(x->hdrs);
    ld_buf_free(&x->url);
    ld_buf_free(&x->body);
    ld_buf_free(&x->tmp);
    ld_buf_free(&x->rbody);
    ld_buf_free(&x->rhdr);
    free(x);
}

/* Options that never change for a slot. */
static void setup_once(ld__xfer_t *x)
{
    CURL *e = x->easy;
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
    ld__curl_uv_setup_easy(x->cu, e);
    curl_easy_setopt(e, CURLOPT_COOKIEFILE, ""); /* a jar per user */
    curl_easy_setopt(e, CURLOPT_USERAGENT, "loaddensity/" LD_VERSION);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 30L);
    curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
}

/* Options that stay for as long as the slot runs the same task. Every one
   is set (or unset) explicitly: curl_easy_reset would be simpler, but in
   7.88 it drops the pending cookie-file list without freeing it. */
static void setup_spec(ld__xfer_t *x, const ld__http_spec_t *sp)
{
    CURL *e = x->easy;
    const char *custom = NULL;
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, sp->http_version);
    x->prior = sp->http_version == CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, sp->timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, sp->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, sp->redirects ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, sp->verify ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, sp->verify ? 2L : 0L);
    curl_easy_setopt(e, CURLOPT_CAINFO,
                     sp->cainfo ? sp->cainfo : x->io->cainfo_default);
    curl_easy_setopt(e, CURLOPT_SSLCERT, sp->cert);
    curl_easy_setopt(e, CURLOPT_SSLKEY, sp->key);
    curl_easy_setopt(e, CURLOPT_USERNAME, NULL);
    curl_easy_setopt(e, CURLOPT_PASSWORD, NULL);
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L); /* back to a plain GET */
    if (sp->method == LD_M_HEAD)
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    if (sp->method == LD_M_POST && sp->body_kind == LD__BODY_NONE) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
    }
    if (sp->method != LD_M_GET && sp->method != LD_M_HEAD &&
        sp->method != LD_M_POST)
        custom = sp->method_name;
    else if (sp->method == LD_M_GET && sp->body_kind != LD__BODY_NONE)
        custom = "GET";
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, custom);
    curl_easy_setopt(e, CURLOPT_COOKIE, sp->cookie_lit);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER,
                     sp->hdr_dynamic ? NULL : sp->hdr_lit);
    x->spec = sp;
}

static int render_kvs(ld_buf_t *out, const ld__kvs_t *kvs, size_t i,
                      ld_params_t *p, ld_scope_t *s, ld_buf_t *tmp, bool encode)
{
    int rc;
    ld_buf_reset(tmp);
    if ((rc = ld_tmpl_render(kvs->items[i].k, p, s, tmp)))
        return rc;
    if (!tmp->data)
        return 0;
    rc = encode ? ld__url_encode(out, tmp->data, tmp->len)
                : ld_buf_add(out, tmp->data, tmp->len);
    if (!rc)
        rc = ld_buf_addc(out, '=');
    ld_buf_reset(tmp);
    if (!rc)
        rc = ld_tmpl_render(kvs->items[i].v, p, s, tmp);
    if (!rc && tmp->data)
        rc = encode ? ld__url_encode(out, tmp->data, tmp->len)
                    : ld_buf_add(out, tmp->data, tmp->len);
    return rc;
}

static int render_url(ld__xfer_t *x, const ld__http_spec_t *sp, ld_params_t *p,
                      ld_scope_t *s)
{
    int rc;
    ld_buf_reset(&x->url);
    if (sp->url_lit)
        return ld_buf_adds(&x->url, sp->url_lit);
    ld_buf_reset(&x->tmp);
    if ((rc = ld_tmpl_render(sp->url, p, s, &x->tmp)))
        return rc;
    if ((rc = ld__url_join(&x->url, sp->host, x->tmp.data ? x->tmp.data : "",
                           x->tmp.len)))
        return rc;
    for (size_t i = 0; i < sp->params.n && !rc; i++) {
        rc = ld_buf_addc(&x->url,
                         (i == 0 && !strchr(x->url.data, '?')) ? '?' : '&');
        if (!rc)
            rc = render_kvs(&x->url, &sp->params, i, p, s, &x->body, true);
    }
    return rc;
}

/* Header values must not break the request: CR/LF become spaces. */
static int hdr_append(ld__xfer_t *x, ld_buf_t *line)
{
    struct curl_slist *t;
    for (size_t i = 0; i < line->len; i++)
        if (line->data[i] == '\r' || line->data[i] == '\n')
            line->data[i] = ' ';
    if (!(t = curl_slist_append(x->hdrs, line->data)))
        return LD_ENOMEM;
    x->hdrs = t;
    return 0;
}

static int render_one_header(ld__xfer_t *x, const ld__kv_t *kv, ld_params_t *p,
                             ld_scope_t *s)
{
    ld_buf_t v;
    int rc;
    ld_buf_init(&v, 1u << 20);
    ld_buf_reset(&x->tmp);
    rc = ld_tmpl_render(kv->k, p, s, &x->tmp);
    if (!rc)
        rc = ld_tmpl_render(kv->v, p, s, &v);
    if (!rc && v.len)
        rc = ld_buf_printf(&x->tmp, ": %s", v.data);
    else if (!rc)
        rc = ld_buf_addc(&x->tmp, ';');
    ld_buf_free(&v);
    return rc ? rc : hdr_append(x, &x->tmp);
}

static int render_headers(ld__xfer_t *x, const ld__http_spec_t *sp,
                          ld_params_t *p, ld_scope_t *s)
{
    int rc = 0;
    curl_slist_free_all(x->hdrs);
    x->hdrs = NULL;
    for (size_t i = 0; i < sp->headers.n && !rc; i++) {
        if (sp->bearer && !strcasecmp(sp->headers.items[i].ks, "Authorization"))
            continue;
        rc = render_one_header(x, &sp->headers.items[i], p, s);
    }
    if (!rc && sp->bearer) {
        ld_buf_reset(&x->tmp);
        rc = ld_buf_adds(&x->tmp, "Authorization: Bearer ");
        if (!rc)
            rc = ld_tmpl_render(sp->bearer, p, s, &x->tmp);
        if (!rc)
            rc = hdr_append(x, &x->tmp);
    }
    if (!rc && sp->json_ct) {
        ld_buf_reset(&x->tmp);
        rc = ld_buf_adds(&x->tmp, "Content-Type: application/json");
        if (!rc)
            rc = hdr_append(x, &x->tmp);
    }
    if (!rc && sp->body_kind != LD__BODY_NONE) {
        ld_buf_reset(&x->tmp);
        rc = ld_buf_adds(&x->tmp, "Expect:");
        if (!rc)
            rc = hdr_append(x, &x->tmp);
    }
    if (!rc)
        curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->hdrs);
    return rc;
}

static int render_body(ld__xfer_t *x, const ld__http_spec_t *sp, ld_params_t *p,
                       ld_scope_t *s)
{
    const char *data = NULL;
    size_t len = 0;
    int rc = 0;
    ld_buf_reset(&x->body);
    switch (sp->body_kind) {
    case LD__BODY_NONE:
        return 0;
    case LD__BODY_LIT:
        data = sp->body_lit;
        len = sp->body_lit_len;
        break;
    case LD__BODY_TMPL:
        rc = ld_tmpl_render(sp->body_tmpl, p, s, &x->body);
        break;
    case LD__BODY_JSON: {
        json_t *v = ld_params_resolve_json(p, s, sp->body_json);
        char *txt = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        rc = txt ? ld_buf_adds(&x->body, txt) : LD_ENOMEM;
        free(txt);
        json_decref(v);
        break;
    }
    case LD__BODY_FORM:
        for (size_t i = 0; i < sp->form.n && !rc; i++) {
            if (i)
                rc = ld_buf_addc(&x->body, '&');
            if (!rc)
                rc = render_kvs(&x->body, &sp->form, i, p, s, &x->tmp, true);
        }
        break;
    case LD__BODY_MULTIPART:
        rc = ld__multipart_render(sp->multipart, p, s, &x->body);
        break;
    }
    if (rc)
        return rc;
    if (!data) {
        data = x->body.data ? x->body.data : "";
        len = x->body.len;
    }
    curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, data);
    return 0;
}

static int render_dynamic(ld__xfer_t *x, const ld__http_spec_t *sp,
                          ld_params_t *p, ld_scope_t *s)
{
    int rc = 0;
    if (sp->cookies.n && !sp->cookies.literal) {
        ld_buf_t c;
        ld_buf_init(&c, 1u << 20);
        for (size_t i = 0; i < sp->cookies.n && !rc; i++) {
            if (i)
                rc = ld_buf_adds(&c, "; ");
            if (!rc)
                rc = render_kvs(&c, &sp->cookies, i, p, s, &x->tmp, false);
        }
        if (!rc)
            curl_easy_setopt(x->easy, CURLOPT_COOKIE, c.data ? c.data : "");
        ld_buf_free(&c);
    }
    if (!rc && sp->basic_user) {
        ld_buf_reset(&x->tmp);
        rc = ld_tmpl_render(sp->basic_user, p, s, &x->tmp);
        if (!rc)
            curl_easy_setopt(x->easy, CURLOPT_USERNAME,
                             x->tmp.data ? x->tmp.data : "");
        ld_buf_reset(&x->tmp);
        if (!rc)
            rc = ld_tmpl_render(sp->basic_pass, p, s, &x->tmp);
        if (!rc)
            curl_easy_setopt(x->easy, CURLOPT_PASSWORD,
                             x->tmp.data ? x->tmp.data : "");
    }
    if (!rc && sp->hdr_dynamic)
        rc = render_headers(x, sp, p, s);
    return rc;
}

/* Hand the prepared transfer to its multi handle. */
static int launch(ld__xfer_t *x, unsigned flags, ld__xfer_cb cb, void *user,
                  char *err, size_t errsz)
{
    int rc;
    curl_easy_setopt(x->easy, CURLOPT_URL, x->url.data);
    if (x->io->h2c_fresh) { /* see h2c_reuse_broken() */
        long fresh = x->prior && x->url.data &&
                     !strncasecmp(x->url.data, "http://", 7);
        curl_easy_setopt(x->easy, CURLOPT_FRESH_CONNECT, fresh);
        curl_easy_setopt(x->easy, CURLOPT_FORBID_REUSE, fresh);
    }
    x->errbuf[0] = '\0';
    x->rbytes = 0;
    x->flags = flags;
    ld_buf_reset(&x->rbody);
    ld_buf_reset(&x->rhdr);
    x->cb = cb;
    x->user = user;
    if ((rc = ld__curl_uv_add(x->cu, x->easy))) {
        snprintf(err, errsz, "cannot start the request: %s", ld_strerror(rc));
        x->cb = NULL;
        return rc;
    }
    x->busy = true;
    return 0;
}

static int http_start(ld__xfer_t *x, const void *spec, ld_params_t *p,
                      ld_scope_t *s, unsigned flags, ld__xfer_cb cb, void *user,
                      char *err, size_t errsz)
{
    const ld__http_spec_t *sp = spec;
    int rc;
    if (x->busy) {
        snprintf(err, errsz, "internal error: transfer slot busy");
        return LD_EINTERNAL;
    }
    if (x->spec != sp)
        setup_spec(x, sp);
    if ((rc = render_url(x, sp, p, s)) || (rc = render_body(x, sp, p, s)) ||
        (rc = render_dynamic(x, sp, p, s))) {
        snprintf(err, errsz, "cannot build the request: %s", ld_strerror(rc));
        x->spec = NULL;
        return rc;
    }
    return launch(x, flags, cb, user, err, errsz);
}

int ld__http_start_url(ld__xfer_t *x, const ld__http_spec_t *sp, ld_params_t *p,
                       ld_scope_t *s, unsigned flags, const char *url,
                       bool as_get, ld__xfer_cb cb, void *user, char *err,
                       size_t errsz)
{
    int rc;
    if (x->busy) {
        snprintf(err, errsz, "internal error: transfer slot busy");
        return LD_EINTERNAL;
    }
    setup_spec(x, sp);
    ld_buf_reset(&x->url);
    if ((rc = ld_buf_adds(&x->url, url)) ||
        (!as_get && (rc = render_body(x, sp, p, s))) ||
        (rc = render_dynamic(x, sp, p, s))) {
        snprintf(err, errsz, "cannot build the request: %s", ld_strerror(rc));
        x->spec = NULL;
        return rc;
    }
    if (as_get) { /* a redirect turned it into a GET */
        curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(x->easy, CURLOPT_CUSTOMREQUEST, NULL);
        x->spec = NULL; /* set up again for the next request */
    }
    return launch(x, flags, cb, user, err, errsz);
}

static const char *error_text(ld__xfer_t *x, int code, char *buf, size_t n)
{
    long oserr = 0;
    char eb[128];
    curl_easy_getinfo(x->easy, CURLINFO_OS_ERRNO, &oserr);
    switch (code) {
    case CURLE_COULDNT_CONNECT:
        snprintf(buf, n, "Failed to connect: %s",
                 oserr ? strerror_r((int)oserr, eb, sizeof(eb))
                       : "Couldn't connect to server");
        return buf;
    case CURLE_OPERATION_TIMEDOUT: {
        curl_off_t ct = 0;
        curl_easy_getinfo(x->easy, CURLINFO_CONNECT_TIME_T, &ct);
        if (ct == 0 && x->spec && x->spec->connect_timeout_ms)
            snprintf(buf, n, "Connection timed out after %ld ms",
                     x->spec->connect_timeout_ms);
        else
            snprintf(buf, n, "Operation timed out after %ld ms",
                     x->spec ? x->spec->timeout_ms : 0L);
        return buf;
    }
    default:
        return x->errbuf[0] ? x->errbuf : curl_easy_strerror((CURLcode)code);
    }
}

static void on_curl_done(void *priv, int code)
{
    ld__xfer_t *x = priv;
    ld__result_t r;
    ld__xfer_cb cb = x->cb;
    char ebuf[CURL_ERROR_SIZE + 64];
    long status = 0;
    memset(&r, 0, sizeof(r));
    x->busy = false;
    x->cb = NULL;
    if (code == CURLE_OK) {
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
        r.status = (int)status;
    } else {
        r.error = error_text(x, code, ebuf, sizeof(ebuf));
    }
    r.body = x->rbody.data;
    r.body_len = x->rbody.len;
    r.headers = x->rhdr.data;
    r.headers_len = x->rhdr.len;
    r.resp_len = x->rbytes > UINT32_MAX ? UINT32_MAX : (uint32_t)x->rbytes;
    r.url = x->url.data ? x->url.data : "";
    r.url_len = x->url.len;
    if (cb)
        cb(x->user, &r); /* may start the next request on x */
}

const ld__proto_t ld__proto_http = {
    .name = "http",
    .compile = ld__http_compile,
    .spec_free = ld__http_spec_free,
    .spec_method = ld__http_spec_method,
    .spec_literal_url = ld__http_spec_literal_url,
    .io_init = http_io_init,
    .io_close = http_io_close,
    .xfer_new = http_xfer_new,
    .xfer_free = http_xfer_free,
    .start = http_start,
    .cancel = http_cancel,
};
