/*
 * jwt.c - local verification of the broker's access tokens (see jwt.h).
 */
#include "tokens/jwt.h"
#include "common/status.h"

#include <string.h>
#include <strings.h>

/* 1 for the characters of base64url (RFC 4648 section 5) without padding. A table: every request's Bearer value is
 * scanned with it. */
static const unsigned char B64URL[256] = {
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1,
    ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
    ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1,
    ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
    ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['-'] = 1, ['_'] = 1};

static int b64url_char(char c)
{
    return B64URL[(unsigned char)c];
}

/* Length of the base64url run at s (at most n). */
static size_t b64url_run(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && B64URL[(unsigned char)s[i]])
        i++;
    return i;
}

int mcp_jwt_shaped(const char *s, size_t len)
{
    if (s == NULL)
        return 0;
    size_t a = b64url_run(s, len); /* header */
    if (a == 0 || a >= len || s[a] != '.')
        return 0;
    size_t b = b64url_run(s + a + 1, len - a - 1); /* payload */
    if (b == 0 || a + 1 + b >= len || s[a + 1 + b] != '.')
        return 0;
    size_t rest = len - a - b - 2; /* signature: may be empty */
    return b64url_run(s + a + b + 2, rest) == rest;
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
    cm_jwt_expect_t ce = {.iss = e->iss, .aud = e->aud, .now = e->now, .leeway_s = e->leeway_s, .require_exp = 1};
    if ((f = cm_jwt_check_claims(p, &ce)) != CM_JWT_OK)
        return f;
    /* cm_jwt_check_claims checks iat only against max_age: a token issued in the future is not yet valid */
    if (json_integer_value(json_object_get(p->payload, "iat")) > e->now + e->leeway_s)
        return CM_JWT_NOT_YET_VALID;
    if (id_claim(p->payload, "sub", out->sub) != 0 || id_claim(p->payload, "gid", out->gid) != 0)
        return CM_JWT_MALFORMED;
    if (e->instance != NULL && strcmp(e->instance, out->sub) != 0)
        return CM_JWT_BAD_AUD; /* a token for another instance's URL would have failed aud already */
    out->scopes = mcp_jwt_scopes(json_string_value(json_object_get(p->payload, "scope")));
    out->exp = json_integer_value(json_object_get(p->payload, "exp"));
    out->not_before = json_integer_value(json_object_get(p->payload, "iat"));
    json_t *nbf = json_object_get(p->payload, "nbf");
    if (json_is_integer(nbf) && json_integer_value(nbf) > out->not_before)
        out->not_before = json_integer_value(nbf);
    return CM_JWT_OK;
}
