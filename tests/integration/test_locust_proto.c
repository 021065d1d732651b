/*
 * The C worker against a scripted master: a ZeroMQ ROUTER on 127.0.0.1 (an
 * ephemeral port) that speaks Locust 2.12's side of the protocol, checks
 * every frame the worker sends (one frame, [str, any, str], node id equal to
 * the routing id, str never bin) and plays registration, spawn, a stale
 * spawn, stop, quit, and a master that restarts.
 */
#include "test_engine_util.h"

#include <msgpack.h>
#include <pthread.h>
#include <time.h>
#include <zmq.h>

#include "ldcore/cluster.h"

typedef struct fake {
    void *ctx, *router;
    char endpoint[64];
    int port;
    char id[256];
    size_t idlen;
    /* the worker */
    te_run_t r;
    ld_cluster_scenario_t sc;
    ld_worker_opts_t o;
    volatile sig_atomic_t intr;
    pthread_t th;
    int rc;
    /* what the stats said */
    uint64_t requests, failures, nstats;
    int64_t last_users;
} fake_t;

static void bind_router(fake_t *f, int port)
{
    char ep[64];
    size_t sz = sizeof(f->endpoint);
    int zero = 0;
    f->router = zmq_socket(f->ctx, ZMQ_ROUTER);
    assert_non_null(f->router);
    zmq_setsockopt(f->router, ZMQ_LINGER, &zero, sizeof(zero));
    if (port)
        snprintf(ep, sizeof(ep), "tcp://127.0.0.1:%d", port);
    else
        snprintf(ep, sizeof(ep), "tcp://127.0.0.1:*");
    for (int i = 0; i < 50 && zmq_bind(f->router, ep); i++) {
        struct timespec ts = {0, 100000000L};
        nanosleep(&ts, NULL); /* the old socket may take a moment to go */
    }
    assert_int_equal(zmq_getsockopt(f->router, ZMQ_LAST_ENDPOINT, f->endpoint,
                                    &sz),
                     0);
    f->port = atoi(strrchr(f->endpoint, ':') + 1);
    assert_true(f->port > 0);
}

static void *worker_main(void *arg)
{
    fake_t *f = arg;
    ld_diag_t d;
    f->rc = ld_cluster_worker_run(&f->sc, 1, &f->o, f->r.records, &d);
    return NULL;
}

static void start(fake_t *f)
{
    memset(f, 0, sizeof(*f));
    f->ctx = zmq_ctx_new();
    bind_router(f, 0);
    te_start_target(&f->r);
    assert_int_equal(te_compile(&f->r,
                                "{\"user_detail_dict\": {\"wait_time\": 0.01},"
                                " \"host\": \"http://127.0.0.1:PORT\","
                                " \"tasks\": [{\"request_url\": \"/\"},"
                                " {\"request_url\": \"/status/500\","
                                " \"name\": \"bad\"}]}"),
                     0);
    f->sc.class_name = (char *)(uintptr_t)"LoadDensityUser";
    f->sc.plan = f->r.plan;
    f->o.master_port = f->port;
    f->o.keep_records = true;
    f->o.connect_timeout_s = 15;
    f->o.interrupt = &f->intr;
    f->o.threads = 1;
    assert_int_equal(pthread_create(&f->th, NULL, worker_main, f), 0);
}

/* ---- frames ---- */

static bool is_str(const msgpack_object *o, const char *s)
{
    return o->type == MSGPACK_OBJECT_STR && o->via.str.size == strlen(s) &&
           !memcmp(o->via.str.ptr, s, o->via.str.size);
}

static const msgpack_object *get(const msgpack_object *map, const char *k)
{
    if (map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < map->via.map.size; i++)
        if (is_str(&map->via.map.ptr[i].key, k))
            return &map->via.map.ptr[i].val;
    return NULL;
}

/* No bin anywhere, ever. */
static void no_bin(const msgpack_object *o)
{
    assert_int_not_equal(o->type, MSGPACK_OBJECT_BIN);
    assert_int_not_equal(o->type, MSGPACK_OBJECT_EXT);
    if (o->type == MSGPACK_OBJECT_ARRAY)
        for (uint32_t i = 0; i < o->via.array.size; i++)
            no_bin(&o->via.array.ptr[i]);
    if (o->type == MSGPACK_OBJECT_MAP)
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            no_bin(&o->via.map.ptr[i].key);
            no_bin(&o->via.map.ptr[i].val);
        }
}

static void check_entry(const msgpack_object *e, bool total)
{
    static const char *const keys[] = {
        "name", "method", "last_request_timestamp", "start_time",
        "num_requests", "num_none_requests", "num_failures",
        "total_response_time", "max_response_time", "min_response_time",
        "total_content_length", "response_times", "num_reqs_per_sec",
        "num_fail_per_sec"};
    const msgpack_object *n, *rt;
    assert_int_equal(e->type, MSGPACK_OBJECT_MAP);
    assert_int_equal(e->via.map.size, 14);
    for (size_t i = 0; i < 14; i++)
        assert_non_null(get(e, keys[i]));
    n = get(e, "num_requests");
    assert_int_equal(get(e, "start_time")->type, MSGPACK_OBJECT_FLOAT64);
    assert_true(get(e, "start_time")->via.f64 > 1.6e9);
    if (n->via.u64 == 0) { /* nil, never 0, in an empty window */
        assert_true(total);
        assert_int_equal(get(e, "min_response_time")->type,
                         MSGPACK_OBJECT_NIL);
        assert_int_equal(get(e, "last_request_timestamp")->type,
                         MSGPACK_OBJECT_NIL);
    }
    rt = get(e, "response_times");
    for (uint32_t i = 0; i < rt->via.map.size; i++)
        assert_int_equal(rt->via.map.ptr[i].key.type,
                         MSGPACK_OBJECT_POSITIVE_INTEGER);
    rt = get(e, "num_reqs_per_sec");
    for (uint32_t i = 0; i < rt->via.map.size; i++)
        assert_true(rt->via.map.ptr[i].key.via.u64 > 1600000000u);
}

static void check_stats(fake_t *f, const msgpack_object *d)
{
    const msgpack_object *st = get(d, "stats"), *tot = get(d, "stats_total");
    const msgpack_object *ucc = get(d, "user_classes_count");
    assert_non_null(st);
    assert_non_null(tot);
    assert_non_null(get(d, "errors"));
    assert_non_null(ucc);
    assert_non_null(get(d, "user_count"));
    for (uint32_t i = 0; i < st->via.array.size; i++)
        check_entry(&st->via.array.ptr[i], false);
    check_entry(tot, true);
    f->requests += get(tot, "num_requests")->via.u64;
    f->failures += get(tot, "num_failures")->via.u64;
    f->nstats++;
    f->last_users = get(d, "user_count")->via.i64;
}

/* The next message (any type) within ms; its type in type (or "" on
   timeout); u holds it. Every frame is checked. */
static void recv_any(fake_t *f, int ms, char *type, msgpack_unpacked *u)
{
    zmq_pollitem_t it = {f->router, 0, ZMQ_POLLIN, 0};
    zmq_msg_t id, body;
    size_t off = 0;
    const msgpack_object *o;
    type[0] = '\0';
    if (zmq_poll(&it, 1, ms) <= 0)
        return;
    zmq_msg_init(&id);
    zmq_msg_init(&body);
    assert_true(zmq_msg_recv(&id, f->router, 0) > 0);
    assert_true(zmq_msg_more(&id));
    assert_true(zmq_msg_recv(&body, f->router, 0) >= 0);
    assert_false(zmq_msg_more(&body)); /* exactly one payload frame */
    assert_int_equal(msgpack_unpack_next(u, zmq_msg_data(&body),
                                         zmq_msg_size(&body), &off),
                     MSGPACK_UNPACK_SUCCESS);
    assert_int_equal(off, zmq_msg_size(&body)); /* no trailing bytes */
    o = &u->data;
    no_bin(o);
    assert_int_equal(o->type, MSGPACK_OBJECT_ARRAY);
    assert_int_equal(o->via.array.size, 3);
    assert_int_equal(o->via.array.ptr[0].type, MSGPACK_OBJECT_STR);
    assert_int_equal(o->via.array.ptr[2].type, MSGPACK_OBJECT_STR);
    f->idlen = zmq_msg_size(&id);
    assert_true(f->idlen < sizeof(f->id));
    memcpy(f->id, zmq_msg_data(&id), f->idlen);
    f->id[f->idlen] = '\0';
    assert_int_equal(o->via.array.ptr[2].via.str.size, f->idlen);
    assert_memory_equal(o->via.array.ptr[2].via.str.ptr, f->id, f->idlen);
    snprintf(type, 32, "%.*s", (int)o->via.array.ptr[0].via.str.size,
             o->via.array.ptr[0].via.str.ptr);
    if (!strcmp(type, "stats"))
        check_stats(f, &o->via.array.ptr[1]);
    zmq_msg_close(&id);
    zmq_msg_close(&body);
}

/* Skip heartbeats and stats until `want` arrives (fail after ms). */
static void expect(fake_t *f, const char *want, int ms, msgpack_unpacked *u)
{
    char type[32];
    uint64_t end = ld_now_ns() + (uint64_t)ms * 1000000u;
    while (ld_now_ns() < end) {
        recv_any(f, 100, type, u);
        if (!strcmp(type, want))
            return;
        if (type[0] && strcmp(type, "heartbeat") && strcmp(type, "stats"))
            fail_msg("got %s while waiting for %s", type, want);
    }
    fail_msg("no %s within %d ms", want, ms);
}

static void send_to(fake_t *f, const char *type, const char *data_json)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 3);
    msgpack_pack_str_with_body(&pk, type, strlen(type));
    if (!data_json) {
        msgpack_pack_nil(&pk);
    } else { /* the few shapes the script needs */
        json_t *j = json_loads(data_json, 0, NULL);
        const char *k;
        json_t *v;
        assert_non_null(j);
        msgpack_pack_map(&pk, json_object_size(j));
        json_object_foreach(j, k, v)
        {
            msgpack_pack_str_with_body(&pk, k, strlen(k));
            if (json_is_integer(v))
                msgpack_pack_int64(&pk, json_integer_value(v));
            else if (json_is_real(v))
                msgpack_pack_double(&pk, json_real_value(v));
            else if (json_is_null(v))
                msgpack_pack_nil(&pk);
            else if (json_is_object(v)) {
                const char *k2;
                json_t *v2;
                msgpack_pack_map(&pk, json_object_size(v));
                json_object_foreach(v, k2, v2)
                {
                    msgpack_pack_str_with_body(&pk, k2, strlen(k2));
                    msgpack_pack_int64(&pk, json_integer_value(v2));
                }
            } else {
                msgpack_pack_str_with_body(&pk, "x", 1);
            }
        }
        json_decref(j);
    }
    msgpack_pack_str_with_body(&pk, f->id, f->idlen);
    assert_true(zmq_send(f->router, f->id, f->idlen, ZMQ_SNDMORE) >= 0);
    assert_true(zmq_send(f->router, sb.data, sb.size, 0) >= 0);
    msgpack_sbuffer_destroy(&sb);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void spawn(fake_t *f, double ts, int users)
{
    char json[256];
    snprintf(json, sizeof(json),
             "{\"timestamp\": %.6f, \"user_classes_count\": "
             "{\"LoadDensityUser\": %d}, \"host\": null, \"stop_timeout\": "
             "null, \"parsed_options\": \"opts\"}",
             ts, users);
    send_to(f, "spawn", json);
}

static void register_worker(fake_t *f, msgpack_unpacked *u)
{
    const msgpack_object *hb;
    expect(f, "client_ready", 5000, u);
    /* data is the int -1 (0xff): the master skips its version check */
    assert_int_equal(u->data.via.array.ptr[1].type,
                     MSGPACK_OBJECT_NEGATIVE_INTEGER);
    assert_int_equal(u->data.via.array.ptr[1].via.i64, -1);
    send_to(f, "ack", "{\"index\": 0}");
    expect(f, "heartbeat", 3000, u);
    hb = &u->data.via.array.ptr[1];
    assert_true(is_str(get(hb, "state"), "ready"));
    assert_non_null(get(hb, "current_cpu_usage"));
}

static void test_session(void **state)
{
    fake_t f;
    msgpack_unpacked u;
    const msgpack_object *d;
    double ts = now_s();
    char type[32];
    (void)state;
    msgpack_unpacked_init(&u);
    start(&f);
    register_worker(&f, &u);
    spawn(&f, ts, 3);
    expect(&f, "spawning", 2000, &u);
    expect(&f, "spawning_complete", 2000, &u);
    d = &u.data.via.array.ptr[1];
    assert_int_equal(get(get(d, "user_classes_count"), "LoadDensityUser")
                         ->via.u64,
                     3);
    spawn(&f, ts - 1, 0); /* stale: dropped without an answer */
    for (uint64_t end = ld_now_ns() + 3500000000ull; ld_now_ns() < end;) {
        recv_any(&f, 100, type, &u);
        assert_true(!type[0] || !strcmp(type, "heartbeat") ||
                    !strcmp(type, "stats"));
        if (!strcmp(type, "heartbeat"))
            assert_true(
                is_str(get(&u.data.via.array.ptr[1], "state"), "running"));
    }
    assert_true(f.nstats >= 1);
    assert_int_equal(f.last_users, 3);
    send_to(&f, "stop", NULL);
    expect(&f, "client_stopped", 3000, &u);
    expect(&f, "client_ready", 1000, &u);
    send_to(&f, "ack", "{\"index\": 0}");
    expect(&f, "heartbeat", 2000, &u);
    assert_true(is_str(get(&u.data.via.array.ptr[1], "state"), "ready"));
    send_to(&f, "quit", NULL);
    expect(&f, "stats", 500, &u); /* the last window, within 0.5 s */
    expect(&f, "quit", 1000, &u);
    pthread_join(f.th, NULL);
    assert_int_equal(f.rc, 0);
    assert_true(f.requests > 0 && f.failures > 0);
    assert_int_equal(f.requests, ld_target_requests(f.r.target));
    assert_int_equal(f.requests, ld_records_count(f.r.records));
    assert_int_equal(f.failures, ld_records_failed(f.r.records));
    msgpack_unpacked_destroy(&u);
    zmq_close(f.router);
    zmq_ctx_term(f.ctx);
    te_free(&f.r);
}

static void test_master_restarts(void **state)
{
    fake_t f;
    msgpack_unpacked u;
    int port;
    (void)state;
    msgpack_unpacked_init(&u);
    start(&f);
    register_worker(&f, &u);
    spawn(&f, now_s(), 2);
    expect(&f, "spawning", 2000, &u);
    expect(&f, "spawning_complete", 2000, &u);
    /* The master dies and a new one binds the same port. */
    port = f.port;
    zmq_close(f.router);
    bind_router(&f, port);
    register_worker(&f, &u); /* registers again, users stopped: "ready" */
    spawn(&f, now_s(), 1);
    expect(&f, "spawning", 2000, &u);
    expect(&f, "spawning_complete", 2000, &u);
    __atomic_store_n(&f.intr, 1, __ATOMIC_RELAXED); /* Ctrl-C: quit */
    expect(&f, "quit", 2000, &u);
    pthread_join(f.th, NULL);
    assert_int_equal(f.rc, 0);
    msgpack_unpacked_destroy(&u);
    zmq_close(f.router);
    zmq_ctx_term(f.ctx);
    te_free(&f.r);
}

static void test_no_master(void **state)
{
    ld_cluster_scenario_t sc;
    ld_worker_opts_t o;
    ld_diag_t d;
    te_run_t r;
    uint64_t t0;
    (void)state;
    te_start_target(&r);
    assert_int_equal(te_compile(&r, "{\"user_detail_dict\": {}, \"tasks\": "
                                    "[{\"request_url\": \"/\"}]}"),
                     0);
    sc.class_name = (char *)(uintptr_t)"X";
    sc.plan = r.plan;
    memset(&o, 0, sizeof(o));
    o.master_port = r.port; /* an HTTP server, not a master: no ack */
    o.connect_timeout_s = 1.5;
    t0 = ld_now_ns();
    assert_int_equal(ld_cluster_worker_run(&sc, 1, &o, NULL, &d), LD_EIO);
    assert_true(ld_now_ns() - t0 < 5000000000ull);
    assert_non_null(strstr(d.msg, "no Locust master answered"));
    te_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session),
        cmocka_unit_test(test_master_restarts),
        cmocka_unit_test(test_no_master),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
