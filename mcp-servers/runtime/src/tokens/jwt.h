/*
 * jwt.h (private) - the access tokens the broker issues (RFC 9068 JWTs, docs/mcp-authorization.md), verified
 * locally: header typ at+jwt, alg ES256 only, the signature against the broker's key, iss, aud = the resource
 * URL the request came to, exp / nbf / iat with a leeway, sub an instance id (equal to the instance of an instance
 * URL), gid the grant the broker is asked about. Pure functions, no I/O.
 */
#ifndef MCP_JWT_H
#define MCP_JWT_H

#include "common/jose.h"

#include <stddef.h>
#include <stdint.h>

#define MCP_JWT_LEEWAY_S_DEFAULT 60
#define MCP_SCOPE_READ 1u
#define MCP_SCOPE_WRITE 2u
#define MCP_SCOPES_SUPPORTED "mcp:read mcp:write"

/* 1 when a Bearer value has the shape of a compact JWS: three base64url parts, the first two non-empty (an empty
 * signature still takes the token path, to be refused there). Instance keys never contain a '.'. */
int mcp_jwt_shaped(const char *s, size_t len);

typedef struct mcp_jwt_expect {
    const char *iss;      /* the broker's issuer */
    const char *aud;      /* the resource URL of this request */
    const char *instance; /* the instance of an instance URL; NULL at the service URL (then sub names it) */
    int64_t now;          /* unix s */
    int leeway_s;         /* clock skew allowed on exp, nbf and iat */
} mcp_jwt_expect_t;

typedef struct mcp_jwt_claims {
    char sub[65];    /* the instance */
    char gid[65];    /* the grant */
    unsigned scopes; /* MCP_SCOPE_* */
    int64_t exp;
    int64_t not_before; /* the later of nbf and iat (unix s) */
} mcp_jwt_claims_t;

/* Verifies a parsed token with key k (header checks, signature, claims). Returns CM_JWT_OK with *out filled, or the
 * first failure (CM_JWT_MALFORMED also for a missing or malformed sub / gid / iat). */
cm_jwt_fail_t mcp_jwt_verify(const cm_jws_parsed_t *p, const cm_jwk_t *k, const mcp_jwt_expect_t *e,
                             mcp_jwt_claims_t *out);
/* The header checks that need no key (typ, alg): CM_JWT_OK or the failure; run before the key lookup. */
cm_jwt_fail_t mcp_jwt_check_header(const cm_jws_parsed_t *p);
/* MCP_SCOPE_* of a space-separated scope string; NULL = none. */
unsigned mcp_jwt_scopes(const char *scope);

#endif
