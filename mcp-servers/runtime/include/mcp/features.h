/*
 * features.h - prompts, resources (static and RFC 6570 level-1 templates) and argument completion: what a service
 * registers beyond tools (mcp_server_add_prompt, mcp_server_add_resource, mcp_server_add_resource_template) and the
 * builders its handlers answer with. Capabilities (prompts, resources, completions) are advertised once something
 * is registered.
 *
 * Prompts (prompts/list, prompts/get):
 * A service registers its prompts at startup (mcp_server_add_prompt); the registry is
 * immutable while serving. prompts/list pages through them in registration order with opaque cursors (an unknown
 * cursor is -32602). prompts/get checks the arguments before the handler runs: params.arguments must be an object
 * of strings, every key a declared argument and every required argument present; anything else is -32602 naming
 * the argument, as is an unknown prompt name.
 *
 * Handlers are synchronous (they build messages from memory and must not block): they add messages with the
 * mcp_prompt_add_* builders and return CM_OK, or CM_EINVAL (-32602, e.g. an argument value they refuse) or another
 * status (-32603) after mcp_prompt_fail() with a message for the client (no secrets).
 *
 * Resources (resources/list, resources/templates/list, resources/read, resources/subscribe, resources/unsubscribe):
 * Registered at startup, immutable while serving. Lists page in registration order with opaque cursors (unknown
 * cursor -> -32602). resources/read looks for a static resource with exactly that URI, then for the first
 * template (registration order) that matches it. Templates are RFC 6570 level 1: literal text and {var}
 * expressions; a variable matches one or more unreserved characters or %XX escapes (so never '/', '?', '#'),
 * leftmost match, and its value is percent-decoded before the handler sees it.
 *
 * Not found (no resource, no template match, or the handler says CM_ENOTFOUND or produced no contents) is
 * answered with data {"uri": ...} and the code of the request's protocol era: -32002 up to 2025-11-25, -32602 in
 * 2026-07-28 (SEP-2164).
 *
 * Subscriptions: resources/subscribe and resources/unsubscribe (legacy era; 2026-07-28 replaced them with the
 * resourceSubscriptions of subscriptions/listen) check that the URI exists, are acknowledged with {} and recorded on
 * the session; a service whose resource changed calls mcp_server_resource_updated (mcp/streams.h), which sends
 * notifications/resources/updated on the GET stream of every subscribed session and every listen stream naming it.
 *
 * Read handlers are synchronous (from memory, never blocking): they add contents with mcp_resource_add_text /
 * _blob and return CM_OK, CM_ENOTFOUND, CM_EINVAL (-32602) or another status (-32603) after mcp_resource_fail().
 *
 * Completion (completion/complete):
 * A prompt argument or a template variable may carry a completion source: a static,
 * NULL-terminated list of candidate values and/or a function that appends candidates. The runtime answers
 * completion/complete {ref: {type: "ref/prompt", name} | {type: "ref/resource", uri: <template>},
 * argument: {name, value}, context?: {arguments}} with the candidates that start with value (ASCII
 * case-insensitive), at most 100 of them, with total and hasMore. The completions capability is advertised only
 * when some argument or variable has a source; an argument without a source completes to no values.
 */
#ifndef MCP_FEATURES_H
#define MCP_FEATURES_H

#include <jansson.h>
#include <stddef.h>

typedef struct mcp_server mcp_server_t;

/* ------------------------------------------------------------------ completion sources */

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

/* ------------------------------------------------------------------ prompts */

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

/* Registers a prompt with the service (see server.h). Before mcp_server_run. def and what it points to are copied
 * (fn and data are kept as given). CM_OK or an error (logged). */
int mcp_server_add_prompt(mcp_server_t *s, const mcp_prompt_def_t *def);

/* ------------------------------------------------------------------ prompt handler side */

/* Message builders on out (owned by the runtime; valid during the handler). role is "user" or "assistant".
 * Strings and bytes are copied. Return CM_OK or CM_EINVAL/CM_ENOMEM (a
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
/* Sets the message the client gets when the handler returns an error status (formatted into out). */
void mcp_prompt_fail(mcp_prompt_result_t *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A prompt asking the client for input, as tools do (mcp/input.h; params stolen): the answer for key, or NULL after
 * recording the request - the handler then returns MCP_PROMPT_NEEDS_INPUT and prompts/get answers input_required.
 * Served in 2026-07-28 (MRTR); in the legacy era prompts/get is synchronous and such a prompt answers -32603. */
const json_t *mcp_prompt_input(mcp_prompt_result_t *out, const char *key, const char *method, json_t *params);
/* 1 when the client declared the capability kind needs (mcp/input.h). */
int mcp_prompt_client_supports(const mcp_prompt_result_t *out, int kind);
#define MCP_PROMPT_NEEDS_INPUT 1

/* ------------------------------------------------------------------ resources */

#define MCP_URI_MAX 2048 /* longest URI (and template) accepted */

typedef struct mcp_resource_contents mcp_resource_contents_t;

/*
 * uri: the requested URI (borrowed). vars: for a template, an object of the decoded variable values (borrowed,
 * read-only); NULL for a static resource.
 */
typedef int (*mcp_resource_read_fn)(mcp_resource_contents_t *out, const char *uri, json_t *vars, void *data);

typedef struct mcp_resource_def {
    const char *uri;         /* required: absolute ("scheme:..."), printable ASCII without spaces, <= MCP_URI_MAX */
    const char *name;        /* required */
    const char *title;       /* optional */
    const char *description; /* optional */
    const char *mime_type;   /* optional (default of the contents) */
    /* exactly one of: static text, static bytes, or a read handler */
    const char *text;
    const void *blob;
    size_t blob_len;
    mcp_resource_read_fn fn;
    void *data;
} mcp_resource_def_t;

typedef struct mcp_resource_var {
    const char *name;         /* a {name} of the template */
    mcp_completer_t complete; /* completion source for it */
} mcp_resource_var_t;

typedef struct mcp_resource_template_def {
    const char *uri_template; /* required: level-1 template, e.g. "test://template/{id}/data"; unique */
    const char *name;         /* required */
    const char *title;
    const char *description;
    const char *mime_type;
    const mcp_resource_var_t *vars; /* optional completion sources per variable */
    size_t nvars;
    mcp_resource_read_fn fn; /* required */
    void *data;
} mcp_resource_template_def_t;

/* Register a resource / a template with the service (see server.h). Before mcp_server_run. def and what it points
 * to are copied (fn and data are kept as given). CM_OK or an error (logged). */
int mcp_server_add_resource(mcp_server_t *s, const mcp_resource_def_t *def);
int mcp_server_add_resource_template(mcp_server_t *s, const mcp_resource_template_def_t *def);

/* ------------------------------------------------------------------ resource handler side */

/* Adds {uri, mimeType?, text} to out (owned by the runtime; valid during the handler). Strings are copied. uri NULL =
 * the requested URI; mime_type NULL = the registered one. */
int mcp_resource_add_text(mcp_resource_contents_t *out, const char *uri, const char *mime_type, const char *text);
/* Adds {uri, mimeType?, blob: base64(bytes)}; bytes and strings are copied. */
int mcp_resource_add_blob(mcp_resource_contents_t *out, const char *uri, const char *mime_type, const void *bytes,
                          size_t len);
/* The message the client gets when the handler returns an error status (formatted into out). */
void mcp_resource_fail(mcp_resource_contents_t *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
