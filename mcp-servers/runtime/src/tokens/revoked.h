/*
 * revoked.h (private) - the grants the broker said are revoked (pushes), refused without asking it. Bounded: an
 * entry lives keep_s (longer than any access token the broker issues, so every token of the grant has expired by
 * then) and the set holds at most capacity entries, the oldest dropped first; a dropped one is still refused by the
 * broker when asked, the set only makes the refusal immediate. Loop-thread only.
 */
#ifndef MCP_REVOKED_H
#define MCP_REVOKED_H

#include <stddef.h>
#include <stdint.h>

#define MCP_REVOKED_KEEP_S_DEFAULT 86400
#define MCP_REVOKED_CAPACITY_DEFAULT 65536

typedef struct mcp_revoked mcp_revoked_t;

/* 0 = the defaults. Caller owns (mcp_revoked_free). NULL on allocation failure. */
mcp_revoked_t *mcp_revoked_new(int keep_s, size_t capacity);
void mcp_revoked_free(mcp_revoked_t *r);
/* Records (instance, grant) as revoked at now_ms. CM_OK or CM_ENOMEM. */
int mcp_revoked_add(mcp_revoked_t *r, const char *instance_id, const char *grant_id, int64_t now_ms);
/* 1 when (instance, grant) was revoked less than keep_s ago. */
int mcp_revoked_has(mcp_revoked_t *r, const char *instance_id, const char *grant_id, int64_t now_ms);
size_t mcp_revoked_count(const mcp_revoked_t *r);

#endif
