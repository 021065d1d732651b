/*
 * zlink.c - a ZeroMQ DEALER socket on a libuv loop (see cluster_int.h).
 *
 * ZMQ_FD is edge-triggered: it signals that ZMQ_EVENTS may have changed,
 * not that a message waits, and zmq_send can consume that signal. So every
 * poll wakeup drains with ZMQ_DONTWAIT until ZMQ_EVENTS says nothing is
 * left, and every send schedules one more drain on the loop (a zero timer).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "cluster/cluster_int.h"

#define MAX_PER_PUMP 10000 /* frames per pump before the loop gets a turn */

struct ld__zlink {
    uv_loop_t *loop;
    void *ctx, *sock, *mon;
    uv_poll_t *psock, *pmon;
    uv_timer_t kick;
    char *endpoint, *identity;
    unsigned seq;
    ld__zlink_msg_cb on_msg;
    ld__zlink_ev_cb on_event;
    void *user;
    bool in_pump, reopen_wanted, closed;
};

static void free_cb(uv_handle_t *h)
{
    free(h);
}

static void poll_cb(uv_poll_t *h, int status, int events)
{
    (void)status;
    (void)events;
    ld__zlink_pump(h->data);
}

static void kick_cb(uv_timer_t *t)
{
    ld__zlink_pump(t->data);
}

static uv_poll_t *watch(ld__zlink_t *z, void *s)
{
    int fd = -1;
    size_t sz = sizeof(fd);
    uv_poll_t *p;
    if (zmq_getsockopt(s, ZMQ_FD, &fd, &sz) || !(p = malloc(sizeof(*p))))
        return NULL;
    if (uv_poll_init(z->loop, p, fd)) {
        free(p);
        return NULL;
    }
    p->data = z;
    uv_poll_start(p, UV_READABLE, poll_cb);
    return p;
}

static void unwatch(uv_poll_t **p)
{
    if (!*p)
        return;
    uv_poll_stop(*p);
    uv_close((uv_handle_t *)*p, free_cb);
    *p = NULL;
}

static void sock_close(ld__zlink_t *z, int linger_ms)
{
    unwatch(&z->psock);
    unwatch(&z->pmon);
    if (z->sock) {
        zmq_socket_monitor(z->sock, NULL, 0);
        zmq_setsockopt(z->sock, ZMQ_LINGER, &linger_ms, sizeof(linger_ms));
        zmq_close(z->sock);
    }
    if (z->mon) {
        int zero = 0;
        zmq_setsockopt(z->mon, ZMQ_LINGER, &zero, sizeof(zero));
        zmq_close(z->mon);
    }
    z->sock = z->mon = NULL;
}

static int sock_open(ld__zlink_t *z)
{
    int one = 1, idle = 30, zero = 0;
    char mon_ep[96];
    snprintf(mon_ep, sizeof(mon_ep), "inproc://ld-zlink-%p-%u", (void *)z,
             ++z->seq);
    if (!(z->sock = zmq_socket(z->ctx, ZMQ_DEALER)))
        return LD_EIO;
    /* The master registers a worker under its routing id and addresses
       every later message by the node_id in the payload: the two must be
       the same bytes, set before connecting. */
    if (zmq_setsockopt(z->sock, ZMQ_ROUTING_ID, z->identity,
                       strlen(z->identity)) ||
        zmq_setsockopt(z->sock, ZMQ_IMMEDIATE, &one, sizeof(one)) ||
        zmq_setsockopt(z->sock, ZMQ_LINGER, &zero, sizeof(zero)) ||
        zmq_setsockopt(z->sock, ZMQ_TCP_KEEPALIVE, &one, sizeof(one)) ||
        zmq_setsockopt(z->sock, ZMQ_TCP_KEEPALIVE_IDLE, &idle, sizeof(idle)))
        return LD_EIO;
    if (strchr(z->endpoint, '[') &&
        zmq_setsockopt(z->sock, ZMQ_IPV6, &one, sizeof(one)))
        return LD_EIO;
    if (zmq_socket_monitor(z->sock, mon_ep,
                           ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED) ||
        !(z->mon = zmq_socket(z->ctx, ZMQ_PAIR)) ||
        zmq_connect(z->mon, mon_ep))
        return LD_EIO;
    if (zmq_connect(z->sock, z->endpoint))
        return LD_EINVAL;
    if (!(z->psock = watch(z, z->sock)) || !(z->pmon = watch(z, z->mon)))
        return LD_EIO;
    return 0;
}

int ld__zlink_open(uv_loop_t *loop, const char *endpoint, const char *identity,
                   ld__zlink_msg_cb on_msg, ld__zlink_ev_cb on_event,
                   void *user, ld__zlink_t **out, ld_diag_t *d)
{
    ld__zlink_t *z = calloc(1, sizeof(*z));
    int rc;
    *out = NULL;
    if (!z)
        return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    z->loop = loop;
    z->on_msg = on_msg;
    z->on_event = on_event;
    z->user = user;
    z->endpoint = ld_strdup(endpoint);
    z->identity = ld_strdup(identity);
    uv_timer_init(loop, &z->kick);
    z->kick.data = z;
    if (!z->endpoint || !z->identity) {
        rc = ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    } else if (!(z->ctx = zmq_ctx_new())) {
        rc = ld_diag_set(d, LD_EIO, NULL, NULL, "cannot start ZeroMQ: %s",
                         zmq_strerror(zmq_errno()));
    } else if ((rc = sock_open(z))) {
        rc = ld_diag_set(d, rc, NULL, NULL, "cannot connect to %s: %s",
                         endpoint, zmq_strerror(zmq_errno()));
    }
    if (rc) {
        ld__zlink_close(z, 0);
        return rc;
    }
    *out = z;
    return 0;
}

int ld__zlink_send(ld__zlink_t *z, const void *buf, size_t len)
{
    int rc;
    if (!z->sock)
        return LD_EIO;
    rc = zmq_send(z->sock, buf, len, ZMQ_DONTWAIT);
    uv_timer_start(&z->kick, kick_cb, 0, 0);
    return rc < 0 ? LD_EIO : 0;
}

static bool readable(void *s)
{
    int ev = 0;
    size_t sz = sizeof(ev);
    return s && !zmq_getsockopt(s, ZMQ_EVENTS, &ev, &sz) && (ev & ZMQ_POLLIN);
}

/* One monitor event: a 6-byte frame (event, value), then the address. */
static bool pump_monitor(ld__zlink_t *z)
{
    zmq_msg_t m;
    uint16_t ev = 0;
    bool got = false;
    if (!readable(z->mon))
        return false;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, z->mon, ZMQ_DONTWAIT) >= 0) {
        got = true;
        if (zmq_msg_size(&m) >= 2)
            memcpy(&ev, zmq_msg_data(&m), sizeof(ev));
        while (zmq_msg_more(&m) && zmq_msg_recv(&m, z->mon, ZMQ_DONTWAIT) >= 0)
            ;
    }
    zmq_msg_close(&m);
    if (got && z->on_event)
        z->on_event(z->user, ev);
    return got;
}

static bool pump_socket(ld__zlink_t *z)
{
    zmq_msg_t m;
    bool got = false;
    if (!readable(z->sock))
        return false;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, z->sock, ZMQ_DONTWAIT) >= 0) {
        got = true;
        /* A DEALER gets exactly the master's payload frame; ignore any
           other part rather than misread it. */
        if (!zmq_msg_more(&m) && z->on_msg)
            z->on_msg(z->user, zmq_msg_data(&m), zmq_msg_size(&m));
        while (zmq_msg_more(&m) && zmq_msg_recv(&m, z->sock, ZMQ_DONTWAIT) >= 0)
            ;
    }
    zmq_msg_close(&m);
    return got;
}

void ld__zlink_reopen(ld__zlink_t *z)
{
    z->reopen_wanted = true;
    if (!z->in_pump)
        ld__zlink_pump(z);
}

void ld__zlink_pump(ld__zlink_t *z)
{
    if (!z || z->in_pump || z->closed)
        return;
    z->in_pump = true;
    for (int i = 0; i < MAX_PER_PUMP && !z->closed; i++) {
        bool any = pump_monitor(z);
        any = pump_socket(z) || any;
        if (z->reopen_wanted) {
            z->reopen_wanted = false;
            sock_close(z, 0);
            sock_open(z);
            any = true;
        }
        if (!any)
            break;
    }
    z->in_pump = false;
    if (!z->closed && (readable(z->sock) || readable(z->mon)))
        uv_timer_start(&z->kick, kick_cb, 0, 0);
}

static void zlink_free_cb(uv_handle_t *h)
{
    ld__zlink_t *z = h->data;
    free(z->endpoint);
    free(z->identity);
    free(z);
}

void ld__zlink_close(ld__zlink_t *z, int linger_ms)
{
    if (!z || z->closed)
        return;
    z->closed = true;
    sock_close(z, linger_ms);
    if (z->ctx)
        zmq_ctx_term(z->ctx); /* waits for lingering frames */
    uv_close((uv_handle_t *)&z->kick, zlink_free_cb);
}
