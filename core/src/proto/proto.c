/* proto.c - the table of protocol drivers and shared helpers. */
#include <stdarg.h>
#include <string.h>

#include "proto/proto_int.h"

static const struct {
    const char *user;
    const ld__proto_t *proto;
} drivers[] = {
    {"fast_http_user", &ld__proto_http},
    {"http_user", &ld__proto_http},
};

const ld__proto_t *ld__proto_for_user(const char *user)
{
    for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
        if (!strcmp(drivers[i].user, user))
            return drivers[i].proto;
    return NULL;
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
