/*
 * http_int.h - the HTTP driver's compiled task ("spec") and transfer slot,
 * shared by http_compile.c and http_xfer.c (internal).
 */
#ifndef LD_HTTP_INT_H
#define LD_HTTP_INT_H

#include <stdbool.h>

#include <curl/curl.h>
#include <jansson.h>

#include "proto/proto_int.h"

/* A name/value pair of templates (query parameter, header, cookie, form). */
typedef struct ld__kv {
    ld_tmpl_t *k;
    ld_tmpl_t *v;
    char *ks; /* the source strings (used when literal) */
    char *vs;
} ld__kv_t;

typedef struct ld__kvs {
    ld__kv_t *items;
    size_t n;
    bool literal; /* every template is literal */
} ld__kvs_t;

typedef enum ld__body_kind {
    LD__BODY_NONE = 0,
    LD__BODY_LIT,      /* body_lit: fixed bytes (literal data or JSON) */
    LD__BODY_TMPL,     /* body_tmpl: a data string with placeholders */
    LD__BODY_JSON,     /* body_json: resolved per request */
    LD__BODY_FORM,     /* form: application/x-www-form-urlencoded */
    LD__BODY_MULTIPART /* multipart: "files" with placeholders */
} ld__body_kind_t;

typedef struct ld__multipart ld__multipart_t;

typedef struct ld__http_spec {
    ld_method_t method;
    char method_name[16]; /* upper case, e.g. "GET" */
    char *host;           /* base of relative URLs, without trailing '/' */
    ld_tmpl_t *url;
    char *url_lit; /* full URL when url and params are literal */
    ld__kvs_t params;
    ld__kvs_t headers;
    ld__kvs_t cookies;
    ld__kvs_t form;
    struct curl_slist *hdr_lit; /* complete header list when nothing varies */
    bool hdr_dynamic;           /* header list rendered per request */
    char *cookie_lit;
    ld__body_kind_t body_kind;
    char *body_lit;
    size_t body_lit_len;
    ld_tmpl_t *body_tmpl;
    json_t *body_json;
    ld__multipart_t *multipart;
    bool json_ct; /* add "Content-Type: application/json" */
    long timeout_ms;
    long connect_timeout_ms; /* 0 = curl's default within timeout_ms */
    bool redirects;
    bool verify;
    char *cainfo;
    char *cert;
    char *key;
    ld_tmpl_t *basic_user;
    ld_tmpl_t *basic_pass;
    ld_tmpl_t *bearer;
    long http_version; /* CURL_HTTP_VERSION_* */
} ld__http_spec_t;

/* Transfer slots per curl multi handle (see shard_for_new_slot). */
#define LD_HTTP_SHARD 256u

/* Per-thread state of the driver. */
typedef struct ld__http_io {
    uv_loop_t *loop;
    unsigned max_conns;
    ld__curl_uv_t **shards; /* multi handles, LD_HTTP_SHARD slots each */
    size_t nshards;
    size_t nslots;
    char *cainfo_default; /* curl's built-in CA bundle, or NULL */
    bool h2c_fresh;       /* h2c prior knowledge: never reuse (7.88) */
} ld__http_io_t;

struct ld__xfer {
    CURL *easy;
    ld__http_io_t *io;
    ld__curl_uv_t *cu;           /* the multi handle this slot uses */
    const ld__http_spec_t *spec; /* the spec the easy handle is set up for */
    char errbuf[CURL_ERROR_SIZE];
    ld_buf_t url;
    ld_buf_t body;
    ld_buf_t tmp;
    ld_buf_t rbody;
    ld_buf_t rhdr;
    struct curl_slist *hdrs; /* per-request header list */
    uint64_t rbytes;
    unsigned flags; /* LD__XF_* */
    ld__xfer_cb cb;
    void *user;
    bool busy;
    bool prior; /* set up for CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE */
};

int ld__http_compile(const ld_node_t *task, const ld__proto_defaults_t *defs,
                     const char *file, void **spec, ld_diag_t *d);
void ld__http_spec_free(void *spec);
ld_method_t ld__http_spec_method(const void *spec);
const char *ld__http_spec_literal_url(const void *spec);

/** Start a request of spec sp on url (a redirect the native path hands
 *  over); as_get sends it as a GET without the body. As the driver's
 *  start otherwise. */
int ld__http_start_url(ld__xfer_t *x, const ld__http_spec_t *sp,
                       ld_params_t *p, ld_scope_t *s, unsigned flags,
                       const char *url, bool as_get, ld__xfer_cb cb,
                       void *user, char *err, size_t errsz);

/* ---- multipart/form-data bodies ("files", multipart.c) ---- */

#define LD__MP_BOUNDARY_MAX 70 /* RFC 2046 */

/** Compile a task's "files" (an object, or a list of [name, value] pairs)
 *  and the form fields of its "data" (an object, or NULL) into a multipart
 *  body as python-requests builds it: data fields first, then the files.
 *  boundary NULL picks a random one. Errors are positioned at the node. */
int ld__multipart_compile(const ld_node_t *files, const ld_node_t *data,
                          const char *boundary, const char *file,
                          ld__multipart_t **out, ld_diag_t *d);
void ld__multipart_free(ld__multipart_t *mp);
/** True when nothing in the body has a placeholder. */
bool ld__multipart_is_literal(const ld__multipart_t *mp);
const char *ld__multipart_boundary(const ld__multipart_t *mp);
/** Append the body, placeholders expanded with p and s, to out. */
int ld__multipart_render(const ld__multipart_t *mp, ld_params_t *p,
                         ld_scope_t *s, ld_buf_t *out);
/** The boundary parameter of a Content-Type value into out: 1 when found,
 *  0 when there is none, LD_EINVAL when it is not a valid boundary. */
int ld__multipart_ct_boundary(const char *ct, char *out, size_t size);
/** True for a multipart/... media type. */
bool ld__multipart_ct_is_multipart(const char *ct);
/** str() of a float as Python prints it (shortest round trip). */
void ld__py_float(double v, char *buf, size_t size);
/** Text of a string, integer, boolean or float scalar as Python's str()
 *  gives it: *s points into the node or into buf; false for other types. */
bool ld__py_text(const ld_node_t *n, char *buf, size_t size, const char **s,
                 size_t *len);

/** Append s[0..len) percent-encoded (form style: space as '+'). */
int ld__url_encode(ld_buf_t *out, const char *s, size_t len);
/** Append url to out, prefixed with host when it is relative. */
int ld__url_join(ld_buf_t *out, const char *host, const char *url, size_t len);

#endif
