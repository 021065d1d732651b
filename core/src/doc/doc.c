/* Document lifecycle: arena, parse dispatch, file loading, action list. */
#include "doc/doc_int.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pthread.h>
#include <sys/mman.h>

/* ---- arena ---- */

#define ARENA_MIN ((size_t)4 << 10)
#define ARENA_MAX_BLOCK ((size_t)8 << 20)

void ld__arena_init(ld__arena_t *a, size_t first)
{
    a->head = NULL;
    if (first < ARENA_MIN)
        first = ARENA_MIN;
    if (first > ARENA_MAX_BLOCK)
        first = ARENA_MAX_BLOCK;
    a->next_size = first;
}

/* Blocks of at least HUGE bytes come from mmap, aligned to 2 MiB and marked
 * for transparent huge pages: a big document's tree (some 10 bytes per byte
 * of JSON) then costs a handful of page faults instead of one per 4 KiB,
 * which on the virtual machines measured here is most of the time spent
 * building it. Where THP is off the kernel ignores the advice. */
#define HUGE ((size_t)2 << 20)

static ld__arena_blk_t *blk_map(size_t cap)
{
    size_t len = (sizeof(ld__arena_blk_t) + cap + HUGE - 1) & ~(HUGE - 1);
    unsigned char *p = mmap(NULL, len + HUGE, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uintptr_t at, end;
    ld__arena_blk_t *b;

    if (p == MAP_FAILED)
        return NULL;
    at = ((uintptr_t)p + HUGE - 1) & ~(uintptr_t)(HUGE - 1);
    end = at + len;
    if (at > (uintptr_t)p)
        munmap(p, at - (uintptr_t)p);
    if ((uintptr_t)p + len + HUGE > end)
        munmap((void *)end, (uintptr_t)p + len + HUGE - end);
#ifdef MADV_HUGEPAGE
    madvise((void *)at, len, MADV_HUGEPAGE);
#endif
    b = (ld__arena_blk_t *)at;
    b->mapped = len;
    b->cap = len - sizeof(*b);
    return b;
}

/* Mapped blocks freed by one document are kept (up to CACHE_MAX) for the
 * next: a language server reparses on every edit, and a block that was
 * unmapped would cost its page faults (and zeroing) again. */
#define CACHE_MAX ((size_t)32 << 20)

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static ld__arena_blk_t *cache;
static size_t cached;

static ld__arena_blk_t *cache_take(size_t cap)
{
    ld__arena_blk_t **pp, *b = NULL;

    pthread_mutex_lock(&cache_mu);
    for (pp = &cache; *pp; pp = &(*pp)->next)
        if ((*pp)->mapped - sizeof(**pp) >= cap) {
            b = *pp;
            *pp = b->next;
            cached -= b->mapped;
            break;
        }
    pthread_mutex_unlock(&cache_mu);
    if (b)
        b->cap = b->mapped - sizeof(*b);
    return b;
}

static void blk_release(ld__arena_blk_t *b)
{
    bool kept = false;

    pthread_mutex_lock(&cache_mu);
    if (cached + b->mapped <= CACHE_MAX) {
        b->next = cache;
        cache = b;
        cached += b->mapped;
        kept = true;
    }
    pthread_mutex_unlock(&cache_mu);
    if (!kept)
        munmap(b, b->mapped);
}

static ld__arena_blk_t *blk_new(size_t cap)
{
    ld__arena_blk_t *b = NULL;

    if (cap >= HUGE / 2 && !(b = cache_take(cap)))
        b = blk_map(cap);

    if (!b) {
        b = malloc(sizeof(*b) + cap);
        if (!b)
            return NULL;
        b->mapped = 0;
        b->cap = cap;
    }
    b->next = NULL;
    b->used = 0;
    return b;
}

/* Slow path: a new regular block, or a dedicated one for a big request
 * (linked behind the head so the head keeps filling). */
void *ld__arena_alloc_slow(ld__arena_t *a, size_t n)
{
    bool big = n > a->next_size / 4;
    ld__arena_blk_t *b = blk_new(big ? n : a->next_size);

    if (!b)
        return NULL;
    if (big && a->head) {
        b->next = a->head->next;
        a->head->next = b;
    } else {
        b->next = a->head;
        a->head = b;
        if (!big && a->next_size < ARENA_MAX_BLOCK)
            a->next_size *= 2;
    }
    b->used = n;
    return b->data;
}

char *ld__arena_strndup(ld__arena_t *a, const char *s, size_t n)
{
    char *p = ld__arena_alloc(a, n + 1);

    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void ld__arena_free(ld__arena_t *a)
{
    ld__arena_blk_t *b = a->head;

    while (b) {
        ld__arena_blk_t *next = b->next;

        if (b->mapped)
            blk_release(b);
        else
            free(b);
        b = next;
    }
    a->head = NULL;
}

/* ---- document ---- */

/* Takes ownership of text (malloc'd, len bytes plus a NUL). */
ld_doc_t *ld__doc_new(char *text, size_t len, const char *name)
{
    ld_doc_t *doc = calloc(1, sizeof(*doc));

    if (!doc) {
        free(text);
        return NULL;
    }
    doc->text = text;
    doc->len = len;
    ld__arena_init(&doc->arena, len * 3);
    doc->name = ld__arena_strndup(&doc->arena, name ? name : "",
                                  name ? strlen(name) : 0);
    if (!doc->name) {
        ld_doc_free(doc);
        return NULL;
    }
    return doc;
}

static bool has_ext(const char *name, const char *ext)
{
    size_t n = name ? strlen(name) : 0, e = strlen(ext);

    return n > e && strcasecmp(name + n - e, ext) == 0;
}

static ld_doc_format_t pick_format(ld_doc_format_t fmt, const char *name)
{
    if (fmt != LD_FMT_AUTO)
        return fmt;
    if (has_ext(name, ".yaml") || has_ext(name, ".yml"))
        return LD_FMT_YAML;
    return LD_FMT_JSON;
}

static ld_doc_t *parse_take(char *text, size_t len, const char *name,
                            ld_doc_format_t fmt, ld_diag_t *d)
{
    ld_doc_t *doc;
    int rc;

    if (len > LD__DOC_MAX_LEN) {
        free(text);
        ld_diag_set(d, LD_ETOOBIG, name, NULL,
                    "document too big (%zu bytes, limit 256 MiB)", len);
        return NULL;
    }
    doc = ld__doc_new(text, len, name);
    if (!doc) {
        ld_diag_set(d, LD_ENOMEM, name, NULL, "out of memory");
        return NULL;
    }
    if (pick_format(fmt, name) == LD_FMT_YAML)
        rc = ld__yaml_parse(doc, d);
    else
        rc = ld__json_parse(doc, d);
    if (rc) {
        ld_doc_free(doc);
        return NULL;
    }
    return doc;
}

ld_doc_t *ld_doc_parse(const char *text, size_t len, const char *name,
                       ld_doc_format_t fmt, ld_diag_t *d)
{
    char *copy;

    ld_diag_clear(d);
    if (!text && len) {
        ld_diag_set(d, LD_EINVAL, name, NULL, "no text given");
        return NULL;
    }
    if (len > LD__DOC_MAX_LEN) {
        ld_diag_set(d, LD_ETOOBIG, name, NULL,
                    "document too big (%zu bytes, limit 256 MiB)", len);
        return NULL;
    }
    copy = malloc(len + 1);
    if (!copy) {
        ld_diag_set(d, LD_ENOMEM, name, NULL, "out of memory");
        return NULL;
    }
    if (len)
        memcpy(copy, text, len);
    copy[len] = '\0';
    return parse_take(copy, len, name, fmt, d);
}

ld_doc_t *ld_doc_parse_take(char *text, size_t len, const char *name,
                            ld_doc_format_t fmt, ld_diag_t *d)
{
    ld_diag_clear(d);
    if (!text) {
        ld_diag_set(d, LD_EINVAL, name, NULL, "no text given");
        return NULL;
    }
    return parse_take(text, len, name, fmt, d);
}

ld_doc_t *ld_doc_load(const char *path, ld_doc_format_t fmt, ld_diag_t *d)
{
    char *text = NULL;
    size_t len = 0;

    ld_diag_clear(d);
    if (!path) {
        ld_diag_set(d, LD_EINVAL, NULL, NULL, "no path given");
        return NULL;
    }
    if (ld_read_file(path, &text, &len, d))
        return NULL;
    return parse_take(text, len, path, fmt, d);
}

void ld_doc_free(ld_doc_t *doc)
{
    if (!doc)
        return;
    ld__arena_free(&doc->arena);
    free(doc->text);
    free(doc);
}

const ld_node_t *ld_doc_root(const ld_doc_t *doc)
{
    return doc ? doc->root : NULL;
}

const char *ld_doc_name(const ld_doc_t *doc)
{
    return doc && doc->name ? doc->name : "";
}

const char *ld_doc_text(const ld_doc_t *doc, size_t *len)
{
    if (len)
        *len = doc ? doc->len : 0;
    return doc ? doc->text : NULL;
}

/* ---- the action list ---- */

static int actions_error(const ld_doc_t *doc, const ld_node_t *at, ld_diag_t *d,
                         const char *detail)
{
    ld_diag_set(d, LD_ETYPE, doc->name, &at->pos,
                "expected an action list: a JSON array, or an object with "
                "a \"load_density\" array%s",
                detail);
    if (d)
        d->end = at->end;
    return LD_ETYPE;
}

const ld_node_t *ld_doc_actions(const ld_doc_t *doc, ld_diag_t *d)
{
    const ld_node_t *root = ld_doc_root(doc);
    const ld_node_t *list;
    char detail[64];

    if (!root) {
        ld_diag_set(d, LD_EINVAL, NULL, NULL, "no document");
        return NULL;
    }
    if (root->type == LD_TARRAY)
        return root;
    if (root->type != LD_TOBJECT) {
        snprintf(detail, sizeof(detail), ", found %s",
                 ld_type_name(root->type));
        actions_error(doc, root, d, detail);
        return NULL;
    }
    list = ld_node_get(root, "load_density");
    if (!list) {
        actions_error(doc, root, d,
                      " (this object has no \"load_density\" member)");
        return NULL;
    }
    if (list->type != LD_TARRAY) {
        ld_diag_set(d, LD_ETYPE, doc->name, &list->pos,
                    "\"load_density\" must be an array of actions, found %s",
                    ld_type_name(list->type));
        if (d)
            d->end = list->end;
        return NULL;
    }
    return list;
}
