/*
 * mp.c - Locust 2.x messages in msgpack (what the master's msgpack-python
 * 1.0 reads): ints in their smallest form, floats as float64, None as nil,
 * strings as str and never bin, integer keys where Locust keys by numbers
 * (response-time buckets, Unix seconds). Decoding checks the envelope
 * before anything reads it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cluster/cluster_int.h"

void ld__mp_init(ld__mp_t *m)
{
    msgpack_sbuffer_init(&m->sb);
    msgpack_packer_init(&m->pk, &m->sb, msgpack_sbuffer_write);
    m->err = 0;
}

void ld__mp_free(ld__mp_t *m)
{
    msgpack_sbuffer_destroy(&m->sb);
    memset(m, 0, sizeof(*m));
}

/* Length of a valid UTF-8 sequence at s (RFC 3629: no overlong form, no
   surrogate, nothing above U+10FFFF), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4;
    else
        return 0;
    if (len > n)
        return 0;
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

size_t ld__utf8_fixed_len(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, out = 0;
    while (i < n) {
        size_t k = utf8_seq(p + i, n - i);
        out += k ? k : 3; /* U+FFFD is 3 bytes */
        i += k ? k : 1;
    }
    return out;
}

void ld__mp_strn(ld__mp_t *m, const char *s, size_t n)
{
    static const char repl[] = "\xEF\xBF\xBD";
    const unsigned char *p = (const unsigned char *)s;
    size_t fixed = ld__utf8_fixed_len(s, n), i = 0;
    m->err |= msgpack_pack_str(&m->pk, fixed);
    if (fixed == n) {
        m->err |= msgpack_pack_str_body(&m->pk, s, n);
        return;
    }
    while (i < n) {
        size_t k = utf8_seq(p + i, n - i);
        if (k)
            m->err |= msgpack_pack_str_body(&m->pk, s + i, k);
        else
            m->err |= msgpack_pack_str_body(&m->pk, repl, 3);
        i += k ? k : 1;
    }
}

void ld__mp_str(ld__mp_t *m, const char *s)
{
    ld__mp_strn(m, s ? s : "", s ? strlen(s) : 0);
}

void ld__mp_int(ld__mp_t *m, int64_t v)
{
    m->err |= msgpack_pack_int64(&m->pk, v);
}

void ld__mp_double(ld__mp_t *m, double v)
{
    m->err |= msgpack_pack_double(&m->pk, v);
}

void ld__mp_nil(ld__mp_t *m)
{
    m->err |= msgpack_pack_nil(&m->pk);
}

void ld__mp_map(ld__mp_t *m, size_t n)
{
    m->err |= msgpack_pack_map(&m->pk, n);
}

void ld__mp_array(ld__mp_t *m, size_t n)
{
    m->err |= msgpack_pack_array(&m->pk, n);
}

void ld__mp_begin(ld__mp_t *m, const char *type)
{
    ld__mp_array(m, 3);
    ld__mp_str(m, type);
}

void ld__mp_end(ld__mp_t *m, const char *node_id)
{
    ld__mp_str(m, node_id);
}

void ld__mp_simple(ld__mp_t *m, const char *type, const char *node_id)
{
    ld__mp_begin(m, type);
    ld__mp_nil(m);
    ld__mp_end(m, node_id);
}

void ld__mp_classes(ld__mp_t *m, const ld__cls_t *cls, size_t n, bool zero)
{
    ld__mp_map(m, n);
    for (size_t i = 0; i < n; i++) {
        ld__mp_str(m, cls[i].name);
        ld__mp_int(m, zero ? 0 : (int64_t)cls[i].count);
    }
}

static void kv_map(ld__mp_t *m, const ld_live_kv_t *kv, size_t n)
{
    ld__mp_map(m, n);
    for (size_t i = 0; i < n; i++) {
        ld__mp_int(m, kv[i].key);
        ld__mp_int(m, (int64_t)kv[i].count);
    }
}

static void key(ld__mp_t *m, const char *k)
{
    ld__mp_str(m, k);
}

/* One StatsEntry (Locust 2.12's StatsEntryDict, all 14 keys). An empty
   window has nil minimum and last timestamp, as Python sends them. */
static void entry(ld__mp_t *m, const ld_live_entry_t *e, const char *method,
                  double start_ts)
{
    ld__mp_map(m, 14);
    key(m, "name");
    ld__mp_str(m, e->name);
    key(m, "method");
    ld__mp_str(m, method);
    key(m, "last_request_timestamp");
    if (e->requests)
        ld__mp_double(m, e->last_ts);
    else
        ld__mp_nil(m);
    key(m, "start_time");
    ld__mp_double(m, start_ts);
    key(m, "num_requests");
    ld__mp_int(m, (int64_t)e->requests);
    key(m, "num_none_requests");
    ld__mp_int(m, 0);
    key(m, "num_failures");
    ld__mp_int(m, (int64_t)e->failures);
    key(m, "total_response_time");
    ld__mp_double(m, e->total_ms);
    key(m, "max_response_time");
    ld__mp_double(m, e->max_ms);
    key(m, "min_response_time");
    if (e->requests)
        ld__mp_double(m, e->min_ms);
    else
        ld__mp_nil(m);
    key(m, "total_content_length");
    ld__mp_int(m, (int64_t)e->content_length);
    key(m, "response_times");
    kv_map(m, e->buckets, e->nbuckets);
    key(m, "num_reqs_per_sec");
    kv_map(m, e->rps, e->nrps);
    key(m, "num_fail_per_sec");
    kv_map(m, e->fps, e->nfps);
}

/* A stable key per (method, name, error): sha256 hex, as Locust's own. */
static void error_key(const ld_live_error_t *e, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    out[0] = '\0';
    if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL) ||
        !EVP_DigestUpdate(c, e->method, strlen(e->method)) ||
        !EVP_DigestUpdate(c, ".", 1) ||
        !EVP_DigestUpdate(c, e->name, strlen(e->name)) ||
        !EVP_DigestUpdate(c, ".", 1) ||
        !EVP_DigestUpdate(c, e->error, strlen(e->error)) ||
        !EVP_DigestFinal_ex(c, md, &mdlen))
        mdlen = 0;
    EVP_MD_CTX_free(c);
    for (unsigned i = 0; i < mdlen && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    if (!mdlen) /* never happens with a working libcrypto; stay unique */
        snprintf(out, 65, "%p", (const void *)e);
}

static void errors(ld__mp_t *m, const ld_live_stats_t *st)
{
    char k[65];
    ld__mp_map(m, st->nerrors);
    for (size_t i = 0; i < st->nerrors; i++) {
        const ld_live_error_t *e = &st->errors[i];
        error_key(e, k);
        ld__mp_str(m, k);
        ld__mp_map(m, 4);
        key(m, "name");
        ld__mp_str(m, e->name);
        key(m, "method");
        ld__mp_str(m, e->method);
        key(m, "error");
        ld__mp_str(m, e->error);
        key(m, "occurrences");
        ld__mp_int(m, (int64_t)e->occurrences);
    }
}

void ld__mp_stats(ld__mp_t *m, const ld_live_stats_t *st, const ld__cls_t *cls,
                  size_t ncls, bool zero, const char *node_id)
{
    int64_t users = 0;
    for (size_t i = 0; !zero && i < ncls; i++)
        users += cls[i].count;
    ld__mp_begin(m, "stats");
    ld__mp_map(m, 5);
    key(m, "stats");
    ld__mp_array(m, st->n);
    for (size_t i = 0; i < st->n; i++)
        entry(m, &st->entries[i], st->entries[i].method, st->start_ts);
    key(m, "stats_total");
    entry(m, &st->total, "", st->start_ts);
    key(m, "errors");
    errors(m, st);
    key(m, "user_classes_count");
    ld__mp_classes(m, cls, ncls, zero);
    key(m, "user_count");
    ld__mp_int(m, users);
    ld__mp_end(m, node_id);
}

void ld__mp_heartbeat(ld__mp_t *m, const char *state, double cpu,
                      int64_t rss, const char *node_id)
{
    ld__mp_begin(m, "heartbeat");
    ld__mp_map(m, rss > 0 ? 3 : 2);
    key(m, "state");
    ld__mp_str(m, state);
    key(m, "current_cpu_usage");
    ld__mp_double(m, cpu);
    if (rss > 0) {
        key(m, "current_memory_usage");
        ld__mp_int(m, rss);
    }
    ld__mp_end(m, node_id);
}

/* ---- decoding ---- */

int ld__msg_decode(const void *buf, size_t len, ld__msg_t *m)
{
    size_t off = 0;
    const msgpack_object *o;
    memset(m, 0, sizeof(*m));
    msgpack_unpacked_init(&m->u);
    if (msgpack_unpack_next(&m->u, buf, len, &off) != MSGPACK_UNPACK_SUCCESS ||
        off != len)
        return LD_ESYNTAX;
    o = &m->u.data;
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != 3 ||
        o->via.array.ptr[0].type != MSGPACK_OBJECT_STR)
        return LD_ESYNTAX;
    m->type = o->via.array.ptr[0].via.str.ptr;
    m->type_len = o->via.array.ptr[0].via.str.size;
    m->data = &o->via.array.ptr[1];
    return 0;
}

void ld__msg_free(ld__msg_t *m)
{
    msgpack_unpacked_destroy(&m->u);
}

bool ld__msg_is(const ld__msg_t *m, const char *type)
{
    size_t n = strlen(type);
    return m->type && m->type_len == n && !memcmp(m->type, type, n);
}

const msgpack_object *ld__mp_get(const msgpack_object *map, const char *k)
{
    size_t n = strlen(k);
    if (!map || map->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < map->via.map.size; i++) {
        const msgpack_object *key_o = &map->via.map.ptr[i].key;
        if (key_o->type == MSGPACK_OBJECT_STR && key_o->via.str.size == n &&
            !memcmp(key_o->via.str.ptr, k, n))
            return &map->via.map.ptr[i].val;
    }
    return NULL;
}

bool ld__mp_num(const msgpack_object *o, double *out)
{
    if (!o)
        return false;
    switch (o->type) {
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        *out = (double)o->via.u64;
        return true;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        *out = (double)o->via.i64;
        return true;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        *out = o->via.f64;
        return true;
    default:
        return false;
    }
}
