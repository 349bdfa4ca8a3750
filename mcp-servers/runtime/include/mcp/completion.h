/*
 * completion.h - argument completion (completion/complete) for prompt arguments and resource template variables.
 *
 * A prompt argument (prompts.h) or a template variable (resources.h) may carry a completion source: a static,
 * NULL-terminated list of candidate values and/or a function that appends candidates. The runtime answers
 * completion/complete {ref: {type: "ref/prompt", name} | {type: "ref/resource", uri: <template>},
 * argument: {name, value}, context?: {arguments}} with the candidates that start with value (ASCII
 * case-insensitive), at most 100 of them, with total and hasMore. The completions capability is advertised only
 * when some argument or variable has a source; an argument without a source completes to no values.
 */
#ifndef MCP_COMPLETION_H
#define MCP_COMPLETION_H

#include <jansson.h>

/* Maximum values in one completion result (the spec's limit) and the longest accepted partial value. */
#define MCP_COMPLETION_MAX_VALUES 100
#define MCP_COMPLETION_MAX_INPUT 1024

/*
 * Appends candidate strings for argument `name` given the partial `value` to `values` (a JSON array; append
 * json_string()s). context is params.context.arguments (borrowed; may be NULL). The runtime filters by prefix,
 * so the function may append more than matches. Return CM_OK, or another status for -32603. Runs on the loop
 * thread and must not block.
 */
typedef int (*mcp_complete_fn)(const char *name, const char *value, json_t *context, json_t *values, void *data);

typedef struct mcp_completer {
    const char *const *values; /* NULL-terminated candidates (copied at registration), or NULL */
    mcp_complete_fn fn;        /* or/and a function; NULL for none */
    void *data;                /* passed to fn */
} mcp_completer_t;

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
