/*
 * impls.h - every command function the table of commands.c binds (its
 * AVAIL entries), as an X-macro list.
 *
 * commands.c refers to these functions weakly and bind.c strongly. A weak
 * reference does not make the linker pull a function's object out of
 * libldcore.a, so a program that only lints, exports the schema or serves
 * the language server links the command table without the engine, the
 * reports and the store (and without libcurl, OpenSSL, SQLite and ZeroMQ,
 * which those need). The executor calls ld__command_impls_linked() (bind.c),
 * which brings every function in: in any program that can run actions,
 * each AVAIL entry of the table points to its function.
 *
 * A function missing here is still bound (strongly, by commands.c), only
 * the quick programs then get heavier: tests/integration/test_cli.sh checks
 * that `loaddensity` needs no libcurl, and unit.registry.registry that every
 * available command has its function in an executor.
 */
#ifndef LD_REGISTRY_IMPLS_H
#define LD_REGISTRY_IMPLS_H

#define LD__COMMAND_IMPLS(X) \
    X(ld_cmd_start_test) \
    X(ld__cmd_execute_action) \
    X(ld__cmd_execute_files) \
    X(ld__cmd_print) \
    X(ld_cmd_generate_html) \
    X(ld_cmd_generate_html_report) \
    X(ld_cmd_generate_json) \
    X(ld_cmd_generate_json_report) \
    X(ld_cmd_generate_xml) \
    X(ld_cmd_generate_xml_report) \
    X(ld_cmd_generate_csv_report) \
    X(ld_cmd_generate_junit_report) \
    X(ld__cmd_generate_summary_report) \
    X(ld_cmd_generate_chart_report) \
    X(ld__cmd_summary) \
    X(ld_cmd_persist_records) \
    X(ld_cmd_list_runs) \
    X(ld_cmd_fetch_run_records) \
    X(ld__cmd_clear_records) \
    X(ld__cmd_register_variable) \
    X(ld__cmd_register_variables) \
    X(ld__cmd_register_csv_source) \
    X(ld__cmd_register_csv_sources) \
    X(ld__cmd_clear_resolver) \
    X(ld_cmd_load_har) \
    X(ld_cmd_har_to_tasks) \
    X(ld_cmd_har_to_action_json) \
    X(ld_cmd_lint_action) \
    X(ld_cmd_lint_action_file) \
    X(ld_cmd_export_schema) \
    X(ld_cmd_emit_github_annotations) \
    X(ld_cmd_evaluate_sla) \
    X(ld_cmd_assert_sla) \
    X(ld_cmd_diff_runs)

#endif
