/*
 * Interned strings for the record store. Bytes live in an arena of growing
 * blocks (never moved, so returned pointers stay valid); ids index an entry
 * array; lookup is open addressing (linear probing) over a power-of-two array
 * of ids kept at most half full.
 */
#include "stats/stats_int.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct ld__arena_blk {
    ld__arena_blk_t *next;
    size_t used;
    size_t cap;
    char data[];
};

#define ARENA_MIN ((size_t)4096)
#define ARENA_MAX ((size_t)256 * 1024)
#define SLOTS_MIN 64u

void ld__strtab_init(ld__strtab_t *t)
{
    memset(t, 0, sizeof(*t));
}

void ld__strtab_free(ld__strtab_t *t)
{
    ld__arena_blk_t *b = t->blk;

    while (b) {
        ld__arena_blk_t *next = b->next;
        free(b);
        b = next;
    }
    free(t->ents);
    free(t->slots);
    memset(t, 0, sizeof(*t));
}

static uint32_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return (uint32_t)(h ^ (h >> 32));
}

static uint32_t probe(const ld__strtab_t *t, const char *s, size_t len,
                      uint32_t hash, uint32_t *slot)
{
    uint32_t mask = t->nslots - 1u;
    uint32_t i = hash & mask;

    for (;;) {
        uint32_t id = t->slots[i];
        const ld__str_ent_t *e = id ? &t->ents[id - 1] : NULL;

        if (!e || (e->hash == hash && e->len == len && !memcmp(e->s, s, len))) {
            *slot = i;
            return id;
        }
        i = (i + 1u) & mask;
    }
}

uint32_t ld__strtab_find(const ld__strtab_t *t, const char *s, size_t len)
{
    uint32_t slot = 0;

    if (!t->nslots || len > UINT32_MAX)
        return 0;
    return probe(t, s, len, hash_bytes(s, len), &slot);
}

static int grow_slots(ld__strtab_t *t)
{
    uint32_t n = t->nslots ? t->nslots * 2u : SLOTS_MIN;
    uint32_t *slots = NULL;

    if (n < t->nslots)
        return LD_ENOMEM;
    slots = calloc(n, sizeof(*slots));
    if (!slots)
        return LD_ENOMEM;
    for (uint32_t id = 1; id <= t->n; id++) {
        uint32_t i = t->ents[id - 1].hash & (n - 1u);
        while (slots[i])
            i = (i + 1u) & (n - 1u);
        slots[i] = id;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
    return 0;
}

static int grow_ents(ld__strtab_t *t)
{
    uint32_t cap = t->ents_cap ? t->ents_cap * 2u : 32u;
    ld__str_ent_t *ents = NULL;

    if (cap < t->ents_cap)
        return LD_ENOMEM;
    ents = realloc(t->ents, (size_t)cap * sizeof(*ents));
    if (!ents)
        return LD_ENOMEM;
    t->ents = ents;
    t->ents_cap = cap;
    return 0;
}

static ld__arena_blk_t *blk_new(ld__strtab_t *t, size_t cap)
{
    ld__arena_blk_t *b = malloc(sizeof(*b) + cap);

    if (!b)
        return NULL;
    b->next = NULL;
    b->used = 0;
    b->cap = cap;
    t->arena_bytes += sizeof(*b) + cap;
    return b;
}

/* Copy s (plus a NUL) into the arena. Blocks double up to ARENA_MAX; a big
 * string gets an exact block linked behind the current one, which keeps
 * filling. */
static const char *arena_copy(ld__strtab_t *t, const char *s, size_t len)
{
    ld__arena_blk_t *b = t->blk;
    size_t need = len + 1;
    char *out = NULL;

    if (!b || b->cap - b->used < need) {
        size_t cap = b ? b->cap * 2 : ARENA_MIN;
        bool big = need > ARENA_MAX / 4;
        ld__arena_blk_t *nb = NULL;

        if (cap > ARENA_MAX)
            cap = ARENA_MAX;
        if (big || cap < need)
            cap = need;
        nb = blk_new(t, cap);
        if (!nb)
            return NULL;
        if (big && b) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            t->blk = nb;
        }
        b = nb;
    }
    out = b->data + b->used;
    memcpy(out, s, len);
    out[len] = '\0';
    b->used += need;
    return out;
}

uint32_t ld__strtab_intern(ld__strtab_t *t, const char *s, size_t len)
{
    uint32_t hash = hash_bytes(s, len);
    uint32_t slot = 0;
    uint32_t id = 0;
    const char *copy = NULL;

    if (len > UINT32_MAX || t->n >= UINT32_MAX - 1u)
        return 0;
    if (t->nslots) {
        id = probe(t, s, len, hash, &slot);
        if (id)
            return id;
    }
    if (((uint64_t)t->n + 1u) * 2u > t->nslots) {
        if (grow_slots(t))
            return 0;
        probe(t, s, len, hash, &slot);
    }
    if (t->n == t->ents_cap && grow_ents(t))
        return 0;
    copy = arena_copy(t, s, len);
    if (!copy)
        return 0;
    t->ents[t->n] = (ld__str_ent_t){copy, (uint32_t)len, hash};
    id = ++t->n;
    t->slots[slot] = id;
    return id;
}

const char *ld__strtab_get(const ld__strtab_t *t, uint32_t id, uint32_t *len)
{
    if (!id || id > t->n)
        return NULL;
    if (len)
        *len = t->ents[id - 1].len;
    return t->ents[id - 1].s;
}

size_t ld__strtab_memsize(const ld__strtab_t *t)
{
    return t->arena_bytes + (size_t)t->ents_cap * sizeof(ld__str_ent_t) +
           (size_t)t->nslots * sizeof(uint32_t);
}
