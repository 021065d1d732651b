/*
 * The HTTP driver test suite, part two: responses the embedded target does
 * not produce, from a small scripted server in this file (chunked bodies
 * with extensions and trailers, a head split across packets, 100 Continue,
 * a body delimited by the end of the connection, redirects, Set-Cookie,
 * a redirect to another origin), each case run with driver "curl" and
 * "native"; and the request bytes of both drivers compared one for one.
 */
#include "test_engine_util.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#define RS_MAX 64

typedef struct rs_conn {
    int fd;
    size_t len;
    char buf[1 << 16];
} rs_conn_t;

typedef struct rawsrv {
    int lfd, port, wake[2];
    pthread_t th;
    pthread_mutex_t mu;
    unsigned long requests, conns;
    ld_buf_t cap; /* raw requests to /cap/... */
    rs_conn_t *c[RS_MAX];
} rawsrv_t;

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void sends(int fd, const char *s)
{
    send_all(fd, s, strlen(s));
}

static void reply(int fd, const char *status, const char *extra,
                  const char *body)
{
    char h[512];
    snprintf(h, sizeof(h), "HTTP/1.1 %s\r\nContent-Length: %zu\r\n%s\r\n",
             status, strlen(body), extra);
    sends(fd, h);
    sends(fd, body);
}

/* The value of header name in the request head, or "". */
static void header_of(const char *head, const char *name, char *out, size_t n)
{
    const char *p = head;
    size_t nl = strlen(name);
    out[0] = '\0';
    while ((p = strstr(p, "\r\n"))) {
        p += 2;
        if (!strncasecmp(p, name, nl) && p[nl] == ':') {
            const char *v = p + nl + 1, *e = strstr(v, "\r\n");
            while (*v == ' ')
                v++;
            snprintf(out, n, "%.*s", (int)(e ? e - v : (long)strlen(v)), v);
            return;
        }
    }
}

/* Answer one request; false when the connection is to be closed. */
static bool route(rawsrv_t *s, int fd, const char *req, size_t len,
                  const char *path, const char *method)
{
    char b[512], v[256];
    if (!strncmp(path, "/cap/", 5)) {
        pthread_mutex_lock(&s->mu);
        ld_buf_add(&s->cap, req, len);
        ld_buf_adds(&s->cap, "\n=====\n");
        pthread_mutex_unlock(&s->mu);
        if (!strcmp(path, "/cap/setcookie"))
            reply(fd, "200 OK", "Set-Cookie: sid=abc; Path=/\r\n", "set");
        else
            reply(fd, "200 OK", "", "ok");
    } else if (!strcmp(path, "/chunked")) {
        sends(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "5;ext=1\r\nhello\r\n7\r\n world!\r\nA\r\n0123456789\r\n"
                  "0\r\nX-Trailer: t\r\n\r\n");
    } else if (!strcmp(path, "/split")) {
        static const char *const parts[] = {"HTTP/1.1 200 OK\r\nContent-Le",
                                            "ngth: 10\r\nX-A: b\r\n",
                                            "\r\nsplit", "-body"};
        for (int i = 0; i < 4; i++) {
            sends(fd, parts[i]);
            usleep(2000);
        }
    } else if (!strcmp(path, "/continue")) {
        sends(fd, "HTTP/1.1 100 Continue\r\n\r\n"
                  "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    } else if (!strcmp(path, "/http10")) {
        sends(fd, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                  "until-eof");
        return false;
    } else if (!strcmp(path, "/redir")) {
        reply(fd, "302 Found", "Location: /final\r\n", "moved");
    } else if (!strcmp(path, "/see-other")) {
        reply(fd, "303 See Other", "Location: final?x=1\r\n", "");
    } else if (!strcmp(path, "/keep307")) {
        reply(fd, "307 Temporary Redirect", "Location: /final\r\n", "");
    } else if (!strcmp(path, "/loop")) {
        reply(fd, "302 Found", "Location: /loop\r\n", "");
    } else if (!strcmp(path, "/other")) {
        snprintf(b, sizeof(b), "Location: http://localhost:%d/final\r\n",
                 s->port);
        reply(fd, "302 Found", b, "");
    } else if (!strncmp(path, "/final", 6)) {
        header_of(req, "Content-Length", v, sizeof(v));
        snprintf(b, sizeof(b), "final:%s:%s", method, v[0] ? v : "-");
        reply(fd, "200 OK", "", b);
    } else if (!strcmp(path, "/setcookie")) {
        reply(fd, "200 OK",
              "Set-Cookie: sid=abc; Path=/\r\n"
              "Set-Cookie: other=1; Domain=example.com\r\n"
              "Set-Cookie: sub=2; Path=/sub\r\n"
              "Set-Cookie: gone=1; Max-Age=0\r\n",
              "set");
    } else if (!strcmp(path, "/showcookie")) {
        header_of(req, "Cookie", v, sizeof(v));
        snprintf(b, sizeof(b), "cookie=[%s]", v);
        reply(fd, "200 OK", "", b);
    } else {
        reply(fd, "404 Not Found", "", "nope");
    }
    return true;
}

/* Serve every complete request in c's buffer; false to close. */
static bool serve(rawsrv_t *s, rs_conn_t *c)
{
    char *e;
    while ((e = memmem(c->buf, c->len, "\r\n\r\n", 4))) {
        size_t head = (size_t)(e - c->buf) + 4, total;
        char cl[32], method[16] = "", path[256] = "";
        bool keep;
        c->buf[head - 1] = '\0'; /* for header_of; restored below */
        header_of(c->buf, "Content-Length", cl, sizeof(cl));
        c->buf[head - 1] = '\n';
        total = head + (size_t)atol(cl);
        if (total > c->len)
            return true;
        sscanf(c->buf, "%15s %255s", method, path);
        pthread_mutex_lock(&s->mu);
        s->requests++;
        pthread_mutex_unlock(&s->mu);
        keep = route(s, c->fd, c->buf, total, path, method);
        memmove(c->buf, c->buf + total, c->len - total);
        c->len -= total;
        if (!keep)
            return false;
    }
    return c->len < sizeof(c->buf);
}

static void *rs_main(void *arg)
{
    rawsrv_t *s = arg;
    for (;;) {
        struct pollfd p[RS_MAX + 2];
        int n = 0, idx[RS_MAX + 2];
        p[n].fd = s->wake[0];
        p[n++].events = POLLIN;
        p[n].fd = s->lfd;
        p[n++].events = POLLIN;
        for (int i = 0; i < RS_MAX; i++)
            if (s->c[i]) {
                idx[n] = i;
                p[n].fd = s->c[i]->fd;
                p[n++].events = POLLIN;
            }
        if (poll(p, (nfds_t)n, -1) < 0)
            continue;
        if (p[0].revents)
            break;
        if (p[1].revents & POLLIN) {
            int fd = accept(s->lfd, NULL, NULL), one = 1, i;
            for (i = 0; fd >= 0 && i < RS_MAX && s->c[i]; i++)
                ;
            if (fd >= 0 && i < RS_MAX &&
                (s->c[i] = calloc(1, sizeof(rs_conn_t)))) {
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                s->c[i]->fd = fd;
                pthread_mutex_lock(&s->mu);
                s->conns++;
                pthread_mutex_unlock(&s->mu);
            } else if (fd >= 0) {
                close(fd);
            }
        }
        for (int k = 2; k < n; k++) {
            rs_conn_t *c = s->c[idx[k]];
            ssize_t r;
            if (!p[k].revents)
                continue;
            r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
            if (r > 0)
                c->len += (size_t)r;
            if (r <= 0 || !serve(s, c)) {
                close(c->fd);
                free(c);
                s->c[idx[k]] = NULL;
            }
        }
    }
    return NULL;
}

static void rs_start(rawsrv_t *s)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int one = 1;
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    ld_buf_init(&s->cap, 0);
    s->lfd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s->lfd, 64), 0);
    assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &len), 0);
    s->port = ntohs(a.sin_port);
    assert_int_equal(pipe(s->wake), 0);
    assert_int_equal(pthread_create(&s->th, NULL, rs_main, s), 0);
}

static void rs_stop(rawsrv_t *s)
{
    ssize_t w = write(s->wake[1], "x", 1);
    (void)w;
    pthread_join(s->th, NULL);
    for (int i = 0; i < RS_MAX; i++)
        if (s->c[i]) {
            close(s->c[i]->fd);
            free(s->c[i]);
        }
    close(s->lfd);
    close(s->wake[0]);
    close(s->wake[1]);
    ld_buf_free(&s->cap);
    pthread_mutex_destroy(&s->mu);
}

/* ---- running a plan against the raw server ---- */

typedef struct rr {
    rawsrv_t srv;
    te_run_t r; /* target unused: only the plan and records */
} rr_t;

/* Compile and run kw ("PORT" and "DRIVER" replaced). */
static void rr_run(rr_t *t, const char *drv, const char *kw)
{
    ld_run_opts_t o;
    ld_buf_t b;
    const char *p = kw, *q, *state = drv;
    int rc;
    drv = te_driver(drv);
    memset(&t->r, 0, sizeof(t->r));
    t->r.port = t->srv.port;
    t->r.params = ld_params_new();
    t->r.records = ld_records_new();
    ld_buf_init(&b, 0);
    while ((q = strstr(p, "DRIVER"))) {
        ld_buf_add(&b, p, (size_t)(q - p));
        ld_buf_adds(&b, drv);
        p = q + 6;
    }
    ld_buf_adds(&b, p);
    rc = te_compile(&t->r, b.data);
    ld_buf_free(&b);
    if (rc)
        print_error("compile: %s\n", t->r.diag.msg);
    assert_int_equal(rc, 0);
    memset(&o, 0, sizeof(o));
    assert_int_equal(te_run_opts(&t->r, &o), 0);
    print_message("%s: %zu records, %lu requests at the server\n", state,
                  ld_records_count(t->r.records), t->srv.requests);
}

static void rr_free(rr_t *t)
{
    te_free(&t->r);
}

/* Every record of name: no failure (or the failure msg), this status and
   response length; returns how many. */
static size_t check(rr_t *t, const char *name, const char *msg, int status,
                    long len)
{
    size_t it = 0, n = 0;
    const ld_record_t *rec;
    ld_records_t *rs = t->r.records;
    while ((rec = ld_records_next(rs, &it))) {
        const char *err = ld_records_str(rs, rec->error_id);
        if (strcmp(ld_records_str(rs, rec->name_id), name))
            continue;
        if (!msg && rec->error_id)
            print_error("%s: %s\n", name, err);
        assert_true(msg ? strstr(err, msg) != NULL : rec->error_id == 0);
        assert_int_equal(rec->status, status);
        if (len >= 0)
            assert_int_equal(rec->resp_len, (uint32_t)len);
        n++;
    }
    assert_true(n > 0);
    return n;
}

#define USERKW                                                                 \
    "\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0,"   \
    " \"driver\": \"DRIVER\"}, \"host\": \"http://127.0.0.1:PORT\""

static void test_framing(void **state)
{
    rr_t t;
    rs_start(&t.srv);
    rr_run(&t, *state,
           "{" USERKW ", \"user_count\": 1, \"test_time\": 0.3, \"tasks\": ["
           " {\"name\": \"chunked\", \"request_url\": \"/chunked\","
           "  \"assertions\": [{\"type\": \"contains\","
           "   \"value\": \"hello world!0123456789\"}]},"
           " {\"name\": \"chunked-nocheck\", \"request_url\": \"/chunked\"},"
           " {\"name\": \"split\", \"request_url\": \"/split\","
           "  \"assertions\": [{\"type\": \"contains\", \"value\": "
           "\"split-body\"},"
           "   {\"type\": \"header\", \"name\": \"X-A\", \"value\": \"b\"}]},"
           " {\"name\": \"continue\", \"request_url\": \"/continue\","
           "  \"assertions\": [{\"type\": \"contains\", \"value\": \"ok\"}]},"
           " {\"name\": \"http10\", \"request_url\": \"/http10\","
           "  \"assertions\": [{\"type\": \"contains\", \"value\": "
           "\"until-eof\"}]}"
           "]}");
    assert_int_equal(ld_records_count(t.r.records), t.srv.requests);
    check(&t, "chunked", NULL, 200, 22);
    check(&t, "chunked-nocheck", NULL, 200, 22);
    check(&t, "split", NULL, 200, 10);
    check(&t, "continue", NULL, 200, 2);
    check(&t, "http10", NULL, 200, 9);
    rr_free(&t);
    rs_stop(&t.srv);
}

static void test_redirects(void **state)
{
    rr_t t;
    size_t n;
    rs_start(&t.srv);
    rr_run(&t, *state,
           "{" USERKW ", \"user_count\": 1, \"test_time\": 0.3, \"tasks\": ["
           " {\"name\": \"302\", \"request_url\": \"/redir\","
           "  \"assertions\": [{\"type\": \"contains\", \"value\": "
           "\"final:GET:-\"}]},"
           " {\"name\": \"303-post\", \"method\": \"post\","
           "  \"request_url\": \"/see-other\", \"data\": \"abc\","
           "  \"assertions\": [{\"type\": \"contains\", \"value\": "
           "\"final:GET:-\"}]},"
           " {\"name\": \"302-post\", \"method\": \"post\","
           "  \"request_url\": \"/redir\", \"data\": \"abc\","
           "  \"assertions\": [{\"type\": \"contains\", \"value\": "
           "\"final:GET:-\"}]},"
           " {\"name\": \"307-post\", \"method\": \"post\","
           "  \"request_url\": \"/keep307\", \"data\": \"abcd\","
           "  \"assertions\": [{\"type\": \"contains\", \"value\": "
           "\"final:POST:4\"}]},"
           " {\"name\": \"no-follow\", \"request_url\": \"/redir\","
           "  \"allow_redirects\": false},"
           " {\"name\": \"other-origin\", \"request_url\": \"/other\","
           "  \"assertions\": [{\"type\": \"contains\", \"value\": "
           "\"final:GET:-\"}]},"
           " {\"name\": \"loop\", \"request_url\": \"/loop\"}"
           "]}");
    n = check(&t, "302", NULL, 200, 11);
    n += check(&t, "303-post", NULL, 200, 11);
    n += check(&t, "302-post", NULL, 200, 11);
    n += check(&t, "307-post", NULL, 200, 12);
    n += check(&t, "other-origin", NULL, 200, 11);
    /* each hop reaches the server: two for each redirect followed once,
       one for no-follow, 31 for the loop (30 redirects followed) */
    assert_int_equal(
        t.srv.requests,
        2 * n + check(&t, "no-follow", NULL, 302, 5) +
            31 * check(&t, "loop", "Maximum (30) redirects followed", 0, -1));
    rr_free(&t);
    rs_stop(&t.srv);
}

static void test_cookies(void **state)
{
    rr_t t;
    rs_start(&t.srv);
    rr_run(&t, *state,
           "{" USERKW ", \"user_count\": 2, \"test_time\": 0.3, \"tasks\": ["
           " {\"name\": \"before\", \"request_url\": \"/showcookie\","
           "  \"cookies\": {\"own\": \"1\"}},"
           " {\"name\": \"set\", \"request_url\": \"/setcookie\"},"
           " {\"name\": \"after\", \"request_url\": \"/showcookie\","
           "  \"cookies\": {\"own\": \"1\"},"
           "  \"assertions\": [{\"type\": \"contains\","
           "   \"value\": \"cookie=[sid=abc; own=1]\"}]}"
           "]}");
    assert_int_equal(ld_records_count(t.r.records), t.srv.requests);
    check(&t, "set", NULL, 200, 3);
    check(&t, "after", NULL, 200, -1);
    rr_free(&t);
    rs_stop(&t.srv);
}

/* The requests of the first ticks, as the server received them. (No custom
   Host header here: libcurl 7.88 keeps matching cookies against a custom
   Host of an earlier request on the same handle; the native path does not
   copy that.) */
static char *capture(const char *drv)
{
    rr_t t;
    char *s;
    rs_start(&t.srv);
    rr_run(
        &t, drv,
        "{" USERKW ", \"user_count\": 1, \"test_time\": 0.2,"
        " \"variables\": {\"v\": \"vv\"}, \"tasks\": ["
        " {\"request_url\": \"/cap/a\", \"params\": {\"x\": \"1 2\","
        "  \"y\": [\"a\", \"b\"], \"t\": \"${var.v}\"}},"
        " {\"method\": \"post\", \"request_url\": \"/cap/b\", \"data\": "
        "\"raw\"},"
        " {\"method\": \"post\", \"request_url\": \"/cap/c\","
        "  \"json\": {\"k\": 1, \"v\": \"${var.v}\"}},"
        " {\"method\": \"put\", \"request_url\": \"/cap/d\","
        "  \"data\": {\"f\": \"v w\"}},"
        " {\"method\": \"delete\", \"request_url\": \"/cap/e\"},"
        " {\"method\": \"post\", \"request_url\": \"/cap/f\"},"
        " {\"method\": \"head\", \"request_url\": \"/cap/g\"},"
        " {\"request_url\": \"/cap/h\", \"auth\": [\"u\", \"p\"],"
        "  \"headers\": {\"X-E\": \"\", \"Accept\": \"text/plain\","
        "   \"X-T\": \"${var.v}\"}, \"cookies\": {\"c1\": \"v1\"}},"
        " {\"method\": \"options\", \"request_url\": \"/cap/i\","
        "  \"auth\": {\"type\": \"bearer\", \"token\": \"T\"}},"
        " {\"request_url\": \"/cap/setcookie\"},"
        " {\"method\": \"patch\", \"request_url\": \"/cap/j?q=1\","
        "  \"json\": [1, \"${var.v}\"],"
        "  \"headers\": {\"Content-Type\": \"application/merge-patch+json\"}},"
        " {\"request_url\": \"/cap/k\", \"headers\": {\"User-Agent\": \"mine\","
        "  \"Connection\": \"keep-alive\"}},"
        " {\"method\": \"get\", \"request_url\": \"/cap/l\", \"data\": \"q\"}"
        "]}");
    pthread_mutex_lock(&t.srv.mu);
    s = ld_strdup(t.srv.cap.data ? t.srv.cap.data : "");
    pthread_mutex_unlock(&t.srv.mu);
    assert_non_null(s);
    { /* each run has its own port: ":NNNNN" -> ":PORT" */
        char num[16], *q = s;
        int k = snprintf(num, sizeof(num), ":%d", t.srv.port);
        while ((q = strstr(q, num))) {
            memcpy(q, ":PORT", 5);
            memmove(q + 5, q + k, strlen(q + k) + 1);
        }
    }
    rr_free(&t);
    rs_stop(&t.srv);
    return s;
}

/* The first n requests of a capture. */
static size_t first_n(const char *s, int n)
{
    const char *p = s;
    for (int i = 0; i < n && p; i++)
        if ((p = strstr(p, "\n=====\n")))
            p += 7;
    return p ? (size_t)(p - s) : strlen(s);
}

static void test_same_bytes(void **state)
{
    char *c = capture("curl"), *n = capture("native");
    size_t lc = first_n(c, 26), ln = first_n(n, 26); /* two ticks */
    (void)state;
    for (int i = 0; i < 26; i++) { /* show the first request that differs */
        size_t a = first_n(c, i), b = first_n(n, i);
        size_t ea = first_n(c, i + 1), eb = first_n(n, i + 1);
        if (ea - a != eb - b || memcmp(c + a, n + b, ea - a)) {
            print_error("request %d, curl:\n%.*s\nnative:\n%.*s\n", i,
                        (int)(ea - a), c + a, (int)(eb - b), n + b);
            break;
        }
    }
    assert_int_equal(lc, ln);
    assert_memory_equal(c, n, lc);
    assert_non_null(strstr(c, "Cookie: sid=abc; c1=v1\r\n"));
    free(c);
    free(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_framing),
        BOTH(test_redirects),
        BOTH(test_cookies),
        cmocka_unit_test(test_same_bytes),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
