/*
 * token_client.h - provider access tokens of instances, fetched from the broker with the service key
 * (broker_api.h section 2) and cached.
 *
 * Cache: LRU, token_cache_size entries (default 10000); an entry is a small fixed record (~100 bytes:
 * expiry, fetch time, list/hash links, the instance id) plus the token bytes, so well under 1 KB for the
 * usual provider tokens. A cached token is used until expires_at - refresh_margin; then it is fetched
 * again. Concurrent requests for the same instance share one broker call, and so do concurrent refreshes
 * (refresh=1 joins a refresh in flight). Pushes (/cache-tokens) put or invalidate entries at once.
 *
 * Ordering: the broker's answers and pushes may carry a per-instance "version" (monotonic); a token older
 * than the cached one is not stored. A fetch's answer is dropped (its waiters get the cached token) when a
 * token was stored after the fetch started, unless the fetch was a refresh or the versions say it is newer.
 * After a provider 401: mcp_token_get_after_401 once (provider_http.h does this for you). Loop-thread only.
 */
#ifndef MCP_TOKEN_CLIENT_H
#define MCP_TOKEN_CLIENT_H

#include <stddef.h>
#include <stdint.h>

typedef struct mcp_token_client mcp_token_client_t;
typedef struct mcp_token_wait mcp_token_wait_t;
typedef struct mcp_broker mcp_broker_t;

/* Borrowed: valid only during the callback (or until the next call into the client for a sync result). */
typedef struct mcp_token_result {
    int ok; /* 1: access_token is usable */
    const char *access_token;
    int64_t expires_at;  /* unix seconds */
    int http_status;     /* broker status when !ok (0 = unreachable) */
    const char *code;    /* broker error code when !ok ("needs_reauth", ...) */
    const char *message; /* human text, never a secret */
    const char *authorize_url;
    long retry_after_s; /* when !ok: the broker's retry_after_s (a 503: provider down, refresh in flight); -1 = none */
} mcp_token_result_t;

typedef void (*mcp_token_cb)(void *arg, const mcp_token_result_t *r);

/* broker borrowed (may be NULL: every fetch fails). 0 selects the defaults (60 s, 10000). Caller owns it. */
mcp_token_client_t *mcp_token_client_new(mcp_broker_t *broker, int refresh_margin_s, size_t capacity);
void mcp_token_client_free(mcp_token_client_t *tc);
/* Entries evicted for capacity, or invalidated, leave their version in v (borrowed, must outlive tc; NULL = off). */
struct mcp_versions;
void mcp_token_client_keep_versions(mcp_token_client_t *tc, struct mcp_versions *v);

/*
 * A usable token for instance_id. Returns CM_OK with *now filled from the cache, or CM_AGAIN: cb runs
 * later (never inside this call) and *wait can detach it. refresh=1 skips the cache and asks the broker
 * to refresh the provider token.
 */
int mcp_token_get(mcp_token_client_t *tc, const char *instance_id, int refresh, int64_t now_s, mcp_token_cb cb,
                  void *arg, mcp_token_wait_t **wait, mcp_token_result_t *now);
void mcp_token_cancel(mcp_token_wait_t *w);
/*
 * After the provider answered 401 to token rejected: when the cached token is another, usable one (a
 * concurrent refresh or a push replaced it), returns CM_OK with it in *now and asks nobody; otherwise drops
 * the rejected token and behaves as mcp_token_get(refresh=1), which joins a refresh already in flight.
 */
int mcp_token_get_after_401(mcp_token_client_t *tc, const char *instance_id, const char *rejected, int64_t now_s,
                            mcp_token_cb cb, void *arg, mcp_token_wait_t **wait, mcp_token_result_t *now);
/*
 * Stores a token (from a push). token copied. version: the broker's per-instance version, -1 = none.
 * CM_OK, CM_ECONFLICT (older version than the cached token: nothing changed), CM_EINVAL (too long / empty)
 * or CM_ENOMEM.
 */
int mcp_token_put(mcp_token_client_t *tc, const char *instance_id, const char *token, int64_t expires_at,
                  int64_t version);
/* Drops the cached token of an instance. */
void mcp_token_invalidate(mcp_token_client_t *tc, const char *instance_id);
/* Expiry of the cached token (0 when none). */
int64_t mcp_token_expiry(mcp_token_client_t *tc, const char *instance_id);
/* Version of the cached token (-1 when none or unversioned). */
int64_t mcp_token_version(mcp_token_client_t *tc, const char *instance_id);

typedef struct mcp_token_stats {
    size_t entries, capacity;
    uint64_t hits, misses, fetches, fetch_failures, pushes, invalidations;
    uint64_t refreshes_joined; /* refresh=1 requests that joined a refresh in flight */
    uint64_t superseded;       /* fetch answers dropped for a newer cached token */
    uint64_t retried_cached;   /* 401s answered with a token that had replaced the rejected one */
} mcp_token_stats_t;
void mcp_token_get_stats(const mcp_token_client_t *tc, mcp_token_stats_t *out);

#endif
