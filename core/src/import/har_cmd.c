/*
 * har_cmd.c - reading HAR files and the LD_load_har / LD_har_to_tasks /
 * LD_har_to_action_json command handlers.
 */
#include <stdlib.h>
#include <string.h>

#include "import/import_int.h"
#include "ldcore/exec.h"

int ld_har_parse(const char *text, size_t len, const char *name,
                 json_t **har, ld_diag_t *d)
{
    json_error_t err;
    ld_pos_t pos;
    json_t *j;

    *har = NULL;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
        text += 3;
        len -= 3;
    }
    j = json_loadb(text, len, 0, &err);
    /* jansson reports ENOMEM as json_error_out_of_memory, or (its lexer
       failing to start) as no error text at all */
    if (!j && (json_error_code(&err) == json_error_out_of_memory ||
               !err.text[0]))
        return ld_diag_set(d, LD_ENOMEM, name, NULL, "out of memory");
    if (!j) {
        memset(&pos, 0, sizeof(pos));
        pos.line = err.line > 0 ? (uint32_t)err.line : 0;
        pos.col = err.column > 0 ? (uint32_t)err.column : 0;
        return ld_diag_set(d, LD_ESYNTAX, name, pos.line ? &pos : NULL,
                           "not valid JSON: %s", err.text);
    }
    if (!json_is_array(json_object_get(json_object_get(j, "log"),
                                       "entries"))) {
        json_decref(j);
        return ld_diag_set(d, LD_EINVAL, name, NULL,
                           "not a HAR document: expected {\"log\": "
                           "{\"entries\": [...]}}");
    }
    *har = j;
    return 0;
}

int ld_har_load(const char *path, json_t **har, ld_diag_t *d)
{
    char *text = NULL;
    size_t len = 0;
    int rc;

    *har = NULL;
    rc = ld_read_file(path, &text, &len, d);
    if (rc)
        return rc;
    rc = ld_har_parse(text, len, path, har, d);
    free(text);
    return rc;
}

/* ---- command handlers ---- */

/* Collect the strings of an include / exclude argument (borrowed from the
   document). */
static int patterns(const ld_args_t *args, const char *name,
                    const char ***out, size_t *n, ld_diag_t *d)
{
    const ld_node_t *v = ld_args_get(args, name);
    const char **p;

    *out = NULL;
    *n = 0;
    if (!v || v->type != LD_TARRAY || !v->u.arr.n)
        return 0;
    if (!(p = calloc(v->u.arr.n, sizeof(*p))))
        return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < v->u.arr.n; i++) {
        const ld_node_t *it = v->u.arr.items[i];

        if (it->type != LD_TSTRING) {
            free(p);
            return ld_diag_set(d, LD_ETYPE, args->file, &it->pos,
                               "%s: every %s pattern must be a string (a "
                               "regular expression), got %s",
                               args->cmd->name, name, ld_type_name(it->type));
        }
        p[i] = it->u.str.s;
    }
    *out = p;
    *n = v->u.arr.n;
    return 0;
}

/* Point a diagnostic without a position at the action. */
static int at_action(const ld_args_t *args, int rc, ld_diag_t *d)
{
    if (rc && d && !d->pos.line && !d->file[0]) {
        char msg[sizeof(d->msg)];

        snprintf(msg, sizeof(msg), "%.60s: %.900s", args->cmd->name, d->msg);
        ld_diag_set(d, rc, args->file, &args->action->pos, "%s", msg);
    }
    return rc;
}

int ld_cmd_load_har(ld_ctx_t *ctx, const ld_args_t *args, json_t **result,
                    ld_diag_t *d)
{
    (void)ctx;
    return ld_har_load(ld_args_str(args, "file_path", ""), result, d);
}

static int opts_from_args(const ld_args_t *args, ld_har_opts_t *o,
                          ld_diag_t *d)
{
    const char **inc = NULL, **exc = NULL;
    int rc;

    ld_har_opts_init(o);
    if ((rc = patterns(args, "include", &inc, &o->ninclude, d)) ||
        (rc = patterns(args, "exclude", &exc, &o->nexclude, d))) {
        free(inc);
        return rc;
    }
    o->include = inc;
    o->exclude = exc;
    o->user = ld_args_str(args, "user", "fast_http_user");
    o->user_count = ld_args_int(args, "user_count", 10);
    o->spawn_rate = ld_args_num(args, "spawn_rate", 5);
    o->test_time = ld_args_num(args, "test_time", 60);
    return 0;
}

static void opts_release(ld_har_opts_t *o)
{
    free((void *)(uintptr_t)o->include);
    free((void *)(uintptr_t)o->exclude);
}

typedef int (*convert_fn)(const json_t *, const ld_har_opts_t *, json_t **,
                          ld_har_stats_t *, ld_diag_t *);

static int run_convert(const ld_args_t *args, convert_fn fn, json_t **result,
                       ld_diag_t *d)
{
    ld_har_opts_t o;
    json_t *har;
    int rc;

    if ((rc = opts_from_args(args, &o, d)))
        return rc;
    har = ld_node_to_json(ld_args_get(args, "har"));
    if (!har)
        rc = ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    else
        rc = fn(har, &o, result, NULL, d);
    json_decref(har);
    opts_release(&o);
    return at_action(args, rc, d);
}

int ld_cmd_har_to_tasks(ld_ctx_t *ctx, const ld_args_t *args,
                        json_t **result, ld_diag_t *d)
{
    (void)ctx;
    return run_convert(args, ld_har_to_tasks, result, d);
}

int ld_cmd_har_to_action_json(ld_ctx_t *ctx, const ld_args_t *args,
                              json_t **result, ld_diag_t *d)
{
    (void)ctx;
    return run_convert(args, ld_har_to_action_json, result, d);
}
