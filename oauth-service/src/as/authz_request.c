/*
 * authz_request.c - parameter checks and the error redirect of an authorization request (authz_request.h).
 */
#include "as/authz_request.h"

#include "common/crypto.h"
#include "common/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define B64URL "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

const char *ob_as_check_code_pkce(const char *response_type, const char *challenge, const char *method,
                                  const char **desc)
{
    if (response_type == NULL || strcmp(response_type, "code") != 0) {
        *desc = "Only response_type=code is supported.";
        return "unsupported_response_type";
    }
    if (challenge == NULL) {
        *desc = "PKCE is required: send code_challenge with code_challenge_method=S256.";
        return "invalid_request";
    }
    if (method == NULL || strcmp(method, "S256") != 0) {
        *desc = "Only code_challenge_method=S256 is supported.";
        return "invalid_request";
    }
    if (strlen(challenge) != 43 || strspn(challenge, B64URL) != 43) {
        *desc = "code_challenge must be the base64url SHA-256 of the verifier (43 characters).";
        return "invalid_request";
    }
    *desc = NULL;
    return NULL;
}

int ob_as_scope_normalize(const char *scope, char out[32])
{
    int read = 0, write = 0;
    const char *p = scope ? scope : "";
    while (*p) {
        size_t n = strcspn(p, " ");
        if (n == 8 && strncmp(p, "mcp:read", 8) == 0)
            read = 1;
        else if (n == 9 && strncmp(p, "mcp:write", 9) == 0)
            write = 1;
        else if (n > 0)
            return 0;
        p += n;
        while (*p == ' ')
            p++;
    }
    if (!read && !write)
        read = write = 1;
    snprintf(out, 32, "%s%s%s", read ? "mcp:read" : "", read && write ? " " : "", write ? "mcp:write" : "");
    return 1;
}

char *ob_as_redirect_with(const char *uri, const char *const *params)
{
    cm_buf_t q = {0};
    for (size_t i = 0; params[i] != NULL; i += 2)
        cm_form_add(&q, params[i], params[i + 1]);
    char *query = cm_buf_take(&q);
    if (query == NULL)
        return NULL;
    cm_buf_t b = {0};
    cm_buf_appendz(&b, uri);
    if (query[0] != '\0') {
        cm_buf_appendz(&b, strchr(uri, '?') ? "&" : "?");
        cm_buf_appendz(&b, query);
    }
    cm_secure_free(query, 0); /* may hold a code */
    return cm_buf_take(&b);
}

int ob_as_uri_origin(const char *uri, char *out, size_t outsz)
{
    const char *colon = strchr(uri, ':');
    if (colon == NULL)
        return 0;
    size_t n = (size_t)(colon - uri) + 1;
    if (strncmp(colon + 1, "//", 2) == 0)
        n += 2 + strcspn(colon + 3, "/?#");
    if (n + 1 > outsz)
        return 0;
    memcpy(out, uri, n);
    out[n] = '\0';
    return strspn(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.+-:/[]") == n;
}
