/*
 * libFuzzer target: the linter. ld_lint_text on the input as JSON and as
 * YAML, then the JSON and both text renderings of the findings.
 */
#include <stdint.h>
#include <stdlib.h>

#include "ldcore/lint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const uint8_t *data, size_t size, ld_doc_format_t fmt)
{
    ld_lint_result_t r;
    ld_doc_t *doc = NULL;
    ld_buf_t out;
    json_t *j;

    ld_lint_result_init(&r);
    if (ld_lint_text((const char *)data, size, "fuzz.json", fmt, NULL, &r,
                     &doc) == 0) {
        j = ld_lint_result_to_json(&r);
        json_decref(j);
        ld_buf_init(&out, 0);
        (void)ld_lint_format(&r, LD_LINT_FMT_TEXT, &out);
        (void)ld_lint_format(&r, LD_LINT_FMT_GITHUB, &out);
        ld_buf_free(&out);
    }
    ld_lint_result_free(&r);
    ld_doc_free(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(data, size, LD_FMT_JSON);
    one(data, size, LD_FMT_YAML);
    return 0;
}
