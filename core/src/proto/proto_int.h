/*
 * proto_int.h - protocol drivers behind a small vtable (internal to ldcore).
 *
 * The engine never knows which protocol it drives: it compiles the
 * protocol's task fields through the driver (compile), asks it for one
 * transfer slot per virtual user (xfer_new) and starts requests on it
 * (start); the driver reports each completion exactly once through the
 * callback given to start, unless start failed or the transfer was
 * cancelled.
 *
 * Threads: a driver's per-thread state ("io") lives on one worker thread and
 * its uv loop; a compiled spec is read-only and shared by every thread.
 *
 * Ownership: a spec belongs to the plan (spec_free); an xfer to its worker
 * (xfer_free, only when no request is in flight); the io state to its worker
 * (io_close, after every xfer is freed; the loop must then run until every
 * handle's close callback has fired).
 */
#ifndef LD_PROTO_INT_H
#define LD_PROTO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "ldcore/common.h"
#include "ldcore/doc.h"
#include "ldcore/params.h"
#include "ldcore/stats.h"

/* Which HTTP path sends requests (user_detail_dict "driver"). */
typedef enum ld__driver {
    LD__DRIVER_AUTO = 0, /* native for plain http://, libcurl otherwise */
    LD__DRIVER_NATIVE,   /* the native HTTP/1.1 path for every task */
    LD__DRIVER_CURL      /* libcurl for everything */
} ld__driver_t;

/* Task-independent settings a driver may use as defaults. */
typedef struct ld__proto_defaults {
    const char *host; /* base for relative URLs, e.g. "http://localhost" */
    const char *http_version; /* "1.1", "2", "2-prior-knowledge" or NULL */
    double timeout_s;         /* default request timeout */
    const char *method;       /* legacy {"get": {...}} form: the key */
    ld__driver_t driver;
} ld__proto_defaults_t;

/* One finished request, as the driver hands it to the engine. Everything is
 * borrowed and valid only during the callback. */
typedef struct ld__result {
    int status;        /* 0 when no response */
    const char *error; /* NULL when the transport succeeded */
    const char *body;  /* only when LD__XF_BODY was asked */
    size_t body_len;
    const char *headers; /* only when LD__XF_HEADERS was asked */
    size_t headers_len;
    uint32_t resp_len; /* body bytes received (saturated) */
    const char *url;   /* the request's URL as sent */
    size_t url_len;
} ld__result_t;

enum {
    LD__XF_BODY = 1u << 0,   /* keep the response body for the checks */
    LD__XF_HEADERS = 1u << 1 /* keep the response header block */
};

typedef struct ld__xfer ld__xfer_t;
typedef void (*ld__xfer_cb)(void *user, const ld__result_t *r);

typedef struct ld__proto {
    const char *name;
    /* Compile the protocol fields of one task node; errors are positioned. */
    int (*compile)(const ld_node_t *task, const ld__proto_defaults_t *defs,
                   const char *file, void **spec, ld_diag_t *d);
    void (*spec_free)(void *spec);
    /* The request method (for records). */
    ld_method_t (*spec_method)(const void *spec);
    /* The URL when it has no placeholder (interned once per thread), or NULL.
     */
    const char *(*spec_literal_url)(const void *spec);
    /* Per-thread state on a uv loop; max_conns sizes the connection cache. */
    int (*io_init)(uv_loop_t *loop, unsigned max_conns, void **io);
    void (*io_close)(void *io);
    int (*xfer_new)(void *io, ld__xfer_t **out);
    void (*xfer_free)(ld__xfer_t *x);
    /* Render and start one request. On failure returns an LD_E* with a
       message in err, and cb never fires. */
    int (*start)(ld__xfer_t *x, const void *spec, ld_params_t *params,
                 ld_scope_t *scope, unsigned flags, ld__xfer_cb cb, void *user,
                 char *err, size_t errsz);
    /* Drop the in-flight request, if any; its callback never fires. */
    void (*cancel)(ld__xfer_t *x);
} ld__proto_t;

/** ld_diag_set at a node's position (start and end; n may be NULL).
 *  Returns code. */
int ld__diag_node(ld_diag_t *d, int code, const char *file, const ld_node_t *n,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/** The driver registered under a user template name ("fast_http_user",
 *  "http_user"), or NULL. */
const ld__proto_t *ld__proto_for_user(const char *user);

/** Parse an http_version value ("1.1", "2", "2-prior-knowledge", ...) into
 *  a CURL_HTTP_VERSION_*; returns false when unknown. */
bool ld__http_version_parse(const char *s, long *out);

/** Parse a driver name ("auto", "native", "curl"); false when unknown. */
bool ld__driver_parse(const char *s, ld__driver_t *out);

/** The HTTP driver (libcurl multi on libuv). */
extern const ld__proto_t ld__proto_http;

/* ---- libcurl multi <-> libuv bridge (curl_uv.c), used by the HTTP driver ----
 */

typedef struct ld__curl_uv ld__curl_uv_t;
typedef void (*ld__curl_done_cb)(void *easy_private, int curl_code);

/**
 * Bind a new curl multi handle to loop: one uv_poll_t per socket kept armed
 * across connection reuse (restarted only when the event mask changes,
 * stopped when curl closes the socket), one uv_timer_t for curl's timer.
 * done is called for every finished transfer, after it has been removed from
 * the multi handle, with the easy handle's CURLOPT_PRIVATE pointer.
 */
int ld__curl_uv_new(uv_loop_t *loop, unsigned max_conns, ld__curl_done_cb done,
                    ld__curl_uv_t **out);
/** Remove nothing, clean up the multi handle (closing its connections) and
 *  close the uv handles; the loop must run afterwards to free them. */
void ld__curl_uv_free(ld__curl_uv_t *cu);
/** Set the socket callbacks an easy handle needs to cooperate. */
void ld__curl_uv_setup_easy(ld__curl_uv_t *cu, void *easy);
int ld__curl_uv_add(ld__curl_uv_t *cu, void *easy);
void ld__curl_uv_remove(ld__curl_uv_t *cu, void *easy);

#endif
