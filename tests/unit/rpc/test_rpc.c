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
    /* text serialised elsewhere gets the same framing */
    assert_int_equal(ld_rpc_send_raw(&r, "{\"a\":1}", 7), 0);
    n = read(op[0], buf, sizeof(buf) - 1);
    buf[n] = '\0';
    assert_string_equal(buf, "{\"a\":1}\n");
    r.framing = LD_RPC_CONTENT_LENGTH;
    assert_int_equal(ld_rpc_send_raw(&r, "[]", 2), 0);
    n = read(op[0], buf, sizeof(buf) - 1);
    buf[n] = '\0';
    assert_string_equal(buf, "Content-Length: 2\r\n\r\n[]");
    json_decref(id);
    done(&r, op);
}

/* Raw frames: the bytes of each message, parsed or not, with the framing
   errors of ld_rpc_read; ld_rpc_read and ld_rpc_read_raw interleave. */
static void raw_frames(void **state)
{
    const char in[] = "Content-Length: 5\r\n\r\nhello"
                      "content-length:  2\r\n\r\n{}"
                      "X: y\r\n\r\n"
                      "Content-Length: 11\r\n\r\n[1, 2, 3]\r\n"
                      "Content-Length: 99999999999999999999999\r\n\r\nab";
    ld_rpc_t r;
    const char *body;
    size_t len;
    json_t *m, *e;
    int op[2];

    (void)state;
    open_with(&r, in, sizeof(in) - 1, LD_RPC_CONTENT_LENGTH, op);
    assert_int_equal(ld_rpc_read_raw(&r, &body, &len, &e), 0);
    assert_null(e);
    assert_int_equal(len, 5);
    assert_memory_equal(body, "hello", 5); /* not JSON: not parsed */
    assert_int_equal(ld_rpc_read(&r, &m, &e), 0);
    assert_true(json_is_object(m));
    json_decref(m);
    assert_int_equal(ld_rpc_read_raw(&r, &body, &len, &e), LD_ESYNTAX);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(e, "error"), "code")),
                     LD_RPC_PARSE_ERROR);
    assert_true(json_is_null(json_object_get(e, "id")));
    json_decref(e);
    assert_int_equal(ld_rpc_read_raw(&r, &body, &len, &e), 0);
    assert_int_equal(len, 11);
    assert_memory_equal(body, "[1, 2, 3]\r\n", 11);
    /* a length past any limit (and past what 64 bits hold) is skipped */
    assert_int_equal(ld_rpc_read_raw(&r, &body, &len, &e), LD_ESTOPPED);
    assert_null(e);
    done(&r, op);

    open_with(&r, "abc\n\n\r\nlast", 11, LD_RPC_LINES, op);
    assert_int_equal(ld_rpc_read_raw(&r, &body, &len, &e), 0);
    assert_int_equal(len, 3);
    assert_memory_equal(body, "abc", 3);
    assert_int_equal(ld_rpc_read_raw(&r, &body, &len, &e), 0);
    assert_int_equal(len, 4);
    assert_memory_equal(body, "last", 4);
    assert_int_equal(ld_rpc_read_raw(&r, &body, &len, &e), LD_ESTOPPED);
    assert_int_equal(ld_rpc_read(&r, &m, &e), LD_ESTOPPED);
    done(&r, op);
}

/* Classify one message: returns its code; out receives the error's id as
   JSON, or else the method ("" for a response). */
static int classify(const char *text, char *out, size_t size)
{
    json_t *msg = json_loads(text, JSON_DECODE_ANY, NULL), *err = NULL;
    const json_t *id, *params;
    const char *method;
    int rc;

    assert_non_null(msg);
    rc = ld_rpc_classify(msg, &method, &id, &params, &err);
    if (rc) {
        char *t;

        assert_non_null(err);
        assert_int_equal(json_integer_value(json_object_get(
                             json_object_get(err, "error"), "code")),
                         LD_RPC_INVALID_REQUEST);
        assert_string_equal(
            json_string_value(json_object_get(err, "jsonrpc")), "2.0");
        t = json_dumps(json_object_get(err, "id"), JSON_ENCODE_ANY);
        snprintf(out, size, "%s", t);
        free(t);
    } else {
        assert_null(err);
        snprintf(out, size, "%s", method ? method : "");
    }
    json_decref(err);
    json_decref(msg);
    return rc;
}

/* JSON-RPC 2.0: a request or notification without "jsonrpc": "2.0" is an
   Invalid Request, answered with its id when it has a valid one, else with
   id null (section 5 and the spec's examples). */
static void classify_version(void **state)
{
    static const struct {
        const char *msg;
        int rc;
        const char *out; /* error id, or the method when rc is 0 */
    } cases[] = {
        {"{\"id\": 1, \"method\": \"ping\"}", LD_EINVAL, "1"},
        {"{\"jsonrpc\": \"1.0\", \"method\": \"note\"}", LD_EINVAL, "null"},
        {"{\"jsonrpc\": 2.0, \"id\": \"a\", \"method\": \"x\"}", LD_EINVAL,
         "\"a\""},
        {"{\"jsonrpc\": \"2.0\", \"id\": {}, \"method\": \"x\"}", LD_EINVAL,
         "null"},
        {"{\"jsonrpc\": \"2.0\", \"method\": 1, \"params\": \"bar\"}",
         LD_EINVAL, "null"},
        {"{\"id\": 5}", LD_EINVAL, "5"},
        {"[1]", LD_EINVAL, "null"},
        {"{\"jsonrpc\": \"2.0\", \"id\": 4, \"method\": \"m\", "
         "\"params\": [1]}",
         0, "m"},
        {"{\"jsonrpc\": \"2.0\", \"method\": \"n\"}", 0, "n"},
        /* a response: nothing answers it, so nothing is checked */
        {"{\"id\": 3, \"result\": {}}", 0, ""},
    };
    char out[64];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = classify(cases[i].msg, out, sizeof(out));

        print_message("%s -> %d %s\n", cases[i].msg, rc, out);
        assert_int_equal(rc, cases[i].rc);
        assert_string_equal(out, cases[i].out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines),
        cmocka_unit_test(framed),
        cmocka_unit_test(too_big_is_skipped),
        cmocka_unit_test(send_and_builders),
        cmocka_unit_test(raw_frames),
        cmocka_unit_test(classify_version),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
