/*
 * pacing.c - think time, throttle token buckets, retry backoff, seeds.
 */
#include <math.h>
#include <stdlib.h>
#include <sys/random.h>

#include "engine/engine_int.h"

uint64_t ld__seed(void)
{
    uint64_t s = 0;
    if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s))
        s = ld_now_ns() ^ ((uint64_t)(uintptr_t)&s << 17);
    return s ? s : 0x9E3779B97F4A7C15ULL;
}

double ld__think_pick(const ld__think_t *t, uint64_t *rng)
{
    if (t->max_s <= t->min_s)
        return t->min_s > 0 ? t->min_s : 0.0;
    return t->min_s + (t->max_s - t->min_s) * ld__rand01(rng);
}

int ld__think_compile(const ld_node_t *n, const char *field, const char *file,
                      ld__think_t *out, ld_diag_t *d)
{
    out->min_s = out->max_s = 0;
    if (!n || n->type == LD_TNULL)
        return 0;
    if (ld_node_is_number(n)) {
        double v = ld_node_number(n);
        if (!(v >= 0) || v > 86400)
            return ld__diag_node(d, LD_EINVAL, file, n,
                                 "\"%s\" must be between 0 and 86400 seconds",
                                 field);
        out->min_s = out->max_s = v;
        return 0;
    }
    if (n->type == LD_TOBJECT) {
        const ld_node_t *lo = ld_node_get(n, "min"),
                        *hi = ld_node_get(n, "max");
        if ((lo && !ld_node_is_number(lo)) || (hi && !ld_node_is_number(hi)))
            return ld__diag_node(d, LD_ETYPE, file,
                                 lo && !ld_node_is_number(lo) ? lo : hi,
                                 "\"%s\" min and max must be numbers", field);
        out->min_s = lo ? ld_node_number(lo) : 0;
        out->max_s = hi ? ld_node_number(hi) : out->min_s;
        if (!(out->min_s >= 0) || !(out->max_s >= 0) || out->max_s > 86400)
            return ld__diag_node(d, LD_EINVAL, file, n,
                                 "\"%s\" must be between 0 and 86400 seconds",
                                 field);
        if (out->max_s < out->min_s)
            out->max_s = out->min_s;
        return 0;
    }
    return ld__diag_node(d, LD_ETYPE, file, n,
                         "\"%s\" must be a number of seconds or "
                         "{\"min\": s, \"max\": s}",
                         field);
}

uint64_t ld__bucket_take(ld__bucket_t *b, uint64_t now)
{
    uint64_t wait = 0;
    pthread_mutex_lock(&b->mu);
    if (now > b->last_ns) {
        b->tokens += (double)(now - b->last_ns) * 1e-9 * b->rps;
        if (b->tokens > b->burst)
            b->tokens = b->burst;
        b->last_ns = now;
    }
    /* Reserve the token even when it is not there yet: waiters queue up at
       exactly rps instead of all waking at once. */
    b->tokens -= 1.0;
    if (b->tokens < 0)
        wait = (uint64_t)(-b->tokens / b->rps * 1e9);
    pthread_mutex_unlock(&b->mu);
    return wait;
}

double ld__retry_delay(const ld__retry_t *r, unsigned attempt, uint64_t *rng)
{
    double d = r->base_s * pow(r->factor, attempt > 1 ? attempt - 1 : 0);
    if (d > r->max_s)
        d = r->max_s;
    if (r->jitter > 0)
        d += d * r->jitter * ld__rand01(rng);
    return d > 0 ? d : 0;
}
