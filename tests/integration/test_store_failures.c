/* The store's bad cases on real files: not a database, read-only file,
 * read-only directory, a lock held past the busy timeout, a full database
 * (max_page_count) and a full disk (RLIMIT_FSIZE in a child). Each must give
 * a clear error naming the file and the cause, and leave the file exactly as
 * it was: same bytes, same number of runs. */
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/store_int.h"
#include "../unit/store/store_tu.h"
#include "ldcore/report.h"

typedef struct snap {
    char *bytes;
    size_t len;
    long long runs;
} snap_t;

static snap_t take(const char *path)
{
    snap_t s;

    s.bytes = tu_read(path, &s.len);
    assert_non_null(s.bytes);
    s.runs = st_int(path, "SELECT count(*) FROM runs");
    return s;
}

static void assert_untouched(const char *path, snap_t *before)
{
    snap_t now = take(path);

    assert_int_equal(now.len, before->len);
    assert_memory_equal(now.bytes, before->bytes, now.len);
    assert_int_equal(now.runs, before->runs);
    free(now.bytes);
    free(before->bytes);
}

static bool exists(const char *path, const char *suffix)
{
    char p[1100];

    snprintf(p, sizeof(p), "%s%s", path, suffix);
    return access(p, F_OK) == 0;
}

/* A directory of its own, reachable by an unprivileged child. */
static const char *subdir(const char *name)
{
    const char *d = st_path(tu_tmpdir(), name);

    chmod(tu_tmpdir(), 0755);
    assert_int_equal(mkdir(d, 0777), 0);
    chmod(d, 0777);
    return d;
}

/* A database with one run, closed (WAL checkpointed into the file). */
static const char *db_with_run(const char *dir, const char *name)
{
    const char *path = st_path(dir, name);
    ld_records_t *r = st_records(500, 3);

    st_persist(path, r, "existing");
    ld_records_free(r);
    assert_false(exists(path, "-wal"));
    return path;
}

/* Persist in a child (optionally unprivileged, optionally with a file size
 * limit); the child's diagnostic comes back through a pipe. */
typedef struct child_res {
    int rc;
    char msg[1024];
} child_res_t;

static child_res_t persist_in_child(const char *path, bool drop_root,
                                    rlim_t fsize)
{
    child_res_t res;
    int fd[2];
    pid_t pid;
    int status = 0;

    memset(&res, 0, sizeof(res));
    assert_int_equal(pipe(fd), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        ld_records_t *r = st_records(100000, 5);
        ld_diag_t d;
        int64_t id = 0;
        close(fd[0]);
        if (drop_root && geteuid() == 0 &&
            (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(3);
        if (fsize) {
            struct rlimit rl = {fsize, fsize};
            signal(SIGXFSZ, SIG_IGN);
            setrlimit(RLIMIT_FSIZE, &rl);
        }
        ld_diag_clear(&d);
        res.rc = ld_store_persist(path, r, "child", NULL, 0, 0, &id, &d);
        snprintf(res.msg, sizeof(res.msg), "%s", d.msg);
        if (write(fd[1], &res, sizeof(res)) != (ssize_t)sizeof(res))
            _exit(4);
        ld_records_free(r);
        _exit(0);
    }
    close(fd[1]);
    assert_int_equal(read(fd[0], &res, sizeof(res)), (ssize_t)sizeof(res));
    close(fd[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    return res;
}

static void test_not_a_database(void **state)
{
    const char *path = tu_write(tu_tmpdir(), "notes.db",
                                "this is a text file, not a database\n"
                                "with a few lines of text in it\n");
    ld_records_t *r = st_records(10, 1);
    json_t *out = NULL;
    ld_diag_t d;
    int64_t id = 0;
    size_t n0 = 0, n1 = 0;
    char *b0 = tu_read(path, &n0), *b1;

    (void)state;
    ld_diag_clear(&d);
    assert_int_equal(ld_store_persist(path, r, NULL, NULL, 0, 0, &id, &d),
                     LD_EINVAL);
    assert_string_equal(d.file, path);
    assert_non_null(strstr(d.msg, "not a SQLite database"));
    assert_int_equal(ld_store_list_runs(path, 5, &out, &d), LD_EINVAL);
    assert_int_equal(ld_diff_runs(path, 1, 2, 0.1, &out, &d), LD_EINVAL);
    assert_int_equal(ld_stream_open(path, NULL, NULL,
                                    (ld_stream_t **)(void *)&out, &d),
                     LD_EINVAL);
    b1 = tu_read(path, &n1);
    assert_int_equal(n0, n1);
    assert_memory_equal(b0, b1, n0);
    assert_false(exists(path, "-journal") || exists(path, "-wal"));
    free(b0);
    free(b1);
    ld_records_free(r);
}

static void test_read_only_file(void **state)
{
    const char *dir = subdir("rofile");
    const char *path = db_with_run(dir, "ro.db");
    snap_t before;
    child_res_t res;

    (void)state;
    assert_int_equal(chmod(path, 0444), 0);
    before = take(path);
    res = persist_in_child(path, true, 0);
    /* (as root, the child runs as nobody: root may write anything) */
    assert_int_equal(res.rc, LD_EIO);
    assert_non_null(strstr(res.msg, "the file is read-only"));
    assert_untouched(path, &before);
    chmod(path, 0644);
}

static void test_read_only_directory(void **state)
{
    const char *dir = subdir("rodir");
    const char *path = db_with_run(dir, "rodir.db");
    snap_t before;
    child_res_t res;

    (void)state;
    assert_int_equal(chmod(path, 0666), 0);
    before = take(path);
    /* Reading left empty -wal/-shm files; without them a writer needs to
     * create them in the directory. */
    unlink(st_path(dir, "rodir.db-wal"));
    unlink(st_path(dir, "rodir.db-shm"));
    assert_int_equal(chmod(dir, 0555), 0);
    res = persist_in_child(path, true, 0);
    assert_int_equal(res.rc, LD_EIO);
    assert_non_null(strstr(res.msg, "directory is not writable"));
    assert_untouched(path, &before);
    chmod(dir, 0777);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Another connection holds the write lock longer than the busy timeout. */
static void test_locked(void **state)
{
    const char *path = db_with_run(tu_tmpdir(), "locked.db");
    ld_records_t *r = st_records(1000, 2);
    sqlite3 *other = NULL;
    json_t *runs = NULL;
    snap_t before = take(path);
    ld_diag_t d;
    int64_t id = 0;
    double t0;

    (void)state;
    ld_store_set_busy_timeout(300);
    assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL),
                     SQLITE_OK);
    ld_diag_clear(&d);
    t0 = now_s();
    assert_int_equal(ld_store_persist(path, r, NULL, NULL, 0, 0, &id, &d),
                     LD_EIO);
    assert_true(now_s() - t0 >= 0.25);   /* it did wait */
    assert_true(now_s() - t0 < 5.0);
    assert_string_equal(d.file, path);
    assert_non_null(strstr(d.msg, "locked by another connection"));
    assert_non_null(strstr(d.msg, "300 ms"));
    /* WAL: readers are not blocked by the writer. */
    assert_int_equal(ld_store_list_runs(path, 5, &runs, &d), 0);
    assert_int_equal(json_array_size(runs), 1);
    json_decref(runs);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    assert_untouched(path, &before);
    /* Once the lock is gone, it works. */
    ld_store_set_busy_timeout(5000);
    assert_int_equal(ld_store_persist(path, r, NULL, NULL, 0, 0, &id, &d), 0);
    assert_int_equal(id, 2);
    ld_records_free(r);
}

/* A rollback-journal database (as another tool leaves it) locked
 * exclusively: even reading waits, then fails clearly. */
static void test_locked_rollback_mode(void **state)
{
    const char *path = st_path(tu_tmpdir(), "locked_rb.db");
    ld_records_t *r = st_records(10, 1);
    sqlite3 *other = NULL;
    json_t *runs = NULL;
    snap_t before;
    ld_diag_t d;
    int64_t id = 0;

    (void)state;
    st_exec(path, "CREATE TABLE t (x); INSERT INTO t VALUES (1);");
    before = take(path);
    ld_store_set_busy_timeout(200);
    assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other,
                                  "PRAGMA locking_mode=EXCLUSIVE;"
                                  "BEGIN EXCLUSIVE; INSERT INTO t VALUES (2);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    ld_diag_clear(&d);
    assert_int_equal(ld_store_list_runs(path, 5, &runs, &d), LD_EIO);
    assert_non_null(strstr(d.msg, "locked"));
    assert_int_equal(ld_store_persist(path, r, NULL, NULL, 0, 0, &id, &d),
                     LD_EIO);
    assert_non_null(strstr(d.msg, "locked"));
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    ld_store_set_busy_timeout(5000);
    free(before.bytes);
    ld_records_free(r);
}

/* SQLITE_FULL halfway through a big persist: everything rolls back. */
static void test_database_full(void **state)
{
    const char *path = db_with_run(tu_tmpdir(), "full.db");
    const char *empty = tu_write(tu_tmpdir(), "full_empty.db", "");
    ld_records_t *r = st_records(100000, 5);
    snap_t before = take(path);
    long long pages = st_int(path, "PRAGMA page_count");
    ld_diag_t d;
    int64_t id = 0;
    size_t n = 1;
    char *b;

    (void)state;
    ld__store_max_pages = (int)pages + 40;
    ld_diag_clear(&d);
    assert_int_equal(ld_store_persist(path, r, NULL, NULL, 0, 0, &id, &d),
                     LD_EIO);
    assert_string_equal(d.file, path);
    assert_non_null(strstr(d.msg, "full"));
    assert_untouched(path, &before);
    assert_int_equal(st_int(path, "SELECT count(*) FROM records"), 500);
    /* A fresh empty file stays empty. */
    assert_int_equal(ld_store_persist(empty, r, NULL, NULL, 0, 0, &id, &d),
                     LD_EIO);
    b = tu_read(empty, &n);
    assert_int_equal(n, 0);
    free(b);
    ld__store_max_pages = 0;
    ld_records_free(r);
}

/* A real write error from the OS (EFBIG past RLIMIT_FSIZE, the same path as
 * ENOSPC) in a child process. */
static void test_disk_full(void **state)
{
    const char *path = db_with_run(tu_tmpdir(), "disk.db");
    snap_t before = take(path);
    child_res_t res;

    (void)state;
    res = persist_in_child(path, false, (rlim_t)before.len + 256 * 1024);
    assert_int_equal(res.rc, LD_EIO);
    assert_true(strstr(res.msg, "full") != NULL ||
                strstr(res.msg, "file size limit") != NULL);
    assert_non_null(strstr(res.msg, "nothing was written"));
    assert_untouched(path, &before);
    assert_int_equal(st_int(path, "SELECT count(*) FROM records"), 500);
    assert_int_equal(st_int(path, "SELECT count(*) FROM pragma_integrity_check"
                                  " WHERE integrity_check='ok'"),
                     1);
}

static void test_missing_directory(void **state)
{
    const char *path = st_path(tu_tmpdir(), "no/such/dir/x.db");
    ld_records_t *r = st_records(3, 1);
    ld_diag_t d;
    int64_t id = 0;

    (void)state;
    ld_diag_clear(&d);
    assert_int_equal(ld_store_persist(path, r, NULL, NULL, 0, 0, &id, &d),
                     LD_EIO);
    assert_string_equal(d.file, path);
    assert_non_null(strstr(d.msg, "cannot open the database file"));
    assert_non_null(strstr(d.msg, "No such file or directory"));
    ld_records_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_a_database),
        cmocka_unit_test(test_read_only_file),
        cmocka_unit_test(test_read_only_directory),
        cmocka_unit_test(test_locked),
        cmocka_unit_test(test_locked_rollback_mode),
        cmocka_unit_test(test_database_full),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_missing_directory),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
