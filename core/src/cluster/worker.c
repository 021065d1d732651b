/*
 * worker.c - a Locust 2.x worker in C: registration (client_ready -1 until
 * an ack), heartbeats every second and statistics every 3 s on timers of
 * the controlling thread (the load runs on the live engine's own threads,
 * so it cannot stall them), spawn / stop / quit / reconnect, and recovery
 * when the master restarts (the socket monitor sees the connection come
 * back: users stop and the worker registers again).
 *
 * States as the master sees them in heartbeats: ready before a spawn and
 * after a stop, spawning, running. spawning and spawning_complete are sent
 * only while registered (acked), since the master dies on them otherwise.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <unistd.h>

#include <zmq.h>

#include "cluster/cluster_int.h"

#define TICK_MS 100
#define HEARTBEAT_MS 1000
#define STATS_MS 3000
#define ACK_WAIT_NS 5000000000ull      /* resend client_ready after 5 s */
#define QUIT_GRACE_S 0.15              /* in-flight requests on quit */
#define STOP_WAIT_S 1.0                /* stop without stop_timeout */
#define MAX_CLASS_USERS 10000000
#define LINGER_MS 1000

enum { CW_INIT, CW_READY, CW_SPAWNING, CW_RUNNING, CW_STOPPING, CW_DONE };

typedef struct cw {
    uv_loop_t loop;
    uv_timer_t tick, hb, stats, fin;
    ld__zlink_t *z;
    const ld_cluster_scenario_t *sc;
    size_t nsc;
    const ld_worker_opts_t *o;
    ld_live_t *live;
    char node_id[160];
    char endpoint[320];
    int state;
    bool acked, ever_acked, ready_sent, lost;
    uint64_t ready_ns, waiting_since, stop_deadline;
    double timeout_s;
    double last_spawn_ts;
    double stop_timeout;
    ld__cls_t *cls;
    size_t ncls;
    bool spawned;
    int rc;
    ld_diag_t *d;
    uint64_t cpu_us, cpu_ns;
} cw_t;

static void say(cw_t *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(cw_t *w, const char *fmt, ...)
{
    va_list ap;
    if (!w->o->log)
        return;
    fputs("loaddensity worker: ", w->o->log);
    va_start(ap, fmt);
    vfprintf(w->o->log, fmt, ap);
    va_end(ap);
    fputc('\n', w->o->log);
    fflush(w->o->log);
}

/* <hostname>_<32 hex>: the master spreads users over the text before the
   first '_', so the host part keeps no '_' of its own. */
static void make_node_id(char *out, size_t size)
{
    char host[64] = "localhost";
    unsigned char r[16];
    size_t k;
    if (gethostname(host, sizeof(host) - 1) || !host[0])
        snprintf(host, sizeof(host), "localhost");
    host[sizeof(host) - 1] = '\0';
    for (char *p = host; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
            *p = '-';
    if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
        uint64_t t = ld_now_ns() ^ (uint64_t)getpid() << 32;
        for (size_t i = 0; i < sizeof(r); i++)
            r[i] = (unsigned char)(t >> (8 * (i % 8))) ^ (unsigned char)i;
    }
    k = (size_t)snprintf(out, size, "%s_", host);
    for (size_t i = 0; i < sizeof(r) && k + 2 < size; i++, k += 2)
        snprintf(out + k, size - k, "%02x", r[i]);
}

static void send_mp(cw_t *w, ld__mp_t *m)
{
    if (!m->err)
        ld__zlink_send(w->z, m->sb.data, m->sb.size);
    else
        say(w, "a message was dropped: out of memory");
    ld__mp_free(m);
}

static void send_simple(cw_t *w, const char *type)
{
    ld__mp_t m;
    ld__mp_init(&m);
    ld__mp_simple(&m, type, w->node_id);
    send_mp(w, &m);
}

/* client_ready with -1: the master skips its version check. */
static void send_ready(cw_t *w)
{
    ld__mp_t m;
    ld__mp_init(&m);
    ld__mp_begin(&m, "client_ready");
    ld__mp_int(&m, -1);
    ld__mp_end(&m, w->node_id);
    if (!m.err && !ld__zlink_send(w->z, m.sb.data, m.sb.size)) {
        w->ready_sent = true;
        w->ready_ns = ld_now_ns();
    }
    ld__mp_free(&m);
}

static const char *state_name(const cw_t *w)
{
    switch (w->state) {
    case CW_SPAWNING:
        return "spawning";
    case CW_RUNNING:
    case CW_STOPPING:
        return "running";
    default:
        return "ready";
    }
}

static double cpu_percent(cw_t *w)
{
    struct rusage ru;
    uint64_t now = ld_now_ns(), us;
    double pct = 0;
    if (getrusage(RUSAGE_SELF, &ru))
        return 0;
    us = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
         (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
    if (w->cpu_ns && now > w->cpu_ns)
        pct = (double)(us - w->cpu_us) * 1e5 / (double)(now - w->cpu_ns);
    w->cpu_us = us;
    w->cpu_ns = now;
    return pct;
}

static int64_t rss_bytes(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
        rss = 0;
    fclose(f);
    return (int64_t)rss * sysconf(_SC_PAGESIZE);
}

static void send_heartbeat(cw_t *w)
{
    ld__mp_t m;
    ld__mp_init(&m);
    ld__mp_heartbeat(&m, state_name(w), cpu_percent(w), rss_bytes(),
                     w->node_id);
    send_mp(w, &m);
}

/* Our scenarios' classes with 0 users, until a spawn names the master's. */
static int idle_classes(cw_t *w, ld__cls_t **out, size_t *n)
{
    if (w->spawned) {
        *out = w->cls;
        *n = w->ncls;
        return 0;
    }
    if (!(*out = calloc(w->nsc, sizeof(**out))))
        return LD_ENOMEM;
    for (size_t i = 0; i < w->nsc; i++)
        (*out)[i].name = w->sc[i].class_name;
    *n = w->nsc;
    return 0;
}

static void send_stats(cw_t *w)
{
    ld_live_stats_t st;
    ld__cls_t *cls = NULL;
    size_t ncls = 0;
    ld__mp_t m;
    bool zero = w->state != CW_SPAWNING && w->state != CW_RUNNING;
    if (ld_live_take_stats(w->live, &st)) {
        say(w, "a statistics report was lost: out of memory");
        return;
    }
    if (!idle_classes(w, &cls, &ncls)) {
        ld__mp_init(&m);
        ld__mp_stats(&m, &st, cls, ncls, zero, w->node_id);
        send_mp(w, &m);
    }
    if (cls != w->cls)
        free(cls);
    ld_live_stats_free(&st);
}

/* ---- spawn ---- */

static size_t scenario_for(cw_t *w, const char *name)
{
    for (size_t i = 0; i < w->nsc; i++)
        if (!strcmp(w->sc[i].class_name, name))
            return i;
    if (w->nsc > 1)
        say(w, "the master's class %s matches no scenario; %s runs its "
               "users", name, w->sc[0].class_name);
    return 0;
}

static ld__cls_t *class_get(cw_t *w, const char *name, size_t len)
{
    ld__cls_t *v;
    for (size_t i = 0; i < w->ncls; i++)
        if (strlen(w->cls[i].name) == len && !memcmp(w->cls[i].name, name, len))
            return &w->cls[i];
    if (!(v = realloc(w->cls, (w->ncls + 1) * sizeof(*v))))
        return NULL;
    w->cls = v;
    v = &w->cls[w->ncls];
    memset(v, 0, sizeof(*v));
    if (!(v->name = ld_strndup(name, len)))
        return NULL;
    v->scenario = scenario_for(w, v->name);
    w->ncls++;
    return v;
}

/* Absolute per-class counts of a spawn message. */
static void read_classes(cw_t *w, const msgpack_object *ucc)
{
    for (size_t i = 0; i < w->ncls; i++)
        w->cls[i].count = 0;
    for (uint32_t i = 0; ucc && ucc->type == MSGPACK_OBJECT_MAP &&
                         i < ucc->via.map.size; i++) {
        const msgpack_object_kv *kv = &ucc->via.map.ptr[i];
        double n = 0;
        ld__cls_t *c;
        if (kv->key.type != MSGPACK_OBJECT_STR || !ld__mp_num(&kv->val, &n))
            continue;
        if (!(c = class_get(w, kv->key.via.str.ptr, kv->key.via.str.size)))
            continue;
        c->count = n > 0 ? (n > MAX_CLASS_USERS ? MAX_CLASS_USERS
                                                : (unsigned)n)
                         : 0;
    }
}

static unsigned apply_classes(cw_t *w)
{
    unsigned total = 0;
    for (size_t s = 0; s < w->nsc; s++) {
        unsigned n = 0;
        for (size_t i = 0; i < w->ncls; i++)
            if (w->cls[i].scenario == s)
                n += w->cls[i].count;
        ld_live_set_users(w->live, s, n);
        total += n;
    }
    return total;
}

static void send_spawn_complete(cw_t *w, unsigned total)
{
    ld__mp_t m;
    ld__mp_init(&m);
    ld__mp_begin(&m, "spawning_complete");
    ld__mp_map(&m, 2);
    ld__mp_str(&m, "user_classes_count");
    ld__mp_classes(&m, w->cls, w->ncls, false);
    ld__mp_str(&m, "user_count");
    ld__mp_int(&m, total);
    ld__mp_end(&m, w->node_id);
    send_mp(w, &m);
}

static void on_spawn(cw_t *w, const msgpack_object *data)
{
    double ts = 0, stop_to = 0;
    unsigned total;
    if (!w->acked || w->state == CW_DONE)
        return; /* never answer while the master does not know us */
    if (!ld__mp_num(ld__mp_get(data, "timestamp"), &ts) ||
        ts <= w->last_spawn_ts)
        return; /* stale (or unreadable): Locust's worker drops it too */
    w->last_spawn_ts = ts;
    w->stop_timeout =
        ld__mp_num(ld__mp_get(data, "stop_timeout"), &stop_to) ? stop_to : 0;
    w->state = CW_SPAWNING;
    send_simple(w, "spawning");
    read_classes(w, ld__mp_get(data, "user_classes_count"));
    w->spawned = true;
    total = apply_classes(w);
    w->state = CW_RUNNING;
    send_spawn_complete(w, total);
    say(w, "spawn: %u user%s", total, total == 1 ? "" : "s");
}

/* ---- stop, quit, loss ---- */

static void finish_stop(cw_t *w)
{
    w->state = CW_INIT;
    send_stats(w);
    send_simple(w, "client_stopped");
    w->acked = false;
    w->waiting_since = ld_now_ns();
    send_ready(w);
    say(w, "stopped; ready for the next test");
}

static void on_stop(cw_t *w)
{
    if (!w->acked || w->state == CW_DONE)
        return;
    if (w->state != CW_SPAWNING && w->state != CW_RUNNING) {
        finish_stop(w);
        return;
    }
    ld_live_stop_users(w->live);
    w->state = CW_STOPPING;
    w->stop_deadline =
        ld_now_ns() +
        (uint64_t)((w->stop_timeout > 0 ? w->stop_timeout : STOP_WAIT_S) *
                   1e9);
}

static void fin_cb(uv_timer_t *t)
{
    cw_t *w = t->data;
    uv_timer_stop(&w->tick);
    uv_timer_stop(&w->hb);
    uv_timer_stop(&w->stats);
    ld__zlink_close(w->z, LINGER_MS);
    w->z = NULL;
    uv_close((uv_handle_t *)&w->tick, NULL);
    uv_close((uv_handle_t *)&w->hb, NULL);
    uv_close((uv_handle_t *)&w->stats, NULL);
    uv_close((uv_handle_t *)&w->fin, NULL);
}

/* Leave: stop the users, report the last window (within Locust's 0.5 s),
   say quit when registered, then close. */
static void leave(cw_t *w, bool tell)
{
    bool was_acked = w->acked;
    if (w->state == CW_DONE)
        return;
    w->state = CW_DONE;
    ld_live_halt(w->live, QUIT_GRACE_S);
    if (w->ever_acked)
        send_stats(w);
    if (tell && was_acked)
        send_simple(w, "quit");
    uv_timer_start(&w->fin, fin_cb, 0, 0);
}

static void fail(cw_t *w, int rc, const char *why)
{
    w->rc = ld_diag_set(w->d, rc, NULL, NULL, "%s", why);
    leave(w, false);
}

static void on_event(void *user, int ev)
{
    cw_t *w = user;
    if (w->state == CW_DONE)
        return;
    if (ev == ZMQ_EVENT_DISCONNECTED && !w->lost) {
        w->lost = true;
        if (w->acked) { /* the connect timeout runs from here */
            w->waiting_since = ld_now_ns();
            say(w, "lost the connection to the master; waiting for it");
        }
        w->acked = false;
    } else if (ev == ZMQ_EVENT_CONNECTED) {
        if (w->lost) {
            /* Maybe a new master: it knows nothing of us or of a test. */
            if (w->state != CW_INIT && w->state != CW_READY)
                say(w, "connected to a master again; stopping the users "
                       "and registering");
            ld_live_stop_users(w->live);
            w->state = CW_INIT;
            w->lost = false;
        }
        if (!w->acked) {
            /* The handshake may not be done yet (a send then fails): the
               tick keeps trying until one goes. */
            w->ready_sent = false;
            send_ready(w);
        }
    }
}

static void on_ack(cw_t *w, const msgpack_object *data)
{
    double idx = -1;
    if (w->acked)
        return;
    w->acked = w->ever_acked = true;
    w->lost = false;
    if (w->state == CW_INIT)
        w->state = CW_READY;
    ld__mp_num(ld__mp_get(data, "index"), &idx);
    say(w, "registered with the master at %s as %s (worker index %.0f)",
        w->endpoint, w->node_id, idx);
    send_heartbeat(w);
}

static void on_msg(void *user, const void *buf, size_t len)
{
    cw_t *w = user;
    ld__msg_t m;
    if (ld__msg_decode(buf, len, &m)) {
        say(w, "ignored a frame that is not a Locust message");
    } else if (ld__msg_is(&m, "ack")) {
        on_ack(w, m.data);
    } else if (ld__msg_is(&m, "spawn")) {
        on_spawn(w, m.data);
    } else if (ld__msg_is(&m, "stop")) {
        on_stop(w);
    } else if (ld__msg_is(&m, "quit")) {
        say(w, "the master says quit");
        leave(w, true);
    } else if (ld__msg_is(&m, "reconnect")) {
        say(w, "the master asks for a new connection");
        ld__zlink_reopen(w->z);
    }
    /* heartbeat (Locust >= 2.19) and custom messages need no answer */
    ld__msg_free(&m);
}

/* ---- timers ---- */

static unsigned users_now(cw_t *w)
{
    unsigned n = 0;
    for (size_t s = 0; s < w->nsc; s++)
        n += ld_live_users(w->live, s);
    return n;
}

static void tick_cb(uv_timer_t *t)
{
    cw_t *w = t->data;
    uint64_t now = ld_now_ns();
    int intr = w->o->interrupt
                   ? __atomic_load_n(w->o->interrupt, __ATOMIC_RELAXED)
                   : 0;
    if (w->state == CW_DONE)
        return;
    if (intr > 0) {
        say(w, "interrupted: leaving the master");
        leave(w, true);
        return;
    }
    if (!w->acked && (double)(now - w->waiting_since) * 1e-9 > w->timeout_s) {
        char why[400];
        snprintf(why, sizeof(why),
                 "no Locust master answered at %s within %.0f s", w->endpoint,
                 w->timeout_s);
        fail(w, LD_EIO, why);
        return;
    }
    if (!w->acked && !w->lost &&
        (!w->ready_sent || now - w->ready_ns >= ACK_WAIT_NS))
        send_ready(w);
    if (w->state == CW_STOPPING &&
        (users_now(w) == 0 || now >= w->stop_deadline))
        finish_stop(w);
    ld__zlink_pump(w->z);
}

static void hb_cb(uv_timer_t *t)
{
    cw_t *w = t->data;
    if (w->acked && w->state != CW_DONE)
        send_heartbeat(w);
}

static void stats_cb(uv_timer_t *t)
{
    cw_t *w = t->data;
    if (w->ever_acked && w->state != CW_DONE)
        send_stats(w);
}

/* ---- run ---- */

static int setup(cw_t *w, ld_diag_t *d)
{
    const char *host = w->o->master_host ? w->o->master_host : "127.0.0.1";
    int port = w->o->master_port ? w->o->master_port : 5557;
    if (port < 1 || port > 65535 || !*host || strlen(host) > 255)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "bad master address %s:%d", host, port);
    snprintf(w->endpoint, sizeof(w->endpoint),
             strchr(host, ':') ? "tcp://[%s]:%d" : "tcp://%s:%d", host, port);
    make_node_id(w->node_id, sizeof(w->node_id));
    w->timeout_s = w->o->connect_timeout_s > 0 ? w->o->connect_timeout_s
                                               : LD_CLUSTER_CONNECT_TIMEOUT_S;
    w->waiting_since = ld_now_ns();
    return ld__zlink_open(&w->loop, w->endpoint, w->node_id, on_msg, on_event,
                          w, &w->z, d);
}

static int start_live(cw_t *w, ld_diag_t *d)
{
    ld_test_plan_t **plans = calloc(w->nsc, sizeof(*plans));
    ld_live_opts_t lo;
    int rc;
    if (!plans)
        return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < w->nsc; i++)
        plans[i] = w->sc[i].plan;
    memset(&lo, 0, sizeof(lo));
    lo.threads = w->o->threads;
    lo.keep_records = w->o->keep_records;
    rc = ld_live_start(plans, w->nsc, &lo, &w->live, d);
    free(plans);
    return rc;
}

int ld_cluster_worker_run(const ld_cluster_scenario_t *sc, size_t n,
                          const ld_worker_opts_t *o, ld_records_t *records,
                          ld_diag_t *d)
{
    cw_t w;
    int rc, crc;
    if (!sc || !n || !o)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL, "no scenario to run");
    memset(&w, 0, sizeof(w));
    w.sc = sc;
    w.nsc = n;
    w.o = o;
    w.d = d;
    if (uv_loop_init(&w.loop))
        return ld_diag_set(d, LD_EINTERNAL, NULL, NULL, "cannot start a loop");
    uv_timer_init(&w.loop, &w.tick);
    uv_timer_init(&w.loop, &w.hb);
    uv_timer_init(&w.loop, &w.stats);
    uv_timer_init(&w.loop, &w.fin);
    w.tick.data = w.hb.data = w.stats.data = w.fin.data = &w;
    rc = start_live(&w, d);
    if (!rc && !(rc = setup(&w, d))) {
        say(&w, "connecting to %s as %s", w.endpoint, w.node_id);
        send_ready(&w);
        uv_timer_start(&w.tick, tick_cb, TICK_MS, TICK_MS);
        uv_timer_start(&w.hb, hb_cb, HEARTBEAT_MS, HEARTBEAT_MS);
        uv_timer_start(&w.stats, stats_cb, STATS_MS, STATS_MS);
    } else {
        ld__zlink_close(w.z, 0);
        uv_close((uv_handle_t *)&w.tick, NULL);
        uv_close((uv_handle_t *)&w.hb, NULL);
        uv_close((uv_handle_t *)&w.stats, NULL);
        uv_close((uv_handle_t *)&w.fin, NULL);
    }
    uv_run(&w.loop, UV_RUN_DEFAULT);
    uv_loop_close(&w.loop);
    if (!rc)
        rc = w.rc;
    crc = ld_live_close(w.live, records);
    if (!rc && crc)
        rc = ld_diag_set(d, crc, NULL, NULL, "cannot keep the records: %s",
                         ld_strerror(crc));
    for (size_t i = 0; i < w.ncls; i++)
        free(w.cls[i].name);
    free(w.cls);
    return rc;
}
