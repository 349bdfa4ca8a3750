/*
 * token_shape.c - scopes, access token claims and the token response (tokens.h): pure.
 */
#include "as/tokens.h"

#include <string.h>

static const char *const supported[] = {"mcp:read", "mcp:write", NULL};

/* Calls fn on each space-separated word of s; stops at the first non-zero return (which it returns). */
static int each_word(const char *s, int (*fn)(void *, const char *, size_t), void *arg)
{
    while (*s != '\0') {
        size_t n = strcspn(s, " ");
        if (n > 0) {
            int rc = fn(arg, s, n);
            if (rc != 0)
                return rc;
        }
        s += n;
        s += strspn(s, " ");
    }
    return 0;
}

static int word_in(const char *list, const char *w, size_t n)
{
    const char *p = list;
    while (*p != '\0') {
        size_t m = strcspn(p, " ");
        if (m == n && strncmp(p, w, n) == 0)
            return 1;
        p += m;
        p += strspn(p, " ");
    }
    return 0;
}

typedef struct valid_state {
    unsigned seen;
    int count;
} valid_state_t;

static int check_supported(void *arg, const char *w, size_t n)
{
    valid_state_t *st = arg;
    for (unsigned i = 0; supported[i] != NULL; i++) {
        if (strlen(supported[i]) == n && strncmp(supported[i], w, n) == 0) {
            if (st->seen & (1u << i))
                return 1;
            st->seen |= 1u << i;
            st->count++;
            return 0;
        }
    }
    return 1;
}

int ob_as_scope_valid(const char *scope)
{
    valid_state_t st = {0, 0};
    if (scope == NULL || strlen(scope) > 256)
        return 0;
    return each_word(scope, check_supported, &st) == 0 && st.count > 0;
}

static int check_in(void *arg, const char *w, size_t n)
{
    return word_in(arg, w, n) ? 0 : 1;
}

int ob_as_scope_subset(const char *requested, const char *granted)
{
    if (requested == NULL || granted == NULL || requested[strspn(requested, " ")] == '\0')
        return 0;
    return each_word(requested, check_in, (void *)granted) == 0;
}

json_t *ob_as_access_claims(const ob_as_access_t *a, const char *jti)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s}", "iss", a->issuer, "aud", a->resource,
                     "sub", a->instance_id, "client_id", a->client_id, "scope", a->scope, "jti", jti, "iat",
                     (json_int_t)a->iat, "nbf", (json_int_t)a->iat, "exp", (json_int_t)(a->iat + a->ttl_s), "gid",
                     a->grant_id, "service", a->service);
}

json_t *ob_as_token_response(const char *access_token, int expires_in, const char *scope, const char *refresh_token)
{
    json_t *o = json_pack("{s:s, s:s, s:i, s:s}", "access_token", access_token, "token_type", "Bearer", "expires_in",
                          expires_in, "scope", scope);
    if (o != NULL && refresh_token != NULL)
        json_object_set_new(o, "refresh_token", json_string(refresh_token));
    return o;
}
