/*
 * revoked.c - the bounded set of revoked grants (see revoked.h).
 */
#include "tokens/revoked.h"
#include "common/status.h"
#include "util/lru.h"

#include <stdio.h>
#include <stdlib.h>

struct mcp_revoked {
    mcp_lru_t *set; /* "<instance> <grant>" -> int64_t (ms revoked) */
    int64_t keep_ms;
};

mcp_revoked_t *mcp_revoked_new(int keep_s, size_t capacity)
{
    mcp_revoked_t *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->keep_ms = (int64_t)(keep_s > 0 ? keep_s : MCP_REVOKED_KEEP_S_DEFAULT) * 1000;
    r->set = mcp_lru_new(capacity > 0 ? capacity : MCP_REVOKED_CAPACITY_DEFAULT, free);
    if (r->set == NULL) {
        free(r);
        return NULL;
    }
    return r;
}

void mcp_revoked_free(mcp_revoked_t *r)
{
    if (r == NULL)
        return;
    mcp_lru_free(r->set);
    free(r);
}

static int set_key(char *out, size_t outsz, const char *instance_id, const char *grant_id)
{
    int n = snprintf(out, outsz, "%s %s", instance_id, grant_id);
    return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/* Drops the entries older than keep: the set is in revocation order, so only its oldest end is looked at. */
static void sweep(mcp_revoked_t *r, int64_t now_ms)
{
    const char *k;
    int64_t *at;
    while ((at = mcp_lru_oldest(r->set, &k)) != NULL && now_ms - *at >= r->keep_ms)
        mcp_lru_remove(r->set, k);
}

int mcp_revoked_add(mcp_revoked_t *r, const char *instance_id, const char *grant_id, int64_t now_ms)
{
    char key[160];
    if (set_key(key, sizeof(key), instance_id, grant_id) != 0)
        return CM_EINVAL;
    sweep(r, now_ms);
    if (mcp_lru_peek(r->set, key) != NULL)
        return CM_OK; /* the first revocation counts: a repeated push must not extend it */
    int64_t *at = malloc(sizeof(*at));
    if (at == NULL)
        return CM_ENOMEM;
    *at = now_ms;
    if (mcp_lru_put(r->set, key, at) != CM_OK) {
        free(at);
        return CM_ENOMEM;
    }
    return CM_OK;
}

int mcp_revoked_has(mcp_revoked_t *r, const char *instance_id, const char *grant_id, int64_t now_ms)
{
    char key[160];
    if (set_key(key, sizeof(key), instance_id, grant_id) != 0)
        return 0;
    sweep(r, now_ms);
    return mcp_lru_peek(r->set, key) != NULL;
}

size_t mcp_revoked_count(const mcp_revoked_t *r)
{
    return r ? mcp_lru_size(r->set) : 0;
}
