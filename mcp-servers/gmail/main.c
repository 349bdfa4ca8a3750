/*
 * mcp-gmail - the Gmail MCP service (provider google, Gmail REST API v1; GMAIL_API_BASE overrides the API base
 * for tests). Configuration from the environment (docs/mcp-broker-protocol.md).
 */
#include "gmail.h"

int main(void)
{
    return mcp_server_main("gmail", "1.0.0", gm_register_tools);
}
