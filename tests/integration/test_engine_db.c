/*
 * LD_start_test's "database" option: records stream into SQLite during the
 * run; afterwards the stored run holds exactly what the server received.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "ldcore/exec.h"
#include "ldcore/store.h"
#include "ldcore/target.h"

static void streams_every_record(void **state)
{
    ld_target_t *t = NULL;
    ld_exec_report_t rep;
    ld_ctx_t ctx;
    ld_diag_t d;
    json_t *runs = NULL, *recs = NULL, *run;
    char db[1100], doc[3000];
    size_t failed = 0, i;

    (void)state;
    snprintf(db, sizeof(db), "%s/stream.db", tu_tmpdir());
    ld_diag_clear(&d);
    assert_int_equal(ld_target_start("127.0.0.1", 0, &t, &d), 0);
    snprintf(doc, sizeof(doc),
             "[[\"LD_start_test\", {\"user_detail_dict\": {\"user\": "
             "\"fast_http_user\", \"wait_time\": 0.01}, \"user_count\": 4, "
             "\"spawn_rate\": 100, \"test_time\": 1.5, \"database\": \"%s\","
             " \"tasks\": [{\"method\": \"get\", \"request_url\": "
             "\"http://127.0.0.1:%d/json\"}, {\"method\": \"get\", "
             "\"request_url\": \"http://127.0.0.1:%d/status/503\", \"name\": "
             "\"down\"}]}]]",
             db, ld_target_port(t), ld_target_port(t));
    assert_int_equal(ld_ctx_init(&ctx), 0);
    ctx.flags = LD_EXEC_QUIET;
    ld_exec_report_init(&rep);
    assert_int_equal(ld_exec_string(&ctx, doc, "db.json", &rep, &d), 0);
    /* the summary names the stored run */
    run = json_object_get(rep.items[0].value, "run_id");
    assert_true(json_is_integer(run));
    assert_int_equal(ld_store_list_runs(db, 10, &runs, &d), 0);
    assert_int_equal(json_array_size(runs), 1);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(runs, 0), "id")),
                     json_integer_value(run));
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(runs, 0), "total")),
                     ld_records_count(ctx.records));
    assert_int_equal(ld_records_count(ctx.records), ld_target_requests(t));
    assert_true(ld_records_count(ctx.records) > 20);
    assert_int_equal(ld_store_fetch_records(db, json_integer_value(run), 0, 0,
                                            &recs, &d),
                     0);
    assert_int_equal(json_array_size(recs), ld_records_count(ctx.records));
    for (i = 0; i < json_array_size(recs); i++) {
        const char *outcome = json_string_value(
            json_object_get(json_array_get(recs, i), "outcome"));

        if (outcome && !strcmp(outcome, "failure"))
            failed++;
    }
    assert_int_equal(failed, ld_records_failed(ctx.records));
    assert_true(failed > 0);
    json_decref(runs);
    json_decref(recs);
    ld_exec_report_free(&rep);
    ld_ctx_close(&ctx);
    ld_target_stop(t);
}

static void unusable_database_is_a_setup_error(void **state)
{
    ld_exec_report_t rep;
    ld_ctx_t ctx;
    ld_diag_t d;
    const char *bad = tu_write(tu_tmpdir(), "not-a-db.db",
                               "this is not a database, just text\n");
    char doc[2000];

    (void)state;
    snprintf(doc, sizeof(doc),
             "[[\"LD_start_test\", {\"user_detail_dict\": {}, \"test_time\": "
             "1, \"database\": \"%s\", \"tasks\": [{\"request_url\": "
             "\"http://127.0.0.1:9/\"}]}]]",
             bad);
    assert_int_equal(ld_ctx_init(&ctx), 0);
    ctx.flags = LD_EXEC_QUIET;
    ld_exec_report_init(&rep);
    ld_diag_clear(&d);
    assert_int_equal(ld_exec_string(&ctx, doc, "db.json", &rep, &d),
                     LD_EFAILED);
    assert_int_not_equal(rep.items[0].code, 0);
    assert_non_null(strstr(rep.items[0].diag.msg, "not-a-db.db"));
    /* nothing ran */
    assert_int_equal(ld_records_count(ctx.records), 0);
    ld_exec_report_free(&rep);
    ld_ctx_close(&ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(streams_every_record),
        cmocka_unit_test(unusable_database_is_a_setup_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
