/* input_options.h (private to server/) - the environment settings of input requests (mcp/input.h), and the integer
 * parser of every numeric setting. */
#ifndef MCP_SERVER_INPUT_OPTIONS_H
#define MCP_SERVER_INPUT_OPTIONS_H

#include "mcp/server.h"

#include <stddef.h>

/* 1 and *out when the variable name is set to an integer in [min, max]; 0 when unset; -1 with the name and range in
 * err otherwise. */
int mcp__env_long(const char *name, long min, long max, long *out, char *err, size_t errsz);
/* MCP_INPUT_TIMEOUT_S, MCP_INPUT_MAX_PENDING, MCP_INPUT_MAX_STATE, MCP_CONFIRM_DESTRUCTIVE into o. CM_OK or CM_EINVAL
 * with the variable and its range in err. */
int mcp__input_options_from_env(mcp_server_options_t *o, char *err, size_t errsz);

#endif
