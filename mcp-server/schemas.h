/*
 * schemas.h - outputSchema of every tool (JSON text). Each handler builds
 * exactly this shape as structuredContent; tests/js/mcp.test.mjs validates
 * real results against these schemas through the official SDK.
 */
#ifndef LD_MCP_SCHEMAS_H
#define LD_MCP_SCHEMAS_H

#define MCP_S_NUM "{\"type\":\"number\"}"
#define MCP_S_INT "{\"type\":\"integer\"}"
#define MCP_S_STR "{\"type\":\"string\"}"
#define MCP_S_OBJ "{\"type\":\"object\"}"
#define MCP_S_STRS "{\"type\":\"array\",\"items\":" MCP_S_STR "}"

#define MCP_S_SUMMARY                                                       \
    "{\"type\":\"object\",\"description\":\"totals, latency_overall and "   \
    "per_name, as the Python tool's build_summary\",\"properties\":{"       \
    "\"totals\":{\"type\":\"object\",\"properties\":{"                      \
    "\"requests\":" MCP_S_NUM ",\"successes\":" MCP_S_NUM                   \
    ",\"failures\":" MCP_S_NUM ",\"failure_rate\":" MCP_S_NUM               \
    ",\"duration_s\":" MCP_S_NUM ",\"requests_per_second\":" MCP_S_NUM      \
    "}},"                                                                   \
    "\"latency_overall\":{\"type\":\"object\",\"properties\":{"             \
    "\"count\":" MCP_S_NUM ",\"p50_ms\":" MCP_S_NUM ",\"p90_ms\":" MCP_S_NUM \
    ",\"p95_ms\":" MCP_S_NUM ",\"p99_ms\":" MCP_S_NUM ",\"max_ms\":"        \
    MCP_S_NUM "}},"                                                         \
    "\"per_name\":{\"type\":\"object\",\"additionalProperties\":"           \
    MCP_S_OBJ "},"                                                          \
    "\"per_name_omitted\":{\"type\":\"integer\",\"description\":\"names "   \
    "left out to keep the result small (the least busy)\"}},"               \
    "\"required\":[\"totals\",\"latency_overall\",\"per_name\"]}"

#define MCP_OUT_RUN_TEST                                                    \
    "{\"type\":\"object\",\"properties\":{"                                 \
    "\"status\":{\"type\":\"string\",\"enum\":[\"completed\","              \
    "\"cancelled\"]},"                                                      \
    "\"summary\":" MCP_S_SUMMARY ","                                        \
    "\"requests\":" MCP_S_INT ",\"failures\":" MCP_S_INT                    \
    ",\"elapsed_s\":" MCP_S_NUM ",\"records_in_memory\":" MCP_S_INT "},"    \
    "\"required\":[\"status\",\"summary\",\"requests\",\"failures\"]}"

#define MCP_OUT_RUN_ACTION                                                  \
    "{\"type\":\"object\",\"properties\":{"                                 \
    "\"status\":{\"type\":\"string\",\"enum\":[\"completed\",\"failed\","   \
    "\"cancelled\"]},"                                                      \
    "\"actions\":" MCP_S_INT ",\"failed\":" MCP_S_INT ","                   \
    "\"results\":{\"type\":\"array\",\"items\":{\"type\":\"object\","       \
    "\"properties\":{\"command\":" MCP_S_STR ",\"ok\":{\"type\":"           \
    "\"boolean\"},\"value\":{},\"error\":{\"type\":[\"string\",\"null\"]}," \
    "\"line\":" MCP_S_INT ",\"column\":" MCP_S_INT ",\"depth\":" MCP_S_INT  \
    "},\"required\":[\"command\",\"ok\"]}},"                                \
    "\"values_omitted\":{\"type\":\"integer\",\"description\":\"large "     \
    "values replaced by a note to keep the result small\"},"                \
    "\"error\":" MCP_S_STR "},"                                             \
    "\"required\":[\"status\",\"actions\",\"failed\",\"results\"]}"

#define MCP_OUT_CREATE_PROJECT                                              \
    "{\"type\":\"object\",\"properties\":{\"path\":" MCP_S_STR              \
    ",\"status\":" MCP_S_STR ",\"files\":" MCP_S_STRS "},"                  \
    "\"required\":[\"path\",\"status\",\"files\"]}"

#define MCP_OUT_LIST_COMMANDS                                               \
    "{\"type\":\"object\",\"properties\":{\"count\":" MCP_S_INT ","         \
    "\"commands\":{\"type\":\"array\",\"items\":{\"type\":\"object\","      \
    "\"properties\":{\"name\":" MCP_S_STR ",\"group\":" MCP_S_STR           \
    ",\"summary\":" MCP_S_STR ",\"available\":{\"type\":\"boolean\"}},"     \
    "\"required\":[\"name\",\"group\",\"available\"]}},"                    \
    "\"details\":{\"type\":\"array\",\"items\":" MCP_S_OBJ "}},"            \
    "\"required\":[\"count\",\"commands\"]}"

#define MCP_OUT_IMPORT_HAR                                                  \
    "{\"type\":\"object\",\"properties\":{"                                 \
    "\"load_density\":{\"type\":\"array\",\"description\":\"the action "    \
    "document's actions (pass the whole object to run_action_json)\"},"    \
    "\"import\":{\"type\":\"object\",\"properties\":{\"file\":" MCP_S_STR   \
    ",\"entries\":" MCP_S_INT ",\"tasks\":" MCP_S_INT ",\"filtered\":"      \
    MCP_S_INT ",\"unsupported\":" MCP_S_INT ",\"invalid\":" MCP_S_INT       \
    ",\"output_path\":" MCP_S_STR "},\"required\":[\"entries\","            \
    "\"tasks\"]},"                                                          \
    "\"note\":" MCP_S_STR "},"                                              \
    "\"required\":[\"import\"]}"

#define MCP_OUT_REPORTS                                                     \
    "{\"type\":\"object\",\"properties\":{\"base_name\":" MCP_S_STR ","     \
    "\"files\":" MCP_S_STRS ",\"reports\":{\"type\":\"object\","            \
    "\"additionalProperties\":" MCP_S_STRS "}},"                            \
    "\"required\":[\"files\",\"reports\"]}"

#define MCP_OUT_SUMMARY MCP_S_SUMMARY

#define MCP_OUT_PERSIST                                                     \
    "{\"type\":\"object\",\"properties\":{\"run_id\":" MCP_S_INT            \
    ",\"records\":" MCP_S_INT ",\"database_path\":" MCP_S_STR "},"          \
    "\"required\":[\"run_id\"]}"

#define MCP_S_RUN                                                           \
    "{\"type\":\"object\",\"properties\":{\"id\":" MCP_S_INT                \
    ",\"label\":{\"type\":[\"string\",\"null\"]},\"total\":"               \
    "{\"type\":[\"integer\",\"null\"]},\"failed\":{\"type\":[\"integer\","   \
    "\"null\"]}}}"

#define MCP_OUT_LIST_RUNS                                                   \
    "{\"type\":\"object\",\"properties\":{\"runs\":{\"type\":\"array\","    \
    "\"items\":" MCP_S_RUN "}},\"required\":[\"runs\"]}"

#define MCP_OUT_FETCH_RUN                                                   \
    "{\"type\":\"object\",\"properties\":{\"run\":" MCP_S_RUN ","           \
    "\"records\":{\"type\":\"array\",\"items\":" MCP_S_OBJ "},"             \
    "\"offset\":" MCP_S_INT ",\"limit\":" MCP_S_INT ",\"returned\":"        \
    MCP_S_INT ",\"total\":" MCP_S_INT ","                                   \
    "\"next_offset\":{\"type\":[\"integer\",\"null\"],\"description\":"     \
    "\"offset of the next page, null after the last\"},"                    \
    "\"summary\":" MCP_S_SUMMARY "},"                                       \
    "\"required\":[\"run\",\"records\",\"offset\",\"returned\",\"total\","  \
    "\"next_offset\"]}"

#define MCP_OUT_CLEAR                                                       \
    "{\"type\":\"object\",\"properties\":{\"status\":" MCP_S_STR            \
    ",\"removed\":" MCP_S_INT "},\"required\":[\"status\"]}"

#endif
