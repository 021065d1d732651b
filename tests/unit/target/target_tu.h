/* Helpers shared by the target's tests: a target on 127.0.0.1, a client
 * connection to it, a GET that expects a status (and body), a response
 * body as JSON. Include after
 * testutil.h and tclient.h. */
#ifndef LD_TEST_TARGET_TU_H
#define LD_TEST_TARGET_TU_H

static inline ld_target_t *start4(void)
{
    ld_target_t *t = NULL;
    ld_diag_t d;

    assert_int_equal(ld_target_start("127.0.0.1", 0, &t, &d), 0);
    assert_non_null(t);
    assert_true(ld_target_port(t) > 0);
    return t;
}

static inline void conn4(ld_target_t *t, tc_t *c)
{
    assert_int_equal(tc_connect("127.0.0.1", ld_target_port(t), c), 0);
}

static inline void expect_get(tc_t *c, const char *path, int status,
                       const char *body)
{
    tc_rsp_t r;

    assert_int_equal(tc_get(c, path, &r), status);
    if (body)
        assert_string_equal(r.body, body);
    tc_rsp_free(&r);
}

static inline json_t *json_body(const tc_rsp_t *r)
{
    json_error_t e;
    json_t *j = json_loadb(r->body, r->blen, 0, &e);

    if (!j)
        fail_msg("not JSON (%s): %s", e.text, r->body);
    return j;
}

#endif
