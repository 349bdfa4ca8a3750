/*
 * metadata.c - the RFC 8414 document (metadata.h).
 */
#include "as/metadata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *endpoint(const char *issuer, const char *path)
{
    size_t n = strlen(issuer) + strlen(path) + 1;
    char *s = malloc(n);
    if (s == NULL)
        return NULL;
    snprintf(s, n, "%s%s", issuer, path);
    json_t *v = json_string(s);
    free(s);
    return v;
}

json_t *ob_as_metadata(const char *issuer)
{
    json_t *auth_methods = json_pack("[s, s, s]", "none", "client_secret_basic", "client_secret_post");
    return json_pack(
        "{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:[s], s:[s], s:[s, s], s:[s], s:O, s:o, s:[s], s:[s, s],"
        " s:b, s:b, s:s}",
        "issuer", issuer, "authorization_endpoint", endpoint(issuer, "/as/authorize"), "token_endpoint",
        endpoint(issuer, "/as/token"), "registration_endpoint", endpoint(issuer, "/as/register"), "jwks_uri",
        endpoint(issuer, "/as/jwks.json"), "revocation_endpoint", endpoint(issuer, "/as/revoke"),
        "introspection_endpoint", endpoint(issuer, "/as/introspect"), "response_types_supported", "code",
        "response_modes_supported", "query", "grant_types_supported", "authorization_code", "refresh_token",
        "code_challenge_methods_supported", "S256", "token_endpoint_auth_methods_supported", auth_methods,
        "revocation_endpoint_auth_methods_supported", auth_methods, "introspection_endpoint_auth_methods_supported",
        "bearer", "scopes_supported", "mcp:read", "mcp:write", "client_id_metadata_document_supported", 1,
        "authorization_response_iss_parameter_supported", 1, "service_documentation",
        "https://github.com/modelcontextprotocol/modelcontextprotocol/blob/main/docs/specification/"
        "draft/basic/authorization.mdx");
}
