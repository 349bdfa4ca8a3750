/*
 * mcp-googlecalendar - Google Calendar (provider google, Calendar API v3) as an MCP service: server setup.
 * Configuration comes from the environment (MCP_PORT, BROKER_URL, MCP_SERVICE_SECRET_FILE, ...:
 * docs/mcp-broker-protocol.md); scripts/run.sh sets it from config/services.json. GOOGLECALENDAR_API_BASE points it
 * at another API base (the fake of the tests).
 */
#include "mcp/server.h"
#include "googlecalendar.h"

int main(void)
{
    return mcp_server_main("googlecalendar", "1.0.0", gc_register_tools);
}
