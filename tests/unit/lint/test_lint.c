/*
 * Linter: data-driven cases (tests/fixtures/lint/cases/X.json with the
 * expected findings in X.expect, one "LINE:COL-LINE:COL severity rule" per
 * line; LD_LINT_UPDATE=1 rewrites them), every rule's documented example,
 * the documentation generated from the rule table, valid documents,
 * quick fixes, positions with non-ASCII text, and the output formats.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldcore/exec.h"
#include "ldcore/lint.h"

static char *lint_lines(const char *text, const char *name)
{
    ld_lint_result_t r;
    ld_buf_t b;
    size_t i;

    ld_lint_result_init(&r);
    assert_int_equal(
        ld_lint_text(text, strlen(text), name, LD_FMT_AUTO, NULL, &r, NULL), 0);
    ld_buf_init(&b, 0);
    for (i = 0; i < r.n; i++)
        ld_buf_printf(
            &b, "%u:%u-%u:%u %s %s\n", r.items[i].pos.line, r.items[i].pos.col,
            r.items[i].end.line, r.items[i].end.col,
            ld_lint_severity_name(r.items[i].severity), r.items[i].rule->id);
    ld_lint_result_free(&r);
    if (!b.data)
        ld_buf_adds(&b, "");
    return ld_buf_take(&b, NULL);
}

static int is_json(const struct dirent *e)
{
    size_t n = strlen(e->d_name);

    return n > 5 && !strcmp(e->d_name + n - 5, ".json");
}

static void cases(void **state)
{
    struct dirent **list;
    char dir[1024], path[1200];
    int n, i, checked = 0;

    (void)state;
    snprintf(dir, sizeof(dir), "%s", tu_fixture("lint/cases"));
    n = scandir(dir, &list, is_json, alphasort);
    assert_true(n > 5);
    for (i = 0; i < n; i++) {
        char *text, *want, *got;

        snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
        text = tu_read(path, NULL);
        assert_non_null(text);
        got = lint_lines(text, list[i]->d_name);
        strcpy(path + strlen(path) - 5, ".expect");
        if (getenv("LD_LINT_UPDATE")) {
            FILE *f = fopen(path, "w");

            assert_non_null(f);
            fputs(got, f);
            fclose(f);
        }
        want = tu_read(path, NULL);
        if (!want || strcmp(want, got))
            fail_msg("%s: findings differ\n--- want\n%s--- got\n%s", path,
                     want ? want : "(missing)\n", got);
        checked++;
        free(text);
        free(want);
        free(got);
        free(list[i]);
    }
    free(list);
    assert_true(checked > 5);
}

/* Every rule's documented example triggers that rule. */
static void rule_examples(void **state)
{
    size_t n, i, j;
    const ld_lint_rule_t *rules = ld_lint_rules(&n);

    (void)state;
    assert_int_equal(n, LD_RULE__COUNT);
    for (i = 0; i < n; i++) {
        ld_lint_result_t r;
        bool hit = false;

        assert_ptr_equal(ld_lint_rule_find(rules[i].id), &rules[i]);
        for (j = 0; rules[i].id[j]; j++)
            assert_true((rules[i].id[j] >= 'a' && rules[i].id[j] <= 'z') ||
                        rules[i].id[j] == '-');
        if (!rules[i].example)
            continue;
        ld_lint_result_init(&r);
        assert_int_equal(ld_lint_text(rules[i].example,
                                      strlen(rules[i].example), "ex.json",
                                      LD_FMT_JSON, NULL, &r, NULL),
                         0);
        for (j = 0; j < r.n; j++)
            hit = hit || r.items[j].rule == &rules[i];
        if (!hit)
            fail_msg("the example of %s does not trigger it: %s", rules[i].id,
                     rules[i].example);
        ld_lint_result_free(&r);
    }
    assert_null(ld_lint_rule_find("no-such-rule"));
}

/* docs/lint.md holds exactly the generated reference between markers. */
static void docs_are_current(void **state)
{
    char path[1024], *doc, *a, *b;
    const char *begin = "<!-- BEGIN RULES";
    const char *end = "<!-- END RULES -->";
    const char *src = getenv("LD_SOURCE_DIR");
    ld_buf_t gen;

    (void)state;
    snprintf(path, sizeof(path), "%s/docs/lint.md", src ? src : ".");
    doc = tu_read(path, NULL);
    assert_non_null(doc);
    a = strstr(doc, begin);
    b = strstr(doc, end);
    assert_non_null(a);
    assert_non_null(b);
    a = strchr(a, '\n') + 1;
    ld_buf_init(&gen, 0);
    assert_int_equal(ld_lint_rules_markdown(&gen), 0);
    if ((size_t)(b - a) != gen.len || memcmp(a, gen.data, gen.len))
        fail_msg("docs/lint.md is stale: regenerate the block with "
                 "`loaddensity lint --rules --markdown`");
    ld_buf_free(&gen);
    free(doc);
}

/* The example documents and the good fixtures have no errors. */
static void valid_documents(void **state)
{
    const char *src = getenv("LD_SOURCE_DIR");
    const char *dirs[2];
    char dir0[1024], path[1200];
    int d, i, n, total = 0;

    (void)state;
    snprintf(dir0, sizeof(dir0), "%s/examples", src ? src : ".");
    dirs[0] = dir0;
    dirs[1] = tu_fixture("lint/good");
    for (d = 0; d < 2; d++) {
        struct dirent **list;
        char dir[1024];

        snprintf(dir, sizeof(dir), "%s", dirs[d]);
        n = scandir(dir, &list, is_json, alphasort);
        assert_true(n > 0);
        for (i = 0; i < n; i++) {
            ld_lint_result_t r;
            ld_diag_t diag;

            snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
            ld_lint_result_init(&r);
            assert_int_equal(ld_lint_file(path, NULL, &r, &diag), 0);
            if (r.errors || r.warnings)
                fail_msg("%s: %zu errors, %zu warnings, first: %s", path,
                         r.errors, r.warnings, r.items[0].message);
            ld_lint_result_free(&r);
            free(list[i]);
            total++;
        }
        free(list);
    }
    assert_true(total >= 4);
}

static bool has_message(const ld_lint_result_t *r, const char *msg)
{
    size_t i;

    for (i = 0; i < r->n; i++)
        if (!strcmp(r->items[i].message, msg))
            return true;
    return false;
}

/* Applying a fix removes the finding it fixes (and adds none). */
static void fixes_apply(void **state)
{
    static const char *docs[] = {
        "[[\"LD_sumary\"]]",
        "[[\"LD_generate_summary_report\", {\"report_nam\": \"x\"}]]",
        "[[\"LD_register_variable\", {\"name\": \"x\"}]]",
        "[[\"LD_register_variable\"]]",
        "[[\"LD_start_test\", {\"user_detail_dict\": {}, \"tasks\": "
        "[{\"method\": \"gett\", \"request_url\": \"/\"}]}]]",
        "[[\"LD_start_test\", {\"user_detail_dict\": {}, \"tasks\": "
        "[{\"method\": \"get\"}]}]]",
        "[[\"LD_start_test\", {\"user_detail_dict\": {}}]]",
        "[[\"LD_register_variables\", {\"variables\": {\"base\": 1}}], "
        "[\"print\", [\"${var.bse}/x\"]]]",
        "[[\"LD_start_test\", {\"user_detail_dict\": {}, \"tasks\": "
        "[{\"request_url\": \"/\", \"throttle\": {}}]}]]",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        ld_lint_result_t r, r2;
        ld_lint_fix_t *f;
        ld_buf_t b;

        ld_lint_result_init(&r);
        assert_int_equal(ld_lint_text(docs[i], strlen(docs[i]), "f.json",
                                      LD_FMT_JSON, NULL, &r, NULL),
                         0);
        if (r.n < 1 || !r.items[0].nfixes)
            fail_msg("no fix for %s", docs[i]);
        f = &r.items[0].fixes[0];
        ld_buf_init(&b, 0);
        ld_buf_add(&b, docs[i], f->start);
        ld_buf_adds(&b, f->text);
        ld_buf_adds(&b, docs[i] + f->end);
        ld_lint_result_init(&r2);
        assert_int_equal(
            ld_lint_text(b.data, b.len, "f.json", LD_FMT_JSON, NULL, &r2, NULL),
            0);
        if (r2.n != r.n - 1 || has_message(&r2, r.items[0].message))
            fail_msg("after \"%s\": %s has %zu findings: %s", f->title, b.data,
                     r2.n, r2.n ? r2.items[0].message : "");
        ld_lint_result_free(&r2);
        ld_lint_result_free(&r);
        ld_buf_free(&b);
    }
}

/* Columns count code points; offsets are bytes; escapes are source. */
static void positions(void **state)
{
    const char *t = "[[\"print\", [\"\xc3\xa9\\u00e9\xf0\x9f\x98\x80 "
                    "${var.x}\"]]]";
    ld_lint_result_t r;

    (void)state;
    ld_lint_result_init(&r);
    assert_int_equal(
        ld_lint_text(t, strlen(t), "p.json", LD_FMT_JSON, NULL, &r, NULL), 0);
    assert_int_equal(r.n, 1);
    /* [["print", [" is 13 columns, then é \u00e9 😀 space: 1+6+1+1 */
    assert_int_equal(r.items[0].pos.line, 1);
    assert_int_equal(r.items[0].pos.col, 14 + 9);
    assert_int_equal(r.items[0].end.col, 14 + 9 + 8);
    assert_int_equal(r.items[0].pos.off, 13 + 2 + 6 + 4 + 1);
    assert_int_equal(r.items[0].end.off - r.items[0].pos.off, 8);
    assert_memory_equal(t + r.items[0].pos.off, "${var.x}", 8);
    ld_lint_result_free(&r);
}

static void yaml_document(void **state)
{
    const char *t = "load_density:\n"
                    "  - [LD_sumary]\n"
                    "  - [print, [\"${var.nope}\"]]\n";
    char *got;

    (void)state;
    got = lint_lines(t, "doc.yaml");
    assert_string_equal(got, "2:6-2:15 error unknown-command\n"
                             "3:15-3:26 warning undefined-variable\n");
    free(got);
}

static void formats(void **state)
{
    const char *t = "[[\"LD_sumary\"],\n [\"print\", [\"${var.a,b}\"]]]";
    ld_lint_result_t r;
    ld_buf_t b;
    json_t *j;

    (void)state;
    ld_lint_result_init(&r);
    assert_int_equal(ld_lint_text(t, strlen(t), "dir/a,b:c.json", LD_FMT_JSON,
                                  NULL, &r, NULL),
                     0);
    assert_int_equal(r.errors, 1);
    assert_int_equal(r.warnings, 1);
    ld_buf_init(&b, 0);
    assert_int_equal(ld_lint_format(&r, LD_LINT_FMT_TEXT, &b), 0);
    assert_non_null(strstr(b.data, "dir/a,b:c.json:1:3: error: unknown "
                                   "command \"LD_sumary\" (did you mean "
                                   "\"LD_summary\"?) [unknown-command]\n"));
    ld_buf_reset(&b);
    assert_int_equal(ld_lint_format(&r, LD_LINT_FMT_GITHUB, &b), 0);
    assert_non_null(strstr(b.data,
                           "::error file=dir/a%2Cb%3Ac.json,line=1,col=3,"
                           "endLine=1,endColumn=14,title=loaddensity lint "
                           "(unknown-command)::unknown command"));
    assert_non_null(strstr(b.data, "::warning file="));
    ld_buf_free(&b);
    j = ld_lint_result_to_json(&r);
    assert_int_equal(json_array_size(j), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(j, 0), "rule")),
        "unknown-command");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(j, 0), "location")),
        "actions[0]");
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(j, 1), "line")), 2);
    assert_non_null(json_object_get(json_array_get(j, 0), "fixes"));
    json_decref(j);
    ld_lint_result_free(&r);
}

/* LD_lint_action, LD_lint_action_file and LD_export_schema run. */
static void commands_run(void **state)
{
    const char *dir = tu_tmpdir();
    const char *bad = tu_write(dir, "bad.json", "[[\"LD_sumary\"]]");
    char doc[2048], schema[1100];
    ld_exec_report_t rep;
    ld_ctx_t ctx;
    ld_diag_t d;
    json_t *v;

    (void)state;
    snprintf(schema, sizeof(schema), "%s/schema.json", dir);
    snprintf(doc, sizeof(doc),
             "[[\"LD_lint_action\", {\"actions\": [[\"LD_sumary\"]]}],"
             " [\"LD_lint_action_file\", [\"%s\"]],"
             " [\"LD_export_schema\", {\"path\": \"%s\"}],"
             " [\"LD_lint_action\", {\"actions\": [[\"x\"]], "
             "\"known_commands\": [\"x\"]}]]",
             bad, schema);
    assert_int_equal(ld_ctx_init(&ctx), 0);
    ctx.flags |= LD_EXEC_QUIET;
    ld_exec_report_init(&rep);
    assert_int_equal(ld_exec_string(&ctx, doc, "t.json", &rep, &d), 0);
    assert_int_equal(rep.n, 4);
    v = rep.items[0].value;
    assert_int_equal(json_array_size(v), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(v, 0), "rule")),
        "unknown-command");
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(v, 0), "line")), 1);
    v = rep.items[1].value;
    assert_int_equal(json_array_size(v), 1);
    assert_string_equal(json_string_value(rep.items[2].value), schema);
    assert_int_equal(json_array_size(rep.items[3].value), 0);
    v = json_load_file(schema, 0, NULL);
    assert_non_null(v);
    assert_string_equal(json_string_value(json_object_get(v, "$schema")),
                        "https://json-schema.org/draft/2020-12/schema");
    json_decref(v);
    ld_exec_report_free(&rep);
    ld_ctx_close(&ctx);
}

static void known_commands_and_caps(void **state)
{
    const char *known[] = {"LD_custom"};
    ld_lint_opts_t o = {.known_commands = known, .nknown = 1, .max_findings = 2};
    const char *t = "[[\"LD_custom\", {\"a\": 1}], [\"LD_x1\"], [\"LD_x2\"], "
                    "[\"LD_x3\"]]";
    ld_lint_result_t r;

    (void)state;
    ld_lint_result_init(&r);
    assert_int_equal(
        ld_lint_text(t, strlen(t), "k.json", LD_FMT_JSON, &o, &r, NULL), 0);
    assert_int_equal(r.n, 2); /* capped at max_findings */
    ld_lint_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cases),
        cmocka_unit_test(rule_examples),
        cmocka_unit_test(docs_are_current),
        cmocka_unit_test(valid_documents),
        cmocka_unit_test(fixes_apply),
        cmocka_unit_test(positions),
        cmocka_unit_test(yaml_document),
        cmocka_unit_test(formats),
        cmocka_unit_test(commands_run),
        cmocka_unit_test(known_commands_and_caps),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
