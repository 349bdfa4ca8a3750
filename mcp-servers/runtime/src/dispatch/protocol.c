/*
 * protocol.c - the dispatcher: its record, the capabilities it advertises and the replies of both eras (see
 * dispatch/protocol.h; the methods are in dispatch.c's table).
 */
#include "common/crypto.h"
#include "common/status.h"
#include "dispatch/dispatch_internal.h"
#include "features/tools_internal.h"

#include <stdlib.h>
#include <string.h>

void mcp__dispatch_drop_list_cache(mcp_protocol_t *p)
{
    for (int era = 0; era < 2; era++) {
        for (size_t i = 0; p->list_text[era] != NULL && i < p->list_pages; i++)
            free(p->list_text[era][i]);
        free(p->list_text[era]);
        p->list_text[era] = NULL;
    }
    p->list_pages = 0;
}

mcp_protocol_t *mcp_protocol_new(const mcp_protocol_info_t *info, mcp_tools_t *tools)
{
    mcp_protocol_t *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return NULL;
    p->tools = tools;
    p->server_info = json_pack("{s:s, s:s}", "name", info->name ? info->name : "mcp-server", "version",
                               info->version ? info->version : "0.0.0");
    if (p->server_info != NULL && info->title != NULL)
        json_object_set_new(p->server_info, "title", json_string(info->title));
    p->capabilities = json_pack("{s:{s:b}, s:{}}", "tools", "listChanged", 0, "logging");
    p->capabilities_modern = json_pack("{s:{s:b}, s:{}}", "tools", "listChanged", 0, "logging");
    p->prompts = mcp_prompts_new(0);
    p->resources = mcp_resources_new(0);
    p->instructions = info->instructions ? strdup(info->instructions) : NULL;
    p->list_ttl_ms = info->list_ttl_ms > 0 ? info->list_ttl_ms : 0;
    p->tasks = mcp_task_store_new(&info->tasks);
    p->task_poll_ms = info->task_poll_ms > 0 ? info->task_poll_ms : 1000;
    p->task_resume = mcp__task_resume;
    p->modern_extra =
        json_pack("{s:s, s:{s:O}}", "resultType", "complete", "_meta", MCP_META_SERVER_INFO, p->server_info);
    if (mcp_protocol_input_configure(p, NULL, 0, 0, 0, 0) != CM_OK ||
        cm_random_bytes(p->input.key, sizeof(p->input.key)) != CM_OK) {
        mcp_protocol_free(p);
        return NULL;
    }
    if (p->server_info == NULL || p->capabilities == NULL || p->modern_extra == NULL || p->prompts == NULL ||
        p->resources == NULL || p->capabilities_modern == NULL || p->tasks == NULL ||
        (info->instructions != NULL && p->instructions == NULL)) {
        mcp_protocol_free(p);
        return NULL;
    }
    return p;
}

void mcp_protocol_free(mcp_protocol_t *p)
{
    if (p == NULL)
        return;
    json_decref(p->server_info);
    json_decref(p->capabilities);
    json_decref(p->capabilities_modern);
    json_decref(p->modern_extra);
    mcp_prompts_free(p->prompts);
    mcp_resources_free(p->resources);
    mcp_task_store_free(p->tasks);
    mcp__dispatch_drop_list_cache(p);
    mcp__pending_free(p->input.pending);
    cm_wipe(p->input.key, sizeof(p->input.key));
    free(p->instructions);
    free(p);
}

mcp_tools_t *mcp_protocol_tools(mcp_protocol_t *p)
{
    return p->tools;
}

mcp_prompts_t *mcp_protocol_prompts(mcp_protocol_t *p)
{
    return p->prompts;
}

mcp_resources_t *mcp_protocol_resources(mcp_protocol_t *p)
{
    return p->resources;
}

/* The registries may grow until serving starts: capabilities follow what is registered. */
json_t *mcp__dispatch_capabilities(mcp_protocol_t *p, mcp_era_t era)
{
    json_t *caps = era == MCP_ERA_MODERN ? p->capabilities_modern : p->capabilities;
    mcp__features_capabilities(p, era, caps);
    /* the tasks extension exists in the modern era only (2025-11-25's experimental tasks are another wire) */
    if (era == MCP_ERA_MODERN && mcp__serves_tasks(p))
        json_object_set_new(caps, "extensions", json_pack("{s:{}}", "io.modelcontextprotocol/tasks"));
    return caps;
}

mcp_task_store_t *mcp_protocol_tasks(mcp_protocol_t *p)
{
    return p->tasks;
}

int mcp_protocol_declare_list_changed(mcp_protocol_t *p, const char *kind)
{
    if (kind != NULL && strcmp(kind, "tools") == 0) {
        p->list_changed_tools = 1;
        json_object_set_new(json_object_get(p->capabilities, "tools"), "listChanged", json_true());
        json_object_set_new(json_object_get(p->capabilities_modern, "tools"), "listChanged", json_true());
    } else if (kind != NULL && strcmp(kind, "prompts") == 0) {
        p->list_changed_prompts = 1;
    } else if (kind != NULL && strcmp(kind, "resources") == 0) {
        p->list_changed_resources = 1;
    } else {
        return CM_EINVAL;
    }
    return CM_OK;
}

json_t *mcp_protocol_capabilities(mcp_protocol_t *p)
{
    return mcp__dispatch_capabilities(p, MCP_ERA_LEGACY);
}

void mcp_protocol_abandon(mcp_call_t *call)
{
    mcp__call_abandon(call);
}

/* ------------------------------------------------------------------ input requests */

int mcp_protocol_input_configure(mcp_protocol_t *p, const uint8_t *key, int timeout_s, size_t max_pending,
                                 size_t max_state, int confirm)
{
    mcp__pending_t *pending = mcp__pending_new(max_pending, 0);
    if (pending == NULL)
        return CM_ENOMEM;
    mcp__pending_free(p->input.pending); /* configured before serving: nothing is pending yet */
    p->input.pending = pending;
    if (key != NULL)
        memcpy(p->input.key, key, sizeof(p->input.key));
    p->input.timeout_s = timeout_s > 0 ? timeout_s : 300;
    p->input.max_state = max_state > 0 ? max_state : 65536;
    p->input.confirm = confirm;
    return CM_OK;
}

int mcp_protocol_deliver(mcp_protocol_t *p, const char *session_id, json_t *response)
{
    return session_id != NULL ? mcp__call_deliver(&p->input, session_id, response) : CM_ENOTFOUND;
}

void mcp_protocol_input_tick(mcp_protocol_t *p, int64_t now_ms)
{
    mcp__call_input_expired(&p->input, now_ms);
}

unsigned mcp_protocol_input_caps_bits(const json_t *caps)
{
    unsigned bits = 0;
    for (int k = MCP_INPUT_ELICIT_FORM; k <= MCP_INPUT_ROOTS; k++)
        if (mcp__input_caps_support(caps, (mcp_input_kind_t)k))
            bits |= 1u << k;
    return bits;
}

json_t *mcp_protocol_input_caps_json(unsigned bits)
{
    json_t *caps = json_object(), *e = NULL;
    if (bits & (1u << MCP_INPUT_ELICIT_FORM | 1u << MCP_INPUT_ELICIT_URL)) {
        e = json_object();
        if (bits & 1u << MCP_INPUT_ELICIT_FORM)
            json_object_set_new(e, "form", json_object());
        if (bits & 1u << MCP_INPUT_ELICIT_URL)
            json_object_set_new(e, "url", json_object());
        json_object_set_new(caps, "elicitation", e);
    }
    if (bits & 1u << MCP_INPUT_SAMPLING)
        json_object_set_new(caps, "sampling", json_object());
    if (bits & 1u << MCP_INPUT_ROOTS)
        json_object_set_new(caps, "roots", json_object());
    return caps;
}

/* ------------------------------------------------------------------ replies */

void mcp__reply_result(mcp_protocol_t *p, const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg, json_t *result,
                       mcp_reply_t *out)
{
    if (ctx->era == MCP_ERA_MODERN)
        json_object_update(result, p->modern_extra);
    out->body = mcp_jsonrpc_result(msg->id, result);
    out->http_status = 200;
}

void mcp__reply_error(const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg, int code, const char *message,
                      json_t *data, mcp_reply_t *out)
{
    out->body = mcp_jsonrpc_error(msg->id, code, message, data);
    out->http_status = 200;
    if (ctx->era == MCP_ERA_MODERN) {
        if (code == MCP_JSONRPC_METHOD_NOT_FOUND)
            out->http_status = 404;
        else if (code == MCP_ERR_HEADER_MISMATCH || code == MCP_ERR_MISSING_CLIENT_CAPABILITY ||
                 code == MCP_ERR_UNSUPPORTED_PROTOCOL_VERSION)
            out->http_status = 400;
    }
}
