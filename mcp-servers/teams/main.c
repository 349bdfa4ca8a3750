/*
 * mcp-teams - Microsoft Teams (joined teams, channels, channel and chat messages) on Microsoft Graph v1.0 (provider
 * microsoft) as an MCP service: server setup. The tool table is in tools.c, the Graph helpers in api.c. Env
 * GRAPH_API_BASE overrides the API base (tests).
 */
#include "teams.h"

int main(void)
{
    return mcp_server_main("teams", "1.0.0", teams_register_tools);
}
