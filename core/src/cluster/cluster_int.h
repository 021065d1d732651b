/*
 * cluster_int.h - the Locust protocol's messages (mp.c) for the worker
 * (worker.c). Every message is one msgpack array [type, data, node_id];
 * strings are always msgpack str and valid UTF-8 (invalid bytes become
 * U+FFFD), because one malformed frame can kill a Locust master's receive
 * loop for good.
 */
#ifndef LD_CLUSTER_INT_H
#define LD_CLUSTER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "ldcore/cluster.h"

/* A message being built. Packing errors (out of memory) are sticky. */
typedef struct ld__mp {
    msgpack_sbuffer sb;
    msgpack_packer pk;
    int err;
} ld__mp_t;

void ld__mp_init(ld__mp_t *m);
void ld__mp_free(ld__mp_t *m);
void ld__mp_str(ld__mp_t *m, const char *s);
void ld__mp_strn(ld__mp_t *m, const char *s, size_t n);
void ld__mp_int(ld__mp_t *m, int64_t v);
void ld__mp_double(ld__mp_t *m, double v);
void ld__mp_nil(ld__mp_t *m);
void ld__mp_map(ld__mp_t *m, size_t n);
void ld__mp_array(ld__mp_t *m, size_t n);
/** [type, <data packed next>, ...: the envelope's first two parts. */
void ld__mp_begin(ld__mp_t *m, const char *type);
/** ..., node_id]: closes the envelope. */
void ld__mp_end(ld__mp_t *m, const char *node_id);
/** A whole message with nil data. */
void ld__mp_simple(ld__mp_t *m, const char *type, const char *node_id);

/** Length of s once invalid UTF-8 is replaced (== n when valid). */
size_t ld__utf8_fixed_len(const char *s, size_t n);

/* One class of the master's locustfile and the users it has here. */
typedef struct ld__cls {
    char *name;
    unsigned count;
    size_t scenario;
} ld__cls_t;

/** user_classes_count: {name: count} (count 0 for all when zero). */
void ld__mp_classes(ld__mp_t *m, const ld__cls_t *cls, size_t n, bool zero);

/** The "stats" message of a window (Locust 2.x report shape). */
void ld__mp_stats(ld__mp_t *m, const ld_live_stats_t *st, const ld__cls_t *cls,
                  size_t ncls, bool zero, const char *node_id);
void ld__mp_heartbeat(ld__mp_t *m, const char *state, double cpu,
                      int64_t rss, const char *node_id);

/* ---- decoding ---- */

typedef struct ld__msg {
    msgpack_unpacked u;
    const char *type; /* not NUL-terminated */
    size_t type_len;
    const msgpack_object *data;
} ld__msg_t;

/** Decode one frame; 0, or LD_ESYNTAX when it is not [str, any, str] (with
 *  nothing after it). Release with ld__msg_free either way. */
int ld__msg_decode(const void *buf, size_t len, ld__msg_t *m);
void ld__msg_free(ld__msg_t *m);
bool ld__msg_is(const ld__msg_t *m, const char *type);
/** Member of a map by string key, or NULL. */
const msgpack_object *ld__mp_get(const msgpack_object *map, const char *key);
/** A number (int or float) as double. */
bool ld__mp_num(const msgpack_object *o, double *out);

/* ---- the ZeroMQ link to the master (zlink.c) ----
 * A DEALER socket on a libuv loop: its ZMQ_FD (edge-triggered) and a socket
 * monitor's are polled; every wakeup, and every send, drains both until
 * nothing is left. ZMQ_IMMEDIATE is set, so nothing queues while no master
 * is connected: a send then fails at once instead of reaching a restarted
 * master late. Callbacks run from ld__zlink_pump. */

#include <uv.h>

typedef struct ld__zlink ld__zlink_t;
typedef void (*ld__zlink_msg_cb)(void *user, const void *buf, size_t len);
/* event: ZMQ_EVENT_CONNECTED or ZMQ_EVENT_DISCONNECTED */
typedef void (*ld__zlink_ev_cb)(void *user, int event);

int ld__zlink_open(uv_loop_t *loop, const char *endpoint, const char *identity,
                   ld__zlink_msg_cb on_msg, ld__zlink_ev_cb on_event,
                   void *user, ld__zlink_t **out, ld_diag_t *d);
/** Send one frame now; LD_EIO when it cannot go (no master connected). */
int ld__zlink_send(ld__zlink_t *z, const void *buf, size_t len);
/** Replace the socket by a new one with the same identity (at the end of
 *  the current pump when called from a callback). */
void ld__zlink_reopen(ld__zlink_t *z);
/** Deliver whatever arrived. */
void ld__zlink_pump(ld__zlink_t *z);
/** Close: queued frames get up to linger_ms to leave. The loop must run
 *  afterwards to release the handles. */
void ld__zlink_close(ld__zlink_t *z, int linger_ms);

#endif
