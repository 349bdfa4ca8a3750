/*
 * mcp-notion - Notion (provider notion, Notion API with Notion-Version 2022-06-28) as an MCP service: server setup.
 * Configuration comes from the environment (MCP_PORT, BROKER_URL, MCP_SERVICE_SECRET_FILE, ...:
 * docs/mcp-broker-protocol.md); scripts/run.sh sets it from config/services.json. The request body limit is what the
 * largest content of create_page / append_blocks needs (NT_MAX_REQUEST_BODY; MCP_MAX_BODY still overrides it).
 */
#include "mcp/server.h"
#include "notion.h"

int main(void)
{
    mcp_server_options_t o;
    mcp_server_options_defaults(&o, "notion", "1.0.0");
    o.max_body = NT_MAX_REQUEST_BODY;
    return mcp_server_main_with(&o, notion_register_tools);
}
