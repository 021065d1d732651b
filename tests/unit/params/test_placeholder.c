/* The placeholder scanner shared with the linter and the LSP. */
#include <string.h>

#include "testutil.h"

#include "ldcore/params.h"

/* Scan s from from; check one placeholder's kind, offsets and argument. */
static void expect_ph(const char *s, size_t from, ld_ph_kind_t kind,
                      size_t start, size_t end, const char *arg)
{
    ld_placeholder_t ph;

    memset(&ph, 0xa5, sizeof(ph));
    assert_true(ld_placeholder_next(s, strlen(s), from, &ph));
    assert_int_equal(ph.kind, kind);
    assert_int_equal(ph.start, start);
    assert_int_equal(ph.end, end);
    assert_int_equal(ph.arg_len, strlen(arg));
    assert_memory_equal(ph.arg, arg, ph.arg_len);
    /* arg points into the scanned string */
    assert_true(ph.arg >= s && ph.arg + ph.arg_len <= s + strlen(s));
}

static void expect_none(const char *s, size_t from)
{
    ld_placeholder_t ph;

    assert_false(ld_placeholder_next(s, strlen(s), from, &ph));
}

static void test_kinds(void **state)
{
    (void)state;
    expect_ph("${var.base}", 0, LD_PH_VAR, 0, 11, "base");
    expect_ph("x${env.HOME}y", 0, LD_PH_ENV, 1, 12, "HOME");
    expect_ph("${csv.users.name}", 0, LD_PH_CSV, 0, 17, "users.name");
    expect_ph("${faker.name}", 0, LD_PH_FAKER, 0, 13, "name");
    expect_ph("${db.orders.id}", 0, LD_PH_DB, 0, 15, "orders.id");
    expect_ph("${uuid()}", 0, LD_PH_UUID, 0, 9, "");
    expect_ph("${now()}", 0, LD_PH_NOW, 0, 8, "");
    expect_ph("${randint(1,10)}", 0, LD_PH_RANDINT, 0, 16, "1,10");
    expect_ph("${randint( 1 , 10 )}", 0, LD_PH_RANDINT, 0, 20, " 1 , 10 ");
    expect_ph("${foo.bar}", 0, LD_PH_UNKNOWN, 0, 10, "foo.bar");
    expect_ph("${session.x}", 0, LD_PH_UNKNOWN, 0, 12, "session.x");
    expect_ph("${frobnicate(1)}", 0, LD_PH_UNKNOWN, 0, 16, "frobnicate(1)");
}

static void test_python_syntax(void **state)
{
    (void)state;
    /* whitespace around the content is stripped */
    expect_ph("${ var.x }", 0, LD_PH_VAR, 0, 10, "x");
    expect_ph("${\tuuid()\n}", 0, LD_PH_UUID, 0, 11, "");
    /* prefixes and function names are case-insensitive */
    expect_ph("${VAR.Name}", 0, LD_PH_VAR, 0, 11, "Name");
    expect_ph("${Env.PATH}", 0, LD_PH_ENV, 0, 11, "PATH");
    expect_ph("${UUID()}", 0, LD_PH_UUID, 0, 9, "");
    expect_ph("${RandInt(1,2)}", 0, LD_PH_RANDINT, 0, 15, "1,2");
    /* a bare name is a variable; the rest after the prefix is verbatim */
    expect_ph("${base}", 0, LD_PH_VAR, 0, 7, "base");
    expect_ph("${var.a.b}", 0, LD_PH_VAR, 0, 10, "a.b");
    expect_ph("${var. x}", 0, LD_PH_VAR, 0, 9, " x");
    expect_ph("${uuid}", 0, LD_PH_VAR, 0, 7, "uuid");
    /* only whitespace: a placeholder nothing can resolve */
    expect_ph("${  }", 0, LD_PH_UNKNOWN, 0, 5, "");
    /* a newline inside the parentheses is not a call (Python's "." does
     * not match it), so the dot-less content is a bare variable name */
    expect_ph("${randint(1,\n2)}", 0, LD_PH_VAR, 0, 16, "randint(1,\n2)");
}

static void test_edges(void **state)
{
    (void)state;
    expect_none("", 0);
    expect_none("plain text", 0);
    expect_none("$", 0);
    expect_none("${", 0);
    expect_none("${var.x", 0);            /* unterminated */
    expect_none("abc ${var.x and more", 0);
    expect_none("${}", 0);                /* empty is not a placeholder */
    expect_ph("${}${var.a}", 0, LD_PH_VAR, 3, 11, "a");
    expect_ph("$${var.a}", 0, LD_PH_VAR, 1, 9, "a");
    expect_ph("{${var.a}}", 0, LD_PH_VAR, 1, 9, "a");
    /* the first "}" closes: nested-looking text is one placeholder naming a
     * variable "${var.x" (not registered, so it stays) */
    expect_ph("${var.${var.x}}", 0, LD_PH_VAR, 0, 14, "${var.x");
    expect_ph("${${var.x}", 0, LD_PH_UNKNOWN, 0, 10, "${var.x");
    /* from skips earlier text */
    expect_ph("${var.a}-${var.b}", 1, LD_PH_VAR, 9, 17, "b");
    expect_ph("${var.a}-${var.b}", 8, LD_PH_VAR, 9, 17, "b");
    expect_none("${var.a}-${var.b}", 10);
    expect_none("${var.a}", 100);
}

static void test_len_bound(void **state)
{
    /* the scanner never reads past len (no NUL needed) */
    const char s[] = "${var.a}${var.b}";
    ld_placeholder_t ph;

    (void)state;
    assert_true(ld_placeholder_next(s, 8, 0, &ph));
    assert_int_equal(ph.end, 8);
    assert_false(ld_placeholder_next(s, 8, 8, &ph));
    assert_false(ld_placeholder_next(s, 15, 8, &ph));
    assert_false(ld_placeholder_next(NULL, 0, 0, &ph));
}

static void test_scan_all(void **state)
{
    const char *s = "GET ${var.base}/u/${csv.users.id}?t=${now()}&r=${x(}";
    /* "${x(}" is a bare variable name "x(", as in Python */
    ld_ph_kind_t want[] = {LD_PH_VAR, LD_PH_CSV, LD_PH_NOW, LD_PH_VAR};
    ld_placeholder_t ph;
    size_t at = 0, n = 0;

    (void)state;
    while (ld_placeholder_next(s, strlen(s), at, &ph)) {
        assert_true(n < 4);
        assert_int_equal(ph.kind, want[n]);
        assert_true(ph.start >= at);
        assert_memory_equal(s + ph.start, "${", 2);
        assert_int_equal(s[ph.end - 1], '}');
        at = ph.end;
        n++;
    }
    assert_int_equal(n, 4);
}

static void test_kind_names(void **state)
{
    (void)state;
    assert_string_equal(ld_ph_kind_name(LD_PH_VAR), "var");
    assert_string_equal(ld_ph_kind_name(LD_PH_ENV), "env");
    assert_string_equal(ld_ph_kind_name(LD_PH_CSV), "csv");
    assert_string_equal(ld_ph_kind_name(LD_PH_FAKER), "faker");
    assert_string_equal(ld_ph_kind_name(LD_PH_DB), "db");
    assert_string_equal(ld_ph_kind_name(LD_PH_UUID), "uuid()");
    assert_string_equal(ld_ph_kind_name(LD_PH_NOW), "now()");
    assert_string_equal(ld_ph_kind_name(LD_PH_RANDINT), "randint(a,b)");
    assert_string_equal(ld_ph_kind_name(LD_PH_UNKNOWN), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_python_syntax),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_len_bound),
        cmocka_unit_test(test_scan_all),
        cmocka_unit_test(test_kind_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
