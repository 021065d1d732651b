/*
 * target_multipart.c - the /multipart route's parser: a multipart/form-data
 * request body (RFC 7578, RFC 2046 delimiters) split into its parts, each
 * described as JSON, so tests can check what a client uploaded. Strict on
 * purpose: no preamble, CRLF line ends, a closing delimiter.
 */
#include "target/target_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct mp_in {
    const char *p, *end;
    char delim[80]; /* "\r\n--" boundary */
    size_t dlen;
    char *err;
    size_t errsz;
} mp_in_t;

static json_t *bad(mp_in_t *in, const char *what)
{
    snprintf(in->err, in->errsz, "%s", what);
    return NULL;
}

/* The boundary parameter of a Content-Type value (a token or a quoted
   string), into out; 0 when there is none. */
static size_t ct_boundary(const char *ct, size_t n, char *out, size_t size)
{
    const char *e = ct + n, *p;
    size_t k = 0;
    for (p = ct; p + 9 <= e; p++)
        if (!strncasecmp(p, "boundary=", 9) && p > ct &&
            (p[-1] == ';' || p[-1] == ' '))
            break;
    if (p + 9 > e)
        return 0;
    p += 9;
    if (p < e && *p == '"') {
        for (p++; p < e && *p != '"' && k + 1 < size; p++)
            out[k++] = *p;
        if (p >= e || *p != '"')
            return 0;
    } else {
        for (; p < e && *p != ';' && *p != ' ' && k + 1 < size; p++)
            out[k++] = *p;
    }
    out[k] = '\0';
    return k;
}

/* A parameter of Content-Disposition: name="..." (quoted, as clients send
   it); NULL when absent. */
static json_t *disp_param(const char *v, size_t n, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl + 2 <= n; i++) {
        const char *q;
        if ((i && v[i - 1] != ' ' && v[i - 1] != ';') ||
            strncasecmp(v + i, key, kl) || v[i + kl] != '=' ||
            v[i + kl + 1] != '"')
            continue;
        q = memchr(v + i + kl + 2, '"', n - i - kl - 2);
        if (q)
            return json_stringn(v + i + kl + 2, (size_t)(q - (v + i + kl + 2)));
    }
    return NULL;
}

static json_t *str_or_null(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    return j ? j : json_null();
}

/* One header line "Name: value" into part (name and filename from
   Content-Disposition, content_type, the rest in "headers"). */
static int part_header(json_t *part, const char *l, size_t n)
{
    const char *c = memchr(l, ':', n), *v;
    size_t nl, vl;
    if (!c || c == l)
        return -1;
    nl = (size_t)(c - l);
    for (v = c + 1; v < l + n && *v == ' '; v++)
        ;
    vl = (size_t)(l + n - v);
    if (nl == 19 && !strncasecmp(l, "Content-Disposition", 19)) {
        json_t *name = disp_param(v, vl, "name");
        json_t *fn = disp_param(v, vl, "filename");
        if (vl < 9 || strncasecmp(v, "form-data", 9) || !name) {
            json_decref(name);
            json_decref(fn);
            return -1;
        }
        json_object_set_new(part, "name", name);
        json_object_set_new(part, "filename", fn ? fn : json_null());
        return 0;
    }
    if (nl == 12 && !strncasecmp(l, "Content-Type", 12))
        return json_object_set_new(part, "content_type", str_or_null(v, vl));
    {
        char key[128];
        snprintf(key, sizeof(key), "%.*s", (int)(nl < 127 ? nl : 127), l);
        return json_object_set_new(json_object_get(part, "headers"), key,
                                   str_or_null(v, vl));
    }
}

/* A part from in->p (just past the delimiter's CRLF) to the next
   delimiter; in->p is left on that delimiter's "\r\n--". */
static json_t *part(mp_in_t *in)
{
    json_t *o =
        json_pack("{s:n,s:n,s:{}}", "filename", "content_type", "headers");
    const char *hend, *cend;
    if (!o)
        return bad(in, "out of memory");
    while (1) {
        const char *eol = memmem(in->p, (size_t)(in->end - in->p), "\r\n", 2);
        if (!eol)
            goto fail;
        if (eol == in->p) {
            in->p += 2;
            break;
        }
        if (part_header(o, in->p, (size_t)(eol - in->p)))
            goto fail;
        in->p = eol + 2;
    }
    if (!json_object_get(o, "name"))
        goto fail;
    hend = in->p;
    cend = memmem(hend, (size_t)(in->end - hend), in->delim, in->dlen);
    if (!cend) {
        json_decref(o);
        return bad(in, "a part is not closed by a delimiter");
    }
    json_object_set_new(o, "length", json_integer((json_int_t)(cend - hend)));
    json_object_set_new(o, "data", str_or_null(hend, (size_t)(cend - hend)));
    in->p = cend;
    return o;
fail:
    json_decref(o);
    return bad(in, "a part header is malformed (or lacks "
                   "Content-Disposition: form-data; name=\"...\")");
}

json_t *ld__tmultipart_parse(const char *ct, size_t ctlen, const char *body,
                             size_t blen, char *err, size_t errsz)
{
    mp_in_t in = {body, body + blen, {0}, 0, err, errsz};
    char b[72];
    size_t bl = ct_boundary(ct, ctlen, b, sizeof(b));
    json_t *parts, *o;
    if (!bl || bl > 70)
        return bad(&in, "no boundary in the Content-Type");
    in.dlen = (size_t)snprintf(in.delim, sizeof(in.delim), "\r\n--%s", b);
    if (blen < in.dlen - 2 || memcmp(body, in.delim + 2, in.dlen - 2))
        return bad(&in, "the body does not start with the delimiter");
    in.p = body + in.dlen - 2;
    parts = json_array();
    o = json_pack("{s:s,s:o}", "boundary", b, "parts", parts);
    if (!o)
        return bad(&in, "out of memory");
    while (1) {
        json_t *pt;
        if (in.end - in.p >= 4 && !memcmp(in.p, "--\r\n", 4) &&
            in.p + 4 == in.end)
            return o; /* the closing delimiter ends the body */
        if (in.end - in.p < 2 || memcmp(in.p, "\r\n", 2))
            break;
        in.p += 2;
        if (!(pt = part(&in))) {
            json_decref(o);
            return NULL;
        }
        json_array_append_new(parts, pt);
        in.p += in.dlen; /* past "\r\n--boundary" */
    }
    json_decref(o);
    return bad(&in, "bad delimiter line or missing closing delimiter");
}
