/*
 * methods.c - the lifecycle methods (initialize, server/discover, ping, logging/setLevel) and the tools methods
 * (tools/list, tools/call) of the dispatcher; dispatch.c's table says in which era each is served.
 */
#include "common/status.h"
#include "dispatch/dispatch_internal.h"
#include "features/tools_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

MCP__METHOD(mcp__do_initialize)
{
    json_t *params = msg->params;
    const char *requested = json_string_value(json_object_get(params, "protocolVersion"));
    if (!json_is_object(params) || requested == NULL) {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, "initialize needs params.protocolVersion", NULL, out);
        return;
    }
    if (!json_is_object(json_object_get(params, "capabilities")) ||
        !json_is_object(json_object_get(params, "clientInfo"))) {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS,
                         "initialize needs params.capabilities and params.clientInfo", NULL, out);
        return;
    }
    /* echo a version we speak, else offer our latest (the client decides whether to go on) */
    const char *version = mcp_protocol_legacy_supported(requested) ? requested : MCP_LATEST_LEGACY_VERSION;
    json_t *result = json_pack("{s:s, s:O, s:O}", "protocolVersion", version, "capabilities",
                               mcp__dispatch_capabilities(p, MCP_ERA_LEGACY), "serverInfo", p->server_info);
    if (p->instructions != NULL)
        json_object_set_new(result, "instructions", json_string(p->instructions));
    mcp__reply_result(p, ctx, msg, result, out);
}

MCP__METHOD(mcp__do_discover)
{
    /* every revision this endpoint serves, newest first: a client that speaks only a legacy one learns it can
     * still connect (with initialize) */
    json_t *versions = mcp_protocol_versions(MCP_ERA_MODERN);
    json_t *legacy = mcp_protocol_versions(MCP_ERA_LEGACY);
    json_array_extend(versions, legacy);
    json_decref(legacy);
    json_t *result =
        json_pack("{s:o, s:O, s:i, s:s}", "supportedVersions", versions, "capabilities",
                  mcp__dispatch_capabilities(p, MCP_ERA_MODERN), "ttlMs", p->list_ttl_ms, "cacheScope", "public");
    if (p->instructions != NULL)
        json_object_set_new(result, "instructions", json_string(p->instructions));
    mcp__reply_result(p, ctx, msg, result, out);
}

/* {"jsonrpc":"2.0","id":<id>,"result":<text>}: id and result are jansson's output, only the fixed frame is ours. */
static char *frame_response(json_t *id, const char *result_text)
{
    char *id_text = json_dumps(id != NULL ? id : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
    if (id_text == NULL)
        return NULL;
    size_t n = strlen(id_text) + strlen(result_text) + 40;
    char *out = malloc(n);
    if (out != NULL)
        snprintf(out, n, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":%s}", id_text, result_text);
    free(id_text);
    return out;
}

MCP__METHOD(mcp__do_tools_list)
{
    json_t *cursor = json_is_object(msg->params) ? json_object_get(msg->params, "cursor") : NULL;
    json_t *page = NULL;
    size_t index = 0;
    unsigned generation = 0;
    if (cursor != NULL && !json_is_string(cursor) && !json_is_null(cursor)) {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, "cursor must be a string", NULL, out);
        return;
    }
    int rc = mcp_tools_list_page(p->tools, json_string_value(cursor), &page, &index, &generation);
    if (rc == CM_EINVAL) {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, "Invalid cursor", NULL, out);
        return;
    }
    if (rc != CM_OK) {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INTERNAL_ERROR, "out of memory", NULL, out);
        return;
    }
    int era = ctx->era == MCP_ERA_MODERN;
    if (generation != p->list_generation || index >= p->list_pages) {
        mcp__dispatch_drop_list_cache(p);
        size_t pages = mcp_tools_count(p->tools) + 1; /* >= number of pages for any page size */
        p->list_text[0] = calloc(pages, sizeof(char *));
        p->list_text[1] = calloc(pages, sizeof(char *));
        p->list_pages = p->list_text[0] && p->list_text[1] ? pages : 0;
        p->list_generation = generation;
    }
    if (index < p->list_pages && p->list_text[era][index] == NULL) {
        json_t *result = page;
        if (era) {
            /* pages are shared: copy the top level before decorating it */
            result = json_copy(page);
            json_object_set_new(result, "ttlMs", json_integer(p->list_ttl_ms));
            json_object_set_new(result, "cacheScope", json_string("public"));
            json_object_update(result, p->modern_extra);
        }
        p->list_text[era][index] = result ? json_dumps(result, JSON_COMPACT) : NULL;
        if (era)
            json_decref(result);
    }
    json_decref(page);
    if (index >= p->list_pages || p->list_text[era][index] == NULL ||
        (out->text = frame_response(msg->id, p->list_text[era][index])) == NULL) {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INTERNAL_ERROR, "out of memory", NULL, out);
        return;
    }
    out->http_status = 200;
}

MCP__METHOD(mcp__do_tools_call)
{
    const char *name = json_string_value(json_object_get(msg->params, "name"));
    if (!json_is_object(msg->params) || name == NULL) {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, "tools/call needs params.name", NULL, out);
        return;
    }
    const mcp_tool_t *tool = mcp_tools_find(p->tools, name);
    if (tool == NULL) {
        char m[200];
        snprintf(m, sizeof(m), "Unknown tool: %.150s", name);
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, m, NULL, out);
        return;
    }
    json_t *args = json_object_get(msg->params, "arguments");
    if (args != NULL && !json_is_object(args) && !json_is_null(args)) {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, "params.arguments must be an object", NULL, out);
        return;
    }
    if (tool->task_support != MCP_TASK_FORBIDDEN && mcp__tasks_call(p, ctx, msg, tool, args, out))
        return;
    json_t *meta = json_object_get(msg->params, "_meta");
    json_t *progress = json_object_get(meta, "progressToken");
    if (progress != NULL && !json_is_string(progress) && !json_is_integer(progress))
        progress = NULL;
    mcp_call_params_t cp = {
        .tool = tool,
        .id = msg->id,
        .instance_id = ctx->instance_id,
        .protocol_version = ctx->protocol_version,
        .progress_token = progress,
        .session_id = ctx->session_id,
        .log_threshold = ctx->log_threshold,
        .result_extra = ctx->era == MCP_ERA_MODERN ? p->modern_extra : NULL,
        .client_capabilities = ctx->client_capabilities,
        .context = ctx->call_context,
        .sink = {ctx->notify, ctx->complete, ctx->waiting, ctx->sink_ctx},
        .modern = ctx->era == MCP_ERA_MODERN,
        .input_cfg = &p->input,
        .input_params = msg->params,
    };
    mcp_call_t *call = mcp__call_new(&cp);
    if (call == NULL) {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INTERNAL_ERROR, "out of memory", NULL, out);
        return;
    }
    out->pending = 1;
    out->call = call;
    /* the handler may complete synchronously: the transport must be ready for ctx->complete now */
    mcp__call_run(call, json_is_object(args) ? args : NULL);
}

MCP__METHOD(mcp__do_set_level)
{
    int level = mcp_log_level_from_str(json_string_value(json_object_get(msg->params, "level")));
    if (level < 0) {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS,
                         "params.level must be one of debug, info, notice, warning, error, critical, alert, emergency",
                         NULL, out);
        return;
    }
    if (ctx->session_log_level != NULL)
        *ctx->session_log_level = level;
    mcp__reply_result(p, ctx, msg, json_object(), out);
}

MCP__METHOD(mcp__do_ping)
{
    mcp__reply_result(p, ctx, msg, json_object(), out);
}
