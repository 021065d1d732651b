/* Streaming a run: records pushed from several stores arrive intact, the
 * run row exists (unfinished) while streaming, close fills totals, times and
 * aggregates; a writer error reaches the pusher and close; and a process
 * SIGKILLed mid-run leaves a sound database holding everything committed up
 * to about a second before the kill. */
#include "testutil.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ldcore/report.h"
#include "store/store_int.h"
#include "../unit/store/store_tu.h"

static const char *fresh(const char *name)
{
    const char *path = st_path(tu_tmpdir(), name);

    unlink(path);
    return path;
}

static void test_stream_round_trip(void **state)
{
    const char *path = fresh("stream.db");
    ld_records_t *a = st_records_ex(3000, 3, 20000, 1.0, 1);
    ld_records_t *b = st_records_ex(2000, 5, 9000, 1.0, 2);
    ld_records_t *back = ld_records_new();
    json_t *meta = json_pack("{s:s}", "commit", "abc");
    json_t *run = NULL, *rep = NULL;
    ld_stream_t *s = NULL;
    ld_diag_t d;
    int64_t id = 0;

    (void)state;
    ld__stream_interval_ms = 100;
    ld_diag_clear(&d);
    assert_int_equal(ld_stream_open(path, "live", meta, &s, &d), 0);
    assert_int_equal(ld_stream_run_id(s), 1);
    /* The run is there at once, unfinished. */
    assert_int_equal(st_int(path, "SELECT count(*) FROM runs WHERE "
                                  "finished_at IS NULL"),
                     1);
    assert_int_equal(ld_stream_push(s, a, 0, 1000), 0);
    assert_int_equal(ld_stream_push(s, b, 0, 2000), 0);
    assert_int_equal(ld_stream_push(s, a, 1000, 3000), 0);
    assert_int_equal(ld_stream_push(s, a, 5, 5), 0);
    assert_int_equal(ld_stream_push(s, a, 10, 5), LD_EINVAL);
    assert_int_equal(ld_stream_push(s, a, 0, 3001), LD_EINVAL);
    usleep(400000);
    /* committed while streaming, totals kept up to date */
    assert_int_equal(st_int(path, "SELECT count(*) FROM records"), 5000);
    assert_int_equal(st_int(path, "SELECT total FROM runs"), 5000);
    assert_int_equal(st_int(path, "SELECT count(*) FROM runs WHERE "
                                  "finished_at IS NULL"),
                     1);
    assert_int_equal(ld_stream_close(s, &id, &d), 0);
    assert_int_equal(id, 1);
    assert_int_equal(ld_store_get_run(path, id, &run, &d), 0);
    assert_int_equal(json_integer_value(json_object_get(run, "total")), 5000);
    assert_int_equal(json_integer_value(json_object_get(run, "failed")),
                     ld_records_failed(a) + ld_records_failed(b));
    assert_true(json_is_string(json_object_get(run, "finished_at")));
    assert_true(json_equal(json_object_get(run, "metadata"), meta));
    assert_string_equal(json_string_value(json_object_get(run, "label")),
                        "live");
    /* Same records (order of pushes), exact times included. */
    assert_int_equal(ld_store_load_records(path, id, back, &d), 0);
    assert_int_equal(ld_records_count(back), 5000);
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(ld_records_at(back, i)->latency_us,
                         ld_records_at(a, i)->latency_us);
    assert_int_equal(ld_records_at(back, 1000)->start_ns,
                     ld_records_at(b, 0)->start_ns);
    assert_string_equal(ld_records_str(back,
                                       ld_records_at(back, 4999)->url_id),
                        ld_records_str(a, ld_records_at(a, 2999)->url_id));
    /* Aggregates written at close: 5 names (b's /api/0../api/4). */
    assert_int_equal(st_int(path, "SELECT count(*) FROM ld_run_names"), 5);
    assert_int_equal(st_int(path, "SELECT sum(requests) FROM ld_run_names"),
                     5000);
    /* ...and equal to the ones of a persist of the same records. */
    st_persist(path, back, "copy");
    assert_int_equal(ld_diff_runs(path, 1, 2, 0.0, &rep, &d), 0);
    assert_false(json_is_true(json_object_get(rep, "has_regressions")));
    assert_true(json_number_value(json_object_get(json_object_get(
                    json_object_get(json_object_get(json_object_get(
                                        rep, "per_name"),
                                    "/api/0"),
                                    "deltas"),
                    "p95_ms"),
                    "abs")) == 0);
    json_decref(rep);
    json_decref(run);
    json_decref(meta);
    ld_records_free(back);
    ld_records_free(a);
    ld_records_free(b);
    ld__stream_interval_ms = 1000;
}

static void test_empty_stream(void **state)
{
    const char *path = fresh("empty_stream.db");
    ld_stream_t *s = NULL;
    ld_diag_t d;
    int64_t id = 0;

    (void)state;
    ld_diag_clear(&d);
    assert_int_equal(ld_stream_open(path, NULL, NULL, &s, &d), 0);
    assert_int_equal(ld_stream_close(s, &id, &d), 0);
    assert_int_equal(st_int(path, "SELECT total FROM runs WHERE id=1"), 0);
    assert_int_equal(st_int(path, "SELECT count(*) FROM runs WHERE "
                                  "finished_at IS NOT NULL"),
                     1);
    assert_int_equal(ld_stream_open("", NULL, NULL, &s, &d), LD_EINVAL);
    assert_null(s);
}

/* The database fills up mid-run: pushes start failing, close says why and
 * how many records were not saved; what was committed stays. */
static void test_stream_write_error(void **state)
{
    const char *path = fresh("stream_full.db");
    ld_records_t *r = st_records(20000, 5);
    ld_stream_t *s = NULL;
    ld_diag_t d;
    int64_t id = 0;
    int rc = 0;

    (void)state;
    ld__stream_interval_ms = 50;
    st_persist(path, r, "room");   /* creates the tables */
    ld__store_max_pages = (int)st_int(path, "PRAGMA page_count") + 60;
    ld_diag_clear(&d);
    assert_int_equal(ld_stream_open(path, "doomed", NULL, &s, &d), 0);
    for (int i = 0; i < 100 && !rc; i++) {
        rc = ld_stream_push(s, r, 0, 20000);
        usleep(20000);
    }
    assert_int_equal(rc, LD_EIO);
    assert_int_equal(ld_stream_close(s, &id, &d), LD_EIO);
    assert_int_equal(id, 2);
    assert_string_equal(d.file, path);
    assert_non_null(strstr(d.msg, "full"));
    assert_non_null(strstr(d.msg, "records not saved"));
    ld__store_max_pages = 0;
    /* committed batches are whole: the run's total matches its rows */
    assert_int_equal(st_int(path, "SELECT count(*) FROM records WHERE "
                                  "run_id=2"),
                     st_int(path, "SELECT total FROM runs WHERE id=2"));
    ld__stream_interval_ms = 1000;
    ld_records_free(r);
}

static uint64_t wall_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Child: stream 100 records every 10 ms (10k/s), stamped with the wall
 * clock, until killed. */
static void streamer(const char *path, int ready_fd)
{
    ld_records_t *r = ld_records_new();
    ld_stream_t *s = NULL;
    ld_diag_t d;

    if (ld_stream_open(path, "killed", NULL, &s, &d))
        _exit(2);
    if (write(ready_fd, "r", 1) != 1)
        _exit(3);
    for (;;) {
        uint64_t t = wall_ns();
        ld_records_clear(r);
        for (int i = 0; i < 100; i++)
            ld_records_add_full(r, t, LD_M_GET, i % 2 ? "/a" : "/b",
                                "http://127.0.0.1/x", 200, 1000 + i, 10,
                                NULL);
        if (ld_stream_push(s, r, 0, 100))
            _exit(4);
        usleep(10000);
    }
}

static void test_killed_stream(void **state)
{
    const char *path = fresh("killed.db");
    json_t *runs = NULL, *rep = NULL;
    ld_records_t *back = ld_records_new();
    ld_diag_t d;
    uint64_t kill_ns, newest_ns = 0;
    int fd[2], status = 0;
    char c;
    pid_t pid;

    (void)state;
    assert_int_equal(pipe(fd), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        streamer(path, fd[1]);
    }
    close(fd[1]);
    assert_int_equal(read(fd[0], &c, 1), 1);
    close(fd[0]);
    usleep(2500000);
    kill_ns = wall_ns();
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));

    /* The file is sound and the run is there, unfinished. */
    assert_int_equal(st_int(path, "SELECT count(*) FROM pragma_integrity_check"
                                  " WHERE integrity_check='ok'"),
                     1);
    ld_diag_clear(&d);
    assert_int_equal(ld_store_list_runs(path, 5, &runs, &d), 0);
    assert_int_equal(json_array_size(runs), 1);
    assert_true(json_is_null(json_object_get(json_array_get(runs, 0),
                                             "finished_at")));
    /* Commits every second: two or so happened before the kill. */
    assert_true(st_int(path, "SELECT count(*) FROM records") >= 1000);
    assert_int_equal(st_int(path, "SELECT count(*) FROM records"),
                     st_int(path, "SELECT total FROM runs"));
    assert_int_equal(ld_store_load_records(path, 1, back, &d), 0);
    for (size_t i = 0; i < ld_records_count(back); i++)
        if (ld_records_at(back, i)->start_ns > newest_ns)
            newest_ns = ld_records_at(back, i)->start_ns;
    /* At most about a second lost (+ slack for a slow, sanitized build). */
    fprintf(stderr, "records=%zu, newest committed %.2f s before the kill\n",
            ld_records_count(back), (double)(kill_ns - newest_ns) / 1e9);
    assert_true(kill_ns - newest_ns < 1800000000ull);
    /* A killed run can be diffed (aggregates computed from its records). */
    assert_int_equal(ld_diff_runs(path, 1, 1, 0.1, &rep, &d), 0);
    assert_int_equal(json_object_size(json_object_get(rep, "per_name")), 2);
    json_decref(rep);
    json_decref(runs);
    ld_records_free(back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_round_trip),
        cmocka_unit_test(test_empty_stream),
        cmocka_unit_test(test_stream_write_error),
        cmocka_unit_test(test_killed_stream),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
