/* proto.c - the table of protocol drivers and shared helpers. */
#include <stdarg.h>
#include <string.h>

#include "proto/h1_int.h"

#include "ldcore/registry.h"

/* The registry's user table says which family a template belongs to
 * (registry/users.c); this maps the family to its driver. */
const ld__proto_t *ld__proto_for_user(const char *user)
{
    const ld_user_template_t *u = ld_registry_user(user);

    if (u && u->protocol && !strcmp(u->protocol, "http"))
        return &ld__proto_h1;
    return NULL;
}

/* The registry's "driver" enum lists the names in ld__driver_t order. */
bool ld__driver_parse(const char *s, ld__driver_t *out)
{
    const char *const *names = ld_registry_enum("driver");

    for (int i = 0; names && names[i]; i++)
        if (!strcmp(s, names[i])) {
            *out = (ld__driver_t)i;
            return true;
        }
    return false;
}

int ld__diag_node(ld_diag_t *d, int code, const char *file, const ld_node_t *n,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ld_diag_vset(d, code, file, n ? &n->pos : NULL, fmt, ap);
    va_end(ap);
    if (d && n)
        d->end = n->end;
    return code;
}
