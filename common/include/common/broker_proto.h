/*
 * broker_proto.h - the part of the broker <-> MCP server contract that both sides compute
 * (docs/mcp-broker-protocol.md, sections 1 and 4). The broker and the MCP runtime link this one
 * implementation so the bytes on the wire cannot drift apart; tests/common/test_broker_proto.c pins them.
 *
 * Purpose keys: HKDF-SHA256 (RFC 5869), ikm = the service secret's bytes, no salt, info = label, 32 bytes.
 *   service bearer = lowercase hex(HKDF(secret, "mcp-service-bearer-v1"))  MCP server -> broker calls
 *   push key       = HKDF(secret, "mcp-push-v1")                            broker -> MCP server pushes
 * Push signature (broker -> POST {mcp}/cache-tokens):
 *   X-Broker-Timestamp: <unix seconds, decimal digits>
 *   X-Broker-Signature: sha256=<lowercase hex HMAC-SHA256(push key, timestamp + "." + raw body)>
 *
 * Pure functions, no allocation visible to the caller, any thread. Buffers are caller-owned.
 */
#ifndef COMMON_BROKER_PROTO_H
#define COMMON_BROKER_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define CM_BP_KEY_LEN 32
#define CM_BP_BEARER_HEX_LEN (2 * CM_BP_KEY_LEN + 1) /* 64 hex + NUL */
#define CM_BP_BEARER_LABEL "mcp-service-bearer-v1"
#define CM_BP_PUSH_KEY_LABEL "mcp-push-v1"

#define CM_BP_HDR_TIMESTAMP "X-Broker-Timestamp"
#define CM_BP_HDR_SIGNATURE "X-Broker-Signature"
#define CM_BP_SIG_PREFIX "sha256="
#define CM_BP_SIG_LEN (7 + 64 + 1) /* "sha256=" + 64 hex + NUL */
#define CM_BP_TS_MAX_DIGITS 12     /* a longer timestamp is malformed */

/*
 * Instance status as it travels in vend answers ("status"), push events ("status", "instance_status") and the
 * broker's store (mcp_service_table.status). "deleted" only appears in invalidate pushes.
 */
typedef enum {
    CM_INST_ACTIVE = 0,
    CM_INST_INACTIVE,
    CM_INST_EXPIRED,
    CM_INST_NEEDS_REAUTH,
    CM_INST_DELETED,
    CM_INST__COUNT
} cm_inst_status_t;

/* Parses a status name (exact, case-sensitive). CM_OK and *out, or CM_EINVAL for NULL or an unknown name. */
int cm_inst_status_parse(const char *name, cm_inst_status_t *out);
/* The wire name of st (static storage), or "unknown" for a value outside the enum. */
const char *cm_inst_status_name(cm_inst_status_t st);

/* Derives the 32-byte purpose key `label` from a service secret. CM_OK, or CM_EINVAL for an empty secret. */
int cm_bp_derive_key(const void *secret, size_t len, const char *label, uint8_t out[CM_BP_KEY_LEN]);
/* Both purpose keys of a service secret: push_key (32 bytes) and the service bearer as lowercase hex + NUL.
 * CM_OK, or CM_EINVAL (empty secret); on failure both outputs are wiped. */
int cm_bp_service_keys(const void *secret, size_t len, uint8_t push_key[CM_BP_KEY_LEN],
                       char bearer_hex[CM_BP_BEARER_HEX_LEN]);

/* Parses an X-Broker-Timestamp value (1..12 decimal digits, nothing else). CM_OK and *out, or CM_EINVAL. */
int cm_bp_parse_timestamp(const char *ts, size_t len, int64_t *out);
/* Writes the X-Broker-Signature value of (ts, body) into out (outsz >= CM_BP_SIG_LEN). ts is the exact header
 * text. CM_OK, CM_EINVAL (bad arguments) or CM_ENOMEM/CM_ERR. */
int cm_bp_push_sign(const uint8_t key[CM_BP_KEY_LEN], const char *ts, size_t ts_len, const char *body, size_t len,
                    char *out, size_t outsz);
/* Checks a presented X-Broker-Signature (sig[sig_len], hex in any case) against (ts, body) in constant time.
 * CM_OK when it matches, CM_EINVAL when sig is not "sha256=<64 hex>", CM_EPERM when it does not match,
 * CM_ENOMEM/CM_ERR when it could not be computed. The timestamp window is the receiver's policy, not checked here. */
int cm_bp_push_check(const uint8_t key[CM_BP_KEY_LEN], const char *ts, size_t ts_len, const char *sig, size_t sig_len,
                     const char *body, size_t len);

#endif
