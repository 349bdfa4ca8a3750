/* fixture.h - shared between the conformance fixture's files. */
#ifndef MCP_CONFORMANCE_FIXTURE_H
#define MCP_CONFORMANCE_FIXTURE_H

#include "mcp/server.h"

/* 1x1 red PNG, base64 */
extern const char fixture_png_b64[];

/* Registers the prompts, resources, resource templates and completions the suite's scenarios name. */
int fixture_register_features(mcp_server_t *s);
/* Registers the tools of the suite's tasks-* scenarios (tasks.c). */
int fixture_register_tasks(mcp_server_t *s);
/* Registers the tools that drive the server-initiated streams (streams.c): session notifications, list_changed,
 * resources/updated. */
int fixture_register_streams(mcp_server_t *s);
/* Registers the tools and the prompt that ask the client for input (input_tools.c). */
int fixture_register_input(mcp_server_t *s);

#endif
