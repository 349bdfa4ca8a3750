/*
 * auth.h (private) - instance authentication: Bearer <instance MCP key>, or the grant of a verified access token
 * (jwt.h), checked with the broker, cached.
 *
 * The broker stores only SHA-256 hashes of instance keys; the runtime sends the hash of the presented
 * key (POST /instances/{id}/mcp-auth, see broker_api.h), never the key. A confirmed (instance, hash) is
 * trusted for ttl_s (default 300); the instance status is checked on every request, cache hit or not:
 * the broker's expires_at is compared with the clock each time. A status older than recheck_ms (default 1000)
 * is still served, and the broker is asked again in the background (one call per instance and key at a time,
 * at most one started per recheck_ms); one older than status_ttl_s (default 5) is not served: the request
 * waits for the broker. So a change the broker failed to push (disabled, deleted) is served for at most
 * status_ttl_s, and under traffic for about recheck_ms plus one broker round trip. Pushes from the broker
 * update it at once; every broker answer and push may carry a per-instance "version", and one older than the
 * highest seen does not overwrite the status. Concurrent checks of the same (instance, hash) share one broker
 * call. Stale-if-error: when a revalidation fails for a transport reason or a broker 5xx (not a 401/403/404 or a
 * status answer, which apply at once), an ACTIVE status of the confirmed key is still served until stale_if_error_s
 * after it was learned, the broker being asked again at most once per recheck_ms; with no status known the request
 * gets UNAVAILABLE. Loop-thread only.
 */
#ifndef MCP_AUTH_H
#define MCP_AUTH_H

#include "common/broker_proto.h"

#include <stddef.h>
#include <stdint.h>

typedef struct mcp_auth mcp_auth_t;
typedef struct mcp_auth_wait mcp_auth_wait_t;
typedef struct mcp_broker mcp_broker_t;

enum mcp_authz {
    MCP_AUTHZ_OK = 0,
    MCP_AUTHZ_MISSING,     /* no bearer: 401 */
    MCP_AUTHZ_BAD_KEY,     /* wrong key, invalid access token, revoked grant: 401 */
    MCP_AUTHZ_NOT_FOUND,   /* unknown instance (or another service's): 404 */
    MCP_AUTHZ_INACTIVE,    /* inactive / expired / needs_reauth: 403 with how to re-authorize */
    MCP_AUTHZ_UNAVAILABLE, /* broker unreachable: 503 */
};

/* Borrowed by the callback / caller until the next call into the module. */
typedef struct mcp_auth_outcome {
    int result;                /* enum mcp_authz */
    const char *status;        /* "active", "inactive", "expired", "needs_reauth" or NULL */
    const char *authorize_url; /* where the user re-authorizes, or NULL */
    const char *message;       /* human text, never a secret */
} mcp_auth_outcome_t;

typedef void (*mcp_auth_cb)(void *arg, const mcp_auth_outcome_t *o);

#define MCP_AUTH_STATUS_TTL_S_DEFAULT 5
#define MCP_AUTH_RECHECK_MS_DEFAULT 1000
#define MCP_AUTH_STALE_IF_ERROR_S_DEFAULT 30

/* broker borrowed (may be NULL: every check is then UNAVAILABLE). ttl_s 0 = 300, status_ttl_s 0 =
   MCP_AUTH_STATUS_TTL_S_DEFAULT (at most ttl_s), recheck_ms 0 = MCP_AUTH_RECHECK_MS_DEFAULT (at most the status
   lifetime), stale_if_error_s 0 = off. Caller owns. */
mcp_auth_t *mcp_auth_new(mcp_broker_t *broker, int ttl_s, int status_ttl_s, int recheck_ms, int stale_if_error_s,
                         size_t capacity);
void mcp_auth_free(mcp_auth_t *a);
/* Entries evicted for capacity leave their version in v (borrowed, must outlive a; NULL = off). */
struct mcp_versions;
void mcp_auth_keep_versions(mcp_auth_t *a, struct mcp_versions *v);

/*
 * Checks key for instance_id. Returns CM_OK with *now filled (decided without waiting), or CM_AGAIN:
 * cb(arg, outcome) runs later on the loop thread, and *wait can cancel it (mcp_auth_cancel).
 */
int mcp_auth_check(mcp_auth_t *a, const char *instance_id, const char *key, size_t keylen, int64_t now_ms,
                   mcp_auth_cb cb, void *arg, mcp_auth_wait_t **wait, mcp_auth_outcome_t *now);
void mcp_auth_cancel(mcp_auth_wait_t *w);
/*
 * Same for the grant of a verified access token (grant_id <= 64 chars): the broker is asked with
 * {"grant_id"} instead of the key hash, with the same status rules, except that a grant's confirmation lives as long
 * as the status (a revocation the broker could not push is seen at the next recheck). A grant revoked by a push
 * (mcp_auth_revoke_grant) is refused without asking. An entry holds up to 4 credentials (the key and the grants of the
 * instance's clients); a fifth replaces the least recently confirmed one.
 */
int mcp_auth_check_grant(mcp_auth_t *a, const char *instance_id, const char *grant_id, int64_t now_ms, mcp_auth_cb cb,
                         void *arg, mcp_auth_wait_t **wait, mcp_auth_outcome_t *now);
/* The broker pushed a revocation: the grant is refused from now on (see revoked.h for how long it is remembered). */
void mcp_auth_revoke_grant(mcp_auth_t *a, const char *instance_id, const char *grant_id, int64_t now_ms);
size_t mcp_auth_revoked_count(const mcp_auth_t *a);
/*
 * Applies a status pushed by the broker (status NULL or "deleted" = forget the instance: the next request asks
 * again). version: the push's per-instance version, -1 = none; the caller has checked it is not older than
 * mcp_auth_version (a forgotten instance keeps its version).
 */
void mcp_auth_set_status(mcp_auth_t *a, const char *instance_id, const char *status, const char *authorize_url,
                         int64_t version);
/* Highest version seen for the instance (broker answers, pushes), -1 = none. */
int64_t mcp_auth_version(mcp_auth_t *a, const char *instance_id);
/* Records version as seen for the instance (e.g. from a token push) when it is higher. */
void mcp_auth_note_version(mcp_auth_t *a, const char *instance_id, int64_t version);
/* Cached status of an instance (borrowed) or NULL; *authorize_url likewise. */
const char *mcp_auth_status(mcp_auth_t *a, const char *instance_id, const char **authorize_url);
size_t mcp_auth_cached(const mcp_auth_t *a);
/* 1 when status (a wire name, may be NULL) is want. */
int mcp_auth_status_is(const char *status, cm_inst_status_t want);

typedef struct mcp_auth_stale_stats {
    int bound_s;         /* the stale-if-error bound, 0 = off */
    uint64_t served;     /* requests answered from a stale status because the broker failed */
    int64_t last_age_ms; /* ms since the last such answer, -1 = none */
} mcp_auth_stale_stats_t;
/* a may be NULL (all zero, last_age_ms -1). */
void mcp_auth_get_stale_stats(const mcp_auth_t *a, int64_t now_ms, mcp_auth_stale_stats_t *out);

#endif
