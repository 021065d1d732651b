/*
 * commands.c - the handlers of LD_lint_action, LD_lint_action_file and
 * LD_export_schema. Like the Python tool, linting returns the findings as a
 * list and does not fail the action when the linted document has errors.
 */
#include "lint/lint_int.h"

#include <stdlib.h>

#define MAX_KNOWN 256

/* known_commands: a list of strings (others are ignored). */
static size_t known_list(const ld_args_t *args, const char **out)
{
    const ld_node_t *k = ld_args_get(args, "known_commands");
    size_t i, n = 0;

    for (i = 0; k && k->type == LD_TARRAY && i < k->u.arr.n; i++)
        if (k->u.arr.items[i]->type == LD_TSTRING && n < MAX_KNOWN)
            out[n++] = k->u.arr.items[i]->u.str.s;
    return n;
}

static int finish(ld_lint_result_t *r, int rc, json_t **result,
                  const ld_args_t *args, ld_diag_t *d)
{
    if (!rc && !(*result = ld_lint_result_to_json(r)))
        rc = LD_ENOMEM;
    ld_lint_result_free(r);
    if (rc == LD_ENOMEM)
        ld_diag_set(d, rc, args->file, &args->action->pos, "out of memory");
    return rc;
}

int ld_cmd_lint_action(ld_ctx_t *ctx, const ld_args_t *args, json_t **result,
                       ld_diag_t *d)
{
    const char *known[MAX_KNOWN];
    ld_lint_opts_t o = {.known_commands = known};
    ld_lint_result_t r;
    int rc;

    (void)ctx;
    o.nknown = known_list(args, known);
    ld_lint_result_init(&r);
    rc = ld_lint_node(ld_args_get(args, "actions"), NULL, 0,
                      args->file ? args->file : "<actions>", &o, &r);
    return finish(&r, rc, result, args, d);
}

int ld_cmd_lint_action_file(ld_ctx_t *ctx, const ld_args_t *args,
                            json_t **result, ld_diag_t *d)
{
    const char *known[MAX_KNOWN];
    ld_lint_opts_t o = {.known_commands = known};
    ld_lint_result_t r;
    int rc;

    (void)ctx;
    o.nknown = known_list(args, known);
    ld_lint_result_init(&r);
    rc = ld_lint_file(ld_args_str(args, "path", ""), &o, &r, d);
    if (rc && rc != LD_ENOMEM) {
        ld_lint_result_free(&r);
        return rc;
    }
    return finish(&r, rc, result, args, d);
}

int ld_cmd_export_schema(ld_ctx_t *ctx, const ld_args_t *args, json_t **result,
                         ld_diag_t *d)
{
    const char *known[MAX_KNOWN];
    const char *path = ld_args_str(args, "path", "");
    size_t n = known_list(args, known);
    int rc;

    (void)ctx;
    rc = ld_schema_write(path, known, n, d);
    if (rc)
        return rc;
    *result = json_string(path);
    return *result ? 0 : LD_ENOMEM;
}
