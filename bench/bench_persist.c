/*
 * bench_persist - how fast and how lean is ld_store_persist?
 *
 * Builds N records (default 1,000,000) with a realistic mix (20 request
 * names, ~2000 distinct URLs, 2 % failures, log-normal latencies), then
 * persists them to a fresh file, then a second run to the same (now WAL)
 * file, and streams a third run through ld_stream_*. For each: wall time
 * and CPU time (user + system of the process: the stream's writer thread
 * included), and the extra peak RSS over the RSS before the step.
 *
 * Each step runs in a fresh child process (forked after the records are
 * built). Peak RSS: the kernel's high-water mark is reset before each step by
 * writing 5 to /proc/self/clear_refs, then VmHWM is read after it; where
 * that is not possible, getrusage's ru_maxrss delta is printed instead
 * (a lower bound: ru_maxrss never goes down).
 *
 *   bench_persist [DB_PATH [N [STEPS]]]
 *     DB_PATH  default /tmp/ld_bench_persist.db (recreated)
 *     N        records, default 1000000
 *     STEPS    letters: p = persist to the fresh file, w = persist again
 *              (WAL file), s = stream, r = the floor: bare SQLite inserting
 *              the same rows (seed tables only, 32-row statements, one
 *              transaction) into DB_PATH.raw; default "pws"
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "ldcore/store.h"

static const char *const names[20] = {
    "/", "/login", "/logout", "/api/users", "/api/users/{id}", "/api/orders",
    "/api/orders/{id}", "/api/cart", "/api/cart/items", "/api/checkout",
    "/api/search", "/api/products", "/api/products/{id}", "/api/reviews",
    "/static/app.js", "/static/app.css", "/health", "/api/inventory",
    "/api/payments", "/api/recommendations",
};
static const char *const errors[3] = {"HTTP 500", "timeout after 5000 ms",
                                      "connection refused"};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static double unit(uint64_t *s)
{
    return ((double)(rng(s) >> 11) + 0.5) / 9007199254740992.0;
}

/* Log-normal latency around a per-name median. */
static uint32_t latency_us(uint64_t *s, unsigned k)
{
    double median = 8000.0 + 9000.0 * (double)(k % 7);
    double z = sqrt(-2 * log(unit(s))) * cos(6.283185307179586 * unit(s));
    double v = median * exp(0.45 * z);

    return v > 4e9 ? 4000000000u : (uint32_t)v;
}

static ld_records_t *make(size_t n)
{
    ld_records_t *r = ld_records_new();
    uint64_t s = 0x9E3779B97F4A7C15ull;
    uint64_t t0 = (uint64_t)ld_unix_ms() * 1000000ull;
    char url[160];

    for (size_t i = 0; r && i < n; i++) {
        unsigned k = (unsigned)(rng(&s) % 20);
        bool fail = rng(&s) % 50 == 0;
        const char *err = fail ? errors[rng(&s) % 3] : NULL;
        int status = !fail ? (k == 9 ? 201 : 200) : err == errors[0] ? 500 : 0;
        snprintf(url, sizeof(url), "https://shop.example.test%s?page=%u",
                 names[k], (unsigned)(rng(&s) % 100));
        if (ld_records_add_full(r, t0 + i * 60000ull,
                                k % 4 == 1 ? LD_M_POST : LD_M_GET, names[k],
                                url, status, latency_us(&s, k),
                                (uint32_t)(200 + rng(&s) % 20000), err)) {
            ld_records_free(r);
            return NULL;
        }
    }
    return r;
}

/* ---- memory ---- */

static long status_kib(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t kl = strlen(key);

    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, key, kl) && line[kl] == ':')
            v = strtol(line + kl + 1, NULL, 10);
    if (f)
        fclose(f);
    return v;
}

static bool reset_peak(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    bool ok = f && fputs("5", f) >= 0;

    if (f)
        ok = fclose(f) == 0 && ok;
    return ok && status_kib("VmHWM") <= status_kib("VmRSS") + 64;
}

static long maxrss_kib(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static double cpu_s(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

typedef struct meter {
    double t0;
    double cpu0;
    long rss0;
    long maxrss0;
    bool hwm;
} meter_t;

static void start(meter_t *m)
{
    m->hwm = reset_peak();
    m->rss0 = status_kib("VmRSS");
    m->maxrss0 = maxrss_kib();
    m->cpu0 = cpu_s();
    m->t0 = now_s();
}

static void report(const meter_t *m, const char *what, size_t n)
{
    double dt = now_s() - m->t0;
    long extra = m->hwm ? status_kib("VmHWM") - m->rss0
                        : maxrss_kib() - m->maxrss0;

    printf("%-32s %8zu rec %7.3f s wall %7.3f s cpu %8.0f rec/s  extra "
           "peak RSS %5.1f MiB%s\n",
           what, n, dt, cpu_s() - m->cpu0, (double)n / dt,
           (double)extra / 1024.0,
           m->hwm ? "" : " (ru_maxrss delta, lower bound)");
}

/* ---- steps ---- */

static int persist(const char *path, const ld_records_t *r, const char *what)
{
    meter_t m;
    ld_diag_t d;
    int64_t id = 0;
    int rc;

    ld_diag_clear(&d);
    start(&m);
    rc = ld_store_persist(path, r, what, NULL, 0, 0, &id, &d);
    if (rc) {
        fprintf(stderr, "persist failed: %s\n", d.msg);
        return 1;
    }
    report(&m, what, ld_records_count(r));
    return 0;
}

/* Push in 10,000-record slices, as a collector would. */
static int stream(const char *path, const ld_records_t *r)
{
    meter_t m;
    ld_stream_t *s = NULL;
    ld_diag_t d;
    int64_t id = 0;
    size_t n = ld_records_count(r);
    int rc;

    ld_diag_clear(&d);
    start(&m);
    rc = ld_stream_open(path, "stream", NULL, &s, &d);
    for (size_t i = 0; !rc && i < n; i += 10000)
        rc = ld_stream_push(s, r, i, i + 10000 < n ? i + 10000 : n);
    if (s)
        rc = ld_stream_close(s, &id, &d) ? -1 : rc;
    if (rc) {
        fprintf(stderr, "stream failed: %s\n", d.msg);
        return 1;
    }
    report(&m, "stream (push 10k slices, close)", n);
    return 0;
}

/* ---- the floor: bare SQLite, same rows, no extras ---- */

static const char raw_schema[] =
    "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT,"
    " started_at TEXT, finished_at TEXT, total INTEGER, failed INTEGER,"
    " metadata TEXT);"
    "CREATE TABLE records (id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " run_id INTEGER NOT NULL REFERENCES runs(id), outcome TEXT NOT NULL,"
    " method TEXT, name TEXT, url TEXT, status_code TEXT,"
    " response_time_ms INTEGER, response_length INTEGER, error TEXT);"
    "CREATE INDEX idx_records_run_id ON records(run_id);"
    "CREATE INDEX idx_records_name ON records(name);"
    "PRAGMA cache_size=-16384;";

static void raw_bind(sqlite3_stmt *st, int p, const ld_records_t *r,
                     const ld_record_t *rec, char *status)
{
    const char *name = ld_records_str(r, rec->name_id);
    const char *err = ld_records_str(r, rec->error_id);

    snprintf(status, 8, "%u", (unsigned)rec->status);
    sqlite3_bind_text(st, p, rec->error_id ? "failure" : "success", -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, p + 1, ld_method_name((ld_method_t)rec->method),
                      -1, SQLITE_STATIC);
    sqlite3_bind_text(st, p + 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, p + 3, ld_records_str(r, rec->url_id), -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, p + 4, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, p + 5, (rec->latency_us + 500) / 1000);
    sqlite3_bind_int64(st, p + 6, rec->resp_len);
    if (rec->error_id)
        sqlite3_bind_text(st, p + 7, err, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, p + 7);
}

static int raw(const char *path, const ld_records_t *r)
{
    char file[1100], sql[8192], status[32][8];
    size_t n = ld_records_count(r), len;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    meter_t m;
    int rc;

    snprintf(file, sizeof(file), "%s.raw", path);
    unlink(file);
    len = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO records (run_id, "
                           "outcome, method, name, url, status_code, "
                           "response_time_ms, response_length, error) "
                           "VALUES ");
    for (int k = 0; k < 32; k++)
        len += (size_t)snprintf(sql + len, sizeof(sql) - len,
                                "%s(1,?,?,?,?,?,?,?,?)", k ? "," : "");
    start(&m);
    rc = sqlite3_open(file, &db) || sqlite3_exec(db, raw_schema, 0, 0, 0) ||
         sqlite3_exec(db, "BEGIN", 0, 0, 0) ||
         sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    for (size_t i = 0; !rc && i + 32 <= n; i += 32) {
        for (int k = 0; k < 32; k++)
            raw_bind(st, 1 + 8 * k, r, ld_records_at(r, i + (size_t)k),
                     status[k]);
        rc = sqlite3_step(st) != SQLITE_DONE;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    rc = rc || sqlite3_exec(db, "COMMIT", 0, 0, 0);
    if (rc)
        fprintf(stderr, "raw: %s\n", sqlite3_errmsg(db));
    sqlite3_close(db);
    unlink(file);
    if (!rc)
        report(&m, "floor: bare SQLite, same rows", n - n % 32);
    return rc;
}

/* Each step runs in a child of its own so that memory freed by one step
 * (and kept by malloc) does not hide the next step's peak. */
static int in_child(char step, const char *path, const ld_records_t *r)
{
    int status = 0, rc = 0;
    pid_t pid;

    if (!strchr("pwsr", step))
        return 0;
    pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        if (step == 'p' || step == 'w')
            rc = persist(path, r, step == 'p' ? "persist to a fresh file"
                                              : "persist again (WAL file)");
        else if (step == 's')
            rc = stream(path, r);
        else
            rc = raw(path, r);
        fflush(stdout);
        _exit(rc ? 1 : 0);
    }
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return 1;
    return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "/tmp/ld_bench_persist.db";
    size_t n = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 1000000;
    const char *steps = argc > 3 ? argv[3] : "pws";
    char side[1100];
    ld_records_t *r;
    double t0 = now_s();
    int rc = 0;

    unlink(path);
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
    r = make(n);
    if (!r) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    printf("built %zu records (%zu failed, %zu strings) in %.2f s, "
           "%.1f MiB in memory\n",
           n, ld_records_failed(r), ld_records_nstrings(r), now_s() - t0,
           (double)ld_records_memsize(r) / 1048576.0);
    fflush(stdout);
    for (const char *c = steps; *c; c++)
        rc |= in_child(*c, path, r);
    ld_records_free(r);
    return rc;
}
