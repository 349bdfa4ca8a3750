/*
 * dispatch.c - the one table of MCP methods: each with the protocol eras it exists in, the capability it needs
 * and its handler. A request for a method the table does not serve in the request's era (or whose capability
 * nothing registered) is -32601 "Method not found" (HTTP 404 in the modern era).
 *
 * Legacy era: initialize, ping and logging/setLevel; resources/subscribe and /unsubscribe. Modern era (2026-07-28):
 * server/discover instead of initialize; ping, logging/setLevel and resource subscriptions were removed; tasks/get,
 * tasks/cancel and tasks/update of the tasks extension (tasks/result and tasks/list do not exist there: -32601).
 */
#include "dispatch/dispatch_internal.h"

#include <stdio.h>
#include <string.h>

enum { ERA_LEGACY = 1u << MCP_ERA_LEGACY, ERA_MODERN = 1u << MCP_ERA_MODERN, ERA_BOTH = ERA_LEGACY | ERA_MODERN };

typedef struct method_entry {
    const char *method;
    unsigned eras;                         /* ERA_* bits */
    int (*served)(const mcp_protocol_t *); /* the capability the method needs, NULL = always served */
    mcp__method_fn handler;
} method_entry_t;

/* tools/call and tools/list first: nearly every request is one of them */
static const method_entry_t methods[] = {
    {"tools/call", ERA_BOTH, NULL, mcp__do_tools_call},
    {"tools/list", ERA_BOTH, NULL, mcp__do_tools_list},
    {"initialize", ERA_LEGACY, NULL, mcp__do_initialize},
    {"server/discover", ERA_MODERN, NULL, mcp__do_discover},
    {"ping", ERA_LEGACY, NULL, mcp__do_ping},
    {"logging/setLevel", ERA_LEGACY, NULL, mcp__do_set_level},
    {"prompts/list", ERA_BOTH, mcp__serves_prompts, mcp__do_prompts_list},
    {"prompts/get", ERA_BOTH, mcp__serves_prompts, mcp__do_prompts_get},
    {"resources/list", ERA_BOTH, mcp__serves_resources, mcp__do_resources_list},
    {"resources/templates/list", ERA_BOTH, mcp__serves_resources, mcp__do_resource_templates_list},
    {"resources/read", ERA_BOTH, mcp__serves_resources, mcp__do_resources_read},
    {"resources/subscribe", ERA_LEGACY, mcp__serves_resources, mcp__do_resources_subscribe},
    {"resources/unsubscribe", ERA_LEGACY, mcp__serves_resources, mcp__do_resources_subscribe},
    {"completion/complete", ERA_BOTH, mcp__serves_completions, mcp__do_complete},
    {"tasks/get", ERA_MODERN, mcp__serves_tasks, mcp__do_tasks_get},
    {"tasks/cancel", ERA_MODERN, mcp__serves_tasks, mcp__do_tasks_cancel},
    {"tasks/update", ERA_MODERN, mcp__serves_tasks, mcp__do_tasks_update},
};

static const method_entry_t *lookup(const mcp_protocol_t *p, mcp_era_t era, const char *method)
{
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        const method_entry_t *e = &methods[i];
        if (strcmp(e->method, method) != 0)
            continue;
        if ((e->eras & (1u << era)) == 0 || (e->served != NULL && !e->served(p)))
            return NULL;
        return e;
    }
    return NULL;
}

void mcp_protocol_dispatch(mcp_protocol_t *p, const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg,
                           mcp_reply_t *out)
{
    memset(out, 0, sizeof(*out));
    if (msg->kind != MCP_MSG_REQUEST) /* notifications and client responses are never answered */
        return;
    if (msg->params != NULL && !json_is_object(msg->params)) {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, "params must be an object", NULL, out);
        return;
    }
    const method_entry_t *e = lookup(p, ctx->era, msg->method);
    if (e != NULL) {
        e->handler(p, ctx, msg, out);
        return;
    }
    char text[200];
    snprintf(text, sizeof(text), "Method not found: %.150s", msg->method);
    mcp__reply_error(ctx, msg, MCP_JSONRPC_METHOD_NOT_FOUND, text, NULL, out);
}
