/* JSON-RPC framing: lines and Content-Length, bad input, big messages. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ldcore/rpc.h"

/* Feed text through a pipe (closed afterwards) and open a reader on it. */
static void open_with(ld_rpc_t *r, const char *text, size_t n,
                      ld_rpc_framing_t f, int *out_pipe)
{
    int in[2], out[2];

    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(out), 0);
    if (n > 60000) {
        /* big inputs: write from a child so the pipe never fills up */
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
            close(in[0]);
            if (write(in[1], text, n) != (ssize_t)n)
                _exit(1);
            _exit(0);
        }
    } else {
        assert_int_equal(write(in[1], text, n), (ssize_t)n);
    }
    close(in[1]);
    assert_int_equal(ld_rpc_init(r, in[0], out[1], f), 0);
    out_pipe[0] = out[0];
    out_pipe[1] = out[1];
}

static void done(ld_rpc_t *r, int *out_pipe)
{
    close(r->in_fd);
    ld_rpc_close(r);
    close(out_pipe[0]);
    close(out_pipe[1]);
}

static void lines(void **state)
{
    const char in[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n"
                      "\n"
                      "{\"broken\": \n"
                      "[1,2]\n"
                      "{\"jsonrpc\":\"2.0\",\"method\":\"x\"}";
    ld_rpc_t r;
    json_t *m, *e;
    int op[2];

    (void)state;
    open_with(&r, in, sizeof(in) - 1, LD_RPC_LINES, op);
    assert_int_equal(ld_rpc_read(&r, &m, &e), 0);
    assert_string_equal(json_string_value(json_object_get(m, "method")),
                        "ping");
    json_decref(m);
    assert_int_equal(ld_rpc_read(&r, &m, &e), LD_ESYNTAX);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(e, "error"), "code")),
                     LD_RPC_PARSE_ERROR);
    assert_true(json_is_null(json_object_get(e, "id")));
    json_decref(e);
    /* a JSON array is read; classify rejects it */
    assert_int_equal(ld_rpc_read(&r, &m, &e), 0);
    {
        const char *method;
        const json_t *id, *params;
        json_t *err;

        assert_int_equal(ld_rpc_classify(m, &method, &id, &params, &err),
                         LD_EINVAL);
        assert_int_equal(json_integer_value(json_object_get(
                             json_object_get(err, "error"), "code")),
                         LD_RPC_INVALID_REQUEST);
        json_decref(err);
    }
    json_decref(m);
    /* last message without a newline, then EOF */
    assert_int_equal(ld_rpc_read(&r, &m, &e), 0);
    json_decref(m);
    assert_int_equal(ld_rpc_read(&r, &m, &e), LD_ESTOPPED);
    done(&r, op);
}

static void framed(void **state)
{
    const char in[] = "Content-Length: 16\r\n\r\n{\"method\":\"a\"}  "
                      "Content-Type: application/vscode-jsonrpc\r\n"
                      "content-length: 2\r\n\r\n{}"
                      "X: y\r\n\r\n";
    ld_rpc_t r;
    json_t *m, *e;
    int op[2];

    (void)state;
    open_with(&r, in, sizeof(in) - 1, LD_RPC_CONTENT_LENGTH, op);
    assert_int_equal(ld_rpc_read(&r, &m, &e), 0);
    assert_string_equal(json_string_value(json_object_get(m, "method")), "a");
    json_decref(m);
    assert_int_equal(ld_rpc_read(&r, &m, &e), 0);
    assert_true(json_is_object(m));
    json_decref(m);
    assert_int_equal(ld_rpc_read(&r, &m, &e), LD_ESYNTAX);
    json_decref(e);
    assert_int_equal(ld_rpc_read(&r, &m, &e), LD_ESTOPPED);
    done(&r, op);
}

static void too_big_is_skipped(void **state)
{
    size_t big = 3u << 20;
    char *in = malloc(big + 200);
    ld_rpc_t r;
    json_t *m, *e;
    int op[2];
    size_t n;

    (void)state;
    in[0] = '"';
    memset(in + 1, 'x', big);
    in[big + 1] = '"';
    in[big + 2] = '\n';
    n = big + 3;
    n += (size_t)sprintf(in + n, "{\"method\":\"after\"}\n");
    open_with(&r, in, n, LD_RPC_LINES, op);
    r.max_message = 1u << 20;
    assert_int_equal(ld_rpc_read(&r, &m, &e), LD_ETOOBIG);
    json_decref(e);
    assert_int_equal(ld_rpc_read(&r, &m, &e), 0);
    assert_string_equal(json_string_value(json_object_get(m, "method")),
                        "after");
    json_decref(m);
    done(&r, op);
    free(in);
}

static void send_and_builders(void **state)
{
    ld_rpc_t r;
    int op[2];
    char buf[512];
    ssize_t n;
    json_t *id = json_integer(7);

    (void)state;
    open_with(&r, "", 0, LD_RPC_CONTENT_LENGTH, op);
    assert_int_equal(ld_rpc_send(&r, ld_rpc_result(id, json_string("ok"))),
                     0);
    n = read(op[0], buf, sizeof(buf) - 1);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, "Content-Length: 38\r\n\r\n"
                             "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"ok\"}");
    r.framing = LD_RPC_LINES;
    assert_int_equal(ld_rpc_send(&r, ld_rpc_error(id, LD_RPC_METHOD_NOT_FOUND,
                                                  "nope", NULL)),
                     0);
    n = read(op[0], buf, sizeof(buf) - 1);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "\"code\":-32601"));
    assert_int_equal(buf[n - 1], '\n');
    json_decref(id);
    done(&r, op);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines),
        cmocka_unit_test(framed),
        cmocka_unit_test(too_big_is_skipped),
        cmocka_unit_test(send_and_builders),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
