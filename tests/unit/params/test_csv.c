/* CSV sources: parsing, errors with positions, rows per pass, threads. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "ldcore/params.h"

static char *expand_in(ld_params_t *p, ld_scope_t *s, const char *in)
{
    ld_buf_t b;
    char *out;

    ld_buf_init(&b, 0);
    assert_int_equal(ld_params_expand(p, s, in, strlen(in), &b), 0);
    out = ld_buf_take(&b, NULL);
    assert_non_null(out);
    return out;
}

static void expect(ld_params_t *p, ld_scope_t *s, const char *in,
                   const char *want)
{
    char *got = expand_in(p, s, in);

    assert_string_equal(got, want);
    free(got);
}

static void add_fixture(ld_params_t *p, const char *name, const char *file,
                        bool cycle)
{
    ld_diag_t d;
    char path[1024];

    snprintf(path, sizeof(path), "%s", tu_fixture(file));
    ld_diag_clear(&d);
    assert_int_equal(ld_params_add_csv(p, name, path, cycle, &d), 0);
    assert_int_equal(d.code, 0);
}

static void add_text(ld_params_t *p, const char *name, const char *text,
                     bool cycle)
{
    ld_diag_t d;

    assert_int_equal(
        ld_params_add_csv_text(p, name, text, strlen(text), cycle, "<t>", &d),
        0);
}

static void test_quoted(void **state)
{
    const char *in = "${csv.q.id}|${csv.q.name}|${csv.q.note}";
    ld_params_t *p = ld_params_new();
    json_t *cols;

    (void)state;
    add_fixture(p, "q", "params/quoted.csv", true);
    assert_true(ld_params_has_csv(p, "q"));
    assert_false(ld_params_has_csv(p, "nope"));
    assert_int_equal(ld_params_csv_rows(p, "q"), 3);
    cols = ld_params_csv_columns(p, "q");
    assert_int_equal(json_array_size(cols), 3);
    assert_string_equal(json_string_value(json_array_get(cols, 2)), "note");
    json_decref(cols);
    assert_null(ld_params_csv_columns(p, "nope"));
    expect(p, NULL, in, "1|alice|hello, world");
    expect(p, NULL, in, "2|bob|say \"hi\"");
    expect(p, NULL, in, "3|carol|line one\nline two");
    expect(p, NULL, in, "1|alice|hello, world");      /* cycles */
    ld_params_free(p);
}

static void test_crlf_bom(void **state)
{
    ld_params_t *p = ld_params_new();

    (void)state;
    add_fixture(p, "c", "params/crlf.csv", true);
    add_fixture(p, "b", "params/bom.csv", true);
    expect(p, NULL, "[${csv.c.id}|${csv.c.name}]", "[1|alice]");
    expect(p, NULL, "[${csv.c.id}|${csv.c.name}]", "[2|bob]");
    expect(p, NULL, "${csv.b.id}:${csv.b.name}", "1:alice");
    expect(p, NULL, "${csv.b.id}:${csv.b.name}", "2:bob");
    /* the same in memory (in case a checkout normalised the fixture) */
    add_text(p, "c2", "id,name\r\n1,\"al\"\"ice\"\r\n\r\n2,bob\r\n", true);
    expect(p, NULL, "[${csv.c2.id}|${csv.c2.name}]", "[1|al\"ice]");
    expect(p, NULL, "[${csv.c2.id}|${csv.c2.name}]", "[2|bob]");
    assert_int_equal(ld_params_csv_rows(p, "c2"), 2);
    /* lone CR line ends, CRLF inside a quoted field kept as is */
    add_text(p, "r", "k,v\r1,\"a\r\nb\"\r2,c", true);
    expect(p, NULL, "${csv.r.k}=${csv.r.v}", "1=a\r\nb");
    expect(p, NULL, "${csv.r.k}=${csv.r.v}", "2=c");
    ld_params_free(p);
}

static void test_no_cycle(void **state)
{
    const char *in = "${csv.u.user}:${csv.u.pass}";
    ld_params_t *p = ld_params_new();

    (void)state;
    add_fixture(p, "u", "params/users.csv", false);
    expect(p, NULL, in, "u1:p1");
    expect(p, NULL, in, "u2:p2");
    expect(p, NULL, in, "u3:p3");
    expect(p, NULL, in, in);           /* exhausted: stays unresolved */
    expect(p, NULL, in, in);
    ld_params_free(p);
}

static void test_passes(void **state)
{
    ld_params_t *p = ld_params_new();
    ld_scope_t *a = ld_scope_new(p), *b = ld_scope_new(p);

    (void)state;
    add_fixture(p, "u", "params/users.csv", true);
    add_fixture(p, "t", "params/ten.csv", true);
    /* one pass: separate expansions read the same row of each source */
    expect(p, a, "${csv.u.user}", "u1");
    expect(p, a, "${csv.t.n}", "0");
    expect(p, a, "${csv.u.pass}/${csv.u.user}", "p1/u1");
    expect(p, a, "${csv.t.n}", "0");
    /* another scope draws the next row of the shared cursor */
    expect(p, b, "${csv.u.user}", "u2");
    expect(p, b, "${csv.u.pass}", "p2");
    /* next pass, next row */
    ld_scope_begin_pass(a);
    expect(p, a, "${csv.u.pass}${csv.u.user}", "p3u3");
    expect(p, a, "${csv.t.n}", "1");
    ld_scope_begin_pass(a);
    expect(p, a, "${csv.u.user}", "u1");
    /* an unknown column stays (the row is still taken); unknown source too */
    ld_scope_begin_pass(b);
    expect(p, b, "${csv.u.nope}|${csv.x.user}|${csv.u}", "${csv.u.nope}|${csv.x.user}|${csv.u}");
    expect(p, b, "${csv.u.user}", "u2");
    ld_scope_free(a);
    ld_scope_free(b);
    ld_params_free(p);
}

static void test_resolve_one_row(void **state)
{
    ld_params_t *p = ld_params_new();
    json_t *in, *got;

    (void)state;
    add_fixture(p, "u", "params/users.csv", true);
    in = json_loads("{\"a\":\"${csv.u.user}\",\"b\":[\"${csv.u.pass}\"],"
                    "\"${csv.u.user}\":1}", 0, NULL);
    assert_non_null(in);
    /* without a scope, one resolve call is one pass */
    got = ld_params_resolve_json(p, NULL, in);
    assert_string_equal(json_string_value(json_object_get(got, "a")), "u1");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(got, "b"), 0)), "p1");
    assert_non_null(json_object_get(got, "u1"));
    json_decref(got);
    got = ld_params_resolve_json(p, NULL, in);
    assert_string_equal(json_string_value(json_object_get(got, "a")), "u2");
    json_decref(got);
    json_decref(in);
    ld_params_free(p);
}

static void test_ragged_and_empty(void **state)
{
    ld_params_t *p = ld_params_new();
    const char *in = "${csv.r.a},${csv.r.b},${csv.r.c}";

    (void)state;
    add_fixture(p, "r", "params/ragged.csv", false);
    assert_int_equal(ld_params_csv_rows(p, "r"), 3);
    expect(p, NULL, in, "1,2,${csv.r.c}");    /* short row: c missing */
    expect(p, NULL, in, "4,5,6");             /* long row: extra ignored */
    expect(p, NULL, in, "8,9,10");            /* no final newline */
    expect(p, NULL, in, in);
    /* empty text, header only, empty fields, duplicate columns */
    add_text(p, "e", "", true);
    add_text(p, "h", "x,y\n", true);
    add_text(p, "f", "x,y,z\n,\"\",\n", true);
    add_text(p, "d", "k,k\n1,2\n", true);
    assert_int_equal(ld_params_csv_rows(p, "e"), 0);
    assert_int_equal(ld_params_csv_rows(p, "h"), 0);
    expect(p, NULL, "${csv.e.x}${csv.h.x}", "${csv.e.x}${csv.h.x}");
    expect(p, NULL, "[${csv.f.x}|${csv.f.y}|${csv.f.z}]", "[||]");
    expect(p, NULL, "${csv.d.k}", "2");       /* last wins, like a dict */
    /* re-registering replaces the source (and its cursor) */
    add_text(p, "r", "a\nnew\n", true);
    expect(p, NULL, "${csv.r.a}", "new");
    ld_params_clear(p);
    assert_false(ld_params_has_csv(p, "r"));
    expect(p, NULL, "${csv.r.a}", "${csv.r.a}");
    ld_params_free(p);
}

static void expect_error(const char *text, const char *origin, int code,
                         unsigned line, unsigned col, const char *what)
{
    ld_params_t *p = ld_params_new();
    ld_diag_t d;
    char msg[2048];

    ld_diag_clear(&d);
    assert_int_equal(ld_params_add_csv_text(p, "s", text, strlen(text), true,
                                            origin, &d),
                     code);
    assert_int_equal(d.code, code);
    assert_string_equal(d.file, origin);
    assert_int_equal(d.pos.line, line);
    assert_int_equal(d.pos.col, col);
    ld_diag_format(&d, msg, sizeof(msg));
    assert_non_null(strstr(msg, what));
    assert_false(ld_params_has_csv(p, "s"));
    ld_params_free(p);
}

static void test_errors_text(void **state)
{
    (void)state;
    expect_error("a\n\"x\"y\n", "m.csv", LD_ESYNTAX, 2, 4,
                 "after closing quote");
    expect_error("a\n\"x\ny\"z", "m.csv", LD_ESYNTAX, 3, 3,
                 "after closing quote");
    expect_error("a,b\n\xc3\xa9,\"x\"y", "m.csv", LD_ESYNTAX, 2, 6,
                 "after closing quote");
    expect_error("a\r\nb\r\n\"x", "m.csv", LD_ESYNTAX, 3, 1,
                 "unterminated quoted field");
    expect_error("\xef\xbb\xbf\"x", "m.csv", LD_ESYNTAX, 1, 1,
                 "unterminated quoted field");
    expect_error("a\n\"x\"\"", "m.csv", LD_ESYNTAX, 2, 1,
                 "unterminated quoted field");
}

static void test_errors_files(void **state)
{
    ld_params_t *p = ld_params_new();
    ld_diag_t d;
    char path[1024], msg[2048];

    (void)state;
    snprintf(path, sizeof(path), "%s", tu_fixture("params/bad_unterminated.csv"));
    assert_int_equal(ld_params_add_csv(p, "s", path, true, &d), LD_ESYNTAX);
    assert_string_equal(d.file, path);
    assert_int_equal(d.pos.line, 3);
    assert_int_equal(d.pos.col, 3);
    ld_diag_format(&d, msg, sizeof(msg));
    assert_non_null(strstr(msg, "bad_unterminated.csv:3:3: error: CSV source "
                                "'s': unterminated quoted field"));

    snprintf(path, sizeof(path), "%s", tu_fixture("params/bad_garbage.csv"));
    assert_int_equal(ld_params_add_csv(p, "s", path, true, &d), LD_ESYNTAX);
    assert_int_equal(d.pos.line, 3);
    assert_int_equal(d.pos.col, 8);

    assert_int_equal(ld_params_add_csv(p, "s", "/nonexistent/x.csv", true, &d),
                     LD_EIO);
    assert_int_equal(ld_params_add_csv(p, "a.b", tu_fixture("params/ten.csv"),
                                       true, &d),
                     LD_EINVAL);
    assert_non_null(strstr(d.msg, "must not contain"));
    assert_int_equal(ld_params_add_csv(p, "", tu_fixture("params/ten.csv"),
                                       true, &d),
                     LD_EINVAL);
    assert_int_equal(ld_params_add_csv(p, "s", NULL, true, &d), LD_EINVAL);
    assert_false(ld_params_has_csv(p, "s"));
    ld_params_free(p);
}

/* ---- threads: every row handed out exactly as often as expected ---- */

enum { NTHREADS = 4, PASSES = 2500, ROWS = 10 };

typedef struct worker {
    ld_params_t *p;
    ld_tmpl_t *tmpl;
    const char *src;        /* "t" (cycling) or "o" (once) */
    int counts[ROWS];
    int unresolved;
    int mismatched;
} worker_t;

static void *work(void *arg)
{
    worker_t *w = arg;
    ld_scope_t *s = ld_scope_new(w->p);
    char in[64];
    ld_buf_t b;
    int i;

    snprintf(in, sizeof(in), "${csv.%s.n}", w->src);
    ld_buf_init(&b, 0);
    for (i = 0; s && i < PASSES; i++) {
        ld_scope_begin_pass(s);
        ld_buf_reset(&b);
        /* a template and a plain expansion in one pass: the same row */
        if (ld_tmpl_render(w->tmpl, w->p, s, &b) ||
            ld_buf_addc(&b, '/') ||
            ld_params_expand(w->p, s, in, strlen(in), &b))
            break;
        if (b.data[0] == '$') {
            w->unresolved++;
            if (strcmp(b.data + b.len / 2 + 1, in) != 0)
                w->mismatched++;
        } else if (b.len != 3 || b.data[0] != b.data[2]) {
            w->mismatched++;
        } else {
            w->counts[b.data[0] - '0']++;
        }
    }
    ld_buf_free(&b);
    ld_scope_free(s);
    return NULL;
}

static void run_threads(ld_params_t *p, const char *src, int *counts,
                        int *unresolved)
{
    worker_t w[NTHREADS];
    pthread_t th[NTHREADS];
    char in[64];
    int i, r;

    snprintf(in, sizeof(in), "${csv.%s.n}", src);
    memset(w, 0, sizeof(w));
    memset(counts, 0, ROWS * sizeof(int));
    *unresolved = 0;
    for (i = 0; i < NTHREADS; i++) {
        w[i].p = p;
        w[i].src = src;
        w[i].tmpl = ld_tmpl_compile(in, strlen(in));
        assert_non_null(w[i].tmpl);
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (i = 0; i < NTHREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(w[i].mismatched, 0);
        for (r = 0; r < ROWS; r++)
            counts[r] += w[i].counts[r];
        *unresolved += w[i].unresolved;
        ld_tmpl_free(w[i].tmpl);
    }
}

static void test_threads(void **state)
{
    ld_params_t *p = ld_params_new();
    int counts[ROWS], unresolved, r;

    (void)state;
    add_fixture(p, "t", "params/ten.csv", true);
    add_fixture(p, "o", "params/ten.csv", false);
    run_threads(p, "t", counts, &unresolved);
    assert_int_equal(unresolved, 0);
    for (r = 0; r < ROWS; r++)
        assert_int_equal(counts[r], NTHREADS * PASSES / ROWS);
    run_threads(p, "o", counts, &unresolved);
    for (r = 0; r < ROWS; r++)
        assert_int_equal(counts[r], 1);
    assert_int_equal(unresolved, NTHREADS * PASSES - ROWS);
    ld_params_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoted),
        cmocka_unit_test(test_crlf_bom),
        cmocka_unit_test(test_no_cycle),
        cmocka_unit_test(test_passes),
        cmocka_unit_test(test_resolve_one_row),
        cmocka_unit_test(test_ragged_and_empty),
        cmocka_unit_test(test_errors_text),
        cmocka_unit_test(test_errors_files),
        cmocka_unit_test(test_threads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
