/*
 * curl_uv.c - drive a libcurl multi handle from a libuv loop.
 *
 * Unlike curl's docs/examples/multi-uv.c, a socket's uv_poll_t stays armed
 * when curl says CURL_POLL_REMOVE for a connection that goes back to the
 * connection cache: with keep-alive the next request on that connection
 * usually wants the same events again, and in libuv 1.44 every
 * uv_poll_start() first stops the poll (an epoll_ctl DEL), so re-arming per
 * request costs ~2.5x the syscalls (see ENGINE-MEASUREMENTS.md). A poll is
 * restarted only when the wanted event mask changes, stopped lazily when an
 * event arrives that curl did not ask for (an idle connection closed by the
 * peer), and closed when curl closes the socket (CURLOPT_CLOSESOCKETFUNCTION).
 * Sockets curl did not open through our CURLOPT_OPENSOCKETFUNCTION (the
 * threaded resolver's socketpair) are closed by curl itself: their poll is
 * closed on CURL_POLL_REMOVE, as in the example.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "proto/proto_int.h"

typedef struct sock {
    uv_poll_t poll;
    ld__curl_uv_t *cu;
    curl_socket_t fd;
    int armed;  /* uv events the poll runs with; 0 = stopped */
    int wanted; /* uv events curl wants; 0 after CURL_POLL_REMOVE */
} sock_t;

struct ld__curl_uv {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    ld__curl_done_cb done;
    sock_t **socks; /* indexed by fd */
    uint8_t *owned; /* fd opened by opensocket_cb, closed by closesocket_cb */
    size_t nslots;
};

static int slots_reserve(ld__curl_uv_t *cu, curl_socket_t fd)
{
    size_t need = (size_t)fd + 1, n = cu->nslots ? cu->nslots : 64;
    if (fd < 0)
        return LD_EINVAL;
    if (need <= cu->nslots)
        return 0;
    while (n < need)
        n *= 2;
    sock_t **s = realloc(cu->socks, n * sizeof(*s));
    if (!s)
        return LD_ENOMEM;
    cu->socks = s;
    uint8_t *o = realloc(cu->owned, n);
    if (!o)
        return LD_ENOMEM;
    cu->owned = o;
    memset(cu->socks + cu->nslots, 0, (n - cu->nslots) * sizeof(*s));
    memset(cu->owned + cu->nslots, 0, n - cu->nslots);
    cu->nslots = n;
    return 0;
}

static sock_t *sock_get(ld__curl_uv_t *cu, curl_socket_t fd)
{
    if (fd < 0 || (size_t)fd >= cu->nslots)
        return NULL;
    return cu->socks[fd];
}

static void sock_free_cb(uv_handle_t *h)
{
    free(h->data);
}

static void sock_close(ld__curl_uv_t *cu, sock_t *s)
{
    if (cu->socks[s->fd] == s)
        cu->socks[s->fd] = NULL;
    uv_close((uv_handle_t *)&s->poll, sock_free_cb);
}

static void drain(ld__curl_uv_t *cu)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(cu->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        CURL *easy = m->easy_handle;
        int code = (int)m->data.result;
        void *priv = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
        curl_multi_remove_handle(cu->multi, easy);
        cu->done(priv, code);
    }
}

static void poll_cb(uv_poll_t *h, int status, int events)
{
    sock_t *s = h->data;
    ld__curl_uv_t *cu = s->cu;
    int running = 0, flags = 0;
    if (!s->wanted) {
        /* An idle cached connection became readable (peer closed it):
           disarm; curl notices when it next tries to reuse it. */
        uv_poll_stop(h);
        s->armed = 0;
        return;
    }
    if (status < 0) {
        /* On POLLERR libuv has stopped the poll (and reports UV_EBADF):
           let curl read or write what it waits for and find the real error
           ("Connection reset by peer") itself. */
        s->armed = 0;
        events = s->wanted;
    }
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    curl_multi_socket_action(cu->multi, s->fd, flags, &running);
    drain(cu);
}

static int socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp,
                     void *socketp)
{
    ld__curl_uv_t *cu = userp;
    sock_t *s = sock_get(cu, fd);
    int events = 0;
    (void)easy;
    (void)socketp;
    if (what == CURL_POLL_REMOVE) {
        if (!s)
            return 0;
        s->wanted = 0;
        if (!cu->owned[fd])
            sock_close(cu, s);
        return 0;
    }
    if (!s) {
        if (slots_reserve(cu, fd))
            return -1;
        s = calloc(1, sizeof(*s));
        if (!s)
            return -1;
        if (uv_poll_init_socket(cu->loop, &s->poll, fd)) {
            free(s);
            return -1;
        }
        s->poll.data = s;
        s->cu = cu;
        s->fd = fd;
        cu->socks[fd] = s;
    }
    if (what & CURL_POLL_IN)
        events |= UV_READABLE;
    if (what & CURL_POLL_OUT)
        events |= UV_WRITABLE;
    s->wanted = events;
    if (s->armed != events) {
        if (uv_poll_start(&s->poll, events, poll_cb))
            return -1;
        s->armed = events;
    }
    return 0;
}

static void timeout_cb(uv_timer_t *t)
{
    ld__curl_uv_t *cu = t->data;
    int running = 0;
    curl_multi_socket_action(cu->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    drain(cu);
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    ld__curl_uv_t *cu = userp;
    (void)multi;
    if (timeout_ms < 0)
        uv_timer_stop(&cu->timer);
    else
        uv_timer_start(&cu->timer, timeout_cb, (uint64_t)timeout_ms, 0);
    return 0;
}

static curl_socket_t opensocket_cb(void *clientp, curlsocktype purpose,
                                   struct curl_sockaddr *a)
{
    ld__curl_uv_t *cu = clientp;
    (void)purpose;
    curl_socket_t fd =
        socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
    if (fd == CURL_SOCKET_BAD)
        return fd;
    if (slots_reserve(cu, fd)) {
        close(fd);
        return CURL_SOCKET_BAD;
    }
    /* A stale entry for a reused descriptor number cannot be live: curl
       closed that socket (our callback would have dropped it). */
    if (cu->socks[fd])
        sock_close(cu, cu->socks[fd]);
    cu->owned[fd] = 1;
    return fd;
}

static int closesocket_cb(void *clientp, curl_socket_t fd)
{
    ld__curl_uv_t *cu = clientp;
    sock_t *s = sock_get(cu, fd);
    if (s)
        sock_close(cu, s); /* uv_close stops the poll: no DEL after close */
    if (fd >= 0 && (size_t)fd < cu->nslots)
        cu->owned[fd] = 0;
    return close(fd);
}

int ld__curl_uv_new(uv_loop_t *loop, unsigned max_conns, ld__curl_done_cb done,
                    ld__curl_uv_t **out)
{
    int rc = 0;
    ld__curl_uv_t *cu = calloc(1, sizeof(*cu));
    *out = NULL;
    if (!cu)
        return LD_ENOMEM;
    cu->loop = loop;
    cu->done = done;
    cu->multi = curl_multi_init();
    if (!cu->multi) {
        rc = LD_ENOMEM;
        goto out;
    }
    if (uv_timer_init(loop, &cu->timer)) {
        rc = LD_EINTERNAL;
        goto out;
    }
    cu->timer.data = cu;
    curl_multi_setopt(cu->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(cu->multi, CURLMOPT_SOCKETDATA, cu);
    curl_multi_setopt(cu->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    curl_multi_setopt(cu->multi, CURLMOPT_TIMERDATA, cu);
    if (max_conns)
        curl_multi_setopt(cu->multi, CURLMOPT_MAXCONNECTS, (long)max_conns);
    *out = cu;
    return 0;
out:
    if (cu->multi)
        curl_multi_cleanup(cu->multi);
    free(cu);
    return rc;
}

static void cu_free_cb(uv_handle_t *h)
{
    ld__curl_uv_t *cu = h->data;
    free(cu->socks);
    free(cu->owned);
    free(cu);
}

void ld__curl_uv_free(ld__curl_uv_t *cu)
{
    if (!cu)
        return;
    /* Closing cached connections goes through closesocket_cb. */
    curl_multi_cleanup(cu->multi);
    cu->multi = NULL;
    for (size_t i = 0; i < cu->nslots; i++)
        if (cu->socks[i])
            sock_close(cu, cu->socks[i]);
    uv_timer_stop(&cu->timer);
    uv_close((uv_handle_t *)&cu->timer, cu_free_cb);
}

void ld__curl_uv_setup_easy(ld__curl_uv_t *cu, void *easy)
{
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, opensocket_cb);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, cu);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, closesocket_cb);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, cu);
}

int ld__curl_uv_add(ld__curl_uv_t *cu, void *easy)
{
    CURLMcode mc = curl_multi_add_handle(cu->multi, easy);
    if (mc == CURLM_OK)
        return 0;
    return mc == CURLM_OUT_OF_MEMORY ? LD_ENOMEM : LD_EINTERNAL;
}

void ld__curl_uv_remove(ld__curl_uv_t *cu, void *easy)
{
    curl_multi_remove_handle(cu->multi, easy);
}
