/*
 * JSON Schema export: derived from the registry (one definition per command
 * with its required arguments and enums), extra known commands, writing a
 * file. Validation against documents is in tests/js/schema.test.mjs (ajv).
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "ldcore/lint.h"

static const json_t *path(const json_t *v, const char *a, const char *b,
                          const char *c)
{
    v = json_object_get(v, a);
    if (b)
        v = json_object_get(v, b);
    if (c)
        v = json_object_get(v, c);
    return v;
}

static bool array_has(const json_t *a, const char *s)
{
    size_t i;

    for (i = 0; i < json_array_size(a); i++) {
        const char *v = json_string_value(json_array_get(a, i));

        if (v && !strcmp(v, s))
            return true;
    }
    return false;
}

static void every_command(void **state)
{
    json_t *s = ld_schema_build(NULL, 0);
    const json_t *defs = json_object_get(s, "$defs");
    size_t n, i, j;
    const ld_command_t *c = ld_registry_commands(&n);
    char name[128];

    (void)state;
    assert_non_null(s);
    assert_string_equal(json_string_value(json_object_get(s, "$schema")),
                        "https://json-schema.org/draft/2020-12/schema");
    for (i = 0; i < n; i++) {
        const json_t *def, *kw, *req;

        snprintf(name, sizeof(name), "cmd.%s", c[i].name);
        def = json_object_get(defs, name);
        assert_non_null(def);
        assert_non_null(json_object_get(def, "description"));
        if (!c[i].nparams)
            continue;
        kw = path(json_array_get(json_object_get(def, "prefixItems"), 1),
                  "then", NULL, NULL);
        assert_string_equal(json_string_value(json_object_get(kw, "type")),
                            "object");
        assert_int_equal(
            json_is_true(json_object_get(kw, "additionalProperties")),
            (c[i].flags & LD_CMD_EXTRA_KWARGS) != 0);
        req = json_object_get(kw, "required");
        for (j = 0; j < c[i].nparams; j++) {
            assert_non_null(path(kw, "properties", c[i].params[j].name, NULL));
            assert_int_equal(array_has(req, c[i].params[j].name),
                             c[i].params[j].required);
        }
    }
    /* the user template enum comes from the registry */
    assert_true(array_has(
        json_object_get(
            path(defs, "shape.user_detail_dict", "properties", "user"), "enum"),
        "fast_http_user"));
    json_decref(s);
}

static void known_and_write(void **state)
{
    const char *known[] = {"LD_custom", "LD_summary"};
    json_t *s = ld_schema_build(known, 2);
    char *text = json_dumps(s, JSON_COMPACT), file[1100];
    ld_diag_t d;
    json_t *back;

    (void)state;
    assert_non_null(strstr(text, "\"LD_custom\""));
    assert_null(strstr(text, "\"LD_custom\"]},\"then\""));
    free(text);
    json_decref(s);
    snprintf(file, sizeof(file), "%s/s.json", tu_tmpdir());
    assert_int_equal(ld_schema_write(file, NULL, 0, &d), 0);
    back = json_load_file(file, 0, NULL);
    assert_non_null(back);
    assert_non_null(path(back, "$defs", "task", "properties"));
    assert_non_null(path(back, "$defs", "shape.tasks", "then"));
    json_decref(back);
    assert_int_equal(ld_schema_write("/nonexistent-dir/x.json", NULL, 0, &d),
                     LD_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_command),
        cmocka_unit_test(known_and_write),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
