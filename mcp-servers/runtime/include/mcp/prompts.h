/*
 * prompts.h - the prompt registry of a service (prompts/list, prompts/get).
 *
 * A service registers its prompts at startup (mcp_server_add_prompt or mcp_prompts_add); the registry is
 * immutable while serving. prompts/list pages through them in registration order with opaque cursors (an unknown
 * cursor is -32602). prompts/get checks the arguments before the handler runs: params.arguments must be an object
 * of strings, every key a declared argument and every required argument present; anything else is -32602 naming
 * the argument, as is an unknown prompt name.
 *
 * Handlers are synchronous (they build messages from memory and must not block): they add messages with the
 * mcp_prompt_add_* builders and return CM_OK, or CM_EINVAL (-32602, e.g. an argument value they refuse) or another
 * status (-32603) after mcp_prompt_fail() with a message for the client (no secrets).
 */
#ifndef MCP_PROMPTS_H
#define MCP_PROMPTS_H

#include "mcp/completion.h"

#include <jansson.h>
#include <stddef.h>

typedef struct mcp_prompt mcp_prompt_t;
typedef struct mcp_prompt_result mcp_prompt_result_t;

/* args: the validated arguments object (borrowed, read-only, never NULL: {} when the request had none). */
typedef int (*mcp_prompt_fn)(mcp_prompt_result_t *out, json_t *args, void *data);

typedef struct mcp_prompt_arg {
    const char *name;         /* required: 1..128 of [A-Za-z0-9_.-], unique within the prompt */
    const char *title;        /* optional */
    const char *description;  /* optional */
    int required;             /* prompts/get fails with -32602 without it */
    mcp_completer_t complete; /* optional completion source */
} mcp_prompt_arg_t;

typedef struct mcp_prompt_def {
    const char *name;        /* required: 1..128 of [A-Za-z0-9_.-], unique */
    const char *title;       /* optional */
    const char *description; /* optional but recommended */
    const mcp_prompt_arg_t *args;
    size_t nargs;     /* at most 64 */
    mcp_prompt_fn fn; /* required */
    void *data;       /* passed to fn */
} mcp_prompt_def_t;

typedef struct mcp_server mcp_server_t;

/* Registers a prompt with the service (see server.h). Before mcp_server_run. CM_OK or an error (logged). */
int mcp_server_add_prompt(mcp_server_t *s, const mcp_prompt_def_t *def);

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

/* ------------------------------------------------------------------ handler side */

/* Message builders. role is "user" or "assistant". Strings are copied. Return CM_OK or CM_EINVAL/CM_ENOMEM (a
 * failed add makes prompts/get answer -32603). */
int mcp_prompt_add_text(mcp_prompt_result_t *out, const char *role, const char *text);
/* data_b64: base64 image data (e.g. PNG) as the spec's ImageContent carries it. */
int mcp_prompt_add_image(mcp_prompt_result_t *out, const char *role, const char *mime_type, const char *data_b64);
/* An embedded text resource {"type":"resource","resource":{uri, mimeType, text}}. mime_type may be NULL. */
int mcp_prompt_add_resource_text(mcp_prompt_result_t *out, const char *role, const char *uri, const char *mime_type,
                                 const char *text);
/* An embedded binary resource (bytes are base64-encoded). */
int mcp_prompt_add_resource_blob(mcp_prompt_result_t *out, const char *role, const char *uri, const char *mime_type,
                                 const void *bytes, size_t len);
/* Any content block (audio, resource_link, ...): steals block; it must be an object with a string "type". */
int mcp_prompt_add_content(mcp_prompt_result_t *out, const char *role, json_t *block);
/* Sets the result's description (copied). */
void mcp_prompt_set_description(mcp_prompt_result_t *out, const char *description);
/* Sets the message the client gets when the handler returns an error status. */
void mcp_prompt_fail(mcp_prompt_result_t *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
