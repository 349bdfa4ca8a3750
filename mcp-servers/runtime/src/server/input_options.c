/*
 * input_options.c - the environment settings of input requests (mcp/input.h, docs/mcp-runtime.md): how long a call
 * waits for the client, how many server requests a session may have pending, the size of a requestState, and
 * whether destructive and sending tools ask the user first.
 */
#include "server/input_options.h"
#include "common/status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int mcp__env_long(const char *name, long min, long max, long *out, char *err, size_t errsz)
{
    const char *v = getenv(name);
    char *end = NULL;
    if (v == NULL || *v == '\0')
        return 0;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < min || n > max) {
        snprintf(err, errsz, "%s must be an integer in [%ld, %ld]", name, min, max);
        return -1;
    }
    *out = n;
    return 1;
}

int mcp__input_options_from_env(mcp_server_options_t *o, char *err, size_t errsz)
{
    long n;
    int rc;
    if ((rc = mcp__env_long("MCP_INPUT_TIMEOUT_S", 1, 86400, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->input_timeout_s = (int)n;
    if ((rc = mcp__env_long("MCP_INPUT_MAX_PENDING", 1, 1024, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->input_max_pending = (size_t)n;
    if ((rc = mcp__env_long("MCP_INPUT_MAX_STATE", 1024, 1024L * 1024, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->input_max_state = (size_t)n;
    if ((rc = mcp__env_long("MCP_CONFIRM_DESTRUCTIVE", 0, 1, &n, err, errsz)) < 0)
        return CM_EINVAL;
    if (rc)
        o->confirm_destructive = (int)n;
    return CM_OK;
}
