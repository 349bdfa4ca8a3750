/*
 * mcp-dropbox - the user's Dropbox (API v2, provider dropbox) as an MCP service: server setup. The tool table is in
 * tools.c, the Dropbox call wrapper in api.c. Env DROPBOX_API_BASE / DROPBOX_CONTENT_BASE override the API bases
 * (tests). The request body limit fits the largest upload (DBX_MAX_REQUEST_BODY).
 */
#include "dropbox.h"

int main(void)
{
    mcp_server_options_t o;
    mcp_server_options_defaults(&o, "dropbox", "1.0.0");
    o.max_body = DBX_MAX_REQUEST_BODY; /* upload: DBX_MAX_UPLOAD bytes as base64 (MCP_MAX_BODY still overrides) */
    return mcp_server_main_with(&o, dropbox_register_tools);
}
