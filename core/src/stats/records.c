/*
 * The request record store: 32-byte records in chunks that are never moved
 * (so a store of millions of records never reallocates a giant array), plus
 * the interned strings they refer to.
 *
 * Chunk k holds CHUNK_MIN records for k = 0 and CHUNK_MIN << (k-1) for
 * k = 1..6 (so a small per-thread store stays small), then CHUNK_MAX (64 Ki
 * records, 2 MiB) each: the first seven chunks cover exactly CHUNK_MAX.
 */
#include "stats/stats_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CHUNK_MIN_BITS 10u
#define CHUNK_MAX_BITS 16u
#define CHUNK_MIN ((size_t)1 << CHUNK_MIN_BITS)
#define CHUNK_MAX ((size_t)1 << CHUNK_MAX_BITS)
#define GROW_CHUNKS (CHUNK_MAX_BITS - CHUNK_MIN_BITS + 1u)   /* 7 */

_Static_assert(sizeof(ld_record_t) == 32, "a record must stay 32 bytes");

struct ld_records {
    ld_record_t **chunks;
    size_t nchunks;       /* chunks allocated */
    size_t chunks_cap;
    size_t count;
    size_t failed;
    size_t rec_bytes;     /* bytes of allocated chunks */
    ld__strtab_t strs;
};

static const char *const method_names[] = {
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE",
    "CONNECT", "OTHER",
};

const char *ld_method_name(ld_method_t m)
{
    if ((unsigned)m > LD_M_OTHER)
        return "OTHER";
    return method_names[m];
}

ld_method_t ld_method_parse(const char *s)
{
    if (!s)
        return LD_M_OTHER;
    for (unsigned i = 0; i < LD_M_OTHER; i++)
        if (!strcasecmp(s, method_names[i]))
            return (ld_method_t)i;
    return LD_M_OTHER;
}

/* ---- chunk arithmetic ---- */

static size_t chunk_cap(size_t k)
{
    if (k == 0)
        return CHUNK_MIN;
    return k < GROW_CHUNKS ? CHUNK_MIN << (k - 1) : CHUNK_MAX;
}

/* Records held by chunks 0 .. k-1. */
static size_t chunk_base(size_t k)
{
    if (k == 0)
        return 0;
    if (k <= GROW_CHUNKS)
        return CHUNK_MIN << (k - 1);
    return CHUNK_MAX * (k - GROW_CHUNKS + 1);
}

static size_t chunk_of(size_t i)
{
    if (i < CHUNK_MIN)
        return 0;
    if (i < CHUNK_MAX)
        return (size_t)(64 - __builtin_clzll((unsigned long long)(i >> CHUNK_MIN_BITS)));
    return GROW_CHUNKS - 1 + (i >> CHUNK_MAX_BITS);
}

static int add_chunk(ld_records_t *r)
{
    size_t k = r->nchunks;
    ld_record_t *c = NULL;

    if (k == r->chunks_cap) {
        size_t cap = r->chunks_cap ? r->chunks_cap * 2 : 16;
        ld_record_t **chunks = realloc(r->chunks, cap * sizeof(ld_record_t *));
        if (!chunks)
            return LD_ENOMEM;
        r->chunks = chunks;
        r->chunks_cap = cap;
    }
    c = malloc(chunk_cap(k) * sizeof(*c));
    if (!c)
        return LD_ENOMEM;
    r->chunks[k] = c;
    r->nchunks++;
    r->rec_bytes += chunk_cap(k) * sizeof(*c);
    return 0;
}

/* Make room for n records in total. */
static int reserve(ld_records_t *r, size_t n)
{
    int rc = 0;

    while (!rc && chunk_base(r->nchunks) < n)
        rc = add_chunk(r);
    return rc;
}

static ld_record_t *slot_at(const ld_records_t *r, size_t i)
{
    size_t k = chunk_of(i);

    return &r->chunks[k][i - chunk_base(k)];
}

/* ---- store ---- */

ld_records_t *ld_records_new(void)
{
    ld_records_t *r = calloc(1, sizeof(*r));

    if (r)
        ld__strtab_init(&r->strs);
    return r;
}

void ld_records_clear(ld_records_t *r)
{
    if (!r)
        return;
    for (size_t k = 0; k < r->nchunks; k++)
        free(r->chunks[k]);
    free(r->chunks);
    ld__strtab_free(&r->strs);
    memset(r, 0, sizeof(*r));
    ld__strtab_init(&r->strs);
}

void ld_records_free(ld_records_t *r)
{
    if (!r)
        return;
    ld_records_clear(r);
    free(r);
}

uint32_t ld_records_intern(ld_records_t *r, const char *s, size_t len)
{
    return ld__strtab_intern(&r->strs, s, len);
}

uint32_t ld_records_find(const ld_records_t *r, const char *s, size_t len)
{
    return ld__strtab_find(&r->strs, s, len);
}

const char *ld_records_str(const ld_records_t *r, uint32_t id)
{
    const char *s = ld__strtab_get(&r->strs, id, NULL);

    return s ? s : "";
}

size_t ld_records_nstrings(const ld_records_t *r)
{
    return r->strs.n;
}

int ld_records_add(ld_records_t *r, const ld_record_t *rec)
{
    int rc = 0;
    uint32_t n = r->strs.n;

    if (rec->name_id > n || rec->url_id > n || rec->error_id > n)
        return LD_EINVAL;
    if (chunk_base(r->nchunks) <= r->count) {
        rc = add_chunk(r);
        if (rc)
            return rc;
    }
    *slot_at(r, r->count) = *rec;
    r->count++;
    if (rec->error_id)
        r->failed++;
    return 0;
}

static int intern_opt(ld_records_t *r, const char *s, uint32_t *id)
{
    *id = 0;
    if (!s)
        return 0;
    *id = ld__strtab_intern(&r->strs, s, strlen(s));
    return *id ? 0 : LD_ENOMEM;
}

int ld_records_add_full(ld_records_t *r, uint64_t start_ns, ld_method_t m,
                        const char *name, const char *url, int status,
                        uint32_t latency_us, uint32_t resp_len,
                        const char *error)
{
    int rc = 0;
    ld_record_t rec = {0};

    rec.start_ns = start_ns;
    rec.latency_us = latency_us;
    rec.resp_len = resp_len;
    rec.status = status < 0 ? 0 : status > UINT16_MAX ? UINT16_MAX : (uint16_t)status;
    rec.method = (uint8_t)((unsigned)m > LD_M_OTHER ? LD_M_OTHER : m);
    rc = intern_opt(r, name, &rec.name_id);
    if (!rc)
        rc = intern_opt(r, url, &rec.url_id);
    if (!rc)
        rc = intern_opt(r, error, &rec.error_id);
    if (!rc)
        rc = ld_records_add(r, &rec);
    return rc;
}

size_t ld_records_count(const ld_records_t *r)
{
    return r->count;
}

size_t ld_records_failed(const ld_records_t *r)
{
    return r->failed;
}

const ld_record_t *ld_records_at(const ld_records_t *r, size_t i)
{
    return i < r->count ? slot_at(r, i) : NULL;
}

const ld_record_t *ld_records_next(const ld_records_t *r, size_t *it)
{
    if (*it >= r->count)
        return NULL;
    return slot_at(r, (*it)++);
}

int ld_records_reorder(ld_records_t *r, size_t from, uint32_t *to)
{
    size_t n = r->count > from ? r->count - from : 0;
    unsigned char *seen = calloc(n / 8 + 1, 1);

    if (!seen)
        return LD_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (to[i] >= n || seen[to[i] / 8] & (1u << to[i] % 8)) {
            free(seen);
            return LD_EINVAL;
        }
        seen[to[i] / 8] |= (unsigned char)(1u << to[i] % 8);
    }
    free(seen);
    /* Each swap puts one record where it belongs. */
    for (size_t i = 0; i < n; i++) {
        while (to[i] != i) {
            uint32_t j = to[i];
            ld_record_t tmp = *slot_at(r, from + j);
            *slot_at(r, from + j) = *slot_at(r, from + i);
            *slot_at(r, from + i) = tmp;
            to[i] = to[j];
            to[j] = j;
        }
    }
    return 0;
}

/* Map every string id of src to an id of dst (remap[0] = 0). */
static int remap_strings(ld_records_t *dst, const ld_records_t *src,
                         uint32_t **out)
{
    uint32_t n = src->strs.n;
    uint32_t *remap = calloc((size_t)n + 1, sizeof(*remap));

    *out = remap;
    if (!remap)
        return LD_ENOMEM;
    for (uint32_t id = 1; id <= n; id++) {
        uint32_t len = 0;
        const char *s = ld__strtab_get(&src->strs, id, &len);
        remap[id] = ld__strtab_intern(&dst->strs, s, len);
        if (!remap[id])
            return LD_ENOMEM;
    }
    return 0;
}

/* On ENOMEM nothing has moved: dst may have gained interned strings (and
 * spare chunks) but no records, and src is untouched. */
int ld_records_merge_take(ld_records_t *dst, ld_records_t *src)
{
    int rc = 0;
    uint32_t *remap = NULL;

    if (dst == src)
        return LD_EINVAL;
    if (!src->count && !src->strs.n)
        return 0;
    rc = remap_strings(dst, src, &remap);
    if (!rc)
        rc = reserve(dst, dst->count + src->count);
    if (rc)
        goto out;
    for (size_t i = 0; i < src->count; i++) {
        ld_record_t rec = *slot_at(src, i);
        rec.name_id = remap[rec.name_id];
        rec.url_id = remap[rec.url_id];
        rec.error_id = remap[rec.error_id];
        *slot_at(dst, dst->count++) = rec;
    }
    dst->failed += src->failed;
    ld_records_clear(src);
out:
    free(remap);
    return rc;
}

size_t ld_records_memsize(const ld_records_t *r)
{
    return sizeof(*r) + r->chunks_cap * sizeof(ld_record_t *) + r->rec_bytes +
           ld__strtab_memsize(&r->strs);
}

/* ---- JSON ---- */

/* Locust reports response_time in ms; the seed stores it as an integer:
 * round to the nearest millisecond (half up). */
static json_int_t latency_ms(uint32_t us)
{
    return (json_int_t)(((uint64_t)us + 500u) / 1000u);
}

json_t *ld_record_to_json(const ld_records_t *r, const ld_record_t *rec)
{
    json_t *o = json_object();
    char status[8];
    int bad = 0;

    if (!o)
        return NULL;
    snprintf(status, sizeof(status), "%u", (unsigned)rec->status);
    bad |= json_object_set_new(o, "Method", json_string(ld_method_name(rec->method)));
    bad |= json_object_set_new(o, "test_url", ld__json_text(ld_records_str(r, rec->url_id)));
    bad |= json_object_set_new(o, "name", ld__json_text(ld_records_str(r, rec->name_id)));
    bad |= json_object_set_new(o, "status_code",
                               rec->status ? json_string(status) : json_null());
    bad |= json_object_set_new(o, "response_time_ms", json_integer(latency_ms(rec->latency_us)));
    bad |= json_object_set_new(o, "response_length", json_integer(rec->resp_len));
    bad |= json_object_set_new(o, "error", rec->error_id ?
                               ld__json_text(ld_records_str(r, rec->error_id)) : json_null());
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}
