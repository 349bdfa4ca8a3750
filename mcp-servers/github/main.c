/*
 * mcp-github - the GitHub REST API (provider github) as an MCP service: server setup. The tool table is in tools.c,
 * REST helpers and error texts in api.c. Env GITHUB_API_BASE overrides the API base (tests).
 */
#include "mcp/server.h"
#include "tools.h"

int main(void)
{
    return mcp_server_main("github", "1.0.0", gh_register_tools);
}
