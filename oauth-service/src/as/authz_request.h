/*
 * authz_request.h - the checks of an authorization request (GET /as/authorize) that need nothing but its parameters,
 * and the error redirect (docs/mcp-authorization.md, "Authorization request"). Pure functions.
 */
#ifndef OB_AS_AUTHZ_REQUEST_H
#define OB_AS_AUTHZ_REQUEST_H

#include <stddef.h>

/* The scopes the AS grants; a request without scope gets both. */
#define OB_AS_SCOPES_ALL "mcp:read mcp:write"

/* response_type and PKCE (S256 only, the challenge 43 base64url characters). NULL when fine, else the OAuth error
 * code ("unsupported_response_type", "invalid_request") with *desc a static sentence. */
const char *ob_as_check_code_pkce(const char *response_type, const char *challenge, const char *method,
                                  const char **desc);

/* The canonical scope of a request ("mcp:read", "mcp:write" or both, in that order; absent or empty = both) into
 * out. 1 when every requested scope is supported, else 0. */
int ob_as_scope_normalize(const char *scope, char out[32]);

/*
 * redirect_uri with the query parameters (NULL-terminated name, value pairs; a NULL value skips the pair) appended,
 * '&' after an existing query, values form-encoded. Works for private-use schemes too. malloc'ed (caller frees).
 */
char *ob_as_redirect_with(const char *redirect_uri, const char *const *params);

/* The origin of an absolute URI ("scheme://authority"; for a URI without authority, "scheme:") into out, for a
 * Content-Security-Policy source. 1 when it fits and holds only [A-Za-z0-9.+-:[]], else 0. */
int ob_as_uri_origin(const char *uri, char *out, size_t outsz);

#endif
