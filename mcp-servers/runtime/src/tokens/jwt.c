/*
 * jwt.c - local verification of the broker's access tokens (see jwt.h).
 */
#include "tokens/jwt.h"
#include "common/status.h"

#include <string.h>
#include <strings.h>

static int b64url_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

int mcp_jwt_shaped(const char *s, size_t len)
{
    size_t dots = 0, part = 0;
    if (s == NULL)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (part == 0 && dots < 2)
                return 0;
            dots++;
            part = 0;
        } else if (b64url_char(s[i])) {
            part++;
        } else {
            return 0;
        }
    }
    return dots == 2;
}

unsigned mcp_jwt_scopes(const char *scope)
{
    unsigned out = 0;
    const char *p = scope;
    while (p != NULL && *p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n == 8 && strncmp(p, "mcp:read", 8) == 0)
            out |= MCP_SCOPE_READ;
        else if (n == 9 && strncmp(p, "mcp:write", 9) == 0)
            out |= MCP_SCOPE_WRITE;
        p += n;
    }
    return out;
}

cm_jwt_fail_t mcp_jwt_check_header(const cm_jws_parsed_t *p)
{
    /* RFC 9068 2.1 / 4: typ "at+jwt" (the "application/" prefix allowed); it keeps an ID token or any other JWT the
       broker signs from being replayed as an access token */
    const char *typ = p->typ;
    if (typ != NULL && strncasecmp(typ, "application/", 12) == 0)
        typ += 12;
    if (typ == NULL || strcasecmp(typ, "at+jwt") != 0)
        return CM_JWT_BAD_TYP;
    if (p->alg == NULL || cm_jose_alg_parse(p->alg) != CM_JOSE_ES256)
        return CM_JWT_BAD_ALG;
    return CM_JWT_OK;
}

/* Copies a claim that must be a string of [A-Za-z0-9_-] (1..64): instance and grant ids. */
static int id_claim(const json_t *payload, const char *name, char out[65])
{
    const char *v = json_string_value(json_object_get(payload, name));
    size_t n = v ? strlen(v) : 0;
    if (n == 0 || n > 64)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!b64url_char(v[i]))
            return -1;
    memcpy(out, v, n + 1);
    return 0;
}

cm_jwt_fail_t mcp_jwt_verify(const cm_jws_parsed_t *p, const cm_jwk_t *k, const mcp_jwt_expect_t *e,
                             mcp_jwt_claims_t *out)
{
    memset(out, 0, sizeof(*out));
    cm_jwt_fail_t f = mcp_jwt_check_header(p);
    if (f != CM_JWT_OK)
        return f;
    if (cm_jws_verify(p, k, CM_JOSE_ES256) != CM_OK)
        return CM_JWT_BAD_SIGNATURE;
    if (p->payload == NULL || !json_is_integer(json_object_get(p->payload, "iat")))
        return CM_JWT_MALFORMED;
    cm_jwt_expect_t ce = {.iss = e->iss, .aud = e->aud, .now = e->now, .leeway_s = MCP_JWT_LEEWAY_S, .require_exp = 1};
    if ((f = cm_jwt_check_claims(p, &ce)) != CM_JWT_OK)
        return f;
    /* cm_jwt_check_claims checks iat only against max_age: a token issued in the future is not yet valid */
    if (json_integer_value(json_object_get(p->payload, "iat")) > e->now + MCP_JWT_LEEWAY_S)
        return CM_JWT_NOT_YET_VALID;
    if (id_claim(p->payload, "sub", out->sub) != 0 || id_claim(p->payload, "gid", out->gid) != 0)
        return CM_JWT_MALFORMED;
    if (e->instance != NULL && strcmp(e->instance, out->sub) != 0)
        return CM_JWT_BAD_AUD; /* a token for another instance's URL would have failed aud already */
    out->scopes = mcp_jwt_scopes(json_string_value(json_object_get(p->payload, "scope")));
    out->exp = json_integer_value(json_object_get(p->payload, "exp"));
    return CM_JWT_OK;
}
