/*
 * The embedded target's connections, driven with plain sockets from the test
 * thread: keep-alive and exact counters, pipelining, Connection: close,
 * HTTP/1.0, chunked bodies, malformed and oversized requests, /delay not
 * blocking other connections, /close and /reset as the client sees them,
 * IPv6 loopback, start/stop cycles and stopping with open connections.
 */
#include "testutil.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldcore/target.h"
#include "tclient.h"
#include "target_tu.h"

static void test_keepalive_count(void **state)
{
    ld_target_t *t = start4();
    tc_t c;
    tc_rsp_t r;

    (void)state;
    conn4(t, &c);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(tc_get(&c, "/", &r), 200);
        assert_int_equal(r.blen, 13);
        tc_rsp_free(&r);
    }
    assert_int_equal(ld_target_requests(t), 1000);
    expect_get(&c, "/count", 200, "1000"); /* /count is not counted */
    expect_get(&c, "/count", 200, "1000");
    assert_int_equal(ld_target_requests(t), 1000);
    assert_int_equal(ld_target_connections(t), 1);
    tc_close(&c);
    ld_target_stop(t);
}

static void test_pipelined(void **state)
{
    ld_target_t *t = start4();
    tc_t c;
    tc_rsp_t r;
    char big[8192];
    static const char *want[] = {"Hello, world!", "hello", "",
                                 "Hello, world!", "ok"};
    static const int code[] = {200, 200, 202, 200, 200};

    (void)state;
    conn4(t, &c);
    big[0] = '\0';
    for (int i = 0; i < 40; i++)
        strcat(big, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    strcat(big, "\r\nPOST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
                "GET /status/202 HTTP/1.1\r\n\r\n"
                "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                "GET /delay/1 HTTP/1.1\r\n\r\n");
    assert_int_equal(tc_sends(&c, big), 0);
    for (int i = 0; i < 40; i++) {
        assert_int_equal(tc_read(&c, &r, 0), 0);
        assert_string_equal(r.body, "Hello, world!");
        tc_rsp_free(&r);
    }
    for (int i = 1; i < 5; i++) {
        assert_int_equal(tc_read(&c, &r, 0), 0);
        assert_int_equal(r.status, code[i]);
        assert_string_equal(r.body, want[i]);
        if (i == 3)
            assert_string_equal(tc_hdr(&r, "Connection"), "keep-alive");
        tc_rsp_free(&r);
    }
    assert_int_equal(ld_target_requests(t), 44);
    /* a request split across many writes */
    {
        const char *s = "GET /json HTTP/1.1\r\nHost: x\r\n\r\n";
        for (const char *p = s; *p; p++) {
            assert_int_equal(tc_send(&c, p, 1), 0);
            if ((p - s) % 7 == 0)
                usleep(2000);
        }
        assert_int_equal(tc_read(&c, &r, 0), 0);
        assert_int_equal(r.status, 200);
        tc_rsp_free(&r);
    }
    tc_close(&c);
    ld_target_stop(t);
}

static void test_connection_close_http10(void **state)
{
    ld_target_t *t = start4();
    tc_t c;
    tc_rsp_t r;

    (void)state;
    conn4(t, &c);
    assert_int_equal(tc_sends(&c, "GET / HTTP/1.1\r\nConnection: close\r\n"
                                  "\r\n"), 0);
    assert_int_equal(tc_read(&c, &r, 0), 0);
    assert_string_equal(tc_hdr(&r, "Connection"), "close");
    tc_rsp_free(&r);
    assert_int_equal(tc_wait_end(&c), 0);
    tc_close(&c);

    conn4(t, &c);
    assert_int_equal(tc_sends(&c, "GET /json HTTP/1.0\r\n\r\n"), 0);
    assert_int_equal(tc_read(&c, &r, 0), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(tc_hdr(&r, "Connection"), "close");
    tc_rsp_free(&r);
    assert_int_equal(tc_wait_end(&c), 0);
    tc_close(&c);

    conn4(t, &c); /* keep-alive in HTTP/1.0 */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(tc_sends(&c, "GET / HTTP/1.0\r\n"
                                      "Connection: Keep-Alive\r\n\r\n"), 0);
        assert_int_equal(tc_read(&c, &r, 0), 0);
        assert_string_equal(tc_hdr(&r, "Connection"), "keep-alive");
        tc_rsp_free(&r);
    }
    /* a delayed answer honours close too */
    assert_int_equal(tc_sends(&c, "GET /delay/10 HTTP/1.1\r\n"
                                  "Connection: close\r\n\r\n"), 0);
    assert_int_equal(tc_read(&c, &r, 0), 0);
    assert_string_equal(tc_hdr(&r, "Connection"), "close");
    tc_rsp_free(&r);
    assert_int_equal(tc_wait_end(&c), 0);
    tc_close(&c);
    assert_int_equal(ld_target_connections(t), 3);
    ld_target_stop(t);
}

static void test_chunked_echo(void **state)
{
    ld_target_t *t = start4();
    tc_t c;
    tc_rsp_t r;
    static const char *parts[] = {
        "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: text/x-test\r\nExpect: 100-continue\r\n\r\n",
        "5\r\nhello\r\n", "1;ext=1\r\n", " ", "\r\n",
        "A\r\n0123456789\r", "\n0\r\nTrailer: t\r\n", "\r\n"};

    (void)state;
    conn4(t, &c);
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        assert_int_equal(tc_sends(&c, parts[i]), 0);
        if (i == 0) { /* the interim answer comes before the body */
            assert_int_equal(tc_read(&c, &r, 0), 0);
            assert_int_equal(r.status, 100);
            tc_rsp_free(&r);
        }
        usleep(3000);
    }
    assert_int_equal(tc_read(&c, &r, 0), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "hello 0123456789");
    assert_string_equal(tc_hdr(&r, "Content-Type"), "text/x-test");
    assert_string_equal(tc_hdr(&r, "X-Echo-Length"), "16");
    tc_rsp_free(&r);

    /* a large chunked body in one go, followed by a pipelined request */
    {
        size_t n = 3u * 1024u * 1024u, off = 0;
        char *req = malloc(n * 2 + 4096), *p = req;
        p += sprintf(p, "PUT /echo HTTP/1.1\r\nTransfer-Encoding: chunked"
                        "\r\n\r\n");
        while (off < n) {
            size_t k = off % 3 ? 1000 : 77777;
            if (k > n - off)
                k = n - off;
            p += sprintf(p, "%zx\r\n", k);
            for (size_t i = 0; i < k; i++)
                *p++ = (char)('a' + (off + i) % 26);
            p += sprintf(p, "\r\n");
            off += k;
        }
        p += sprintf(p, "0\r\n\r\nGET / HTTP/1.1\r\n\r\n");
        assert_int_equal(tc_send(&c, req, (size_t)(p - req)), 0);
        free(req);
        assert_int_equal(tc_read(&c, &r, 0), 0);
        assert_int_equal(r.status, 200);
        assert_int_equal(r.blen, n);
        for (size_t i = 0; i < n; i++)
            if (r.body[i] != (char)('a' + i % 26))
                fail_msg("echo byte %zu differs", i);
        tc_rsp_free(&r);
        assert_int_equal(tc_read(&c, &r, 0), 0); /* the pipelined GET */
        assert_string_equal(r.body, "Hello, world!");
        tc_rsp_free(&r);
        expect_get(&c, "/echo", 200, "");
    }
    tc_close(&c);
    ld_target_stop(t);
}

/* A malformed request gets 400 (or the given status) and the connection
 * closes; the server keeps serving others. */
static void expect_error_n(ld_target_t *t, const char *req, size_t n,
                           int st)
{
    tc_t c;
    tc_rsp_t r;

    conn4(t, &c);
    assert_int_equal(tc_send(&c, req, n), 0);
    if (tc_read(&c, &r, 0) != 0)
        fail_msg("no answer to %.40s", req);
    if (r.status != st)
        fail_msg("got %d, want %d for %.60s", r.status, st, req);
    assert_string_equal(tc_hdr(&r, "Connection"), "close");
    tc_rsp_free(&r);
    assert_int_equal(tc_wait_end(&c), 0);
    tc_close(&c);
}

static void expect_error(ld_target_t *t, const char *req, int st)
{
    expect_error_n(t, req, strlen(req), st);
}

static void test_malformed(void **state)
{
    ld_target_t *t = start4();
    static const char *bad[] = {
        "GARBAGE\r\n\r\n",
        "GET /\r\n\r\n",
        "GET  / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1 x\r\n\r\n",
        "GET / FTP/1.1\r\n\r\n",
        "G(T / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
        "GET / HTTP/1.1\r\nName : x\r\n\r\n",
        "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        "POST / HTTP/1.1\r\nContent-Length: 3\r\n"
        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0x1\r\n",
        "GET /\x01 HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nA: b\x01\r\n\r\n",
    };
    static const char tls[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
    char *huge;
    const size_t hn = 70000;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_error(t, bad[i], 400);
    expect_error_n(t, tls, sizeof(tls) - 1, 400);
    expect_error(t, "GET / HTTP/2.0\r\n\r\n", 505);
    expect_error(t, "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
                 501);
    /* oversized head: 431; oversized bodies: 413 */
    huge = malloc(hn + 64);
    memcpy(huge, "GET / HTTP/1.1\r\nX-Big: ", 23);
    memset(huge + 23, 'a', hn - 23);
    memcpy(huge + hn, "\r\n\r\n", 4);
    expect_error_n(t, huge, hn + 4, 431);
    memset(huge, 'A', hn); /* no line at all */
    expect_error_n(t, huge, hn, 431);
    free(huge);
    expect_error(t, "POST /echo HTTP/1.1\r\nContent-Length: 16777217\r\n\r\n",
                 413);
    expect_error(t, "POST /echo HTTP/1.1\r\nContent-Length: "
                    "99999999999999999999999\r\n\r\n", 413);
    expect_error(t, "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
                    "\r\n1000001\r\n", 413);
    assert_int_equal(ld_target_requests(t), 7); /* heads that were whole */
    {
        tc_t c;
        conn4(t, &c);
        expect_get(&c, "/", 200, "Hello, world!");
        tc_close(&c);
    }
    ld_target_stop(t);
}

static void test_delay_concurrent(void **state)
{
    ld_target_t *t = start4();
    tc_t a, b;
    tc_rsp_t r;
    uint64_t t0, tb, ta;

    (void)state;
    conn4(t, &a);
    conn4(t, &b);
    t0 = tc_ms();
    assert_int_equal(tc_sends(&a, "GET /delay/800 HTTP/1.1\r\n\r\n"
                                  "GET /json HTTP/1.1\r\n\r\n"), 0);
    usleep(50000);
    for (int i = 0; i < 20; i++)
        expect_get(&b, "/", 200, "Hello, world!");
    tb = tc_ms() - t0;
    assert_int_equal(tc_read(&a, &r, 0), 0);
    ta = tc_ms() - t0;
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ok");
    tc_rsp_free(&r);
    assert_int_equal(tc_read(&a, &r, 0), 0); /* the pipelined one */
    assert_int_equal(r.status, 200);
    tc_rsp_free(&r);
    if (tb >= 500 || ta < 780)
        fail_msg("other connection took %llu ms, delay took %llu ms",
                 (unsigned long long)tb, (unsigned long long)ta);
    tc_close(&a);
    tc_close(&b);
    ld_target_stop(t);
}

static void test_close_reset(void **state)
{
    ld_target_t *t = start4();
    tc_t c;
    tc_rsp_t r;

    (void)state;
    conn4(t, &c);
    expect_get(&c, "/", 200, NULL);
    assert_int_equal(tc_sends(&c, "GET /close HTTP/1.1\r\n\r\n"), 0);
    assert_int_equal(tc_wait_end(&c), 0);
    tc_close(&c);

    conn4(t, &c); /* the answer before /close still arrives */
    assert_int_equal(tc_sends(&c, "GET /json HTTP/1.1\r\n\r\n"
                                  "GET /close HTTP/1.1\r\n\r\n"), 0);
    assert_int_equal(tc_read(&c, &r, 0), 0);
    assert_int_equal(r.status, 200);
    tc_rsp_free(&r);
    assert_int_equal(tc_wait_end(&c), 0);
    tc_close(&c);

    conn4(t, &c);
    assert_int_equal(tc_sends(&c, "GET /reset HTTP/1.1\r\n\r\n"), 0);
    assert_int_equal(tc_wait_end(&c), -ECONNRESET);
    tc_close(&c);
    assert_int_equal(ld_target_requests(t), 5);
    ld_target_stop(t);
}

/* A client that half-closes still gets its answers, delayed ones too. */
static void test_half_close(void **state)
{
    ld_target_t *t = start4();
    tc_t c;
    tc_rsp_t r;

    (void)state;
    conn4(t, &c);
    assert_int_equal(tc_sends(&c, "GET /delay/50 HTTP/1.1\r\n\r\n"
                                  "GET /json HTTP/1.1\r\n\r\n"
                                  "GET /par"), 0);
    shutdown(c.fd, SHUT_WR);
    assert_int_equal(tc_read(&c, &r, 0), 0);
    assert_string_equal(r.body, "ok");
    tc_rsp_free(&r);
    assert_int_equal(tc_read(&c, &r, 0), 0);
    assert_int_equal(r.status, 200);
    tc_rsp_free(&r);
    assert_int_equal(tc_wait_end(&c), 0);
    tc_close(&c);
    ld_target_stop(t);
}

/* Random and mutated bytes on many connections: the server answers or
 * closes each, and keeps serving. */
static void test_garbage_storm(void **state)
{
    ld_target_t *t = start4();
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    static const char base[] = "POST /echo HTTP/1.1\r\nContent-Length: 4\r\n"
                               "Transfer-Encoding: chunked\r\n\r\n4\r\nabcd"
                               "\r\n0\r\n\r\n";
    tc_t c;

    (void)state;
    for (int i = 0; i < 200; i++) {
        char buf[2048];
        size_t n = sizeof(base) - 1;
        int end;
        memcpy(buf, base, n);
        for (int m = 0; m < 1 + i % 5; m++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            if (i % 4 == 0)
                n = (size_t)(seed >> 33) % sizeof(buf);
            buf[(seed >> 20) % n ? (seed >> 20) % n : 0] = (char)(seed >> 56);
        }
        conn4(t, &c);
        assert_int_equal(tc_send(&c, buf, n), 0);
        shutdown(c.fd, SHUT_WR);
        end = tc_wait_end(&c);
        assert_true(end == 0 || end == -ECONNRESET);
        tc_close(&c);
    }
    conn4(t, &c);
    expect_get(&c, "/", 200, "Hello, world!");
    tc_close(&c);
    assert_int_equal(ld_target_connections(t), 201);
    ld_target_stop(t);
}

/* After a Connection: close answer the server reads and discards for a
 * while (so a late request does not turn the close into a RST that eats
 * the answer), then closes for good. */
static void test_lingering_close(void **state)
{
    ld_target_t *t = start4();
    tc_t c;
    tc_rsp_t r;
    char b[64];

    (void)state;
    conn4(t, &c);
    assert_int_equal(tc_sends(&c, "GET /bytes/100000 HTTP/1.0\r\n\r\n"), 0);
    assert_int_equal(tc_read(&c, &r, 0), 0);
    assert_int_equal(r.blen, 100000);
    assert_string_equal(tc_hdr(&r, "Connection"), "close");
    tc_rsp_free(&r);
    assert_int_equal(recv(c.fd, b, sizeof(b), 0), 0); /* FIN */
    assert_int_equal(tc_sends(&c, "GET / HTTP/1.1\r\n\r\n"), 0);
    usleep(200000);
    assert_int_equal(tc_sends(&c, "GET / HTTP/1.1\r\n\r\n"), 0); /* read */
    usleep(2300000); /* past the linger time: fully closed now */
    (void)tc_sends(&c, "GET / HTTP/1.1\r\n\r\n"); /* answered by RST */
    usleep(100000);
    assert_int_equal(tc_sends(&c, "GET / HTTP/1.1\r\n\r\n"), -1);
    tc_close(&c);
    ld_target_stop(t);
}

/* Header values that are not UTF-8 still give valid JSON. */
static void test_headers_binary(void **state)
{
    ld_target_t *t = start4();
    tc_t c;
    tc_rsp_t r;
    json_t *j;

    (void)state;
    conn4(t, &c);
    assert_int_equal(tc_sends(&c, "GET /headers HTTP/1.1\r\n"
                                  "X-Latin: caf\xe9\r\nX-Utf: caf\xc3\xa9\r\n"
                                  "\r\n"), 0);
    assert_int_equal(tc_read(&c, &r, 0), 0);
    j = json_body(&r);
    assert_string_equal(json_string_value(json_object_get(j, "x-latin")),
                        "caf?");
    assert_string_equal(json_string_value(json_object_get(j, "x-utf")),
                        "caf\xc3\xa9");
    json_decref(j);
    tc_rsp_free(&r);
    tc_close(&c);
    ld_target_stop(t);
}

static void test_ipv6(void **state)
{
    ld_target_t *t = NULL;
    ld_diag_t d;
    tc_t c;
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 a;

    (void)state;
    memset(&a, 0, sizeof(a));
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        if (fd >= 0)
            close(fd);
        skip(); /* no IPv6 loopback here */
    }
    close(fd);
    assert_int_equal(ld_target_start("::1", 0, &t, &d), 0);
    assert_int_equal(tc_connect("::1", ld_target_port(t), &c), 0);
    expect_get(&c, "/json", 200, NULL);
    expect_get(&c, "/", 200, "Hello, world!");
    tc_close(&c);
    /* bound to ::1 only: the IPv4 loopback does not answer on that port */
    assert_int_equal(tc_connect("127.0.0.1", ld_target_port(t), &c), -1);
    assert_int_equal(ld_target_requests(t), 2);
    ld_target_stop(t);
}

static void test_bad_start(void **state)
{
    ld_target_t *t = NULL, *t2 = NULL;
    ld_diag_t d;

    (void)state;
    assert_int_equal(ld_target_start("0.0.0.0", 0, &t, &d), LD_EINVAL);
    assert_null(t);
    assert_int_equal(ld_target_start("10.1.2.3", 0, &t, &d), LD_EINVAL);
    assert_int_equal(ld_target_start("::", 0, &t, &d), LD_EINVAL);
    assert_int_equal(ld_target_start("nonsense", 0, &t, &d), LD_EINVAL);
    assert_int_equal(ld_target_start("127.0.0.1", 70000, &t, &d), LD_EINVAL);
    assert_int_equal(ld_target_start("127.0.0.1", 0, NULL, &d), LD_EINVAL);
    t = start4();
    assert_int_equal(ld_target_start("127.0.0.1", ld_target_port(t), &t2,
                                     &d), LD_EIO);
    assert_null(t2);
    assert_non_null(strstr(d.msg, "cannot listen"));
    ld_target_stop(t);
    ld_target_stop(NULL);
    assert_int_equal(ld_target_port(NULL), 0);
}

static void test_start_stop_cycles(void **state)
{
    (void)state;
    for (int i = 0; i < 50; i++) {
        ld_target_t *t = start4();
        tc_t c;
        if (i % 2) {
            conn4(t, &c);
            expect_get(&c, "/", 200, NULL);
            tc_close(&c);
        }
        ld_target_stop(t);
    }
}

static void test_stop_with_open_connections(void **state)
{
    ld_target_t *t = start4();
    tc_t c[6];
    uint64_t t0;

    (void)state;
    for (int i = 0; i < 6; i++)
        conn4(t, &c[i]);
    expect_get(&c[0], "/", 200, NULL);
    assert_int_equal(tc_sends(&c[1], "GET /delay/60000 HTTP/1.1\r\n\r\n"), 0);
    assert_int_equal(tc_sends(&c[2], "GET / HTTP/1.1\r\nHost:"), 0);
    assert_int_equal(tc_sends(&c[3], "POST /echo HTTP/1.1\r\n"
                                     "Content-Length: 100\r\n\r\nabc"), 0);
    assert_int_equal(tc_sends(&c[4], "GET /bytes/16777216 HTTP/1.1\r\n\r\n"),
                     0); /* never read: its writes stay queued */
    expect_get(&c[5], "/close", -1, NULL);
    usleep(100000);
    t0 = tc_ms();
    ld_target_stop(t);
    assert_true(tc_ms() - t0 < 2000);
    for (int i = 0; i < 4; i++) {
        int end = tc_wait_end(&c[i]);
        assert_true(end == 0 || end == -ECONNRESET);
        tc_close(&c[i]);
    }
    tc_close(&c[4]);
    tc_close(&c[5]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keepalive_count),
        cmocka_unit_test(test_pipelined),
        cmocka_unit_test(test_connection_close_http10),
        cmocka_unit_test(test_chunked_echo),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_delay_concurrent),
        cmocka_unit_test(test_close_reset),
        cmocka_unit_test(test_half_close),
        cmocka_unit_test(test_garbage_storm),
        cmocka_unit_test(test_lingering_close),
        cmocka_unit_test(test_headers_binary),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_bad_start),
        cmocka_unit_test(test_start_stop_cycles),
        cmocka_unit_test(test_stop_with_open_connections),
    };

    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
