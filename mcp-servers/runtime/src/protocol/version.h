/*
 * version.h - the protocol revisions this runtime speaks, grouped in two eras, and the _meta keys of the modern era.
 *
 * Legacy era (2024-11-05 .. 2025-11-25): a session negotiated by initialize. Modern era (2026-07-28): stateless,
 * every request names its revision in params._meta.
 */
#ifndef MCP_PROTOCOL_VERSION_H
#define MCP_PROTOCOL_VERSION_H

#include <jansson.h>

#define MCP_MODERN_VERSION "2026-07-28"
#define MCP_LATEST_LEGACY_VERSION "2025-11-25"
#define MCP_META_PROTOCOL_VERSION "io.modelcontextprotocol/protocolVersion"
#define MCP_META_CLIENT_CAPS "io.modelcontextprotocol/clientCapabilities"
#define MCP_META_CLIENT_INFO "io.modelcontextprotocol/clientInfo"
#define MCP_META_LOG_LEVEL "io.modelcontextprotocol/logLevel"
#define MCP_META_SERVER_INFO "io.modelcontextprotocol/serverInfo"

typedef enum mcp_era { MCP_ERA_LEGACY = 0, MCP_ERA_MODERN = 1 } mcp_era_t;

/* 1 when v is a legacy version this server speaks. */
int mcp_protocol_legacy_supported(const char *v);
/* 1 when v is a modern (stateless) version this server speaks. */
int mcp_protocol_modern_supported(const char *v);
/* New array of the supported versions of an era (caller decrefs). */
json_t *mcp_protocol_versions(mcp_era_t era);

#endif
