/*
 * jwks.h (private) - the broker's token signing keys (JWK Set at <BROKER_URL>/as/jwks.json), cached.
 *
 * Fetched on first use, then again when the cache is older than the answer's Cache-Control max-age (bounded to
 * MCP_JWKS_MIN_AGE_S .. MCP_JWKS_MAX_AGE_S, MCP_JWKS_DEFAULT_AGE_S without one; past it the keys are still used while
 * the refetch runs in the background) and when a token names a kid the set does not hold: at most once per
 * MCP_JWKS_REFETCH_S (configurable) after a fetch that answered, once per MCP_JWKS_RETRY_MS after one that failed. A
 * lookup never blocks: a request that must wait for a fetch is deferred and called back. One fetch at a time; its
 * waiters share it. Loop-thread only.
 */
#ifndef MCP_JWKS_H
#define MCP_JWKS_H

#include "common/jose.h"

#include <stddef.h>
#include <stdint.h>

#define MCP_JWKS_PATH "/as/jwks.json"
#define MCP_JWKS_REFETCH_S 30
#define MCP_JWKS_RETRY_MS 1000
#define MCP_JWKS_MIN_AGE_S 60
#define MCP_JWKS_MAX_AGE_S 3600
#define MCP_JWKS_DEFAULT_AGE_S 300

typedef struct mcp_jwks mcp_jwks_t;
typedef struct mcp_jwks_wait mcp_jwks_wait_t;
typedef struct cm_http_client cm_http_client_t;

/* A fetch finished (whatever its outcome): look the kid up again (it cannot wait a second time for MCP_JWKS_RETRY_MS).
 */
typedef void (*mcp_jwks_cb)(void *arg);

/*
 * The fetcher: GETs url, then calls done(done_arg, status, body, body_len, max_age_s) exactly once, later, never
 * inside (status 0 = transport failure; max_age_s -1 = no Cache-Control max-age). Returns CM_AGAIN or an error
 * (nothing started). The default one (http != NULL) uses the runtime's HTTP client; unit tests pass their own.
 */
typedef void (*mcp_jwks_done_fn)(void *done_arg, int status, const char *body, size_t body_len, long max_age_s);
typedef int (*mcp_jwks_fetch_fn)(void *ctx, const char *url, mcp_jwks_done_fn done, void *done_arg);

/* url copied; http borrowed (used when fetch is NULL); fetch_ctx borrowed; refetch_s: the unknown-kid rate limit,
 * 0 = MCP_JWKS_REFETCH_S. Caller owns (mcp_jwks_free). */
mcp_jwks_t *mcp_jwks_new(const char *url, cm_http_client_t *http, mcp_jwks_fetch_fn fetch, void *fetch_ctx,
                         int refetch_s);
void mcp_jwks_free(mcp_jwks_t *j);

/*
 * The key for kid (NULL = the set's only key, when it holds exactly one). Returns CM_OK with *key (borrowed until
 * the next call into the module); CM_ENOTFOUND (not in the set and no refetch allowed now); CM_EIO (no set could be
 * fetched yet and none may be tried now); or CM_AGAIN: cb(arg) runs later on the loop thread unless cancelled through
 * *wait (mcp_jwks_cancel).
 */
int mcp_jwks_lookup(mcp_jwks_t *j, const char *kid, int64_t now_ms, mcp_jwks_cb cb, void *arg, mcp_jwks_wait_t **wait,
                    const cm_jwk_t **key);
void mcp_jwks_cancel(mcp_jwks_wait_t *w);

typedef struct mcp_jwks_stats {
    size_t keys;
    uint64_t fetches, failures;
    int64_t age_ms; /* since the last successful fetch; -1 = never */
} mcp_jwks_stats_t;
void mcp_jwks_get_stats(const mcp_jwks_t *j, int64_t now_ms, mcp_jwks_stats_t *out);

#endif
