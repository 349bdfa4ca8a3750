/*
 * broker_api.h - THE contract between an MCP server (this runtime) and the OAuth broker.
 * Prose version with examples: docs/mcp-broker-protocol.md. Version 1.
 *
 * Keys. Each MCP service has one service secret (a file, mode 0600, shared by the broker and that
 * service's MCP server). Neither side sends it; both derive purpose keys with HKDF-SHA256 (RFC 5869,
 * no salt, L = 32):
 *   service bearer = lowercase hex(HKDF(secret, info "mcp-service-bearer-v1"))   -> Authorization header
 *   push key       = HKDF(secret, info "mcp-push-v1")                            -> HMAC of pushes
 * Both are computed by common/broker_proto.h, the code the broker runs too.
 *
 * Every call from the MCP server to the broker carries
 *   Authorization: Bearer <service bearer>
 *   X-MCP-Service: <service name>           (which secret the broker checks the bearer against)
 *   Content-Type: application/json          (on POST)
 * and has a timeout (default 5 s). Errors are JSON {"code": "<stable code>", "message": "..."} plus, for
 * instance errors, "status" and "authorize_url" (where the user re-authorizes).
 *
 * 1) Instance auth - is this the instance's MCP access key?
 *    POST {broker}/instances/{id}/mcp-auth   body {"key_sha256": "<64 lowercase hex of SHA-256(key)>"}
 *    200 {"instance_id", "service", "status": "active"|"inactive"|"expired"|"needs_reauth",
 *         "authorize_url"?: "...", "expires_at"?: <unix s>|null, "version"?: <integer>}
 *                                            the key matches (status may still forbid use). The runtime
 *                                            trusts the key hash for 300 s and the status for 5 s
 *                                            (MCP_AUTH_CACHE_TTL_S / MCP_AUTH_STATUS_TTL_S), asking again
 *                                            in the background once it is 1 s old (MCP_AUTH_RECHECK_MS),
 *                                            an active one up to 30 s while this call fails
 *                                            with a transport error or 5xx (MCP_AUTH_STALE_IF_ERROR_S),
 *                                            and compares expires_at with its clock on every request
 *                                            (past = expired).
 *    401 {"code":"invalid_key"}              the key does not match
 *    The grant of a verified access token (docs/mcp-authorization.md) is checked the same way:
 *    body {"grant_id": "<the token's gid>"}: 200 as above; 401 {"code":"invalid_grant"} when the grant is
 *    revoked, unknown or another instance's. A grant is confirmed for as long as the status (5 s).
 *    404 {"code":"instance_not_found"}       unknown instance, or it belongs to another service
 *    401 {"code":"invalid_service_credentials"} / 403 {"code":"forbidden"}  the service bearer is wrong
 *
 * 2) Token vend - the current provider access token of an instance.
 *    GET {broker}/instances/{id}/token
 *    200 {"access_token", "token_type": "Bearer", "expires_at": <unix s>, "scope"?: "...",
 *         "instance_status": "active", "version"?: <integer>}
 *    404 instance_not_found; 409 {"code": "instance_inactive"|"instance_expired"|"needs_reauth",
 *         "status", "authorize_url"}; 401/403 as above; 502 {"code":"provider_error"} when a refresh failed.
 *    GET {broker}/instances/{id}/token?refresh=1 asks the broker to refresh first (used after a provider 401).
 *
 * 3) Usage counters - batched, at most one call per flush interval (default 10 s).
 *    POST {broker}/instances/usage
 *    body {"service": "...", "usage": [{"instance_id", "count": <requests since last flush>,
 *          "last_used_at": <unix s>}]}
 *    204 (or 200). On failure the runtime keeps the counts and retries with the next flush.
 *
 * 4) Pushes - the broker tells the MCP server about new tokens and status changes at once.
 *    POST {mcp server}/cache-tokens
 *    X-Broker-Timestamp: <unix s>
 *    X-Broker-Signature: sha256=<lowercase hex HMAC-SHA256(push key, timestamp + "." + raw body)>
 *    body {"id": "<unique push id, 1..128 chars>", "events": [
 *            {"type": "token", "instance_id", "access_token", "expires_at": <unix s>, "status"?: "active",
 *             "version"?: <integer>},
 *            {"type": "invalidate", "instance_id", "status"?: "inactive"|"expired"|"needs_reauth"|"deleted",
 *             "authorize_url"?: "...", "version"?: <integer>},
 *            {"type": "grant_revoked", "instance_id", "grant_id"} ]}   (no version: a revocation is final and
 *                                            applied whatever the order; the grant's tokens are refused at once)
 *    200 {"applied": n, "ignored": m}; 401 bad signature; 400 malformed; 408 stale timestamp
 *    (|now - ts| > 300 s); 409 replayed id. A rejected push changes nothing.
 *
 * Versions. "version" is per instance and increases with every change the broker makes (token, status);
 * answers of 1) and 2) and every push event carry the current one. The runtime keeps the highest version
 * seen per instance; an event with a lower version is not applied (counted in "ignored"), a broker answer
 * with a lower version does not overwrite the cached state. Events and answers without a version are
 * applied as before.
 *
 * 5) Reachability - GET {broker}/health (no auth) is probed by GET /health of the MCP server.
 */
#ifndef MCP_BROKER_API_H
#define MCP_BROKER_API_H

#define MCP_BROKER_API_VERSION 1

#define MCP_BROKER_PATH_AUTH_FMT "/instances/%s/mcp-auth"
#define MCP_BROKER_PATH_TOKEN_FMT "/instances/%s/token"
#define MCP_BROKER_PATH_USAGE "/instances/usage"
#define MCP_BROKER_PATH_HEALTH "/health"
#define MCP_BROKER_HEADER_SERVICE "X-MCP-Service"
#define MCP_PUSH_HEADER_TIMESTAMP "x-broker-timestamp"
#define MCP_PUSH_HEADER_SIGNATURE "x-broker-signature"
#define MCP_PUSH_WINDOW_S 300

/* Stable error codes the broker answers with. */
#define MCP_BROKER_ERR_INVALID_KEY "invalid_key"
#define MCP_BROKER_ERR_INVALID_GRANT "invalid_grant"
#define MCP_BROKER_ERR_NOT_FOUND "instance_not_found"
#define MCP_BROKER_ERR_INACTIVE "instance_inactive"
#define MCP_BROKER_ERR_EXPIRED "instance_expired"
#define MCP_BROKER_ERR_NEEDS_REAUTH "needs_reauth"
#define MCP_BROKER_ERR_FORBIDDEN "forbidden"
#define MCP_BROKER_ERR_BAD_SERVICE "invalid_service_credentials"
#define MCP_BROKER_ERR_PROVIDER "provider_error"

#endif
