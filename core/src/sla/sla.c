/*
 * SLA gates: judge rules {"type", "value", "op", "name"} against a summary
 * (ld_summary_build shape).
 *
 * Differences from the Python tool, on purpose: a rule the gate cannot
 * judge (unknown metric, unknown op, missing or non-numeric value, unknown
 * key, a name the run never requested) is an error naming the rule, not a
 * failed or - worse - skipped verdict, since a typo in a CI gate must never
 * pass silently. Rules about latency or failure rate with no request to
 * judge fail (actual null) instead of passing on zeros. latency_mean works
 * overall too, failure_rate per name too, and a per-name "requests" rule
 * counts every request of the name (Python counted its successes).
 */
#include "ldcore/report.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct metric {
    const char *type;
    const char *scope;    /* summary member holding the overall figure */
    const char *key;      /* key of the figure, overall and per name */
    bool latency;         /* judged over successful requests per name */
} metric_t;

static const metric_t metrics[] = {
    {"latency_p50", "latency_overall", "p50_ms", true},
    {"latency_p90", "latency_overall", "p90_ms", true},
    {"latency_p95", "latency_overall", "p95_ms", true},
    {"latency_p99", "latency_overall", "p99_ms", true},
    {"latency_mean", "latency_overall", "mean_ms", true},
    {"failure_rate", "totals", "failure_rate", false},
    {"requests", "totals", "requests", false},
};
#define NMETRICS (sizeof(metrics) / sizeof(metrics[0]))

static const char *const ops[] = {"lt", "lte", "gt", "gte"};
static const char *const keys[] = {"type", "value", "op", "name"};

/* ---- did-you-mean ---- */

static const char *closest(const char *s, const char *const *cands, size_t n)
{
    size_t max = strlen(s) / 3 > 2 ? strlen(s) / 3 : 2;
    const char *best = NULL;
    size_t bestd = max + 1;

    for (size_t i = 0; i < n; i++) {
        size_t dist = ld_edit_distance(s, cands[i], max);
        if (dist < bestd) {
            bestd = dist;
            best = cands[i];
        }
    }
    return best;
}

static void hint(char *buf, size_t size, const char *best)
{
    if (best)
        snprintf(buf, size, " (did you mean '%s'?)", best);
    else
        buf[0] = '\0';
}

static const metric_t *find_metric(const char *type)
{
    for (size_t i = 0; i < NMETRICS; i++)
        if (!strcmp(type, metrics[i].type))
            return &metrics[i];
    return NULL;
}

/* ---- rule shape ---- */

static int bad_key(const char *k, size_t index, ld_diag_t *d)
{
    char h[96];

    hint(h, sizeof(h), closest(k, keys, 4));
    return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                       "rules[%zu]: unknown key '%.200s'%s; a rule has "
                       "type, value, op and name", index, k, h);
}

static int check_type(const json_t *t, size_t index, ld_diag_t *d)
{
    const char *names[NMETRICS];
    char h[96];

    if (!t)
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "rules[%zu]: missing \"type\" (latency_p50, "
                           "latency_p90, latency_p95, latency_p99, "
                           "latency_mean, failure_rate or requests)", index);
    if (!json_is_string(t))
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "rules[%zu]: \"type\" must be a string", index);
    if (find_metric(json_string_value(t)))
        return 0;
    for (size_t i = 0; i < NMETRICS; i++)
        names[i] = metrics[i].type;
    hint(h, sizeof(h), closest(json_string_value(t), names, NMETRICS));
    return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                       "rules[%zu]: unknown metric '%.200s'%s", index,
                       json_string_value(t), h);
}

static int check_op(const json_t *op, size_t index, ld_diag_t *d)
{
    char lower[16];
    char h[96];
    size_t n = 0;

    if (!op || json_is_null(op))
        return 0;
    if (!json_is_string(op))
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "rules[%zu]: \"op\" must be a string (lt, lte, "
                           "gt or gte)", index);
    for (size_t i = 0; i < 4; i++)
        if (!strcasecmp(json_string_value(op), ops[i]))
            return 0;
    n = strlen(json_string_value(op));
    snprintf(lower, sizeof(lower), "%s", json_string_value(op));
    for (size_t i = 0; i < n && i < sizeof(lower) - 1; i++)
        lower[i] = (char)(lower[i] | 0x20);
    hint(h, sizeof(h), closest(lower, ops, 4));
    return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                       "rules[%zu]: unknown op '%.100s'%s; use lt, lte "
                       "(the default), gt or gte", index,
                       json_string_value(op), h);
}

int ld_sla_rule_check(const json_t *rule, size_t index, ld_diag_t *d)
{
    const char *k = NULL;
    json_t *v = NULL;
    const json_t *name = json_object_get(rule, "name");
    const json_t *val = json_object_get(rule, "value");
    int rc = 0;

    if (!json_is_object(rule))
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "rules[%zu]: expected an object {\"type\", "
                           "\"value\", \"op\", \"name\"}", index);
    json_object_foreach((json_t *)(uintptr_t)rule, k, v) {
        bool known = false;
        for (size_t i = 0; i < 4; i++)
            known |= !strcmp(k, keys[i]);
        if (!known)
            return bad_key(k, index, d);
    }
    rc = check_type(json_object_get(rule, "type"), index, d);
    if (!rc)
        rc = check_op(json_object_get(rule, "op"), index, d);
    if (!rc && (!val || json_is_null(val)))
        rc = ld_diag_set(d, LD_EINVAL, NULL, NULL,
                         "rules[%zu]: missing \"value\" (the threshold)",
                         index);
    if (!rc && !json_is_number(val))
        rc = ld_diag_set(d, LD_EINVAL, NULL, NULL,
                         "rules[%zu]: \"value\" must be a number", index);
    if (!rc && name && !json_is_null(name) && !json_is_string(name))
        rc = ld_diag_set(d, LD_EINVAL, NULL, NULL,
                         "rules[%zu]: \"name\" must be a string", index);
    return rc;
}

/* ---- judging ---- */

typedef struct judge {
    const json_t *summary;
    const json_t *per_name;
    size_t index;
    ld_diag_t *d;
} judge_t;

static const char *rule_name(const json_t *rule)
{
    const char *s = json_string_value(json_object_get(rule, "name"));

    return s && *s ? s : NULL;
}

static const char *rule_op(const json_t *rule)
{
    const char *s = json_string_value(json_object_get(rule, "op"));

    for (size_t i = 0; s && i < 4; i++)
        if (!strcasecmp(s, ops[i]))
            return ops[i];
    return "lte";
}

static bool compare(const char *op, double a, double b)
{
    if (!strcmp(op, "lt"))
        return a < b;
    if (!strcmp(op, "gt"))
        return a > b;
    if (!strcmp(op, "gte"))
        return a >= b;
    return a <= b;
}

static int unknown_name(const judge_t *j, const char *name)
{
    const char *best = NULL;
    size_t bestd = 0;
    size_t max = strlen(name) / 3 > 2 ? strlen(name) / 3 : 2;
    const char *k = NULL;
    json_t *v = NULL;
    char h[400];

    json_object_foreach((json_t *)(uintptr_t)j->per_name, k, v) {
        size_t dist = ld_edit_distance(name, k, max);
        if (dist <= max && (!best || dist < bestd)) {
            best = k;
            bestd = dist;
        }
    }
    if (best)
        snprintf(h, sizeof(h), " (did you mean '%.300s'?)", best);
    else
        snprintf(h, sizeof(h), " (the summary has %zu names)",
                 json_object_size(j->per_name));
    return ld_diag_set(j->d, LD_EINVAL, NULL, NULL,
                       "rules[%zu]: no request named '%.300s' in the "
                       "summary%s", j->index, name, h);
}

/* Why there is nothing to judge, or NULL when there is. */
static const char *no_data(const json_t *block, const metric_t *m,
                           const char *name, const json_t *totals)
{
    if (name && m->latency)
        return json_number_value(json_object_get(block, "count")) > 0
                   ? NULL : "no successful request of this name to measure";
    if (!strcmp(m->key, "requests"))
        return NULL;
    if (json_number_value(json_object_get(name ? block : totals,
                                          "requests")) > 0)
        return NULL;
    return "no requests recorded";
}

static json_t *verdict(const json_t *rule, bool passed, const json_t *actual,
                       const char *reason)
{
    return json_pack("{s:o,s:b,s:O,s:s}", "rule", json_deep_copy(rule),
                     "passed", passed, "actual", actual, "reason", reason);
}

static json_t *judge_value(const json_t *rule, const metric_t *m,
                           double actual)
{
    const char *name = rule_name(rule);
    const char *op = rule_op(rule);
    double want = json_number_value(json_object_get(rule, "value"));
    bool passed = compare(op, actual, want);
    json_t *a = json_real(actual);
    json_t *v = NULL;
    char reason[800] = "";

    if (!passed)
        snprintf(reason, sizeof(reason), "%s %s%.300s%s is %g, not %s %g",
                 m->type, name ? "of " : "(", name ? name : "overall",
                 name ? "" : ")", actual, op, want);
    v = a ? verdict(rule, passed, a, reason) : NULL;
    json_decref(a);
    return v;
}

static int judge_rule(judge_t *j, const json_t *rule, json_t **out)
{
    const metric_t *m = find_metric(
        json_string_value(json_object_get(rule, "type")));
    const char *name = rule_name(rule);
    const json_t *totals = json_object_get(j->summary, "totals");
    const json_t *block = name ? json_object_get(j->per_name, name)
                               : json_object_get(j->summary, m->scope);
    const json_t *fig = json_object_get(block, m->key);
    const char *why = NULL;

    if (name && !json_is_object(block))
        return unknown_name(j, name);
    if (!json_is_number(fig))
        return ld_diag_set(j->d, LD_EINVAL, NULL, NULL,
                           "rules[%zu]: the summary has no number '%s' "
                           "for %s", j->index, m->key,
                           name ? "this name" : m->scope);
    why = no_data(block, m, name, totals);
    *out = why ? verdict(rule, false, json_null(), why)
               : judge_value(rule, m, json_number_value(fig));
    return *out ? 0 : LD_ENOMEM;
}

static int check_summary(const json_t *s, ld_diag_t *d)
{
    if (!json_is_object(s))
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "the summary must be an object");
    if (!json_is_object(json_object_get(s, "totals")) ||
        !json_is_object(json_object_get(s, "latency_overall")))
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "the summary has no \"totals\" and "
                           "\"latency_overall\" objects (expected the "
                           "LD_summary shape)");
    return 0;
}

int ld_sla_evaluate(const json_t *rules, const json_t *summary,
                    json_t **verdicts, bool *all_passed, ld_diag_t *d)
{
    judge_t j = {summary, json_object_get(summary, "per_name"), 0, d};
    json_t *out = NULL;
    int rc = 0;

    *verdicts = NULL;
    *all_passed = false;
    if (!json_is_array(rules))
        return ld_diag_set(d, LD_EINVAL, NULL, NULL,
                           "SLA rules must be an array of objects");
    rc = check_summary(summary, d);
    if (rc)
        return rc;
    out = json_array();
    if (!out)
        return LD_ENOMEM;
    *all_passed = true;
    for (j.index = 0; j.index < json_array_size(rules) && !rc; j.index++) {
        const json_t *rule = json_array_get(rules, j.index);
        json_t *v = NULL;
        rc = ld_sla_rule_check(rule, j.index, d);
        if (!rc)
            rc = judge_rule(&j, rule, &v);
        if (!rc && json_array_append_new(out, v))
            rc = LD_ENOMEM;
        if (!rc)
            *all_passed &= json_is_true(json_object_get(v, "passed"));
    }
    if (rc) {
        json_decref(out);
        *all_passed = false;
        return rc;
    }
    *verdicts = out;
    return 0;
}

const char *ld_sla_failures_text(const json_t *verdicts, char *buf,
                                 size_t size)
{
    size_t len = 0;
    size_t i = 0;
    json_t *v = NULL;

    if (!size)
        return buf;
    buf[0] = '\0';
    json_array_foreach((json_t *)(uintptr_t)verdicts, i, v) {
        const char *reason = json_string_value(json_object_get(v, "reason"));
        int n = 0;
        if (json_is_true(json_object_get(v, "passed")) || !reason)
            continue;
        n = snprintf(buf + len, size - len, "%s%s", len ? "; " : "", reason);
        if (n < 0 || (size_t)n >= size - len)
            break;
        len += (size_t)n;
    }
    return buf;
}
