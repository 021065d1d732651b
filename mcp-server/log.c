/*
 * log.c - logs go to stderr (never stdout: that is the protocol channel)
 * and, at or above the level the client chose with logging/setLevel, to the
 * client as notifications/message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mcp.h"

static const char *const level_names[] = {"debug",    "info",  "notice",
                                          "warning",  "error", "critical",
                                          "alert",    "emergency"};

int mcp_log_level_parse(const char *name)
{
    for (int i = 0; name && i < 8; i++)
        if (!strcmp(name, level_names[i]))
            return i;
    return -1;
}

void mcp_log(mcp_server_t *s, int level, const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    int client_level;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (level > MCP_DEBUG || s->opts.verbose)
        fprintf(stderr, "loaddensity-mcp: %s: %s\n", level_names[level], text);
    pthread_mutex_lock(&s->lock);
    client_level = s->initialized ? s->log_level : 99;
    pthread_mutex_unlock(&s->lock);
    if (level < client_level)
        return;
    ld_rpc_send(&s->rpc,
                ld_rpc_notification("notifications/message",
                                    json_pack("{s:s,s:s,s:s}", "level",
                                              level_names[level], "logger",
                                              MCP_SERVER_NAME, "data",
                                              text)));
}
