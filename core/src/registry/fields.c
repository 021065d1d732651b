/*
 * Task fields and named enums: the one description of what a task may hold,
 * used by the engine's compiler, the linter, the JSON Schema and completion.
 */
#include "registry/registry_int.h"

#include "ldcore/engine.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const methods[] = {"get",    "post",    "put",
                                      "patch",  "delete",  "head",
                                      "options", NULL};
static const char *const modes[] = {"sequence", "weighted", "conditional",
                                    NULL};
const char *const ld__load_shapes[] = {"stages", "spike", "soak", NULL};
static const char *const assertions[] = {"status_code", "contains",
                                         "not_contains", "json_path",
                                         "header", NULL};
static const char *const extractors[] = {"json_path", "header",
                                         "status_code", NULL};
static const char *const sla_metrics[] = {
    "latency_p50", "latency_p90", "latency_p95", "latency_p99",
    "latency_mean", "failure_rate", "requests", NULL};
static const char *const sla_ops[] = {"lt", "lte", "gt", "gte", NULL};
const char *const ld__runner_modes[] = {"local", "master", "worker",
                                        NULL};
/* "1.0" and "2.0" (= "2") last: accepted, not advertised first. */
const char *const ld__http_versions[] = {"1.1", "2", "2-prior-knowledge",
                                         "1.0", "2.0", NULL};
static const char *const predicates[] = {"equals", "not_equals", "in",
                                         "truthy", NULL};
static const char *const auth_types[] = {"basic", "bearer", NULL};

const ld__enum_t ld__enums[] = {
    {"method", methods},
    {"user", ld__users},
    {"mode", modes},
    {"load_shape", ld__load_shapes},
    {"assertion", assertions},
    {"extractor", extractors},
    {"sla_metric", sla_metrics},
    {"sla_op", sla_ops},
    {"runner_mode", ld__runner_modes},
    {"http_version", ld__http_versions},
    {"predicate", predicates},
    {"auth", auth_types},
    {"driver", ld__drivers},
};
const size_t ld__nenums = COUNT(ld__enums);

const ld_field_t ld__task_fields[] = {
    {"method", LD_J_STRING, methods,
     "HTTP method, case-insensitive (default get). In the legacy dict form "
     "the method is the key: {\"get\": {...}}.", NULL},
    {"request_url", LD_J_STRING, NULL,
     "Target URL; placeholders are expanded per request.", NULL},
    {"url", LD_J_STRING, NULL, "Alias of request_url.", NULL},
    {"name", LD_J_STRING, NULL,
     "Name the request is reported under (default: the URL as written, "
     "before placeholders are expanded).", NULL},
    {"params", LD_J_OBJECT, NULL,
     "Query parameters appended to the URL (values are expanded).", NULL},
    {"headers", LD_J_OBJECT, NULL, "Request headers (values are expanded).",
     NULL},
    {"cookies", LD_J_OBJECT, NULL, "Cookies sent with the request.", NULL},
    {"json", LD_J_ANY, NULL,
     "JSON body (sets Content-Type: application/json); strings inside are "
     "expanded.", NULL},
    {"data", LD_J_STRING | LD_J_OBJECT, NULL,
     "Raw body (a string), or form fields (an object, sent "
     "application/x-www-form-urlencoded).", NULL},
    {"files", LD_J_OBJECT | LD_J_ARRAY, NULL,
     "multipart/form-data upload, as python-requests sends it: {\"field\": "
     "\"content\"} (the field name is also the filename), {\"field\": "
     "[filename, content, content_type, headers]} (the last two optional, "
     "filename null for none), or a list of [field, file] pairs. Contents "
     "are text (nothing is read from disk); placeholders are expanded. The "
     "fields of an object \"data\" go first; \"json\" is ignored. "
     "Content-Type gets the boundary unless the task sets its own.",
     "upload"},
    {"timeout", LD_J_NUMBER, NULL, "Request timeout in seconds.", NULL},
    {"allow_redirects", LD_J_BOOL, NULL, "Follow redirects (default true).",
     NULL},
    {"verify", LD_J_BOOL | LD_J_STRING, NULL,
     "Verify TLS certificates (default true), or a CA bundle path.", NULL},
    {"cert", LD_J_STRING | LD_J_ARRAY, NULL,
     "Client certificate for mTLS: a PEM path, or [cert, key].", NULL},
    {"auth", LD_J_OBJECT | LD_J_ARRAY, NULL,
     "Authentication: {\"type\": \"basic\", \"username\", \"password\"}, "
     "{\"type\": \"bearer\", \"token\"}, or [username, password].", "auth"},
    {"assertions", LD_J_ARRAY, NULL,
     "Checks on the response: status_code, contains, not_contains, "
     "json_path, header.", "assertions"},
    {"extract", LD_J_ARRAY, NULL,
     "Values taken from the response into the user's scope: {\"var\", "
     "\"from\": json_path|header|status_code, \"path\"|\"name\"}.",
     "extract"},
    {"weight", LD_J_NUMBER, NULL,
     "Relative weight in weighted mode (positive).", NULL},
    {"think_time", LD_J_NUMBER | LD_J_OBJECT, NULL,
     "Pause after the task: seconds, or {\"min\", \"max\"} for a uniform "
     "random pause.", "think_time"},
    {"throttle", LD_J_OBJECT, NULL,
     "Token bucket {\"key\", \"rps\", \"burst\"} shared by every user "
     "(across threads) with the same key.", "throttle"},
    {"retry", LD_J_OBJECT, NULL,
     "Retry budgets {\"transient\", \"flaky\", \"permanent\", "
     "\"base_delay\", \"max_delay\"} with exponential backoff and jitter.",
     "retry"},
    {"run_if", LD_J_ANY, NULL,
     "Conditional mode: run the task only when the predicate holds.",
     "predicate"},
    {"skip_if", LD_J_ANY, NULL,
     "Conditional mode: skip the task when the predicate holds.",
     "predicate"},
    {"http_version", LD_J_STRING, ld__http_versions,
     "HTTP version for this task: \"1.1\", \"2\" (ALPN over TLS), or "
     "\"2-prior-knowledge\" (cleartext h2c).", NULL},
};
const size_t ld__ntask_fields = COUNT(ld__task_fields);
