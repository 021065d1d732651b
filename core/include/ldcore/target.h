/*
 * ldcore/target.h - the embedded target: a small HTTP/1.1 keep-alive server
 * on libuv, bound to loopback, used by `loaddensity demo` and by the tests.
 * It runs on its own thread and counts what it receives.
 *
 * Routes (any method):
 *   /                 200 "Hello, world!" (13 bytes)
 *   /get /post /put /patch /delete
 *                     httpbin-style: 200 JSON {"method","path","query",
 *                     "length","json"|"data"} for that method (GET also
 *                     HEAD), 405 for another
 *   /anything         the same, for any method
 *   /bytes/N          200 with N bytes of body (N <= 16 MiB)
 *   /status/NNN       that status, empty body
 *   /delay/MS         200 after MS milliseconds (MS <= 60000)
 *   /json             200 {"ok":true,"data":{"token":"t-<n>","role":"admin"},...}
 *   /echo             200 echoing the request body, JSON request info in
 *                     X-Echo-* headers
 *   /headers          200 JSON object of the request headers
 *   /multipart        200 JSON {"boundary", "parts": [{"name", "filename",
 *                     "content_type", "headers", "length", "data"}]} of a
 *                     multipart/form-data body, 400 when it does not parse
 *   /login            200 {"data":{"token":"tok-<counter>"}} and X-Request-Id
 *   /auth             200 if "Authorization: Bearer tok-*" else 401
 *   /close            closes the connection without answering
 *   /reset            resets the connection (RST) without answering
 *   /count            200 with the request counter as text (not counted)
 *   anything else     404
 * A query string is ignored for routing.
 *
 * Ownership: ld_target_t is allocated by ld_target_start and released by
 * ld_target_stop (which joins the thread and closes every handle).
 */
#ifndef LDCORE_TARGET_H
#define LDCORE_TARGET_H

#include <stdint.h>

#include "ldcore/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ld_target ld_target_t;

/**
 * Start listening on host:port (host "127.0.0.1" or "::1"; port 0 picks an
 * ephemeral port) on a new thread; returns once it accepts connections.
 */
int ld_target_start(const char *host, int port, ld_target_t **out,
                    ld_diag_t *d);
/** The bound port. */
int ld_target_port(const ld_target_t *t);
/** Requests received (complete request heads), excluding /count. */
uint64_t ld_target_requests(const ld_target_t *t);
/** Connections accepted so far. */
uint64_t ld_target_connections(const ld_target_t *t);
/** Stop, join and free. NULL is fine. */
void ld_target_stop(ld_target_t *t);

#ifdef __cplusplus
}
#endif
#endif
