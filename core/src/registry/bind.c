/* bind.c - the strong references to every command function (impls.h). */
#include "registry/registry_int.h"

#include "ldcore/engine.h"
#include "ldcore/import.h"
#include "ldcore/lint.h"
#include "ldcore/report.h"
#include "ldcore/store.h"
#include "registry/impls.h"

#define REF(f) f,
static const ld_command_fn impls[] = {LD__COMMAND_IMPLS(REF)};
#undef REF

size_t ld__command_impls_linked(void)
{
    size_t n = 0;

    for (size_t i = 0; i < sizeof(impls) / sizeof(impls[0]); i++)
        n += impls[i] != NULL;
    return n;
}
