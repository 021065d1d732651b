/*
 * The embedded target against a real client (libcurl) and under concurrent
 * load: connection reuse, chunked uploads with Expect: 100-continue, bodies
 * at the size limits, many concurrent connections with an exact request
 * count, concurrent delays, and what curl reports for /close and /reset.
 */
#include "testutil.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "ldcore/target.h"
#include "../unit/target/tclient.h"

typedef struct sink {
    char *p;
    size_t n, cap;
} sink_t;

static size_t on_data(char *p, size_t sz, size_t nm, void *ud)
{
    sink_t *s = ud;

    if (s->n + sz * nm + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        char *q;
        while (cap < s->n + sz * nm + 1)
            cap *= 2;
        q = realloc(s->p, cap);
        if (!q)
            return 0;
        s->p = q;
        s->cap = cap;
    }
    memcpy(s->p + s->n, p, sz * nm);
    s->n += sz * nm;
    s->p[s->n] = '\0';
    return sz * nm;
}

static char url_base[64];

static CURL *easy(const char *path, sink_t *s)
{
    CURL *e = curl_easy_init();
    char url[256];

    assert_non_null(e);
    snprintf(url, sizeof(url), "%s%s", url_base, path);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    return e;
}

static long perform(CURL *e, CURLcode want)
{
    long code = 0;

    assert_int_equal(curl_easy_perform(e), want);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
    return code;
}

static ld_target_t *start(const char *host)
{
    ld_target_t *t = NULL;
    ld_diag_t d;

    assert_int_equal(ld_target_start(host, 0, &t, &d), 0);
    snprintf(url_base, sizeof(url_base), "http://%s:%d", host,
             ld_target_port(t));
    return t;
}

static void test_reuse_and_routes(void **state)
{
    ld_target_t *t = start("127.0.0.1");
    sink_t s = {0};
    CURL *e = easy("/", &s);
    struct curl_slist *h = curl_slist_append(NULL, "X-Probe: 42");
    json_t *j;
    char url[128];

    (void)state;
    for (int i = 0; i < 500; i++) {
        s.n = 0;
        assert_int_equal(perform(e, CURLE_OK), 200);
        assert_int_equal(s.n, 13);
    }
    assert_int_equal(ld_target_connections(t), 1);
    assert_int_equal(ld_target_requests(t), 500);
    s.n = 0;
    snprintf(url, sizeof(url), "%s/headers", url_base);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    assert_int_equal(perform(e, CURLE_OK), 200);
    j = json_loads(s.p, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "x-probe")),
                        "42");
    json_decref(j);
    assert_int_equal(ld_target_connections(t), 1);
    curl_slist_free_all(h);
    curl_easy_cleanup(e);
    free(s.p);
    ld_target_stop(t);
}

typedef struct src {
    size_t n, off;
} src_t;

static size_t on_read(char *p, size_t sz, size_t nm, void *ud)
{
    src_t *s = ud;
    size_t k = sz * nm < s->n - s->off ? sz * nm : s->n - s->off;

    if (k > 10000)
        k = 10000; /* many small chunks */
    for (size_t i = 0; i < k; i++)
        p[i] = (char)('A' + (s->off + i) % 23);
    s->off += k;
    return k;
}

static void test_chunked_upload(void **state)
{
    ld_target_t *t = start("127.0.0.1");
    sink_t s = {0};
    src_t src = {3u * 1024u * 1024u + 7u, 0};
    CURL *e = easy("/echo", &s);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: app/x-up");
    uint64_t t0 = tc_ms();

    (void)state;
    h = curl_slist_append(h, "Transfer-Encoding: chunked");
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(e, CURLOPT_READDATA, &src);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    assert_int_equal(perform(e, CURLE_OK), 200);
    /* a missing 100 Continue would cost curl a one-second wait */
    assert_true(tc_ms() - t0 < 900);
    assert_int_equal(s.n, src.n);
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] != (char)('A' + i % 23))
            fail_msg("byte %zu differs", i);
    curl_slist_free_all(h);
    curl_easy_cleanup(e);
    free(s.p);
    ld_target_stop(t);
}

static void test_body_limits(void **state)
{
    ld_target_t *t = start("127.0.0.1");
    size_t max = 16u * 1024u * 1024u;
    char *body = malloc(max + 1);
    sink_t s = {0};
    CURL *e;

    (void)state;
    memset(body, 'q', max + 1);
    e = easy("/echo", &s);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)max);
    assert_int_equal(perform(e, CURLE_OK), 200);
    assert_int_equal(s.n, max);
    assert_true(memcmp(s.p, body, max) == 0);
    curl_easy_cleanup(e);
    s.n = 0;
    e = easy("/echo", &s);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)max + 1);
    assert_int_equal(perform(e, CURLE_OK), 413);
    curl_easy_cleanup(e);
    s.n = 0;
    e = easy("/bytes/16777216", &s);
    assert_int_equal(perform(e, CURLE_OK), 200);
    assert_int_equal(s.n, max);
    curl_easy_cleanup(e);
    free(body);
    free(s.p);
    ld_target_stop(t);
}

/* Run n transfers of path through one multi handle, `conc` at a time. */
static void multi_run(const char *path, int conc, int per, long *codes_ok)
{
    CURLM *m = curl_multi_init();
    CURL **es = calloc((size_t)conc, sizeof(*es));
    int *left = calloc((size_t)conc, sizeof(int));
    sink_t *sinks = calloc((size_t)conc, sizeof(sink_t));
    int running = 1;

    curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)conc);
    for (int i = 0; i < conc; i++) {
        es[i] = easy(path, &sinks[i]);
        curl_easy_setopt(es[i], CURLOPT_PRIVATE, (void *)(intptr_t)i);
        left[i] = per - 1;
        curl_multi_add_handle(m, es[i]);
    }
    while (running) {
        CURLMsg *msg;
        int q;
        curl_multi_perform(m, &running);
        while ((msg = curl_multi_info_read(m, &q)) != NULL) {
            void *pv;
            long code = 0;
            int i;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &pv);
            i = (int)(intptr_t)pv;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
                              &code);
            if (msg->data.result == CURLE_OK && code == 200)
                (*codes_ok)++;
            curl_multi_remove_handle(m, es[i]);
            if (left[i]-- > 0) {
                curl_multi_add_handle(m, es[i]);
                running = 1;
            }
        }
        if (running)
            curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    for (int i = 0; i < conc; i++) {
        curl_easy_cleanup(es[i]);
        free(sinks[i].p);
    }
    curl_multi_cleanup(m);
    free(es);
    free(left);
    free(sinks);
}

typedef struct pipe_job {
    int port;
    int n;
    int ok;
} pipe_job_t;

/* One raw connection sending batches of 50 pipelined requests. */
static void *pipe_worker(void *arg)
{
    pipe_job_t *j = arg;
    tc_t c;
    char batch[50 * 40];
    size_t bl = 0;

    for (int i = 0; i < 50; i++)
        bl += (size_t)sprintf(batch + bl, "GET /json HTTP/1.1\r\nHost: a\r\n"
                                          "\r\n");
    if (tc_connect("127.0.0.1", j->port, &c))
        return NULL;
    for (int done = 0; done < j->n; done += 50) {
        if (tc_send(&c, batch, bl))
            break;
        for (int i = 0; i < 50; i++) {
            tc_rsp_t r;
            if (tc_read(&c, &r, 0))
                goto out;
            j->ok += r.status == 200;
            tc_rsp_free(&r);
        }
    }
out:
    tc_close(&c);
    return NULL;
}

static void test_concurrent_exact_count(void **state)
{
    ld_target_t *t = start("127.0.0.1");
    long ok = 0;
    pthread_t th[8];
    pipe_job_t jobs[8];
    int pj = 0;

    (void)state;
    multi_run("/json", 64, 50, &ok);
    assert_int_equal(ok, 64 * 50);
    assert_int_equal(ld_target_requests(t), 64 * 50);
    assert_true(ld_target_connections(t) >= 1);
    for (int i = 0; i < 8; i++) {
        jobs[i] = (pipe_job_t){ld_target_port(t), 5000, 0};
        assert_int_equal(pthread_create(&th[i], NULL, pipe_worker, &jobs[i]),
                         0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        pj += jobs[i].ok;
    }
    assert_int_equal(pj, 8 * 5000);
    assert_int_equal(ld_target_requests(t), 64 * 50 + 8 * 5000);
    ld_target_stop(t);
}

static void test_concurrent_delays(void **state)
{
    ld_target_t *t = start("127.0.0.1");
    long ok = 0;
    uint64_t t0 = tc_ms();

    (void)state;
    multi_run("/delay/300", 40, 2, &ok);
    assert_int_equal(ok, 80);
    /* 80 delays of 300 ms on 40 connections: two rounds, not eighty */
    assert_true(tc_ms() - t0 < 2000);
    ld_target_stop(t);
}

static void test_close_reset_curl(void **state)
{
    ld_target_t *t = start("127.0.0.1");
    sink_t s = {0};
    CURL *e;

    (void)state;
    e = easy("/close", &s);
    perform(e, CURLE_GOT_NOTHING);
    curl_easy_cleanup(e);
    e = easy("/reset", &s);
    perform(e, CURLE_RECV_ERROR);
    curl_easy_cleanup(e);
    e = easy("/status/418", &s);
    assert_int_equal(perform(e, CURLE_OK), 418);
    curl_easy_cleanup(e);
    free(s.p);
    ld_target_stop(t);
}

static void test_ipv6_curl(void **state)
{
    ld_target_t *t = NULL;
    ld_diag_t d;
    sink_t s = {0};
    CURL *e;

    (void)state;
    if (ld_target_start("::1", 0, &t, &d) != 0)
        skip(); /* no IPv6 loopback */
    snprintf(url_base, sizeof(url_base), "http://[::1]:%d",
             ld_target_port(t));
    e = easy("/login", &s);
    assert_int_equal(perform(e, CURLE_OK), 200);
    assert_string_equal(s.p, "{\"data\":{\"token\":\"tok-1\"}}");
    curl_easy_cleanup(e);
    free(s.p);
    ld_target_stop(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reuse_and_routes),
        cmocka_unit_test(test_chunked_upload),
        cmocka_unit_test(test_body_limits),
        cmocka_unit_test(test_concurrent_exact_count),
        cmocka_unit_test(test_concurrent_delays),
        cmocka_unit_test(test_close_reset_curl),
        cmocka_unit_test(test_ipv6_curl),
    };
    int rc;

    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
