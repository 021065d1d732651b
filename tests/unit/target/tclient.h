/*
 * A tiny blocking HTTP/1.1 client over plain sockets for the target tests
 * (header-only: static functions). Every socket has a receive timeout so a
 * server bug fails a test instead of hanging it.
 */
#ifndef LD_TEST_TCLIENT_H
#define LD_TEST_TCLIENT_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

typedef struct tc {
    int fd;
    char *buf;
    size_t len, cap;
} tc_t;

typedef struct tc_rsp {
    int status;
    char *head;   /* NUL-terminated head, blank line excluded */
    char *body;   /* NUL-terminated */
    size_t blen;
} tc_rsp_t;

static inline uint64_t tc_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Connect to host:port (IPv4 or IPv6 literal); -1 on failure. */
static inline int tc_connect(const char *host, int port, tc_t *c)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    struct timeval tv = {10, 0};
    int one = 1, fd;

    memset(&ss, 0, sizeof(ss));
    memset(c, 0, sizeof(*c));
    c->fd = -1;
    if (strchr(host, ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            return -1;
        sl = sizeof(*a);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
            return -1;
        sl = sizeof(*a);
    }
    fd = socket(ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (struct sockaddr *)&ss, sl) != 0) {
        close(fd);
        return -1;
    }
    c->fd = fd;
    return 0;
}

static inline void tc_close(tc_t *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->buf);
    memset(c, 0, sizeof(*c));
    c->fd = -1;
}

static inline int tc_send(tc_t *c, const void *p, size_t n)
{
    const char *s = p;

    while (n) {
        ssize_t w = send(c->fd, s, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

static inline int tc_sends(tc_t *c, const char *s)
{
    return tc_send(c, s, strlen(s));
}

/* Read more bytes: >0 read, 0 EOF, -1 error (errno kept). */
static inline ssize_t tc_fill(tc_t *c)
{
    ssize_t r;

    if (c->cap - c->len < 65536) {
        size_t cap = c->cap ? c->cap * 2 : 131072;
        char *p = realloc(c->buf, cap);
        if (!p)
            return -1;
        c->buf = p;
        c->cap = cap;
    }
    do
        r = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
    while (r < 0 && errno == EINTR);
    if (r > 0)
        c->len += (size_t)r;
    return r;
}

/* What the next read shows once the server is done: 0 EOF, or -errno. */
static inline int tc_wait_end(tc_t *c)
{
    char b[256];
    ssize_t r;

    for (;;) {
        r = recv(c->fd, b, sizeof(b), 0);
        if (r == 0)
            return 0;
        if (r < 0)
            return errno == EINTR ? tc_wait_end(c) : -errno;
    }
}

/* Value of header `name` in a response head (per-thread buffer) or NULL. */
static inline const char *tc_hdr(const tc_rsp_t *r, const char *name)
{
    static _Thread_local char val[1024];
    size_t n = strlen(name);
    const char *p = r->head;

    while ((p = strstr(p, "\r\n")) != NULL) {
        p += 2;
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1, *e;
            while (*v == ' ')
                v++;
            e = strstr(v, "\r\n");
            if (!e)
                e = v + strlen(v);
            if ((size_t)(e - v) >= sizeof(val))
                return NULL;
            memcpy(val, v, (size_t)(e - v));
            val[e - v] = '\0';
            return val;
        }
    }
    return NULL;
}

static inline void tc_rsp_free(tc_rsp_t *r)
{
    free(r->head);
    free(r->body);
    memset(r, 0, sizeof(*r));
}

/* Read one response (no_body: it answers a HEAD request). 0 or -1. */
static inline int tc_read(tc_t *c, tc_rsp_t *r, int no_body)
{
    char *end;
    size_t hl, cl = 0;
    const char *v;

    memset(r, 0, sizeof(*r));
    for (;;) {
        if (c->buf) {
            c->buf[c->len] = '\0';
            end = c->len ? strstr(c->buf, "\r\n\r\n") : NULL;
            if (end)
                break;
        }
        if (tc_fill(c) <= 0)
            return -1;
    }
    hl = (size_t)(end - c->buf) + 4;
    r->head = strndup(c->buf, hl - 4);
    if (!r->head || sscanf(r->head, "HTTP/1.%*d %d", &r->status) != 1)
        return -1;
    v = tc_hdr(r, "Content-Length");
    if (v)
        cl = (size_t)strtoull(v, NULL, 10);
    if (no_body || r->status < 200 || r->status == 204 || r->status == 304)
        cl = 0;
    while (c->len < hl + cl)
        if (tc_fill(c) <= 0)
            return -1;
    r->body = malloc(cl + 1);
    if (!r->body)
        return -1;
    memcpy(r->body, c->buf + hl, cl);
    r->body[cl] = '\0';
    r->blen = cl;
    memmove(c->buf, c->buf + hl + cl, c->len - hl - cl);
    c->len -= hl + cl;
    return 0;
}

/* Send a GET and read the answer; returns the status or -1. */
static inline int tc_get(tc_t *c, const char *path, tc_rsp_t *r)
{
    char req[1024];

    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);
    if (tc_sends(c, req) || tc_read(c, r, 0))
        return -1;
    return r->status;
}

#endif
