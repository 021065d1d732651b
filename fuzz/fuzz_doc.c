/*
 * libFuzzer target: the document reader. The input is parsed as JSON and as
 * YAML; whatever parses is walked through the node helpers and written back
 * as JSON, which must read back (ld_node_write_json promises valid JSON).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ldcore/doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_roundtrip(const ld_doc_t *doc)
{
    ld_buf_t out;
    ld_doc_t *again;
    ld_diag_t d;

    ld_buf_init(&out, 0);
    if (ld_node_write_json(ld_doc_root(doc), &out) != 0)
        return; /* buffer already freed on failure */
    again = ld_doc_parse(out.data, out.len, "<roundtrip>", LD_FMT_JSON, &d);
    if (!again && d.code != LD_ENOMEM && d.code != LD_EDEPTH) {
        fprintf(stderr, "written JSON does not read back: %s\n%s\n", d.msg,
                out.data);
        abort();
    }
    ld_doc_free(again);
    ld_buf_free(&out);
}

static void one(const uint8_t *data, size_t size, ld_doc_format_t fmt)
{
    ld_diag_t d;
    ld_doc_t *doc;
    json_t *j;

    doc = ld_doc_parse((const char *)data, size, "<fuzz>", fmt, &d);
    if (!doc)
        return;
    (void)ld_doc_actions(doc, &d);
    (void)ld_node_truthy(ld_doc_root(doc));
    j = ld_node_to_json(ld_doc_root(doc));
    if (j) {
        ld_doc_t *back = ld_doc_from_json(j, "<json>", &d);

        ld_doc_free(back);
        json_decref(j);
    }
    check_roundtrip(doc);
    ld_doc_free(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(data, size, LD_FMT_JSON);
    one(data, size, LD_FMT_YAML);
    return 0;
}
