/*
 * verified.h (private) - access tokens already verified, so that a client sending the same token on every request
 * (they all do, for up to its lifetime) costs one signature check, not one per request. An entry is keyed by the
 * token's signature and the resource URL it was verified for, holds the whole token (compared in constant time: a
 * hit needs the identical token, for the same resource), and the claims the request needs and the token's validity
 * window, checked against the clock on every hit (exp, nbf / iat with the leeway). Only successful verifications are
 * stored. The grant is still checked with the auth cache on every request, so a revocation is not delayed by this
 * cache. Bounded LRU. Loop-thread only.
 */
#ifndef MCP_VERIFIED_H
#define MCP_VERIFIED_H

#include "tokens/jwt.h"

#include <stddef.h>
#include <stdint.h>

#define MCP_VERIFIED_CAPACITY_DEFAULT 10000

typedef struct mcp_verified mcp_verified_t;

/* capacity 0 = MCP_VERIFIED_CAPACITY_DEFAULT; leeway_s: the clock skew the verification allowed (an entry is valid
 * as long as the token would verify). Caller owns (mcp_verified_free). NULL on allocation failure. */
mcp_verified_t *mcp_verified_new(size_t capacity, int leeway_s);
void mcp_verified_free(mcp_verified_t *v);
/* 1 with *out when token was verified for resource and is still valid at now (unix s); 0 otherwise (an entry out
 * of its window is dropped). */
int mcp_verified_get(mcp_verified_t *v, const char *token, size_t len, const char *resource, int64_t now,
                     mcp_jwt_claims_t *out);
/* Remembers a successful verification (claims copied). */
void mcp_verified_put(mcp_verified_t *v, const char *token, size_t len, const char *resource,
                      const mcp_jwt_claims_t *claims);
size_t mcp_verified_count(const mcp_verified_t *v);

#endif
