/* Expansion: variables, env, functions, scopes, whole values, templates. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"

#include "ldcore/params.h"

static char *expand_in(ld_params_t *p, ld_scope_t *s, const char *in)
{
    ld_buf_t b;
    char *out;

    ld_buf_init(&b, 0);
    assert_int_equal(ld_params_expand(p, s, in, strlen(in), &b), 0);
    out = ld_buf_take(&b, NULL);
    assert_non_null(out);
    return out;
}

static void expect(ld_params_t *p, ld_scope_t *s, const char *in,
                   const char *want)
{
    char *got = expand_in(p, s, in);

    assert_string_equal(got, want);
    free(got);
}

static void set_json(ld_params_t *p, const char *name, const char *json)
{
    json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);

    assert_non_null(v);
    assert_int_equal(ld_params_set_var(p, name, v), 0);
    json_decref(v);
}

static void test_vars(void **state)
{
    ld_params_t *p = ld_params_new();
    json_t *names;

    (void)state;
    assert_non_null(p);
    assert_int_equal(ld_params_set_var_str(p, "base", "http://h:1"), 0);
    set_json(p, "count", "42");
    set_json(p, "neg", "-7");
    set_json(p, "pi", "1.5");
    set_json(p, "tenth", "0.1");
    set_json(p, "whole", "3.0");
    set_json(p, "flag", "true");
    set_json(p, "off", "false");
    set_json(p, "obj", "{\"a\":1,\"b\":[1,2.5,\"x\\\"y\"],\"c\":null}");
    set_json(p, "nothing", "null");
    assert_int_equal(ld_params_set_var_str(p, "a.b", "dotted"), 0);

    expect(p, NULL, "${var.base}/get", "http://h:1/get");
    expect(p, NULL, "${base}/get", "http://h:1/get");         /* bare name */
    expect(p, NULL, "${ var.base }", "http://h:1");
    expect(p, NULL, "${VAR.base}", "http://h:1");
    expect(p, NULL, "n=${var.count},${var.neg}", "n=42,-7");
    expect(p, NULL, "${var.pi} ${var.tenth} ${var.whole}", "1.5 0.1 3.0");
    expect(p, NULL, "${var.flag}/${var.off}", "true/false");
    expect(p, NULL, "${var.obj}", "{\"a\":1,\"b\":[1,2.5,\"x\\\"y\"],\"c\":null}");
    expect(p, NULL, "${var.a.b}", "dotted");
    /* unknown and null variables stay, verbatim */
    expect(p, NULL, "${var.missing}", "${var.missing}");
    expect(p, NULL, "${var.nothing}", "${var.nothing}");
    expect(p, NULL, "${ var.missing }", "${ var.missing }");
    expect(p, NULL, "", "");
    expect(p, NULL, "no placeholders", "no placeholders");

    assert_string_equal(json_string_value(ld_params_get_var(p, "base")),
                        "http://h:1");
    assert_null(ld_params_get_var(p, "missing"));
    names = ld_params_var_names(p);
    assert_int_equal(json_array_size(names), 11);
    assert_string_equal(json_string_value(json_array_get(names, 0)), "base");
    json_decref(names);

    /* re-registering replaces; bad arguments are refused */
    assert_int_equal(ld_params_set_var_str(p, "base", "other"), 0);
    expect(p, NULL, "${var.base}", "other");
    assert_int_equal(ld_params_set_var_str(p, "", "x"), LD_EINVAL);
    assert_int_equal(ld_params_set_var_str(p, NULL, "x"), LD_EINVAL);

    ld_params_clear(p);
    expect(p, NULL, "${var.base}", "${var.base}");
    ld_params_free(p);
}

static void test_env(void **state)
{
    ld_params_t *p = ld_params_new();
    char longname[400];
    char in[420];

    (void)state;
    setenv("LD_PARAMS_TEST_ENV", "from-env", 1);
    unsetenv("LD_PARAMS_TEST_UNSET");
    expect(p, NULL, "x=${env.LD_PARAMS_TEST_ENV};", "x=from-env;");
    expect(p, NULL, "${ENV.LD_PARAMS_TEST_ENV}", "from-env");
    expect(p, NULL, "${env.LD_PARAMS_TEST_UNSET}", "${env.LD_PARAMS_TEST_UNSET}");
    expect(p, NULL, "${env.}", "${env.}");
    /* a name longer than the stack buffer */
    memset(longname, 'L', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    setenv(longname, "long", 1);
    snprintf(in, sizeof(in), "${env.%s}", longname);
    expect(p, NULL, in, "long");
    unsetenv(longname);
    expect(p, NULL, in, in);
    /* NULL params: env and functions still work */
    expect(NULL, NULL, "${env.LD_PARAMS_TEST_ENV}${var.x}", "from-env${var.x}");
    unsetenv("LD_PARAMS_TEST_ENV");
    ld_params_free(p);
}

static void test_unknown_untouched(void **state)
{
    static const char *same[] = {
        "${faker.name}", "${db.orders.id}", "${foo.bar}", "${nope()}",
        "${session.x}", "${}", "${  }", "${var.x", "abc ${", "$ {var.base}",
        "$", "${", "}", "{}", "${var.${var.base}}", "${${var.base}}",
        "${randint(5,1)}", "${randint(a,b)}", "${randint(1)}",
        "${randint(1,2,3)}", "${randint()}", "${randint(1.5,2)}",
        "${randint(99999999999999999999,1)}", "${randint(1,2}",
        "${randint(1__0,20)}", "${randint(_1,20)}",
    };
    ld_params_t *p = ld_params_new();
    size_t i;

    (void)state;
    assert_int_equal(ld_params_set_var_str(p, "base", "B"), 0);
    for (i = 0; i < sizeof(same) / sizeof(same[0]); i++)
        expect(p, NULL, same[i], same[i]);
    /* unterminated after a resolved one; nested-looking text around one */
    expect(p, NULL, "${var.base}${var.base", "B${var.base");
    expect(p, NULL, "{${var.base}}", "{B}");
    expect(p, NULL, "$${var.base}", "$B");
    expect(p, NULL, "${}${var.base}", "${}B");
    ld_params_free(p);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_uuid(const char *u)
{
    size_t i;

    assert_int_equal(strlen(u), 36);
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(u[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", u[i]));
    }
    assert_int_equal(u[14], '4');
    assert_non_null(strchr("89ab", u[19]));
}

static void test_uuid(void **state)
{
    enum { N = 10000 };
    ld_params_t *p = ld_params_new();
    char **all = calloc(N, sizeof(*all));
    char *two;
    size_t i;

    (void)state;
    for (i = 0; i < N; i++) {
        all[i] = expand_in(p, NULL, "${uuid()}");
        check_uuid(all[i]);
    }
    qsort(all, N, sizeof(*all), cmp_str);
    for (i = 1; i < N; i++)
        assert_string_not_equal(all[i - 1], all[i]);
    for (i = 0; i < N; i++)
        free(all[i]);
    free(all);
    /* two in one string differ; case and whitespace as in Python */
    two = expand_in(p, NULL, "${uuid()} ${ UUID() }");
    assert_int_equal(strlen(two), 73);
    two[36] = '\0';
    check_uuid(two);
    check_uuid(two + 37);
    assert_string_not_equal(two, two + 37);
    free(two);
    ld_params_free(p);
}

static long long draw(ld_params_t *p, const char *in)
{
    char *s = expand_in(p, NULL, in);
    char *end;
    long long v = strtoll(s, &end, 10);

    assert_true(end != s && *end == '\0');
    free(s);
    return v;
}

static void test_randint(void **state)
{
    ld_params_t *p = ld_params_new();
    int seen[7] = {0};
    int i;
    long long v;

    (void)state;
    for (i = 0; i < 6000; i++) {
        v = draw(p, "${randint(1,6)}");
        assert_true(v >= 1 && v <= 6);
        seen[v]++;
    }
    for (i = 1; i <= 6; i++)
        assert_true(seen[i] > 700);   /* 1000 expected; never near 700 */
    memset(seen, 0, sizeof(seen));
    for (i = 0; i < 2000; i++) {
        v = draw(p, "${randint( -1 , 1 )}");
        assert_true(v >= -1 && v <= 1);
        seen[v + 1]++;
    }
    assert_true(seen[0] > 0 && seen[1] > 0 && seen[2] > 0);
    assert_int_equal(draw(p, "${randint(7,7)}"), 7);
    assert_int_equal(draw(p, "${RANDINT(+3, 0_3)}"), 3);
    assert_int_equal(draw(p, "${randint(1_000,1_000)}"), 1000);
    v = draw(p, "${randint(-9223372036854775808,9223372036854775807)}");
    (void)v;
    assert_int_equal(draw(p, "${randint(9223372036854775807,9223372036854775807)}"),
                     9223372036854775807LL);
    ld_params_free(p);
}

static void test_now(void **state)
{
    ld_params_t *p = ld_params_new();
    char lo[32], hi[32];
    struct tm tm;
    time_t t0, t1;
    char *s;
    size_t i;

    (void)state;
    t0 = time(NULL);
    s = expand_in(p, NULL, "${now()}");
    t1 = time(NULL);
    assert_int_equal(strlen(s), 19);
    for (i = 0; i < 19; i++) {
        if (i == 4 || i == 7)
            assert_int_equal(s[i], '-');
        else if (i == 10)
            assert_int_equal(s[i], 'T');
        else if (i == 13 || i == 16)
            assert_int_equal(s[i], ':');
        else
            assert_true(s[i] >= '0' && s[i] <= '9');
    }
    localtime_r(&t0, &tm);
    strftime(lo, sizeof(lo), "%Y-%m-%dT%H:%M:%S", &tm);
    localtime_r(&t1, &tm);
    strftime(hi, sizeof(hi), "%Y-%m-%dT%H:%M:%S", &tm);
    assert_true(strcmp(lo, s) <= 0 && strcmp(s, hi) <= 0);
    free(s);
    ld_params_free(p);
}

static void test_scope(void **state)
{
    ld_params_t *p = ld_params_new();
    ld_scope_t *a = ld_scope_new(p), *b = ld_scope_new(p);
    json_t *n = json_integer(5), *nul = json_null();

    (void)state;
    assert_int_equal(ld_params_set_var_str(p, "user", "global"), 0);
    assert_int_equal(ld_params_set_var_str(p, "base", "B"), 0);
    assert_int_equal(ld_scope_set_str(a, "user", "alice-and-more", 5), 0);
    assert_int_equal(ld_scope_set_str(a, "token", "t0k", 3), 0);
    assert_int_equal(ld_scope_set(b, "n", n), 0);

    expect(p, a, "${var.user}/${var.base}/${var.token}", "alice/B/t0k");
    expect(p, b, "${var.user}/${var.base}/${var.token}", "global/B/${var.token}");
    expect(p, NULL, "${var.user}/${var.token}", "global/${var.token}");
    expect(p, b, "${n}", "5");
    expect(p, a, "${n}", "${n}");
    assert_string_equal(json_string_value(ld_scope_get(a, "user")), "alice");
    assert_string_equal(json_string_value(ld_scope_get(b, "user")), "global");
    assert_null(ld_scope_get(b, "token"));
    assert_null(ld_params_get_var(p, "token"));
    /* overwriting in one scope does not touch the other */
    assert_int_equal(ld_scope_set_str(a, "user", "alice2", 6), 0);
    expect(p, a, "${var.user}", "alice2");
    expect(p, b, "${var.user}", "global");
    /* a null in the scope shadows the global: left in place */
    assert_int_equal(ld_scope_set(a, "base", nul), 0);
    expect(p, a, "${var.base}", "${var.base}");
    expect(p, b, "${var.base}", "B");
    /* invalid UTF-8 from a response is repaired, not refused */
    assert_int_equal(ld_scope_set_str(a, "bin", "a\xff" "b", 3), 0);
    expect(p, a, "${var.bin}", "a\xef\xbf\xbd" "b");
    assert_int_equal(ld_scope_set_str(a, "", "x", 1), LD_EINVAL);
    json_decref(n);
    json_decref(nul);
    ld_scope_free(a);
    ld_scope_free(b);
    ld_params_free(p);
}

/* ---- whole values ---- */

static ld_node_t *mk(ld_type_t t)
{
    ld_node_t *n = calloc(1, sizeof(*n));

    assert_non_null(n);
    n->type = t;
    return n;
}

static ld_node_t *mk_str(const char *s)
{
    ld_node_t *n = mk(LD_TSTRING);

    n->u.str.s = s;
    n->u.str.len = strlen(s);
    return n;
}

static void free_node(ld_node_t *n)
{
    size_t i;

    if (n->type == LD_TARRAY) {
        for (i = 0; i < n->u.arr.n; i++)
            free_node(n->u.arr.items[i]);
        free(n->u.arr.items);
    } else if (n->type == LD_TOBJECT) {
        for (i = 0; i < n->u.obj.n; i++)
            free_node(n->u.obj.members[i].value);
        free(n->u.obj.members);
    }
    free(n);
}

static void set_member(ld_node_t *obj, size_t i, const char *key,
                       ld_node_t *v)
{
    obj->u.obj.members[i].key = key;
    obj->u.obj.members[i].key_len = strlen(key);
    obj->u.obj.members[i].value = v;
}

/* {"count": "${var.count}", "msg": "n=${var.count}", "${var.k}": 1,
 *  "list": ["${var.obj}", 2.5, true, null, "${var.name}"], "neg": -3} */
static ld_node_t *body_node(void)
{
    ld_node_t *o = mk(LD_TOBJECT), *list = mk(LD_TARRAY), *t;

    o->u.obj.n = 5;
    o->u.obj.members = calloc(5, sizeof(ld_member_t));
    set_member(o, 0, "count", mk_str("${var.count}"));
    set_member(o, 1, "msg", mk_str("n=${var.count}"));
    t = mk(LD_TINT);
    t->u.i = 1;
    set_member(o, 2, "${var.k}", t);
    list->u.arr.n = 5;
    list->u.arr.items = calloc(5, sizeof(ld_node_t *));
    list->u.arr.items[0] = mk_str("${var.obj}");
    list->u.arr.items[1] = mk(LD_TREAL);
    list->u.arr.items[1]->u.d = 2.5;
    list->u.arr.items[2] = mk(LD_TBOOL);
    list->u.arr.items[2]->u.b = true;
    list->u.arr.items[3] = mk(LD_TNULL);
    list->u.arr.items[4] = mk_str("${var.name}");
    set_member(o, 3, "list", list);
    t = mk(LD_TINT);
    t->u.i = -3;
    set_member(o, 4, "neg", t);
    return o;
}

static const char *want_body =
    "{\"count\":42,\"msg\":\"n=42\",\"key\":1,"
    "\"list\":[{\"x\":[1]},2.5,true,null,\"N\"],\"neg\":-3}";

static void check_body(json_t *got)
{
    json_t *want = json_loads(want_body, 0, NULL);

    assert_non_null(got);
    assert_non_null(want);
    assert_true(json_equal(got, want));
    assert_true(json_is_integer(json_object_get(got, "count")));
    json_decref(want);
}

static void body_params(ld_params_t *p)
{
    set_json(p, "count", "42");
    set_json(p, "obj", "{\"x\":[1]}");
    assert_int_equal(ld_params_set_var_str(p, "name", "N"), 0);
    assert_int_equal(ld_params_set_var_str(p, "k", "key"), 0);
}

static void test_resolve_node(void **state)
{
    ld_params_t *p = ld_params_new();
    ld_scope_t *s = ld_scope_new(p);
    ld_node_t *body = body_node();
    json_t *got, *in, *n7 = json_integer(7);

    (void)state;
    body_params(p);
    got = ld_params_resolve_node(p, NULL, body);
    check_body(got);
    json_decref(got);

    in = json_loads("{\"count\":\"${var.count}\",\"msg\":\"n=${var.count}\","
                    "\"${var.k}\":1,\"list\":[\"${var.obj}\",2.5,true,null,"
                    "\"${var.name}\"],\"neg\":-3}", 0, NULL);
    got = ld_params_resolve_json(p, NULL, in);
    check_body(got);
    json_decref(got);

    /* the scope's value wins, and stays a number */
    assert_int_equal(ld_scope_set(s, "count", n7), 0);
    got = ld_params_resolve_json(p, s, in);
    assert_int_equal(json_integer_value(json_object_get(got, "count")), 7);
    assert_string_equal(json_string_value(json_object_get(got, "msg")), "n=7");
    json_decref(got);

    /* not exactly one placeholder, or a string value: stays a string */
    json_decref(in);
    in = json_loads("[\" ${var.count}\",\"${var.count}${var.count}\","
                    "\"${var.missing}\",\"${var.name}\",\"${env.X_NOPE}\"]",
                    0, NULL);
    got = ld_params_resolve_json(p, NULL, in);
    assert_string_equal(json_string_value(json_array_get(got, 0)), " 42");
    assert_string_equal(json_string_value(json_array_get(got, 1)), "4242");
    assert_string_equal(json_string_value(json_array_get(got, 2)),
                        "${var.missing}");
    assert_string_equal(json_string_value(json_array_get(got, 3)), "N");
    assert_string_equal(json_string_value(json_array_get(got, 4)),
                        "${env.X_NOPE}");
    json_decref(got);
    json_decref(in);

    /* invalid UTF-8 coming from the environment is repaired */
    setenv("LD_PARAMS_BIN", "a\xc3(", 1);
    in = json_string("${env.LD_PARAMS_BIN}");
    got = ld_params_resolve_json(p, NULL, in);
    assert_string_equal(json_string_value(got), "a\xef\xbf\xbd(");
    json_decref(got);
    json_decref(in);
    unsetenv("LD_PARAMS_BIN");

    got = ld_params_resolve_node(p, NULL, NULL);
    assert_true(json_is_null(got));
    json_decref(got);
    json_decref(n7);
    free_node(body);
    ld_scope_free(s);
    ld_params_free(p);
}

/* ---- templates ---- */

static void render_eq(ld_params_t *p, ld_scope_t *s, const char *in,
                      bool literal)
{
    ld_tmpl_t *t = ld_tmpl_compile(in, strlen(in));
    ld_buf_t b;
    char *want = expand_in(p, s, in);

    assert_non_null(t);
    assert_int_equal(ld_tmpl_is_literal(t), literal);
    ld_buf_init(&b, 0);
    assert_int_equal(ld_buf_adds(&b, "<"), 0);
    assert_int_equal(ld_tmpl_render(t, p, s, &b), 0);
    assert_string_equal(b.data + 1, want);
    ld_buf_free(&b);
    free(want);
    ld_tmpl_free(t);
}

static void test_tmpl(void **state)
{
    static const struct {
        const char *s;
        bool literal;
    } cases[] = {
        {"", true},
        {"plain text", true},
        {"${faker.name} ${db.a.b} ${nope()} ${foo.bar} ${randint(3,1)}", true},
        {"${var.${var.base}}", false},  /* a (weird) variable name */
        {"${var.base}/get?x=${var.count}&y=${ base }", false},
        {"${var.missing}", false},
        {"pre ${env.LD_TMPL_ENV} post ${env.LD_TMPL_UNSET}", false},
        {"${var.base}${var.base", false},
        {"${}${var.base}$${var.count}{}", false},
        {"${var.obj}|${var.a.b}", false},
    };
    const char *fn = "${uuid()}/${randint(1,1)}/${now()}";
    ld_params_t *p = ld_params_new();
    ld_scope_t *s = ld_scope_new(p);
    ld_tmpl_t *t;
    ld_buf_t b;
    char u[37];
    size_t i;

    (void)state;
    setenv("LD_TMPL_ENV", "E", 1);
    unsetenv("LD_TMPL_UNSET");
    assert_int_equal(ld_params_set_var_str(p, "base", "http://b"), 0);
    assert_int_equal(ld_params_set_var_str(p, "a.b", "ab"), 0);
    set_json(p, "count", "3");
    set_json(p, "obj", "[1,{\"k\":\"v\"}]");
    assert_int_equal(ld_scope_set_str(s, "base", "scoped", 6), 0);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        render_eq(p, NULL, cases[i].s, cases[i].literal);
        render_eq(p, s, cases[i].s, cases[i].literal);
    }
    /* functions render fresh values each time */
    t = ld_tmpl_compile(fn, strlen(fn));
    assert_non_null(t);
    assert_false(ld_tmpl_is_literal(t));
    ld_buf_init(&b, 0);
    assert_int_equal(ld_tmpl_render(t, p, NULL, &b), 0);
    assert_int_equal(b.len, 36 + 3 + 19);
    memcpy(u, b.data, 36);
    u[36] = '\0';
    check_uuid(u);
    assert_memory_equal(b.data + 36, "/1/", 3);
    ld_buf_free(&b);
    ld_tmpl_free(t);
    /* compile needs no NUL: a slice of a longer string */
    t = ld_tmpl_compile("${var.base}TRAILING", 11);
    ld_buf_init(&b, 0);
    assert_int_equal(ld_tmpl_render(t, p, NULL, &b), 0);
    assert_string_equal(b.data, "http://b");
    ld_buf_free(&b);
    ld_tmpl_free(t);
    assert_true(ld_tmpl_is_literal(NULL));
    ld_tmpl_free(NULL);
    unsetenv("LD_TMPL_ENV");
    ld_scope_free(s);
    ld_params_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vars),
        cmocka_unit_test(test_env),
        cmocka_unit_test(test_unknown_untouched),
        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_randint),
        cmocka_unit_test(test_now),
        cmocka_unit_test(test_scope),
        cmocka_unit_test(test_resolve_node),
        cmocka_unit_test(test_tmpl),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
