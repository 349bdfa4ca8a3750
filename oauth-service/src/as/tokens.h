/*
 * tokens.h - what the token endpoint answers (docs/mcp-authorization.md "Token endpoint", "Access tokens"): scopes,
 * the access token's claims and signature, the token response. Pure except ob_as_access_token (signing key state).
 */
#ifndef OB_AS_TOKENS_H
#define OB_AS_TOKENS_H

#include "as/as.h"

#include <jansson.h>
#include <stdint.h>

#define OB_AS_SCOPES "mcp:read mcp:write"

/* 1 when scope is a non-empty space-separated list of supported scopes (mcp:read, mcp:write), no repeats. */
int ob_as_scope_valid(const char *scope);
/* 1 when every scope of requested is in granted (both space-separated). An empty or NULL requested is not a subset. */
int ob_as_scope_subset(const char *requested, const char *granted);

/* What an access token says (RFC 9068 2.2 + gid, service). Strings borrowed. */
typedef struct ob_as_access {
    const char *issuer, *resource, *instance_id, *client_id, *scope, *grant_id, *service;
    int64_t iat;
    int ttl_s;
} ob_as_access_t;

/* The claims object of an access token; jti is the caller's random id. Caller's json_t; NULL on allocation failure. */
json_t *ob_as_access_claims(const ob_as_access_t *a, const char *jti);
/* Signs a fresh access token with the key signing at a->iat: *out malloc'ed (caller's). CM_OK, CM_ENOTFOUND (no key
 * can sign), CM_ENOMEM, CM_ERR. */
int ob_as_access_token(const ob_as_t *as, const ob_as_access_t *a, char **out);

/* The token response (RFC 6749 5.1): {access_token, token_type "Bearer", expires_in, scope, refresh_token?}. Caller's.
 */
json_t *ob_as_token_response(const char *access_token, int expires_in, const char *scope, const char *refresh_token);

/* A new opaque secret (authorization code, refresh token): 32 random bytes base64url (43 chars) into out (>= 44),
 * its lowercase hex SHA-256 into hash (>= 65). CM_OK or CM_ERR. */
int ob_as_opaque_new(char *out, size_t outsz, char *hash, size_t hashsz);

#endif
