/*
 * versions.c - the versions of evicted instances (see tokens/versions.h): an LRU of id -> version, the version kept
 * in the value pointer itself (no allocation beside the map's node).
 */
#include "tokens/versions.h"
#include "util/lru.h"

#include <stdint.h>
#include <stdlib.h>

struct mcp_versions {
    mcp_lru_t *map; /* instance -> (void *)(uintptr_t)(version + 1) */
    int forgot;
};

static void on_dropped(void *arg, const char *key, void *value)
{
    (void)key;
    (void)value;
    ((mcp_versions_t *)arg)->forgot = 1;
}

mcp_versions_t *mcp_versions_new(size_t capacity)
{
    mcp_versions_t *v = calloc(1, sizeof(*v));
    if (v == NULL)
        return NULL;
    v->map = mcp_lru_new(capacity > 0 ? capacity : MCP_VERSIONS_CAPACITY_DEFAULT, NULL);
    if (v->map == NULL) {
        free(v);
        return NULL;
    }
    mcp_lru_on_evict(v->map, on_dropped, v);
    return v;
}

void mcp_versions_free(mcp_versions_t *v)
{
    if (v == NULL)
        return;
    mcp_lru_free(v->map);
    free(v);
}

void mcp_versions_note(mcp_versions_t *v, const char *instance, int64_t version)
{
    if (v == NULL || instance == NULL || version < 0 || version >= INT64_MAX)
        return;
    if (mcp_versions_get(v, instance) >= version)
        return;
    (void)mcp_lru_put(v->map, instance, (void *)(uintptr_t)(version + 1)); /* out of memory: the id is forgotten */
}

int64_t mcp_versions_get(const mcp_versions_t *v, const char *instance)
{
    void *p = v != NULL && instance != NULL ? mcp_lru_peek(v->map, instance) : NULL;
    return p != NULL ? (int64_t)(uintptr_t)p - 1 : -1;
}

int mcp_versions_forgot(const mcp_versions_t *v)
{
    return v != NULL && v->forgot;
}

size_t mcp_versions_size(const mcp_versions_t *v)
{
    return v != NULL ? mcp_lru_size(v->map) : 0;
}

int mcp_versions_stale(const mcp_versions_t *v, const char *instance, int64_t cached, int64_t version)
{
    if (version < 0)
        return 0;
    int64_t known = mcp_versions_get(v, instance);
    if (cached > known)
        known = cached;
    if (known < 0)
        return mcp_versions_forgot(v); /* never seen, or seen and forgotten: only the broker can tell */
    return version < known;
}
