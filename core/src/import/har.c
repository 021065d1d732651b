/*
 * har.c - HAR 1.2 to tasks and action documents, with the Python tool's
 * behaviour: one task per entry in recording order, method lower-cased,
 * "METHOD /path" names, JSON bodies parsed, form params as an object, the
 * recorded status as a status_code assertion. Differences (all documented in
 * docs/mcp.md): entries whose URL is not http(s) are skipped and counted
 * rather than turned into tasks that cannot run, and every hop-by-hop or
 * HTTP/2 pseudo header is dropped, not only the ones Python lists.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import/import_int.h"

void ld_har_opts_init(ld_har_opts_t *o)
{
    memset(o, 0, sizeof(*o));
    o->user = "fast_http_user";
    o->user_count = 10;
    o->spawn_rate = 5;
    o->test_time = 60;
}

static int oom(ld_diag_t *d)
{
    return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
}

/* Headers the engine sets itself or that only make sense on one hop. */
static bool dropped_header(const char *name)
{
    static const char *const drop[] = {
        "host", "content-length", "connection", "keep-alive",
        "proxy-connection", "transfer-encoding", "upgrade", "te",
        "trailer", NULL};

    if (name[0] == ':')   /* HTTP/2 and HTTP/3 pseudo headers */
        return true;
    for (size_t i = 0; drop[i]; i++)
        if (!strcasecmp(name, drop[i]))
            return true;
    return false;
}

int ld__har_path_only(const char *url, ld_buf_t *out)
{
    const char *p = url, *auth, *slash, *nl;

    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
        p++;
    if (p == url || strncmp(p, "://", 3) != 0)
        return ld_buf_adds(out, url);
    auth = p + 3;
    slash = strchr(auth, '/');
    if (slash == auth)
        return ld_buf_adds(out, url);   /* "[^/]+" needs one character */
    if (!slash)
        return ld_buf_adds(out, "/");
    /* "(/.*)?$": the path may not hold a newline, except a final one. */
    nl = strchr(slash, '\n');
    if (nl && nl[1] != '\0')
        return ld_buf_adds(out, url);
    return ld_buf_add(out, slash, nl ? (size_t)(nl - slash) : strlen(slash));
}

static bool is_http(const char *url)
{
    return !strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8);
}

/* A header or form value as text: strings as they are, numbers and booleans
   in JSON, anything else empty. */
static json_t *text_value(const json_t *v)
{
    char *s;
    json_t *r;

    if (json_is_string(v))
        return json_incref((json_t *)(uintptr_t)v);
    if (!json_is_number(v) && !json_is_boolean(v))
        return json_string("");
    s = json_dumps(v, JSON_ENCODE_ANY);
    r = s ? json_string(s) : NULL;
    free(s);
    return r;
}

static int add_headers(json_t *task, const json_t *req)
{
    const json_t *list = json_object_get(req, "headers"), *h;
    json_t *out;
    size_t i;

    if (!json_is_array(list) || !json_array_size(list))
        return 0;
    if (!(out = json_object()))
        return LD_ENOMEM;
    json_array_foreach(list, i, h) {
        const char *raw = json_string_value(json_object_get(h, "name"));
        char name[256];
        size_t a = 0, b;

        if (!raw)
            continue;
        b = strlen(raw);
        while (a < b && (raw[a] == ' ' || raw[a] == '\t'))
            a++;
        while (b > a && (raw[b - 1] == ' ' || raw[b - 1] == '\t'))
            b--;
        if (a == b || b - a >= sizeof(name))
            continue;
        memcpy(name, raw + a, b - a);
        name[b - a] = '\0';
        if (dropped_header(name))
            continue;
        if (json_object_set_new(out, name,
                                text_value(json_object_get(h, "value"))))
            goto nomem;
    }
    if (json_object_size(out) == 0) {
        json_decref(out);
        return 0;
    }
    return json_object_set_new(task, "headers", out) ? LD_ENOMEM : 0;
nomem:
    json_decref(out);
    return LD_ENOMEM;
}

static int form_params(json_t *task, const json_t *params)
{
    json_t *out = json_object(), *p;
    size_t i;

    if (!out)
        return LD_ENOMEM;
    json_array_foreach(params, i, p) {
        const char *name = json_string_value(json_object_get(p, "name"));

        if (!name || !*name)
            continue;
        if (json_object_set_new(out, name,
                                text_value(json_object_get(p, "value")))) {
            json_decref(out);
            return LD_ENOMEM;
        }
    }
    return json_object_set_new(task, "data", out) ? LD_ENOMEM : 0;
}

static int add_body(json_t *task, const json_t *req)
{
    const json_t *pd = json_object_get(req, "postData");
    const char *mime, *text;
    const json_t *params;
    char lower[256];
    size_t i;

    if (!json_is_object(pd))
        return 0;
    mime = json_string_value(json_object_get(pd, "mimeType"));
    text = json_string_value(json_object_get(pd, "text"));
    params = json_object_get(pd, "params");
    for (i = 0; mime && mime[i] && i < sizeof(lower) - 1; i++)
        lower[i] = (char)(mime[i] >= 'A' && mime[i] <= 'Z' ? mime[i] + 32
                                                          : mime[i]);
    lower[i] = '\0';
    if (strstr(lower, "application/json") && text && *text) {
        json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);

        if (j)
            return json_object_set_new(task, "json", j) ? LD_ENOMEM : 0;
        return json_object_set_new(task, "data", json_string(text))
                   ? LD_ENOMEM : 0;
    }
    if (json_is_array(params) && json_array_size(params))
        return form_params(task, params);
    if (text && *text)
        return json_object_set_new(task, "data", json_string(text))
                   ? LD_ENOMEM : 0;
    return 0;
}

static int add_assertion(json_t *task, const json_t *entry)
{
    const json_t *st = json_object_get(json_object_get(entry, "response"),
                                       "status");
    json_int_t code;

    if (!json_is_integer(st))
        return 0;
    code = json_integer_value(st);
    if (code < 100 || code > 999)   /* 0 = no response was recorded */
        return 0;
    return json_object_set_new(task, "assertions",
                               json_pack("[{s:s,s:I}]", "type",
                                         "status_code", "value", code))
               ? LD_ENOMEM : 0;
}

/* The task of one entry, or NULL with *rc 0 when the entry is skipped. */
static json_t *entry_task(const json_t *entry, ld_har_stats_t *st, int *rc)
{
    const json_t *req = json_object_get(entry, "request");
    const char *m = json_string_value(json_object_get(req, "method"));
    const char *url = json_string_value(json_object_get(req, "url"));
    char method[32];
    ld_buf_t name;
    json_t *t = NULL;
    size_t i;

    *rc = 0;
    if (!m || !*m || !url || !*url || strlen(m) >= sizeof(method)) {
        st->invalid++;
        return NULL;
    }
    if (!is_http(url)) {
        st->unsupported++;
        return NULL;
    }
    ld_buf_init(&name, 0);
    for (i = 0; m[i]; i++)
        method[i] = (char)(m[i] >= 'a' && m[i] <= 'z' ? m[i] - 32 : m[i]);
    method[i] = '\0';
    if ((*rc = ld_buf_printf(&name, "%s ", method)) ||
        (*rc = ld__har_path_only(url, &name)))
        goto out;
    for (i = 0; method[i]; i++)
        method[i] = (char)(method[i] >= 'A' && method[i] <= 'Z'
                               ? method[i] + 32 : method[i]);
    t = json_pack("{s:s,s:s,s:s}", "method", method, "request_url", url,
                  "name", name.data);
    if (!t || (*rc = add_headers(t, req)) || (*rc = add_body(t, req)) ||
        (*rc = add_assertion(t, entry))) {
        *rc = LD_ENOMEM;
        json_decref(t);
        t = NULL;
    }
out:
    ld_buf_free(&name);
    return t;
}

/* 1 when the URL passes include / exclude, 0 when filtered, < 0 on error. */
static int keep_url(const json_t *entry, const ld__relist_t *inc,
                    const ld__relist_t *exc, ld_diag_t *d)
{
    const char *url = json_string_value(
        json_object_get(json_object_get(entry, "request"), "url"));
    size_t len = url ? strlen(url) : 0;
    int r;

    if (!url)
        url = "";
    if (inc && (r = ld__relist_search(inc, url, len, d)) <= 0)
        return r;
    if (exc && (r = ld__relist_search(exc, url, len, d)) != 0)
        return r < 0 ? r : 0;
    return 1;
}

static const json_t *har_entries(const json_t *har, ld_diag_t *d)
{
    const json_t *log = json_object_get(har, "log");
    const json_t *e = json_object_get(log, "entries");

    if (!json_is_object(har))
        ld_diag_set(d, LD_EINVAL, NULL, NULL,
                    "not a HAR document: expected an object with \"log\"");
    else if (!json_is_object(log))
        ld_diag_set(d, LD_EINVAL, NULL, NULL,
                    "not a HAR document: \"log\" is missing or not an "
                    "object");
    else if (!json_is_array(e))
        ld_diag_set(d, LD_EINVAL, NULL, NULL,
                    "not a HAR document: \"log.entries\" is missing or not "
                    "a list");
    else
        return e;
    return NULL;
}

static int convert(const json_t *entries, const ld__relist_t *inc,
                   const ld__relist_t *exc, json_t *tasks,
                   ld_har_stats_t *st, ld_diag_t *d)
{
    const json_t *entry;
    size_t i;
    int rc = 0;

    json_array_foreach(entries, i, entry) {
        json_t *t;
        int k = keep_url(entry, inc, exc, d);

        if (k < 0)
            return k;
        if (!k) {
            st->filtered++;
            continue;
        }
        t = entry_task(entry, st, &rc);
        if (rc)
            return oom(d);
        if (t && json_array_append_new(tasks, t))
            return oom(d);
        if (t)
            st->tasks++;
    }
    return 0;
}

int ld_har_to_tasks(const json_t *har, const ld_har_opts_t *o,
                    json_t **tasks, ld_har_stats_t *stats, ld_diag_t *d)
{
    ld__relist_t *inc = NULL, *exc = NULL;
    ld_har_stats_t st;
    const json_t *entries;
    json_t *out = NULL;
    int rc;

    *tasks = NULL;
    memset(&st, 0, sizeof(st));
    if (!(entries = har_entries(har, d)))
        return LD_EINVAL;
    st.entries = json_array_size(entries);
    if ((rc = ld__relist_compile(o ? o->include : NULL, o ? o->ninclude : 0,
                                 "include", &inc, d)) ||
        (rc = ld__relist_compile(o ? o->exclude : NULL, o ? o->nexclude : 0,
                                 "exclude", &exc, d)))
        goto out;
    if (!(out = json_array())) {
        rc = oom(d);
        goto out;
    }
    rc = convert(entries, inc, exc, out, &st, d);
out:
    ld__relist_free(inc);
    ld__relist_free(exc);
    if (rc)
        json_decref(out);
    else
        *tasks = out;
    if (stats)
        *stats = st;
    return rc;
}

/* Whole numbers stay integers in the document, as Python's int(). */
static json_t *number(double v)
{
    if (v == (double)(json_int_t)v)
        return json_integer((json_int_t)v);
    return json_real(v);
}

int ld_har_to_action_json(const json_t *har, const ld_har_opts_t *o,
                          json_t **doc, ld_har_stats_t *stats, ld_diag_t *d)
{
    ld_har_opts_t def;
    json_t *tasks = NULL, *kw;
    int rc;

    *doc = NULL;
    if (!o) {
        ld_har_opts_init(&def);
        o = &def;
    }
    if ((rc = ld_har_to_tasks(har, o, &tasks, stats, d)))
        return rc;
    kw = json_pack("{s:{s:s},s:{s:s,s:o},s:I,s:o,s:o}", "user_detail_dict",
                   "user", o->user ? o->user : "fast_http_user", "tasks",
                   "mode", "sequence", "tasks", tasks, "user_count",
                   (json_int_t)o->user_count, "spawn_rate",
                   number(o->spawn_rate), "test_time", number(o->test_time));
    if (kw)
        *doc = json_pack("{s:[[s,o]]}", "load_density", "LD_start_test", kw);
    return *doc ? 0 : oom(d);
}
