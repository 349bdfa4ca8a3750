/*
 * completion.h (private) - completion/complete over the prompt and resource registries (completion
 * sources and the rules: mcp/features.h).
 */
#ifndef MCP_COMPLETION_H
#define MCP_COMPLETION_H

#include "mcp/features.h"

#include <jansson.h>

typedef struct mcp_prompts mcp_prompts_t;
typedef struct mcp_resources mcp_resources_t;

/* 1 when any prompt argument or template variable has a completion source (the capability is advertised). */
int mcp_completions_available(const mcp_prompts_t *prompts, const mcp_resources_t *resources);

/*
 * completion/complete. prompts/resources may be NULL. On success returns CM_OK and *result = new
 * {"completion":{"values":[...],"total":n,"hasMore":b}} (caller decrefs). Otherwise returns the JSON-RPC error code
 * to answer with (-32602 for bad params, unknown prompt/template/argument; -32603 when a source failed) and a
 * message in msg.
 */
int mcp_completion_complete(mcp_prompts_t *prompts, mcp_resources_t *resources, json_t *params, json_t **result,
                            char *msg, size_t msgsz);

#endif
