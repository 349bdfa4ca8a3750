/*
 * mcp-gmail - the Gmail MCP service (provider google, Gmail REST API v1; GMAIL_API_BASE overrides the API base
 * for tests). Configuration from the environment (docs/mcp-broker-protocol.md); the request body limit defaults to
 * what the largest send_email_with_attachments needs (GM_MAX_REQUEST_BODY).
 */
#include "gmail.h"

int main(void)
{
    mcp_server_options_t o;
    mcp_server_options_defaults(&o, "gmail", "1.0.0");
    o.max_body = GM_MAX_REQUEST_BODY; /* send_email_with_attachments: 10 MiB of attachments as base64 (MCP_MAX_BODY
                                         still overrides) */
    return mcp_server_main_with(&o, gm_register_tools);
}
