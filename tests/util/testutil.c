#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[256];

static void cleanup(void)
{
    char cmd[300];

    if (tmpdir[0] && !getenv("LD_KEEP_TMP")) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir);
    }
}

const char *tu_fixture(const char *rel)
{
    static char buf[1024];
    const char *base = getenv("LD_FIXTURES");

    snprintf(buf, sizeof(buf), "%s/%s", base ? base : "tests/fixtures", rel);
    return buf;
}

const char *tu_tmpdir(void)
{
    if (!tmpdir[0]) {
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/ldtest.XXXXXX");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            abort();
        }
        atexit(cleanup);
    }
    return tmpdir;
}

const char *tu_write(const char *dir, const char *name, const char *text)
{
    static char ring[8][1024];
    static int k;
    char *path = ring[k++ % 8];
    FILE *f;

    snprintf(path, 1024, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f) {
        perror(path);
        abort();
    }
    fputs(text, f);
    fclose(f);
    return path;
}

char *tu_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

const char *tu_cli(void)
{
    const char *p = getenv("LOADDENSITY");

    return p ? p : "loaddensity";
}
