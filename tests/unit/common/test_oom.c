/*
 * Failing-allocation mode (STYLE.md 8.8): the Nth allocation fails, for
 * N = 1, 2, ... until a run completes without reaching N. Every call must
 * then either succeed with the same result as an unhindered run or report
 * LD_ENOMEM, must not crash, and must leave no allocation behind.
 *
 * ldcore's malloc/calloc/realloc/strdup/strndup/free are wrapped at link
 * time (-Wl,--wrap=..., see tests/CMakeLists.txt), which only redirects the
 * references of the statically linked objects (libldcore.a and this test),
 * so it works under ASan too. jansson is routed through the same counter
 * with json_set_alloc_funcs. libfyaml, PCRE2 and libc internals are not.
 * Live allocations are tracked in a pointer table: after a scenario freed
 * its result, no pointer it allocated may remain.
 */
#include "testutil.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ldcore/doc.h"
#include "ldcore/import.h"
#include "ldcore/lint.h"
#include "ldcore/registry.h"
#include "ldcore/rpc.h"
#include "ldcore/stats.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t m, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t m, size_t n);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

/* ---- the counter and the live-pointer table ---- */

#define TBL_SIZE (1u << 18)
#define TOMB ((void *)1)

static void *tbl[TBL_SIZE];
static size_t live;
static int tracking;
static long fail_at; /* 0 = never */
static long ncalls;
static int fired;
static int skipped; /* the Nth was inside jansson's decoder: not failed */

static size_t slot_of(const void *p)
{
    uintptr_t h = (uintptr_t)p;

    h ^= h >> 17;
    h *= (uintptr_t)0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 7) & (TBL_SIZE - 1);
}

static void tbl_add(void *p)
{
    size_t i = slot_of(p);

    if (!tracking || !p)
        return;
    while (tbl[i] && tbl[i] != TOMB)
        i = (i + 1) & (TBL_SIZE - 1);
    tbl[i] = p;
    live++;
}

static void tbl_del(void *p)
{
    size_t i = slot_of(p);

    if (!p || !live)
        return;
    while (tbl[i]) {
        if (tbl[i] == p) {
            tbl[i] = TOMB;
            live--;
            return;
        }
        i = (i + 1) & (TBL_SIZE - 1);
    }
}

static void tbl_reset(void)
{
    memset(tbl, 0, sizeof(tbl));
    live = 0;
}

static int should_fail(void)
{
    if (fail_at <= 0)
        return 0;
    if (++ncalls == fail_at) {
        fired = 1;
        /* debugging aid: LD_OOM_BACKTRACE=N shows where the Nth fails */
        if (getenv("LD_OOM_BACKTRACE") &&
            atol(getenv("LD_OOM_BACKTRACE")) == fail_at) {
            void *bt[16];

            backtrace_symbols_fd(bt, backtrace(bt, 16), 2);
        }
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n)
{
    void *p;

    if (should_fail())
        return NULL;
    p = __real_malloc(n);
    tbl_add(p);
    return p;
}

void *__wrap_calloc(size_t m, size_t n)
{
    void *p;

    if (should_fail())
        return NULL;
    p = __real_calloc(m, n);
    tbl_add(p);
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    void *q;

    if (should_fail())
        return NULL;
    q = __real_realloc(p, n);
    if (q || n == 0)
        tbl_del(p);
    tbl_add(q);
    return q;
}

void __wrap_free(void *p)
{
    tbl_del(p);
    __real_free(p);
}

char *__wrap_strdup(const char *s)
{
    char *p;

    if (should_fail())
        return NULL;
    p = __real_strdup(s);
    tbl_add(p);
    return p;
}

char *__wrap_strndup(const char *s, size_t n)
{
    char *p;

    if (should_fail())
        return NULL;
    p = __real_strndup(s, n);
    tbl_add(p);
    return p;
}

static void arm(long n)
{
    ncalls = 0;
    fired = 0;
    skipped = 0;
    fail_at = n;
}

static void disarm(void)
{
    fail_at = 0;
}

/* ---- fingerprints of results (computed unarmed) ---- */

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;

    while (n--)
        h = (h ^ *s++) * 1099511628211ull;
    return h;
}

static uint64_t fp_json(const json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    uint64_t h;

    assert_non_null(s);
    h = fnv(s, strlen(s), 14695981039346656037ull);
    free(s);
    return h;
}

static uint64_t fp_node(const ld_node_t *n)
{
    ld_buf_t b;
    uint64_t h;

    ld_buf_init(&b, 0);
    assert_int_equal(ld_node_write_json(n, &b), 0);
    h = fnv(b.data, b.len, 14695981039346656037ull);
    ld_buf_free(&b);
    return h;
}

/* ---- scenarios: run armed, then disarm, fingerprint and free ---- */

static char *seed_json, *seed_yaml, *har_text;
static size_t seed_json_len, seed_yaml_len, har_len;

static const char lint_text[] =
    "{\"load_density\": [\n"
    "  [\"LD_generate_summary_repor\", {\"report_name\": \"x\"}],\n"
    "  [\"LD_generate_summary_report\", {\"report_nam\": \"x\"}],\n"
    "  [\"LD_start_test\", {\"user_detail_dict\": {\"user\": \"nope\"},\n"
    "    \"user_count\": \"ten\", \"tasks\": {\"mode\": \"sequence\","
    " \"tasks\": [{\"method\": \"FETCH\", \"request_url\": \"${missing}\"}]}}],\n"
    "  [\"LD_register_variable\", {\"name\": \"a\", \"value\": 1}],\n"
    "  \"not an action\"\n"
    "]}\n";

static int doc_parse(const char *text, size_t len, ld_doc_format_t f,
                     uint64_t *fp)
{
    ld_diag_t d;
    ld_doc_t *doc = ld_doc_parse(text, len, "oom", f, &d);

    disarm();
    if (!doc)
        return d.code;
    *fp = fp_node(ld_doc_root(doc));
    ld_doc_free(doc);
    return 0;
}

static int sc_doc_json(uint64_t *fp)
{
    return doc_parse(seed_json, seed_json_len, LD_FMT_JSON, fp);
}

static int sc_doc_yaml(uint64_t *fp)
{
    return doc_parse(seed_yaml, seed_yaml_len, LD_FMT_YAML, fp);
}

static int sc_lint(uint64_t *fp)
{
    ld_lint_result_t r;
    ld_doc_t *doc = NULL;
    json_t *j;
    int rc;

    ld_lint_result_init(&r);
    rc = ld_lint_text(lint_text, sizeof(lint_text) - 1, "oom.json",
                      LD_FMT_JSON, NULL, &r, &doc);
    disarm();
    if (rc == 0) {
        j = ld_lint_result_to_json(&r);
        assert_non_null(j);
        *fp = fp_json(j);
        json_decref(j);
    }
    ld_lint_result_free(&r);
    ld_doc_free(doc);
    return rc;
}

/* The linter output functions on a result built unarmed. */
static ld_lint_result_t lint_res;

static int sc_lint_out(uint64_t *fp)
{
    ld_buf_t b;
    json_t *j = ld_lint_result_to_json(&lint_res);
    int rc;

    ld_buf_init(&b, 0);
    rc = j ? ld_lint_format(&lint_res, LD_LINT_FMT_TEXT, &b) : LD_ENOMEM;
    disarm();
    if (rc == 0) {
        *fp = fnv(b.data, b.len, fp_json(j));
        ld_buf_free(&b);
    }
    json_decref(j);
    return rc;
}

static ld_doc_t *bind_doc;

static int sc_bind(uint64_t *fp)
{
    const ld_node_t *acts = ld_doc_actions(bind_doc, NULL);
    int rcs[16] = {0}, rc = 0;
    size_t i;

    for (i = 0; i < acts->u.arr.n && i < 16; i++) {
        ld_args_t a;
        ld_diag_t d;

        memset(&a, 0, sizeof(a));
        rcs[i] = ld_args_bind(acts->u.arr.items[i], "oom.json", &a, &d);
        if (rcs[i] == 0)
            ld_args_release(&a);
        if (rcs[i] == LD_ENOMEM)
            rc = LD_ENOMEM;
    }
    disarm();
    *fp = fnv(rcs, sizeof(rcs), 1);
    return rc;
}

static int sc_registry(uint64_t *fp)
{
    json_t *j = ld_registry_to_json();
    ld_buf_t b;
    int rc;

    ld_buf_init(&b, 0);
    rc = j ? ld_registry_write_markdown(&b) : LD_ENOMEM;
    disarm();
    if (rc == 0) {
        *fp = fnv(b.data, b.len, fp_json(j));
        ld_buf_free(&b);
    }
    json_decref(j);
    return rc;
}

static int add_records(ld_records_t *r)
{
    static const char *const names[] = {"home", "login", "api", NULL};
    int rc = 0, i;

    for (i = 0; i < 40 && !rc; i++)
        rc = ld_records_add_full(
            r, 1000000ull * (uint64_t)i, LD_M_GET, names[i % 4],
            "http://127.0.0.1:1/x", i % 7 ? 200 : 500,
            (uint32_t)(1000 + 37 * i), 100, i % 7 ? NULL : "HTTP 500");
    return rc;
}

static int sc_records(uint64_t *fp)
{
    ld_records_t *r = ld_records_new();
    json_t *s = NULL;
    int rc = r ? add_records(r) : LD_ENOMEM;

    if (!rc) {
        s = ld_summary_build(r);
        if (!s)
            rc = LD_ENOMEM;
    }
    disarm();
    if (!rc)
        *fp = fp_json(s);
    json_decref(s);
    ld_records_free(r);
    return rc;
}

static int sc_har(uint64_t *fp)
{
    static const char *const inc[] = {"127\\.0\\.0\\.1|example"};
    ld_har_opts_t o;
    ld_diag_t d;
    json_t *har = NULL, *doc = NULL;
    int rc;

    ld_har_opts_init(&o);
    o.include = inc;
    o.ninclude = 1;
    rc = ld_har_parse(har_text, har_len, "oom.har", &har, &d);
    if (!rc)
        rc = ld_har_to_action_json(har, &o, &doc, NULL, &d);
    disarm();
    if (!rc)
        *fp = fp_json(doc);
    json_decref(doc);
    json_decref(har);
    return rc;
}

static int sc_lint_yaml(uint64_t *fp)
{
    ld_lint_result_t r;
    int rc;

    ld_lint_result_init(&r);
    rc = ld_lint_text(seed_yaml, seed_yaml_len, "oom.yaml", LD_FMT_YAML,
                      NULL, &r, NULL);
    disarm();
    *fp = fnv(&r.n, sizeof(r.n), r.errors * 31 + r.warnings);
    ld_lint_result_free(&r);
    return rc;
}

static int sc_node_json(uint64_t *fp)
{
    ld_diag_t d;
    json_t *j = ld_node_to_json(ld_doc_root(bind_doc));
    ld_doc_t *back = NULL;
    int rc = 0;

    if (!j)
        rc = LD_ENOMEM;
    else if (!(back = ld_doc_from_json(j, "oom", &d)))
        rc = d.code;
    disarm();
    if (!rc)
        *fp = fp_node(ld_doc_root(back));
    ld_doc_free(back);
    json_decref(j);
    return rc;
}

/* Both framings over a memfd: a request, a broken message, a notification. */
static int rpc_run(ld_rpc_framing_t f, const char *in, uint64_t *fp)
{
    ld_rpc_t r;
    int fd = memfd_create("oom-rpc", 0), rcs[8] = {0}, rc, i;

    assert_true(fd >= 0);
    assert_int_equal(write(fd, in, strlen(in)), (ssize_t)strlen(in));
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    rc = ld_rpc_init(&r, fd, -1, f);
    if (rc) {
        close(fd);
        return rc;
    }
    for (i = 0; i < 8; i++) {
        json_t *m = NULL, *e = NULL;

        rcs[i] = ld_rpc_read(&r, &m, &e);
        if (rcs[i] != LD_ENOMEM) /* what the caller got must be complete */
            rcs[i] = rcs[i] * 4 + (m != NULL) * 2 + (e != NULL);
        json_decref(m);
        json_decref(e);
        if (rcs[i] == LD_ESTOPPED)
            break;
        if (rcs[i] == LD_ENOMEM)
            rc = LD_ENOMEM;
    }
    disarm();
    *fp = fnv(rcs, sizeof(rcs), *fp);
    ld_rpc_close(&r);
    close(fd);
    return rc;
}

static int sc_rpc_lines(uint64_t *fp)
{
    return rpc_run(LD_RPC_LINES,
                   "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"}\n"
                   "{\"broken\": \n"
                   "{\"jsonrpc\":\"2.0\",\"method\":\"n\",\"params\":[1]}\n", fp);
}

static int sc_rpc_cl(uint64_t *fp)
{
    return rpc_run(LD_RPC_CONTENT_LENGTH,
                   "Content-Length: 40\r\n\r\n"
                   "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"
                   "Content-Length: 5\r\nContent-Type: x\r\n\r\n{bad}", fp);
}

/* ---- the driver ---- */

typedef struct scenario {
    const char *name;
    int (*run)(uint64_t *fp);
} scenario_t;

static void run_scenario(const scenario_t *s)
{
    uint64_t fp0 = 0, fp;
    int rc0, rc;
    long n, enomem = 0, jansson = 0;

    arm(0);
    rc0 = s->run(&fp0); /* also warms lazily built tables */
    assert_int_not_equal(rc0, LD_ENOMEM);
    for (n = 1; n < 200000; n++) {
        tbl_reset();
        tracking = 1;
        fp = 0;
        arm(n);
        rc = s->run(&fp);
        disarm();
        tracking = 0;
        if (rc == LD_ENOMEM) {
            if (!fired)
                fail_msg("%s: LD_ENOMEM without a failed allocation (N=%ld)",
                         s->name, n);
            enomem++;
        } else if (rc != rc0 || fp != fp0) {
            fail_msg("%s: allocation %ld failed: rc %d (%s), expected %d or "
                     "LD_ENOMEM%s", s->name, n, rc, ld_err_name(rc), rc0,
                     rc == rc0 ? " (result differs)" : "");
        }
        if (live)
            fail_msg("%s: allocation %ld failed: %zu allocation(s) leaked",
                     s->name, n, live);
        jansson += skipped;
        if (!fired && !skipped)
            break;
    }
    print_message("%s: %ld allocation points, %ld reported LD_ENOMEM, %ld "
                  "skipped in jansson's decoder\n", s->name, n - 1, enomem,
                  jansson);
    assert_true(n > 1);
}

#define SCEN(fn)                                                             \
    static void t_##fn(void **state)                                         \
    {                                                                        \
        static const scenario_t s = {#fn, sc_##fn};                          \
        (void)state;                                                         \
        run_scenario(&s);                                                    \
    }
SCEN(doc_json)
SCEN(doc_yaml)
SCEN(lint)
SCEN(lint_out)
SCEN(bind)
SCEN(registry)
SCEN(records)
SCEN(har)
SCEN(lint_yaml)
SCEN(node_json)
SCEN(rpc_lines)
SCEN(rpc_cl)

/* jansson 2.14's decoder mishandles ENOMEM past its first allocations: it
   drops a character of a token, reports "invalid token", or writes through
   a NULL buffer (SEGV in json_loads). Not ldcore's bugs: allocations inside
   json_load* are not failed (the Nth is skipped and counted), except in
   t_har_enomem, which fails only the decoder's first, safe, allocation. */
static int decoder_failures_ok;

static int in_jansson_decoder(void)
{
    void *bt[24];
    int i, n = backtrace(bt, 24);
    Dl_info info;

    for (i = 0; i < n; i++)
        if (dladdr(bt[i], &info) && info.dli_sname &&
            strncmp(info.dli_sname, "json_load", 9) == 0)
            return 1;
    return 0;
}

static void *jmalloc(size_t n)
{
    void *p;

    if (fail_at > 0 && ncalls + 1 == fail_at && !decoder_failures_ok &&
        in_jansson_decoder()) {
        ncalls++;
        skipped = 1;
        p = __real_malloc(n);
        tbl_add(p);
        return p;
    }
    return __wrap_malloc(n);
}

static void jfree(void *p)
{
    __wrap_free(p);
}

static int setup(void **state)
{
    ld_diag_t d;

    (void)state;
    seed_json = tu_read(tu_fixture("doc/seed_actions.json"), &seed_json_len);
    seed_yaml = tu_read(tu_fixture("doc/seed_actions.yaml"), &seed_yaml_len);
    har_text = tu_read(tu_fixture("import/recording.har"), &har_len);
    assert_non_null(seed_json);
    assert_non_null(seed_yaml);
    assert_non_null(har_text);
    ld_lint_result_init(&lint_res);
    assert_int_equal(ld_lint_text(lint_text, sizeof(lint_text) - 1, "oom.json",
                                  LD_FMT_JSON, NULL, &lint_res, NULL), 0);
    assert_true(lint_res.n >= 4);
    bind_doc = ld_doc_parse(lint_text, sizeof(lint_text) - 1, "oom.json",
                            LD_FMT_JSON, &d);
    assert_non_null(bind_doc);
    return 0;
}

/* ld_har_parse reported jansson's ENOMEM as "not valid JSON: " (empty
   message, LD_ESYNTAX) before the fix in har_cmd.c. */
static void t_har_enomem(void **state)
{
    ld_diag_t d;
    json_t *har = NULL;
    int rc;

    (void)state;
    decoder_failures_ok = 1;
    arm(1); /* jansson's lexer buffer: the decoder fails cleanly */
    rc = ld_har_parse(har_text, har_len, "oom.har", &har, &d);
    disarm();
    decoder_failures_ok = 0;
    assert_true(fired);
    assert_null(har);
    assert_int_equal(rc, LD_ENOMEM);
    assert_int_equal(d.code, LD_ENOMEM);
}

static int teardown(void **state)
{
    (void)state;
    ld_lint_result_free(&lint_res);
    ld_doc_free(bind_doc);
    free(seed_json);
    free(seed_yaml);
    free(har_text);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_doc_json), cmocka_unit_test(t_doc_yaml),
        cmocka_unit_test(t_lint),     cmocka_unit_test(t_lint_out),
        cmocka_unit_test(t_bind),     cmocka_unit_test(t_registry),
        cmocka_unit_test(t_records),  cmocka_unit_test(t_har),
        cmocka_unit_test(t_har_enomem), cmocka_unit_test(t_lint_yaml),
        cmocka_unit_test(t_node_json),  cmocka_unit_test(t_rpc_lines),
        cmocka_unit_test(t_rpc_cl),
    };

    /* before any jansson value exists, so every free matches its malloc */
    json_set_alloc_funcs(jmalloc, jfree);
    return cmocka_run_group_tests(tests, setup, teardown);
}
