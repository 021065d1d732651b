/*
 * init.c - the answer to initialize: version negotiation, capabilities,
 * server info and instructions. Shared by the launcher (which answers the
 * first initialize while the server module loads) and proto.c (which
 * answers any later one), so both answer alike.
 */
#include <stdio.h>
#include <string.h>

#include "mcp.h"

/* Newest first. An unknown requested version gets the first. */
static const char *const versions[] = {"2025-11-25", "2025-06-18",
                                       "2025-03-26", "2024-11-05", NULL};

static const char instructions[] =
    "LoadDensity runs HTTP load tests described as action JSON (the LD_* "
    "command language). Typical flow: run_test (or run_action_json for a "
    "whole document, or import_har then run_action_json) -> summary -> "
    "generate_reports / persist_records. Records of every run stay in "
    "memory until clear_records. Targets must be on this server's host "
    "allowlist (loopback by default) and runs are capped in users, "
    "duration and rate; error messages say which limit applies. Files are "
    "read and written only under the working directory or the client's "
    "roots. list_executor_commands describes every LD_* command.";

static const char *negotiate(const char *asked)
{
    for (size_t i = 0; asked && versions[i]; i++)
        if (!strcmp(asked, versions[i]))
            return versions[i];
    return versions[0];
}

json_t *mcp_initialize_result(const json_t *params, char *version,
                              size_t vsize, bool *client_roots)
{
    const char *asked = json_string_value(
        json_object_get(params, "protocolVersion"));
    const json_t *caps = json_object_get(params, "capabilities");
    const char *v = negotiate(asked);
    json_t *info, *r;

    snprintf(version, vsize, "%s", v);
    *client_roots = json_is_object(json_object_get(caps, "roots"));
    info = json_pack("{s:s,s:s}", "name", MCP_SERVER_NAME, "version",
                     LD_VERSION);
    if (info && strcmp(v, "2025-06-18") >= 0)
        json_object_set_new(info, "title", json_string("LoadDensity"));
    r = json_pack("{s:s,s:{s:{s:b},s:{}},s:o}", "protocolVersion", v,
                  "capabilities", "tools", "listChanged", 0, "logging",
                  "serverInfo", info);
    if (r && strcmp(v, "2025-03-26") >= 0)
        json_object_set_new(r, "instructions", json_string(instructions));
    return r;
}
