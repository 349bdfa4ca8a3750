/*
 * push.h - verification of the broker's signed pushes to POST /cache-tokens (contract: broker_api.h).
 *
 *   X-Broker-Timestamp: <unix seconds>
 *   X-Broker-Signature: sha256=<lowercase hex of HMAC-SHA256(push_key, timestamp + "." + body)>
 *   body: {"id": "<unique push id>", "events": [...]}
 *
 * The key derivation, the signature and its check are common/broker_proto.h (shared with the broker).
 * A push is accepted when the signature matches (constant-time), the timestamp is within
 * +-window seconds of now, and its id was not seen in the last 2 * window seconds (replay). Ids are
 * remembered for 2 * window seconds; when replay_cap ids are remembered and the oldest is younger than
 * that, a new push is refused (MCP_PUSH_BUSY) rather than forgetting an id that could still be replayed.
 * Nothing is recorded for a push that fails any check. Loop-thread only.
 */
#ifndef MCP_PUSH_H
#define MCP_PUSH_H

#include "common/broker_proto.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mcp_push_verifier mcp_push_verifier_t;

typedef enum mcp_push_result {
    MCP_PUSH_OK = 0,
    MCP_PUSH_MALFORMED, /* missing/ill-formed headers, body not a JSON object with id + events */
    MCP_PUSH_BAD_SIGNATURE,
    MCP_PUSH_STALE,    /* timestamp outside the window */
    MCP_PUSH_REPLAYED, /* id already accepted */
    MCP_PUSH_BUSY,     /* replay cache full of ids still inside the replay window: refused (retry later),
                          never evicted early (an evicted id could be replayed) */
} mcp_push_result_t;

/* push_key is copied. window_s 0 = 300. replay_cap 0 = 10000 remembered ids. Caller owns the verifier. */
mcp_push_verifier_t *mcp_push_verifier_new(const uint8_t push_key[CM_BP_KEY_LEN], int window_s, size_t replay_cap);
void mcp_push_verifier_free(mcp_push_verifier_t *v);

/*
 * Verifies one push. timestamp/signature are the raw header values (may be NULL when absent), now_s
 * is the current unix time. On MCP_PUSH_OK *out_body receives the parsed body (caller decrefs) and
 * the id is remembered. *why gets a static human explanation for any other result.
 */
mcp_push_result_t mcp_push_verify(mcp_push_verifier_t *v, const char *timestamp, size_t ts_len, const char *signature,
                                  size_t sig_len, const char *body, size_t body_len, int64_t now_s, json_t **out_body,
                                  const char **why);

#endif
