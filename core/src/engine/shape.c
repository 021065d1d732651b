/*
 * shape.c - users over time (closed model: plain user_count at spawn_rate,
 * or load_shape "stages" | "spike" | "soak" with shape_config, as in the
 * Python tool's shapes) and requests over time (open model: arrival_rate as
 * a number or {"stages": [{"duration", "rate"}], "max_in_flight"}).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/engine_int.h"

#define RAMP_STEP_S 0.001

static int oom(ld_diag_t *d)
{
    return ld_diag_set(d, LD_ENOMEM, NULL, NULL, "out of memory");
}

static int num(const ld_node_t *obj, const char *key, double dflt, double lo,
               const char *file, double *out, ld_diag_t *d)
{
    const ld_node_t *n = obj ? ld_node_get(obj, key) : NULL;
    *out = dflt;
    if (!n || n->type == LD_TNULL)
        return 0;
    if (!ld_node_is_number(n))
        return ld__diag_node(d, LD_ETYPE, file, n,
                             "\"%s\" must be a number, not %s", key,
                             ld_type_name(n->type));
    *out = ld_node_number(n);
    if (!(*out >= lo) || *out > 1e9)
        return ld__diag_node(d, LD_EINVAL, file, n,
                             "\"%s\" must be between %g and 1e9", key, lo);
    return 0;
}

bool ld__shape_at(const ld__shape_t *s, double t, double *users, double *rate)
{
    if (s->kind == LD__SHAPE_SOAK) {
        *rate = s->rate;
        if (t < s->ramp_s && s->ramp_s > 0) {
            *users = floor(s->users * t / s->ramp_s);
            if (*users < 1)
                *users = 1;
            return true;
        }
        if (t < s->ramp_s + s->hold_s) {
            *users = s->users;
            return true;
        }
        if (t < s->ramp_s + s->hold_s + s->cool_s && s->cool_s > 0) {
            *users =
                floor(s->users * (1 - (t - s->ramp_s - s->hold_s) / s->cool_s));
            if (*users < 0)
                *users = 0;
            return true;
        }
        return false;
    }
    for (size_t i = 0; i < s->nstages; i++)
        if (t < s->stages[i].end_s) {
            *users = s->stages[i].users;
            *rate = s->stages[i].rate;
            return true;
        }
    return false;
}

double ld__shape_duration(const ld__shape_t *s)
{
    if (s->kind == LD__SHAPE_SOAK)
        return s->ramp_s + s->hold_s + s->cool_s;
    return s->nstages ? s->stages[s->nstages - 1].end_s : 0;
}

double ld__shape_peak(const ld__shape_t *s)
{
    double peak = s->kind == LD__SHAPE_SOAK ? s->users : 0;
    for (size_t i = 0; i < s->nstages; i++)
        if (s->stages[i].users > peak)
            peak = s->stages[i].users;
    return peak;
}

void ld__ramp_advance(ld__ramp_t *r, const ld__shape_t *s, double t)
{
    double users, rate;
    while (!r->ended && r->t + RAMP_STEP_S <= t + 1e-12) {
        if (!ld__shape_at(s, r->t, &users, &rate)) {
            r->ended = true;
            break;
        }
        double step = rate * RAMP_STEP_S;
        if (rate <= 0)
            r->level = users;
        else if (r->level < users)
            r->level = r->level + step > users ? users : r->level + step;
        else if (r->level > users)
            r->level = r->level - step < users ? users : r->level - step;
        r->t += RAMP_STEP_S;
    }
}

unsigned ld__ramp_users(const ld__ramp_t *r)
{
    double c = ceil(r->level - 1e-9);
    return c > 0 ? (unsigned)c : 0;
}

static int add_stage(ld__shape_t *s, double dur, double users, double rate)
{
    double start = s->nstages ? s->stages[s->nstages - 1].end_s : 0;
    ld__stage_t *v = realloc(s->stages, (s->nstages + 1) * sizeof(*v));
    if (!v)
        return LD_ENOMEM;
    s->stages = v;
    v[s->nstages].end_s = start + dur;
    v[s->nstages].users = users;
    v[s->nstages].rate = rate;
    s->nstages++;
    return 0;
}

static int shape_stages(ld__shape_t *s, const ld_node_t *cfg,
                        const ld_node_t *name, const char *file, ld_diag_t *d)
{
    const ld_node_t *list = cfg;
    double dur, users, rate;
    int rc;
    if (cfg && cfg->type == LD_TOBJECT)
        list = ld_node_get(cfg, "stages");
    if (!list || list->type != LD_TARRAY || list->u.arr.n == 0)
        return ld__diag_node(d, LD_EINVAL, file,
                             list  ? list
                             : cfg ? cfg
                                   : name,
                             "load_shape \"stages\" needs shape_config "
                             "{\"stages\": [{\"duration\", \"users\", "
                             "\"spawn_rate\"}, ...]}");
    for (size_t i = 0; i < list->u.arr.n; i++) {
        const ld_node_t *st = list->u.arr.items[i];
        if (st->type != LD_TOBJECT)
            return ld__diag_node(d, LD_ETYPE, file, st,
                                 "a stage must be an object");
        if ((rc = num(st, "duration", 0, 0, file, &dur, d)) ||
            (rc = num(st, "users", 0, 0, file, &users, d)) ||
            (rc = num(st, "spawn_rate", 1, 0, file, &rate, d)))
            return rc;
        if (add_stage(s, dur, floor(users), rate))
            return oom(d);
    }
    return 0;
}

static int shape_spike(ld__shape_t *s, const ld_node_t *cfg, const char *file,
                       ld_diag_t *d)
{
    double base, spike, rate, pre, hold, post;
    int rc;
    if ((rc = num(cfg, "baseline_users", 0, 0, file, &base, d)) ||
        (rc = num(cfg, "spike_users", base, 0, file, &spike, d)) ||
        (rc = num(cfg, "spawn_rate", 10, 0, file, &rate, d)) ||
        (rc = num(cfg, "pre_seconds", 30, 0, file, &pre, d)) ||
        (rc = num(cfg, "spike_seconds", 30, 0, file, &hold, d)) ||
        (rc = num(cfg, "post_seconds", 30, 0, file, &post, d)))
        return rc;
    if (add_stage(s, pre, floor(base), rate) ||
        add_stage(s, hold, floor(spike), rate) ||
        add_stage(s, post, floor(base), rate))
        return oom(d);
    return 0;
}

static int shape_soak(ld__shape_t *s, const ld_node_t *cfg, const char *file,
                      ld_diag_t *d)
{
    int rc;
    if ((rc = num(cfg, "users", 0, 0, file, &s->users, d)))
        return rc;
    s->users = floor(s->users);
    if ((rc = num(cfg, "spawn_rate", fmax(1, floor(s->users / 10)), 0, file,
                  &s->rate, d)) ||
        (rc = num(cfg, "ramp_seconds", 60, 0, file, &s->ramp_s, d)) ||
        (rc = num(cfg, "hold_seconds", 600, 0, file, &s->hold_s, d)) ||
        (rc = num(cfg, "cooldown_seconds", 60, 0, file, &s->cool_s, d)))
        return rc;
    return 0;
}

int ld__plan_shape(ld_test_plan_t *p, const ld_args_t *args, ld_diag_t *d)
{
    const ld_node_t *n = ld_args_get(args, "load_shape");
    const ld_node_t *cfg = ld_args_get(args, "shape_config");
    const char *name = n ? ld_node_str(n) : NULL;
    ld__shape_t *s = &p->shape;
    if (cfg && cfg->type == LD_TNULL)
        cfg = NULL;
    if (!n || n->type == LD_TNULL) {
        s->kind = LD__SHAPE_NONE;
        return add_stage(s, INFINITY, p->user_count, p->spawn_rate) ? oom(d)
                                                                    : 0;
    }
    if (!name)
        return ld__diag_node(d, LD_ETYPE, args->file, n,
                             "\"load_shape\" must be a string");
    if (cfg && cfg->type != LD_TOBJECT &&
        !(cfg->type == LD_TARRAY && !strcasecmp(name, "stages")))
        return ld__diag_node(d, LD_ETYPE, args->file, cfg,
                             "\"shape_config\" must be an object");
    if (!strcasecmp(name, "stages")) {
        s->kind = LD__SHAPE_STAGES;
        return shape_stages(s, cfg, n, args->file, d);
    }
    if (!strcasecmp(name, "spike")) {
        s->kind = LD__SHAPE_SPIKE;
        return shape_spike(s, cfg, args->file, d);
    }
    if (!strcasecmp(name, "soak")) {
        s->kind = LD__SHAPE_SOAK;
        return shape_soak(s, cfg, args->file, d);
    }
    return ld__diag_node(d, LD_EINVAL, args->file, n,
                         "unknown load_shape \"%s\" (expected \"stages\", "
                         "\"spike\" or \"soak\")",
                         name);
}

/* ---- open model ---- */

static int arrival_push(ld__arrival_t *a, double dur, double rate)
{
    double start = a->n ? a->end_s[a->n - 1] : 0;
    double cum =
        a->n ? a->cum[a->n - 1] +
                   a->rate[a->n - 1] * (a->end_s[a->n - 1] -
                                        (a->n > 1 ? a->end_s[a->n - 2] : 0))
             : 0;
    double *e = realloc(a->end_s, (a->n + 1) * sizeof(double));
    if (!e)
        return LD_ENOMEM;
    a->end_s = e;
    double *r = realloc(a->rate, (a->n + 1) * sizeof(double));
    if (!r)
        return LD_ENOMEM;
    a->rate = r;
    double *c = realloc(a->cum, (a->n + 1) * sizeof(double));
    if (!c)
        return LD_ENOMEM;
    a->cum = c;
    a->end_s[a->n] = start + dur;
    a->rate[a->n] = rate;
    a->cum[a->n] = cum;
    a->n++;
    return 0;
}

int ld__plan_arrival(ld_test_plan_t *p, const ld_node_t *n, const char *file,
                     ld_diag_t *d)
{
    const ld_node_t *st;
    double rate, dur, cap;
    int rc;
    if (ld_node_is_number(n)) {
        rate = ld_node_number(n);
        if (!(rate > 0) || rate > 1e7)
            return ld__diag_node(d, LD_EINVAL, file, n,
                                 "\"arrival_rate\" must be > 0 and <= 1e7 "
                                 "requests per second");
        return arrival_push(&p->arrival, INFINITY, rate) ? oom(d) : 0;
    }
    if (n->type != LD_TOBJECT)
        return ld__diag_node(d, LD_ETYPE, file, n,
                             "\"arrival_rate\" must be a number or "
                             "{\"stages\": [{\"duration\", \"rate\"}]}");
    if ((rc = num(n, "max_in_flight", p->max_in_flight, 1, file, &cap, d)))
        return rc;
    p->max_in_flight = (unsigned)cap;
    st = ld_node_get(n, "stages");
    if (!st || st->type == LD_TNULL) {
        if ((rc = num(n, "rate", 0, 0, file, &rate, d)))
            return rc;
        if (!(rate > 0))
            return ld__diag_node(d, LD_EINVAL, file, n,
                                 "\"arrival_rate\" needs \"rate\" > 0 or "
                                 "\"stages\"");
        return arrival_push(&p->arrival, INFINITY, rate) ? oom(d) : 0;
    }
    if (st->type != LD_TARRAY || st->u.arr.n == 0)
        return ld__diag_node(d, LD_EINVAL, file, st,
                             "\"stages\" must be a non-empty list of "
                             "{\"duration\", \"rate\"}");
    for (size_t i = 0; i < st->u.arr.n; i++) {
        const ld_node_t *s = st->u.arr.items[i];
        if (s->type != LD_TOBJECT)
            return ld__diag_node(d, LD_ETYPE, file, s,
                                 "a stage must be an object");
        if ((rc = num(s, "duration", 0, 0, file, &dur, d)) ||
            (rc = num(s, "rate", 0, 0, file, &rate, d)))
            return rc;
        if (arrival_push(&p->arrival, dur, rate))
            return oom(d);
    }
    return 0;
}

double ld__arrival_time(const ld__arrival_t *a, uint64_t k)
{
    double kk = (double)k;
    for (size_t i = 0; i < a->n; i++) {
        double start = i ? a->end_s[i - 1] : 0;
        double count = a->rate[i] * (a->end_s[i] - start);
        if (a->rate[i] > 0 && kk < a->cum[i] + count - 1e-9)
            return start + (kk - a->cum[i]) / a->rate[i];
    }
    return INFINITY;
}

double ld__arrival_rate_at(const ld__arrival_t *a, double t)
{
    for (size_t i = 0; i < a->n; i++)
        if (t < a->end_s[i])
            return a->rate[i];
    return 0;
}

double ld__arrival_duration(const ld__arrival_t *a)
{
    return a->n ? a->end_s[a->n - 1] : 0;
}

void ld__arrival_free(ld__arrival_t *a)
{
    free(a->end_s);
    free(a->rate);
    free(a->cum);
    memset(a, 0, sizeof(*a));
}
