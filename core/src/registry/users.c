/*
 * users.c - the user templates an action document may name in
 * user_detail_dict.user, and the keys of user_detail_dict: one table read
 * by the command table (the "user" enum), the engine (plan.c), the linter,
 * the JSON Schema, completion and docs/commands.md.
 *
 * The names are those of the Python tool's user registry, so that its
 * documents bind here unchanged; which of them this build runs is the
 * protocol column: the engine (proto.c) maps it to its driver. Data only,
 * so that the linter and the language server link no driver.
 */
#include "registry/registry_int.h"

#include <stdio.h>
#include <string.h>


#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* name, protocol (the engine's driver family, NULL: none in this build),
 * doc */
#define LD__USER_TEMPLATES(XX)                                                 \
    XX(LD_USER_DEFAULT, "http", "HTTP requests over kept-alive "              \
                                "connections; the default template.")         \
    XX("http_user", "http", "HTTP requests; in the Python tool the "          \
                            "requests-based client, here the same driver "    \
                            "as fast_http_user.")                             \
    XX("async_http_user", NULL, "HTTP requests from an asyncio client.")      \
    XX("websocket_user", NULL, "WebSocket sessions: connect, send, receive, " \
                               "close.")                                      \
    XX("sse_user", NULL, "Server-sent event streams.")                        \
    XX("grpc_user", NULL, "Unary gRPC calls through generated stubs.")        \
    XX("mqtt_user", NULL, "MQTT publish and subscribe against a broker.")     \
    XX("socket_user", NULL, "Raw TCP or UDP payloads.")                       \
    XX("sql_user", NULL, "SQL statements against a database.")               \
    XX("redis_user", NULL, "Redis commands.")                                 \
    XX("kafka_user", NULL, "Kafka produce and consume.")                      \
    XX("mongo_user", NULL, "MongoDB operations.")

#define NAME(name, proto, doc) name,
const char *const ld__users[] = {LD__USER_TEMPLATES(NAME) NULL};
#undef NAME

#define ROW(name, proto, doc) {name, doc, proto},
static const ld_user_template_t templates[] = {LD__USER_TEMPLATES(ROW)};
#undef ROW

const char *const ld__drivers[] = {"auto", "native", "curl", NULL};

/* The keys the engine reads (core/src/engine/plan.c, and class_name in
   core/src/cluster/scenario.c); any other key is ignored, as the Python
   tool ignores it. */
static const ld_shape_key_t user_keys[] = {
    {"user", LD_J_STRING | LD_J_NULL, false, "user", NULL,
     "User template (default " LD_USER_DEFAULT ")."},
    {"http_version", LD_J_STRING | LD_J_NULL, false, "http_version", NULL,
     "HTTP version of every task; the command's http_version, when given, "
     "and a task's own win over it."},
    {"host", LD_J_STRING | LD_J_NULL, false, NULL, NULL,
     "Base URL that relative request_url values are joined to."},
    {"wait_time", LD_J_NUMBER | LD_J_OBJECT, false, NULL, "think_time",
     "Pause between a user's ticks: seconds, or {\"min\", \"max\"} "
     "(default {\"min\": 0.1, \"max\": 0.2} as in the Python templates; 0 "
     "runs flat out)."},
    {"driver", LD_J_STRING | LD_J_NULL, false, "driver", NULL,
     "HTTP driver: auto (the default) picks the native HTTP/1.1 client for "
     "plain http:// and libcurl otherwise."},
    {"class_name", LD_J_STRING | LD_J_NULL, false, NULL, NULL,
     "Distributed runs: the Locust user class this test answers to (a "
     "Python identifier; default LoadDensityUser, LoadDensityUser2, ...)."},
};

static const ld_shape_t user_shape = {"user_detail_dict",
                                      "The user template and its settings.",
                                      false,
                                      false,
                                      user_keys,
                                      COUNT(user_keys)};

const ld_shape_t *ld_registry_shape(const char *name)
{
    return name && !strcmp(name, user_shape.name) ? &user_shape : NULL;
}

const ld_user_template_t *ld_registry_users(size_t *n)
{
    if (n)
        *n = COUNT(templates);
    return templates;
}

const ld_user_template_t *ld_registry_user(const char *name)
{
    for (size_t i = 0; name && i < COUNT(templates); i++)
        if (!strcmp(templates[i].name, name))
            return &templates[i];
    return NULL;
}

bool ld_registry_user_available(const char *name)
{
    const ld_user_template_t *u = ld_registry_user(name);

    return u && u->protocol;
}

const char *ld_registry_users_available(char *buf, size_t size)
{
    size_t len = 0;

    if (!size)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < COUNT(templates) && len < size; i++)
        if (templates[i].protocol)
            len += (size_t)snprintf(buf + len, size - len, "%s%s",
                                    len ? ", " : "", templates[i].name);
    return buf;
}
