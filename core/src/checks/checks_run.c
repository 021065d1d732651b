/*
 * Running compiled checks on one response: assertions in order (the first
 * failure ends the run, with a short message), then the extractors.
 * The body is parsed as JSON at most once, and only when a json_path
 * assertion or extractor is reached. See checks.c for the policy.
 */
#include "checks/checks_int.h"

#include <stdio.h>
#include <string.h>

typedef struct run {
    const ld__response_t *resp;
    ld_params_t *p;
    ld_scope_t *scope;
    json_t *body;
    int body_state;       /* 0: not parsed yet, 1: JSON, -1: not JSON */
    json_error_t jerr;
    ld_buf_t arg;         /* rendered path or header name */
    ld_buf_t want;        /* rendered expected text */
    ld_buf_t msg;         /* failure message */
} run_t;

/* Paths and header names are printed as written, up to a sane length. */
static size_t clip(size_t len)
{
    return len ? (len > 200 ? 200 : len) : 1;
}

/* The text of t for this response: the literal, or the rendered template. */
static int text_get(run_t *r, const ld__text_t *t, ld_buf_t *scratch,
                    const char **s, size_t *len)
{
    int rc;

    if (!t->tmpl || !r->p) {
        *s = t->s ? t->s : "";
        *len = t->s ? t->len : 0;
        return 0;
    }
    ld_buf_reset(scratch);
    rc = ld_tmpl_render(t->tmpl, r->p, r->scope, scratch);
    if (rc)
        return rc;
    *s = scratch->data ? scratch->data : "";
    *len = scratch->len;
    return 0;
}

static const json_t *body_json(run_t *r)
{
    const char *b = r->resp->body;
    size_t n = r->resp->body_len;

    if (r->body_state)
        return r->body;
    r->body_state = -1;
    if (!b || !n)
        return NULL;
    if (n >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0) {
        b += 3;   /* a UTF-8 byte order mark, as requests' .json() allows */
        n -= 3;
    }
    r->body = json_loadb(b, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &r->jerr);
    if (r->body)
        r->body_state = 1;
    return r->body;
}

static int not_json(run_t *r)
{
    int rc;

    if (!r->resp->body_len)
        rc = ld_buf_adds(&r->msg, "json_path: response is not JSON (empty "
                                  "body)");
    else
        rc = ld_buf_printf(&r->msg, "json_path: response is not JSON (at "
                           "line %d, column %d: %s)", r->jerr.line,
                           r->jerr.column, r->jerr.text);
    return rc ? rc : LD_EFAILED;
}

/* ---- the assertions ---- */

static int check_status(run_t *r, const ld__assert_t *a)
{
    int64_t want = a->status;
    const char *s;
    size_t len;
    int rc;

    if (a->want.tmpl) {
        rc = text_get(r, &a->want, &r->want, &s, &len);
        if (rc)
            return rc;
        if (!ld__parse_status(s, len, &want)) {
            rc = ld_buf_adds(&r->msg, "status_code: expected value ");
            if (!rc)
                rc = ld__show_str(s, len, LD__SHOW_MAX, &r->msg);
            if (!rc)
                rc = ld_buf_adds(&r->msg, " is not a status code");
            return rc ? rc : LD_EFAILED;
        }
    }
    if ((int64_t)r->resp->status == want)
        return 0;
    rc = ld_buf_printf(&r->msg, "status_code: expected %lld, got %d%s",
                       (long long)want, r->resp->status,
                       r->resp->status ? "" : " (no response)");
    return rc ? rc : LD_EFAILED;
}

static int check_contains(run_t *r, const ld__assert_t *a)
{
    const char *body = r->resp->body ? r->resp->body : "";
    size_t blen = r->resp->body ? r->resp->body_len : 0;
    bool negate = a->kind == LD__A_NOT_CONTAINS;
    const char *s, *hit;
    size_t len;
    int rc = text_get(r, &a->want, &r->want, &s, &len);

    if (rc)
        return rc;
    hit = len ? memmem(body, blen, s, len) : body;
    if (!hit == negate)
        return 0;
    rc = ld_buf_adds(&r->msg, negate ? "not_contains: " : "contains: ");
    if (!rc)
        rc = ld__show_str(s, len, LD__SHOW_MAX, &r->msg);
    if (!rc && negate)
        rc = ld_buf_printf(&r->msg, " found in body at byte %zu",
                           (size_t)(hit - body));
    else if (!rc)
        rc = ld_buf_printf(&r->msg, " not found in body (%zu bytes)", blen);
    return rc ? rc : LD_EFAILED;
}

static const json_t *var_value(const run_t *r, const char *name)
{
    if (r->scope)
        return ld_scope_get(r->scope, name);
    return r->p ? ld_params_get_var(r->p, name) : NULL;
}

/* Compare actual with the expected value (*eq), and append the expected
   value, as compared, to the message. */
static int json_matches(run_t *r, const ld__assert_t *a, const json_t *actual,
                        bool *eq)
{
    const json_t *typed = a->want_var ? var_value(r, a->want_var) : NULL;
    json_t *resolved;
    const char *s;
    size_t len;
    int rc = 0;

    if (a->want_is_text && (!typed || json_is_string(typed))) {
        rc = text_get(r, &a->want, &r->want, &s, &len);
        *eq = !rc && json_is_string(actual) &&
              json_string_length(actual) == len &&
              memcmp(json_string_value(actual), s, len) == 0;
        if (!rc)
            rc = ld__show_str(s, len, LD__SHOW_MAX, &r->msg);
        return rc;
    }
    if (a->want_is_text) {
        *eq = ld__json_equal(typed, actual);
        return ld__show_json(typed, LD__SHOW_MAX, &r->msg);
    }
    if (!a->want_resolve || !r->p) {
        *eq = ld__json_equal(a->want_json, actual);
        if (a->want_shown)
            return ld_buf_adds(&r->msg, a->want_shown);
        return ld__show_json(a->want_json, LD__SHOW_MAX, &r->msg);
    }
    resolved = ld_params_resolve_json(r->p, r->scope, a->want_json);
    if (!resolved)
        return LD_ENOMEM;
    *eq = ld__json_equal(resolved, actual);
    rc = ld__show_json(resolved, LD__SHOW_MAX, &r->msg);
    json_decref(resolved);
    return rc;
}

static int bad_path(run_t *r, const char *path, size_t len)
{
    const char *why = NULL;
    size_t at = 0;
    int rc;

    if (ld__json_path_check(path, len, &why, &at))
        return 0;
    rc = ld_buf_adds(&r->msg, "json_path: bad path ");
    if (!rc)
        rc = ld__show_str(path, len, LD__SHOW_MAX, &r->msg);
    if (!rc)
        rc = ld_buf_printf(&r->msg, ": %s (at character %zu)", why, at + 1);
    return rc ? rc : LD_EFAILED;
}

static int check_json_path(run_t *r, const ld__assert_t *a)
{
    const json_t *root, *actual;
    const char *path;
    size_t plen;
    bool eq = false;
    int rc = text_get(r, &a->arg, &r->arg, &path, &plen);

    if (!rc && a->arg.tmpl)
        rc = bad_path(r, path, plen);
    if (rc)
        return rc;
    root = body_json(r);
    if (!root)
        return not_json(r);
    actual = ld__json_path(root, path);
    rc = ld_buf_printf(&r->msg, "json_path %.*s: ", (int)clip(plen),
                       plen ? path : "$");
    if (!rc && !actual)
        rc = ld_buf_adds(&r->msg, "not found");
    if (rc || !actual)
        return rc ? rc : LD_EFAILED;
    rc = ld_buf_adds(&r->msg, "expected ");
    if (!rc)
        rc = json_matches(r, a, actual, &eq);
    if (!rc && eq) {
        ld_buf_reset(&r->msg);
        return 0;
    }
    if (!rc)
        rc = ld_buf_adds(&r->msg, ", got ");
    if (!rc)
        rc = ld__show_json(actual, LD__SHOW_MAX, &r->msg);
    return rc ? rc : LD_EFAILED;
}

static int check_header(run_t *r, const ld__assert_t *a)
{
    const char *name, *want, *val;
    size_t nlen, wlen, vlen;
    int rc = text_get(r, &a->arg, &r->arg, &name, &nlen);

    if (!rc)
        rc = text_get(r, &a->want, &r->want, &want, &wlen);
    if (rc)
        return rc;
    rc = ld_buf_printf(&r->msg, "header %.*s: ", (int)clip(nlen), name);
    if (!rc && !ld__header_find(r->resp->headers, r->resp->headers_len, name,
                                &val, &vlen))
        rc = ld_buf_adds(&r->msg, "missing");
    else if (!rc && vlen == wlen && memcmp(val, want, wlen) == 0) {
        ld_buf_reset(&r->msg);
        return 0;
    } else if (!rc) {
        rc = ld_buf_adds(&r->msg, "expected ");
        if (!rc)
            rc = ld__show_str(want, wlen, LD__SHOW_MAX, &r->msg);
        if (!rc)
            rc = ld_buf_adds(&r->msg, ", got ");
        if (!rc)
            rc = ld__show_str(val, vlen, LD__SHOW_MAX, &r->msg);
    }
    return rc ? rc : LD_EFAILED;
}

static int check_one(run_t *r, const ld__assert_t *a)
{
    switch (a->kind) {
    case LD__A_STATUS:
        return check_status(r, a);
    case LD__A_CONTAINS:
    case LD__A_NOT_CONTAINS:
        return check_contains(r, a);
    case LD__A_JSON_PATH:
        return check_json_path(r, a);
    case LD__A_HEADER:
        return check_header(r, a);
    }
    return LD_EINTERNAL;
}

/* ---- the extractors ---- */

static int store(run_t *r, const char *var, const json_t *v)
{
    if (r->scope)
        return ld_scope_set(r->scope, var, v);
    return r->p ? ld_params_set_var(r->p, var, v) : 0;
}

static int store_str(run_t *r, const char *var, const char *s, size_t len)
{
    json_t *v;
    int rc;

    if (r->scope)
        return ld_scope_set_str(r->scope, var, s, len);
    if (!r->p)
        return 0;
    v = json_stringn_nocheck(s, len);
    if (!v)
        return LD_ENOMEM;
    rc = ld_params_set_var(r->p, var, v);
    json_decref(v);
    return rc;
}

static int extract_one(run_t *r, const ld__extract_t *x)
{
    const json_t *v;
    json_t *num;
    const char *s;
    size_t len;
    int rc;

    switch (x->kind) {
    case LD__X_JSON_PATH:
        rc = text_get(r, &x->arg, &r->arg, &s, &len);
        if (rc)
            return rc;
        v = ld__json_path(body_json(r), s);
        return v && !json_is_null(v) ? store(r, x->var, v) : 0;
    case LD__X_HEADER:
        rc = text_get(r, &x->arg, &r->arg, &s, &len);
        if (rc)
            return rc;
        if (!ld__header_find(r->resp->headers, r->resp->headers_len, s, &s,
                             &len))
            return 0;
        return store_str(r, x->var, s, len);
    case LD__X_STATUS:
        if (r->resp->status <= 0)
            return 0;
        num = json_integer(r->resp->status);
        if (!num)
            return LD_ENOMEM;
        rc = store(r, x->var, num);
        json_decref(num);
        return rc;
    }
    return LD_EINTERNAL;
}

/* ---- entry point ---- */

static void put_msg(char *msg, size_t size, const char *text)
{
    size_t n;

    if (!msg || !size)
        return;
    n = strlen(text);
    if (n >= size) {
        n = size - 1;
        while (n && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--;   /* do not cut a UTF-8 sequence */
    }
    memcpy(msg, text, n);
    msg[n] = '\0';
}

int ld__checks_run(const ld__checks_t *c, const ld__response_t *resp,
                   ld_params_t *params, ld_scope_t *scope, char *msg,
                   size_t msg_size)
{
    run_t r;
    size_t i;
    int rc = 0;

    put_msg(msg, msg_size, "");
    if (ld__checks_empty(c) || !resp)
        return 0;
    memset(&r, 0, sizeof(r));
    r.resp = resp;
    r.p = params;
    r.scope = scope;
    ld_buf_init(&r.arg, 0);
    ld_buf_init(&r.want, 0);
    ld_buf_init(&r.msg, 4096);
    for (i = 0; i < c->nasserts && !rc; i++)
        rc = check_one(&r, &c->asserts[i]);
    for (i = 0; i < c->nextracts && !rc; i++)
        rc = extract_one(&r, &c->extracts[i]);
    if (rc == LD_EFAILED)
        put_msg(msg, msg_size, r.msg.data ? r.msg.data : "assertion failed");
    else if (rc)
        put_msg(msg, msg_size, ld_strerror(rc));
    json_decref(r.body);
    ld_buf_free(&r.arg);
    ld_buf_free(&r.want);
    ld_buf_free(&r.msg);
    return rc;
}
