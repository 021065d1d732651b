/*
 * ldcore/project.h - the project skeleton of `loaddensity init` and the MCP
 * tool create_project (the Python tool's create_project_dir): DIR/LoadDensity
 * with keyword/ (two action files aimed at the embedded target that
 * `loaddensity target` serves on 127.0.0.1:18089) and executor/ (a script
 * that runs them).
 *
 * Ownership: every argument is borrowed; the paths given to the callback
 * live only for the call.
 */
#ifndef LDCORE_PROJECT_H
#define LDCORE_PROJECT_H

#include <stdbool.h>

#include "ldcore/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The folder ld_project_create makes inside the directory it is given. */
#define LD_PROJECT_DIR "LoadDensity"

enum {
    LD_PROJECT_FORCE = 1u << 0 /* overwrite files that exist */
};

/**
 * Called for each file of the skeleton, in creation order: created is
 * false when the file existed and was kept (without LD_PROJECT_FORCE).
 * Return true to go on, false to stop there.
 */
typedef bool (*ld_project_file_cb)(void *user, const char *path, bool created);

/**
 * Create dir/LoadDensity/{keyword,executor} (and dir itself, with any
 * missing parents) and the files of the skeleton; cb may be NULL. Returns
 * 0; LD_ESTOPPED when cb asked to stop; LD_EIO when a folder or file cannot
 * be written, or LD_ETOOBIG when dir is too long for a path (d says
 * which). Files written before an error stay.
 */
int ld_project_create(const char *dir, unsigned flags, ld_project_file_cb cb,
                      void *user, ld_diag_t *d);

#ifdef __cplusplus
}
#endif
#endif
