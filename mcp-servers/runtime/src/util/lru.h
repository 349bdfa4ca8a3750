/*
 * lru.h - a string-keyed hash map with least-recently-used ordering and an optional capacity.
 *
 * Used by the session table, the token cache, the instance-auth cache and the usage counters.
 * Lookups are O(1); the oldest entry is always at hand, so idle-expiry sweeps cost O(expired).
 * Not thread-safe: every instance belongs to one loop thread.
 */
#ifndef MCP_LRU_H
#define MCP_LRU_H

#include <stddef.h>

typedef struct mcp_lru mcp_lru_t;
/* Frees a value when the map drops it (eviction, replacement, removal, mcp_lru_free). */
typedef void (*mcp_lru_free_fn)(void *value);

/* Told about an entry evicted for capacity (key and value borrowed; the value is freed right after). */
typedef void (*mcp_lru_evict_fn)(void *arg, const char *key, void *value);

/* capacity 0 = unbounded. free_value may be NULL. Returns NULL on allocation failure; caller owns the map. */
mcp_lru_t *mcp_lru_new(size_t capacity, mcp_lru_free_fn free_value);
/* Calls fn (NULL = nobody) for every later eviction for capacity, before the value is freed; fn must not modify the
 * map. arg borrowed. */
void mcp_lru_on_evict(mcp_lru_t *m, mcp_lru_evict_fn fn, void *arg);
/* Frees every value (free_value) and the map. NULL is fine. */
void mcp_lru_free(mcp_lru_t *m);

/* The value for key, marked most recently used; NULL when absent. Borrowed: the map owns it. */
void *mcp_lru_get(mcp_lru_t *m, const char *key);
/* Same without changing the order. */
void *mcp_lru_peek(const mcp_lru_t *m, const char *key);
/* Marks key as most recently used (no-op when absent). */
void mcp_lru_touch(mcp_lru_t *m, const char *key);
/*
 * Inserts or replaces (the old value is freed) and marks it most recently used; when the map is
 * over capacity the least recently used other entry is evicted (freed). key is copied; the map
 * takes ownership of value. Returns CM_OK or CM_ENOMEM (value not taken: the caller still owns it).
 */
int mcp_lru_put(mcp_lru_t *m, const char *key, void *value);
/* Removes key and frees its value. Returns CM_OK or CM_ENOTFOUND. */
int mcp_lru_remove(mcp_lru_t *m, const char *key);
/* Removes key and returns its value, now owned by the caller (NULL when absent). */
void *mcp_lru_take(mcp_lru_t *m, const char *key);
/* The least recently used value (borrowed) and its key (borrowed, valid while the entry lives); NULL when empty. */
void *mcp_lru_oldest(const mcp_lru_t *m, const char **key);
size_t mcp_lru_size(const mcp_lru_t *m);
size_t mcp_lru_capacity(const mcp_lru_t *m);

/* Calls fn for every entry, most recent first; fn must not modify the map. Stops when fn returns non-zero. */
typedef int (*mcp_lru_visit_fn)(void *arg, const char *key, void *value);
void mcp_lru_foreach(const mcp_lru_t *m, mcp_lru_visit_fn fn, void *arg);

#endif
