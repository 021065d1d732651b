/*
 * rules.c - the rule table (from LD_LINT_RULES in lint.h) and the rule
 * reference of docs/lint.md, generated from it so the documentation cannot
 * drift from the code.
 */
#include "lint/lint_int.h"

#include <string.h>

static const ld_lint_rule_t rules[] = {
#define XX(e, id, sev, summary, example)                                       \
    {LD_RULE_##e, id, LD_LINT_##sev, summary, example},
    LD_LINT_RULES(XX)
#undef XX
};

const ld_lint_rule_t *ld_lint_rules(size_t *n)
{
    if (n)
        *n = sizeof(rules) / sizeof(rules[0]);
    return rules;
}

const ld_lint_rule_t *ld_lint_rule_find(const char *id)
{
    size_t i;

    for (i = 0; id && i < sizeof(rules) / sizeof(rules[0]); i++)
        if (strcmp(rules[i].id, id) == 0)
            return &rules[i];
    return NULL;
}

const char *ld_lint_severity_name(ld_lint_severity_t s)
{
    switch (s) {
    case LD_LINT_ERROR:
        return "error";
    case LD_LINT_WARNING:
        return "warning";
    case LD_LINT_INFO:
        return "info";
    }
    return "info";
}

/* Markdown table cells must not contain a raw "|". */
static int add_cell(ld_buf_t *out, const char *s)
{
    int rc = 0;

    for (; *s && !rc; s++)
        rc = *s == '|' ? ld_buf_adds(out, "\\|") : ld_buf_addc(out, *s);
    return rc;
}

static int rule_section(ld_buf_t *out, const ld_lint_rule_t *r)
{
    int rc = ld_buf_printf(out, "\n### `%s`\n\n%s (%s)\n", r->id, r->summary,
                           ld_lint_severity_name(r->severity));

    if (!rc && r->example)
        rc = ld_buf_printf(out, "\n```json\n%s\n```\n", r->example);
    return rc;
}

int ld_lint_rules_markdown(ld_buf_t *out)
{
    size_t i, n = sizeof(rules) / sizeof(rules[0]);
    int rc = ld_buf_adds(out, "| rule | severity | what it finds |\n"
                              "|---|---|---|\n");

    for (i = 0; i < n && !rc; i++) {
        rc = ld_buf_printf(out, "| [`%s`](#%s) | %s | ", rules[i].id,
                           rules[i].id,
                           ld_lint_severity_name(rules[i].severity));
        if (!rc)
            rc = add_cell(out, rules[i].summary);
        if (!rc)
            rc = ld_buf_adds(out, " |\n");
    }
    for (i = 0; i < n && !rc; i++)
        rc = rule_section(out, &rules[i]);
    return rc;
}
