/*
 * task.c - compile the task list of LD_start_test: a list of tasks, the
 * legacy {"get": {...}, "post": {...}} object keyed by method, or
 * {"mode": "sequence"|"weighted"|"conditional", "tasks": [...]}.
 * Protocol fields go to the driver; the engine keeps name, weight,
 * think_time, throttle, retry, run_if/skip_if, assertions and extract.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/engine_int.h"

static int oom(ld_diag_t *d)
{
    return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
}

static const ld_node_t *field(const ld_node_t *task, const char *name)
{
    const ld_node_t *n = ld_node_get(task, name);
    return (n && n->type != LD_TNULL) ? n : NULL;
}

static int number_field(const ld_node_t *obj, const char *key, double dflt,
                        double lo, double hi, const char *what,
                        const char *file, double *out, ld_diag_t *d)
{
    const ld_node_t *n = field(obj, key);
    *out = dflt;
    if (!n)
        return 0;
    if (!ld_node_is_number(n))
        return ld__diag_node(d, LD_ETYPE, file, n,
                             "%s \"%s\" must be a number, not %s", what, key,
                             ld_type_name(n->type));
    *out = ld_node_number(n);
    if (!(*out >= lo) || *out > hi)
        return ld__diag_node(d, LD_EINVAL, file, n,
                             "%s \"%s\" must be between %g and %g", what, key,
                             lo, hi);
    return 0;
}

static ld__bucket_t *bucket_get(ld_test_plan_t *p, const char *key, double rps,
                                double burst)
{
    ld__bucket_t *b, **v;
    for (size_t i = 0; i < p->nbuckets; i++)
        if (!strcmp(p->buckets[i]->key, key))
            return p->buckets[i]; /* first configuration wins, as in Python */
    v = realloc(p->buckets, (p->nbuckets + 1) * sizeof(*v));
    if (!v)
        return NULL;
    p->buckets = v;
    if (!(b = calloc(1, sizeof(*b))))
        return NULL;
    if (!(b->key = ld_strdup(key))) {
        free(b);
        return NULL;
    }
    b->rps = rps;
    b->burst = burst;
    b->tokens = burst;
    b->last_ns = 0;
    pthread_mutex_init(&b->mu, NULL);
    p->buckets[p->nbuckets++] = b;
    return b;
}

static int c_throttle(ld_test_plan_t *p, ld__task_t *t, const ld_node_t *task,
                      const char *file, ld_diag_t *d)
{
    const ld_node_t *n = field(task, "throttle"), *k;
    double rps, burst;
    const char *key;
    int rc;
    if (!n)
        return 0;
    if (n->type != LD_TOBJECT)
        return ld__diag_node(d, LD_ETYPE, file, n,
                             "\"throttle\" must be an object like {\"key\": "
                             "\"k\", \"rps\": 10, \"burst\": 5}");
    if (!field(n, "rps"))
        return ld__diag_node(d, LD_EINVAL, file, n,
                             "\"throttle\" needs \"rps\"");
    if ((rc = number_field(n, "rps", 1, 1e-6, 1e9, "throttle", file, &rps, d)))
        return rc;
    if ((rc = number_field(n, "burst", floor(rps) < 1 ? 1 : floor(rps), 1, 1e9,
                           "throttle", file, &burst, d)))
        return rc;
    k = field(n, "key");
    if (k && k->type != LD_TSTRING)
        return ld__diag_node(d, LD_ETYPE, file, k,
                             "throttle \"key\" must be a string");
    key = k ? k->u.str.s : ld_node_str(field(task, "name"));
    if (!key || !*key)
        key = "default";
    t->bucket = bucket_get(p, key, rps, floor(burst));
    return t->bucket ? 0 : oom(d);
}

static int c_retry(ld__task_t *t, const ld_node_t *task, const char *file,
                   ld_diag_t *d)
{
    const ld_node_t *n = field(task, "retry");
    double v[3];
    static const char *const cls[] = {"transient", "flaky", "permanent"};
    static const double dflt[] = {5, 2, 0};
    int rc;
    if (!n)
        return 0;
    if (n->type != LD_TOBJECT)
        return ld__diag_node(d, LD_ETYPE, file, n,
                             "\"retry\" must be an object like "
                             "{\"transient\": 3, \"base_delay\": 0.2}");
    for (int i = 0; i < 3; i++) {
        if ((rc = number_field(n, cls[i], dflt[i], 0, 1000, "retry", file,
                               &v[i], d)))
            return rc;
        t->retry.budget[i] = (unsigned)v[i];
    }
    if ((rc = number_field(n, "base_delay", 0.1, 0, 3600, "retry", file,
                           &t->retry.base_s, d)) ||
        (rc = number_field(n, "max_delay", 5.0, 0, 3600, "retry", file,
                           &t->retry.max_s, d)) ||
        (rc = number_field(n, "backoff_factor", 2.0, 1, 100, "retry", file,
                           &t->retry.factor, d)) ||
        (rc = number_field(n, "jitter", 0.25, 0, 10, "retry", file,
                           &t->retry.jitter, d)))
        return rc;
    t->retry.on = true;
    return 0;
}

/* The name records carry: "name", else the URL as written (before its
   placeholders are expanded), so one task is one row of the summary. */
static int c_name(ld__task_t *t, const ld_node_t *task, const char *file,
                  ld_diag_t *d)
{
    const ld_node_t *n = field(task, "name");
    if (!n) {
        /* Without a name, requests are reported under request_url with its
         * placeholders expanded but not joined to the host: what Locust
         * (and so the Python tool) uses as the default name. */
        const ld_node_t *u = field(task, "request_url");
        if (!u)
            u = field(task, "url");
        n = u && u->type == LD_TSTRING ? u : NULL;
        if (!n)
            return 0;
    }
    if (n->type != LD_TSTRING)
        return ld__diag_node(d, LD_ETYPE, file, n,
                             "\"name\" must be a string, not %s",
                             ld_type_name(n->type));
    if (!n->u.str.len)
        return 0;
    if (!(t->name = ld_tmpl_compile(n->u.str.s, n->u.str.len)))
        return oom(d);
    if (ld_tmpl_is_literal(t->name) && !(t->name_lit = ld_strdup(n->u.str.s)))
        return oom(d);
    return 0;
}

static int c_checks(ld__task_t *t, const ld_node_t *task, const char *file,
                    ld_diag_t *d)
{
    const ld_node_t *a = field(task, "assertions"), *e = field(task, "extract");
    int rc;
    if (!a && !e)
        return 0;
    if ((rc = ld__checks_compile(a, e, file, &t->checks, d)))
        return rc;
    t->has_assertions = a && a->type == LD_TARRAY && a->u.arr.n > 0;
    if (!ld__checks_empty(t->checks))
        t->xf_flags |= LD__XF_HEADERS;
    if (ld__checks_need_body(t->checks))
        t->xf_flags |= LD__XF_BODY;
    return 0;
}

static int c_flow(ld__task_t *t, const ld_node_t *task, const char *file,
                  ld_diag_t *d)
{
    const ld_node_t *n;
    int rc;
    if ((rc = number_field(task, "weight", 1, 0, 1e9, "task", file, &t->weight,
                           d)))
        return rc;
    t->weight = floor(t->weight); /* Python: int(weight) */
    if ((rc = ld__think_compile(field(task, "think_time"), "think_time", file,
                                &t->think, d)))
        return rc;
    if ((n = field(task, "run_if")) &&
        (rc = ld__pred_compile(n, "run_if", file, &t->run_if, d)))
        return rc;
    if ((n = field(task, "skip_if")) &&
        (rc = ld__pred_compile(n, "skip_if", file, &t->skip_if, d)))
        return rc;
    return 0;
}

static int task_compile(ld_test_plan_t *p, ld__task_t *t, const ld_node_t *n,
                        const char *method, const char *file, ld_diag_t *d)
{
    ld__proto_defaults_t defs = p->defs;
    int rc;
    if (n->type != LD_TOBJECT)
        return ld__diag_node(d, LD_ETYPE, file, n,
                             "a task must be an object, not %s",
                             ld_type_name(n->type));
    defs.method = method;
    if ((rc = p->proto->compile(n, &defs, file, &t->spec, d)))
        return rc;
    t->method = p->proto->spec_method(t->spec);
    t->url_lit = p->proto->spec_literal_url(t->spec);
    if ((rc = c_name(t, n, file, d)) || (rc = c_checks(t, n, file, d)) ||
        (rc = c_flow(t, n, file, d)) || (rc = c_throttle(p, t, n, file, d)) ||
        (rc = c_retry(t, n, file, d)))
        return rc;
    return 0;
}

void ld__task_clear(const ld__proto_t *proto, ld__task_t *t)
{
    if (t->spec)
        proto->spec_free(t->spec);
    ld_tmpl_free(t->name);
    free(t->name_lit);
    ld__checks_free(t->checks);
    ld__pred_free(t->run_if);
    ld__pred_free(t->skip_if);
    memset(t, 0, sizeof(*t));
}

static int mode_of(const ld_node_t *n, const char *file, ld__mode_t *out,
                   ld_diag_t *d)
{
    const char *s = n ? ld_node_str(n) : "sequence";
    *out = LD__MODE_SEQUENCE;
    if (!s)
        return ld__diag_node(d, LD_ETYPE, file, n, "\"mode\" must be a string");
    if (!strcasecmp(s, "sequence"))
        return 0;
    if (!strcasecmp(s, "weighted")) {
        *out = LD__MODE_WEIGHTED;
        return 0;
    }
    if (!strcasecmp(s, "conditional")) {
        *out = LD__MODE_CONDITIONAL;
        return 0;
    }
    return ld__diag_node(d, LD_EINVAL, file, n,
                         "unknown mode \"%s\" (expected \"sequence\", "
                         "\"weighted\" or \"conditional\")",
                         s);
}

int ld__plan_tasks(ld_test_plan_t *p, const ld_node_t *tasks, const char *file,
                   ld_diag_t *d)
{
    const ld_node_t *list = tasks, *inner;
    bool legacy = false;
    size_t n;
    int rc;
    if (!tasks || tasks->type == LD_TNULL)
        return ld_diag_set(d, LD_EINVAL, file, NULL,
                           "LD_start_test needs \"tasks\"");
    if (tasks->type == LD_TOBJECT && (inner = field(tasks, "tasks")) &&
        (inner->type == LD_TARRAY || inner->type == LD_TOBJECT)) {
        if ((rc = mode_of(field(tasks, "mode"), file, &p->mode, d)))
            return rc;
        list = inner;
    }
    if (list->type == LD_TOBJECT)
        legacy = true;
    else if (list->type != LD_TARRAY)
        return ld__diag_node(d, LD_ETYPE, file, list,
                             "\"tasks\" must be a list of tasks or an object, "
                             "not %s",
                             ld_type_name(list->type));
    n = legacy ? list->u.obj.n : list->u.arr.n;
    if (n == 0)
        return ld__diag_node(d, LD_EINVAL, file, list, "\"tasks\" is empty");
    if (!(p->tasks = calloc(n, sizeof(*p->tasks))))
        return oom(d);
    for (size_t i = 0; i < n; i++) {
        const ld_node_t *t =
            legacy ? list->u.obj.members[i].value : list->u.arr.items[i];
        const char *method = legacy ? list->u.obj.members[i].key : NULL;
        p->ntasks = i + 1;
        p->tasks[i].index = (unsigned)i;
        if ((rc = task_compile(p, &p->tasks[i], t, method, file, d)))
            return rc;
        p->total_weight += p->tasks[i].weight;
    }
    if (p->mode == LD__MODE_WEIGHTED && p->total_weight <= 0)
        return ld__diag_node(d, LD_EINVAL, file, list,
                             "weighted mode needs a task with weight > 0");
    return 0;
}
