/*
 * pusher.h - every token change goes to the owning MCP server's POST /cache-tokens
 * (docs/mcp-broker-protocol.md, 4), signed with the service's push key (common/broker_proto.h).
 *
 * Target: push.urls.<service> from the config when set, else http://127.0.0.1:<registry port>. One push
 * carries one event and a fresh UUID id. Delivery is best effort: 2xx (and 409 replayed_push, i.e. an
 * earlier attempt arrived) is done; transport errors, 5xx, 408 and 429 are retried with exponential backoff
 * and jitter up to push.retries times, each attempt re-signed with a new timestamp and the same id; other
 * answers (400/401/503 push_not_configured) are logged and dropped. A lost push loses nothing: MCP servers
 * pull from the broker on a cache miss. A service without a loaded secret gets no pushes (logged once at debug).
 *
 * Every attempt has a timeout (push.timeout_ms). Pushes carry access tokens: the body is wiped when freed and
 * never logged. Threading: the loop thread only.
 */
#ifndef OB_PUSH_PUSHER_H
#define OB_PUSH_PUSHER_H

#include "core/broker.h"

#include "common/broker_proto.h"

#include <stdint.h>

typedef struct ob_pusher ob_pusher_t;

typedef struct ob_pusher_stats {
    uint64_t queued, delivered, retried, dropped, skipped;
} ob_pusher_stats_t;

/* b is borrowed (its http client, keys, services and config must outlive the pusher). NULL on failure.
 * Caller owns it (ob_pusher_free: cancels attempts in flight and pending retries). */
ob_pusher_t *ob_pusher_new(ob_broker_t *b);
void ob_pusher_free(ob_pusher_t *p);

/* status of a push: a cm_inst_status_t, or OB_PUSH_NO_STATUS (the event carries none). */
#define OB_PUSH_NO_STATUS (-1)

/* Queues {"type":"token", instance_id, access_token, expires_at, status?, version}. version is the instance's
 * event_version after the change (mcp_service_table.event_version, bumped in the statement that made the change):
 * MCP servers drop an event older than the newest they saw. Strings are copied. NULL pusher is a no-op. */
void ob_push_token(ob_pusher_t *p, const char *service, const char *instance_id, const char *access_token,
                   int64_t expires_at, int status, int64_t version);
/* Queues {"type":"invalidate", instance_id, status?, authorize_url? (added for needs_reauth/expired), version}. */
void ob_push_invalidate(ob_pusher_t *p, const char *service, const char *instance_id, int status, int64_t version);

/* Queues {"type":"grant_revoked", instance_id, grant_id}: an MCP client's grant on the instance was revoked (no
 * version: a revocation is final, the MCP server applies it whatever the order). Strings are copied. NULL pusher is a
 * no-op. */
void ob_push_grant_revoked(ob_pusher_t *p, const char *service, const char *instance_id, const char *grant_id);
/* Counters since start (tests, /health). */
void ob_pusher_stats(const ob_pusher_t *p, ob_pusher_stats_t *out);
/* Pushes in flight or waiting for a retry. */
size_t ob_pusher_pending(const ob_pusher_t *p);

#endif
