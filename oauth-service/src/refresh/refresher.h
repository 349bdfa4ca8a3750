/*
 * refresher.h - token refresh: proactive (a min-heap schedule by expiry, refresh.margin before it), on read
 * (the vend handler), and forced (POST /oauth/refresh). Follows the procedure of oauth-broker-lessons.md,
 * Appendix B:
 *
 *  1. single flight in process: one operation per instance, later requests wait for its result;
 *  2. across replicas: a transaction on one pooled connection takes pg_try_advisory_xact_lock(instance key)
 *     (polled, bounded by refresh.lock_wait_ms) and re-reads the row (row_version, refresh token, expiry)
 *     under the lock in a new statement; a token that is fresh by now is not refreshed again;
 *  2b. the refresh intent marker (intent.c): another process's refresh in flight (its marker younger than
 *     refresh.intent_hold_s) -> not sent, TRANSIENT "refresh_in_progress"; else ours is committed first;
 *  3. the provider is called once (the plugin's refresh op; the host never resends a POST);
 *  4. success: access + refresh token (the old refresh token kept when the response has none) are written by
 *     ONE compare-and-set statement on row_version, with the audit row, then COMMIT; waiters are answered
 *     after the commit; the MCP server gets a push;
 *  5. invalid_grant / invalid_client / unauthorized_client: the same CAS marks needs_reauth; when the row changed
 *     meanwhile (CAS finds nothing) it was a race, not a revocation; otherwise an invalidation push;
 *  6. anything else (network, timeout, 5xx, 429, ...): refresh_failures + 1, next_refresh_at = now + backoff
 *     with jitter, last_error_code, audit row with the delay; the current token keeps being served while valid.
 *     An expired token's backoff is capped by refresh.expired_backoff_max_ms (users are waiting), and a longer
 *     one recorded before it expired is not honoured (the next request probes the provider).
 *
 * Threading: the loop thread only. Every database statement has the pool's timeout; the provider call has
 * the host's HTTP timeout.
 */
#ifndef OB_REFRESH_REFRESHER_H
#define OB_REFRESH_REFRESHER_H

#include "core/broker.h"

#include <stdint.h>

typedef struct ob_refresher ob_refresher_t;

enum ob_refresh_outcome {
    OB_REFRESH_REFRESHED = 0, /* new tokens stored */
    OB_REFRESH_FRESH,         /* nothing to do: the stored token is fresh (maybe refreshed by another replica) */
    OB_REFRESH_TRANSIENT,     /* failed or deferred (backoff); try later; the current token is unchanged */
    OB_REFRESH_PERMANENT,     /* needs_reauth recorded */
    OB_REFRESH_UNREFRESHABLE, /* no refresh token, provider cannot refresh, or the instance is not active */
    OB_REFRESH_GONE,          /* no such instance */
};

typedef struct ob_refresh_result {
    int outcome;            /* enum ob_refresh_outcome */
    const char *error_code; /* provider or internal code, "" when none (borrowed for the callback) */
    int64_t backoff_ms;     /* TRANSIENT: delay before the next attempt */
} ob_refresh_result_t;

/* Called once, on the loop thread, after the operation (and its commit) finished. */
typedef void (*ob_refresh_cb)(void *arg, const ob_refresh_result_t *res);

#define OB_REFRESH_FORCE 0x1u          /* refresh even when the stored token is beyond the margin */
#define OB_REFRESH_IGNORE_BACKOFF 0x2u /* do not honour next_refresh_at (admin) */

/* b borrowed (must outlive it). Starts the schedule (first database scan on the next loop iteration) when
 * cfg->refresh_enabled. NULL on failure. Caller owns it (ob_refresher_free). */
ob_refresher_t *ob_refresher_new(ob_broker_t *b);
/* Shutdown, step 1 (before the provider registry is freed, which completes plugin calls in flight):
 * no new work; plugin callbacks arriving from now on only release their operation. */
void ob_refresher_close(ob_refresher_t *r);
/* Step 2: abandons operations in flight (their callbacks are not called) and frees. Before the pool. */
void ob_refresher_free(ob_refresher_t *r);

/*
 * Refreshes instance id (a lowercase UUID) if needed (flags: OB_REFRESH_*), joining an operation in flight.
 * cb may be NULL (fire and forget). Returns CM_AGAIN (cb runs later, exactly once) or CM_ENOMEM / CM_EINVAL.
 */
int ob_refresh_request(ob_refresher_t *r, const char *id, unsigned flags, ob_refresh_cb cb, void *arg);
/* Tells the schedule about a token that was just stored (callback, import): refresh due at
 * token_expires_at - margin (0 = does not expire: unscheduled). */
void ob_refresher_schedule(ob_refresher_t *r, const char *id, int64_t token_expires_at);
/* Forgets an instance (deleted, revoked). */
void ob_refresher_forget(ob_refresher_t *r, const char *id);

/* Counters (tests, /health). */
typedef struct ob_refresher_stats {
    uint64_t started, joined, refreshed, fresh, transient, permanent, races, lock_waits;
    uint64_t intent_waits;      /* refreshes not sent: another attempt's intent marker was in its hold window */
    uint64_t scans, scan_pages; /* schedule scans started, pages read by them */
    uint64_t skipped_busy;      /* scheduled refreshes left to the replica holding the lock */
    size_t scheduled, inflight;
} ob_refresher_stats_t;
void ob_refresher_stats(const ob_refresher_t *r, ob_refresher_stats_t *out);

#endif
