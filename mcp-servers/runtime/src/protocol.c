/*
 * protocol.c - MCP method dispatch for the legacy and the modern era (see mcp/protocol.h).
 */
#include "mcp/protocol.h"
#include "common/status.h"
#include "features_internal.h"
#include "tools_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const legacy_versions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};
static const char *const modern_versions[] = {MCP_MODERN_VERSION};

struct mcp_protocol {
    mcp_tools_t *tools;
    mcp_prompts_t *prompts;      /* owned; empty = capability not advertised */
    mcp_resources_t *resources;  /* owned; idem */
    json_t *server_info;         /* {name, version[, title]} */
    json_t *capabilities;        /* advertised (legacy era) */
    json_t *capabilities_modern; /* advertised in 2026-07-28 (no resources.subscribe: removed there) */
    char *instructions;
    int list_ttl_ms;
    json_t *modern_extra; /* {resultType:"complete", _meta:{serverInfo}} merged into modern results */
    /* tools/list results serialized once per (page, era): the list is immutable while serving and is the largest
     * answer, so re-encoding it per request would dominate (jansson produced every byte of these texts) */
    char **list_text[2];
    size_t list_pages;
    unsigned list_generation;
};

static void drop_list_cache(mcp_protocol_t *p)
{
    for (int era = 0; era < 2; era++) {
        for (size_t i = 0; p->list_text[era] != NULL && i < p->list_pages; i++)
            free(p->list_text[era][i]);
        free(p->list_text[era]);
        p->list_text[era] = NULL;
    }
    p->list_pages = 0;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int mcp_protocol_legacy_supported(const char *v)
{
    for (size_t i = 0; v != NULL && i < COUNT(legacy_versions); i++)
        if (strcmp(v, legacy_versions[i]) == 0)
            return 1;
    return 0;
}

int mcp_protocol_modern_supported(const char *v)
{
    for (size_t i = 0; v != NULL && i < COUNT(modern_versions); i++)
        if (strcmp(v, modern_versions[i]) == 0)
            return 1;
    return 0;
}

json_t *mcp_protocol_versions(mcp_era_t era)
{
    json_t *a = json_array();
    if (era == MCP_ERA_MODERN)
        for (size_t i = 0; i < COUNT(modern_versions); i++)
            json_array_append_new(a, json_string(modern_versions[i]));
    else
        for (size_t i = 0; i < COUNT(legacy_versions); i++)
            json_array_append_new(a, json_string(legacy_versions[i]));
    return a;
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
    p->modern_extra =
        json_pack("{s:s, s:{s:O}}", "resultType", "complete", "_meta", MCP_META_SERVER_INFO, p->server_info);
    if (p->server_info == NULL || p->capabilities == NULL || p->modern_extra == NULL || p->prompts == NULL ||
        p->resources == NULL || p->capabilities_modern == NULL ||
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
    drop_list_cache(p);
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
static json_t *capabilities(mcp_protocol_t *p, mcp_era_t era)
{
    json_t *caps = era == MCP_ERA_MODERN ? p->capabilities_modern : p->capabilities;
    mcp__features_capabilities(p->prompts, p->resources, era, caps);
    return caps;
}

json_t *mcp_protocol_capabilities(mcp_protocol_t *p)
{
    return capabilities(p, MCP_ERA_LEGACY);
}

void mcp_protocol_abandon(mcp_call_t *call)
{
    mcp__call_abandon(call);
}

/* ------------------------------------------------------------------ replies */

static void reply_result(mcp_protocol_t *p, const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg, json_t *result,
                         mcp_reply_t *out)
{
    if (ctx->era == MCP_ERA_MODERN)
        json_object_update(result, p->modern_extra);
    out->body = mcp_jsonrpc_result(msg->id, result);
    out->http_status = 200;
}

static void reply_error(const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg, int code, const char *message,
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

/* ------------------------------------------------------------------ methods */

static void do_initialize(mcp_protocol_t *p, const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg,
                          mcp_reply_t *out)
{
    json_t *params = msg->params;
    const char *requested = json_string_value(json_object_get(params, "protocolVersion"));
    if (!json_is_object(params) || requested == NULL) {
        reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, "initialize needs params.protocolVersion", NULL, out);
        return;
    }
    if (!json_is_object(json_object_get(params, "capabilities")) ||
        !json_is_object(json_object_get(params, "clientInfo"))) {
        reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, "initialize needs params.capabilities and params.clientInfo",
                    NULL, out);
        return;
    }
    /* echo a version we speak, else offer our latest (the client decides whether to go on) */
    const char *version = mcp_protocol_legacy_supported(requested) ? requested : MCP_LATEST_LEGACY_VERSION;
    json_t *result = json_pack("{s:s, s:O, s:O}", "protocolVersion", version, "capabilities",
                               capabilities(p, MCP_ERA_LEGACY), "serverInfo", p->server_info);
    if (p->instructions != NULL)
        json_object_set_new(result, "instructions", json_string(p->instructions));
    reply_result(p, ctx, msg, result, out);
}

static void do_discover(mcp_protocol_t *p, const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg, mcp_reply_t *out)
{
    /* every revision this endpoint serves, newest first: a client that speaks only a legacy one learns it can
     * still connect (with initialize) */
    json_t *versions = mcp_protocol_versions(MCP_ERA_MODERN);
    json_t *legacy = mcp_protocol_versions(MCP_ERA_LEGACY);
    json_array_extend(versions, legacy);
    json_decref(legacy);
    json_t *result = json_pack("{s:o, s:O, s:i, s:s}", "supportedVersions", versions, "capabilities",
                               capabilities(p, MCP_ERA_MODERN), "ttlMs", p->list_ttl_ms, "cacheScope", "public");
    if (p->instructions != NULL)
        json_object_set_new(result, "instructions", json_string(p->instructions));
    reply_result(p, ctx, msg, result, out);
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

static void do_tools_list(mcp_protocol_t *p, const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg,
                          mcp_reply_t *out)
{
    json_t *cursor = json_is_object(msg->params) ? json_object_get(msg->params, "cursor") : NULL;
    json_t *page = NULL;
    size_t index = 0;
    unsigned generation = 0;
    if (cursor != NULL && !json_is_string(cursor) && !json_is_null(cursor)) {
        reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, "cursor must be a string", NULL, out);
        return;
    }
    int rc = mcp_tools_list_page(p->tools, json_string_value(cursor), &page, &index, &generation);
    if (rc == CM_EINVAL) {
        reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, "Invalid cursor", NULL, out);
        return;
    }
    if (rc != CM_OK) {
        reply_error(ctx, msg, MCP_JSONRPC_INTERNAL_ERROR, "out of memory", NULL, out);
        return;
    }
    int era = ctx->era == MCP_ERA_MODERN;
    if (generation != p->list_generation || index >= p->list_pages) {
        drop_list_cache(p);
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
        reply_error(ctx, msg, MCP_JSONRPC_INTERNAL_ERROR, "out of memory", NULL, out);
        return;
    }
    out->http_status = 200;
}

static void do_tools_call(mcp_protocol_t *p, const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg,
                          mcp_reply_t *out)
{
    const char *name = json_string_value(json_object_get(msg->params, "name"));
    if (!json_is_object(msg->params) || name == NULL) {
        reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, "tools/call needs params.name", NULL, out);
        return;
    }
    const mcp_tool_t *tool = mcp_tools_find(p->tools, name);
    if (tool == NULL) {
        char m[200];
        snprintf(m, sizeof(m), "Unknown tool: %.150s", name);
        {
            reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, m, NULL, out);
            return;
        }
    }
    json_t *args = json_object_get(msg->params, "arguments");
    if (args != NULL && !json_is_object(args) && !json_is_null(args)) {
        reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, "params.arguments must be an object", NULL, out);
        return;
    }
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
        .log_threshold = ctx->log_threshold,
        .result_extra = ctx->era == MCP_ERA_MODERN ? p->modern_extra : NULL,
        .client_capabilities = ctx->client_capabilities,
        .context = ctx->call_context,
        .sink = {ctx->notify, ctx->complete, ctx->sink_ctx},
    };
    mcp_call_t *call = mcp__call_new(&cp);
    if (call == NULL) {
        reply_error(ctx, msg, MCP_JSONRPC_INTERNAL_ERROR, "out of memory", NULL, out);
        return;
    }
    out->pending = 1;
    out->call = call;
    /* the handler may complete synchronously: the transport must be ready for ctx->complete now */
    mcp__call_run(call, json_is_object(args) ? args : NULL);
}

static void do_set_level(mcp_protocol_t *p, const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg,
                         mcp_reply_t *out)
{
    int level = mcp_log_level_from_str(json_string_value(json_object_get(msg->params, "level")));
    if (level < 0) {
        reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS,
                    "params.level must be one of debug, info, notice, warning, error, critical, alert, emergency", NULL,
                    out);
        return;
    }
    if (ctx->session_log_level != NULL)
        *ctx->session_log_level = level;
    reply_result(p, ctx, msg, json_object(), out);
}

void mcp_protocol_dispatch(mcp_protocol_t *p, const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg,
                           mcp_reply_t *out)
{
    memset(out, 0, sizeof(*out));
    if (msg->kind != MCP_MSG_REQUEST) /* notifications and client responses are never answered */
        return;
    const char *m = msg->method;
    if (msg->params != NULL && !json_is_object(msg->params)) {
        reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, "params must be an object", NULL, out);
        return;
    }
    if (strcmp(m, "tools/call") == 0) {
        do_tools_call(p, ctx, msg, out);
        return;
    }
    if (strcmp(m, "tools/list") == 0) {
        do_tools_list(p, ctx, msg, out);
        return;
    }
    if (ctx->era == MCP_ERA_MODERN) {
        if (strcmp(m, "server/discover") == 0) {
            do_discover(p, ctx, msg, out);
            return;
        }
    } else {
        if (strcmp(m, "initialize") == 0) {
            do_initialize(p, ctx, msg, out);
            return;
        }
        if (strcmp(m, "ping") == 0) {
            reply_result(p, ctx, msg, json_object(), out);
            return;
        }
        if (strcmp(m, "logging/setLevel") == 0) {
            do_set_level(p, ctx, msg, out);
            return;
        }
    }
    mcp__feature_answer_t a;
    if (mcp__features_dispatch(p->prompts, p->resources, ctx->era, p->list_ttl_ms, m, msg->params, &a)) {
        if (a.code != 0) {
            json_decref(a.result);
            reply_error(ctx, msg, a.code, a.message, a.data, out);
        } else if (a.result != NULL) {
            reply_result(p, ctx, msg, a.result, out);
        } else {
            reply_error(ctx, msg, MCP_JSONRPC_INTERNAL_ERROR, "out of memory", NULL, out);
        }
        return;
    }
    char text[200];
    snprintf(text, sizeof(text), "Method not found: %.150s", m);
    reply_error(ctx, msg, MCP_JSONRPC_METHOD_NOT_FOUND, text, NULL, out);
}
