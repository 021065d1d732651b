/*
 * `loaddensity report` and `loaddensity sla` against a run stored in SQLite:
 * every format from the database, exit codes 0 / 2 / 3, JSON output.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ldcore/report.h"
#include "ldcore/store.h"
#include "../unit/report/rtest.h"

static char db[600];
static int64_t run_id;

static int setup(void **state)
{
    ld_records_t *r = rt_hostile();
    ld_diag_t d;
    int rc = 0;

    snprintf(db, sizeof(db), "%s/runs.db", tu_tmpdir());
    rc = ld_store_persist(db, r, "reports", NULL, 0, 0, &run_id, &d);
    if (rc)
        fprintf(stderr, "persist: %s\n", d.msg);
    ld_records_free(r);
    return rc || chdir(tu_tmpdir());
}

static void test_report_all_formats(void **state)
{
    const char *cli = tu_cli();
    char *out = NULL;
    char *csv = NULL;
    rt_csv_t c;

    assert_int_equal(rt_sh("'%s' report --db '%s' --run %lld --format "
                           "html,json,xml,csv,junit,summary,chart --out rr "
                           ">list.txt", cli, db, (long long)run_id), 0);
    out = tu_read("list.txt", NULL);
    assert_string_equal(out, "rr.html\nrr_success.json\nrr_failure.json\n"
                             "rr_success.xml\nrr_failure.xml\nrr.csv\nrr.xml\n"
                             "rr.json\nrr-latency.svg\nrr-rps.svg\n");
    free(out);
    for (const char *const *p = (const char *const[]){
             "rr_success.xml", "rr_failure.xml", "rr.xml", "rr-latency.svg",
             "rr-rps.svg", NULL};
         *p; p++)
        assert_int_equal(rt_xml_ok(*p), 0);
    /* the stored run reads back with its hostile strings intact */
    csv = tu_read("rr.csv", NULL);
    assert_int_equal(rt_csv_parse(csv, &c), 0);
    assert_int_equal(c.rows, 7);
    assert_string_equal(rt_csv_at(&c, 1, 3), RT_NAME);
    rt_csv_free(&c);
    free(csv);
    /* default: html named after the run */
    assert_int_equal(rt_sh("'%s' report --db '%s' --run %lld >/dev/null",
                           cli, db, (long long)run_id), 0);
    assert_int_equal(rt_sh("test -s loaddensity-run%lld.html",
                           (long long)run_id), 0);
}

static void test_report_errors(void **state)
{
    const char *cli = tu_cli();

    assert_int_equal(rt_sh("'%s' report --help >/dev/null", cli), 0);
    assert_int_equal(rt_sh("'%s' report --db '%s' 2>/dev/null", cli, db), 2);
    assert_int_equal(rt_sh("'%s' report --db '%s' --run %lld --format pdf "
                           "2>err.txt", cli, db, (long long)run_id), 2);
    assert_int_equal(rt_sh("grep -q \"unknown format 'pdf'\" err.txt"), 0);
    assert_int_equal(rt_sh("'%s' report --db '%s' --run 999 2>/dev/null",
                           cli, db), 2);
    assert_int_equal(rt_sh("'%s' report --db '%s' --run abc 2>/dev/null",
                           cli, db), 2);
    assert_int_equal(rt_sh("'%s' report --db '%s' --run %lld --out "
                           "/nonexistent-dir/x 2>err.txt", cli, db,
                           (long long)run_id), 2);
    assert_int_equal(rt_sh("grep -q 'cannot write /nonexistent-dir/x.html' "
                           "err.txt"), 0);
}

static void test_sla_cli(void **state)
{
    const char *cli = tu_cli();
    char *out = NULL;

    tu_write(tu_tmpdir(), "pass.json",
             "[{\"type\": \"requests\", \"value\": 6, \"op\": \"gte\"}]");
    tu_write(tu_tmpdir(), "fail.json",
             "{\"rules\": [{\"type\": \"requests\", \"value\": 1},"
             " {\"type\": \"failure_rate\", \"value\": 0.6}]}");
    tu_write(tu_tmpdir(), "bad.json",
             "[{\"type\": \"latency_p95\", \"value\": 1, \"name\": \"nope\"}]");
    tu_write(tu_tmpdir(), "broken.json", "[{\"type\": ");
    assert_int_equal(rt_sh("'%s' sla pass.json --db '%s' --run %lld >o.txt",
                           cli, db, (long long)run_id), 0);
    out = tu_read("o.txt", NULL);
    assert_non_null(strstr(out, "PASS  requests gte 6: actual 6"));
    assert_non_null(strstr(out, "SLA passed: 1 rules, 0 failed"));
    free(out);
    assert_int_equal(rt_sh("'%s' sla fail.json --db '%s' --run %lld >o.txt",
                           cli, db, (long long)run_id), 3);
    out = tu_read("o.txt", NULL);
    assert_non_null(strstr(out, "FAIL  requests lte 1: actual 6"));
    assert_non_null(strstr(out, "PASS  failure_rate lte 0.6: actual 0.5"));
    free(out);
    assert_int_equal(rt_sh("'%s' sla bad.json --db '%s' --run %lld "
                           "2>e.txt", cli, db, (long long)run_id), 2);
    assert_int_equal(rt_sh("grep -q \"rules\\[0\\]: no request named 'nope'\" "
                           "e.txt"), 0);
    assert_int_equal(rt_sh("'%s' sla broken.json --db '%s' --run %lld "
                           "2>e.txt", cli, db, (long long)run_id), 2);
    assert_int_equal(rt_sh("grep -q 'broken.json:1:' e.txt"), 0);
    assert_int_equal(rt_sh("'%s' sla pass.json 2>/dev/null", cli), 2);
    assert_int_equal(rt_sh("'%s' sla pass.json --summary x.json --db '%s' "
                           "--run 1 2>/dev/null", cli, db), 2);
}

static void test_sla_summary_json(void **state)
{
    const char *cli = tu_cli();
    json_t *j = NULL;
    json_error_t e;

    assert_int_equal(rt_sh("'%s' report --db '%s' --run %lld --format summary "
                           "--out sum >/dev/null", cli, db,
                           (long long)run_id), 0);
    assert_int_equal(rt_sh("'%s' sla fail.json --summary sum.json --json "
                           ">o.json", cli), 3);
    j = json_load_file("o.json", 0, &e);
    assert_non_null(j);
    assert_true(json_is_false(json_object_get(j, "passed")));
    assert_int_equal(json_array_size(json_object_get(j, "verdicts")), 2);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_all_formats),
        cmocka_unit_test(test_report_errors),
        cmocka_unit_test(test_sla_cli),
        cmocka_unit_test(test_sla_summary_json),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
