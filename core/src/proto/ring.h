/*
 * ring.h - socket I/O of a worker thread through io_uring, with the
 * thread's libuv loop still in charge of everything else (internal).
 *
 * Why: on the native HTTP/1.1 path a keep-alive request costs one write,
 * one read and one epoll_wait through libuv. Through a ring it costs one
 * io_uring_enter: the send queued by the response callback and the wait for
 * the next response go in the same call, and a multishot receive into a
 * shared ring of provided buffers stays armed for the connection's life
 * (no per-connection buffer, so 10,000 connections cost no more memory).
 *
 * How it sits under libuv: ld__loop_run() runs the loop as uv_run() would.
 * Until something asks for a ring it simply is uv_run(); from the first
 * ld__ring_get() on, it waits in io_uring_enter instead, with
 *   - uv's epoll descriptor polled through the ring (a single-shot poll,
 *     re-armed after each uv_run(UV_RUN_NOWAIT)), so handles, async
 *     wake-ups, DNS and libcurl's sockets all still work;
 *   - the wait bounded by uv_backend_timeout(), so uv timers fire on time;
 *   - uv_update_time() after every wait, so uv_now() stays right for the
 *     timers callbacks start.
 * uv_run(UV_RUN_NOWAIT) runs only when its descriptor fired or a timer is
 * due, so a keep-alive request normally never enters libuv.
 *
 * Choice: LOADDENSITY_IO = "auto" (default: a ring when the kernel allows
 * one, else epoll), "epoll" (never a ring), "io_uring" (a ring or the
 * connection fails with the reason). A ring needs Linux 6.1 (multishot
 * receive, provided buffer rings, deferred task running); anything less,
 * or a kernel or sandbox that refuses io_uring, falls back to epoll.
 *
 * Threads: a ring belongs to the thread that created it, and is reached
 * only from there (ld__ring_get looks at a thread-local).
 */
#ifndef LD_PROTO_RING_H
#define LD_PROTO_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

typedef struct ld__ring ld__ring_t;

typedef enum ld__io_mode {
    LD__IO_AUTO = 0,
    LD__IO_EPOLL,
    LD__IO_URING
} ld__io_mode_t;

/* The values LOADDENSITY_IO accepts, for messages. */
#define LD__IO_MODES "\"auto\", \"epoll\" or \"io_uring\""

/** The mode LOADDENSITY_IO asks for; false (and *bad set to the value)
 *  when it is not one of "auto", "epoll", "io_uring". Unset or empty is
 *  "auto". */
bool ld__io_mode(ld__io_mode_t *out, const char **bad);

/** Run loop until nothing is left to do, as uv_run(UV_RUN_DEFAULT); a ring
 *  created on this thread for this loop during the run (ld__ring_get) takes
 *  over the waiting and is freed before returning. */
void ld__loop_run(uv_loop_t *loop);

/** The ring of loop, created on first use; NULL when loop is not being run
 *  by ld__loop_run on this thread, when LOADDENSITY_IO is "epoll", or when
 *  no ring can be had (then err, if not NULL, is set to a negative errno:
 *  -ENOSYS, -EPERM, ... ; 0 when a ring was simply not asked for). */
ld__ring_t *ld__ring_get(uv_loop_t *loop, int *err);

/** Events of a socket on the ring: data (n > 0, valid during the call),
 *  the peer's end (n == UV_EOF) or an error (negative errno) while
 *  receiving; on_sent(owner, status) when a send completed (0) or failed
 *  (negative errno). Receiving stays armed after data. */
typedef void (*ld__ring_read_cb)(void *owner, ssize_t n, const char *buf);
typedef void (*ld__ring_sent_cb)(void *owner, int status);

/** Put connected socket fd on the ring and start receiving; *id names it
 *  for the calls below. Returns 0 or a negative errno. */
int ld__ring_add(ld__ring_t *r, int fd, void *owner, ld__ring_read_cb on_read,
                 ld__ring_sent_cb on_sent, uint32_t *id);
/** Queue a send of n bytes at p (which must stay valid until on_sent); it
 *  goes out with the next wait. Returns 0 or a negative errno. */
int ld__ring_send(ld__ring_t *r, uint32_t id, const void *p, size_t n);
/** Take the socket off the ring before its descriptor is closed: what it
 *  has pending is cancelled and no callback of it comes any more. */
void ld__ring_remove(ld__ring_t *r, uint32_t id);

/** Whether this thread could have a ring now (one is made and freed). */
bool ld__ring_available(void);

/* Test hook: provided buffers per ring (a power of two; 0 = default). */
extern unsigned ld__ring_test_nbufs;

#endif
