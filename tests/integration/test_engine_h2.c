/*
 * HTTP/2 end to end: the engine against nghttpd (Debian package
 * nghttp2-server, installed by scripts/install-deps.sh) on 127.0.0.1.
 *
 *  - h2 over TLS (ALPN), "http_version": "2" in user_detail_dict, with the
 *    test's self-signed certificate as CA and with "verify": false;
 *  - h2c with prior knowledge, "http_version": "2-prior-knowledge": the
 *    default driver routes it to libcurl, "driver": "native" refuses it at
 *    compile time;
 *  - a task's own "http_version" over the user's default "1.1", with a
 *    contains / header / status_code assertion and a header extractor whose
 *    value comes back in the next request's URL;
 *  - HTTP/1.1 against the h2c port fails cleanly with a message, through
 *    both drivers.
 *
 * nghttpd speaks nothing but HTTP/2, and its verbose log (-v) has one
 * ":path:" line per request stream received and one ":status:" line per
 * response sent: both must match the engine's record count exactly.
 *
 * nghttpd is required, not optional: a missing binary fails the test with
 * a message (skipping would hide a broken CI image).
 */
#include "test_engine_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BODY_FILE "h2.txt"
#define MARKER "LoadDensity-h2-marker"
#define BODY_REPEAT 200 /* lines of filler after the marker */
#define FILLER "0123456789abcdefghijklmnopqrstuvwxyz\n"

typedef struct h2srv {
    pid_t pid;
    int port;
    char log[600];
} h2srv_t;

typedef struct fx {
    h2srv_t tls, h2c;
} fx_t;

static char g_nghttpd[512];
static char g_dir[256];
static char g_docroot[300];
static char g_key[320], g_cert[320];
static size_t g_body_len;
static int g_logs; /* log file counter */

/* ---- helpers ---- */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

static bool executable(const char *p)
{
    struct stat st;
    return !stat(p, &st) && S_ISREG(st.st_mode) && !access(p, X_OK);
}

/* nghttpd lives in /usr/sbin, which a non-root PATH may lack. */
static bool find_nghttpd(void)
{
    const char *path = getenv("PATH");
    char dirs[4096];
    char *save = NULL, *d;
    snprintf(dirs, sizeof(dirs), "%s:/usr/sbin:/usr/local/sbin:/usr/bin",
             path ? path : "");
    for (d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(g_nghttpd, sizeof(g_nghttpd), "%s/nghttpd", d);
        if (*d && executable(g_nghttpd))
            return true;
    }
    g_nghttpd[0] = '\0';
    return false;
}

/* The docroot with the known file, and a certificate for 127.0.0.1. */
static bool make_files(void)
{
    char cmd[2048];
    FILE *f;
    snprintf(g_dir, sizeof(g_dir), "%s", tu_tmpdir());
    snprintf(g_docroot, sizeof(g_docroot), "%s/htdocs", g_dir);
    if (mkdir(g_docroot, 0755) && errno != EEXIST)
        return false;
    snprintf(cmd, sizeof(cmd), "%s/%s", g_docroot, BODY_FILE);
    if (!(f = fopen(cmd, "wb")))
        return false;
    fputs(MARKER "\n", f);
    for (int i = 0; i < BODY_REPEAT; i++)
        fputs(FILLER, f);
    fclose(f);
    g_body_len = strlen(MARKER "\n") + BODY_REPEAT * strlen(FILLER);
    snprintf(g_key, sizeof(g_key), "%s/key.pem", g_dir);
    snprintf(g_cert, sizeof(g_cert), "%s/cert.pem", g_dir);
    snprintf(
        cmd, sizeof(cmd),
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
        " -nodes -keyout '%s' -out '%s' -days 2 -subj /CN=127.0.0.1"
        " -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1",
        g_key, g_cert);
    return system(cmd) == 0;
}

/* A port that was free a moment ago (nghttpd needs an explicit one). */
static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (!bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
        !getsockname(fd, (struct sockaddr *)&a, &len))
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static bool accepts(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    bool ok;
    if (fd < 0)
        return false;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = !connect(fd, (struct sockaddr *)&a, sizeof(a));
    close(fd);
    return ok;
}

/* Lines of path that contain needle and (unless NULL) also and
   (-1 when unreadable). */
static long count_lines2(const char *path, const char *needle,
                         const char *also)
{
    char *text = tu_read(path, NULL), *p, *nl;
    long n = 0;
    if (!text)
        return -1;
    for (p = text; *p; p = nl ? nl + 1 : p + strlen(p)) {
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (strstr(p, needle) && (!also || strstr(p, also)))
            n++;
    }
    free(text);
    return n;
}

static long count_lines(const char *path, const char *needle)
{
    return count_lines2(path, needle, NULL);
}

/* HTTP/2 sessions nghttpd opened: its first SETTINGS frame (not an ACK). */
static long sessions(const h2srv_t *s)
{
    return count_lines2(s->log, "] send SETTINGS frame", "flags=0x00");
}

static void h2_stop(h2srv_t *s)
{
    int i;
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGTERM);
    for (i = 0; i < 200 && waitpid(s->pid, NULL, WNOHANG) == 0; i++)
        sleep_ms(10);
    if (i == 200) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
    }
    s->pid = 0;
}

static pid_t spawn(const char *log, int port, bool tls)
{
    char pstr[16];
    pid_t parent = getpid(), pid;
    snprintf(pstr, sizeof(pstr), "%d", port);
    pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int null = open("/dev/null", O_RDONLY);
        /* Dies with the test even when the test crashes. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent || fd < 0)
            _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        if (null >= 0)
            dup2(null, 0);
        if (tls)
            execl(g_nghttpd, "nghttpd", "-v", "-a", "127.0.0.1", "-d",
                  g_docroot, pstr, g_key, g_cert, (char *)NULL);
        else
            execl(g_nghttpd, "nghttpd", "-v", "-a", "127.0.0.1", "-d",
                  g_docroot, "--no-tls", pstr, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Start nghttpd on a fresh port; retried when another process took the
   port between free_port() and nghttpd's bind. */
static void h2_start(h2srv_t *s, bool tls)
{
    char want[64];
    for (int attempt = 0; attempt < 10; attempt++) {
        int port = free_port(), i;
        assert_true(port > 0);
        snprintf(s->log, sizeof(s->log), "%s/nghttpd-%d.log", g_dir,
                 ++g_logs);
        snprintf(want, sizeof(want), "listen 127.0.0.1:%d", port);
        s->pid = spawn(s->log, port, tls);
        assert_true(s->pid > 0);
        for (i = 0; i < 500; i++) { /* up to 5 s */
            if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
                s->pid = 0;
                break;
            }
            if (count_lines(s->log, want) > 0 && accepts(port)) {
                s->port = port;
                return;
            }
            sleep_ms(10);
        }
        print_message("nghttpd did not start on port %d (attempt %d)\n", port,
                      attempt + 1);
        h2_stop(s);
    }
    fail_msg("nghttpd (%s) did not start; see %s", g_nghttpd, s->log);
}

/* Stop the server and check its log: exactly want request streams for
   path (a prefix) and want 200 responses. */
static void h2_check_log(h2srv_t *s, const char *path, size_t want)
{
    char needle[256];
    long streams, ok;
    h2_stop(s);
    snprintf(needle, sizeof(needle), ":path: %s", path);
    streams = count_lines(s->log, needle);
    ok = count_lines(s->log, ":status: 200");
    print_message("nghttpd: %ld streams for %s, %ld responses 200, engine %zu\n",
                  streams, path, ok, want);
    assert_int_equal(streams, (long)want);
    assert_int_equal(ok, (long)want);
}

/* Every record named name: status 200, no error, the file's length. */
static size_t all_ok(const te_run_t *r, const char *name)
{
    size_t it = 0, n = 0;
    const ld_record_t *rec;
    while ((rec = ld_records_next(r->records, &it))) {
        if (strcmp(ld_records_str(r->records, rec->name_id), name))
            continue;
        if (rec->error_id)
            print_error("%s: %s\n", name,
                        ld_records_str(r->records, rec->error_id));
        assert_int_equal(rec->error_id, 0);
        assert_int_equal(rec->status, 200);
        assert_int_equal(rec->resp_len, g_body_len);
        n++;
    }
    return n;
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
    (void)state;
    if (!find_nghttpd()) {
        print_error("nghttpd not found (PATH, /usr/sbin): install the Debian "
                    "package nghttp2-server (scripts/install-deps.sh)\n");
        return -1;
    }
    if (!make_files()) {
        print_error("cannot create the docroot or the certificate (openssl "
                    "missing? run scripts/install-deps.sh)\n");
        return -1;
    }
    return 0;
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof(*f));
    *state = f;
    return f ? 0 : -1;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    h2_stop(&f->tls);
    h2_stop(&f->h2c);
    free(f);
    return 0;
}

/* ---- cases ---- */

static void test_tls_alpn(void **state)
{
    fx_t *f = *state;
    te_run_t r;
    char kw[2048];
    size_t n_ca, n_insecure, n_pk;
    long nsess;
    h2_start(&f->tls, true);
    te_start_target(&r);
    /* "2-prior-knowledge" on https negotiates h2 with ALPN like "2". */
    snprintf(kw, sizeof(kw),
             "{\"user_detail_dict\": {\"user\": \"fast_http_user\","
             "  \"http_version\": \"2\", \"wait_time\": 0.02},"
             " \"user_count\": 2, \"spawn_rate\": 100, \"test_time\": 0.8,"
             " \"tasks\": ["
             "  {\"name\": \"ca\", \"verify\": \"%s\","
             "   \"request_url\": \"https://127.0.0.1:%d/" BODY_FILE "\"},"
             "  {\"name\": \"insecure\", \"verify\": false,"
             "   \"request_url\": \"https://127.0.0.1:%d/" BODY_FILE "\"},"
             "  {\"name\": \"pk\", \"verify\": false,"
             "   \"http_version\": \"2-prior-knowledge\","
             "   \"request_url\": \"https://127.0.0.1:%d/" BODY_FILE "\"}]}",
             g_cert, f->tls.port, f->tls.port, f->tls.port);
    te_run(&r, kw);
    n_ca = all_ok(&r, "ca");
    n_insecure = all_ok(&r, "insecure");
    n_pk = all_ok(&r, "pk");
    assert_true(n_ca >= 2);
    assert_true(n_insecure >= 2);
    assert_true(n_pk >= 2);
    assert_int_equal(ld_records_count(r.records), n_ca + n_insecure + n_pk);
    assert_int_equal(ld_target_requests(r.target), 0);
    h2_check_log(&f->tls, "/" BODY_FILE, n_ca + n_insecure + n_pk);
    /* Connections are kept: a handful of sessions for all the requests. */
    nsess = sessions(&f->tls);
    print_message("nghttpd: %ld TLS sessions\n", nsess);
    assert_true(nsess >= 1);
    assert_true(nsess <= 12);
    te_free(&r);
}

static void test_h2c_prior_knowledge(void **state)
{
    fx_t *f = *state;
    te_run_t r;
    char kw[2048];
    size_t n;
    int rc;
    h2_start(&f->h2c, false);
    te_start_target(&r);
    /* driver auto (the default) must hand h2c to libcurl. */
    snprintf(kw, sizeof(kw),
             "{\"user_detail_dict\": {\"user\": \"fast_http_user\","
             "  \"http_version\": \"2-prior-knowledge\", \"wait_time\": 0.02},"
             " \"user_count\": 2, \"spawn_rate\": 100, \"test_time\": 0.8,"
             " \"host\": \"http://127.0.0.1:%d\","
             " \"tasks\": [{\"name\": \"h2c\", \"request_url\": \"/" BODY_FILE
             "\"}]}",
             f->h2c.port);
    te_run(&r, kw);
    n = all_ok(&r, "h2c");
    assert_true(n >= 4);
    assert_int_equal(ld_records_count(r.records), n);
    h2_check_log(&f->h2c, "/" BODY_FILE, n);
    print_message("nghttpd: %ld h2c sessions\n", sessions(&f->h2c));
    te_free(&r);

    /* The native driver speaks HTTP/1.1 only: forcing it is an error that
       says why and what to use instead. */
    te_start_target(&r);
    rc = te_compile(
        &r, "{\"user_detail_dict\": {\"user\": \"fast_http_user\","
            "  \"driver\": \"native\", \"http_version\": \"2-prior-knowledge\"},"
            " \"user_count\": 1, \"test_time\": 0.1,"
            " \"tasks\": [{\"request_url\": \"http://127.0.0.1:PORT/\"}]}");
    print_message("native: %s\n", r.diag.msg);
    assert_int_equal(rc, LD_EUNAVAIL);
    assert_non_null(strstr(r.diag.msg, "native HTTP/1.1 driver cannot send"));
    assert_non_null(strstr(r.diag.msg, "http_version needs libcurl"));
    te_free(&r);
}

static void test_per_task(void **state)
{
    fx_t *f = *state;
    te_run_t r;
    char kw[4096], path[64];
    size_t n_h1, n_h2, n_echo, failed;
    h2_start(&f->h2c, false);
    te_start_target(&r);
    /* The user's default is HTTP/1.1 (the embedded target); two tasks
       switch to h2c on their own. The first checks the body, a header and
       the status and extracts content-length, which the second sends back
       in its query string (seen in nghttpd's log). */
    snprintf(
        kw, sizeof(kw),
        "{\"user_detail_dict\": {\"user\": \"http_user\","
        "  \"http_version\": \"1.1\", \"wait_time\": 0.02},"
        " \"user_count\": 2, \"spawn_rate\": 100, \"test_time\": 0.8,"
        " \"host\": \"http://127.0.0.1:PORT\","
        " \"tasks\": ["
        "  {\"name\": \"h1\", \"request_url\": \"/\"},"
        "  {\"name\": \"h2c\", \"http_version\": \"2-prior-knowledge\","
        "   \"request_url\": \"http://127.0.0.1:%d/" BODY_FILE "\","
        "   \"assertions\": ["
        "     {\"type\": \"status_code\", \"value\": 200},"
        "     {\"type\": \"contains\", \"value\": \"" MARKER "\"},"
        "     {\"type\": \"header\", \"name\": \"Content-Type\","
        "      \"value\": \"text/plain\"}],"
        "   \"extract\": [{\"var\": \"len\", \"from\": \"header\","
        "                  \"name\": \"Content-Length\"}]},"
        "  {\"name\": \"echo\", \"http_version\": \"2-prior-knowledge\","
        "   \"request_url\": \"http://127.0.0.1:%d/" BODY_FILE
        "?len=${var.len}\"}]}",
        f->h2c.port, f->h2c.port);
    te_run(&r, kw);
    n_h1 = te_count(&r, "h1", &failed);
    assert_int_equal(failed, 0);
    assert_true(n_h1 >= 2);
    assert_int_equal(ld_target_requests(r.target), n_h1);
    n_h2 = all_ok(&r, "h2c");
    n_echo = all_ok(&r, "echo");
    assert_true(n_h2 >= 2);
    assert_true(n_echo >= 2);
    assert_int_equal(ld_records_count(r.records), n_h1 + n_h2 + n_echo);
    h2_check_log(&f->h2c, "/" BODY_FILE, n_h2 + n_echo);
    snprintf(path, sizeof(path), "/" BODY_FILE "?len=%zu", g_body_len);
    assert_int_equal(count_lines(f->h2c.log, path), (long)n_echo);
    te_free(&r);
}

/* A failing check over h2 is reported as such (the checks really run). */
static void test_assertion_fails(void **state)
{
    fx_t *f = *state;
    te_run_t r;
    char kw[2048];
    size_t n, failed;
    h2_start(&f->h2c, false);
    te_start_target(&r);
    snprintf(kw, sizeof(kw),
             "{\"user_detail_dict\": {\"user\": \"fast_http_user\","
             "  \"http_version\": \"2-prior-knowledge\", \"wait_time\": 0.05},"
             " \"user_count\": 1, \"test_time\": 0.3,"
             " \"tasks\": [{\"name\": \"bad\","
             "   \"request_url\": \"http://127.0.0.1:%d/" BODY_FILE "\","
             "   \"assertions\": [{\"type\": \"not_contains\","
             "                     \"value\": \"" MARKER "\"}]}]}",
             f->h2c.port);
    te_run(&r, kw);
    n = te_count(&r, "bad", &failed);
    print_message("bad: %zu/%zu failed (%s)\n", failed, n,
                  te_first_error(&r, "bad"));
    assert_true(n >= 1);
    assert_int_equal(failed, n);
    assert_non_null(strstr(te_first_error(&r, "bad"), MARKER));
    h2_check_log(&f->h2c, "/" BODY_FILE, n);
    te_free(&r);
}

/* HTTP/1.1 to an h2-only port: every request fails quickly with a message,
   through libcurl and through the native driver. */
static void test_h1_to_h2c_fails(void **state)
{
    static const char *const drivers[] = {"curl", "auto"};
    fx_t *f = *state;
    h2_start(&f->h2c, false);
    for (size_t i = 0; i < 2; i++) {
        te_run_t r;
        char kw[2048];
        size_t n, failed;
        te_start_target(&r);
        snprintf(kw, sizeof(kw),
                 "{\"user_detail_dict\": {\"user\": \"fast_http_user\","
                 "  \"driver\": \"%s\", \"http_version\": \"1.1\","
                 "  \"wait_time\": 0.05},"
                 " \"user_count\": 2, \"spawn_rate\": 100, \"test_time\": 0.4,"
                 " \"tasks\": [{\"name\": \"h1\", \"timeout\": 3,"
                 "   \"request_url\": \"http://127.0.0.1:%d/" BODY_FILE
                 "\"}]}",
                 drivers[i], f->h2c.port);
        te_run(&r, kw);
        n = te_count(&r, "h1", &failed);
        print_message("driver %s: %zu/%zu failed (%s) in %.2fs\n", drivers[i],
                      failed, n, te_first_error(&r, "h1"), r.elapsed_s);
        assert_true(n >= 2);
        assert_int_equal(failed, n);
        assert_non_null(strstr(te_first_error(&r, "h1"), "HTTP/0.9"));
        assert_true(r.elapsed_s < 3.0);
        te_free(&r);
    }
    assert_int_equal(count_lines(f->h2c.log, ":path:"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tls_alpn, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h2c_prior_knowledge, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_per_task, setup, teardown),
        cmocka_unit_test_setup_teardown(test_assertion_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h1_to_h2c_fails, setup,
                                        teardown),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
