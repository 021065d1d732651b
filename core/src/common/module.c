/* module.c - find and open a LoadDensity module (see ldcore/module.h). */
#include "ldcore/module.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The directory of the running program ("" when unknown). */
static void exe_dir(char *dir, size_t n)
{
    ssize_t len = readlink("/proc/self/exe", dir, n - 1);
    char *slash;

    dir[len > 0 ? (size_t)len : 0] = '\0';
    slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        dir[0] = '\0';
}

void *ld_module_symbol(const char *file, const char *env, const char *symbol,
                       char *err, size_t errlen)
{
    const char *over = env ? getenv(env) : NULL;
    char dir[PATH_MAX], path[PATH_MAX + 64];
    void *h = NULL, *sym;

    exe_dir(dir, sizeof(dir));
    for (int i = 0; i < 3 && !h; i++) {
        if (i == 0 && !(over && *over))
            continue;
        if (i == 0)
            snprintf(path, sizeof(path), "%s", over);
        else if ((size_t)snprintf(path, sizeof(path), "%s%s%s", dir,
                                  i == 1 ? "/" : "/../lib/loaddensity/",
                                  file) >= sizeof(path))
            continue;
        /* An explicit path, or the last place, is opened even if it does
         * not seem to exist, so that dlerror() says what went wrong. */
        if (i == 0 || i == 2 || access(path, F_OK) == 0)
            h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
        if (!h && i == 0)
            break;
    }
    if (!h) {
        const char *why = dlerror();
        snprintf(err, errlen, "cannot load %s: %s", path,
                 why ? why : "not found");
        return NULL;
    }
    sym = dlsym(h, symbol);
    if (!sym)
        snprintf(err, errlen, "%s has no symbol %s", path, symbol);
    return sym;
}
