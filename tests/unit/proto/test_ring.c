/*
 * proto/ring.c on real sockets (AF_UNIX stream pairs) under a real uv loop
 * run by ld__loop_run: round trips through the ring, receiving when every
 * provided buffer is taken (two buffers for sixteen sockets), the peer's
 * end, a send far bigger than the socket buffer, uv timers and a uv_async
 * from another thread while the loop waits in io_uring_enter, and a socket
 * taken off the ring with its receive armed (no callback after, and the
 * peer sees the close). Skipped where the kernel gives no ring.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "proto/ring.h"

#define NPAIR 16
#define ROUNDS 200

typedef struct end {
    struct pp *t;
    int fd;
    uint32_t id;
    bool on;
    size_t got;  /* bytes received */
    int eof;     /* UV_EOF seen */
    int err;     /* last error */
    int sent_ok; /* on_sent(0) count */
    int sent_err;
    char last[64];
} end_t;

typedef struct pp {
    uv_loop_t loop;
    ld__ring_t *r;
    end_t a[NPAIR], b[NPAIR];
    int rounds;      /* ping-pong round trips left */
    size_t big;      /* bytes of the big send */
    char *bigbuf;
    uv_timer_t start, late;
    uv_async_t wake;
    uint64_t t0, late_at;
    bool late_fired, woke;
    int mode;
    int pipe[2];
    uv_poll_t watch;
} pp_t;

static void e_read(void *owner, ssize_t n, const char *buf);
static void start_watch(struct pp *t);
static void e_sent(void *owner, int status)
{
    end_t *e = owner;
    if (status)
        e->sent_err++;
    else
        e->sent_ok++;
}

static void put_on(pp_t *t, end_t *e, int fd)
{
    e->t = t;
    e->fd = fd;
    assert_int_equal(ld__ring_add(t->r, fd, e, e_read, e_sent, &e->id), 0);
    e->on = true;
}

static void take_off(pp_t *t, end_t *e)
{
    if (!e->on)
        return;
    ld__ring_remove(t->r, e->id);
    e->on = false;
}

static void e_read(void *owner, ssize_t n, const char *buf)
{
    end_t *e = owner;
    pp_t *t = e->t;
    assert_true(e->on); /* never after take_off */
    if (n == UV_EOF) {
        e->eof++;
        take_off(t, e);
        return;
    }
    if (n < 0) {
        e->err = (int)n;
        take_off(t, e);
        return;
    }
    e->got += (size_t)n;
    snprintf(e->last, sizeof(e->last), "%.*s", (int)(n < 60 ? n : 60), buf);
    if (t->mode == 0 && e == &t->b[0]) /* pong */
        assert_int_equal(ld__ring_send(t->r, e->id, "pong", 4), 0);
    else if (t->mode == 0 && e == &t->a[0] && --t->rounds > 0)
        assert_int_equal(ld__ring_send(t->r, e->id, "ping", 4), 0);
    else if (t->mode == 0 && e == &t->a[0]) {
        take_off(t, &t->a[0]);
        take_off(t, &t->b[0]);
        start_watch(t);
    }
    if (t->mode == 2 && e->got == t->big)
        take_off(t, e);
}

/* A uv watcher started from a ring callback reaches epoll at once, not at
   the next timer (here 2 s away). */
static void on_watch(uv_poll_t *h, int status, int events)
{
    pp_t *t = h->loop->data;
    (void)status, (void)events;
    t->late_at = uv_now(&t->loop);
    t->woke = true;
    uv_close((uv_handle_t *)h, NULL);
    uv_close((uv_handle_t *)&t->late, NULL);
}

static void never(uv_timer_t *h)
{
    (void)h;
    fail_msg("the watcher waited for the timer");
}

static void start_watch(pp_t *t)
{
    assert_int_equal(pipe(t->pipe), 0);
    assert_int_equal(write(t->pipe[1], "w", 1), 1);
    uv_timer_init(&t->loop, &t->late);
    uv_timer_start(&t->late, never, 2000, 0);
    uv_poll_init(&t->loop, &t->watch, t->pipe[0]);
    uv_poll_start(&t->watch, UV_READABLE, on_watch);
    t->t0 = uv_now(&t->loop);
}

static void pp_init(pp_t *t, int mode)
{
    memset(t, 0, sizeof(*t));
    t->mode = mode;
    assert_int_equal(uv_loop_init(&t->loop), 0);
    t->loop.data = t;
}

static void pp_close_fds(pp_t *t, int n)
{
    for (int i = 0; i < n; i++) {
        close(t->a[i].fd);
        close(t->b[i].fd);
    }
    assert_int_equal(uv_loop_close(&t->loop), 0);
}

/* Run t's loop through ld__loop_run; start() runs on its first turn. */
static void pp_run(pp_t *t, uv_timer_cb start)
{
    uv_timer_init(&t->loop, &t->start);
    uv_timer_start(&t->start, start, 0, 0);
    ld__loop_run(&t->loop);
}

static bool have_ring(void)
{
    setenv("LOADDENSITY_IO", "io_uring", 1);
    if (ld__ring_available())
        return true;
    print_message("no io_uring on this kernel: skipped\n");
    return false;
}

/* ---- ping-pong ---- */

static void start_pingpong(uv_timer_t *h)
{
    pp_t *t = h->loop->data;
    int sv[2], err = 1;
    t->r = ld__ring_get(&t->loop, &err);
    assert_non_null(t->r);
    assert_int_equal(err, 0);
    assert_ptr_equal(ld__ring_get(&t->loop, NULL), t->r); /* one per run */
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    put_on(t, &t->a[0], sv[0]);
    put_on(t, &t->b[0], sv[1]);
    assert_int_equal(ld__ring_send(t->r, t->a[0].id, "ping", 4), 0);
    /* one request at a time on a socket */
    assert_int_equal(ld__ring_send(t->r, t->a[0].id, "x", 1), -EBUSY);
    uv_close((uv_handle_t *)h, NULL);
}

static void test_pingpong(void **state)
{
    pp_t t;
    (void)state;
    if (!have_ring())
        skip();
    pp_init(&t, 0);
    t.rounds = ROUNDS;
    /* not run by ld__loop_run: no ring */
    assert_null(ld__ring_get(&t.loop, NULL));
    pp_run(&t, start_pingpong);
    assert_int_equal(t.rounds, 0);
    assert_int_equal(t.a[0].got, 4 * ROUNDS);
    assert_int_equal(t.b[0].got, 4 * ROUNDS);
    assert_string_equal(t.a[0].last, "pong");
    assert_int_equal(t.a[0].sent_ok, ROUNDS);
    assert_int_equal(t.b[0].sent_ok, ROUNDS);
    assert_int_equal(t.a[0].sent_err + t.b[0].sent_err, 0);
    assert_true(t.woke);
    assert_true(t.late_at - t.t0 < 1000);
    close(t.pipe[0]);
    close(t.pipe[1]);
    pp_close_fds(&t, 1);
}

/* ---- all buffers taken, and the peer's end ---- */

static void start_flood(uv_timer_t *h)
{
    pp_t *t = h->loop->data;
    char msg[3000];
    memset(msg, 'f', sizeof(msg));
    t->r = ld__ring_get(&t->loop, NULL);
    assert_non_null(t->r);
    for (int i = 0; i < NPAIR; i++) {
        int sv[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        put_on(t, &t->a[i], sv[0]);
        t->b[i].fd = sv[1];
        /* the peer writes 8 messages and hangs up (not on the ring) */
        for (int k = 0; k < 8; k++)
            assert_int_equal(write(sv[1], msg, sizeof(msg)),
                             (ssize_t)sizeof(msg));
        shutdown(sv[1], SHUT_WR);
    }
    uv_close((uv_handle_t *)h, NULL);
}

static void test_no_buffers_and_eof(void **state)
{
    pp_t t;
    (void)state;
    if (!have_ring())
        skip();
    ld__ring_test_nbufs = 2; /* 16 sockets, 2 buffers: ENOBUFS and re-arm */
    pp_init(&t, 1);
    pp_run(&t, start_flood);
    ld__ring_test_nbufs = 0;
    for (int i = 0; i < NPAIR; i++) {
        assert_int_equal(t.a[i].got, 8 * 3000);
        assert_int_equal(t.a[i].eof, 1);
        assert_int_equal(t.a[i].err, 0);
    }
    pp_close_fds(&t, NPAIR);
}

/* ---- a send much bigger than the socket buffer ---- */

static void *slow_reader(void *arg)
{
    end_t *e = arg;
    char buf[4096];
    ssize_t n;
    while ((n = read(e->fd, buf, sizeof(buf))) > 0) {
        e->got += (size_t)n;
        if (e->got < (64u << 10))
            usleep(200);
    }
    return NULL;
}

static void start_big(uv_timer_t *h)
{
    pp_t *t = h->loop->data;
    t->r = ld__ring_get(&t->loop, NULL);
    put_on(t, &t->a[0], t->a[0].fd);
    assert_int_equal(ld__ring_send(t->r, t->a[0].id, t->bigbuf, t->big), 0);
    uv_close((uv_handle_t *)h, NULL);
}

static void check_sent(uv_timer_t *h)
{
    pp_t *t = h->loop->data;
    if (t->a[0].sent_ok + t->a[0].sent_err == 0)
        return;
    take_off(t, &t->a[0]);
    shutdown(t->a[0].fd, SHUT_WR);
    uv_close((uv_handle_t *)h, NULL);
}

static void test_big_send(void **state)
{
    pp_t t;
    pthread_t th;
    int sv[2];
    (void)state;
    if (!have_ring())
        skip();
    pp_init(&t, 2);
    t.big = 4u << 20;
    t.bigbuf = malloc(t.big);
    assert_non_null(t.bigbuf);
    memset(t.bigbuf, 'B', t.big);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    t.a[0].fd = sv[0];
    t.b[0].fd = sv[1];
    assert_int_equal(pthread_create(&th, NULL, slow_reader, &t.b[0]), 0);
    uv_timer_init(&t.loop, &t.late);
    uv_timer_start(&t.late, check_sent, 5, 5);
    pp_run(&t, start_big);
    pthread_join(th, NULL);
    assert_int_equal(t.a[0].sent_ok, 1);
    assert_int_equal(t.a[0].sent_err, 0);
    assert_int_equal(t.b[0].got, t.big);
    free(t.bigbuf);
    pp_close_fds(&t, 1);
}

/* ---- uv timers and wake-ups while the ring waits; taking off ---- */

static void *waker(void *arg)
{
    pp_t *t = arg;
    usleep(60000);
    uv_async_send(&t->wake);
    return NULL;
}

static void after_close(uv_timer_t *h)
{
    pp_t *t = h->loop->data;
    char buf[8];
    /* the peer sees the end once the loop has waited again (a receive left
       in the kernel would hold the socket open) */
    assert_int_equal(recv(t->b[0].fd, buf, sizeof(buf), MSG_DONTWAIT), 0);
    t->woke = true;
    uv_close((uv_handle_t *)h, NULL);
}

static void on_wake(uv_async_t *h)
{
    pp_t *t = h->loop->data;
    assert_true(t->late_fired);
    /* a's receive is armed and idle: take it off and close it */
    take_off(t, &t->a[0]);
    close(t->a[0].fd);
    t->a[0].fd = dup(t->b[0].fd); /* keep pp_close_fds simple */
    uv_timer_init(&t->loop, &t->start);
    uv_timer_start(&t->start, after_close, 20, 0);
    uv_close((uv_handle_t *)h, NULL);
}

static void on_late(uv_timer_t *h)
{
    pp_t *t = h->loop->data;
    t->late_fired = true;
    t->late_at = uv_now(&t->loop);
    uv_close((uv_handle_t *)h, NULL);
}

static void start_idle(uv_timer_t *h)
{
    pp_t *t = h->loop->data;
    int sv[2];
    t->r = ld__ring_get(&t->loop, NULL);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    put_on(t, &t->a[0], sv[0]);
    t->b[0].fd = sv[1];
    t->t0 = uv_now(&t->loop);
    uv_timer_init(&t->loop, &t->late);
    uv_timer_start(&t->late, on_late, 30, 0);
    uv_close((uv_handle_t *)h, NULL);
}

static void test_timers_async_remove(void **state)
{
    pp_t t;
    pthread_t th;
    (void)state;
    if (!have_ring())
        skip();
    pp_init(&t, 3);
    uv_async_init(&t.loop, &t.wake, on_wake);
    assert_int_equal(pthread_create(&th, NULL, waker, &t), 0);
    pp_run(&t, start_idle);
    pthread_join(th, NULL);
    assert_true(t.late_fired);
    assert_true(t.late_at - t.t0 >= 30);
    assert_true(t.woke);
    assert_int_equal(t.a[0].got + (size_t)t.a[0].eof + (size_t)t.a[0].err, 0);
    pp_close_fds(&t, 1);
}

/* ---- the mode ---- */

static void no_ring(uv_timer_t *h)
{
    int err = 1;
    assert_null(ld__ring_get(h->loop, &err));
    assert_int_equal(err, 0);
    h->data = h->loop;
    uv_close((uv_handle_t *)h, NULL);
}

static void test_mode(void **state)
{
    ld__io_mode_t m;
    const char *bad = NULL;
    uv_loop_t loop;
    uv_timer_t tm;
    (void)state;
    unsetenv("LOADDENSITY_IO");
    assert_true(ld__io_mode(&m, &bad) && m == LD__IO_AUTO);
    setenv("LOADDENSITY_IO", "epoll", 1);
    assert_true(ld__io_mode(&m, &bad) && m == LD__IO_EPOLL);
    setenv("LOADDENSITY_IO", "io_uring", 1);
    assert_true(ld__io_mode(&m, &bad) && m == LD__IO_URING);
    setenv("LOADDENSITY_IO", "uring", 1);
    assert_false(ld__io_mode(&m, &bad));
    assert_string_equal(bad, "uring");
    /* epoll: a loop run by ld__loop_run never gets a ring */
    setenv("LOADDENSITY_IO", "epoll", 1);
    assert_int_equal(uv_loop_init(&loop), 0);
    uv_timer_init(&loop, &tm);
    uv_timer_start(&tm, no_ring, 0, 0);
    ld__loop_run(&loop);
    assert_true(tm.data == &loop);
    assert_int_equal(uv_loop_close(&loop), 0);
    unsetenv("LOADDENSITY_IO");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mode),
        cmocka_unit_test(test_pingpong),
        cmocka_unit_test(test_no_buffers_and_eof),
        cmocka_unit_test(test_big_send),
        cmocka_unit_test(test_timers_async_remove),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
