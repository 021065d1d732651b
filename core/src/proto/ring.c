/*
 * ring.c - io_uring under a worker's uv loop (see ring.h for the design).
 *
 * A socket on the ring is a slot; every operation carries its slot, the
 * slot's generation and the operation's kind in its user_data, so a
 * completion that arrives after the socket was taken off (a cancelled
 * receive, say) finds another generation and is dropped, its buffer
 * handed back. Receiving is one multishot receive per socket into a ring of
 * provided buffers shared by every socket of the thread; a buffer goes back
 * to the kernel as soon as its callback returns. A send is one SQE with
 * MSG_WAITALL (the kernel finishes short sends itself; a short completion
 * is continued here anyway).
 *
 * The wait asks for one completion more than the sends queued since the
 * last wait: a send to a socket with room completes inside the submit, so
 * the call returns on the next response, not on its own send.
 */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ring.h"

unsigned ld__ring_test_nbufs;

bool ld__io_mode(ld__io_mode_t *out, const char **bad)
{
    const char *v = getenv("LOADDENSITY_IO");
    *out = LD__IO_AUTO;
    if (!v || !*v || !strcmp(v, "auto"))
        return true;
    if (!strcmp(v, "epoll")) {
        *out = LD__IO_EPOLL;
        return true;
    }
    if (!strcmp(v, "io_uring")) {
        *out = LD__IO_URING;
        return true;
    }
    if (bad)
        *bad = v;
    return false;
}

/* The loop ld__loop_run is running on this thread, and its ring. */
static _Thread_local uv_loop_t *tl_loop;
static _Thread_local ld__ring_t *tl_ring;
static _Thread_local bool tl_tried;
static _Thread_local int tl_err;

#ifdef LD_HAVE_URING

#include <liburing.h>

#define RING_SQ 1024u
#define RING_CQ 8192u
#define RING_BUF (8u << 10) /* one provided buffer */
#define RING_NBUFS 128u     /* per ring: 1 MiB */
#define RING_BGID 1
#define RING_WANT_MAX 64u /* sends counted into one wait */
#define NO_SLOT UINT32_MAX

enum { K_RECV = 0, K_SEND = 1, K_POLL = 2, K_IGNORE = 3 };

typedef struct slot {
    void *owner;
    ld__ring_read_cb on_read;
    ld__ring_sent_cb on_sent;
    const char *send_p; /* the send in flight, if send_n */
    size_t send_n;
    int fd;
    uint32_t gen;
    uint32_t next_free;
    bool used;
    bool recv_armed;
} slot_t;

struct ld__ring {
    struct io_uring ring;
    struct io_uring_buf_ring *br;
    char *bufs;
    unsigned nbufs;
    slot_t *slots;
    uint32_t nslots, cap, free_head, nopen;
    unsigned sends; /* queued since the last submit */
    bool poll_armed;
    bool uv_due;
    bool single; /* multishot receive refused: one receive at a time */
    uv_loop_t *loop;
};

/* A kernel or sandbox without what we need: nobody retries in this
   process. (ENOMEM and the like are not remembered.) */
static atomic_int g_refused;

static uint64_t ud(uint32_t id, uint32_t gen, unsigned kind)
{
    return ((uint64_t)gen << 32) | ((uint64_t)id << 2) | kind;
}

static void ring_free(ld__ring_t *r)
{
    io_uring_queue_exit(&r->ring);
    free(r->br);
    free(r->bufs);
    free(r->slots);
    free(r);
}

static int ring_new(uv_loop_t *loop, ld__ring_t **out)
{
    struct io_uring_params p;
    struct io_uring_buf_reg reg;
    ld__ring_t *r = calloc(1, sizeof(*r));
    unsigned n = ld__ring_test_nbufs ? ld__ring_test_nbufs : RING_NBUFS;
    void *mem = NULL;
    int rc;
    *out = NULL;
    if (!r)
        return -ENOMEM;
    memset(&p, 0, sizeof(p));
    p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER |
              IORING_SETUP_DEFER_TASKRUN;
    p.cq_entries = RING_CQ;
    rc = io_uring_queue_init_params(RING_SQ, &r->ring, &p);
    if (rc == -EINVAL) { /* before 6.1: completions run as task work */
        memset(&p, 0, sizeof(p));
        p.flags = IORING_SETUP_CQSIZE;
        p.cq_entries = RING_CQ;
        rc = io_uring_queue_init_params(RING_SQ, &r->ring, &p);
    }
    if (rc) {
        free(r);
        return rc;
    }
    if (!(p.features & IORING_FEAT_EXT_ARG) ||
        !(p.features & IORING_FEAT_NODROP)) {
        io_uring_queue_exit(&r->ring);
        free(r);
        return -ENOSYS;
    }
    io_uring_register_ring_fd(&r->ring); /* enter without an fd lookup */
    r->loop = loop;
    r->free_head = NO_SLOT;
    r->nbufs = n;
    if (posix_memalign(&mem, 4096, n * sizeof(struct io_uring_buf)) ||
        !(r->bufs = malloc((size_t)n * RING_BUF))) {
        r->br = mem;
        ring_free(r);
        return -ENOMEM;
    }
    r->br = mem;
    io_uring_buf_ring_init(r->br);
    memset(&reg, 0, sizeof(reg));
    reg.ring_addr = (uint64_t)(uintptr_t)r->br;
    reg.ring_entries = n;
    reg.bgid = RING_BGID;
    if ((rc = io_uring_register_buf_ring(&r->ring, &reg, 0))) {
        ring_free(r);
        return rc;
    }
    for (unsigned i = 0; i < n; i++)
        io_uring_buf_ring_add(r->br, r->bufs + (size_t)i * RING_BUF, RING_BUF,
                              (unsigned short)i, io_uring_buf_ring_mask(n),
                              (int)i);
    io_uring_buf_ring_advance(r->br, (int)n);
    *out = r;
    return 0;
}

static void give_back(ld__ring_t *r, int bid)
{
    if (bid < 0 || (unsigned)bid >= r->nbufs)
        return;
    io_uring_buf_ring_add(r->br, r->bufs + (size_t)bid * RING_BUF, RING_BUF,
                          (unsigned short)bid, io_uring_buf_ring_mask(r->nbufs),
                          0);
    io_uring_buf_ring_advance(r->br, 1);
}

static int submit(ld__ring_t *r)
{
    r->sends = 0; /* their completions are read before the next wait */
    return io_uring_submit(&r->ring);
}

static struct io_uring_sqe *sqe_get(ld__ring_t *r)
{
    struct io_uring_sqe *s = io_uring_get_sqe(&r->ring);
    if (!s) {
        submit(r);
        s = io_uring_get_sqe(&r->ring);
    }
    return s;
}

static int arm_recv(ld__ring_t *r, uint32_t id)
{
    slot_t *s = &r->slots[id];
    struct io_uring_sqe *q = sqe_get(r);
    if (!q)
        return -EBUSY;
    if (r->single)
        io_uring_prep_recv(q, s->fd, NULL, RING_BUF, 0);
    else
        io_uring_prep_recv_multishot(q, s->fd, NULL, 0, 0);
    q->flags |= IOSQE_BUFFER_SELECT;
    q->buf_group = RING_BGID;
    io_uring_sqe_set_data64(q, ud(id, s->gen, K_RECV));
    s->recv_armed = true;
    return 0;
}

static int queue_send(ld__ring_t *r, uint32_t id)
{
    slot_t *s = &r->slots[id];
    struct io_uring_sqe *q = sqe_get(r);
    if (!q)
        return -EBUSY;
    io_uring_prep_send(q, s->fd, s->send_p, s->send_n,
                       MSG_NOSIGNAL | MSG_WAITALL);
    io_uring_sqe_set_data64(q, ud(id, s->gen, K_SEND));
    r->sends++;
    return 0;
}

static void release(ld__ring_t *r, uint32_t id)
{
    slot_t *s = &r->slots[id];
    s->gen++;
    s->used = false;
    s->owner = NULL;
    s->send_n = 0;
    s->recv_armed = false;
    s->next_free = r->free_head;
    r->free_head = id;
}

int ld__ring_add(ld__ring_t *r, int fd, void *owner, ld__ring_read_cb on_read,
                 ld__ring_sent_cb on_sent, uint32_t *id)
{
    uint32_t i;
    int rc;
    if (r->free_head != NO_SLOT) {
        i = r->free_head;
        r->free_head = r->slots[i].next_free;
    } else {
        if (r->nslots == r->cap) {
            uint32_t cap = r->cap ? r->cap * 2 : 64;
            slot_t *ns;
            if (cap > (1u << 29) ||
                !(ns = realloc(r->slots, cap * sizeof(*ns))))
                return -ENOMEM;
            r->slots = ns;
            r->cap = cap;
        }
        i = r->nslots++;
        memset(&r->slots[i], 0, sizeof(slot_t));
    }
    r->slots[i].used = true;
    r->slots[i].fd = fd;
    r->slots[i].owner = owner;
    r->slots[i].on_read = on_read;
    r->slots[i].on_sent = on_sent;
    if ((rc = arm_recv(r, i))) {
        release(r, i);
        return rc;
    }
    r->nopen++;
    *id = i;
    return 0;
}

int ld__ring_send(ld__ring_t *r, uint32_t id, const void *p, size_t n)
{
    slot_t *s = &r->slots[id];
    if (s->send_n)
        return -EBUSY; /* one request at a time on a connection */
    s->send_p = p;
    s->send_n = n;
    if (queue_send(r, id)) {
        s->send_n = 0;
        return -EBUSY;
    }
    return 0;
}

void ld__ring_remove(ld__ring_t *r, uint32_t id)
{
    slot_t *s = &r->slots[id];
    if (s->recv_armed || s->send_n) {
        /* before the descriptor is closed: cancel by descriptor needs it
           open, and an armed receive would keep the socket alive */
        struct io_uring_sqe *q = sqe_get(r);
        if (q) {
            io_uring_prep_cancel_fd(q, s->fd, IORING_ASYNC_CANCEL_ALL);
            io_uring_sqe_set_data64(q, ud(0, 0, K_IGNORE));
        }
        submit(r);
    }
    release(r, id);
    r->nopen--;
}

/* ---- completions ---- */

static slot_t *live(ld__ring_t *r, uint32_t id, uint32_t gen)
{
    slot_t *s;
    if (id >= r->nslots)
        return NULL;
    s = &r->slots[id];
    return s->used && s->gen == gen ? s : NULL;
}

static void on_send(ld__ring_t *r, slot_t *s, uint32_t id, int res)
{
    ld__ring_sent_cb cb = s->on_sent;
    if (res > 0 && (size_t)res < s->send_n) { /* short: send the rest */
        s->send_p += res;
        s->send_n -= (size_t)res;
        if (!queue_send(r, id))
            return;
        res = -EBUSY;
    }
    s->send_n = 0;
    cb(s->owner, res < 0 ? res : 0);
}

static void on_recv(ld__ring_t *r, slot_t *s, uint32_t id, int res,
                    unsigned flags)
{
    int bid = (flags & IORING_CQE_F_BUFFER)
                  ? (int)(flags >> IORING_CQE_BUFFER_SHIFT)
                  : -1;
    uint32_t gen = s->gen;
    if (!(flags & IORING_CQE_F_MORE))
        s->recv_armed = false;
    if (res == -EINVAL && !r->single && bid < 0 && !s->recv_armed) {
        r->single = true; /* no multishot receive in this kernel */
        if (!arm_recv(r, id))
            return;
        res = -EBUSY;
    }
    if (res == -ENOBUFS) { /* every buffer taken: later completions */
        if (!arm_recv(r, id)) /* return them before this is issued */
            return;
        res = -EBUSY;
    }
    if (res > 0 && bid >= 0) {
        s->on_read(s->owner, res, r->bufs + (size_t)bid * RING_BUF);
        give_back(r, bid);
        if ((s = live(r, id, gen)) && !s->recv_armed && arm_recv(r, id))
            s->on_read(s->owner, -EBUSY, NULL);
        return;
    }
    give_back(r, bid);
    s->on_read(s->owner, res == 0 ? UV_EOF : (res > 0 ? -EIO : res), NULL);
}

static void on_cqe(ld__ring_t *r, uint64_t u, int res, unsigned flags)
{
    unsigned kind = (unsigned)(u & 3u);
    uint32_t id = (uint32_t)((u >> 2) & 0x3fffffffu);
    slot_t *s;
    if (kind == K_POLL) {
        r->poll_armed = false;
        r->uv_due = true;
        return;
    }
    if (kind == K_IGNORE || !(s = live(r, id, (uint32_t)(u >> 32)))) {
        if (flags & IORING_CQE_F_BUFFER)
            give_back(r, (int)(flags >> IORING_CQE_BUFFER_SHIFT));
        return;
    }
    if (kind == K_SEND)
        on_send(r, s, id, res);
    else
        on_recv(r, s, id, res, flags);
}

/* ---- the loop ---- */

static void drain(ld__ring_t *r)
{
    struct io_uring_cqe *cqe;
    while (io_uring_peek_cqe(&r->ring, &cqe) == 0) {
        uint64_t u = cqe->user_data;
        int res = cqe->res;
        unsigned flags = cqe->flags;
        io_uring_cqe_seen(&r->ring, cqe);
        on_cqe(r, u, res, flags);
    }
}

/* One wait and what it brought; false when nothing is left to wait for. */
static bool step(ld__ring_t *r)
{
    uv_loop_t *loop = r->loop;
    struct __kernel_timespec ts;
    struct io_uring_cqe *cqe;
    bool alive = uv_loop_alive(loop) != 0;
    unsigned want;
    int t;
    if (!alive && !r->nopen)
        return false;
    /* 0 also when a watcher was started since libuv last polled (a
       uv_tcp_connect from a ring callback): only uv_run hands it to epoll */
    t = alive ? uv_backend_timeout(loop) : -1;
    if (t == 0) { /* a timer is due, or libuv has work queued */
        if (io_uring_sq_ready(&r->ring))
            submit(r);
        uv_run(loop, UV_RUN_NOWAIT);
        drain(r);
        return true;
    }
    if (alive && !r->poll_armed) {
        struct io_uring_sqe *q = sqe_get(r);
        if (q) {
            io_uring_prep_poll_add(q, uv_backend_fd(loop), POLLIN);
            io_uring_sqe_set_data64(q, ud(0, 0, K_POLL));
            r->poll_armed = true;
        }
    }
    want = 1 + (r->sends < RING_WANT_MAX ? r->sends : RING_WANT_MAX);
    r->sends = 0;
    if (t > 0) {
        ts.tv_sec = t / 1000;
        ts.tv_nsec = (long long)(t % 1000) * 1000000;
        io_uring_submit_and_wait_timeout(&r->ring, &cqe, want, &ts, NULL);
    } else {
        io_uring_submit_and_wait(&r->ring, want);
    }
    uv_update_time(loop);
    drain(r);
    if (r->uv_due) {
        r->uv_due = false;
        uv_run(loop, UV_RUN_NOWAIT);
        drain(r);
    }
    return true;
}

static bool refused(int rc)
{
    return rc == -ENOSYS || rc == -EPERM || rc == -EINVAL ||
           rc == -EOPNOTSUPP || rc == -EACCES;
}

ld__ring_t *ld__ring_get(uv_loop_t *loop, int *err)
{
    ld__io_mode_t mode;
    int rc;
    if (err)
        *err = 0;
    if (tl_loop != loop)
        return NULL;
    if (tl_ring || tl_tried) {
        if (err)
            *err = tl_err;
        return tl_ring;
    }
    tl_tried = true;
    if (!ld__io_mode(&mode, NULL) || mode == LD__IO_EPOLL)
        return NULL;
    if (!(rc = atomic_load(&g_refused)) && (rc = ring_new(loop, &tl_ring)) &&
        refused(rc))
        atomic_store(&g_refused, rc);
    if (rc && mode == LD__IO_URING)
        tl_err = rc;
    if (err)
        *err = tl_err;
    return tl_ring;
}

bool ld__ring_available(void)
{
    ld__ring_t *r;
    if (atomic_load(&g_refused) || ring_new(NULL, &r))
        return false;
    ring_free(r);
    return true;
}

void ld__loop_run(uv_loop_t *loop)
{
    tl_loop = loop;
    tl_ring = NULL;
    tl_tried = false;
    tl_err = 0;
    for (;;) {
        if (!tl_ring) {
            if (!uv_run(loop, UV_RUN_ONCE) && !tl_ring)
                break;
        } else if (!step(tl_ring)) {
            break;
        }
    }
    if (tl_ring)
        ring_free(tl_ring);
    tl_ring = NULL;
    tl_loop = NULL;
}

#else /* no liburing at build time: always epoll through libuv */

bool ld__ring_available(void)
{
    return false;
}

ld__ring_t *ld__ring_get(uv_loop_t *loop, int *err)
{
    ld__io_mode_t mode;
    (void)loop;
    if (err)
        *err = ld__io_mode(&mode, NULL) && mode == LD__IO_URING &&
                       tl_loop == loop
                   ? -ENOSYS
                   : 0;
    return NULL;
}

void ld__loop_run(uv_loop_t *loop)
{
    tl_loop = loop;
    (void)tl_ring;
    (void)tl_tried;
    (void)tl_err;
    uv_run(loop, UV_RUN_DEFAULT);
    tl_loop = NULL;
}

int ld__ring_add(ld__ring_t *r, int fd, void *owner, ld__ring_read_cb on_read,
                 ld__ring_sent_cb on_sent, uint32_t *id)
{
    (void)r, (void)fd, (void)owner, (void)on_read, (void)on_sent, (void)id;
    return -ENOSYS;
}

int ld__ring_send(ld__ring_t *r, uint32_t id, const void *p, size_t n)
{
    (void)r, (void)id, (void)p, (void)n;
    return -ENOSYS;
}

void ld__ring_remove(ld__ring_t *r, uint32_t id)
{
    (void)r, (void)id;
}

#endif
