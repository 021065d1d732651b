/* schema_int.h - pieces of the JSON Schema export (internal). */
#ifndef LD_SCHEMA_INT_H
#define LD_SCHEMA_INT_H

#include "lint/lint_int.h"

/* The "type" of a mask is ld_mask_schema_type (ldcore/registry.h). */
/* {"enum": [...]}; case-insensitive enums also accept any spelling. */
json_t *ld__schema_enum(const char *const *vals, bool ci, bool nullable);
/* A value with its types or enum and description. */
json_t *ld__schema_typed(unsigned types, const char *const *vals, bool ci,
                         bool nullable, const char *doc);
json_t *ld__schema_ref(const char *def);
json_t *ld__schema_predicate(json_t *obj);
/* Add "shape.*" definitions, and "task", "task.other", "shape.tasks",
   "shape.tasks.other". */
void ld__schema_shapes(json_t *defs);
void ld__schema_tasks(json_t *defs);

#endif
