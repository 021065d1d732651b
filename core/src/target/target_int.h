/*
 * target_int.h - internals of the embedded target server (ldcore/target.h).
 *
 * Layout: target.c (lifecycle, listener, accept), target_conn.c (reading,
 * batched writing, pausing, closing), target_http.c (incremental request
 * parser), target_routes.c (routing and response building).
 *
 * Everything below runs on the server thread only, except the two atomic
 * counters which other threads read.
 */
#ifndef LD_TARGET_INT_H
#define LD_TARGET_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <pthread.h>
#include <uv.h>

#include "ldcore/target.h"

#define LD__T_HEAD_MAX (64u * 1024u)          /* request head (431 beyond) */
#define LD__T_BODY_MAX (16u * 1024u * 1024u)  /* request body (413 beyond) */
/* raw bytes buffered for one request: head plus chunked framing overhead */
#define LD__T_RAW_MAX (LD__T_HEAD_MAX + 2u * LD__T_BODY_MAX)
#define LD__T_BYTES_MAX (16u * 1024u * 1024u) /* /bytes/N */
#define LD__T_DELAY_MAX 60000u                /* /delay/MS */
#define LD__T_RBUF (64u * 1024u)              /* shared read buffer */
#define LD__T_FILL (64u * 1024u)              /* /bytes body chunk */
#define LD__T_STAGE (256u * 1024u)            /* staged output bytes */
#define LD__T_SEGS 512u                       /* staged output segments */
#define LD__T_COPY_MAX 4096u                  /* bodies copied with heads */
#define LD__T_LINGER_MS 2000u                 /* lingering close */
#define LD__T_WQ_HIGH (4u * 1024u * 1024u)    /* pause above this queue */
#define LD__T_CHUNK_LINE_MAX 4096u            /* chunk-size line */

/* parser events */
enum { LD__P_MORE = 0, LD__P_HEAD, LD__P_DONE, LD__P_ERROR };

/* routes */
enum {
    LD__R_NOTFOUND = 0, LD__R_ROOT, LD__R_BYTES, LD__R_STATUS, LD__R_DELAY,
    LD__R_JSON, LD__R_ECHO, LD__R_HEADERS, LD__R_LOGIN, LD__R_AUTH,
    LD__R_CLOSE, LD__R_RESET, LD__R_COUNT, LD__R_BAD, LD__R_METHOD,
    LD__R_MULTIPART
};

/* a byte range relative to the start of the request */
typedef struct ld__span {
    uint32_t off;
    uint32_t len;
} ld__span_t;

/*
 * Parser state of one request. All positions are offsets from the first
 * byte of the request, so the bytes may move between reads.
 */
typedef struct ld__treq {
    int phase;            /* 0 head, 1 body, 2 done */
    uint32_t line;        /* head: start of the line being scanned */
    uint32_t scan;        /* head: where the newline search resumes */
    uint32_t head_len;    /* bytes of the head, blank line included */
    uint32_t reqline_end; /* offset just past the request line */
    ld__span_t method, target, path, query, ctype, authz;
    int minor;            /* HTTP/1.<minor> */
    int keepalive;
    int is_head;          /* method HEAD: no response body */
    int expect100;
    int chunked;
    int ncl;              /* Content-Length headers seen */
    int nte;              /* Transfer-Encoding headers seen */
    uint64_t clen;
    int cstate;           /* chunked decoder state */
    size_t cpos;          /* chunked: next raw byte to decode */
    uint64_t cleft;       /* chunked: bytes left in the current chunk */
    size_t body_len;      /* decoded body bytes (at offset head_len) */
    size_t total;         /* bytes of the whole request once done */
    int status;           /* error status (LD__P_ERROR, or framing at HEAD) */
    int route;
    uint64_t arg;         /* route argument (N, NNN, MS) */
    uint64_t n;           /* request counter value of this request */
} ld__treq_t;

typedef struct ld__tconn ld__tconn_t;

struct ld_target {
    uv_loop_t loop;
    uv_tcp_t listener;
    uv_async_t stop_async;
    pthread_t thread;
    int port;
    int stopping;
    _Atomic uint64_t requests;
    _Atomic uint64_t connections;
    ld__tconn_t *conns;        /* open connections (not yet closing) */
    /* output staging, shared by all connections (flushed before a
     * callback returns, so only one connection uses it at a time) */
    size_t stage_len;
    unsigned nsegs;
    uv_buf_t segs[LD__T_SEGS];
    unsigned char segvol[LD__T_SEGS]; /* 1: bytes die after the flush */
    char stage[LD__T_STAGE];
    char rbuf[LD__T_RBUF];      /* shared read buffer */
    char fill[LD__T_FILL];      /* /bytes body */
};

struct ld__tconn {
    uv_tcp_t tcp;
    uv_timer_t timer;           /* /delay and lingering close (lazy) */
    uv_shutdown_t sreq;
    ld_target_t *srv;
    ld__tconn_t *prev, *next;
    char *in;                   /* unprocessed input (a partial request) */
    size_t in_len, in_cap;
    ld__treq_t req;
    unsigned nwrites;           /* uv_write requests in flight */
    int pending_closes;
    uint8_t reading, timer_init, paused_delay, paused_wq;
    uint8_t finishing, closing, eof, shut_done;
    /* the delayed response (the request itself is consumed) */
    uint8_t dl_keep, dl_head, dl_minor;
};

/* ---- target_http.c ---- */

/* Feed the bytes of the current request (p[0] is its first byte, len all
 * bytes available). Returns LD__P_MORE, LD__P_HEAD once (head complete and
 * valid; r->status may hold a framing error such as 413), LD__P_DONE with
 * r->total set, or LD__P_ERROR with r->status set. Decodes chunked bodies
 * in place, so p is written to. */
int ld__treq_parse(ld__treq_t *r, char *p, size_t len);
/* Next header line of a complete head starting at *pos (begin at
 * r->reqline_end). 1 with name/value spans, 0 at the blank line, -1 on a
 * malformed line. */
int ld__treq_header(const char *p, size_t head_len, size_t *pos,
                    ld__span_t *name, ld__span_t *value);

/* ---- target_conn.c ---- */

void ld__tconn_accept(ld_target_t *srv);
void ld__tconn_close(ld__tconn_t *c);
/* finish: flush, FIN after the pending writes, discard input, close later */
void ld__tconn_finish(ld__tconn_t *c);
/* RST now (SO_LINGER 0) */
void ld__tconn_reset(ld__tconn_t *c);
/* pause request processing for ms, then ld__troute_delay_done */
void ld__tconn_delay(ld__tconn_t *c, uint64_t ms);
/* reserve n staged bytes (n <= LD__T_STAGE), then commit what was used */
char *ld__tout_reserve(ld__tconn_t *c, size_t n);
void ld__tout_commit(ld__tconn_t *c, size_t n);
/* add bytes by reference; vol: they die at the next flush */
void ld__tout_ref(ld__tconn_t *c, const char *p, size_t n, int vol);
/* add bytes by copy (any size) */
void ld__tout_copy(ld__tconn_t *c, const char *p, size_t n);
void ld__tout_flush(ld__tconn_t *c);

/* ---- target_routes.c ---- */

void ld__troute_resolve(ld__treq_t *r, const char *p);
void ld__troute_dispatch(ld__tconn_t *c, const char *p);
void ld__troute_delay_done(ld__tconn_t *c);
void ld__troute_error(ld__tconn_t *c, int status);
void ld__troute_continue(ld__tconn_t *c);

/* ---- target_multipart.c ---- */

/* The parts of a multipart/form-data body whose Content-Type value is
 * ct[0..ctlen): {"boundary", "parts": [{"name", "filename", "content_type",
 * "headers", "length", "data"}]}, or NULL with the reason in err. */
json_t *ld__tmultipart_parse(const char *ct, size_t ctlen, const char *body,
                             size_t blen, char *err, size_t errsz);

#endif
