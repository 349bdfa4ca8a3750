/* dispatch_internal.h (private to dispatch/) - the dispatcher record, the replies and the method handlers that the
 * method table (dispatch.c) names. */
#ifndef MCP_DISPATCH_INTERNAL_H
#define MCP_DISPATCH_INTERNAL_H

#include "dispatch/protocol.h"

#include <jansson.h>
#include <stddef.h>

struct mcp_protocol {
    mcp_tools_t *tools;
    mcp_prompts_t *prompts;      /* owned; empty = capability not advertised */
    mcp_resources_t *resources;  /* owned; idem */
    json_t *server_info;         /* {name, version[, title]} */
    json_t *capabilities;        /* advertised (legacy era) */
    json_t *capabilities_modern; /* advertised in 2026-07-28 (no resources.subscribe: removed there) */
    char *instructions;
    int list_changed_tools, list_changed_prompts, list_changed_resources; /* declared (mcp/streams.h) */
    int list_ttl_ms;
    json_t *modern_extra; /* {resultType:"complete", _meta:{serverInfo}} merged into modern results */
    /* tools/list results serialized once per (page, era): the list is immutable while serving and is the largest
     * answer, so re-encoding it per request would dominate (jansson produced every byte of these texts) */
    char **list_text[2];
    size_t list_pages;
    unsigned list_generation;
    mcp_task_store_t *tasks; /* owned */
    int task_poll_ms;
    /* Resumes a task whose call asked for input once the client answered every request (tasks/update): runs the
     * call again with input_responses and request_state (both borrowed), settling into t as the first run did
     * (mcp__task_resume). NULL: such a task fails. */
    void (*task_resume)(mcp_protocol_t *p, mcp_task_t *t, json_t *input_responses, json_t *request_state);
    mcp__input_cfg_t input; /* input requests: state key, pending server requests, limits */
};

/* Frees the serialized tools/list pages (the registry changed, or the dispatcher goes). */
void mcp__dispatch_drop_list_cache(mcp_protocol_t *p);
/* The capabilities advertised in era (borrowed from p; follows what is registered). */
json_t *mcp__dispatch_capabilities(mcp_protocol_t *p, mcp_era_t era);

/* Answers msg with result (stolen; modern results get resultType and _meta serverInfo). */
void mcp__reply_result(mcp_protocol_t *p, const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg, json_t *result,
                       mcp_reply_t *out);
/* Answers msg with a JSON-RPC error (data stolen, may be NULL) and the HTTP status the era prescribes for code. */
void mcp__reply_error(const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg, int code, const char *message,
                      json_t *data, mcp_reply_t *out);

/* A method handler: answers msg into out (a reply, or out->pending for a running tools/call). */
typedef void (*mcp__method_fn)(mcp_protocol_t *p, const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg,
                               mcp_reply_t *out);
#define MCP__METHOD(name)                                                                                              \
    void name(mcp_protocol_t *p, const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg, mcp_reply_t *out)

/* methods.c: the lifecycle and tools methods */
MCP__METHOD(mcp__do_initialize);
MCP__METHOD(mcp__do_discover);
MCP__METHOD(mcp__do_ping);
MCP__METHOD(mcp__do_set_level);
MCP__METHOD(mcp__do_tools_list);
MCP__METHOD(mcp__do_tools_call);

/* task_methods.c: the tasks extension (2026-07-28) */
MCP__METHOD(mcp__do_tasks_get);
MCP__METHOD(mcp__do_tasks_cancel);
MCP__METHOD(mcp__do_tasks_update);
/* 1 when some tool may run as a task (the extension is advertised and tasks/ methods are served). */
int mcp__serves_tasks(const mcp_protocol_t *p);
/* The default task_resume: runs the task's call again with the answers and the requestState (both borrowed), as the
 * client's retry of the call would (its result settles into t). */
void mcp__task_resume(mcp_protocol_t *p, mcp_task_t *t, json_t *input_responses, json_t *request_state);
/* tools/call of a tool with task support: answers into out and returns 1 (a task, its immediate result, or -32021
 * for a required task the client cannot take), or returns 0 when the call is to run the ordinary way. args borrowed. */
int mcp__tasks_call(mcp_protocol_t *p, const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg,
                    const mcp_tool_t *tool, json_t *args, mcp_reply_t *out);

/* feature_methods.c: prompts, resources, completion (the table serves them only when their capability is) */
MCP__METHOD(mcp__do_prompts_list);
MCP__METHOD(mcp__do_prompts_get);
MCP__METHOD(mcp__do_resources_list);
MCP__METHOD(mcp__do_resource_templates_list);
MCP__METHOD(mcp__do_resources_read);
MCP__METHOD(mcp__do_resources_subscribe);
MCP__METHOD(mcp__do_complete);

/* 1 when the prompts / resources / completions capability is advertised (something is registered). */
int mcp__serves_prompts(const mcp_protocol_t *p);
int mcp__serves_resources(const mcp_protocol_t *p);
int mcp__serves_completions(const mcp_protocol_t *p);
/* Sets or removes prompts / resources / completions in caps for what is registered. */
void mcp__features_capabilities(const mcp_protocol_t *p, mcp_era_t era, json_t *caps);

#endif
