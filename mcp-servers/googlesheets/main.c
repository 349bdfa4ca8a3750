/*
 * mcp-googlesheets - the Google Sheets MCP service (provider google, Sheets API v4; GOOGLESHEETS_API_BASE overrides
 * the API base for tests). Configuration from the environment (docs/mcp-broker-protocol.md); the request body limit
 * is raised to what the largest write_range needs (GS_MAX_REQUEST_BODY).
 */
#include "googlesheets.h"

int main(void)
{
    mcp_server_options_t o;
    mcp_server_options_defaults(&o, "googlesheets", "1.0.0");
    o.max_body =
        GS_MAX_REQUEST_BODY; /* write_range / append_rows up to Google's 10 MiB (MCP_MAX_BODY still overrides) */
    return mcp_server_main_with(&o, gs_register_tools);
}
