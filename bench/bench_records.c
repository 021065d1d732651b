/*
 * bench_records: cost of the record store and the summary for 1e6 records.
 * Not a test: prints ns per operation and bytes per record.
 *
 *   bench_records [N]      (default 1000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ldcore/stats.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fill_ids(ld_records_t *r, size_t n)
{
    char s[96];
    uint32_t names[16], urls[1024];

    for (int i = 0; i < 16; i++)
        names[i] = ld_records_intern(r, s, (size_t)snprintf(s, sizeof(s), "task-%d", i));
    for (int i = 0; i < 1024; i++)
        urls[i] = ld_records_intern(r, s, (size_t)snprintf(s, sizeof(s),
                                    "http://127.0.0.1:8080/api/v1/items/%d", i));
    for (size_t i = 0; i < n; i++) {
        ld_record_t x = {0};
        x.start_ns = 1700000000000000000ull + i * 1000;
        x.latency_us = (uint32_t)(200 + (i * 2654435761u) % 500000);
        x.resp_len = 512;
        x.name_id = names[i % 16];
        x.url_id = urls[i % 1024];
        x.status = 200;
        if (ld_records_add(r, &x))
            return -1;
    }
    return 0;
}

static int fill_full(ld_records_t *r, size_t n)
{
    char url[96];

    for (size_t i = 0; i < n; i++) {
        snprintf(url, sizeof(url), "http://127.0.0.1:8080/api/v1/items/%zu", i % 1024);
        if (ld_records_add_full(r, i * 1000, LD_M_GET, "task", url, 200,
                                (uint32_t)(i % 100000), 512, i % 50 ? NULL : "HTTP 500"))
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    ld_records_t *a = ld_records_new();
    ld_records_t *b = ld_records_new();
    json_t *sum = NULL;
    double t0 = 0, t1 = 0;

    if (!a || !b || !n)
        return 1;
    t0 = now_s();
    if (fill_ids(a, n))
        return 1;
    t1 = now_s();
    printf("records            %zu\n", n);
    printf("add (ids)          %.1f ns/record\n", (t1 - t0) * 1e9 / (double)n);
    printf("memory             %zu bytes (%.1f bytes/record, %.1f MiB)\n",
           ld_records_memsize(a), (double)ld_records_memsize(a) / (double)n,
           (double)ld_records_memsize(a) / 1048576.0);

    t0 = now_s();
    if (fill_full(b, n))
        return 1;
    t1 = now_s();
    printf("add_full (strings) %.1f ns/record\n", (t1 - t0) * 1e9 / (double)n);

    t0 = now_s();
    if (ld_records_merge_take(a, b))
        return 1;
    t1 = now_s();
    printf("merge_take         %.1f ns/record\n", (t1 - t0) * 1e9 / (double)n);

    t0 = now_s();
    sum = ld_summary_build(a);
    t1 = now_s();
    if (!sum)
        return 1;
    printf("summary            %.1f ms for %zu records (%zu names)\n", (t1 - t0) * 1e3,
           ld_records_count(a), json_object_size(json_object_get(sum, "per_name")));
    json_decref(sum);
    ld_records_free(a);
    ld_records_free(b);
    return 0;
}
