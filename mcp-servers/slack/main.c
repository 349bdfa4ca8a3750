/*
 * mcp-slack - the Slack Web API (provider slack) as an MCP service: server setup. Configuration comes from the
 * environment (MCP_PORT, BROKER_URL, MCP_SERVICE_SECRET_FILE, ...: docs/mcp-broker-protocol.md; SLACK_API_BASE
 * points it at another API base); the request body limit fits upload_file's largest file as base64
 * (SLACK_MAX_REQUEST_BODY; MCP_MAX_BODY still overrides).
 */
#include "slack.h"

int main(void)
{
    mcp_server_options_t o;
    mcp_server_options_defaults(&o, "slack", "1.0.0");
    o.max_body = SLACK_MAX_REQUEST_BODY;
    return mcp_server_main_with(&o, slack_register_tools);
}
