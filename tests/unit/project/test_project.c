/*
 * The project skeleton shared by `loaddensity init` and the MCP tool
 * create_project: files and modes, keeping or overwriting what exists,
 * stopping from the callback, errors, and action files that lint clean.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ldcore/lint.h"
#include "ldcore/project.h"

typedef struct seen {
    char paths[8][4200];
    bool created[8];
    size_t n;
    size_t stop_after; /* 0: never */
} seen_t;

static bool on_file(void *user, const char *path, bool created)
{
    seen_t *s = user;

    assert_true(s->n < 8);
    snprintf(s->paths[s->n], sizeof(s->paths[0]), "%s", path);
    s->created[s->n++] = created;
    return !s->stop_after || s->n < s->stop_after;
}

static const char *const names[] = {
    LD_PROJECT_DIR "/keyword/keyword1.json",
    LD_PROJECT_DIR "/keyword/keyword2.json",
    LD_PROJECT_DIR "/executor/run_all.sh",
};

static void creates_then_keeps(void **state)
{
    char base[1024], want[1200];
    seen_t s;
    ld_diag_t d;
    struct stat st;

    (void)state;
    snprintf(base, sizeof(base), "%s/a/b", tu_tmpdir()); /* parents too */
    memset(&s, 0, sizeof(s));
    assert_int_equal(ld_project_create(base, 0, on_file, &s, &d), 0);
    assert_int_equal(s.n, 3);
    for (size_t i = 0; i < 3; i++) {
        snprintf(want, sizeof(want), "%s/%s", base, names[i]);
        assert_string_equal(s.paths[i], want);
        assert_true(s.created[i]);
        assert_int_equal(stat(want, &st), 0);
        assert_int_equal(st.st_mode & 0777, i == 2 ? 0755 : 0644);
    }
    /* again: every file is kept and reported so */
    tu_write(base, LD_PROJECT_DIR "/keyword/keyword1.json", "mine\n");
    memset(&s, 0, sizeof(s));
    assert_int_equal(ld_project_create(base, 0, on_file, &s, &d), 0);
    assert_int_equal(s.n, 3);
    for (size_t i = 0; i < 3; i++)
        assert_false(s.created[i]);
    snprintf(want, sizeof(want), "%s/%s", base, names[0]);
    {
        char *text = tu_read(want, NULL);

        assert_string_equal(text, "mine\n");
        free(text);
    }
    /* the callback stops it at the first file */
    memset(&s, 0, sizeof(s));
    s.stop_after = 1;
    assert_int_equal(ld_project_create(base, 0, on_file, &s, &d), LD_ESTOPPED);
    assert_int_equal(s.n, 1);
    /* force: overwritten, and without a callback */
    assert_int_equal(ld_project_create(base, LD_PROJECT_FORCE, NULL, NULL, &d),
                     0);
    {
        char *text = tu_read(want, NULL);

        assert_non_null(strstr(text, "LD_start_test"));
        free(text);
    }
}

/* The action files of the skeleton are clean for the linter. */
static void files_lint_clean(void **state)
{
    char base[1024], path[1200];
    ld_diag_t d;

    (void)state;
    snprintf(base, sizeof(base), "%s/lint", tu_tmpdir());
    assert_int_equal(ld_project_create(base, 0, NULL, NULL, &d), 0);
    for (size_t i = 0; i < 2; i++) {
        ld_lint_result_t r;

        snprintf(path, sizeof(path), "%s/%s", base, names[i]);
        ld_lint_result_init(&r);
        assert_int_equal(ld_lint_file(path, NULL, &r, &d), 0);
        if (r.errors || r.warnings)
            fail_msg("%s: %s", path, r.items[0].message);
        ld_lint_result_free(&r);
    }
}

static void errors(void **state)
{
    char base[1024], *longdir;
    ld_diag_t d;

    (void)state;
    tu_write(tu_tmpdir(), "plain", "x");
    snprintf(base, sizeof(base), "%s/plain", tu_tmpdir());
    ld_diag_clear(&d);
    assert_int_equal(ld_project_create(base, 0, NULL, NULL, &d), LD_EIO);
    assert_non_null(strstr(d.msg, "cannot create"));
    longdir = malloc(5000);
    memset(longdir, 'x', 4999);
    longdir[4999] = '\0';
    assert_int_equal(ld_project_create(longdir, 0, NULL, NULL, &d), LD_ETOOBIG);
    free(longdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(creates_then_keeps),
        cmocka_unit_test(files_lint_clean),
        cmocka_unit_test(errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
