/*
 * module.h - loading a LoadDensity module (a dlopen'ed shared object).
 *
 * The command-line front ends start in a couple of milliseconds because
 * they link only what the quick commands need (lint, schema, help); the
 * rest of the program - the engine, and with it libcurl, OpenSSL, SQLite,
 * ZeroMQ and some forty libraries they pull in - lives in a module loaded
 * when a command needs it.
 */
#ifndef LDCORE_MODULE_H
#define LDCORE_MODULE_H

#include <stddef.h>

/**
 * Open module `file` (e.g. "loaddensity-cli.so") and return the address of
 * its symbol `symbol`. Searched in order: the path in environment variable
 * `env` (when set), the directory of the running program, and
 * `<program dir>/../lib/loaddensity/` (the installed layout). The module is
 * opened RTLD_LAZY | RTLD_LOCAL and never closed. On failure returns NULL
 * with a message naming the path tried last in err.
 */
void *ld_module_symbol(const char *file, const char *env, const char *symbol,
                       char *err, size_t errlen);

#endif
