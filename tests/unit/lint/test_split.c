/*
 * Linting the top-level actions on two threads (core/src/lint/split.c)
 * gives exactly what one pass gives: the same findings (messages,
 * positions, locations, fixes) in the same order, the same definitions.
 * Checked on every example and lint fixture with the split forced, and on
 * generated documents where the later part uses what the earlier part
 * registers, clears or extracts; a findings cap falls back to one pass.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldcore/lint.h"
#include "lint/lint_int.h"

/* Everything a lint gives, as text. */
static char *lint_dump(const char *text, const char *name, size_t split_min,
                       size_t max)
{
    ld_lint_opts_t o = {.split_min = split_min, .max_findings = max};
    ld_lint_result_t r;
    json_t *j;
    char *s;
    ld_buf_t b;
    size_t i;

    ld_lint_result_init(&r);
    assert_int_equal(
        ld_lint_text(text, strlen(text), name, LD_FMT_AUTO, &o, &r, NULL), 0);
    j = ld_lint_result_to_json(&r);
    assert_non_null(j);
    s = json_dumps(j, JSON_COMPACT);
    assert_non_null(s);
    ld_buf_init(&b, 0);
    ld_buf_adds(&b, s);
    for (i = 0; i < r.ndefs; i++)
        ld_buf_printf(&b, "\ndef %d %s %s %u:%u-%u:%u", (int)r.defs[i].kind,
                      r.defs[i].name, r.defs[i].detail ? r.defs[i].detail : "-",
                      r.defs[i].pos.line, r.defs[i].pos.col, r.defs[i].end.line,
                      r.defs[i].end.col);
    ld_buf_printf(&b, "\nactions %zu errors %zu warnings %zu", r.nactions,
                  r.errors, r.warnings);
    free(s);
    json_decref(j);
    ld_lint_result_free(&r);
    return ld_buf_take(&b, NULL);
}

/* Lint text in one pass and split; both must agree; returns whether the
   split was used. */
static bool same(const char *text, const char *name, size_t max)
{
    size_t before = __atomic_load_n(&ld__lint_splits, __ATOMIC_RELAXED);
    char *one = lint_dump(text, name, SIZE_MAX, max);
    char *two = lint_dump(text, name, 1, max);

    if (strcmp(one, two))
        fail_msg("%s: split lint differs\n--- one pass\n%s\n--- split\n%s",
                 name, one, two);
    free(one);
    free(two);
    return __atomic_load_n(&ld__lint_splits, __ATOMIC_RELAXED) != before;
}

static int is_doc(const struct dirent *e)
{
    size_t n = strlen(e->d_name);

    return (n > 5 && !strcmp(e->d_name + n - 5, ".json")) ||
           (n > 5 && !strcmp(e->d_name + n - 5, ".yaml"));
}

static void fixtures_and_examples(void **state)
{
    const char *src = getenv("LD_SOURCE_DIR");
    char dirs[4][1024], path[1300];
    int d, i, n, total = 0, split = 0;

    (void)state;
    snprintf(dirs[0], sizeof(dirs[0]), "%s/examples", src ? src : ".");
    snprintf(dirs[1], sizeof(dirs[1]), "%s", tu_fixture("lint/good"));
    snprintf(dirs[2], sizeof(dirs[2]), "%s", tu_fixture("lint/bad"));
    snprintf(dirs[3], sizeof(dirs[3]), "%s", tu_fixture("lint/cases"));
    for (d = 0; d < 4; d++) {
        struct dirent **list;

        n = scandir(dirs[d], &list, is_doc, alphasort);
        assert_true(n > 0);
        for (i = 0; i < n; i++) {
            char *text;

            snprintf(path, sizeof(path), "%s/%s", dirs[d], list[i]->d_name);
            text = tu_read(path, NULL);
            assert_non_null(text);
            split += same(text, list[i]->d_name, 0);
            total++;
            free(text);
            free(list[i]);
        }
        free(list);
    }
    assert_true(total > 40);
    assert_true(split > 10); /* most have two top-level actions or more */
}

static const char filler[] =
    "[\"LD_register_variable\",{\"name\":\"f%d\",\"value\":\"x\"}],\n";

/* A document: head, n filler actions, tail; the split falls among the
   fillers, so head is in the earlier part and tail in the later one. */
static char *doc(const char *head, int n, const char *tail)
{
    ld_buf_t b;
    int i;

    ld_buf_init(&b, 0);
    ld_buf_adds(&b, "{\"load_density\": [\n");
    ld_buf_adds(&b, head);
    for (i = 0; i < n; i++)
        ld_buf_printf(&b, filler, i);
    ld_buf_adds(&b, tail);
    ld_buf_adds(&b, "[\"LD_print\",\"end\"]\n]}\n");
    return ld_buf_take(&b, NULL);
}

static void check_doc(const char *head, int n, const char *tail)
{
    char *text = doc(head, n, tail);

    assert_true(same(text, "gen.json", 0));
    free(text);
}

#define GET(url)                                                               \
    "[\"LD_start_test\",{\"user_count\":1,\"test_time\":1,\"tasks\":[{"        \
    "\"method\":\"get\",\"request_url\":\"" url "\"}]}],\n"

/* What the later part needs from the earlier one. */
static void across_parts(void **state)
{
    (void)state;
    /* registered earlier: no finding; never registered: a finding */
    check_doc("[\"LD_register_variables\",{\"variables\":{\"base\":\"h\"}}],\n",
              40, GET("${var.base}/a") GET("${var.nope}/b"));
    /* a CSV source registered earlier, and one that is not */
    check_doc("[\"LD_register_csv_source\",{\"name\":\"users\",\"file_path\":"
              "\"u.csv\"}],\n",
              40, GET("http://h/${csv.users.id}") GET("http://h/${csv.no.id}"));
    /* cleared in the later part before the use: the earlier part's names
       no longer count */
    check_doc("[\"LD_register_variables\",{\"variables\":{\"base\":\"h\"}}],\n"
              "[\"LD_register_csv_source\",{\"name\":\"users\",\"file_path\":"
              "\"u.csv\"}],\n",
              40,
              GET("${var.base}/a") "[\"LD_clear_resolver\"],\n" GET(
                  "${var.base}/b") GET("http://h/${csv.users.id}"));
    /* cleared in the earlier part */
    check_doc("[\"LD_register_variables\",{\"variables\":{\"base\":\"h\"}}],\n"
              "[\"LD_clear_resolver\"],\n",
              40, GET("${var.base}/a"));
    /* registered again in the later part after a clear */
    check_doc("[\"LD_register_variables\",{\"variables\":{\"base\":\"h\"}}],\n",
              40,
              "[\"LD_clear_resolver\"],\n"
              "[\"LD_register_variable\",{\"name\":\"base\",\"value\":\"h\"}],"
              "\n" GET("${var.base}/a"));
    /* extracted in the later part, used in the earlier one (any extract
       counts) and the reverse; a did-you-mean across the parts */
    check_doc(GET("${var.tok}/a") GET("${var.filler1}/x"), 40,
              "[\"LD_start_test\",{\"tasks\":[{\"method\":\"get\","
              "\"request_url\":\"http://h/\",\"extract\":[{\"var\":\"tok\","
              "\"from\":\"status_code\"}]}]}],\n" GET("${var.f39x}/c"));
    /* nested LD_execute_action registering in the earlier part */
    check_doc("[\"LD_execute_action\",{\"action_list\":[[\"LD_register_"
              "variable\",{\"name\":\"deep\",\"value\":1}]]}],\n",
              40, GET("${var.deep}/n") GET("${var.deeper}/n"));
}

/* A findings cap reached in a part: one pass again, same result. */
static void cap(void **state)
{
    char *text = doc(GET("${var.a1}/x") GET("${var.a2}/x"), 30,
                     GET("${var.b1}/x") GET("${var.b2}/x"));
    size_t before = __atomic_load_n(&ld__lint_splits, __ATOMIC_RELAXED);

    (void)state;
    assert_false(same(text, "cap.json", 3));
    assert_false(same(text, "cap.json", 1));
    assert_true(same(text, "cap.json", 100));
    assert_true(__atomic_load_n(&ld__lint_splits, __ATOMIC_RELAXED) ==
                before + 1);
    free(text);
}

/* Below split_min, one pass. */
static void threshold(void **state)
{
    char *text = doc("", 10, "");
    ld_lint_opts_t o = {.split_min = 100};
    ld_lint_result_t r;
    size_t before = __atomic_load_n(&ld__lint_splits, __ATOMIC_RELAXED);

    (void)state;
    ld_lint_result_init(&r);
    assert_int_equal(
        ld_lint_text(text, strlen(text), "t.json", LD_FMT_JSON, &o, &r, NULL),
        0);
    assert_int_equal(r.nactions, 11);
    ld_lint_result_free(&r);
    assert_true(__atomic_load_n(&ld__lint_splits, __ATOMIC_RELAXED) == before);
    o.split_min = 11;
    ld_lint_result_init(&r);
    assert_int_equal(
        ld_lint_text(text, strlen(text), "t.json", LD_FMT_JSON, &o, &r, NULL),
        0);
    ld_lint_result_free(&r);
    assert_true(__atomic_load_n(&ld__lint_splits, __ATOMIC_RELAXED) ==
                before + 1);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixtures_and_examples),
        cmocka_unit_test(across_parts),
        cmocka_unit_test(cap),
        cmocka_unit_test(threshold),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
