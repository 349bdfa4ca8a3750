/*
 * mcp-notion - Notion (provider notion) as an MCP service: server setup. Configuration comes from the
 * environment (MCP_PORT, BROKER_URL, MCP_SERVICE_SECRET_FILE, ...: docs/mcp-broker-protocol.md); scripts/run.sh sets
 * it from config/services.json.
 */
#include "mcp/server.h"
#include "notion.h"

int main(void)
{
    return mcp_server_main("notion", "0.1.0", notion_register_tools);
}
