/* Two processes persisting to one database at the same time: both succeed
 * (one waits for the other's write lock) and nothing is lost. First on a
 * fresh empty file (rollback journal until the first commit switches it to
 * WAL), then again on the WAL database, then a persist racing a stream. */
#include "testutil.h"

#include <sys/wait.h>
#include <unistd.h>

#include "../unit/store/store_tu.h"

#define PER_CHILD 50000

/* Fork n children that wait on a pipe, then all persist at once. */
static void race(const char *path, int n)
{
    int go[2];
    pid_t pids[4];

    assert_true(n <= 4);
    assert_int_equal(pipe(go), 0);
    for (int i = 0; i < n; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            ld_records_t *r = st_records_ex(PER_CHILD, 20, 15000, 1.0,
                                            (uint64_t)getpid());
            ld_diag_t d;
            int64_t id = 0;
            char c;
            int rc;
            close(go[1]);
            if (read(go[0], &c, 1) != 0)   /* EOF = start */
                _exit(5);
            ld_diag_clear(&d);
            rc = ld_store_persist(path, r, "racer", NULL, 0, 0, &id, &d);
            if (rc)
                fprintf(stderr, "child %d: %s\n", i, d.msg);
            ld_records_free(r);
            _exit(rc ? 1 : 0);
        }
    }
    close(go[0]);
    close(go[1]);   /* everyone starts now */
    for (int i = 0; i < n; i++) {
        int status = 0;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
}

static void check(const char *path, long long runs)
{
    assert_int_equal(st_int(path, "SELECT count(*) FROM runs"), runs);
    assert_int_equal(st_int(path, "SELECT count(*) FROM records"),
                     runs * PER_CHILD);
    /* every run has exactly its own records, totals filled */
    assert_int_equal(st_int(path, "SELECT count(*) FROM runs WHERE total <> "
                                  "(SELECT count(*) FROM records WHERE "
                                  "run_id = runs.id)"),
                     0);
    assert_int_equal(st_int(path, "SELECT min(total) FROM runs"), PER_CHILD);
    assert_int_equal(st_int(path, "SELECT count(DISTINCT run_id) FROM "
                                  "ld_run_names"),
                     runs);
    assert_int_equal(st_int(path, "SELECT sum(n) FROM ld_record_times"),
                     runs * PER_CHILD);
    assert_int_equal(st_int(path, "SELECT count(*) FROM pragma_integrity_check"
                                  " WHERE integrity_check='ok'"),
                     1);
}

static void test_two_writers(void **state)
{
    const char *path = tu_write(tu_tmpdir(), "race.db", "");

    (void)state;
    race(path, 2);
    check(path, 2);
    race(path, 2);    /* now in WAL mode */
    check(path, 4);
}

/* A stream committing while another process persists. The child is
 * forked before the stream exists (never fork with SQLite connections or
 * threads alive) and starts when the stream is open. */
static void test_stream_and_persist(void **state)
{
    const char *path = st_path(tu_tmpdir(), "mixed.db");
    ld_records_t *r = st_records(1000, 4);
    ld_stream_t *s = NULL;
    ld_diag_t d;
    int64_t sid = 0;
    int go[2];
    pid_t pid;
    int status = 0;

    (void)state;
    unlink(path);
    assert_int_equal(pipe(go), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        ld_records_t *big = st_records_ex(PER_CHILD, 20, 15000, 1.0, 9);
        int64_t id = 0;
        char c;
        int rc;
        close(go[1]);
        if (read(go[0], &c, 1) != 0)
            _exit(5);
        rc = ld_store_persist(path, big, "racer", NULL, 0, 0, &id, &d);
        if (rc)
            fprintf(stderr, "child: %s\n", d.msg);
        ld_records_free(big);
        _exit(rc ? 1 : 0);
    }
    close(go[0]);
    ld_diag_clear(&d);
    assert_int_equal(ld_stream_open(path, "stream", NULL, &s, &d), 0);
    close(go[1]);
    for (int i = 0; i < 50; i++) {
        assert_int_equal(ld_stream_push(s, r, 0, 1000), 0);
        usleep(10000);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(ld_stream_close(s, &sid, &d), 0);
    assert_int_equal(st_int(path, "SELECT count(*) FROM records"),
                     PER_CHILD + 50000);
    assert_int_equal(st_int(path, "SELECT total FROM runs WHERE label="
                                  "'stream'"),
                     50000);
    assert_int_equal(st_int(path, "SELECT count(*) FROM runs WHERE "
                                  "finished_at IS NULL"),
                     0);
    ld_records_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_writers),
        cmocka_unit_test(test_stream_and_persist),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
