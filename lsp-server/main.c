/*
 * loaddensity-lsp - the language server of LoadDensity action documents,
 * over stdio with Content-Length framing.
 *
 * Two threads: a reader that blocks in lsp_read and queues messages, and
 * the main thread that handles them in order and, between messages, runs
 * the debounced lints when they are due (a condition variable with a
 * timeout is the timer). Only the main thread touches documents. At "exit"
 * the main thread returns while the reader may still block on standard
 * input; what the reader uses is static, so nothing is freed under it.
 */
#include "lsp.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct item {
    json_t *msg; /* NULL: end of input */
    struct item *next;
} item_t;

typedef struct queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    item_t *head;
    item_t *tail;
} queue_t;

typedef struct reader {
    lsp_server_t *s;
    queue_t *q;
} reader_t;

static void push(queue_t *q, json_t *msg)
{
    item_t *it = calloc(1, sizeof(*it));

    if (!it) { /* a front-end may give up on OOM; drop the message */
        json_decref(msg);
        return;
    }
    it->msg = msg;
    pthread_mutex_lock(&q->mu);
    if (q->tail)
        q->tail->next = it;
    else
        q->head = it;
    q->tail = it;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

/* Wait up to wait_ns for an item; *got says whether one came. */
static json_t *pop(queue_t *q, uint64_t wait_ns, bool *got)
{
    struct timespec ts;
    item_t *it;
    json_t *msg;

    pthread_mutex_lock(&q->mu);
    if (!q->head && wait_ns != UINT64_MAX) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += (time_t)(wait_ns / 1000000000u);
        ts.tv_nsec += (long)(wait_ns % 1000000000u);
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        while (!q->head &&
               pthread_cond_timedwait(&q->cv, &q->mu, &ts) != ETIMEDOUT)
            ;
    } else {
        while (!q->head)
            pthread_cond_wait(&q->cv, &q->mu);
    }
    it = q->head;
    *got = it != NULL;
    if (it) {
        q->head = it->next;
        if (!q->head)
            q->tail = NULL;
    }
    pthread_mutex_unlock(&q->mu);
    msg = it ? it->msg : NULL;
    free(it);
    return msg;
}

static void *read_loop(void *arg)
{
    reader_t *r = arg;

    for (;;) {
        json_t *msg = NULL, *raw = NULL;
        int rc = lsp_read(&r->s->rpc, &msg, &raw);

        if (raw) /* a parse error answer: sending is thread-safe */
            ld_rpc_send(&r->s->rpc, raw);
        if (rc == 0 && msg)
            push(r->q, msg);
        else if (rc != LD_ESYNTAX && rc != LD_ETOOBIG)
            break;
    }
    push(r->q, NULL);
    return NULL;
}

static lsp_server_t server;
static queue_t queue;
static reader_t reader;

static int serve(lsp_server_t *s)
{
    queue_t *q = &queue;
    pthread_t th;
    uint64_t wait = UINT64_MAX;
    pthread_condattr_t ca;

    pthread_mutex_init(&q->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&q->cv, &ca);
    pthread_condattr_destroy(&ca);
    reader.s = s;
    reader.q = q;
    if (pthread_create(&th, NULL, read_loop, &reader)) {
        fprintf(stderr, "loaddensity-lsp: cannot start the reader\n");
        return 1;
    }
    pthread_detach(th);
    for (;;) {
        bool got;
        json_t *msg = pop(q, wait, &got);

        if (got && !msg) { /* end of input without "exit" */
            s->exit_code = 1;
            break;
        }
        if (msg) {
            lsp_handle(s, msg);
            json_decref(msg);
            if (s->exit_now)
                break;
        }
        wait = lsp_tick(s, ld_now_ns());
    }
    return s->exit_code;
}

/*
 * Documents are reparsed on every change: keep freed memory in the heap for
 * the next parse instead of handing it back to the kernel (a page given back
 * is a page fault on the next parse; a 2 MB document takes some 20 MB of
 * nodes).
 */
static void tune_memory(void)
{
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
}

/*
 * The first didOpen of a big document fills fresh memory: the message, the
 * text and its copies (a few MB each) and the tree (some 10 bytes per byte,
 * in huge pages already, see core/src/doc/doc.c). glibc's malloc puts its
 * heap in transparent huge pages only when told through GLIBC_TUNABLES,
 * which it reads at start-up: so the server starts itself once more with
 * glibc.malloc.hugetlb=1 added (the same process, pipes and arguments). It
 * takes the first diagnostics of the 10,000-action benchmark document from
 * about 57 to about 49 ms (medians) on the project's VMs; nothing changes
 * where THP is off. LOADDENSITY_LSP_NO_REEXEC=1 skips it.
 */
static void reexec_with_hugepages(char **argv)
{
    static const char tunable[] = "glibc.malloc.hugetlb=1";
    const char *old = getenv("GLIBC_TUNABLES");
    char buf[1024];

    if (getenv("LOADDENSITY_LSP_NO_REEXEC") || (old && strstr(old, "hugetlb")))
        return;
    if ((size_t)snprintf(buf, sizeof(buf), "%s%s%s", old ? old : "",
                         old && *old ? ":" : "", tunable) >= sizeof(buf))
        return;
    if (setenv("GLIBC_TUNABLES", buf, 1) ||
        setenv("LOADDENSITY_LSP_NO_REEXEC", "1", 1))
        return;
    execv("/proc/self/exe", argv);
    /* exec failed: go on as we are */
}

int main(int argc, char **argv)
{
    lsp_server_t *s = &server;
    int i, rc;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
            printf("loaddensity-lsp %s\n", LD_VERSION);
            return 0;
        }
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: loaddensity-lsp [--stdio]\n\n"
                   "The LoadDensity language server: speaks the Language "
                   "Server Protocol\non standard input and output "
                   "(Content-Length framing).\n");
            return 0;
        }
        /* --stdio (what editors pass) and unknown flags: stdio anyway */
    }
    reexec_with_hugepages(argv);
    signal(SIGPIPE, SIG_IGN);
    tune_memory();
    if (ld_rpc_init(&s->rpc, STDIN_FILENO, STDOUT_FILENO,
                    LD_RPC_CONTENT_LENGTH)) {
        fprintf(stderr, "loaddensity-lsp: out of memory\n");
        return 1;
    }
    rc = serve(s);
    lsp_docs_free(s);
    lsp_completion_free(s);
    /* s->rpc and the queue stay: the reader may still be using them */
    return rc;
}
