/*
 * mcp-googledrive - the Google Drive MCP service (provider google, Drive API v3; GOOGLEDRIVE_API_BASE overrides the
 * API base for tests). Configuration from the environment (docs/mcp-broker-protocol.md); the request body limit
 * defaults to what the largest upload_file needs (GD_MAX_REQUEST_BODY).
 */
#include "googledrive.h"

int main(void)
{
    mcp_server_options_t o;
    mcp_server_options_defaults(&o, "googledrive", "1.0.0");
    o.max_body = GD_MAX_REQUEST_BODY; /* upload_file: 16 MiB as base64 (MCP_MAX_BODY still overrides) */
    return mcp_server_main_with(&o, gd_register_tools);
}
