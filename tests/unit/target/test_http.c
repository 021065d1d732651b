/*
 * The target's request parser on its own: feeding a request byte by byte
 * gives the same result as feeding it whole, chunked bodies decode in place,
 * and mutated or random input never misbehaves (ASan watches).
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "target/target_int.h"

typedef struct outcome {
    int ev;          /* LD__P_DONE, LD__P_ERROR or LD__P_MORE at the end */
    int status;
    size_t total, body_len, head_len;
    int keepalive, chunked, minor;
    char body[256];
} outcome_t;

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Parse buf[0..n) revealing `step` more bytes per call (0: random). */
static outcome_t run(char *buf, size_t n, size_t step)
{
    ld__treq_t r;
    outcome_t o;
    size_t avail = 0;

    memset(&r, 0, sizeof(r));
    memset(&o, 0, sizeof(o));
    o.ev = LD__P_MORE;
    while (avail < n) {
        size_t k = step ? step : 1 + (size_t)(rnd() % 64);
        int ev;
        avail = avail + k > n ? n : avail + k;
        while ((ev = ld__treq_parse(&r, buf, avail)) == LD__P_HEAD)
            assert_int_equal(r.phase, 1);
        if (ev == LD__P_MORE)
            continue;
        o.ev = ev;
        break;
    }
    o.status = r.status;
    o.total = r.total;
    o.body_len = r.body_len;
    o.head_len = r.head_len;
    o.keepalive = r.keepalive;
    o.chunked = r.chunked;
    o.minor = r.minor;
    if (o.ev == LD__P_DONE) {
        assert_true(r.total <= avail);
        assert_true(r.head_len + r.body_len <= r.total);
        if (r.body_len < sizeof(o.body))
            memcpy(o.body, buf + r.head_len, r.body_len);
    }
    return o;
}

static outcome_t run_copy(const char *req, size_t n, size_t step)
{
    char *buf = malloc(n + 1);
    outcome_t o;

    memcpy(buf, req, n);
    o = run(buf, n, step);
    free(buf);
    return o;
}

static const char *valid[] = {
    "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    "GET /x?y HTTP/1.0\n\n",
    "HEAD /json HTTP/1.1\r\nConnection: close\r\n\r\n",
    "POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
    "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    "3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: 1\r\n\r\n",
    "PUT /echo HTTP/1.1\r\ntransfer-encoding: CHUNKED\r\n\r\n"
    "1\nZ\n0\n\n",
    "GET / HTTP/1.0\r\nConnection: foo, Keep-Alive\r\n\r\n",
};

static const char *bodies[] = {"", "", "", "hello", "abcde", "Z", ""};

static void test_incremental_equals_whole(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        size_t n = strlen(valid[i]);
        outcome_t whole = run_copy(valid[i], n, n);
        assert_int_equal(whole.ev, LD__P_DONE);
        assert_int_equal(whole.total, n);
        assert_string_equal(whole.body, bodies[i]);
        for (size_t step = 1; step < 9; step++) {
            outcome_t part = run_copy(valid[i], n, step);
            assert_int_equal(part.ev, LD__P_DONE);
            assert_int_equal(part.total, whole.total);
            assert_int_equal(part.body_len, whole.body_len);
            assert_string_equal(part.body, whole.body);
            assert_int_equal(part.keepalive, whole.keepalive);
        }
    }
    assert_int_equal(run_copy(valid[1], strlen(valid[1]), 0).keepalive, 0);
    assert_int_equal(run_copy(valid[2], strlen(valid[2]), 0).keepalive, 0);
    assert_int_equal(run_copy(valid[6], strlen(valid[6]), 0).keepalive, 1);
}

static void test_header_iteration(void **state)
{
    char req[] = "GET / HTTP/1.1\r\nA: 1\r\nBb:\t two  \r\nC:\r\n\r\n";
    ld__treq_t r;
    ld__span_t nm, v;
    size_t pos;
    int got;

    (void)state;
    memset(&r, 0, sizeof(r));
    assert_int_equal(ld__treq_parse(&r, req, strlen(req)), LD__P_HEAD);
    pos = r.reqline_end;
    assert_int_equal(ld__treq_header(req, r.head_len, &pos, &nm, &v), 1);
    assert_memory_equal(req + nm.off, "A", 1);
    assert_int_equal(ld__treq_header(req, r.head_len, &pos, &nm, &v), 1);
    assert_int_equal(v.len, 3);
    assert_memory_equal(req + v.off, "two", 3);
    assert_int_equal(ld__treq_header(req, r.head_len, &pos, &nm, &v), 1);
    assert_int_equal(v.len, 0);
    got = ld__treq_header(req, r.head_len, &pos, &nm, &v);
    assert_int_equal(got, 0);
    assert_int_equal(pos, r.head_len);
}

static void test_limits(void **state)
{
    size_t n = LD__T_HEAD_MAX + 100;
    char *buf = malloc(n);
    outcome_t o;

    (void)state;
    memcpy(buf, "GET / HTTP/1.1\r\n", 16);
    for (size_t i = 16; i < n; i += 10)
        memcpy(buf + i, "X-A: 1234\r\n", i + 10 <= n ? 10 : n - i);
    o = run(buf, n, 4096);
    assert_int_equal(o.ev, LD__P_ERROR);
    assert_int_equal(o.status, 431);
    free(buf);
    o = run_copy("POST / HTTP/1.1\r\nContent-Length: 16777216\r\n\r\n", 46,
                 46);
    assert_int_equal(o.ev, LD__P_MORE); /* exactly the limit is fine */
    assert_int_equal(o.status, 0);
}

/* Mutated and random input: any outcome, but a consistent one. */
static void test_fuzz(void **state)
{
    char buf[512];
    int seen[3] = {0, 0, 0};

    (void)state;
    for (int it = 0; it < 200000; it++) {
        const char *base = valid[rnd() % (sizeof(valid) / sizeof(valid[0]))];
        size_t n = strlen(base);
        outcome_t o;
        memcpy(buf, base, n);
        if (it % 10 == 0) {
            n = 1 + rnd() % sizeof(buf);
            for (size_t i = 0; i < n; i++)
                buf[i] = rnd() % 4 ? "GET /\r\n: 0aHTP1.\t;"[rnd() % 19]
                                   : (char)rnd();
        } else {
            int muts = 1 + (int)(rnd() % 4);
            for (int m = 0; m < muts; m++)
                buf[rnd() % n] = rnd() % 3 ? (char)rnd()
                                           : "\r\n :;0"[rnd() % 6];
        }
        o = run(buf, n, 0);
        if (o.ev == LD__P_ERROR)
            assert_true(o.status == 400 || o.status == 413 ||
                        o.status == 431 || o.status == 505);
        if (o.ev == LD__P_DONE)
            assert_true(o.total <= n);
        seen[o.ev == LD__P_DONE ? 0 : o.ev == LD__P_ERROR ? 1 : 2]++;
    }
    /* the mix really exercises all three outcomes */
    for (int i = 0; i < 3; i++)
        assert_true(seen[i] > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_incremental_equals_whole),
        cmocka_unit_test(test_header_iteration),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_fuzz),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
