/*
 * ldcore/rpc.h - JSON-RPC 2.0 message handling shared by the MCP server
 * (one message per line) and the LSP server (Content-Length framing).
 *
 * Ownership: ld_rpc_t is caller storage (init/close) owning its read
 * buffer; messages returned by ld_rpc_read are new jansson references owned
 * by the caller. Writers serialise with an internal mutex, so several
 * threads may send (responses, notifications) on one ld_rpc_t.
 */
#ifndef LDCORE_RPC_H
#define LDCORE_RPC_H

#include <pthread.h>
#include <stddef.h>

#include <jansson.h>

#include "ldcore/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ld_rpc_framing {
    LD_RPC_LINES,          /* MCP stdio: one JSON message per line */
    LD_RPC_CONTENT_LENGTH  /* LSP: "Content-Length: N\r\n\r\n" + body */
} ld_rpc_framing_t;

/* JSON-RPC error codes. */
enum {
    LD_RPC_PARSE_ERROR = -32700,
    LD_RPC_INVALID_REQUEST = -32600,
    LD_RPC_METHOD_NOT_FOUND = -32601,
    LD_RPC_INVALID_PARAMS = -32602,
    LD_RPC_INTERNAL_ERROR = -32603,
    LD_RPC_REQUEST_CANCELLED = -32800  /* LSP */
};

typedef struct ld_rpc {
    int in_fd;
    int out_fd;
    ld_rpc_framing_t framing;
    size_t max_message;    /* default 64 MiB */
    char *buf;
    size_t len;
    size_t cap;
    int eof;
    size_t pending;        /* bytes of the last message read, dropped by
                              the next read */
    pthread_mutex_t write_lock;
} ld_rpc_t;

int ld_rpc_init(ld_rpc_t *r, int in_fd, int out_fd, ld_rpc_framing_t f);
void ld_rpc_close(ld_rpc_t *r);

/**
 * Read the next message. Returns 0 and sets *msg, or:
 *  - LD_ESTOPPED at end of input (clean shutdown);
 *  - LD_ESYNTAX when the message is not JSON: *raw_error receives a ready
 *    JSON-RPC Parse error response to send (id null) and reading can go on;
 *  - LD_ETOOBIG when a message exceeds max_message: it is skipped, and
 *    *raw_error is set likewise;
 *  - LD_EIO on a read error.
 */
int ld_rpc_read(ld_rpc_t *r, json_t **msg, json_t **raw_error);

/**
 * Read the next message's bytes without decoding them (for a caller with
 * its own JSON reader): the framing, limits and errors of ld_rpc_read, but
 * never LD_ESYNTAX for the body, which is not parsed. On 0, *body points
 * at *len bytes inside r's buffer (not NUL-terminated), valid until the
 * next read on r.
 */
int ld_rpc_read_raw(ld_rpc_t *r, const char **body, size_t *len,
                    json_t **raw_error);

/**
 * Send a message already serialised as compact JSON text (len bytes,
 * without framing: one line for LD_RPC_LINES, so it must hold no raw
 * newline). Serialised with the other writers. 0 or LD_EIO.
 */
int ld_rpc_send_raw(ld_rpc_t *r, const char *body, size_t len);

/** Send a message (consumed: the reference is stolen). 0 or LD_EIO. */
int ld_rpc_send(ld_rpc_t *r, json_t *msg);

/** Build {"jsonrpc":"2.0","id":id,"result":result} (result stolen). */
json_t *ld_rpc_result(const json_t *id, json_t *result);
/** Build an error response; data may be NULL (stolen otherwise). */
json_t *ld_rpc_error(const json_t *id, int code, const char *message,
                     json_t *data);
/** Build a notification (params stolen, may be NULL). */
json_t *ld_rpc_notification(const char *method, json_t *params);

/**
 * Validate an incoming message: sets *method (NULL for responses), *id
 * (borrowed, NULL for notifications) and *params (borrowed, may be NULL).
 * Returns 0, or LD_EINVAL with *error set to an Invalid Request response:
 * for a message that is not an object, has an id that is not a string, an
 * integer or null, lacks "jsonrpc": "2.0" (a request or notification), or
 * has no string "method" (and is no response) or bad "params". The error
 * carries the message's id when it has a valid one, else null (JSON-RPC
 * 2.0, section 5); a notification gets one too, as the spec's examples do.
 * Responses (result or error, no method) are passed through unchecked:
 * nothing answers a response.
 */
int ld_rpc_classify(const json_t *msg, const char **method, const json_t **id,
                    const json_t **params, json_t **error);

#ifdef __cplusplus
}
#endif
#endif
