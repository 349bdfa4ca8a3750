/* tools_internal.h - private to the runtime: the tool record and the call plumbing used by dispatch. */
#ifndef MCP_TOOLS_INTERNAL_H
#define MCP_TOOLS_INTERNAL_H

#include "schema/schema.h"
#include "mcp/tools.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct mcp__input_cfg;

typedef struct mcp_tools mcp_tools_t;
typedef struct mcp_tool mcp_tool_t;

/* ------------------------------------------------------------------ the registry (what mcp_server_add_tool fills) */

/* page_size 0 = 50. Caller owns the registry. */
mcp_tools_t *mcp_tools_new(size_t page_size);
void mcp_tools_free(mcp_tools_t *r);
/* Copies def (strings and schemas). Returns CM_OK, or CM_EINVAL/CM_ECONFLICT with a one-line reason in err. */
int mcp_tools_add(mcp_tools_t *r, const mcp_tool_def_t *def, char *err, size_t errsz);
size_t mcp_tools_count(const mcp_tools_t *r);
/* The tool or NULL. Borrowed from the registry. */
const mcp_tool_t *mcp_tools_find(const mcp_tools_t *r, const char *name);
/*
 * The tools/list result for cursor (NULL = first page): {"tools":[...], "nextCursor"?}. Returns CM_OK
 * with a new reference in *out (caller decrefs; pages are built once and shared, so treat as
 * read-only: copy before changing), or CM_EINVAL for an unknown cursor.
 */
int mcp_tools_list(mcp_tools_t *r, const char *cursor, json_t **out);
/* Like mcp_tools_list, also giving the page index and the registry generation (changes when a tool is added). */
int mcp_tools_list_page(mcp_tools_t *r, const char *cursor, json_t **out, size_t *page, unsigned *generation);

/* 1 when some registered tool may run as a task (the tasks extension is then advertised). */
int mcp_tools_task_capable(const mcp_tools_t *r);

/* Accessors of a registered tool (borrowed). */
const char *mcp_tool_name(const mcp_tool_t *t);
json_t *mcp_tool_json(const mcp_tool_t *t); /* its tools/list entry */

struct mcp_tool {
    char *name;
    mcp_schema_t *input;
    mcp_schema_t *output; /* NULL when the tool has no outputSchema */
    json_t *json;         /* tools/list entry */
    mcp_tool_fn fn;
    void *data;
    mcp_task_support_t task_support;
    int confirm; /* destructive, or marked confirm: asked before running when confirmation is on */
};

/* Where a call's notifications and final response go. Both steal their message. */
typedef struct mcp_call_sink {
    void (*notify)(void *ctx, json_t *notification); /* also the server's requests to the client (2025-11-25) */
    void (*complete)(void *ctx, json_t *response);
    void (*waiting)(void *ctx, int waiting); /* 1: the call waits for the client's input (pause the tool deadline);
                                                0: it runs again. May be NULL */
    void *ctx;
} mcp_call_sink_t;

typedef struct mcp_call_params {
    const mcp_tool_t *tool;
    json_t *id;                   /* request id (incref'd by the call) */
    const char *instance_id;      /* copied */
    const char *protocol_version; /* copied */
    json_t *progress_token;       /* NULL or incref'd */
    const char *session_id;       /* legacy: the call's session, where its input requests go (copied); NULL = none */
    int log_threshold;            /* MCP_LOG_* or -1 = no log notifications */
    json_t *result_extra;         /* members merged into every result (e.g. resultType, _meta); incref'd; may be NULL */
    json_t *client_capabilities;  /* incref'd; may be NULL */
    void *context;
    mcp_call_sink_t sink;
    int modern;                       /* 2026-07-28: input requests end the call with input_required */
    struct mcp__input_cfg *input_cfg; /* the server's input settings (borrowed; outlives the call) */
    json_t *input_params;             /* modern: params of the request (inputResponses, requestState); borrowed */
} mcp_call_params_t;

/* Creates a call (malloc'ed; freed by finish/fail/error). NULL on allocation failure. */
mcp_call_t *mcp__call_new(const mcp_call_params_t *p);
/* The transport's request is gone: results are discarded from now on. */
void mcp__call_abandon(mcp_call_t *c);
/* Frees a call that was never started (handler not called). */
void mcp__call_free(mcp_call_t *c);
/* Runs the tool: validates arguments (args borrowed; may be NULL = {}), then the handler. */
void mcp__call_run(mcp_call_t *c, json_t *args);
/* 2025-11-25: the client's response (a JSON-RPC response document, borrowed) to an input request of session. CM_OK
 * when it answered a pending request of that session (the call may have run again), CM_ENOTFOUND otherwise. */
int mcp__call_deliver(struct mcp__input_cfg *cfg, const char *session, json_t *response);
/* Ends the calls whose input requests went unanswered past their deadline (a tool error each). */
void mcp__call_input_expired(struct mcp__input_cfg *cfg, int64_t now_ms);

#endif
