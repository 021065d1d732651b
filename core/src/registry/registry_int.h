/* registry_int.h - the command and task-field tables (internal). */
#ifndef LD_REGISTRY_INT_H
#define LD_REGISTRY_INT_H

#include "ldcore/registry.h"

extern const ld_command_t ld__commands[];
extern const size_t ld__ncommands;
extern const ld_field_t ld__task_fields[];
extern const size_t ld__ntask_fields;

typedef struct ld__enum {
    const char *name;
    const char *const *values;
} ld__enum_t;
extern const ld__enum_t ld__enums[];

/* Enums shared by the command table and the named enums (NULL-terminated):
   user templates and drivers (users.c), the rest in fields.c. */
extern const char *const ld__users[];
extern const char *const ld__drivers[];
extern const char *const ld__runner_modes[];
extern const char *const ld__load_shapes[];
extern const char *const ld__http_versions[];
extern const size_t ld__nenums;

/* Handlers implemented by the executor (core/src/exec/commands.c). */
int ld__cmd_execute_action(ld_ctx_t *, const ld_args_t *, json_t **, ld_diag_t *);
int ld__cmd_execute_files(ld_ctx_t *, const ld_args_t *, json_t **, ld_diag_t *);
int ld__cmd_print(ld_ctx_t *, const ld_args_t *, json_t **, ld_diag_t *);
int ld__cmd_register_variable(ld_ctx_t *, const ld_args_t *, json_t **, ld_diag_t *);
int ld__cmd_register_variables(ld_ctx_t *, const ld_args_t *, json_t **, ld_diag_t *);
int ld__cmd_register_csv_source(ld_ctx_t *, const ld_args_t *, json_t **, ld_diag_t *);
int ld__cmd_register_csv_sources(ld_ctx_t *, const ld_args_t *, json_t **, ld_diag_t *);
int ld__cmd_clear_resolver(ld_ctx_t *, const ld_args_t *, json_t **, ld_diag_t *);
int ld__cmd_clear_records(ld_ctx_t *, const ld_args_t *, json_t **, ld_diag_t *);
int ld__cmd_summary(ld_ctx_t *, const ld_args_t *, json_t **, ld_diag_t *);
int ld__cmd_generate_summary_report(ld_ctx_t *, const ld_args_t *, json_t **, ld_diag_t *);

/* bind.c: links every command function in (see impls.h); returns how many
   are bound. The executor calls it. */
size_t ld__command_impls_linked(void);

#endif
