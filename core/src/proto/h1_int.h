/*
 * h1_int.h - the native HTTP/1.1 driver for plain http:// keep-alive traffic
 * and the dispatcher in front of it and of the libcurl driver (internal).
 *
 * The dispatcher (ld__proto_h1, the driver of fast_http_user and http_user)
 * compiles every task with the libcurl driver's compiler and, when the task
 * needs nothing only libcurl offers, adds a native request template: the
 * request line and fixed headers rendered once, only templated parts
 * rendered per request, and when nothing varies the whole request as one
 * byte string. At run time each virtual user owns a small transfer object:
 * its own keep-alive connections (one uv_tcp_t each, reading armed once,
 * through the thread's io_uring when it has one: proto/ring.h),
 * one uv_timer_t for its request deadline (re-armed lazily, so a keep-alive
 * request normally touches no timer), a cookie jar, and a libcurl transfer
 * created on first use for whatever goes through libcurl.
 *
 * Driver choice (user_detail_dict "driver"): "curl" sends everything through
 * libcurl; "native" requires the native path for every task (compile error
 * otherwise); "auto" (default) uses the native path for plain http:// URLs
 * when no proxy is configured in the environment and the task has no
 * curl-only field (HTTP/1.0 or h2c prior knowledge, Expect or
 * Transfer-Encoding headers, header names with placeholders, credentials in
 * the URL). Redirects within the same origin are followed natively; one that
 * leaves it (another host, https) continues through libcurl.
 *
 * Threads: everything here lives on one worker thread; specs are read-only.
 */
#ifndef LD_H1_INT_H
#define LD_H1_INT_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "proto/http_int.h"

#define LD_H1_MAX_CONNS 4   /* origins one user keeps connections to */
#define LD_H1_MAX_REDIRS 30 /* as CURLOPT_MAXREDIRS in the curl driver */
#define LD_H1_HEAD_MAX (256u << 10)
#define LD_H1_BODY_CAP (16u << 20) /* kept for the checks; rest counted */
#define LD_H1_READ_BUF (64u << 10)
#define LD_H1_MAX_ADDRS 4

/* ---- URLs ---- */

/* A parsed http:// URL; spans point into the parsed string. */
typedef struct ld__h1_url {
    const char *host; /* without brackets */
    size_t host_len;
    const char *hostport; /* Host header value: host[:port] as curl sends */
    size_t hostport_len;
    const char *path; /* "/..." with the query, without the fragment */
    size_t path_len;
    uint16_t port;
    bool ipv6;
} ld__h1_url_t;

/** Parse an absolute URL the native path can send: http://, no
 *  credentials, no dot segments, no control/space/non-ASCII bytes. The
 *  Host value is written into hp (at most hpsz bytes). */
bool ld__h1_url_parse(const char *s, size_t len, ld__h1_url_t *u, char *hp,
                      size_t hpsz);

/* ---- compiled task ---- */

typedef struct ld__h1_spec {
    ld__http_spec_t *http; /* the libcurl driver's spec (owned) */
    bool native;           /* the native path may send this task */
    bool forced;           /* driver "native": never fall back to curl */
    bool url_fixed;        /* URL and params literal: parsed below */
    char *host;            /* url_fixed: host, Host value, path */
    char *hostport;
    char *path;
    uint16_t port;
    const char *method; /* request method name */
    bool has_body;      /* Content-Length (and maybe a form type) follow */
    bool form_ct;      /* add Content-Type: application/x-www-form-urlencoded */
    bool custom_host;  /* the task's headers replace curl's own lines */
    char *host_lit;    /* custom_host: its line, in Host's place */
    char *cookie_host; /* custom_host: the name cookies are matched to */
    bool custom_cl;
    bool custom_cookie;
    char *auth_lit; /* "Authorization: Basic ...\r\n" when literal, or NULL */
    bool auth_dyn;  /* basic auth rendered per request */
    char *ua;       /* the default User-Agent/Accept lines not replaced */
    char *hdr_lit;  /* custom header lines when none varies */
    bool hdr_dyn;
    char *full; /* the whole request when nothing varies (and jar empty) */
    size_t full_len;
} ld__h1_spec_t;

/** Append "Authorization: Basic base64(user:pass)\r\n". */
int ld__h1_basic_line(ld_buf_t *out, const char *user, size_t ul,
                      const char *pass, size_t pl);
int ld__h1_compile(const ld_node_t *task, const ld__proto_defaults_t *defs,
                   const char *file, void **spec, ld_diag_t *d);
void ld__h1_spec_free(void *spec);

/* ---- cookie jar (per user) ---- */

typedef struct ld__h1_cookie {
    char *name, *value, *domain, *path;
    int64_t expires; /* unix seconds, 0 = session */
    bool host_only, secure;
} ld__h1_cookie_t;

typedef struct ld__h1_jar {
    ld__h1_cookie_t *c;
    size_t n;
} ld__h1_jar_t;

/** Store one Set-Cookie value received from host for a request to path. */
int ld__h1_jar_set(ld__h1_jar_t **jar, const char *v, size_t vlen,
                   const char *host, size_t host_len, const char *path,
                   size_t path_len);
/** Append "name=value; ..." of the cookies that go to host and path;
 *  returns how many were added (or a negative LD_E*). */
int ld__h1_jar_render(const ld__h1_jar_t *jar, ld_buf_t *out, const char *host,
                      size_t host_len, const char *path, size_t path_len);
void ld__h1_jar_free(ld__h1_jar_t *jar);

/* ---- per-thread state ---- */

typedef struct ld__h1_conn ld__h1_conn_t;

/* A resolved host name (IP literals are never looked up). */
typedef struct ld__h1_dns {
    struct ld__h1_dns *next;
    char *name;
    int state;   /* 0 looking up, 1 done, -1 failed */
    bool orphan; /* io closed while the lookup ran */
    uint64_t failed_ms;
    struct sockaddr_storage addr[LD_H1_MAX_ADDRS];
    unsigned naddr;
    ld__h1_conn_t *waiters;
    uv_getaddrinfo_t req;
} ld__h1_dns_t;

typedef struct ld__h1_io {
    uv_loop_t *loop;
    void *curl_io; /* the libcurl driver's per-thread state */
    ld__h1_dns_t *dns;
    char rbuf[LD_H1_READ_BUF]; /* every read lands here, parsed at once */
} ld__h1_io_t;

/* ---- connections and the response parser ---- */

enum {
    H1_P_HEAD = 0, /* status line and headers */
    H1_P_LEN,      /* Content-Length body */
    H1_P_CSIZE,    /* chunk size digits */
    H1_P_CEXT,     /* chunk extension up to LF */
    H1_P_CDATA,    /* chunk data */
    H1_P_CCRLF,    /* CRLF after chunk data */
    H1_P_TRAILER,  /* trailer lines after the last chunk */
    H1_P_EOF       /* body until the peer closes */
};

enum { H1_C_RESOLVING = 0, H1_C_CONNECTING, H1_C_OPEN, H1_C_CLOSING };

typedef struct ld__h1_xfer ld__h1_xfer_t;

struct ld__h1_conn {
    uv_tcp_t tcp; /* data = this */
    struct ld__ring *ring; /* receiving and sending through it, or NULL */
    uint32_t rid;          /* its id on the ring */
    uv_connect_t creq;
    uv_write_t wreq;
    ld__h1_io_t *io;
    ld__h1_xfer_t *x; /* owner; NULL once closing */
    ld__h1_dns_t *dns;
    ld__h1_conn_t *next_waiter;
    char *host; /* host name (no brackets) and port this connects to */
    uint16_t port;
    uint8_t state;
    uint8_t addr_i;  /* address being tried */
    bool writing;    /* a uv_write is pending */
    bool in_use;     /* carries the request in flight */
    uint32_t served; /* responses completed on this connection */
    /* parser */
    uint8_t pst;
    bool keep;      /* stays open after this response */
    bool chunk_hex; /* a hex digit of the chunk size was seen */
    uint64_t left;  /* body or chunk bytes still to come */
    uint64_t got;   /* response bytes received */
    int status;
    ld_buf_t head; /* a head split across reads */
};

/* What a request needs while it is in flight. */
struct ld__h1_xfer {
    ld__h1_io_t *io;
    ld__xfer_t *curl; /* libcurl transfer, created on first use */
    uv_timer_t timer;
    uint64_t deadline;  /* loop ms: the request times out */
    uint64_t cdeadline; /* loop ms: connect timeout, 0 = none */
    uint64_t due;       /* loop ms the timer fires at, 0 = not armed */
    ld__h1_conn_t *conns[LD_H1_MAX_CONNS];
    ld__h1_conn_t *cur; /* connection of the request in flight */
    const ld__h1_spec_t *sp;
    ld_params_t *params;
    ld_scope_t *scope;
    unsigned flags;
    ld__xfer_cb cb;
    void *user;
    bool busy;
    bool via_curl;  /* the request in flight runs in libcurl */
    bool retried;   /* resent once on a fresh connection */
    bool send_body; /* the current hop carries the body */
    bool pending;   /* err is to be reported from the timer */
    uint8_t redirs;
    const char *method; /* of the current hop */
    /* the current hop's target (points into sp, url or loc) */
    const char *host;
    size_t host_len;
    const char *hostport;
    size_t hostport_len;
    const char *path;
    size_t path_len;
    uint16_t port;
    char hp[300]; /* Host value of a parsed URL */
    /* the request */
    const char *req;
    size_t req_len;
    ld_buf_t rq;     /* rendered request */
    ld_buf_t url;    /* rendered URL (records) */
    ld_buf_t loc;    /* redirect target */
    ld_buf_t lochdr; /* Location of the current response */
    ld_buf_t tmp;
    ld_buf_t hdrs; /* rendered custom header lines */
    ld_buf_t body; /* rendered body */
    ld_buf_t auth; /* rendered basic auth line */
    ld_buf_t ck;   /* rendered task cookies */
    const char *body_p;
    size_t body_n;
    /* the response */
    ld_buf_t rbody;
    ld_buf_t rhdr;
    uint64_t rbytes;
    ld__h1_jar_t *jar;
    char err[256];
};

/* h1_conn.c */
/** A new connection to x's current target, in one of x's slots; connects
 *  (or resolves first) asynchronously. On failure returns a uv error and
 *  a message in msg. */
int ld__h1_conn_open(ld__h1_xfer_t *x, ld__h1_conn_t **out, char *msg,
                     size_t msz);
void ld__h1_conn_close(ld__h1_conn_t *c);
/** Send x's request on c (open); returns 0 or a uv error. */
int ld__h1_conn_send(ld__h1_conn_t *c);
void ld__h1_dns_close_all(ld__h1_io_t *io);

/* h1_parse.c: feed response bytes of c; on a complete response it calls
   ld__h1_on_response, on an error ld__h1_on_conn_error. */
void ld__h1_parse(ld__h1_conn_t *c, const char *p, size_t n);
void ld__h1_parse_reset(ld__h1_conn_t *c);
/** The peer closed the connection while a response was expected. */
void ld__h1_parse_eof(ld__h1_conn_t *c);

/* h1_render.c */
int ld__h1_render(ld__h1_xfer_t *x, const ld__h1_spec_t *sp, bool *native);
int ld__h1_assemble(ld__h1_xfer_t *x);
/** Resolve a Location against the current hop into x->loc; true when the
 *  result is an http:// URL of the same origin (x's target updated). */
int ld__h1_redirect_target(ld__h1_xfer_t *x, const char *loc, size_t len,
                           bool *same_origin);

/* h1_xfer.c: events from connections and the parser */
void ld__h1_on_connected(ld__h1_conn_t *c);
void ld__h1_on_head(ld__h1_conn_t *c, const char *head, size_t len);
void ld__h1_on_header(ld__h1_conn_t *c, const char *name, size_t nlen,
                      const char *v, size_t vlen);
void ld__h1_on_body(ld__h1_conn_t *c, const char *p, size_t n);
void ld__h1_on_response(ld__h1_conn_t *c, size_t extra);
/** The connection of a request failed: close it, then resend once on a
 *  fresh connection (a reused one that died before any response byte, as
 *  curl does) or fail the request with msg. */
void ld__h1_on_conn_error(ld__h1_conn_t *c, int uverr, const char *msg);
/** Fail the request in flight on x now (from a loop callback). */
void ld__h1_fail(ld__h1_xfer_t *x, const char *msg);
/** Fail the request of x later on the loop (start must not call back). */
void ld__h1_fail_async(ld__h1_xfer_t *x, const char *msg);

/** The dispatching driver (native HTTP/1.1 + libcurl). */
extern const ld__proto_t ld__proto_h1;

#endif
