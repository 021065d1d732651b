/*
 * shapes.c - the keys of the structured values the registry tags with a
 * shape ("assertions", "extract", "throttle", ...): one description used by
 * the linter, the JSON Schema and completion. Keys and their meaning
 * follow the engine (core/src/engine, core/src/checks), which follows the
 * Python tool. The keys of user_detail_dict are a registry table
 * (core/src/registry/users.c).
 */
#include "lint/lint_int.h"

#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define K(name, types, req, en, shape, doc)                                    \
    {                                                                          \
        name, types, req, en, shape, doc                                       \
    }

static const ld_shape_key_t k_assertion[] = {
    K("type", LD_J_STRING, true, "assertion", NULL,
      "What to check: status_code, contains, not_contains, json_path, "
      "header."),
    K("value", LD_J_ANY, true, NULL, NULL,
      "Expected value: a status code, a text to find, a JSON value, or a "
      "header value."),
    K("path", LD_J_STRING, false, NULL, NULL,
      "json_path: dotted path into the JSON body, e.g. data.items.0.id."),
    K("name", LD_J_STRING, false, NULL, NULL, "header: the header name."),
};

static const ld_shape_key_t k_extract[] = {
    K("var", LD_J_STRING, true, NULL, NULL,
      "Variable the value is stored in (${var.NAME}), per virtual user."),
    K("from", LD_J_STRING, false, "extractor", NULL,
      "Where the value comes from: json_path (default), header, "
      "status_code."),
    K("path", LD_J_STRING, false, NULL, NULL,
      "json_path: dotted path into the JSON body."),
    K("name", LD_J_STRING, false, NULL, NULL, "header: the header name."),
};

static const ld_shape_key_t k_think[] = {
    K("min", LD_J_NUMBER, false, NULL, NULL, "Shortest pause in seconds."),
    K("max", LD_J_NUMBER, false, NULL, NULL, "Longest pause in seconds."),
};

static const ld_shape_key_t k_throttle[] = {
    K("key", LD_J_STRING, false, NULL, NULL,
      "Bucket shared by every task with the same key (default: the task "
      "name)."),
    K("rps", LD_J_NUMBER, true, NULL, NULL, "Requests per second."),
    K("burst", LD_J_NUMBER, false, NULL, NULL,
      "Bucket size (default: rps, at least 1)."),
};

static const ld_shape_key_t k_retry[] = {
    K("transient", LD_J_NUMBER, false, NULL, NULL,
      "Retries for transient errors (connection, timeout, 5xx; default 5)."),
    K("flaky", LD_J_NUMBER, false, NULL, NULL,
      "Retries for flaky errors (429 and similar; default 2)."),
    K("permanent", LD_J_NUMBER, false, NULL, NULL,
      "Retries for permanent errors (4xx; default 0)."),
    K("base_delay", LD_J_NUMBER, false, NULL, NULL,
      "First backoff delay in seconds (default 0.1)."),
    K("max_delay", LD_J_NUMBER, false, NULL, NULL,
      "Longest backoff delay in seconds (default 5)."),
    K("backoff_factor", LD_J_NUMBER, false, NULL, NULL,
      "Growth of the delay per attempt (default 2)."),
    K("jitter", LD_J_NUMBER, false, NULL, NULL,
      "Random share added to each delay (default 0.25)."),
};

static const ld_shape_key_t k_predicate[] = {
    K("equals", LD_J_ARRAY, false, NULL, NULL,
      "[a, b]: true when both (expanded) values are equal."),
    K("not_equals", LD_J_ARRAY, false, NULL, NULL,
      "[a, b]: true when they differ."),
    K("in", LD_J_ARRAY, false, NULL, NULL,
      "[needle, haystack]: true when needle is in haystack."),
    K("truthy", LD_J_ANY, false, NULL, NULL,
      "v: true when the expanded value is truthy."),
};

static const ld_shape_key_t k_auth[] = {
    K("type", LD_J_STRING, false, "auth", NULL, "basic or bearer."),
    K("username", LD_J_STRING, false, NULL, NULL, "basic: user name."),
    K("password", LD_J_STRING, false, NULL, NULL, "basic: password."),
    K("token", LD_J_STRING, false, NULL, NULL, "bearer: the token."),
};

static const ld_shape_key_t k_sla[] = {
    K("type", LD_J_STRING, true, "sla_metric", NULL,
      "Metric: latency_p50/p90/p95/p99, latency_mean, failure_rate, "
      "requests."),
    K("value", LD_J_NUMBER, true, NULL, NULL,
      "Threshold (milliseconds, a rate 0..1, or a count)."),
    K("op", LD_J_STRING, false, "sla_op", NULL,
      "Comparison the metric must satisfy: lt, lte (default), gt, gte."),
    K("name", LD_J_STRING, false, NULL, NULL,
      "Only requests reported under this name."),
};

static const ld_shape_key_t k_csv[] = {
    K("name", LD_J_STRING, true, NULL, NULL,
      "Source name (${csv.NAME.COLUMN})."),
    K("file_path", LD_J_STRING, true, NULL, NULL,
      "CSV file with a header row."),
    K("cycle", LD_J_BOOL, false, NULL, NULL,
      "Start again at the first row after the last (default true)."),
};

static const ld_shape_key_t k_stage[] = {
    K("duration", LD_J_NUMBER, true, NULL, NULL,
      "Seconds since the start at which this stage ends."),
    K("users", LD_J_NUMBER, true, NULL, NULL, "Users during the stage."),
    K("spawn_rate", LD_J_NUMBER, false, NULL, NULL,
      "Users started per second (default 1)."),
};

static const ld_shape_key_t k_shape_config[] = {
    K("stages", LD_J_ARRAY, false, NULL, "stages",
      "stages: [{\"duration\", \"users\", \"spawn_rate\"}, ...]."),
    K("baseline_users", LD_J_NUMBER, false, NULL, NULL,
      "spike: users "
      "before and after the spike."),
    K("spike_users", LD_J_NUMBER, false, NULL, NULL,
      "spike: users during the spike."),
    K("spawn_rate", LD_J_NUMBER, false, NULL, NULL,
      "Users started per second."),
    K("pre_seconds", LD_J_NUMBER, false, NULL, NULL,
      "spike: seconds before the spike."),
    K("spike_seconds", LD_J_NUMBER, false, NULL, NULL,
      "spike: length of the spike."),
    K("post_seconds", LD_J_NUMBER, false, NULL, NULL,
      "spike: seconds after the spike."),
    K("users", LD_J_NUMBER, false, NULL, NULL, "soak: users."),
    K("ramp_seconds", LD_J_NUMBER, false, NULL, NULL, "soak: ramp-up."),
    K("hold_seconds", LD_J_NUMBER, false, NULL, NULL, "soak: hold."),
    K("cooldown_seconds", LD_J_NUMBER, false, NULL, NULL, "soak: ramp-down."),
};

#define S(name, doc, list, open, keys)                                         \
    {                                                                          \
        name, doc, list, open, keys, COUNT(keys)                               \
    }

static const ld_shape_t shapes[] = {
    S("assertions", "A check on the response.", true, false, k_assertion),
    S("extract", "A value taken from the response.", true, false, k_extract),
    S("think_time", "A pause: seconds, or {\"min\", \"max\"}.", false, false,
      k_think),
    S("throttle", "A token bucket shared across users.", false, false,
      k_throttle),
    S("retry", "Retry budgets with exponential backoff.", false, false,
      k_retry),
    S("predicate",
      "A condition: true/false, a number, a string "
      "(truthy after expansion), or one operator.",
      false, false, k_predicate),
    S("auth", "Request authentication.", false, false, k_auth),
    S("sla_rules", "An SLA rule.", true, false, k_sla),
    S("csv_sources", "A CSV source.", true, false, k_csv),
    S("stages", "A stage of the stages load shape.", true, true, k_stage),
    S("shape_config", "Parameters of the load shape.", false, true,
      k_shape_config),
};

const ld_shape_t *ld_shape_find(const char *name)
{
    const ld_shape_t *s = ld_registry_shape(name);
    size_t i;

    if (s)
        return s; /* user_detail_dict: the registry's user table */
    for (i = 0; name && i < COUNT(shapes); i++)
        if (LD__EQ(shapes[i].name, name))
            return &shapes[i];
    return NULL;
}

const ld_shape_key_t *ld_shape_key(const ld_shape_t *s, const char *key)
{
    size_t i;

    for (i = 0; s && key && i < s->nkeys; i++)
        if (LD__EQ(s->keys[i].name, key))
            return &s->keys[i];
    return NULL;
}
