/*
 * GitHub workflow-command annotations: grouping by (name, message), ranking
 * by count, folding past 10 groups, and the escaping of messages (% CR LF)
 * and properties (also : and ,).
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "ldcore/report.h"
#include "rtest.h"

typedef struct capture {
    char *buf;
    size_t len;
    FILE *f;
} capture_t;

static void cap_open(capture_t *c)
{
    c->buf = NULL;
    c->len = 0;
    c->f = open_memstream(&c->buf, &c->len);
    assert_non_null(c->f);
}

static char *cap_close(capture_t *c)
{
    fclose(c->f);
    return c->buf;
}

/* Line i (0-based) of text, copied into a static buffer. */
static const char *line_at(const char *text, int i)
{
    static char buf[4096];
    const char *p = text;
    const char *e = NULL;

    while (i-- > 0 && p)
        p = (p = strchr(p, '\n')) ? p + 1 : NULL;
    if (!p || !*p)
        return NULL;
    e = strchr(p, '\n');
    snprintf(buf, sizeof(buf), "%.*s", (int)(e ? e - p : (long)strlen(p)), p);
    return buf;
}

static int count_lines(const char *text)
{
    int n = 0;

    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

static void test_no_failures(void **state)
{
    ld_records_t *r = ld_records_new();
    capture_t c;
    char *out = NULL;

    ld_records_add_full(r, RT_T0, LD_M_GET, "ok", "/ok", 200, 100, 1, NULL);
    cap_open(&c);
    assert_int_equal(ld_emit_github_annotations(c.f, r, "T"), 0);
    out = cap_close(&c);
    assert_string_equal(out, "");
    free(out);
    assert_int_equal(ld_emit_github_annotations(NULL, r, "T"), LD_EINVAL);
    ld_records_free(r);
}

/* 12 groups with distinct counts 1..12: the 10 largest, ranked, then one
 * folded line for the 2 smallest (1 + 2 = 3 failures). */
static void test_fold_and_rank(void **state)
{
    ld_records_t *r = ld_records_new();
    capture_t c;
    char name[32];
    char want[128];
    char *out = NULL;

    for (int g = 1; g <= 12; g++) {
        snprintf(name, sizeof(name), "/g%02d", g);
        for (int k = 0; k < g; k++)
            ld_records_add_full(r, RT_T0 + (uint64_t)k, LD_M_GET, name, name,
                                503, 100, 0, "boom");
    }
    ld_records_add_full(r, RT_T0, LD_M_GET, "/fine", "/fine", 200, 1, 0,
                        NULL);
    cap_open(&c);
    assert_int_equal(ld_emit_github_annotations(c.f, r, "LoadDensity"), 11);
    out = cap_close(&c);
    assert_int_equal(count_lines(out), 11);
    for (int i = 0; i < 10; i++) {
        int g = 12 - i;
        snprintf(want, sizeof(want),
                 "::error title=LoadDensity::GET /g%02d (HTTP 503): boom "
                 "(%d failures)", g, g);
        assert_string_equal(line_at(out, i), want);
    }
    assert_string_equal(line_at(out, 10),
                        "::notice title=LoadDensity::2 more failure groups "
                        "folded (3 failures)");
    free(out);
    ld_records_free(r);
}

/* Same name, different messages: separate groups; ties by name/message. */
static void test_grouping(void **state)
{
    ld_records_t *r = ld_records_new();
    capture_t c;
    char *out = NULL;

    for (int k = 0; k < 3; k++)
        ld_records_add_full(r, RT_T0, LD_M_POST, "/x", "/x", 0, 1, 0, "b");
    for (int k = 0; k < 3; k++)
        ld_records_add_full(r, RT_T0, LD_M_POST, "/x", "/x", 0, 1, 0, "a");
    ld_records_add_full(r, RT_T0, LD_M_POST, "", "/by-url", 500, 1, 0,
                        "HTTP 500");
    cap_open(&c);
    assert_int_equal(ld_emit_github_annotations(c.f, r, NULL), 3);
    out = cap_close(&c);
    assert_string_equal(line_at(out, 0),
                        "::error title=LoadDensity::POST /x: a (3 failures)");
    assert_string_equal(line_at(out, 1),
                        "::error title=LoadDensity::POST /x: b (3 failures)");
    /* unnamed requests go by URL; no duplicated "HTTP 500" */
    assert_string_equal(line_at(out, 2),
                        "::error title=LoadDensity::POST /by-url: HTTP 500 "
                        "(1 failure)");
    free(out);
    ld_records_free(r);
}

static void test_escaping(void **state)
{
    ld_records_t *r = ld_records_new();
    capture_t c;
    char *out = NULL;

    ld_records_add_full(r, RT_T0, LD_M_GET, "n%1\r\n::x", "/u", 0, 1, 0,
                        "50% fail\r\nnext:line, ok \xff");
    cap_open(&c);
    assert_int_equal(ld_emit_github_annotations(c.f, r, "Load: T, 100%\n"),
                     1);
    out = cap_close(&c);
    /* one physical line; title escapes : and , too; the message only
     * % CR LF; invalid UTF-8 becomes U+FFFD */
    assert_string_equal(out,
                        "::error title=Load%3A T%2C 100%25%0A::GET "
                        "n%251%0D%0A::x: 50%25 fail%0D%0Anext:line, ok "
                        "\xef\xbf\xbd (1 failure)\n");
    free(out);
    ld_records_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_failures),
        cmocka_unit_test(test_fold_and_rank),
        cmocka_unit_test(test_grouping),
        cmocka_unit_test(test_escaping),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
