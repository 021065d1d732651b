/*
 * User templates and the keys of user_detail_dict: one registry table, read
 * by the command table, the engine, the linter and the JSON Schema. These
 * tests hold the readers to it: every key and enum value the table lists is
 * accepted alike by the engine's plan compiler and the linter, an unknown
 * key or template is reported with did-you-mean, and the schema carries the
 * same names.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldcore/cluster.h"
#include "ldcore/engine.h"
#include "ldcore/lint.h"
#include "ldcore/params.h"
#include "ldcore/registry.h"

/* A value of each key that has no enum; a key added to the table without
   one here fails sample_for. */
static const struct {
    const char *key;
    const char *json;
} samples[] = {
    {"host", "\"http://127.0.0.1:8080\""},
    {"wait_time", "{\"min\": 0, \"max\": 0.01}"},
    {"class_name", "\"Shop\""},
};

static const char *sample_for(const char *key)
{
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
        if (!strcmp(samples[i].key, key))
            return samples[i].json;
    fail_msg("user_detail_dict key \"%s\" has no sample value in this test",
             key);
    return NULL;
}

static char *start_test(const char *key, const char *json)
{
    char *text = malloc(1024);

    assert_non_null(text);
    snprintf(text, 1024,
             "[[\"LD_start_test\", {\"user_detail_dict\": {\"%s\": %s},\n"
             " \"user_count\": 1, \"test_time\": 1,\n"
             " \"tasks\": [{\"request_url\": \"http://127.0.0.1:8080/x\"}]}]]",
             key, json);
    return text;
}

/* Compile the document's one LD_start_test; returns the plan's code. */
static int engine(const char *text, ld_diag_t *d)
{
    ld_doc_t *doc = ld_doc_parse(text, strlen(text), "u.json", LD_FMT_JSON, d);
    ld_params_t *p = ld_params_new();
    ld_test_plan_t *plan = NULL;
    ld_args_t args;
    char cls[256];
    int rc;

    assert_non_null(doc);
    assert_int_equal(
        ld_args_bind(ld_node_at(ld_doc_root(doc), 0), "u.json", &args, d), 0);
    rc = ld_test_plan_new(&args, p, &plan, d);
    if (!rc) /* class_name is read by the distributed runner */
        rc = ld_cluster_class_name(&args, 0, cls, sizeof(cls), d);
    ld_test_plan_free(plan);
    ld_args_release(&args);
    ld_params_free(p);
    ld_doc_free(doc);
    return rc;
}

/* Lint findings inside user_detail_dict, one "rule: message" a line. */
static char *lint(const char *text)
{
    ld_lint_result_t r;
    ld_buf_t b;

    ld_lint_result_init(&r);
    assert_int_equal(
        ld_lint_text(text, strlen(text), "u.json", LD_FMT_JSON, NULL, &r, NULL),
        0);
    ld_buf_init(&b, 0);
    for (size_t i = 0; i < r.n; i++)
        if (r.items[i].location &&
            strstr(r.items[i].location, "user_detail_dict"))
            ld_buf_printf(&b, "%s: %s\n", r.items[i].rule->id,
                          r.items[i].message);
    ld_lint_result_free(&r);
    ld_buf_adds(&b, "");
    return ld_buf_take(&b, NULL);
}

/* json: the value as JSON; str: the same value when it is a string. */
static void check_value(const ld_shape_key_t *k, const char *json,
                        const char *str)
{
    char *text = start_test(k->name, json), *found = lint(text);
    ld_diag_t d;
    int rc = engine(text, &d);
    bool unavailable =
        !strcmp(k->name, "user") && str && !ld_registry_user_available(str);

    print_message("%s=%s: engine %d, lint [%s]\n", k->name, json, rc, found);
    if (unavailable) {
        /* named by the table, not run by this build: both say so */
        assert_int_equal(rc, LD_EUNAVAIL);
        assert_non_null(strstr(found, "not-available: "));
    } else {
        if (rc)
            fail_msg("engine refuses %s=%s: %s", k->name, json, d.msg);
        assert_string_equal(found, "");
    }
    free(found);
    free(text);
}

/* Every key of the table, with every value of its enum (or a sample),
   passes the engine and the linter alike. */
static void engine_and_lint_agree(void **state)
{
    const ld_shape_t *s = ld_registry_shape("user_detail_dict");
    char json[128];

    (void)state;
    assert_non_null(s);
    assert_ptr_equal(ld_shape_find("user_detail_dict"), s);
    assert_true(s->nkeys >= 6);
    for (size_t i = 0; i < s->nkeys; i++) {
        const ld_shape_key_t *k = &s->keys[i];
        const char *const *vals =
            k->enum_name ? ld_registry_enum(k->enum_name) : NULL;

        assert_non_null(k->doc);
        if (k->enum_name)
            assert_non_null(vals);
        for (size_t j = 0; vals && vals[j]; j++) {
            snprintf(json, sizeof(json), "\"%s\"", vals[j]);
            check_value(k, json, vals[j]);
        }
        if (!vals)
            check_value(k, sample_for(k->name), NULL);
        check_value(k, "null", NULL); /* None: the default, everywhere */
    }
}

/* A key the engine does not read is ignored by it and flagged by the
   linter, with did-you-mean when a key is close. */
static void unknown_key(void **state)
{
    char *text = start_test("wait_tme", "1"), *found = lint(text);
    ld_diag_t d;

    (void)state;
    assert_int_equal(engine(text, &d), 0);
    assert_string_equal(found, "unknown-key: unknown key \"wait_tme\" is "
                               "ignored (did you mean \"wait_time\"?)\n");
    free(found);
    free(text);
    text = start_test("colour", "1");
    found = lint(text);
    assert_string_equal(found,
                        "unknown-key: unknown key \"colour\" is ignored\n");
    free(found);
    free(text);
}

/* A name outside the table: an error for both, with did-you-mean. */
static void unknown_template(void **state)
{
    char *text = start_test("user", "\"fast_htp_user\""), *found = lint(text);
    ld_diag_t d;

    (void)state;
    assert_int_equal(engine(text, &d), LD_EINVAL);
    assert_non_null(strstr(d.msg, "did you mean \"fast_http_user\"?"));
    assert_non_null(strstr(found, "invalid-enum: "));
    assert_non_null(strstr(found, "did you mean \"fast_http_user\"?"));
    free(found);
    free(text);
}

static bool same_list(const char *const *a, const char *const *b)
{
    size_t i;

    for (i = 0; a[i] && b[i]; i++)
        if (strcmp(a[i], b[i]))
            return false;
    return !a[i] && !b[i];
}

/* The "user" enum, every command argument named "user", and the template
   table list the same names; the defaults are the table's default. */
static void one_list_of_templates(void **state)
{
    size_t n, nc, i, j;
    const ld_user_template_t *u = ld_registry_users(&n);
    const char *const *names = ld_registry_enum("user");
    const ld_command_t *c = ld_registry_commands(&nc);
    char avail[256];

    (void)state;
    assert_int_equal(n, 12); /* the Python tool's user registry */
    for (i = 0; i < n; i++) {
        assert_string_equal(names[i], u[i].name);
        assert_ptr_equal(ld_registry_user(u[i].name), &u[i]);
        assert_true(u[i].doc && u[i].doc[0]);
    }
    assert_null(names[n]);
    assert_string_equal(u[0].name, LD_USER_DEFAULT);
    assert_true(ld_registry_user_available(LD_USER_DEFAULT));
    assert_true(ld_registry_user_available("http_user"));
    assert_false(ld_registry_user_available("grpc_user"));
    assert_false(ld_registry_user_available("no_such_user"));
    assert_null(ld_registry_user("no_such_user"));
    assert_string_equal(ld_registry_users_available(avail, sizeof(avail)),
                        "fast_http_user, http_user");
    for (i = 0; i < nc; i++)
        for (j = 0; j < c[i].nparams; j++) {
            const ld_param_t *p = &c[i].params[j];

            if (strcmp(p->name, "user"))
                continue;
            assert_non_null(p->enums);
            assert_true(same_list(p->enums, names));
            assert_string_equal(p->def, "\"" LD_USER_DEFAULT "\"");
        }
}

/* The JSON Schema's user_detail_dict: the table's keys and templates. */
static void schema_has_the_table(void **state)
{
    json_t *s = ld_schema_build(NULL, 0);
    const json_t *props = json_object_get(
        json_object_get(json_object_get(s, "$defs"), "shape.user_detail_dict"),
        "properties");
    const ld_shape_t *shape = ld_registry_shape("user_detail_dict");
    const json_t *e = json_object_get(json_object_get(props, "user"), "enum");
    size_t n, i;
    const ld_user_template_t *u = ld_registry_users(&n);

    (void)state;
    assert_non_null(props);
    assert_int_equal(json_object_size(props), shape->nkeys);
    for (i = 0; i < shape->nkeys; i++)
        assert_non_null(json_object_get(props, shape->keys[i].name));
    for (i = 0; i < n; i++)
        assert_string_equal(json_string_value(json_array_get(e, i)), u[i].name);
    assert_true(json_is_null(json_array_get(e, n))); /* "user": null */
    assert_int_equal(json_array_size(e), n + 1);
    json_decref(s);
}

/* Did-you-mean: one rule for the registry, the linter and the engine. */
static void suggest_and_describe(void **state)
{
    const char *names[] = {"alpha", "beta", NULL, "gamma"};
    const char *text = "[\"abc\", 5, 5.0, 2.5, true, {}]";
    ld_doc_t *doc = ld_doc_parse(text, strlen(text), "v", LD_FMT_JSON, NULL);
    const ld_node_t *r = ld_doc_root(doc);
    char buf[64];

    (void)state;
    assert_string_equal(ld_suggest("alpah", names, 4), "alpha");
    assert_null(ld_suggest("gama", names, 4)); /* NULL ends the list */
    assert_null(ld_suggest("zzzzzzzz", names, 2));
    assert_string_equal(ld_registry_suggest("start_test"), "LD_start_test");
    assert_string_equal(ld_value_describe(ld_node_at(r, 0), buf, 64),
                        "string \"abc\"");
    assert_string_equal(ld_value_describe(ld_node_at(r, 1), buf, 64),
                        "integer 5");
    assert_true(ld_type_fits(ld_node_at(r, 2), LD_J_INT));
    assert_false(ld_type_fits(ld_node_at(r, 3), LD_J_INT));
    assert_true(ld_type_fits(ld_node_at(r, 3), LD_J_NUMBER));
    assert_false(ld_type_fits(ld_node_at(r, 4), LD_J_STRING));
    assert_string_equal(ld_value_describe(ld_node_at(r, 5), buf, 64), "object");
    ld_doc_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(engine_and_lint_agree),
        cmocka_unit_test(unknown_key),
        cmocka_unit_test(unknown_template),
        cmocka_unit_test(one_list_of_templates),
        cmocka_unit_test(schema_has_the_table),
        cmocka_unit_test(suggest_and_describe),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
