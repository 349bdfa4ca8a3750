/*
 * sign.h - the signature of a broker -> MCP server push (docs/mcp-broker-protocol.md, 4):
 *   X-Broker-Timestamp: <unix seconds>
 *   X-Broker-Signature: sha256=<lowercase hex HMAC-SHA256(push key, timestamp + "." + raw body)>
 * The push key is HKDF(service secret, "mcp-push-v1") (keys/keys.h, ob_keys_push_key).
 */
#ifndef OB_PUSH_SIGN_H
#define OB_PUSH_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define OB_PUSH_SIG_LEN (7 + 64 + 1) /* "sha256=" + hex + NUL */

/* Writes the X-Broker-Signature value for (ts, body) into out (outsz >= OB_PUSH_SIG_LEN). CM_OK, CM_EINVAL
 * or CM_ERR. */
int ob_push_sign(const uint8_t key[32], int64_t ts, const char *body, size_t len, char *out, size_t outsz);
/* 1 when sig is the valid signature of (ts, body) under key (constant-time compare), else 0. For tests and
 * fakes; the MCP runtime has its own verifier. */
int ob_push_verify(const uint8_t key[32], int64_t ts, const char *body, size_t len, const char *sig);

#endif
