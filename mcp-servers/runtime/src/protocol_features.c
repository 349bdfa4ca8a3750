/*
 * protocol_features.c - the prompts, resources and completion/complete methods of the dispatcher (protocol.c
 * replies; this file turns a request into a result or a JSON-RPC error).
 *
 * A method is served only when its capability is (the service registered prompts / resources / a completion
 * source); otherwise it is left to protocol.c's "Method not found". resources/subscribe and /unsubscribe exist
 * in the legacy era only (2026-07-28 replaced them with subscriptions/listen).
 */
#include "common/status.h"
#include "features_internal.h"
#include "mcp/jsonrpc.h"

#include <stdio.h>
#include <string.h>

static int invalid(mcp__feature_answer_t *a, const char *message)
{
    a->code = MCP_JSONRPC_INVALID_PARAMS;
    snprintf(a->message, sizeof(a->message), "%s", message);
    return 1;
}

/* Cursor from params (absent/null = first page); -1 after an error answer. */
static int get_cursor(json_t *params, const char **cursor, mcp__feature_answer_t *a)
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
static void set_cacheable(mcp__feature_answer_t *a, json_t *shared, mcp_era_t era, int ttl_ms)
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
                   mcp__feature_answer_t *a)
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

static void not_found(mcp__feature_answer_t *a, mcp_era_t era, const char *uri)
{
    /* SEP-2164: -32602 from 2026-07-28 on; -32002 in 2025-11-25 and earlier */
    a->code = era == MCP_ERA_MODERN ? MCP_JSONRPC_INVALID_PARAMS : MCP_ERR_RESOURCE_NOT_FOUND;
    snprintf(a->message, sizeof(a->message), "Resource not found");
    a->data = json_pack("{s:s}", "uri", uri);
}

/* params.uri: a string of 1..MCP_URI_MAX bytes; NULL after an error answer. */
static const char *get_uri(json_t *params, const char *method, mcp__feature_answer_t *a)
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

static int do_read(mcp_resources_t *r, json_t *params, mcp_era_t era, int ttl_ms, mcp__feature_answer_t *a)
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

static int do_subscribe(mcp_resources_t *r, json_t *params, const char *method, mcp__feature_answer_t *a)
{
    const char *uri = get_uri(params, method, a);
    if (uri == NULL)
        return 1;
    if (!mcp_resources_exists(r, uri)) {
        not_found(a, MCP_ERA_LEGACY, uri);
        return 1;
    }
    /* acknowledged: no server-to-client stream exists to deliver notifications/resources/updated, and registered
     * resources never change while serving (see mcp/resources.h) */
    a->result = json_object();
    return 1;
}

static int do_get_prompt(mcp_prompts_t *r, json_t *params, mcp__feature_answer_t *a)
{
    json_t *name = json_object_get(params, "name");
    if (!json_is_string(name))
        return invalid(a, "prompts/get needs params.name (a string)");
    int code = mcp_prompts_get(r, json_string_value(name), json_object_get(params, "arguments"), &a->result, a->message,
                               sizeof(a->message));
    a->code = code;
    return 1;
}

int mcp__features_dispatch(mcp_prompts_t *prompts, mcp_resources_t *resources, mcp_era_t era, int ttl_ms,
                           const char *method, json_t *params, mcp__feature_answer_t *a)
{
    memset(a, 0, sizeof(*a));
    if (strncmp(method, "prompts/", 8) == 0 && prompts != NULL && mcp_prompts_count(prompts) > 0) {
        if (strcmp(method + 8, "list") == 0)
            return do_list(list_prompts, prompts, params, era, ttl_ms, a);
        if (strcmp(method + 8, "get") == 0)
            return do_get_prompt(prompts, params, a);
        return 0;
    }
    if (strncmp(method, "resources/", 10) == 0 && resources != NULL &&
        mcp_resources_count(resources) + mcp_resources_template_count(resources) > 0) {
        const char *m = method + 10;
        if (strcmp(m, "list") == 0)
            return do_list(list_resources, resources, params, era, ttl_ms, a);
        if (strcmp(m, "templates/list") == 0)
            return do_list(list_templates, resources, params, era, ttl_ms, a);
        if (strcmp(m, "read") == 0)
            return do_read(resources, params, era, ttl_ms, a);
        if (era == MCP_ERA_LEGACY && (strcmp(m, "subscribe") == 0 || strcmp(m, "unsubscribe") == 0))
            return do_subscribe(resources, params, method, a);
        return 0;
    }
    if (strcmp(method, "completion/complete") == 0 && mcp_completions_available(prompts, resources)) {
        a->code = mcp_completion_complete(prompts, resources, params, &a->result, a->message, sizeof(a->message));
        return 1;
    }
    return 0;
}

void mcp__features_capabilities(mcp_prompts_t *prompts, mcp_resources_t *resources, mcp_era_t era, json_t *caps)
{
    if (prompts != NULL && mcp_prompts_count(prompts) > 0)
        json_object_set_new(caps, "prompts", json_pack("{s:b}", "listChanged", 0));
    else
        json_object_del(caps, "prompts");
    if (resources != NULL && mcp_resources_count(resources) + mcp_resources_template_count(resources) > 0)
        json_object_set_new(caps, "resources",
                            era == MCP_ERA_LEGACY ? json_pack("{s:b, s:b}", "subscribe", 1, "listChanged", 0)
                                                  : json_pack("{s:b}", "listChanged", 0));
    else
        json_object_del(caps, "resources");
    if (mcp_completions_available(prompts, resources))
        json_object_set_new(caps, "completions", json_object());
    else
        json_object_del(caps, "completions");
}
