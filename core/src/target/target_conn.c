/*
 * Connections of the embedded target: reading, request processing, batched
 * writing, pausing and the three ways a connection ends (close, lingering
 * finish, reset).
 *
 * Reads land in the server's shared buffer while a connection holds no
 * partial request; only an incomplete tail is copied into the connection's
 * own buffer. Responses produced while processing one read are staged and
 * written with a single uv_try_write; what the socket does not take is
 * copied into a uv_write request. A connection is freed only after the
 * close callbacks of its handles (write and shutdown callbacks run before).
 */
#include "target/target_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef struct wreq {
    uv_write_t req;
    ld__tconn_t *c;
    char data[];
} wreq_t;

static void conn_resume(ld__tconn_t *c);

static int stalled(const ld__tconn_t *c)
{
    return c->paused_delay || c->paused_wq || c->finishing || c->closing;
}

/* ---- closing ---- */

static void on_closed(uv_handle_t *h)
{
    ld__tconn_t *c = h->data;

    if (--c->pending_closes == 0) {
        free(c->in);
        free(c);
    }
}

void ld__tconn_close(ld__tconn_t *c)
{
    ld_target_t *srv = c->srv;

    if (c->closing)
        return;
    c->closing = 1;
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    c->pending_closes = 1;
    uv_close((uv_handle_t *)&c->tcp, on_closed);
    if (c->timer_init) {
        c->pending_closes++;
        uv_close((uv_handle_t *)&c->timer, on_closed);
    }
}

static int timer_ready(ld__tconn_t *c)
{
    if (!c->timer_init) {
        if (uv_timer_init(&c->srv->loop, &c->timer))
            return -1;
        c->timer.data = c;
        c->timer_init = 1;
    }
    return 0;
}

static void read_start(ld__tconn_t *c);

static void on_linger(uv_timer_t *t)
{
    ld__tconn_close(t->data);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    ld__tconn_t *c = req->data;

    if (c->closing)
        return;
    c->shut_done = 1;
    if (status < 0 || c->eof)
        ld__tconn_close(c);
}

void ld__tconn_finish(ld__tconn_t *c)
{
    if (c->finishing || c->closing)
        return;
    c->finishing = 1;
    ld__tout_flush(c);
    if (c->closing)
        return;
    c->sreq.data = c;
    if (uv_shutdown(&c->sreq, (uv_stream_t *)&c->tcp, on_shutdown)) {
        ld__tconn_close(c);
        return;
    }
    if (c->eof)
        return; /* on_shutdown closes */
    /* Keep reading (and discarding) until the peer closes, so that unread
     * input does not turn our close into a RST that eats the response. */
    if (timer_ready(c) ||
        uv_timer_start(&c->timer, on_linger, LD__T_LINGER_MS, 0)) {
        ld__tconn_close(c);
        return;
    }
    read_start(c);
}

void ld__tconn_reset(ld__tconn_t *c)
{
    uv_os_fd_t fd;
    struct linger lg = {1, 0};

    ld__tout_flush(c);
    if (c->closing)
        return;
    if (uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    ld__tconn_close(c);
}

/* ---- delay ---- */

static void on_delay(uv_timer_t *t)
{
    ld__tconn_t *c = t->data;

    c->paused_delay = 0;
    ld__troute_delay_done(c); /* finishes the connection unless kept */
    conn_resume(c);
}

void ld__tconn_delay(ld__tconn_t *c, uint64_t ms)
{
    if (timer_ready(c) || uv_timer_start(&c->timer, on_delay, ms, 0)) {
        ld__tconn_close(c);
        return;
    }
    c->paused_delay = 1;
}

/* ---- output ---- */

static void on_write(uv_write_t *req, int status)
{
    wreq_t *w = (wreq_t *)req;
    ld__tconn_t *c = w->c;

    free(w);
    c->nwrites--;
    if (c->closing)
        return;
    if (status < 0) {
        ld__tconn_close(c);
        return;
    }
    if (c->paused_wq &&
        uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) <=
            LD__T_WQ_HIGH / 4) {
        c->paused_wq = 0;
        conn_resume(c);
    }
}

static void out_reset(ld_target_t *srv)
{
    srv->nsegs = 0;
    srv->stage_len = 0;
}

/* The socket took `done` bytes of the staged segments: queue the rest,
 * copying every byte that dies with the flush. */
static void out_queue(ld__tconn_t *c, size_t done)
{
    ld_target_t *srv = c->srv;
    uv_buf_t bufs[LD__T_SEGS];
    unsigned nb = 0;
    size_t vol = 0;
    wreq_t *w;
    char *dst;

    for (unsigned i = 0; i < srv->nsegs; i++)
        if (srv->segvol[i])
            vol += srv->segs[i].len;
    w = malloc(sizeof(*w) + vol);
    if (!w) {
        ld__tconn_close(c);
        return;
    }
    dst = w->data;
    for (unsigned i = 0; i < srv->nsegs; i++) {
        const char *b = srv->segs[i].base;
        size_t n = srv->segs[i].len;
        if (done >= n) {
            done -= n;
            continue;
        }
        b += done;
        n -= done;
        done = 0;
        if (srv->segvol[i]) {
            memcpy(dst, b, n);
            b = dst;
            dst += n;
        }
        if (nb && srv->segvol[i] && bufs[nb - 1].base + bufs[nb - 1].len == b)
            bufs[nb - 1].len += n;
        else
            bufs[nb++] = uv_buf_init((char *)(uintptr_t)b, (unsigned)n);
    }
    w->c = c;
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, bufs, nb, on_write)) {
        free(w);
        ld__tconn_close(c);
        return;
    }
    c->nwrites++;
    if (uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) >
        LD__T_WQ_HIGH)
        c->paused_wq = 1;
}

void ld__tout_flush(ld__tconn_t *c)
{
    ld_target_t *srv = c->srv;
    size_t total = 0;
    int r;

    if (!srv->nsegs)
        return;
    if (c->closing) {
        out_reset(srv);
        return;
    }
    for (unsigned i = 0; i < srv->nsegs; i++)
        total += srv->segs[i].len;
    r = uv_try_write((uv_stream_t *)&c->tcp, srv->segs, srv->nsegs);
    if (r < 0 && r != UV_EAGAIN) {
        out_reset(srv);
        ld__tconn_close(c);
        return;
    }
    if (r < 0)
        r = 0;
    if ((size_t)r < total)
        out_queue(c, (size_t)r);
    out_reset(srv);
}

char *ld__tout_reserve(ld__tconn_t *c, size_t n)
{
    ld_target_t *srv = c->srv;

    if (srv->stage_len + n > LD__T_STAGE || srv->nsegs + 1 >= LD__T_SEGS)
        ld__tout_flush(c);
    return srv->stage + srv->stage_len;
}

void ld__tout_commit(ld__tconn_t *c, size_t n)
{
    ld_target_t *srv = c->srv;
    char *at = srv->stage + srv->stage_len;
    uv_buf_t *last = srv->nsegs ? &srv->segs[srv->nsegs - 1] : NULL;

    if (!n)
        return;
    if (last && last->base + last->len == at)
        last->len += n;
    else {
        srv->segs[srv->nsegs] = uv_buf_init(at, (unsigned)n);
        srv->segvol[srv->nsegs++] = 1;
    }
    srv->stage_len += n;
}

void ld__tout_ref(ld__tconn_t *c, const char *p, size_t n, int vol)
{
    ld_target_t *srv = c->srv;

    if (!n)
        return;
    if (srv->nsegs + 1 >= LD__T_SEGS)
        ld__tout_flush(c);
    srv->segs[srv->nsegs] = uv_buf_init((char *)(uintptr_t)p, (unsigned)n);
    srv->segvol[srv->nsegs++] = (unsigned char)(vol != 0);
}

void ld__tout_copy(ld__tconn_t *c, const char *p, size_t n)
{
    if (n <= LD__T_STAGE) {
        memcpy(ld__tout_reserve(c, n), p, n);
        ld__tout_commit(c, n);
        return;
    }
    /* too big to stage: the caller's bytes live until the flush */
    ld__tout_ref(c, p, n, 1);
    ld__tout_flush(c);
}

/* ---- input ---- */

static int in_reserve(ld__tconn_t *c, size_t want)
{
    size_t need = c->in_len + want, cap = c->in_cap ? c->in_cap : 16384;
    char *p;

    if (need <= c->in_cap)
        return 0;
    if (need > LD__T_RAW_MAX + LD__T_RBUF)
        return -1;
    while (cap < need)
        cap *= 2;
    if (cap > LD__T_RAW_MAX + LD__T_RBUF)
        cap = LD__T_RAW_MAX + LD__T_RBUF;
    p = realloc(c->in, cap);
    if (!p)
        return -1;
    c->in = p;
    c->in_cap = cap;
    return 0;
}

static void in_consume(ld__tconn_t *c, size_t used)
{
    if (used < c->in_len) {
        if (used)
            memmove(c->in, c->in + used, c->in_len - used);
        c->in_len -= used;
        return;
    }
    c->in_len = 0;
    if (c->in_cap > LD__T_RBUF) {
        free(c->in);
        c->in = NULL;
        c->in_cap = 0;
    }
}

static void on_head(ld__tconn_t *c, const char *p, size_t avail)
{
    ld__treq_t *r = &c->req;

    ld__troute_resolve(r, p);
    if (r->route != LD__R_COUNT)
        r->n = atomic_fetch_add(&c->srv->requests, 1) + 1;
    if (r->status) {
        ld__troute_error(c, r->status);
        return;
    }
    if (r->expect100 && r->minor == 1 && avail == r->head_len &&
        (r->chunked || r->clen > 0))
        ld__troute_continue(c);
}

/* Run every complete request in p[0..len); returns the bytes used. */
static size_t process(ld__tconn_t *c, char *p, size_t len)
{
    size_t off = 0;

    while (!stalled(c) && off < len) {
        ld__treq_t *r = &c->req;
        int ev;

        if (r->phase == 0 && r->scan == 0) {
            while (off < len && (p[off] == '\r' || p[off] == '\n'))
                off++; /* empty lines between requests */
            if (off == len)
                break;
        }
        ev = ld__treq_parse(r, p + off, len - off);
        if (ev == LD__P_MORE)
            break;
        if (ev == LD__P_ERROR) {
            ld__troute_error(c, r->status);
            off = len;
            break;
        }
        if (ev == LD__P_HEAD) {
            on_head(c, p + off, len - off);
            continue;
        }
        ld__troute_dispatch(c, p + off);
        off += r->total;
        memset(r, 0, sizeof(*r));
    }
    ld__tout_flush(c);
    return off;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    ld__tconn_t *c = h->data;
    const ld__treq_t *r = &c->req;
    size_t want = LD__T_RBUF;

    (void)suggested;
    if (c->in_len == 0 || c->finishing) {
        *buf = uv_buf_init(c->srv->rbuf, LD__T_RBUF);
        return;
    }
    if (r->phase == 1 && !r->chunked &&
        r->head_len + r->clen > c->in_len + want)
        want = r->head_len + (size_t)r->clen - c->in_len;
    if (in_reserve(c, want)) {
        *buf = uv_buf_init(NULL, 0); /* read_cb gets UV_ENOBUFS */
        return;
    }
    *buf = uv_buf_init(c->in + c->in_len, (unsigned)(c->in_cap - c->in_len));
}

static void on_eof(ld__tconn_t *c)
{
    c->eof = 1;
    if (c->finishing) {
        if (c->shut_done)
            ld__tconn_close(c);
        return;
    }
    if (!stalled(c))
        ld__tconn_finish(c); /* any partial request is abandoned */
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    ld__tconn_t *c = s->data;
    size_t used;

    if (nread < 0) {
        c->reading = 0;
        if (nread == UV_EOF && !c->closing)
            on_eof(c);
        else
            ld__tconn_close(c);
        return;
    }
    if (nread == 0 || c->finishing || c->closing)
        return;
    if (buf->base == c->srv->rbuf) {
        used = process(c, buf->base, (size_t)nread);
        if (used < (size_t)nread && !c->finishing && !c->closing) {
            if (in_reserve(c, (size_t)nread - used)) {
                ld__tconn_close(c);
                return;
            }
            memcpy(c->in, buf->base + used, (size_t)nread - used);
            c->in_len = (size_t)nread - used;
        }
    } else {
        c->in_len += (size_t)nread;
        in_consume(c, process(c, c->in, c->in_len));
    }
    if (stalled(c) && !c->finishing && !c->closing && c->reading) {
        uv_read_stop(s);
        c->reading = 0;
    }
}

static void read_start(ld__tconn_t *c)
{
    if (c->reading || c->eof || c->closing)
        return;
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read)) {
        ld__tconn_close(c);
        return;
    }
    c->reading = 1;
}

static void conn_resume(ld__tconn_t *c)
{
    if (stalled(c))
        return;
    if (c->in_len)
        in_consume(c, process(c, c->in, c->in_len));
    if (stalled(c))
        return;
    if (c->eof)
        ld__tconn_finish(c);
    else
        read_start(c);
}

void ld__tconn_accept(ld_target_t *srv)
{
    ld__tconn_t *c = calloc(1, sizeof(*c));

    if (!c)
        return;
    c->srv = srv;
    if (uv_tcp_init(&srv->loop, &c->tcp)) {
        free(c);
        return;
    }
    c->tcp.data = c;
    c->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = c;
    srv->conns = c;
    if (uv_accept((uv_stream_t *)&srv->listener, (uv_stream_t *)&c->tcp)) {
        ld__tconn_close(c);
        return;
    }
    atomic_fetch_add(&srv->connections, 1);
    (void)uv_tcp_nodelay(&c->tcp, 1);
    read_start(c);
}
