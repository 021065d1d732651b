/*
 * h1_conn.c - connections of the native HTTP/1.1 path: name lookup (IP
 * literals directly, names once per thread through uv_getaddrinfo, cached),
 * connect (the next address on failure), reading armed once for the life of
 * the connection into the thread's shared buffer, and writes that go out
 * with uv_try_write (a uv_write only for what the socket did not take).
 * When the thread's loop has an io_uring (proto/ring.h), a connected socket
 * moves onto it instead: receiving armed once through the ring, each
 * request one queued send that goes out with the next wait.
 * An idle connection the peer closes is noticed when it happens and closed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/h1_int.h"
#include "proto/ring.h"

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

static void conn_free_cb(uv_handle_t *h)
{
    ld__h1_conn_t *c = h->data;
    ld_buf_free(&c->head);
    free(c->host);
    free(c);
}

static void unwait(ld__h1_conn_t *c)
{
    ld__h1_conn_t **pp;
    if (c->state != H1_C_RESOLVING || !c->dns)
        return;
    for (pp = &c->dns->waiters; *pp; pp = &(*pp)->next_waiter)
        if (*pp == c) {
            *pp = c->next_waiter;
            break;
        }
}

void ld__h1_conn_close(ld__h1_conn_t *c)
{
    ld__h1_xfer_t *x = c->x;
    if (c->state == H1_C_CLOSING)
        return;
    if (x) {
        for (int i = 0; i < LD_H1_MAX_CONNS; i++)
            if (x->conns[i] == c)
                x->conns[i] = NULL;
        if (x->cur == c)
            x->cur = NULL;
        c->x = NULL;
    }
    unwait(c);
    c->state = H1_C_CLOSING;
    if (c->ring) /* before uv_close closes the descriptor */
        ld__ring_remove(c->ring, c->rid);
    c->ring = NULL;
    uv_close((uv_handle_t *)&c->tcp, conn_free_cb);
}

static void fail_conn(ld__h1_conn_t *c, int uverr, const char *what)
{
    char msg[160], eb[96];
    snprintf(msg, sizeof(msg), "%s: %s", what,
             strerror_r(-uverr, eb, sizeof(eb)));
    ld__h1_on_conn_error(c, uverr, msg);
}

/* ---- reading and writing ---- */

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    ld__h1_conn_t *c = h->data;
    (void)hint;
    buf->base = c->io->rbuf;
    buf->len = sizeof(c->io->rbuf);
}

/* Bytes (nread > 0), the end (UV_EOF) or an error from either path. */
static void got(ld__h1_conn_t *c, ssize_t nread, const char *p)
{
    if (c->state == H1_C_CLOSING || nread == 0)
        return;
    if (!c->x || !c->in_use) {
        /* idle: the peer closed it, or sent what nobody asked for */
        ld__h1_conn_close(c);
        return;
    }
    if (nread > 0)
        ld__h1_parse(c, p, (size_t)nread);
    else if (nread == UV_EOF)
        ld__h1_parse_eof(c);
    else
        fail_conn(c, (int)nread, "Recv failure");
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    got(s->data, nread, buf->base);
}

static void ring_read(void *owner, ssize_t n, const char *buf)
{
    got(owner, n, buf);
}

static void sent(ld__h1_conn_t *c, int status)
{
    c->writing = false;
    if (status == 0 || status == UV_ECANCELED || c->state == H1_C_CLOSING)
        return;
    if (c->x && c->in_use)
        fail_conn(c, status, "Send failure");
    else
        ld__h1_conn_close(c);
}

static void on_write(uv_write_t *req, int status)
{
    sent(req->data, status);
}

static void ring_sent(void *owner, int status)
{
    sent(owner, status);
}

int ld__h1_conn_send(ld__h1_conn_t *c)
{
    ld__h1_xfer_t *x = c->x;
    uv_buf_t b;
    int r;
    if (c->ring) {
        if (!(r = ld__ring_send(c->ring, c->rid, x->req, x->req_len)))
            c->writing = true;
        return r;
    }
    b = uv_buf_init((char *)(uintptr_t)x->req, (unsigned)x->req_len);
    r = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    if (r == (int)x->req_len)
        return 0;
    if (r == UV_EAGAIN)
        r = 0;
    if (r < 0)
        return r;
    b.base += r;
    b.len -= (size_t)r;
    c->wreq.data = c;
    r = uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, on_write);
    if (!r)
        c->writing = true;
    return r;
}

/* ---- connecting ---- */

static ld__h1_conn_t *conn_new(ld__h1_xfer_t *x);
static int connect_addr(ld__h1_conn_t *c, unsigned i);

/* The next address of the name, on a fresh socket; false when none. */
static bool try_next_addr(ld__h1_conn_t *c)
{
    ld__h1_xfer_t *x = c->x;
    ld__h1_dns_t *e = c->dns;
    unsigned next = c->addr_i + 1u;
    ld__h1_conn_t *n;
    if (!x || !c->in_use || !e || next >= e->naddr)
        return false;
    ld__h1_conn_close(c);
    if (!(n = conn_new(x)))
        return false;
    n->dns = e;
    n->in_use = true;
    x->cur = n;
    if (connect_addr(n, next)) {
        ld__h1_conn_close(n);
        return false;
    }
    return true;
}

/* Receive through the thread's ring when it has one, else through uv;
   on failure *what says what failed. */
static int start_reading(ld__h1_conn_t *c, const char **what)
{
    ld__ring_t *r;
    uv_os_fd_t fd;
    int err, rc;
    if ((r = ld__ring_get(c->io->loop, &err))) {
        if ((rc = uv_fileno((uv_handle_t *)&c->tcp, &fd)) ||
            (rc = ld__ring_add(r, fd, c, ring_read, ring_sent, &c->rid)))
            return rc;
        c->ring = r;
        return 0;
    }
    if (err) { /* LOADDENSITY_IO=io_uring, and no ring */
        *what = "LOADDENSITY_IO=io_uring, but no io_uring";
        return err;
    }
    return uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) ? UV_EIO
                                                                     : 0;
}

static void on_connect(uv_connect_t *req, int status)
{
    const char *what = "Failed to connect";
    ld__h1_conn_t *c = req->data;
    ld__h1_xfer_t *x = c->x;
    char msg[160], eb[96];
    if (status == UV_ECANCELED || c->state == H1_C_CLOSING)
        return;
    if (status < 0) {
        snprintf(msg, sizeof(msg), "Failed to connect: %s",
                 strerror_r(-status, eb, sizeof(eb)));
        if (try_next_addr(c))
            return;
        if (c->state == H1_C_CLOSING) { /* replaced, then failed */
            if (x && x->busy)
                ld__h1_fail(x, msg);
            return;
        }
        ld__h1_on_conn_error(c, status, msg);
        return;
    }
    c->state = H1_C_OPEN;
    uv_tcp_nodelay(&c->tcp, 1);
    if ((status = start_reading(c, &what))) {
        fail_conn(c, status, what);
        return;
    }
    ld__h1_on_connected(c);
}

static int connect_to(ld__h1_conn_t *c, const struct sockaddr *sa)
{
    c->state = H1_C_CONNECTING;
    c->creq.data = c;
    return uv_tcp_connect(&c->creq, &c->tcp, sa, on_connect);
}

static int connect_addr(ld__h1_conn_t *c, unsigned i)
{
    struct sockaddr_storage ss = c->dns->addr[i];
    if (ss.ss_family == AF_INET)
        ((struct sockaddr_in *)&ss)->sin_port = htons(c->port);
    else
        ((struct sockaddr_in6 *)&ss)->sin6_port = htons(c->port);
    c->addr_i = (uint8_t)i;
    return connect_to(c, (const struct sockaddr *)&ss);
}

/* ---- names ---- */

static void on_dns(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    ld__h1_dns_t *e = req->data;
    ld__h1_conn_t *w, *next;
    e->naddr = 0;
    for (struct addrinfo *ai = status ? NULL : res;
         ai && e->naddr < LD_H1_MAX_ADDRS; ai = ai->ai_next)
        if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
            ai->ai_addrlen <= sizeof(e->addr[0]))
            memcpy(&e->addr[e->naddr++], ai->ai_addr, ai->ai_addrlen);
    uv_freeaddrinfo(res);
    if (e->orphan) {
        free(e->name);
        free(e);
        return;
    }
    e->state = e->naddr ? 1 : -1;
    if (!e->naddr)
        e->failed_ms = uv_now(req->loop);
    w = e->waiters;
    e->waiters = NULL;
    for (; w; w = next) {
        char msg[300];
        int r;
        next = w->next_waiter;
        if (w->state != H1_C_RESOLVING)
            continue;
        w->state = H1_C_CONNECTING;
        if (e->state == 1 && !(r = connect_addr(w, 0)))
            continue;
        if (e->state == 1) {
            fail_conn(w, r, "Failed to connect");
            continue;
        }
        snprintf(msg, sizeof(msg), "Could not resolve host: %s", e->name);
        ld__h1_on_conn_error(w, 0, msg);
    }
}

static ld__h1_dns_t *dns_get(ld__h1_io_t *io, const char *name)
{
    ld__h1_dns_t *e;
    struct addrinfo hints;
    for (e = io->dns; e; e = e->next)
        if (!strcmp(e->name, name))
            break;
    if (e && (e->state != -1 || uv_now(io->loop) - e->failed_ms < 1000))
        return e;
    if (!e) {
        if (!(e = calloc(1, sizeof(*e))) || !(e->name = ld_strdup(name))) {
            free(e);
            return NULL;
        }
        e->next = io->dns;
        io->dns = e;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    e->state = 0;
    e->req.data = e;
    if (uv_getaddrinfo(io->loop, &e->req, on_dns, name, NULL, &hints)) {
        e->state = -1;
        e->failed_ms = uv_now(io->loop);
    }
    return e;
}

void ld__h1_dns_close_all(ld__h1_io_t *io)
{
    ld__h1_dns_t *e = io->dns, *next;
    for (; e; e = next) {
        next = e->next;
        if (e->state == 0) {
            e->orphan = true; /* on_dns frees it */
            uv_cancel((uv_req_t *)&e->req);
        } else {
            free(e->name);
            free(e);
        }
    }
    io->dns = NULL;
}

/* ---- opening ---- */

static int start_connect(ld__h1_conn_t *c, char *msg, size_t msz)
{
    struct sockaddr_in6 s6;
    struct sockaddr_in s4;
    ld__h1_dns_t *e;
    int r;
    if (!uv_ip4_addr(c->host, c->port, &s4))
        r = connect_to(c, (const struct sockaddr *)&s4);
    else if (!uv_ip6_addr(c->host, c->port, &s6))
        r = connect_to(c, (const struct sockaddr *)&s6);
    else if (!(e = dns_get(c->io, c->host)))
        r = UV_ENOMEM;
    else if ((c->dns = e)->state == 1)
        r = connect_addr(c, 0);
    else if (e->state == 0) {
        c->next_waiter = e->waiters;
        e->waiters = c;
        return 0;
    } else {
        snprintf(msg, msz, "Could not resolve host: %s", c->host);
        return UV_EAI_NONAME;
    }
    if (r) {
        char eb[96];
        snprintf(msg, msz, "Failed to connect: %s",
                 strerror_r(-r, eb, sizeof(eb)));
    }
    return r;
}

/* A connection object for x's target in one of x's slots. */
static ld__h1_conn_t *conn_new(ld__h1_xfer_t *x)
{
    ld__h1_conn_t *c = calloc(1, sizeof(*c));
    int slot = -1;
    if (!c || !(c->host = ld_strndup(x->host, x->host_len))) {
        free(c);
        return NULL;
    }
    if (uv_tcp_init(x->io->loop, &c->tcp)) {
        free(c->host);
        free(c);
        return NULL;
    }
    c->tcp.data = c;
    c->io = x->io;
    c->port = x->port;
    ld_buf_init(&c->head, LD_H1_HEAD_MAX);
    ld__h1_parse_reset(c);
    for (int i = 0; i < LD_H1_MAX_CONNS && slot < 0; i++)
        if (!x->conns[i])
            slot = i;
    if (slot < 0) { /* the oldest idle one makes room */
        slot = LD_H1_MAX_CONNS - 1;
        ld__h1_conn_close(x->conns[slot]);
    }
    x->conns[slot] = c;
    c->x = x;
    c->state = H1_C_RESOLVING;
    return c;
}

int ld__h1_conn_open(ld__h1_xfer_t *x, ld__h1_conn_t **out, char *msg,
                     size_t msz)
{
    ld__h1_conn_t *c = conn_new(x);
    int r;
    *out = NULL;
    if (!c) {
        snprintf(msg, msz, "out of memory");
        return UV_ENOMEM;
    }
    if ((r = start_connect(c, msg, msz))) {
        ld__h1_conn_close(c);
        return r;
    }
    *out = c;
    return 0;
}
