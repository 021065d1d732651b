/*
 * libFuzzer target: the HAR importer. ld_har_parse, then the task list and
 * the action document, without filters and with include / exclude filters.
 */
#include <stdint.h>
#include <stdlib.h>

#include "ldcore/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const inc[] = {"api", "^https?://[^/]*example"};
    static const char *const exc[] = {"\\.(png|css|js)(\\?|$)"};
    ld_har_opts_t o;
    ld_har_stats_t st;
    ld_diag_t d;
    json_t *har = NULL, *out = NULL;

    if (ld_har_parse((const char *)data, size, "fuzz.har", &har, &d) != 0)
        return 0;
    ld_har_opts_init(&o);
    if (ld_har_to_tasks(har, &o, &out, &st, &d) == 0)
        json_decref(out);
    out = NULL;
    o.include = inc;
    o.ninclude = 2;
    o.exclude = exc;
    o.nexclude = 1;
    o.user = "http_user";
    if (ld_har_to_action_json(har, &o, &out, &st, &d) == 0)
        json_decref(out);
    json_decref(har);
    return 0;
}
