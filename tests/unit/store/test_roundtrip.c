/* Round trips on real files: persist -> list/get/fetch (seed-shaped rows,
 * paging) -> load (same counts, names, statuses, latencies, times, summary),
 * hostile and non-UTF-8 strings, runs written by other tools, and reads of
 * files without runs. */
#include "testutil.h"

#include <math.h>
#include <unistd.h>

#include "store/store_int.h"
#include "store_tu.h"

static const char *fresh(const char *name)
{
    const char *path = st_path(tu_tmpdir(), name);

    unlink(path);
    return path;
}

static void test_list_and_get(void **state)
{
    const char *path = fresh("list.db");
    ld_records_t *r = st_records(100, 4);
    json_t *meta = json_pack("{s:s,s:s}", "branch", "dev", "commit", "abc1234");
    json_t *runs = NULL, *run = NULL;
    ld_diag_t d;
    int64_t id = 0;

    (void)state;
    ld_diag_clear(&d);
    assert_int_equal(ld_store_persist(path, r, "checkout-2026-04-28", meta,
                                      0, 0, &id, &d),
                     0);
    assert_int_equal(id, 1);
    st_persist(path, r, "second");
    st_persist(path, r, "third");
    assert_int_equal(ld_store_list_runs(path, 2, &runs, &d), 0);
    assert_int_equal(json_array_size(runs), 2);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(runs, 0), "id")),
                     3);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(runs, 1), "label")),
                        "second");
    json_decref(runs);
    assert_int_equal(ld_store_list_runs(path, 0, &runs, &d), 0);
    assert_int_equal(json_array_size(runs), 3);
    json_decref(runs);

    assert_int_equal(ld_store_get_run(path, 1, &run, &d), 0);
    assert_string_equal(json_string_value(json_object_get(run, "label")),
                        "checkout-2026-04-28");
    assert_int_equal(json_integer_value(json_object_get(run, "total")), 100);
    assert_int_equal(json_integer_value(json_object_get(run, "failed")), 2);
    assert_true(json_equal(json_object_get(run, "metadata"), meta));
    /* Times derived from the records: first start .. last end. */
    assert_string_equal(json_string_value(json_object_get(run, "started_at")),
                        "2020-01-01T00:00:00.000Z");
    assert_non_null(strstr(json_string_value(json_object_get(run,
                                                             "finished_at")),
                           "2020-01-01T00:00:00."));
    json_decref(run);
    assert_int_equal(ld_store_get_run(path, 9, &run, &d), LD_ENOTFOUND);
    assert_null(run);
    assert_non_null(strstr(d.msg, "run 9 not found"));
    json_decref(meta);
    ld_records_free(r);
}

static void test_explicit_times_and_null_metadata(void **state)
{
    const char *path = fresh("times.db");
    ld_records_t *r = ld_records_new();
    json_t *run = NULL;
    ld_diag_t d;
    int64_t id = 0;

    (void)state;
    ld_diag_clear(&d);
    /* An empty run is a run. */
    assert_int_equal(ld_store_persist(path, r, NULL, NULL, 1777370400000,
                                      1777370460500, &id, &d),
                     0);
    assert_int_equal(ld_store_get_run(path, id, &run, &d), 0);
    assert_string_equal(json_string_value(json_object_get(run, "started_at")),
                        "2026-04-28T10:00:00.000Z");
    assert_string_equal(json_string_value(json_object_get(run, "finished_at")),
                        "2026-04-28T10:01:00.500Z");
    assert_true(json_is_null(json_object_get(run, "label")));
    assert_int_equal(json_object_size(json_object_get(run, "metadata")), 0);
    assert_int_equal(json_integer_value(json_object_get(run, "total")), 0);
    json_decref(run);
    ld_records_free(r);
}

static void check_record_row(const json_t *o, const ld_records_t *r,
                             const ld_record_t *rec)
{
    const json_t *status = json_object_get(o, "status_code");
    const json_t *err = json_object_get(o, "error");

    assert_string_equal(json_string_value(json_object_get(o, "outcome")),
                        rec->error_id ? "failure" : "success");
    assert_string_equal(json_string_value(json_object_get(o, "method")),
                        ld_method_name((ld_method_t)rec->method));
    assert_string_equal(json_string_value(json_object_get(o, "name")),
                        ld_records_str(r, rec->name_id));
    assert_string_equal(json_string_value(json_object_get(o, "url")),
                        ld_records_str(r, rec->url_id));
    if (rec->status)
        assert_int_equal(atoi(json_string_value(status)), rec->status);
    else
        assert_true(json_is_null(status));
    assert_int_equal(json_integer_value(json_object_get(o,
                                                        "response_time_ms")),
                     (rec->latency_us + 500) / 1000);
    assert_int_equal(json_integer_value(json_object_get(o,
                                                        "response_length")),
                     rec->resp_len);
    if (rec->error_id)
        assert_string_equal(json_string_value(err),
                            ld_records_str(r, rec->error_id));
    else
        assert_true(json_is_null(err));
    assert_int_equal(json_object_size(o), 8);
}

static void test_fetch_paged(void **state)
{
    const char *path = fresh("fetch.db");
    ld_records_t *r = st_records(300, 5);
    json_t *rows = NULL;
    ld_diag_t d;
    int64_t id = st_persist(path, r, NULL);

    (void)state;
    ld_diag_clear(&d);
    assert_int_equal(ld_store_fetch_records(path, id, 0, 0, &rows, &d), 0);
    assert_int_equal(json_array_size(rows), 300);
    for (size_t i = 0; i < 300; i++)
        check_record_row(json_array_get(rows, i), r, ld_records_at(r, i));
    json_decref(rows);
    assert_int_equal(ld_store_fetch_records(path, id, 290, 25, &rows, &d), 0);
    assert_int_equal(json_array_size(rows), 10);
    check_record_row(json_array_get(rows, 0), r, ld_records_at(r, 290));
    json_decref(rows);
    assert_int_equal(ld_store_fetch_records(path, id, 100, 7, &rows, &d), 0);
    assert_int_equal(json_array_size(rows), 7);
    check_record_row(json_array_get(rows, 6), r, ld_records_at(r, 106));
    json_decref(rows);
    assert_int_equal(ld_store_fetch_records(path, 77, 0, 0, &rows, &d),
                     LD_ENOTFOUND);
    ld_records_free(r);
}

static void assert_same_records(const ld_records_t *a, const ld_records_t *b)
{
    assert_int_equal(ld_records_count(a), ld_records_count(b));
    assert_int_equal(ld_records_failed(a), ld_records_failed(b));
    for (size_t i = 0; i < ld_records_count(a); i++) {
        const ld_record_t *x = ld_records_at(a, i), *y = ld_records_at(b, i);
        assert_int_equal(x->start_ns, y->start_ns);
        assert_int_equal(x->latency_us, y->latency_us);
        assert_int_equal(x->resp_len, y->resp_len);
        assert_int_equal(x->status, y->status);
        assert_int_equal(x->method, y->method);
        assert_int_equal(x->flags, y->flags);
        assert_string_equal(ld_records_str(a, x->name_id),
                            ld_records_str(b, y->name_id));
        assert_string_equal(ld_records_str(a, x->url_id),
                            ld_records_str(b, y->url_id));
        assert_int_equal(!x->error_id, !y->error_id);
        assert_string_equal(ld_records_str(a, x->error_id),
                            ld_records_str(b, y->error_id));
    }
}

static void test_load_round_trip(void **state)
{
    const char *path = fresh("load.db");
    ld_records_t *r = st_records(5000, 7), *back = ld_records_new();
    json_t *s1, *s2;
    ld_diag_t d;
    int64_t id;

    (void)state;
    /* flags survive too */
    for (size_t i = 0; i < 5000; i += 13)
        ((ld_record_t *)(uintptr_t)ld_records_at(r, i))->flags =
            LD_RECORD_RETRY;
    id = st_persist(path, r, "rt");
    ld_diag_clear(&d);
    assert_int_equal(ld_store_load_records(path, id, back, &d), 0);
    assert_same_records(r, back);
    s1 = ld_summary_build(r);
    s2 = ld_summary_build(back);
    assert_true(json_equal(s1, s2));
    json_decref(s1);
    json_decref(s2);
    /* Loading into a store that already holds records appends. */
    assert_int_equal(ld_store_load_records(path, id, back, &d), 0);
    assert_int_equal(ld_records_count(back), 10000);
    assert_string_equal(ld_records_str(back,
                                       ld_records_at(back, 9999)->name_id),
                        ld_records_str(r, ld_records_at(r, 4999)->name_id));
    assert_int_equal(ld_store_load_records(path, 99, back, &d), LD_ENOTFOUND);
    assert_int_equal(ld_records_count(back), 10000);
    ld_records_free(back);
    ld_records_free(r);
}

/* Load run id, which must come back in id order: n records, the first
 * one without a name (grouped by name, no name first). */
static ld_records_t *load_in_id_order(const char *path, int64_t id, size_t n)
{
    ld_records_t *back = ld_records_new();
    ld_diag_t d;

    ld_diag_clear(&d);
    assert_int_equal(ld_store_load_records(path, id, back, &d), 0);
    assert_int_equal(ld_records_count(back), n);
    assert_null(ld_records_at(back, 0)->name_id ? "named" : NULL);
    return back;
}

/* Persist stores a run grouped by name (no name first, then bytewise, so
 * that the seed's name index is only appended to) and keeps each row's
 * position as recorded in ld_record_order: a load gives back the run as
 * recorded, whatever the order of names and start times. Without those
 * positions, or with damaged ones, a load gives the rows in id order. */
static void test_order_restored(void **state)
{
    static const char *const names[] = {"/b", NULL, "\xc3\xa9", "/a", "/B",
                                        "/a/", "", "~"};
    const char *path = fresh("order.db");
    ld_records_t *r = ld_records_new(), *back = ld_records_new();
    json_t *rows = NULL;
    uint32_t *order = NULL, gone;
    uint64_t s = 7;
    ld_diag_t d;
    int64_t id;

    (void)state;
    for (size_t i = 0; i < 30000; i++) {
        unsigned k = (unsigned)(st_rand(&s) % 8);
        assert_int_equal(ld_records_add_full(r, ST_T0_NS + st_rand(&s) % 1000,
                                             LD_M_GET, names[k], "u", 200,
                                             (uint32_t)i, (uint32_t)i, NULL),
                         0);
    }
    id = st_persist(path, r, NULL);
    /* Rows grouped: names never go down along the ids (NULL first). */
    assert_int_equal(st_int(path, "SELECT count(*) FROM records a JOIN "
                                  "records b ON b.id = a.id + 1 WHERE "
                                  "coalesce(b.name < a.name, b.name IS NULL "
                                  "AND a.name IS NOT NULL)"),
                     0);
    assert_true(st_int(path, "SELECT count(*) FROM records WHERE id=1 AND "
                             "name IS NULL") == 1);
    ld_diag_clear(&d);
    assert_int_equal(ld_store_load_records(path, id, back, &d), 0);
    assert_same_records(r, back);
    /* Into a store that holds records already: appended in order too. */
    assert_int_equal(ld_store_load_records(path, id, back, &d), 0);
    for (size_t i = 0; i < 30000; i += 997)
        assert_int_equal(ld_records_at(back, 30000 + i)->latency_us, i);
    ld_records_free(back);
    /* Fetch pages through the order recorded too. */
    assert_int_equal(ld_store_fetch_records(path, id, 0, 0, &rows, &d), 0);
    assert_int_equal(json_array_size(rows), 30000);
    for (size_t i = 0; i < 30000; i++)
        assert_int_equal(json_integer_value(json_object_get(
                             json_array_get(rows, i), "response_length")),
                         i);
    json_decref(rows);
    assert_int_equal(ld_store_fetch_records(path, id, 12345, 10, &rows, &d),
                     0);
    assert_int_equal(json_array_size(rows), 10);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(rows, 9), "response_length")),
                     12354);
    json_decref(rows);
    assert_int_equal(ld_store_fetch_records(path, id, 30000, 10, &rows, &d),
                     0);
    assert_int_equal(json_array_size(rows), 0);
    json_decref(rows);
    /* A position naming a row that is gone: id order, what is there. The
     * fifth row (id 5) is the fifth of the grouped order. */
    assert_int_equal(ld__name_order(r, &order), 0);
    assert_non_null(order);
    gone = order[4];
    free(order);
    st_exec(path, "DELETE FROM records WHERE id = 5");
    /* a small window over it (looked up by id), then everything */
    assert_int_equal(ld_store_fetch_records(path, id, gone > 2 ? gone - 2 : 0,
                                            5, &rows, &d),
                     0);
    assert_int_equal(json_array_size(rows), 5);
    for (size_t i = 0; i < 5; i++)
        assert_true(json_integer_value(json_object_get(
                        json_array_get(rows, i), "response_length")) !=
                    (json_int_t)gone);
    json_decref(rows);
    assert_int_equal(ld_store_fetch_records(path, id, 0, 0, &rows, &d), 0);
    assert_int_equal(json_array_size(rows), 29999);
    assert_true(json_is_null(json_object_get(json_array_get(rows, 0),
                                             "name")));
    json_decref(rows);

    /* ... and a load too (29999 positions for 29999 rows, one out of
     * range). */
    ld_records_free(load_in_id_order(path, id, 29999));
    /* Damaged positions (all zero): id order, nothing lost. */
    st_exec(path, "UPDATE ld_record_order SET data = zeroblob(length(data))");
    ld_records_free(load_in_id_order(path, id, 29999));
    assert_int_equal(ld_store_fetch_records(path, id, 0, 3, &rows, &d), 0);
    assert_true(json_is_null(json_object_get(json_array_get(rows, 0),
                                             "name")));
    json_decref(rows);
    /* No positions at all (a file written before them): id order. */
    st_exec(path, "DELETE FROM ld_record_order");
    back = load_in_id_order(path, id, 29999);
    assert_string_equal(ld_records_str(back,
                                       ld_records_at(back, 29998)->name_id),
                        "\xc3\xa9");
    ld_records_free(back);
    ld_records_free(r);
}

/* Strings that break naive SQL, JSON or C string handling. */
static const char *const hostile[] = {
    "'); DROP TABLE runs; --",
    "\"quoted\" \\backslash\\ %s %n",
    "tab\tnew\nline\rcr",
    "\xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x9a\x80 \xc3\xa9",   /* 中文 🚀 é */
    "bad utf-8: \xff\xfe \xc3",
    "",
    "<script>alert(1)</script>&amp;",
};

static void test_hostile_strings(void **state)
{
    const char *path = fresh("hostile.db");
    ld_records_t *r = ld_records_new(), *back = ld_records_new();
    size_t nh = sizeof(hostile) / sizeof(hostile[0]);
    char *big = malloc(100001);
    json_t *rows = NULL, *run = NULL;
    json_t *meta = json_pack("{s:s}", "note", "\xe2\x9c\x93 '\";--");
    ld_diag_t d;
    int64_t id = 0;

    (void)state;
    memset(big, 'x', 100000);
    big[100000] = '\0';
    for (size_t i = 0; i < nh; i++)
        assert_int_equal(ld_records_add_full(r, ST_T0_NS + i, LD_M_POST,
                                             hostile[i], hostile[(i + 1) % nh],
                                             i % 2 ? 503 : 200, 1500, 7,
                                             i % 2 ? hostile[(i + 2) % nh]
                                                   : NULL),
                         0);
    assert_int_equal(ld_records_add_full(r, ST_T0_NS, LD_M_GET, big, big, 200,
                                         1, 1, NULL),
                     0);
    ld_diag_clear(&d);
    assert_int_equal(ld_store_persist(path, r, hostile[0], meta, 0, 0, &id,
                                      &d),
                     0);
    assert_int_equal(st_int(path, "SELECT count(*) FROM runs"), 1);
    assert_int_equal(ld_store_load_records(path, id, back, &d), 0);
    assert_same_records(r, back);
    assert_int_equal(ld_store_get_run(path, id, &run, &d), 0);
    assert_string_equal(json_string_value(json_object_get(run, "label")),
                        hostile[0]);
    assert_true(json_equal(json_object_get(run, "metadata"), meta));
    assert_int_equal(ld_store_fetch_records(path, id, 0, 0, &rows, &d), 0);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(rows, 3), "name")),
                        hostile[3]);
    /* Invalid UTF-8 becomes U+FFFD in JSON instead of failing. */
    assert_non_null(strstr(json_string_value(json_object_get(
                               json_array_get(rows, 4), "name")),
                           "\xef\xbf\xbd"));
    assert_int_equal(strlen(json_string_value(json_object_get(
                         json_array_get(rows, nh), "url"))),
                     100000);
    json_decref(rows);
    json_decref(run);
    json_decref(meta);
    free(big);
    ld_records_free(back);
    ld_records_free(r);
}

/* Rows written by another tool: REAL milliseconds, text statuses, failures
 * without an error text, NULL names, no exact times. */
static void test_foreign_rows(void **state)
{
    const char *path = fresh("foreign.db");
    ld_records_t *seed = ld_records_new(), *back = ld_records_new();
    const ld_record_t *x;
    ld_diag_t d;

    (void)state;
    st_persist(path, seed, "creates the tables");
    st_exec(path,
            "INSERT INTO runs (label, started_at, finished_at, total, failed)"
            " VALUES ('py', '2026-04-28T10:00:00+00:00', NULL, 3, 1);"
            "INSERT INTO records (run_id, outcome, method, name, url, "
            "status_code, response_time_ms, response_length, error) VALUES"
            " (2, 'success', 'get', '/a', 'http://h/a', '200', 12.4, 10, NULL),"
            " (2, 'failure', 'POST', NULL, 'http://h/b', '502', 3, NULL, NULL),"
            " (2, 'success', NULL, NULL, NULL, 'oops', NULL, -5, NULL);");
    ld_diag_clear(&d);
    assert_int_equal(ld_store_load_records(path, 2, back, &d), 0);
    assert_int_equal(ld_records_count(back), 3);
    assert_int_equal(ld_records_failed(back), 1);
    x = ld_records_at(back, 0);
    assert_int_equal(x->latency_us, 12400);
    assert_int_equal(x->status, 200);
    assert_int_equal(x->method, LD_M_GET);
    assert_int_equal(x->start_ns, 1777370400000ull * 1000000ull);
    x = ld_records_at(back, 1);
    assert_string_equal(ld_records_str(back, x->error_id), "failure");
    assert_int_equal(x->name_id, 0);
    assert_int_equal(x->status, 502);
    x = ld_records_at(back, 2);
    assert_int_equal(x->status, 0);
    assert_int_equal(x->resp_len, 0);
    assert_int_equal(x->latency_us, 0);
    ld_records_free(back);
    ld_records_free(seed);
}

static void test_reads_without_runs(void **state)
{
    const char *empty = tu_write(tu_tmpdir(), "nothing.db", "");
    const char *missing = st_path(tu_tmpdir(), "missing.db");
    json_t *runs = NULL;
    ld_diag_t d;
    size_t n = 0;
    char *bytes;

    (void)state;
    ld_diag_clear(&d);
    assert_int_equal(ld_store_list_runs(empty, 5, &runs, &d), 0);
    assert_int_equal(json_array_size(runs), 0);
    json_decref(runs);
    bytes = tu_read(empty, &n);
    assert_int_equal(n, 0);   /* readers never create tables */
    free(bytes);
    assert_int_equal(ld_store_list_runs(missing, 5, &runs, &d), LD_ENOTFOUND);
    assert_string_equal(d.file, missing);
    assert_int_equal(access(missing, F_OK), -1);
    assert_int_equal(ld_store_get_run(empty, 1, &runs, &d), LD_ENOTFOUND);
    assert_int_equal(ld_store_list_runs(tu_tmpdir(), 5, &runs, &d),
                     LD_EINVAL);
    assert_int_equal(ld_store_list_runs("", 5, &runs, &d), LD_EINVAL);
}

static void test_iso_parse(void **state)
{
    (void)state;
    assert_int_equal(ld__iso_to_ms("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(ld__iso_to_ms("2026-04-28T10:00:00.250Z"),
                     1777370400250);
    assert_int_equal(ld__iso_to_ms("2026-04-28T12:00:00+02:00"),
                     1777370400000);
    assert_int_equal(ld__iso_to_ms("2026-04-28 10:00:00"), 1777370400000);
    assert_int_equal(ld__iso_to_ms("2026-04-28"), -1);
    assert_int_equal(ld__iso_to_ms("yesterday"), -1);
    assert_int_equal(ld__iso_to_ms(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_and_get),
        cmocka_unit_test(test_explicit_times_and_null_metadata),
        cmocka_unit_test(test_fetch_paged),
        cmocka_unit_test(test_load_round_trip),
        cmocka_unit_test(test_order_restored),
        cmocka_unit_test(test_hostile_strings),
        cmocka_unit_test(test_foreign_rows),
        cmocka_unit_test(test_reads_without_runs),
        cmocka_unit_test(test_iso_parse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
