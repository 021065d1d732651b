/*
 * The embedded target's lifecycle: bind on the caller's thread (so errors
 * come back synchronously), then run the loop on a thread of its own; stop
 * through a uv_async_t that closes every handle before uv_loop_close.
 */
#include "target/target_int.h"

#include <arpa/inet.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static void on_connection(uv_stream_t *server, int status)
{
    ld_target_t *srv = server->data;

    if (status < 0 || srv->stopping)
        return;
    ld__tconn_accept(srv);
}

static void on_quiet_close(uv_handle_t *h)
{
    (void)h;
}

static void on_stop(uv_async_t *a)
{
    ld_target_t *srv = a->data;

    srv->stopping = 1;
    while (srv->conns)
        ld__tconn_close(srv->conns); /* unlinks it */
    uv_close((uv_handle_t *)&srv->listener, on_quiet_close);
    uv_close((uv_handle_t *)&srv->stop_async, on_quiet_close);
}

static void *run(void *arg)
{
    ld_target_t *srv = arg;

    (void)pthread_setname_np(pthread_self(), "ld-target");
    uv_run(&srv->loop, UV_RUN_DEFAULT);
    return NULL;
}

static void close_any(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, on_quiet_close);
}

/* Close whatever is left and release the loop (never on a live thread). */
static void loop_release(ld_target_t *srv)
{
    uv_run(&srv->loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&srv->loop) == UV_EBUSY) {
        uv_walk(&srv->loop, close_any, NULL);
        uv_run(&srv->loop, UV_RUN_DEFAULT);
        (void)uv_loop_close(&srv->loop);
    }
}

/* Loopback only: a numeric 127.0.0.0/8 or ::1 address ("localhost" is
 * 127.0.0.1). */
static int resolve(const char *host, int port, struct sockaddr_storage *ss,
                   ld_diag_t *d)
{
    if (!host || !*host || strcmp(host, "localhost") == 0)
        host = "127.0.0.1";
    if (port < 0 || port > 65535)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "target: port %d out of range", port);
    if (strchr(host, ':')) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
        static const unsigned char lo6[16] = {[15] = 1};
        if (uv_ip6_addr(host, port, a6) == 0 &&
            memcmp(&a6->sin6_addr, lo6, 16) == 0)
            return 0;
    } else {
        struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
        if (uv_ip4_addr(host, port, a4) == 0 &&
            (ntohl(a4->sin_addr.s_addr) >> 24) == 127)
            return 0;
    }
    return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                       "target: host '%s' is not a loopback address "
                       "(use 127.0.0.1 or ::1)", host);
}

static int bind_listen(ld_target_t *srv, const char *host,
                       const struct sockaddr_storage *ss, ld_diag_t *d)
{
    struct sockaddr_storage got;
    int len = (int)sizeof(got), r;
    unsigned flags = ss->ss_family == AF_INET6 ? UV_TCP_IPV6ONLY : 0;

    r = uv_tcp_bind(&srv->listener, (const struct sockaddr *)ss, flags);
    if (!r)
        r = uv_listen((uv_stream_t *)&srv->listener, 4096, on_connection);
    if (!r)
        r = uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&got,
                               &len);
    if (r)
        return ld_diag_set(d, LD_EIO, NULL, NULL,
                           "target: cannot listen on %s port %d: %s", host,
                           ntohs(((const struct sockaddr_in *)ss)->sin_port),
                           uv_strerror(r));
    srv->port = ntohs(got.ss_family == AF_INET6
                          ? ((struct sockaddr_in6 *)&got)->sin6_port
                          : ((struct sockaddr_in *)&got)->sin_port);
    return 0;
}

/* Start the thread with every signal blocked: the process's handlers stay
 * on its own threads, and a write to a dead peer yields EPIPE instead of
 * SIGPIPE. */
static int spawn(ld_target_t *srv)
{
    sigset_t all, old;
    int r;

    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    r = pthread_create(&srv->thread, NULL, run, srv);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return r;
}

int ld_target_start(const char *host, int port, ld_target_t **out,
                    ld_diag_t *d)
{
    struct sockaddr_storage ss;
    ld_target_t *srv = NULL;
    int rc = 0, loop_ok = 0;

    if (!out)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL, "target: out is NULL");
    *out = NULL;
    memset(&ss, 0, sizeof(ss));
    rc = resolve(host, port, &ss, d);
    if (rc)
        goto out;
    srv = calloc(1, sizeof(*srv));
    if (!srv) {
        rc = ld_diag_set(d, LD_ENOMEM, NULL, NULL, "target: out of memory");
        goto out;
    }
    memset(srv->fill, 'x', sizeof(srv->fill));
    if (uv_loop_init(&srv->loop)) {
        rc = ld_diag_set(d, LD_EIO, NULL, NULL, "target: uv_loop_init failed");
        goto out;
    }
    loop_ok = 1;
    if (uv_tcp_init(&srv->loop, &srv->listener) ||
        uv_async_init(&srv->loop, &srv->stop_async, on_stop)) {
        rc = ld_diag_set(d, LD_EIO, NULL, NULL, "target: libuv init failed");
        goto out;
    }
    srv->listener.data = srv;
    srv->stop_async.data = srv;
    rc = bind_listen(srv, host && *host ? host : "127.0.0.1", &ss, d);
    if (rc)
        goto out;
    if (spawn(srv)) {
        rc = ld_diag_set(d, LD_EIO, NULL, NULL,
                         "target: cannot start the server thread");
        goto out;
    }
    *out = srv;
out:
    if (rc && srv) {
        if (loop_ok) {
            uv_walk(&srv->loop, close_any, NULL);
            loop_release(srv);
        }
        free(srv);
    }
    return rc;
}

int ld_target_port(const ld_target_t *t)
{
    return t ? t->port : 0;
}

uint64_t ld_target_requests(const ld_target_t *t)
{
    return t ? atomic_load(&t->requests) : 0;
}

uint64_t ld_target_connections(const ld_target_t *t)
{
    return t ? atomic_load(&t->connections) : 0;
}

void ld_target_stop(ld_target_t *t)
{
    if (!t)
        return;
    uv_async_send(&t->stop_async);
    pthread_join(t->thread, NULL);
    loop_release(t);
    free(t);
}
