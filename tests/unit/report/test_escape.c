/* The escapers behind every format, checked byte for byte. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

typedef void (*put_fn)(FILE *f, const char *s);

static char *run(put_fn fn, const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    fn(f, s);
    fclose(f);
    return buf;
}

static void html(FILE *f, const char *s) { ld__put_html(f, s, 0); }
static void html8(FILE *f, const char *s) { ld__put_html(f, s, 8); }
static void xtext(FILE *f, const char *s) { ld__put_xml(f, s, false, 0); }
static void xattr(FILE *f, const char *s) { ld__put_xml(f, s, true, 0); }
static void csv(FILE *f, const char *s) { ld__put_csv(f, s); }

#define CHECK(fn, in, want)                                                   \
    do {                                                                      \
        char *got_ = run(fn, in);                                             \
        assert_string_equal(got_, want);                                      \
        free(got_);                                                           \
    } while (0)

#define FFFD "\xef\xbf\xbd"

static void test_utf8(void **state)
{
    const struct {
        const char *s;
        size_t n;
    } cases[] = {
        {"a", 1},
        {"\xc3\xa9", 2},
        {"\xe2\x82\xac", 3},
        {"\xf0\x9f\x92\xa5", 4},
        {"\xc0\x80", 0},           /* overlong NUL */
        {"\xe0\x80\xaf", 0},       /* overlong '/' */
        {"\xed\xa0\x80", 0},       /* surrogate */
        {"\xf4\x90\x80\x80", 0},   /* above U+10FFFF */
        {"\xe2\x82", 0},           /* truncated */
        {"\x80", 0},               /* stray continuation */
        {"\xff", 0},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(ld__utf8_seq((const unsigned char *)cases[i].s,
                                      strlen(cases[i].s)), cases[i].n);
    /* avail bounds the look-ahead */
    assert_int_equal(ld__utf8_seq((const unsigned char *)"\xc3\xa9", 1), 0);
}

static void test_html(void **state)
{
    CHECK(html, "<a href=\"x\">'&'</a>",
          "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    CHECK(html, "tab\tnl\ncr\rbell\x07" "del\x7f" "c1\xc2\x85",
          "tab\tnl\ncr&#13;bell" FFFD "del" FFFD "c1" FFFD);
    CHECK(html, "bad\xff\xc3(", "bad" FFFD FFFD "(");
    CHECK(html, "caf\xc3\xa9 \xf0\x9f\x92\xa5", "caf\xc3\xa9 \xf0\x9f\x92\xa5");
    /* truncation on a character boundary, with an ellipsis */
    CHECK(html8, "abcdefg\xc3\xa9xyz", "abcdefg\xc3\xa9\xe2\x80\xa6");
    CHECK(html8, "short", "short");
    CHECK(html, "", "");
}

static void test_xml(void **state)
{
    CHECK(xtext, "<x> & \"q\" ]]>", "&lt;x&gt; &amp; \"q\" ]]&gt;");
    CHECK(xtext, "a\x01" "b\x1f" "c\td\ne\rf", "a" FFFD "b" FFFD "c\td\ne&#13;f");
    CHECK(xtext, "nonchar\xef\xbf\xbe\xef\xbf\xbf ok\xef\xbf\xbd",
          "nonchar" FFFD FFFD " ok" FFFD);
    CHECK(xtext, "del\x7f", "del\x7f");   /* DEL is an XML 1.0 Char */
    CHECK(xattr, "\"a\"\tb\nc\rd<&>", "&quot;a&quot;&#9;b&#10;c&#13;d&lt;&amp;&gt;");
    CHECK(xattr, "\xfe", FFFD);
}

static void test_csv(void **state)
{
    CHECK(csv, "plain", "plain");
    CHECK(csv, "", "");
    CHECK(csv, "a,b", "\"a,b\"");
    CHECK(csv, "say \"hi\"", "\"say \"\"hi\"\"\"");
    CHECK(csv, "l1\nl2", "\"l1\nl2\"");
    CHECK(csv, "l1\r\nl2", "\"l1\r\nl2\"");
    CHECK(csv, " padded ", "\" padded \"");
    CHECK(csv, "bad\xff", "bad" FFFD);
}

static void test_json(void **state)
{
    json_t *j = ld__json_str("ok \xc3\xa9");
    char *s = NULL;

    assert_string_equal(json_string_value(j), "ok \xc3\xa9");
    json_decref(j);
    j = ld__json_str("bad\xff\x01\"");
    assert_string_equal(json_string_value(j), "bad" FFFD "\x01\"");
    s = json_dumps(j, JSON_ENCODE_ANY);
    assert_string_equal(s, "\"bad" FFFD "\\u0001\\\"\"");
    free(s);
    json_decref(j);
}

static void test_github(void **state)
{
    ld_buf_t b;

    ld_buf_init(&b, 0);
    assert_int_equal(ld__gh_escape(&b, "a%b\r\nc:d,e", false, 0), 0);
    assert_string_equal(b.data, "a%25b%0D%0Ac:d,e");
    ld_buf_reset(&b);
    assert_int_equal(ld__gh_escape(&b, "a%b\r\nc:d,e", true, 0), 0);
    assert_string_equal(b.data, "a%25b%0D%0Ac%3Ad%2Ce");
    ld_buf_reset(&b);
    assert_int_equal(ld__gh_escape(&b, "abcdef", false, 3), 0);
    assert_string_equal(b.data, "abc\xe2\x80\xa6");
    ld_buf_free(&b);
}

static void test_ms_and_status(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    ld__put_ms(f, 0);
    fputc(' ', f);
    ld__put_ms(f, 12345);
    fputc(' ', f);
    ld__put_ms(f, 7);
    fclose(f);
    assert_string_equal(buf, "0.000 12.345 0.007");
    free(buf);
    assert_true(ld__msg_has_status("HTTP 500", 500));
    assert_true(ld__msg_has_status("HTTP 500: boom", 500));
    assert_false(ld__msg_has_status("HTTP 5000", 500));
    assert_false(ld__msg_has_status("timeout", 500));
    assert_int_equal(ld__rank_index(10, 90.0), 8);
    assert_int_equal(ld__rank_index(1, 50.0), 0);
    assert_int_equal(ld__rank_index(100, 95.0), 94);
    assert_int_equal(ld__rank_index(3, 0.0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8),   cmocka_unit_test(test_html),
        cmocka_unit_test(test_xml),    cmocka_unit_test(test_csv),
        cmocka_unit_test(test_json),   cmocka_unit_test(test_github),
        cmocka_unit_test(test_ms_and_status),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
