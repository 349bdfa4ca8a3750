/*
 * versions.h - the last broker version of instances the caches no longer hold.
 *
 * The token cache and the instance-auth cache are bounded LRUs; an instance they evict would otherwise forget its
 * per-instance event version, and a late push with an older version (1 after 5) would be applied to it. Evicted
 * entries leave their version here: a bounded map of instance id -> version (~100 bytes an id, no token, no
 * status). When this map too is full its oldest ids are dropped, and from then on a versioned push for an instance
 * known nowhere cannot be ordered: it is ignored, and the next request asks the broker (the source of truth).
 * Loop-thread only.
 */
#ifndef MCP_TOKENS_VERSIONS_H
#define MCP_TOKENS_VERSIONS_H

#include <stddef.h>
#include <stdint.h>

#define MCP_VERSIONS_CAPACITY_DEFAULT 100000

typedef struct mcp_versions mcp_versions_t;

/* capacity 0 = MCP_VERSIONS_CAPACITY_DEFAULT. NULL on allocation failure. Caller owns it (mcp_versions_free). */
mcp_versions_t *mcp_versions_new(size_t capacity);
/* Frees it. Detach it from every cache it watches first (or free those first). NULL is fine. */
void mcp_versions_free(mcp_versions_t *v);
/* Remembers version for instance (the highest one wins); version < 0 is ignored. */
void mcp_versions_note(mcp_versions_t *v, const char *instance, int64_t version);
/* The remembered version, -1 = none. */
int64_t mcp_versions_get(const mcp_versions_t *v, const char *instance);
/* 1 once an id was dropped for room (see above). */
int mcp_versions_forgot(const mcp_versions_t *v);
size_t mcp_versions_size(const mcp_versions_t *v);
/*
 * The ordering decision for a pushed event of instance with version (-1 = unversioned, always applied): 1 when it
 * is older than what is known (cached, the highest version the caches hold for it, or remembered here), or when
 * nothing is known and ids were forgotten; 0 = apply it. v may be NULL (only cached counts).
 */
int mcp_versions_stale(const mcp_versions_t *v, const char *instance, int64_t cached, int64_t version);

#endif
