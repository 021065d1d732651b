/*
 * Cursor analysis for completion: what may be typed at "|" in (often
 * broken) action documents.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "ldcore/lint.h"

typedef struct at {
    char text[1024];
    size_t len;
    size_t off;
    ld_cursor_t c;
} at_t;

/* Analyse text with the cursor at '|' (removed), scanning from start_at
   (an offset in the text without '|'), or 0. */
static void analyse(at_t *a, const char *marked, size_t start)
{
    const char *bar = strchr(marked, '|');

    assert_non_null(bar);
    a->off = (size_t)(bar - marked);
    snprintf(a->text, sizeof(a->text), "%.*s%s", (int)a->off, marked, bar + 1);
    a->len = strlen(a->text);
    ld_cursor_at(a->text, a->len, start, a->off, &a->c);
}

static void kind_is(const char *marked, ld_cursor_kind_t kind, at_t *a)
{
    analyse(a, marked, 0);
    if (a->c.kind != kind)
        fail_msg("%s: kind %d, want %d", marked, a->c.kind, kind);
}

static bool has_present(const ld_cursor_t *c, const char *key)
{
    size_t i;

    for (i = 0; i < c->npresent; i++)
        if (!strcmp(c->present[i], key))
            return true;
    return false;
}

static void commands(void **state)
{
    at_t a;

    (void)state;
    kind_is("[[\"LD_st|\"]]", LD_CUR_COMMAND, &a);
    assert_true(a.c.in_string);
    assert_int_equal(a.c.tok_start, 2);
    assert_int_equal(a.c.tok_end, 9); /* past the closing quote */
    assert_false(a.c.action_has_args);
    kind_is("[[\"LD_st|\", {}]]", LD_CUR_COMMAND, &a);
    assert_true(a.c.action_has_args);
    kind_is("[[|", LD_CUR_COMMAND, &a);
    assert_false(a.c.in_string);
    kind_is("[|", LD_CUR_ACTION, &a);
    kind_is("{\"load_density\": [[\"LD_summary\"], |]}", LD_CUR_ACTION, &a);
    kind_is("{\"load_density\": [[\"LD_summary\"], [\"LD_|", LD_CUR_COMMAND,
            &a);
    assert_int_equal(a.c.tok_end, a.len); /* unterminated */
    kind_is("{\"lo|", LD_CUR_NONE, &a);
    kind_is("|", LD_CUR_NONE, &a);
    kind_is("[[\"LD_execute_action\", {\"action_list\": [[\"LD_su|\"]]}]]",
            LD_CUR_COMMAND, &a);
}

static void arguments(void **state)
{
    at_t a;

    (void)state;
    kind_is("{\"load_density\": [[\"LD_start_test\", {\"tasks\": [], "
            "\"|\"}]]}",
            LD_CUR_ARG_KEY, &a);
    assert_string_equal(a.c.cmd->name, "LD_start_test");
    assert_true(has_present(&a.c, "tasks"));
    assert_int_equal(a.c.npresent, 1);
    kind_is("[[\"LD_start_test\", {|, \"user_count\": 3}]]", LD_CUR_ARG_KEY,
            &a);
    assert_true(has_present(&a.c, "user_count"));
    kind_is("[[\"LD_start_test\", {\"user_detail_dict\": {}, "
            "\"runner_mode\": \"|\"}]]",
            LD_CUR_ARG_VALUE, &a);
    assert_string_equal(a.c.param->name, "runner_mode");
    assert_non_null(a.c.param->enums);
    kind_is("[[\"LD_register_csv_source\", [\"n\", \"f\", |]]]",
            LD_CUR_ARG_VALUE, &a);
    assert_string_equal(a.c.param->name, "cycle");
    kind_is("[[\"LD_nope\", {\"|", LD_CUR_ARG_KEY, &a);
    assert_null(a.c.cmd);
}

static void tasks(void **state)
{
    at_t a;

    (void)state;
    kind_is("[[\"LD_start_test\", {\"tasks\": [{\"method\": \"get\", \"|",
            LD_CUR_TASK_KEY, &a);
    assert_true(has_present(&a.c, "method"));
    kind_is("[[\"LD_start_test\", {\"tasks\": [{\"method\": \"|\"}]}]]",
            LD_CUR_TASK_VALUE, &a);
    assert_string_equal(a.c.field->name, "method");
    kind_is("[[\"LD_start_test\", {\"tasks\": {\"mode\": \"|\"}}]]",
            LD_CUR_VALUE, &a);
    assert_string_equal(a.c.enum_name, "mode");
    kind_is("[[\"LD_start_test\", {\"tasks\": {\"|\"}}]]", LD_CUR_TASKS_KEY,
            &a);
    kind_is("[[\"LD_start_test\", {\"tasks\": {\"mode\": \"weighted\", "
            "\"tasks\": [{\"|",
            LD_CUR_TASK_KEY, &a);
    kind_is("[[\"LD_start_test\", {\"tasks\": {\"get\": {\"|", LD_CUR_TASK_KEY,
            &a);
}

static void shapes(void **state)
{
    at_t a;

    (void)state;
    kind_is("[[\"LD_start_test\", {\"tasks\": [{\"assertions\": "
            "[{\"type\": \"|\"}]}]}]]",
            LD_CUR_SHAPE_VALUE, &a);
    assert_string_equal(a.c.enum_name, "assertion");
    kind_is("[[\"LD_start_test\", {\"tasks\": [{\"extract\": [{\"var\": "
            "\"x\", |}]}]}]]",
            LD_CUR_SHAPE_KEY, &a);
    assert_string_equal(a.c.shape->name, "extract");
    assert_true(has_present(&a.c, "var"));
    kind_is("[[\"LD_start_test\", {\"user_detail_dict\": {\"user\": \"f|\"}}]]",
            LD_CUR_SHAPE_VALUE, &a);
    assert_string_equal(a.c.enum_name, "user");
    kind_is("[[\"LD_assert_sla\", {\"rules\": [{\"op\": \"|\"}]}]]",
            LD_CUR_SHAPE_VALUE, &a);
    assert_string_equal(a.c.enum_name, "sla_op");
    kind_is("[[\"LD_start_test\", {\"tasks\": [{\"retry\": {\"|",
            LD_CUR_SHAPE_KEY, &a);
    assert_string_equal(a.c.shape->name, "retry");
}

static void placeholders(void **state)
{
    at_t a;

    (void)state;
    kind_is("[[\"LD_start_test\", {\"tasks\": [{\"request_url\": "
            "\"${var.|\"}]}]]",
            LD_CUR_TASK_VALUE, &a);
    assert_true(a.c.in_placeholder);
    assert_int_equal(a.c.ph_start, a.off - 4);
    kind_is("[[\"print\", [\"${var.a} |\"]]]", LD_CUR_ARG_VALUE, &a);
    assert_false(a.c.in_placeholder);
    kind_is("[[\"print\", [\"${|}\"]]]", LD_CUR_ARG_VALUE, &a);
    assert_true(a.c.in_placeholder);
}

/* Scanning from an action mark gives the same answer as from the start,
   and escaped quotes or brackets inside strings do not confuse it. */
static void from_a_mark(void **state)
{
    at_t a;
    const char *t = "{\"load_density\": [[\"print\", [\"a]\\\"[{\"]],\n"
                    "  [\"LD_start_test\", {\"tasks\": [{\"|";
    size_t mark;

    (void)state;
    analyse(&a, t, 0);
    assert_int_equal(a.c.kind, LD_CUR_TASK_KEY);
    mark = (size_t)(strstr(a.text, "[\"LD_start_test") - a.text);
    ld_cursor_at(a.text, a.len, mark, a.off, &a.c);
    assert_int_equal(a.c.kind, LD_CUR_TASK_KEY);
    /* a mark past the cursor is ignored */
    ld_cursor_at(a.text, a.len, a.len, 5, &a.c);
    assert_int_equal(a.c.kind, LD_CUR_NONE);
}

static void deep_and_broken(void **state)
{
    char deep[600];
    at_t a;
    size_t i;

    (void)state;
    for (i = 0; i < 200; i++)
        deep[i] = '[';
    deep[200] = '|';
    deep[201] = '\0';
    analyse(&a, deep, 0);
    assert_int_equal(a.c.kind, LD_CUR_NONE);
    kind_is("]]]}}}[[\"|", LD_CUR_COMMAND, &a);
    kind_is("[[\"LD_summary\"]]]]] [[|", LD_CUR_COMMAND, &a);
}

/* Mutated documents (deterministic): the linter and the cursor analysis
   never crash, whatever the text, and every finding lies inside it. */
static void mutations(void **state)
{
    static const char *files[] = {"lint/good/full.json",
                                  "lint/cases/shapes.json",
                                  "lint/cases/placeholders.json"};
    static const char pieces[] = "[]{}\",:$\\ \n";
    unsigned seed = 12345;
    size_t f, k, j;

    (void)state;
    for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        size_t len;
        char *orig = tu_read(tu_fixture(files[f]), &len);

        assert_non_null(orig);
        for (k = 0; k < 150; k++) {
            char *t = malloc(len + 16);
            size_t n = len, i;
            ld_lint_result_t r;
            ld_cursor_t c;

            memcpy(t, orig, len);
            for (j = 0; j < 1 + k % 4; j++) {
                seed = seed * 1103515245u + 12345u;
                i = (seed >> 8) % n;
                if (k % 3 == 0) { /* delete a byte */
                    memmove(t + i, t + i + 1, n - i - 1);
                    n--;
                } else { /* overwrite with a structural byte */
                    t[i] = pieces[(seed >> 20) % (sizeof(pieces) - 1)];
                }
            }
            t[n] = '\0';
            ld_lint_result_init(&r);
            assert_int_equal(
                ld_lint_text(t, n, "m.json", LD_FMT_JSON, NULL, &r, NULL), 0);
            for (i = 0; i < r.n; i++)
                assert_true(r.items[i].pos.off <= n &&
                            r.items[i].end.off <= n + 1);
            ld_lint_result_free(&r);
            for (i = 0; i <= n; i += 1 + n / 40) {
                ld_cursor_at(t, n, 0, i, &c);
                assert_true(c.tok_start <= c.tok_end && c.tok_end <= n);
            }
            free(t);
        }
        free(orig);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(commands),        cmocka_unit_test(arguments),
        cmocka_unit_test(tasks),           cmocka_unit_test(shapes),
        cmocka_unit_test(placeholders),    cmocka_unit_test(from_a_mark),
        cmocka_unit_test(deep_and_broken), cmocka_unit_test(mutations),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
