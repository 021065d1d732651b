/*
 * Routes of the embedded target and the responses they build. Heads are
 * written straight into the connection's staged output; small bodies follow
 * them in the same staged run, large ones are added by reference.
 */
#include "target/target_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

typedef struct hdr {
    const char *name;
    const char *val;
    size_t len;
} hdr_t;

typedef struct resp {
    int status;
    int keep;
    int minor;
    int no_body;            /* HEAD request: head only */
    const char *ctype;
    size_t ctype_len;
    const hdr_t *extra;
    size_t nextra;
} resp_t;

static const char CT_TEXT[] = "text/plain";
static const char CT_JSON[] = "application/json";

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Content Too Large";
    case 418: return "I'm a teapot";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

static char *put(char *d, const char *s, size_t n)
{
    memcpy(d, s, n);
    return d + n;
}

#define PUTS(d, lit) put((d), (lit), sizeof(lit) - 1)

static char *put_u64(char *d, uint64_t v)
{
    char tmp[24];
    size_t n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *d++ = tmp[--n];
    return d;
}

/* 204 and 304 carry neither a body nor a Content-Length. */
static int bodiless(int status)
{
    return status == 204 || status == 304;
}

/* Write the head into the staged output (the caller sized `room`). */
static void head_out(ld__tconn_t *c, const resp_t *rs, size_t blen,
                     size_t room)
{
    char *d0 = ld__tout_reserve(c, room), *d = d0;
    const char *rp = reason(rs->status);

    d = PUTS(d, "HTTP/1.1 ");
    d = put_u64(d, (uint64_t)rs->status);
    *d++ = ' ';
    d = put(d, rp, strlen(rp));
    d = PUTS(d, "\r\nServer: ld-target\r\nContent-Type: ");
    d = put(d, rs->ctype, rs->ctype_len);
    if (!bodiless(rs->status)) {
        d = PUTS(d, "\r\nContent-Length: ");
        d = put_u64(d, blen);
    }
    d = PUTS(d, "\r\n");
    if (!rs->keep)
        d = PUTS(d, "Connection: close\r\n");
    else if (rs->minor == 0)
        d = PUTS(d, "Connection: keep-alive\r\n");
    for (size_t i = 0; i < rs->nextra; i++) {
        d = put(d, rs->extra[i].name, strlen(rs->extra[i].name));
        d = PUTS(d, ": ");
        d = put(d, rs->extra[i].val, rs->extra[i].len);
        d = PUTS(d, "\r\n");
    }
    d = PUTS(d, "\r\n");
    ld__tout_commit(c, (size_t)(d - d0));
}

/* Head plus body; vol: body dies at the next flush (else it is static). */
static void respond(ld__tconn_t *c, const resp_t *rs, const char *body,
                    size_t blen, int vol)
{
    size_t room = 256 + rs->ctype_len;
    int send_body = !rs->no_body && !bodiless(rs->status) && blen;

    for (size_t i = 0; i < rs->nextra; i++)
        room += strlen(rs->extra[i].name) + rs->extra[i].len + 4;
    if (send_body && blen <= LD__T_COPY_MAX) {
        /* reserve head + body at once so both stay one segment */
        (void)ld__tout_reserve(c, room + blen);
        head_out(c, rs, blen, room);
        ld__tout_copy(c, body, blen);
    } else {
        head_out(c, rs, blen, room);
        if (send_body)
            ld__tout_ref(c, body, blen, vol);
    }
    if (!rs->keep)
        ld__tconn_finish(c);
}

static resp_t resp_for(const ld__treq_t *r, int status, const char *ctype)
{
    resp_t rs = {status, r->keepalive, r->minor, r->is_head, ctype,
                 strlen(ctype), NULL, 0};
    return rs;
}

static void text(ld__tconn_t *c, int status, const char *body)
{
    resp_t rs = resp_for(&c->req, status, CT_TEXT);
    respond(c, &rs, body, strlen(body), 1);
}

void ld__troute_error(ld__tconn_t *c, int status)
{
    resp_t rs = {status, 0, 1, 0, CT_TEXT, sizeof(CT_TEXT) - 1, NULL, 0};
    const char *rp = reason(status);
    char body[64];
    int n = snprintf(body, sizeof(body), "%s\n", rp);

    respond(c, &rs, body, (size_t)n, 1);
}

void ld__troute_continue(ld__tconn_t *c)
{
    static const char msg[] = "HTTP/1.1 100 Continue\r\n\r\n";
    ld__tout_copy(c, msg, sizeof(msg) - 1);
}

/* ---- routing ---- */

static int num_arg(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if (n == 0 || n > 9)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

/* Split the target into path and query (absolute-form accepted). */
static void split_target(ld__treq_t *r, const char *p)
{
    size_t s = r->target.off, e = s + r->target.len, q;

    if (r->target.len > 7 && (strncasecmp(p + s, "http://", 7) == 0 ||
                              strncasecmp(p + s, "https://", 8) == 0)) {
        const char *sl;
        s += p[s + 4] == ':' ? 7 : 8;
        sl = memchr(p + s, '/', e - s);
        s = sl ? (size_t)(sl - p) : e;
    }
    q = s;
    while (q < e && p[q] != '?' && p[q] != '#')
        q++;
    r->path = (ld__span_t){(uint32_t)s, (uint32_t)(q - s)};
    if (q < e && p[q] == '?') {
        size_t qe = q + 1;
        while (qe < e && p[qe] != '#')
            qe++;
        r->query = (ld__span_t){(uint32_t)(q + 1), (uint32_t)(qe - q - 1)};
    }
}

static int prefixed(const char *s, size_t n, const char *pre, size_t pn)
{
    return n >= pn && memcmp(s, pre, pn) == 0;
}

static int fixed_route(const char *s, size_t n)
{
    static const struct { const char *path; int route; } tab[] = {
        {"/", LD__R_ROOT},         {"/json", LD__R_JSON},
        {"/echo", LD__R_ECHO},     {"/headers", LD__R_HEADERS},
        {"/login", LD__R_LOGIN},   {"/auth", LD__R_AUTH},
        {"/close", LD__R_CLOSE},   {"/reset", LD__R_RESET},
        {"/count", LD__R_COUNT},
        {"/get", LD__R_METHOD},      {"/post", LD__R_METHOD},
        {"/put", LD__R_METHOD},      {"/patch", LD__R_METHOD},
        {"/delete", LD__R_METHOD},   {"/anything", LD__R_METHOD},
        {"/multipart", LD__R_MULTIPART},
    };
    for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
        if (strlen(tab[i].path) == n && memcmp(tab[i].path, s, n) == 0)
            return tab[i].route;
    return LD__R_NOTFOUND;
}

void ld__troute_resolve(ld__treq_t *r, const char *p)
{
    const char *s;
    size_t n;

    split_target(r, p);
    s = p + r->path.off;
    n = r->path.len;
    r->route = fixed_route(s, n);
    if (r->route != LD__R_NOTFOUND)
        return;
    if (prefixed(s, n, "/bytes/", 7)) {
        r->route = num_arg(s + 7, n - 7, LD__T_BYTES_MAX, &r->arg)
                       ? LD__R_BAD : LD__R_BYTES;
    } else if (prefixed(s, n, "/status/", 8)) {
        r->route = num_arg(s + 8, n - 8, 599, &r->arg) || r->arg < 200
                       ? LD__R_BAD : LD__R_STATUS;
    } else if (prefixed(s, n, "/delay/", 7)) {
        r->route = num_arg(s + 7, n - 7, LD__T_DELAY_MAX, &r->arg)
                       ? LD__R_BAD : LD__R_DELAY;
    }
}

/* ---- handlers ---- */

static void h_root(ld__tconn_t *c)
{
    static const char ka[] = "HTTP/1.1 200 OK\r\nServer: ld-target\r\n"
                             "Content-Type: text/plain\r\n"
                             "Content-Length: 13\r\n\r\nHello, world!";
    const ld__treq_t *r = &c->req;

    if (r->keepalive && r->minor == 1 && !r->is_head) {
        ld__tout_copy(c, ka, sizeof(ka) - 1);
        return;
    }
    text(c, 200, "Hello, world!");
}

static void h_bytes(ld__tconn_t *c)
{
    const ld__treq_t *r = &c->req;
    resp_t rs = resp_for(r, 200, CT_TEXT);
    size_t left = (size_t)r->arg;

    if (left <= LD__T_COPY_MAX || r->is_head) {
        respond(c, &rs, c->srv->fill, left, 0);
        return;
    }
    head_out(c, &rs, left, 256);
    while (left) {
        size_t k = left < LD__T_FILL ? left : LD__T_FILL;
        ld__tout_ref(c, c->srv->fill, k, 0);
        left -= k;
    }
    if (!r->keepalive)
        ld__tconn_finish(c);
}

static void h_json(ld__tconn_t *c, int login)
{
    const ld__treq_t *r = &c->req;
    resp_t rs = resp_for(r, 200, CT_JSON);
    char body[256], id[24];
    hdr_t h = {"X-Request-Id", id, 0};
    int n;

    if (login) {
        n = snprintf(body, sizeof(body), "{\"data\":{\"token\":\"tok-%" PRIu64
                     "\"}}", r->n);
        h.len = (size_t)(put_u64(id, r->n) - id);
        rs.extra = &h;
        rs.nextra = 1;
    } else {
        n = snprintf(body, sizeof(body),
                     "{\"ok\":true,\"n\":%" PRIu64 ",\"data\":{\"token\":"
                     "\"t-%" PRIu64 "\",\"role\":\"admin\",\"items\":"
                     "[1,2,3]}}", r->n, r->n);
    }
    respond(c, &rs, body, (size_t)n, 1);
}

static int bearer_ok(const char *p, ld__span_t a)
{
    const char *s = p + a.off;
    size_t n = a.len, i = 6;

    if (n < 6 || strncasecmp(s, "bearer", 6) != 0)
        return 0;
    if (i >= n || s[i] != ' ')
        return 0;
    while (i < n && s[i] == ' ')
        i++;
    return n - i > 4 && memcmp(s + i, "tok-", 4) == 0;
}

static void h_auth(ld__tconn_t *c, const char *p)
{
    const ld__treq_t *r = &c->req;
    int ok = bearer_ok(p, r->authz);
    resp_t rs = resp_for(r, ok ? 200 : 401, CT_JSON);
    hdr_t h = {"WWW-Authenticate", "Bearer", 6};

    if (!ok) {
        rs.extra = &h;
        rs.nextra = 1;
    }
    respond(c, &rs, ok ? "{\"ok\":true}" : "{\"ok\":false}", ok ? 11 : 12,
            1);
}

static void h_echo(ld__tconn_t *c, const char *p)
{
    const ld__treq_t *r = &c->req;
    resp_t rs = resp_for(r, 200, "application/octet-stream");
    hdr_t h[4];
    char len[24];

    if (r->ctype.len) {
        rs.ctype = p + r->ctype.off;
        rs.ctype_len = r->ctype.len;
    }
    h[0] = (hdr_t){"X-Echo-Method", p + r->method.off, r->method.len};
    h[1] = (hdr_t){"X-Echo-Path", p + r->path.off, r->path.len};
    h[2] = (hdr_t){"X-Echo-Length", len, 0};
    h[2].len = (size_t)(put_u64(len, r->body_len) - len);
    h[3] = (hdr_t){"X-Echo-Query", p + r->query.off, r->query.len};
    rs.extra = h;
    rs.nextra = r->query.len ? 4 : 3;
    respond(c, &rs, p + r->head_len, r->body_len, 1);
}

/*
 * httpbin-style method routes: /get, /post, /put, /patch, /delete answer
 * their own method (GET also takes HEAD) and 405 otherwise; /anything takes
 * every method. The body describes the request: method, path, query, body
 * length, and the body itself as "json" when it parses, else as "data".
 */
static int method_allowed(const char *path, size_t plen, const char *m,
                          size_t mlen)
{
    size_t i;

    if (plen == 9 && memcmp(path, "/anything", 9) == 0)
        return 1;
    if (plen == 4 && memcmp(path, "/get", 4) == 0 && mlen == 4 &&
        memcmp(m, "HEAD", 4) == 0)
        return 1;
    if (plen - 1 != mlen)
        return 0;
    for (i = 0; i < mlen; i++)
        if ((char)toupper((unsigned char)path[i + 1]) != m[i])
            return 0;
    return 1;
}

/* Send o (taken; NULL = out of memory) as the compact JSON body. */
static void respond_json(ld__tconn_t *c, const resp_t *rs, json_t *o)
{
    char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;

    json_decref(o);
    if (!body) {
        text(c, 500, "Internal Server Error\n");
        return;
    }
    respond(c, rs, body, strlen(body), 1);
    ld__tout_flush(c); /* the body is referenced until the flush */
    free(body);
}

static void h_method(ld__tconn_t *c, const char *p)
{
    const ld__treq_t *r = &c->req;
    resp_t rs = resp_for(r, 200, CT_JSON);
    json_t *o, *body_json = NULL;

    if (!method_allowed(p + r->path.off, r->path.len, p + r->method.off,
                        r->method.len)) {
        text(c, 405, "Method Not Allowed\n");
        return;
    }
    if (r->body_len)
        body_json = json_loadb(p + r->head_len, r->body_len,
                               JSON_DECODE_ANY, NULL);
    o = json_pack("{s:s%,s:s%,s:s%,s:I}", "method", p + r->method.off,
                  (size_t)r->method.len, "path", p + r->path.off,
                  (size_t)r->path.len, "query", p + r->query.off,
                  (size_t)r->query.len, "length", (json_int_t)r->body_len);
    if (o && body_json)
        json_object_set_new(o, "json", body_json);
    else if (o && r->body_len) /* NULL (skipped) when not UTF-8 */
        json_object_set_new(o, "data",
                            json_stringn(p + r->head_len, r->body_len));
    else
        json_decref(body_json);
    respond_json(c, &rs, o);
}

/* /multipart: the parts of a multipart/form-data body as JSON, or 400 with
   the reason it does not parse. */
static void h_multipart(ld__tconn_t *c, const char *p)
{
    const ld__treq_t *r = &c->req;
    resp_t rs = resp_for(r, 200, CT_JSON);
    char err[160], msg[192];
    json_t *o = ld__tmultipart_parse(p + r->ctype.off, r->ctype.len,
                                     p + r->head_len, r->body_len, err,
                                     sizeof(err));

    if (!o) {
        snprintf(msg, sizeof(msg), "%s\n", err);
        text(c, 400, msg);
        return;
    }
    respond_json(c, &rs, o);
}

static json_t *header_json(const char *p, ld__span_t v)
{
    json_t *s = json_stringn(p + v.off, v.len);
    char *tmp;

    if (s)
        return s;
    /* not UTF-8: keep ASCII, replace the rest */
    tmp = malloc(v.len + 1);
    if (!tmp)
        return NULL;
    for (uint32_t i = 0; i < v.len; i++) {
        unsigned char ch = (unsigned char)p[v.off + i];
        tmp[i] = ch < 0x80 ? (char)ch : '?';
    }
    s = json_stringn(tmp, v.len);
    free(tmp);
    return s;
}

/* A repeated field: combine the values as a list (takes val). */
static int headers_join(json_t *old, json_t *val)
{
    size_t a = json_string_length(old), b = json_string_length(val);
    char *cat = malloc(a + b + 3);
    int rc = -1;

    if (cat) {
        memcpy(cat, json_string_value(old), a);
        memcpy(cat + a, ", ", 2);
        memcpy(cat + a + 2, json_string_value(val), b);
        rc = json_string_setn(old, cat, a + b + 2);
        free(cat);
    }
    json_decref(val);
    return rc;
}

static int headers_add(json_t *o, const char *p, ld__span_t nm, ld__span_t v)
{
    char small[128], *name = small;
    json_t *val, *old;
    int rc = 0;

    if (nm.len >= sizeof(small) && !(name = malloc((size_t)nm.len + 1)))
        return -1;
    for (uint32_t i = 0; i < nm.len; i++) {
        char ch = p[nm.off + i];
        name[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
    }
    name[nm.len] = '\0';
    val = header_json(p, v);
    old = val ? json_object_get(o, name) : NULL;
    if (!val)
        rc = -1;
    else if (old)
        rc = headers_join(old, val);
    else
        rc = json_object_set_new(o, name, val);
    if (name != small)
        free(name);
    return rc;
}

static void h_headers(ld__tconn_t *c, const char *p)
{
    const ld__treq_t *r = &c->req;
    resp_t rs = resp_for(r, 200, CT_JSON);
    json_t *o = json_object();
    size_t pos = r->reqline_end;
    ld__span_t nm, v;

    while (o && ld__treq_header(p, r->head_len, &pos, &nm, &v) == 1)
        if (headers_add(o, p, nm, v)) {
            json_decref(o);
            o = NULL;
        }
    respond_json(c, &rs, o);
}

void ld__troute_delay_done(ld__tconn_t *c)
{
    resp_t rs = {200, c->dl_keep, c->dl_minor, c->dl_head, CT_TEXT,
                 sizeof(CT_TEXT) - 1, NULL, 0};

    respond(c, &rs, "ok", 2, 0); /* finishes the connection unless kept */
    ld__tout_flush(c);
}

static void h_delay(ld__tconn_t *c)
{
    const ld__treq_t *r = &c->req;

    c->dl_keep = (uint8_t)r->keepalive;
    c->dl_head = (uint8_t)r->is_head;
    c->dl_minor = (uint8_t)r->minor;
    ld__tconn_delay(c, r->arg);
}

static void h_count(ld__tconn_t *c)
{
    char body[24];
    size_t n = (size_t)(put_u64(body, atomic_load(&c->srv->requests)) - body);
    resp_t rs = resp_for(&c->req, 200, CT_TEXT);

    respond(c, &rs, body, n, 1);
}

void ld__troute_dispatch(ld__tconn_t *c, const char *p)
{
    const ld__treq_t *r = &c->req;

    switch (r->route) {
    case LD__R_ROOT: h_root(c); break;
    case LD__R_BYTES: h_bytes(c); break;
    case LD__R_STATUS: {
        resp_t rs = resp_for(r, (int)r->arg, CT_TEXT);
        respond(c, &rs, "", 0, 0);
        break;
    }
    case LD__R_DELAY: h_delay(c); break;
    case LD__R_JSON: h_json(c, 0); break;
    case LD__R_LOGIN: h_json(c, 1); break;
    case LD__R_AUTH: h_auth(c, p); break;
    case LD__R_ECHO: h_echo(c, p); break;
    case LD__R_HEADERS: h_headers(c, p); break;
    case LD__R_CLOSE: ld__tconn_finish(c); break;
    case LD__R_RESET: ld__tconn_reset(c); break;
    case LD__R_COUNT: h_count(c); break;
    case LD__R_METHOD: h_method(c, p); break;
    case LD__R_MULTIPART: h_multipart(c, p); break;
    case LD__R_BAD: text(c, 400, "Bad Request\n"); break;
    default: text(c, 404, "Not Found\n"); break;
    }
}
