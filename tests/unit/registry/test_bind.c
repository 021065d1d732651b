/* Registry: table sanity, lookup, did-you-mean and argument binding. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "ldcore/doc.h"
#include "ldcore/registry.h"
#include "registry/registry_int.h"

typedef struct bound {
    ld_doc_t *doc;
    ld_args_t args;
    ld_diag_t d;
    int rc;
} bound_t;

static void bind_text(bound_t *b, const char *text)
{
    ld_diag_t pd;

    memset(b, 0, sizeof(*b));
    b->doc = ld_doc_parse(text, strlen(text), "t.json", LD_FMT_JSON, &pd);
    if (!b->doc) {
        fail_msg("fixture does not parse: %s", pd.msg);
        return;
    }
    b->rc = ld_args_bind(ld_doc_root(b->doc), "t.json", &b->args, &b->d);
}

static void unbind(bound_t *b)
{
    if (!b->rc)
        ld_args_release(&b->args);
    ld_doc_free(b->doc);
}

/* Expect a failure at line:col whose message contains every fragment. */
static void expect_error(const char *text, int code, unsigned line,
                         unsigned col, const char *frag1, const char *frag2)
{
    bound_t b;

    bind_text(&b, text);
    if (b.rc == 0 || b.rc != code || b.d.pos.line != line ||
        b.d.pos.col != col || !strstr(b.d.msg, frag1) ||
        (frag2 && !strstr(b.d.msg, frag2)))
        fail_msg("for %s\n got rc=%d at %u:%u: %s\n want rc=%d at %u:%u "
                 "with '%s'%s%s",
                 text, b.rc, b.d.pos.line, b.d.pos.col, b.d.msg, code, line,
                 col, frag1, frag2 ? " and " : "", frag2 ? frag2 : "");
    assert_string_equal(b.d.file, "t.json");
    unbind(&b);
}

static void table_is_sane(void **state)
{
    size_t n, i, j, k;
    const ld_command_t *c = ld_registry_commands(&n);

    (void)state;
    assert_true(n >= 60);
    for (i = 0; i < n; i++) {
        assert_non_null(c[i].name);
        assert_non_null(c[i].summary);
        assert_true(c[i].fn || c[i].unavailable);
        assert_ptr_equal(ld_registry_find(c[i].name), &c[i]);
        for (j = 0; j < c[i].nparams; j++) {
            assert_non_null(c[i].params[j].doc);
            /* parameter names are unique within a command */
            for (k = j + 1; k < c[i].nparams; k++)
                assert_string_not_equal(c[i].params[j].name,
                                        c[i].params[k].name);
            /* a default must itself be a valid value */
            if (c[i].params[j].def) {
                ld_doc_t *doc = ld_doc_parse(c[i].params[j].def,
                                             strlen(c[i].params[j].def),
                                             "def", LD_FMT_JSON, NULL);

                assert_non_null(doc);
                ld_doc_free(doc);
            }
        }
        /* commands are unique */
        for (k = i + 1; k < n; k++)
            assert_string_not_equal(c[i].name, c[k].name);
    }
    /* every command of the seed's table is declared */
    {
        static const char *const seed[] = {
            "LD_start_test", "LD_execute_action", "LD_execute_files",
            "LD_add_package_to_executor", "LD_start_socket_server",
            "LD_generate_html", "LD_generate_html_report",
            "LD_generate_json", "LD_generate_json_report",
            "LD_generate_xml", "LD_generate_xml_report",
            "LD_generate_csv_report", "LD_generate_junit_report",
            "LD_generate_summary_report", "LD_generate_chart_report",
            "LD_summary", "LD_persist_records", "LD_list_runs",
            "LD_fetch_run_records", "LD_clear_records",
            "LD_register_variable", "LD_register_variables",
            "LD_register_csv_source", "LD_register_csv_sources",
            "LD_register_db_source", "LD_register_db_sources",
            "LD_clear_resolver", "LD_load_har", "LD_har_to_tasks",
            "LD_har_to_action_json", "LD_postman_to_tasks",
            "LD_openapi_to_action_json", "LD_curl_to_task",
            "LD_k6_script_to_action_json", "LD_jmeter_to_action_json",
            "LD_start_prometheus_exporter", "LD_stop_prometheus_exporter",
            "LD_start_influxdb_sink", "LD_stop_influxdb_sink",
            "LD_start_opentelemetry_exporter",
            "LD_stop_opentelemetry_exporter", "LD_start_statsd_sink",
            "LD_stop_statsd_sink", "LD_lint_action", "LD_lint_action_file",
            "LD_export_schema", "LD_emit_github_annotations",
            "LD_evaluate_sla", "LD_assert_sla", "LD_diff_runs",
            "LD_install_failure_budget", "LD_uninstall_failure_budget",
            "LD_install_network_conditioner",
            "LD_uninstall_network_conditioner", "LD_start_dashboard",
            "LD_stop_dashboard", "LD_post_slack_summary",
            "LD_post_teams_summary"};

        for (i = 0; i < sizeof(seed) / sizeof(seed[0]); i++)
            if (!ld_registry_find(seed[i]))
                fail_msg("seed command %s is not declared", seed[i]);
    }
}

static void suggest(void **state)
{
    (void)state;
    assert_string_equal(ld_registry_suggest("LD_start_tset"),
                        "LD_start_test");
    assert_string_equal(ld_registry_suggest("start_test"), "LD_start_test");
    assert_string_equal(ld_registry_suggest("LD_regster_variables"),
                        "LD_register_variables");
    assert_null(ld_registry_suggest("completely_unrelated_name"));
}

static void binds_kwargs_and_defaults(void **state)
{
    bound_t b;

    (void)state;
    bind_text(&b, "[\"LD_start_test\", {\"user_detail_dict\": {\"user\": "
                  "\"fast_http_user\"}, \"user_count\": 7, \"test_time\": "
                  "null, \"tasks\": []}]");
    assert_int_equal(b.rc, 0);
    assert_string_equal(b.args.cmd->name, "LD_start_test");
    assert_int_equal(ld_args_int(&b.args, "user_count", -1), 7);
    /* default from the table */
    assert_int_equal(ld_args_int(&b.args, "spawn_rate", -1), 10);
    assert_false(ld_args_given(&b.args, "spawn_rate"));
    /* test_time accepts null (run until interrupted) */
    assert_true(ld_args_given(&b.args, "test_time"));
    assert_int_equal(ld_args_get(&b.args, "test_time")->type, LD_TNULL);
    assert_string_equal(ld_args_str(&b.args, "runner_mode", NULL), "local");
    unbind(&b);
}

static void binds_positional(void **state)
{
    bound_t b;

    (void)state;
    bind_text(&b, "[\"LD_register_variable\", [\"base\", "
                  "\"http://127.0.0.1\"]]");
    assert_int_equal(b.rc, 0);
    assert_string_equal(ld_args_str(&b.args, "name", NULL), "base");
    assert_string_equal(ld_args_str(&b.args, "value", NULL),
                        "http://127.0.0.1");
    unbind(&b);
    bind_text(&b, "[\"LD_clear_records\"]");
    assert_int_equal(b.rc, 0);
    unbind(&b);
    /* an integral real fits an integer argument; null means default */
    bind_text(&b, "[\"LD_list_runs\", {\"database_path\": \"x.db\", "
                  "\"limit\": 5.0}]");
    assert_int_equal(b.rc, 0);
    assert_int_equal(ld_args_int(&b.args, "limit", 0), 5);
    unbind(&b);
    bind_text(&b, "[\"LD_list_runs\", [\"x.db\", null]]");
    assert_int_equal(b.rc, 0);
    assert_int_equal(ld_args_int(&b.args, "limit", 0), 20);
    unbind(&b);
}

static void extra_kwargs_kept(void **state)
{
    bound_t b;

    (void)state;
    bind_text(&b, "[\"LD_start_test\", {\"user_detail_dict\": {}, "
                  "\"custom_thing\": 3}]");
    assert_int_equal(b.rc, 0);
    assert_int_equal(b.args.nextra, 1);
    assert_int_equal(ld_args_int(&b.args, "custom_thing", 0), 3);
    unbind(&b);
}

static void errors_have_positions(void **state)
{
    (void)state;
    expect_error("[\"LD_start_tset\", {}]", LD_ENOTFOUND, 1, 2,
                 "unknown command \"LD_start_tset\"",
                 "did you mean \"LD_start_test\"");
    expect_error("{\"a\": 1}", LD_EINVAL, 1, 1, "an action must be an array",
                 NULL);
    expect_error("[]", LD_EINVAL, 1, 1, "1 or 2 elements", NULL);
    expect_error("[\"LD_summary\", {}, 3]", LD_EINVAL, 1, 1,
                 "1 or 2 elements", NULL);
    expect_error("[42]", LD_EINVAL, 1, 2, "command name", NULL);
    expect_error("[\"LD_summary\", \"x\"]", LD_EINVAL, 1, 16,
                 "keyword arguments", NULL);
    expect_error("[\"LD_register_variable\", {\"name\": \"a\"}]", LD_EINVAL,
                 1, 1, "missing required argument 'value'", "accepted: name");
    expect_error("[\"LD_register_variable\", {\"nme\": \"a\", \"value\": 1}]",
                 LD_EINVAL, 1, 27, "unknown argument 'nme'",
                 "did you mean 'name'");
    expect_error("[\"LD_list_runs\", {\"database_path\": \"x\",\n"
                 "  \"limit\": \"ten\"}]",
                 LD_ETYPE, 2, 12, "argument 'limit' must be integer",
                 "got string \"ten\"");
    expect_error("[\"LD_start_test\", {\"user_detail_dict\": {}, "
                 "\"runner_mode\": \"cluster\"}]",
                 LD_EINVAL, 1, 59, "must be one of \"local\", \"master\"",
                 "got \"cluster\"");
    expect_error("[\"LD_list_runs\", [\"x\", 1, 2]]", LD_EINVAL, 1, 27,
                 "at most 2 positional arguments", NULL);
    expect_error("[\"LD_list_runs\", {\"database_path\": \"x\", \"limit\": "
                 "2.5}]",
                 LD_ETYPE, 1, 50, "must be integer", "got number 2.5");
}

static void enums_and_fields(void **state)
{
    const char *const *e;
    size_t n;

    (void)state;
    e = ld_registry_enum("assertion");
    assert_non_null(e);
    assert_string_equal(e[0], "status_code");
    assert_null(ld_registry_enum("nope"));
    assert_non_null(ld_registry_task_fields(&n));
    assert_true(n > 15);
    assert_non_null(ld_registry_task_field("request_url"));
    assert_non_null(ld_registry_task_field("think_time"));
    assert_null(ld_registry_task_field("request_uri"));
}

static void json_and_markdown(void **state)
{
    json_t *j = ld_registry_to_json();
    ld_buf_t b;
    size_t n;

    (void)state;
    ld_registry_commands(&n);
    assert_non_null(j);
    assert_int_equal(json_array_size(j), n);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(j, 0), "name")),
        "LD_start_test");
    json_decref(j);
    ld_buf_init(&b, 0);
    assert_int_equal(ld_registry_write_markdown(&b), 0);
    assert_non_null(strstr(b.data, "### `LD_start_test`"));
    assert_non_null(strstr(b.data, "| `user_count` | integer | no | `50` |"));
    assert_non_null(strstr(b.data, "## Task fields"));
    ld_buf_free(&b);
}

/* In a program that runs actions (this test calls the executor's binder),
 * every available command has its function and every unavailable one has
 * none: the weak references of the table (registry/impls.h) resolved. */
static void functions_bound(void **state)
{
    size_t n, i, avail = 0;
    const ld_command_t *c = ld_registry_commands(&n);

    (void)state;
    assert_true(ld__command_impls_linked() > 0);
    for (i = 0; i < n; i++) {
        if (ld_command_available(&c[i])) {
            avail++;
            if (!c[i].fn)
                fail_msg("%s is available but has no function", c[i].name);
        } else {
            assert_null(c[i].fn);
            assert_non_null(c[i].unavailable);
        }
    }
    assert_true(avail >= ld__command_impls_linked());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_is_sane),
        cmocka_unit_test(functions_bound),
        cmocka_unit_test(suggest),
        cmocka_unit_test(binds_kwargs_and_defaults),
        cmocka_unit_test(binds_positional),
        cmocka_unit_test(extra_kwargs_kept),
        cmocka_unit_test(errors_have_positions),
        cmocka_unit_test(enums_and_fields),
        cmocka_unit_test(json_and_markdown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
