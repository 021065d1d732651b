/*
 * index.c - hashed lookups of commands, their parameters and task fields,
 * built once from the registry tables. The registry's own lookups are
 * linear, which is fine for the executor but not for linting 10,000
 * actions on every keystroke.
 */
#include "lint/lint_int.h"

#include <pthread.h>
#include <string.h>

#define SLOTS 4096u /* power of two, well above 2x the entries */

enum { NS_COMMAND = 0, NS_FIELD = 1, NS_PARAM = 2 /* + command index */ };

typedef struct slot {
    const char *name;
    const void *ptr;
    uint32_t ns;
    uint32_t idx;
} slot_t;

static slot_t table[SLOTS];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static uint32_t hash(uint32_t ns, const char *s)
{
    uint32_t h = 2166136261u ^ (ns * 16777619u);

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void put(uint32_t ns, const char *name, const void *ptr, size_t idx)
{
    uint32_t j = hash(ns, name) & (SLOTS - 1);

    while (table[j].name) {
        if (table[j].ns == ns && !strcmp(table[j].name, name))
            return; /* first one wins, as in the linear lookups */
        j = (j + 1) & (SLOTS - 1);
    }
    table[j].name = name;
    table[j].ptr = ptr;
    table[j].ns = ns;
    table[j].idx = (uint32_t)idx;
}

static void build(void)
{
    size_t n, nf, i, j;
    const ld_command_t *c = ld_registry_commands(&n);
    const ld_field_t *f = ld_registry_task_fields(&nf);

    for (i = 0; i < n; i++) {
        put(NS_COMMAND, c[i].name, &c[i], i);
        for (j = 0; j < c[i].nparams; j++)
            put(NS_PARAM + (uint32_t)i, c[i].params[j].name, &c[i].params[j],
                j);
    }
    for (i = 0; i < nf; i++)
        put(NS_FIELD, f[i].name, &f[i], i);
}

static const slot_t *get(uint32_t ns, const char *name)
{
    uint32_t j;

    pthread_once(&once, build);
    j = hash(ns, name) & (SLOTS - 1);
    for (; table[j].name; j = (j + 1) & (SLOTS - 1))
        if (table[j].ns == ns && !strcmp(table[j].name, name))
            return &table[j];
    return NULL;
}

const ld_command_t *ld__find_command(const char *name)
{
    const slot_t *s = get(NS_COMMAND, name);

    return s ? s->ptr : NULL;
}

const ld_param_t *ld__find_param(const ld_command_t *c, const char *name,
                                 size_t *idx)
{
    size_t n;
    const ld_command_t *all = ld_registry_commands(&n);
    const slot_t *s;

    if (c < all || c >= all + n)
        return ld_command_param(c, name, idx);
    s = get(NS_PARAM + (uint32_t)(c - all), name);
    if (s && idx)
        *idx = s->idx;
    return s ? s->ptr : NULL;
}

const ld_field_t *ld__find_field(const char *name)
{
    const slot_t *s = get(NS_FIELD, name);

    return s ? s->ptr : NULL;
}

const ld_node_t *ld__get(const ld_node_t *obj, const char *key)
{
    size_t i;

    if (!obj || obj->type != LD_TOBJECT)
        return NULL;
    for (i = obj->u.obj.n; i-- > 0;)
        if (LD__EQ(obj->u.obj.members[i].key, key))
            return obj->u.obj.members[i].value;
    return NULL;
}

const ld_node_t *ld__present(const ld_node_t *obj, const char *key)
{
    const ld_node_t *v = ld__get(obj, key);

    return v && v->type != LD_TNULL ? v : NULL;
}
