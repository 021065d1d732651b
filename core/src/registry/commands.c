/*
 * The command table: every LD_* command of the seed, declared once. Names,
 * argument names, order and defaults follow the Python tool's functions so
 * that its action documents run here unchanged.
 */
#include "registry/registry_int.h"

#include "ldcore/engine.h"
#include "ldcore/lint.h"
#include "ldcore/report.h"
#include "ldcore/store.h"
#include "ldcore/import.h"

#include "registry/impls.h"

/* Weak: see impls.h. */
#define LD__PRAGMA(x) _Pragma(#x)
#define WEAK(f) LD__PRAGMA(weak f)
LD__COMMAND_IMPLS(WEAK)
#undef WEAK

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define PARAMS(a) a, COUNT(a)
#define NOPARAMS NULL, 0

/* name, types, required, default, enums, doc, shape */
#define P(n, t, r, d, e, doc, shape) {n, t, r, d, e, doc, shape}

#define LATER_REPORTS "arrives with the reports subsystem"
#define LATER_STORE "arrives with SQLite persistence"
#define LATER_SLA "arrives with SLA gates and run diffs"
#define LATER_LINT "arrives with the linter"
#define LATER_IMPORT "arrives with the importers"
#define LATER_OBSERVE "arrives with the exporters"
#define NOT_IN_C "loads Python code, which the C build cannot do"

#define DEFAULT_USER_JSON "\"" LD_USER_DEFAULT "\""

static const char *const engines[] = {"locust", "asyncio", NULL};

/* ---- Core ---- */

static const ld_param_t p_start_test[] = {
    P("user_detail_dict", LD_J_OBJECT, true, NULL, NULL,
      "User template selector and its settings, e.g. {\"user\": "
      "\"" LD_USER_DEFAULT "\"}; its keys and the user templates are "
      "described in docs/commands.md (user_detail_dict).",
      "user_detail_dict"),
    P("user_count", LD_J_INT, false, "50", NULL,
      "Number of simulated users.", NULL),
    P("spawn_rate", LD_J_NUMBER, false, "10", NULL,
      "Users started per second.", NULL),
    P("test_time", LD_J_NUMBER | LD_J_NULL, false, "60", NULL,
      "Duration in seconds; null runs until interrupted.", NULL),
    P("web_ui_dict", LD_J_OBJECT | LD_J_NULL, false, "null", NULL,
      "Locust web UI settings {\"host\", \"port\"} (master mode only).",
      NULL),
    P("runner_mode", LD_J_STRING, false, "\"local\"", ld__runner_modes,
      "Where the users run: local, or a Locust master / worker.", NULL),
    P("master_bind_host", LD_J_STRING, false, "\"*\"", NULL,
      "Master mode: address to bind the control plane to.", NULL),
    P("master_bind_port", LD_J_INT, false, "5557", NULL,
      "Master mode: port of the control plane.", NULL),
    P("master_host", LD_J_STRING, false, "\"127.0.0.1\"", NULL,
      "Worker mode: the master's address.", NULL),
    P("master_port", LD_J_INT, false, "5557", NULL,
      "Worker mode: the master's port.", NULL),
    P("expected_workers", LD_J_INT, false, "0", NULL,
      "Master mode: wait up to 60 s for this many workers.", NULL),
    P("load_shape", LD_J_STRING | LD_J_NULL, false, "null", ld__load_shapes,
      "Users over time: stages, spike or soak (with shape_config).", NULL),
    P("shape_config", LD_J_OBJECT | LD_J_NULL, false, "null", NULL,
      "Parameters of the load shape.", "shape_config"),
    P("tasks", LD_J_ARRAY | LD_J_OBJECT, false, NULL, NULL,
      "The tasks every user runs: a list, a {\"mode\", \"tasks\"} object, "
      "or the legacy {\"get\": {...}} form.",
      "tasks"),
    P("variables", LD_J_OBJECT, false, NULL, NULL,
      "Variables registered before the run (${var.NAME}).", "variables"),
    P("csv_sources", LD_J_ARRAY, false, NULL, NULL,
      "CSV sources registered before the run: [{\"name\", \"file_path\", "
      "\"cycle\"}].",
      "csv_sources"),
    P("arrival_rate", LD_J_NUMBER | LD_J_OBJECT | LD_J_NULL, false, "null",
      NULL,
      "Open model: requests started per second (a number, or {\"stages\": "
      "[{\"duration\", \"rate\"}]}), whatever the responses take; latency "
      "is measured from the intended send time.",
      NULL),
    P("max_in_flight", LD_J_INT, false, "10000", NULL,
      "Open model: cap on concurrent requests; beyond it a request is "
      "recorded as dropped.",
      NULL),
    P("http_version", LD_J_STRING, false, "\"1.1\"", ld__http_versions,
      "Default HTTP version of every task.", NULL),
    P("threads", LD_J_INT, false, "0", NULL,
      "Worker threads (each with its own event loop); 0 = one per core.",
      NULL),
    P("database", LD_J_STRING | LD_J_NULL, false, "null", NULL,
      "SQLite file to stream records into while the test runs.", NULL),
    P("host", LD_J_STRING | LD_J_NULL, false, "null", NULL,
      "Base URL that relative request_url values are joined to.", NULL),
    P("db_sources", LD_J_ARRAY, false, NULL, NULL,
      "Database row sources registered before the run.", NULL),
    P("engine", LD_J_STRING, false, "\"locust\"", engines,
      "Accepted for compatibility with the Python tool; the C engine "
      "always runs the test.", NULL),
};

static const ld_param_t p_execute_action[] = {
    P("action_list", LD_J_ARRAY | LD_J_OBJECT, true, NULL, NULL,
      "Actions to run: a list, or {\"load_density\": [...]}.", "actions"),
};

static const ld_param_t p_execute_files[] = {
    P("execute_files_list", LD_J_ARRAY, true, NULL, NULL,
      "Paths of action files to run in order (relative to the working "
      "directory).",
      "files"),
};

static const ld_param_t p_add_package[] = {
    P("package", LD_J_STRING, true, NULL, NULL,
      "Python package whose functions become commands.", NULL),
};

static const ld_param_t p_socket_server[] = {
    P("host", LD_J_STRING, false, "\"localhost\"", NULL, "Address to bind.",
      NULL),
    P("port", LD_J_INT, false, "9940", NULL, "Port to bind.", NULL),
    P("framed", LD_J_BOOL, false, "false", NULL,
      "4-byte big-endian length-prefixed frames.", NULL),
    P("token", LD_J_STRING | LD_J_NULL, false, "null", NULL,
      "Shared secret every payload must carry.", NULL),
    P("certfile", LD_J_STRING | LD_J_NULL, false, "null", NULL,
      "TLS certificate.", NULL),
    P("keyfile", LD_J_STRING | LD_J_NULL, false, "null", NULL,
      "TLS private key.", NULL),
};

static const ld_param_t p_print[] = {
    P("value", LD_J_ANY, false, NULL, NULL,
      "Values to print, separated by spaces (like Python's print).", NULL),
};

/* ---- Reports ---- */

static const ld_param_t p_html[] = {
    P("html_name", LD_J_STRING, false, "\"default_name\"", NULL,
      "Output file name without extension (.html is added).", NULL),
};
static const ld_param_t p_json[] = {
    P("json_file_name", LD_J_STRING, false, "\"default_name\"", NULL,
      "Output prefix: writes <prefix>_success.json and "
      "<prefix>_failure.json.",
      NULL),
};
static const ld_param_t p_xml[] = {
    P("xml_file_name", LD_J_STRING, false, "\"default_name\"", NULL,
      "Output prefix: writes <prefix>_success.xml and <prefix>_failure.xml.",
      NULL),
};
static const ld_param_t p_csv[] = {
    P("csv_name", LD_J_STRING, false, "\"default_name\"", NULL,
      "Output file name without extension (.csv is added).", NULL),
};
static const ld_param_t p_junit[] = {
    P("report_name", LD_J_STRING, false, "\"loaddensity-junit\"", NULL,
      "Output file name without extension (.xml is added).", NULL),
};
static const ld_param_t p_summary_report[] = {
    P("report_name", LD_J_STRING, false, "\"loaddensity-summary\"", NULL,
      "Output file name without extension (.json is added).", NULL),
};
static const ld_param_t p_chart[] = {
    P("report_name", LD_J_STRING, false, "\"loaddensity-charts\"", NULL,
      "Output file name prefix.", NULL),
    P("bucket_size_seconds", LD_J_NUMBER, false, "1.0", NULL,
      "Width of one time bucket.", NULL),
    P("max_buckets", LD_J_INT, false, "10000", NULL,
      "Most buckets drawn.", NULL),
};

/* ---- Persistence ---- */

static const ld_param_t p_persist[] = {
    P("database_path", LD_J_STRING, true, NULL, NULL,
      "SQLite file (created when missing; an empty file is fine).", NULL),
    P("label", LD_J_STRING | LD_J_NULL, false, "null", NULL,
      "Label of the run.", NULL),
    P("metadata", LD_J_OBJECT | LD_J_NULL, false, "null", NULL,
      "Free-form JSON stored with the run.", NULL),
};
static const ld_param_t p_list_runs[] = {
    P("database_path", LD_J_STRING, true, NULL, NULL, "SQLite file.", NULL),
    P("limit", LD_J_INT, false, "20", NULL, "Most recent runs to list.",
      NULL),
};
static const ld_param_t p_fetch_run[] = {
    P("database_path", LD_J_STRING, true, NULL, NULL, "SQLite file.", NULL),
    P("run_id", LD_J_INT, true, NULL, NULL, "Run id.", NULL),
};

/* ---- Parameters ---- */

static const ld_param_t p_register_variable[] = {
    P("name", LD_J_STRING, true, NULL, NULL, "Variable name (${var.NAME}).",
      NULL),
    P("value", LD_J_ANY, true, NULL, NULL, "Its value (any JSON).", NULL),
};
static const ld_param_t p_register_variables[] = {
    P("variables", LD_J_OBJECT, true, NULL, NULL,
      "Name to value map of variables.", "variables"),
};
static const ld_param_t p_register_csv_source[] = {
    P("name", LD_J_STRING, true, NULL, NULL,
      "Source name (${csv.NAME.COLUMN}).", NULL),
    P("file_path", LD_J_STRING, true, NULL, NULL,
      "CSV file with a header row.", NULL),
    P("cycle", LD_J_BOOL, false, "true", NULL,
      "Start again at the first row after the last.", NULL),
};
static const ld_param_t p_register_csv_sources[] = {
    P("sources", LD_J_ARRAY, true, NULL, NULL,
      "List of {\"name\", \"file_path\", \"cycle\"}.", "csv_sources"),
};
static const ld_param_t p_register_db_source[] = {
    P("name", LD_J_STRING, true, NULL, NULL,
      "Source name (${db.NAME.COLUMN}).", NULL),
    P("connection_string", LD_J_STRING, true, NULL, NULL,
      "Database connection string.", NULL),
    P("query", LD_J_STRING, true, NULL, NULL, "Query giving the rows.", NULL),
    P("cycle", LD_J_BOOL, false, "true", NULL,
      "Start again at the first row after the last.", NULL),
};
static const ld_param_t p_register_db_sources[] = {
    P("sources", LD_J_ARRAY, true, NULL, NULL,
      "List of {\"name\", \"connection_string\", \"query\", "
      "\"cycle\"}.", NULL),
};

/* ---- Recording ---- */

static const ld_param_t p_load_file[] = {
    P("file_path", LD_J_STRING, true, NULL, NULL, "File to read.", NULL),
};
static const ld_param_t p_har_to_tasks[] = {
    P("har", LD_J_OBJECT, true, NULL, NULL, "A HAR 1.2 document.", NULL),
    P("include", LD_J_ARRAY | LD_J_NULL, false, "null", NULL,
      "Regular expressions: keep only matching URLs.", NULL),
    P("exclude", LD_J_ARRAY | LD_J_NULL, false, "null", NULL,
      "Regular expressions: drop matching URLs.", NULL),
};
static const ld_param_t p_har_to_action[] = {
    P("har", LD_J_OBJECT, true, NULL, NULL, "A HAR 1.2 document.", NULL),
    P("user", LD_J_STRING, false, DEFAULT_USER_JSON, ld__users,
      "User template of the generated test.", NULL),
    P("user_count", LD_J_INT, false, "10", NULL, "Users.", NULL),
    P("spawn_rate", LD_J_NUMBER, false, "5", NULL, "Users per second.",
      NULL),
    P("test_time", LD_J_NUMBER, false, "60", NULL, "Seconds.", NULL),
    P("include", LD_J_ARRAY | LD_J_NULL, false, "null", NULL,
      "Regular expressions: keep only matching URLs.", NULL),
    P("exclude", LD_J_ARRAY | LD_J_NULL, false, "null", NULL,
      "Regular expressions: drop matching URLs.", NULL),
};
#define TO_ACTION_PARAMS(first, firstdoc)                                  \
    P(first, LD_J_ANY, true, NULL, NULL, firstdoc, NULL),                   \
        P("user", LD_J_STRING, false, DEFAULT_USER_JSON, ld__users,         \
          "User template of the generated test.", NULL),                    \
        P("user_count", LD_J_INT, false, "10", NULL, "Users.", NULL),       \
        P("spawn_rate", LD_J_NUMBER, false, "5", NULL, "Users per second.", \
          NULL),                                                            \
        P("test_time", LD_J_NUMBER, false, "60", NULL, "Seconds.", NULL)

static const ld_param_t p_postman_tasks[] = {
    P("collection", LD_J_OBJECT, true, NULL, NULL,
      "A Postman v2.1 collection.", NULL),
};
static const ld_param_t p_postman_action[] = {
    TO_ACTION_PARAMS("collection", "A Postman v2.1 collection."),
};
static const ld_param_t p_openapi_tasks[] = {
    P("spec", LD_J_OBJECT, true, NULL, NULL, "An OpenAPI 3 document.", NULL),
    P("base_url", LD_J_STRING | LD_J_NULL, false, "null", NULL,
      "Base URL (default: the first server of the spec).", NULL),
};
static const ld_param_t p_openapi_action[] = {
    TO_ACTION_PARAMS("spec", "An OpenAPI 3 document."),
};
static const ld_param_t p_k6_tasks[] = {
    P("source", LD_J_STRING, true, NULL, NULL, "k6 script text.", NULL),
};
static const ld_param_t p_k6_action[] = {
    TO_ACTION_PARAMS("source", "k6 script text."),
};
static const ld_param_t p_jmeter_tasks[] = {
    P("root", LD_J_ANY, true, NULL, NULL, "A loaded JMeter plan.", NULL),
};
static const ld_param_t p_jmeter_action[] = {
    TO_ACTION_PARAMS("root", "A loaded JMeter plan."),
};
static const ld_param_t p_curl[] = {
    P("command", LD_J_STRING, true, NULL, NULL, "A curl command line.", NULL),
};

/* ---- Metrics, reliability, dashboard ---- */

static const ld_param_t p_prometheus[] = {
    P("port", LD_J_INT, false, "9646", NULL, "Port of the /metrics endpoint.",
      NULL),
    P("addr", LD_J_STRING, false, "\"127.0.0.1\"", NULL, "Address to bind.",
      NULL),
};
static const char *const influx_transports[] = {"udp", "http", NULL};
static const ld_param_t p_influx[] = {
    P("transport", LD_J_STRING, false, "\"udp\"", influx_transports,
      "udp, or http when url is given.", NULL),
    P("host", LD_J_STRING, false, "\"127.0.0.1\"", NULL, "UDP host.", NULL),
    P("port", LD_J_INT, false, "8089", NULL, "UDP port.", NULL),
    P("url", LD_J_STRING | LD_J_NULL, false, "null", NULL,
      "HTTP write endpoint.", NULL),
    P("token", LD_J_STRING | LD_J_NULL, false, "null", NULL,
      "HTTP token.", NULL),
    P("measurement", LD_J_STRING, false, "\"loaddensity_request\"", NULL,
      "Measurement name.", NULL),
    P("timeout", LD_J_NUMBER, false, "2.0", NULL, "HTTP timeout (s).", NULL),
};
static const ld_param_t p_otel[] = {
    P("endpoint", LD_J_STRING | LD_J_NULL, false, "null", NULL,
      "OTLP endpoint.", NULL),
    P("service_name", LD_J_STRING, false, "\"loaddensity\"", NULL,
      "service.name resource attribute.", NULL),
    P("export_interval_ms", LD_J_INT, false, "5000", NULL,
      "Export interval.", NULL),
};
static const ld_param_t p_statsd[] = {
    P("host", LD_J_STRING, false, "\"127.0.0.1\"", NULL, "StatsD host.",
      NULL),
    P("port", LD_J_INT, false, "8125", NULL, "StatsD port.", NULL),
    P("prefix", LD_J_STRING, false, "\"loaddensity\"", NULL,
      "Metric name prefix.", NULL),
};
static const ld_param_t p_failure_budget[] = {
    P("threshold", LD_J_NUMBER, false, "0.05", NULL,
      "Failure rate that trips the budget.", NULL),
    P("window_seconds", LD_J_NUMBER, false, "30.0", NULL,
      "Sliding window.", NULL),
    P("min_samples", LD_J_INT, false, "50", NULL,
      "Requests needed before the budget can trip.", NULL),
};
static const ld_param_t p_conditioner[] = {
    P("latency_ms", LD_J_NUMBER, false, "0.0", NULL, "Added latency.", NULL),
    P("jitter_ms", LD_J_NUMBER, false, "0.0", NULL, "Random jitter.", NULL),
    P("loss_rate", LD_J_NUMBER, false, "0.0", NULL,
      "Share of requests dropped.", NULL),
    P("name_filter", LD_J_STRING | LD_J_NULL, false, "null", NULL,
      "Only requests whose name contains this.", NULL),
};
static const ld_param_t p_dashboard[] = {
    P("host", LD_J_STRING, false, "\"127.0.0.1\"", NULL, "Address to bind.",
      NULL),
    P("port", LD_J_INT, false, "8765", NULL, "Port.", NULL),
    P("refresh_seconds", LD_J_NUMBER, false, "1.0", NULL,
      "Push interval.", NULL),
    P("window_seconds", LD_J_NUMBER, false, "10.0", NULL,
      "Window of the live figures.", NULL),
};
static const ld_param_t p_webhook[] = {
    P("webhook_url", LD_J_STRING, true, NULL, NULL, "Webhook URL.", NULL),
    P("summary", LD_J_OBJECT | LD_J_NULL, false, "null", NULL,
      "Summary to post (default: the current records).", NULL),
    P("title", LD_J_STRING, false, "\"LoadDensity run\"", NULL, "Title.",
      NULL),
    P("timeout", LD_J_NUMBER, false, "5.0", NULL, "HTTP timeout (s).", NULL),
};

/* ---- Quality / SLA ---- */

static const ld_param_t p_lint_action[] = {
    P("actions", LD_J_ARRAY | LD_J_OBJECT, true, NULL, NULL,
      "An action document to check.", "actions"),
    P("known_commands", LD_J_ARRAY | LD_J_NULL, false, "null", NULL,
      "Extra command names to accept.", NULL),
};
static const ld_param_t p_lint_file[] = {
    P("path", LD_J_STRING, true, NULL, NULL, "Action file to check.", NULL),
    P("known_commands", LD_J_ARRAY | LD_J_NULL, false, "null", NULL,
      "Extra command names to accept.", NULL),
};
static const ld_param_t p_export_schema[] = {
    P("path", LD_J_STRING, true, NULL, NULL,
      "Where to write the JSON Schema.", NULL),
    P("known_commands", LD_J_ARRAY | LD_J_NULL, false, "null", NULL,
      "Extra command names to allow.", NULL),
};
static const ld_param_t p_annotations[] = {
    P("title", LD_J_STRING, false, "\"LoadDensity\"", NULL,
      "Title of every annotation.", NULL),
};
static const ld_param_t p_sla[] = {
    P("rules", LD_J_ARRAY, true, NULL, NULL,
      "SLA rules: {\"type\", \"value\", \"op\", \"name\"}.", "sla_rules"),
    P("summary", LD_J_OBJECT | LD_J_NULL, false, "null", NULL,
      "Summary to judge (default: the current records).", NULL),
};
static const ld_param_t p_diff[] = {
    P("database_path", LD_J_STRING, true, NULL, NULL, "SQLite file.", NULL),
    P("baseline_run_id", LD_J_INT, true, NULL, NULL, "Baseline run.", NULL),
    P("current_run_id", LD_J_INT, true, NULL, NULL, "Run to compare.", NULL),
    P("tolerance", LD_J_NUMBER, false, "0.1", NULL,
      "Relative change allowed before a regression is flagged.", NULL),
};

#define AVAIL(fn) fn, NULL
#define LATER(why) NULL, why
#define C(name, group, summary, doc, params, flags, alias, avail) \
    {name, group, summary, doc, params, flags, alias, avail}

const ld_command_t ld__commands[] = {
    /* Core */
    C("LD_start_test", "Core", "Run a load test and return its summary.",
      "Starts user_count virtual users at spawn_rate per second; each runs "
      "the tasks until test_time elapses. Every request is recorded.",
      PARAMS(p_start_test), LD_CMD_EXTRA_KWARGS, NULL,
      AVAIL(ld_cmd_start_test)),
    C("LD_execute_action", "Core", "Run a nested list of actions.", NULL,
      PARAMS(p_execute_action), 0, NULL, AVAIL(ld__cmd_execute_action)),
    C("LD_execute_files", "Core", "Run action files in order.", NULL,
      PARAMS(p_execute_files), 0, NULL, AVAIL(ld__cmd_execute_files)),
    C("LD_add_package_to_executor", "Core",
      "Add a Python package's functions as commands.", NULL,
      PARAMS(p_add_package), 0, NULL, LATER(NOT_IN_C)),
    C("LD_start_socket_server", "Core",
      "Start the control socket that accepts action JSON.", NULL,
      PARAMS(p_socket_server), 0, NULL,
      LATER("arrives with the control socket")),
    C("print", "Builtins", "Print values (Python's print).",
      "The safe built-in kept for documents written for the Python tool.",
      PARAMS(p_print), LD_CMD_VARIADIC, NULL, AVAIL(ld__cmd_print)),

    /* Reports */
    C("LD_generate_html", "Reports", "Build the HTML fragments of a report.",
      "Older Python versions also wrote <html_name>.html.", PARAMS(p_html),
      0, NULL, AVAIL(ld_cmd_generate_html)),
    C("LD_generate_html_report", "Reports", "Write an HTML report.", NULL,
      PARAMS(p_html), 0, NULL, AVAIL(ld_cmd_generate_html_report)),
    C("LD_generate_json", "Reports", "Build the JSON report structures.",
      NULL, NOPARAMS, 0, NULL, AVAIL(ld_cmd_generate_json)),
    C("LD_generate_json_report", "Reports",
      "Write JSON reports (success and failure files).", NULL,
      PARAMS(p_json), 0, NULL, AVAIL(ld_cmd_generate_json_report)),
    C("LD_generate_xml", "Reports", "Build the XML report strings.", NULL,
      NOPARAMS, 0, NULL, AVAIL(ld_cmd_generate_xml)),
    C("LD_generate_xml_report", "Reports",
      "Write XML reports (success and failure files).", NULL, PARAMS(p_xml),
      0, NULL, AVAIL(ld_cmd_generate_xml_report)),
    C("LD_generate_csv_report", "Reports", "Write a CSV report.", NULL,
      PARAMS(p_csv), 0, NULL, AVAIL(ld_cmd_generate_csv_report)),
    C("LD_generate_junit_report", "Reports",
      "Write a JUnit XML report for CI.", NULL, PARAMS(p_junit), 0, NULL,
      AVAIL(ld_cmd_generate_junit_report)),
    C("LD_generate_summary_report", "Reports",
      "Write the summary (totals, percentiles per name) as JSON.",
      "Writes <report_name>.json and returns its path.",
      PARAMS(p_summary_report), 0, NULL,
      AVAIL(ld__cmd_generate_summary_report)),
    C("LD_generate_chart_report", "Reports",
      "Write latency and throughput charts.", NULL, PARAMS(p_chart), 0,
      NULL, AVAIL(ld_cmd_generate_chart_report)),
    C("LD_summary", "Reports", "Return the summary of the current records.",
      NULL, NOPARAMS, 0, NULL, AVAIL(ld__cmd_summary)),

    /* Persistence */
    C("LD_persist_records", "Persistence",
      "Save the in-memory records to SQLite; returns the run id.", NULL,
      PARAMS(p_persist), 0, NULL, AVAIL(ld_cmd_persist_records)),
    C("LD_list_runs", "Persistence", "List recent runs in a database.", NULL,
      PARAMS(p_list_runs), 0, NULL, AVAIL(ld_cmd_list_runs)),
    C("LD_fetch_run_records", "Persistence",
      "Load every record of one run, in the order recorded.", NULL,
      PARAMS(p_fetch_run), 0, NULL,
      AVAIL(ld_cmd_fetch_run_records)),
    C("LD_clear_records", "Persistence",
      "Drop the in-memory records (SQLite is untouched).", NULL, NOPARAMS, 0,
      NULL, AVAIL(ld__cmd_clear_records)),

    /* Parameters */
    C("LD_register_variable", "Parameters", "Register one variable.", NULL,
      PARAMS(p_register_variable), 0, NULL,
      AVAIL(ld__cmd_register_variable)),
    C("LD_register_variables", "Parameters", "Register several variables.",
      NULL, PARAMS(p_register_variables), 0, NULL,
      AVAIL(ld__cmd_register_variables)),
    C("LD_register_csv_source", "Parameters", "Register one CSV source.",
      NULL, PARAMS(p_register_csv_source), 0, NULL,
      AVAIL(ld__cmd_register_csv_source)),
    C("LD_register_csv_sources", "Parameters", "Register several CSV sources.",
      NULL, PARAMS(p_register_csv_sources), 0, NULL,
      AVAIL(ld__cmd_register_csv_sources)),
    C("LD_register_db_source", "Parameters",
      "Register one database row source.", NULL,
      PARAMS(p_register_db_source), 0, NULL,
      LATER("arrives with database sources")),
    C("LD_register_db_sources", "Parameters",
      "Register several database row sources.", NULL,
      PARAMS(p_register_db_sources), 0, NULL,
      LATER("arrives with database sources")),
    C("LD_clear_resolver", "Parameters",
      "Forget every variable and CSV source.", NULL, NOPARAMS, 0, NULL,
      AVAIL(ld__cmd_clear_resolver)),

    /* Recording */
    C("LD_load_har", "Recording", "Read a HAR file.", NULL,
      PARAMS(p_load_file), 0, NULL, AVAIL(ld_cmd_load_har)),
    C("LD_har_to_tasks", "Recording", "Turn a HAR document into tasks.",
      NULL, PARAMS(p_har_to_tasks), 0, NULL, AVAIL(ld_cmd_har_to_tasks)),
    C("LD_har_to_action_json", "Recording",
      "Turn a HAR document into an action document.", NULL,
      PARAMS(p_har_to_action), 0, NULL,
      AVAIL(ld_cmd_har_to_action_json)),
    C("LD_load_postman_collection", "Recording",
      "Read a Postman v2.1 collection.", NULL, PARAMS(p_load_file), 0, NULL,
      LATER(LATER_IMPORT)),
    C("LD_postman_to_tasks", "Recording", "Postman collection to tasks.",
      NULL, PARAMS(p_postman_tasks), 0, NULL, LATER(LATER_IMPORT)),
    C("LD_postman_to_action_json", "Recording",
      "Postman collection to an action document.", NULL,
      PARAMS(p_postman_action), 0, NULL,
      LATER(LATER_IMPORT)),
    C("LD_load_openapi", "Recording", "Read an OpenAPI 3 document.", NULL,
      PARAMS(p_load_file), 0, NULL, LATER(LATER_IMPORT)),
    C("LD_openapi_to_tasks", "Recording", "OpenAPI document to tasks.", NULL,
      PARAMS(p_openapi_tasks), 0, NULL,
      LATER(LATER_IMPORT)),
    C("LD_openapi_to_action_json", "Recording",
      "OpenAPI document to an action document.", NULL,
      PARAMS(p_openapi_action), 0, NULL,
      LATER(LATER_IMPORT)),
    C("LD_curl_to_task", "Recording", "A curl command line to one task.",
      NULL, PARAMS(p_curl), 0, NULL, LATER(LATER_IMPORT)),
    C("LD_load_k6_script", "Recording", "Read a k6 script.", NULL,
      PARAMS(p_load_file), 0, NULL, LATER(LATER_IMPORT)),
    C("LD_k6_script_to_tasks", "Recording", "k6 script to tasks.", NULL,
      PARAMS(p_k6_tasks), 0, NULL,
      LATER(LATER_IMPORT)),
    C("LD_k6_script_to_action_json", "Recording",
      "k6 script to an action document.", NULL, PARAMS(p_k6_action),
      0, NULL, LATER(LATER_IMPORT)),
    C("LD_load_jmeter_jmx", "Recording", "Read a JMeter JMX plan.", NULL,
      PARAMS(p_load_file), 0, NULL, LATER(LATER_IMPORT)),
    C("LD_jmeter_to_tasks", "Recording", "JMeter plan to tasks.", NULL,
      PARAMS(p_jmeter_tasks), 0, NULL,
      LATER(LATER_IMPORT)),
    C("LD_jmeter_to_action_json", "Recording",
      "JMeter plan to an action document.", NULL, PARAMS(p_jmeter_action),
      0, NULL, LATER(LATER_IMPORT)),

    /* Metrics */
    C("LD_start_prometheus_exporter", "Metrics",
      "Serve Prometheus metrics over HTTP.", NULL, PARAMS(p_prometheus),
      0, NULL, LATER(LATER_OBSERVE)),
    C("LD_stop_prometheus_exporter", "Metrics",
      "Stop the Prometheus endpoint.", NULL, NOPARAMS, 0, NULL,
      LATER(LATER_OBSERVE)),
    C("LD_start_influxdb_sink", "Metrics",
      "Send InfluxDB line protocol (UDP or HTTP).", NULL,
      PARAMS(p_influx), 0, NULL,
      LATER(LATER_OBSERVE)),
    C("LD_stop_influxdb_sink", "Metrics", "Stop the InfluxDB sink.", NULL,
      NOPARAMS, 0, NULL, LATER(LATER_OBSERVE)),
    C("LD_start_opentelemetry_exporter", "Metrics",
      "Export OpenTelemetry metrics over OTLP.", NULL, PARAMS(p_otel),
      0, NULL, LATER(LATER_OBSERVE)),
    C("LD_stop_opentelemetry_exporter", "Metrics",
      "Stop the OpenTelemetry exporter.", NULL, NOPARAMS, 0, NULL,
      LATER(LATER_OBSERVE)),
    C("LD_start_statsd_sink", "Metrics", "Send DogStatsD metrics over UDP.",
      NULL, PARAMS(p_statsd), 0, NULL,
      LATER(LATER_OBSERVE)),
    C("LD_stop_statsd_sink", "Metrics", "Stop the StatsD sink.", NULL,
      NOPARAMS, 0, NULL, LATER(LATER_OBSERVE)),

    /* Quality / DX */
    C("LD_lint_action", "Quality", "Lint an action document.", NULL,
      PARAMS(p_lint_action), 0, NULL, AVAIL(ld_cmd_lint_action)),
    C("LD_lint_action_file", "Quality", "Lint an action file.", NULL,
      PARAMS(p_lint_file), 0, NULL, AVAIL(ld_cmd_lint_action_file)),
    C("LD_export_schema", "Quality",
      "Export the JSON Schema of action documents.", NULL,
      PARAMS(p_export_schema), 0, NULL, AVAIL(ld_cmd_export_schema)),
    C("LD_emit_github_annotations", "Quality",
      "Print failures as GitHub workflow annotations.", NULL,
      PARAMS(p_annotations), 0, NULL,
      AVAIL(ld_cmd_emit_github_annotations)),

    /* SLA / regression */
    C("LD_evaluate_sla", "SLA", "Judge SLA rules; returns every verdict.",
      NULL, PARAMS(p_sla), 0, NULL, AVAIL(ld_cmd_evaluate_sla)),
    C("LD_assert_sla", "SLA", "Fail when an SLA rule is breached.", NULL,
      PARAMS(p_sla), 0, NULL, AVAIL(ld_cmd_assert_sla)),
    C("LD_diff_runs", "SLA", "Compare two stored runs for regressions.",
      NULL, PARAMS(p_diff), 0, NULL, AVAIL(ld_cmd_diff_runs)),

    /* Reliability */
    C("LD_install_failure_budget", "Reliability",
      "Stop the run when failures exceed a budget.", NULL,
      PARAMS(p_failure_budget), 0, NULL,
      LATER("arrives with reliability controls")),
    C("LD_uninstall_failure_budget", "Reliability",
      "Remove the failure budget.", NULL, NOPARAMS, 0, NULL,
      LATER("arrives with reliability controls")),
    C("LD_install_network_conditioner", "Reliability",
      "Inject latency, jitter and loss.", NULL, PARAMS(p_conditioner),
      0, NULL, LATER("arrives with reliability controls")),
    C("LD_uninstall_network_conditioner", "Reliability",
      "Remove the network conditioner.", NULL, NOPARAMS, 0, NULL,
      LATER("arrives with reliability controls")),

    /* Dashboard / notify */
    C("LD_start_dashboard", "Dashboard",
      "Serve a live dashboard (HTTP + SSE).", NULL, PARAMS(p_dashboard),
      0, NULL, LATER("arrives with the dashboard")),
    C("LD_stop_dashboard", "Dashboard", "Stop the dashboard.", NULL,
      NOPARAMS, 0, NULL, LATER("arrives with the dashboard")),
    C("LD_post_slack_summary", "Dashboard",
      "Post the summary to a Slack webhook.", NULL, PARAMS(p_webhook),
      0, NULL, LATER("arrives with notifiers")),
    C("LD_post_teams_summary", "Dashboard",
      "Post the summary to a Teams webhook.", NULL, PARAMS(p_webhook),
      0, NULL, LATER("arrives with notifiers")),
};
const size_t ld__ncommands = COUNT(ld__commands);
