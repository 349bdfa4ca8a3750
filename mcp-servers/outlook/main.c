/*
 * mcp-outlook - Outlook mail on Microsoft Graph v1.0 (provider microsoft) as an MCP service: server setup. The tool
 * table is in tools.c, Graph helpers in api.c. Env GRAPH_API_BASE overrides the API base (tests).
 */
#include "mcp/server.h"
#include "tools.h"

int main(void)
{
    return mcp_server_main("outlook", "1.0.0", outlook_register_tools);
}
