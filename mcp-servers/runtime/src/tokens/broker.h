/* broker.h (private) - the HTTP client side of broker_api.h. Loop-thread only. */
#ifndef MCP_BROKER_H
#define MCP_BROKER_H

#include <jansson.h>
#include <stdint.h>

typedef struct mcp_broker mcp_broker_t;
typedef struct cm_http_client cm_http_client_t;
typedef struct cm_http_call cm_http_call_t;

/* status 0 = transport failure (error says why). body: parsed JSON object or NULL; borrowed for the callback. */
typedef void (*mcp_broker_cb)(void *arg, int status, json_t *body, const char *error);

/* Strings are copied; http borrowed. Caller owns the result. NULL on allocation failure. */
mcp_broker_t *mcp_broker_new(cm_http_client_t *http, const char *base_url, const char *service, const char *bearer,
                             int timeout_ms);
void mcp_broker_free(mcp_broker_t *b);
/*
 * Starts a call: method "GET"/"POST", path already escaped (starts with '/'), body borrowed (may be NULL).
 * idempotent: the request may be resent safely (lets a POST reuse a pooled connection).
 * Returns CM_AGAIN (cb later, exactly once unless cancelled through *call) or an error (nothing started).
 */
int mcp_broker_call(mcp_broker_t *b, const char *method, const char *path, const json_t *body, int idempotent,
                    mcp_broker_cb cb, void *arg, cm_http_call_t **call);
/*
 * Unit tests: a broker whose calls go to fn instead of HTTP. fn must return CM_AGAIN and call cb later
 * (never inside), exactly once, or return an error. ctx borrowed. Caller owns the result (mcp_broker_free).
 */
typedef int (*mcp_broker_fake_fn)(void *ctx, const char *method, const char *path, const json_t *body, mcp_broker_cb cb,
                                  void *arg);
mcp_broker_t *mcp_broker_new_fake(mcp_broker_fake_fn fn, void *ctx);
/* Health: when the broker last answered (unix ms, 0 = never), consecutive transport failures. */
int64_t mcp_broker_last_ok_ms(const mcp_broker_t *b);
unsigned mcp_broker_failures(const mcp_broker_t *b);
const char *mcp_broker_url(const mcp_broker_t *b);

#endif
