/*
 * mcp-onedrive - the user's OneDrive (/me/drive) on Microsoft Graph v1.0 (provider microsoft) as an MCP service:
 * server setup. The tool table is in tools.c, the Graph helpers in api.c. Env GRAPH_API_BASE overrides the API base
 * (tests). The request body limit fits the largest upload (OD_MAX_REQUEST_BODY).
 */
#include "onedrive.h"

int main(void)
{
    mcp_server_options_t o;
    mcp_server_options_defaults(&o, "onedrive", "1.0.0");
    o.max_body = OD_MAX_REQUEST_BODY; /* upload: OD_MAX_UPLOAD bytes as base64 (MCP_MAX_BODY still overrides) */
    return mcp_server_main_with(&o, onedrive_register_tools);
}
