/*
 * usage.h (private) - per-instance usage counters (count, last_used_at), flushed to the broker in batches
 * (broker_api.h section 3): no database write per request. A failed flush keeps the counts for the next.
 */
#ifndef MCP_USAGE_H
#define MCP_USAGE_H

#include <jansson.h>
#include <stdint.h>

typedef struct mcp_usage mcp_usage_t;
typedef struct mcp_broker mcp_broker_t;

/* broker borrowed (NULL: counts are kept and reported in /health only). Caller owns. */
mcp_usage_t *mcp_usage_new(mcp_broker_t *broker, const char *service);
void mcp_usage_free(mcp_usage_t *u);
void mcp_usage_count(mcp_usage_t *u, const char *instance_id, int64_t now_s);
/* The pending batch as the broker's body ({"service","usage":[...]}) - new reference, NULL when empty. Test aid. */
json_t *mcp_usage_batch(const mcp_usage_t *u);
/* Starts a flush when there is something to send and none is in flight. */
void mcp_usage_flush(mcp_usage_t *u);
/* 1 while a flush is in flight (shutdown waits for it). */
int mcp_usage_busy(const mcp_usage_t *u);
uint64_t mcp_usage_total(const mcp_usage_t *u);
uint64_t mcp_usage_flushed(const mcp_usage_t *u);

#endif
