/*
 * verified.c - the cache of verified access tokens (see verified.h).
 */
#include "tokens/verified.h"
#include "common/status.h"
#include "util/lru.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

struct mcp_verified {
    mcp_lru_t *map; /* "<signature part> <resource>" -> struct entry */
    int leeway_s;
};

/* The whole token is kept and compared: the signature alone names the entry, but a token with a valid signature and
 * another header or payload must not find it. */
struct entry {
    mcp_jwt_claims_t claims;
    size_t len;
    char token[]; /* not NUL-terminated */
};

mcp_verified_t *mcp_verified_new(size_t capacity, int leeway_s)
{
    mcp_verified_t *v = calloc(1, sizeof(*v));
    if (v == NULL)
        return NULL;
    v->leeway_s = leeway_s;
    v->map = mcp_lru_new(capacity > 0 ? capacity : MCP_VERIFIED_CAPACITY_DEFAULT, free);
    if (v->map == NULL) {
        free(v);
        return NULL;
    }
    return v;
}

void mcp_verified_free(mcp_verified_t *v)
{
    if (v == NULL)
        return;
    mcp_lru_free(v->map);
    free(v);
}

/* The map key: the token's signature part (after its last '.') and the resource. -1 when it does not fit. */
static int map_key(const char *token, size_t len, const char *resource, char *out, size_t outsz)
{
    size_t i = len;
    while (i > 0 && token[i - 1] != '.')
        i--;
    size_t sl = len - i, rl = strlen(resource);
    if (i == 0 || sl + 1 + rl + 1 > outsz)
        return -1;
    memcpy(out, token + i, sl);
    out[sl] = ' ';
    memcpy(out + sl + 1, resource, rl + 1);
    return 0;
}

int mcp_verified_get(mcp_verified_t *v, const char *token, size_t len, const char *resource, int64_t now,
                     mcp_jwt_claims_t *out)
{
    char key[1024];
    if (map_key(token, len, resource, key, sizeof(key)) != 0)
        return 0;
    struct entry *e = mcp_lru_get(v->map, key);
    if (e == NULL || e->len != len || CRYPTO_memcmp(e->token, token, len) != 0)
        return 0;
    if (now > e->claims.exp + v->leeway_s || now + v->leeway_s < e->claims.not_before) {
        mcp_lru_remove(v->map, key);
        return 0;
    }
    *out = e->claims;
    return 1;
}

void mcp_verified_put(mcp_verified_t *v, const char *token, size_t len, const char *resource,
                      const mcp_jwt_claims_t *claims)
{
    char key[1024];
    if (map_key(token, len, resource, key, sizeof(key)) != 0)
        return;
    struct entry *e = malloc(sizeof(*e) + len);
    if (e == NULL)
        return;
    e->claims = *claims;
    e->len = len;
    memcpy(e->token, token, len);
    if (mcp_lru_put(v->map, key, e) != CM_OK)
        free(e); /* not cached: the next request verifies again */
}

size_t mcp_verified_count(const mcp_verified_t *v)
{
    return v ? mcp_lru_size(v->map) : 0;
}
