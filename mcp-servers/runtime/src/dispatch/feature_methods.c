/*
 * feature_methods.c - the prompts, resources and completion/complete methods of the dispatcher: each turns a request
 * into a result or a JSON-RPC error. dispatch.c's table serves a method only when its capability is (the service
 * registered prompts / resources / a completion source), otherwise "Method not found"; resources/subscribe and
 * /unsubscribe exist in the legacy era only (2026-07-28 replaced them with subscriptions/listen).
 */
#include "common/status.h"
#include "dispatch/dispatch_internal.h"
#include "features/features_internal.h"
#include "features/input.h"
#include "protocol/jsonrpc.h"

#include <stdio.h>
#include <string.h>

/* The answer to a feature method: result (new ref) or code != 0 with message (and data). */
typedef struct feature_answer {
    json_t *result;
    int code;
    char message[256];
    json_t *data; /* new ref or NULL */
} feature_answer_t;

static int invalid(feature_answer_t *a, const char *message)
{
    a->code = MCP_JSONRPC_INVALID_PARAMS;
    snprintf(a->message, sizeof(a->message), "%s", message);
    return 1;
}

/* Cursor from params (absent/null = first page); -1 after an error answer. */
static int get_cursor(json_t *params, const char **cursor, feature_answer_t *a)
{
    json_t *c = json_object_get(params, "cursor");
    if (c != NULL && !json_is_string(c) && !json_is_null(c)) {
        invalid(a, "cursor must be a string");
        return -1;
    }
    *cursor = json_string_value(c);
    return 0;
}

/* A shared list page or read result, copied (top level) and, in the modern era, given its caching hints. */
static void set_cacheable(feature_answer_t *a, json_t *shared, mcp_era_t era, int ttl_ms)
{
    a->result = json_copy(shared);
    json_decref(shared);
    if (a->result == NULL) {
        a->code = MCP_JSONRPC_INTERNAL_ERROR;
        snprintf(a->message, sizeof(a->message), "out of memory");
        return;
    }
    if (era == MCP_ERA_MODERN) {
        json_object_set_new(a->result, "ttlMs", json_integer(ttl_ms));
        json_object_set_new(a->result, "cacheScope", json_string("public"));
    }
}

static int do_list(int (*fn)(void *, const char *, json_t **), void *reg, json_t *params, mcp_era_t era, int ttl_ms,
                   feature_answer_t *a)
{
    const char *cursor;
    json_t *page = NULL;
    if (get_cursor(params, &cursor, a) != 0)
        return 1;
    int rc = fn(reg, cursor, &page);
    if (rc == CM_EINVAL)
        return invalid(a, "Invalid cursor");
    if (rc != CM_OK) {
        a->code = MCP_JSONRPC_INTERNAL_ERROR;
        snprintf(a->message, sizeof(a->message), "out of memory");
        return 1;
    }
    set_cacheable(a, page, era, ttl_ms);
    return 1;
}

static int list_prompts(void *r, const char *c, json_t **o)
{
    return mcp_prompts_list(r, c, o);
}
static int list_resources(void *r, const char *c, json_t **o)
{
    return mcp_resources_list(r, c, o);
}
static int list_templates(void *r, const char *c, json_t **o)
{
    return mcp_resources_templates_list(r, c, o);
}

static void not_found(feature_answer_t *a, mcp_era_t era, const char *uri)
{
    /* SEP-2164: -32602 from 2026-07-28 on; -32002 in 2025-11-25 and earlier */
    a->code = era == MCP_ERA_MODERN ? MCP_JSONRPC_INVALID_PARAMS : MCP_ERR_RESOURCE_NOT_FOUND;
    snprintf(a->message, sizeof(a->message), "Resource not found");
    a->data = json_pack("{s:s}", "uri", uri);
}

/* params.uri: a string of 1..MCP_URI_MAX bytes; NULL after an error answer. */
static const char *get_uri(json_t *params, const char *method, feature_answer_t *a)
{
    const char *uri = json_string_value(json_object_get(params, "uri"));
    char m[160];
    if (uri == NULL || uri[0] == '\0') {
        snprintf(m, sizeof(m), "%s needs params.uri (a string)", method);
        invalid(a, m);
        return NULL;
    }
    if (strlen(uri) > MCP_URI_MAX) {
        snprintf(m, sizeof(m), "params.uri is longer than %d bytes", MCP_URI_MAX);
        invalid(a, m);
        return NULL;
    }
    return uri;
}

static int do_read(mcp_resources_t *r, json_t *params, mcp_era_t era, int ttl_ms, feature_answer_t *a)
{
    const char *uri = get_uri(params, "resources/read", a);
    json_t *result = NULL;
    if (uri == NULL)
        return 1;
    int rc = mcp_resources_read(r, uri, &result, a->message, sizeof(a->message));
    if (rc == MCP_READ_OK)
        set_cacheable(a, result, era, ttl_ms);
    else if (rc == MCP_READ_NOT_FOUND)
        not_found(a, era, uri);
    else
        a->code = rc == MCP_READ_INVALID ? MCP_JSONRPC_INVALID_PARAMS : MCP_JSONRPC_INTERNAL_ERROR;
    return 1;
}

static int do_subscribe(mcp_resources_t *r, json_t *params, const char *method, feature_answer_t *a)
{
    const char *uri = get_uri(params, method, a);
    if (uri == NULL)
        return 1;
    if (!mcp_resources_exists(r, uri)) {
        not_found(a, MCP_ERA_LEGACY, uri);
        return 1;
    }
    /* acknowledged here; the transport records the subscription on the session (notifications/resources/updated
     * then goes on its GET stream, see mcp/streams.h) */
    a->result = json_object();
    return 1;
}

/* Replies with the answer: its error, its result, or "out of memory" when it has neither. */
static void answer(mcp_protocol_t *p, const mcp_request_ctx_t *ctx, const mcp_jsonrpc_msg_t *msg, feature_answer_t *a,
                   mcp_reply_t *out)
{
    if (a->code != 0) {
        json_decref(a->result);
        mcp__reply_error(ctx, msg, a->code, a->message, a->data, out);
    } else if (a->result != NULL) {
        mcp__reply_result(p, ctx, msg, a->result, out);
    } else {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INTERNAL_ERROR, "out of memory", NULL, out);
    }
}

int mcp__serves_prompts(const mcp_protocol_t *p)
{
    return p->prompts != NULL && mcp_prompts_count(p->prompts) > 0;
}

int mcp__serves_resources(const mcp_protocol_t *p)
{
    return p->resources != NULL && mcp_resources_count(p->resources) + mcp_resources_template_count(p->resources) > 0;
}

int mcp__serves_completions(const mcp_protocol_t *p)
{
    return mcp_completions_available(p->prompts, p->resources);
}

#define FEATURE_METHOD(fn, call)                                                                                       \
    MCP__METHOD(fn)                                                                                                    \
    {                                                                                                                  \
        feature_answer_t a;                                                                                            \
        memset(&a, 0, sizeof(a));                                                                                      \
        (void)(call);                                                                                                  \
        answer(p, ctx, msg, &a, out);                                                                                  \
    }

FEATURE_METHOD(mcp__do_prompts_list, do_list(list_prompts, p->prompts, msg->params, ctx->era, p->list_ttl_ms, &a))
FEATURE_METHOD(mcp__do_resources_list, do_list(list_resources, p->resources, msg->params, ctx->era, p->list_ttl_ms, &a))
FEATURE_METHOD(mcp__do_resource_templates_list,
               do_list(list_templates, p->resources, msg->params, ctx->era, p->list_ttl_ms, &a))
FEATURE_METHOD(mcp__do_resources_read, do_read(p->resources, msg->params, ctx->era, p->list_ttl_ms, &a))
FEATURE_METHOD(mcp__do_resources_subscribe, do_subscribe(p->resources, msg->params, msg->method, &a))
FEATURE_METHOD(mcp__do_complete, a.code = mcp_completion_complete(p->prompts, p->resources, msg->params, &a.result,
                                                                  a.message, sizeof(a.message)))

/* prompts/get: a prompt may ask for input (mcp_prompt_input); 2026-07-28 answers input_required, the retry brings
 * inputResponses and requestState back. */
MCP__METHOD(mcp__do_prompts_get)
{
    json_t *name = json_object_get(msg->params, "name");
    json_t *args = json_object_get(msg->params, "arguments");
    char target[160], m[256];
    mcp__input_t in;
    json_t *result = NULL;
    if (!json_is_string(name)) {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, "prompts/get needs params.name (a string)", NULL, out);
        return;
    }
    if (mcp__input_init(&in, ctx->client_capabilities) != CM_OK) {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INTERNAL_ERROR, "out of memory", NULL, out);
        return;
    }
    snprintf(target, sizeof(target), "prompt:%.140s", json_string_value(name));
    int modern = ctx->era == MCP_ERA_MODERN;
    if (modern &&
        mcp__input_from_request(&in, p->input.key, msg->params, target, ctx->instance_id, args, m, sizeof(m)) != 0) {
        mcp__reply_error(ctx, msg, MCP_JSONRPC_INVALID_PARAMS, m, NULL, out);
        goto out_clear;
    }
    int code =
        mcp_prompts_get_input(p->prompts, json_string_value(name), args, modern ? &in : NULL, &result, m, sizeof(m));
    if (code == MCP_PROMPT_NEEDS_INPUT) {
        if (in.bad[0] != '\0')
            mcp__reply_error(ctx, msg, MCP_JSONRPC_INTERNAL_ERROR, in.bad, NULL, out);
        else if (in.missing != NULL)
            mcp__reply_error(ctx, msg, MCP_ERR_MISSING_CLIENT_CAPABILITY, "Missing required client capability",
                             mcp__input_missing_data(&in), out);
        else if ((result = mcp__input_required_result(&in, p->input.key, target, ctx->instance_id, args,
                                                      p->input.timeout_s, p->input.max_state, m, sizeof(m))) == NULL)
            mcp__reply_error(ctx, msg, MCP_JSONRPC_INTERNAL_ERROR, m, NULL, out);
        else {
            json_object_set(result, "_meta", json_object_get(p->modern_extra, "_meta"));
            out->body = mcp_jsonrpc_result(msg->id, result);
            out->http_status = 200;
        }
    } else if (code != 0) {
        json_decref(result);
        mcp__reply_error(ctx, msg, code, m, NULL, out);
    } else {
        mcp__reply_result(p, ctx, msg, result, out);
    }
out_clear:
    mcp__input_clear(&in);
}

void mcp__features_capabilities(const mcp_protocol_t *p, mcp_era_t era, json_t *caps)
{
    if (mcp__serves_prompts(p))
        json_object_set_new(caps, "prompts", json_pack("{s:b}", "listChanged", p->list_changed_prompts));
    else
        json_object_del(caps, "prompts");
    if (mcp__serves_resources(p))
        json_object_set_new(caps, "resources",
                            era == MCP_ERA_LEGACY
                                ? json_pack("{s:b, s:b}", "subscribe", 1, "listChanged", p->list_changed_resources)
                                : json_pack("{s:b}", "listChanged", p->list_changed_resources));
    else
        json_object_del(caps, "resources");
    if (mcp__serves_completions(p))
        json_object_set_new(caps, "completions", json_object());
    else
        json_object_del(caps, "completions");
}
