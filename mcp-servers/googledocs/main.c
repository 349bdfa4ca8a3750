/*
 * mcp-googledocs - Google Docs (provider google, Docs API v1, exports through Drive v3) as an MCP service: server
 * setup. Configuration comes from the environment (MCP_PORT, BROKER_URL, MCP_SERVICE_SECRET_FILE, ...:
 * docs/mcp-broker-protocol.md; GOOGLEDOCS_API_BASE and GOOGLEDOCS_DRIVE_API_BASE: googledocs.h); scripts/run.sh sets
 * it from config/services.json. The request body limit defaults to what the longest text needs (GD_MAX_REQUEST_BODY).
 */
#include "googledocs.h"
#include "mcp/server.h"

int main(void)
{
    mcp_server_options_t o;
    mcp_server_options_defaults(&o, "googledocs", "1.0.0");
    o.max_body = GD_MAX_REQUEST_BODY; /* MCP_MAX_BODY still overrides */
    return mcp_server_main_with(&o, gd_register_tools);
}
