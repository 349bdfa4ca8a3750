/*
 * prompts.h (private) - the prompt registry behind prompts/list and prompts/get (what a service
 * registers: mcp/features.h).
 */
#ifndef MCP_PROMPTS_H
#define MCP_PROMPTS_H

#include "features/completion.h"
#include "mcp/features.h"

#include <jansson.h>
#include <stddef.h>

/* page_size 0 = 50. Caller owns the registry. */
mcp_prompts_t *mcp_prompts_new(size_t page_size);
void mcp_prompts_free(mcp_prompts_t *r);
/* Copies def. CM_OK, or CM_EINVAL / CM_ECONFLICT / CM_ENOMEM with a one-line reason in err. */
int mcp_prompts_add(mcp_prompts_t *r, const mcp_prompt_def_t *def, char *err, size_t errsz);
size_t mcp_prompts_count(const mcp_prompts_t *r);
/* The prompt or NULL (borrowed). */
const mcp_prompt_t *mcp_prompts_find(const mcp_prompts_t *r, const char *name);
/*
 * prompts/list for cursor (NULL = first page): CM_OK with a new reference in *out ({"prompts":[...],
 * "nextCursor"?}; shared: copy before changing), CM_EINVAL for an unknown cursor, CM_ENOMEM.
 */
int mcp_prompts_list(mcp_prompts_t *r, const char *cursor, json_t **out);
/*
 * prompts/get: CM_OK with *result = new {"description"?, "messages":[...]} (caller decrefs); otherwise returns the
 * JSON-RPC error code (-32602 unknown prompt / bad arguments / handler CM_EINVAL, -32603 handler failure) with a
 * message in msg. args may be NULL.
 */
int mcp_prompts_get(mcp_prompts_t *r, const char *name, json_t *args, json_t **result, char *msg, size_t msgsz);
/* The same with the handler's input record (features/input.h; may be NULL): returns MCP_PROMPT_NEEDS_INPUT (no result)
 * when the handler asked for input it has no answer for. */
struct mcp__input;
int mcp_prompts_get_input(mcp_prompts_t *r, const char *name, json_t *args, struct mcp__input *input, json_t **result,
                          char *msg, size_t msgsz);

#endif
