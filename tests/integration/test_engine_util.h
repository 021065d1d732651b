/*
 * Helpers shared by the engine's integration tests (header only): start the
 * embedded target on 127.0.0.1:0, compile an LD_start_test action written as
 * JSON (with "PORT" replaced by the target's port), run it and inspect the
 * records.
 */
#ifndef LD_TEST_ENGINE_UTIL_H
#define LD_TEST_ENGINE_UTIL_H

#include "testutil.h"

#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ldcore/doc.h"
#include "proto/ring.h"
#include "ldcore/engine.h"
#include "ldcore/registry.h"
#include "ldcore/stats.h"
#include "ldcore/target.h"

typedef struct te_run {
    ld_target_t *target;
    int port;
    ld_doc_t *doc;
    ld_args_t args;
    bool bound;
    ld_params_t *params;
    ld_test_plan_t *plan;
    ld_records_t *records;
    json_t *summary;
    ld_diag_t diag;
    double elapsed_s;
    int rc;
} te_run_t;

static inline void te_start_target(te_run_t *r)
{
    ld_diag_t d;
    memset(r, 0, sizeof(*r));
    assert_int_equal(ld_target_start("127.0.0.1", 0, &r->target, &d), 0);
    r->port = ld_target_port(r->target);
    r->params = ld_params_new();
    r->records = ld_records_new();
    assert_non_null(r->params);
    assert_non_null(r->records);
}

/* Replace every "PORT" in tmpl by port. */
static inline char *te_subst(const char *tmpl, int port)
{
    ld_buf_t b;
    char num[16];
    const char *p = tmpl, *q;
    snprintf(num, sizeof(num), "%d", port);
    ld_buf_init(&b, 0);
    while ((q = strstr(p, "PORT"))) {
        ld_buf_add(&b, p, (size_t)(q - p));
        ld_buf_adds(&b, num);
        p = q + 4;
    }
    ld_buf_adds(&b, p);
    return ld_buf_take(&b, NULL);
}

/* Parse and bind ["LD_start_test", {...}] and compile the plan; returns
   the plan_new code (diag in r->diag). */
static inline int te_compile(te_run_t *r, const char *kwargs_json)
{
    char *kw = te_subst(kwargs_json, r->port);
    size_t n = strlen(kw) + 64;
    char *text = malloc(n);
    snprintf(text, n, "[\"LD_start_test\", %s]", kw);
    free(kw);
    r->doc =
        ld_doc_parse(text, strlen(text), "test.json", LD_FMT_JSON, &r->diag);
    free(text);
    if (!r->doc) {
        print_error("parse: %s\n", r->diag.msg);
        return r->diag.code ? r->diag.code : LD_ESYNTAX;
    }
    if (ld_args_bind(ld_doc_root(r->doc), "test.json", &r->args, &r->diag)) {
        print_error("bind: %s\n", r->diag.msg);
        return r->diag.code ? r->diag.code : LD_EINVAL;
    }
    r->bound = true;
    return ld_test_plan_new(&r->args, r->params, &r->plan, &r->diag);
}

static inline int te_run_opts(te_run_t *r, const ld_run_opts_t *opts)
{
    uint64_t t0 = ld_now_ns();
    r->rc = ld_test_run(r->plan, opts, r->records, &r->summary, &r->diag);
    r->elapsed_s = (double)(ld_now_ns() - t0) * 1e-9;
    if (r->rc)
        print_error("run: %s\n", r->diag.msg);
    return r->rc;
}

/* Compile and run with default options; asserts both succeed. */
static inline void te_run(te_run_t *r, const char *kwargs_json)
{
    ld_run_opts_t o;
    int rc = te_compile(r, kwargs_json);
    if (rc)
        print_error("compile: %s (line %u col %u)\n", r->diag.msg,
                    r->diag.pos.line, r->diag.pos.col);
    assert_int_equal(rc, 0);
    memset(&o, 0, sizeof(o));
    assert_int_equal(te_run_opts(r, &o), 0);
}

static inline void te_free(te_run_t *r)
{
    json_decref(r->summary);
    ld_test_plan_free(r->plan);
    if (r->bound)
        ld_args_release(&r->args);
    ld_doc_free(r->doc);
    ld_records_free(r->records);
    ld_params_free(r->params);
    ld_target_stop(r->target);
    memset(r, 0, sizeof(*r));
}

/* Records whose name is name (NULL = all), and how many failed. */
static inline size_t te_count(const te_run_t *r, const char *name,
                              size_t *failed)
{
    size_t n = 0, f = 0, it = 0;
    const ld_record_t *rec;
    while ((rec = ld_records_next(r->records, &it))) {
        if (name && strcmp(ld_records_str(r->records, rec->name_id), name))
            continue;
        n++;
        if (rec->error_id)
            f++;
    }
    if (failed)
        *failed = f;
    return n;
}

/* The first failure message (or "") of records named name (NULL = any). */
static inline const char *te_first_error(const te_run_t *r, const char *name)
{
    size_t it = 0;
    const ld_record_t *rec;
    while ((rec = ld_records_next(r->records, &it)))
        if (rec->error_id &&
            (!name || !strcmp(ld_records_str(r->records, rec->name_id), name)))
            return ld_records_str(r->records, rec->error_id);
    return "";
}

/* Every record named name failed, with msg in the first failure message
   and the given HTTP status (0 for a transport failure). */
static inline void te_expect_failed(const te_run_t *r, const char *name,
                                    const char *msg, int status)
{
    size_t failed, n = te_count(r, name, &failed), it = 0;
    const ld_record_t *rec;
    print_message("%s: %zu records, \"%s\"\n", name, n,
                  te_first_error(r, name));
    assert_true(n > 0);
    assert_int_equal(failed, n);
    assert_non_null(strstr(te_first_error(r, name), msg));
    while ((rec = ld_records_next(r->records, &it)))
        if (!strcmp(ld_records_str(r->records, rec->name_id), name))
            assert_int_equal(rec->status, status);
}

/* A loopback port nobody listens on (bound, then closed). */
static inline int te_closed_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static inline void te_print(const te_run_t *r)
{
    char *s = r->summary ? json_dumps(r->summary, JSON_COMPACT) : NULL;
    print_message("records=%zu server=%llu elapsed=%.2fs summary=%s\n",
                  ld_records_count(r->records),
                  (unsigned long long)ld_target_requests(r->target),
                  r->elapsed_s, s ? s : "null");
    free(s);
}

/* One cmocka test per HTTP driver, for the suites every driver must pass:
 * the test's state is "curl", "native" (its sockets through io_uring, when
 * this kernel gives one) or "native-epoll" (through libuv's epoll). */
#define BOTH(f)                                                                \
    cmocka_unit_test_prestate(f, (void *)"curl"),                              \
        cmocka_unit_test_prestate(f, (void *)"native"),                        \
        cmocka_unit_test_prestate(f, (void *)"native-epoll")

/* The driver name of a BOTH state, with LOADDENSITY_IO set for it. */
static inline const char *te_driver(const char *state)
{
    static int ring = -1;
    if (!strcmp(state, "native-epoll")) {
        setenv("LOADDENSITY_IO", "epoll", 1);
        return "native";
    }
    if (ring < 0) {
        ring = ld__ring_available();
        if (!ring)
            print_message("no io_uring here: \"native\" runs on epoll\n");
    }
    if (!strcmp(state, "native") && ring)
        setenv("LOADDENSITY_IO", "io_uring", 1);
    else
        unsetenv("LOADDENSITY_IO");
    return state;
}

#endif
