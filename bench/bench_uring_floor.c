/*
 * bench_uring_floor - what a keep-alive GET client costs on this machine
 * when its socket I/O goes through io_uring instead of epoll.
 *
 * Not a load tester: no recording, no checks, one thread, every connection
 * sends the same GET and reads the response (Content-Length bodies only)
 * before sending the next. Each request is one linked send+recv
 * submission, and one io_uring_enter submits everything queued and waits
 * for the next completion, so a round trip costs one system call instead
 * of epoll's three (write, epoll_wait, read). bench/http_peers.sh runs it
 * as the client "uring-floor" beside loaddensity and wrk, to show how much
 * of the CPU per request an io_uring driver could save (docs/performance.md).
 *
 *   bench_uring_floor PORT PATH CONNS SECONDS
 *
 * Talks to 127.0.0.1:PORT only. Prints
 *   requests N rps R cpu_s C cpu_s_per_100k X mean_ms M
 * and exits 1 with a message on any error (refused, reset, closed, a
 * response without Content-Length or larger than its buffer).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE 65536
#define MAX_CONNS 10000

typedef struct conn {
    int fd;
    size_t have;     /* bytes of the current response received */
    long need;       /* its full length, -1 until the head is complete */
    double sent_at;
    char buf[BUF_SIZE];
} conn_t;

static char req[512];
static size_t req_len;

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct io_uring_sqe *sqe_of(struct io_uring *ring)
{
    struct io_uring_sqe *s = io_uring_get_sqe(ring);

    if (!s) {   /* full: hand what is queued to the kernel first */
        io_uring_submit(ring);
        s = io_uring_get_sqe(ring);
    }
    if (!s) {
        fprintf(stderr, "bench_uring_floor: submission queue full\n");
        exit(1);
    }
    return s;
}

/* Queue a recv into the rest of c's buffer; with send, the request first
 * (linked: the recv starts once the send is done). user_data: 2i + 1 for
 * the recv, 2i for the send (whose success posts no completion). */
static void arm(struct io_uring *ring, conn_t *c, unsigned i, int send)
{
    struct io_uring_sqe *s;

    if (send) {
        c->sent_at = now_s();
        c->have = 0;
        c->need = -1;
        s = sqe_of(ring);
        io_uring_prep_send(s, c->fd, req, req_len, MSG_NOSIGNAL);
        s->flags |= IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
        io_uring_sqe_set_data64(s, (uint64_t)i * 2);
    }
    s = sqe_of(ring);
    io_uring_prep_recv(s, c->fd, c->buf + c->have, BUF_SIZE - c->have, 0);
    io_uring_sqe_set_data64(s, (uint64_t)i * 2 + 1);
}

/* The full length of the response once its head is in, else -1. */
static long response_length(const conn_t *c)
{
    const char *end = memmem(c->buf, c->have, "\r\n\r\n", 4), *p;
    size_t head;

    if (!end)
        return -1;
    head = (size_t)(end - c->buf) + 4;
    for (p = c->buf; p && p < end; p = memchr(p, '\n', (size_t)(end - p))) {
        if (*p == '\n')
            p++;
        if (!strncasecmp(p, "content-length:", 15))
            return (long)head + atol(p + 15);
    }
    fprintf(stderr, "bench_uring_floor: a response without Content-Length\n");
    exit(1);
}

static int open_conn(int port, conn_t *c)
{
    struct sockaddr_in a;
    int one = 1;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&a, sizeof(a))) {
        perror("bench_uring_floor: connect to 127.0.0.1");
        return -1;
    }
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return 0;
}

static int ring_init(struct io_uring *ring, unsigned entries)
{
    struct io_uring_params p;
    int r;

    /* One thread submits and reaps: let the kernel run completion work
     * only when we enter it (Linux 6.1+); plain ring otherwise. */
    memset(&p, 0, sizeof(p));
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    r = io_uring_queue_init_params(entries, ring, &p);
    if (r == -EINVAL) {
        memset(&p, 0, sizeof(p));
        r = io_uring_queue_init_params(entries, ring, &p);
    }
    if (r < 0)
        fprintf(stderr, "bench_uring_floor: io_uring: %s\n", strerror(-r));
    return r;
}

int main(int argc, char **argv)
{
    struct io_uring ring;
    struct rusage ru;
    conn_t *cs;
    int port, n;
    double dur, t0, end, lat = 0, cpu;
    long done = 0;

    if (argc != 5 || (port = atoi(argv[1])) <= 0 || port > 65535 ||
        argv[2][0] != '/' || (n = atoi(argv[3])) < 1 || n > MAX_CONNS ||
        (dur = atof(argv[4])) <= 0 || dur > 3600) {
        fprintf(stderr, "usage: bench_uring_floor PORT PATH CONNS SECONDS\n"
                        "  (127.0.0.1:PORT, PATH starting with /, 1 to %d "
                        "connections, up to 3600 s)\n",
                MAX_CONNS);
        return 2;
    }
    req_len = (size_t)snprintf(req, sizeof(req),
                               "GET %.300s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                               "User-Agent: bench_uring_floor\r\n\r\n",
                               argv[2], port);
    cs = calloc((size_t)n, sizeof(*cs));
    if (!cs || ring_init(&ring, 2u * (unsigned)n + 8u) < 0)
        return 1;
    for (int i = 0; i < n; i++)
        if (open_conn(port, &cs[i]))
            return 1;
    t0 = now_s();
    end = t0 + dur;
    for (int i = 0; i < n; i++)
        arm(&ring, &cs[i], (unsigned)i, 1);
    while (now_s() < end) {
        struct io_uring_cqe *cqe;
        unsigned head, seen = 0;
        int r = io_uring_submit_and_wait(&ring, 1);

        if (r < 0 && r != -EINTR) {
            fprintf(stderr, "bench_uring_floor: io_uring_enter: %s\n",
                    strerror(-r));
            return 1;
        }
        io_uring_for_each_cqe(&ring, head, cqe) {
            unsigned i = (unsigned)(cqe->user_data / 2);
            conn_t *c = &cs[i];

            seen++;
            if (cqe->res < 0) {
                fprintf(stderr, "bench_uring_floor: %s on connection %u: %s\n",
                        cqe->user_data & 1 ? "recv" : "send", i,
                        strerror(-cqe->res));
                return 1;
            }
            if (!(cqe->user_data & 1))
                continue;
            if (cqe->res == 0) {
                fprintf(stderr, "bench_uring_floor: the server closed "
                                "connection %u\n", i);
                return 1;
            }
            c->have += (size_t)cqe->res;
            if (c->need < 0)
                c->need = response_length(c);
            if (c->need >= BUF_SIZE) {
                fprintf(stderr, "bench_uring_floor: a response of %ld bytes "
                                "(at most %d)\n", c->need, BUF_SIZE - 1);
                return 1;
            }
            if (c->need >= 0 && (long)c->have >= c->need) {
                lat += now_s() - c->sent_at;
                done++;
                arm(&ring, c, i, 1);
            } else {
                arm(&ring, c, i, 0);
            }
        }
        io_uring_cq_advance(&ring, seen);
    }
    dur = now_s() - t0;
    getrusage(RUSAGE_SELF, &ru);
    cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
          (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
    printf("requests %ld rps %.1f cpu_s %.3f cpu_s_per_100k %.3f "
           "mean_ms %.3f\n",
           done, (double)done / dur, cpu, done ? cpu / (double)done * 1e5 : 0,
           done ? lat / (double)done * 1e3 : 0);
    for (int i = 0; i < n; i++)
        close(cs[i].fd);
    io_uring_queue_exit(&ring);
    free(cs);
    return done ? 0 : 1;
}
