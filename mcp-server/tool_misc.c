/*
 * tool_misc.c - create_project, list_executor_commands and import_har.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ldcore/import.h"
#include "ldcore/project.h"
#include "mcp.h"

/* ---- create_project: the skeleton of `loaddensity init` ---- */

/* Existing files are kept (and listed) unless force is true. */
typedef struct made {
    json_t *made;
    json_t *kept;
    int rc;
} made_t;

static bool on_file(void *user, const char *path, bool created)
{
    made_t *m = user;

    if (json_array_append_new(created ? m->made : m->kept, json_string(path)))
        m->rc = LD_ENOMEM;
    return !m->rc;
}

int mcp_tool_create_project(mcp_call_t *c, const json_t *args, json_t **out,
                            ld_diag_t *d)
{
    const char *path = json_string_value(json_object_get(args, "path"));
    bool force = json_is_true(json_object_get(args, "force"));
    char real[PATH_MAX], dir[PATH_MAX + 32];
    made_t m = {json_array(), json_array(), 0};
    int rc;

    if (!m.made || !m.kept) {
        rc = ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
        goto out;
    }
    if ((rc = mcp_path_check(c->srv, path, "path", real, d)))
        goto out;
    rc = ld_project_create(real, force ? LD_PROJECT_FORCE : 0, on_file, &m, d);
    if (rc == LD_ESTOPPED)
        rc = ld_diag_set(d, m.rc, NULL, NULL, "out of memory");
    if (rc)
        goto out;
    snprintf(dir, sizeof(dir), "%s/" LD_PROJECT_DIR, real);
    *out = json_pack("{s:s,s:s,s:O,s:O}", "path", dir, "status",
                     json_array_size(m.made) ? "created" : "exists", "files",
                     m.made, "kept", m.kept);
out:
    json_decref(m.made);
    json_decref(m.kept);
    return rc;
}

/* ---- list_executor_commands ---- */

static json_t *brief(const json_t *cmd)
{
    return json_pack("{s:O,s:O,s:O,s:O}", "name",
                     json_object_get(cmd, "name"), "group",
                     json_object_get(cmd, "group"), "summary",
                     json_object_get(cmd, "summary"), "available",
                     json_object_get(cmd, "available"));
}

static int add_details(const json_t *reg, const json_t *names, json_t *out,
                       ld_diag_t *d)
{
    const json_t *n, *cmd;
    size_t i, j;

    json_array_foreach(names, i, n) {
        const char *want = json_string_value(n);
        bool found = false;

        json_array_foreach(reg, j, cmd)
            if (want && !strcmp(want, json_string_value(
                                         json_object_get(cmd, "name")))) {
                json_array_append(out, (json_t *)(uintptr_t)cmd);
                found = true;
            }
        if (!found) {
            const char *sug = want ? ld_registry_suggest(want) : NULL;

            return ld_diag_set(d, LD_ENOTFOUND, NULL, NULL,
                               "list_executor_commands: no command %s%s%s%s",
                               want ? want : "(names must be strings)",
                               sug ? " (did you mean " : "", sug ? sug : "",
                               sug ? "?)" : "");
        }
    }
    return 0;
}

int mcp_tool_list_commands(mcp_call_t *c, const json_t *args, json_t **out,
                           ld_diag_t *d)
{
    const char *group = json_string_value(json_object_get(args, "group"));
    bool avail = json_is_true(json_object_get(args, "available_only"));
    const json_t *names = json_object_get(args, "names"), *cmd;
    json_t *reg = ld_registry_to_json(), *list = json_array(), *det = NULL;
    size_t i;
    int rc = 0;

    (void)c;
    if (!reg || !list) {
        rc = ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
        goto out;
    }
    json_array_foreach(reg, i, cmd) {
        if (group && strcasecmp(group, json_string_value(json_object_get(
                                           cmd, "group"))))
            continue;
        if (avail && !json_is_true(json_object_get(cmd, "available")))
            continue;
        json_array_append_new(list, brief(cmd));
    }
    if (json_is_array(names) && json_array_size(names)) {
        det = json_array();
        rc = add_details(reg, names, det, d);
    }
    if (!rc)
        *out = json_pack("{s:I,s:O}", "count",
                         (json_int_t)json_array_size(list), "commands", list);
    if (!rc && det)
        json_object_set(*out, "details", det);
out:
    json_decref(reg);
    json_decref(list);
    json_decref(det);
    return rc;
}

/* ---- import_har ---- */

static int patterns(const json_t *arr, const char *what, const char ***out,
                    size_t *n, ld_diag_t *d)
{
    const json_t *v;
    size_t i;

    *out = NULL;
    *n = 0;
    if (!json_is_array(arr) || !json_array_size(arr))
        return 0;
    if (!(*out = calloc(json_array_size(arr), sizeof(**out))))
        return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v))
            return ld_diag_set(d, LD_ETYPE, NULL, NULL,
                               "import_har: %s[%zu] must be a string (a "
                               "regular expression)",
                               what, i);
        (*out)[i] = json_string_value(v);
    }
    *n = json_array_size(arr);
    return 0;
}

static int write_doc(mcp_call_t *c, const char *path, const json_t *doc,
                     char *real, ld_diag_t *d)
{
    char tmp[PATH_MAX + 16];
    int rc = mcp_path_check(c->srv, path, "output_path", real, d);

    if (rc)
        return rc;
    snprintf(tmp, sizeof(tmp), "%s.tmp", real);
    if (json_dump_file(doc, tmp, JSON_INDENT(2)) != 0 ||
        rename(tmp, real) != 0) {
        int err = errno;

        remove(tmp);
        return ld_diag_set(d, LD_EIO, NULL, NULL, "cannot write %s: %s",
                           real, strerror(err));
    }
    return 0;
}

static json_t *import_stats(const char *file, const ld_har_stats_t *st)
{
    return json_pack("{s:s,s:I,s:I,s:I,s:I,s:I}", "file", file, "entries",
                     (json_int_t)st->entries, "tasks", (json_int_t)st->tasks,
                     "filtered", (json_int_t)st->filtered, "unsupported",
                     (json_int_t)st->unsupported, "invalid",
                     (json_int_t)st->invalid);
}

static json_t *import_result(mcp_call_t *c, json_t *doc, json_t *stats,
                             const char *written)
{
    size_t sz = mcp_json_size(doc);
    json_t *o = json_pack("{s:o}", "import", stats);

    if (!o)
        return NULL;
    if (written)
        json_object_set_new(stats, "output_path", json_string(written));
    if (sz <= c->srv->opts.max_result_bytes - 1024) {
        json_object_set(o, "load_density",
                        json_object_get(doc, "load_density"));
        return o;
    }
    json_object_set_new(
        o, "note",
        json_string(written ? "the action document is too large to return "
                              "here; it was written to output_path: run it "
                              "with run_action_json {\"file\": output_path}"
                            : "the action document is too large to return "
                              "here; call import_har again with output_path "
                              "(and include / exclude to narrow it), then "
                              "run_action_json {\"file\": output_path}"));
    return o;
}

int mcp_tool_import_har(mcp_call_t *c, const json_t *args, json_t **out,
                        ld_diag_t *d)
{
    const char *out_path = json_string_value(json_object_get(args,
                                                             "output_path"));
    const char **inc = NULL, **exc = NULL;
    char real[PATH_MAX], written[PATH_MAX];
    json_t *har = NULL, *doc = NULL;
    ld_har_opts_t o;
    ld_har_stats_t st;
    int rc;

    ld_har_opts_init(&o);
    if ((rc = patterns(json_object_get(args, "include"), "include", &inc,
                       &o.ninclude, d)) ||
        (rc = patterns(json_object_get(args, "exclude"), "exclude", &exc,
                       &o.nexclude, d)))
        goto out;
    o.include = inc;
    o.exclude = exc;
    if (json_is_string(json_object_get(args, "user")))
        o.user = json_string_value(json_object_get(args, "user"));
    if (json_is_integer(json_object_get(args, "user_count")))
        o.user_count = json_integer_value(json_object_get(args,
                                                          "user_count"));
    if (json_is_number(json_object_get(args, "spawn_rate")))
        o.spawn_rate = json_number_value(json_object_get(args, "spawn_rate"));
    if (json_is_number(json_object_get(args, "test_time")))
        o.test_time = json_number_value(json_object_get(args, "test_time"));
    if ((rc = mcp_path_check(c->srv, json_string_value(json_object_get(
                                         args, "file_path")),
                             "file_path", real, d)) ||
        (rc = ld_har_load(real, &har, d)) ||
        (rc = ld_har_to_action_json(har, &o, &doc, &st, d)))
        goto out;
    if (out_path && (rc = write_doc(c, out_path, doc, written, d)))
        goto out;
    *out = import_result(c, doc, import_stats(real, &st),
                         out_path ? written : NULL);
    rc = *out ? 0 : ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
out:
    free(inc);
    free(exc);
    json_decref(har);
    json_decref(doc);
    return rc;
}
