/*
 * HTTPS through the engine against `openssl s_server -www` on loopback with
 * a self-signed certificate made for the test: "verify": false accepts it,
 * the default (verify on) fails with curl's certificate message, "verify":
 * "<CA path>" accepts it again. Skipped when the openssl tool is missing.
 *
 * HTTP/2 (TLS with ALPN, and h2c with prior knowledge) is tested against
 * nghttpd in test_engine_h2.c; s_server speaks HTTP/1.0 only.
 */
#include "test_engine_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct tls_srv {
    pid_t pid;
    int port;
    FILE *out; /* its stdout: kept open so it never gets SIGPIPE */
    char cert[512];
} tls_srv_t;

static int make_cert(const char *dir, char *cert, size_t n)
{
    char cmd[2048];
    snprintf(cert, n, "%s/cert.pem", dir);
    snprintf(
        cmd, sizeof(cmd),
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
        " -nodes -keyout '%s/key.pem' -out '%s' -days 2 -subj /CN=127.0.0.1"
        " -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1",
        dir, cert);
    return system(cmd);
}

/* Start s_server and read its "ACCEPT 127.0.0.1:PORT" line. */
static int start_server(tls_srv_t *s)
{
    const char *dir = tu_tmpdir();
    char key[512], line[256];
    int fds[2];
    FILE *f;
    if (system("openssl version >/dev/null 2>&1") != 0 ||
        make_cert(dir, s->cert, sizeof(s->cert)) != 0)
        return -1;
    snprintf(key, sizeof(key), "%s/key.pem", dir);
    if (pipe(fds))
        return -1;
    s->pid = fork();
    if (s->pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(fds[1], 1);
        if (null >= 0)
            dup2(null, 2);
        close(fds[0]);
        execlp("openssl", "openssl", "s_server", "-accept", "127.0.0.1:0",
               "-cert", s->cert, "-key", key, "-www", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    f = fdopen(fds[0], "r");
    s->out = f;
    s->port = 0;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "ACCEPT 127.0.0.1:%d", &s->port) == 1)
            break;
    return s->port > 0 ? 0 : -1;
}

static void stop_server(tls_srv_t *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
    }
    if (s->out)
        fclose(s->out);
}

static void test_https_verify(void **state)
{
    tls_srv_t srv;
    te_run_t r;
    char kw[2048];
    size_t failed, n;
    (void)state;
    memset(&srv, 0, sizeof(srv));
    if (start_server(&srv)) {
        stop_server(&srv);
        skip();
    }
    te_start_target(&r); /* unused here; keeps the helpers uniform */
    snprintf(
        kw, sizeof(kw),
        "{\"user_detail_dict\": {\"user\": \"fast_http_user\", \"wait_time\": 0},"
        " \"user_count\": 1, \"test_time\": 1.5,"
        " \"host\": \"https://127.0.0.1:%d\","
        " \"tasks\": ["
        "  {\"name\": \"insecure\", \"request_url\": \"/\", \"verify\": false,"
        "   \"assertions\": [{\"type\": \"contains\", \"value\": "
        "\"s_server\"}]},"
        "  {\"name\": \"strict\", \"request_url\": \"/\"},"
        "  {\"name\": \"ca\", \"request_url\": \"/\", \"verify\": \"%s\"}]}",
        srv.port, srv.cert);
    te_run(&r, kw);
    stop_server(&srv);
    n = te_count(&r, "insecure", &failed);
    print_message("insecure: %zu/%zu failed (%s)\n", failed, n,
                  te_first_error(&r, "insecure"));
    assert_true(n >= 1);
    assert_int_equal(failed, 0);
    n = te_count(&r, "strict", &failed);
    print_message("strict: %s\n", te_first_error(&r, "strict"));
    assert_true(n >= 1);
    assert_int_equal(failed, n);
    assert_non_null(strstr(te_first_error(&r, "strict"), "certificate"));
    n = te_count(&r, "ca", &failed);
    assert_true(n >= 1);
    assert_int_equal(failed, 0);
    te_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_https_verify),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
