/*
 * Regression tests for bugs found by the fuzz targets in fuzz/ (one case per
 * finding; the input is the minimised crash file where it is short).
 */
#include "testutil.h"

#include <string.h>

#include "ldcore/doc.h"

/* fuzz_doc: a block scalar holding a NUL made libfyaml 0.7.12 hand back
   uninitialised bytes (the string read "\n\0" + 5 bytes of garbage and did
   not serialise to valid JSON). Control characters are now refused. */
static void yaml_nul_in_block_scalar(void **state)
{
    static const char in[] = "base: &b {x: 2, y: [a, bb\", &c']}\n"
                             "other: |\0" "5   b\2\0\0\0.";
    ld_diag_t d;
    ld_doc_t *doc;

    (void)state;
    doc = ld_doc_parse(in, sizeof(in) - 1, "crash.yaml", LD_FMT_YAML, &d);
    assert_null(doc);
    assert_int_equal(d.code, LD_ESYNTAX);
    assert_int_equal(d.pos.line, 2);
    assert_int_equal(d.pos.col, 9);
    assert_non_null(strstr(d.msg, "control character 0x00"));
}

static void yaml_other_controls(void **state)
{
    static const char *const bad[] = {"a: b\x01\n", "a: \"x\x1f\"\n",
                                      "a: |\n  x\x7f\n", "\x0c" "a: 1\n"};
    ld_diag_t d;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ld_doc_t *doc = ld_doc_parse(bad[i], strlen(bad[i]), "c.yaml",
                                     LD_FMT_YAML, &d);

        assert_null(doc);
        assert_int_equal(d.code, LD_ESYNTAX);
    }
}

/* TAB, LF and CR stay allowed (YAML 1.2 c-printable). */
static void yaml_tab_crlf_still_fine(void **state)
{
    static const char in[] = "a:\t\"x\ty\"\r\nb: |\r\n  l1\tl2\r\n";
    ld_diag_t d;
    ld_doc_t *doc;
    const ld_node_t *a, *b;

    (void)state;
    doc = ld_doc_parse(in, sizeof(in) - 1, "ok.yaml", LD_FMT_YAML, &d);
    assert_non_null(doc);
    a = ld_node_get(ld_doc_root(doc), "a");
    b = ld_node_get(ld_doc_root(doc), "b");
    assert_string_equal(ld_node_str(a), "x\ty");
    assert_string_equal(ld_node_str(b), "l1\tl2\n");
    ld_doc_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(yaml_nul_in_block_scalar),
        cmocka_unit_test(yaml_other_controls),
        cmocka_unit_test(yaml_tab_crlf_still_fine),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
