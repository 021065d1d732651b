/*
 * json_split.c - a big JSON document parsed on two threads.
 *
 * An action document is one long array (the root, or "load_density"), one
 * action per line. From about the middle of the text, the first line that
 * follows a line ending in ',' and starts with '[' or '{' is taken as a
 * guess for where an item of that array starts; a second thread parses
 * from there, item after item, up to the closing ']', into an arena of its
 * own. The line number there is the count of line feeds before it, since a
 * JSON string cannot hold a raw one; columns start at the line's start.
 *
 * The caller's thread parses from the beginning as usual. The guess is
 * only used when that parse meets an array item starting exactly at the
 * guessed offset, at the nesting depth the later part assumed: the text
 * from there is then the rest of that array's items, which the later part
 * parsed exactly as this thread would have. Its items are taken, its
 * arena blocks join the document's, and this thread goes on at the ']'.
 * Otherwise (a wrong guess, an error in the later part, out of memory) the
 * later part is dropped and this thread parses the text itself, so results
 * and error messages are always those of one pass; unit.doc.split checks
 * that on generated and hostile documents.
 */
#include "doc/json_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

size_t ld__json_split_min = (size_t)256 << 10;
size_t ld__json_splits;

typedef struct ld__jp_later {
    pthread_t th;
    jp_t q;          /* the later part's parser */
    ld_doc_t shadow; /* its arena; text and name are the document's */
    ld_diag_t diag;
    size_t at;   /* where it starts */
    int depth;   /* nesting depth it assumed for the array */
    int rc;      /* its result */
    bool cancel; /* atomic */
} later_t;

static void *run(void *arg)
{
    later_t *l = arg;

    l->rc = ld__jp_items(&l->q, &l->cancel);
    return NULL;
}

/* Where an item of the big array probably starts, past the middle; 0 when
 * no line looks like one. */
static size_t guess(const char *s, size_t len)
{
    size_t from = len / 2, i, j;
    int tries;

    for (tries = 0; tries < 256; tries++) {
        const char *nl = memchr(s + from, '\n', len - from);

        if (!nl)
            return 0;
        i = (size_t)(nl - s) + 1;
        while (s[i] == ' ' || s[i] == '\t')
            i++;
        j = (size_t)(nl - s);
        while (j > 0 && (s[j - 1] == ' ' || s[j - 1] == '\t'))
            j--;
        if ((s[i] == '[' || s[i] == '{') && j > 0 && s[j - 1] == ',')
            return i;
        from = i;
    }
    return 0;
}

static uint32_t line_feeds(const char *s, size_t n)
{
    const char *e = s + n;
    uint32_t k = 0;

    while ((s = memchr(s, '\n', (size_t)(e - s))) != NULL) {
        k++;
        s++;
    }
    return k;
}

static void later_free(later_t *l)
{
    ld__arena_free(&l->shadow.arena);
    free(l->q.items);
    free(l->q.mems);
    free(l->q.sbuf);
    free(l);
}

void ld__jp_split_start(jp_t *p)
{
    size_t at, ls;
    later_t *l;

    if (p->len < ld__json_split_min || memchr(p->s, '\r', p->len) ||
        !(at = guess(p->s, p->len)) || !(l = calloc(1, sizeof(*l))))
        return;
    for (ls = at; ls > 0 && p->s[ls - 1] != '\n'; ls--)
        ;
    l->at = at;
    /* [ {...}, ... ] or {"load_density": [ ... ]} */
    l->depth = p->s[p->i] == '[' ? 1 : 2;
    l->shadow.text = p->doc->text;
    l->shadow.len = p->doc->len;
    l->shadow.name = p->doc->name;
    ld__arena_init(&l->shadow.arena, p->len * 2);
    l->q.doc = &l->shadow;
    l->q.s = p->s;
    l->q.len = p->len;
    l->q.i = at;
    l->q.d = &l->diag;
    l->q.cur = p->cur;
    l->q.cur.line = 1 + line_feeds(p->s, ls);
    l->q.cur.line_start = ls;
    l->q.cur.off = ls;
    l->q.cur.col = 1;
    l->q.depth = l->depth;
    if (pthread_create(&l->th, NULL, run, l)) {
        later_free(l);
        return;
    }
    p->later = l;
}

/* Wait for the later part and forget it. */
static void drop(jp_t *p)
{
    later_t *l = p->later;

    p->later = NULL;
    pthread_join(l->th, NULL);
    later_free(l);
}

bool ld__jp_split_take(jp_t *p, ld_node_t *n)
{
    later_t *l = p->later;
    ld__arena_blk_t *tail;
    size_t k;

    if (p->i != l->at)
        return false;
    pthread_join(l->th, NULL);
    p->later = NULL;
    if (l->rc || p->depth != l->depth) {
        later_free(l);
        return false; /* parse it here: same result, same errors */
    }
    for (k = 0; k < l->q.nitems; k++) {
        l->q.items[k]->parent = n;
        if (ld__jp_push_item(p, l->q.items[k])) {
            ld__jp_nomem(p);
            break;
        }
    }
    /* its blocks join the document's, behind the block being filled */
    if ((tail = l->shadow.arena.head) != NULL) {
        while (tail->next)
            tail = tail->next;
        tail->next = p->doc->arena.head->next;
        p->doc->arena.head->next = l->shadow.arena.head;
        l->shadow.arena.head = NULL;
    }
    p->i = l->q.i;
    p->cur = l->q.cur;
    p->cont = l->q.cont;
    p->cont_line = l->q.cont_line;
    later_free(l);
    __atomic_add_fetch(&ld__json_splits, 1, __ATOMIC_RELAXED);
    return true;
}

void ld__jp_split_end(jp_t *p)
{
    if (!p->later)
        return;
    __atomic_store_n(&p->later->cancel, true, __ATOMIC_RELAXED);
    drop(p);
}
