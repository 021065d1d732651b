/*
 * tools.c - the tool table: names, titles, annotations and output schemas
 * here; arguments come from the command registry (plus a few tool-only
 * ones), so the input schemas and the argument checks follow the commands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp.h"
#include "schemas.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define P(n, t, r, d, e, doc) {n, t, r, d, e, doc, NULL}

static const ld_param_t x_run_action[] = {
    P("actions", LD_J_STRING | LD_J_ARRAY | LD_J_OBJECT, false, NULL, NULL,
      "The action document: a list of [\"LD_command\", {kwargs}] actions, "
      "{\"load_density\": [...]}, or the same as a JSON string. Give this "
      "or file."),
    P("file", LD_J_STRING, false, NULL, NULL,
      "Path of an action file (JSON or YAML) to run instead of actions."),
    P("fail_fast", LD_J_BOOL, false, "false", NULL,
      "Stop at the first failed action (default: record it and go on)."),
};
static const ld_param_t x_create_project[] = {
    P("path", LD_J_STRING, true, NULL, NULL,
      "Directory in which LoadDensity/ (keyword/ and executor/) is "
      "created."),
    P("force", LD_J_BOOL, false, "false", NULL,
      "Overwrite files that already exist."),
};
static const ld_param_t x_list_commands[] = {
    P("group", LD_J_STRING, false, NULL, NULL,
      "Only commands of this group (Core, Reports, Persistence, "
      "Parameters, Recording, ...)."),
    {"names", LD_J_ARRAY, false, NULL, NULL,
     "Describe these commands in full (every argument with type, default "
     "and doc).",
     "strings"},
    P("available_only", LD_J_BOOL, false, "false", NULL,
      "Leave out commands this build does not implement yet."),
};
static const ld_param_t x_import_har[] = {
    P("file_path", LD_J_STRING, true, NULL, NULL,
      "HAR 1.2 file (DevTools, mitmproxy, Charles ...) to convert."),
    P("output_path", LD_J_STRING, false, NULL, NULL,
      "Also write the action document to this file (then run it with "
      "run_action_json {\"file\": ...})."),
};
static const ld_param_t x_reports[] = {
    P("base_name", LD_J_STRING, false, "\"loaddensity\"", NULL,
      "Path prefix of the files: <base>.html, <base>_success.json, "
      "<base>_failure.json, <base>_success.xml, <base>.csv, "
      "<base>-junit.xml, <base>-summary.json, <base>-charts-*.svg."),
    {"formats", LD_J_ARRAY, false,
     "[\"html\", \"json\", \"xml\", \"csv\", \"junit\", \"summary\"]",
     NULL, "Formats to write: html, json, xml, csv, junit, summary, chart.",
     "report_formats"},
};
static const ld_param_t x_summary[] = {
    P("max_names", LD_J_INT, false, "100", NULL,
      "Most per-name rows to return (the busiest first)."),
};
static const ld_param_t x_fetch_run[] = {
    P("offset", LD_J_INT, false, "0", NULL,
      "First record to return (for paging)."),
    P("limit", LD_J_INT, false, "100", NULL,
      "Most records to return (at most 1000; fewer when they would not fit "
      "in one result)."),
    P("include_summary", LD_J_BOOL, false, "true", NULL,
      "Add the run's per-name summary (computed from every record)."),
};

static const char *const skip_start_test[] = {
    "master_bind_host", "master_bind_port", "master_host", "master_port",
    "expected_workers", "engine", "db_sources", NULL};
static const char *const skip_har[] = {"har", NULL};

#define RO (MCP_HINT_READONLY | MCP_HINT_IDEMPOTENT)
#define X(a) a, COUNT(a)

static const mcp_tool_t tools[] = {
    {"run_test", "Run a load test",
     "Run one HTTP load test (LD_start_test): user_count virtual users "
     "started at spawn_rate per second run the tasks for test_time seconds. "
     "Returns the summary (requests, failures, requests/s, latency "
     "percentiles overall and per request name). Sends progress "
     "notifications when given a progressToken; cancelling stops the test "
     "and returns what was measured. Targets must be on the host allowlist.",
     "LD_start_test", skip_start_test, NULL, 0, MCP_OUT_RUN_TEST,
     MCP_HINT_OPENWORLD, MCP_TOOL_CTX | MCP_TOOL_RUN, mcp_tool_run_test},
    {"run_action_json", "Run an action document",
     "Execute an action JSON document (the LD_* command language: "
     "LD_start_test, LD_register_variables, reports, ...) action by action. "
     "Returns one result per action. Load tests in it report progress and "
     "can be cancelled like run_test.",
     NULL, NULL, X(x_run_action), MCP_OUT_RUN_ACTION, MCP_HINT_OPENWORLD,
     MCP_TOOL_CTX | MCP_TOOL_RUN, mcp_tool_run_action_json},
    {"create_project", "Create a project skeleton",
     "Create PATH/LoadDensity with keyword/ (two example action files) and "
     "executor/ (a script running them), like `loaddensity init`.",
     NULL, NULL, X(x_create_project), MCP_OUT_CREATE_PROJECT,
     MCP_HINT_IDEMPOTENT, 0, mcp_tool_create_project},
    {"list_executor_commands", "List LD_* commands",
     "List the LD_* commands an action document can use, with their group, "
     "summary and whether this build implements them; give names to get "
     "every argument of those commands.",
     NULL, NULL, X(x_list_commands), MCP_OUT_LIST_COMMANDS, RO, 0,
     mcp_tool_list_commands},
    {"import_har", "Import a HAR recording",
     "Convert a HAR file into a runnable action document: one task per "
     "recorded request with a status_code assertion, filtered by include / "
     "exclude regular expressions (Python re syntax, searched in the URL).",
     "LD_har_to_action_json", skip_har, X(x_import_har), MCP_OUT_IMPORT_HAR,
     MCP_HINT_IDEMPOTENT, 0, mcp_tool_import_har},
    {"generate_reports", "Write reports",
     "Write reports of the records in memory: HTML, JSON, XML, CSV, JUnit "
     "XML, summary JSON, SVG charts. Returns the files written.",
     NULL, NULL, X(x_reports), MCP_OUT_REPORTS, MCP_HINT_IDEMPOTENT,
     MCP_TOOL_CTX, mcp_tool_generate_reports},
    {"summary", "Summarise the records",
     "Totals, failure rate, requests/s and latency percentiles (p50, p90, "
     "p95, p99, max) overall and per request name, over every record in "
     "memory.",
     "LD_summary", NULL, X(x_summary), MCP_OUT_SUMMARY, RO, MCP_TOOL_CTX,
     mcp_tool_summary},
    {"persist_records", "Save the records to SQLite",
     "Save every record in memory as one new run in a SQLite database "
     "(created when missing); returns the run id.",
     "LD_persist_records", NULL, NULL, 0, MCP_OUT_PERSIST, 0, MCP_TOOL_CTX,
     mcp_tool_persist_records},
    {"list_runs", "List stored runs",
     "List the most recent runs stored in a SQLite database, newest first.",
     "LD_list_runs", NULL, NULL, 0, MCP_OUT_LIST_RUNS, RO, 0,
     mcp_tool_list_runs},
    {"fetch_run", "Fetch a stored run",
     "One stored run: its row, a page of its records (offset / limit) and "
     "a per-name summary of all of them.",
     "LD_fetch_run_records", NULL, X(x_fetch_run), MCP_OUT_FETCH_RUN, RO, 0,
     mcp_tool_fetch_run},
    {"clear_records", "Clear the records",
     "Drop every record in memory (stored runs are untouched) before a new "
     "run.",
     "LD_clear_records", NULL, NULL, 0, MCP_OUT_CLEAR, 
     MCP_HINT_DESTRUCTIVE | MCP_HINT_IDEMPOTENT, MCP_TOOL_CTX,
     mcp_tool_clear_records},
};

#define NTOOLS COUNT(tools)

/* Built once: each tool's parameters and schemas. */
static struct {
    const ld_param_t **params;
    size_t nparams;
    json_t *input;
    json_t *output;
} built[NTOOLS];

static bool skipped(const mcp_tool_t *t, const char *name)
{
    for (size_t i = 0; t->skip && t->skip[i]; i++)
        if (!strcmp(t->skip[i], name))
            return true;
    return false;
}

static int build_params(size_t k)
{
    const mcp_tool_t *t = &tools[k];
    const ld_command_t *c = t->command ? ld_registry_find(t->command) : NULL;
    size_t n = 0, cap = (c ? c->nparams : 0) + t->nextra;

    if (t->command && !c) {
        fprintf(stderr, "loaddensity-mcp: %s: no command %s\n", t->name,
                t->command);
        return LD_EINTERNAL;
    }
    built[k].params = calloc(cap + 1, sizeof(*built[k].params));
    if (!built[k].params)
        return LD_ENOMEM;
    for (size_t i = 0; c && i < c->nparams; i++)
        if (!skipped(t, c->params[i].name))
            built[k].params[n++] = &c->params[i];
    for (size_t i = 0; i < t->nextra; i++)
        built[k].params[n++] = &t->extra[i];
    built[k].nparams = n;
    return 0;
}

int mcp_tools_init(void)
{
    json_error_t err;
    int rc;

    for (size_t k = 0; k < NTOOLS; k++) {
        if ((rc = build_params(k)))
            return rc;
        built[k].input = mcp_input_schema(built[k].params, built[k].nparams);
        built[k].output = json_loads(tools[k].output_schema, 0, &err);
        if (!built[k].output) {
            fprintf(stderr, "loaddensity-mcp: %s: bad output schema: %s at "
                            "%d:%d\n",
                    tools[k].name, err.text, err.line, err.column);
            return LD_EINTERNAL;
        }
        if (!built[k].input)
            return LD_ENOMEM;
    }
    return 0;
}

void mcp_tools_free(void)
{
    for (size_t k = 0; k < NTOOLS; k++) {
        free(built[k].params);
        json_decref(built[k].input);
        json_decref(built[k].output);
        memset(&built[k], 0, sizeof(built[k]));
    }
}

size_t mcp_tool_count(void)
{
    return NTOOLS;
}

static size_t index_of(const mcp_tool_t *t)
{
    return (size_t)(t - tools);
}

const mcp_tool_t *mcp_tool_find(const char *name)
{
    for (size_t k = 0; name && k < NTOOLS; k++)
        if (!strcmp(tools[k].name, name))
            return &tools[k];
    return NULL;
}

const char *mcp_tool_suggest(const char *name)
{
    const char *dot = strrchr(name, '.'), *best = NULL;
    size_t bd = 4;

    /* The Python tool's names were prefixed: "load_density.run_test". */
    if (dot && mcp_tool_find(dot + 1))
        return dot + 1;
    for (size_t k = 0; k < NTOOLS; k++) {
        size_t dd = ld_edit_distance(name, tools[k].name, bd);

        if (dd < bd) {
            bd = dd;
            best = tools[k].name;
        }
    }
    for (size_t k = 0; !best && strlen(name) >= 3 && k < NTOOLS; k++)
        if (strstr(tools[k].name, name))
            best = tools[k].name;
    return best;
}

json_t *mcp_tool_describe(mcp_server_t *s, size_t i)
{
    const mcp_tool_t *t = &tools[i];
    json_t *o = json_pack("{s:s,s:s,s:O}", "name", t->name, "description",
                          t->description, "inputSchema", built[i].input);

    if (!o)
        return NULL;
    if (mcp_version_at_least(s, "2025-06-18")) {
        json_object_set_new(o, "title", json_string(t->title));
        json_object_set(o, "outputSchema", built[i].output);
    }
    if (mcp_version_at_least(s, "2025-03-26"))
        json_object_set_new(
            o, "annotations",
            json_pack("{s:s,s:b,s:b,s:b,s:b}", "title", t->title,
                      "readOnlyHint", (t->hints & MCP_HINT_READONLY) != 0,
                      "destructiveHint",
                      (t->hints & MCP_HINT_DESTRUCTIVE) != 0,
                      "idempotentHint", (t->hints & MCP_HINT_IDEMPOTENT) != 0,
                      "openWorldHint", (t->hints & MCP_HINT_OPENWORLD) != 0));
    return o;
}

/* ---- argument checks ---- */

static const ld_param_t *param_of(size_t k, const char *name)
{
    for (size_t i = 0; i < built[k].nparams; i++)
        if (!strcmp(built[k].params[i]->name, name))
            return built[k].params[i];
    return NULL;
}

static unsigned mask_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return LD_J_OBJECT;
    case JSON_ARRAY: return LD_J_ARRAY;
    case JSON_STRING: return LD_J_STRING;
    case JSON_INTEGER: return LD_J_INT;
    case JSON_REAL: {
        double d = json_real_value(v);

        return d == (double)(json_int_t)d ? (LD_J_REAL | LD_J_INT)
                                          : LD_J_REAL;
    }
    case JSON_TRUE:
    case JSON_FALSE: return LD_J_BOOL;
    default: return LD_J_NULL;
    }
}

static void describe(const json_t *v, char *buf, size_t size)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    static const char *const names[] = {"an object", "an array", "a string",
                                        "an integer", "a number", "true",
                                        "false", "null"};

    snprintf(buf, size, "%s %.60s%s", names[json_typeof(v)], s ? s : "",
             s && strlen(s) > 60 ? "..." : "");
    free(s);
}

static int unknown_arg(size_t k, const char *key, ld_diag_t *d)
{
    const char *sug = NULL;
    char list[700];
    size_t n = 0, best = 3;

    list[0] = '\0';
    for (size_t i = 0; i < built[k].nparams && n < sizeof(list); i++) {
        size_t dd = ld_edit_distance(key, built[k].params[i]->name, best);

        if (dd < best) {
            best = dd;
            sug = built[k].params[i]->name;
        }
        n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
                              i ? ", " : "", built[k].params[i]->name);
    }
    if (sug)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "%s: unknown argument '%s' (did you mean '%s'?)",
                           tools[k].name, key, sug);
    return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                       "%s: unknown argument '%s'; it takes: %s",
                       tools[k].name, key, n ? list : "no arguments");
}

static int check_one(size_t k, const ld_param_t *p, const json_t *v,
                     ld_diag_t *d)
{
    char want[96], got[120];

    if (!(mask_of(v) & p->types)) {
        describe(v, got, sizeof(got));
        return ld_diag_set(d, LD_ETYPE, NULL, NULL,
                           "%s: argument '%s' must be %s, got %s%s",
                           tools[k].name, p->name,
                           ld_mask_text(p->types, want, sizeof(want)), got,
                           json_is_string(v) && (p->types & LD_J_NUMBER)
                               ? " (pass the number without quotes)"
                               : "");
    }
    if (p->enums && json_is_string(v)) {
        char list[400];
        size_t n = 0;

        for (size_t i = 0; p->enums[i]; i++)
            if (!strcmp(p->enums[i], json_string_value(v)))
                return 0;
        list[0] = '\0';
        for (size_t i = 0; p->enums[i] && n < sizeof(list); i++)
            n += (size_t)snprintf(list + n, sizeof(list) - n, "%s\"%s\"",
                                  i ? ", " : "", p->enums[i]);
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "%s: argument '%s' must be one of %s, got \"%s\"",
                           tools[k].name, p->name, list,
                           json_string_value(v));
    }
    return 0;
}

int mcp_tool_check_args(const mcp_tool_t *t, const json_t *args,
                        ld_diag_t *d)
{
    size_t k = index_of(t);
    const char *key;
    const json_t *v;
    int rc;

    json_object_foreach((json_t *)(uintptr_t)args, key, v) {
        const ld_param_t *p = param_of(k, key);

        if (!p)
            return unknown_arg(k, key, d);
        if (json_is_null(v) && !(p->types & LD_J_NULL))
            continue;   /* null means "the default", as in the executor */
        if ((rc = check_one(k, p, v, d)))
            return rc;
    }
    for (size_t i = 0; i < built[k].nparams; i++) {
        const ld_param_t *p = built[k].params[i];
        const json_t *a = json_object_get(args, p->name);
        char want[96];

        if (p->required && (!a || json_is_null(a)))
            return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                               "%s: missing required argument '%s' (%s: "
                               "%s)",
                               t->name, p->name,
                               ld_mask_text(p->types, want, sizeof(want)),
                               p->doc ? p->doc : "");
    }
    return 0;
}
