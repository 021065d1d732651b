/*
 * Every report format written from a store full of hostile strings, then
 * read back by an independent parser: jansson for JSON, xmllint for XML,
 * JUnit and SVG, an RFC 4180 reader (and python3's csv module when present)
 * for CSV. Plus file names, the empty-store policy, atomic writes and the
 * size of the HTML report of a large run.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>
#include <unistd.h>

#include "ldcore/report.h"
#include "rtest.h"

static char base[512];

static const char *out_base(const char *name)
{
    snprintf(base, sizeof(base), "%s/%s", tu_tmpdir(), name);
    return base;
}

static const char *path2(const char *name, const char *suffix)
{
    static char buf[600];

    snprintf(buf, sizeof(buf), "%s/%s%s", tu_tmpdir(), name, suffix);
    return buf;
}

static json_t *write_ok(ld_report_kind_t kind, const ld_records_t *r,
                        const char *name)
{
    json_t *paths = NULL;
    ld_diag_t d;
    int rc = ld_report_write(kind, r, out_base(name), &paths, &d);

    if (rc)
        fprintf(stderr, "report failed: %s\n", d.msg);
    assert_int_equal(rc, 0);
    assert_non_null(paths);
    return paths;
}

/* ---- JSON ---- */

static void test_json_roundtrip(void **state)
{
    ld_records_t *r = rt_hostile();
    json_t *paths = write_ok(LD_REPORT_JSON, r, "j");
    json_t *s = NULL;
    json_t *f = NULL;
    json_error_t e;

    assert_int_equal(json_array_size(paths), 2);
    assert_string_equal(json_string_value(json_array_get(paths, 0)),
                        path2("j", "_success.json"));
    assert_string_equal(json_string_value(json_array_get(paths, 1)),
                        path2("j", "_failure.json"));
    s = json_load_file(path2("j", "_success.json"), 0, &e);
    f = json_load_file(path2("j", "_failure.json"), 0, &e);
    assert_non_null(s);
    assert_non_null(f);
    assert_int_equal(json_object_size(s), 3);
    assert_int_equal(json_object_size(f), 3);
    {
        json_t *a = json_object_get(s, "Success_Test1");
        json_t *b = json_object_get(f, "Failure_Test2");
        assert_string_equal(json_string_value(json_object_get(a, "name")),
                            RT_NAME);
        assert_string_equal(json_string_value(json_object_get(a, "test_url")),
                            RT_URL);
        assert_string_equal(json_string_value(json_object_get(a, "Method")),
                            "GET");
        assert_string_equal(
            json_string_value(json_object_get(a, "status_code")), "200");
        assert_true(json_real_value(json_object_get(a, "response_time_ms")) ==
                    1.0);
        assert_null(json_object_get(a, "error"));
        assert_string_equal(json_string_value(json_object_get(b, "error")),
                            RT_ERR_JSON);
        assert_true(json_is_null(json_object_get(
            json_object_get(f, "Failure_Test3"), "status_code")));
    }
    json_decref(s);
    json_decref(f);
    json_decref(paths);
    ld_records_free(r);
}

/* ---- XML ---- */

/* xmllint prints the value and a newline. */
static char *xpath(const char *file, const char *expr)
{
    char *v = rt_out("xmllint --nonet --xpath '%s' '%s' 2>/dev/null", expr,
                     file);
    size_t n = v ? strlen(v) : 0;

    if (n && v[n - 1] == '\n')
        v[n - 1] = '\0';
    return v;
}

static void test_xml_roundtrip(void **state)
{
    ld_records_t *r = rt_hostile();
    json_t *paths = write_ok(LD_REPORT_XML, r, "x");
    char *v = NULL;

    assert_string_equal(json_string_value(json_array_get(paths, 0)),
                        path2("x", "_success.xml"));
    assert_int_equal(rt_xml_ok(path2("x", "_success.xml")), 0);
    assert_int_equal(rt_xml_ok(path2("x", "_failure.xml")), 0);
    v = xpath(path2("x", "_success.xml"), "count(/xml_data/*)");
    assert_string_equal(v, "3");
    free(v);
    v = xpath(path2("x", "_success.xml"),
              "string(/xml_data/Success_Test2/name)");
    assert_string_equal(v, RT_NAME);
    free(v);
    v = xpath(path2("x", "_failure.xml"),
              "string(/xml_data/Failure_Test1/error)");
    assert_string_equal(v, RT_ERR_XML);
    free(v);
    v = xpath(path2("x", "_failure.xml"),
              "string(/xml_data/Failure_Test1/test_url)");
    assert_string_equal(v, RT_URL);
    free(v);
    json_decref(paths);
    ld_records_free(r);
}

static void test_junit(void **state)
{
    ld_records_t *r = rt_hostile();
    json_t *paths = write_ok(LD_REPORT_JUNIT, r, "ju");
    const char *p = path2("ju", ".xml");
    char *v = NULL;

    assert_string_equal(json_string_value(json_array_get(paths, 0)), p);
    assert_int_equal(rt_xml_ok(p), 0);
    v = xpath(p, "string(/testsuite/@tests)");
    assert_string_equal(v, "2");           /* one testcase per name */
    free(v);
    v = xpath(p, "string(/testsuite/@failures)");
    assert_string_equal(v, "2");
    free(v);
    v = xpath(p, "string(/testsuite/testcase[1]/@name)");
    assert_string_equal(v, RT_NAME);
    free(v);
    v = xpath(p, "string(/testsuite/testcase[1]/failure/@message)");
    assert_string_equal(v, "2 of 5 requests failed");
    free(v);
    v = xpath(p, "string(/testsuite/testcase[1]/failure)");
    assert_non_null(strstr(v, "2 x HTTP 500: " RT_ERR_XML));
    free(v);
    v = xpath(p, "string(/testsuite/testcase[2]/failure)");
    assert_string_equal(v, "1 x timeout\n");
    free(v);
    json_decref(paths);
    ld_records_free(r);
}

/* ---- CSV ---- */

static void test_csv(void **state)
{
    ld_records_t *r = rt_hostile();
    json_t *paths = write_ok(LD_REPORT_CSV, r, "c");
    const char *p = path2("c", ".csv");
    char *text = tu_read(p, NULL);
    rt_csv_t c;

    assert_string_equal(json_string_value(json_array_get(paths, 0)), p);
    assert_int_equal(rt_csv_parse(text, &c), 0);
    assert_int_equal(c.rows, 7);
    for (size_t i = 0; i < c.rows; i++)
        assert_int_equal(c.row_len[i], 8);
    assert_string_equal(rt_csv_at(&c, 0, 0), "outcome");
    assert_string_equal(rt_csv_at(&c, 0, 5), "response_time_ms");
    assert_string_equal(rt_csv_at(&c, 1, 0), "success");
    assert_string_equal(rt_csv_at(&c, 1, 2), RT_URL);
    assert_string_equal(rt_csv_at(&c, 1, 3), RT_NAME);
    assert_string_equal(rt_csv_at(&c, 1, 5), "1.000");
    assert_string_equal(rt_csv_at(&c, 1, 7), "");
    assert_string_equal(rt_csv_at(&c, 4, 0), "failure");
    assert_string_equal(rt_csv_at(&c, 4, 7), RT_ERR_JSON);
    assert_string_equal(rt_csv_at(&c, 6, 4), "");   /* no status */
    rt_csv_free(&c);
    if (rt_have("python3")) {
        /* Python's csv module must read the same cells. */
        char *v = rt_out(
            "python3 -c 'import csv,sys; rows=list(csv.reader(open(sys.argv[1],"
            " newline=\"\", encoding=\"utf-8\"))); assert len(rows)==7; "
            "assert all(len(x)==8 for x in rows); "
            "sys.stdout.write(rows[4][7])' '%s'", p);
        assert_string_equal(v, RT_ERR_JSON);
        free(v);
    }
    free(text);
    json_decref(paths);
    ld_records_free(r);
}

/* ---- HTML ---- */

static void test_html(void **state)
{
    ld_records_t *r = rt_hostile();
    json_t *paths = write_ok(LD_REPORT_HTML, r, "h");
    char *t = tu_read(path2("h", ".html"), NULL);

    assert_non_null(t);
    assert_non_null(strstr(t, "<!DOCTYPE html>"));
    assert_int_equal(strstr(t, "<svg") != NULL, 1);
    assert_non_null(strstr(t, "Latency over time"));
    assert_non_null(strstr(t, "Requests per second"));
    assert_non_null(strstr(t, "<polyline"));
    /* hostile text escaped, never markup */
    assert_null(strstr(t, "<script"));
    assert_non_null(strstr(t, "&lt;script&gt;alert(&quot;x&amp;y&quot;)"
                              "&lt;/script&gt; &#39;q&#39;"));
    assert_non_null(strstr(t, "&amp;amp;"));
    assert_null(strstr(t, "\x01"));
    assert_null(strstr(t, "\xff"));
    /* self-contained: no reference to anything outside the file */
    assert_null(strstr(t, "http://"));
    assert_null(strstr(t, "https://"));
    assert_null(strstr(t, "src="));
    assert_null(strstr(t, "href="));
    assert_null(strstr(t, "url("));
    assert_null(strstr(t, "@import"));
    assert_null(strstr(t, "<link"));
    /* colour coding and the failure table */
    assert_non_null(strstr(t, "class=\"card bad\""));
    assert_non_null(strstr(t, "Top failures"));
    assert_non_null(strstr(t, "<td>2</td><td>66.7 %</td>"));
    free(t);
    json_decref(paths);
    ld_records_free(r);
}

/* ---- summary and charts ---- */

static void test_summary_and_charts(void **state)
{
    ld_records_t *r = rt_hostile();
    json_t *paths = write_ok(LD_REPORT_SUMMARY, r, "s");
    json_error_t e;
    json_t *s = json_load_file(path2("s", ".json"), 0, &e);

    assert_non_null(s);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(s, "totals"), "requests")), 6);
    assert_non_null(json_object_get(json_object_get(s, "per_name"),
                                    RT_NAME));
    json_decref(s);
    json_decref(paths);
    paths = write_ok(LD_REPORT_CHART, r, "g");
    assert_string_equal(json_string_value(json_array_get(paths, 0)),
                        path2("g", "-latency.svg"));
    assert_string_equal(json_string_value(json_array_get(paths, 1)),
                        path2("g", "-rps.svg"));
    assert_int_equal(rt_xml_ok(path2("g", "-latency.svg")), 0);
    assert_int_equal(rt_xml_ok(path2("g", "-rps.svg")), 0);
    json_decref(paths);
    ld_records_free(r);
}

static void test_chart_buckets(void **state)
{
    ld_records_t *r = rt_hostile();
    json_t *paths = NULL;
    ld_diag_t d;
    char *t = NULL;

    /* 0.1 s buckets over 0.4 s: 5 points per line */
    assert_int_equal(ld_report_write_charts(r, out_base("b"), 0.1, 100,
                                            &paths, &d), 0);
    t = tu_read(path2("b", "-rps.svg"), NULL);
    assert_non_null(strstr(t, "bucket 0.1s"));
    free(t);
    json_decref(paths);
    /* at most 2 buckets: the width grows */
    assert_int_equal(ld_report_write_charts(r, out_base("b2"), 0.1, 2,
                                            &paths, &d), 0);
    t = tu_read(path2("b2", "-rps.svg"), NULL);
    assert_null(strstr(t, "bucket 0.1s"));
    free(t);
    json_decref(paths);
    assert_int_equal(ld_report_write_charts(r, out_base("b3"), 0.0, 2,
                                            &paths, &d), LD_EINVAL);
    assert_int_equal(ld_report_write_charts(r, out_base("b3"), 1.0, 0,
                                            &paths, &d), LD_EINVAL);
    ld_records_free(r);
}

/* ---- policies ---- */

static void test_empty_store(void **state)
{
    ld_records_t *r = ld_records_new();
    json_t *paths = NULL;
    ld_diag_t d;
    char *t = NULL;

    ld_diag_clear(&d);
    assert_int_equal(ld_report_write(LD_REPORT_HTML, r, out_base("e"),
                                     &paths, &d), LD_EINVAL);
    assert_non_null(strstr(d.msg, "no test records"));
    assert_int_equal(access(path2("e", ".html"), F_OK), -1);
    assert_int_equal(ld_report_write(LD_REPORT_JSON, r, out_base("e"),
                                     &paths, &d), LD_EINVAL);
    assert_int_equal(ld_report_write(LD_REPORT_XML, r, out_base("e"),
                                     &paths, &d), LD_EINVAL);
    assert_int_equal(ld_report_write(LD_REPORT_CHART, r, out_base("e"),
                                     &paths, &d), LD_EINVAL);
    /* CSV, JUnit and summary are fine with nothing */
    json_decref(write_ok(LD_REPORT_CSV, r, "e"));
    t = tu_read(path2("e", ".csv"), NULL);
    assert_string_equal(t, "outcome,Method,test_url,name,status_code,"
                           "response_time_ms,response_length,error\r\n");
    free(t);
    json_decref(write_ok(LD_REPORT_JUNIT, r, "e"));
    assert_int_equal(rt_xml_ok(path2("e", ".xml")), 0);
    json_decref(write_ok(LD_REPORT_SUMMARY, r, "e"));
    ld_records_free(r);
}

static void test_bad_args_and_atomic(void **state)
{
    ld_records_t *r = rt_hostile();
    json_t *paths = NULL;
    ld_diag_t d;
    char dir[600];

    assert_int_equal(ld_report_write(LD_REPORT_CSV, r, "", &paths, &d),
                     LD_EINVAL);
    assert_int_equal(ld_report_write((ld_report_kind_t)99, r, "x", &paths,
                                     &d), LD_EINVAL);
    assert_int_equal(ld_report_write(LD_REPORT_CSV, r,
                                     "/nonexistent-dir/x", &paths, &d),
                     LD_EIO);
    assert_non_null(strstr(d.msg, "/nonexistent-dir/x.csv"));
    assert_null(paths);
    /* an old report stays until the new one is complete; no temp file
     * is left behind */
    snprintf(dir, sizeof(dir), "%s/atomic", tu_tmpdir());
    mkdir(dir, 0755);
    snprintf(base, sizeof(base), "%s/r", dir);
    assert_int_equal(ld_report_write(LD_REPORT_CSV, r, base, &paths, &d), 0);
    json_decref(paths);
    assert_int_equal(rt_sh("test $(ls '%s' | wc -l) -eq 1", dir), 0);
    assert_int_equal(ld_report_kind_parse("junit"), LD_REPORT_JUNIT);
    assert_int_equal(ld_report_kind_parse("chart"), LD_REPORT_CHART);
    assert_int_equal(ld_report_kind_parse("pdf"), -1);
    assert_string_equal(ld_report_kind_name(LD_REPORT_SUMMARY), "summary");
    ld_records_free(r);
}

/* ---- size: aggregates only in HTML, everything in CSV ---- */

static ld_records_t *big_run(size_t n)
{
    ld_records_t *r = ld_records_new();
    char name[32];
    char err[64];

    for (size_t i = 0; i < n; i++) {
        bool bad = i % 10 == 0;
        snprintf(name, sizeof(name), "/api/item/%zu", i % 40);
        snprintf(err, sizeof(err), "HTTP 503: upstream %zu", i / 10 % 300);
        assert_int_equal(ld_records_add_full(
            r, RT_T0 + i * 300000u, LD_M_GET, name, name, bad ? 503 : 200,
            (uint32_t)(1000 + (i * 7919) % 90000), 128, bad ? err : NULL), 0);
    }
    return r;
}

static void test_large_run(void **state)
{
    ld_records_t *r = big_run(200000);
    json_t *paths = write_ok(LD_REPORT_HTML, r, "big");
    struct stat st;
    char *t = NULL;

    assert_int_equal(stat(path2("big", ".html"), &st), 0);
    assert_true(st.st_size < 300 * 1024);
    t = tu_read(path2("big", ".html"), NULL);
    /* top 100 of the 300 failure groups, then a note */
    assert_non_null(strstr(t, "200 more failure groups"));
    free(t);
    json_decref(paths);
    paths = write_ok(LD_REPORT_CSV, r, "big");
    assert_int_equal(rt_sh("test $(wc -l < '%s') -eq 200001",
                           path2("big", ".csv")), 0);
    json_decref(paths);
    ld_records_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_roundtrip),
        cmocka_unit_test(test_xml_roundtrip),
        cmocka_unit_test(test_junit),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_summary_and_charts),
        cmocka_unit_test(test_chart_buckets),
        cmocka_unit_test(test_empty_store),
        cmocka_unit_test(test_bad_args_and_atomic),
        cmocka_unit_test(test_large_run),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
