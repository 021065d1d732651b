/*
 * http_compile.c - compile the HTTP fields of a task (method, request_url,
 * params, headers, cookies, json, data, files, timeout, allow_redirects,
 * verify, cert, auth, http_version) into a spec of templates, once per plan.
 * Whatever has no placeholder is prepared here so the hot path only copies.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ldcore/registry.h"
#include "proto/http_int.h"

#define LD_HTTP_MAX_TIMEOUT_S 86400.0

static const char *const methods[] = {"get",    "post", "put",     "patch",
                                      "delete", "head", "options", NULL};

static int oom(ld_diag_t *d)
{
    return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
}

/* A present, non-null field (Python treats None as absent). */
static const ld_node_t *field(const ld_node_t *task, const char *name)
{
    const ld_node_t *n = ld_node_get(task, name);
    return (n && n->type != LD_TNULL) ? n : NULL;
}

static bool str_has_placeholder(const char *s, size_t len)
{
    ld_placeholder_t ph;
    return ld_placeholder_next(s, len, 0, &ph);
}

static bool node_has_placeholder(const ld_node_t *n)
{
    switch (n->type) {
    case LD_TSTRING:
        return str_has_placeholder(n->u.str.s, n->u.str.len);
    case LD_TARRAY:
        for (size_t i = 0; i < n->u.arr.n; i++)
            if (node_has_placeholder(n->u.arr.items[i]))
                return true;
        return false;
    case LD_TOBJECT:
        for (size_t i = 0; i < n->u.obj.n; i++) {
            const ld_member_t *m = &n->u.obj.members[i];
            if (str_has_placeholder(m->key, m->key_len) ||
                node_has_placeholder(m->value))
                return true;
        }
        return false;
    default:
        return false;
    }
}

static int kv_push(ld__kvs_t *kvs, const char *k, size_t klen, const char *v,
                   size_t vlen)
{
    ld__kv_t *items = realloc(kvs->items, (kvs->n + 1) * sizeof(*items));
    if (!items)
        return LD_ENOMEM;
    kvs->items = items;
    ld__kv_t *kv = &items[kvs->n];
    memset(kv, 0, sizeof(*kv));
    kv->ks = ld_strndup(k, klen);
    kv->vs = ld_strndup(v, vlen);
    kv->k = ld_tmpl_compile(k, klen);
    kv->v = ld_tmpl_compile(v, vlen);
    kvs->n++;
    if (!kv->ks || !kv->vs || !kv->k || !kv->v)
        return LD_ENOMEM;
    if (!ld_tmpl_is_literal(kv->k) || !ld_tmpl_is_literal(kv->v))
        kvs->literal = false;
    return 0;
}

static void kvs_free(ld__kvs_t *kvs)
{
    for (size_t i = 0; i < kvs->n; i++) {
        ld_tmpl_free(kvs->items[i].k);
        ld_tmpl_free(kvs->items[i].v);
        free(kvs->items[i].ks);
        free(kvs->items[i].vs);
    }
    free(kvs->items);
    kvs->items = NULL;
    kvs->n = 0;
}

/* An object of scalars (lists allowed when multi: repeated keys). */
static int kvs_compile(const ld_node_t *n, const char *what, bool multi,
                       const char *file, ld__kvs_t *out, ld_diag_t *d)
{
    char num[64];
    out->literal = true;
    if (n->type != LD_TOBJECT)
        return ld__diag_node(d, LD_ETYPE, file, n,
                             "\"%s\" must be an object, not %s", what,
                             ld_type_name(n->type));
    for (size_t i = 0; i < n->u.obj.n; i++) {
        const ld_member_t *m = &n->u.obj.members[i];
        const ld_node_t *v = m->value;
        size_t cnt = 1, j;
        if (v->type == LD_TNULL)
            continue;
        if (v->type == LD_TARRAY && multi)
            cnt = v->u.arr.n;
        for (j = 0; j < cnt; j++) {
            const ld_node_t *item =
                v->type == LD_TARRAY && multi ? v->u.arr.items[j] : v;
            const char *s;
            size_t len;
            if (item->type == LD_TNULL)
                continue;
            if (!ld__py_text(item, num, sizeof(num), &s, &len))
                return ld__diag_node(d, LD_ETYPE, file, item,
                                     "\"%s\" value of \"%s\" must be a "
                                     "string or number, not %s",
                                     what, m->key, ld_type_name(item->type));
            if (kv_push(out, m->key, m->key_len, s, len))
                return oom(d);
        }
    }
    return 0;
}

static int c_method(ld__http_spec_t *sp, const ld_node_t *task,
                    const ld__proto_defaults_t *defs, const char *file,
                    ld_diag_t *d)
{
    const ld_node_t *n = field(task, "method");
    const char *s = defs ? defs->method : NULL;
    size_t i;
    if (s || !n) {
        n = task; /* legacy form: the method is the key */
        if (!s)
            s = "get";
    }
    if (!s)
        s = ld_node_str(n);
    if (!s)
        return ld__diag_node(d, LD_ETYPE, file, n,
                             "\"method\" must be a string, not %s",
                             ld_type_name(n->type));
    for (i = 0; methods[i]; i++)
        if (!strcasecmp(s, methods[i]))
            break;
    if (!methods[i])
        return ld__diag_node(d, LD_EINVAL, file, n,
                             "unsupported HTTP method \"%s\" (expected one "
                             "of get, post, put, patch, delete, head, "
                             "options)",
                             s);
    for (size_t k = 0; methods[i][k]; k++)
        sp->method_name[k] = (char)toupper((unsigned char)methods[i][k]);
    sp->method = ld_method_parse(sp->method_name);
    return 0;
}

static int c_url(ld__http_spec_t *sp, const ld_node_t *task,
                 const ld__proto_defaults_t *defs, const char *file,
                 ld_diag_t *d)
{
    const ld_node_t *n = field(task, "request_url");
    const char *host = defs && defs->host ? defs->host : "http://localhost";
    size_t hl = strlen(host);
    if (!n)
        n = field(task, "url");
    if (!n)
        return ld__diag_node(d, LD_EINVAL, file, task,
                             "task has no \"request_url\" (or \"url\")");
    if (n->type != LD_TSTRING)
        return ld__diag_node(d, LD_ETYPE, file, n,
                             "\"request_url\" must be a string, not %s",
                             ld_type_name(n->type));
    if (n->u.str.len == 0)
        return ld__diag_node(d, LD_EINVAL, file, n, "\"request_url\" is empty");
    while (hl && host[hl - 1] == '/')
        hl--;
    sp->host = ld_strndup(host, hl);
    sp->url = ld_tmpl_compile(n->u.str.s, n->u.str.len);
    if (!sp->host || !sp->url)
        return oom(d);
    return 0;
}

static int c_kvs(ld__http_spec_t *sp, const ld_node_t *task, const char *file,
                 ld_diag_t *d)
{
    const ld_node_t *n;
    int rc = 0;
    sp->params.literal = sp->headers.literal = sp->cookies.literal = true;
    sp->form.literal = true;
    if ((n = field(task, "params")) &&
        (rc = kvs_compile(n, "params", true, file, &sp->params, d)))
        return rc;
    if ((n = field(task, "headers")) &&
        (rc = kvs_compile(n, "headers", false, file, &sp->headers, d)))
        return rc;
    if ((n = field(task, "cookies")) &&
        (rc = kvs_compile(n, "cookies", false, file, &sp->cookies, d)))
        return rc;
    return 0;
}

static int body_lit_from(ld__http_spec_t *sp, const char *s, size_t len)
{
    sp->body_lit = ld_strndup(s, len);
    sp->body_lit_len = len;
    sp->body_kind = LD__BODY_LIT;
    return sp->body_lit ? 0 : LD_ENOMEM;
}

static int c_data(ld__http_spec_t *sp, const ld_node_t *n, const char *file,
                  ld_diag_t *d)
{
    char num[64];
    const char *s;
    size_t len;
    if (n->type == LD_TOBJECT) {
        sp->body_kind = LD__BODY_FORM;
        return kvs_compile(n, "data", true, file, &sp->form, d);
    }
    if (!ld__py_text(n, num, sizeof(num), &s, &len))
        return ld__diag_node(d, LD_ETYPE, file, n,
                             "\"data\" must be a string or an object, not %s",
                             ld_type_name(n->type));
    if (n->type == LD_TSTRING && str_has_placeholder(s, len)) {
        sp->body_kind = LD__BODY_TMPL;
        sp->body_tmpl = ld_tmpl_compile(s, len);
        return sp->body_tmpl ? 0 : oom(d);
    }
    return body_lit_from(sp, s, len) ? oom(d) : 0;
}

static ld__kv_t *find_header(ld__kvs_t *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (!strcasecmp(h->items[i].ks, name))
            return &h->items[i];
    return NULL;
}

/* The node of the task's first header called name (for diagnostics). */
static const ld_node_t *header_node(const ld_node_t *task, const char *name)
{
    const ld_node_t *h = field(task, "headers");
    for (size_t i = 0; h && h->type == LD_TOBJECT && i < h->u.obj.n; i++)
        if (!strcasecmp(h->u.obj.members[i].key, name))
            return h->u.obj.members[i].value;
    return h;
}

/* Our Content-Type, unless the task sets one: a multipart type written
   without a boundary gets ours appended; any other value of the task's
   (or one with placeholders) is sent as written, as requests does. */
static int multipart_ct(ld__http_spec_t *sp, ld__kv_t *ct, bool own,
                        const char *boundary)
{
    ld_buf_t b;
    ld_tmpl_t *t;
    char *vs;
    size_t len;
    if (ct && (own || !ld_tmpl_is_literal(ct->v) ||
               !ld__multipart_ct_is_multipart(ct->vs)))
        return 0;
    ld_buf_init(&b, 0);
    if (!ct) {
        int rc =
            ld_buf_printf(&b, "multipart/form-data; boundary=%s", boundary);
        rc = rc ? rc : kv_push(&sp->headers, "Content-Type", 12, b.data, b.len);
        ld_buf_free(&b);
        return rc;
    }
    len = strlen(ct->vs);
    while (len && (ct->vs[len - 1] == ';' || ct->vs[len - 1] == ' '))
        len--;
    if (ld_buf_printf(&b, "%.*s; boundary=%s", (int)len, ct->vs, boundary) ||
        !(vs = ld_buf_take(&b, &len)))
        return LD_ENOMEM;
    if (!(t = ld_tmpl_compile(vs, len))) {
        free(vs);
        return LD_ENOMEM;
    }
    free(ct->vs);
    ld_tmpl_free(ct->v);
    ct->vs = vs;
    ct->v = t;
    return 0;
}

/* "files": a multipart/form-data body (multipart.c) with the form fields
   of "data" first. A boundary in the task's own Content-Type is used for
   the body. Without placeholders the body is rendered here, once. */
static int c_files(ld__http_spec_t *sp, const ld_node_t *task,
                   const ld_node_t *files, const ld_node_t *data,
                   const char *file, ld_diag_t *d)
{
    ld__kv_t *ct = find_header(&sp->headers, "Content-Type");
    char bnd[LD__MP_BOUNDARY_MAX + 1];
    ld__multipart_t *mp = NULL;
    bool own = false;
    ld_buf_t b;
    int rc;
    if (data && data->type != LD_TOBJECT)
        return ld__diag_node(d, LD_ETYPE, file, data,
                             "\"data\" must be an object when \"files\" is "
                             "given (its fields become form parts), not %s",
                             ld_type_name(data->type));
    if (ct && ld_tmpl_is_literal(ct->v)) {
        if ((rc = ld__multipart_ct_boundary(ct->vs, bnd, sizeof(bnd))) < 0)
            return ld__diag_node(d, LD_EINVAL, file,
                                 header_node(task, "Content-Type"),
                                 "the boundary of this Content-Type is not "
                                 "valid for \"files\" (1 to 70 letters, "
                                 "digits or '()+_,-./:=? )");
        own = rc == 1;
    }
    if ((rc = ld__multipart_compile(files, data, own ? bnd : NULL, file, &mp,
                                    d)))
        return rc;
    if (multipart_ct(sp, ct, own, ld__multipart_boundary(mp))) {
        ld__multipart_free(mp);
        return oom(d);
    }
    if (!ld__multipart_is_literal(mp)) {
        sp->body_kind = LD__BODY_MULTIPART;
        sp->multipart = mp;
        return 0;
    }
    ld_buf_init(&b, 0);
    rc = ld__multipart_render(mp, NULL, NULL, &b);
    ld__multipart_free(mp);
    if (rc || !(sp->body_lit = ld_buf_take(&b, &sp->body_lit_len))) {
        ld_buf_free(&b);
        return oom(d);
    }
    sp->body_kind = LD__BODY_LIT;
    return 0;
}

static int c_body(ld__http_spec_t *sp, const ld_node_t *task, const char *file,
                  ld_diag_t *d)
{
    const ld_node_t *data = field(task, "data"), *js = field(task, "json");
    const ld_node_t *files = field(task, "files");
    /* as in requests, an empty "files" is no upload; files win over json */
    if (files && !((files->type == LD_TOBJECT && !files->u.obj.n) ||
                   (files->type == LD_TARRAY && !files->u.arr.n)))
        return c_files(sp, task, files, data, file, d);
    if (data) /* as in requests, data wins over json */
        return c_data(sp, data, file, d);
    if (!js)
        return 0;
    sp->json_ct = true;
    if (node_has_placeholder(js)) {
        sp->body_kind = LD__BODY_JSON;
        sp->body_json = ld_node_to_json(js);
        return sp->body_json ? 0 : oom(d);
    }
    ld_buf_t b;
    ld_buf_init(&b, 0);
    if (ld_node_write_json(js, &b))
        return oom(d);
    sp->body_kind = LD__BODY_LIT;
    sp->body_lit_len = b.len;
    sp->body_lit = ld_buf_take(&b, NULL);
    if (!sp->body_lit && (sp->body_lit = ld_strdup("")) == NULL)
        return oom(d);
    return 0;
}

static int seconds_ms(const ld_node_t *n, const char *what, const char *file,
                      long *out, ld_diag_t *d)
{
    double v = ld_node_number(n);
    if (!ld_node_is_number(n))
        return ld__diag_node(d, LD_ETYPE, file, n,
                             "\"%s\" must be a number of seconds, not %s", what,
                             ld_type_name(n->type));
    if (!(v > 0) || v > LD_HTTP_MAX_TIMEOUT_S)
        return ld__diag_node(d, LD_EINVAL, file, n,
                             "\"%s\" must be > 0 and <= %.0f seconds", what,
                             LD_HTTP_MAX_TIMEOUT_S);
    *out = (long)(v * 1000.0 + 0.5);
    if (*out < 1)
        *out = 1;
    return 0;
}

static int c_timeout(ld__http_spec_t *sp, const ld_node_t *task,
                     const ld__proto_defaults_t *defs, const char *file,
                     ld_diag_t *d)
{
    const ld_node_t *n = field(task, "timeout");
    double dflt = defs && defs->timeout_s > 0 ? defs->timeout_s : 60.0;
    long c = 0, r = 0;
    int rc;
    sp->timeout_ms = (long)(dflt * 1000.0);
    if (!n)
        return 0;
    if (n->type == LD_TARRAY && n->u.arr.n == 2) { /* (connect, read) */
        if ((rc = seconds_ms(n->u.arr.items[0], "timeout", file, &c, d)) ||
            (rc = seconds_ms(n->u.arr.items[1], "timeout", file, &r, d)))
            return rc;
        sp->connect_timeout_ms = c;
        sp->timeout_ms = c + r;
        return 0;
    }
    return seconds_ms(n, "timeout", file, &sp->timeout_ms, d);
}

static int c_tls(ld__http_spec_t *sp, const ld_node_t *task, const char *file,
                 ld_diag_t *d)
{
    const ld_node_t *n;
    sp->redirects = true;
    sp->verify = true;
    if ((n = field(task, "allow_redirects"))) {
        if (n->type != LD_TBOOL)
            return ld__diag_node(d, LD_ETYPE, file, n,
                                 "\"allow_redirects\" must be true or false");
        sp->redirects = n->u.b;
    }
    if ((n = field(task, "verify"))) {
        if (n->type == LD_TBOOL) {
            sp->verify = n->u.b;
        } else if (n->type == LD_TSTRING) {
            if (!(sp->cainfo = ld_strdup(n->u.str.s)))
                return oom(d);
        } else {
            return ld__diag_node(d, LD_ETYPE, file, n,
                                 "\"verify\" must be true, false or the path "
                                 "of a CA bundle");
        }
    }
    if ((n = field(task, "cert"))) {
        const ld_node_t *c = n, *k = NULL;
        if (n->type == LD_TARRAY && n->u.arr.n == 2) {
            c = n->u.arr.items[0];
            k = n->u.arr.items[1];
        }
        if (c->type != LD_TSTRING || (k && k->type != LD_TSTRING))
            return ld__diag_node(d, LD_ETYPE, file, n,
                                 "\"cert\" must be a path or [cert, key] "
                                 "paths");
        sp->cert = ld_strdup(c->u.str.s);
        if (!sp->cert || (k && !(sp->key = ld_strdup(k->u.str.s))))
            return oom(d);
    }
    return 0;
}

static int tmpl_of(const ld_node_t *obj, const char *key, const char *file,
                   ld_tmpl_t **out, ld_diag_t *d)
{
    const ld_node_t *n = field(obj, key);
    char num[64];
    const char *s = "";
    size_t len = 0;
    if (n && !ld__py_text(n, num, sizeof(num), &s, &len))
        return ld__diag_node(d, LD_ETYPE, file, n,
                             "auth \"%s\" must be a string", key);
    *out = ld_tmpl_compile(s, len);
    return *out ? 0 : oom(d);
}

static int c_auth(ld__http_spec_t *sp, const ld_node_t *task, const char *file,
                  ld_diag_t *d)
{
    const ld_node_t *n = field(task, "auth"), *t;
    const char *type;
    if (!n)
        return 0;
    if (n->type == LD_TARRAY && n->u.arr.n == 2 &&
        n->u.arr.items[0]->type == LD_TSTRING &&
        n->u.arr.items[1]->type == LD_TSTRING) {
        const ld_node_t *u = n->u.arr.items[0], *p = n->u.arr.items[1];
        sp->basic_user = ld_tmpl_compile(u->u.str.s, u->u.str.len);
        sp->basic_pass = ld_tmpl_compile(p->u.str.s, p->u.str.len);
        return sp->basic_user && sp->basic_pass ? 0 : oom(d);
    }
    if (n->type != LD_TOBJECT)
        return ld__diag_node(d, LD_ETYPE, file, n,
                             "\"auth\" must be {\"type\": \"basic\"|\"bearer\","
                             " ...} or [username, password]");
    t = field(n, "type");
    type = t ? ld_node_str(t) : NULL;
    if (type && !strcasecmp(type, "basic")) {
        int rc = tmpl_of(n, "username", file, &sp->basic_user, d);
        return rc ? rc : tmpl_of(n, "password", file, &sp->basic_pass, d);
    }
    if (type && !strcasecmp(type, "bearer"))
        return tmpl_of(n, "token", file, &sp->bearer, d);
    return ld__diag_node(d, LD_EINVAL, file, t ? t : n,
                         "auth \"type\" must be \"basic\" or \"bearer\"");
}

bool ld__http_version_parse(const char *s, long *out)
{
    static const struct {
        const char *name;
        long v;
    } map[] = {
        {"1.0", CURL_HTTP_VERSION_1_0},
        {"1.1", CURL_HTTP_VERSION_1_1},
        {"2", CURL_HTTP_VERSION_2TLS},
        {"2.0", CURL_HTTP_VERSION_2TLS},
        {"2-prior-knowledge", CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE},
    };
    const char *const *known = ld_registry_enum("http_version");
    bool listed = false;

    /* The registry says which names exist; this maps them to libcurl. */
    for (size_t i = 0; known && known[i] && !listed; i++)
        listed = !strcmp(s, known[i]);
    for (size_t i = 0; listed && i < sizeof(map) / sizeof(map[0]); i++)
        if (!strcmp(s, map[i].name)) {
            *out = map[i].v;
            return true;
        }
    return false;
}

static int c_version(ld__http_spec_t *sp, const ld_node_t *task,
                     const ld__proto_defaults_t *defs, const char *file,
                     ld_diag_t *d)
{
    const ld_node_t *n = field(task, "http_version");
    const char *s = defs && defs->http_version ? defs->http_version : "1.1";
    char vals[128];
    sp->http_version = CURL_HTTP_VERSION_1_1;
    if (n) {
        if (n->type != LD_TSTRING)
            return ld__diag_node(
                d, LD_ETYPE, file, n, "\"http_version\" must be one of %s",
                ld_registry_enum_text("http_version", vals, sizeof(vals)));
        s = n->u.str.s;
    }
    if (!ld__http_version_parse(s, &sp->http_version))
        return ld__diag_node(
            d, LD_EINVAL, file, n, "unknown http_version \"%s\" (expected %s)",
            s, ld_registry_enum_text("http_version", vals, sizeof(vals)));
    return 0;
}

static bool has_header(const ld__kvs_t *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (!strcasecmp(h->items[i].ks, name))
            return true;
    return false;
}

/* The header list when nothing in it varies, prepared once. */
static int c_headers_final(ld__http_spec_t *sp, const ld_node_t *task,
                           ld_diag_t *d)
{
    ld_buf_t b;
    struct curl_slist *l = NULL, *t;
    const ld_node_t *auth = field(task, "auth");
    const char *tok = auth ? ld_node_str(field(auth, "token")) : NULL;
    int rc = 0;
    if (sp->json_ct && has_header(&sp->headers, "Content-Type"))
        sp->json_ct = false;
    sp->hdr_dynamic =
        !sp->headers.literal || (sp->bearer && !ld_tmpl_is_literal(sp->bearer));
    if (sp->hdr_dynamic)
        return 0;
    ld_buf_init(&b, 0);
    for (size_t i = 0; i <= sp->headers.n + 3 && !rc; i++) {
        ld_buf_reset(&b);
        if (i < sp->headers.n) {
            const ld__kv_t *kv = &sp->headers.items[i];
            if (sp->bearer && !strcasecmp(kv->ks, "Authorization"))
                continue;
            rc = kv->vs[0] ? ld_buf_printf(&b, "%s: %s", kv->ks, kv->vs)
                           : ld_buf_printf(&b, "%s;", kv->ks);
        } else if (i == sp->headers.n && sp->bearer) {
            rc = ld_buf_printf(&b, "Authorization: Bearer %s", tok ? tok : "");
        } else if (i == sp->headers.n + 1 && sp->json_ct) {
            rc = ld_buf_adds(&b, "Content-Type: application/json");
        } else if (i == sp->headers.n + 2 && sp->body_kind != LD__BODY_NONE) {
            rc = ld_buf_adds(&b, "Expect:");
        } else {
            continue;
        }
        if (rc || !b.data || !(t = curl_slist_append(l, b.data)))
            goto nomem;
        l = t;
    }
    sp->hdr_lit = l;
    ld_buf_free(&b);
    return 0;
nomem:
    curl_slist_free_all(l);
    ld_buf_free(&b);
    return oom(d);
}

static int c_literals(ld__http_spec_t *sp, const ld_node_t *task, ld_diag_t *d)
{
    const ld_node_t *u = field(task, "request_url");
    ld_buf_t b;
    int rc = 0;
    if (!u)
        u = field(task, "url");
    ld_buf_init(&b, 0);
    if (sp->cookies.n && sp->cookies.literal) {
        for (size_t i = 0; i < sp->cookies.n && !rc; i++)
            rc =
                ld_buf_printf(&b, "%s%s=%s", i ? "; " : "",
                              sp->cookies.items[i].ks, sp->cookies.items[i].vs);
        if (rc || !(sp->cookie_lit = ld_buf_take(&b, NULL)))
            goto nomem;
    }
    if (ld_tmpl_is_literal(sp->url) && sp->params.literal) {
        rc = ld__url_join(&b, sp->host, u->u.str.s, u->u.str.len);
        for (size_t i = 0; i < sp->params.n && !rc; i++) {
            const ld__kv_t *kv = &sp->params.items[i];
            rc = ld_buf_addc(&b, (i == 0 && !strchr(b.data, '?')) ? '?' : '&');
            if (!rc)
                rc = ld__url_encode(&b, kv->ks, strlen(kv->ks));
            if (!rc)
                rc = ld_buf_addc(&b, '=');
            if (!rc)
                rc = ld__url_encode(&b, kv->vs, strlen(kv->vs));
        }
        if (rc || !(sp->url_lit = ld_buf_take(&b, NULL)))
            goto nomem;
    }
    ld_buf_free(&b);
    return 0;
nomem:
    ld_buf_free(&b);
    return oom(d);
}

int ld__http_compile(const ld_node_t *task, const ld__proto_defaults_t *defs,
                     const char *file, void **out, ld_diag_t *d)
{
    int rc = 0;
    ld__http_spec_t *sp = calloc(1, sizeof(*sp));
    *out = NULL;
    if (!sp)
        return oom(d);
    if ((rc = c_method(sp, task, defs, file, d)) ||
        (rc = c_url(sp, task, defs, file, d)) ||
        (rc = c_kvs(sp, task, file, d)) || (rc = c_body(sp, task, file, d)) ||
        (rc = c_timeout(sp, task, defs, file, d)) ||
        (rc = c_tls(sp, task, file, d)) || (rc = c_auth(sp, task, file, d)) ||
        (rc = c_version(sp, task, defs, file, d)) ||
        (rc = c_headers_final(sp, task, d)) || (rc = c_literals(sp, task, d)))
        goto out;
    *out = sp;
    return 0;
out:
    ld__http_spec_free(sp);
    return rc;
}

void ld__http_spec_free(void *spec)
{
    ld__http_spec_t *sp = spec;
    if (!sp)
        return;
    free(sp->host);
    ld_tmpl_free(sp->url);
    free(sp->url_lit);
    kvs_free(&sp->params);
    kvs_free(&sp->headers);
    kvs_free(&sp->cookies);
    kvs_free(&sp->form);
    curl_slist_free_all(sp->hdr_lit);
    free(sp->cookie_lit);
    free(sp->body_lit);
    ld_tmpl_free(sp->body_tmpl);
    json_decref(sp->body_json);
    ld__multipart_free(sp->multipart);
    free(sp->cainfo);
    free(sp->cert);
    free(sp->key);
    ld_tmpl_free(sp->basic_user);
    ld_tmpl_free(sp->basic_pass);
    ld_tmpl_free(sp->bearer);
    free(sp);
}

ld_method_t ld__http_spec_method(const void *spec)
{
    return ((const ld__http_spec_t *)spec)->method;
}

const char *ld__http_spec_literal_url(const void *spec)
{
    return ((const ld__http_spec_t *)spec)->url_lit;
}
