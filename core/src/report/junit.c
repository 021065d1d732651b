/*
 * JUnit XML: one <testcase> per request name rather than one per request
 * (a CI page with a million test cases helps nobody). A name with failures
 * gets one <failure> whose message gives the count and whose text lists
 * the most frequent messages with their counts.
 */
#include "report/report_int.h"

#include <stdlib.h>
#include <string.h>

#define TOP_MESSAGES 5
#define MSG_BYTES 1000

typedef struct jcase {
    uint32_t key;
    uint8_t method;
    uint64_t requests;
    uint64_t failures;
    uint64_t sum_us;
    size_t nmsg;                        /* messages listed so far */
    size_t more;                        /* groups beyond TOP_MESSAGES */
    const ld__fgroup_t *msg[TOP_MESSAGES];
} jcase_t;

typedef struct jsuite {
    jcase_t *c;
    size_t n;
    size_t cap;
    uint32_t *idx;        /* string id -> case index + 1 */
    uint64_t first_ns;
    uint64_t last_end_ns;
    ld__fgroups_t groups;
} jsuite_t;

static void suite_free(jsuite_t *s)
{
    free(s->c);
    free(s->idx);
    ld__fgroups_free(&s->groups);
}

static jcase_t *case_of(jsuite_t *s, const ld_record_t *rec, uint32_t key)
{
    jcase_t *c = NULL;

    if (s->idx[key])
        return &s->c[s->idx[key] - 1];
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        jcase_t *v = realloc(s->c, cap * sizeof(*v));
        if (!v)
            return NULL;
        s->c = v;
        s->cap = cap;
    }
    c = &s->c[s->n++];
    memset(c, 0, sizeof(*c));
    c->key = key;
    c->method = rec->method;
    s->idx[key] = (uint32_t)s->n;
    return c;
}

static int suite_build(jsuite_t *s, const ld_records_t *r)
{
    size_t ns = ld_records_nstrings(r) + 1;
    const ld_record_t *rec = NULL;
    size_t it = 0;

    memset(s, 0, sizeof(*s));
    s->idx = calloc(ns, sizeof(*s->idx));
    if (!s->idx || ld__fgroups_build(r, &s->groups))
        return LD_ENOMEM;
    s->first_ns = UINT64_MAX;
    while ((rec = ld_records_next(r, &it))) {
        jcase_t *c = case_of(s, rec, ld__name_key(r, rec));
        uint64_t end = rec->start_ns + (uint64_t)rec->latency_us * 1000u;
        if (!c)
            return LD_ENOMEM;
        c->requests++;
        c->failures += rec->error_id != 0;
        c->sum_us += rec->latency_us;
        if (rec->start_ns < s->first_ns)
            s->first_ns = rec->start_ns;
        if (end > s->last_end_ns)
            s->last_end_ns = end;
    }
    for (size_t i = 0; i < s->groups.n; i++) {   /* ranked already */
        const ld__fgroup_t *g = &s->groups.v[i];
        jcase_t *c = &s->c[s->idx[g->name_key] - 1];
        if (c->nmsg < TOP_MESSAGES)
            c->msg[c->nmsg++] = g;
        else
            c->more++;
    }
    return 0;
}

static void write_failure(FILE *f, const ld_records_t *r, const jcase_t *c)
{
    fprintf(f, "    <failure type=\"RequestFailure\" message=\"%llu of "
               "%llu requests failed\">",
            (unsigned long long)c->failures,
            (unsigned long long)c->requests);
    for (size_t i = 0; i < c->nmsg; i++) {
        const ld__fgroup_t *g = c->msg[i];
        const char *msg = ld_records_str(r, g->error_id);

        fprintf(f, "%llu x ", (unsigned long long)g->count);
        if (g->status && !ld__msg_has_status(msg, g->status))
            fprintf(f, "HTTP %u: ", (unsigned)g->status);
        ld__put_xml(f, msg, false, MSG_BYTES);
        fputc('\n', f);
    }
    if (c->more)
        fprintf(f, "... and %zu more distinct messages\n", c->more);
    fputs("</failure>\n", f);
}

static void write_case(FILE *f, const ld_records_t *r, const jcase_t *c)
{
    double mean_s = (double)c->sum_us / (double)c->requests / 1e6;

    fprintf(f, "  <testcase classname=\"%s\" name=\"",
            ld_method_name(c->method));
    ld__put_xml(f, ld__name_text(r, c->key), true, 0);
    fprintf(f, "\" time=\"%.6f\">\n", mean_s);
    if (c->failures)
        write_failure(f, r, c);
    fprintf(f, "    <system-out>requests=%llu failures=%llu mean_ms=%.3f"
               "</system-out>\n  </testcase>\n",
            (unsigned long long)c->requests,
            (unsigned long long)c->failures, mean_s * 1000.0);
}

int ld__junit_write(FILE *f, const ld_records_t *r)
{
    jsuite_t s;
    size_t failed = 0;
    double dur = 0.0;
    int rc = suite_build(&s, r);

    if (rc) {
        suite_free(&s);
        return rc;
    }
    for (size_t i = 0; i < s.n; i++)
        failed += s.c[i].failures != 0;
    if (s.n)
        dur = (double)(s.last_end_ns - s.first_ns) / 1e9;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<testsuite name=\"loaddensity\" tests=\"%zu\" "
               "failures=\"%zu\" errors=\"0\" skipped=\"0\" time=\"%.3f\">\n"
               "  <properties>\n"
               "    <property name=\"requests\" value=\"%zu\"/>\n"
               "    <property name=\"failed_requests\" value=\"%llu\"/>\n"
               "  </properties>\n",
            s.n, failed, dur, ld_records_count(r),
            (unsigned long long)s.groups.failures);
    for (size_t i = 0; i < s.n; i++)
        write_case(f, r, &s.c[i]);
    fputs("</testsuite>\n", f);
    suite_free(&s);
    return 0;
}
