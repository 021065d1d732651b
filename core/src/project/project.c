/*
 * project.c - the project skeleton written by `loaddensity init` and the MCP
 * tool create_project: the layout of the Python tool's create_project_dir
 * (keyword/ and executor/), with action files that run against the
 * embedded target.
 */
#include "ldcore/project.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char keyword1[] =
    "{\"load_density\": [\n"
    "  [\"LD_register_variables\", {\"variables\": {\"base\": "
    "\"http://127.0.0.1:18089\"}}],\n"
    "  [\"LD_start_test\", {\n"
    "    \"user_detail_dict\": {\"user\": \"fast_http_user\"},\n"
    "    \"user_count\": 10, \"spawn_rate\": 5, \"test_time\": 10,\n"
    "    \"tasks\": [\n"
    "      {\"method\": \"get\", \"request_url\": \"${var.base}/get\",\n"
    "       \"assertions\": [{\"type\": \"status_code\", \"value\": 200}]}\n"
    "    ]\n"
    "  }],\n"
    "  [\"LD_generate_summary_report\", {\"report_name\": \"keyword1\"}]\n"
    "]}\n";

static const char keyword2[] =
    "{\"load_density\": [\n"
    "  [\"LD_register_variables\", {\"variables\": {\"base\": "
    "\"http://127.0.0.1:18089\"}}],\n"
    "  [\"LD_start_test\", {\n"
    "    \"user_detail_dict\": {\"user\": \"fast_http_user\"},\n"
    "    \"user_count\": 5, \"spawn_rate\": 5, \"test_time\": 10,\n"
    "    \"tasks\": {\"mode\": \"sequence\", \"tasks\": [\n"
    "      {\"method\": \"post\", \"request_url\": \"${var.base}/login\",\n"
    "       \"extract\": [{\"var\": \"token\", \"from\": \"json_path\", "
    "\"path\": \"data.token\"}]},\n"
    "      {\"method\": \"get\", \"request_url\": \"${var.base}/auth\",\n"
    "       \"headers\": {\"Authorization\": \"Bearer ${var.token}\"},\n"
    "       \"assertions\": [{\"type\": \"status_code\", \"value\": 200}]}\n"
    "    ]}\n"
    "  }],\n"
    "  [\"LD_generate_summary_report\", {\"report_name\": \"keyword2\"}]\n"
    "]}\n";

static const char run_all[] =
    "#!/bin/sh\n"
    "# Run every action file of this project against the embedded target.\n"
    "# Point the \"base\" variable of the keyword files at your own server\n"
    "# and use `loaddensity run-dir keyword` instead.\n"
    "cd \"$(dirname \"$0\")/..\" || exit 2\n"
    "for f in keyword/*.json; do\n"
    "  loaddensity demo \"$f\" || exit $?\n"
    "done\n";

static const struct {
    const char *path; /* under LD_PROJECT_DIR */
    const char *text;
    mode_t mode;
} files[] = {
    {"keyword/keyword1.json", keyword1, 0644},
    {"keyword/keyword2.json", keyword2, 0644},
    {"executor/run_all.sh", run_all, 0755},
};

/* mkdir -p of the folder that holds path (path is edited and restored). */
static int mkdir_parents(char *path, ld_diag_t *d)
{
    char *slash = strrchr(path, '/');

    if (!slash || slash == path)
        return 0;
    *slash = '\0';
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            goto fail;
        *p = '/';
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        goto fail;
    *slash = '/';
    return 0;
fail:
    ld_diag_set(d, LD_EIO, NULL, NULL, "cannot create %s: %s", path,
                strerror(errno));
    return LD_EIO;
}

static int write_file(const char *path, const char *text, mode_t mode,
                      ld_diag_t *d)
{
    FILE *f = fopen(path, "w");
    int err;

    if (f && fputs(text, f) >= 0 && fclose(f) == 0) {
        chmod(path, mode);
        return 0;
    }
    err = errno;
    if (f)
        fclose(f);
    return ld_diag_set(d, LD_EIO, NULL, NULL, "cannot write %s: %s", path,
                       strerror(err));
}

int ld_project_create(const char *dir, unsigned flags, ld_project_file_cb cb,
                      void *user, ld_diag_t *d)
{
    char path[PATH_MAX];
    int rc = 0;

    for (size_t i = 0; !rc && i < sizeof(files) / sizeof(files[0]); i++) {
        bool created = true;
        int n = snprintf(path, sizeof(path), "%s/" LD_PROJECT_DIR "/%s", dir,
                         files[i].path);

        if (n < 0 || (size_t)n >= sizeof(path))
            return ld_diag_set(d, LD_ETOOBIG, NULL, NULL,
                               "%.200s...: the path is too long", dir);
        if ((rc = mkdir_parents(path, d)))
            break;
        if (!(flags & LD_PROJECT_FORCE) && access(path, F_OK) == 0)
            created = false;
        else if ((rc = write_file(path, files[i].text, files[i].mode, d)))
            break;
        if (cb && !cb(user, path, created))
            rc = LD_ESTOPPED;
    }
    return rc;
}
