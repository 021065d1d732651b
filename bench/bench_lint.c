/*
 * bench_lint: where the time of a first diagnostics goes, stage by stage,
 * on one document (the LSP benchmark's, from bench/lsp/gen.mjs):
 *
 *   message   decoding the didOpen message that carries the document as a
 *             JSON string (what loaddensity-lsp does first)
 *   parse     parsing the document itself
 *   lint      ld_lint_text: parse + every rule
 *
 * Not a test: prints the best and the median of N warm rounds in ms.
 *
 *   bench_lint DOCUMENT [ROUNDS]      (default 30 rounds)
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ldcore/common.h"
#include "ldcore/doc.h"
#include "ldcore/lint.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static void report(const char *what, uint64_t *t, int n)
{
    qsort(t, (size_t)n, sizeof(*t), cmp_u64);
    printf("%-8s best %7.2f ms   median %7.2f ms\n", what, (double)t[0] / 1e6,
           (double)t[n / 2] / 1e6);
}

int main(int argc, char **argv)
{
    ld_diag_t d;
    char *text = NULL, *msg;
    size_t len = 0;
    int rounds = argc > 2 ? atoi(argv[2]) : 30, i;
    uint64_t *tm, *tp, *tl;
    json_t *m;

    if (argc < 2 || rounds < 1) {
        fprintf(stderr, "usage: bench_lint DOCUMENT [ROUNDS]\n");
        return 2;
    }
    if (ld_read_file(argv[1], &text, &len, &d)) {
        fprintf(stderr, "bench_lint: %s\n", d.msg);
        return 1;
    }
    m = json_pack("{s:s,s:s,s:{s:{s:s,s:s,s:i,s:s%}}}", "jsonrpc", "2.0",
                  "method", "textDocument/didOpen", "params", "textDocument",
                  "uri", "file:///bench.json", "languageId", "json", "version",
                  1, "text", text, len);
    msg = m ? json_dumps(m, JSON_COMPACT) : NULL;
    tm = calloc((size_t)rounds, sizeof(*tm));
    tp = calloc((size_t)rounds, sizeof(*tp));
    tl = calloc((size_t)rounds, sizeof(*tl));
    if (!msg || !tm || !tp || !tl) {
        fprintf(stderr, "bench_lint: out of memory\n");
        return 1;
    }
    for (i = 0; i < rounds; i++) {
        uint64_t t0 = ld_now_ns(), t1, t2, t3;
        ld_doc_t *doc = ld_doc_parse(msg, strlen(msg), "m", LD_FMT_JSON, &d);
        ld_lint_result_t r;

        t1 = ld_now_ns();
        ld_doc_free(doc);
        doc = ld_doc_parse(text, len, argv[1], LD_FMT_JSON, &d);
        t2 = ld_now_ns();
        ld_doc_free(doc);
        ld_lint_result_init(&r);
        t3 = ld_now_ns();
        if (ld_lint_text(text, len, argv[1], LD_FMT_JSON, NULL, &r, NULL))
            return 1;
        tl[i] = ld_now_ns() - t3;
        ld_lint_result_free(&r);
        tm[i] = t1 - t0;
        tp[i] = t2 - t1;
    }
    printf("%s: %zu bytes, didOpen message %zu bytes, %d rounds\n", argv[1],
           len, strlen(msg), rounds);
    report("message", tm, rounds);
    report("parse", tp, rounds);
    report("lint", tl, rounds);
    free(tm);
    free(tp);
    free(tl);
    free(msg);
    json_decref(m);
    free(text);
    return 0;
}
